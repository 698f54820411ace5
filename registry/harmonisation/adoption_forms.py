"""The threshold of the adoption page (a GET form, no CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from registry.harmonisation.adoption import DEFAULT_THRESHOLD

__all__ = ["AdoptionForm"]


class AdoptionForm(FlaskForm):
    """Which similarity counts as following the standard."""

    class Meta:
        csrf = False

    grense = IntegerField(
        _l("Similarity that counts as following the standard (%)"),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Give a whole number from 0 to 100."))],
        default=DEFAULT_THRESHOLD,
        description=_l("A member at or above this overall similarity counts. Default 80."),
    )
