"""Forms of the alignment table: confirm or reject a correspondence, add a missed one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, Length

__all__ = ["THRESHOLDS", "AddCorrespondenceForm", "ConfirmSuggestionsForm", "DecisionForm", "UndoBatchForm"]

#: The scores (per cent) a process owner may confirm all suggestions from.
THRESHOLDS = (95, 90, 80, 70, 60)


class DecisionForm(FlaskForm):
    """One row of the table: the steps on each side (comma-separated ids) and the verdict."""

    a_steps = HiddenField(validators=[InputRequired()])
    b_steps = HiddenField(validators=[InputRequired()])
    decision = HiddenField(validators=[InputRequired()])


class AddCorrespondenceForm(FlaskForm):
    """Pair a step of A with a step of B that the comparison did not pair."""

    a_step = SelectField(_l("Step they have"), validators=[InputRequired(_l("Choose a step."))])
    b_step = SelectField(_l("Corresponding step in your process"), validators=[InputRequired(_l("Choose a step."))])


class ConfirmSuggestionsForm(FlaskForm):
    """Confirm every suggestion not decided yet whose confidence is at least the chosen one."""

    threshold = SelectField(
        _l("Confirm all suggestions with a confidence of at least"),
        choices=[str(t) for t in THRESHOLDS],  # the template writes «90 % – 4 forslag»
        default="90",
        validators=[InputRequired(_l("Choose a confidence."))],
    )


class UndoBatchForm(FlaskForm):
    """Undo the decisions of one batch."""

    batch = HiddenField(validators=[InputRequired(), Length(max=32)])
