"""Exports of any version (variant or standard): drawings, BPMN, YAML/JSON, a printable description.

:func:`export_version` is the one entry point for downloads; ``registry.standards``
calls it for standard versions too. :func:`inline_svg` makes a Graphviz drawing safe
to put inside a page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from markupsafe import Markup

from processes import Process, Step
from processes.explain import name_of
from processes.formats import write_process
from processes.render import add_print_pages, close_fonts, kind_name, mode_cue
from registry.cooperations.services import slugify
from registry.graphs import load_process

__all__ = [
    "DRAWING_FORMATS",
    "EXPORT_FORMATS",
    "DescribedStep",
    "Export",
    "compute_drawing",
    "described_steps",
    "description_pdf",
    "drawing_job_failed",
    "export_version",
    "find_drawing",
    "inline_svg",
    "request_drawing",
    "version_filename",
    "version_title",
]

#: Download formats: name -> (MIME type, file extension).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
    "bpmn": ("application/xml", "bpmn"),
    "yaml": ("application/yaml", "yaml"),
    "json": ("application/json", "json"),
}

# Drawings take far longer than anything else on a page; versions never change, so the
# bytes for (content, format, language) can be kept. Bounded to keep memory flat.
_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Export:
    """A file to send: its bytes, MIME type and download name."""

    data: bytes
    mimetype: str
    filename: str


def version_title(version: Any, lang: str = "nb") -> str:
    """E.g. "Trondheim: Byggesak – søknad …, versjon 3"."""
    owner = version.owner
    who = owner.municipality.name if version.variant is not None else owner.cooperation.name
    word = "version" if lang == "en" else "versjon"
    return f"{who}: {owner.process_type.name(lang)}, {word} {version.number}"


def version_filename(version: Any, extension: str) -> str:
    """A plain ASCII download name, e.g. ``byggesak-5001-v3.svg``."""
    owner = version.owner
    who = owner.municipality.number if version.variant is not None else slugify(owner.cooperation.name)
    return f"{owner.process_type.slug}-{who}-v{version.number}.{extension}"


def _render(process: Process, fmt: str, *, title: str, lang: str, key: str) -> bytes:
    cache_key = (key, fmt, lang)
    with _cache_lock:
        hit = _cache.get(cache_key)
        if hit is not None:
            _cache.move_to_end(cache_key)
            return hit
    if fmt in ("svg", "png", "pdf"):
        data = write_process(process, fmt, lang=lang, title=title)
    elif fmt == "bpmn":
        data = write_process(process, "bpmn")
    else:
        data = write_process(process, fmt)
    with _cache_lock:
        _cache[cache_key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def export_version(version: Any, fmt: str, *, lang: str = "nb") -> Export:
    """The version as ``fmt`` (svg, png, pdf, bpmn, yaml or json); KeyError for another format."""
    mimetype, extension = EXPORT_FORMATS[fmt]
    lang = "en" if lang == "en" else "nb"
    title = version_title(version, lang)
    key = hashlib.sha256((version.content + "\0" + title).encode("utf-8")).hexdigest()
    data = _render(load_process(version), fmt, title=title, lang=lang, key=key)
    return Export(data=data, mimetype=mimetype, filename=version_filename(version, extension))


# --- inline SVG --------------------------------------------------------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
# What Graphviz draws with; anything else (script, foreignObject, style, image …) is dropped.
_ALLOWED_TAGS = frozenset(
    {"svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "rect", "line", "text",
     "tspan", "a", "defs", "linearGradient", "radialGradient", "stop"}
)
_SVG_START = re.compile(rb"<svg[\s>]")


def inline_svg(svg: bytes | str, *, id_prefix: str, label: str) -> Markup:
    """A Graphviz SVG made safe to inline in a page.

    The drawing was generated from escaped labels, and is parsed again here anyway:
    only drawing elements survive, event-handler attributes and links other than
    in-page ones are removed, ids get ``id_prefix`` so that several drawings fit on
    one page, and the root gets ``role="img"`` with ``label`` (the text alternative
    is on the page, next to the drawing).
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    match = _SVG_START.search(data)
    if match is None:
        return Markup("")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(data[match.start():], parser)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        local = etree.QName(element).localname
        if etree.QName(element).namespace != _SVG_NS or local not in _ALLOWED_TAGS:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        for name in list(element.attrib):
            attr = etree.QName(name).localname
            value = element.attrib[name]
            if attr.lower().startswith("on") or attr == "style" or attr == "href" and not value.startswith("#"):
                del element.attrib[name]
            elif attr == "id":
                element.attrib[name] = f"{id_prefix}-{value}"
            elif attr == "href":
                element.attrib[name] = f"#{id_prefix}-{value[1:]}"
    # Graphviz's <title> elements name internal node ids (n3, cluster_lane0); the tooltips carry the labels.
    for title in root.iter(f"{{{_SVG_NS}}}title"):
        parent = title.getparent()
        if parent is not None and parent is not root:
            parent.remove(title)
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "diagram__svg")
    root.set("focusable", "false")
    # Graphviz sets an absolute size in points; the page scales the drawing to its column.
    width, height = root.get("width"), root.get("height")
    if width and height:
        root.set("data-width", width)
        root.set("data-height", height)
    text = etree.tostring(root, encoding="unicode")
    return Markup(text)


