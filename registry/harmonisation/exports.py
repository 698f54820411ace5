"""Change plans as CSV, XLSX and PDF: one municipality's plan, or every member's in a cooperation.

The rows are built once (:func:`plan_rows`) and written three ways. CSV and XLSX go
through the divergence map's writers (:func:`registry.divergence.exports.to_csv` and
:func:`~registry.divergence.exports.to_xlsx`), which neutralise text a spreadsheet
would run as a formula. The PDF is printable A4 (landscape: the sentences need the
width) with the header row repeated on every page, set in DejaVu Sans when the
system has it (as the printable process description is), else in Helvetica (Latin-1).

Justified deviations are listed apart: a sheet of their own in XLSX, a section of
their own in the PDF, and after the changes in CSV (one header, so that the file
reads back as one table; the status column says «avvik begrunnet»). Changes that a
new version has made are no longer in the plan; their follow-up rows are listed with
the changes, as done, with the version that did it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from processes.harmonise import Change, ChangeKind, Effort, join_names
from registry.cooperations.services import slugify
from registry.divergence.exports import Table, Value, to_csv, to_xlsx
from registry.exports.services import _unicode_font, latin1_text
from registry.harmonisation.followup import PlanEntry, follow_ups_for
from registry.harmonisation.services import MemberPlan
from registry.harmonisation.words import effort_label, follow_up_label, reason_label

__all__ = [
    "CSV_COLUMNS",
    "PdfBlock",
    "PlanRow",
    "PlanSummary",
    "attachment_headers",
    "change_kind_label",
    "plan_rows",
    "plans_csv",
    "plans_pdf",
    "plans_xlsx",
    "summarise",
    "table_pdf",
]

_OSLO = ZoneInfo("Europe/Oslo")


def change_kind_label(kind: ChangeKind) -> str:
    """What kind of change it is, in the user's language."""
    words: dict[ChangeKind, str] = {
        ChangeKind.ADD_STEP: _("add a step"),
        ChangeKind.REMOVE_STEP: _("remove a step"),
        ChangeKind.RENAME_STEP: _("rename a step"),
        ChangeKind.MERGE_STEPS: _("merge steps"),
        ChangeKind.SPLIT_STEP: _("split a step"),
        ChangeKind.MOVE_STEP: _("move a step"),
        ChangeKind.MAKE_PARALLEL: _("do steps in parallel"),
        ChangeKind.MAKE_SEQUENTIAL: _("do steps one after the other"),
        ChangeKind.MAKE_OPTIONAL: _("make a step optional"),
        ChangeKind.MAKE_MANDATORY: _("make a step mandatory"),
        ChangeKind.ADD_FLOW: _("add a path"),
        ChangeKind.REMOVE_FLOW: _("remove a path"),
        ChangeKind.CHANGE_KIND: _("other kind of step"),
        ChangeKind.CHANGE_LANE: _("other role"),
        ChangeKind.CHANGE_MODE: _("other mode"),
        ChangeKind.CHANGE_SYSTEM: _("other system"),
        ChangeKind.CHANGE_LEGAL_BASIS: _("other legal basis"),
        ChangeKind.CHANGE_HANDLING_DAYS: _("other handling time"),
        ChangeKind.OTHER: _("other change"),
    }
    return words.get(kind, str(kind))


@dataclass(frozen=True)
class PlanRow:
    """One change of a member's plan with its follow-up, as the exports write it."""

    cooperation: str
    member: str
    number: int | None
    change: str
    kind: str
    effort: str
    peers: str
    peers_short: str
    status: str
    planned_for: str | None
    set_by: str
    set_at: str
    done_in_version: int | None
    note: str
    category: str = ""
    reason: str = ""
    valid_until: str | None = None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _local(value: dt.datetime | None) -> str:
    # Stored in UTC (SQLite hands it back without a zone); written as Norwegian local time.
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(_OSLO).strftime("%Y-%m-%d %H:%M")


def _peers(change: Change, lang: str, most: int) -> str:
    if change.peers is None:
        return ""
    if not change.peers:
        return str(_("nobody yet"))
    return join_names(change.peers, lang, most=most)


