"""The engine's errors in the user's language: what is wrong, where, and how to fix it.

The engine raises errors with a stable ``code`` and ``params`` (the English ``str()``
is for programmers and logs); this module words them from the catalogue, so that a
bokmål page never shows the engine's English. Every code in
:data:`processes.exceptions.FORMAT_ERROR_CODES` and :data:`processes.gains._ERROR_TEXTS`
has a sentence here (a test checks it); an unknown code gets a plain sentence in the
user's language, and the English message goes to the log with its code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask_babel import LazyString, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from processes import FormatError, ProcessError
from processes.gains import GainError

__all__ = ["engine_error_text"]

logger = logging.getLogger(__name__)

# What is wrong, one sentence per code; filled with the error's params.
_MESSAGES: dict[str, LazyString] = {
    "format_error": _l("Something in the file is wrong."),
    "empty_file": _l("The file is empty."),
    "too_large": _l("The file is %(size)s bytes; the limit is %(limit)s bytes."),
    "unpacks_too_large": _l("The file unpacks to more than %(limit)s bytes, far more than a real process or log."),
    "encoding": _l("The text is not in a character encoding the registry can read (UTF-8 or Windows-1252)."),
    "nul_bytes": _l("The file contains binary data, so it is not a text file."),
    "nested_too_deeply": _l("The file is nested too deeply to be a process."),
    "unknown_format": _l("It is not in any format the registry can read."),
    "unknown_xml_root": _l("It is an XML file whose first element is <%(root)s>, which is not a process format the registry can read."),
    "cannot_open": _l("The file cannot be opened."),
    "no_such_file": _l("The file does not exist."),
    "is_a_directory": _l("It is a folder, not a file."),
    "cannot_write": _l("The file cannot be written."),
    "unknown_format_name": _l("The format %(format)s is not one the registry can read."),
    "cannot_write_format": _l("The registry cannot write the format %(format)s."),
    "unknown_output_extension": _l("The format cannot be told from the name %(filename)s."),
    "option_not_for_format": _l("The attribute for step names only applies to event logs (XES, CSV), but this is a %(format)s file."),
    "option_not_accepted": _l("A setting was given that this kind of file does not have."),
    "option_syntax": _l("The setting %(option)s is not written as KEY=VALUE."),
    "stdout_needs_format": _l("Writing to the screen needs a format."),
    "not_a_drawing_format": _l("A drawing can be SVG, PNG, PDF or DOT, not %(format)s."),
    "xml_syntax": _l("The file is not valid XML: it may have been cut off or edited by hand."),
    "xml_no_root": _l("The file has no XML content."),
    "doctype": _l("The file declares a document type (DOCTYPE), which the registry refuses for safety."),
    "not_bpmn": _l("It is not a BPMN 2.0 file: the first element is <%(root)s>, not <definitions> in the BPMN 2.0 namespace."),
    "no_bpmn_process": _l("The BPMN file has no process (<process>) to import."),
    "invalid_extension": _l("The registry's own extra data in the file (the kp: elements) is damaged."),
    "invalid_element": _l("An element of the process cannot be added, for example because its id is already used."),
    "not_pnml": _l("It is not a PNML file: the first element is <%(root)s>, not <pnml>."),
    "no_petri_net": _l("The PNML file has no Petri net (<net>) in it."),
    "missing_id": _l("An element (%(tag)s) has no id."),
    "missing_attribute": _l("An element (%(tag)s) has no %(attribute)s attribute."),
    "reference_cycle": _l("Reference nodes in the Petri net refer to each other in a circle."),
    "unknown_flow_end": _l("A flow goes to or from “%(ref)s”, which is not a step or gateway in the process."),
    "arc_joins_same_kind": _l("An arc joins two %(kind)s (%(source)s → %(target)s); an arc in a Petri net goes between a place and a transition."),
    "not_xes": _l("It is not an XES event log: the first element is <%(root)s>, not <log>."),
    "no_cases": _l("The event log has no cases."),
    "damaged_compressed": _l("The compressed file is damaged."),
    "case_too_long": _l("Case number %(case)s in the log has more than %(limit)s events."),
    "missing_label_attribute": _l("No event has the attribute “%(attribute)s”; the events have: %(keys)s."),
    "no_header_row": _l("The file has no header row with column names."),
    "missing_column": _l("There is no column “%(column)s”; the columns are: %(columns)s."),
    "column_not_found": _l("The registry cannot tell which column is the %(role)s; the columns are: %(columns)s."),
    "same_column": _l("The case and the activity must be two different columns."),
    "too_few_cells": _l("The row has %(count)s cells, fewer than there are columns."),
    "empty_cell": _l("The cell in the column “%(column)s” is empty."),
    "bad_timestamp": _l("“%(value)s” in the column “%(column)s” is not a date and time the registry can read."),
    "csv_syntax": _l("The CSV text is damaged, usually because a quote mark is not closed."),
    "yaml_syntax": _l("The file is not valid YAML."),
    "yaml_flow_syntax": _l("The file is not valid YAML: text inside {…} or […] contains a comma, a colon or a bracket."),
    "yaml_alias": _l("A value is reused with a YAML alias (*name), which the registry does not support."),
    "yaml_tag": _l("The YAML tag %(tag)s is not supported."),
    "yaml_key": _l("A key is not plain text (it is a list or a mapping, has a YAML tag or is a merge key <<)."),
    "json_syntax": _l("The file is not valid JSON (at character %(column)s of the line)."),
    "duplicate_key": _l("The key “%(key)s” appears twice in the same place."),
    "not_a_process": _l("The file is not a process: it has no list of steps."),
    "no_steps": _l("The file has no list of steps (“steps:”)."),
    "unknown_key": _l("The key “%(key)s” is not one the registry knows."),
    "value_required": _l("A value is missing (%(path)s)."),
    "expected_text": _l("%(path)s must be text."),
    "expected_mapping": _l("%(path)s must be a list of names with values."),
    "expected_number": _l("%(path)s must be a number."),
    "expected_list": _l("%(path)s must be a list, one “- ” item per line."),
    "unknown_value": _l("“%(value)s” is not an allowed value (%(path)s)."),
    "wrong_list": _l("“%(value)s” belongs in the list “%(list)s” (%(path)s)."),
    "negative_number": _l("%(path)s must not be negative."),
    "not_a_mapping": _l("A %(what)s must be written with keys (%(path)s)."),
    "flow_end_twice": _l("A flow has both “%(key)s” and “%(alias)s”."),
    "flow_missing_end": _l("A flow has no “%(key)s”."),
    "bad_flow": _l("“%(text)s” is not a flow from one step to another."),
    "label_not_id": _l("“%(ref)s” is the name of the step “%(id)s”, not its id."),
    "unknown_reference": _l("“%(ref)s” (%(key)s) is not a step in the process."),
    "reference_to_gateway": _l("“%(ref)s” (%(key)s) is a gateway; it must be a step."),
    "self_reference": _l("The element refers to itself (%(key)s)."),
    "duplicate_lane": _l("The role “%(lane)s” is listed twice."),
    "duplicate_id": _l("The id “%(id)s” is used more than once."),
    "not_xlsx": _l("The file is not an Excel workbook the registry can read."),
    "old_xls": _l("The file is an old Excel workbook (.xls), which the registry cannot read."),
    "not_a_workbook": _l("The file is a zip archive, but not an Excel workbook."),
    "empty_table": _l("The table is empty."),
    "no_step_column": _l("No column names the steps (the registry looks for a heading such as “Steg” or “Aktivitet”)."),
    "duplicate_column": _l("The columns “%(first)s” and “%(second)s” mean the same thing."),
    "cell_without_header": _l("The cell “%(value)s” in column %(letter)s has no column name above it."),
    "step_without_name": _l("The step has no name."),
    "unknown_step_type": _l("“%(value)s” is not a step type the registry knows."),
    "ambiguous_name": _l("“%(name)s” is the name of more than one row (rows %(rows)s)."),
    "unknown_step": _l("“%(ref)s” is not the id or name of any step in the table."),
    "not_one_step": _l("“%(value)s” must name exactly one step."),
    "bad_days": _l("“%(value)s” is not a number of days (0 or more)."),
    "unknown_mode": _l("“%(value)s” is not a way of working the registry knows."),
    "too_many_activities": _l("The log has %(count)s different activities; the registry can find a process among at most %(limit)s."),
}

# How to fix it, in plain words; not every code has one.
_FIXES: dict[str, LazyString] = {
    "format_error": _l("Check the file, or export it again from the system it came from."),
    "empty_file": _l("Choose the right file, or export the process again."),
    "too_large": _l("Split the process into smaller sub-processes, or upload a shorter period of the log."),
    "unpacks_too_large": _l("Upload a shorter period or fewer cases; if it is a real spreadsheet, split it."),
    "encoding": _l("Save the file as UTF-8 (in Excel: “Save as” and “CSV UTF-8”)."),
    "nul_bytes": _l("Upload the process as text (CSV, BPMN, XES, YAML) or as an Excel workbook (.xlsx)."),
    "nested_too_deeply": _l("Check that it is a process file exported from the registry or from a modelling tool."),
    "unknown_format": _l("Upload a BPMN 2.0 file (.bpmn), a step table (CSV or Excel), an event log (XES or CSV) or a process file from the registry (YAML or JSON)."),
    "unknown_xml_root": _l("Upload BPMN 2.0 (<definitions>), PNML (<pnml>) or XES (<log>)."),
    "cannot_open": _l("Check the file and try again."),
    "no_such_file": _l("Check the file name."),
    "is_a_directory": _l("Choose a file."),
    "cannot_write": _l("Check that the folder exists and that you may write to it."),
    "unknown_format_name": _l("Choose one of these: %(choices)s."),
    "cannot_write_format": _l("Choose one of these: %(choices)s."),
    "unknown_output_extension": _l("End the name with one of %(choices)s, or name the format."),
    "option_not_for_format": _l("Leave it empty for this file."),
    "option_not_accepted": _l("Leave out the setting."),
    "stdout_needs_format": _l("Name the format with --to."),
    "not_a_drawing_format": _l("Use “convert” for other formats."),
    "xml_syntax": _l("Export the process again from the modelling tool, or open the file and look at the line given."),
    "xml_no_root": _l("Export the process again from the modelling tool."),
    "doctype": _l("Remove the line that starts with <!DOCTYPE and upload the file again."),
    "not_bpmn": _l("Export the process as BPMN 2.0 XML from the modelling tool."),
    "no_bpmn_process": _l("Export the process itself from the modelling tool, not only a collaboration or a diagram."),
    "invalid_extension": _l("Download the file from the registry again, or remove the kp: elements."),
    "invalid_element": _l("Give every step and gateway its own id."),
    "not_pnml": _l("Export the Petri net as PNML, or upload the process as BPMN."),
    "no_petri_net": _l("Export the Petri net as PNML, or upload the process as BPMN."),
    "missing_id": _l("Give every element an id."),
    "missing_attribute": _l("Export the file again from the modelling tool."),
    "reference_cycle": _l("Export the file again from the modelling tool."),
    "unknown_flow_end": _l("Correct the id in the flow, or add the missing step."),
    "arc_joins_same_kind": _l("Export the file again from the modelling tool."),
    "not_xes": _l("Export the event log as XES from the case-handling system, or as CSV with one row per event."),
    "no_cases": _l("Check that the log has one row per event, with a case, an activity and a time."),
    "damaged_compressed": _l("Pack the log again, or upload it unpacked."),
    "case_too_long": _l("A case usually has tens of events: check how the log was exported."),
    "missing_label_attribute": _l("Choose one of these as the attribute that names the steps."),
    "no_header_row": _l("Put the column names in the first row."),
    "missing_column": _l("Choose the right column from these, or leave the field empty to let the registry guess."),
    "column_not_found": _l("Choose the columns for the case, the activity and the time in the form."),
    "same_column": _l("Choose two different columns."),
    "too_few_cells": _l("Fill in the missing cells, or check the separator (comma or semicolon)."),
    "empty_cell": _l("Fill it in, or delete the row."),
    "bad_timestamp": _l("Write it as 2024-03-01 13:45 or 01.03.2024 13:45."),
    "csv_syntax": _l("Check the quote marks in that row."),
    "yaml_syntax": _l("Check the indentation and the punctuation at the line given."),
    "yaml_flow_syntax": _l("Put such text in quotes, for example label: \"Komplett?\""),
    "yaml_alias": _l("Write the value out where it is used."),
    "yaml_tag": _l("Remove the tag."),
    "yaml_key": _l("Write each key as plain text."),
    "json_syntax": _l("Check the commas, quote marks and brackets at the line given."),
    "duplicate_key": _l("Keep one of them."),
    "not_a_process": _l("A process file has “name:” and “steps:” with one “- id: …” per step."),
    "no_steps": _l("Add “steps:” with one “- id: …” per step."),
    "unknown_key": _l("The keys that can be used here are: %(allowed)s."),
    "value_required": _l("Fill in the value."),
    "expected_text": _l("Put the text in quotes."),
    "expected_number": _l("Write a number, for example 21 or 1.5."),
    "unknown_value": _l("The allowed values are: %(allowed)s."),
    "wrong_list": _l("Move it to that list."),
    "negative_number": _l("Write 0 or more."),
    "not_a_mapping": _l("Write for example “- {id: g1, kind: exclusive}”."),
    "flow_end_twice": _l("Keep one of them."),
    "flow_missing_end": _l("Write flows as “a -> b” or {from: a, to: b}."),
    "bad_flow": _l("Write flows as “a -> b” or {from: a, to: b}."),
    "label_not_id": _l("Write the id “%(id)s” instead."),
    "unknown_reference": _l("Correct the id, or add the missing step."),
    "reference_to_gateway": _l("Refer to a step instead."),
    "self_reference": _l("Refer to another step."),
    "duplicate_lane": _l("Keep one of them."),
    "duplicate_id": _l("Give every step and gateway its own id."),
    "not_xlsx": _l("Open it in Excel and save it again as .xlsx."),
    "old_xls": _l("Save it as .xlsx or CSV."),
    "not_a_workbook": _l("Save the spreadsheet as .xlsx."),
    "empty_table": _l("Fill in one row per step: Steg; Neste steg; Ansvarlig."),
    "no_step_column": _l("Put the column names in the first row: Steg; Neste steg; Ansvarlig; …"),
    "duplicate_column": _l("Remove or rename one of them."),
    "cell_without_header": _l("Give the column a heading, or delete the cell."),
    "step_without_name": _l("Fill in the step's name, or delete the row."),
    "unknown_step_type": _l("Write for example oppgave, start, slutt, delprosess or beslutning (a gateway)."),
    "ambiguous_name": _l("Write the id of the step you mean."),
    "unknown_step": _l("Write the id or the exact name of a step in this table."),
    "bad_days": _l("Write for example 21 or 1,5."),
    "unknown_mode": _l("Write manuell, papir, digital, automatisk or selvbetjening."),
    "too_many_activities": _l("Leave out rare activities, or upload a shorter period."),
}

# The gain inputs (processes.gains.GainError), as a saksbehandler would put it.
_GAIN_MESSAGES: dict[str, LazyString] = {
    "not_a_number": _l("A value for the gains is not a number."),
    "negative": _l("A value for the gains is less than 0."),
    "share_out_of_range": _l("A share must be between 0 and 1 (0 and 100 percent)."),
    "spread_order": _l("The low estimate must not be above the expected value, nor the expected value above the high estimate."),
    "not_positive": _l("A value for the gains must be more than 0."),
    "same_mode": _l("A saving from a change of working mode needs two different modes."),
    "duplicate_mode_saving": _l("The saving for the same change of working mode is given twice."),
    "duplicate_step": _l("A step has been given values twice."),
    "member_mismatch": _l("The values are for another municipality than the change plan."),
    "unknown_change": _l("A change to estimate is not one of the plan's changes."),
    "unknown_language": _l("Unknown language; use bokmål or English."),
}

# Parameter values that are English words in the engine (element kinds, column roles, keys).
_WORDS: dict[str, LazyString] = {
    "step": _l("step"),
    "gateway": _l("gateway"),
    "place": _l("place"),
    "transition": _l("transition"),
    "places": _l("places"),
    "transitions": _l("transitions"),
    "case": _l("the case"),
    "activity": _l("the activity"),
    "timestamp": _l("the time"),
    "lifecycle": _l("the lifecycle"),
    "parent": _l("parent step"),
    "attached_to": _l("attached to"),
}


class _Params(dict[str, str]):
    """Parameters for a sentence; one the error did not give reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "–"


