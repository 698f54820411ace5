"""A municipality's process: upload with preview, versions, history, diff, restore, quick editor."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from processes import (
    FormatError,
    Problem,
    Process,
    ProcessError,
)
from processes.compare import compare
from processes.diffview import diff_diagram
from registry.authz import can_edit_municipality, can_see_original_upload, require
from registry.comparisons.services import (
    # Drawings of larger processes are left out of pages (the step list is always there).
    DIAGRAM_MAX_STEPS,
    QueuedWorkLimitError,
    cooperations_of,
    latest_version,
    standard_version_for,
    standards_for_variant,
)
from registry.engine_errors import engine_error_text
from registry.errors import NotFoundError, RegistryError
from registry.exports.services import described_steps, export_version, inline_svg
from registry.extensions import db
from registry.forms import attach_error
from registry.graphs import ParsedUpload, load_process
from registry.i18n import norwegian_key, ui_language
from registry.municipalities.models import Municipality
from registry.municipalities.views import load_municipality
from registry.process_types.models import ProcessType
from registry.process_types.views import load_process_type
from registry.variants.forms import (
    CasesPerYearForm,
    CompareVersionsForm,
    ConfirmUploadForm,
    DiscardUploadForm,
    EditorForm,
    RestoreForm,
    UploadForm,
    format_choices,
    mode_choices,
)
from registry.variants.models import PendingUpload, ProcessVersion, Variant, VersionDiff
from registry.variants.services import (
    INLINE_DIFF_MAX_STEPS,
    StepEdit,
    UploadAlreadySavedError,
    confirm_pending_upload,
    create_pending_upload,
    discard_pending_upload,
    edit_steps,
    find_variant,
    find_version_diff,
    get_pending_upload,
    list_variants_of,
    reparse_pending_upload,
    request_version_diff,
    restore_version,
    version_by_number,
    version_diff_result,
)

__all__ = ["bp", "diagram_of", "format_error_text", "preview_context", "problem_where", "submit_upload"]

bp = Blueprint("variants", __name__, url_prefix="/kommuner/<number>/prosesser")



@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int] | Response:
    """Say how large a file may be, instead of the browser's bare connection error."""
    from registry.api.problems import is_api_request, problem_response

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if is_api_request():
        error.description = _("The file is larger than the registry accepts (at most %(mb)s MB).", mb=f"{limit / (1024 * 1024):g}")
        return problem_response(error)
    return render_template("variants/too_large.html", error=error, limit_mb=limit / (1024 * 1024)), 413


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"status_label": status_label, "problem_where": problem_where, "relation_label": relation_label}


def status_label(status: str | None) -> str:
    """A standard version's status in words."""
    return {"draft": _("draft"), "approved": _("approved"), "published": _("published")}.get(status or "", "")


def relation_label(kind: str) -> str:
    """How the steps of an alignment row relate, in words (the table never relies on colour)."""
    return {
        "identical": _("same step"),
        "renamed": _("renamed"),
        "split": _("split into several steps"),
        "merged": _("several steps merged"),
        "missing": _("missing in this process"),
        "extra": _("only in this process"),
        "candidate": _("perhaps the same step (not paired)"),
    }.get(kind, kind)


def problem_where(problem: Problem, process: Process | None = None) -> str:
    """Where a validation problem is, in the page's language: the step's name and the line."""
    parts = []
    if problem.element_id:
        element = process.get(problem.element_id) if process is not None else None
        label = getattr(element, "label", "") if element is not None else ""
        if label and label != problem.element_id:
            parts.append(_("step «%(label)s» (id %(id)s)", label=label, id=problem.element_id))
        else:
            parts.append(_("element %(id)s", id=problem.element_id))
    if problem.line is not None:
        parts.append(_("line %(line)s", line=problem.line))
    return ", ".join(parts)


def diagram_of(process: Process, data: bytes | None, *, id_prefix: str, label: str) -> Any:
    """The inline SVG of a drawing, or None when the process is too large to draw on a page."""
    if data is None or len(process.steps) > DIAGRAM_MAX_STEPS:
        return None
    return inline_svg(data, id_prefix=id_prefix, label=label)


def _load(number: str, slug: str) -> tuple[Municipality, ProcessType]:
    return load_municipality(number), load_process_type(slug)