def _row(mp: MemberPlan, number: int, entry: PlanEntry, lang: str) -> PlanRow:
    change, follow_up, deviation = entry.change, entry.follow_up, entry.deviation
    if deviation is not None:
        who, when = deviation.created_by, deviation.updated_at or deviation.created_at
    elif follow_up is not None:
        who, when = follow_up.set_by, follow_up.set_at
    else:
        who, when = None, None
    automatic = follow_up is not None and follow_up.automatic and follow_up.done_in_version is not None
    return PlanRow(
        cooperation=mp.cooperation.name,
        member=mp.member,
        number=number,
        change=change.text(lang),
        kind=change_kind_label(change.kind),
        effort=effort_label(change.effort),
        peers=_peers(change, lang, most=max(3, len(change.peers or ()))),
        peers_short=_peers(change, lang, most=4),
        status=follow_up_label(entry.status),
        planned_for=_iso(follow_up.planned_for) if follow_up is not None and deviation is None else None,
        set_by=who.name if who is not None else "",
        set_at=_local(when),
        done_in_version=follow_up.done_in_version.number if automatic and follow_up and follow_up.done_in_version else None,
        note=follow_up.note if follow_up is not None and deviation is None else "",
        category=reason_label(deviation.category) if deviation is not None else "",
        reason=deviation.reason if deviation is not None else "",
        valid_until=_iso(deviation.valid_until) if deviation is not None else None,
    )


def plan_rows(mp: MemberPlan, lang: str) -> tuple[list[PlanRow], list[PlanRow]]:
    """The plan's changes (then the changes already made, gone from the plan) and its justified deviations."""
    changes, justified = mp.entries()
    rows = [_row(mp, i, e, lang) for i, e in enumerate(changes, start=1)]
    matched = {e.follow_up.id for e in (*changes, *justified) if e.follow_up is not None}
    # A change a later version made is no longer in the plan; its follow-up row still says it is done.
    for done in reversed(follow_ups_for(mp.variant, mp.cooperation)):
        if done.id in matched or done.status != "done":
            continue
        rows.append(
            PlanRow(
                cooperation=mp.cooperation.name,
                member=mp.member,
                number=None,
                change=done.text(lang),
                kind="",
                effort="",
                peers="",
                peers_short="",
                status=follow_up_label("done"),
                planned_for=None,
                set_by=done.set_by.name if done.set_by is not None else "",
                set_at=_local(done.set_at),
                done_in_version=done.done_in_version.number if done.automatic and done.done_in_version else None,
                note=done.note,
            )
        )
    return rows, [_row(mp, i, e, lang) for i, e in enumerate(justified, start=1)]


# --- columns -------------------------------------------------------------------------------------

_HEADERS: dict[str, Callable[[], str]] = {
    "cooperation": lambda: _("Cooperation"),
    "member": lambda: _("Municipality"),
    "number": lambda: _("No."),
    "change": lambda: _("Change"),
    "kind": lambda: _("Kind of change"),
    "effort": lambda: _("Effort"),
    "peers": lambda: _("Already done by"),
    "peers_short": lambda: _("Already done by"),
    "status": lambda: _("Status"),
    "planned_for": lambda: _("Planned for"),
    "set_by": lambda: _("Set by"),
    "set_at": lambda: _("Set at"),
    "done_in_version": lambda: _("Done automatically in version"),
    "note": lambda: _("Note"),
    "category": lambda: _("Reason category"),
    "reason": lambda: _("Reason"),
    "valid_until": lambda: _("Valid until"),
}

#: Every column, in the order of the CSV file.
CSV_COLUMNS = (
    "cooperation", "member", "number", "change", "kind", "effort", "peers", "status", "planned_for",
    "set_by", "set_at", "done_in_version", "note", "category", "reason", "valid_until",
)  # fmt: skip
_CHANGE_COLUMNS = (
    "cooperation", "member", "number", "change", "kind", "effort", "peers", "status", "planned_for",
    "set_by", "set_at", "done_in_version", "note",
)  # fmt: skip
_JUSTIFIED_COLUMNS = (
    "cooperation", "member", "number", "change", "kind", "effort", "peers", "category", "reason",
    "valid_until", "set_by", "set_at",
)  # fmt: skip


def _keys(columns: Sequence[str], members: bool) -> list[str]:
    return [c for c in columns if members or c != "member"]


def _table(rows: Sequence[PlanRow], columns: Sequence[str]) -> Table:
    table: Table = [[_HEADERS[c]() for c in columns]]
    for row in rows:
        table.append([getattr(row, c) for c in columns])
    return table


def _all_rows(plans: Sequence[MemberPlan], lang: str) -> tuple[list[PlanRow], list[PlanRow]]:
    changes: list[PlanRow] = []
    justified: list[PlanRow] = []
    for mp in plans:
        c, j = plan_rows(mp, lang)
        changes.extend(c)
        justified.extend(j)
    return changes, justified


def plans_csv(plans: Sequence[MemberPlan], lang: str, *, members: bool = False) -> bytes:
    """The plans as one CSV table: every change, then the justified deviations (``members``: with a member column)."""
    changes, justified = _all_rows(plans, lang)
    return to_csv(_table([*changes, *justified], _keys(CSV_COLUMNS, members)))


