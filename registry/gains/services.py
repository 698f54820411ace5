"""Gains in the registry: stored inputs in, the engine's estimates out.

:func:`cooperation_assumptions` and :func:`process_input` turn stored rows into the
engine's inputs (:mod:`processes.gains`); :func:`member_gains` estimates one member's
change plan towards one cooperation's standard, with the other members' values as the
fallback medians; :func:`cooperation_estimate` does it for every member and ranks them.
:func:`cooperation_maturity` counts the members' latest versions by mode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from processes import Process
from processes.gains import (
    Baseline,
    CooperationAssumptions,
    CooperationGains,
    GainEstimate,
    GainLine,
    HourlyCost,
    LaterState,
    Measurement,
    ModeSaving,
    ProcessInput,
    Realisation,
    RealisedLine,
    Spread,
    StepInput,
    cooperation_gains,
    estimate,
    log_period_days,
    measure,
    peer_values,
    realised,
)
from processes.harmonise import StepClasses
from processes.maturity import (
    Maturity,
    MaturityPoint,
    MaturityTable,
    combine,
    maturity,
    maturity_over_time,
    maturity_table,
)
from registry.comparisons.services import latest_version
from registry.cooperations.models import Cooperation
from registry.divergence.services import member_variants
from registry.errors import ValidationError
from registry.extensions import db
from registry.gains.models import (
    GainAssumptionSet,
    GainEventLog,
    GainModeSaving,
    GainPlan,
    GainPlanLine,
    GainProcessInput,
    GainStepInput,
)
from registry.graphs import load_process, parse_upload, process_from_content
from registry.harmonisation.followup import change_key, find_by_key
from registry.harmonisation.services import (
    HarmonisationInputs,
    MemberPlan,
    _classes_for,
    harmonisation_inputs,
    plans_for_members,
    plans_for_variant,
)
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.users.models import User
from registry.variants.models import ProcessVersion, Variant

__all__ = [
    "EVENT_LOG_FORMATS",
    "MODE_PAIRS",
    "CooperationEstimate",
    "LineEntry",
    "MemberGains",
    "MunicipalityMaturity",
    "PlanState",
    "StepFigures",
    "cooperation_assumptions",
    "cooperation_estimate",
    "cooperation_maturity",
    "cooperation_maturity_over_time",
    "delete_event_log",
    "event_logs",
    "gain_plan",
    "inputs_from_json",
    "inputs_to_json",
    "latest_event_log",
    "log_measurement",
    "member_gains",
    "municipality_maturity",
    "plan_state",
    "process_input",
    "save_assumptions",
    "save_event_log",
    "save_gain_plan",
    "save_process_inputs",
    "step_rows",
]

#: The changes of mode a coordinator gives default savings for: (before, after); "" = from any mode.
MODE_PAIRS: tuple[tuple[str, str], ...] = (
    ("paper", "digital"),
    ("manual", "digital"),
    ("manual", "automated"),
    ("digital", "automated"),
    ("", "self_service"),
)


@dataclass(frozen=True)
class StepFigures:
    """What the owner typed in for one step (None: not given)."""

    work_minutes: float | None = None
    postage_nok: float | None = None
    case_share: float | None = None


# --- the cooperation's assumptions ------------------------------------------------------------


def assumption_set(cooperation: Cooperation) -> GainAssumptionSet | None:
    """The cooperation's stored hourly cost and sources, or None."""
    return db.session.scalar(select(GainAssumptionSet).where(GainAssumptionSet.cooperation_id == cooperation.id))


def mode_savings(cooperation: Cooperation) -> dict[tuple[str, str], GainModeSaving]:
    """(before, after) -> the stored default saving."""
    rows = db.session.scalars(select(GainModeSaving).where(GainModeSaving.cooperation_id == cooperation.id))
    return {(r.source_mode, r.target_mode): r for r in rows}


