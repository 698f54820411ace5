"""The coordinator's proposed common standard, and each member's change plan."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from processes.formats import write_process
from processes.harmonise import Proposal, join_names
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
from registry.exports.services import inline_svg
from registry.extensions import db
from registry.harmonisation.forms import (
    SUPPORT_CHOICES,
    MakeDraftForm,
    ProposalSettingsForm,
    support_choices,
    weighting_choices,
)
from registry.harmonisation.services import (
    HarmonisationInputs,
    ProposalSettings,
    _cached,
    harmonisation_inputs,
    make_draft,
    member_weights,
    plans_for_variant,
    proposal_for,
)
from registry.harmonisation.words import effort_label
from registry.i18n import ui_language
from registry.municipalities.views import load_municipality
from registry.process_types.views import load_process_type
from registry.variants.services import find_variant
from registry.variants.views import DIAGRAM_MAX_STEPS

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


def _diagram(inputs: HarmonisationInputs, settings: ProposalSettings, proposal: Proposal, lang: str) -> Any:
    """The proposal drawn, each step with its support in its label ("12 av 12"), as inline SVG."""
    process = proposal.process
    if not 0 < len(process.steps) <= DIAGRAM_MAX_STEPS:
        return None
    support = {s.id: s.support.text(lang) for s in proposal.steps}

    def draw() -> bytes:
        drawn = process.copy()
        for step in process.steps:
            if step.id in support:
                drawn.replace_element(step.replace(label=f"{step.label} ({support[step.id]})"))
        title = _("Proposed common standard")
        return write_process(drawn, "svg", lang=lang, title=title)

    data: bytes = _cached(("proposal-svg", *inputs.key, settings, lang), draw)
    return inline_svg(data, id_prefix="forslag", label=_("Diagram of the proposed common standard"))


@bp.get("/samarbeid/<cooperation>/forslag/<slug>")
def proposal(cooperation: str, slug: str) -> tuple[str, int] | str:
    """Forslag til felles standard: the proposal, the support behind each step, how it departs from the standard."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    form = ProposalSettingsForm(request.args)
    form.oppslutning.choices = support_choices()
    form.vekt.choices = weighting_choices()
    status = 200
    settings = ProposalSettings()
    if request.args:
        if form.validate():
            settings = _settings_from(form)
        else:
            status = 422
    inputs = harmonisation_inputs(coop, process_type)
    lang = ui_language()
    result: Proposal | None = None
    problem = None
    if status == 200:
        try:
            result = proposal_for(inputs, settings)
        except ValidationError as exc:
            problem = exc.message
            if exc.field == "vekt":
                form.vekt.errors = [exc.message]
                status = 422
            elif exc.field:
                form.avstand.errors = [exc.message]
                status = 422
    weights = None
    if status == 200 and result is not None:
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
        proposal=result,
        problem=problem,
        lang=lang,
        diagram=_diagram(inputs, settings, result, lang) if result is not None else None,
        join_names=join_names,
        can_manage=bool(can_manage_standards(current_user, coop)),
        draft_form=draft_form,
        weights=weights,
    ), status


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


@bp.get("/kommuner/<number>/prosesser/<slug>/endringsplan")
def plan(number: str, slug: str) -> str:
    """Endringsplan: what the municipality must change to follow each of its cooperations' standards."""
    municipality = load_municipality(number)
    process_type = load_process_type(slug)
    variant = find_variant(municipality, process_type)
    if variant is None:
        abort(404, description=_("%(municipality)s has not described this process yet.", municipality=municipality.name))
    version = latest_version(variant)
    if version is None:
        abort(404)
    plans = []
    hidden = 0
    for member_plan in plans_for_variant(variant, version):
        # The plan shows the standard's content: only to those who may see that version.
        if can_view_version(current_user, member_plan.standard_version):
            plans.append(member_plan)
        else:
            hidden += 1
    return render_template(
        "harmonisation/plan.html",
        municipality=municipality,
        process_type=process_type,
        variant=variant,
        version=version,
        plans=plans,
        hidden=hidden,
        lang=ui_language(),
        effort_label=effort_label,
        comparison_link=comparison_link,
        can_edit=can_edit_municipality(current_user, municipality),
    )
