"""Gevinstoversikt per municipality and per cooperation, the inputs behind it, exports, digital maturity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from processes import FormatError
from processes.gains import Spread
from processes.harmonise import join_names
from registry.authz import (
    can_edit_municipality,
    can_manage_standards,
    can_view_divergence,
    can_view_version,
    require,
)
from registry.charts import Bars, Series, bar_chart, line_chart
from registry.cooperations.views import load_cooperation
from registry.divergence.exports import Table, to_xlsx
from registry.divergence.views import _process_type
from registry.errors import RegistryError
from registry.extensions import db
from registry.forms import attach_error
from registry.gains.forms import (
    DeleteEventLogForm,
    EventLogForm,
    assumptions_form,
    gain_plan_form,
    mode_pair_label,
    process_inputs_form,
)
from registry.gains.models import GainEventLog
from registry.gains.services import (
    CooperationEstimate,
    MemberGains,
    PlanState,
    assumption_set,
    cooperation_estimate,
    cooperation_maturity,
    cooperation_maturity_over_time,
    delete_event_log,
    event_logs,
    log_measurement,
    member_gains,
    mode_savings,
    municipality_maturity,
    plan_state,
    process_row,
    save_assumptions,
    save_event_log,
    save_gain_plan,
    save_process_inputs,
    step_rows,
)
from registry.graphs import load_process
from registry.harmonisation.exports import PdfBlock, attachment_headers, table_pdf
from registry.harmonisation.services import plans_for_variant
from registry.harmonisation.views import _variant_of
from registry.i18n import ui_language
from registry.municipalities.views import load_municipality
from registry.standards.services import types_with_standards
from registry.variants.views import format_error_text

__all__ = ["bp"]

bp = Blueprint("gains", __name__)

_MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
#: The most members and changes drawn in a chart (the tables list all of them).
CHART_MAX = 10


def figure(value: float, places: int = 0) -> str:
    """A figure the way the page's language writes it."""
    return str(format_decimal(float(value), format="#,##0" + ("." + "0" * places if places else "")))


def spread_text(s: Spread, places: int = 0) -> str:
    """«50 (lav 40, høy 90)»; only the figure when there is no spread."""
    if s.is_exact:
        return figure(s.expected, places)
    return str(_("%(expected)s (low %(low)s, high %(high)s)", expected=figure(s.expected, places),
             low=figure(s.low, places), high=figure(s.high, places)))


# --- one municipality -------------------------------------------------------------------------


def _member_gains(number_: str, slug: str) -> tuple[Any, Any, Any, Any, list[MemberGains], int]:
    municipality, process_type, variant, version = _variant_of(number_, slug)
    shown, hidden = [], 0
    for mp in plans_for_variant(variant, version):
        if can_view_version(current_user, mp.standard_version):
            shown.append(member_gains(mp))
        else:
            hidden += 1
    # Saves the step classes the plans were made from, if this page had to make them.
    db.session.commit()
    return municipality, process_type, variant, version, shown, hidden


@bp.get("/kommuner/<number>/prosesser/<slug>/gevinster")
def member(number: str, slug: str) -> str:
    """Gevinstoversikt: what following each cooperation's standard is worth for the municipality, line by line."""
    municipality, process_type, variant, version, gains, hidden = _member_gains(number, slug)
    return render_template(
        "gains/member.html", municipality=municipality, process_type=process_type, variant=variant,
        version=version, gains=gains, hidden=hidden, lang=ui_language(), spread_text=spread_text, figure=figure,
        can_edit=bool(can_edit_municipality(current_user, municipality)), today=dt.date.today(),
    )