def cooperation_assumptions(cooperation: Cooperation) -> CooperationAssumptions:
    """The engine's assumptions from the stored rows (no hourly cost: the estimate says so)."""
    row = assumption_set(cooperation)
    hourly = None
    if row is not None and row.hourly_cost_nok is not None:
        hourly = HourlyCost(row.hourly_cost_nok, row.hourly_cost_source)
    note = row.savings_source if row is not None else ""
    savings = tuple(
        ModeSaving(source or None, target, Spread(r.low, r.expected, r.high), note=note)  # type: ignore[arg-type]
        for (source, target), r in sorted(mode_savings(cooperation).items())
    )
    return CooperationAssumptions(hourly, savings)


def save_assumptions(
    cooperation: Cooperation,
    *,
    hourly_cost: float | None,
    hourly_source: str,
    savings_source: str,
    savings: Mapping[tuple[str, str], tuple[float, float, float] | None],
    user: User | None,
) -> None:
    """Store the hourly cost and the default savings (shares 0–1); None for a pair removes it."""
    row = assumption_set(cooperation)
    if row is None:
        row = GainAssumptionSet(cooperation=cooperation)
        db.session.add(row)
    row.hourly_cost_nok = hourly_cost
    row.hourly_cost_source = hourly_source
    row.savings_source = savings_source
    row.updated_by = user
    stored = mode_savings(cooperation)
    for pair, values in savings.items():
        existing = stored.get(pair)
        if values is None:
            if existing is not None:
                db.session.delete(existing)
            continue
        if existing is None:
            existing = GainModeSaving(cooperation=cooperation, source_mode=pair[0], target_mode=pair[1])
            db.session.add(existing)
        existing.low, existing.expected, existing.high = values


# --- a member's inputs ------------------------------------------------------------------------


def process_row(variant: Variant) -> GainProcessInput | None:
    """Where the variant's cases per year come from, or None."""
    return db.session.scalar(select(GainProcessInput).where(GainProcessInput.variant_id == variant.id))


def step_rows(variant: Variant) -> dict[str, GainStepInput]:
    """Step id -> the stored figures."""
    rows = db.session.scalars(select(GainStepInput).where(GainStepInput.variant_id == variant.id))
    return {r.step_id: r for r in rows}


def process_input(variant: Variant, member: str, process: Process) -> ProcessInput:
    """The engine's inputs for one member: cases per year, the figures of the steps its process has, and what
    its newest event log measured against ``process`` (typed-in figures win over measured ones)."""
    ids = {s.id for s in process.steps}
    steps = tuple(
        StepInput(r.step_id, work_minutes=r.work_minutes, postage_nok=r.postage_nok, case_share=r.case_share)
        for sid, r in sorted(step_rows(variant).items())
        if sid in ids and (r.work_minutes is not None or r.postage_nok is not None or r.case_share is not None)
    )
    source = process_row(variant)
    log = latest_event_log(variant)
    return ProcessInput(member, steps, variant.cases_per_year, source.cases_source if source is not None else "",
                        log_measurement(log, process) if log is not None else None)


# --- event logs -------------------------------------------------------------------------------

#: The formats an event log for measuring may come in (the readers' names in :mod:`processes.formats`).
EVENT_LOG_FORMATS: frozenset[str] = frozenset({"xes", "eventlog_csv"})


def event_logs(variant: Variant) -> list[GainEventLog]:
    """The variant's uploaded event logs, newest first."""
    return list(db.session.scalars(
        select(GainEventLog).where(GainEventLog.variant_id == variant.id)
        .order_by(GainEventLog.uploaded_at.desc(), GainEventLog.id.desc())))


def latest_event_log(variant: Variant) -> GainEventLog | None:
    """The event log the estimates use: the newest one uploaded, or None."""
    return db.session.scalar(
        select(GainEventLog).where(GainEventLog.variant_id == variant.id)
        .order_by(GainEventLog.uploaded_at.desc(), GainEventLog.id.desc()).limit(1))


