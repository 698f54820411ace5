"""Harmonisation: step classes across many variants, a proposed common standard, change plans.

The comparison engine answers *where* two processes differ. This module
answers what a cooperation of many municipalities should do about it:

1. :func:`step_classes` aligns N variants (and the current standard, if
   there is one) into **step classes**: the steps that are "the same step"
   across the cooperation. Pairwise alignments are not transitive, so the
   classes are made against one pivot (the current standard, or else the
   medoid variant), with the steps that the pivot lacks clustered across
   the members; then every variant is aligned once more against a reference
   made of all classes that two or more members share, so that a step the
   pivot lacked is matched with structure as well as words. The result is
   consistent by construction: every step of every variant has exactly one
   home class, and a class holds several steps of one variant only where that
   variant splits the step (a *split* occurrence). A step that merges several
   classes is the occurrence of each of them (shape ``"merged"``) and has its
   home in the first. Confirmed and rejected correspondences (a
   :class:`~processes.align.MappingMemory` per member, about the current
   standard) are passed to every alignment.

2. :func:`propose_standard` chooses the process that minimises the total
   (optionally weighted) change distance from the members to it, in the
   spirit of Li, Reichert and Wombacher, "Discovering reference models by
   mining process variants using a heuristic approach" (BPM 2009): each
   decision (is a class a step of the standard; its label, kind, lane, mode,
   system, legal basis, handling time; whether it is mandatory; the relation
   of every pair of steps: before, after, exclusive, parallel, repeated) is
   the weighted majority of the members, which minimises the summed
   distance decision by decision, ties going to the current standard. From
   the majority relations a block-structured process is built (sequence,
   exclusive and parallel blocks, optional steps, loops; see
   :func:`_build`), and the candidate with the least total distance is kept
   among it and the current standard. With ``max_drift`` only the strongest
   departures from the current standard are made, as many as keep the
   proposal within that distance of it.

3. :func:`change_plan` lists the concrete, ordered changes that turn one
   variant into a target (the published standard or a proposal): add,
   remove, rename, move, split, merge, run in parallel or in sequence, make
   optional or mandatory, connect, and change lane, mode, system, legal
   basis or handling time. Each change has an effort class with the rule
   behind it, the members that already do it the target's way, a sentence
   in bokmål and English, and the element operations that carry it out;
   :func:`apply_plan` applies them. A deviation marked as justified
   (*begrunnet avvik*) is listed apart and not counted.

The **change distance** between two processes is the number of changes in
the plan from one to the other, which is the number of differences
:func:`processes.diff.diff` reports (:func:`change_distance`).

Bounds: :func:`step_classes` makes 2N alignments (each bounded as
:func:`processes.align.align` is) and compares the E steps that the pivot
lacks pairwise (E² label similarities, E at most the total number of steps);
:func:`propose_standard` adds O(N·K²) work for K classes and, with
``max_drift``, at most ⌈log₂ D⌉ + 2 syntheses for D departures;
:func:`change_plan` is linear in the size of the two processes plus one
alignment and one diff.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from processes.align import (
    DEFAULT_THRESHOLD,
    Alignment,
    MappingMemory,
    Match,
    MatchKind,
    align,
)
from processes.diff import Difference, DifferenceKind, diff
from processes.explain import LANGUAGES, _kind_word, explain, name_of
from processes.labels import Synonyms, analyse, normalise, similarity_matrix
from processes.model import (
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Step,
    StepKind,
)
from processes.similarity import ProcessProfile, Relation, profile
from processes.text import norwegian_key

__all__ = [
    "ATTRIBUTES",
    "CLASSES_DATA_FORMAT",
    "EFFORT_RULES",
    "Alternative",
    "Change",
    "ChangeKind",
    "ChangePlan",
    "Effort",
    "Occurrence",
    "Operation",
    "Proposal",
    "ProposedStep",
    "StepClass",
    "StepClasses",
    "Support",
    "apply_plan",
    "change_distance",
    "change_plan",
    "classes_from_data",
    "classes_to_data",
    "join_names",
    "propose_standard",
    "step_classes",
]

#: Step attributes that the harmonisation decides by majority (besides label and kind).
ATTRIBUTES = ("lane", "mode", "system", "legal_basis", "handling_days")

# How many members' own processes (the closest to the others first) are tried as
# candidates, repaired towards the majority, besides the block synthesis.
_MEMBER_CANDIDATES = 3

# Occurrence shapes.
_SAME, _SPLIT, _MERGED = "same", "split", "merged"


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")


# --------------------------------------------------------------------------
# Step classes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """How one member has one step class.

    Attributes
    ----------
    member
        The member (municipality) name.
    steps
        Its step ids: one, or several where it splits the step.
    labels
        Their labels.
    shape
        ``"same"`` (one step), ``"split"`` (several steps of the member for
        this class) or ``"merged"`` (one step of the member that stands for
        this class and others).
    rank
        Where the (first) step sits in the member's process order (0 = first).
    position
        The same as a share of the way from start (0.0) to end (1.0).
    kind
        Step kind of the (first) step, e.g. ``"user_task"``.
    attributes
        Lane, mode, system, legal basis and handling time of the (first)
        step, as text (``None`` where not stated).
    mandatory
        True when the member always does the step (it cannot be bypassed).
    """

    member: str
    steps: tuple[str, ...]
    labels: tuple[str, ...]
    shape: str
    rank: int
    position: float
    kind: str
    attributes: Mapping[str, str | None] = field(hash=False)
    mandatory: bool = True


@dataclass(frozen=True)
class StepClass:
    """A set of steps, at most one per member unless split, that are "the same step" across the cooperation.

    ``id`` is the current standard's step id for classes that the standard
    has (``current_step``), otherwise a new id (often the id the members
    themselves use). ``occurrences`` maps each member that has the class to
    how it has it.
    """

    id: str
    occurrences: Mapping[str, Occurrence] = field(hash=False)
    current_step: str | None = None

    @property
    def members(self) -> tuple[str, ...]:
        """The members that have this class, in the cooperation's member order."""
        return tuple(self.occurrences)

    def label(self) -> str:
        """The label most members use (the current standard's if nobody has it)."""
        counts = Counter(lbl for o in self.occurrences.values() for lbl in o.labels[:1])
        if not counts:
            return self.id
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


@dataclass(frozen=True, eq=False)
class StepClasses:
    """The step classes of a cooperation's variants of one process (see :func:`step_classes`).

    Attributes
    ----------
    members
        Member names in the order given.
    processes
        Member name -> its process.
    current
        The current standard, or None.
    classes
        The classes, in the order of the reference process (then new classes).
    reference
        The process the variants were finally aligned with: its step ids are
        class ids (the current standard's steps, the classes that at least
        two members share).
    home
        (member, step id) -> the class id the step belongs to.
    profiles
        Member name -> :func:`processes.similarity.profile` of its process.
    """

    members: tuple[str, ...]
    processes: Mapping[str, Process]
    current: Process | None
    classes: tuple[StepClass, ...]
    reference: Process
    home: Mapping[tuple[str, str], str]
    profiles: Mapping[str, ProcessProfile]
    _by_id: dict[str, StepClass] = field(default_factory=dict, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.id: c for c in self.classes})

    def __getitem__(self, class_id: str) -> StepClass:
        return self._by_id[class_id]

    def __contains__(self, class_id: object) -> bool:
        return class_id in self._by_id

    def __len__(self) -> int:
        return len(self.classes)

    def class_of(self, member: str, step_id: str) -> str | None:
        """The home class of a member's step, or None if the step is unknown."""
        return self.home.get((member, step_id))

    def edges(self) -> dict[str, set[tuple[str, str]]]:
        """Member -> the (class, class) pairs of its direct successions of steps (computed once)."""
        if "edges" not in self._cache:
            self._cache["edges"] = _member_edges(self)
        edges: dict[str, set[tuple[str, str]]] = self._cache["edges"]
        return edges

    def member_classes(self, member: str) -> dict[str, Occurrence]:
        """Class id -> occurrence, for every class the member has."""
        return {c.id: c.occurrences[member] for c in self.classes if member in c.occurrences}


def _medoids(processes: Mapping[str, Process], k: int = 1) -> list[str]:
    """The ``k`` members whose sets of normalised labels are closest (Jaccard) to all the others, closest first."""
    names = list(processes)
    sets = [frozenset(normalise(s.label) or s.kind.value for s in processes[n].steps) for n in names]
    totals = [
        sum(len(a & b) / len(a | b) if a | b else 1.0 for j, b in enumerate(sets) if j != i)
        for i, a in enumerate(sets)
    ]
    order = sorted(range(len(names)), key=lambda i: (-round(totals[i], 12), i))
    return [names[i] for i in order[:k]]


def _medoid(processes: Mapping[str, Process]) -> str:
    """The member whose set of normalised labels is closest (Jaccard) to all the others."""
    return _medoids(processes, 1)[0]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value).strip()
    return text or None


def _occurrence(
    member: str, process: Process, prof: ProcessProfile, steps: Sequence[str], shape: str
) -> Occurrence:
    ordered = sorted(steps, key=lambda s: prof.rank[prof.index[s]])
    first = process.step(ordered[0])
    n = max(len(prof.ids) - 1, 1)
    rank = prof.rank[prof.index[first.id]]
    return Occurrence(
        member=member,
        steps=tuple(ordered),
        labels=tuple(process.step(s).label for s in ordered),
        shape=shape,
        rank=rank,
        position=rank / n,
        kind=first.kind.value,
        attributes={name: _text(getattr(first, name)) for name in ATTRIBUTES},
        mandatory=any(prof.mandatory[prof.index[s]] for s in ordered),
    )


