"""The comparison page: scores, diff diagram, differences in words, and the alignment table."""

from __future__ import annotations

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
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from registry.authz import can_edit_municipality, can_view_version, require
from registry.comparisons.forms import (
    THRESHOLDS,
    AddCorrespondenceForm,
    ConfirmSuggestionsForm,
    DecisionForm,
    UndoBatchForm,
)
from registry.comparisons.models import Comparison
from registry.comparisons.services import (
    UNCERTAIN_BELOW,
    QueuedWorkLimitError,
    alignment_rows,
    comparison_diagram,
    confirm_suggestions,
    decided_pairs,
    find_comparison,
    last_batch,
    latest_version,
    open_rows,
    record_decision,
    request_comparison,
    result_of,
    standard_version_for,
    step_choices,
    undo_batch,
)
from registry.cooperations.models import Cooperation
from registry.cooperations.services import get_cooperation
from registry.errors import NotFoundError, RegistryError
from registry.exports.services import inline_svg
from registry.extensions import db
from registry.graphs import load_process
from registry.i18n import ui_language
from registry.inputs import arg_int
from registry.municipalities.models import Municipality
from registry.municipalities.views import load_municipality
from registry.process_types.models import ProcessType
from registry.process_types.views import load_process_type
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import find_variant, version_by_number

__all__ = ["bp"]

bp = Blueprint("comparisons", __name__)

PREFIX = "/kommuner/<number>/prosesser/<slug>/sammenlign"


def _variant_version(municipality: Municipality, process_type: ProcessType) -> tuple[Variant, ProcessVersion]:
    variant = find_variant(municipality, process_type)
    version = latest_version(variant) if variant is not None else None
    if variant is None or version is None:
        abort(404, description=_("%(municipality)s has not described this process yet.", municipality=municipality.name))
    number = arg_int("versjon")
    if number is not None:
        try:
            version = version_by_number(variant, number)
        except NotFoundError as exc:
            abort(404, description=exc.message)
    return variant, version


def _standard(cooperation: Cooperation, process_type: ProcessType) -> Standard:
    standard = db.session.scalar(
        select(Standard).where(Standard.cooperation_id == cooperation.id, Standard.process_type_id == process_type.id)
    )
    if standard is None:
        abort(404, description=_("%(cooperation)s has no standard for this process type yet.", cooperation=cooperation.name))
    return standard


def _sides_with_standard(number: str, slug: str, cooperation_slug: str) -> tuple[Any, ...]:
    municipality, process_type = load_municipality(number), load_process_type(slug)
    try:
        cooperation = get_cooperation(cooperation_slug)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    variant, b = _variant_version(municipality, process_type)
    standard = _standard(cooperation, process_type)
    a = standard_version_for(standard)
    if a is None:
        abort(404, description=_("%(cooperation)s has no standard version yet.", cooperation=cooperation.name))
    # Before anything is published members are compared with a draft: the draft's own rule decides.
    require(can_view_version(current_user, a))
    a_name = _("the standard of %(cooperation)s", cooperation=cooperation.name)
    return municipality, process_type, variant, a, b, a_name


def _sides_with_variant(number: str, slug: str, other_number: str) -> tuple[Any, ...]:
    municipality, process_type = load_municipality(number), load_process_type(slug)
    other_municipality = load_municipality(other_number)
    variant, b = _variant_version(municipality, process_type)
    other = find_variant(other_municipality, process_type)
    a = latest_version(other) if other is not None else None
    if other is None or a is None or other.id == variant.id:
        abort(404, description=_("%(municipality)s has not described this process yet.", municipality=other_municipality.name))
    return municipality, process_type, variant, a, b, other_municipality.name