def log_measurement(row: GainEventLog, process: Process) -> Measurement:
    """What the stored log measures against ``process`` (any version: the log is matched again each time)."""
    log = process_from_content(row.log["content"], source=row.filename)
    return measure(log, process, period_days=row.period_days, source=row.filename)


def _parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def save_event_log(
    variant: Variant,
    *,
    data: bytes,
    filename: str,
    options: Mapping[str, Any],
    period_days: float | None,
    max_bytes: int | None,
    user: User | None,
) -> GainEventLog:
    """Read an event log (XES or CSV) and keep what it measures for the variant; the log itself is not kept.

    ``period_days`` is the period the log covers when the owner gives it; otherwise
    it is the time from the first to the last event. Raises
    :class:`~processes.FormatError` for a file that cannot be read (the caller words
    it) and :class:`~registry.errors.ValidationError` for a readable file that is not
    an event log, or one with no times and no period given.
    """
    from processes.formats import detect_format

    # This form takes event logs only: a CSV that looks like a step table to the detector (a log
    # with a resource column, say) is read as a CSV event log, whose errors name the column.
    detected = detect_format(data, filename)
    fmt = "eventlog_csv" if detected == "tabular" and filename.lower().endswith((".csv", ".txt")) else None
    parsed = parse_upload(data, filename=filename, fmt=fmt, max_bytes=max_bytes, options=options)
    if parsed.source_format not in EVENT_LOG_FORMATS:
        raise ValidationError(
            _("%(file)s is a process drawing or a step table, not an event log. Upload an event log (XES, or a "
              "CSV file with one row per event: case, activity and time) exported from the case-handling "
              "system; upload a drawing as a new version of the process instead.", file=filename),
            field="logg",
        )
    log = parsed.process
    measured_period = log_period_days(log)
    if period_days is None and measured_period is None:
        raise ValidationError(
            _("The events in %(file)s have no times, so the period the log covers is unknown. Type in how "
              "many days the log covers, or export the log with a time column.", file=filename),
            field="dager",
        )
    row = GainEventLog(
        variant=variant,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        log={"content": parsed.content, "format": parsed.source_format},
        cases=int(log.metadata.get("cases", "0") or 0),
        events=int(log.metadata.get("events", "0") or 0),
        period_days=period_days if period_days is not None else float(measured_period),  # type: ignore[arg-type]
        period_given=period_days is not None,
        first_event=_parse_time(log.metadata.get("first_event")),
        last_event=_parse_time(log.metadata.get("last_event")),
        uploaded_by=user,
    )
    db.session.add(row)
    db.session.flush()
    return row


def delete_event_log(row: GainEventLog) -> None:
    """Forget an uploaded log; the one before it (if any) becomes the one the estimates use."""
    db.session.delete(row)


def save_process_inputs(
    variant: Variant,
    *,
    cases_per_year: int | None,
    cases_source: str,
    steps: Mapping[str, StepFigures],
    user: User | None,
) -> None:
    """Store cases per year (on the variant), their source and the figures per step (all None: removed)."""
    variant.cases_per_year = cases_per_year
    source = process_row(variant)
    if source is None:
        source = GainProcessInput(variant=variant)
        db.session.add(source)
    source.cases_source = cases_source
    source.updated_by = user
    stored = step_rows(variant)
    for step_id, figures in steps.items():
        row = stored.get(step_id)
        empty = figures.work_minutes is None and figures.postage_nok is None and figures.case_share is None
        if empty:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = GainStepInput(variant=variant, step_id=step_id)
            db.session.add(row)
        row.work_minutes, row.postage_nok, row.case_share = figures.work_minutes, figures.postage_nok, figures.case_share
        row.updated_by_id = user.id if user is not None else None


# --- estimates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberGains:
    """One member's estimate towards one cooperation's standard."""

    plan: MemberPlan
    estimate: GainEstimate
    assumptions: CooperationAssumptions

    @property
    def cooperation(self) -> Cooperation:
        return self.plan.cooperation

    @property
    def baseline_version(self) -> ProcessVersion:
        """The nullpunkt: the member's version the estimate starts from."""
        return self.plan.version

    @property
    def baseline_date(self) -> dt.date:
        return self.plan.version.created_at.date()


