"""One exception hierarchy for the engine.

Every error the engine raises on bad input is a :class:`ProcessError`. Errors
about an input file are :class:`FormatError` (or a subclass): they carry the
file name, line and element so that a person can find and fix the problem.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

__all__ = [
    "FORMAT_ERROR_CODES",
    "FormatError",
    "InputTooLargeError",
    "ModelError",
    "ObjectCentricLogError",
    "ProcessError",
    "TooManyStepsError",
    "UnsupportedFormatError",
]


class ProcessError(Exception):
    """Base class of every error the engine raises on bad input."""


#: Every :attr:`FormatError.code` the engine raises, with its English template.
#:
#: The ``{names}`` are the keys of :attr:`FormatError.params` (a raise may leave
#: some out). An application words each code in its user's language from these
#: parameters plus ``source``, ``line`` and ``element``; the English ``str()``
#: of the error stays for programmers, logs and the command line.
FORMAT_ERROR_CODES: dict[str, str] = {
    # -- any file ----------------------------------------------------------------
    "format_error": "{message}",
    "empty_file": "the file is empty",
    "too_large": "the file is {size} bytes, more than the limit of {limit} bytes",
    "too_many_steps": "the process has {count} steps, more than the limit of {limit}",
    "unpacks_too_large": "the file unpacks to more than {limit} bytes",
    "encoding": "the file is not UTF-8 (or Windows-1252) text",
    "nul_bytes": "the file contains NUL bytes; it is not a text file",
    "nested_too_deeply": "the file is nested too deeply to be a process",
    "unknown_format": "the file is not in any process format I can read",
    "unknown_xml_root": "an XML file whose root element is <{root}> is not a process format I can read",
    "object_centric_event_log": "this looks like an object-centric event log (OCEL), not a step table",
    # -- files and the command line ---------------------------------------------
    "cannot_open": "cannot read the file: {detail}",
    "no_such_file": "no such file",
    "is_a_directory": "is a directory, not a file",
    "cannot_write": "cannot write the file: {detail}",
    "unknown_format_name": "unknown input format {format}; use one of: {choices}",
    "cannot_write_format": "cannot write the format {format}; use one of: {choices}",
    "unknown_output_extension": "cannot tell the output format from {filename}; use one of: {choices}",
    "option_not_for_format": "--label-attribute applies to event logs (XES, CSV), but this is a {format} file",
    "option_not_accepted": "--option not accepted for this file: {detail}",
    "option_syntax": "--option must look like KEY=VALUE, not {option}",
    "stdout_needs_format": "writing to stdout ('-') needs --to FORMAT",
    "not_a_drawing_format": "render draws svg, png, pdf or dot, not {format}",
    # -- XML (BPMN, PNML, XES) ---------------------------------------------------
    "xml_syntax": "the file is not well-formed XML: {detail}",
    "xml_no_root": "the file has no XML root element",
    "doctype": "the file declares a DOCTYPE; DTDs and entities are refused for safety",
    "not_bpmn": "this XML file is not BPMN 2.0: the root element is <{root}>, not <definitions>",
    "no_bpmn_process": "the BPMN file has no <process> element (it holds: {found})",
    "invalid_extension": "the kp: extension data is invalid: {detail}",
    "invalid_element": "the element cannot be added: {detail}",
    "not_pnml": "the root element is <{root}>, not <pnml>",
    "no_petri_net": "the PNML file contains no <net>",
    "missing_id": "a <{tag}> has no id",
    "missing_attribute": "a <{tag}> has no {attribute} attribute",
    "reference_cycle": "reference nodes refer to each other in a cycle",
    "unknown_flow_end": "the flow end {ref} is not the id of any step or gateway",
    "arc_joins_same_kind": "an arc connects two {kind} ({source} -> {target})",
    "not_xes": "the file is not an XES event log: the root element is <{root}>, not <log>",
    # -- event logs (XES, CSV) ---------------------------------------------------
    "no_cases": "the event log has no cases",
    "damaged_compressed": "the compressed log is damaged: {detail}",
    "case_too_long": "case {case} of the log has more than {limit} events",
    "missing_label_attribute": "no event has the attribute {attribute}; the events carry: {keys}",
    "no_header_row": "the file has no header row",
    "missing_column": "there is no column {column}; the columns are: {columns}",
    "column_not_found": "cannot tell which column is the {role}; the columns are: {columns}",
    "same_column": "the case and the activity must be different columns",
    "too_few_cells": "row {row} has {count} cells, fewer than the header's columns",
    "empty_cell": "row {row}, column {column}: the cell is empty",
    "bad_timestamp": "row {row}, column {column}: {value} is not a date and time I can read",
    "csv_syntax": "the CSV text is malformed: {detail}",
    # -- native YAML/JSON --------------------------------------------------------
    "yaml_syntax": "the file is not valid YAML: {detail}",
    "yaml_flow_syntax": "the file is not valid YAML: {detail}",
    "yaml_alias": "a value is reused with a YAML alias (*name); aliases are not supported",
    "yaml_tag": "the YAML tag {tag} is not supported",
    "yaml_key": "the key {key} is a list or mapping, has an unsupported YAML tag or is a merge key (<<)",
    "json_syntax": "the file is not valid JSON: {detail} (column {column})",
    "duplicate_key": "the key {key} appears twice in the same mapping",
    "not_a_process": "the file is not a process: expected a mapping with 'name:' and 'steps:'",
    "no_steps": "the file has no 'steps' list",
    "unknown_key": "{path}: unknown key {key} (allowed: {allowed})",
    "value_required": "{path}: a value is required here",
    "expected_text": "{path}: expected text, got {value}",
    "expected_mapping": "{path}: expected a mapping of names to {what}",
    "expected_number": "{path}: expected a number, got {value}",
    "expected_list": "{path}: expected a list (one '- ' item per line)",
    "unknown_value": "{path}: unknown value {value} (allowed: {allowed})",
    "wrong_list": "{path}: {value} belongs in the '{list}' list",
    "negative_number": "{path}: must not be negative",
    "not_a_mapping": "{path}: a {what} is a mapping",
    "flow_end_twice": "{path}: both '{key}' and '{alias}' are given",
    "flow_missing_end": "{path}: the flow has no '{key}'",
    "bad_flow": "{path}: {text} is not a flow 'a -> b'",
    "label_not_id": "{ref} is the label of step {id}, not an id",
    "unknown_reference": "{key} {ref} is not the id of any step",
    "reference_to_gateway": "{key} {ref} is a gateway; it must be a step",
    "self_reference": "{key}: the element refers to itself",
    "duplicate_lane": "the lane {lane} is listed twice",
    "duplicate_id": "the id {id} is used more than once",
    # -- step tables (CSV, XLSX) -------------------------------------------------
    "not_xlsx": "the file is not a valid XLSX workbook: {detail}",
    "old_xls": "the file is an old Excel .xls workbook, which is not supported",
    "not_a_workbook": "the file is a zip archive but not an Excel workbook (no xl/workbook.xml)",
    "empty_table": "the table is empty",
    "no_step_column": "no column names the steps (found {found})",
    "duplicate_column": "the columns {first} and {second} mean the same thing",
    "cell_without_header": "the cell {value} in column {letter} has no column name above it",
    "step_without_name": "row {row}: the step has no name",
    "unknown_step_type": "unknown step type {value}",
    "ambiguous_name": "{name} is the name of rows {rows}",
    "unknown_step": "{ref} is not the id or name of any step",
    "not_one_step": "{value} must name exactly one step",
    "bad_days": "{value} is not a number of days (0 or more)",
    "unknown_mode": "unknown mode {value}",
    # -- discovery ---------------------------------------------------------------
    "too_many_activities": "the log has {count} different activities; discovery handles at most {limit}",
}


class FormatError(ProcessError):
    """An input file could not be read as a process.

    Parameters
    ----------
    message
        What is wrong, in one English sentence (for programmers and the command line).
    code
        A stable name for what is wrong, a key of :data:`FORMAT_ERROR_CODES`
        (``"format_error"`` when none is given); applications word it.
    params
        The variable parts of the message (ids, column names, values, limits),
        the ``{names}`` of the code's template.
    source
        The file name (or another name for the input), if known.
    line
        The 1-based line number in the input, if known.
    element
        The id (or tag) of the offending element, if known.
    hint
        How to fix it, if there is something useful to say.

    Examples
    --------
    >>> error = FormatError(
    ...     "flow points to unknown step 'x'", code="unknown_flow_end", params={"ref": "x"},
    ...     source="a.bpmn", line=12, element="Flow_1",
    ... )
    >>> str(error)
    "a.bpmn, line 12, element 'Flow_1': flow points to unknown step 'x'"
    >>> error.code, error.params
    ('unknown_flow_end', {'ref': 'x'})
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "format_error",
        params: Mapping[str, str | int] | None = None,
        source: str | None = None,
        line: int | None = None,
        element: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.params: dict[str, str | int] = dict(params or {})
        self.source = source
        self.line = line
        self.element = element
        self.hint = hint
        super().__init__(str(self))

    def where(self) -> str:
        """Return "file, line N, element 'x'" for the parts that are known."""
        parts = []
        if self.source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.element:
            parts.append(f"element '{self.element}'")
        return ", ".join(parts)

    def with_source(self, source: str | None) -> FormatError:
        """Return the same error (type, code, params, line, element, hint) about ``source``."""
        again = copy.copy(self)  # through __reduce__, so subclasses keep their own arguments
        again.source = source
        again.args = (str(again),)
        return again

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Keep keyword arguments when pickled (e.g. across process pools).
        return (
            _rebuild,
            (type(self), self.message, self.source, self.line, self.element, self.hint, self.code, self.params),
        )


