"""The divergence map, the similarity heatmap and the step search of a cooperation, from stored results.

Pages never run the comparison engine over the whole cooperation: they read the
stored comparisons (standard ↔ each member's latest version, and variant ↔ variant
for the heatmap) and draw what is there. Missing ones are requested through the
queue (:func:`request_missing`), and the page says how many are still being computed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from processes import Process
from processes.divergence import (
    SORT_KEYS,
    CellStatus,
    DivergenceMap,
    Outcome,
    Row,
    StepHit,
    divergence_map,
    find_steps,
)
from registry.comparisons.models import Comparison
from registry.comparisons.services import request_comparison, standard_version_for
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, load_process
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant

__all__ = [
    "DivergenceState",
    "MapFilter",
    "Member",
    "SearchGroup",
    "TypeSummary",
    "apply_filter",
    "aware",
    "day_end",
    "divergence_state",
    "find_standard",
    "member_variants",
    "request_member_pairs",
    "request_missing",
    "search_steps",
    "standard_version_on",
    "type_summary",
    "without_role_differences",
]


@dataclass(frozen=True)
class Member:
    """A member municipality with its variant's latest version (None: no process registered)."""

    municipality: Municipality
    variant: Variant | None
    version: ProcessVersion | None


@dataclass
class DivergenceState:
    """Everything the map page shows, read from stored rows."""

    cooperation: Cooperation
    process_type: ProcessType
    standard: Standard | None
    standard_version: ProcessVersion | None
    members: list[Member]
    dmap: DivergenceMap | None = None
    #: Members whose comparison with the standard is queued or running.
    pending: list[Member] = field(default_factory=list)
    #: Members whose comparison failed (the error is on their comparison page).
    failed: list[Member] = field(default_factory=list)
    #: Members without a comparison and nothing queued (request_missing asks for them).
    not_requested: list[Member] = field(default_factory=list)
    #: Pairs of variants whose similarity is not stored yet.
    missing_pairs: int = 0
    #: Digest of the stored rows the map was built from (None without a map); pages key caches on it.
    cache_key: str | None = None
    municipality_of: dict[str, Municipality] = field(default_factory=dict)
    #: The day the map shows («per dato»); None: today, from the latest versions.
    as_of: dt.date | None = None

    @property
    def without_variant(self) -> list[Member]:
        """Members that have not registered a process of this type."""
        return [m for m in self.members if m.version is None]

    @property
    def is_complete(self) -> bool:
        """True when every member with a process is in the map and every pair is known."""
        return not (self.pending or self.failed or self.not_requested or self.missing_pairs)


def find_standard(cooperation: Cooperation, process_type: ProcessType) -> Standard | None:
    """The cooperation's standard for the process type, if it has one."""
    return db.session.scalar(
        select(Standard).where(Standard.cooperation_id == cooperation.id, Standard.process_type_id == process_type.id)
    )


def aware(value: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite gives them back naive; they were stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the registry's time zone (Norway), in UTC.

    Whatever was made before it existed «per dato» ``day``.
    """
    zone = ZoneInfo(str(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Oslo"))
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def published_moment(version: ProcessVersion) -> dt.datetime | None:
    """When a published standard version was published (its creation, if it was saved as published)."""
    if version.status != "published":
        return None
    return aware(version.published_at or version.created_at)


def standard_version_on(standard: Standard, day: dt.date) -> ProcessVersion | None:
    """The standard version in force on ``day``: the last one published before the day ended, if any."""
    end = day_end(day)
    versions = db.session.scalars(
        select(ProcessVersion).where(ProcessVersion.standard_id == standard.id, ProcessVersion.status == "published")
    ).all()
    found = [(moment, v.number, v) for v in versions if (moment := published_moment(v)) is not None and moment < end]
    return max(found, key=lambda t: (t[0], t[1]))[2] if found else None


def _latest_before(variant_ids: list[int], before: dt.datetime) -> dict[int, ProcessVersion]:
    """Each variant's highest-numbered version made before ``before``."""
    rows = db.session.execute(
        select(ProcessVersion.id, ProcessVersion.variant_id, ProcessVersion.number, ProcessVersion.created_at).where(
            ProcessVersion.variant_id.in_(variant_ids)
        )
    ).all()
    chosen: dict[int, tuple[int, int]] = {}
    for version_id, variant_id, number, created_at in rows:
        if aware(created_at) < before and (variant_id not in chosen or number > chosen[variant_id][0]):
            chosen[variant_id] = (number, version_id)
    if not chosen:
        return {}
    ids = [version_id for _number, version_id in chosen.values()]
    return {v.variant_id: v for v in db.session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(ids)))
            if v.variant_id is not None}