def _all_inputs(inputs: HarmonisationInputs, processes: Mapping[str, Process]) -> dict[str, ProcessInput]:
    out: dict[str, ProcessInput] = {}
    for name, process in processes.items():
        member = inputs.member_named(name)
        if member is not None and member.variant is not None:
            out[name] = process_input(member.variant, name, process)
    return out


def _classes(inputs: HarmonisationInputs) -> StepClasses:
    return _classes_for(inputs)


def member_gains(mp: MemberPlan) -> MemberGains:
    """Estimate one member's plan, with the other members' values as fallback medians."""
    inputs = harmonisation_inputs(mp.cooperation, mp.variant.process_type)
    classes = _classes(inputs)
    all_inputs = _all_inputs(inputs, classes.processes)
    own = all_inputs.get(mp.member) or process_input(mp.variant, mp.member, mp.plan.variant)
    assumptions = cooperation_assumptions(mp.cooperation)
    result = estimate(mp.plan, own, assumptions, peers=peer_values(all_inputs.values(), classes=classes), classes=classes)
    return MemberGains(mp, result, assumptions)


# --- the gevinstrealiseringsplan --------------------------------------------------------------


def inputs_to_json(inputs: ProcessInput) -> dict[str, Any]:
    """A member's inputs as stored with the baseline, with what its event log measured then (or null)."""
    return {
        "member": inputs.member,
        "cases_per_year": inputs.cases_per_year,
        "cases_source": inputs.cases_source,
        "steps": [
            {"step_id": s.step_id, "work_minutes": s.work_minutes, "postage_nok": s.postage_nok,
             "case_share": s.case_share, "lead_days": s.lead_days, "note": s.note}
            for s in inputs.steps
        ],
        "measurement": inputs.measurement.to_dict() if inputs.measurement is not None else None,
    }


def inputs_from_json(data: Mapping[str, Any]) -> ProcessInput:
    """The inputs stored with a baseline, back as the engine's :class:`ProcessInput`."""
    steps = tuple(StepInput(**s) for s in data.get("steps", ()))
    cases = data.get("cases_per_year")
    measured = data.get("measurement")
    return ProcessInput(str(data.get("member", "")), steps, cases if cases is None else float(cases),
                        str(data.get("cases_source", "")),
                        Measurement.from_dict(measured) if measured else None)


def gain_plan(variant: Variant, cooperation: Cooperation) -> GainPlan | None:
    """The member's stored gevinstrealiseringsplan towards the cooperation's standard, or None."""
    return db.session.scalar(
        select(GainPlan).where(GainPlan.variant_id == variant.id, GainPlan.cooperation_id == cooperation.id)
    )


@dataclass(frozen=True)
class LineEntry:
    """One expected gain line of the plan: its stored key, the owner's entry, and what is realised (or None)."""

    key: str
    expected: GainLine
    row: GainPlanLine | None
    realised: RealisedLine | None


@dataclass(frozen=True)
class PlanState:
    """A member's gevinstrealiseringsplan towards one cooperation: baseline, lines, realised so far."""

    plan: MemberPlan
    """The plan the lines come from: the baseline's when one is recorded, else the current version's."""
    row: GainPlan | None
    baseline: Baseline
    current: ProcessVersion
    realisation: Realisation | None
    lines: tuple[LineEntry, ...]

    @property
    def recorded(self) -> bool:
        return self.row is not None

    @property
    def standard_changed(self) -> bool:
        """True when the lines are against another standard version than the one at the baseline."""
        return self.row is not None and self.row.standard_version_id not in (None, self.plan.standard_version.id)


def _baseline_of(mp: MemberPlan, own: ProcessInput, date: dt.date) -> Baseline:
    inputs = harmonisation_inputs(mp.cooperation, mp.variant.process_type)
    classes = _classes(inputs)
    peers = peer_values(_all_inputs(inputs, classes.processes).values(), classes=classes)
    return Baseline.of(date, mp.plan, own, cooperation_assumptions(mp.cooperation), peers=peers, classes=classes)


