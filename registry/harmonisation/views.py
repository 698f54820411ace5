"""The coordinator's proposed common standard, and each member's change plan."""

from __future__ import annotations

import datetime as dt
import json
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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from processes.formats import write_process
from processes.harmonise import change_plan, join_names
from registry.authz import (
    can_edit_municipality,
    can_manage_standards,
    can_view_divergence,
    can_view_version,
    require,
)
from registry.comparisons.services import latest_version
from registry.cooperations.views import load_cooperation
from registry.divergence.views import _process_type, comparison_link
from registry.errors import ValidationError
from registry.exports.services import EXPORT_FORMATS, inline_svg
from registry.extensions import db
from registry.graphs import process_from_content
from registry.harmonisation.followup import (
    ChangeKey,
    PlanEntry,
    deviations_for,
    follow_ups_for,
    justified_map,
    remove_deviation,
    save_deviation,
    set_status,
)
from registry.harmonisation.forms import (
    SUPPORT_CHOICES,
    DeviationFilterForm,
    DeviationForm,
    FollowUpForm,
    MakeDraftForm,
    ProposalSettingsForm,
    support_choices,
    weighting_choices,
)
from registry.harmonisation.models import (
    ChangeFollowUp,
    JustifiedDeviation,
    StoredProposal,
)
from registry.harmonisation.services import (
    MemberPlan,
    ProposalSettings,
    _cached,
    find_stored_proposal,
    harmonisation_inputs,
    make_draft,
    member_weights,
    plans_for_variant,
    proposal_for,
    proposal_key,
    request_proposal,
    version_on,
)
from registry.harmonisation.words import (
    effort_label,
    follow_up_choices,
    follow_up_label,
    reason_choices,
    reason_label,
)
from registry.i18n import norwegian_key, ui_language
from registry.municipalities.views import load_municipality
from registry.process_types.models import ProcessType
from registry.process_types.views import load_process_type
from registry.variants.services import find_variant

__all__ = ["bp"]

bp = Blueprint("harmonisation", __name__)


def _settings_from(form: ProposalSettingsForm | MakeDraftForm) -> ProposalSettings:
    try:
        share = int(form.oppslutning.data or "50") / 100
    except ValueError:
        share = 0.5
    return ProposalSettings(
        min_support=share,
        max_drift=form.avstand.data,
        weighting=form.vekt.data or "equal",
        count_justified=bool(form.avvik.data),
    )


def _stored_diagram(row: StoredProposal, lang: str) -> Any:
    """The stored proposal's drawing in ``lang``, made safe to inline (kept per worker: rows never change)."""
    svg = json.loads(row.view)["texts"][lang]["svg"]
    if not svg:
        return None

    def build() -> Any:
        return inline_svg(svg, id_prefix="forslag", label=_("Diagram of the proposed common standard"))

    return _cached(("proposal-svg", row.inputs_key, row.engine_version, lang), build)


def _settings_form() -> ProposalSettingsForm:
    """The proposal's settings as the query string gives them, with their choices worded."""
    form = ProposalSettingsForm(request.args)
    form.oppslutning.choices = support_choices()
    form.vekt.choices = weighting_choices()
    return form


def _settings_or_400(*, besides: tuple[str, ...] = ()) -> ProposalSettings:
    """The settings of a download or a plan against the proposal: 400 with the reason when they are wrong."""
    form = _settings_form()
    if not any(k not in besides for k in request.args):
        return ProposalSettings()
    if not form.validate():
        abort(400, description=_("The proposal's settings were not understood; open the proposal again."))
    return _settings_from(form)