# Codes whose "key" is the engine's name of a reference (parent, attached_to), not a key the user wrote.
_REFERENCE_CODES = frozenset({"unknown_reference", "reference_to_gateway", "self_reference"})


def _shown(key: str, value: object, *, words: bool) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        # Row, line and case numbers are names, not amounts: no thousands separator.
        return str(value) if key in ("row", "line", "case", "first_row", "first_line", "column") else format_number(value)
    text = str(value)
    word = _WORDS.get(text) if key in ("tag", "role", "what", "kind") or (key == "key" and words) else None
    return str(word) if word is not None else text


def _params(params: Mapping[str, object], code: str) -> _Params:
    words = code in _REFERENCE_CODES
    shown = {key: _shown(key, value, words=words) for key, value in params.items()}
    if code == "missing_label_attribute" and not params.get("keys"):
        shown["keys"] = _("none")  # the engine leaves the list empty when the events carry no attribute
    return _Params(shown)


def _where(error: FormatError, *, column: bool) -> str:
    """Line (or row), column and element in the user's language: «linje 12, elementet «Flow_1»»."""
    parts = []
    if error.line is not None:
        parts.append(_("line %(line)s", line=error.line))
    elif isinstance(error.params.get("row"), int):
        parts.append(_("row %(row)s", row=error.params["row"]))
    if column and error.params.get("column"):
        parts.append(_("column “%(column)s”", column=error.params["column"]))
    if error.element:
        parts.append(_("element “%(element)s”", element=error.element))
    return ", ".join(parts)


