"""Harmonisation in the registry: a proposed common standard, turning it into a draft, members' change plans.

The engine (:mod:`processes.harmonise`) does the reasoning; this module gathers its
inputs from stored rows (each member's latest version, the standard version members
are compared with), keeps recent results per worker, and saves a proposal as a new
draft version of the cooperation's standard with its provenance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import statistics
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from processes import Process
from processes.formats import write_process
from processes.harmonise import (
    ChangePlan,
    Proposal,
    StepClasses,
    change_plan,
    classes_from_data,
    classes_to_data,
    propose_standard,
    step_classes,
)
from registry.audit.models import AuditEvent
from registry.audit.services import actor_label
from registry.comparisons.services import (
    DIAGRAM_MAX_STEPS,
    check_queued_work,
    cooperations_of,
    standard_version_for,
)
from registry.cooperations.models import Cooperation
from registry.divergence.services import Member, find_standard, member_variants
from registry.errors import ValidationError
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, canonical_content, load_process
from registry.harmonisation.followup import (
    PlanEntry,
    deviations_for,
    follow_ups_for,
    justified_map,
    plan_entries,
)
from registry.harmonisation.models import StoredProposal, StoredStepClasses
from registry.process_types.models import ProcessType
from registry.tasks import enqueue_row, fail_pending, fail_with, queue_url, watch_job
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import get_or_create_standard, save_version

logger = logging.getLogger(__name__)

__all__ = [
    "WEIGHTINGS",
    "HarmonisationInputs",
    "MemberPlan",
    "ProposalSettings",
    "Weights",
    "compute_proposal",
    "find_stored_proposal",
    "harmonisation_inputs",
    "justified_pairs",
    "keep_step_classes",
    "make_draft",
    "member_weights",
    "plans_for_members",
    "plans_for_variant",
    "proposal_for",
    "proposal_job_failed",
    "proposal_key",
    "proposal_view",
    "published_on",
    "request_proposal",
    "version_on",
]

#: Minimum supports a coordinator can choose, as shares.
MIN_SUPPORT_CHOICES = (0.5, 0.6, 0.75, 0.9)


#: How members can be weighted in a proposal.
WEIGHTINGS = ("equal", "cases", "population")


@dataclass(frozen=True)
class ProposalSettings:
    """What the coordinator chose: the share of members a step needs, how far from the standard it may move,
    how members are weighted, and whether justified deviations count as disagreement."""

    min_support: float = 0.5
    max_drift: int | None = None
    weighting: str = "equal"
    count_justified: bool = False

    def describe(self, lang: str = "nb") -> str:
        """The settings in words, for the version history."""
        share = f"{self.min_support * 100:.0f} %"
        if lang == "en":
            drift = "no limit" if self.max_drift is None else f"at most {self.max_drift} changes"
            weighting = {
                "equal": "members weighted equally",
                "cases": "members weighted by cases per year",
                "population": "members weighted by population",
            }[self.weighting]
            justified = "justified deviations counted" if self.count_justified else "justified deviations not counted"
            return f"minimum support {share}, {weighting}, distance from the standard: {drift}, {justified}"
        drift = "ingen grense" if self.max_drift is None else f"høyst {self.max_drift} endringer"
        weighting = {
            "equal": "alle medlemmer teller likt",
            "cases": "medlemmene vektet etter saker per år",
            "population": "medlemmene vektet etter innbyggertall",
        }[self.weighting]
        justified = "begrunnede avvik telt med" if self.count_justified else "begrunnede avvik ikke telt med"
        return f"minste oppslutning {share}, {weighting}, avstand fra standarden: {drift}, {justified}"


@dataclass(frozen=True)
class Weights:
    """Each member's weight, and which members lacked the figure (they get the median of the others)."""

    weights: dict[str, float]
    missing: tuple[str, ...]
    assumed: float | None


