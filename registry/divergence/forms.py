"""Filters of the divergence map and the step search (GET forms, no CSRF: they change nothing)."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

__all__ = ["EARLIEST_DAY", "MapFilterForm", "StepSearchForm", "parse_as_of"]

#: The registry holds no processes from before this day; an earlier «per dato» is a typing error.
EARLIEST_DAY = dt.date(2000, 1, 1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_as_of(raw: str | None, *, today: dt.date | None = None) -> tuple[dt.date | None, str | None]:
    """The «per dato» day from a query value (None when empty), or the reason it cannot be used."""
    text = (raw or "").strip()
    if not text:
        return None, None
    day = None
    if len(text) == 10 and _ISO_DAY.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        return None, _("«%(value)s» is not a date. Write it as YYYY-MM-DD, for example 2026-03-01.", value=text[:40])
    today = today or dt.date.today()
    if day > today:
        return None, _(
            "%(day)s is in the future: the map can only be shown as it was. Choose today (%(today)s) or an earlier day.",
            day=format_date(day, format="long"),
            today=format_date(today, format="long"),
        )
    if day < EARLIEST_DAY:
        return None, _(
            "The registry has no processes from before %(earliest)s. Choose that day or a later one.",
            earliest=format_date(EARLIEST_DAY, format="long"),
        )
    return day, None


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
    skjul_rolle = BooleanField(
        _l("Hide differences of role only"),
        description=_l("A step that differs only in who does it (the role) is shown as the same; the comparison still lists it."),
    )
    # Checked by parse_as_of (specific messages), not by the field: it only draws a date input.
    dato = DateField(
        _l("As on date"),
        validators=[Optional()],
        description=_l("Show the map as it was on that day. Empty: today."),
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