# --- the coordinator's overview ------------------------------------------------------------------


@dataclass
class PlanSummary:
    """How far one member has come with its plan: changes by status and by effort."""

    member: str
    number: str
    slug: str
    has_plan: bool
    statuses: dict[str, int] = field(default_factory=dict)
    efforts: dict[Effort, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Changes still in the plan, and the ones already made."""
        return sum(v for k, v in self.statuses.items() if k != "justified")


def summarise(member: str, number: str, slug: str, mp: MemberPlan | None) -> PlanSummary:
    """Count one member's changes by status and by effort (a member without a process has no plan)."""
    if mp is None:
        return PlanSummary(member, number, slug, False)
    changes, justified = mp.entries()
    statuses = {s: 0 for s in ("not_started", "planned", "in_progress", "done", "justified")}
    for entry in changes:
        statuses[entry.status] += 1
    statuses["justified"] = len(justified)
    matched = {e.follow_up.id for e in (*changes, *justified) if e.follow_up is not None}
    statuses["done"] += sum(
        1 for row in follow_ups_for(mp.variant, mp.cooperation) if row.status == "done" and row.id not in matched
    )
    return PlanSummary(member, number, slug, True, statuses, mp.plan.by_effort())


def _summary_table(summaries: Sequence[PlanSummary]) -> Table:
    table: Table = [
        [
            _("Municipality number"), _("Municipality"), _("Changes"),
            *(follow_up_label(s) for s in ("not_started", "planned", "in_progress", "done")),
            _("Justified deviations"), *(effort_label(e) for e in Effort),
        ]
    ]  # fmt: skip
    for s in summaries:
        if not s.has_plan:
            table.append([s.number, s.member, None, None, None, None, None, None, *(None for _e in Effort)])
            continue
        table.append(
            [
                s.number, s.member, s.total, s.statuses["not_started"], s.statuses["planned"],
                s.statuses["in_progress"], s.statuses["done"], s.statuses["justified"],
                *(s.efforts.get(e, 0) for e in Effort),
            ]
        )  # fmt: skip
    return table


def plans_xlsx(
    plans: Sequence[MemberPlan], lang: str, *, members: bool = False, summaries: Sequence[PlanSummary] = ()
) -> bytes:
    """The plans as a workbook: (an overview per member,) the changes, the justified deviations."""
    changes, justified = _all_rows(plans, lang)
    sheets: list[tuple[str, Table]] = []
    if summaries:
        sheets.append((_("Overview"), _summary_table(summaries)))
    sheets.append((_("Changes"), _table(changes, _keys(_CHANGE_COLUMNS, members))))
    sheets.append((_("Justified deviations"), _table(justified, _keys(_JUSTIFIED_COLUMNS, members))))
    return to_xlsx(sheets)


# --- PDF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfBlock:
    """A part of a table PDF: a heading, a paragraph, or a table (header row first) with relative column widths."""

    heading: str = ""
    text: str = ""
    table: Table | None = None
    widths: tuple[float, ...] = ()


def table_pdf(
    title: str, facts: Sequence[str], blocks: Sequence[PdfBlock], *, lang: str = "nb", font_path: str | None = None
) -> bytes:
    """A printable A4 landscape document: a title, lines of facts, then headings, paragraphs and tables.

    Text is 9 pt or larger and wraps inside its cell; a table's header row is repeated
    at the top of every page it runs onto; each page says its number. A cell's text is
    cut (with «…») where it would not fit half a page: CSV and XLSX keep all of it.
    """
    from fpdf import FPDF, FontFace
    from fpdf.enums import XPos, YPos

    font = _unicode_font(font_path)
    page_word = _("Page %(page)s of %(pages)s", page="{page}", pages="{nb}")

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, "", 9)
            self.cell(0, 6, clean(page_word.replace("{page}", str(self.page_no()))), align="R")

    pdf = _Document(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.set_title(title)
    pdf.set_lang("en" if lang == "en" else "nb")
    if font is not None:
        pdf.add_font("body", "", str(font))
        bold = Path(font).with_name(Path(font).stem + "-Bold" + Path(font).suffix)
        pdf.add_font("body", "B", str(bold if bold.is_file() else font))
        family = "body"

        def clean(text: str) -> str:
            return unicodedata.normalize("NFC", text)
    else:
        family = "helvetica"

        def clean(text: str) -> str:
            return latin1_text(text)

    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 7, clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, "", 10)
    for line in facts:
        pdf.multi_cell(0, 5.5, clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    heading_style = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
    for block in blocks:
        if block.heading:
            pdf.ln(3)
            pdf.set_font(family, "B", 12)
            pdf.multi_cell(0, 7, clean(block.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if block.text:
            pdf.set_font(family, "", 10)
            pdf.multi_cell(0, 5.5, clean(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if block.table and len(block.table) > 1:
            pdf.ln(1)
            pdf.set_font(family, "", 9)
            widths = block.widths or tuple(1.0 for _c in block.table[0])
            limits = [_cell_limit(w / sum(widths) * pdf.epw) for w in widths]
            with pdf.table(
                col_widths=widths,
                width=pdf.epw,
                text_align="LEFT",
                v_align="TOP",
                line_height=4.4,
                padding=1,
                headings_style=heading_style,
                repeat_headings=1,
            ) as pdf_table:
                for values in block.table:
                    row = pdf_table.row()
                    for value, limit in zip(values, limits, strict=False):
                        row.cell(clean(_shorten(_cell(value), limit)))
    return bytes(pdf.output())


def _cell_limit(width_mm: float) -> int:
    """The characters a cell of this width holds in about half a page of 9 pt lines."""
    return max(40, int(width_mm / 1.9 * 22))


def _shorten(text: str, limit: int) -> str:
    # A cell taller than a page cannot be printed; the spreadsheet exports keep the whole text.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cell(value: Value) -> str:
    if value is None:
        return ""
    return str(value)


def _pdf_table(rows: Sequence[PlanRow], members: bool, justified: bool) -> tuple[Table, tuple[float, ...]]:
    """The PDF's columns: fewer than the spreadsheet's, so that the sentences have room."""
    if justified:
        header: list[Value] = [_("No."), _("Change"), _("Effort"), _("Reason category"), _("Reason"),
                               _("Valid until"), _("Set by")]  # fmt: skip
        widths: list[float] = [10, 80, 22, 30, 70, 20, 40]
    else:
        header = [_("No."), _("Change"), _("Kind of change"), _("Effort"), _("Already done by"), _("Status"),
                  _("Set by")]  # fmt: skip
        widths = [10, 85, 28, 22, 45, 42, 40]
    if members:
        header.insert(0, _("Municipality"))
        widths.insert(0, 28)
    table: Table = [header]
    for r in rows:
        who = ", ".join(x for x in (r.set_by, r.set_at) if x)
        if justified:
            line: list[Value] = [r.number, r.change, r.effort, r.category, r.reason, r.valid_until, who]
        else:
            status = r.status
            if r.planned_for:
                status += " " + _("for %(date)s", date=r.planned_for)
            if r.done_in_version is not None:
                status += " (" + _("automatically, by version %(number)s", number=r.done_in_version) + ")"
            if r.note:
                status += ": " + r.note
            line = [r.number, r.change, r.kind, r.effort, r.peers_short, status, who]
        if members:
            line.insert(0, r.member)
        table.append(line)
    return table, tuple(widths)


def plans_pdf(
    title: str,
    facts: Sequence[str],
    sections: Sequence[tuple[str, Sequence[MemberPlan]]],
    lang: str,
    *,
    members: bool = False,
    summaries: Sequence[PlanSummary] = (),
    font_path: str | None = None,
) -> bytes:
    """The plans as a printable PDF: per (heading, plans) section the changes, then the justified deviations."""
    blocks: list[PdfBlock] = []
    if summaries:
        blocks.append(
            PdfBlock(heading=_("Overview"), table=_summary_table(summaries), widths=(18, 30, 14, 12, 12, 12, 12, 14, 12, 12, 12))
        )
    for heading, plans in sections:
        changes, justified = _all_rows(plans, lang)
        table, widths = _pdf_table(changes, members, justified=False)
        blocks.append(
            PdfBlock(
                heading=heading,
                text="" if changes else _("Nothing to change: the process works as the standard says."),
                table=table,
                widths=widths,
            )
        )
        if justified:
            table, widths = _pdf_table(justified, members, justified=True)
            blocks.append(PdfBlock(heading=_("Justified deviations"), table=table, widths=widths))
    return table_pdf(title, facts, blocks, lang=lang, font_path=font_path)


# --- downloads -----------------------------------------------------------------------------------


def attachment_headers(name: str, extension: str) -> dict[str, Any]:
    """Content-Disposition with an ASCII name for old clients and the real one (æøå) as ``filename*``."""
    plain = (slugify(name) or "export") + "." + extension
    # Letters (æøå, Sámi letters) and digits stay; spaces, quotes and other marks become "-".
    real = "-".join("".join(c if c.isalnum() else " " for c in name).split()) + "." + extension
    return {
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(real, safe='')}",
        "Cache-Control": "no-store",
    }