def _variant_or_404(municipality: Municipality, process_type: ProcessType) -> Variant:
    variant = find_variant(municipality, process_type)
    if variant is None:
        abort(404, description=_("%(municipality)s has not described this process yet.", municipality=municipality.name))
    return variant


def _version_or_404(variant: Variant, number: int) -> ProcessVersion:
    try:
        return version_by_number(variant, number)
    except NotFoundError as exc:
        abort(404, description=exc.message)


def _version_page_context(version: ProcessVersion) -> dict[str, Any]:
    lang = ui_language()
    process = load_process(version)
    # A drawing that is not shown is not made either: 2,000 steps take Graphviz 20 s.
    svg = export_version(version, "svg", lang=lang).data if 0 < len(process.steps) <= DIAGRAM_MAX_STEPS else None
    return {
        "version": version,
        "process": process,
        "steps": described_steps(process, lang),
        "problems": process.validate(),
        "diagram": diagram_of(process, svg, id_prefix=f"v{version.id}", label=_("Diagram of the process")),
        "can_see_source": can_see_original_upload(current_user, version),
    }


# --- municipality's list and a variant's page -------------------------------------------------


@bp.get("/")
def index(number: str) -> str:
    """The processes a municipality has described."""
    municipality = load_municipality(number)
    variants = list_variants_of(municipality)
    return render_template(
        "variants/index.html",
        municipality=municipality,
        variants=[(v, latest_version(v)) for v in variants],
        can_edit=can_edit_municipality(current_user, municipality),
    )


@bp.get("/<slug>")
def show(number: str, slug: str) -> str | Response:
    """The newest version of the municipality's process, with its comparisons and downloads."""
    other = (request.args.get("sammenlign") or "").strip()
    if other:
        # The page's "compare with" form (GET, no JavaScript needed) lands here.
        return redirect(url_for("comparisons.with_variant", number=number, slug=slug, other=other))
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    version = latest_version(variant)
    if version is None:
        abort(404)
    standards = [(s, standard_version_for(s)) for s in standards_for_variant(variant)]
    others = _other_members(variant)
    return render_template(
        "variants/show.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        latest=True,
        standards=standards,
        others=others,
        can_edit=can_edit_municipality(current_user, variant.municipality),
        cases_form=CasesPerYearForm(formdata=None, cases_per_year=variant.cases_per_year),
        **_version_page_context(version),
    )