def _member_tables(gains: list[MemberGains], lang: str) -> tuple[Table, Table, Table]:
    summary: Table = [[_("Cooperation"), _("Standard version"), _("Baseline (nullpunkt)"), _("Cases per year"),
                       _("Hours per year, low"), _("Hours per year, expected"), _("Hours per year, high"),
                       _("NOK per year, low"), _("NOK per year, expected"), _("NOK per year, high"),
                       _("Days per case, expected"), _("Summary")]]
    lines: Table = [[_("Cooperation"), _("No."), _("Change"), _("Hours per year, low"), _("Hours per year, expected"),
                     _("Hours per year, high"), _("NOK per year, low"), _("NOK per year, expected"),
                     _("NOK per year, high"), _("Days per case, expected"), _("Calculation")]]
    assumptions: Table = [[_("Cooperation"), _("No."), _("Stands in for a missing input"), _("Assumption")]]
    for g in gains:
        e = g.estimate
        summary.append([g.cooperation.name, g.plan.standard_version.number, g.baseline_date.isoformat(),
                        e.cases_per_year.value.expected, e.hours.low, e.hours.expected, e.hours.high, e.nok.low,
                        e.nok.expected, e.nok.high, e.lead_days.expected, e.summary(lang)])
        for a in e.assumptions:
            assumptions.append([g.cooperation.name, None, _("yes") if a.missing else _("no"), a.text(lang)])
        for n, line in enumerate(e.lines, start=1):
            lines.append([g.cooperation.name, n, line.text(lang), line.hours.low, line.hours.expected,
                          line.hours.high, line.nok.low, line.nok.expected, line.nok.high, line.lead_days.expected,
                          "\n".join(line.sentences(lang))])
            for a in line.assumptions:
                assumptions.append([g.cooperation.name, n, _("yes") if a.missing else _("no"), a.text(lang)])
    return summary, lines, assumptions


def _download(data: bytes, fmt: str, name: str) -> Response:
    return Response(data, mimetype=_MIMETYPES[fmt], headers=attachment_headers(name, fmt))


@bp.get("/kommuner/<number>/prosesser/<slug>/gevinster/eksport.<any(xlsx, pdf):fmt>")
def member_export(number: str, slug: str, fmt: str) -> Response:
    """The gevinstoversikt as a spreadsheet (overview, lines, assumptions) or a printable PDF."""
    municipality, process_type, _variant, version, gains, _hidden = _member_gains(number, slug)
    lang = ui_language()
    summary, lines, assumptions = _member_tables(gains, lang)
    title = _("Gains overview: %(type)s in %(municipality)s", type=process_type.name(lang), municipality=municipality.name)
    name = f"{_('gains')} {municipality.name} {process_type.slug}"
    if fmt == "xlsx":
        return _download(to_xlsx([(_("Overview"), summary), (_("Changes"), lines), (_("Assumptions"), assumptions)]),
                         fmt, name)
    facts = [
        _("Baseline (nullpunkt): version %(number)s of the process, saved %(date)s.", number=version.number,
          date=format_date(version.created_at.date())),
        _("Computed %(date)s. Positive figures are gains: hours and kroner saved, days shorter.",
          date=format_date()),
    ]
    blocks: list[PdfBlock] = []
    if not gains:
        blocks.append(PdfBlock(text=_("No cooperation of the municipality has a standard for this process to estimate against.")))
    for g in gains:
        e = g.estimate
        blocks.append(PdfBlock(heading=_("Towards the standard of %(cooperation)s", cooperation=g.cooperation.name),
                               text=e.summary(lang)))
        table: Table = [[_("No."), _("Change"), _("Hours per year"), _("NOK per year"), _("Days per case"),
                         _("Calculation")]]
        for n, line in enumerate(e.lines, start=1):
            table.append([n, line.text(lang), spread_text(line.hours, 1), spread_text(line.nok),
                          figure(line.lead_days.expected, 1), "\n".join(line.sentences(lang))])
        blocks.append(PdfBlock(table=table, widths=(8, 70, 30, 34, 16, 110)))
        rows: Table = [[_("Stands in for a missing input"), _("Assumption")]]
        rows += [[_("yes") if a.missing else _("no"), a.text(lang)] for a in e.assumptions]
        rows += [[_("yes") if a.missing else _("no"), f"{n}. {a.text(lang)}"]
                 for n, line in enumerate(e.lines, start=1) for a in line.assumptions]
        blocks.append(PdfBlock(heading=_("Assumptions"), table=rows, widths=(30, 238)))
    pdf = table_pdf(title, facts, blocks, lang=lang, font_path=current_app.config.get("PDF_FONT_PATH"))
    return _download(pdf, fmt, name)


