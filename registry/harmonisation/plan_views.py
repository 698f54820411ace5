"""Change plans to download (CSV, XLSX, PDF), and the coordinator's view of every member's plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from processes.harmonise import Effort
from registry.authz import can_view_divergence, can_view_version, require
from registry.cooperations.models import Cooperation
from registry.cooperations.views import load_cooperation
from registry.divergence.services import Member
from registry.divergence.views import _process_type
from registry.extensions import db
from registry.harmonisation.exports import (
    PlanSummary,
    attachment_headers,
    plans_csv,
    plans_pdf,
    plans_xlsx,
    summarise,
)
from registry.harmonisation.services import (
    MemberPlan,
    harmonisation_inputs,
    plans_for_members,
    plans_for_variant,
    version_on,
)
from registry.harmonisation.views import _as_of, _variant_of
from registry.harmonisation.words import follow_up_label
from registry.i18n import ui_language
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion
from registry.variants.views import status_label

__all__ = ["bp"]

bp = Blueprint("plan_exports", __name__)

FORMATS = "any(csv, xlsx, pdf)"
_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _version_words(version: ProcessVersion) -> str:
    return str(_("standard version %(number)s (%(status)s)", number=version.number, status=status_label(version.status)))


def _heading(mp: MemberPlan) -> str:
    towards = _("Towards the standard of %(cooperation)s", cooperation=mp.cooperation.name)
    return f"{towards}, {_version_words(mp.standard_version)}"


def effort_word(effort: Effort) -> str:
    """The effort class in one word, under the heading «Effort»."""
    return {Effort.SMALL: _("small"), Effort.MEDIUM: _("medium"), Effort.LARGE: _("large")}[effort]


def _today() -> str:
    return dt.date.today().isoformat()


def _download(data: bytes, fmt: str, name: str) -> Response:
    return Response(data, mimetype=_MIMETYPES[fmt], headers=attachment_headers(name, fmt))


@bp.get(f"/kommuner/<number>/prosesser/<slug>/endringsplan.<{FORMATS}:fmt>")
def plan_export(number: str, slug: str, fmt: str) -> Response:
    """One municipality's change plan, towards each of its cooperations' standards, as CSV, XLSX or PDF.

    Takes the plan page's ``dato`` (the plan as on a past day) and ``samarbeid`` (one cooperation's plan only).
    """
    municipality, process_type, variant, version = _variant_of(number, slug)
    on = _as_of(request.args.get("dato"))
    if on is not None:
        version = version_on(variant, on)
        if version is None:
            abort(
                404,
                description=_(
                    "%(municipality)s had not described this process by %(date)s.",
                    municipality=municipality.name,
                    date=format_date(on),
                ),
            )
    only = request.args.get("samarbeid")
    plans: list[MemberPlan] = []
    hidden: list[MemberPlan] = []
    found = plans_for_variant(variant, version, on=on)
    db.session.commit()  # saves the step classes, if this request had to make them
    for member_plan in found:
        if only and member_plan.cooperation.slug != only:
            continue
        # As on the plan page: the plan shows the standard's content, only to those who may see that version.
        (plans if can_view_version(current_user, member_plan.standard_version) else hidden).append(member_plan)
    if not plans:
        if hidden:
            require(can_view_version(current_user, hidden[0].standard_version))
        abort(
            404,
            description=_(
                "None of %(municipality)s's cooperations has a standard for this process yet, "
                "so there is no change plan to download.",
                municipality=municipality.name,
            ),
        )
    lang = ui_language()
    day = (on or dt.date.today()).isoformat()
    name = f"endringsplan-{municipality.number}-{municipality.name}-{process_type.slug}-{day}"
    if fmt == "csv":
        return _download(plans_csv(plans, lang), fmt, name)
    if fmt == "xlsx":
        return _download(plans_xlsx(plans, lang), fmt, name)
    title = _(
        "Change plan: %(type)s in %(municipality)s", type=process_type.name(lang), municipality=municipality.name
    )
    facts = [
        _("Cooperations: %(names)s.", names=", ".join(mp.cooperation.name for mp in plans)),
        _(
            "From version %(number)s of the municipality's process. Made %(date)s.",
            number=version.number,
            date=dt.date.today().strftime("%d.%m.%Y"),
        ),
    ]
    if on is not None:
        facts.append(
            _(
                "The plan as it was on %(date)s: from the version saved by then, against the standard published by then.",
                date=format_date(on),
            )
        )
    data = plans_pdf(
        title,
        facts,
        [(_heading(mp), [mp]) for mp in plans],
        lang,
        font_path=current_app.config.get("PDF_FONT_PATH"),
    )
    return _download(data, fmt, name)


@dataclass
class MemberLine:
    """One member on the coordinator's page: its plan (None without a process) and the counts."""

    member: Member
    plan: MemberPlan | None
    summary: PlanSummary


