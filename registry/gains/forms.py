"""Forms for the gains inputs: the cooperation's assumptions and a member's figures per process and step.

Numbers are typed the Norwegian way or the English way («12,5» or «12.5», spaces between
thousands allowed). Every number has its own message saying what is wrong and what to
write instead; the views answer 422 with them and save nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, StringField
from wtforms.validators import Length, Optional, ValidationError

from processes import Process
from registry.gains.services import MODE_PAIRS, StepFigures

__all__ = ["AssumptionsForm", "DeleteEventLogForm", "EventLogForm", "GainPlanForm", "Number", "ProcessInputsForm",
           "assumptions_form", "gain_plan_form", "mode_pair_label", "parse_date", "parse_number",
           "process_inputs_form"]


def parse_number(text: str) -> float:
    """«12,5», «12.5», «1 200» -> a finite float (ValueError otherwise)."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1:
        raise ValueError(text)
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class Number:
    """An optional number from ``minimum`` to ``maximum``; the parsed value is set on ``field.number``."""

    def __init__(self, minimum: float, maximum: float, message: Any, *, whole: bool = False) -> None:
        self.minimum, self.maximum, self.message, self.whole = minimum, maximum, message, whole

    def __call__(self, form: Any, field: Field) -> None:
        field.number = None
        raw = (field.data or "").strip()
        if not raw:
            return
        try:
            value = parse_number(raw)
        except ValueError:
            raise ValidationError(str(self.message)) from None
        if not self.minimum <= value <= self.maximum or (self.whole and not value.is_integer()):
            raise ValidationError(str(self.message))
        field.number = int(value) if self.whole else value


def _number_field(label: Any, minimum: float, maximum: float, message: Any, *, whole: bool = False,
                  description: Any = "") -> StringField:
    return StringField(label, validators=[Optional(), Length(max=40), Number(minimum, maximum, message, whole=whole)],
                       description=description, render_kw={"inputmode": "decimal", "autocomplete": "off"})


def _value(field: Field) -> Any:
    """The parsed number of a field (None when it was left empty)."""
    return getattr(field, "number", None)


def mode_pair_label(source: str, target: str) -> str:
    """«Papir → digitalt» in the user's language."""
    words = {
        "paper": _("paper"), "manual": _("manual"), "digital": _("digital"), "automated": _("automated"),
        "self_service": _("self-service"), "": _("any mode"),
    }
    return f"{words.get(source, source)} → {words.get(target, target)}"


def _pair_key(source: str, target: str) -> str:
    return f"{source or 'alle'}_{target}"


class EventLogForm(FlaskForm):
    """An event log exported from the case-handling system, to measure cases per year and time per step."""

    logg = FileField(
        _l("Event log"),
        validators=[FileRequired(_l("Choose an event log to upload."))],
        description=_l("XES (.xes, .xes.gz) or CSV with one row per event (case, activity, time). Only counts and "
                       "durations per step are kept: no case numbers, no names."),
    )
    dager = _number_field(
        _l("Days the log covers (optional)"), 1, 36_600,
        _l("Give the number of days as a whole number from 1 to 36 600, for example 365 for a year."), whole=True,
        description=_l("Leave empty to count from the first to the last event in the log."),
    )
    case_column = StringField(_l("CSV event log: case column"), validators=[Optional(), Length(max=200)],
                              description=_l("Found automatically when empty."))
    activity_column = StringField(_l("CSV event log: activity column"), validators=[Optional(), Length(max=200)])
    timestamp_column = StringField(_l("CSV event log: time column"), validators=[Optional(), Length(max=200)])


class DeleteEventLogForm(FlaskForm):
    """Forget an uploaded event log."""