def plan_state(variant: Variant, cooperation: Cooperation, current: ProcessVersion) -> PlanState | None:
    """The plan towards the cooperation's standard: from the recorded baseline if there is one, with realised beside expected.

    Without a baseline the lines are the change plan of ``current`` with today's inputs
    (what saving the plan would record). With one, the baseline's plan is made again
    from its version against the standard published on its date, with the inputs stored
    then; when the version or the inputs have changed since, the engine's
    :func:`processes.gains.realised` measures every line in ``current``.
    None when the cooperation has no standard for the process to plan against.
    """
    row = gain_plan(variant, cooperation)
    if row is None:
        plans = plans_for_variant(variant, current, cooperation=cooperation)
        if not plans:
            return None
        mp = plans[0]
        own = process_input(variant, mp.member, mp.plan.variant)
        baseline = _baseline_of(mp, own, dt.date.today())
        realisation = None
    else:
        plans = plans_for_variant(variant, row.baseline_version, cooperation=cooperation)
        if plans and row.standard_version_id is not None and plans[0].standard_version.id != row.standard_version_id:
            # The standard has a new version since: the plan as it was, against the one published then.
            plans = plans_for_variant(variant, row.baseline_version, on=row.baseline_date,
                                      cooperation=cooperation) or plans
        if not plans:
            return None
        mp = plans[0]
        own = inputs_from_json(row.baseline_inputs)
        baseline = _baseline_of(mp, own, row.baseline_date)
        process = load_process(current)
        now = process_input(variant, mp.member, process)
        realisation = None
        if current.id != row.baseline_version_id or inputs_to_json(now) != inputs_to_json(own):
            later = LaterState(dt.date.today(), process, now)
            realisation = realised(baseline, later, cooperation_assumptions(cooperation))
    stored = list(row.lines) if row is not None else []
    # realised() gives one line per expected line, in the same order.
    measured = list(realisation.lines) if realisation is not None else [None] * len(baseline.expected.lines)
    lines = []
    for line, got in zip(baseline.expected.lines, measured, strict=True):
        key = change_key(line.change, mp.plan)
        lines.append(LineEntry(key.encode(), line, find_by_key(key, stored), got))
    return PlanState(mp, row, baseline, current, realisation, tuple(lines))


def save_gain_plan(
    state: PlanState,
    entries: Mapping[str, tuple[str, dt.date | None, str]],
    *,
    user: User | None,
) -> GainPlan:
    """Store owner, date and measure per line (by key); the first save records the baseline (date, version, inputs)."""
    row = state.row
    if row is None:
        baseline = state.baseline
        row = GainPlan(
            variant=state.plan.variant, cooperation=state.plan.cooperation, baseline_date=baseline.date,
            baseline_version=state.plan.version,
            standard_version=state.plan.standard_version, baseline_inputs=inputs_to_json(baseline.inputs),
            baseline_expected={"nb": baseline.expected.to_dict("nb"), "en": baseline.expected.to_dict("en")},
        )
        db.session.add(row)
    row.updated_by = user
    for entry in state.lines:
        owner, due, measure = entries.get(entry.key, ("", None, ""))
        line = entry.row
        if line is None:
            if not (owner or due or measure):
                continue
            line = GainPlanLine(change_key=entry.key)
            row.lines.append(line)
        line.owner, line.due, line.measure = owner, due, measure
    db.session.flush()
    return row


@dataclass(frozen=True)
class CooperationEstimate:
    """Every member's estimate, summed and ranked, with the members that have no plan."""

    inputs: HarmonisationInputs
    plans: Mapping[str, MemberPlan]
    gains: CooperationGains
    assumptions: CooperationAssumptions
    without: tuple[str, ...]


