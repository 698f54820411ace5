"""What differs between two aligned processes.

:func:`diff` turns an alignment (which steps correspond, see
:mod:`processes.align`) into a list of :class:`Difference` records: steps
that are missing, extra, renamed, split or merged; flows that are missing or
extra; order changes; parallel versus sequential execution; optional versus
mandatory steps; and changed attributes (lane, mode, system, legal basis,
handling time). :mod:`processes.explain` turns each into a sentence.

The diff is kept *minimal*: consequences of a difference already reported
are not reported again. A missing step does not also produce the "extra"
flow that now bypasses it; a moved step gives one order change, not one per
step it jumped over; flows around steps whose order changed are not listed
separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from processes.model import Process, Step, StepKind
from processes.similarity import ProcessProfile, Relation, profile

if TYPE_CHECKING:
    from processes.align import Alignment

__all__ = ["Difference", "DifferenceKind", "diff", "kind_matters"]


class DifferenceKind(StrEnum):
    """The kinds of difference, in the order a report lists them."""

    MISSING_STEP = "missing_step"
    EXTRA_STEP = "extra_step"
    RENAMED_STEP = "renamed_step"
    SPLIT_STEP = "split_step"
    MERGED_STEPS = "merged_steps"
    ORDER_CHANGED = "order_changed"
    PARALLEL_VS_SEQUENTIAL = "parallel_vs_sequential"
    OPTIONAL_VS_MANDATORY = "optional_vs_mandatory"
    MISSING_FLOW = "missing_flow"
    EXTRA_FLOW = "extra_flow"
    KIND_CHANGED = "kind_changed"
    LANE_CHANGED = "lane_changed"
    MODE_CHANGED = "mode_changed"
    SYSTEM_CHANGED = "system_changed"
    LEGAL_BASIS_CHANGED = "legal_basis_changed"
    HANDLING_DAYS_CHANGED = "handling_days_changed"


_KIND_ORDER = {kind: i for i, kind in enumerate(DifferenceKind)}


@dataclass(frozen=True)
class Difference:
    """One difference between process A and process B.

    Attributes
    ----------
    kind
        What kind of difference (:class:`DifferenceKind`).
    a, b
        The step ids involved in A and in B. Their order carries meaning for
        some kinds: for ``order_changed`` it is ``(x, y)`` on both sides, for
        flows ``(source, target)``.
    details
        Further facts as strings, by kind:

        - ``order_changed``: ``{"b_order": "before" | "after"}``, where x
          stands relative to y in B (the opposite holds in A);
        - ``parallel_vs_sequential``: ``{"parallel_in": "a" | "b"}``;
        - ``optional_vs_mandatory``: ``{"optional_in": "a" | "b"}``, and
          ``"share"`` (``"0.03"``) when the step on the optional side was
          measured in an event log (its ``metrics["case_share"]``);
        - ``missing_flow`` / ``extra_flow`` of a message between two parties:
          ``{"flow": "message", "message": <its name or "">}``, and
          ``"instead": "sequence"`` when the other process has an ordinary
          flow between the two steps instead;
        - ``kind_changed``: ``{"a": step kind in A, "b": step kind in B}``
          (:class:`~processes.model.StepKind` values), reported only where the
          kind says something different to a person (see :func:`kind_matters`);
        - attribute changes (``lane_changed`` …): ``{"a": value in A, "b": value in B}``,
          a lane or system renamed as a whole gives one ``lane_changed`` or
          ``system_changed`` listing the steps concerned, with ``"scope": "lane"``
          or ``"system"``;
          ``""`` where one side leaves it blank. Attributes are compared only
          when both processes state them for at least one step.
    """

    kind: DifferenceKind
    a: tuple[str, ...]
    b: tuple[str, ...]
    details: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass
class _Group:
    a: list[int]
    b: list[int]
    kind: str
    rep_a: int
    rep_b: int


def diff(
    a: Process,
    b: Process,
    alignment: Alignment,
    *,
    profiles: tuple[ProcessProfile, ProcessProfile] | None = None,
) -> tuple[Difference, ...]:
    """List the differences between ``a`` and ``b`` under ``alignment``.

    Parameters
    ----------
    a, b
        The two processes (A is usually the standard).
    alignment
        Which steps of A correspond to which steps of B.
    profiles
        Precomputed :func:`processes.similarity.profile` of ``a`` and ``b``.

    Returns
    -------
    tuple of Difference
        In a fixed order: by kind (the order of :class:`DifferenceKind`),
        then by position in the process.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for label in labels:
    ...         p.add_step(Step(label, label))
    ...     for x, y in zip(labels, labels[1:]):
    ...         p.add_flow(Flow(x, y))
    ...     return p
    >>> same = lambda *ids: M(matches=[M(a=(i,), b=(i,), score=1.0, kind="identical") for i in ids])
    >>> [(d.kind.value, d.a) for d in diff(chain("A", "B", "C"), chain("A", "C"), same("A", "C"))]
    [('missing_step', ('B',))]
    >>> [(d.kind.value, d.a, d.details["b_order"]) for d in diff(chain("A", "B", "C"), chain("A", "C", "B"), same("A", "B", "C"))]
    [('order_changed', ('C', 'B'), 'before')]
    """
    pa, pb = profiles if profiles is not None else (profile(a), profile(b))
    groups = _groups(pa, pb, alignment)
    out: list[tuple[tuple[int, int, str], Difference]] = []

    def add(d: Difference, position: int) -> None:
        out.append(
            ((_KIND_ORDER[d.kind], position, "\x00".join(d.a + ("|",) + d.b)), d)
        )

    # Steps.
    matched_a = {i for g in groups for i in g.a}
    matched_b = {j for g in groups for j in g.b}
    for i, step_id in enumerate(pa.ids):
        if i not in matched_a:
            add(Difference(DifferenceKind.MISSING_STEP, (step_id,), ()), pa.rank[i])
    for j, step_id in enumerate(pb.ids):
        if j not in matched_b:
            add(Difference(DifferenceKind.EXTRA_STEP, (), (step_id,)), pb.rank[j])
    for g in groups:
        kind = {
            "renamed": DifferenceKind.RENAMED_STEP,
            "split": DifferenceKind.SPLIT_STEP,
            "merged": DifferenceKind.MERGED_STEPS,
        }.get(str(g.kind))
        if kind is not None:
            add(Difference(kind, _ids(pa, g.a), _ids(pb, g.b)), pa.rank[g.rep_a])

    # Messages between parties, between matched steps. A message that one side
    # sends and the other does not changes when the parties wait for each other;
    # that is said once, as the message, not again as orders between the parties.
    msg_a = _messages(a, pa, [g.a for g in groups])
    msg_b = _messages(b, pb, [g.b for g in groups])
    direct_seq_a = _sequence_pairs(a, pa, [g.a for g in groups])
    direct_seq_b = _sequence_pairs(b, pb, [g.b for g in groups])
    for (gu, gv), (sender, receiver, name) in sorted(msg_a.items()):
        if (gu, gv) not in msg_b:
            details = {"flow": "message", "message": name}
            if (gu, gv) in direct_seq_b:
                details["instead"] = "sequence"
            add(
                Difference(
                    DifferenceKind.MISSING_FLOW,
                    (sender, receiver),
                    (pb.ids[groups[gu].rep_b], pb.ids[groups[gv].rep_b]),
                    details,
                ),
                pa.rank[pa.index[sender]],
            )
    for (gu, gv), (sender, receiver, name) in sorted(msg_b.items()):
        if (gu, gv) not in msg_a:
            details = {"flow": "message", "message": name}
            if (gu, gv) in direct_seq_a:
                details["instead"] = "sequence"
            add(
                Difference(
                    DifferenceKind.EXTRA_FLOW,
                    (pa.ids[groups[gu].rep_a], pa.ids[groups[gv].rep_a]),
                    (sender, receiver),
                    details,
                ),
                pb.rank[pb.index[sender]],
            )
    messages_differ = msg_a.keys() != msg_b.keys()

    # Behaviour between matched steps.
    involved: set[int] = set()
    if len(groups) > 1:
        ia = np.array([g.rep_a for g in groups], dtype=np.intp)
        ib = np.array([g.rep_b for g in groups], dtype=np.intp)
        ra = pa.relations[np.ix_(ia, ia)]
        rb = pb.relations[np.ix_(ib, ib)]
        upper = np.triu(np.ones(ra.shape, dtype=bool), 1)
        if messages_differ:
            upper &= ~_across_parties(a, pa, ia) & ~_across_parties(b, pb, ib)
        order_a = (ra == Relation.BEFORE) | (ra == Relation.AFTER)
        order_b = (rb == Relation.BEFORE) | (rb == Relation.AFTER)
        inverted = upper & order_a & order_b & (ra != rb)
        conc_a = (ra == Relation.CONCURRENT) & order_b & upper
        conc_b = (rb == Relation.CONCURRENT) & order_a & upper
        for d, pos, members in _order_changes(pa, pb, groups, np.argwhere(inverted)):
            add(d, pos)
            involved |= members
        for side, mask in (("a", conc_a), ("b", conc_b)):
            for component in _components(np.argwhere(mask)):
                members_sorted = sorted(
                    component, key=lambda k: pa.rank[groups[k].rep_a]
                )
                involved |= set(component)
                add(
                    Difference(
                        DifferenceKind.PARALLEL_VS_SEQUENTIAL,
                        tuple(pa.ids[groups[k].rep_a] for k in members_sorted),
                        tuple(pb.ids[groups[k].rep_b] for k in members_sorted),
                        {"parallel_in": side},
                    ),
                    pa.rank[groups[members_sorted[0]].rep_a],
                )

    for g in groups:
        ma, mb = pa.mandatory[g.rep_a], pb.mandatory[g.rep_b]
        if ma != mb:
            optional_in = "b" if ma else "a"
            details = {"optional_in": optional_in}
            share = _case_share(
                b.step(pb.ids[g.rep_b]) if optional_in == "b" else a.step(pa.ids[g.rep_a])
            )
            if share is not None:
                details["share"] = share
            add(
                Difference(
                    DifferenceKind.OPTIONAL_VS_MANDATORY,
                    (pa.ids[g.rep_a],),
                    (pb.ids[g.rep_b],),
                    details,
                ),
                pa.rank[g.rep_a],
            )

    # Flows between matched steps. A direct flow of one process is missing from the
    # other only if no path through unmatched steps stands in for it there; and a
    # path through unmatched steps is never reported itself (those steps are).
    # Messages were compared above.
    ska, direct_a = _skeleton(pa, [g.a for g in groups])
    skb, direct_b = _skeleton(pb, [g.b for g in groups])
    for key in msg_a.keys() | msg_b.keys():
        direct_a.discard(key)
        direct_b.discard(key)
    for (gu, gv), (u, v) in sorted(ska.items()):
        if (
            (gu, gv) in direct_a
            and (gu, gv) not in skb
            and gu not in involved
            and gv not in involved
        ):
            add(
                Difference(
                    DifferenceKind.MISSING_FLOW,
                    (pa.ids[u], pa.ids[v]),
                    (pb.ids[groups[gu].rep_b], pb.ids[groups[gv].rep_b]),
                ),
                pa.rank[u],
            )
    for (gu, gv), (u, v) in sorted(skb.items()):
        if (
            (gu, gv) in direct_b
            and (gu, gv) not in ska
            and gu not in involved
            and gv not in involved
        ):
            add(
                Difference(
                    DifferenceKind.EXTRA_FLOW,
                    (pa.ids[groups[gu].rep_a], pa.ids[groups[gv].rep_a]),
                    (pb.ids[u], pb.ids[v]),
                ),
                pb.rank[u],
            )

    # What kind of step a one-to-one match is, where a person sees the difference.
    for g in groups:
        if len(g.a) == 1 and len(g.b) == 1:
            sa, sb = a.step(pa.ids[g.a[0]]), b.step(pb.ids[g.b[0]])
            if kind_matters(sa.kind, sb.kind):
                add(
                    Difference(
                        DifferenceKind.KIND_CHANGED,
                        (sa.id,),
                        (sb.id,),
                        {"a": sa.kind.value, "b": sb.kind.value},
                    ),
                    pa.rank[g.a[0]],
                )

    # Attributes of one-to-one matches. An attribute is compared only when both
    # processes record it for some step: a model that never states modes says
    # nothing about modes, but one that does and leaves a step blank means "none".
    fields = (
        (DifferenceKind.LANE_CHANGED, "lane"),
        (DifferenceKind.MODE_CHANGED, "mode"),
        (DifferenceKind.SYSTEM_CHANGED, "system"),
        (DifferenceKind.LEGAL_BASIS_CHANGED, "legal_basis"),
        (DifferenceKind.HANDLING_DAYS_CHANGED, "handling_days"),
    )
    steps_a, steps_b = a.steps, b.steps  # (each a new list)
    in_use = [
        (kind, name)
        for kind, name in fields
        if any(getattr(s, name) is not None for s in steps_a)
        and any(getattr(s, name) is not None for s in steps_b)
    ]
    # Pairs whose attributes are compared: one-to-one matches, and for a split
    # (merge) the single step against each of its parts. A part may well differ
    # (one half of a split step need not cite the law), so a split or merge reports
    # an attribute only when no part keeps the single step's value, and never the
    # handling time, which a split divides.
    pairs: list[tuple[Step, Step, int, bool]] = []
    for g in groups:
        if len(g.a) == 1 or len(g.b) == 1:
            whole = len(g.a) == 1 and len(g.b) == 1
            for x in sorted(g.a, key=lambda i: pa.rank[i]):
                for y in sorted(g.b, key=lambda j: pb.rank[j]):
                    pairs.append((a.step(pa.ids[x]), b.step(pb.ids[y]), x, whole))
    # A lane or system that is only renamed (or replaced everywhere) is one
    # difference, not one per step in it.
    whole_pairs = [(sa, sb) for sa, sb, _, whole in pairs if whole]
    renamed: dict[str, dict[str, str]] = {}
    for kind, name in (
        (DifferenceKind.LANE_CHANGED, "lane"),
        (DifferenceKind.SYSTEM_CHANGED, "system"),
    ):
        renamed[name] = _renamed_values(a, b, whole_pairs, name)
        for value_a, value_b in sorted(renamed[name].items()):
            concerned = [
                (sa.id, sb.id)
                for sa, sb, _, _ in pairs
                if getattr(sa, name) == value_a and getattr(sb, name) == value_b
            ]
            add(
                Difference(
                    kind,
                    tuple(dict.fromkeys(x for x, _ in concerned)),
                    tuple(dict.fromkeys(y for _, y in concerned)),
                    {"a": value_a, "b": value_b, "scope": name},
                ),
                -1,
            )
    # (single step, part, attribute) where a part of a split or merge kept the value
    kept_in_a_part: set[tuple[str, str, str]] = set()
    for sa, sb, _, whole in pairs:
        if not whole:
            for _, name in in_use:
                if _norm(getattr(sa, name)) == _norm(getattr(sb, name)):
                    kept_in_a_part.add((sa.id, sb.id, name))
    for sa, sb, rank, whole in pairs:
        for kind, name in in_use:
            va, vb = getattr(sa, name), getattr(sb, name)
            if va == vb or _norm(va) == _norm(vb):
                continue
            if (
                va is not None
                and vb is not None
                and renamed.get(name, {}).get(va) == vb
            ):
                continue
            if not whole and (
                name == "handling_days"
                or any(
                    key[2] == name and (key[0] == sa.id or key[1] == sb.id)
                    for key in kept_in_a_part
                )
            ):
                continue
            add(
                Difference(kind, (sa.id,), (sb.id,), {"a": _text(va), "b": _text(vb)}),
                pa.rank[rank],
            )

    out.sort(key=lambda item: item[0])
    return tuple(d for _, d in out)


# What a step kind tells a person: whose work it is, and what happens there.
_KIND_CLASS: dict[StepKind, str] = {
    StepKind.TASK: "task",
    StepKind.USER_TASK: "person",
    StepKind.MANUAL_TASK: "person",
    StepKind.SERVICE_TASK: "machine",
    StepKind.SCRIPT_TASK: "machine",
    StepKind.BUSINESS_RULE_TASK: "machine",
    StepKind.SEND_TASK: "send",
    StepKind.RECEIVE_TASK: "receive",
    StepKind.SUBPROCESS: "subprocess",
    StepKind.CALL_ACTIVITY: "subprocess",
    StepKind.START_EVENT: "start",
    StepKind.END_EVENT: "end",
    StepKind.INTERMEDIATE_EVENT: "intermediate",
    StepKind.BOUNDARY_EVENT: "boundary",
}


def kind_matters(a: StepKind, b: StepKind) -> bool:
    """True when step kinds ``a`` and ``b`` say something different to a person.

    A plain task says nothing about who does it, so it matches a user,
    manual, service, script or business-rule task; those matter against
    each other only between a person's work and a machine's. Sending,
    receiving, a sub-process (embedded or called) and each kind of event
    matter against anything else: "send task → task" means the message is
    no longer sent, "intermediate → end event" that the process ends there.

    Examples
    --------
    >>> kind_matters(StepKind.SEND_TASK, StepKind.TASK)
    True
    >>> kind_matters(StepKind.INTERMEDIATE_EVENT, StepKind.END_EVENT)
    True
    >>> kind_matters(StepKind.TASK, StepKind.USER_TASK), kind_matters(StepKind.USER_TASK, StepKind.MANUAL_TASK)
    (False, False)
    >>> kind_matters(StepKind.USER_TASK, StepKind.SERVICE_TASK)
    True
    """
    ca, cb = _KIND_CLASS[a], _KIND_CLASS[b]
    if ca == cb:
        return False
    return not ("task" in (ca, cb) and {ca, cb} <= {"task", "person", "machine"})


def _messages(
    p: Process, prof: ProcessProfile, groups: Sequence[Sequence[int]]
) -> dict[tuple[int, int], tuple[str, str, str]]:
    """Message flows between steps of two different matched groups: (group, group) -> (sender, receiver, name)."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    out: dict[tuple[int, int], tuple[str, str, str]] = {}
    for f in sorted((f for f in p.flows if f.is_message), key=lambda f: f.sort_key()):
        i, j = prof.index.get(f.source), prof.index.get(f.target)
        gu = group_of.get(i) if i is not None else None
        gv = group_of.get(j) if j is not None else None
        if gu is not None and gv is not None and gu != gv:
            out.setdefault((gu, gv), (f.source, f.target, f.condition or ""))
    return out


