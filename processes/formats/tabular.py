"""Step tables: a process as a spreadsheet with one row per step (CSV or XLSX).

This is how a process owner writes a process down in Excel::

    ID;Steg;Neste steg;Ansvarlig;Modus;System;Hjemmel;Saksbehandlingstid (dager)
    1;Søknad mottatt;2;Servicetorget;digital;;;
    2;Vurdere søknaden;Ja: 3, Nei: 4;Byggesak;manuell;Elements;pbl. § 21-3;3
    3;Fatte vedtak;;Byggesak;;;pbl. § 21-7;21
    4;Sende mangelbrev;2;Byggesak;;;;

Rules (see also docs/formats.md, section "Spreadsheets (step tables)"):

- **Headers** are recognised in bokmål or English, ignoring case, spaces and
  a trailing unit in parentheses: see :data:`COLUMNS`. Only a step-name
  column is required. Columns with other headers are kept as step
  attributes (header -> cell text), so no data is lost.
- **Ids**: the id column, if any; otherwise an id is made from the step name
  (``Fatte vedtak`` -> ``fatte-vedtak``; ``-2``, ``-3``... for repeated names), so
  ids stay the same when rows are inserted.
- **Next steps** name other rows by id or by step name, separated by new
  lines, ``;`` or ``,``. ``Ja: 3`` is a flow to 3 with the condition "Ja".
  Without a next-steps column the rows follow each other in order.
- **Gateways** are rows whose type is a gateway kind (``exclusive gateway``,
  ``parallel gateway``, ``beslutning``, ``xor``...). A task with several next
  steps is kept as is (several flows out of one step), not given an
  invented gateway.
- **CSV** as Norwegian Excel writes it: ``;``, ``,`` or tab (sniffed from the
  header), UTF-8 with or without BOM, Windows-1252, or UTF-16 with BOM;
  quoted cells may span lines. Rows count as Excel shows them (header = 1).
- **XLSX**: the first sheet, or the first whose name contains "prosess" /
  "process". The header may follow a few title rows; a lone text above the
  header becomes the process name. Zip bombs and non-Excel zips are refused.

What a table carries: step id, label, kind, lane, mode, system, legal
basis, handling days, documentation, parent, attached-to, attributes, the
party (pool) of a collaboration, flows with conditions, and messages to
another party ("Meldinger til": ``Søknad: 7``, the message's name and the
receiving step); gateways with kind, label, lane and parent. It does
not carry the process id/name/metadata, lanes without steps, flow ids or
metrics, step metrics, or surrounding spaces in texts (cells are stripped).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

from processes.exceptions import FormatError, InputTooLargeError, ObjectCentricLogError
from processes.formats._xml import DEFAULT_MAX_BYTES, check_size
from processes.formats.spreadsheet import unneutralise, write_csv
from processes.model import (
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Step,
    StepKind,
)

__all__ = [
    "COLUMNS",
    "MAX_XLSX_UNCOMPRESSED",
    "looks_like_step_table_header",
    "read_tabular",
    "write_tabular",
]

#: Recognised headers per field (compared after lower-casing, collapsing
#: spaces and removing a trailing "(...)"). The first name is what the
#: writer uses in bokmål, the second in English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "id", "nr", "nr.", "nummer", "steg-id", "stegnr", "step id", "#"),
    "label": (
        "steg",
        "step",
        "stegnavn",
        "step name",
        "navn",
        "name",
        "aktivitet",
        "activity",
        "oppgave",
        "task",
        "label",
    ),
    "kind": ("type", "kind", "stegtype", "step type"),
    "next": (
        "neste steg",
        "next steps",
        "neste",
        "next",
        "next step",
        "går til",
        "videre til",
        "etterfølgere",
    ),
    "lane": ("ansvarlig", "lane", "rolle", "role", "bane", "avdeling", "enhet", "responsible", "department"),
    "mode": ("modus", "mode", "arbeidsform", "utførelse"),
    "system": ("system", "system", "fagsystem", "it-system", "systems"),
    "legal_basis": ("hjemmel", "legal basis", "lovhjemmel", "rettsgrunnlag", "legal_basis"),
    "handling_days": (
        "saksbehandlingstid",
        "handling days",
        "saksbehandlingstid dager",
        "frist",
        "dager",
        "handling time",
        "days",
        "handling_days",
    ),
    "documentation": (
        "beskrivelse",
        "documentation",
        "dokumentasjon",
        "description",
        "merknad",
        "kommentar",
        "notes",
    ),
    "parent": ("delprosess", "parent", "inngår i", "sub-process", "subprocess"),
    "attached_to": ("festet til", "attached to", "attached_to"),
    "pool": ("part", "pool", "aktør", "participant", "deltaker"),
    "messages": ("meldinger til", "messages to", "sender melding til", "message to", "meldinger", "messages"),
}

_HEADER_LOOKUP = {name: key for key, names in COLUMNS.items() for name in names}
_WRITE_ORDER = (
    "id",
    "label",
    "kind",
    "next",
    "messages",
    "pool",
    "lane",
    "mode",
    "system",
    "legal_basis",
    "handling_days",
    "documentation",
    "parent",
    "attached_to",
)
_UNITS = {"nb": {"handling_days": "Saksbehandlingstid (dager)"}, "en": {"handling_days": "Handling days"}}

#: Refuse XLSX files whose parts unpack to more than this (bytes): a zip-bomb guard.
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
_MAX_RATIO = 200  # real sheets compress 5-30x; bombs compress 1000x and more

_STEP_KIND_WORDS: dict[str, str] = {
    "oppgave": "task",
    "aktivitet": "task",
    "brukeroppgave": "user_task",
    "manuell oppgave": "manual_task",
    "tjeneste": "service_task",
    "tjenesteoppgave": "service_task",
    "systemoppgave": "service_task",
    "sende": "send_task",
    "motta": "receive_task",
    "delprosess": "subprocess",
    "sub-process": "subprocess",
    "sub process": "subprocess",
    "start": "start_event",
    "starthendelse": "start_event",
    "slutt": "end_event",
    "end": "end_event",
    "slutthendelse": "end_event",
    "hendelse": "intermediate_event",
    "mellomhendelse": "intermediate_event",
    "grensehendelse": "boundary_event",
    # The words the registry itself writes in step lists (processes.render.kind_name), so that a
    # table copied from the registry reads back.
    "oppgave for saksbehandler": "user_task",
    "automatisk (systemet gjør det)": "service_task",
    "automatisk (skript)": "script_task",
    "regelstyrt vurdering": "business_rule_task",
    "sende melding": "send_task",
    "vente på melding": "receive_task",
    "egen prosess som brukes her": "call_activity",
    "hendelse underveis": "intermediate_event",
    "hendelse mens et steg pågår": "boundary_event",
    "task for a case officer": "user_task",
    "automatic (done by a system)": "service_task",
    "automatic (script)": "script_task",
    "rule-based decision": "business_rule_task",
    "send a message": "send_task",
    "wait for a message": "receive_task",
    "another process used here": "call_activity",
    "event on the way": "intermediate_event",
    "event during a step": "boundary_event",
}
_GATEWAY_WORDS: dict[str, str] = {
    # The registry's own words (processes.render.kind_name), as above.
    "valg: én vei": "exclusive",
    "samtidig: alle veier": "parallel",
    "valg: én eller flere veier": "inclusive",
    "venter på det som skjer først": "event_based",
    "sammensatt valg": "complex",
    "choice: one way": "exclusive",
    "at the same time: all ways": "parallel",
    "choice: one or more ways": "inclusive",
    "waits for what happens first": "event_based",
    "complex choice": "complex",
    "gateway": "exclusive",
    "port": "exclusive",
    "beslutning": "exclusive",
    "valg": "exclusive",
    "xor": "exclusive",
    "exclusive": "exclusive",
    "eksklusiv": "exclusive",
    "and": "parallel",
    "parallel": "parallel",
    "parallell": "parallel",
    "or": "inclusive",
    "inclusive": "inclusive",
    "inkluderende": "inclusive",
    "event based": "event_based",
    "event_based": "event_based",
    "hendelsesbasert": "event_based",
    "complex": "complex",
    "kompleks": "complex",
}
_MODE_WORDS: dict[str, str] = {
    "manuell": "manual",
    "papir": "paper",
    "digitalt": "digital",
    "automatisk": "automated",
    "automatisert": "automated",
    "auto": "automated",
    "selvbetjening": "self_service",
    "self service": "self_service",
    "self-service": "self_service",
}


def _without_final_note(text: str) -> str:
    """``text`` without a final parenthesised note and the white space before it.

    Plain string search, not ``\\s*\\([^)]*\\)\\s*$``: tried at every position,
    that pattern backtracks quadratically on long runs of spaces or opening
    parentheses (DESIGN.md, habit 15).

    >>> _without_final_note("Behandlingstid (dager) ")
    'Behandlingstid'
    >>> _without_final_note("Frist (a) (b)")
    'Frist (a)'
    """
    body = text.rstrip()
    if not body.endswith(")"):
        return text
    previous = body.rfind(")", 0, len(body) - 1)
    opening = body.find("(", previous + 1, len(body) - 1)
    return text if opening < 0 else body[:opening].rstrip()


def _normal_header(text: str) -> str:
    text = _without_final_note(str(text)).strip().rstrip(":").strip()
    return re.sub(r"\s+", " ", text).lower()


# Columns of an object-centric event log (OCEL 1.0/2.0 CSV exports use the "ocel:"
# prefix; hand-made ones name the event id, activity and timestamp and give each
# object type a column of its own).
_OCEL_PREFIXES = ("ocel:", "ocel_")
_OCEL_ROLES: dict[str, frozenset[str]] = {
    "event_id": frozenset({"eid", "event id", "event_id", "eventid", "event-id", "hendelse-id", "hendelses-id"}),
    "activity": frozenset({"activity", "activity name", "event activity", "concept:name", "aktivitet"}),
    "timestamp": frozenset({"timestamp", "time", "time:timestamp", "event timestamp", "tidspunkt"}),
}
_OCEL_OBJECT_PREFIXES = ("ocel:type:", "ocel_type:", "ocel:type_", "ocel_type_")
_EVENT_ATTRIBUTES = frozenset({"resource", "org:resource", "lifecycle:transition", "cost", "ocel:vmap"})


def _object_centric_columns(texts: Sequence[str]) -> tuple[str, str, str, list[str]] | None:
    """(event id, activity, timestamp, object columns) if a header row is an OCEL's, else None.

    >>> _object_centric_columns(["ocel:eid", "ocel:activity", "ocel:timestamp", "ocel:type:order"])
    ('ocel:eid', 'ocel:activity', 'ocel:timestamp', ['ocel:type:order'])
    >>> _object_centric_columns(["Event ID", "Activity", "Timestamp", "Order", "Item"])
    ('Event ID', 'Activity', 'Timestamp', ['Order', 'Item'])
    >>> _object_centric_columns(["Case ID", "Event ID", "Activity", "Timestamp", "Order"]) is None  # one case per event
    True
    """
    from processes.formats.eventlog import CSV_COLUMN_GUESSES

    roles: dict[str, str] = {}
    objects: list[str] = []
    others: list[str] = []
    prefixed = False
    for text in texts:
        name = _normal_header(text)
        if not name:
            continue
        bare = name
        for prefix in _OCEL_PREFIXES:
            if name.startswith(prefix):
                prefixed, bare = True, name[len(prefix) :]
                break
        role = next((r for r, names in _OCEL_ROLES.items() if bare in names), None)
        if role is None and prefixed and bare == "id":
            role = "event_id"
        if role is not None and role not in roles:
            roles[role] = text
        elif name.startswith(_OCEL_OBJECT_PREFIXES) or name == "ocel:omap":
            objects.append(text)
        elif name in CSV_COLUMN_GUESSES["case"]:
            return None  # a case-centric event log: each event belongs to one case
        elif name not in _EVENT_ATTRIBUTES:
            others.append(text)
    if len(roles) < 3:
        return None
    if not prefixed and not objects:
        objects = others  # hand-made: every other column names an object type
    if not (prefixed or objects):
        return None
    return roles["event_id"], roles["activity"], roles["timestamp"], objects


def looks_like_step_table_header(cells: Sequence[object]) -> bool:
    """True if a header row names a step column and a next-steps or lane column.

    >>> looks_like_step_table_header(["Steg", "Neste steg", "Ansvarlig"])
    True
    >>> looks_like_step_table_header(["case", "activity", "timestamp"])
    False
    """
    found = {_HEADER_LOOKUP.get(_normal_header(str(c))) for c in cells if c is not None}
    return "label" in found and bool(found & {"next", "lane", "kind", "mode", "legal_basis", "handling_days"})


# --------------------------------------------------------------------------
# Getting rows out of CSV or XLSX
# --------------------------------------------------------------------------


@dataclass
class _Table:
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    title: str | None = None
    sheet: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _decode_csv(data: bytes, source: str | None) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FormatError("the file starts like UTF-16 text but is not", code="encoding", source=source) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x})",
            code="encoding",
            params={"byte": f"0x{data[exc.start]:02x}"},
            source=source,
            line=line,
            hint="save it from Excel as 'CSV UTF-8'",
        ) from None


def _sniff_delimiter(text: str) -> str:
    start = len(text) - len(text.lstrip("\r\n")) if text[:1] in ("\r", "\n") else 0
    end = text.find("\n", start)
    header = text[start:] if end < 0 else text[start:end]
    # Count separators outside quotes in the header line only: data cells
    # often contain commas ("Ja: 3, Nei: 4") but headers rarely do.
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_rows(data: bytes, source: str | None) -> _Table:
    text = _decode_csv(data, source)
    if "\x00" in text:
        raise FormatError("the file contains NUL bytes; it is not a CSV text file", code="nul_bytes", source=source)
    # Excel writes and honours a first line "sep=;" naming the separator; it is not a row.
    hint = re.match(r"sep=(.)\r?\n", text)
    if hint:
        text = text[hint.end() :]
    delimiter = hint.group(1) if hint else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for record in reader:
            rows.append((reader.line_num, [unneutralise(cell) for cell in record]))
    except csv.Error as exc:
        raise FormatError(
            f"the CSV text is malformed: {exc}",
            code="csv_syntax",
            params={"detail": str(exc)},
            source=source,
            line=reader.line_num or None,
            hint="check the quotes in that row",
        ) from None
    # Report spreadsheet rows (records), not physical lines, like Excel does.
    return _Table([(i + 1, cells) for i, (_, cells) in enumerate(rows)])


def _check_zip(data: bytes, source: str | None, max_uncompressed: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise FormatError(
            f"the file is not a valid XLSX (zip) file: {exc}", code="not_xlsx", params={"detail": str(exc)},
            source=source,
        ) from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names and not any(n.lower() == "xl/workbook.xml" for n in names):
            raise FormatError(
                "the file is a zip archive but not an Excel workbook (no xl/workbook.xml)",
                code="not_a_workbook",
                source=source,
                hint="save the spreadsheet as .xlsx",
            )
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > max_uncompressed or (info.file_size > 1_000_000 and ratio > _MAX_RATIO):
                raise InputTooLargeError(
                    f"the workbook unpacks to more than it should ({info.filename}: "
                    f"{info.file_size:,} bytes from {info.compress_size:,})",
                    code="unpacks_too_large",
                    params={"limit": max_uncompressed, "member": info.filename, "size": info.file_size},
                    source=source,
                    hint="this looks like a zip bomb; if it is a real sheet, split it",
                )


def _sheet_rows(sheet: Any) -> list[tuple[int, list[Any]]]:
    # Sheets formatted down to row 1,048,576 are common: keep only rows with
    # content (with their Excel row numbers), so blank tails cost no memory.
    return [
        (number, list(values))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        if any(v is not None and str(v).strip() for v in values)
    ]


def _xlsx_rows(data: bytes, source: str | None, max_uncompressed: int) -> _Table:
    _check_zip(data, source, max_uncompressed)
    import openpyxl  # lazily: only spreadsheets need it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = workbook.worksheets
                if not sheets:
                    raise FormatError("the workbook has no sheets", code="empty_table", source=source)
                chosen = next(
                    (s for s in sheets if re.search(r"prosess|process", s.title, re.IGNORECASE)), sheets[0]
                )
                rows = _sheet_rows(chosen)
                title = chosen.title
            finally:
                workbook.close()
    except FormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types (KeyError, XML errors...) on broken files
        raise FormatError(
            f"the workbook cannot be read: {type(exc).__name__}: {exc}",
            code="not_xlsx",
            params={"detail": f"{type(exc).__name__}: {exc}"},
            source=source,
            hint="open it in Excel and save it again as .xlsx",
        ) from None
    return _Table(rows, sheet=title)


# --------------------------------------------------------------------------
# From rows to a Process
# --------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    """Excel's name for the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _slug(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class _Row:
    number: int
    id: str
    label: str
    kind: str | None
    gateway: str | None
    cells: dict[str, str]
    raw_days: Any
    attributes: dict[str, str]


