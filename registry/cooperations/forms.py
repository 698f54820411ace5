"""Forms for cooperations and memberships."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from registry.forms import DATE_FORMATS, Slug

__all__ = ["CooperationDescriptionForm", "CooperationForm", "EndMembershipForm", "MembershipForm"]


class CooperationDescriptionForm(FlaskForm):
    """What a coordinator may change."""

    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=4000)],
        description=_l("What the cooperation works on and how to take part. Plain text."),
    )


class CooperationForm(CooperationDescriptionForm):
    """Name, address and description (administrators)."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[
            Optional(),
            Length(max=100),
            Slug(
                message=_l("Use only lower-case letters a–z, digits and single hyphens, e.g. digi-trondelag."),
            ),
        ],
        description=_l("The last part of the page address, e.g. digi-trondelag. Made from the name when empty."),
    )


class MembershipForm(FlaskForm):
    """Add a member municipality."""

    municipality = StringField(
        _l("Municipality number"),
        validators=[
            InputRequired(_l("Enter the municipality number.")),
            Regexp(r"^\d{4}$", message=_l("A municipality number has exactly four digits, e.g. 0301.")),
        ],
        description=_l("Four digits, e.g. 5035 for Stjørdal."),
        render_kw={"inputmode": "numeric"},
    )
    joined_on = DateField(
        _l("Member from"),
        format=DATE_FORMATS,
        validators=[InputRequired(_l("Enter the date the membership starts."))],
        default=dt.date.today,
    )
    left_on = DateField(
        _l("Member until"),
        format=DATE_FORMATS,
        validators=[Optional()],
        description=_l("The last day of the membership. Empty while it lasts."),
    )


class EndMembershipForm(FlaskForm):
    """End a membership."""

    left_on = DateField(
        _l("Last day as member"),
        format=DATE_FORMATS,
        validators=[InputRequired(_l("Enter the last day of the membership."))],
        default=dt.date.today,
    )