class AssumptionsForm(FlaskForm):
    """The cooperation's hourly cost and default savings; the saving fields are added per pair."""

    timekostnad = _number_field(
        _l("Hourly cost (NOK per hour)"), 0, 100_000,
        _l("Write the hourly cost in kroner as a number from 0 to 100 000, for example 750."),
        description=_l("What one working hour costs, with social costs, for example 750. Leave empty if not decided."),
    )
    kilde = StringField(
        _l("Source of the hourly cost"), validators=[Optional(), Length(max=500)],
        description=_l("Where the figure comes from, for example «KS lønnsstatistikk 2025, med sosiale kostnader»."),
    )
    besparelse_kilde = StringField(
        _l("Source of the savings"), validators=[Optional(), Length(max=500)],
        description=_l("Where the savings per change of mode come from, for example «Erfaringstall fra Trondheim 2025»."),
    )

    pairs: tuple[tuple[str, str, str], ...] = ()

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.timekostnad.data and self.timekostnad.data.strip() and not (self.kilde.data or "").strip() \
                and not self.timekostnad.errors:
            self.kilde.errors = [_("Say where the hourly cost comes from, so that readers can check it.")]
            ok = False
        for key, _source, _target in self.pairs:
            fields = [self[f"{key}_{part}"] for part in ("lav", "forventet", "hoy")]
            if any(f.errors for f in fields):
                continue
            values = [_value(f) for f in fields]
            given = [v is not None for v in values]
            if any(given) and not all(given):
                fields[given.index(False)].errors = [
                    _("Fill in low, expected and high, or leave all three empty.")]
                ok = False
            elif all(given) and not values[0] <= values[1] <= values[2]:
                fields[1].errors = [_("Low must be at most expected, and expected at most high (for example 20, 30, 50).")]
                ok = False
        return bool(ok)

    def hourly_cost(self) -> float | None:
        value: float | None = _value(self.timekostnad)
        return value

    def savings(self) -> dict[tuple[str, str], tuple[float, float, float] | None]:
        """(before, after) -> (low, expected, high) as shares 0–1, or None when left empty."""
        out: dict[tuple[str, str], tuple[float, float, float] | None] = {}
        for key, source, target in self.pairs:
            values = [_value(self[f"{key}_{part}"]) for part in ("lav", "forventet", "hoy")]
            out[(source, target)] = None if values[0] is None else (values[0] / 100, values[1] / 100, values[2] / 100)
        return out


def assumptions_form(formdata: Any = None, **data: Any) -> AssumptionsForm:
    """The form with three percentage fields (low, expected, high) per change of mode in :data:`MODE_PAIRS`."""
    message = _l("Write a percentage from 0 to 100, for example 30.")

    class _Form(AssumptionsForm):
        pass

    pairs = []
    for source, target in MODE_PAIRS:
        key = _pair_key(source, target)
        pair = mode_pair_label(source, target)
        for part, word in (("lav", _("low")), ("forventet", _("expected")), ("hoy", _("high"))):
            setattr(_Form, f"{key}_{part}", _number_field(
                _("Saving %(pair)s, %(part)s (%%)", pair=pair, part=word), 0, 100, message))
        pairs.append((key, source, target))
    _Form.pairs = tuple(pairs)
    if formdata is None:
        return _Form(formdata=None, **data)
    return _Form(**data)


class ProcessInputsForm(FlaskForm):
    """Cases per year and their source; the step fields are added per step of the process."""

    saker = _number_field(
        _l("Cases per year"), 0, 10_000_000,
        _l("Write the cases per year as a whole number from 0 to 10 000 000, for example 240."), whole=True,
        description=_l("About how many cases of this kind the municipality handles in a year."),
    )
    saker_kilde = StringField(
        _l("Source of the cases per year"), validators=[Optional(), Length(max=500)],
        description=_l("For example «Fagsystemet, 2025» or «KOSTRA 2025»."),
    )

    steps: tuple[tuple[str, str, str], ...] = ()

    def figures(self) -> dict[str, StepFigures]:
        """Step id -> what was typed in (shares as 0–1)."""
        out = {}
        for key, step_id, _label in self.steps:
            share = _value(self[f"{key}_andel"])
            out[step_id] = StepFigures(
                _value(self[f"{key}_minutter"]),
                _value(self[f"{key}_porto"]),
                share / 100 if share is not None else None,
            )
        return out