class _TableReader:
    def __init__(self, table: _Table, source: str | None) -> None:
        self.table = table
        self.source = source
        self.header_names: dict[str, str] = {}
        self.longest_reference = 0

    def error(
        self,
        row: int | None,
        column: str | None,
        message: str,
        hint: str | None = None,
        *,
        code: str,
        params: Mapping[str, str | int] | None = None,
    ) -> FormatError:
        where = []
        values: dict[str, str | int] = {}
        if row is not None:
            where.append(f"row {row}")
            values["row"] = row
        if column is not None:
            where.append(f"column {self.header_names.get(column, column)!r}")
            values["column"] = self.header_names.get(column, column)
        values.update(params or {})
        prefix = ", ".join(where)
        return FormatError(
            f"{prefix}: {message}" if prefix else message, code=code, params=values, source=self.source, hint=hint
        )

    def find_header(self) -> tuple[int, int, dict[int, str], list[str]]:
        """Return (index in rows, row number, {column: field or attribute name}, title lines)."""
        titles: list[str] = []
        for index, (number, cells) in enumerate(self.table.rows[:20]):
            texts = [_cell_text(c) for c in cells]
            ocel = _object_centric_columns(texts)
            if ocel is not None:
                # Before the step columns: "Activity" alone would read every event as a step.
                raise ObjectCentricLogError(*ocel, source=self.source, line=number)
            fields = [_HEADER_LOOKUP.get(_normal_header(t)) for t in texts]
            if "label" in fields:
                columns: dict[int, str] = {}
                seen: dict[str, int] = {}
                for col, (text, fld) in enumerate(zip(texts, fields, strict=True)):
                    if not text:
                        continue
                    name = fld or f"attr:{text}"
                    if name in seen:
                        raise self.error(
                            number,
                            None,
                            f"the columns {texts[seen[name]]!r} and {text!r} mean the same thing",
                            hint="remove or rename one of them",
                            code="duplicate_column",
                            params={"first": texts[seen[name]], "second": text},
                        )
                    seen[name] = col
                    columns[col] = name
                    self.header_names[name] = text
                return index, number, columns, titles
            nonblank = [t for t in texts if t]
            if len(nonblank) == 1:
                titles.append(nonblank[0])
        if not self.table.rows or all(not any(_cell_text(c) for c in cells) for _, cells in self.table.rows):
            raise FormatError("the table is empty", code="empty_table", source=self.source)
        first = [t for t in (_cell_text(c) for c in self.table.rows[0][1]) if t]
        raise FormatError(
            "no column names the steps (looked for a header such as 'Steg', 'Step' or 'Aktivitet'"
            + (f"; found {', '.join(repr(t) for t in first[:8])}" if first else "")
            + ")",
            code="no_step_column",
            params={"found": ", ".join(first[:8])},
            source=self.source,
            line=self.table.rows[0][0],
            hint="put the column names in the first row: Steg; Neste steg; Ansvarlig; ...",
        )

    def read(self) -> Process:
        index, _, columns, titles = self.find_header()
        rows: list[_Row] = []
        for number, cells in self.table.rows[index + 1 :]:
            values: dict[str, str] = {}
            raw_days: Any = None
            attributes: dict[str, str] = {}
            for col, name in columns.items():
                value = cells[col] if col < len(cells) else None
                if name == "handling_days":
                    raw_days = value
                text = _cell_text(value)
                if name.startswith("attr:"):
                    if text:
                        attributes[name[5:]] = text
                else:
                    values[name] = text
            extra = [i for i, c in enumerate(cells) if i not in columns and _cell_text(c)]
            if extra:
                # Silently dropping a filled cell would lose what the owner wrote.
                raise self.error(
                    number,
                    None,
                    f"the cell {_cell_text(cells[extra[0]])!r} in column {_column_letter(extra[0])} "
                    "has no column name above it",
                    hint="give the column a header or delete the cell",
                    code="cell_without_header",
                    params={"value": _cell_text(cells[extra[0]]), "letter": _column_letter(extra[0])},
                )
            if not any(values.values()) and not attributes:
                continue  # blank rows are common at the end of a sheet
            rows.append(self.row(number, values, raw_days, attributes))
        self.assign_ids(rows)
        return self.build(rows, titles)

    def row(self, number: int, values: dict[str, str], raw_days: Any, attributes: dict[str, str]) -> _Row:
        kind_text = values.get("kind", "")
        kind: str | None = None
        gateway: str | None = None
        if kind_text:
            kind, gateway = self.kind(number, kind_text)
        if not values.get("label") and not values.get("id") and gateway is None:
            raise self.error(
                number, "label", "the step has no name", hint="fill in the step's name or delete the row",
                code="step_without_name",
            )
        return _Row(
            number, values.get("id", ""), values.get("label", ""), kind, gateway, values, raw_days, attributes
        )

    def kind(self, number: int, text: str) -> tuple[str | None, str | None]:
        word = re.sub(r"[\s_]+", " ", text.strip().lower())
        stripped = re.sub(r" ?(gateway|port)$", "", word) if word not in ("gateway", "port") else word
        if stripped in _GATEWAY_WORDS:
            return None, _GATEWAY_WORDS[stripped]
        if word.replace(" ", "_") in {k.value for k in StepKind}:
            return word.replace(" ", "_"), None
        if word in _STEP_KIND_WORDS:
            return _STEP_KIND_WORDS[word], None
        allowed = [k.value.replace("_", " ") for k in StepKind] + [
            f"{g.value.replace('_', ' ')} gateway" for g in GatewayKind
        ]
        raise self.error(
            number, "kind", f"unknown step type {text!r}", hint="use one of: " + ", ".join(allowed),
            code="unknown_step_type", params={"value": text, "allowed": ", ".join(allowed)},
        )

    def assign_ids(self, rows: list[_Row]) -> None:
        taken: dict[str, int] = {}
        has_ids = any(r.id for r in rows)
        for r in rows:
            if r.id:
                if r.id in taken:
                    raise self.error(
                        r.number,
                        "id",
                        f"the id {r.id!r} is also used in row {taken[r.id]}",
                        hint="give every row its own id",
                        code="duplicate_id",
                        params={"id": r.id, "first_row": taken[r.id]},
                    )
                taken[r.id] = r.number
        for r in rows:
            if r.id:
                continue
            if has_ids and "id" in self.header_names:
                base = f"row-{r.number}"
            else:
                base = _slug(r.label) or ("gateway" if r.gateway else f"row-{r.number}")
            candidate, n = base, 2
            while candidate in taken:
                candidate, n = f"{base}-{n}", n + 1
            r.id = candidate
            taken[candidate] = r.number

    def resolver(self, rows: list[_Row]) -> Any:
        by_id = {r.id: r for r in rows}
        by_label: dict[str, list[_Row]] = {}
        for r in rows:
            if r.label:
                by_label.setdefault(_norm_label(r.label), []).append(r)
        # No reference with more non-space characters than this can name a step.
        self.longest_reference = max(map(len, [*by_id, *by_label]), default=0)

        def resolve(ref: str) -> str | None | list[_Row]:
            ref = ref.strip()
            if ref in by_id:
                return ref
            found = by_label.get(_norm_label(ref), [])
            if len(found) == 1:
                return found[0].id
            if len(found) > 1:
                return found
            return None

        return resolve

    def references(self, row: _Row, column: str, text: str, resolve: Any) -> list[tuple[str, str | None]]:
        """Split a cell of references into (target id, condition) pairs."""

        def exact(part: str) -> str | None:
            found = resolve(part)
            if isinstance(found, list):
                rows = " and ".join(str(r.number) for r in found)
                raise self.error(
                    row.number,
                    column,
                    f"{part.strip()!r} is the name of rows {rows}",
                    hint="write the id of the step you mean",
                    code="ambiguous_name",
                    params={"name": part.strip(), "rows": ", ".join(str(r.number) for r in found)},
                )
            return found if isinstance(found, str) else None

        def conditional(part: str) -> tuple[str, str | None] | None:
            # "Ja: godkjenne": a condition, then the step; the first colon that leaves a step wins.
            # Colons that leave more non-space characters than any id or name has are
            # skipped without a look-up: trying each colon of a cell of thousands was quadratic.
            left = sum(not ch.isspace() for ch in part)
            position = 0
            for match in re.finditer(":", part):
                left -= sum(not ch.isspace() for ch in part[position : match.end()])
                position = match.end()
                if left > self.longest_reference:
                    continue
                target = exact(part[match.end() :])
                if target is not None:
                    return target, part[: match.start()].strip() or None
            return None

        def parse(piece: str, separators: tuple[str, ...]) -> list[tuple[str, str | None]] | None:
            if not piece.strip():
                return []
            target = exact(piece)
            if target is not None:
                return [(target, None)]
            # Split on ";", then ","; a split counts only if every part is a step,
            # so names and conditions may contain commas.
            for i, separator in enumerate(separators):
                if separator in piece:
                    results = [parse(part, separators[i + 1 :]) for part in piece.split(separator)]
                    if all(r is not None for r in results):
                        return [pair for r in results for pair in r or []]
            found = conditional(piece)
            return [found] if found is not None else None

        def first_unknown(piece: str) -> str:
            for part in re.split("[;,]", piece):
                if part.strip() and exact(part) is None and conditional(part) is None:
                    return part.strip()
            return piece.strip()

        lines = re.split(r"\r?\n", text)
        whole = resolve(text)
        if isinstance(whole, str) and (len(lines) == 1 or whole == text.strip()):
            return [(whole, None)]  # a single name or id, commas and all
        if len(lines) > 1:
            # One reference per line is how the writer puts it, so try that
            # before taking a multi-line cell as one wrapped step name.
            per_line = [parse(line, (";", ",")) for line in lines]
            if all(found is not None for found in per_line):
                return [pair for found in per_line for pair in found or []]
            target = exact(text)
            if target is not None:
                return [(target, None)]
        pairs: list[tuple[str, str | None]] = []
        for line in lines:
            found = parse(line, (";", ","))
            if found is None:
                raise self.error(
                    row.number,
                    column,
                    f"{first_unknown(line)!r} is not the id or name of any step",
                    hint="write the id or the exact name of a step in this table",
                    code="unknown_step",
                    params={"ref": first_unknown(line)},
                )
            pairs.extend(found)
        return pairs

    def days(self, row: _Row) -> float | None:
        value = row.raw_days
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise self.error(
                row.number, "handling_days", f"{value!r} is not a number of days", code="bad_days",
                params={"value": repr(value)},
            )
        if isinstance(value, int | float):
            number = float(value)
        else:
            # The unit first, then the space before it: "\s*" in front of the
            # alternatives would be retried from every space (quadratic).
            text = re.sub(r"(dager|dag|days|day|d)\.?$", "", str(value).strip(), flags=re.IGNORECASE).rstrip()
            text = text.replace("\u00a0", "").replace(" ", "")
            if "," in text and "." not in text:
                text = text.replace(",", ".")  # Norwegian decimal comma
            try:
                number = float(text)
            except ValueError:
                raise self.error(
                    row.number,
                    "handling_days",
                    f"{str(value)!r} is not a number of days",
                    hint="write e.g. 21 or 1,5",
                    code="bad_days",
                    params={"value": str(value)},
                ) from None
        if not math.isfinite(number) or number < 0:
            raise self.error(
                row.number, "handling_days", f"{str(value)!r} is not a number of days (0 or more)", code="bad_days",
                params={"value": str(value)},
            )
        return number

    def mode(self, row: _Row) -> Mode | None:
        text = row.cells.get("mode", "")
        if not text:
            return None
        word = re.sub(r"\s+", " ", text.strip().lower())
        word = _MODE_WORDS.get(word, word).replace(" ", "_").replace("-", "_")
        if word in {m.value for m in Mode}:
            return Mode(word)
        raise self.error(
            row.number,
            "mode",
            f"unknown mode {text!r}",
            code="unknown_mode",
            params={"value": text},
            hint="use one of: manual, paper, digital, automated, self_service (or manuell, papir, automatisk, selvbetjening)",
        )

    def build(self, rows: list[_Row], titles: list[str]) -> Process:
        stem = PurePath(self.source).stem if self.source else ""
        process = Process(_slug(stem) or "process", titles[0] if titles else stem)
        resolve = self.resolver(rows)
        lanes: list[str] = []
        references: dict[str, dict[str, str | None]] = {}
        for r in rows:
            lane = r.cells.get("lane") or None
            if lane and lane not in lanes:
                lanes.append(lane)
            refs: dict[str, str | None] = {}
            for key in ("parent", "attached_to"):
                text = r.cells.get(key, "")
                if text:
                    found = self.references(r, key, text, resolve)
                    if len(found) != 1 or found[0][1] is not None:
                        raise self.error(
                            r.number, key, f"{text!r} must name exactly one step", code="not_one_step",
                            params={"value": text},
                        )
                    refs[key] = found[0][0]
            references[r.id] = refs
            if r.gateway is not None:
                process.add_gateway(
                    Gateway(
                        r.id,
                        GatewayKind(r.gateway),
                        r.label,
                        lane=lane,
                        parent=refs.get("parent"),
                        line=r.number,
                        pool=r.cells.get("pool") or None,
                    )
                )
                continue
            process.add_step(
                Step(
                    r.id,
                    r.label,
                    StepKind(r.kind or "task"),
                    lane=lane,
                    mode=self.mode(r),
                    system=r.cells.get("system") or None,
                    legal_basis=r.cells.get("legal_basis") or None,
                    handling_days=self.days(r),
                    documentation=r.cells.get("documentation") or None,
                    parent=refs.get("parent"),
                    attached_to=refs.get("attached_to"),
                    attributes=r.attributes,
                    line=r.number,
                    pool=r.cells.get("pool") or None,
                )
            )
        process.lanes = lanes
        if "next" in self.header_names:
            for r in rows:
                text = r.cells.get("next", "")
                if text:
                    for target, condition in self.references(r, "next", text, resolve):
                        process.add_flow(Flow(r.id, target, condition=condition, line=r.number))
        else:
            # No next-steps column: the rows are the order of the steps.
            for a, b in itertools.pairwise(rows):
                process.add_flow(Flow(a.id, b.id, line=b.number))
        if "messages" in self.header_names:
            # Messages to another party: "Søknad: 7" is the message "Søknad" to step 7.
            for r in rows:
                text = r.cells.get("messages", "")
                if text:
                    for target, name in self.references(r, "messages", text, resolve):
                        process.add_flow(Flow(r.id, target, condition=name, line=r.number, kind=FlowKind.MESSAGE))
        for element in process.elements:
            parent = references[element.id].get("parent")
            if parent is not None and not isinstance(process.get(parent), Step):
                raise self.error(
                    element.line, "parent", f"{parent!r} is a gateway, not a sub-process step",
                    code="reference_to_gateway", params={"key": "parent", "ref": parent},
                )
        return process


