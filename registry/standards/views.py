"""A cooperation's standards: list, history, one version, upload with preview, approve, publish."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from processes import FormatError, ProcessError
from registry.authz import (
    can_manage_standards,
    can_read_standards,
    can_see_original_upload,
    require,
)
from registry.comparisons.services import standard_version_for
from registry.cooperations.models import Cooperation
from registry.cooperations.views import load_cooperation
from registry.engine_errors import engine_error_text
from registry.errors import NotFoundError, RegistryError
from registry.exports.services import described_steps, export_version
from registry.extensions import db
from registry.forms import attach_error
from registry.graphs import load_process
from registry.i18n import ui_language
from registry.process_types.models import ProcessType
from registry.process_types.views import load_process_type
from registry.standards.forms import ApproveForm, ConfirmStandardForm, PublishForm
from registry.standards.services import (
    approve_version,
    get_standard,
    list_standards,
    publish_version,
)
from registry.variants.forms import DiscardUploadForm, UploadForm, format_choices
from registry.variants.models import PendingUpload, ProcessVersion, Standard
from registry.variants.services import (
    UploadAlreadySavedError,
    confirm_pending_upload,
    discard_pending_upload,
    get_pending_upload,
    reparse_pending_upload,
    version_by_number,
)
from registry.variants.views import (
    DIAGRAM_MAX_STEPS,
    diagram_of,
    preview_context,
    submit_upload,
)

__all__ = ["bp"]

bp = Blueprint("standards", __name__, url_prefix="/samarbeid/<cooperation>/standarder")


@bp.app_template_global()
def may_read_standards(cooperation: Cooperation) -> bool:
    """For templates: whether the signed-in user may open the cooperation's standards."""
    return bool(can_read_standards(current_user, cooperation))


def _read(cooperation: str) -> Cooperation:
    coop = load_cooperation(cooperation)
    require(can_read_standards(current_user, coop))
    return coop


def _manage(cooperation: str) -> Cooperation:
    coop = load_cooperation(cooperation)
    require(can_manage_standards(current_user, coop))
    return coop


def _standard_or_404(coop: Cooperation, process_type: ProcessType) -> Standard:
    try:
        return get_standard(coop, process_type)
    except NotFoundError as exc:
        abort(404, description=exc.message)


def _version_or_404(standard: Standard, number: int) -> ProcessVersion:
    try:
        return version_by_number(standard, number)
    except NotFoundError as exc:
        abort(404, description=exc.message)


@bp.get("/")
def index(cooperation: str) -> str:
    """Every process type with the cooperation's standard, its status and the version in use."""
    coop = _read(cooperation)
    return render_template(
        "standards/index.html",
        cooperation=coop,
        summaries=list_standards(coop),
        can_manage=can_manage_standards(current_user, coop),
    )


@bp.get("/<slug>")
def show(cooperation: str, slug: str) -> str:
    """The standard's history: every version with status, dates, author and comment."""
    coop = _read(cooperation)
    process_type = load_process_type(slug)
    standard = _standard_or_404(coop, process_type)
    return render_template(
        "standards/show.html",
        cooperation=coop,
        process_type=process_type,
        standard=standard,
        versions=sorted(standard.versions, key=lambda v: v.number, reverse=True),
        current=standard_version_for(standard),
        can_manage=can_manage_standards(current_user, coop),
        approve_form=ApproveForm(),
        publish_form=PublishForm(),
    )


@bp.get("/<slug>/versjoner/<int:number>")
def version(cooperation: str, slug: str, number: int) -> str:
    """One version of the standard: status, dates, diagram, steps and downloads."""
    coop = _read(cooperation)
    process_type = load_process_type(slug)
    standard = _standard_or_404(coop, process_type)
    selected = _version_or_404(standard, number)
    lang = ui_language()
    process = load_process(selected)
    svg = export_version(selected, "svg", lang=lang).data if 0 < len(process.steps) <= DIAGRAM_MAX_STEPS else None
    return render_template(
        "standards/version.html",
        cooperation=coop,
        process_type=process_type,
        standard=standard,
        version=selected,
        process=process,
        steps=described_steps(process, lang),
        diagram=diagram_of(process, svg, id_prefix=f"s{selected.id}", label=_("Diagram of the standard")),
        can_manage=can_manage_standards(current_user, coop),
        can_see_source=can_see_original_upload(current_user, selected),
        approve_form=ApproveForm(),
        publish_form=PublishForm(),
    )


