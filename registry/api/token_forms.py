"""The form a signed-in user makes a personal access token with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from registry.admin.forms import MultiCheckboxField
from registry.forms import DATE_FORMATS
from registry.users.models import utcnow

__all__ = ["DEFAULT_LIFETIME_DAYS", "TokenForm", "scope_choices", "scope_label"]

#: The expiry date the form suggests: a quarter of a year ahead.
DEFAULT_LIFETIME_DAYS = 90


def scope_label(scope: str) -> str:
    """A scope in the words the pages use."""
    labels = {
        "read": _l("Read"),
        "write": _l("Write processes for my municipalities"),
        "coordinate": _l("Coordinator actions for my cooperations"),
    }
    return str(labels.get(scope, scope))


def scope_choices(user: Any) -> list[tuple[str, str]]:
    """The scopes beyond reading that ``user`` may give a token: writing for owners, coordinating for coordinators."""
    choices = []
    if user.is_admin or user.owned_municipalities:
        choices.append(("write", scope_label("write")))
    if user.is_admin or user.coordinated_cooperations:
        choices.append(("coordinate", scope_label("coordinate")))
    return choices


def _default_expiry() -> dt.date:
    return utcnow().date() + dt.timedelta(days=DEFAULT_LIFETIME_DAYS)


class TokenForm(FlaskForm):
    """A name, an expiry date and the scopes; every token can read."""

    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Give the token a name that says what it is for.")),
            Length(max=100, message=_l("The name can be at most 100 characters.")),
        ],
        description=_l(
            "What the token is for, e.g. «Upload from the case-handling system»."
        ),
        render_kw={"autocomplete": "off", "maxlength": 100},
    )
    expires_on = DateField(
        _l("Expires on"),
        format=DATE_FORMATS,
        default=_default_expiry,
        validators=[InputRequired(_l("Enter the date the token stops working."))],
        description=_l("The token works through this day. For example 31.12.2026."),
    )
    # The service decides which scopes the user may give (and words the refusal), so an
    # offered-or-not choice is not checked here.
    scopes = MultiCheckboxField(
        _l("What the token may do besides reading"),
        validate_choice=False,
        description=_l("Every token reads what you may read on the pages."),
    )