def read_tabular(
    data: bytes,
    *,
    source: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_uncompressed: int = MAX_XLSX_UNCOMPRESSED,
) -> Process:
    """Read a step table (CSV or XLSX, told apart by content).

    Parameters
    ----------
    data
        The file's bytes.
    source
        The file name, used in error messages.
    max_bytes
        Refuse larger files (``None``: no limit).
    max_uncompressed
        Refuse XLSX files that unpack to more than this many bytes.

    Returns
    -------
    Process
        One step (or gateway) per row; ``line`` is the spreadsheet row.

    Raises
    ------
    FormatError
        With the row and the column, e.g. ``row 7, column 'Neste steg':
        'Befaring' is not the id or name of any step``.

    Examples
    --------
    >>> csv_text = "Steg;Neste steg;Ansvarlig\\nSøknad mottatt;Vurdere;Servicetorget\\nVurdere;;Byggesak\\n"
    >>> p = read_tabular(csv_text.encode("cp1252"))
    >>> [(s.id, s.label, s.lane) for s in p.steps]
    [('soknad-mottatt', 'Søknad mottatt', 'Servicetorget'), ('vurdere', 'Vurdere', 'Byggesak')]
    >>> [(f.source, f.target) for f in p.flows]
    [('soknad-mottatt', 'vurdere')]
    """
    check_size(data, max_bytes=max_bytes, source=source)
    if not data.strip():
        raise FormatError("the file is empty", code="empty_file", source=source)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(
            "the file is an old Excel .xls workbook, which is not supported",
            code="old_xls",
            source=source,
            hint="save it as .xlsx or CSV",
        )
    if data.startswith(b"PK"):
        table = _xlsx_rows(data, source, max_uncompressed)
    else:
        table = _csv_rows(data, source)
    return _TableReader(table, source).read()


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _headers(language: str) -> dict[str, str]:
    index = 0 if language == "nb" else 1
    names = {key: COLUMNS[key][index] for key in _WRITE_ORDER}
    names.update(_UNITS[language])
    names = {k: (v if k in ("id",) else v[:1].upper() + v[1:]) for k, v in names.items()}
    names["id"] = "ID"
    return names