@bp.route("/kommuner/<number>/prosesser/<slug>/gevinster/inndata", methods=["GET", "POST"])
def member_inputs(number: str, slug: str) -> tuple[str, int] | WerkzeugResponse:
    """The owner's figures: cases per year with their source, and per step work minutes, postage and share of cases."""
    municipality, process_type, variant, version = _variant_of(number, slug)
    require(can_edit_municipality(current_user, municipality))
    process = load_process(version)
    source = process_row(variant)
    stored = step_rows(variant)
    posted = request.method == "POST"
    form = process_inputs_form(process, stored, cases=variant.cases_per_year,
                               source=source.cases_source if source is not None else "", formdata=posted)
    status = 200
    if posted:
        if form.validate():
            save_process_inputs(variant, cases_per_year=getattr(form.saker, "number", None),
                                cases_source=(form.saker_kilde.data or "").strip(), steps=form.figures(),
                                user=current_user)
            db.session.commit()
            flash(_("The figures are saved."), "success")
            return redirect(url_for(".member", number=municipality.number, slug=process_type.slug))
        status = 422
    return _inputs_page(municipality, process_type, variant, version, process, form=form), status


def _inputs_page(municipality: Any, process_type: Any, variant: Any, version: Any, process: Any, *,
                 form: Any = None, log_form: EventLogForm | None = None) -> str:
    """The figures page: the owner's figures and the event logs that measure the process."""
    from processes.render import mode_cue

    lang = ui_language()
    if form is None:
        source = process_row(variant)
        form = process_inputs_form(process, step_rows(variant), cases=variant.cases_per_year,
                                   source=source.cases_source if source is not None else "", formdata=False)
    logs = event_logs(variant)
    measurement = log_measurement(logs[0], process) if logs else None
    labels = {s.id: s.label for s in process.steps}
    # The measured steps in the process's order, as in the figures table above.
    measured = [measurement.steps[s.id] for s in process.steps if s.id in measurement.steps] if measurement else []
    return render_template(
        "gains/inputs.html", municipality=municipality, process_type=process_type, version=version, form=form,
        modes={s.id: mode_cue(s.mode, lang) if s.mode is not None else "" for s in process.steps},
        log_form=log_form or EventLogForm(formdata=None), delete_form=DeleteEventLogForm(), logs=logs,
        measurement=measurement, measured=measured, labels=labels, figure=figure,
    )


@bp.post("/kommuner/<number>/prosesser/<slug>/gevinster/hendelseslogg")
def event_log_upload(number: str, slug: str) -> tuple[str, int] | WerkzeugResponse:
    """Measure the process from an event log: cases per year, share of cases and time per step."""
    municipality, process_type, variant, version = _variant_of(number, slug)
    require(can_edit_municipality(current_user, municipality))
    form = EventLogForm()
    process = load_process(version)
    if form.validate():
        file = form.logg.data
        filename = (file.filename or "logg").rsplit("/", 1)[-1][:255]
        try:
            row = save_event_log(
                variant, data=file.read(), filename=filename,
                options={"case_column": form.case_column.data, "activity_column": form.activity_column.data,
                         "timestamp_column": form.timestamp_column.data},
                period_days=getattr(form.dager, "number", None),
                max_bytes=current_app.config.get("MAX_CONTENT_LENGTH"), user=current_user,
            )
        except FormatError as exc:
            db.session.rollback()
            form.logg.errors = [*form.logg.errors, format_error_text(exc)]
        except RegistryError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            measured = log_measurement(row, process)
            flash(ngettext("The event log is read: %(num)s case over %(days)s days, %(steps)s steps of the process found.",
                           "The event log is read: %(num)s cases over %(days)s days, %(steps)s steps of the process found.",
                           row.cases, days=figure(row.period_days), steps=len(measured.steps)), "success")
            return redirect(url_for(".member_inputs", number=municipality.number, slug=process_type.slug)
                            + "#event-log-heading")
    return _inputs_page(municipality, process_type, variant, version, process, log_form=form), 422