def cooperation_estimate(cooperation: Cooperation, process_type: ProcessType) -> CooperationEstimate:
    """Estimate every member's plan towards the standard and rank members and changes by gain."""
    inputs = harmonisation_inputs(cooperation, process_type)
    assumptions = cooperation_assumptions(cooperation)
    if inputs.standard_version is None:
        empty = cooperation_gains({})
        return CooperationEstimate(inputs, {}, empty, assumptions, ())
    plans = {mp.member: mp for mp in plans_for_members(inputs).values()}
    classes = _classes(inputs)
    all_inputs = _all_inputs(inputs, classes.processes)
    peers = peer_values(all_inputs.values(), classes=classes)
    estimates = {
        name: estimate(mp.plan, all_inputs.get(name) or ProcessInput(name), assumptions, peers=peers, classes=classes)
        for name, mp in plans.items()
    }
    names = set(inputs.versions)
    without = tuple(
        m.municipality.name for m in inputs.members if m.version is None and m.municipality.name not in names
    )
    return CooperationEstimate(inputs, plans, cooperation_gains(estimates), assumptions, without)


# --- digital maturity -------------------------------------------------------------------------


@dataclass(frozen=True)
class CooperationMaturity:
    """The members × process types table, with the process types by slug and the members without processes."""

    table: MaturityTable
    types: Mapping[str, ProcessType]
    without: tuple[str, ...]
    #: The members' names as in the table -> their municipality numbers.
    numbers: Mapping[str, str]


def cooperation_maturity(cooperation: Cooperation) -> CooperationMaturity:
    """Each member's latest version of every process type, counted by mode."""
    from registry.i18n import norwegian_key

    types = sorted(db.session.scalars(select(ProcessType)).all(), key=lambda t: t.slug)
    data: dict[str, dict[str, Process]] = {}
    members: set[str] = set()
    numbers: dict[str, str] = {}
    for process_type in types:
        for m in member_variants(cooperation, process_type):
            members.add(m.municipality.name)
            numbers[m.municipality.name] = m.municipality.number
            version = m.version if m.version is not None else (latest_version(m.variant) if m.variant else None)
            if version is None:
                continue
            data.setdefault(m.municipality.name, {})[process_type.slug] = load_process(version)
    ordered = {name: data[name] for name in sorted(data, key=norwegian_key)}
    used = {t.slug: t for t in types if any(t.slug in by_type for by_type in ordered.values())}
    # The engine orders the types as they first appear; give it the catalogue's order.
    table = maturity_table({name: {s: by[s] for s in used if s in by} for name, by in ordered.items()})
    without = tuple(sorted(members - set(ordered), key=norwegian_key))
    return CooperationMaturity(table, used, without, numbers)




@dataclass(frozen=True)
class MunicipalityMaturity:
    """One municipality's processes counted by mode: each latest version, all of them combined, and every version over time.

    ``combined`` adds up the latest versions (its ``parts`` by process type slug);
    ``over_time`` has per slug the engine's points, one per version (oldest first),
    beside ``versions``, the versions they were counted from.
    """

    combined: Maturity
    types: Mapping[str, ProcessType]
    over_time: Mapping[str, tuple[MaturityPoint, ...]]
    versions: Mapping[str, tuple[ProcessVersion, ...]]


def municipality_maturity(municipality: Municipality) -> MunicipalityMaturity:
    """Count every version of each of the municipality's processes by mode, and combine the latest ones."""
    variants = sorted(
        db.session.scalars(select(Variant).where(Variant.municipality_id == municipality.id)),
        key=lambda v: v.process_type.slug,
    )
    latest: dict[str, Maturity] = {}
    types: dict[str, ProcessType] = {}
    over_time: dict[str, tuple[MaturityPoint, ...]] = {}
    versions: dict[str, tuple[ProcessVersion, ...]] = {}
    for variant in variants:
        rows = tuple(db.session.scalars(
            select(ProcessVersion).where(ProcessVersion.variant_id == variant.id).order_by(ProcessVersion.number)))
        if not rows:
            continue
        slug = variant.process_type.slug
        processes = [load_process(v) for v in rows]
        types[slug] = variant.process_type
        versions[slug] = rows
        over_time[slug] = maturity_over_time([(v.created_at.date(), p) for v, p in zip(rows, processes, strict=True)])
        latest[slug] = maturity(processes[-1], name=slug)
    return MunicipalityMaturity(combine(latest, name=municipality.name), types, over_time, versions)


