"""Sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

__all__ = ["LoginForm"]


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address."))],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