# --- printable description ---------------------------------------------------------------------


@dataclass(frozen=True)
class DescribedStep:
    """One step as the printable description lists it."""

    number: int
    id: str
    label: str
    kind: str
    lane: str
    mode: str
    system: str
    legal_basis: str
    handling_days: float | None
    documentation: str


def _step_order(process: Process) -> list[Step]:
    # Steps in the order a case meets them: breadth-first from the start, then what is unreachable.
    graph = process.step_graph()
    order: list[str] = []
    seen: set[str] = set()
    queue = [s for s in process.start_ids() if s in graph]
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        queue.extend(sorted(n for n in graph.successors(current) if n not in seen))
    rest = [s.id for s in process.steps if s.id not in seen]
    return [process.step(i) for i in order + rest]


def described_steps(process: Process, lang: str = "nb") -> list[DescribedStep]:
    """Every step with lane, mode, system, legal basis and handling time, in case order."""
    result = []
    for number, step in enumerate(_step_order(process), start=1):
        result.append(
            DescribedStep(
                number=number,
                id=step.id,
                # An unnamed step is "the end event after …", not its id.
                label=name_of(process, step.id, "en" if lang == "en" else "nb", quote=False),
                kind=kind_name(step.kind, lang),
                lane=step.lane or "",
                mode=mode_cue(step.mode, lang) if step.mode else "",
                system=step.system or "",
                legal_basis=step.legal_basis or "",
                handling_days=step.handling_days,
                documentation=step.documentation or "",
            )
        )
    return result


_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
)
# Without a Unicode font the PDF uses Helvetica (Latin-1: æøå are fine); these common
# typographic characters get their closest Latin-1 form, anything else a "?".
_LATIN1_FALLBACK = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "€": "EUR", "•": "*", "→": "->",
     "✉": "", "✍": "", "⚙": "", "⌨": "", "☺": ""}
)


# Letters of the Sámi alphabets without a decomposition to a Latin-1 letter (š, č, ž and á
# decompose by themselves; ǯ decomposes to ʒ).
_LATIN1_LETTERS = {
    "ŋ": "n", "Ŋ": "N", "đ": "d", "Đ": "D", "ŧ": "t", "Ŧ": "T", "ʒ": "z", "Ʒ": "Z", "ǥ": "g", "Ǥ": "G",
}  # fmt: skip