def _new_id(base: str, taken: set[str]) -> str:
    candidate = base
    n = 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _classes_against(
    pivot: Process,
    processes: Mapping[str, Process],
    profiles: Mapping[str, ProcessProfile],
    memory: Mapping[str, MappingMemory] | None,
    synonyms: Synonyms,
    threshold: float,
    current_ids: frozenset[str],
) -> tuple[list[StepClass], dict[tuple[str, str], str]]:
    pivot_ids = [s.id for s in pivot.steps]
    occ: dict[str, dict[str, Occurrence]] = {sid: {} for sid in pivot_ids}
    home: dict[tuple[str, str], str] = {}
    extras: list[tuple[str, str]] = []
    for member, process in processes.items():
        mem = memory.get(member) if memory else None
        alignment = align(pivot, process, memory=mem, synonyms=synonyms, threshold=threshold)
        prof = profiles[member]
        for m in alignment.matches:
            if len(m.a) == 1:
                shape = _SPLIT if len(m.b) > 1 else _SAME
                occ[m.a[0]][member] = _occurrence(member, process, prof, m.b, shape)
                for y in m.b:
                    home[(member, y)] = m.a[0]
            else:
                o = _occurrence(member, process, prof, m.b, _MERGED)
                for x in m.a:
                    occ[x][member] = o
                home[(member, m.b[0])] = m.a[0]
        extras.extend((member, y) for y in alignment.extra)

    taken = set(pivot_ids) | set(current_ids)
    classes = [
        StepClass(sid, occ[sid], sid if sid in current_ids else None) for sid in pivot_ids
    ]
    for cluster in _cluster_extras(extras, processes, profiles, synonyms, threshold):
        ids = Counter(y for _, y in cluster)
        base = min(ids.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        cid = _new_id(base if base not in taken else f"steg-{base}", taken)
        occurrences = {
            member: _occurrence(member, processes[member], profiles[member], (y,), _SAME)
            for member, y in cluster
        }
        ordered = {m: occurrences[m] for m in processes if m in occurrences}
        classes.append(StepClass(cid, ordered, None))
        for member, y in cluster:
            home[(member, y)] = cid
    return classes, home


def _cluster_extras(
    extras: list[tuple[str, str]],
    processes: Mapping[str, Process],
    profiles: Mapping[str, ProcessProfile],
    synonyms: Synonyms,
    threshold: float,
) -> list[list[tuple[str, str]]]:
    """Group the steps the pivot lacks: at most one step per member in a group.

    Two steps join when their labels are similar (the aligner's label
    similarity) and they sit at a similar place (80 % label, 20 % relative
    position); pairs are joined best first (single linkage under the
    one-step-per-member constraint). Unnamed steps only join unnamed steps
    of the same kind.
    """
    if not extras:
        return []
    steps = [processes[m].step(y) for m, y in extras]
    texts = [s.label for s in steps]
    labels = analyse(texts, synonyms=synonyms)
    pos = np.asarray(
        [profiles[m].rank[profiles[m].index[y]] / max(len(profiles[m].ids) - 1, 1) for m, y in extras]
    )
    unnamed = np.asarray([not normalise(s.label) for s in steps])
    kinds = np.asarray([s.kind.value for s in steps])
    # Pairs above the threshold, a block of rows at a time: memory O(block × E), not O(E²).
    pairs_i: list[npt.NDArray[np.intp]] = []
    pairs_j: list[npt.NDArray[np.intp]] = []
    pairs_v: list[npt.NDArray[np.float64]] = []
    block = 512
    for lo in range(0, len(extras), block):
        hi = min(lo + block, len(extras))
        part = analyse(texts[lo:hi], synonyms=synonyms, language=labels.language)
        sim = similarity_matrix(part, labels)
        near = 1.0 - np.abs(pos[lo:hi, None] - pos[None, :])
        score = np.where(sim > 0, 0.8 * sim + 0.2 * near, 0.0)
        if unnamed[lo:hi].any():
            same_unnamed = np.outer(unnamed[lo:hi], unnamed) & np.equal.outer(kinds[lo:hi], kinds)
            score[same_unnamed] = (0.8 + 0.2 * near)[same_unnamed]
        ii, jj = np.nonzero(score >= threshold)
        ii = ii + lo
        upper = jj > ii
        pairs_i.append(ii[upper])
        pairs_j.append(jj[upper])
        pairs_v.append(score[ii[upper] - lo, jj[upper]])
    members = [m for m, _ in extras]
    parent = list(range(len(extras)))
    owners: list[set[str]] = [{m} for m in members]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    iu, ju, values = np.concatenate(pairs_i), np.concatenate(pairs_j), np.concatenate(pairs_v)
    order = np.lexsort((ju, iu, -values))
    for k in order.tolist():
        i, j = int(iu[k]), int(ju[k])
        if members[i] == members[j]:
            continue
        ri, rj = find(i), find(j)
        if ri == rj or owners[ri] & owners[rj]:
            continue
        parent[rj] = ri
        owners[ri] |= owners[rj]
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for i, item in enumerate(extras):
        groups[find(i)].append(item)
    return [groups[r] for r in sorted(groups)]


def step_classes(
    variants: Mapping[str, Process],
    *,
    current: Process | None = None,
    memory: Mapping[str, MappingMemory] | None = None,
    synonyms: Synonyms | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    refine: bool = True,
) -> StepClasses:
    """Align many variants into step classes.

    Parameters
    ----------
    variants
        Member name (e.g. the municipality) -> its process. At least one.
    current
        The cooperation's current standard, if any: its steps are classes
        (with their ids) even where no member has them.
    memory
        Member name -> correspondences confirmed or rejected between the
        current standard (A) and that member's process (B).
    synonyms
        Synonym groups for the aligner.
    threshold
        The aligner's threshold (also used to group the steps the pivot lacks).
    refine
        Align every variant a second time against the reference made of the
        classes two or more members share (more accurate; twice the work).

    Returns
    -------
    StepClasses

    Raises
    ------
    ValueError
        With no variants.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> sc = step_classes({"Malvik": chain("Motta søknad", "Befaring", "Fatte vedtak"),
    ...                    "Melhus": chain("Motta søknad", "Befaring", "Fatte vedtak"),
    ...                    "Skaun": chain("Motta søknad", "Fatte vedtak")})
    >>> [(c.label(), len(c.members)) for c in sc.classes]
    [('Motta søknad', 3), ('Befaring', 2), ('Fatte vedtak', 3)]
    """
    if not variants:
        raise ValueError("step_classes needs at least one variant")
    syn = Synonyms.builtin() if synonyms is None else synonyms
    processes = dict(variants)
    profiles = {m: profile(p) for m, p in processes.items()}
    current_ids = frozenset(s.id for s in current.steps) if current is not None else frozenset()
    pivot = current if current is not None else processes[_medoid(processes)]
    mem = memory if current is not None else None
    classes, home = _classes_against(pivot, processes, profiles, mem, syn, threshold, current_ids)
    reference = pivot
    if refine and len(processes) > 1:
        first = StepClasses(tuple(processes), processes, current, tuple(classes), pivot, home, profiles)
        keep = [
            c.id
            for c in classes
            if c.current_step is not None or len(c.occurrences) >= 2
        ]
        if keep:
            consensus = _Consensus.of(first, weights=None, justified=frozenset(), count_justified=True)
            reference = _synthesise(consensus, keep, consensus.majority_decisions(), pivot_hint=pivot)
            classes, home = _classes_against(
                reference, processes, profiles, mem, syn, threshold, current_ids
            )
    classes = _split_by_majority(classes, home, processes, profiles, current_ids)
    return StepClasses(tuple(processes), processes, current, tuple(classes), reference, home, profiles)


#: The version of :func:`classes_to_data`'s shape; :func:`classes_from_data` refuses others.
CLASSES_DATA_FORMAT = 1


def classes_to_data(classes: StepClasses) -> dict[str, Any]:
    """Step classes as plain data (JSON-able), to keep them instead of aligning again.

    The members' processes and the current standard are not in it (the caller has
    them); :func:`classes_from_data` needs the same ones back. Size: O(total steps).

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> members = {"Malvik": chain("Motta søknad", "Befaring", "Fatte vedtak"),
    ...            "Skaun": chain("Motta søknad", "Fatte vedtak")}
    >>> sc = step_classes(members)
    >>> again = classes_from_data(classes_to_data(sc), members, None)
    >>> [(c.label(), c.members) for c in again.classes] == [(c.label(), c.members) for c in sc.classes]
    True
    """
    from processes.formats import write_process

    return {
        "format": CLASSES_DATA_FORMAT,
        "members": list(classes.members),
        "current_steps": sorted(s.id for s in classes.current.steps) if classes.current is not None else None,
        "classes": [
            {
                "id": c.id,
                "current_step": c.current_step,
                "occurrences": [
                    [o.member, list(o.steps), list(o.labels), o.shape, o.rank, o.position, o.kind,
                     dict(o.attributes), o.mandatory]
                    for o in c.occurrences.values()
                ],
            }
            for c in classes.classes
        ],
        "reference": write_process(classes.reference, "yaml").decode("utf-8"),
        "home": [[member, step, cid] for (member, step), cid in classes.home.items()],
    }


def classes_from_data(
    data: Mapping[str, Any], processes: Mapping[str, Process], current: Process | None
) -> StepClasses:
    """The step classes kept by :func:`classes_to_data`, with the members' processes and the standard.

    Raises ValueError when the data is of another format or was made from other
    members, another standard, or other versions of the members' processes (a step it
    names is not there): make the classes again with :func:`step_classes` then.
    """
    from processes.formats import read_process

    if not isinstance(data, Mapping) or data.get("format") != CLASSES_DATA_FORMAT:
        raise ValueError("the kept step classes are of another format; make them again")
    members = tuple(str(m) for m in data["members"])
    if set(members) != set(processes) or len(members) != len(processes):
        raise ValueError("the kept step classes were made from other members; make them again")
    wanted = sorted(s.id for s in current.steps) if current is not None else None
    if data.get("current_steps") != wanted:
        raise ValueError("the kept step classes were made with another current standard; make them again")
    try:
        built = []
        for c in data["classes"]:
            occurrences: dict[str, Occurrence] = {}
            for member, steps, labels, shape, rank, position, kind, attributes, mandatory in c["occurrences"]:
                process = processes[member]
                if any(sid not in process for sid in steps):
                    raise ValueError(f"the kept step classes name steps {member!r} no longer has")
                occurrences[member] = Occurrence(
                    str(member), tuple(steps), tuple(labels), str(shape), int(rank), float(position), str(kind),
                    dict(attributes), bool(mandatory),
                )
            built.append(StepClass(str(c["id"]), occurrences, c["current_step"]))
        home = {(str(m), str(y)): str(cid) for m, y, cid in data["home"]}
        reference = read_process(str(data["reference"]).encode("utf-8"), format="native", max_bytes=None)
    except (KeyError, TypeError) as error:
        raise ValueError(f"the kept step classes are not in the expected shape: {error}") from error
    profiles = {m: profile(processes[m]) for m in members}
    ordered = {m: processes[m] for m in members}
    return StepClasses(members, ordered, current, tuple(built), reference, home, profiles)


def _split_by_majority(
    classes: list[StepClass],
    home: dict[tuple[str, str], str],
    processes: Mapping[str, Process],
    profiles: Mapping[str, ProcessProfile],
    current_ids: frozenset[str],
) -> list[StepClass]:
    """Split a class that most of its members split, into one class per part.

    When the pivot has one step where most members have two (say «Vurdere
    søknaden» against «Vurdere plan» + «Vurdere tekniske krav»), the members'
    way is several steps: each part becomes a class of its own, in order, and
    the members (and the current standard) with the one step have it as a
    *merged* occurrence of all the parts. The first part keeps the class id.
    """
    taken = {c.id for c in classes} | set(current_ids)
    out: list[StepClass] = []
    for c in classes:
        occs = c.occurrences
        split = [o for o in occs.values() if o.shape == _SPLIT]
        sizes = Counter(len(o.steps) for o in split)
        if not split or 2 * len(split) <= len(occs):
            out.append(c)
            continue
        k = min(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        parts: list[dict[str, Occurrence]] = [{} for _ in range(k)]
        moved: list[tuple[tuple[str, str], int]] = []
        for m, o in occs.items():
            if o.shape == _SPLIT:
                groups = [o.steps[i : i + 1] for i in range(k - 1)] + [o.steps[k - 1 :]]
                for i, steps in enumerate(groups):
                    if not steps:
                        continue
                    shape = _SPLIT if len(steps) > 1 else _SAME
                    parts[i][m] = _occurrence(m, processes[m], profiles[m], steps, shape)
                    moved.extend(((m, sid), i) for sid in steps)
            elif o.shape == _SAME:
                merged = dataclasses.replace(o, shape=_MERGED)
                for i in range(k):
                    parts[i][m] = merged
            else:
                parts[0][m] = o
        ids = [c.id]
        for i in range(1, k):
            names = Counter(p.steps[0] for p in parts[i].values() if p.shape != _MERGED)
            base = min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0] if names else f"{c.id}-{i + 1}"
            ids.append(_new_id(base if base not in taken else f"{c.id}-{i + 1}", taken))
        for key, i in moved:
            home[key] = ids[i]
        for i in range(k):
            ordered = {m: parts[i][m] for m in processes if m in parts[i]}
            out.append(StepClass(ids[i], ordered, c.current_step if i == 0 else None))
    return out


# --------------------------------------------------------------------------
# Support and the majority decisions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Which members have something, out of how many.

    ``weight`` and ``total_weight`` are the weighted counts (equal to the
    counts when members are not weighted).
    """

    members: tuple[str, ...]
    total: int
    weight: float
    total_weight: float

    @property
    def count(self) -> int:
        """How many members have it."""
        return len(self.members)

    @property
    def share(self) -> float:
        """Weighted share in [0, 1]."""
        return self.weight / self.total_weight if self.total_weight else 0.0

    def text(self, lang: str = "nb") -> str:
        """«32 av 38» / "32 of 38"."""
        _check_lang(lang)
        return f"{self.count} av {self.total}" if lang == "nb" else f"{self.count} of {self.total}"


@dataclass(frozen=True)
class Alternative:
    """A value some members use (a label, a lane, a mode, ...), with who uses it."""

    value: str | None
    members: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many members use it."""
        return len(self.members)


def _weighted_choice(
    votes: Mapping[Any, float], current: Any, has_current: bool
) -> Any:
    """The value with a weighted majority; else the current one when there is one; else the plurality."""
    if not votes:
        return current
    total = sum(votes.values())
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], str(kv[0])))
    best, weight = ranked[0]
    if weight > total / 2 + 1e-12:
        return best
    if has_current:
        return current
    return best


_DecisionKey = tuple[Any, ...]


@dataclass
class _Consensus:
    """Weighted votes of the members on every decision, and the current standard's choices."""

    classes: StepClasses
    ids: list[str]
    weights: dict[str, float]
    share: dict[str, float]
    have: dict[str, tuple[str, ...]]
    considered: dict[str, tuple[str, ...]]
    label_votes: dict[str, dict[str, float]]
    label_forms: dict[str, dict[str, Counter[str]]]
    kind_votes: dict[str, dict[str, float]]
    attr_votes: dict[str, dict[str, dict[str | None, float]]]
    mandatory_votes: dict[str, dict[bool, float]]
    position: dict[str, float]
    rel_votes: npt.NDArray[np.float64]  # A x A x 6, over the active classes
    edge_votes: dict[tuple[str, str], float]
    pair_weight: npt.NDArray[np.float64]  # A x A: weight of members having both
    current: dict[_DecisionKey, Any]
    index: dict[str, int]
    active: list[str]
    aindex: dict[str, int]

    @classmethod
    def of(
        cls,
        sc: StepClasses,
        *,
        weights: Mapping[str, float] | None,
        justified: frozenset[tuple[str, str]],
        count_justified: bool,
    ) -> _Consensus:
        w = {m: float(weights.get(m, 1.0)) if weights else 1.0 for m in sc.members}
        for m, value in w.items():
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"the weight of {m!r} must be a finite number >= 0, got {value!r}")
        if sum(w.values()) <= 0:
            raise ValueError("the weights must not all be 0")
        ids = [c.id for c in sc.classes]
        index = {cid: i for i, cid in enumerate(ids)}
        share: dict[str, float] = {}
        have: dict[str, tuple[str, ...]] = {}
        considered: dict[str, tuple[str, ...]] = {}
        label_votes: dict[str, dict[str, float]] = {}
        label_forms: dict[str, dict[str, Counter[str]]] = {}
        kind_votes: dict[str, dict[str, float]] = {}
        attr_votes: dict[str, dict[str, dict[str | None, float]]] = {}
        mandatory_votes: dict[str, dict[bool, float]] = {}
        position: dict[str, float] = {}
        for c in sc.classes:
            counted = tuple(
                m for m in sc.members if count_justified or (m, c.id) not in justified
            )
            considered[c.id] = counted
            total = sum(w[m] for m in counted)
            present = tuple(m for m in counted if m in c.occurrences)
            have[c.id] = tuple(m for m in sc.members if m in c.occurrences)
            share[c.id] = sum(w[m] for m in present) / total if total else 0.0
            lv: dict[str, float] = defaultdict(float)
            forms: dict[str, Counter[str]] = defaultdict(Counter)
            kv: dict[str, float] = defaultdict(float)
            av: dict[str, dict[str | None, float]] = {a: defaultdict(float) for a in ATTRIBUTES}
            mv: dict[bool, float] = defaultdict(float)
            positions = []
            for m, o in c.occurrences.items():
                if o.shape == _SPLIT:
                    label = " / ".join(o.labels)
                else:
                    label = o.labels[0]
                key = normalise(label)
                lv[key] += w[m]
                forms[key][label] += 1
                kv[o.kind] += w[m]
                for a in ATTRIBUTES:
                    av[a][o.attributes.get(a)] += w[m]
                mv[o.mandatory] += w[m]
                positions.append(o.position)
            label_votes[c.id], label_forms[c.id] = dict(lv), dict(forms)
            kind_votes[c.id], attr_votes[c.id] = dict(kv), {a: dict(v) for a, v in av.items()}
            mandatory_votes[c.id] = dict(mv)
            position[c.id] = float(np.mean(positions)) if positions else 0.5

        # Relations are tallied densely only between the "active" classes: those two or
        # more members share, or the current standard has. A class of one member takes
        # that member's relations when asked (see relation()), so memory stays
        # O(A² + K) even when many steps are unique to one member.
        active = [c.id for c in sc.classes if len(c.occurrences) >= 2 or c.current_step is not None]
        aindex = {cid: i for i, cid in enumerate(active)}
        A = len(active)
        rel_votes = np.zeros((A, A, 6))
        pair_weight = np.zeros((A, A))
        edge_votes: dict[tuple[str, str], float] = defaultdict(float)
        for m in sc.members:
            prof = sc.profiles[m]
            cls_idx: list[int] = []
            step_idx: list[int] = []
            step_class: dict[int, int] = {}
            for c in sc.classes:
                found = c.occurrences.get(m)
                if found is None:
                    continue
                if c.id in aindex:
                    cls_idx.append(aindex[c.id])
                    step_idx.append(prof.index[found.steps[0]])
                for sid in found.steps:
                    if found.shape != _MERGED or sc.home.get((m, sid)) == c.id:
                        step_class[prof.index[sid]] = index[c.id]
            ci = np.asarray(cls_idx, dtype=np.intp)
            si = np.asarray(step_idx, dtype=np.intp)
            rel = np.asarray(prof.relations)[np.ix_(si, si)].astype(np.intp)
            rows, cols = np.meshgrid(ci, ci, indexing="ij")
            np.add.at(rel_votes, (rows, cols, rel), w[m])
            pair_weight[np.ix_(ci, ci)] += w[m]
            for u, v in prof.edges:
                cu, cv = step_class.get(u), step_class.get(v)
                if cu is not None and cv is not None and cu != cv:
                    edge_votes[(ids[cu], ids[cv])] += w[m]
        rel_votes[:, :, Relation.SAME] = 0.0

        current: dict[_DecisionKey, Any] = {}
        if sc.current is not None:
            cur = sc.current
            cprof = profile(cur)
            cur_ids = [cid for cid in ids if cid in cur and isinstance(cur[cid], Step)]
            for cid in ids:
                current[("include", cid)] = cid in cur_ids
            for cid in cur_ids:
                step = cur.step(cid)
                current[("label", cid)] = normalise(step.label)
                current[("label_form", cid)] = step.label
                current[("kind", cid)] = step.kind.value
                for a in ATTRIBUTES:
                    current[("attr", cid, a)] = _text(getattr(step, a))
                current[("mandatory", cid)] = bool(cprof.mandatory[cprof.index[cid]])
            for x in cur_ids:
                for y in cur_ids:
                    if x != y:
                        current[("rel", x, y)] = Relation(int(cprof.relations[cprof.index[x], cprof.index[y]]))
        return cls(
            sc, ids, w, share, have, considered, label_votes, label_forms, kind_votes,
            attr_votes, mandatory_votes, position, rel_votes, dict(edge_votes), pair_weight,
            current, index, active, aindex,
        )

    # -- decisions ---------------------------------------------------------
    def _choice(self, key: _DecisionKey, votes: Mapping[Any, float]) -> Any:
        return _weighted_choice(votes, self.current.get(key), key in self.current)

    def include(self, cid: str, min_support: float) -> bool:
        s = self.share[cid]
        if abs(s - min_support) < 1e-12 and ("include", cid) in self.current and min_support == 0.5:
            return bool(self.current[("include", cid)])
        return s >= min_support - 1e-12

    def majority_decisions(self, min_support: float = 0.5) -> dict[_DecisionKey, Any]:
        """Every decision taken by the members' weighted majority."""
        d: dict[_DecisionKey, Any] = {}
        for cid in self.ids:
            d[("include", cid)] = self.include(cid, min_support)
            d[("label", cid)] = self._choice(("label", cid), self.label_votes[cid])
            d[("kind", cid)] = self._choice(("kind", cid), self.kind_votes[cid])
            for a in ATTRIBUTES:
                d[("attr", cid, a)] = self._choice(("attr", cid, a), self.attr_votes[cid][a])
            d[("mandatory", cid)] = self._choice(("mandatory", cid), self.mandatory_votes[cid])
        # Only pairs that some member has together have a relation to decide.
        totals = self.rel_votes.sum(axis=2)
        np.fill_diagonal(totals, 0.0)
        rows, cols = np.nonzero(totals > 0)
        relations = list(Relation)
        for i, j, votes in zip(rows.tolist(), cols.tolist(), self.rel_votes[rows, cols].tolist()):
            key = ("rel", self.active[i], self.active[j])
            d[key] = self._choice(key, {relations[r]: v for r, v in enumerate(votes) if v > 0})
        return d

    def margin(self, key: _DecisionKey, value: Any) -> float:
        """How much more weight the members give ``value`` than the current standard's choice."""
        kind = key[0]
        cur = self.current.get(key)
        if kind == "include":
            cid = key[1]
            total = sum(self.weights[m] for m in self.considered[cid])
            have = self.share[cid] * total
            return abs(have - (total - have))
        votes: dict[Any, float]
        if kind == "label":
            votes = dict(self.label_votes[key[1]])
        elif kind == "kind":
            votes = dict(self.kind_votes[key[1]])
        elif kind == "attr":
            votes = dict(self.attr_votes[key[1]][key[2]])
        elif kind == "mandatory":
            votes = dict(self.mandatory_votes[key[1]])
        else:
            i, j = self.aindex[key[1]], self.aindex[key[2]]
            votes = {Relation(r): float(self.rel_votes[i, j, r]) for r in range(6)}
        return float(votes.get(value, 0.0) - votes.get(cur, 0.0))

    def label_form(self, cid: str, key: str) -> str:
        if self.current.get(("label", cid)) == key and ("label_form", cid) in self.current:
            return str(self.current[("label_form", cid)])
        forms = self.label_forms[cid].get(key)
        if not forms:
            return self.classes[cid].label()
        return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def relation(self, decisions: Mapping[_DecisionKey, Any], x: str, y: str) -> Relation:
        r = decisions.get(("rel", x, y))
        if r is not None:
            return Relation(r)
        if x not in self.aindex or y not in self.aindex:
            # A class of one member: that member's relation, if it has the other step too.
            lone = x if x not in self.aindex else y
            (member, o), = self.classes[lone].occurrences.items()
            other = self.classes[y if lone == x else x].occurrences.get(member)
            if other is not None:
                prof = self.classes.profiles[member]
                first = o.steps[0] if lone == x else other.steps[0]
                second = other.steps[0] if lone == x else o.steps[0]
                found = Relation(int(prof.relations[prof.index[first], prof.index[second]]))
                if found != Relation.SAME:
                    return found
        # No member has both: they are alternatives.
        return Relation.EXCLUSIVE

    def both_weight(self, x: str, y: str) -> float:
        """The weight of the members that have both classes."""
        if x in self.aindex and y in self.aindex:
            return float(self.pair_weight[self.aindex[x], self.aindex[y]])
        ox, oy = self.classes[x].occurrences, self.classes[y].occurrences
        return sum(self.weights[m] for m in ox if m in oy)

    def support(self, cid: str) -> Support:
        counted = self.considered[cid]
        members = tuple(m for m in counted if m in self.classes[cid].occurrences)
        return Support(
            members,
            len(counted),
            sum(self.weights[m] for m in members),
            sum(self.weights[m] for m in counted),
        )