@bp.post("/kommuner/<number>/prosesser/<slug>/gevinster/hendelseslogg/<int:log_id>/slett")
def event_log_delete(number: str, slug: str, log_id: int) -> WerkzeugResponse:
    """Forget an uploaded event log (the one before it, if any, is used again)."""
    municipality, process_type, variant, _version = _variant_of(number, slug)
    require(can_edit_municipality(current_user, municipality))
    row = db.session.get(GainEventLog, log_id)
    if row is None or row.variant_id != variant.id:
        abort(404)
    if not DeleteEventLogForm().validate():
        abort(400)
    name = row.filename
    delete_event_log(row)
    db.session.commit()
    flash(_("The event log %(file)s is removed.", file=name), "success")
    return redirect(url_for(".member_inputs", number=municipality.number, slug=process_type.slug)
                    + "#event-log-heading")


# --- the gevinstrealiseringsplan ------------------------------------------------------------


def status_label(status: str) -> str:
    """A realisation status in words (never colour alone)."""
    words: dict[str, str] = {
        "realised": _("Realised"), "partly": _("Partly realised"), "not_yet": _("Not realised yet"),
        "opposite": _("Went the wrong way"), "none_expected": _("No gain expected"),
    }
    return words.get(status, status)


def _plan_state(number_: str, slug: str, cooperation_slug: str) -> tuple[Any, Any, Any, PlanState]:
    municipality, process_type, variant, version = _variant_of(number_, slug)
    coop = load_cooperation(cooperation_slug)
    state = plan_state(variant, coop, version)
    if state is None or not can_view_version(current_user, state.plan.standard_version):
        abort(404)
    # Saves the step classes the plans were made from, if this page had to make them.
    db.session.commit()
    return municipality, process_type, coop, state


@bp.route("/kommuner/<number>/prosesser/<slug>/gevinster/plan/<cooperation>", methods=["GET", "POST"])
def plan(number: str, slug: str, cooperation: str) -> tuple[str, int] | WerkzeugResponse:
    """Gevinstrealiseringsplan: owner, date and measure per expected gain; realised beside expected after a change."""
    municipality, process_type, coop, state = _plan_state(number, slug, cooperation)
    can_edit = bool(can_edit_municipality(current_user, municipality))
    posted = request.method == "POST"
    if posted:
        require(can_edit_municipality(current_user, municipality))
    lang = ui_language()
    form = gain_plan_form([(e.key, e.expected.text(lang), e.row) for e in state.lines], formdata=posted)
    status = 200
    if posted:
        if form.validate():
            first = not state.recorded
            save_gain_plan(state, form.entries(), user=current_user)
            db.session.commit()
            flash(_("The plan is saved, and its baseline (nullpunkt) recorded.") if first else _("The plan is saved."),
                  "success")
            return redirect(url_for(".plan", number=municipality.number, slug=process_type.slug,
                                    cooperation=coop.slug))
        status = 422
    return render_template(
        "gains/plan.html", municipality=municipality, process_type=process_type, cooperation=coop, state=state,
        form=form, can_edit=can_edit, lang=lang, spread_text=spread_text, figure=figure, status_label=status_label,
    ), status


