"""Forms of the standard workflow: confirm an uploaded version, approve, publish with effective dates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

__all__ = ["ApproveForm", "ConfirmStandardForm", "PublishForm"]


class ConfirmStandardForm(FlaskForm):
    """Save the previewed upload as a new draft version of the standard."""

    comment = TextAreaField(
        _l("What has changed?"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown in the version history, e.g. «Befaring er nå valgfri»."),
    )
    effective_from = DateField(_l("In force from"), validators=[Optional()], description=_l("For example 2026-01-01."))
    effective_to = DateField(_l("In force until"), validators=[Optional()], description=_l("Leave empty if open-ended."))


class ApproveForm(FlaskForm):
    """Approve a draft."""


class PublishForm(FlaskForm):
    """Publish an approved version, with the dates it applies."""

    effective_from = DateField(_l("In force from"), validators=[Optional()], description=_l("For example 2026-01-01."))
    effective_to = DateField(_l("In force until"), validators=[Optional()], description=_l("Leave empty if open-ended."))
