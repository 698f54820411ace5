"""Downloads of any version and the printable process description (page and PDF)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from processes import ProcessError
from registry.authz import can_see_original_upload, can_view_version, require
from registry.comparisons.services import DIAGRAM_MAX_STEPS, QueuedWorkLimitError
from registry.errors import NotFoundError
from registry.exports.services import (
    DRAWING_FORMATS,
    EXPORT_FORMATS,
    described_steps,
    description_pdf,
    export_version,
    find_drawing,
    inline_svg,
    request_drawing,
    version_filename,
    version_title,
)
from registry.extensions import db
from registry.graphs import load_process
from registry.i18n import ui_language
from registry.variants.models import ProcessVersion
from registry.variants.services import get_version

__all__ = ["bp"]

bp = Blueprint("exports", __name__, url_prefix="/prosessversjoner")


@bp.app_template_global()
def may_view_version(version: ProcessVersion) -> bool:
    """For templates: whether the visitor may open the version (link it only then)."""
    return bool(can_view_version(current_user, version))


def _version(version_id: int) -> ProcessVersion:
    """The version, when the visitor may see it (every route of this blueprint asks here)."""
    try:
        version = get_version(version_id)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    require(can_view_version(current_user, version))
    return version


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Versions never change: a browser or proxy may keep the file for a day.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/<int:version_id>/eksport/<fmt>")
def download(version_id: int, fmt: str) -> Response:
    """The version as SVG, PNG, PDF, BPMN, YAML or JSON."""
    version = _version(version_id)
    if fmt not in EXPORT_FORMATS:
        abort(404, description=_("The registry cannot export to %(format)s.", format=fmt))
    limit = int(current_app.config.get("DRAWING_INLINE_MAX_STEPS") or DIAGRAM_MAX_STEPS)
    if fmt in DRAWING_FORMATS and version.step_count > limit:
        return _large_drawing(version, fmt)
    try:
        export = export_version(version, fmt, lang=ui_language())
    except ProcessError as exc:
        current_app.logger.error("export of version %s as %s failed: %s", version_id, fmt, exc)
        abort(500)
    return _attachment(export.data, export.mimetype, export.filename)


def _large_drawing(version: ProcessVersion, fmt: str) -> Response:
    """A large version's drawing: sent when a job has made it; asked for (signed in) and waited for otherwise."""
    lang = ui_language()
    row = find_drawing(version, fmt, lang)
    if (row is None or row.status == "pending") and current_user.is_authenticated:
        try:
            row = request_drawing(
                version, fmt, lang, user=current_user,
                max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"]),
            )
        except QueuedWorkLimitError as exc:
            db.session.rollback()
            abort(429, description=exc.message)
        db.session.commit()
    if row is not None and row.status == "done":
        mimetype, _extension = EXPORT_FORMATS[fmt]
        return _attachment(row.data, mimetype, version_filename(version, _extension))
    page = render_template(
        "exports/drawing.html",
        version=version,
        title=version_title(version, lang),
        fmt=fmt,
        row=row,
        steps=version.step_count,
        nav_section="cooperations" if version.standard_id is not None else "municipalities",
    )
    # 202: accepted, still being made (or waiting for someone signed in to ask for it).
    return Response(page, status=200 if row is not None and row.status == "failed" else 202)


@bp.get("/<int:version_id>/original")
def original(version_id: int) -> Response:
    """The uploaded file byte for byte (for the owner's side, its coordinators and admins)."""
    version = _version(version_id)
    require(can_see_original_upload(current_user, version))
    name = version.source_filename or version_filename(version, "yaml")
    # Sent as an opaque download: the bytes are whatever was uploaded.
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "upload"
    return _attachment(version.source_data, "application/octet-stream", safe)


@bp.get("/<int:version_id>/beskrivelse")
def description(version_id: int) -> str:
    """The process description for printing: facts, diagram and every step with its details."""
    version = _version(version_id)
    lang = ui_language()
    process = load_process(version)
    diagram = None
    if 0 < len(process.steps) <= DIAGRAM_MAX_STEPS:  # Graphviz needs 15-20 s for 2,000 steps
        try:
            svg = export_version(version, "svg", lang=lang).data
        except ProcessError as exc:
            # The description is still useful without its drawing.
            current_app.logger.error("drawing version %s failed: %s", version_id, exc)
        else:
            diagram = inline_svg(svg, id_prefix="print", label=_("Diagram of the process"))
    return render_template(
        "exports/description.html",
        version=version,
        title=version_title(version, lang),
        steps=described_steps(process, lang),
        diagram=diagram,
        nav_section="cooperations" if version.standard_id is not None else "municipalities",
    )


@bp.get("/<int:version_id>/beskrivelse.pdf")
def description_pdf_download(version_id: int) -> Response:
    """The process description as a PDF document."""
    version = _version(version_id)
    data = description_pdf(
        version,
        lang=ui_language(),
        font_path=current_app.config.get("PDF_FONT_PATH"),
        diagram=version.step_count <= DIAGRAM_MAX_STEPS,
    )
    return _attachment(data, "application/pdf", version_filename(version, "pdf").replace(".pdf", "-beskrivelse.pdf"))
