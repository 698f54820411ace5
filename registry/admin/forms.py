"""Forms for managing users and their roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from registry.forms import EmailAddress, NumberListField

__all__ = ["NewUserForm", "UserForm"]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (one per choice), rendered as a fieldset."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    """A user's details and roles."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the person's name.")), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter the e-mail address.")), EmailAddress(), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    is_admin = BooleanField(
        _l("Administrator"), description=_l("Manages users, municipalities, cooperations and sees the audit log.")
    )
    active = BooleanField(_l("Active"), default=True, description=_l("Inactive users cannot sign in."))
    coordinator_of = MultiCheckboxField(
        _l("Coordinator of"), coerce=int, description=_l("Coordinators see all members of their cooperations.")
    )
    owner_of = NumberListField(
        _l("Process owner for"),
        description=_l("Municipality numbers separated by commas, e.g. 5001, 5035."),
    )
    password = PasswordField(
        _l("New password"),
        validators=[Optional()],
        description=_l("At least 12 characters. Leave empty to keep the current password."),
        render_kw={"autocomplete": "new-password"},
    )


class NewUserForm(UserForm):
    """A new user needs a password."""

    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter a password."))],
        description=_l("At least 12 characters. Give it to the person in a safe way."),
        render_kw={"autocomplete": "new-password"},
    )