@bp.get("/samarbeid/<cooperation>/forslag/<slug>")
def proposal(cooperation: str, slug: str) -> tuple[str, int] | str:
    """Forslag til felles standard: the proposal, the support behind each step, how it departs from the standard."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    form = _settings_form()
    status = 200
    settings = ProposalSettings()
    if request.args:
        if form.validate():
            settings = _settings_from(form)
        else:
            status = 422
    inputs = harmonisation_inputs(coop, process_type)
    lang = ui_language()
    row: StoredProposal | None = None
    problem = None
    if status == 200:
        try:
            row = request_proposal(
                inputs,
                settings,
                user=current_user,
                max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"]),
            )
            # A new request (computed at once without a queue) or a job looked after: keep it.
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            problem = exc.message
            if exc.field == "vekt":
                form.vekt.errors = [exc.message]
                status = 422
            elif exc.field:
                form.avstand.errors = [exc.message]
                status = 422
    weights = None
    view = json.loads(row.view) if row is not None and row.status == "done" else None
    if status == 200 and row is not None:
        weights = member_weights(inputs, settings.weighting)
    draft_form = MakeDraftForm(
        formdata=None,
        oppslutning=str(round(settings.min_support * 100)),
        avstand=settings.max_drift,
        vekt=settings.weighting,
        avvik=settings.count_justified,
    )
    draft_form.oppslutning.choices = [(v, v) for v in SUPPORT_CHOICES]
    draft_form.vekt.choices = weighting_choices()
    return render_template(
        "harmonisation/proposal.html",
        cooperation=coop,
        process_type=process_type,
        inputs=inputs,
        form=form,
        settings=settings,
        stored=row,
        view=view,
        texts=view["texts"][lang] if view is not None else None,
        problem=problem,
        lang=lang,
        diagram=_stored_diagram(row, lang) if view is not None and row is not None else None,
        join_names=join_names,
        can_manage=bool(can_manage_standards(current_user, coop)),
        draft_form=draft_form,
        weights=weights,
        member_choices=sorted(
            ((m.municipality.number, m.municipality.name) for m in inputs.members if m.version is not None),
            key=lambda choice: norwegian_key(choice[1]),
        ),
    ), status


@bp.get("/samarbeid/<cooperation>/forslag/<slug>.<fmt>")
def proposal_download(cooperation: str, slug: str, fmt: str) -> Response | tuple[str, int]:
    """The proposal shown on the page, as BPMN (with diagram layout), SVG, PNG, PDF, YAML or JSON."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    if fmt not in EXPORT_FORMATS:
        abort(404, description=_("The registry cannot export to %(format)s.", format=fmt))
    settings = _settings_or_400()
    inputs = harmonisation_inputs(coop, process_type)
    try:
        weights = member_weights(inputs, settings.weighting)
    except ValidationError as exc:
        abort(400, description=exc.message)
    row = find_stored_proposal(inputs, proposal_key(inputs, settings, weights))
    if row is None or row.status != "done":
        # Only what the page has shown is sent: open the page, which computes it (or queues it).
        return redirect(url_for("harmonisation.proposal", cooperation=coop.slug, slug=process_type.slug, **request.args))
    view = json.loads(row.view)
    lang = ui_language()
    process = process_from_content(view["content"])
    title = _("Proposed common standard") + f": {process_type.name(lang)} – {coop.name}"
    if fmt in ("svg", "png", "pdf"):
        data = write_process(process, fmt, lang=lang, title=title)
    else:
        data = write_process(process, fmt)
    mimetype, extension = EXPORT_FORMATS[fmt]
    response = Response(data, mimetype=mimetype)
    name = f"{process_type.slug}-{coop.slug}-forslag-{dt.date.today().isoformat()}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/samarbeid/<cooperation>/forslag/<slug>/endringsplan")