# --------------------------------------------------------------------------
# Building a process from the decisions
# --------------------------------------------------------------------------

# A block: ("task", cid) | ("seq", [blocks]) | ("xor", [blocks], skippable)
#        | ("and", [blocks]) | ("loop", body, redo or None)
_Block = tuple[Any, ...]


def _components(nodes: Sequence[str], linked: Any) -> list[list[str]]:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    for i, x in enumerate(nodes):
        for y in nodes[i + 1 :]:
            if linked(x, y):
                g.add_edge(x, y)
    comps = [sorted(c, key=nodes.index) for c in nx.connected_components(g)]
    comps.sort(key=lambda c: nodes.index(c[0]))
    return comps


def _build(
    S: list[str],
    rel: Any,
    mandatory: Mapping[str, bool],
    position: Mapping[str, float],
    context_mandatory: bool,
    edge_share: Any,
    depth: int = 0,
) -> _Block:
    """A block structure for the classes ``S`` from their pairwise relations.

    Cuts are tried in the order sequence, exclusive, parallel, loop, as in
    the inductive miner (Leemans, Fahland and van der Aalst, 2013), but on
    the members' majority relations instead of a log. Where no cut fits, the
    classes follow each other by their mean position. Recursion depth is at
    most the number of classes, and each level is O(|S|²).
    """
    S = sorted(S, key=lambda c: (position[c], c))
    if len(S) == 1:
        block: _Block = ("task", S[0])
        if context_mandatory and not mandatory[S[0]]:
            return ("xor", [block], True)
        return block
    ordered = (Relation.BEFORE, Relation.AFTER)
    comps = _components(S, lambda x, y: rel(x, y) not in ordered)
    if len(comps) > 1:
        # Order the parts: a part that comes before more of the others first.
        def wins(a: list[str], b: list[str]) -> int:
            return sum(1 if rel(x, y) == Relation.BEFORE else -1 for x in a for y in b)

        score = {
            i: sum(1 for j in range(len(comps)) if j != i and wins(comps[i], comps[j]) > 0)
            for i in range(len(comps))
        }
        keys = [(-score[i], float(np.mean([position[x] for x in c])), i) for i, c in enumerate(comps)]
        comps = [comps[k[2]] for k in sorted(keys)]
        # Consecutive optional parts that members skip together form one optional
        # block (one bypass), not one bypass each: a part starts a new group only
        # where members go straight from before the run of optional parts to it.
        optional = [context_mandatory and not any(mandatory[x] for x in c) for c in comps]
        groups: list[list[list[str]]] = []
        anchor: list[str] | None = None
        for k, c in enumerate(comps):
            if not optional[k]:
                groups.append([c])
                anchor = c
                continue
            prev_optional = k > 0 and optional[k - 1]
            # Joined unless members go straight from before the run to this part.
            skipped_to = anchor is not None and any(edge_share(u, v) > 0.5 for u in anchor for v in c)
            if prev_optional and groups and not skipped_to:
                groups[-1].append(c)
            else:
                groups.append([c])
        parts: list[_Block] = []
        for group in groups:
            if len(group) == 1:
                parts.append(_build(group[0], rel, mandatory, position, context_mandatory, edge_share, depth + 1))
            else:
                inner = [_build(c, rel, mandatory, position, False, edge_share, depth + 1) for c in group]
                parts.append(("xor", [("seq", inner)], True))
        # An exclusive block that members can bypass altogether gets an empty branch.
        for k in range(1, len(parts) - 1):
            part = parts[k]
            if part[0] == "xor" and not part[2]:
                before, after = _last(parts[k - 1]), _first(parts[k + 1])
                if any(edge_share(u, v) > 0.5 for u in before for v in after):
                    parts[k] = ("xor", part[1], True)
        return ("seq", parts)
    comps = _components(S, lambda x, y: rel(x, y) != Relation.EXCLUSIVE)
    if len(comps) > 1:
        return (
            "xor",
            [_build(c, rel, mandatory, position, False, edge_share, depth + 1) for c in comps],
            False,
        )
    comps = _components(S, lambda x, y: rel(x, y) != Relation.CONCURRENT)
    if len(comps) > 1:
        block_and: _Block = (
            "and",
            [_build(c, rel, mandatory, position, context_mandatory, edge_share, depth + 1) for c in comps],
        )
        if context_mandatory and not any(mandatory[c] for c in S):
            return ("xor", [block_and], True)
        return block_and
    repeated = sum(1 for i, x in enumerate(S) for y in S[i + 1 :] if rel(x, y) == Relation.REPEATED)
    if repeated:
        body = [c for c in S if mandatory[c]] or S[:1]
        redo = [c for c in S if c not in body]
        body_block: _Block = ("seq", [("task", c) for c in body]) if len(body) > 1 else ("task", body[0])
        redo_block: _Block | None = None
        if redo:
            redo_block = ("seq", [("task", c) for c in redo]) if len(redo) > 1 else ("task", redo[0])
        return ("loop", body_block, redo_block)
    return (
        "seq",
        [_build([c], rel, mandatory, position, context_mandatory, edge_share, depth + 1) for c in S],
    )


def _first(block: _Block) -> list[str]:
    kind = block[0]
    if kind == "task":
        return [block[1]]
    if kind == "seq":
        return _first(block[1][0])
    if kind in ("xor", "and"):
        return [c for b in block[1] for c in _first(b)]
    return _first(block[1])


def _last(block: _Block) -> list[str]:
    kind = block[0]
    if kind == "task":
        return [block[1]]
    if kind == "seq":
        return _last(block[1][-1])
    if kind in ("xor", "and"):
        return [c for b in block[1] for c in _last(b)]
    return _last(block[1])


@dataclass
class _GatewayHint:
    label: str
    successors: frozenset[str]
    conditions: dict[str, str]
    skip_condition: str | None


def _gateway_hints(process: Process | None) -> list[_GatewayHint]:
    """Questions and branch conditions of the exclusive splits of a process, by the steps they lead to."""
    if process is None:
        return []
    hints = []
    g = process.graph
    for gw in process.gateways:
        if gw.kind != GatewayKind.EXCLUSIVE or g.out_degree(gw.id) < 2:
            continue
        succ: set[str] = set()
        conditions: dict[str, str] = {}
        skip: str | None = None
        for target in g.successors(gw.id):
            flow = g.edges[gw.id, target]["flow"]
            reached = _nearest_steps(process, target, forward=True)
            if isinstance(process[target], Gateway) and flow.condition:
                skip = flow.condition
            for s in reached:
                succ.add(s)
                if flow.condition:
                    conditions.setdefault(s, flow.condition)
        hints.append(_GatewayHint(gw.label, frozenset(succ), conditions, skip))
    return hints


def _nearest_steps(process: Process, node: str, *, forward: bool) -> set[str]:
    """The steps reached from ``node`` (itself if a step) through gateways only."""
    g = process.graph
    if isinstance(process[node], Step):
        return {node}
    out: set[str] = set()
    stack, seen = [node], {node}
    while stack:
        x = stack.pop()
        for y in g.successors(x) if forward else g.predecessors(x):
            if y in seen:
                continue
            seen.add(y)
            if isinstance(process[y], Step):
                out.add(y)
            else:
                stack.append(y)
    return out


def _synthesise(
    consensus: _Consensus,
    included: Sequence[str],
    decisions: Mapping[_DecisionKey, Any],
    *,
    pivot_hint: Process | None,
    process_id: str | None = None,
    name: str | None = None,
) -> Process:
    """The process for the included classes under ``decisions`` (a block structure; see :func:`_build`)."""
    sc = consensus.classes
    incl = [cid for cid in consensus.ids if cid in set(included)]
    mandatory = {cid: bool(decisions.get(("mandatory", cid), True)) for cid in incl}

    def rel(x: str, y: str) -> Relation:
        return consensus.relation(decisions, x, y)

    def edge_share(u: str, v: str) -> float:
        both = consensus.both_weight(u, v)
        return consensus.edge_votes.get((u, v), 0.0) / both if both else 0.0

    base = sc.current if sc.current is not None else pivot_hint
    process = Process(
        process_id or (base.id if base is not None else "proposal"),
        name if name is not None else (base.name if base is not None else ""),
        metadata={"proposal": "true"},
        documentation=base.documentation if base is not None else None,
    )
    if not incl:
        return process
    block = _build(incl, rel, mandatory, consensus.position, True, edge_share)

    lanes: list[str] = []
    for cid in incl:
        lane = decisions.get(("attr", cid, "lane"))
        if lane and lane not in lanes:
            lanes.append(lane)
    if base is not None:
        order = {lane: i for i, lane in enumerate(base.lanes)}
        first_seen = {lane: i for i, lane in enumerate(lanes)}
        lanes.sort(key=lambda lane: (order.get(lane, len(order)), first_seen[lane]))
    process.lanes = lanes

    for cid in incl:
        cls = sc[cid]
        key = decisions.get(("label", cid), normalise(cls.label()))
        source: Step | None = None
        if sc.current is not None and cid in sc.current and isinstance(sc.current[cid], Step):
            source = sc.current.step(cid)
        days = decisions.get(("attr", cid, "handling_days"))
        kind = decisions.get(("kind", cid)) or StepKind.TASK.value
        process.add_step(
            Step(
                cid,
                consensus.label_form(cid, key),
                StepKind(kind),
                lane=decisions.get(("attr", cid, "lane")),
                mode=Mode(decisions[("attr", cid, "mode")]) if decisions.get(("attr", cid, "mode")) else None,
                system=decisions.get(("attr", cid, "system")),
                legal_basis=decisions.get(("attr", cid, "legal_basis")),
                handling_days=float(days) if days is not None else None,
                documentation=source.documentation if source is not None else None,
            )
        )

    hints = _gateway_hints(base)
    taken = set(incl) | {g.id for g in (base.gateways if base is not None else [])}
    counter = [0]

    def gateway(kind: GatewayKind, near: str | None, label: str = "") -> str:
        counter[0] += 1
        gid = _new_id(f"g{counter[0]:02d}", taken)
        lane = None
        if near is not None and isinstance(process.get(near), Step):
            lane = process.step(near).lane
        elif near is not None and isinstance(process.get(near), Gateway):
            lane = process[near].lane
        process.add_gateway(Gateway(gid, kind, label, lane=lane or (lanes[0] if lanes else None)))
        return gid

    def hint_for(firsts: Iterable[str]) -> _GatewayHint | None:
        fs = set(firsts)
        best, overlap = None, 0
        for h in hints:
            k = len(fs & h.successors)
            if k > overlap:
                best, overlap = h, k
        return best

    def is_end(cid: str | None) -> bool:
        return cid is not None and isinstance(process.get(cid), Step) and process.step(cid).kind == StepKind.END_EVENT

    def connect(src: str | None, dst: str, condition: str | None = None) -> None:
        if src is not None and not is_end(src):
            process.add_flow(Flow(src, dst, condition))

    def emit(b: _Block, entry: str | None, condition: str | None = None) -> str | None:
        kind = b[0]
        if kind == "task":
            connect(entry, b[1], condition)
            return None if is_end(b[1]) else b[1]
        if kind == "seq":
            last = entry
            first = True
            for part in b[1]:
                last = emit(part, last, condition if first else None)
                first = False
                if last is None:
                    break
            return last
        if kind in ("xor", "and"):
            gkind = GatewayKind.EXCLUSIVE if kind == "xor" else GatewayKind.PARALLEL
            branches = b[1]
            skippable = kind == "xor" and b[2]
            firsts = [c for br in branches for c in _first(br)]
            h = hint_for(firsts) if gkind == GatewayKind.EXCLUSIVE else None
            split = gateway(gkind, entry, h.label if h else "")
            connect(entry, split, condition)
            ends: list[str] = []
            for br in branches:
                cond = None
                if h is not None:
                    cond = next((h.conditions[c] for c in _first(br) if c in h.conditions), None)
                end = emit(br, split, cond)
                if end is not None:
                    ends.append(end)
            if skippable:
                ends.append(split)
            if not ends:
                return None
            if len(ends) == 1 and ends[0] != split:
                return ends[0]
            join = gateway(gkind, split)
            for end in ends:
                cond = h.skip_condition if (end == split and h is not None) else None
                process.add_flow(Flow(end, join, cond))
            return join
        # loop
        body, redo = b[1], b[2]
        join = gateway(GatewayKind.EXCLUSIVE, entry)
        connect(entry, join, condition)
        end = emit(body, join)
        if end is None:
            return None
        h = hint_for(_first(redo)) if redo is not None else None
        split = gateway(GatewayKind.EXCLUSIVE, end, h.label if h else "")
        process.add_flow(Flow(end, split))
        if redo is not None:
            cond = next((h.conditions[c] for c in _first(redo) if c in h.conditions), None) if h else None
            back = emit(redo, split, cond)
            if back is not None:
                process.add_flow(Flow(back, join))
        else:
            process.add_flow(Flow(split, join))
        return split

    emit(block, None)
    return process


