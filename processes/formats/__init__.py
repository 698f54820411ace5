"""Reading and writing processes in every supported format.

Contract (every format module follows it):

- ``read_<fmt>(data: bytes, *, source: str | None = None, **options) -> Process``
  raises :class:`processes.exceptions.FormatError` (or a subclass) on bad
  input, naming file, line/element and what is wrong; never anything else.
- ``write_<fmt>(process: Process, **options) -> bytes`` for writable formats.

:func:`read_process` detects the format by content (the file name is only a
tie-breaker) and dispatches; :func:`write_process` picks the writer by name.
Format modules are imported when first used, so reading YAML does not load
the BPMN writer or Graphviz.

Examples
--------
>>> p = read_process(b"steps: [a, b]\\nflows: [a -> b]", filename="p.yaml")
>>> detect_format(b"steps: [a, b]")
'native'
>>> write_process(p, "json")[:14]
b'{\\n  "id": "pro'
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast

from processes.exceptions import FormatError, TooManyStepsError, UnsupportedFormatError
from processes.formats._xml import DEFAULT_MAX_BYTES, check_size
from processes.model import Process

__all__ = [
    "FORMATS",
    "FormatInfo",
    "detect_format",
    "read_process",
    "write_format_for",
    "write_process",
]


@dataclass(frozen=True)
class FormatInfo:
    """One entry of :data:`FORMATS`.

    ``name`` is what :func:`detect_format` returns and :func:`read_process`
    accepts as ``format``; ``write_as`` lists the names :func:`write_process`
    accepts for it (e.g. ``yaml`` and ``json`` for the native format).
    """

    name: str
    extensions: tuple[str, ...]
    readable: bool
    writable: bool
    description: str
    write_as: tuple[str, ...] = ()


#: Every format the engine knows, readable or writable.
FORMATS: tuple[FormatInfo, ...] = (
    FormatInfo(
        "bpmn",
        (".bpmn", ".bpmn2", ".xml"),
        True,
        True,
        "BPMN 2.0 XML (with diagram layout when written)",
        ("bpmn",),
    ),
    FormatInfo("pnml", (".pnml",), True, False, "Petri net (PNML, e.g. from WoPeD or ProM)"),
    FormatInfo("xes", (".xes",), True, False, "Event log (XES); the step graph is discovered"),
    FormatInfo(
        "eventlog_csv", (".csv",), True, False, "Event log as CSV (case, activity, timestamp columns)"
    ),
    FormatInfo(
        "native", (".yaml", ".yml", ".json"), True, True, "Native YAML/JSON process format", ("yaml", "json")
    ),
    FormatInfo(
        "tabular",
        (".csv", ".xlsx"),
        True,
        True,
        "Spreadsheet: one row per step with its next steps",
        ("csv", "xlsx"),
    ),
    FormatInfo("dot", (".dot", ".gv"), False, True, "Graphviz DOT source", ("dot",)),
    FormatInfo("svg", (".svg",), False, True, "Drawing (SVG)", ("svg",)),
    FormatInfo("png", (".png",), False, True, "Drawing (PNG)", ("png",)),
    FormatInfo("pdf", (".pdf",), False, True, "Drawing (PDF)", ("pdf",)),
)

_READABLE = tuple(f.name for f in FORMATS if f.readable)
_WRITE_NAMES = tuple(name for f in FORMATS for name in f.write_as)
_WRITE_EXTENSIONS = {
    ".bpmn": "bpmn",
    ".bpmn2": "bpmn",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
}

_XML_ROOT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_NATIVE_KEY = re.compile(r"^(steps|flows|gateways|lanes)\s*:", re.MULTILINE)
_ZIP_MAGIC = b"PK\x03\x04"


def _extension(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


def _by_extension(filename: str | None) -> str | None:
    ext = _extension(filename)
    for name in ("bpmn", "pnml", "xes", "native", "tabular"):
        info = next(f for f in FORMATS if f.name == name)
        if ext in info.extensions:
            return name
    return None


def _text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_header(text: str) -> list[str] | None:
    lines = text.lstrip("\r\n").splitlines()[:2]
    separator = re.fullmatch(r"sep=(.)", lines[0]) if lines else None
    if separator:
        lines = lines[1:]  # Excel's "sep=;" line names the separator
    if not lines:
        return None
    line = lines[0]
    delimiter = separator.group(1) if separator else max(";,\t", key=line.count)
    if line.count(delimiter) == 0:
        return [line.strip()] if line.strip() else None
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Return the format of ``data``: judged by its content, the file name only breaks ties.

    Returns one of ``"bpmn"``, ``"pnml"``, ``"xes"``, ``"native"``,
    ``"tabular"`` (a step table, CSV or XLSX) and ``"eventlog_csv"``.

    Raises
    ------
    UnsupportedFormatError
        The content matches no format and the extension does not help.

    Examples
    --------
    >>> detect_format(b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="x"/>')
    'bpmn'
    >>> detect_format("Steg;Neste steg\\nSøknad mottatt;Vurdere".encode("cp1252"))
    'tabular'
    >>> detect_format(b"case;activity;timestamp\\n1;A;2024-01-01")
    'eventlog_csv'
    """
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((_ZIP_MAGIC, b"\xd0\xcf\x11\xe0")):
        return "tabular"  # XLSX, or an old .xls that the table reader explains
    if head.startswith(b"\x1f\x8b"):
        return "xes"  # gzip: the one compressed format (.xes.gz) we read
    if head.startswith(b"<"):
        match = _XML_ROOT.search(head)
        root = match.group(1).decode("ascii", "replace").lower() if match else ""
        if root == "definitions":
            return "bpmn"
        if root == "pnml":
            return "pnml"
        if root == "log":
            return "xes"
        by_name = _by_extension(filename)
        if by_name in ("bpmn", "pnml", "xes"):
            return by_name  # let that reader say precisely what is wrong
        raise UnsupportedFormatError(
            f"an XML file whose root element is <{root or '?'}> is not a process format I can read",
            code="unknown_xml_root",
            params={"root": root or "?"},
            source=filename,
            hint="expected BPMN (<definitions>), PNML (<pnml>) or XES (<log>)",
        )
    text = _text(head)
    if text.startswith("{") or _NATIVE_KEY.search(text):
        return "native"
    header = _csv_header(text)
    if header:
        from processes.formats.eventlog import looks_like_eventlog_header
        from processes.formats.tabular import looks_like_step_table_header

        if looks_like_step_table_header(header):
            return "tabular"
        if looks_like_eventlog_header(header):
            return "eventlog_csv"
    by_name = _by_extension(filename)
    if by_name is not None:
        return by_name
    raise UnsupportedFormatError(
        "the file is not in any process format I can read",
        code="unknown_format",
        source=filename,
        hint="supported: BPMN, PNML, XES, event-log CSV, native YAML/JSON, step tables (CSV/XLSX)",
    )