def _format_days(value: float, decimal_comma: bool | None) -> str | float:
    if decimal_comma is None:
        return value  # a number cell (XLSX)
    text = str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
    return text.replace(".", ",") if decimal_comma else text


def _table(
    process: Process, language: str, *, decimal_comma: bool | None
) -> tuple[list[str], list[list[Any]]]:
    headers = _headers(language)
    steps = process.steps
    used = {"id", "label", "next"}
    if any(s.kind != StepKind.TASK for s in steps) or process.gateways:
        used.add("kind")
    for key in (
        "lane",
        "mode",
        "system",
        "legal_basis",
        "handling_days",
        "documentation",
        "parent",
        "attached_to",
        "pool",
    ):
        if any(getattr(e, key, None) is not None for e in process.elements):
            used.add(key)
    if any(f.is_message for f in process.flows):
        used.add("messages")
    columns = [k for k in _WRITE_ORDER if k in used]
    attribute_names = list(dict.fromkeys(name for s in steps for name in s.attributes))
    outgoing: dict[str, list[Flow]] = {}
    sends: dict[str, list[Flow]] = {}
    for flow in process.flows:
        (sends if flow.is_message else outgoing).setdefault(flow.source, []).append(flow)
    rows: list[list[Any]] = []
    for element in process.elements:
        values: dict[str, Any] = {"id": element.id, "label": element.label}
        for key, table in (("next", outgoing), ("messages", sends)):
            values[key] = "\n".join(
                f"{f.condition}: {f.target}" if f.condition else f.target for f in table.get(element.id, [])
            )
        values["lane"] = element.lane or ""
        values["pool"] = element.pool or ""
        if isinstance(element, Gateway):
            values["kind"] = f"{element.kind.value.replace('_', ' ')} gateway"
            values["parent"] = element.parent or ""
            row = [values.get(k, "") for k in columns] + ["" for _ in attribute_names]
        else:
            values["kind"] = element.kind.value.replace("_", " ")
            values["mode"] = element.mode.value if element.mode else ""
            values["system"] = element.system or ""
            values["legal_basis"] = element.legal_basis or ""
            values["handling_days"] = (
                _format_days(element.handling_days, decimal_comma)
                if element.handling_days is not None
                else ""
            )
            values["documentation"] = element.documentation or ""
            values["parent"] = element.parent or ""
            values["attached_to"] = element.attached_to or ""
            row = [values.get(k, "") for k in columns] + [
                element.attributes.get(a, "") for a in attribute_names
            ]
        rows.append(row)
    return [headers[k] for k in columns] + attribute_names, rows