SCORE_SENTENCES = {
    "overall": lambda: _("Overall: the average of the three measures below."),
    "labels": lambda: _("Names: how many steps have a counterpart, and how alike the names of corresponding steps are."),
    "structure": lambda: _("Structure: how many steps and connections between steps the two have in common."),
    "behaviour": lambda: _("Behaviour: how alike the possible orders are – which steps follow each other, run in parallel or exclude each other."),
}
SCORE_NAMES = {
    "overall": lambda: _("Overall similarity"),
    "labels": lambda: _("Names"),
    "structure": lambda: _("Structure"),
    "behaviour": lambda: _("Behaviour"),
}


def _render(
    *,
    municipality: Municipality,
    process_type: ProcessType,
    variant: Variant,
    a: ProcessVersion,
    b: ProcessVersion,
    a_name: str,
    row: Comparison | None,
    add_form: AddCorrespondenceForm | None = None,
) -> str:
    lang = ui_language()
    result = result_of(row) if row is not None else {}
    can_decide = can_edit_municipality(current_user, variant.municipality)
    context: dict[str, Any] = {
        "municipality": municipality,
        "process_type": process_type,
        "variant": variant,
        "a": a,
        "b": b,
        "a_name": a_name,
        "row": row,
        "can_decide": can_decide,
        "decision_form": DecisionForm(),
        "score_names": {k: f() for k, f in SCORE_NAMES.items()},
        "score_sentences": {k: f() for k, f in SCORE_SENTENCES.items()},
    }
    if row is not None and result:
        svg = comparison_diagram(row, lang)
        db.session.commit()  # keeps the drawing for the next visitor
        rows = alignment_rows(row, lang)
        context.update(
            result=result[lang],
            diagram=inline_svg(svg, id_prefix="cmp", label=_("Diagram: %(b)s compared with %(a)s", a=a_name, b=variant.municipality.name))
            if svg
            else None,
            rows=rows,
            uncertain_below=UNCERTAIN_BELOW,
        )
        if can_decide:
            context["confirm_form"] = ConfirmSuggestionsForm(prefix="alle", formdata=None)
            decided = decided_pairs(row)
            context["open_counts"] = {t: len(open_rows(rows, t / 100, decided)) for t in THRESHOLDS}
            context["undo_form"] = UndoBatchForm(prefix="angre", formdata=None)
            context["last_batch"] = last_batch(a.owner, variant)
            form = add_form or AddCorrespondenceForm(prefix="add")
            a_proc, b_proc = load_process(a), load_process(b)
            form.a_step.choices = [("", _("Choose a step"))] + step_choices(a_proc, lang)
            form.b_step.choices = [("", _("Choose a step"))] + step_choices(b_proc, lang)
            form.a_step.label.text = _("Step in %(name)s", name=a_name)
            form.b_step.label.text = _("Step in %(name)s", name=variant.municipality.name)
            context["add_form"] = form
    return render_template("comparisons/show.html", **context)


def _page(sides: tuple[Any, ...]) -> str:
    municipality, process_type, variant, a, b, a_name = sides
    try:
        if current_user.is_authenticated:
            # Filling the store on first view (or after an engine upgrade) is the queue's job; inline mode computes now.
            row: Comparison | None = request_comparison(
                a, b, user=current_user, max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"])
            )
        else:
            # Anonymous GETs never write: a missing comparison waits for a signed-in visitor or a save.
            row = find_comparison(a, b)
    except QueuedWorkLimitError as exc:
        db.session.rollback()
        abort(429, description=exc.message)
    except RegistryError as exc:
        abort(404, description=exc.message)
    db.session.commit()
    return _render(municipality=municipality, process_type=process_type, variant=variant, a=a, b=b, a_name=a_name, row=row)


@bp.get(PREFIX + "/standard/<cooperation>")
def with_standard(number: str, slug: str, cooperation: str) -> str:
    """The municipality's process compared with its cooperation's standard."""
    return _page(_sides_with_standard(number, slug, cooperation))


@bp.get(PREFIX + "/kommune/<other>")
def with_variant(number: str, slug: str, other: str) -> str:
    """The municipality's process compared with another municipality's."""
    return _page(_sides_with_variant(number, slug, other))