def member_variants(
    cooperation: Cooperation,
    process_type: ProcessType,
    *,
    on: dt.date | None = None,
    made_before: dt.datetime | None = None,
) -> list[Member]:
    """Current members by number, each with its variant (also one registered under a predecessor) and latest version.

    ``on``: the members of that day instead of today's; ``made_before``: each variant's latest
    version made before that moment (a variant without one then counts as not registered).
    """
    members = cooperation.members_on(on or dt.date.today())
    owner_of: dict[int, Municipality] = {}
    for m in members:
        owner_of.setdefault(m.id, m)
        todo = list(m.predecessors)
        while todo:
            p = todo.pop()
            if p.id not in owner_of:
                owner_of[p.id] = m
                todo.extend(p.predecessors)
    variants = db.session.scalars(
        select(Variant).where(Variant.process_type_id == process_type.id, Variant.municipality_id.in_(list(owner_of)))
    ).all()
    if made_before is not None:
        then = _latest_before([v.id for v in variants], made_before)
        # A variant without a version by then was not registered yet.
        return _chosen_members(members, owner_of, [v for v in variants if v.id in then], then)
    latest_numbers = (
        select(ProcessVersion.variant_id, func.max(ProcessVersion.number).label("number"))
        .where(ProcessVersion.variant_id.in_([v.id for v in variants]))
        .group_by(ProcessVersion.variant_id)
        .subquery()
    )
    latest = {
        v.variant_id: v
        for v in db.session.scalars(
            select(ProcessVersion).join(
                latest_numbers,
                (ProcessVersion.variant_id == latest_numbers.c.variant_id)
                & (ProcessVersion.number == latest_numbers.c.number),
            )
        )
    }
    return _chosen_members(members, owner_of, variants, latest)


def _chosen_members(
    members: list[Municipality],
    owner_of: dict[int, Municipality],
    variants: Sequence[Variant],
    latest: dict[int, ProcessVersion],
) -> list[Member]:
    """Each member with its own variant (else one registered under a predecessor) and that variant's version."""
    chosen: dict[int, Variant] = {}
    for v in sorted(variants, key=lambda v: v.id):
        member = owner_of[v.municipality_id]
        # The member's own variant wins over one registered under a predecessor.
        if member.id not in chosen or v.municipality_id == member.id:
            chosen[member.id] = v
    out = []
    for m in members:
        variant = chosen.get(m.id)
        out.append(Member(m, variant, latest.get(variant.id) if variant is not None else None))
    return out


def _labels(version: ProcessVersion) -> dict[str, str]:
    process = load_process(version)
    return {s.id: s.label for s in process.steps}


# Built maps by the stored rows they come from (see divergence_state): kept per app (so per
# database), bounded, shared by the threads of one process.
_MAP_CACHE_SIZE = 64
_MAP_LOCK = threading.Lock()


def _map_cache() -> OrderedDict[tuple[Any, ...], tuple[DivergenceMap, str]]:
    """Built maps (with the digest of their key), by the stored rows they were built from."""
    cache: OrderedDict[tuple[Any, ...], tuple[DivergenceMap, str]] = current_app.extensions.setdefault(
        "divergence_maps", OrderedDict()
    )
    return cache