# --------------------------------------------------------------------------
# Alignments in class space, change distance
# --------------------------------------------------------------------------


def _class_alignment(sc: StepClasses, target: Process, member: str) -> Alignment:
    """The alignment of ``target`` (whose step ids are class ids) with ``member``'s process, from the classes."""
    variant = sc.processes[member]
    occ = sc.member_classes(member)
    tprof_rank = {s.id: i for i, s in enumerate(target.steps)}
    matches: list[Match] = []
    used: set[str] = set()
    merged: dict[str, list[str]] = defaultdict(list)
    missing: list[str] = []
    for step in target.steps:
        o = occ.get(step.id)
        if o is None:
            missing.append(step.id)
            continue
        if o.shape == _MERGED:
            merged[o.steps[0]].append(step.id)
            continue
        if any(y in used for y in o.steps):
            missing.append(step.id)
            continue
        used.update(o.steps)
        if o.shape == _SPLIT:
            matches.append(Match((step.id,), o.steps, 1.0, MatchKind.SPLIT))
        else:
            same = normalise(step.label) == normalise(o.labels[0])
            matches.append(
                Match((step.id,), o.steps, 1.0, MatchKind.IDENTICAL if same else MatchKind.RENAMED)
            )
    for y, xs in merged.items():
        if y in used:
            missing.extend(xs)
            continue
        used.add(y)
        if len(xs) > 1:
            matches.append(Match(tuple(xs), (y,), 1.0, MatchKind.MERGED))
        else:
            same = normalise(target.step(xs[0]).label) == normalise(variant.step(y).label)
            matches.append(Match((xs[0],), (y,), 1.0, MatchKind.IDENTICAL if same else MatchKind.RENAMED))
    matches.sort(key=lambda m: (tprof_rank[m.a[0]], m.a))
    extra = tuple(s.id for s in variant.steps if s.id not in used)
    return Alignment(tuple(matches), tuple(missing), extra)


def _identity_alignment(a: Process, b: Process) -> Alignment:
    """Steps with the same id correspond (two processes in class space)."""
    ids_b = {s.id for s in b.steps}
    matches = []
    for s in a.steps:
        if s.id in ids_b:
            same = normalise(s.label) == normalise(b.step(s.id).label)
            matches.append(Match((s.id,), (s.id,), 1.0, MatchKind.IDENTICAL if same else MatchKind.RENAMED))
    ids_a = {s.id for s in a.steps}
    return Alignment(
        tuple(matches),
        tuple(s.id for s in a.steps if s.id not in ids_b),
        tuple(s.id for s in b.steps if s.id not in ids_a),
    )


def change_distance(
    variant: Process,
    target: Process,
    *,
    alignment: Alignment | None = None,
    synonyms: Synonyms | None = None,
) -> int:
    """The number of changes that turn ``variant`` into ``target``.

    It is the number of differences :func:`processes.diff.diff` finds
    between ``target`` (A) and ``variant`` (B), i.e. the length of
    :func:`change_plan`.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> change_distance(chain("Motta søknad", "Fatte vedtak"), chain("Motta søknad", "Befaring", "Fatte vedtak"))
    1
    """
    if alignment is None:
        alignment = align(target, variant, synonyms=synonyms)
    return len(diff(target, variant, alignment))


def _in_class_space(sc: StepClasses, member: str) -> Process | None:
    """A member's own process with its steps renamed to their classes (None if that is not one to one)."""
    process = sc.processes[member]
    rename: dict[str, str] = {}
    for s in process.steps:
        cid = sc.home.get((member, s.id))
        if cid is None or cid in rename.values():
            return None
        rename[s.id] = cid
    taken = set(rename.values())
    for g in process.gateways:
        rename[g.id] = g.id if g.id not in taken else _new_id(g.id, taken)
        taken.add(rename[g.id])

    def r(x: str | None) -> str | None:
        return rename.get(x, x) if x is not None else None

    out = Process(process.id, process.name, lanes=process.lanes, metadata=process.metadata,
                  documentation=process.documentation)
    for e in process.elements:
        if isinstance(e, Step):
            out.add_step(e.replace(id=rename[e.id], parent=r(e.parent), attached_to=r(e.attached_to)))
        else:
            out.add_gateway(e.replace(id=rename[e.id], parent=r(e.parent)))
    for f in process.flows:
        out.add_flow(f.replace(source=rename.get(f.source, f.source), target=rename.get(f.target, f.target), id=None))
    return out