def _decide(sides: tuple[Any, ...], back: str) -> str | Response:
    municipality, process_type, variant, a, b, a_name = sides
    require(can_edit_municipality(current_user, variant.municipality))
    row = request_comparison(a, b)
    if "alle-threshold" in request.form or "angre-batch" in request.form:
        return _batch(row, back)
    if "add-a_step" in request.form:
        add_form = AddCorrespondenceForm(prefix="add")
        a_proc, b_proc = load_process(a), load_process(b)
        add_form.a_step.choices = step_choices(a_proc, ui_language())
        add_form.b_step.choices = step_choices(b_proc, ui_language())
        if not add_form.validate_on_submit():
            db.session.rollback()
            return _render(
                municipality=municipality, process_type=process_type, variant=variant, a=a, b=b, a_name=a_name,
                row=row, add_form=add_form,
            )
        a_ids, b_ids, decision = [add_form.a_step.data], [add_form.b_step.data], "confirmed"
    else:
        form = DecisionForm()
        if not form.validate_on_submit():
            abort(400, description=_("The form was incomplete. Go back and try again."))
        a_ids = [x for x in (form.a_steps.data or "").split(",") if x]
        b_ids = [y for y in (form.b_steps.data or "").split(",") if y]
        decision = form.decision.data or ""
    try:
        record_decision(row, a_step_ids=a_ids, b_step_ids=b_ids, decision=decision, user=current_user)
    except RegistryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(
        _("Your decision is saved and the comparison is updated.")
        if decision == "confirmed"
        else _("The correspondence is rejected and will not be suggested again."),
        "success",
    )
    return redirect(back + "#alignment")


def _batch(row: Comparison, back: str) -> Response:
    """Confirm all suggestions above a score at once, or undo the last such batch."""
    incomplete = _("The form was incomplete. Go back and try again.")
    try:
        if "angre-batch" in request.form:
            undo = UndoBatchForm(prefix="angre")
            if not undo.validate_on_submit():
                abort(400, description=incomplete)
            _row, count = undo_batch(row, undo.batch.data or "")
            message = ngettext("%(num)s confirmation is undone; the comparison is as before.",
                               "%(num)s confirmations are undone; the comparison is as before.", count)
        else:
            form = ConfirmSuggestionsForm(prefix="alle")
            if not form.validate_on_submit() or not (form.threshold.data or "").isdigit():
                abort(400, description=incomplete)
            _row, count = confirm_suggestions(row, threshold=int(form.threshold.data) / 100, user=current_user)
            message = ngettext("%(num)s suggestion is confirmed. You can undo it below.",
                               "%(num)s suggestions are confirmed. You can undo them below.", count)
    except RegistryError as exc:
        db.session.rollback()
        # Undoing what is undone already is news, not an error.
        flash(exc.message, "info" if isinstance(exc, NotFoundError) else "error")
        return redirect(back + "#alignment")
    db.session.commit()
    flash(message, "success")
    return redirect(back + "#alignment")


def _map_args() -> dict[str, str]:
    """``kart`` (the divergence map the page was opened from) when it is a plain slug, to keep the way back."""
    value = request.args.get("kart", "")
    ok = 0 < len(value) <= 100 and value.isascii() and value.replace("-", "").replace("_", "").isalnum()
    return {"kart": value} if ok else {}


@bp.post(PREFIX + "/standard/<cooperation>")
def decide_with_standard(number: str, slug: str, cooperation: str) -> str | Response:
    """Confirm, reject or add a correspondence between the standard and the municipality's process."""
    back = url_for(".with_standard", number=number, slug=slug, cooperation=cooperation, **_map_args())
    return _decide(_sides_with_standard(number, slug, cooperation), back)


@bp.post(PREFIX + "/kommune/<other>")
def decide_with_variant(number: str, slug: str, other: str) -> str | Response:
    """Confirm, reject or add a correspondence between another municipality's process and this one."""
    back = url_for(".with_variant", number=number, slug=slug, other=other, **_map_args())
    return _decide(_sides_with_variant(number, slug, other), back)