def _plan_table(state: PlanState, lang: str) -> Table:
    table: Table = [[_("No."), _("Change"), _("Owner"), _("Date"), _("Measure"), _("Hours per year, expected"),
                     _("NOK per year, expected"), _("Days per case, expected"), _("Hours per year, realised"),
                     _("NOK per year, realised"), _("Days per case, realised"), _("Status"), _("Realised")]]
    for n, e in enumerate(state.lines, start=1):
        r = e.realised
        table.append([
            n, e.expected.text(lang), e.row.owner if e.row else "",
            e.row.due.isoformat() if e.row and e.row.due else "", e.row.measure if e.row else "",
            e.expected.hours.expected, e.expected.nok.expected, e.expected.lead_days.expected,
            r.hours if r else None, r.nok if r else None, r.lead_days if r else None,
            status_label(r.status) if r else "", r.text(lang) if r else "",
        ])
    return table


def _plan_facts(state: PlanState) -> list[str]:
    facts = []
    if state.row is None:
        facts.append(_("No baseline (nullpunkt) is recorded yet: it is recorded when the plan is first saved."))
    else:
        facts.append(_("Baseline (nullpunkt): version %(number)s of the process, recorded %(date)s.",
                       number=state.row.baseline_version.number, date=format_date(state.row.baseline_date)))
    if state.realisation is not None:
        facts.append(_("Realised: measured in version %(number)s with the figures of %(date)s, at the baseline's cases per year.",
                       number=state.current.number, date=format_date(state.realisation.later.date)))
    elif state.row is not None:
        facts.append(_("Nothing is realised yet: the process and its figures are as at the baseline."))
    return facts


@bp.get("/kommuner/<number>/prosesser/<slug>/gevinster/plan/<cooperation>/eksport.<any(xlsx, pdf):fmt>")
def plan_export(number: str, slug: str, cooperation: str, fmt: str) -> Response:
    """The gevinstrealiseringsplan as a spreadsheet or a printable PDF."""
    municipality, process_type, coop, state = _plan_state(number, slug, cooperation)
    lang = ui_language()
    table = _plan_table(state, lang)
    title = _("Benefits realisation plan: %(type)s in %(municipality)s", type=process_type.name(lang),
              municipality=municipality.name)
    name = f"{_('gains plan')} {municipality.name} {process_type.slug} {coop.slug}"
    facts = [_("Towards the standard of %(cooperation)s", cooperation=coop.name), *_plan_facts(state)]
    if fmt == "xlsx":
        overview: Table = [[_("About the plan")], *[[f] for f in facts]]
        return _download(to_xlsx([(_("Plan"), table), (_("About the plan"), overview)]), fmt, name)
    rows: Table = [[_("No."), _("Change"), _("Owner, date, measure"), _("Expected"), _("Realised")]]
    for n, e in enumerate(state.lines, start=1):
        who = "\n".join(x for x in (e.row.owner if e.row else "", format_date(e.row.due) if e.row and e.row.due else "",
                                     e.row.measure if e.row else "") if x)
        expected = _("%(hours)s hours, %(nok)s kroner per year", hours=spread_text(e.expected.hours, 1),
                     nok=spread_text(e.expected.nok))
        got = (status_label(e.realised.status) + "\n" + e.realised.text(lang)) if e.realised else "–"
        rows.append([n, e.expected.text(lang), who, expected, got])
    blocks = [PdfBlock(table=rows, widths=(8, 80, 60, 50, 70))]
    pdf = table_pdf(title, facts, blocks, lang=lang, font_path=current_app.config.get("PDF_FONT_PATH"))
    return _download(pdf, fmt, name)


# --- the cooperation --------------------------------------------------------------------------