def _overview(cooperation: Cooperation, process_type: ProcessType) -> tuple[ProcessVersion | None, list[MemberLine]]:
    """Every current member's plan towards the cooperation's standard (each after the first is quick: cached classes)."""
    inputs = harmonisation_inputs(cooperation, process_type)
    standard_version = inputs.standard_version
    lines: list[MemberLine] = []
    if standard_version is None:
        return None, lines
    plans = plans_for_members(inputs)
    db.session.commit()  # saves the step classes, if this request had to make them
    for m in inputs.members:
        mp = plans.get(m.variant.id) if m.variant is not None else None
        owner = m.variant.municipality if m.variant is not None else m.municipality
        summary = summarise(mp.member if mp else m.municipality.name, owner.number, process_type.slug, mp)
        lines.append(MemberLine(m, mp, summary))
    return standard_version, lines


def _coordinator_view(cooperation: str, slug: str) -> tuple[Cooperation, ProcessType]:
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    return coop, _process_type(slug)


@bp.get("/samarbeid/<cooperation>/endringsplaner/<slug>")
def plans(cooperation: str, slug: str) -> str:
    """Every member's change plan in the cooperation: how many changes, how far each has come."""
    coop, process_type = _coordinator_view(cooperation, slug)
    standard_version, lines = _overview(coop, process_type)
    summaries = [line.summary for line in lines]
    totals = {
        key: sum(s.statuses.get(key, 0) for s in summaries)
        for key in ("not_started", "planned", "in_progress", "done", "justified")
    }
    efforts = {e: sum(s.efforts.get(e, 0) for s in summaries) for e in Effort}
    return render_template(
        "harmonisation/plans.html",
        cooperation=coop,
        process_type=process_type,
        standard_version=standard_version,
        lines=lines,
        totals=totals,
        total=sum(s.total for s in summaries),
        efforts=efforts,
        effort_word=effort_word,
        follow_up_label=follow_up_label,
        version_words=_version_words,
        lang=ui_language(),
    )


@bp.get(f"/samarbeid/<cooperation>/endringsplaner/<slug>.<{FORMATS}:fmt>")
def plans_export(cooperation: str, slug: str, fmt: str) -> Response:
    """Every member's change plan, one row per change with the member, as CSV, XLSX or PDF."""
    coop, process_type = _coordinator_view(cooperation, slug)
    standard_version, lines = _overview(coop, process_type)
    if standard_version is None:
        abort(
            404,
            description=_(
                "%(cooperation)s has no standard for this process yet, so the members have no change plans.",
                cooperation=coop.name,
            ),
        )
    lang = ui_language()
    plans = [line.plan for line in lines if line.plan is not None]
    summaries = [line.summary for line in lines]
    name = f"endringsplaner-{coop.slug}-{process_type.slug}-{_today()}"
    if fmt == "csv":
        return _download(plans_csv(plans, lang, members=True), fmt, name)
    if fmt == "xlsx":
        return _download(plans_xlsx(plans, lang, members=True, summaries=summaries), fmt, name)
    title = _("Change plans: %(type)s in %(cooperation)s", type=process_type.name(lang), cooperation=coop.name)
    facts = [
        _("Towards %(version)s.", version=_version_words(standard_version)),
        _(
            "%(members)s members, %(plans)s of them with a process. Made %(date)s.",
            members=len(lines),
            plans=len(plans),
            date=dt.date.today().strftime("%d.%m.%Y"),
        ),
    ]
    heading = _("Towards the standard of %(cooperation)s", cooperation=coop.name)
    data = plans_pdf(
        title,
        facts,
        [(heading, plans)],
        lang,
        members=True,
        summaries=summaries,
        font_path=current_app.config.get("PDF_FONT_PATH"),
    )
    return _download(data, fmt, name)