@bp.route("/<slug>/last-opp", methods=["GET", "POST"])
def upload(cooperation: str, slug: str) -> tuple[str, int] | Response:
    """Upload a standard version; it is previewed before it is saved as a draft."""
    coop = _manage(cooperation)
    process_type = load_process_type(slug)
    form = UploadForm()
    form.format.choices = format_choices()
    if form.validate_on_submit():
        pending = submit_upload(form, process_type=process_type, cooperation=coop)
        if pending is not None:
            return redirect(url_for(".preview", cooperation=coop.slug, slug=process_type.slug, token=pending.token))
    status = 422 if form.is_submitted() else 200  # a refused upload: the form with its errors
    return render_template("standards/upload.html", cooperation=coop, process_type=process_type, form=form), status


def _pending_or_404(token: str, coop: Cooperation, process_type: ProcessType) -> PendingUpload:
    try:
        pending = get_pending_upload(token, current_user)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    if pending.cooperation_id != coop.id or pending.process_type_id != process_type.id:
        abort(404)
    return pending


@bp.route("/<slug>/forhandsvisning/<token>", methods=["GET", "POST"])
def preview(cooperation: str, slug: str, token: str) -> str | Response:
    """Show what was read from the upload; save it as a new draft when the coordinator confirms."""
    coop = _manage(cooperation)
    process_type = load_process_type(slug)
    pending = _pending_or_404(token, coop, process_type)
    form = ConfirmStandardForm()
    if form.validate_on_submit():
        try:
            saved = confirm_pending_upload(
                pending,
                user=current_user,
                comment=form.comment.data or "",
                status="draft",
                effective_from=form.effective_from.data,
                effective_to=form.effective_to.data,
            )
        except UploadAlreadySavedError as exc:  # a double click: the first click saved it
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for(".show", cooperation=coop.slug, slug=process_type.slug))
        except RegistryError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("Version %(number)s of the standard is saved as a draft.", number=saved.number), "success")
            return redirect(url_for(".show", cooperation=coop.slug, slug=process_type.slug))
    try:
        parsed = reparse_pending_upload(pending, max_bytes=None)
    except (FormatError, ProcessError) as exc:  # pragma: no cover - it was read once already
        abort(400, description=engine_error_text(exc))
    context: dict[str, Any] = preview_context(parsed)
    return render_template(
        "standards/preview.html",
        cooperation=coop,
        process_type=process_type,
        pending=pending,
        form=form,
        discard_form=DiscardUploadForm(),
        **context,
    )


@bp.post("/<slug>/forhandsvisning/<token>/forkast")
def discard(cooperation: str, slug: str, token: str) -> Response:
    """Forget a previewed upload without saving it."""
    coop = _manage(cooperation)
    process_type = load_process_type(slug)
    pending = _pending_or_404(token, coop, process_type)
    if not DiscardUploadForm().validate_on_submit():
        abort(400)
    try:
        discard_pending_upload(pending)
    except UploadAlreadySavedError as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for(".index", cooperation=coop.slug))
    db.session.commit()
    flash(_("The upload was discarded; nothing was saved."), "success")
    return redirect(url_for(".index", cooperation=coop.slug))


@bp.post("/<slug>/versjoner/<int:number>/godkjenn")
def approve(cooperation: str, slug: str, number: int) -> Response:
    """Approve a draft version."""
    coop = _manage(cooperation)
    process_type = load_process_type(slug)
    selected = _version_or_404(_standard_or_404(coop, process_type), number)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        approve_version(selected, user=current_user)
    except RegistryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Version %(number)s is approved.", number=number), "success")
    return redirect(url_for(".show", cooperation=coop.slug, slug=process_type.slug))


@bp.post("/<slug>/versjoner/<int:number>/publiser")
def publish(cooperation: str, slug: str, number: int) -> Response:
    """Publish an approved version with its effective dates."""
    coop = _manage(cooperation)
    process_type = load_process_type(slug)
    selected = _version_or_404(_standard_or_404(coop, process_type), number)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("Give the dates as YYYY-MM-DD."), "error")
        return redirect(url_for(".show", cooperation=coop.slug, slug=process_type.slug))
    try:
        publish_version(
            selected, user=current_user, effective_from=form.effective_from.data, effective_to=form.effective_to.data
        )
    except RegistryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Version %(number)s is published; members are now compared with it.", number=number), "success")
    return redirect(url_for(".show", cooperation=coop.slug, slug=process_type.slug))