def _fmt(value: float | None, scale: float = 1) -> str:
    if value is None:
        return ""
    v = value * scale
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def process_inputs_form(process: Process, stored: dict[str, Any], *, cases: int | None, source: str,
                        formdata: bool = True) -> ProcessInputsForm:
    """The form for one member's process: three fields per step (minutes, postage, share of cases)."""

    class _Form(ProcessInputsForm):
        pass

    steps = []
    data: dict[str, Any] = {"saker": str(cases) if cases is not None else "", "saker_kilde": source}
    activities: Sequence[Any] = [s for s in process.steps if s.is_activity]
    for i, step in enumerate(activities):
        key = f"steg{i}"
        label = step.label or step.id
        setattr(_Form, f"{key}_minutter", _number_field(
            _("«%(step)s»: work minutes per case", step=label), 0, 100_000,
            _l("Write the minutes as a number from 0 to 100 000, for example 12,5.")))
        setattr(_Form, f"{key}_porto", _number_field(
            _("«%(step)s»: postage and print per case (NOK)", step=label), 0, 10_000,
            _l("Write postage and print in kroner as a number from 0 to 10 000, for example 15.")))
        setattr(_Form, f"{key}_andel", _number_field(
            _("«%(step)s»: share of cases (%%)", step=label), 0, 100,
            _l("Write the share of cases as a percentage from 0 to 100, for example 30.")))
        steps.append((key, step.id, label))
        row = stored.get(step.id)
        if row is not None:
            data[f"{key}_minutter"] = _fmt(row.work_minutes)
            data[f"{key}_porto"] = _fmt(row.postage_nok)
            data[f"{key}_andel"] = _fmt(row.case_share, 100)
    _Form.steps = tuple(steps)
    if formdata:
        return _Form()
    return _Form(formdata=None, **data)


def parse_date(text: str) -> dt.date:
    """«31.12.2026» or «2026-12-31» -> the date (ValueError otherwise, also for «31.12.26» or 30.02)."""
    raw = text.strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return dt.date.fromisoformat(raw)
    raise ValueError(text)


class DateText:
    """An optional date typed as dd.mm.åååå or sent as åååå-mm-dd; the parsed date is set on ``field.date``."""

    def __call__(self, form: Any, field: Field) -> None:
        field.date = None
        raw = (field.data or "").strip()
        if not raw:
            return
        try:
            value = parse_date(raw)
        except ValueError:
            raise ValidationError(_("Write the date as dd.mm.yyyy, for example 31.12.2026.")) from None
        if not 2000 <= value.year <= 2100:
            raise ValidationError(_("Write a date between the years 2000 and 2100, for example 31.12.2026."))
        field.date = value


class GainPlanForm(FlaskForm):
    """Owner, date and measure per expected gain line; the fields are added per line."""

    lines: tuple[tuple[str, str, str], ...] = ()

    def entries(self) -> dict[str, tuple[str, dt.date | None, str]]:
        """Line key -> (owner, date, measure) as typed in."""
        return {
            key: ((self[f"{name}_eier"].data or "").strip(), getattr(self[f"{name}_dato"], "date", None),
                  (self[f"{name}_maal"].data or "").strip())
            for name, key, _label in self.lines
        }


def gain_plan_form(lines: Sequence[tuple[str, str, Any]], *, formdata: bool = True) -> GainPlanForm:
    """The form for a plan: per line (key, label, stored row or None) an owner, a date and a measure."""

    class _Form(GainPlanForm):
        pass

    data: dict[str, Any] = {}
    names = []
    for i, (key, label, row) in enumerate(lines):
        name = f"linje{i}"
        setattr(_Form, f"{name}_eier", StringField(
            _("Line %(number)s «%(change)s»: owner", number=i + 1, change=label),
            validators=[Optional(), Length(max=200, message=_l("Write the owner in at most 200 characters."))],
            description=_l("A name or a role, for example «Leder for byggesak»."), render_kw={"autocomplete": "off"}))
        setattr(_Form, f"{name}_dato", StringField(
            _("Line %(number)s «%(change)s»: date", number=i + 1, change=label),
            validators=[Optional(), Length(max=40), DateText()],
            description=_l("When the gain should be realised, dd.mm.yyyy."), render_kw={"autocomplete": "off"}))
        setattr(_Form, f"{name}_maal", StringField(
            _("Line %(number)s «%(change)s»: measure", number=i + 1, change=label),
            validators=[Optional(), Length(max=500, message=_l("Write the measure in at most 500 characters."))],
            description=_l("What will be measured, for example «Minutter per sak i fagsystemet»."),
            render_kw={"autocomplete": "off"}))
        names.append((name, key, label))
        if row is not None:
            data[f"{name}_eier"] = row.owner
            data[f"{name}_dato"] = row.due.strftime("%d.%m.%Y") if row.due is not None else ""
            data[f"{name}_maal"] = row.measure
    _Form.lines = tuple(names)
    if formdata:
        return _Form()
    return _Form(formdata=None, **data)