@bp.post("/<slug>/saker-per-ar")
def set_cases_per_year(number: str, slug: str) -> Response:
    """Record how many cases of this type the municipality handles in a year."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    require(can_edit_municipality(current_user, variant.municipality))
    form = CasesPerYearForm()
    if not form.validate():
        for message in form.cases_per_year.errors:
            flash(f"{form.cases_per_year.label.text}: {message}", "error")
    else:
        variant.cases_per_year = form.cases_per_year.data
        db.session.commit()
        flash(_("Cases per year are saved."), "success")
    return redirect(url_for(".show", number=municipality.number, slug=process_type.slug) + "#saker")


def _other_members(variant: Variant) -> list[tuple[Variant, ProcessVersion]]:
    """Other municipalities in the same cooperations that have described the same process type."""
    today = dt.date.today()
    member_ids: set[int] = set()
    for cooperation in cooperations_of(variant.municipality):
        for m in cooperation.members_on(today):
            member_ids.add(m.id)
            member_ids.update(p.id for p in m.predecessors)
    member_ids.discard(variant.municipality_id)
    if not member_ids:
        return []
    # Two queries for any number of members: their variants, then the newest version of each.
    others = db.session.scalars(
        select(Variant).where(Variant.municipality_id.in_(member_ids), Variant.process_type_id == variant.process_type_id)
    ).all()
    if not others:
        return []
    newest = (
        select(ProcessVersion.variant_id, func.max(ProcessVersion.number).label("number"))
        .where(ProcessVersion.variant_id.in_([o.id for o in others]))
        .group_by(ProcessVersion.variant_id)
        .subquery()
    )
    versions = db.session.scalars(
        select(ProcessVersion).join(
            newest, (ProcessVersion.variant_id == newest.c.variant_id) & (ProcessVersion.number == newest.c.number)
        )
    ).all()
    by_variant = {v.variant_id: v for v in versions}
    pairs = [(o, by_variant[o.id]) for o in others if o.id in by_variant]
    return sorted(pairs, key=lambda pair: norwegian_key(pair[0].municipality.name))


# --- upload, preview, confirm -------------------------------------------------------------------


@bp.route("/<slug>/last-opp", methods=["GET", "POST"])
def upload(number: str, slug: str) -> tuple[str, int] | Response:
    """Upload a process file; it is read and shown as a preview before anything is saved."""
    municipality, process_type = _load(number, slug)
    require(can_edit_municipality(current_user, municipality))
    if not municipality.is_current:
        successors = ", ".join(str(m) for m in municipality.successors) or "–"
        abort(404, description=_("%(municipality)s no longer exists; upload under %(successors)s.",
                                 municipality=municipality.name, successors=successors))
    form = UploadForm()
    form.format.choices = format_choices()
    if form.validate_on_submit():
        pending = submit_upload(form, process_type=process_type, municipality=municipality)
        if pending is not None:
            return redirect(url_for(".preview", number=municipality.number, slug=process_type.slug, token=pending.token))
    # A refused upload is 422 with the form and its errors (200 would read as success to scripts).
    status = 422 if form.is_submitted() else 200
    return render_template("variants/upload.html", municipality=municipality, process_type=process_type, form=form), status


def submit_upload(form: UploadForm, *, process_type: ProcessType, **owner: Any) -> PendingUpload | None:
    """Read the uploaded file into a pending upload and commit it; on bad input put the error on the form.

    ``owner`` is ``municipality=`` (a variant) or ``cooperation=`` (a standard).
    Returns the pending upload, or None when the form now carries an error.
    """
    file = form.file.data
    data = file.read()
    filename = (file.filename or "upload").rsplit("/", 1)[-1][:255]
    try:
        pending, _parsed = create_pending_upload(
            user=current_user,
            process_type=process_type,
            data=data,
            filename=filename,
            fmt=form.format.data or None,
            options={
                "label_attribute": form.label_attribute.data,
                "case_column": form.case_column.data,
                "activity_column": form.activity_column.data,
                "timestamp_column": form.timestamp_column.data,
            },
            max_pending=int(current_app.config["UPLOAD_MAX_PENDING"]),
            max_bytes=current_app.config.get("MAX_CONTENT_LENGTH"),
            max_steps=current_app.config.get("UPLOAD_MAX_STEPS"),
            **owner,
        )
    except FormatError as exc:
        db.session.rollback()
        form.file.errors = [*form.file.errors, format_error_text(exc)]
        return None
    except RegistryError as exc:
        db.session.rollback()
        attach_error(form, exc)
        return None
    db.session.commit()
    return pending


def format_error_text(error: FormatError) -> str:
    """The engine's precise message (file, line, what is wrong, how to fix it) in the user's language."""
    return engine_error_text(error)


def _pending_or_404(token: str, municipality: Municipality, process_type: ProcessType) -> PendingUpload:
    try:
        pending = get_pending_upload(token, current_user)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    if pending.municipality_id != municipality.id or pending.process_type_id != process_type.id:
        abort(404)
    return pending


@bp.route("/<slug>/forhandsvisning/<token>", methods=["GET", "POST"])
def preview(number: str, slug: str, token: str) -> str | Response:
    """Show what was read from the upload; save it as a new version when the owner confirms."""
    municipality, process_type = _load(number, slug)
    require(can_edit_municipality(current_user, municipality))
    pending = _pending_or_404(token, municipality, process_type)
    form = ConfirmUploadForm()
    if form.validate_on_submit():
        try:
            version = confirm_pending_upload(pending, user=current_user, comment=form.comment.data or "")
        except UploadAlreadySavedError as exc:  # a double click: the first click saved it
            db.session.rollback()
            flash(exc.message, "info")
            if find_variant(municipality, process_type) is None:  # it was discarded instead
                return redirect(url_for("process_types.show", slug=process_type.slug))
            return redirect(url_for(".show", number=municipality.number, slug=process_type.slug))
        db.session.commit()
        flash(_("Version %(number)s is saved.", number=version.number), "success")
        return redirect(url_for(".show", number=municipality.number, slug=process_type.slug))
    try:
        parsed = reparse_pending_upload(pending, max_bytes=None)
    except (FormatError, ProcessError) as exc:  # pragma: no cover - it was read once already
        abort(400, description=engine_error_text(exc))
    from registry.variants.preview import upload_effects

    return render_template(
        "variants/preview.html",
        municipality=municipality,
        process_type=process_type,
        pending=pending,
        form=form,
        discard_form=DiscardUploadForm(),
        effects=upload_effects(municipality, process_type, parsed.process, ui_language()),
        **preview_context(parsed),
    )


def preview_context(parsed: ParsedUpload) -> dict[str, Any]:
    """What the preview page shows of a parsed upload: diagram, steps and problems."""
    lang = ui_language()
    process = parsed.process
    svg = None
    if process.steps and len(process.steps) <= DIAGRAM_MAX_STEPS:
        from processes.render import render

        svg = render(process, "svg", lang=lang)
    return {
        "parsed": parsed,
        "process": process,
        "steps": described_steps(process, lang),
        "problems": list(parsed.problems),
        "diagram": diagram_of(process, svg, id_prefix="preview", label=_("Diagram of the uploaded process")),
        "lang": lang,
    }


@bp.post("/<slug>/forhandsvisning/<token>/forkast")
def discard(number: str, slug: str, token: str) -> Response:
    """Forget a previewed upload without saving it."""
    municipality, process_type = _load(number, slug)
    require(can_edit_municipality(current_user, municipality))
    pending = _pending_or_404(token, municipality, process_type)
    form = DiscardUploadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        discard_pending_upload(pending)
    except UploadAlreadySavedError as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("process_types.show", slug=process_type.slug))
    db.session.commit()
    flash(_("The upload is discarded; nothing was saved."), "success")
    return redirect(url_for("process_types.show", slug=process_type.slug))


# --- versions, history, diff, restore -------------------------------------------------------------


@bp.get("/<slug>/versjoner")
def history(number: str, slug: str) -> str:
    """Every version, newest first, with a form to compare any two."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    form = CompareVersionsForm(request.args if request.args else None)
    return _history_page(municipality, process_type, variant, form, preset=not request.args)