def _reader(fmt: str) -> Callable[..., Process]:
    # Imported here so that each format's dependencies load only when used.
    if fmt == "bpmn":
        from processes.formats.bpmn import read_bpmn

        return cast("Callable[..., Process]", read_bpmn)
    if fmt == "pnml":
        from processes.formats.pnml import read_pnml

        return cast("Callable[..., Process]", read_pnml)
    if fmt == "xes":
        from processes.formats.eventlog import read_xes

        return read_xes
    if fmt == "eventlog_csv":
        from processes.formats.eventlog import read_eventlog_csv

        return read_eventlog_csv
    if fmt == "native":
        from processes.formats.native import read_native

        return read_native
    if fmt == "tabular":
        from processes.formats.tabular import read_tabular

        return read_tabular
    raise UnsupportedFormatError(
        f"unknown input format {fmt!r}",
        code="unknown_format_name",
        params={"format": fmt, "choices": ", ".join(_READABLE)},
        hint="use one of: " + ", ".join(_READABLE),
    )


def read_process(
    data: bytes,
    *,
    filename: str | None = None,
    format: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_steps: int | None = None,
    **options: Any,
) -> Process:
    """Read a process from ``data`` in any readable format.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        Used in error messages and as a tie-breaker for detection.
    format
        Skip detection and read as this format (a name from :data:`FORMATS`).
    max_bytes
        Refuse larger input (``None``: no limit).
    max_steps
        Refuse a process with more steps (``None``: no limit). Comparing and
        drawing grow with the number of steps, so an application that does
        both per request should set one (the registry allows 2,000).
    **options
        Passed to the reader, e.g. ``label_attribute="activityNameEN"`` for
        XES or ``case_column="sak"`` for event-log CSV.

    Raises
    ------
    FormatError
        The input cannot be read; the message names file, line/element and
        what is wrong. :class:`UnsupportedFormatError` and
        :class:`InputTooLargeError` are subclasses.
    TooManyStepsError
        The process has more than ``max_steps`` steps (an
        :class:`InputTooLargeError`).

    Examples
    --------
    >>> read_process(b"steps: [a, b, c]\\nflows: [a -> b -> c]", max_steps=2)
    Traceback (most recent call last):
    ...
    processes.exceptions.TooManyStepsError: the process has 3 steps, more than the limit of 2 (split it into sub-processes)
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    check_size(data, max_bytes=max_bytes, source=filename)
    if not data.strip():
        raise FormatError("the file is empty", code="empty_file", source=filename)
    fmt = format or detect_format(data, filename)
    reader = _reader(fmt)
    process = reader(data, source=filename, max_bytes=max_bytes, **options)
    if max_steps is not None and len(process.steps) > max_steps:
        raise TooManyStepsError(len(process.steps), max_steps, source=filename)
    return process


def write_process(process: Process, fmt: str, **options: Any) -> bytes:
    """Write ``process`` as ``fmt``: yaml, json, bpmn, csv, xlsx, dot, svg, png or pdf.

    Options go to the writer (e.g. ``layout=False`` for BPMN, styles for
    the drawing formats).

    Raises
    ------
    UnsupportedFormatError
        ``fmt`` is not a writable format.

    Examples
    --------
    >>> from processes.model import Step
    >>> p = Process("p")
    >>> p.add_step(Step("a", "Søknad"))
    >>> write_process(p, "yaml").decode()
    'id: p\\nsteps:\\n  - id: a\\n    label: Søknad\\nflows: []\\n'
    """
    name = fmt.lower().lstrip(".")
    if name in ("yaml", "yml", "json"):
        from processes.formats.native import write_native

        return write_native(process, format="json" if name == "json" else "yaml", **options)
    if name in ("csv", "xlsx"):
        from processes.formats.tabular import write_tabular

        return write_tabular(process, format=name, **options)  # type: ignore[arg-type]
    if name == "bpmn":
        from processes.formats.bpmn import write_bpmn

        return write_bpmn(process, **options)
    if name in ("dot", "svg", "png", "pdf"):
        from processes.render import render

        result: bytes = cast("Any", render)(process, name, **options)
        return result
    raise UnsupportedFormatError(
        f"cannot write the format {fmt!r}",
        code="cannot_write_format",
        params={"format": fmt, "choices": ", ".join(_WRITE_NAMES)},
        hint="use one of: " + ", ".join(_WRITE_NAMES),
    )


def write_format_for(filename: str) -> str:
    """Return the :func:`write_process` format for an output file name.

    Examples
    --------
    >>> write_format_for("byggesak.SVG")
    'svg'
    """
    ext = _extension(filename)
    if ext in _WRITE_EXTENSIONS:
        return _WRITE_EXTENSIONS[ext]
    raise UnsupportedFormatError(
        f"cannot tell the output format from {filename!r}",
        code="unknown_output_extension",
        params={"filename": filename, "choices": ", ".join(sorted(_WRITE_EXTENSIONS))},
        hint="use one of the extensions " + ", ".join(sorted(_WRITE_EXTENSIONS)) + " or name the format",
    )