@dataclass
class HarmonisationInputs:
    """The members' latest versions and the standard version they are compared with."""

    cooperation: Cooperation
    process_type: ProcessType
    standard: Standard | None
    standard_version: ProcessVersion | None
    members: list[Member]
    #: Member name -> its latest version (members with a process only).
    versions: dict[str, ProcessVersion] = field(default_factory=dict)
    #: The day the inputs are as on (None: today, the latest versions).
    on: dt.date | None = None

    def member_named(self, name: str) -> Member | None:
        """The member a name of :attr:`versions` stands for."""
        names = _names(self.members)
        return next((m for m in self.members if names[m.municipality.id] == name), None)

    @property
    def key(self) -> tuple[Any, ...]:
        """What a result computed from these inputs depends on: the versions' contents, not only their ids.

        Ids repeat across databases (a test's, a restored copy's), contents do not lie.
        """
        return (
            _digest(self.standard_version),
            tuple(sorted((name, _digest(v)) for name, v in self.versions.items())),
            ENGINE_VERSION,
        )

    def processes(self) -> dict[str, Process]:
        """Member name -> its latest process, parsed."""
        return {name: load_process(v) for name, v in self.versions.items()}

    def current(self) -> Process | None:
        """The standard version members are compared with, parsed."""
        return load_process(self.standard_version) if self.standard_version is not None else None


def _digest(version: ProcessVersion | None) -> str | None:
    if version is None:
        return None
    return hashlib.sha256(version.content.encode("utf-8")).hexdigest()


def _names(members: list[Member]) -> dict[int, str]:
    """Member municipality id -> the name people know it by (with its number where two share a name)."""
    counts: dict[str, int] = {}
    for m in members:
        counts[m.municipality.name] = counts.get(m.municipality.name, 0) + 1
    return {
        m.municipality.id: m.municipality.name
        if counts[m.municipality.name] == 1
        else f"{m.municipality.name} ({m.municipality.number})"
        for m in members
    }


def harmonisation_inputs(
    cooperation: Cooperation, process_type: ProcessType, *, on: dt.date | None = None
) -> HarmonisationInputs:
    """Gather the members' latest versions and the standard version they are compared with.

    With ``on``: as they were at the end of that day (the members then, each one's
    latest version saved by then, the standard version published by then).
    """
    members = member_variants(cooperation, process_type, on=on)
    standard = find_standard(cooperation, process_type)
    if on is not None:
        members = [Member(m.municipality, m.variant, version_on(m.variant, on)) for m in members]
        standard_version = published_on(standard, on) if standard is not None else None
    else:
        standard_version = standard_version_for(standard) if standard is not None else None
    names = _names(members)
    return HarmonisationInputs(
        cooperation,
        process_type,
        standard,
        standard_version,
        members,
        {names[m.municipality.id]: m.version for m in members if m.version is not None},
        on,
    )


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def version_on(variant: Variant | None, day: dt.date) -> ProcessVersion | None:
    """The variant's latest version saved by the end of ``day`` (None: it had none yet)."""
    if variant is None:
        return None
    return db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.variant_id == variant.id, ProcessVersion.created_at < _end_of(day))
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    )


def published_on(standard: Standard, day: dt.date) -> ProcessVersion | None:
    """The standard version that was published at the end of ``day`` (the latest published by then)."""
    return db.session.scalar(
        select(ProcessVersion)
        .where(
            ProcessVersion.standard_id == standard.id,
            ProcessVersion.published_at.is_not(None),
            ProcessVersion.published_at < _end_of(day),
        )
        .order_by(ProcessVersion.published_at.desc(), ProcessVersion.number.desc())
        .limit(1)
    )