def divergence_state(
    cooperation: Cooperation, process_type: ProcessType, *, groups: int | None = None, on: dt.date | None = None
) -> DivergenceState:
    """Read the stored comparisons of the cooperation's standard and members and build the map.

    ``groups`` is the number of row groups the coordinator asked for; None lets the engine choose.
    ``on`` («per dato»): the map as it was that day: that day's members, each with its latest
    version made by the end of the day, against the standard version published by then.
    """
    standard = find_standard(cooperation, process_type)
    if on is None:
        members = member_variants(cooperation, process_type)
        std_version = standard_version_for(standard) if standard is not None else None
    else:
        members = member_variants(cooperation, process_type, on=on, made_before=day_end(on))
        std_version = standard_version_on(standard, on) if standard is not None else None
    state = DivergenceState(cooperation, process_type, standard, std_version, members, as_of=on)
    with_version = [m for m in members if m.version is not None]
    if std_version is None or not with_version:
        return state
    version_ids = [m.version.id for m in with_version if m.version is not None]
    rows = db.session.execute(
        select(Comparison.version_b_id, Comparison.status, Comparison.result, Comparison.computed_at, Comparison.id)
        .where(
            Comparison.version_a_id == std_version.id,
            Comparison.version_b_id.in_(version_ids),
            Comparison.engine_version == ENGINE_VERSION,
        )
        .order_by(Comparison.id)
    ).all()
    best: dict[int, Any] = {}
    status_of: dict[int, set[str]] = {}
    for row in rows:
        status_of.setdefault(row.version_b_id, set()).add(row.status)
        if row.status == "done":
            best[row.version_b_id] = row  # later ids are newer decisions
    hits: dict[str, tuple[Any, Any]] = {}
    names: dict[str, str] = {}
    key_of_version: dict[int, str] = {}
    for m in with_version:
        assert m.version is not None
        statuses = status_of.get(m.version.id, set())
        hit = best.get(m.version.id)
        if hit is None:
            if "pending" in statuses:
                state.pending.append(m)
            elif "failed" in statuses:
                state.failed.append(m)
            else:
                state.not_requested.append(m)
            continue
        if "pending" in statuses:
            state.pending.append(m)  # shown from the older result meanwhile
        key = m.municipality.number
        hits[key] = (hit, m.version)
        names[key] = m.municipality.name
        key_of_version[m.version.id] = key
        state.municipality_of[key] = m.municipality
    if not hits:
        return state
    ids = list(key_of_version)
    pair_rows = db.session.execute(
        select(Comparison.version_a_id, Comparison.version_b_id, Comparison.overall).where(
            Comparison.version_a_id.in_(ids),
            Comparison.version_b_id.in_(ids),
            Comparison.engine_version == ENGINE_VERSION,
            Comparison.status == "done",
        )
    ).all()
    pairwise = {
        (key_of_version[a], key_of_version[b]): float(overall)
        for a, b, overall in pair_rows
        if overall is not None and a != b
    }
    # Stored comparisons never change (a new result is a new row), so the map built from
    # these rows is the same until a row id, a member or a name changes: key on them.
    cache_key = (
        std_version.id,
        tuple(sorted((key, hit.id, names[key]) for key, (hit, _version) in hits.items())),
        tuple(sorted(pairwise.items())),
        groups,
    )
    cache = _map_cache()
    with _MAP_LOCK:
        hit = cache.get(cache_key)
        if hit is not None:
            cache.move_to_end(cache_key)
    if hit is not None:
        cached, digest = hit
    else:
        outcomes = {
            key: Outcome.from_dict((data := json.loads(hit.result)).get("nb") or data, _labels(version))
            for key, (hit, version) in hits.items()
        }
        cached = divergence_map(
            load_process(std_version),
            {},
            comparisons=outcomes,
            pairwise=pairwise,
            names=names,
            compute_pairwise=False,
            cluster_groups=groups,
        )
        # A short digest of the key, for caches of what is derived from the map (pages): they
        # need not keep another copy of every pair's similarity.
        digest = hashlib.blake2b(repr(cache_key).encode(), digest_size=16).hexdigest()
        with _MAP_LOCK:
            cache[cache_key] = (cached, digest)
            while len(cache) > _MAP_CACHE_SIZE:
                cache.popitem(last=False)
    state.dmap = cached
    state.cache_key = digest
    state.missing_pairs = len(state.dmap.heatmap.estimated)
    return state