def _rebuild(
    cls: type[FormatError],
    message: str,
    source: str | None,
    line: int | None,
    element: str | None,
    hint: str | None,
    code: str = "format_error",
    params: Mapping[str, str | int] | None = None,
) -> FormatError:
    return cls(message, code=code, params=params, source=source, line=line, element=element, hint=hint)


class UnsupportedFormatError(FormatError):
    """The input is not in any format the engine can read."""


class InputTooLargeError(FormatError):
    """The input is larger than the configured limit."""


class TooManyStepsError(InputTooLargeError):
    """The process has more steps than the caller allows (``max_steps``).

    Carries ``code`` ``"too_many_steps"`` and ``params`` (``count``, ``limit``), so that
    an application can word the message in its user's language.

    Examples
    --------
    >>> error = TooManyStepsError(2500, 2000, source="stor.bpmn")
    >>> str(error)
    'stor.bpmn: the process has 2,500 steps, more than the limit of 2,000 (split it into sub-processes)'
    >>> error.code, error.params
    ('too_many_steps', {'count': 2500, 'limit': 2000})
    """

    code = "too_many_steps"

    def __init__(self, count: int, limit: int, *, source: str | None = None) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"the process has {count:,} steps, more than the limit of {limit:,}",
            code="too_many_steps",
            params={"count": count, "limit": limit},
            source=source,
            hint="split it into sub-processes",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.count, self.limit), {"source": self.source})