def _placement(cons: _Consensus, cid: str, p: Process) -> tuple[str | None, str | None, str | None]:
    """Where the members put a step: its sub-process, the activity it is attached to, its pool (majority)."""
    sc = cons.classes
    parents: Counter[str | None] = Counter()
    attached: Counter[str | None] = Counter()
    pools: Counter[str | None] = Counter()
    for m, o in sc[cid].occurrences.items():
        step = sc.processes[m].step(o.steps[0])
        parents[sc.home.get((m, step.parent)) if step.parent else None] += 1
        attached[sc.home.get((m, step.attached_to)) if step.attached_to else None] += 1
        pools[step.pool] += 1

    def best(counter: Counter[str | None]) -> str | None:
        value = min(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
        return value if value is None or value in p or counter is pools else None

    return best(parents), best(attached), best(pools)


def _repaired(cons: _Consensus, decisions: Mapping[_DecisionKey, Any], base: Process) -> Process:
    """``base`` (in class ids) with the majority's step decisions made, keeping its own flow where it can.

    Labels, kinds and attributes are set to the majority's; steps the
    majority leaves out are removed (their predecessors connected to their
    successors); steps the majority has and ``base`` lacks are inserted after
    the step members most often do just before them, on the flow towards the
    step they most often do just after. Used as a candidate where the block
    synthesis cannot draw the members' shape.
    """
    p = base.copy()
    present = {s.id for s in p.steps}
    for cid in [x for x in present if x in cons.index]:
        if not decisions.get(("include", cid), True):
            ins = [f for f in p.flows if f.target == cid]
            outs = [f for f in p.flows if f.source == cid]
            p.remove_element(cid)
            for fi in ins:
                for fo in outs:
                    if fi.source != fo.target:
                        p.add_flow(Flow(fi.source, fo.target, fi.condition))
    for cid in [x for x in (s.id for s in p.steps) if x in cons.index]:
        step = p.step(cid)
        key = decisions.get(("label", cid))
        days = decisions.get(("attr", cid, "handling_days"))
        mode = decisions.get(("attr", cid, "mode"))
        p.replace_element(
            step.replace(
                label=cons.label_form(cid, key) if key is not None else step.label,
                kind=StepKind(decisions.get(("kind", cid)) or step.kind),
                lane=decisions.get(("attr", cid, "lane")),
                mode=Mode(mode) if mode else None,
                system=decisions.get(("attr", cid, "system")),
                legal_basis=decisions.get(("attr", cid, "legal_basis")),
                handling_days=float(days) if days is not None else None,
            )
        )
    # Adjacent steps in the wrong order (x -> y where the majority has y before x) swap places.
    for _ in range(len(p.steps)):
        swapped = False
        for x in [s.id for s in p.steps if s.id in cons.index]:
            outs = [f for f in p.flows if f.source == x]
            if len(outs) != 1 or outs[0].target not in cons.index or not isinstance(p.get(outs[0].target), Step):
                continue
            y = outs[0].target
            if decisions.get(("rel", x, y)) != Relation.AFTER:
                continue
            ins_y = [f for f in p.flows if f.target == y]
            ins_x = [f for f in p.flows if f.target == x]
            outs_y = [f for f in p.flows if f.source == y]
            if len(ins_y) != 1 or len(ins_x) < 1 or len(outs_y) < 1:
                continue
            for f in ins_x + outs + outs_y:
                p.remove_flow(f)
            for f in ins_x:
                p.add_flow(f.replace(target=y))
            p.add_flow(Flow(y, x))
            for f in outs_y:
                p.add_flow(f.replace(source=x))
            swapped = True
        if not swapped:
            break
    # Two single steps run in parallel where the majority does them one after the other.
    for gw in [g for g in p.gateways if g.kind == GatewayKind.PARALLEL]:
        if gw.id not in p:
            continue
        outs = [f for f in p.flows if f.source == gw.id]
        ins = [f for f in p.flows if f.target == gw.id]
        if len(outs) != 2 or len(ins) != 1:
            continue
        x, y = outs[0].target, outs[1].target
        if not (x in cons.index and y in cons.index and isinstance(p.get(x), Step) and isinstance(p.get(y), Step)):
            continue
        rx = [f for f in p.flows if f.source == x]
        ry = [f for f in p.flows if f.source == y]
        if len(rx) != 1 or len(ry) != 1 or rx[0].target != ry[0].target:
            continue
        join = rx[0].target
        join_el = p.get(join)
        if not (isinstance(join_el, Gateway) and join_el.kind == GatewayKind.PARALLEL):
            continue
        join_in = [f for f in p.flows if f.target == join]
        join_out = [f for f in p.flows if f.source == join]
        if len(join_in) != 2 or len([f for f in p.flows if f.target in (x, y)]) != 2:
            continue
        r = decisions.get(("rel", x, y))
        if r not in (Relation.BEFORE, Relation.AFTER):
            continue
        first, second = (x, y) if r == Relation.BEFORE else (y, x)
        p.remove_element(gw.id)
        p.remove_element(join)
        p.add_flow(Flow(ins[0].source, first, ins[0].condition))
        p.add_flow(Flow(first, second))
        for f in join_out:
            p.add_flow(Flow(second, f.target, f.condition))
    missing = [cid for cid in cons.ids if decisions.get(("include", cid)) and cid not in p]
    missing.sort(key=lambda c: (cons.position[c], c))
    for cid in missing:
        ids = [s.id for s in p.steps if s.id in cons.index]
        before = max(ids, key=lambda x: (cons.edge_votes.get((x, cid), 0.0), -abs(cons.position[x] - cons.position[cid]), x), default=None)
        after = max(ids, key=lambda x: (cons.edge_votes.get((cid, x), 0.0), -abs(cons.position[x] - cons.position[cid]), x), default=None)
        days = decisions.get(("attr", cid, "handling_days"))
        mode = decisions.get(("attr", cid, "mode"))
        key = decisions.get(("label", cid), "")
        parent, attached, pool = _placement(cons, cid, p)
        p.add_step(
            Step(
                cid, cons.label_form(cid, key), StepKind(decisions.get(("kind", cid)) or StepKind.TASK.value),
                lane=decisions.get(("attr", cid, "lane")), mode=Mode(mode) if mode else None,
                system=decisions.get(("attr", cid, "system")),
                legal_basis=decisions.get(("attr", cid, "legal_basis")),
                handling_days=float(days) if days is not None else None,
                parent=parent, attached_to=attached, pool=pool,
            )
        )
        if attached is not None:
            continue  # a boundary event leaves its activity; its own flow out is not guessed
        if before is None:
            continue
        # The flow into ``after`` on the way from ``before`` through gateways only, if
        # there is one; else a flow out of ``before`` that leads towards ``after``.
        reach = {before}
        stack = [before]
        while stack:
            x = stack.pop()
            for f in p.flows:
                if f.source == x and isinstance(p.get(f.target), Gateway) and f.target not in reach:
                    reach.add(f.target)
                    stack.append(f.target)
        into = [f for f in p.flows if f.source in reach and f.target == after]
        outs = [f for f in p.flows if f.source == before]
        towards = [f for f in outs if after is not None and after in _nearest_steps(p, f.target, forward=True)]
        options: list[Flow] = into or towards or outs
        chosen = options[0] if options else None
        if chosen is None:
            p.add_flow(Flow(before, cid))
            continue
        p.remove_flow(chosen)
        p.add_flow(Flow(before, cid, chosen.condition))
        p.add_flow(Flow(cid, chosen.target))
    return p


def _distances(sc: StepClasses, target: Process) -> dict[str, int]:
    tprof = profile(target)
    return {
        m: len(diff(target, sc.processes[m], _class_alignment(sc, target, m), profiles=(tprof, sc.profiles[m])))
        for m in sc.members
    }


# --------------------------------------------------------------------------
# Change plans
# --------------------------------------------------------------------------


class ChangeKind(StrEnum):
    """What a change in a change plan does to the variant."""

    ADD_STEP = "add_step"
    REMOVE_STEP = "remove_step"
    RENAME_STEP = "rename_step"
    MERGE_STEPS = "merge_steps"
    SPLIT_STEP = "split_step"
    MOVE_STEP = "move_step"
    MAKE_PARALLEL = "make_parallel"
    MAKE_SEQUENTIAL = "make_sequential"
    MAKE_OPTIONAL = "make_optional"
    MAKE_MANDATORY = "make_mandatory"
    ADD_FLOW = "add_flow"
    REMOVE_FLOW = "remove_flow"
    CHANGE_KIND = "change_kind"
    CHANGE_LANE = "change_lane"
    CHANGE_MODE = "change_mode"
    CHANGE_SYSTEM = "change_system"
    CHANGE_LEGAL_BASIS = "change_legal_basis"
    CHANGE_HANDLING_DAYS = "change_handling_days"
    OTHER = "other"


class Effort(StrEnum):
    """How much work a change is for a municipality (see :data:`EFFORT_RULES`)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


#: The rules behind the effort classes: rule code -> (effort, bokmål, English).
EFFORT_RULES: dict[str, tuple[Effort, str, str]] = {
    "wording": (
        Effort.SMALL,
        "Bare navn eller opplysninger i beskrivelsen endres; arbeidet gjøres som før.",
        "Only names or recorded facts change; the work is done as before.",
    ),
    "role": (
        Effort.MEDIUM,
        "En annen enhet eller rolle skal gjøre steget: ansvar og oppgaver flyttes.",
        "Another unit or role is to do the step: responsibility and tasks move.",
    ),
    "step": (
        Effort.MEDIUM,
        "Et steg kommer til eller faller bort: rutiner, maler og opplæring må endres.",
        "A step is added or dropped: routines, templates and training change.",
    ),
    "flow": (
        Effort.MEDIUM,
        "Rekkefølgen eller veien gjennom saken endres: rutinene må endres.",
        "The order of the work or the path through the case changes: routines change.",
    ),
    "organisation": (
        Effort.LARGE,
        "Arbeidet deles opp, slås sammen eller gjøres samtidig av flere: oppgaver og roller må organiseres på nytt.",
        "Work is split, merged or done at the same time by several people: tasks and roles are reorganised.",
    ),
    "system": (
        Effort.LARGE,
        "Et annet fagsystem skal brukes: anskaffelse, oppsett eller integrasjon.",
        "Another case-handling system is to be used: procurement, set-up or integration.",
    ),
    "digital": (
        Effort.LARGE,
        "Steget skal gjøres digitalt, automatisk eller som selvbetjening: det trengs en digital løsning.",
        "The step is to be done digitally, automatically or as self-service: a digital solution is needed.",
    ),
    "manual": (
        Effort.MEDIUM,
        "Steget skal gjøres manuelt eller på papir: rutinene må endres.",
        "The step is to be done manually or on paper: routines change.",
    ),
}

_KIND_OF_DIFFERENCE: dict[DifferenceKind, ChangeKind] = {
    DifferenceKind.MISSING_STEP: ChangeKind.ADD_STEP,
    DifferenceKind.EXTRA_STEP: ChangeKind.REMOVE_STEP,
    DifferenceKind.RENAMED_STEP: ChangeKind.RENAME_STEP,
    DifferenceKind.SPLIT_STEP: ChangeKind.MERGE_STEPS,
    DifferenceKind.MERGED_STEPS: ChangeKind.SPLIT_STEP,
    DifferenceKind.ORDER_CHANGED: ChangeKind.MOVE_STEP,
    DifferenceKind.MISSING_FLOW: ChangeKind.ADD_FLOW,
    DifferenceKind.EXTRA_FLOW: ChangeKind.REMOVE_FLOW,
    DifferenceKind.KIND_CHANGED: ChangeKind.CHANGE_KIND,
    DifferenceKind.LANE_CHANGED: ChangeKind.CHANGE_LANE,
    DifferenceKind.MODE_CHANGED: ChangeKind.CHANGE_MODE,
    DifferenceKind.SYSTEM_CHANGED: ChangeKind.CHANGE_SYSTEM,
    DifferenceKind.LEGAL_BASIS_CHANGED: ChangeKind.CHANGE_LEGAL_BASIS,
    DifferenceKind.HANDLING_DAYS_CHANGED: ChangeKind.CHANGE_HANDLING_DAYS,
}

_RULE_OF_KIND: dict[ChangeKind, str] = {
    ChangeKind.ADD_STEP: "step",
    ChangeKind.REMOVE_STEP: "step",
    ChangeKind.RENAME_STEP: "wording",
    ChangeKind.MERGE_STEPS: "organisation",
    ChangeKind.SPLIT_STEP: "organisation",
    ChangeKind.MOVE_STEP: "flow",
    ChangeKind.MAKE_PARALLEL: "organisation",
    ChangeKind.MAKE_SEQUENTIAL: "organisation",
    ChangeKind.MAKE_OPTIONAL: "flow",
    ChangeKind.MAKE_MANDATORY: "flow",
    ChangeKind.ADD_FLOW: "flow",
    ChangeKind.REMOVE_FLOW: "flow",
    ChangeKind.CHANGE_KIND: "wording",
    ChangeKind.CHANGE_LANE: "role",
    ChangeKind.CHANGE_SYSTEM: "system",
    ChangeKind.CHANGE_LEGAL_BASIS: "wording",
    ChangeKind.CHANGE_HANDLING_DAYS: "wording",
    ChangeKind.OTHER: "flow",
}

# Step-level changes (the step itself changes) and structural ones (how steps connect).
_STEP_CHANGES = frozenset(
    {
        ChangeKind.ADD_STEP,
        ChangeKind.REMOVE_STEP,
        ChangeKind.RENAME_STEP,
        ChangeKind.MERGE_STEPS,
        ChangeKind.SPLIT_STEP,
        ChangeKind.CHANGE_KIND,
        ChangeKind.CHANGE_LANE,
        ChangeKind.CHANGE_MODE,
        ChangeKind.CHANGE_SYSTEM,
        ChangeKind.CHANGE_LEGAL_BASIS,
        ChangeKind.CHANGE_HANDLING_DAYS,
    }
)
_FIELD_CHANGES: dict[str, frozenset[ChangeKind]] = {
    "label": frozenset({ChangeKind.RENAME_STEP, ChangeKind.MERGE_STEPS, ChangeKind.SPLIT_STEP}),
    "kind": frozenset({ChangeKind.CHANGE_KIND}),
    "lane": frozenset({ChangeKind.CHANGE_LANE}),
    "mode": frozenset({ChangeKind.CHANGE_MODE}),
    "system": frozenset({ChangeKind.CHANGE_SYSTEM}),
    "legal_basis": frozenset({ChangeKind.CHANGE_LEGAL_BASIS}),
    "handling_days": frozenset({ChangeKind.CHANGE_HANDLING_DAYS}),
}
_DIGITAL_MODES = frozenset({Mode.DIGITAL.value, Mode.AUTOMATED.value, Mode.SELF_SERVICE.value})
_STEP_FIELDS = ("label", "kind", "lane", "mode", "system", "legal_basis", "handling_days", "parent", "attached_to")


@dataclass(frozen=True)
class Operation:
    """One edit of the process elements that carries out (part of) a change.

    ``action`` is one of ``add_step``, ``remove_step``, ``update_step``
    (``changes`` holds the new field values), ``add_gateway``,
    ``remove_gateway``, ``update_gateway``, ``add_flow``, ``remove_flow``,
    ``add_lane``. ``concerns`` are the step ids it touches, as
    ``"t:<id in the target>"`` and ``"v:<id in the variant>"``.
    """

    action: str
    element_id: str | None = None
    element: Step | Gateway | None = None
    flow: Flow | None = None
    changes: Mapping[str, Any] = field(default_factory=dict, hash=False)
    lane: str | None = None
    concerns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Change:
    """One change of a change plan (see :func:`change_plan`).

    Attributes
    ----------
    kind
        What the change does (:class:`ChangeKind`).
    target_steps, variant_steps
        The step ids concerned, in the target and in the variant.
    effort, effort_rule
        The effort class and the code of the rule that gives it
        (:data:`EFFORT_RULES`).
    peers
        The other members that already do it the target's way (None when
        the plan was made without step classes, so nobody is known).
    difference
        The difference between target (A) and variant (B) that the change removes.
    operations
        The element operations that carry it out (:func:`apply_plan`).
    justified
        The reason, when the member has marked this deviation as justified.
    """

    kind: ChangeKind
    target_steps: tuple[str, ...]
    variant_steps: tuple[str, ...]
    effort: Effort
    effort_rule: str
    peers: tuple[str, ...] | None
    difference: Difference
    operations: tuple[Operation, ...] = ()
    justified: str | None = None
    _texts: Mapping[str, str] = field(default_factory=dict, hash=False, repr=False)
    _peer_total: int = field(default=0, repr=False)

    def text(self, lang: str = "nb") -> str:
        """The change as one sentence in ``lang``: what to do."""
        _check_lang(lang)
        return self._texts[lang]

    def rule_text(self, lang: str = "nb") -> str:
        """The rule behind the effort class, in ``lang``."""
        _check_lang(lang)
        _, nb, en = EFFORT_RULES[self.effort_rule]
        return nb if lang == "nb" else en

    def peers_text(self, lang: str = "nb") -> str | None:
        """«Malvik, Melhus og 11 andre gjør dette allerede.»; None when peers are unknown."""
        _check_lang(lang)
        if self.peers is None:
            return None
        if not self.peers:
            return "Ingen andre gjør dette ennå." if lang == "nb" else "Nobody else does this yet."
        names = join_names(self.peers, lang)
        if lang == "nb":
            return f"{names} gjør dette allerede."
        return f"{names} already {'does' if len(self.peers) == 1 else 'do'} this."


@dataclass(frozen=True, eq=False)
class ChangePlan:
    """The changes that turn ``variant`` into ``target`` (see :func:`change_plan`).

    ``changes`` are the ones to make, in the target's order; ``justified``
    the deviations the member has justified (not counted); ``hidden``
    element operations that no difference shows (e.g. a gateway that is
    drawn differently but behaves the same), applied with the plan.
    """

    variant: Process
    target: Process
    member: str | None
    changes: tuple[Change, ...]
    justified: tuple[Change, ...]
    hidden: tuple[Operation, ...] = ()

    def __len__(self) -> int:
        return len(self.changes)

    def texts(self, lang: str = "nb") -> list[str]:
        """Every change as one sentence in ``lang``."""
        return [c.text(lang) for c in self.changes]

    def by_effort(self) -> dict[Effort, int]:
        """How many changes there are of each effort class."""
        counts = Counter(c.effort for c in self.changes)
        return {e: counts.get(e, 0) for e in Effort}

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data: the changes (and justified deviations) with their sentences."""

        def one(c: Change) -> dict[str, Any]:
            return {
                "kind": c.kind.value,
                "target_steps": list(c.target_steps),
                "variant_steps": list(c.variant_steps),
                "effort": c.effort.value,
                "effort_rule": c.effort_rule,
                "text": c.text(lang),
                "peers": list(c.peers) if c.peers is not None else None,
                "peers_text": c.peers_text(lang),
                "justified": c.justified,
            }

        return {
            "member": self.member,
            "changes": [one(c) for c in self.changes],
            "justified": [one(c) for c in self.justified],
        }


def join_names(names: Sequence[str], lang: str = "nb", *, most: int = 3) -> str:
    """Name members the way people do: «Malvik, Melhus og 11 andre».

    Names are sorted in Norwegian order (æ, ø, å last). Up to ``most`` names
    are written out; beyond that the first two and how many others.

    Examples
    --------
    >>> join_names(["Melhus", "Malvik"])
    'Malvik og Melhus'
    >>> join_names(["Åfjord", "Ørland", "Agdenes", "Malvik", "Melhus"])
    'Agdenes, Malvik og 3 andre'
    >>> join_names(["Malvik", "Melhus", "Skaun"], "en")
    'Malvik, Melhus and Skaun'
    """
    _check_lang(lang)
    ordered = sorted(names, key=norwegian_key)
    word = " og " if lang == "nb" else " and "
    if len(ordered) <= 1:
        return "".join(ordered)
    if len(ordered) <= most:
        return ", ".join(ordered[:-1]) + word + ordered[-1]
    rest = len(ordered) - 2
    if lang == "nb":
        tail = f"{rest} {'annen' if rest == 1 else 'andre'}"
    else:
        tail = f"{rest} {'other' if rest == 1 else 'others'}"
    return ", ".join(ordered[:2]) + word + tail


def _q(text: str, lang: str) -> str:
    text = " ".join(text.split()) or "?"
    return f"«{text}»" if lang == "nb" else f"“{text}”"


def _qs(items: Sequence[str], lang: str) -> str:
    quoted = [_q(x, lang) for x in items]
    word = " og " if lang == "nb" else " and "
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + word + quoted[-1]


_MODE_WORDS = {
    "nb": {"manual": "manuelt", "paper": "på papir", "digital": "digitalt", "automated": "automatisk",
           "self_service": "som selvbetjening"},
    "en": {"manual": "manually", "paper": "on paper", "digital": "digitally", "automated": "automatically",
           "self_service": "as self-service"},
}


def _days(value: str, lang: str) -> str:
    one = value in ("1", "1.0")
    if lang == "nb":
        return value.replace(".", ",") + (" dag" if one else " dager")
    return value + (" day" if one else " days")