def proposal_plan(cooperation: str, slug: str) -> tuple[str, int]:
    """One member's change plan against the proposal (not the published standard), for the coordinator."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    settings_args = {k: v for k, v in request.args.items() if k != "kommune"}
    settings = _settings_or_400(besides=("kommune",))
    inputs = harmonisation_inputs(coop, process_type)
    number = request.args.get("kommune", "")
    member = next((m for m in inputs.members if m.municipality.number == number and m.version is not None), None)
    if member is None or member.variant is None:
        abort(404, description=_("Choose a member that has registered this process."))
    try:
        proposal = proposal_for(inputs, settings)
    except ValidationError as exc:
        abort(400, description=exc.message)
    name = next(n for n, v in inputs.versions.items() if v.id == member.version.id)
    classes = proposal.classes
    process = classes.processes[name]
    in_target, in_variant = justified_map(deviations_for(coop, variant=member.variant), proposal.process, process)
    plan = change_plan(
        process, proposal.process, classes=classes, member=name, justified=in_target, justified_variant=in_variant
    )
    db.session.commit()  # keeps the step classes, if this request made them
    return render_template(
        "harmonisation/proposal_plan.html",
        cooperation=coop,
        process_type=process_type,
        municipality=member.municipality,
        member=name,
        version=member.version,
        plan=plan,
        settings=settings,
        settings_args=settings_args,
        lang=ui_language(),
        effort_label=effort_label,
    ), 200


@bp.post("/samarbeid/<cooperation>/forslag/<slug>/utkast")
def make_draft_view(cooperation: str, slug: str) -> Response:
    """Turn the proposal into a new draft version of the cooperation's standard."""
    coop = load_cooperation(cooperation)
    require(can_manage_standards(current_user, coop))
    process_type = _process_type(slug)
    form = MakeDraftForm()
    form.oppslutning.choices = [(v, v) for v in SUPPORT_CHOICES]
    form.vekt.choices = weighting_choices()
    if not form.validate():
        abort(400, description=_("The proposal's settings were not understood; open the proposal again."))
    settings = _settings_from(form)
    inputs = harmonisation_inputs(coop, process_type)
    try:
        version = make_draft(inputs, settings, user=current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("harmonisation.proposal", cooperation=coop.slug, slug=process_type.slug))
    db.session.commit()
    flash(_("The proposal is saved as draft version %(number)s of the standard.", number=version.number), "success")
    return redirect(url_for("standards.version", cooperation=coop.slug, slug=process_type.slug, number=version.number))


def _variant_of(number: str, slug: str) -> tuple[Any, Any, Any, Any]:
    municipality = load_municipality(number)
    process_type = load_process_type(slug)
    variant = find_variant(municipality, process_type)
    if variant is None:
        abort(404, description=_("%(municipality)s has not described this process yet.", municipality=municipality.name))
    version = latest_version(variant)
    if version is None:
        abort(404)
    return municipality, process_type, variant, version


def _as_of(value: str | None) -> dt.date | None:
    """The «per dato» of a plan: a past date, or None for today (400 with the reason otherwise)."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        abort(400, description=_("The date %(value)s is not a date; write it as 2026-03-01.", value=value[:40]))
    if day > dt.date.today():
        abort(400, description=_("The date %(value)s is in the future; choose today or a day before.", value=value))
    if day < dt.date(2000, 1, 1):
        abort(400, description=_("The registry has nothing from before 2000; choose a later date."))
    return day


@bp.get("/kommuner/<number>/prosesser/<slug>/endringsplan")
def plan(number: str, slug: str) -> str:
    """Endringsplan: what the municipality must change to follow each of its cooperations' standards."""
    municipality, process_type, variant, version = _variant_of(number, slug)
    on = _as_of(request.args.get("dato"))
    if on is not None:
        version = version_on(variant, on)
        if version is None:
            abort(404, description=_("%(municipality)s had not described this process by %(date)s.", municipality=municipality.name, date=format_date(on)))
    plans = []
    hidden = 0
    for member_plan in plans_for_variant(variant, version, on=on):
        # The plan shows the standard's content: only to those who may see that version.
        if can_view_version(current_user, member_plan.standard_version):
            plans.append(member_plan)
        else:
            hidden += 1
    # Saves the step classes the plans were made from, if this page had to make them (for other workers).
    db.session.commit()
    can_edit = bool(can_edit_municipality(current_user, municipality)) and on is None
    entries = {mp.cooperation.id: mp.entries() for mp in plans}
    done = {mp.cooperation.id: _done_elsewhere(mp, entries[mp.cooperation.id][0]) for mp in plans}
    return render_template(
        "harmonisation/plan.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        version=version,
        plans=plans,
        entries=entries,
        done=done,
        hidden=hidden,
        on=on,
        today=dt.date.today(),
        lang=ui_language(),
        effort_label=effort_label,
        follow_up_label=follow_up_label,
        reason_label=reason_label,
        comparison_link=comparison_link,
        can_edit=can_edit,
        follow_up_form=_follow_up_form,
        deviation_form=_deviation_form,
    )


