"""Filters of the divergence map and the step search (GET forms, no CSRF: they change nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

__all__ = ["MapFilterForm", "StepSearchForm"]


class MapFilterForm(FlaskForm):
    """Narrow the map to some municipalities."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], default="")
    steg = SelectField(_l("Step"), validators=[Optional()], default="")
    min = IntegerField(
        _l("Minimum overall similarity (%)"),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Give a number from 0 to 100."))],
    )
    fylke = SelectField(_l("County"), validators=[Optional()], default="")
    grupper = SelectField(
        _l("Groups"),
        validators=[Optional()],
        default="",
        description=_l("Automatic: chosen from how similar the municipalities are."),
    )


class StepSearchForm(FlaskForm):
    """Which member municipalities have a step like this?"""

    class Meta:
        csrf = False

    q = StringField(
        _l("Step name"),
        validators=[InputRequired(_l("Enter a word or a step name.")), Length(max=200)],
        description=_l("For example «befaring». Similar words, synonyms and nynorsk forms count too."),
    )
    type = SelectField(_l("Process type"), validators=[Optional()], default="")