def write_tabular(
    process: Process,
    *,
    format: Literal["csv", "xlsx"] = "csv",
    language: Literal["nb", "en"] = "nb",
) -> bytes:
    """Write a process as a step table that :func:`read_tabular` reads back.

    CSV is written as Norwegian Excel expects it: UTF-8 with BOM, ``;``
    between cells, CRLF line ends, decimal comma (when ``language="nb"``).
    Next steps are one per line inside the cell, by id, with
    ``"condition: id"`` for conditional flows. See the module docstring for
    what a table does not carry.

    Parameters
    ----------
    process
        The process to write.
    format
        ``"csv"`` or ``"xlsx"``.
    language
        Header language: ``"nb"`` (Steg, Neste steg, ...) or ``"en"``.

    Examples
    --------
    >>> p = Process("p")
    >>> p.add_step(Step("1", "Søknad mottatt", lane="Servicetorget"))
    >>> p.add_step(Step("2", "Vurdere", handling_days=1.5))
    >>> p.add_flow(Flow("1", "2"))
    >>> for line in write_tabular(p).decode("utf-8-sig").splitlines():
    ...     print(line)
    ID;Steg;Neste steg;Ansvarlig;Saksbehandlingstid (dager)
    1;Søknad mottatt;2;Servicetorget;
    2;Vurdere;;;1,5
    """
    if format not in ("csv", "xlsx"):
        raise ValueError(f"format must be 'csv' or 'xlsx', not {format!r}")
    if language not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    headers, rows = _table(process, language, decimal_comma=(language == "nb") if format == "csv" else None)
    if format == "csv":
        # Labels that start like a formula get an apostrophe; the reader takes it off.
        return write_csv([headers, *rows], delimiter=";" if language == "nb" else ",")
    return _write_xlsx(headers, rows)


def _write_xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prosess"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        sheet.append([None if v == "" else v for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # Text that starts with "=" is a label, not a formula to evaluate.
                cell.data_type = "s"
                cell.alignment = wrap
    for column, header in enumerate(headers, start=1):
        width = max([len(header)] + [len(str(r[column - 1]).split("\n")[0]) for r in rows])
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