def _member_chart(state: CooperationEstimate) -> tuple[Markup, list[list[Any]]]:
    ranked = state.gains.members
    top = ranked[:CHART_MAX]
    chart = bar_chart(
        [Bars(_("NOK per year, expected"), [max(m.nok.expected, 0.0) for m in top])],
        [m.member for m in top],
        title=_("Expected gain per member, NOK per year"),
        description=(
            _("Largest expected gain: %(member)s, %(nok)s kroner per year.", member=top[0].member,
              nok=figure(top[0].nok.expected)) if top else _("No member has a change plan.")
        ),
        id_prefix="members",
        empty_text=_("Nothing to show"),
        value_format=lambda v: figure(v / 1000) + "k" if v >= 1000 else figure(v),
    )
    rows = [
        [Markup('<a href="{}">{}</a> (<a href="{}">{}</a>)').format(
            url_for(".member", number=state.plans[m.member].variant.municipality.number,
                    slug=state.inputs.process_type.slug), m.member,
            url_for(".plan", number=state.plans[m.member].variant.municipality.number,
                    slug=state.inputs.process_type.slug, cooperation=state.inputs.cooperation.slug),
            _("Benefits realisation plan")),
         spread_text(m.hours, 1), spread_text(m.nok), figure(m.lead_days.expected, 1), m.missing]
        for m in ranked
    ]
    return chart, rows


@bp.get("/samarbeid/<cooperation>/gevinster/<slug>")
def cooperation(cooperation: str, slug: str) -> str:
    """The cooperation's gevinstoversikt: members ranked by gain and changes ranked, so the coordinator sees where to start."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    state = cooperation_estimate(coop, process_type)
    db.session.commit()
    chart, rows = _member_chart(state)
    return render_template(
        "gains/cooperation.html", cooperation=coop, process_type=process_type, state=state, chart=chart, rows=rows,
        lang=ui_language(), spread_text=spread_text, figure=figure, join_names=join_names,
        can_manage=bool(can_manage_standards(current_user, coop)),
    )


@bp.get("/samarbeid/<cooperation>/gevinster/<slug>/eksport.<any(xlsx, pdf):fmt>")
def cooperation_export(cooperation: str, slug: str, fmt: str) -> Response:
    """The cooperation's gevinstoversikt as a spreadsheet or a printable PDF."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    process_type = _process_type(slug)
    state = cooperation_estimate(coop, process_type)
    db.session.commit()
    lang = ui_language()
    members: Table = [[_("Rank"), _("Municipality"), _("Hours per year, low"), _("Hours per year, expected"),
                       _("Hours per year, high"), _("NOK per year, low"), _("NOK per year, expected"),
                       _("NOK per year, high"), _("Days per case, expected"), _("Missing inputs")]]
    for n, m in enumerate(state.gains.members, start=1):
        members.append([n, m.member, m.hours.low, m.hours.expected, m.hours.high, m.nok.low, m.nok.expected,
                        m.nok.high, m.lead_days.expected, m.missing])
    changes: Table = [[_("Rank"), _("Change"), _("Members"), _("Hours per year, expected"), _("NOK per year, expected")]]
    for n, c in enumerate(state.gains.changes, start=1):
        changes.append([n, c.text(lang), join_names(list(c.members), lang), c.hours.expected, c.nok.expected])
    assumptions = _assumption_lines(state, lang)
    assumption_table: Table = [[_("Assumption")]]
    assumption_table += [[a] for a in assumptions]
    title = _("Gains overview: %(type)s in %(cooperation)s", type=process_type.name(lang), cooperation=coop.name)
    name = f"{_('gains')} {coop.name} {process_type.slug}"
    if fmt == "xlsx":
        return _download(to_xlsx([(_("Members"), members), (_("Changes"), changes),
                                  (_("Assumptions"), assumption_table)]), fmt, name)
    g = state.gains
    facts = [_("Total: %(hours)s hours per year, %(nok)s kroner per year.", hours=spread_text(g.hours, 1),
               nok=spread_text(g.nok)),
             _("Computed %(date)s. Positive figures are gains: hours and kroner saved, days shorter.",
               date=format_date())]
    blocks = [PdfBlock(heading=_("Members by gain"), table=members, widths=(10, 40, 20, 20, 20, 24, 24, 24, 18, 18)),
              PdfBlock(heading=_("Changes by gain"), table=changes, widths=(10, 120, 80, 24, 30)),
              PdfBlock(heading=_("Assumptions"), text="\n".join(assumptions))]
    pdf = table_pdf(title, facts, blocks, lang=lang, font_path=current_app.config.get("PDF_FONT_PATH"))
    return _download(pdf, fmt, name)


