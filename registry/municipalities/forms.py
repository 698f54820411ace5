"""Forms for searching and editing municipalities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from registry.forms import DATE_FORMATS, EmailAddress, NumberListField

__all__ = ["MunicipalityForm", "MunicipalityProfileForm", "MunicipalitySearchForm"]


class MunicipalitySearchForm(FlaskForm):
    """Search by name or number (GET; changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Name or municipality number"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example «Klæbu» or «5030». Former municipalities are found too."),
    )
    county = SelectField(_l("County"), validators=[Optional()], validate_choice=False)
    historic = BooleanField(_l("Show former municipalities"))


class MunicipalityProfileForm(FlaskForm):
    """What a process owner maintains about their municipality."""

    description = TextAreaField(
        _l("About the municipality's process work"),
        validators=[Length(max=4000)],
        description=_l("Who works with processes, and what other municipalities should know. Plain text."),
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[Optional(), EmailAddress(), Length(max=254)],
        description=_l("A shared address is better than a personal one, e.g. prosess@kommune.no."),
    )
    population = IntegerField(
        _l("Population"),
        validators=[Optional(), NumberRange(min=1, max=2_000_000, message=_l("Give a whole number of inhabitants."))],
        description=_l("Inhabitants, e.g. from Statistics Norway. A cooperation can weight its proposals by it."),
    )


class MunicipalityForm(FlaskForm):
    """Reference data of a municipality (administrators)."""

    number = StringField(
        _l("Municipality number"),
        validators=[
            InputRequired(_l("Enter the municipality number.")),
            Regexp(r"^\d{4}$", message=_l("A municipality number has exactly four digits, e.g. 0301.")),
        ],
        description=_l("Four digits, as in Statistics Norway's list, e.g. 0301."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)]
    )
    county_number = StringField(
        _l("County number"),
        validators=[
            InputRequired(_l("Enter the county number.")),
            Regexp(r"^\d{2}$", message=_l("A county number has two digits, e.g. 50.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    county_name = StringField(
        _l("County name"), validators=[InputRequired(_l("Enter the county name.")), Length(max=100)]
    )
    valid_from = DateField(
        _l("Valid from"),
        format=DATE_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty when not known."),
    )
    valid_to = DateField(
        _l("Valid to"),
        format=DATE_FORMATS,
        validators=[Optional()],
        description=_l("The last day the municipality existed. Empty for current municipalities."),
    )
    successors = NumberListField(
        _l("Successors"),
        description=_l("Numbers of the municipalities that took over, separated by commas, e.g. 5001."),
    )
