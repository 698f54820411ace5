"""The proposal's settings (a GET form, no CSRF: it changes nothing) and the make-a-draft button."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

__all__ = [
    "SUPPORT_CHOICES",
    "DeviationFilterForm",
    "DeviationForm",
    "FollowUpForm",
    "MakeDraftForm", "ProposalSettingsForm", "support_choices", "weighting_choices"]


class ProposalSettingsForm(FlaskForm):
    """How much support a step needs, and how far the proposal may move from the standard."""

    class Meta:
        csrf = False

    oppslutning = SelectField(
        _l("Minimum support for a step"),
        default="50",
        description=_l("A step is in the proposal when at least this share of the members have it."),
    )
    avstand = IntegerField(
        _l("At most this many changes to the current standard"),
        validators=[Optional(), NumberRange(min=0, max=10000, message=_l("Give a whole number from 0 to 10,000."))],
        description=_l("Leave empty for no limit. The best-supported changes are made first."),
    )
    vekt = SelectField(
        _l("Weight of each member"),
        default="equal",
        description=_l("A member that has not given the figure counts as the median of those that have."),
    )
    avvik = BooleanField(
        _l("Count justified deviations as disagreement"),
        description=_l("Off: a member's justified deviation from the standard does not count against the standard."),
    )


class MakeDraftForm(FlaskForm):
    """Turn the proposal into a new draft version of the standard (the settings travel as hidden fields)."""

    oppslutning = SelectField(default="50")
    avstand = IntegerField(validators=[Optional(), NumberRange(min=0, max=10000)])
    vekt = SelectField(default="equal")
    avvik = BooleanField()


#: The minimum supports to choose from (per cent).
SUPPORT_CHOICES = ("50", "60", "75", "90")


def support_choices() -> list[tuple[str, str]]:
    """The choices of the minimum-support field, worded (set on each form when it is made)."""
    return [("50", str(_l("At least half of the members")))] + [(v, f"{v} %") for v in SUPPORT_CHOICES[1:]]


def weighting_choices() -> list[tuple[str, str]]:
    """The choices of the weighting field, worded."""
    return [
        ("equal", str(_l("Every member counts the same"))),
        ("cases", str(_l("By cases per year"))),
        ("population", str(_l("By population"))),
    ]


class FollowUpForm(FlaskForm):
    """Where the municipality stands with one change of its plan."""

    key = HiddenField(validators=[InputRequired()])
    status = SelectField(_l("Status"), default="not_started")
    planned_for = DateField(
        _l("Planned for"),
        validators=[Optional()],
        description=_l("Needed when the status is planned."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators: Any = None) -> bool:
        """A planned change needs the date it is planned for."""
        ok = bool(super().validate(extra_validators))
        if ok and self.status.data == "planned" and self.planned_for.data is None:
            self.planned_for.errors = [str(_l("Give the date the change is planned for (for example 2027-03-01)."))]
            return False
        return ok


class DeviationForm(FlaskForm):
    """Mark a difference from the standard as a justified deviation («begrunnet avvik»)."""

    key = HiddenField(validators=[InputRequired()])
    category = SelectField(_l("Reason"), default="law")
    reason = TextAreaField(
        _l("Why the municipality keeps this difference"),
        validators=[
            DataRequired(message=_l("Say why: the coordinator and the other members read it.")),
            Length(max=4000),
        ],
    )
    valid_until = DateField(
        _l("Justified until"),
        validators=[Optional()],
        description=_l("Leave empty if it has no end date."),
    )


class DeviationFilterForm(FlaskForm):
    """The coordinator's query over the cooperation's justified deviations (GET, no CSRF)."""

    class Meta:
        csrf = False

    prosesstype = SelectField(_l("Process type"), default="")
    kategori = SelectField(_l("Reason"), default="")
    kommune = SelectField(_l("Municipality"), default="")
    gjeldende = BooleanField(_l("Only those that hold today"))