def _change_text(
    kind: ChangeKind,
    d: Difference,
    target: Process,
    variant: Process,
    tgraph: nx.DiGraph,
    trank: Mapping[str, int],
    lang: str,
    member: str | None,
) -> str:
    def T(x: str) -> str:
        return name_of(target, x, lang)

    def V(y: str) -> str:
        return name_of(variant, y, lang)

    def join(names: list[str]) -> str:
        word = " og " if lang == "nb" else " and "
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + word + names[-1]

    nb = lang == "nb"
    details = d.details
    if kind == ChangeKind.ADD_STEP:
        x = d.a[0]
        preds = sorted(tgraph.predecessors(x), key=lambda p: -trank.get(p, 0)) if x in tgraph else []
        noun = _noun(target, x, lang)
        step = target.step(x)
        if step.kind == StepKind.BOUNDARY_EVENT and step.attached_to:
            named = f"{noun} {T(x)}" if step.label.strip() else T(x)
            return (f"Legg til {named} på {T(step.attached_to)}." if nb
                    else f"Add {named} on {T(step.attached_to)}.")
        if not step.label.strip():
            return f"Legg til {T(x)}." if nb else f"Add {T(x)}."
        if preds:
            return (f"Legg til {noun} {T(x)} etter {T(preds[0])}." if nb
                    else f"Add {noun} {T(x)} after {T(preds[0])}.")
        return (f"Legg til {noun} {T(x)} først i prosessen." if nb
                else f"Add {noun} {T(x)} at the start of the process.")
    if kind == ChangeKind.REMOVE_STEP:
        y = d.b[0]
        noun = _noun(variant, y, lang)
        if not variant.step(y).label.strip():
            return f"Fjern {V(y)}." if nb else f"Remove {V(y)}."
        return f"Fjern {noun} {V(y)}." if nb else f"Remove {noun} {V(y)}."
    if kind == ChangeKind.RENAME_STEP:
        noun = _noun(target, d.a[0], lang)
        return (f"Gi {noun} {V(d.b[0])} navnet {T(d.a[0])}." if nb
                else f"Rename {noun} {V(d.b[0])} to {T(d.a[0])}.")
    if kind == ChangeKind.MERGE_STEPS:
        parts = join([V(y) for y in d.b])
        return (f"Slå sammen {parts} til ett steg, {T(d.a[0])}." if nb
                else f"Merge {parts} into one step, {T(d.a[0])}.")
    if kind == ChangeKind.SPLIT_STEP:
        parts = join([T(x) for x in d.a])
        return (f"Del steget {V(d.b[0])} i {parts}." if nb
                else f"Split the step {V(d.b[0])} into {parts}.")
    if kind == ChangeKind.MOVE_STEP:
        x, y = d.a[0], d.a[1]
        # details["b_order"] says where x stands relative to y in the variant; the target has the opposite.
        before = details.get("b_order", "after") == "after"
        if nb:
            return f"Flytt {T(x)} slik at det kommer {'før' if before else 'etter'} {T(y)}."
        return f"Move {T(x)} so that it comes {'before' if before else 'after'} {T(y)}."
    if kind in (ChangeKind.MAKE_PARALLEL, ChangeKind.MAKE_SEQUENTIAL):
        names = join([T(x) for x in d.a])
        if kind == ChangeKind.MAKE_PARALLEL:
            return (f"La {names} skje samtidig i stedet for etter hverandre." if nb
                    else f"Let {names} happen at the same time instead of one after the other.")
        return (f"La {names} skje etter hverandre i stedet for samtidig." if nb
                else f"Let {names} happen one after the other instead of at the same time.")
    if kind == ChangeKind.MAKE_OPTIONAL:
        return (f"Gjør {T(d.a[0])} valgfritt, slik at det kan hoppes over når det ikke trengs." if nb
                else f"Make {T(d.a[0])} optional, so that it can be skipped when it is not needed.")
    if kind == ChangeKind.MAKE_MANDATORY:
        return (f"Gjør {T(d.a[0])} obligatorisk, slik at det alltid gjøres." if nb
                else f"Make {T(d.a[0])} mandatory, so that it is always done.")
    if kind == ChangeKind.ADD_FLOW:
        return (f"La flyten gå rett fra {T(d.a[0])} til {T(d.a[1])}." if nb
                else f"Let the flow go straight from {T(d.a[0])} to {T(d.a[1])}.")
    if kind == ChangeKind.REMOVE_FLOW:
        return (f"Fjern den direkte flyten fra {V(d.b[0])} til {V(d.b[1])}." if nb
                else f"Remove the direct flow from {V(d.b[0])} to {V(d.b[1])}.")
    va, vb = details.get("a", ""), details.get("b", "")
    if kind == ChangeKind.CHANGE_LANE and details.get("scope") == "lane":
        return (f"Gi rollen {_q(vb, lang)} navnet {_q(va, lang)}." if nb
                else f"Rename the role {_q(vb, lang)} to {_q(va, lang)}.")
    if kind == ChangeKind.CHANGE_SYSTEM and details.get("scope") == "system":
        return (f"Bytt fagsystemet {_q(vb, lang)} ut med {_q(va, lang)}." if nb
                else f"Replace the system {_q(vb, lang)} with {_q(va, lang)}.")
    if kind in _ATTRIBUTE_TEXTS:
        # One template to set the value and one to clear it; "(i dag: …)" says the current value.
        set_text, clear_text = _ATTRIBUTE_TEXTS[kind][lang]
        word = _MODE_WORDS[lang] if kind == ChangeKind.CHANGE_MODE else None

        def value(v: str) -> str:
            if word is not None:
                return word.get(v, v)
            if kind == ChangeKind.CHANGE_HANDLING_DAYS:
                return _days(v, lang)
            return _q(v, lang)

        now = (f" (i dag: {value(vb)})" if nb else f" (today: {value(vb)})") if vb else ""
        template = set_text if va else clear_text
        return template.format(step=T(d.a[0]), value=value(va) if va else "", now=now)
    if kind == ChangeKind.CHANGE_KIND:
        want, now_kind = _kind_word(details.get("a", ""), lang), _kind_word(details.get("b", ""), lang)
        return (f"Gjør {T(d.a[0])} til {want} (i dag: {now_kind})." if nb
                else f"Make {T(d.a[0])} {want} (today: {now_kind}).")
    # Any other difference: say what differs.
    return explain(d, target, variant, a_name=None, b_name=member, lang=lang)


#: Sentences for a changed attribute: kind -> language -> (set it to {value}, clear it).
_ATTRIBUTE_TEXTS: dict[ChangeKind, dict[str, tuple[str, str]]] = {
    ChangeKind.CHANGE_LANE: {
        "nb": ("La {value} gjøre {step}{now}.", "La det være uten fast rolle hvem som gjør {step}{now}."),
        "en": ("Have {value} do {step}{now}.", "Leave open who does {step}{now}."),
    },
    ChangeKind.CHANGE_MODE: {
        "nb": ("Gjør {step} {value}{now}.", "Beskriv ikke lenger hvordan {step} gjøres{now}."),
        "en": ("Do {step} {value}{now}.", "Stop stating how {step} is done{now}."),
    },
    ChangeKind.CHANGE_SYSTEM: {
        "nb": ("Bruk {value} til {step}{now}.", "Gjør {step} uten fagsystem{now}."),
        "en": ("Use {value} for {step}{now}.", "Do {step} without a case system{now}."),
    },
    ChangeKind.CHANGE_LEGAL_BASIS: {
        "nb": ("Oppgi {value} som hjemmel for {step}{now}.", "Fjern hjemmelen for {step}{now}."),
        "en": ("Give {value} as the legal basis of {step}{now}.", "Remove the legal basis of {step}{now}."),
    },
    ChangeKind.CHANGE_HANDLING_DAYS: {
        "nb": ("Sett behandlingstiden for {step} til {value}{now}.", "Fjern den faste behandlingstiden for {step}{now}."),
        "en": ("Set the handling time of {step} to {value}{now}.", "Remove the set handling time of {step}{now}."),
    },
}


def _noun(process: Process, step_id: str, lang: str) -> str:
    e = process.get(step_id)
    if isinstance(e, Step) and e.is_event:
        return "hendelsen" if lang == "nb" else "the event"
    return "steget" if lang == "nb" else "the step"


def _operations(
    variant: Process, target: Process, alignment: Alignment
) -> tuple[list[Operation], dict[str, str]]:
    """The element operations that make ``variant`` behave as ``target`` under ``alignment``.

    Returns the operations and the map target step id -> id in the result.
    """
    ops: list[Operation] = []
    t2w: dict[str, str] = {}
    w2t: dict[str, str] = {}
    removed: set[str] = set()
    for m in alignment.matches:
        if len(m.a) == 1:
            keep = m.b[0]
            t2w[m.a[0]] = keep
            w2t[keep] = m.a[0]
            for y in m.b[1:]:
                removed.add(y)
                ops.append(Operation("remove_step", y, concerns=frozenset({f"v:{y}", f"t:{m.a[0]}"})))
        else:
            t2w[m.a[0]] = m.b[0]
            w2t[m.b[0]] = m.a[0]
    for y in alignment.extra:
        removed.add(y)
        ops.append(Operation("remove_step", y, concerns=frozenset({f"v:{y}"})))
    taken = {e.id for e in variant.elements}
    added: list[str] = []
    for s in target.steps:
        if s.id not in t2w:
            new = s.id if s.id not in taken else _new_id(s.id, taken)
            taken.add(new)
            t2w[s.id] = new
            added.append(s.id)

    def mapped(ref: str | None) -> str | None:
        return t2w.get(ref, ref) if ref is not None else None

    for tid in added:
        s = target.step(tid)
        ops.append(
            Operation(
                "add_step",
                t2w[tid],
                element=s.replace(id=t2w[tid], parent=mapped(s.parent), attached_to=mapped(s.attached_to)),
                concerns=frozenset({f"t:{tid}"}),
            )
        )
    for tid, wid in t2w.items():
        if tid in added:
            continue
        t, v = target.step(tid), variant.step(wid)
        want = {
            "label": t.label, "kind": t.kind, "lane": t.lane, "mode": t.mode, "system": t.system,
            "legal_basis": t.legal_basis, "handling_days": t.handling_days,
            "parent": mapped(t.parent), "attached_to": mapped(t.attached_to),
        }
        for name in _STEP_FIELDS:
            if getattr(v, name) != want[name]:
                ops.append(
                    Operation(
                        "update_step", wid, changes={name: want[name]},
                        concerns=frozenset({f"t:{tid}", f"v:{wid}"}),
                    )
                )

    # Gateways: a gateway of the variant is kept where the target has one of the same kind
    # between the same (corresponding) steps.
    def signature(process: Process, gid: str, to_target: Mapping[str, str] | None) -> tuple[Any, ...]:
        gw = process[gid]
        before = _nearest_steps(process, gid, forward=False)
        after = _nearest_steps(process, gid, forward=True)
        if to_target is not None:
            before = {to_target.get(x, "\x00" + x) for x in before}
            after = {to_target.get(x, "\x00" + x) for x in after}
        return (gw.kind, frozenset(before), frozenset(after))

    t_sigs: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for g in sorted(target.gateways, key=lambda g: g.id):
        t_sigs[signature(target, g.id, None)].append(g.id)
    g_t2w: dict[str, str] = {}
    g_w2t: dict[str, str] = {}
    for g in sorted(variant.gateways, key=lambda g: g.id):
        sig = signature(variant, g.id, w2t)
        if t_sigs.get(sig):
            tg = t_sigs[sig].pop(0)
            g_t2w[tg], g_w2t[g.id] = g.id, tg
            tgate = target[tg]
            assert isinstance(tgate, Gateway)
            if (g.label, g.lane) != (tgate.label, tgate.lane):
                ops.append(
                    Operation("update_gateway", g.id, changes={"label": tgate.label, "lane": tgate.lane},
                              concerns=frozenset(f"t:{x}" for x in sig[1] | sig[2]))
                )
        else:
            near = _nearest_steps(variant, g.id, forward=False) | _nearest_steps(variant, g.id, forward=True)
            ops.append(Operation("remove_gateway", g.id, concerns=frozenset(f"v:{x}" for x in near)))
            removed.add(g.id)

    def t_near(node: str) -> frozenset[str]:
        return frozenset(
            f"t:{x}"
            for x in _nearest_steps(target, node, forward=False) | _nearest_steps(target, node, forward=True)
        )

    for g in target.gateways:
        if g.id not in g_t2w:
            new = g.id if g.id not in taken else _new_id(g.id, taken)
            taken.add(new)
            g_t2w[g.id] = new
            ops.append(Operation("add_gateway", new, element=g.replace(id=new, parent=mapped(g.parent)),
                                 concerns=t_near(g.id)))

    def to_t(x: str) -> str | None:
        if x in removed:
            return None
        return w2t.get(x) or g_w2t.get(x)

    added_set = set(added)
    removed_steps = {x for x in removed if isinstance(variant.get(x), Step)}

    def between(process: Process, a: str | None, b: str | None, inner: set[str]) -> set[str]:
        """The ``inner`` steps on paths from a to b that pass only through ``inner`` steps and gateways."""
        if a is None or b is None or a not in process or b not in process:
            return set()
        g = process.graph

        def walk(start: str, forward: bool) -> set[str]:
            seen: set[str] = set()
            stack = [start]
            while stack:
                x = stack.pop()
                for y in g.successors(x) if forward else g.predecessors(x):
                    if y in seen or not (y in inner or isinstance(process[y], Gateway)):
                        continue
                    seen.add(y)
                    stack.append(y)
            return seen

        return walk(a, True) & walk(b, False) & inner

    def bridged_removed(src_t: str, dst_t: str) -> frozenset[str]:
        """A target flow that stands in for removed variant steps concerns them too."""
        a = t2w.get(src_t) or g_t2w.get(src_t)
        b = t2w.get(dst_t) or g_t2w.get(dst_t)
        return frozenset(f"v:{x}" for x in between(variant, a, b, removed_steps))

    def bridged_added(src_t: str | None, dst_t: str | None) -> frozenset[str]:
        """A variant flow that added target steps replace concerns them too."""
        return frozenset(f"t:{x}" for x in between(target, src_t, dst_t, added_set))

    def to_w(x: str) -> str:
        return t2w.get(x) or g_t2w[x]

    want_flows: Counter[tuple[str, str, str, str]] = Counter(
        (f.source, f.target, f.condition or "", f.kind.value) for f in target.flows
        if f.source in target and f.target in target
    )
    for f in variant.flows:
        if f.source not in variant or f.target not in variant:
            continue
        src, dst = to_t(f.source), to_t(f.target)
        if src is None or dst is None:
            continue  # goes with the element removed
        key = (src, dst, f.condition or "", f.kind.value)
        if want_flows[key] > 0:
            want_flows[key] -= 1
            continue
        concerns = frozenset(
            f"v:{x}"
            for x in _nearest_steps(variant, f.source, forward=False) | {f.source}
            | _nearest_steps(variant, f.target, forward=True) | {f.target}
            if isinstance(variant[x], Step)
        )
        concerns |= frozenset(f"t:{w2t[x[2:]]}" for x in concerns if x[2:] in w2t)
        concerns |= bridged_added(src, dst)
        ops.append(Operation("remove_flow", flow=f, concerns=concerns))
    for (src_t, dst_t, cond, flow_kind), n in sorted(want_flows.items()):
        for _ in range(n):
            concerns = t_near(src_t) | t_near(dst_t) | bridged_removed(src_t, dst_t)
            ops.append(
                Operation(
                    "add_flow", flow=Flow(to_w(src_t), to_w(dst_t), cond or None, kind=FlowKind(flow_kind)),
                    concerns=concerns,
                )
            )
    have_lanes = set(variant.lanes)
    for lane in target.lanes:
        if lane not in have_lanes:
            ops.append(Operation("add_lane", lane=lane,
                                 concerns=frozenset(f"t:{s.id}" for s in target.steps if s.lane == lane)))
    return ops, t2w


_OP_ORDER = {
    "remove_flow": 0, "remove_gateway": 1, "remove_step": 2, "update_step": 3, "update_gateway": 4,
    "add_lane": 5, "add_step": 6, "add_gateway": 7, "add_flow": 8,
}


def _tokens(d: Difference) -> frozenset[str]:
    return frozenset([f"t:{x}" for x in d.a] + [f"v:{y}" for y in d.b])


def _change_kind(d: Difference) -> ChangeKind:
    if d.kind == DifferenceKind.PARALLEL_VS_SEQUENTIAL:
        return ChangeKind.MAKE_PARALLEL if d.details.get("parallel_in") == "a" else ChangeKind.MAKE_SEQUENTIAL
    if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY:
        return ChangeKind.MAKE_OPTIONAL if d.details.get("optional_in") == "a" else ChangeKind.MAKE_MANDATORY
    return _KIND_OF_DIFFERENCE.get(d.kind, ChangeKind.OTHER)


def _effort(kind: ChangeKind, d: Difference) -> tuple[Effort, str]:
    if kind == ChangeKind.CHANGE_MODE:
        rule = "digital" if d.details.get("a", "") in _DIGITAL_MODES else "manual"
    elif kind == ChangeKind.CHANGE_KIND:
        automated = {StepKind.SERVICE_TASK.value, StepKind.SCRIPT_TASK.value, StepKind.BUSINESS_RULE_TASK.value}
        rule = "digital" if d.details.get("a") in automated and d.details.get("b") not in automated else "wording"
    else:
        rule = _RULE_OF_KIND[kind]
    return EFFORT_RULES[rule][0], rule


