"""The process type form (administrators and coordinators)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

__all__ = ["ProcessTypeForm"]


class ProcessTypeForm(FlaskForm):
    """Names, address, legal basis and K-kode of a process type."""

    name_nb = StringField(
        _l("Name (Norwegian)"),
        validators=[InputRequired(_l("Enter the name.")), Length(max=200)],
        description=_l("As caseworkers say it, e.g. «Byggesak – søknad om tillatelse i ett trinn»."),
    )
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    slug = StringField(
        _l("Address"),
        validators=[InputRequired(_l("Enter the address.")), Length(max=100)],
        description=_l("Part of the page address: lower-case letters, digits and hyphens, e.g. byggesak-ett-trinn."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    legal_basis = TextAreaField(
        _l("Legal basis"),
        validators=[Optional(), Length(max=2000)],
        description=_l("The laws and regulations the casework follows, e.g. «Plan- og bygningsloven § 20-1»."),
    )
    k_code = StringField(
        _l("K-kode"),
        validators=[Optional(), Length(max=50)],
        description=_l("The class in KS' K-kode archive key, when there is one."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=4000)], description=_l("Plain text.")
    )