def _assumption_lines(state: CooperationEstimate, lang: str) -> list[str]:
    a = state.assumptions
    out = []
    if a.hourly_cost is None:
        out.append(_("No hourly cost is given: hours are not turned into kroner."))
    else:
        out.append(_("Hourly cost: %(nok)s kroner (%(source)s).", nok=figure(a.hourly_cost.nok),
                     source=a.hourly_cost.source))
    for s in a.mode_savings:
        out.append(_("Saving %(pair)s: %(share)s of the work minutes.",
                     pair=mode_pair_label(s.source.value if s.source else "", s.target.value),
                     share=spread_text(Spread(s.work_share.low * 100, s.work_share.expected * 100,
                                              s.work_share.high * 100)) + " %"))
    if not a.mode_savings:
        out.append(_("No default savings per change of mode are given: a new mode saves nothing in the estimate."))
    return out


@bp.route("/samarbeid/<cooperation>/gevinstforutsetninger", methods=["GET", "POST"])
def assumptions(cooperation: str) -> tuple[str, int] | WerkzeugResponse:
    """The coordinator's assumptions: the hourly cost with its source, default savings per change of mode."""
    coop = load_cooperation(cooperation)
    require(can_manage_standards(current_user, coop))
    row = assumption_set(coop)
    if request.method == "POST":
        form = assumptions_form(formdata=True)
        if form.validate():
            save_assumptions(coop, hourly_cost=form.hourly_cost(), hourly_source=(form.kilde.data or "").strip(),
                             savings_source=(form.besparelse_kilde.data or "").strip(), savings=form.savings(),
                             user=current_user)
            db.session.commit()
            flash(_("The assumptions are saved."), "success")
            return redirect(url_for(".assumptions", cooperation=coop.slug))
        status = 422
    else:
        data: dict[str, Any] = {}
        if row is not None:
            data = {"timekostnad": figure(row.hourly_cost_nok).replace("\u00a0", " ") if row.hourly_cost_nok is not None else "",
                    "kilde": row.hourly_cost_source, "besparelse_kilde": row.savings_source}
        for (source, target), saving in mode_savings(coop).items():
            key = f"{source or 'alle'}_{target}"
            for part, value in (("lav", saving.low), ("forventet", saving.expected), ("hoy", saving.high)):
                data[f"{key}_{part}"] = f"{value * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        form = assumptions_form(formdata=None, **data)
        status = 200
    pairs = [(key, mode_pair_label(source, target)) for key, source, target in form.pairs]
    types = types_with_standards(coop)
    return render_template("gains/assumptions.html", cooperation=coop, form=form, pairs=pairs, row=row,
                           types=types), status