def member_weights(inputs: HarmonisationInputs, weighting: str) -> Weights | None:
    """The members' weights for ``weighting`` (None: all equal).

    A member without the figure gets the median of the members that have it, and the
    page says so; when no member has it, the proposal cannot be weighted that way.
    """
    if weighting == "equal":
        return None
    if weighting not in WEIGHTINGS:
        raise ValidationError(_("Unknown weighting %(weighting)s.", weighting=weighting), field="vekt")
    given: dict[str, float] = {}
    for name in inputs.versions:
        member = inputs.member_named(name)
        if member is None:
            continue
        value = (
            member.variant.cases_per_year
            if weighting == "cases" and member.variant is not None
            else member.municipality.population if weighting == "population" else None
        )
        if value is not None and value > 0:
            given[name] = float(value)
    if not given:
        what = _("cases per year") if weighting == "cases" else _("population")
        raise ValidationError(
            _(
                "No member has given its %(what)s yet, so the members cannot be weighted by it. "
                "Process owners give it on their process page (cases) or municipality page (population).",
                what=what,
            ),
            field="vekt",
        )
    missing = tuple(sorted(set(inputs.versions) - set(given)))
    assumed = float(statistics.median(given.values())) if missing else None
    weights = {name: given.get(name, assumed or 0.0) for name in inputs.versions}
    return Weights(weights, missing, assumed)


def justified_pairs(inputs: HarmonisationInputs, classes: StepClasses) -> set[tuple[str, str]]:
    """(member, class id) for every justified deviation of a member, for the engine's ``justified=``."""
    rows = deviations_for(inputs.cooperation, process_type_id=inputs.process_type.id)
    if not rows:
        return set()
    names = _names(inputs.members)
    by_variant: dict[int, list[Any]] = {}
    for row in rows:
        by_variant.setdefault(row.variant_id, []).append(row)
    out: set[tuple[str, str]] = set()
    reference = classes.current or classes.reference
    for m in inputs.members:
        if m.variant is None or m.variant.id not in by_variant:
            continue
        name = names[m.municipality.id]
        if name not in classes.processes:
            continue
        in_standard, in_variant = justified_map(
            by_variant[m.variant.id], reference, classes.processes[name], on=inputs.on
        )
        # A standard step's id is its class id; a member's own step belongs to its home class.
        out.update((name, x) for x in in_standard if x in classes)
        for y in in_variant:
            cid = classes.class_of(name, y)
            if cid is not None:
                out.add((name, cid))
    return out


# Results by their inputs, per worker; bounded. A proposal for 38 members takes about a second.
_CACHE_SIZE = 32
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def _cached(key: tuple[Any, ...], build: Any) -> Any:
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def _checked_weights(inputs: HarmonisationInputs, settings: ProposalSettings) -> Weights | None:
    """The members' weights, once the settings are known to make a proposal possible (else ValidationError)."""
    if not inputs.versions:
        raise ValidationError(_("No member has registered this process yet, so there is nothing to propose from."))
    if settings.max_drift is not None and inputs.standard_version is None:
        raise ValidationError(
            _("A limit on the distance from the standard needs a standard; this cooperation has none yet."),
            field="max_drift",
        )
    return member_weights(inputs, settings.weighting)


def proposal_for(inputs: HarmonisationInputs, settings: ProposalSettings) -> Proposal:
    """The proposed common standard for these inputs and settings (ValidationError when it cannot be made)."""
    weights = _checked_weights(inputs, settings)
    classes = _classes_for(inputs)
    justified = frozenset(justified_pairs(inputs, classes))

    def build() -> Proposal:
        return propose_standard(
            classes.processes,
            current=classes.current,
            min_support=settings.min_support,
            max_drift=settings.max_drift,
            weights=weights.weights if weights is not None else None,
            justified=justified,
            count_justified=settings.count_justified,
            classes=classes,
        )

    key = ("proposal", *inputs.key, settings, tuple(sorted(weights.weights.items())) if weights else None, justified)
    proposal: Proposal = _cached(key, build)
    return proposal


def _classes_key(inputs: HarmonisationInputs) -> str:
    return hashlib.sha256(repr(inputs.key).encode("utf-8")).hexdigest()