def request_missing(state: DivergenceState, *, limit: int = 2000) -> int:
    """Queue the comparisons the map lacks (standard ↔ member, member ↔ member); returns how many were requested."""
    if state.standard_version is None:
        return 0
    count = 0
    versions = [m.version for m in state.members if m.version is not None]
    for m in state.not_requested:
        assert m.version is not None
        request_comparison(state.standard_version, m.version)
        count += 1
    known = {
        frozenset(pair)
        for pair in db.session.execute(
            select(Comparison.version_a_id, Comparison.version_b_id).where(
                Comparison.version_a_id.in_([v.id for v in versions]),
                Comparison.version_b_id.in_([v.id for v in versions]),
                Comparison.engine_version == ENGINE_VERSION,
                or_(Comparison.status == "done", Comparison.status == "pending"),
            )
        ).all()
    }
    ordered = sorted(versions, key=lambda v: v.id)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if count >= limit:
                return count
            if frozenset((a.id, b.id)) not in known:
                request_comparison(a, b)
                count += 1
    return count


def request_member_pairs(version: ProcessVersion) -> int:
    """Queue the heatmap's pairs of a new variant version: it with each other current member's latest version.

    Only the cooperations with a standard for the process type (they have a map), only their
    current members, and only with a task queue: inline, each pair would run during the save
    (about a quarter of a second each), so there the map's «Compute what is missing» does it.
    Returns how many were requested.
    """
    from registry.comparisons.services import standards_for_variant
    from registry.tasks import queue_url

    variant = version.variant
    if variant is None or not queue_url():
        return 0
    others: dict[int, ProcessVersion] = {}
    for standard in standards_for_variant(variant):
        for m in member_variants(standard.cooperation, variant.process_type):
            if m.version is not None and m.variant is not None and m.variant.id != variant.id:
                others[m.version.id] = m.version
    for other in sorted(others.values(), key=lambda v: v.id):
        # The older version first, as request_missing asks for them.
        request_comparison(*sorted((other, version), key=lambda v: v.id))
    return len(others)


@dataclass(frozen=True)
class TypeSummary:
    """How far a cooperation's members have come with one process type, for the maps index."""

    members: int  # current members
    with_process: int  # members that have registered a process of the type
    compared: int  # members whose latest version has a stored similarity to the standard
    median: float | None  # median overall similarity to the standard (None: none compared)
    open_changes: int | None  # changes of the members' plans not done yet (None: no standard version)


def type_summary(cooperation: Cooperation, process_type: ProcessType) -> TypeSummary:
    """Members with a process, the median similarity to the standard and the open changes of their plans.

    The similarity is read from the stored comparisons (standard ↔ each member's latest
    version, this engine); the plans are made from the kept step classes.
    """
    from registry.harmonisation.services import harmonisation_inputs, plans_for_members

    members = member_variants(cooperation, process_type)
    with_version = [m.version for m in members if m.version is not None]
    standard = find_standard(cooperation, process_type)
    std_version = standard_version_for(standard) if standard is not None else None
    if std_version is None:
        return TypeSummary(len(members), len(with_version), 0, None, None)
    overall: dict[int, float] = {}
    if with_version:
        for version_b_id, value in db.session.execute(
            select(Comparison.version_b_id, Comparison.overall)
            .where(
                Comparison.version_a_id == std_version.id,
                Comparison.version_b_id.in_([v.id for v in with_version]),
                Comparison.engine_version == ENGINE_VERSION,
                Comparison.status == "done",
            )
            .order_by(Comparison.id)
        ).all():
            if value is not None:
                overall[version_b_id] = float(value)  # the newest row counts
    open_changes = 0
    for plan in plans_for_members(harmonisation_inputs(cooperation, process_type)).values():
        changes, _justified = plan.entries()
        open_changes += sum(1 for e in changes if e.status not in ("done", "justified"))
    values = list(overall.values())
    return TypeSummary(len(members), len(with_version), len(values), median(values) if values else None, open_changes)