class ObjectCentricLogError(UnsupportedFormatError):
    """A table is an object-centric event log (OCEL), not a step table or a case-centric log.

    One row per event, with an event id, an activity, a timestamp and the objects
    (orders, items, ...) each event touches, but no single case per event. Carries
    ``code`` ``"object_centric_event_log"`` and ``params``: the ``event_id``,
    ``activity`` and ``timestamp`` column names and ``object_types`` (the object
    columns, comma-separated), so that an application can word the message.

    Examples
    --------
    >>> error = ObjectCentricLogError("ocel:eid", "ocel:activity", "ocel:timestamp", ["ocel:type:order"], source="o.csv")
    >>> error.code, error.params["object_types"]
    ('object_centric_event_log', 'ocel:type:order')
    >>> print(str(error).split(": ", 1)[1].split(";")[0])
    this looks like an object-centric event log (OCEL), not a step table
    """

    code = "object_centric_event_log"

    def __init__(
        self,
        event_id: str,
        activity: str,
        timestamp: str,
        object_types: list[str],
        *,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        self.event_id = event_id
        self.activity = activity
        self.timestamp = timestamp
        self.object_types = list(object_types)
        objects = ", ".join(repr(t) for t in self.object_types)
        super().__init__(
            "this looks like an object-centric event log (OCEL), not a step table; "
            f"one row per event: event id {event_id!r}, activity {activity!r}, timestamp {timestamp!r}"
            + (f" and the objects of each event in {objects}" if objects else ""),
            code="object_centric_event_log",
            params={
                "event_id": event_id,
                "activity": activity,
                "timestamp": timestamp,
                "object_types": ", ".join(self.object_types),
            },
            source=source,
            line=line,
            hint=(
                "to import it, flatten it to an event log for one object type, with that object's id "
                "as the case column beside the activity and the timestamp, and upload that; or fill in "
                "a step table: Steg; Neste steg; Ansvarlig"
            ),
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            type(self),
            (self.event_id, self.activity, self.timestamp, self.object_types),
            {"source": self.source, "line": self.line},
        )


class ModelError(ProcessError):
    """A process graph was built or changed inconsistently (e.g. a duplicate id)."""