#: At most this many dates in the cooperation's maturity over time (month ends, thinned evenly).
OVER_TIME_POINTS = 24


@dataclass(frozen=True)
class MaturityOverTime:
    """The cooperation's maturity on a row of dates: per process type and for all of them.

    ``by_type[slug][i]`` adds up the version each member had on ``dates[i]`` (None: no
    member had a process of that type yet); ``members[slug][i]`` counts the members
    behind it; ``overall[i]`` adds up every type.
    """

    dates: tuple[dt.date, ...]
    types: Mapping[str, ProcessType]
    by_type: Mapping[str, tuple[Maturity | None, ...]]
    members: Mapping[str, tuple[int, ...]]
    overall: tuple[Maturity | None, ...]


def _month_ends(first: dt.date, last: dt.date, most: int) -> tuple[dt.date, ...]:
    """The last day of every month from ``first``'s to ``last``'s (``last`` itself for its month), thinned to ``most``."""
    out: list[dt.date] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        out.append(min(nxt - dt.timedelta(days=1), last))
        year, month = nxt.year, nxt.month
    if len(out) > most:
        step = (len(out) - 1) / (most - 1)
        out = [out[round(i * step)] for i in range(most)]
    return tuple(out)


def cooperation_maturity_over_time(cooperation: Cooperation, *, today: dt.date | None = None) -> MaturityOverTime:
    """The members' processes counted by mode at the end of each month since the first version (at most 24 dates).

    On each date every member of that day counts with the version it had then (see
    :func:`registry.divergence.services.member_variants`), so a new version moves the
    line from the month it was saved in, and a member that joins later counts from then.
    """
    today = today or dt.date.today()
    types = sorted(db.session.scalars(select(ProcessType)).all(), key=lambda t: t.slug)
    # Everyone who ever was a member, with the municipalities they were merged from.
    member_ids: set[int] = set()
    todo = [ms.municipality for ms in cooperation.memberships]
    while todo:
        m = todo.pop()
        if m.id not in member_ids:
            member_ids.add(m.id)
            todo.extend(m.predecessors)
    first = db.session.scalar(
        select(ProcessVersion.created_at).join(Variant, Variant.id == ProcessVersion.variant_id)
        .where(Variant.municipality_id.in_(member_ids)).order_by(ProcessVersion.created_at).limit(1)
    ) if member_ids else None
    if first is None:
        return MaturityOverTime((), {}, {}, {}, ())
    dates = _month_ends(first.date(), today, OVER_TIME_POINTS)
    by_type: dict[str, list[Maturity | None]] = {}
    counted: dict[str, list[int]] = {}
    overall: list[Maturity | None] = []
    used: dict[str, ProcessType] = {}
    for date in dates:
        end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        parts: dict[str, Maturity] = {}
        for process_type in types:
            found = [m for m in member_variants(cooperation, process_type, on=date, made_before=end)
                     if m.version is not None]
            column = by_type.setdefault(process_type.slug, [])
            counted.setdefault(process_type.slug, []).append(len(found))
            if not found:
                column.append(None)
                continue
            used[process_type.slug] = process_type
            both = combine({m.municipality.name: maturity(load_process(m.version)) for m in found},
                           name=process_type.slug)
            column.append(both)
            parts[process_type.slug] = both
        overall.append(combine(parts, name=cooperation.name) if parts else None)
    return MaturityOverTime(
        dates, {slug: used[slug] for slug in by_type if slug in used},
        {slug: tuple(v) for slug, v in by_type.items() if slug in used},
        {slug: tuple(v) for slug, v in counted.items() if slug in used}, tuple(overall),
    )