@bp.get("/samarbeid/<cooperation>/digital-modenhet")
def maturity(cooperation: str) -> str:
    """How digital each member's processes are: municipalities × process types, from the latest versions."""
    coop = load_cooperation(cooperation)
    require(can_view_divergence(current_user, coop))
    lang = ui_language()
    state = cooperation_maturity(coop)
    table = state.table
    rows = sorted(table.rows.items(), key=lambda kv: (-(kv[1].digital_share or 0), kv[0]))
    top = rows[:CHART_MAX]
    chart = bar_chart(
        [Bars(_("Share of steps done digitally"), [100 * (m.digital_share or 0) for _n, m in top])],
        [n for n, _m in top],
        title=_("Share of steps done digitally, automatically or as self-service, per member"),
        description=table.text(lang),
        id_prefix="maturity",
        percent=True,
        empty_text=_("No member has registered a process yet"),
        value_format=lambda v: f"{v:.0f} %",
    )
    chart_rows = [[n, m.total, m.digital, m.counts["paper"], m.counts["unknown"],
                   f"{100 * m.digital_share:.0f} %" if m.digital_share is not None else "–"] for n, m in rows]
    history = cooperation_maturity_over_time(coop)
    names = {slug: t.name(lang) for slug, t in history.types.items()}
    labels = [str(format_date(d, "MMM y")) for d in history.dates]

    def percents(points: Any) -> list[float | None]:
        return [100 * m.digital_share if m is not None and m.digital_share is not None else None for m in points]

    over_time = line_chart(
        [Series(_("All process types"), percents(history.overall))]
        + [Series(names[slug], percents(points)) for slug, points in history.by_type.items()],
        labels,
        title=_("Share of steps done digitally, automatically or as self-service, month by month"),
        description=_("Each month counts the version every member had at the end of that month."),
        id_prefix="coop-over-time", empty_text=_("No member has registered a process yet"),
        value_format=lambda v: f"{v:.0f} %",
    )
    history_rows = [
        [str(format_date(d, "MMM y")), _share_or_dash(history.overall[i])]
        + [f"{_share_or_dash(history.by_type[slug][i])} ({history.members[slug][i]})" for slug in history.by_type]
        for i, d in enumerate(history.dates)
    ]
    return render_template("gains/maturity.html", cooperation=coop, state=state, table=table, chart=chart,
                           chart_rows=chart_rows, lang=lang, over_time=over_time, history=history,
                           history_names=names, history_rows=history_rows)


def _share_or_dash(m: Any) -> str:
    """«82 %» of a maturity, or «–» when there is none (no process yet) or no step to count."""
    return _share(m) if m is not None else "–"




def _share(m: Any) -> str:
    """«82 %», or «–» when there are no steps to count."""
    return f"{100 * m.digital_share:.0f} %" if m.digital_share is not None else "–"


@bp.get("/kommuner/<number>/digital-modenhet")
def municipality_maturity_page(number: str) -> str:
    """How digital the municipality's processes are: each latest version, all combined, and every version over time."""
    municipality = load_municipality(number)
    lang = ui_language()
    state = municipality_maturity(municipality)
    names = {slug: t.name(lang) for slug, t in state.types.items()}
    longest = max((len(v) for v in state.versions.values()), default=0)
    labels = [str(_("Version %(number)s", number=n)) for n in range(1, longest + 1)]
    series = []
    for slug, points in state.over_time.items():
        values: list[float | None] = [None] * longest
        for version, point in zip(state.versions[slug], points, strict=True):
            share = point.maturity.digital_share
            if version.number <= longest:
                values[version.number - 1] = 100 * share if share is not None else None
        series.append(Series(names[slug], values))
    chart = line_chart(
        series, labels,
        title=_("Share of steps done digitally, automatically or as self-service, by version"),
        description=state.combined.text(lang),
        id_prefix="over-time", empty_text=_("No process is registered yet"),
        value_format=lambda v: f"{v:.0f} %",
    )
    over_time = [
        [names[slug], _("Version %(number)s", number=v.number), format_date(v.created_at.date()), p.maturity.total,
         p.maturity.digital, p.maturity.counts["paper"], p.maturity.counts["unknown"], _share(p.maturity),
         p.text(lang)]
        for slug, points in state.over_time.items() for v, p in zip(state.versions[slug], points, strict=True)
    ]
    return render_template("gains/municipality_maturity.html", municipality=municipality, state=state, names=names,
                           chart=chart, over_time=over_time, lang=lang, share=_share)