def _lead(error: FormatError, *, column: bool) -> str:
    where = _where(error, column=column)
    if error.source and where:
        return _("The file %(file)s could not be read (%(where)s).", file=error.source, where=where)
    if error.source:
        return _("The file %(file)s could not be read.", file=error.source)
    if where:
        return _("The file could not be read (%(where)s).", where=where)
    return _("The file could not be read.")


def _format_error_text(error: FormatError) -> str:
    params = _params(error.params, error.code)
    if error.code == "too_many_steps":
        return _(
            "%(file)s has %(count)s steps; a process may have at most %(limit)s. Split it into "
            "sub-processes (for example one per phase of the casework) and upload each of them "
            "as its own process type.",
            file=error.source or _("The file"),
            count=params["count"],
            limit=params["limit"],
        )
    if error.code == "object_centric_event_log":
        return _(
            "%(file)s looks like an object-centric event log (OCEL), not a step table: one row per "
            "event, with the columns %(event_id)s, %(activity)s and %(timestamp)s and the objects of "
            "each event in %(object_types)s. Flatten it to an event log for one object type (that "
            "object's id as the case column, beside the activity and the timestamp) and upload that, "
            "or fill in a step table.",
            file=error.source or _("The file"),
            event_id=params["event_id"],
            activity=params["activity"],
            timestamp=params["timestamp"],
            object_types=error.params.get("object_types") or "–",
        )
    message = _MESSAGES.get(error.code)
    if message is None:
        # A code the registry has no words for yet: a plain sentence for the user, the English for developers.
        logger.warning("engine error without wording, code %r: %s", error.code, error)
        message, fix = _MESSAGES["format_error"], _FIXES["format_error"]
    else:
        fix = _FIXES.get(error.code)
    # A step table's column is part of where, unless the sentence names it itself.
    sentences = [_lead(error, column="%(column)s" not in str(message)), str(message) % params]
    if fix is not None:
        sentences.append(str(fix) % params)
    suggestion = error.params.get("suggestion")
    if suggestion:
        sentences.append(_("Did you mean “%(suggestion)s”?", suggestion=suggestion))
    return " ".join(sentences)


def engine_error_text(error: BaseException) -> str:
    """The engine's error as sentences in the user's language: where, what is wrong, how to fix it.

    For a :class:`~processes.FormatError` (and its subclasses), a
    :class:`~processes.gains.GainError`, and any other engine error (a
    :class:`~processes.ModelError`, for example), which gets a general sentence.
    """
    if isinstance(error, FormatError):
        return _format_error_text(error)
    if isinstance(error, GainError):
        text = _GAIN_MESSAGES.get(error.code)
        if text is None:
            logger.warning("gain error without wording, code %r: %s", error.code, error)
            return _("The values for the gains could not be used.")
        sentence = str(text)
        step = error.params.get("step")
        return f"{sentence} {_('(step %(step)s)', step=step)}" if step else sentence
    if not isinstance(error, ProcessError):
        logger.warning("not an engine error, %s: %s", type(error).__name__, error)
    else:
        logger.warning("engine error without a code, %s: %s", type(error).__name__, error)
    return _("The registry could not work with the process. Try again, or tell the administrator if it happens again.")