def _classes_for(inputs: HarmonisationInputs) -> StepClasses:
    """The cooperation's step classes: kept in this process, else kept in the database, else made (and kept).

    Only today's inputs go to the database (a «per dato» view is made and kept in memory
    only); the caller's commit saves the row. A kept row that does not fit the processes
    (it cannot happen unless the data was changed by hand) is made again.
    """

    def build() -> StepClasses:
        processes, current = inputs.processes(), inputs.current()
        if inputs.on is not None:
            return step_classes(processes, current=current)
        key = _classes_key(inputs)
        row = db.session.scalar(
            select(StoredStepClasses).where(
                StoredStepClasses.cooperation_id == inputs.cooperation.id,
                StoredStepClasses.process_type_id == inputs.process_type.id,
                StoredStepClasses.inputs_key == key,
            )
        )
        if row is not None:
            try:
                return classes_from_data(json.loads(row.data), processes, current)
            except ValueError:
                db.session.delete(row)
        made = step_classes(processes, current=current)
        _keep_classes(inputs, key, made)
        return made

    classes: StepClasses = _cached(("classes", *inputs.key), build)
    return classes


def _keep_classes(inputs: HarmonisationInputs, key: str, classes: StepClasses) -> None:
    """Store the classes for other processes, replacing the cooperation's older ones for this process type."""
    try:
        with db.session.begin_nested():
            db.session.execute(
                delete(StoredStepClasses).where(
                    StoredStepClasses.cooperation_id == inputs.cooperation.id,
                    StoredStepClasses.process_type_id == inputs.process_type.id,
                )
            )
            db.session.add(
                StoredStepClasses(
                    cooperation_id=inputs.cooperation.id,
                    process_type_id=inputs.process_type.id,
                    inputs_key=key,
                    data=json.dumps(classes_to_data(classes), ensure_ascii=False, separators=(",", ":")),
                )
            )
    except IntegrityError:
        # Another request kept the same classes at the same moment: theirs will do.
        pass


def make_draft(inputs: HarmonisationInputs, settings: ProposalSettings, *, user: User | None) -> ProcessVersion:
    """Save the proposal as the next draft version of the cooperation's standard, with where it came from.

    The stored proposal for these inputs and settings is saved as it is, when there is
    one: the draft is exactly what the coordinator saw on the page.
    """
    weights = _checked_weights(inputs, settings)
    key = proposal_key(inputs, settings, weights)
    stored = find_stored_proposal(inputs, key)
    if stored is not None and stored.status == "done":
        view = json.loads(stored.view)
        content, step_count = view["content"], int(view["step_count"])
    else:
        stored = None
        process = _named_process(inputs, proposal_for(inputs, settings))
        content, step_count = canonical_content(process), len(process.steps)
    standard = inputs.standard or get_or_create_standard(inputs.cooperation, inputs.process_type)
    members = ", ".join(f"{name} v{v.number}" for name, v in sorted(inputs.versions.items()))
    base = (
        _("standard version %(number)s", number=inputs.standard_version.number)
        if inputs.standard_version is not None
        else _("no standard")
    )
    comment = _(
        "Made from the proposed common standard (%(settings)s). From: %(base)s; members' versions: %(members)s.",
        settings=settings.describe(),
        base=base,
        members=members,
    )
    version = save_version(
        standard,
        content=content,
        step_count=step_count,
        source_format="native",
        source_filename=f"{inputs.process_type.slug}-forslag.yaml",
        source_data=content.encode("utf-8"),
        author=user,
        comment=comment[:2000],
        status="draft",
    )
    db.session.add(
        AuditEvent(
            actor_id=user.id if user is not None else None,
            actor_label=actor_label(user),
            action="create",
            object_type="ProcessVersion",
            object_id=str(version.id),
            object_label=str(version)[:300],
            changes={
                "provenance": {
                    "new": {
                        "from": "proposal",
                        "settings": {
                            "min_support": settings.min_support,
                            "max_drift": settings.max_drift,
                            "weighting": settings.weighting,
                            "count_justified": settings.count_justified,
                        },
                        "standard_version": inputs.standard_version.id if inputs.standard_version else None,
                        "member_versions": {name: v.id for name, v in sorted(inputs.versions.items())},
                        "engine": ENGINE_VERSION,
                        "inputs_key": key,
                        # The stored proposal the page showed (None: computed for the draft).
                        "stored_proposal": stored.id if stored is not None else None,
                        "computed_at": stored.computed_at.isoformat()
                        if stored is not None and stored.computed_at is not None
                        else None,
                    }
                }
            },
            note="proposal",
        )
    )
    db.session.flush()
    return version