def _peers(
    kind: ChangeKind,
    d: Difference,
    target: Process,
    tprof: ProcessProfile,
    sc: StepClasses,
    class_of: Any,
    member: str | None,
    member_edges: Mapping[str, set[tuple[str, str]]],
) -> tuple[str, ...]:
    others = [m for m in sc.members if m != member]

    def occ(m: str, cid: str) -> Occurrence | None:
        c = sc._by_id.get(cid)
        return c.occurrences.get(m) if c is not None else None

    def rel(m: str, x: str, y: str) -> Relation | None:
        ox, oy = occ(m, x), occ(m, y)
        if ox is None or oy is None:
            return None
        p = sc.profiles[m]
        return Relation(int(p.relations[p.index[ox.steps[0]], p.index[oy.steps[0]]]))

    def trel(x: str, y: str) -> Relation:
        return Relation(int(tprof.relations[tprof.index[x], tprof.index[y]]))

    a, b = d.a, d.b
    if kind == ChangeKind.ADD_STEP:
        return tuple(m for m in others if occ(m, a[0]) is not None)
    if kind == ChangeKind.REMOVE_STEP:
        cid = class_of(b[0])
        return tuple(m for m in others if cid is None or occ(m, cid) is None)
    if kind == ChangeKind.RENAME_STEP:
        want = normalise(target.step(a[0]).label)
        return tuple(
            m for m in others
            if (o := occ(m, a[0])) is not None and o.shape == _SAME and normalise(o.labels[0]) == want
        )
    if kind == ChangeKind.MERGE_STEPS:
        return tuple(m for m in others if (o := occ(m, a[0])) is not None and o.shape == _SAME)
    if kind == ChangeKind.SPLIT_STEP:
        return tuple(
            m for m in others
            if all((o := occ(m, x)) is not None and o.shape == _SAME for x in a)
        )
    if kind in (ChangeKind.MOVE_STEP, ChangeKind.MAKE_PARALLEL, ChangeKind.MAKE_SEQUENTIAL) and len(a) >= 2:
        want_rel = trel(a[0], a[1])
        return tuple(m for m in others if rel(m, a[0], a[1]) == want_rel)
    if kind in (ChangeKind.MAKE_OPTIONAL, ChangeKind.MAKE_MANDATORY):
        want_m = kind == ChangeKind.MAKE_MANDATORY
        return tuple(m for m in others if (o := occ(m, a[0])) is not None and o.mandatory == want_m)
    if kind == ChangeKind.ADD_FLOW and len(a) >= 2:
        return tuple(m for m in others if (a[0], a[1]) in member_edges.get(m, set()))
    if kind == ChangeKind.REMOVE_FLOW and len(a) >= 2:
        return tuple(
            m for m in others
            if occ(m, a[0]) is not None and occ(m, a[1]) is not None
            and (a[0], a[1]) not in member_edges.get(m, set())
        )
    names = {
        ChangeKind.CHANGE_LANE: "lane", ChangeKind.CHANGE_MODE: "mode", ChangeKind.CHANGE_SYSTEM: "system",
        ChangeKind.CHANGE_LEGAL_BASIS: "legal_basis", ChangeKind.CHANGE_HANDLING_DAYS: "handling_days",
    }
    if kind in names and a:
        name = names[kind]
        want_v = _text(getattr(target.step(a[0]), name))
        return tuple(
            m for m in others if (o := occ(m, a[0])) is not None and o.attributes.get(name) == want_v
        )
    return ()


# Profiles of recent targets (a proposal or standard is the target of many plans): id -> (ref, fingerprint, profile).
_TARGETS: dict[int, tuple[Any, tuple[object, ...], ProcessProfile]] = {}


def _target_profile(target: Process) -> ProcessProfile:
    key = id(target)
    fp = (tuple(target.elements), tuple(target.flows))
    hit = _TARGETS.get(key)
    if hit is not None and hit[0]() is target and hit[1] == fp:
        return hit[2]
    prof = profile(target)
    if len(_TARGETS) >= 64:
        _TARGETS.clear()
    _TARGETS[key] = (weakref.ref(target), fp, prof)
    return prof


def _member_edges(sc: StepClasses) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for m in sc.members:
        prof = sc.profiles[m]
        edges = set()
        for u, v in prof.edges:
            cu, cv = sc.home.get((m, prof.ids[u])), sc.home.get((m, prof.ids[v]))
            if cu is not None and cv is not None and cu != cv:
                edges.add((cu, cv))
        out[m] = edges
    return out


def _plan(
    variant: Process,
    target: Process,
    alignment: Alignment,
    *,
    member: str | None,
    classes: StepClasses | None,
    class_of: Any,
    justified: Mapping[str, str],
    justified_variant: Mapping[str, str] | None = None,
    member_edges: Mapping[str, set[tuple[str, str]]] | None = None,
) -> ChangePlan:
    tprof = _target_profile(target)
    vprof = classes.profiles[member] if classes is not None and member is not None else profile(variant)
    differences = diff(target, variant, alignment, profiles=(tprof, vprof))
    tgraph = target.step_graph()
    trank = {x: tprof.rank[i] for i, x in enumerate(tprof.ids)}
    vrank = {x: vprof.rank[i] for i, x in enumerate(vprof.ids)}
    ops, _ = _operations(variant, target, alignment)
    edges = member_edges if member_edges is not None else (classes.edges() if classes else {})
    justified_variant = justified_variant or {}
    drafts: list[tuple[tuple[float, int, int], ChangeKind, Difference]] = []
    b_to_a = alignment.b_to_a()
    for n, d in enumerate(differences):
        kind = _change_kind(d)
        if d.a:
            pos = min(trank.get(x, 0) for x in d.a)
        else:
            anchors = [trank.get(x, 0) for y in d.b for x in b_to_a.get(y, ())]
            pos = min(anchors) if anchors else vrank.get(d.b[0], 0) if d.b else 0
        drafts.append(((pos, 0 if kind in _STEP_CHANGES else 1, n), kind, d))
    drafts.sort(key=lambda t: t[0])

    # Attribute every operation to the first change it belongs to.
    tokens = [_tokens(d) for _, _, d in drafts]
    assigned: list[list[Operation]] = [[] for _ in drafts]
    hidden: list[Operation] = []
    for op in ops:
        if op.action == "update_step":
            (name,) = op.changes
            wanted = _FIELD_CHANGES.get(name)
        elif op.action in ("add_step", "remove_step"):
            wanted = _STEP_CHANGES
        else:
            wanted = None
        best = None
        for k, (_, kind, _) in enumerate(drafts):
            if not (tokens[k] & op.concerns):
                continue
            if wanted is not None and kind in wanted:
                best = k
                break
            if wanted is None and kind not in _STEP_CHANGES:
                best = k
                break
            if best is None and (wanted is None or op.action != "update_step"):
                best = k
        if best is None:
            hidden.append(op)
        else:
            assigned[best].append(op)

    changes: list[Change] = []
    justified_changes: list[Change] = []
    for k, (_, kind, d) in enumerate(drafts):
        effort, rule = _effort(kind, d)
        peers: tuple[str, ...] | None = None
        if classes is not None:
            peers = tuple(
                sorted(_peers(kind, d, target, tprof, classes, class_of, member, edges), key=norwegian_key)
            )
        reason = None
        for x in d.a:
            if x in justified:
                reason = justified[x]
        for y in d.b:
            cid = class_of(y) if classes is not None else None
            if y in justified_variant:
                reason = justified_variant[y]
            elif cid is not None and cid in justified:
                reason = justified[cid]
        texts = {
            lang: _change_text(kind, d, target, variant, tgraph, trank, lang, member) for lang in LANGUAGES
        }
        change = Change(
            kind, tuple(d.a), tuple(d.b), effort, rule, peers, d,
            tuple(sorted(assigned[k], key=lambda o: _OP_ORDER[o.action])), reason, texts,
        )
        (justified_changes if reason is not None else changes).append(change)
    return ChangePlan(variant, target, member, tuple(changes), tuple(justified_changes), tuple(hidden))


def change_plan(
    variant: Process,
    target: Process,
    *,
    classes: StepClasses | None = None,
    member: str | None = None,
    justified: Mapping[str, str] | None = None,
    justified_variant: Mapping[str, str] | None = None,
    memory: MappingMemory | None = None,
    synonyms: Synonyms | None = None,
) -> ChangePlan:
    """The ordered changes that turn ``variant`` into ``target``.

    Parameters
    ----------
    variant
        A member's process.
    target
        The published standard or a proposal (:attr:`Proposal.process`).
    classes
        Step classes of the cooperation (:func:`step_classes` with
        ``current=target``, or :attr:`Proposal.classes` for a proposal).
        With them the plan follows the classes' correspondence and names the
        peers that already do each change; without them the variant is
        aligned with the target and no peers are named.
    member
        The member whose variant it is (needed with ``classes``).
    justified
        Step id of the target (or a class id) -> reason: deviations the
        member has justified (*begrunnet avvik*). Changes concerning them are
        listed in :attr:`ChangePlan.justified`, not in :attr:`ChangePlan.changes`.
    justified_variant
        The same for steps of the variant, by the variant's step ids (kept
        apart from ``justified``: a variant's ``s2`` is not the target's ``s2``).
    memory, synonyms
        For the aligner, without ``classes``.

    Returns
    -------
    ChangePlan
        Changes in the order of the target (what comes first in the process
        first; within a step, the step's own changes before the flow's).

    Raises
    ------
    ValueError
        ``classes`` without ``member``, a member the classes do not know or
        whose process is not ``variant``, or a target whose steps are not
        classes.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> plan = change_plan(chain("Motta søknad", "Fatte vedtak"),
    ...                    chain("Motta søknad", "Gjennomføre befaring", "Fatte vedtak"))
    >>> plan.texts()
    ['Legg til steget «Gjennomføre befaring» etter «Motta søknad».']
    >>> [(c.effort.value, c.effort_rule) for c in plan.changes]
    [('medium', 'step')]
    >>> from processes.compare import compare
    >>> compare(plan.target, apply_plan(plan.variant, plan)).differences
    ()
    """
    justified = dict(justified or {})
    if classes is not None:
        if member is None:
            raise ValueError("change_plan with classes needs the member whose variant it is")
        if member not in classes.processes:
            raise ValueError(f"the step classes do not know the member {member!r}")
        if classes.processes[member] is not variant and classes.processes[member] != variant:
            raise ValueError(
                f"the step classes were made from another version of {member!r}'s process; "
                "make them again from this version"
            )
        unknown = [s.id for s in target.steps if s.id not in classes]
        if unknown:
            raise ValueError(
                f"the target's steps {unknown[:5]} are not step classes; make the classes with "
                "step_classes(..., current=target) or use the proposal's own classes"
            )
        alignment = _class_alignment(classes, target, member)

        def class_of(y: str) -> str | None:
            return classes.class_of(member, y)
    else:
        alignment = align(target, variant, memory=memory, synonyms=synonyms)

        def class_of(y: str) -> str | None:
            return None

    return _plan(variant, target, alignment, member=member, classes=classes, class_of=class_of,
                 justified=justified, justified_variant=dict(justified_variant or {}))


def apply_plan(variant: Process, plan: ChangePlan, *, include_justified: bool = False) -> Process:
    """Carry out a change plan: a new process; ``variant`` is not changed.

    The operations of every change (and the plan's hidden operations) are
    applied: flows and elements removed first, then steps updated, then
    lanes, steps, gateways and flows added. Justified deviations are left as
    they are unless ``include_justified``; operations that need an element a
    skipped change would have added are skipped with it. Without justified
    deviations the result compares as identical to the plan's target.
    """
    chosen = list(plan.changes) + (list(plan.justified) if include_justified else [])
    ops = [op for c in chosen for op in c.operations] + list(plan.hidden)
    skipped = {
        op.element_id
        for c in (plan.justified if not include_justified else ())
        for op in c.operations
        if op.action in ("add_step", "add_gateway")
    }
    result = variant.copy()
    for op in sorted(ops, key=lambda o: _OP_ORDER[o.action]):
        action = op.action
        if action == "remove_flow" and op.flow is not None:
            if op.flow in result.flows:
                result.remove_flow(op.flow)
        elif action in ("remove_step", "remove_gateway") and op.element_id is not None:
            if op.element_id in result:
                result.remove_element(op.element_id)
        elif action in ("update_step", "update_gateway") and op.element_id is not None:
            element = result.get(op.element_id)
            if element is not None:
                result.replace_element(element.replace(**op.changes))
        elif action == "add_lane" and op.lane is not None:
            if op.lane not in result.lanes:
                result.lanes.append(op.lane)
        elif action == "add_step" and isinstance(op.element, Step):
            result.add_step(op.element)
        elif action == "add_gateway" and isinstance(op.element, Gateway):
            result.add_gateway(op.element)
        elif action == "add_flow" and op.flow is not None:
            ends = {op.flow.source, op.flow.target}
            if ends & skipped or not all(x in result for x in ends):
                continue
            result.add_flow(op.flow)
    return result


# --------------------------------------------------------------------------
# The proposal
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedStep:
    """A step class with its support: a step of the proposal, or one left out of it.

    ``labels`` lists every label the members use for it, the most used first;
    ``attributes`` the same for lane, mode, system, legal basis and handling
    time (``None`` as a value: members that do not state it).
    """

    id: str
    label: str
    support: Support
    labels: tuple[Alternative, ...]
    attributes: Mapping[str, tuple[Alternative, ...]] = field(hash=False)
    in_current: bool = False
    in_proposal: bool = True

    def dissent(self) -> tuple[Alternative, ...]:
        """The labels members use other than the proposal's."""
        key = normalise(self.label)
        return tuple(a for a in self.labels if normalise(a.value or "") != key)


def _share_text(n: int, t: int, lang: str, verb: Mapping[str, str]) -> str:
    """«29 av 38 kommuner har det», «ingen av de 3 kommunene har det», «den ene kommunen har det ikke»."""
    if lang == "nb":
        if t == 1:
            return f"den ene kommunen {verb['nb'] if n else verb['nb_not']}"
        if n == 0:
            return f"ingen av de {t} kommunene {verb['nb']}"
        return f"{n} av {t} kommuner {verb['nb']}"
    if t == 1:
        return f"the one municipality {verb['en_one'] if n else verb['en_not']}"
    if n == 0:
        return f"none of the {t} municipalities {verb['en_many']}"
    return f"{n} of {t} municipalities {verb['en_many']}"


_HAS = {"nb": "har det", "nb_not": "har det ikke", "en_one": "has it", "en_many": "have it",
        "en_not": "does not have it"}
_DOES = {"nb": "gjør det slik", "nb_not": "gjør det ikke slik", "en_one": "does it this way",
         "en_many": "do it this way", "en_not": "does not do it this way"}
_CALLS = {"nb": "kaller det", "nb_not": "kaller det ikke det", "en_one": "calls it", "en_many": "call it",
          "en_not": "does not call it that"}