def _done_elsewhere(mp: MemberPlan, entries: list[PlanEntry]) -> list[ChangeFollowUp]:
    """Follow-ups marked done whose change is no longer in the plan: what the member has done."""
    shown = {e.follow_up.id for e in entries if e.follow_up is not None}
    return [r for r in follow_ups_for(mp.variant, mp.cooperation) if r.status == "done" and r.id not in shown]


def _prefix() -> str:
    """The prefix of the posted form's fields (each change's form on the plan page has its own)."""
    value = request.form.get("form_prefix", "")
    return value if value.isascii() and value.isalnum() and len(value) <= 20 else ""


def _follow_up_form(entry: PlanEntry, prefix: str) -> FollowUpForm:
    row = entry.follow_up
    form = FollowUpForm(
        formdata=None,
        prefix=prefix,
        key=entry.key.encode(),
        status=row.status if row is not None else "not_started",
        planned_for=row.planned_for if row is not None else None,
        note=row.note if row is not None else "",
    )
    form.status.choices = follow_up_choices()
    return form


def _deviation_form(entry: PlanEntry, prefix: str) -> DeviationForm:
    row = entry.deviation
    form = DeviationForm(
        formdata=None,
        prefix=prefix,
        key=entry.key.encode(),
        category=row.category if row is not None else "law",
        reason=row.reason if row is not None else "",
        valid_until=row.valid_until if row is not None else None,
    )
    form.category.choices = reason_choices()
    return form


def _entry_for(number: str, slug: str, cooperation: str, key: str) -> tuple[Any, Any, MemberPlan, PlanEntry | None]:
    """The member's plan towards the cooperation and the change the form was about (None: gone since)."""
    municipality, process_type, variant, version = _variant_of(number, slug)
    require(can_edit_municipality(current_user, municipality))
    coop = load_cooperation(cooperation)
    plans = plans_for_variant(variant, version, cooperation=coop)
    if not plans:
        abort(404, description=_("%(cooperation)s has no standard for this process to plan against.", cooperation=coop.name))
    mp = plans[0]
    changes, justified = mp.entries()
    wanted = ChangeKey.decode(key)
    entry = next((e for e in (*changes, *justified) if e.key.encode() == key), None)
    if entry is None and wanted is not None:
        entry = next((e for e in (*changes, *justified) if e.key.same_change(wanted)), None)
    return municipality, process_type, mp, entry


def _back(municipality: Any, process_type: Any, anchor: str = "") -> Response:
    url = url_for("harmonisation.plan", number=municipality.number, slug=process_type.slug)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _posted_change(
    form: FollowUpForm | DeviationForm, number: str, slug: str, cooperation: str
) -> tuple[tuple[Any, Any, MemberPlan, PlanEntry] | None, Response | None]:
    """The change a plan form was posted for, or the way back to the plan with what is wrong (nothing saved)."""
    municipality, process_type, mp, entry = _entry_for(number, slug, cooperation, form.key.data or "")
    if entry is None:
        flash(_("That change is no longer in the plan (the process or the standard has changed since). Nothing was saved."), "error")
        return None, _back(municipality, process_type)
    if not form.validate():
        for field in form:
            if field.name.endswith("csrf_token"):
                continue  # the global CSRF check has passed by now
            for message in field.errors:
                flash(f"{field.label.text}: {message}" if field.label.text else str(message), "error")
        return None, _back(municipality, process_type, f"plan-{mp.cooperation.slug}")
    return (municipality, process_type, mp, entry), None


