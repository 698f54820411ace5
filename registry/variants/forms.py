"""Forms for uploading a process, confirming it, restoring a version, comparing versions and quick edits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from processes import Mode
from processes.formats import FORMATS
from registry.inputs import MAX_ID

__all__ = [
    "CasesPerYearForm",
    "CompareVersionsForm",
    "ConfirmUploadForm",
    "DiscardUploadForm",
    "EditorForm",
    "RestoreForm",
    "StepEditForm",
    "UploadForm",
    "format_choices",
    "mode_choices",
]


def format_choices() -> list[tuple[str, str]]:
    """"Detect" first, then every readable format in the user's words, with its file name endings."""
    from registry.i18n import format_label

    return [("", str(_l("Detect from the file (recommended)")))] + [
        (f.name, f"{format_label(f.name)[:1].upper()}{format_label(f.name)[1:]} ({', '.join(f.extensions)})")
        for f in FORMATS if f.readable
    ]


def mode_choices() -> list[tuple[str, str]]:
    """How a step is carried out; "" means not stated."""
    from processes.render import mode_cue
    from registry.i18n import ui_language

    return [("", str(_l("Not stated")))] + [(m.value, mode_cue(m, ui_language())) for m in Mode]


class UploadForm(FlaskForm):
    """A process file in any importer format, with the options event logs need."""

    file = FileField(
        _l("Process file"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l(
            "BPMN 2.0 (.bpmn), Petri net (.pnml), event log (.xes, .csv), spreadsheet (.csv, .xlsx) "
            "or the registry's own YAML/JSON. Nothing is saved before you have seen the preview."
        ),
    )
    format = SelectField(
        _l("Format"),
        validators=[Optional()],
        description=_l("Leave this as it is unless the file is read as the wrong format."),
    )
    label_attribute = StringField(
        _l("Event log: attribute that names the step"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only for event logs. XES default: concept:name; for a CSV log, a column name."),
    )
    case_column = StringField(
        _l("CSV event log: case column"),
        validators=[Optional(), Length(max=200)],
        description=_l("The column that identifies the case, e.g. saksnummer. Found automatically when empty."),
    )
    activity_column = StringField(
        _l("CSV event log: activity column"),
        validators=[Optional(), Length(max=200)],
        description=_l("The column that names what was done, e.g. aktivitet."),
    )
    timestamp_column = StringField(
        _l("CSV event log: time column"),
        validators=[Optional(), Length(max=200)],
        description=_l("The column with the date and time of each event."),
    )


class ConfirmUploadForm(FlaskForm):
    """Save the previewed upload as a new version."""

    comment = TextAreaField(
        _l("What has changed?"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown in the version history, e.g. «Nabovarsel sendes nå digitalt»."),
    )


class DiscardUploadForm(FlaskForm):
    """Forget the previewed upload."""


class RestoreForm(FlaskForm):
    """Save an old version again as the newest one."""

    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class CasesPerYearForm(FlaskForm):
    """How many cases of this type the municipality handles in a year."""

    cases_per_year = IntegerField(
        _l("Cases per year"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000, message=_l("Give a whole number of cases."))],
        description=_l("About how many cases of this kind a year. Proposals can weight members by it; leave empty if not known."),
    )


class CompareVersionsForm(FlaskForm):
    """Choose two versions to compare (GET)."""

    class Meta:
        csrf = False

    fra = IntegerField(
        _l("Older version"),
        validators=[InputRequired(_l("Choose two versions to compare.")), NumberRange(min=1, max=MAX_ID)],
        render_kw={"inputmode": "numeric"},
    )
    til = IntegerField(
        _l("Newer version"),
        validators=[InputRequired(_l("Choose two versions to compare.")), NumberRange(min=1, max=MAX_ID)],
        render_kw={"inputmode": "numeric"},
    )


class StepEditForm(FlaskForm):
    """One step in the quick editor."""

    class Meta:
        csrf = False

    step_id = HiddenField()
    label = StringField(_l("Name"), validators=[InputRequired(_l("Every step needs a name.")), Length(max=500)])
    lane = StringField(_l("Lane (role or unit)"), validators=[Optional(), Length(max=200)])
    mode = SelectField(_l("How it is done"), validators=[Optional()])
    system = StringField(_l("System"), validators=[Optional(), Length(max=200)])
    legal_basis = StringField(_l("Legal basis"), validators=[Optional(), Length(max=500)])


class EditorForm(FlaskForm):
    """Every step of a version, editable, and a comment for the new version."""

    steps = FieldList(FormField(StepEditForm), min_entries=0)
    comment = TextAreaField(_l("What has changed?"), validators=[Optional(), Length(max=2000)])