@dataclass(frozen=True, eq=False)
class Proposal:
    """A proposed common standard (see :func:`propose_standard`).

    Attributes
    ----------
    process
        The proposed process. Its step ids are class ids (the current
        standard's ids where it has the step).
    classes
        The step classes it was made from.
    steps
        Its steps with their support, in process order.
    left_out
        The classes it leaves out, with their support, most supported first.
    flows
        (step id, step id) -> support, for every direct succession of steps
        in the proposal: the members that go straight from one to the other.
    departures
        The changes from the current standard to the proposal, each with
        the members that do it the proposal's way (None without a current standard).
    distances, current_distances
        Member -> change distance to the proposal, and to the current standard.
    total, current_total
        The weighted sums of those distances.
    drift
        The change distance from the current standard to the proposal.
    settings
        The settings it was made with (weights, minimum support, maximum drift).
    """

    process: Process
    classes: StepClasses
    steps: tuple[ProposedStep, ...]
    left_out: tuple[ProposedStep, ...]
    flows: Mapping[tuple[str, str], Support]
    departures: ChangePlan | None
    distances: Mapping[str, int]
    current_distances: Mapping[str, int] | None
    total: float
    current_total: float | None
    drift: int | None
    settings: Mapping[str, Any]

    def step(self, step_id: str) -> ProposedStep:
        """The proposed step with this id."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def texts(self, lang: str = "nb") -> list[str]:
        """How and why the proposal departs from the current standard, one sentence each."""
        _check_lang(lang)
        if self.departures is None:
            return []
        total = len(self.classes.members)
        cur = self.classes.current
        assert cur is not None
        nb = lang == "nb"
        out = []
        for c in self.departures.changes:
            n = len(c.peers or ())
            x = name_of(cur, c.variant_steps[0], lang) if c.variant_steps and c.variant_steps[0] in cur else ""
            y = ""
            if c.target_steps and c.target_steps[0] in self.process:
                y = name_of(self.process, c.target_steps[0], lang)
            if c.kind == ChangeKind.REMOVE_STEP:
                # The current standard has a step the proposal drops.
                noun = _noun(cur, c.variant_steps[0], lang)
                who = _share_text(self._have(c.variant_steps[0]), total, lang, _HAS)
                out.append(f"{noun.capitalize()} {x} er tatt ut: {who}." if nb else f"{noun.capitalize()} {x} is left out: {who}.")
            elif c.kind == ChangeKind.ADD_STEP:
                noun = _noun(self.process, c.target_steps[0], lang)
                who = _share_text(n, total, lang, _HAS)
                out.append(
                    f"{noun.capitalize()} {y} er tatt med: {who}, men standarden mangler det." if nb
                    else f"{noun.capitalize()} {y} is included: {who}, but the standard lacks it."
                )
            elif c.kind == ChangeKind.RENAME_STEP:
                noun = _noun(self.process, c.target_steps[0], lang)
                who = _share_text(n, total, lang, _CALLS)
                out.append(
                    f"{noun.capitalize()} {x} heter {y} i forslaget, slik {who}." if nb
                    else f"{noun.capitalize()} {x} is called {y} in the proposal, as {who}."
                )
            else:
                sentence = explain(
                    c.difference, self.process, cur,
                    a_name="forslaget" if nb else "the proposal",
                    b_name="standarden" if nb else "the standard",
                    lang=lang,
                )
                who = _share_text(n, total, lang, _DOES)
                out.append(f"{sentence} {who[0].upper() + who[1:]}.")
        return out

    def _have(self, class_id: str) -> int:
        return len(self.classes[class_id].occurrences) if class_id in self.classes else 0

    def summary(self, lang: str = "nb") -> str:
        """The total change for the cooperation, under the proposal and under the current standard."""
        _check_lang(lang)
        n = len(self.classes.members)
        mine = sum(self.distances.values())
        theirs = sum(self.current_distances.values()) if self.current_distances is not None else None
        if lang == "nb":
            who = "kommunen" if n == 1 else f"de {n} kommunene"
            text = f"Med forslaget må {who} gjøre {mine} {'endring' if mine == 1 else 'endringer'} i alt"
            if theirs is not None:
                text += f"; med dagens standard {theirs}"
            return text + "."
        who = "the municipality makes" if n == 1 else f"the {n} municipalities make"
        text = f"Under the proposal {who} {mine} {'change' if mine == 1 else 'changes'} in all"
        if theirs is not None:
            text += f"; under the current standard {theirs}"
        return text + "."

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """Plain data: steps with support and alternatives, departures, totals."""

        def step(s: ProposedStep) -> dict[str, Any]:
            return {
                "id": s.id,
                "label": s.label,
                "support": {"count": s.support.count, "total": s.support.total, "share": round(s.support.share, 4),
                            "members": list(s.support.members)},
                "labels": [{"value": a.value, "members": list(a.members)} for a in s.labels],
                "attributes": {
                    k: [{"value": a.value, "members": list(a.members)} for a in v] for k, v in s.attributes.items()
                },
                "in_current": s.in_current,
            }

        return {
            "steps": [step(s) for s in self.steps],
            "left_out": [step(s) for s in self.left_out],
            "flows": [
                {"source": u, "target": v, "count": sup.count, "total": sup.total}
                for (u, v), sup in sorted(self.flows.items())
            ],
            "departures": self.texts(lang),
            "summary": self.summary(lang),
            "total": self.total,
            "current_total": self.current_total,
            "drift": self.drift,
            "distances": dict(self.distances),
            "settings": dict(self.settings),
        }


def _alternatives(values: Iterable[tuple[str, str | None]]) -> tuple[Alternative, ...]:
    by: dict[str | None, list[str]] = defaultdict(list)
    for member, value in values:
        by[value].append(member)
    ranked = sorted(by.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
    return tuple(Alternative(v, tuple(ms)) for v, ms in ranked)


def _proposed_step(cons: _Consensus, cid: str, label: str, in_proposal: bool) -> ProposedStep:
    c = cons.classes[cid]
    labels = _alternatives(
        (m, " / ".join(o.labels) if o.shape == _SPLIT else o.labels[0]) for m, o in c.occurrences.items()
    )
    attributes = {
        a: _alternatives((m, o.attributes.get(a)) for m, o in c.occurrences.items()) for a in ATTRIBUTES
    }
    return ProposedStep(
        cid, label, cons.support(cid), labels, attributes, c.current_step is not None, in_proposal
    )


def propose_standard(
    variants: Mapping[str, Process],
    *,
    current: Process | None = None,
    weights: Mapping[str, float] | None = None,
    max_drift: int | None = None,
    min_support: float = 0.5,
    memory: Mapping[str, MappingMemory] | None = None,
    justified: Iterable[tuple[str, str]] = (),
    count_justified: bool = False,
    classes: StepClasses | None = None,
    synonyms: Synonyms | None = None,
) -> Proposal:
    """Propose a common standard from the members' variants.

    Parameters
    ----------
    variants
        Member name -> its process (latest version).
    current
        The current standard, if any.
    weights
        Member name -> weight (e.g. cases per year, population); members not
        named weigh 1. Default: every member counts the same.
    max_drift
        The largest change distance from ``current`` the proposal may have
        (needs ``current``); the strongest departures are made first.
    min_support
        The weighted share of members a step class needs to be a step of the
        proposal (0 < min_support <= 1; default a majority, ties going to the
        current standard).
    memory
        Member name -> confirmed/rejected correspondences with ``current``.
    justified
        (member, class id) pairs that the member has justified as deviations:
        they do not count as disagreement about that class.
    count_justified
        Count justified deviations as disagreement after all.
    classes
        Step classes computed before (:func:`step_classes`), to reuse.
    synonyms
        Synonym groups for the aligner.

    Returns
    -------
    Proposal

    Raises
    ------
    ValueError
        No variants, a bad ``min_support``, ``max_drift`` or weight.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step, StepKind
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label, StepKind.TASK))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> members = {"Malvik": chain("Motta søknad", "Befaring", "Fatte vedtak"),
    ...            "Melhus": chain("Motta søknad", "Befaring", "Fatte vedtak"),
    ...            "Skaun": chain("Motta søknad", "Fatte vedtak")}
    >>> proposal = propose_standard(members, current=chain("Motta søknad", "Fatte vedtak"))
    >>> [(s.label, s.support.text()) for s in proposal.steps]
    [('Motta søknad', '3 av 3'), ('Befaring', '2 av 3'), ('Fatte vedtak', '3 av 3')]
    >>> proposal.texts()
    ['Steget «Befaring» er tatt med: 2 av 3 kommuner har det, men standarden mangler det.']
    >>> proposal.summary()
    'Med forslaget må de 3 kommunene gjøre 1 endring i alt; med dagens standard 2.'
    """
    if not variants:
        raise ValueError("propose_standard needs at least one variant")
    if not (0.0 < min_support <= 1.0) or not math.isfinite(min_support):
        raise ValueError(f"min_support must be a share in (0, 1], got {min_support!r}")
    if max_drift is not None:
        if current is None:
            raise ValueError("max_drift limits the distance from the current standard: give current too")
        if not isinstance(max_drift, int) or max_drift < 0:
            raise ValueError(f"max_drift must be a whole number >= 0, got {max_drift!r}")
    if classes is None:
        classes = step_classes(variants, current=current, memory=memory, synonyms=synonyms)
    else:
        if classes.current is not current:
            raise ValueError("the step classes were made with another current standard")
        if set(classes.members) != set(variants):
            raise ValueError("the step classes were made from other members; make them again from these variants")
    unknown = sorted(set(weights or {}) - set(classes.members))
    if unknown:
        raise ValueError(f"weights name members that have no variant: {', '.join(map(repr, unknown[:5]))}")
    justified_pairs = frozenset((str(m), str(c)) for m, c in justified)
    cons = _Consensus.of(
        classes, weights=weights, justified=justified_pairs, count_justified=count_justified
    )
    majority = cons.majority_decisions(min_support)

    # The block synthesis draws one flat process: members that nest steps in
    # sub-processes, attach boundary events, or talk across pools get their own
    # shapes repaired towards the majority instead.
    flat = not any(
        s.parent or s.attached_to or s.pool for p in classes.processes.values() for s in p.steps
    ) and not any(f.is_message for p in classes.processes.values() for f in p.flows)
    most_starts = max(
        (sum(1 for s in p.steps if s.kind == StepKind.START_EVENT and s.parent is None)
         for p in [*classes.processes.values(), *([current] if current is not None else [])]),
        default=1,
    )

    def build(decisions: Mapping[_DecisionKey, Any]) -> list[Process]:
        """The candidates for these decisions: the synthesis, and the current standard repaired."""
        out = []
        if flat:
            included = [cid for cid in cons.ids if decisions.get(("include", cid))]
            out.append(_synthesise(cons, included, decisions, pivot_hint=classes.reference))
        if current is not None:
            out.append(_repaired(cons, decisions, current))
        return out

    def valid(p: Process) -> bool:
        starts = sum(1 for s in p.steps if s.kind == StepKind.START_EVENT and s.parent is None)
        return bool(p.steps) and starts <= most_starts and not any(
            problem.severity == "error" for problem in p.validate()
        )

    def total(distances: Mapping[str, int]) -> float:
        return float(sum(cons.weights[m] * d for m, d in distances.items()))

    # Candidates, in order of preference on a tie: the current standard, then the
    # majority's own shapes (the synthesis, the current standard repaired), then the
    # processes of the members closest to all the others, repaired towards the majority
    # (they keep a shape the block synthesis cannot draw, e.g. several ways into one
    # join from different depths, when the members share it).
    candidates: list[Process] = []
    if max_drift is None:
        candidates.extend(build(majority))
        for rank, member in enumerate(_medoids(classes.processes, _MEMBER_CANDIDATES)):
            own = _in_class_space(classes, member)
            if own is not None:
                candidates.append(_repaired(cons, majority, own))
                if rank == 0 and current is None:
                    candidates.append(own)
    else:
        assert current is not None
        departures = [
            key for key, value in cons.current.items()
            if key[0] != "label_form" and majority.get(key, value) != value
        ]
        departures.extend(
            key for key, value in majority.items()
            if key not in cons.current and key[0] == "include" and value
        )
        departures.sort(key=lambda key: (-cons.margin(key, majority[key]), str(key)))

        def partial(k: int) -> list[Process]:
            chosen = set(departures[:k])
            decisions = dict(majority)
            for key, value in cons.current.items():
                if key[0] != "label_form" and key not in chosen:
                    decisions[key] = value
            for cid in cons.ids:
                if ("include", cid) not in cons.current and ("include", cid) not in chosen:
                    decisions[("include", cid)] = False
            return [p for p in build(decisions) if valid(p)]

        def drift_of(p: Process) -> int:
            return len(diff(current, p, _identity_alignment(current, p)))

        # The largest number of departures some candidate makes within the limit.
        lo, hi, best = 0, len(departures), []
        while lo <= hi:
            mid = (lo + hi) // 2
            within = [p for p in partial(mid) if drift_of(p) <= max_drift]
            if within:
                best, lo = within, mid + 1
            else:
                hi = mid - 1
        candidates.extend(best)
    if current is not None:
        candidates.insert(0, current)
    candidates = [c for c in candidates if c is current or valid(c)]
    if max_drift is None:
        # The minimum support is the coordinator's rule: no candidate keeps a step below it.
        kept = [
            c for c in candidates
            if all(majority.get(("include", s.id), False) for s in c.steps if s.id in cons.index)
        ]
        candidates = kept or candidates
    if not candidates:
        # Nothing valid to offer but the majority's synthesis: show it, problems and all.
        included = [cid for cid in cons.ids if majority.get(("include", cid))]
        candidates = [_synthesise(cons, included, majority, pivot_hint=classes.reference)]
    scored = []
    for rank, cand in enumerate(candidates):
        dist = _distances(classes, cand)
        scored.append((total(dist), rank, cand, dist))
    best_total = min(s[0] for s in scored)
    chosen_total, _, process, distances = next(s for s in scored if abs(s[0] - best_total) < 1e-9)

    step_ids = {s.id for s in process.steps}
    pprof = profile(process)
    in_order = sorted(process.steps, key=lambda s: (pprof.rank[pprof.index[s.id]], s.id))
    steps = tuple(_proposed_step(cons, s.id, s.label, True) for s in in_order if s.id in cons.index)
    left_out = tuple(
        sorted(
            (_proposed_step(cons, cid, cons.classes[cid].label(), False) for cid in cons.ids if cid not in step_ids),
            key=lambda p: (-p.support.share, p.id),
        )
    )
    edges = classes.edges()
    flows: dict[tuple[str, str], Support] = {}
    for u, v in process.step_graph().edges:
        both = [m for m in classes.members if m in classes[u].occurrences and m in classes[v].occurrences] \
            if u in classes and v in classes else []
        have = tuple(m for m in both if (u, v) in edges[m])
        flows[(u, v)] = Support(have, len(both), sum(cons.weights[m] for m in have),
                                sum(cons.weights[m] for m in both))
    departures_plan: ChangePlan | None = None
    current_distances: dict[str, int] | None = None
    current_total: float | None = None
    drift: int | None = None
    if current is not None:
        departures_plan = _plan(
            current, process, _identity_alignment(process, current), member=None, classes=classes,
            class_of=lambda y: y if y in classes else None, justified={}, member_edges=edges,
        )
        drift = len(departures_plan.changes)
        current_distances = distances if process is current else _distances(classes, current)
        current_total = total(current_distances)
    settings = {
        "weights": dict(weights) if weights else None,
        "min_support": min_support,
        "max_drift": max_drift,
        "count_justified": count_justified,
        "justified": sorted(justified_pairs),
        "members": list(classes.members),
    }
    return Proposal(
        process, classes, steps, left_out, flows, departures_plan, distances, current_distances,
        chosen_total, current_total, drift, settings,
    )