def latin1_text(text: str) -> str:
    """``text`` in Latin-1 for the PDF core font, as close to the original as it allows.

    Typographic characters get their plain form, letters outside Latin-1 lose their accent
    («Kárášjohka – Porsáŋgu» gives «Kárásjohka - Porsángu»), anything else becomes «?».
    Decomposed input (as some systems paste it) is composed first.
    """
    text = unicodedata.normalize("NFC", text).translate(_LATIN1_FALLBACK)
    if all(ord(c) < 256 for c in text):
        return text
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
        elif unicodedata.combining(char):
            continue  # an accent left over after composing: the letter before it stays
        else:
            base = "".join(
                _LATIN1_LETTERS.get(c, c) for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            base = _LATIN1_LETTERS.get(base, base)
            out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def _unicode_font(configured: str | None) -> Path | None:
    candidates = [Path(configured)] if configured else []
    for path in [*candidates, *_FONT_CANDIDATES]:
        if path.is_file():
            return path
    return None


def description_pdf(
    version: Any, *, lang: str = "nb", diagram: bool = True, font_path: str | None = None
) -> bytes:
    """The printable process description as PDF: title, facts, the diagram, then every step.

    The diagram gets A4 pages of its own (landscape or portrait, split over several
    with an overview first when it is large), so that its text prints at 7 pt or more.

    Text is set with a Unicode TrueType font when one is found (``font_path``, else
    DejaVu Sans in the usual system places); otherwise with the PDF core font
    Helvetica, which covers Latin-1 (æ, ø, å, é …) only.
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    lang = "en" if lang == "en" else "nb"
    process = load_process(version)
    steps = described_steps(process, lang)
    words = _PDF_WORDS[lang]
    font = _unicode_font(font_path)

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creation_date(_local(version.created_at))
    pdf.set_title(version_title(version, lang))
    pdf.set_lang("en" if lang == "en" else "nb")
    if font is not None:
        pdf.add_font("body", "", str(font))
        bold = font.with_name(font.stem + "-Bold" + font.suffix)
        pdf.add_font("body", "B", str(bold if bold.is_file() else font))
        family = "body"

        def clean(text: str) -> str:
            return text
    else:
        family = "helvetica"

        def clean(text: str) -> str:
            return latin1_text(text)

    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 8, clean(version_title(version, lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, "", 10)
    facts = [
        (words["saved"], _local(version.created_at).strftime("%d.%m.%Y %H:%M")),
        (words["author"], version.author.name if version.author else "–"),
        (words["comment"], version.comment or "–"),
        (words["legal_basis"], version.owner.process_type.legal_basis or "–"),
        (words["steps"], str(len(steps))),
    ]
    if version.is_standard:
        facts.insert(0, (words["status"], words.get(version.status or "draft", version.status or "")))
    for key, value in facts:
        pdf.set_font(family, "B", 10)
        pdf.cell(40, 6, clean(key), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 6, clean(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if diagram and process.steps:
        # The diagram on pages of its own, readable when printed (see processes.render.print_plan).
        svg = export_version(version, "svg", lang=lang).data
        add_print_pages(
            pdf, svg, title=version_title(version, lang), lang=lang,
            png=lambda: export_version(version, "png", lang=lang).data,
        )
        pdf.add_page(orientation="portrait")
    else:
        pdf.ln(4)
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 8, clean(words["steps_heading"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for step in steps:
        pdf.set_font(family, "B", 11)
        pdf.multi_cell(0, 6, clean(f"{step.number}. {step.label}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(family, "", 9.5)
        details = [
            (words["kind"], step.kind),
            (words["lane"], step.lane),
            (words["mode"], step.mode),
            (words["system"], step.system),
            (words["legal_basis"], step.legal_basis),
            (words["days"], _days(step.handling_days, lang)),
            (words["documentation"], step.documentation),
        ]
        for key, value in details:
            if value:
                pdf.multi_cell(0, 5, clean(f"{key}: {value}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    try:
        return bytes(pdf.output())
    finally:
        close_fonts(pdf)


def _local(value: dt.datetime) -> dt.datetime:
    # Stored in UTC (SQLite hands it back without a zone); printed as Norwegian local time.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo("Europe/Oslo"))


def _days(value: float | None, lang: str) -> str:
    if value is None:
        return ""
    text = f"{value:g}".replace(".", "," if lang == "nb" else ".")
    return f"{text} {'days' if lang == 'en' else 'dager'}"


_PDF_WORDS = {
    "nb": {
        "saved": "Lagret",
        "author": "Lagret av",
        "comment": "Kommentar",
        "legal_basis": "Hjemmel",
        "steps": "Antall steg",
        "status": "Status",
        "draft": "utkast",
        "approved": "godkjent",
        "published": "publisert",
        "steps_heading": "Stegene i prosessen",
        "kind": "Type",
        "lane": "Bane",
        "mode": "Utføres",
        "system": "System",
        "days": "Behandlingstid",
        "documentation": "Beskrivelse",
    },
    "en": {
        "saved": "Saved",
        "author": "Saved by",
        "comment": "Comment",
        "legal_basis": "Legal basis",
        "steps": "Number of steps",
        "status": "Status",
        "draft": "draft",
        "approved": "approved",
        "published": "published",
        "steps_heading": "The steps of the process",
        "kind": "Type",
        "lane": "Lane",
        "mode": "Done",
        "system": "System",
        "days": "Handling time",
        "documentation": "Description",
    },
}


# --- drawings of large versions, made by a job -------------------------------------------------

#: The formats that are drawings (Graphviz); the others are written at once.
DRAWING_FORMATS = frozenset({"svg", "png", "pdf"})


def find_drawing(version: Any, fmt: str, lang: str) -> Any:
    """The stored drawing of the version in ``fmt`` and ``lang`` by this engine, if any; never writes."""
    from sqlalchemy import select

    from registry.exports.models import Drawing
    from registry.extensions import db
    from registry.graphs import ENGINE_VERSION

    return db.session.scalar(
        select(Drawing).where(
            Drawing.version_id == version.id,
            Drawing.fmt == fmt,
            Drawing.lang == lang,
            Drawing.engine_version == ENGINE_VERSION,
        )
    )


def request_drawing(version: Any, fmt: str, lang: str, *, user: Any, max_pending: int | None = None) -> Any:
    """The drawing, queued when missing (drawn at once in inline mode); refused past ``max_pending`` for ``user``."""
    from flask_babel import gettext as _

    from registry.comparisons.services import check_queued_work
    from registry.exports.models import Drawing
    from registry.extensions import db
    from registry.graphs import ENGINE_VERSION
    from registry.tasks import queue_url, watch_job
    from registry.users.models import utcnow

    row = find_drawing(version, fmt, lang)
    if row is not None:
        if row.status == "pending" and queue_url():
            watch_job(row, lambda: _enqueue_drawing(row))
        return row
    if user is not None and max_pending is not None:
        check_queued_work(
            Drawing, user, max_pending,
            message=_(
                "You have %(count)s drawings waiting to be made. Ask again in a minute, when some "
                "of them are done.",
            ),
        )
    row = Drawing(
        version=version,
        fmt=fmt,
        lang=lang,
        engine_version=ENGINE_VERSION,
        status="pending",
        data=b"",
        requested_by_id=user.id if user is not None else None,
        requested_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    _enqueue_drawing(row)
    return row


def _enqueue_drawing(row: Any) -> str | None:
    from registry.tasks import enqueue_row

    return enqueue_row(row, compute_drawing, drawing_job_failed)


def compute_drawing(drawing_id: int) -> None:
    """Draw a stored request's version and keep the file."""
    from registry.exports.models import Drawing
    from registry.extensions import db
    from registry.tasks import fail_with
    from registry.users.models import utcnow

    row = db.session.get(Drawing, drawing_id)
    if row is None or row.status == "done":
        return
    try:
        data = export_version(row.version, row.fmt, lang=row.lang).data
    except Exception as error:  # noqa: BLE001 - a job boundary: say on the page what went wrong
        fail_with(row, error)
        return
    row.data = data
    row.status = "done"
    row.computed_at = utcnow()
    db.session.flush()


def drawing_job_failed(drawing_id: int, reason: str) -> None:
    """A drawing's job failed for good (``reason``: abandoned or timeout): say so when it is asked for."""
    from registry.exports.models import Drawing
    from registry.tasks import fail_pending

    fail_pending(Drawing, drawing_id, reason)
