"""CSV and XLSX exports of the divergence map and the heatmap, safe to open in a spreadsheet.

A step label or municipality name that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be run as a formula by Excel or LibreOffice (CSV
injection). Such text gets a leading apostrophe (the engine's one neutralising CSV
writer, :mod:`processes.formats.spreadsheet`, which also keeps plain numbers such as
``-2`` as they are), and in XLSX every text cell is stored as text, never as a
formula. Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from processes.divergence import Cell, CellStatus, Row
from processes.formats.spreadsheet import FORMULA_STARTS, neutralise, write_csv
from registry.divergence.services import DivergenceState

__all__ = [
    "FORMULA_STARTS",
    "Table",
    "also_text",
    "heatmap_table",
    "map_table",
    "neutralise",
    "status_symbol",
    "status_text",
    "to_csv",
    "to_xlsx",
]

Value = str | float | int | None
Table = list[list[Value]]

SYMBOLS = {
    CellStatus.SAME: "✓",
    CellStatus.RENAMED: "≈",
    CellStatus.MOVED: "↕",
    CellStatus.SPLIT: "⇉",
    CellStatus.MERGED: "⊕",
    CellStatus.MISSING: "✗",
}


def status_symbol(status: CellStatus) -> str:
    """The symbol shown with the text of a status."""
    return SYMBOLS[status]


def status_text(status: CellStatus) -> str:
    """The word for a status in the UI language."""
    return {
        CellStatus.SAME: _("same"),
        CellStatus.RENAMED: _("renamed"),
        CellStatus.MOVED: _("moved"),
        CellStatus.SPLIT: _("split"),
        CellStatus.MERGED: _("merged"),
        CellStatus.MISSING: _("missing"),
    }[status]


def also_text(kinds: Sequence[str]) -> str:
    """Further differences of a cell in words, e.g. "also: other role, other system"."""
    words = {
        "renamed_step": _("other name"),
        "order_changed": _("other order"),
        "parallel_vs_sequential": _("parallel or sequential"),
        "optional_vs_mandatory": _("optional or mandatory"),
        "kind_changed": _("other kind of step"),
        "lane_changed": _("other role"),
        "mode_changed": _("other mode"),
        "system_changed": _("other system"),
        "legal_basis_changed": _("other legal basis"),
        "handling_days_changed": _("other handling time"),
    }
    return _("also: %(list)s", list=", ".join(words.get(k, k) for k in kinds))


def _cell_text(cell: Cell) -> str:
    text = status_text(cell.status)
    if cell.status in (CellStatus.RENAMED, CellStatus.SPLIT, CellStatus.MERGED, CellStatus.MOVED) and cell.variant_labels:
        text += ": " + " + ".join(cell.variant_labels)
    if cell.also:
        text += " (" + also_text(cell.also) + ")"
    return text


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def map_table(state: DivergenceState, rows: Sequence[Row]) -> Table:
    """The map as rows of values: a header, one row per municipality, then each step's share."""
    assert state.dmap is not None
    columns = state.dmap.columns
    header: list[Value] = [
        _("Municipality number"),
        _("Municipality"),
        _("Group"),
        _("Overall similarity (%)"),
        _("Names (%)"),
        _("Structure (%)"),
        _("Behaviour (%)"),
        _("Extra local steps"),
    ]
    lang = "en" if str(get_locale()).startswith("en") else "nb"
    header.extend(c.name(lang) for c in columns)
    table: Table = [header]
    for row in rows:
        line: list[Value] = [
            row.key,
            row.name,
            row.cluster,
            _percent(row.similarity["overall"]),
            _percent(row.similarity["labels"]),
            _percent(row.similarity["structure"]),
            _percent(row.similarity["behaviour"]),
            row.extra_count,
        ]
        line.extend(_cell_text(c) for c in row.cells)
        table.append(line)
    shares: list[Value] = ["", _("Share of municipalities with the step (%)"), "", "", "", "", "", ""]
    shares.extend(_percent(c.share) for c in columns)
    table.append(shares)
    return table


def heatmap_table(state: DivergenceState, rows: Sequence[Row]) -> Table:
    """The pairwise similarity (%) of the given rows' municipalities, in the heatmap's order."""
    assert state.dmap is not None
    heat = state.dmap.heatmap
    wanted = {r.key for r in rows}
    order = [i for i, k in enumerate(heat.keys) if k in wanted]
    table: Table = [[_("Municipality"), *(heat.names[i] for i in order)]]
    for i in order:
        table.append([heat.names[i], *(_percent(heat.values[i][j]) for j in order)])
    return table


def to_csv(table: Table) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark, as Norwegian Excel opens it directly."""
    return write_csv(table, delimiter=";")


def to_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """One worksheet per (title, table); the first row is bold; text is always text."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for title, table in sheets:
        sheet = workbook.create_sheet(title=neutralise(title)[:31].lstrip("'") or "Sheet")
        for r, line in enumerate(table, start=1):
            for c, value in enumerate(line, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = neutralise(value)
                    # openpyxl reads a leading "=" as a formula; force the text type regardless.
                    cell.data_type = TYPE_STRING
                else:
                    cell.value = value
                if r == 1:
                    cell.font = bold
        sheet.freeze_panes = "C2" if sheet.max_column > 2 else None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