@dataclass(frozen=True)
class MapFilter:
    """What the coordinator narrowed the map to, and how it is sorted."""

    status: str = ""  # a CellStatus value, or "" for any
    step: str = ""  # a standard step id the status applies to, or "" for any step
    min_overall: float = 0.0  # in [0, 1]
    county: str = ""  # a county number, or ""
    sort: str = "cluster"
    descending: bool = False
    #: Show cells whose only further difference is the role (lane) as plain, without «*».
    hide_role_only: bool = False


#: The further differences that are about who does a step (the lane or role) only.
ROLE_KINDS = frozenset({"lane_changed"})


def without_role_differences(row: Row) -> Row:
    """The row with role (lane) differences left out of every cell's further differences."""
    cells = tuple(
        replace(c, also=tuple(k for k in c.also if k not in ROLE_KINDS)) if any(k in ROLE_KINDS for k in c.also) else c
        for c in row.cells
    )
    return replace(row, cells=cells)


def apply_filter(state: DivergenceState, flt: MapFilter) -> list[Row]:
    """The map's rows that pass the filter, in the requested order."""
    if state.dmap is None:
        return []
    dmap = state.dmap
    sort = flt.sort if flt.sort in SORT_KEYS or flt.sort.startswith("step:") else "cluster"
    try:
        rows = dmap.sorted_rows(sort, descending=flt.descending)
    except ValueError:
        rows = dmap.sorted_rows("cluster")
    index = {c.step_id: i for i, c in enumerate(dmap.columns)}
    status = CellStatus(flt.status) if flt.status in {s.value for s in CellStatus} else None
    out = []
    for row in rows:
        if row.similarity["overall"] < flt.min_overall:
            continue
        municipality = state.municipality_of.get(row.key)
        if flt.county and (municipality is None or municipality.county_number != flt.county):
            continue
        if status is not None:
            if flt.step in index:
                if row.cells[index[flt.step]].status is not status:
                    continue
            elif not any(c.status is status for c in row.cells):
                continue
        out.append(without_role_differences(row) if flt.hide_role_only else row)
    return out


@dataclass(frozen=True)
class SearchGroup:
    """The steps of one member municipality that are like the query."""

    member: Member
    hits: tuple[StepHit, ...]

    @property
    def best(self) -> float:
        """The best score in the group."""
        return max(h.score for h in self.hits)


def search_steps(
    cooperation: Cooperation,
    query: str,
    *,
    process_types: Sequence[ProcessType] | None = None,
    threshold: float = 0.5,
) -> list[tuple[ProcessType, list[SearchGroup], list[Member]]]:
    """Which members have a step like ``query``, per process type, best municipality first; and which have none."""
    types = list(process_types) if process_types is not None else sorted(
        db.session.scalars(select(ProcessType)), key=lambda t: norwegian_key(t.name_nb)
    )
    results: list[tuple[ProcessType, list[SearchGroup], list[Member]]] = []
    for process_type in types:
        members = [m for m in member_variants(cooperation, process_type) if m.version is not None]
        if not members:
            continue
        by_key = {m.municipality.number: m for m in members}
        processes: dict[str, Process] = {}
        for m in members:
            assert m.version is not None
            processes[m.municipality.number] = load_process(m.version)
        hits = find_steps(query, processes, threshold=threshold)
        grouped: dict[str, list[StepHit]] = {}
        for h in hits:
            grouped.setdefault(h.key, []).append(h)
        groups = [SearchGroup(by_key[k], tuple(v)) for k, v in grouped.items()]
        groups.sort(key=lambda g: (-g.best, norwegian_key(g.member.municipality.name)))
        if groups:
            without = [m for m in members if m.municipality.number not in grouped]
            results.append((process_type, groups, without))
    return results