def _sequence_pairs(
    p: Process, prof: ProcessProfile, groups: Sequence[Sequence[int]]
) -> set[tuple[int, int]]:
    """Group pairs joined by an ordinary (sequence) flow, directly or through gateways only."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    # Each step's successors -> edge data, as plain dicts (g.adjacency() yields them;
    # g.edges[u, v] after g.has_edge(u, v) went through two views per edge).
    succ = dict(p.graph.adjacency())
    pairs: set[tuple[int, int]] = set()
    for u, v in prof.edges:
        gu, gv = group_of.get(u), group_of.get(v)
        if gu is None or gv is None or gu == gv:
            continue
        data = succ[prof.ids[u]].get(prof.ids[v])
        flow = data["flow"] if data is not None else None
        if flow is None or not flow.is_message:
            pairs.add((gu, gv))
    return pairs


def _across_parties(p: Process, prof: ProcessProfile, reps: np.ndarray) -> np.ndarray:
    """``k × k`` mask: True where the two steps belong to different parties (pools)."""
    pools = [p.step(prof.ids[int(i)]).pool for i in reps]
    codes = {pool: n for n, pool in enumerate(dict.fromkeys(pools))}
    arr = np.array([codes[pool] for pool in pools], dtype=np.intp)
    mask: np.ndarray = arr[:, None] != arr[None, :]
    return mask


def _renamed_values(
    a: Process, b: Process, pairs: Sequence[tuple[Step, Step]], name: str
) -> dict[str, str]:
    """Values of a step attribute (lane, system) that B renamed as a whole: X of A -> Y of B.

    X counts as renamed to Y when at least two matched steps changed from X to
    Y, most matched steps with X have Y and most matched steps with Y had X,
    and neither name is used by steps of the other process (otherwise steps
    moved between existing lanes or systems).
    """
    counts: dict[tuple[str, str], int] = {}
    for sa, sb in pairs:
        va, vb = getattr(sa, name), getattr(sb, name)
        if va is not None and vb is not None:
            counts[(va, vb)] = counts.get((va, vb), 0) + 1
    best_b: dict[str, tuple[int, str]] = {}
    best_a: dict[str, tuple[int, str]] = {}
    for (x, y), n in sorted(counts.items()):
        if n > best_b.get(x, (0, ""))[0]:
            best_b[x] = (n, y)
        if n > best_a.get(y, (0, ""))[0]:
            best_a[y] = (n, x)
    candidates = [
        (x, y)
        for x, (_, y) in best_b.items()
        if best_a[y][1] == x and counts[(x, y)] >= 2 and _norm(x) != _norm(y)
    ]
    if not candidates:  # the usual case: the names used by both sides are not asked for
        return {}
    used_a = {_norm(getattr(s, name)) for s in a.steps if getattr(s, name) is not None}
    used_b = {_norm(getattr(s, name)) for s in b.steps if getattr(s, name) is not None}
    return {
        x: y
        for x, y in candidates
        if _norm(x) not in used_b and _norm(y) not in used_a
    }


def _case_share(step: Step) -> str | None:
    """The share of cases that do ``step`` (0-1, as text), when measured and below 1 (from an event log)."""
    value = step.metrics.get("case_share")
    if value is None or not 0 <= value < 1:
        return None
    return f"{value:.6g}"


def _ids(p: ProcessProfile, members: Sequence[int]) -> tuple[str, ...]:
    return tuple(p.ids[i] for i in sorted(members, key=lambda i: (p.rank[i], i)))


def _norm(value: object) -> object:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _groups(
    pa: ProcessProfile, pb: ProcessProfile, alignment: Alignment
) -> list[_Group]:
    groups: list[_Group] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for m in alignment.matches:
        ga = [pa.index[x] for x in m.a if x in pa.index and pa.index[x] not in used_a]
        gb = [pb.index[y] for y in m.b if y in pb.index and pb.index[y] not in used_b]
        if not ga or not gb:
            continue
        used_a.update(ga)
        used_b.update(gb)
        groups.append(
            _Group(
                ga,
                gb,
                str(getattr(m.kind, "value", m.kind)),
                # (most groups are one step each: no key to compute)
                ga[0] if len(ga) == 1 else min(ga, key=lambda i: (pa.rank[i], i)),
                gb[0] if len(gb) == 1 else min(gb, key=lambda j: (pb.rank[j], j)),
            )
        )
    groups.sort(key=lambda g: (pa.rank[g.rep_a], g.rep_a))
    return groups


def _order_changes(
    pa: ProcessProfile, pb: ProcessProfile, groups: list[_Group], pairs: np.ndarray
) -> list[tuple[Difference, int, set[int]]]:
    """Cover the inverted pairs with as few moved steps as a greedy pass finds; one difference per moved step."""
    partners: dict[int, set[int]] = {}
    for x, y in pairs:
        partners.setdefault(int(x), set()).add(int(y))
        partners.setdefault(int(y), set()).add(int(x))
    remaining = {k: set(v) for k, v in partners.items()}
    order_b = sorted(range(len(groups)), key=lambda k: (pb.rank[groups[k].rep_b], k))
    pos_b = {k: i for i, k in enumerate(order_b)}
    result = []
    while any(remaining.values()):
        # The step that explains most inversions; ties: the one displaced furthest, then the
        # later one in A (for a swap, "the later step now comes first" reads most naturally).
        x = min(
            (k for k, v in remaining.items() if v),
            key=lambda k: (-len(remaining[k]), -abs(pos_b[k] - k), -k),
        )
        for y in remaining.pop(x):
            remaining[y].discard(x)
        y = min(partners[x], key=lambda k: (abs(pos_b[k] - pos_b[x]), k))
        gx, gy = groups[x], groups[y]
        b_order = (
            "after" if pb.relations[gx.rep_b, gy.rep_b] == Relation.AFTER else "before"
        )
        d = Difference(
            DifferenceKind.ORDER_CHANGED,
            (pa.ids[gx.rep_a], pa.ids[gy.rep_a]),
            (pb.ids[gx.rep_b], pb.ids[gy.rep_b]),
            {"b_order": b_order},
        )
        result.append((d, pa.rank[gx.rep_a], {x} | partners[x]))
    return result


def _components(pairs: np.ndarray) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in pairs:
        parent[find(int(x))] = find(int(y))
    comps: dict[int, list[int]] = {}
    for x in sorted(parent):
        comps.setdefault(find(x), []).append(x)
    return sorted(comps.values())


def _skeleton(
    p: ProcessProfile, groups: Sequence[Sequence[int]]
) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Edges between matched groups, walking through unmatched steps and through the group itself.

    Returns (group, group) -> the (step, step) pair that realises it (a
    direct flow if there is one), and the set of group pairs joined by a
    direct flow, without unmatched steps in between.
    """
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    succ: dict[int, list[int]] = {}
    for u, v in sorted(p.edges):
        succ.setdefault(u, []).append(v)
    edges: dict[tuple[int, int], tuple[int, int]] = {}
    direct: set[tuple[int, int]] = set()
    for g, members in enumerate(groups):
        for start in sorted(members):
            for v in succ.get(start, ()):
                h = group_of.get(v)
                if h is not None and h != g and (g, h) not in direct:
                    direct.add((g, h))
                    edges[(g, h)] = (start, v)
    for g, members in enumerate(groups):
        for start in sorted(members):
            # Only unmatched successors lead further: a matched one was handled
            # above (its group pair is in edges already), so the walk starts
            # from the others, and from a step without any, not at all.
            stack = [v for v in succ.get(start, ()) if v not in group_of]
            if not stack:
                continue
            seen = set(members)
            while stack:
                v = stack.pop()
                if v in seen:
                    continue
                seen.add(v)
                h = group_of.get(v)
                if h is None:
                    stack.extend(succ.get(v, ()))
                elif h != g:
                    edges.setdefault((g, h), (start, v))
    return edges, direct