@bp.post("/kommuner/<number>/prosesser/<slug>/endringsplan/<cooperation>/status")
def set_follow_up(number: str, slug: str, cooperation: str) -> Response:
    """Record the follow-up status of one change."""
    form = FollowUpForm(prefix=_prefix())
    form.status.choices = follow_up_choices()
    found, back = _posted_change(form, number, slug, cooperation)
    if found is None:
        assert back is not None
        return back
    municipality, process_type, mp, entry = found
    status = form.status.data or "not_started"
    set_status(
        mp.variant,
        mp.cooperation,
        entry,
        status=status,
        planned_for=form.planned_for.data,
        note=form.note.data or "",
        user=current_user,
    )
    db.session.commit()
    flash(_("Saved: «%(change)s» is %(status)s.", change=entry.change.text(ui_language()), status=follow_up_label(status)), "success")
    return _back(municipality, process_type, f"plan-{mp.cooperation.slug}")


@bp.post("/kommuner/<number>/prosesser/<slug>/endringsplan/<cooperation>/avvik")
def justify(number: str, slug: str, cooperation: str) -> Response:
    """Mark one difference from the standard as a justified deviation (or change its reason)."""
    form = DeviationForm(prefix=_prefix())
    form.category.choices = reason_choices()
    found, back = _posted_change(form, number, slug, cooperation)
    if found is None:
        assert back is not None
        return back
    municipality, process_type, mp, entry = found
    save_deviation(
        mp.variant,
        mp.cooperation,
        entry,
        category=form.category.data or "law",
        reason=form.reason.data or "",
        valid_until=form.valid_until.data,
        user=current_user,
    )
    db.session.commit()
    flash(_("Saved as a justified deviation: «%(change)s».", change=entry.change.text(ui_language())), "success")
    return _back(municipality, process_type, f"justified-{mp.cooperation.slug}")


@bp.post("/kommuner/<number>/prosesser/<slug>/endringsplan/<cooperation>/avvik/<int:deviation_id>/trekk")
def withdraw(number: str, slug: str, cooperation: str, deviation_id: int) -> Response:
    """Withdraw a justification: the difference is a change to make again."""
    municipality, process_type, variant, _version = _variant_of(number, slug)
    require(can_edit_municipality(current_user, municipality))
    coop = load_cooperation(cooperation)
    row = db.session.get(JustifiedDeviation, deviation_id)
    if row is None or row.variant_id != variant.id or row.cooperation_id != coop.id:
        abort(404)
    remove_deviation(row)
    db.session.commit()
    flash(_("The justification is withdrawn; the difference is a change in the plan again."), "success")
    return _back(municipality, process_type, f"plan-{coop.slug}")


@bp.get("/samarbeid/<cooperation>/begrunnede-avvik")
def deviations(cooperation: str) -> tuple[str, int]:
    """Every justified deviation in the cooperation, to query by process type, reason and municipality."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    rows = deviations_for(coop)
    # Every process type, not only those with deviations: links name any type (the map's legend does).
    types = sorted(db.session.scalars(select(ProcessType)).all(), key=lambda t: norwegian_key(t.name(ui_language())))
    municipalities = sorted({r.variant.municipality for r in rows}, key=lambda m: norwegian_key(m.name))
    form = DeviationFilterForm(request.args)
    form.prosesstype.choices = [("", _("All process types"))] + [(t.slug, t.name(ui_language())) for t in types]
    form.kategori.choices = [("", _("All reasons")), *reason_choices()]
    form.kommune.choices = [("", _("All municipalities"))] + [(m.number, m.name) for m in municipalities]
    status = 200
    if request.args and not form.validate():
        status = 422
    else:
        if form.prosesstype.data:
            rows = [r for r in rows if r.variant.process_type.slug == form.prosesstype.data]
        if form.kategori.data:
            rows = [r for r in rows if r.category == form.kategori.data]
        if form.kommune.data:
            rows = [r for r in rows if r.variant.municipality.number == form.kommune.data]
        if form.gjeldende.data:
            today = dt.date.today()
            rows = [r for r in rows if r.is_valid_on(today)]
    rows.sort(key=lambda r: (norwegian_key(r.variant.process_type.name(ui_language())), norwegian_key(r.variant.municipality.name)))
    return render_template(
        "harmonisation/deviations.html",
        cooperation=coop,
        rows=rows,
        form=form,
        lang=ui_language(),
        reason_label=reason_label,
        today=dt.date.today(),
    ), status
