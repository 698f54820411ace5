"""Forms of the alignment table: confirm or reject a correspondence, add a missed one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

__all__ = ["AddCorrespondenceForm", "DecisionForm"]


class DecisionForm(FlaskForm):
    """One row of the table: the steps on each side (comma-separated ids) and the verdict."""

    a_steps = HiddenField(validators=[InputRequired()])
    b_steps = HiddenField(validators=[InputRequired()])
    decision = HiddenField(validators=[InputRequired()])


class AddCorrespondenceForm(FlaskForm):
    """Pair a step of A with a step of B that the comparison did not pair."""

    a_step = SelectField(_l("Step they have"), validators=[InputRequired(_l("Choose a step."))])
    b_step = SelectField(_l("Corresponding step in your process"), validators=[InputRequired(_l("Choose a step."))])