# --- stored proposals --------------------------------------------------------------------------


def _settings_data(settings: ProposalSettings) -> dict[str, Any]:
    return {
        "min_support": settings.min_support,
        "max_drift": settings.max_drift,
        "weighting": settings.weighting,
        "count_justified": settings.count_justified,
    }


def proposal_key(inputs: HarmonisationInputs, settings: ProposalSettings, weights: Weights | None) -> str:
    """The digest of everything a proposal depends on: contents, settings, weights, deviations in force, engine.

    The justified deviations enter as the rows name their steps (and whether they
    hold today), which with the contents decides what the engine is told is justified.
    """
    day = inputs.on or dt.date.today()
    names = _names(inputs.members)
    member_of = {m.variant.id: names[m.municipality.id] for m in inputs.members if m.variant is not None}
    deviations = sorted(
        [member_of[row.variant_id], row.standard_step_id, row.standard_step_label, row.variant_step_label]
        for row in deviations_for(inputs.cooperation, process_type_id=inputs.process_type.id)
        if row.variant_id in member_of and member_of[row.variant_id] in inputs.versions and row.is_valid_on(day)
    )
    standard, members, engine = inputs.key
    data = {
        "standard": standard,
        "members": [list(pair) for pair in members],
        "engine": engine,
        "settings": _settings_data(settings),
        "weights": sorted(weights.weights.items()) if weights is not None else None,
        "justified": deviations,
        "name": inputs.process_type.name_nb,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def find_stored_proposal(inputs: HarmonisationInputs, key: str) -> StoredProposal | None:
    """The stored proposal for the inputs' cooperation and process type with this key, if any; never writes."""
    return db.session.scalar(
        select(StoredProposal).where(
            StoredProposal.cooperation_id == inputs.cooperation.id,
            StoredProposal.process_type_id == inputs.process_type.id,
            StoredProposal.inputs_key == key,
            StoredProposal.engine_version == ENGINE_VERSION,
        )
    )


def request_proposal(
    inputs: HarmonisationInputs,
    settings: ProposalSettings,
    *,
    user: User | None = None,
    max_pending: int | None = None,
) -> StoredProposal:
    """The stored proposal, queued when missing (computed at once in inline mode); ValidationError when none can be made.

    Refused past ``max_pending`` queued rows for ``user``.
    """
    weights = _checked_weights(inputs, settings)
    key = proposal_key(inputs, settings, weights)
    row = find_stored_proposal(inputs, key)
    if row is not None:
        if row.status == "pending" and queue_url():
            found = row
            watch_job(found, lambda: _enqueue_proposal(found))
        return row
    if user is not None and max_pending is not None:
        check_queued_work(
            StoredProposal, user, max_pending,
            message=_(
                "You have %(count)s proposals waiting to be computed. Open this page again in a minute, "
                "when some of them are done.",
            ),
        )
    row = StoredProposal(
        cooperation_id=inputs.cooperation.id,
        process_type_id=inputs.process_type.id,
        inputs_key=key,
        engine_version=ENGINE_VERSION,
        settings=json.dumps(_settings_data(settings)),
        status="pending",
        view="",
        requested_by_id=user.id if user is not None else None,
        requested_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another request asked for the same proposal a moment ago: use its row.
        other = find_stored_proposal(inputs, key)
        if other is None:
            raise
        return other
    _enqueue_proposal(row)
    return row


def _enqueue_proposal(row: StoredProposal) -> str | None:
    return enqueue_row(row, compute_proposal, proposal_job_failed)


def compute_proposal(row_id: int) -> None:
    """Compute a stored request's proposal from the current inputs and keep what the page shows."""
    row = db.session.get(StoredProposal, row_id)
    if row is None or row.status == "done":
        return
    try:
        inputs = harmonisation_inputs(row.cooperation, row.process_type)
        settings = ProposalSettings(**json.loads(row.settings))
        if proposal_key(inputs, settings, _checked_weights(inputs, settings)) != row.inputs_key:
            # The inputs changed after it was asked for; the page asks for the new key instead.
            db.session.delete(row)
            db.session.flush()
            return
        view = proposal_view(inputs, proposal_for(inputs, settings))
    except Exception as error:  # noqa: BLE001 - a job boundary: say on the page what went wrong
        fail_with(row, error)
        return
    row.view = json.dumps(view, ensure_ascii=False)
    row.status = "done"
    row.computed_at = utcnow()
    # Older results for the same settings have keys no page asks for any more (their inputs
    # changed): keep one row per cooperation, process type and settings.
    db.session.execute(
        delete(StoredProposal).where(
            StoredProposal.cooperation_id == row.cooperation_id,
            StoredProposal.process_type_id == row.process_type_id,
            StoredProposal.settings == row.settings,
            StoredProposal.id != row.id,
            StoredProposal.status != "pending",
        )
    )
    db.session.flush()


def proposal_job_failed(row_id: int, reason: str) -> None:
    """A proposal's job failed for good (``reason``: abandoned or timeout): the page says so."""
    fail_pending(StoredProposal, row_id, reason)


def _named_process(inputs: HarmonisationInputs, proposal: Proposal) -> Process:
    process = proposal.process.copy()
    process.name = process.name or inputs.process_type.name_nb
    return process


def _proposal_svg(proposal: Proposal, lang: str) -> str | None:
    """The proposal drawn, each step with its support in its label ("12 av 12"); None when too large to draw."""
    process = proposal.process
    if not 0 < len(process.steps) <= DIAGRAM_MAX_STEPS:
        return None
    support = {s.id: s.support.text(lang) for s in proposal.steps}
    drawn = process.copy()
    for step in process.steps:
        if step.id in support:
            drawn.replace_element(step.replace(label=f"{step.label} ({support[step.id]})"))
    with force_locale(lang):
        title = _("Proposed common standard")
    return write_process(drawn, "svg", lang=lang, title=title).decode("utf-8")


def proposal_view(inputs: HarmonisationInputs, proposal: Proposal) -> dict[str, Any]:
    """What the proposal page shows, as plain data in both languages (kept as JSON on a stored proposal)."""
    process = _named_process(inputs, proposal)
    return {
        "content": canonical_content(process),
        "step_count": len(process.steps),
        "drift": proposal.drift,
        "standard_version": inputs.standard_version.number if inputs.standard_version is not None else None,
        "texts": {
            lang: {
                "summary": proposal.summary(lang),
                "departures": proposal.texts(lang),
                "svg": _proposal_svg(proposal, lang),
            }
            for lang in ("nb", "en")
        },
        "steps": [
            {
                "id": s.id,
                "label": s.label,
                "count": s.support.count,
                "total": s.support.total,
                "support": {lang: s.support.text(lang) for lang in ("nb", "en")},
                "in_current": s.in_current,
                "dissent": [{"value": a.value, "members": list(a.members)} for a in s.dissent()],
            }
            for s in proposal.steps
        ],
        "left_out": [
            {
                "id": s.id,
                "label": s.label,
                "count": s.support.count,
                "total": s.support.total,
                "support": {lang: s.support.text(lang) for lang in ("nb", "en")},
                "members": list(s.support.members),
            }
            for s in proposal.left_out
        ],
    }


@dataclass(frozen=True)
class MemberPlan:
    """One member's change plan towards one cooperation's standard, with its follow-up."""

    cooperation: Cooperation
    standard_version: ProcessVersion
    member: str
    plan: ChangePlan
    variant: Variant
    version: ProcessVersion

    def entries(self) -> tuple[list[PlanEntry], list[PlanEntry]]:
        """The changes and the justified deviations, each with its follow-up and justification."""
        return plan_entries(
            self.plan,
            follow_ups_for(self.variant, self.cooperation),
            deviations_for(self.cooperation, variant=self.variant),
        )


def plans_for_variant(
    variant: Variant, version: ProcessVersion, *, on: dt.date | None = None, cooperation: Cooperation | None = None
) -> list[MemberPlan]:
    """The change plan of the variant's ``version`` towards each of its cooperations' standards.

    Justified deviations are listed apart. With ``on``: against the standard version
    published on that day. With ``cooperation``: towards that cooperation's only.
    """
    out = []
    cooperations = [cooperation] if cooperation is not None else cooperations_of(variant.municipality)
    for coop in cooperations:
        inputs = harmonisation_inputs(coop, variant.process_type, on=on)
        if inputs.standard_version is None:
            continue
        names = _names(inputs.members)
        member = next(
            (names[m.municipality.id] for m in inputs.members if m.variant is not None and m.variant.id == variant.id),
            None,
        )
        if member is None or inputs.versions.get(member) is None:
            continue
        if inputs.versions[member].id != version.id:
            inputs.versions[member] = version
        classes = _classes_for(inputs)
        target = classes.current
        assert target is not None
        process = classes.processes[member]
        in_standard, in_variant = justified_map(deviations_for(coop, variant=variant), target, process, on=on)
        plan = change_plan(
            process, target, classes=classes, member=member, justified=in_standard, justified_variant=in_variant
        )
        out.append(MemberPlan(coop, inputs.standard_version, member, plan, variant, version))
    return out


def plans_for_members(inputs: HarmonisationInputs) -> dict[int, MemberPlan]:
    """Every member's plan towards the cooperation's standard, by variant id, from one set of inputs.

    The same as :func:`plans_for_variant` for each member, without gathering the inputs
    and the step classes once per member.
    """
    if inputs.standard_version is None:
        return {}
    classes = _classes_for(inputs)
    target = classes.current
    assert target is not None
    rows = deviations_for(inputs.cooperation, process_type_id=inputs.process_type.id)
    names = _names(inputs.members)
    out: dict[int, MemberPlan] = {}
    for m in inputs.members:
        name = names[m.municipality.id]
        if m.variant is None or m.version is None or name not in classes.processes:
            continue
        process = classes.processes[name]
        own = [r for r in rows if r.variant_id == m.variant.id]
        in_standard, in_variant = justified_map(own, target, process, on=inputs.on)
        plan = change_plan(
            process, target, classes=classes, member=name, justified=in_standard, justified_variant=in_variant
        )
        out[m.variant.id] = MemberPlan(inputs.cooperation, inputs.standard_version, name, plan, m.variant, m.version)
    return out


def keep_step_classes(standard_version_id: int) -> bool:
    """Make and keep the step classes for the standard a version belongs to (a job after publishing).

    So that the first change plan after a new standard does not wait for 76 alignments.
    Only a warm-up: a failure is logged, never raised (the publication stands either way).
    Returns True when the classes are kept.
    """
    version = db.session.get(ProcessVersion, standard_version_id)
    if version is None or version.standard is None:
        return False
    standard = version.standard
    try:
        inputs = harmonisation_inputs(standard.cooperation, standard.process_type)
        if inputs.standard_version is None or not inputs.versions:
            return False
        _classes_for(inputs)
    except Exception:
        logger.exception("could not make the step classes for %s", standard)
        return False
    return True