def _history_page(
    municipality: Municipality, process_type: ProcessType, variant: Variant, form: CompareVersionsForm, *, preset: bool
) -> str:
    versions = sorted(variant.versions, key=lambda v: v.number, reverse=True)
    if preset and len(versions) >= 2:
        form.fra.data, form.til.data = versions[1].number, versions[0].number
    return render_template(
        "variants/history.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        versions=versions,
        form=form,
        restore_form=RestoreForm(),
        can_edit=can_edit_municipality(current_user, variant.municipality),
    )


@bp.get("/<slug>/versjoner/<int:version_number>")
def version(number: str, slug: str, version_number: int) -> str:
    """One version as it was saved."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    selected = _version_or_404(variant, version_number)
    newest = latest_version(variant)
    return render_template(
        "variants/show.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        latest=newest is not None and newest.id == selected.id,
        standards=[],
        others=[],
        restore_form=RestoreForm(),
        can_edit=can_edit_municipality(current_user, variant.municipality),
        cases_form=CasesPerYearForm(formdata=None, cases_per_year=variant.cases_per_year),
        **_version_page_context(selected),
    )


@bp.get("/<slug>/versjoner/forskjell")
def diff(number: str, slug: str) -> str:
    """What changed between two versions: sentences and a diagram."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    form = CompareVersionsForm(request.args)
    known = {v.number for v in variant.versions}
    if form.validate():
        for field in (form.fra, form.til):
            if field.data not in known:
                field.errors = [_("Version %(number)s does not exist.", number=field.data)]
    if form.errors or form.fra.errors or form.til.errors:
        return _history_page(municipality, process_type, variant, form, preset=False)
    older = _version_or_404(variant, form.fra.data)
    newer = _version_or_404(variant, form.til.data)
    lang = ui_language()
    if max(older.step_count, newer.step_count) > INLINE_DIFF_MAX_STEPS:
        return _queued_diff_page(municipality, process_type, variant, older, newer)
    a_name = _("version %(number)s", number=older.number)
    b_name = _("version %(number)s", number=newer.number)
    engine = compare(load_process(older), load_process(newer), a_name=a_name, b_name=b_name)
    svg = diff_diagram(engine, "svg", lang=lang) if len(engine.b.steps) <= DIAGRAM_MAX_STEPS else None
    return render_template(
        "variants/diff.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        older=older,
        newer=newer,
        texts=engine.texts(lang),
        similarity=engine.similarity,
        diagram=diagram_of(engine.b, svg, id_prefix="diff", label=_("What changed from %(a)s to %(b)s", a=a_name, b=b_name)),
    )


def _queued_diff_page(
    municipality: Municipality, process_type: ProcessType, variant: Variant, older: ProcessVersion, newer: ProcessVersion
) -> str:
    """Large versions: the stored difference, or «beregnes» while a job computes it (no drawing)."""
    if current_user.is_authenticated:
        try:
            row: VersionDiff | None = request_version_diff(
                older, newer, user=current_user, max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"])
            )
        except QueuedWorkLimitError as exc:
            db.session.rollback()
            abort(429, description=exc.message)
        db.session.commit()  # inline mode computed it; queue mode pushes the job now
    else:
        row = find_version_diff(older, newer)  # anonymous GETs never write
    result = version_diff_result(row) if row is not None else {}
    similarity = result.get("similarity")
    return render_template(
        "variants/diff.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        older=older,
        newer=newer,
        queued=row if row is not None else False,
        texts=result.get(ui_language(), []),
        similarity=SimpleNamespace(**similarity) if similarity else None,
        diagram=None,
        too_large_to_draw=INLINE_DIFF_MAX_STEPS,
    )


@bp.post("/<slug>/versjoner/<int:version_number>/gjenopprett")
def restore(number: str, slug: str, version_number: int) -> Response:
    """Save an old version again as the newest; nothing is overwritten."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    require(can_edit_municipality(current_user, variant.municipality))
    old = _version_or_404(variant, version_number)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    new = restore_version(old, user=current_user, comment=form.comment.data or "")
    db.session.commit()
    flash(
        _("Version %(old)s is restored as the new version %(new)s. Every earlier version is kept.",
          old=old.number, new=new.number),
        "success",
    )
    return redirect(url_for(".history", number=municipality.number, slug=process_type.slug))


# --- quick editor ---------------------------------------------------------------------------------


@bp.route("/<slug>/rediger", methods=["GET", "POST"])
def editor(number: str, slug: str) -> str | Response:
    """Rename steps and set lane, mode, system and legal basis; saves a new version."""
    municipality, process_type = _load(number, slug)
    variant = _variant_or_404(municipality, process_type)
    require(can_edit_municipality(current_user, variant.municipality))
    current = latest_version(variant)
    if current is None:
        abort(404)
    process = load_process(current)
    order = [s.id for s in described_steps(process)]
    steps = [process.step(i) for i in order]
    if request.method == "POST":
        form = EditorForm()
    else:
        form = EditorForm(
            data={
                "steps": [
                    {
                        "step_id": s.id,
                        "label": s.label,
                        "lane": s.lane or "",
                        "mode": s.mode.value if s.mode else "",
                        "system": s.system or "",
                        "legal_basis": s.legal_basis or "",
                    }
                    for s in steps
                ]
            }
        )
    lanes = list(process.lanes)
    for entry in form.steps:
        entry.form.mode.choices = mode_choices()
        if lanes:
            # Suggest the process's lanes; any other text is allowed (a new lane).
            entry.form.lane.render_kw = {"list": "lanes"}
    known = {s.id for s in steps}
    if form.validate_on_submit():
        edits = [
            StepEdit(
                step_id=entry.form.step_id.data or "",
                label=entry.form.label.data or "",
                lane=entry.form.lane.data or "",
                mode=entry.form.mode.data or "",
                system=entry.form.system.data or "",
                legal_basis=entry.form.legal_basis.data or "",
            )
            for entry in form.steps
            if entry.form.step_id.data in known
        ]
        try:
            new = edit_steps(current, edits, user=current_user, comment=form.comment.data or "")
        except RegistryError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            if new is None:
                flash(_("Nothing was changed, so no new version was saved."), "info")
            else:
                db.session.commit()
                flash(_("Version %(number)s is saved.", number=new.number), "success")
            return redirect(url_for(".show", number=municipality.number, slug=process_type.slug))
    labels = {s.id: s.label or s.id for s in steps}
    return render_template(
        "variants/editor.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        version=current,
        form=form,
        labels=labels,
        lanes=lanes,
    )
