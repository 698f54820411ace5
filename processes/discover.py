"""Discovering a block-structured process from an event log (an inductive miner).

A directly-follows graph says which activity came right after which; read as
a process it claims too much (every step with two successors looks like a
parallel split) and too little (no choice, no optional step, no loop). This
module finds the structure instead, following the **inductive miner** of
Leemans, Fahland and van der Aalst ("Discovering block-structured process
models from event logs", Petri Nets 2013) and its infrequent-behaviour
variant **IMf** ("... containing infrequent behaviour", BPM workshops 2013).
It is written for this project from the papers' definitions.

The log is a multiset of traces (sequences of activity labels). Recursively:

1. **Base cases.** A log of empty traces is a silent step (τ). Empty traces
   among others make the rest optional (an exclusive choice with τ), unless
   they are rarer than the noise threshold, when they are dropped. A log of
   one activity is that step, or a loop of it when it repeats.
2. **Cuts** of the directly-follows graph, tried in this order:

   - *exclusive* (×): the graph falls apart into unconnected parts;
   - *sequence* (→): parts that are reached one after the other and never
     back (strongly connected components merged until the order is strict);
   - *parallel* (∧): parts where every activity of one follows and precedes
     every activity of the other, each part with a start and an end activity;
   - *loop* (↺): a body holding all start and end activities, and redo
     parts entered only from the body's end activities and left only to its
     start activities.

   When no cut fits, IMf removes infrequent edges (below ``noise_threshold``
   times the strongest edge out of the same activity, and likewise for start
   and end activities) and tries again. The log is split along the cut; IMf's
   splitting drops the events that do not fit the cut (an exclusive choice
   sends each trace to the part holding most of its events; a sequence is
   split where the fewest events are lost).
3. **Fall-throughs** when even the filtered graph has no cut: an activity
   done exactly once per trace runs in parallel with the rest; an activity
   whose removal reveals a cut does too; then a loop that restarts where an
   end activity is followed by a start activity (strict τ-loop) or at every
   start activity (τ-loop); last, the *flower* loop that allows any order.

The result is a :class:`ProcessTree` whose nodes count how many (sub)traces
passed through them; :func:`tree_to_process` draws it as a
:class:`~processes.model.Process` with exclusive and parallel gateways,
keeping each step's frequency and each flow's frequency.

Bounds
------
Each recursion splits the activities into at least two smaller sets or
(fall-throughs) shortens the traces, so there are at most ``2 A`` cut nodes
for ``A`` activities plus the τ-loop levels (at most the longest trace).
Each call costs ``O(A² + E)`` (graph of ``A`` nodes, ``E`` events in its
sub-log); the "activity concurrent" fall-through tries each activity once,
``O(A³ + A E)``, and only when ``A <= 64``. Logs with more than
``max_activities`` (default 500) activities are refused with
:class:`~processes.exceptions.InputTooLargeError`: filter rare activities
first.

Examples
--------
>>> log = {("a", "b", "c"): 5, ("a", "c", "b"): 4, ("a", "d"): 2}
>>> print(discover_tree(log))
→(a, ×(∧(b, c), d))
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from processes.exceptions import InputTooLargeError
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind

__all__ = [
    "DEFAULT_NOISE_THRESHOLD",
    "MAX_ACTIVITIES",
    "ProcessTree",
    "discover_process",
    "discover_tree",
    "tree_to_process",
    "variants",
]

#: IMf's usual threshold: edges weaker than 20 % of the strongest one out of an activity are noise.
DEFAULT_NOISE_THRESHOLD = 0.2
#: Default bound on the number of distinct activities (see the module's Bounds).
MAX_ACTIVITIES = 500

_ACTIVITY, _TAU, _SEQ, _XOR, _AND, _LOOP = "activity", "tau", "sequence", "xor", "parallel", "loop"
_SYMBOL = {_SEQ: "→", _XOR: "×", _AND: "∧", _LOOP: "↺"}
# The "activity concurrent" fall-through tries every activity; only for small alphabets.
_CONCURRENT_FALL_THROUGH_LIMIT = 64

Log = Mapping[tuple[str, ...], int]


@dataclass(frozen=True)
class ProcessTree:
    """A node of a process tree.

    Attributes
    ----------
    operator
        ``"activity"``, ``"tau"`` (a silent step), ``"sequence"``, ``"xor"``
        (exclusive choice), ``"parallel"`` or ``"loop"``. A loop's first
        child is the body, done at least once; each further child is a redo
        part, after which the body is done again.
    label
        The activity, for ``"activity"`` nodes.
    children
        The sub-trees, in order.
    traces
        How many (sub)traces of the log passed through this node: for a
        branch of a choice, how often it was chosen; for a loop's redo
        part, how often the loop went round; for an activity, how often it
        was done.
    """

    operator: str
    label: str | None = None
    children: tuple[ProcessTree, ...] = field(default=())
    traces: int = 0

    def __str__(self) -> str:
        if self.operator == _ACTIVITY:
            return str(self.label)
        if self.operator == _TAU:
            return "τ"
        return f"{_SYMBOL[self.operator]}({', '.join(str(c) for c in self.children)})"

    def activities(self) -> set[str]:
        """The activity labels in this sub-tree."""
        if self.operator == _ACTIVITY:
            return {str(self.label)}
        out: set[str] = set()
        for child in self.children:
            out |= child.activities()
        return out


def variants(traces: Iterable[Sequence[str]]) -> Counter[tuple[str, ...]]:
    """Count the distinct traces (variants) of a log.

    >>> variants([["a", "b"], ["a"], ["a", "b"]])
    Counter({('a', 'b'): 2, ('a',): 1})
    """
    return Counter(tuple(t) for t in traces)


# --------------------------------------------------------------------------
# The directly-follows graph of a (sub-)log
# --------------------------------------------------------------------------


@dataclass
class _Dfg:
    activities: set[str]
    edges: Counter[tuple[str, str]]
    starts: Counter[str]
    ends: Counter[str]


def _dfg(log: Log) -> _Dfg:
    edges: Counter[tuple[str, str]] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    activities: set[str] = set()
    for trace, n in log.items():
        if not trace:
            continue
        activities.update(trace)
        starts[trace[0]] += n
        ends[trace[-1]] += n
        for a, b in itertools.pairwise(trace):
            edges[(a, b)] += n
    return _Dfg(activities, edges, starts, ends)


def _filtered(dfg: _Dfg, threshold: float) -> _Dfg:
    """IMf: keep edges at least ``threshold`` times the strongest edge out of the same activity."""
    strongest: Counter[str] = Counter()
    for (a, _), n in dfg.edges.items():
        strongest[a] = max(strongest[a], n)
    edges = Counter({e: n for e, n in dfg.edges.items() if n >= threshold * strongest[e[0]]})
    top_start = max(dfg.starts.values(), default=0)
    top_end = max(dfg.ends.values(), default=0)
    starts = Counter({a: n for a, n in dfg.starts.items() if n >= threshold * top_start})
    ends = Counter({a: n for a, n in dfg.ends.items() if n >= threshold * top_end})
    return _Dfg(set(dfg.activities), edges, starts, ends)


# --------------------------------------------------------------------------
# Cuts
# --------------------------------------------------------------------------

Cut = tuple[str, list[set[str]]]


def _xor_cut(dfg: _Dfg) -> list[set[str]] | None:
    g = nx.Graph()
    g.add_nodes_from(dfg.activities)
    g.add_edges_from(e for e in dfg.edges if e[0] != e[1])
    parts = sorted((set(c) for c in nx.connected_components(g)), key=min)
    return parts if len(parts) > 1 else None


def _reach(dfg: _Dfg) -> dict[str, set[str]]:
    g = nx.DiGraph()
    g.add_nodes_from(dfg.activities)
    g.add_edges_from(dfg.edges)
    return {a: set(nx.descendants(g, a)) for a in dfg.activities}


def _sequence_cut(dfg: _Dfg, reach: dict[str, set[str]]) -> list[set[str]] | None:
    acts = sorted(dfg.activities)
    # Strongly connected activities, and activities neither of which reaches
    # the other, must share a part; merge until the parts are strictly ordered.
    parent = {a: a for a in acts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, x in enumerate(acts):
        for y in acts[i + 1 :]:
            forward, backward = y in reach[x], x in reach[y]
            if forward == backward:
                parent[find(x)] = find(y)
    while True:
        groups: dict[str, set[str]] = {}
        for a in acts:
            groups.setdefault(find(a), set()).add(a)
        parts = list(groups.values())
        if len(parts) < 2:
            return None
        merged = False
        for i, p in enumerate(parts):
            for q in parts[i + 1 :]:
                p_to_q = any(reach[x] & q for x in p)
                q_to_p = any(reach[y] & p for y in q)
                if p_to_q == q_to_p or (
                    p_to_q and not all(q <= reach[x] for x in p)
                ) or (q_to_p and not all(p <= reach[y] for y in q)):
                    parent[find(next(iter(p)))] = find(next(iter(q)))
                    merged = True
                    break
            if merged:
                break
        if not merged:
            # Strict order: a part's place is the number of parts that reach it.
            return sorted(parts, key=lambda p: sum(1 for q in parts if q is not p and any(reach[y] & p for y in q)))


def _parallel_cut(dfg: _Dfg) -> list[set[str]] | None:
    g = nx.Graph()
    g.add_nodes_from(dfg.activities)
    acts = sorted(dfg.activities)
    for i, x in enumerate(acts):
        for y in acts[i + 1 :]:
            if not ((x, y) in dfg.edges and (y, x) in dfg.edges):
                g.add_edge(x, y)
    parts = sorted((set(c) for c in nx.connected_components(g)), key=lambda p: min(p))
    complete = [p for p in parts if p & set(dfg.starts) and p & set(dfg.ends)]
    if not complete:
        return None
    for p in parts:
        if p not in complete:
            complete[0] |= p  # a part without a start or end activity cannot run on its own
    return complete if len(complete) > 1 else None


def _loop_cut(dfg: _Dfg) -> list[set[str]] | None:
    starts, ends = set(dfg.starts), set(dfg.ends)
    body = starts | ends
    rest = dfg.activities - body
    if not rest:
        return None
    g = nx.Graph()
    g.add_nodes_from(rest)
    g.add_edges_from(e for e in dfg.edges if e[0] in rest and e[1] in rest)
    components = [set(c) for c in nx.connected_components(g)]
    changed = True
    while changed:
        changed = False
        for c in list(components):
            entries = {b for (a, b) in dfg.edges if b in c and a not in c}
            exits = {a for (a, b) in dfg.edges if a in c and b not in c}
            bad = any(
                (a in body and a not in ends and b in c) or (a in c and b in body and b not in starts)
                for (a, b) in dfg.edges
            )
            # Every end activity leads into each entry of a redo part, and each
            # exit of it leads to every start activity (the loop cut's "all").
            bad = bad or not entries or not exits
            bad = bad or any((e, x) not in dfg.edges for e in ends for x in entries)
            bad = bad or any((x, s) not in dfg.edges for x in exits for s in starts)
            if bad:
                components.remove(c)
                body |= c
                changed = True
    if not components:
        return None
    return [body, *sorted(components, key=lambda p: min(p))]


def _find_cut(dfg: _Dfg) -> Cut | None:
    parts = _xor_cut(dfg)
    if parts:
        return _XOR, parts
    reach = _reach(dfg)
    parts = _sequence_cut(dfg, reach)
    if parts:
        return _SEQ, parts
    parts = _parallel_cut(dfg)
    if parts:
        return _AND, parts
    parts = _loop_cut(dfg)
    if parts:
        return _LOOP, parts
    return None


# --------------------------------------------------------------------------
# Splitting the log along a cut (IMf: deviating events are dropped)
# --------------------------------------------------------------------------


def _add(log: dict[tuple[str, ...], int], trace: Sequence[str], n: int) -> None:
    key = tuple(trace)
    log[key] = log.get(key, 0) + n


def _split(
    log: Log, operator: str, parts: list[set[str]], *, drop: bool = True
) -> list[dict[tuple[str, ...], int]]:
    """The sub-log of each part; ``drop=False`` projects traces on each part instead of dropping events."""
    out: list[dict[tuple[str, ...], int]] = [{} for _ in parts]
    part_of = {a: i for i, p in enumerate(parts) for a in p}
    for trace, n in log.items():
        if not drop and operator in (_XOR, _SEQ):
            for i in range(len(parts)):
                sub = [a for a in trace if part_of[a] == i]
                if sub or operator == _SEQ:
                    _add(out[i], sub, n)
        elif operator == _XOR:
            counts = Counter(part_of[a] for a in trace)
            best = min(counts, key=lambda i: (-counts[i], i))
            _add(out[best], [a for a in trace if part_of[a] == best], n)
        elif operator == _AND:
            for i in range(len(parts)):
                _add(out[i], [a for a in trace if part_of[a] == i], n)
        elif operator == _SEQ:
            for i, sub in enumerate(_sequence_split(trace, part_of, len(parts))):
                _add(out[i], sub, n)
        else:
            body, redos = _loop_split(trace, part_of)
            for sub in body:
                _add(out[0], sub, n)
            for i, sub in redos:
                _add(out[i], sub, n)
    return out


def _sequence_split(trace: Sequence[str], part_of: Mapping[str, int], k: int) -> list[list[str]]:
    """Cut ``trace`` into ``k`` consecutive pieces losing the fewest events that are in the wrong piece."""
    inf = len(trace) + 1
    # cost[j]: fewest lost events with the events so far assigned to pieces <= j, ending in piece j.
    cost = [0] * k
    choice: list[list[int]] = []
    for a in trace:
        best_prefix = inf
        new = [0] * k
        row = [0] * k
        for j in range(k):
            if cost[j] < best_prefix:
                best_prefix = cost[j]
                row[j] = j
            else:
                row[j] = row[j - 1] if j else 0
            new[j] = best_prefix + (0 if part_of[a] == j else 1)
        cost = new
        choice.append(row)
    # Trace back the piece of each event.
    pieces: list[list[str]] = [[] for _ in range(k)]
    j = min(range(k), key=lambda i: (cost[i], i))
    assigned: list[int] = []
    for row in reversed(choice):
        assigned.append(j)
        j = row[j]
    for a, j in zip(trace, reversed(assigned)):
        if part_of[a] == j:
            pieces[j].append(a)
    return pieces


def _loop_split(
    trace: Sequence[str], part_of: Mapping[str, int]
) -> tuple[list[list[str]], list[tuple[int, list[str]]]]:
    """Body and redo pieces; a trace starting, ending or switching redo parts gets empty body pieces."""
    body: list[list[str]] = [[]]
    redos: list[tuple[int, list[str]]] = []
    current = 0
    for a in trace:
        part = part_of[a]
        if part == 0:
            if current != 0:
                body.append([])
            body[-1].append(a)
        else:
            if current == part:
                redos[-1][1].append(a)
            else:
                if current != 0:
                    body.append([])  # two redo parts in a row: the body was skipped between them
                redos.append((part, [a]))
        current = part
    if current != 0:
        body.append([])
    return body, redos


# --------------------------------------------------------------------------
# The recursion
# --------------------------------------------------------------------------


def _total(log: Log) -> int:
    return sum(log.values())


def _leaf(a: str, n: int) -> ProcessTree:
    return ProcessTree(_ACTIVITY, a, (), n)


def _mine(log: Log, noise: float, depth: int, limit: int) -> ProcessTree:
    total = _total(log)
    empty = log.get((), 0)
    rest = {t: n for t, n in log.items() if t}
    if not rest:
        return ProcessTree(_TAU, traces=total)
    if empty:
        if empty > noise * total:
            return ProcessTree(_XOR, None, (ProcessTree(_TAU, traces=empty), _mine(rest, noise, depth, limit)), total)
        log, total = rest, _total(rest)
    activities = {a for t in log for a in t}
    if len(activities) == 1:
        a = next(iter(activities))
        events = sum(len(t) * n for t, n in log.items())
        repeats = events - total
        if repeats and repeats > noise * total:
            return ProcessTree(_LOOP, None, (_leaf(a, events), ProcessTree(_TAU, traces=repeats)), total)
        return _leaf(a, total)
    dfg = _dfg(log)
    cut = _find_cut(dfg)
    if cut is None and noise > 0:
        cut = _find_cut(_filtered(dfg, noise))
    if cut is not None and depth < limit:
        operator, parts = cut
        subs = _split(log, operator, parts)
        kept = {a for sub in subs for t in sub for a in t}
        if kept != activities:
            # Dropping the deviating events would lose an activity from the model: keep them.
            subs = _split(log, operator, parts, drop=False)
        children = tuple(_mine(sub, noise, depth + 1, limit) for sub in subs if sub)
        if len(children) > 1:
            return ProcessTree(operator, None, children, total)
        if children:
            return children[0]
    return _fall_through(log, dfg, activities, noise, depth, limit)


def _fall_through(
    log: Log, dfg: _Dfg, activities: set[str], noise: float, depth: int, limit: int
) -> ProcessTree:
    total = _total(log)
    if depth < limit:
        # An activity done exactly once in every trace runs beside the rest.
        for a in sorted(activities):
            if all(t.count(a) == 1 for t in log):
                without: dict[tuple[str, ...], int] = {}
                for t, n in log.items():
                    _add(without, [x for x in t if x != a], n)
                return ProcessTree(
                    _AND, None, (_leaf(a, total), _mine(without, noise, depth + 1, limit)), total
                )
        # An activity whose removal leaves a cut runs beside the rest.
        if len(activities) <= _CONCURRENT_FALL_THROUGH_LIMIT:
            for a in sorted(activities, key=lambda x: (-dfg.starts[x] - dfg.ends[x], x)):
                without = {}
                for t, n in log.items():
                    _add(without, [x for x in t if x != a], n)
                rest = {t: n for t, n in without.items() if t}
                if not rest:
                    continue
                sub = _dfg(rest)
                if len(sub.activities) > 1 and (
                    _find_cut(sub) or (noise > 0 and _find_cut(_filtered(sub, noise)))
                ):
                    return ProcessTree(
                        _AND, None, (_optional(a, log, noise), _mine(without, noise, depth + 1, limit)), total
                    )
        # Strict τ-loop: a new round starts where an end activity is followed by a start activity.
        splitters: tuple[Callable[[str, str], bool], ...] = (
            lambda prev, cur: prev in dfg.ends and cur in dfg.starts,
            lambda prev, cur: cur in dfg.starts,
        )
        for splitter in splitters:
            pieces: dict[tuple[str, ...], int] = {}
            split_any = False
            for t, n in log.items():
                piece = [t[0]]
                for prev, cur in itertools.pairwise(t):
                    if splitter(prev, cur):
                        _add(pieces, piece, n)
                        piece = []
                        split_any = True
                    piece.append(cur)
                _add(pieces, piece, n)
            if split_any:
                rounds = _total(pieces)
                body = _mine(pieces, noise, depth + 1, limit)
                return ProcessTree(_LOOP, None, (body, ProcessTree(_TAU, traces=rounds - total)), total)
    # Flower: any of the activities, in any order, at least one.
    counts: Counter[str] = Counter()
    for t, n in log.items():
        for a in t:
            counts[a] += n
    events = sum(counts.values())
    choice = ProcessTree(_XOR, None, tuple(_leaf(a, counts[a]) for a in sorted(activities)), events)
    return ProcessTree(_LOOP, None, (choice, ProcessTree(_TAU, traces=events - total)), total)


def _optional(a: str, log: Log, noise: float) -> ProcessTree:
    """Activity ``a`` as the log does it: a step, repeated (a loop) and/or optional (a choice with τ)."""
    total = _total(log)
    done = sum(t.count(a) * n for t, n in log.items())
    with_a = sum(n for t, n in log.items() if a in t)
    node = _leaf(a, done)
    repeats = done - with_a
    if repeats and repeats > noise * with_a:
        node = ProcessTree(_LOOP, None, (node, ProcessTree(_TAU, traces=repeats)), with_a)
    without = total - with_a
    if without and without > noise * total:
        node = ProcessTree(_XOR, None, (ProcessTree(_TAU, traces=without), node), total)
    return node


def discover_tree(
    log: Log | Iterable[Sequence[str]],
    *,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    max_activities: int = MAX_ACTIVITIES,
) -> ProcessTree:
    """Discover a process tree from a log with the inductive miner (IMf).

    Parameters
    ----------
    log
        The traces: a mapping from trace (a tuple of activity labels) to how
        many cases followed it, or an iterable of traces.
    noise_threshold
        Between 0 and 1. 0 is the plain inductive miner (every trace fits the
        result); with more, behaviour rarer than this share of the
        strongest alternative is left out (IMf).
    max_activities
        Refuse logs with more distinct activities than this (see Bounds).

    Raises
    ------
    ValueError
        ``noise_threshold`` is not between 0 and 1.
    InputTooLargeError
        The log has more than ``max_activities`` activities.

    Examples
    --------
    An optional step and a loop:

    >>> print(discover_tree({("a", "b", "c"): 3, ("a", "c"): 3}))
    →(a, ×(τ, b), c)
    >>> print(discover_tree({("a", "b", "a", "b", "a"): 2, ("a",): 2}, noise_threshold=0))
    ↺(a, b)
    """
    if isinstance(noise_threshold, bool) or not isinstance(noise_threshold, int | float) or not (
        0 <= noise_threshold <= 1
    ):
        raise ValueError(f"noise_threshold must be between 0 and 1, not {noise_threshold!r}")
    counted: Log = log if isinstance(log, Mapping) else variants(log)
    activities = {a for t in counted for a in t}
    if len(activities) > max_activities:
        raise InputTooLargeError(
            f"the log has {len(activities)} different activities; discovery handles at most {max_activities}",
            code="too_many_activities",
            params={"count": len(activities), "limit": max_activities},
            hint="leave out rare activities (min_activity_frequency) or read the log as a directly-follows graph",
        )
    longest = max((len(t) for t in counted), default=0)
    # Every cut splits the activities; every τ-loop level shortens the traces.
    limit = 2 * len(activities) + longest + 2
    tree = _simplify(_mine(dict(counted), float(noise_threshold), 0, limit))
    # The root counts every case, also those whose noise was left out below it.
    return dataclasses.replace(tree, traces=_total(counted))


def _simplify(node: ProcessTree) -> ProcessTree:
    """Flatten →(a, →(b, c)) and ×(a, ×(b, c)) and drop τ from sequences and parallel blocks."""
    if not node.children:
        return node
    children = [_simplify(c) for c in node.children]
    if node.operator in (_SEQ, _XOR, _AND):
        flat: list[ProcessTree] = []
        for child in children:
            if child.operator == node.operator:
                flat.extend(child.children)
            elif child.operator == _TAU and node.operator != _XOR:
                continue
            else:
                flat.append(child)
        if node.operator == _XOR:
            taus = [c for c in flat if c.operator == _TAU]
            if len(taus) > 1:
                flat = [ProcessTree(_TAU, traces=sum(c.traces for c in taus))] + [
                    c for c in flat if c.operator != _TAU
                ]
        if not flat:
            return ProcessTree(_TAU, traces=node.traces)
        if len(flat) == 1:
            return flat[0]
        children = flat
    return ProcessTree(node.operator, node.label, tuple(children), node.traces)


# --------------------------------------------------------------------------
# The tree as a process
# --------------------------------------------------------------------------


class _Builder:
    def __init__(self, process: Process, taken: set[str]) -> None:
        self.process = process
        self.taken = taken
        self.numbers: Counter[str] = Counter()

    def fresh(self, kind: str) -> str:
        self.numbers[kind] += 1
        base = f"__{kind}_{self.numbers[kind]}__"
        while base in self.taken:
            base += "_"
        self.taken.add(base)
        return base

    def flow(self, source: str, target: str, n: int) -> None:
        self.process.add_flow(Flow(source, target, metrics={"frequency": n}))

    def build(self, node: ProcessTree) -> tuple[str, str] | None:
        """Add ``node``'s elements; return its (entry, exit) element ids, or None for τ."""
        if node.operator == _ACTIVITY:
            step_id = str(node.label)
            return step_id, step_id
        if node.operator == _TAU:
            return None
        if node.operator == _SEQ:
            pieces = [p for p in (self.build(c) for c in node.children) if p is not None]
            if not pieces:
                return None
            for (_, left), (right, _) in itertools.pairwise(pieces):
                self.flow(left, right, node.traces)
            return pieces[0][0], pieces[-1][1]
        if node.operator == _LOOP:
            join, split = self.fresh("loop_join"), self.fresh("loop_split")
            self.process.add_gateway(Gateway(join, GatewayKind.EXCLUSIVE))
            self.process.add_gateway(Gateway(split, GatewayKind.EXCLUSIVE))
            body = self.build(node.children[0])
            if body is None:
                self.flow(join, split, node.children[0].traces)
            else:
                self.flow(join, body[0], node.children[0].traces)
                self.flow(body[1], split, node.children[0].traces)
            for redo in node.children[1:]:
                piece = self.build(redo)
                if piece is None:
                    self.flow(split, join, redo.traces)
                else:
                    self.flow(split, piece[0], redo.traces)
                    self.flow(piece[1], join, redo.traces)
            return join, split
        built = [(c, self.build(c)) for c in node.children]
        branches = [(c, p) for c, p in built if p is not None]
        skipped = sum(c.traces for c, p in built if p is None)
        if node.operator == _AND or not skipped:
            if len(branches) == 1:
                return branches[0][1]
            if not branches:
                return None
        kind = GatewayKind.PARALLEL if node.operator == _AND else GatewayKind.EXCLUSIVE
        name = "and" if node.operator == _AND else "xor"
        split, join = self.fresh(f"{name}_split"), self.fresh(f"{name}_join")
        self.process.add_gateway(Gateway(split, kind))
        self.process.add_gateway(Gateway(join, kind))
        for child, piece in branches:
            assert piece is not None
            self.flow(split, piece[0], child.traces)
            self.flow(piece[1], join, child.traces)
        if node.operator == _XOR and skipped:
            self.flow(split, join, skipped)
        return split, join


def tree_to_process(
    tree: ProcessTree,
    *,
    process_id: str = "eventlog",
    name: str = "",
    step_metrics: Mapping[str, Mapping[str, float]] | None = None,
    start_id: str = "__start__",
    end_id: str = "__end__",
    start_label: str = "Start",
    end_label: str = "Slutt",
) -> Process:
    """Draw a process tree as a process with start and end events and gateways.

    Each activity becomes a step (id and label: the activity) with one flow
    in and one out; choices and loops become exclusive gateways, parallel
    blocks parallel gateways, a τ branch a flow that skips the block. Every
    flow's ``metrics["frequency"]`` counts how many (sub)traces took it.

    Parameters
    ----------
    step_metrics
        Metrics to give each activity's step (e.g. from the event log);
        otherwise ``frequency`` is the tree's count.
    start_id, end_id, start_label, end_label
        The artificial start and end events.

    Examples
    --------
    >>> p = tree_to_process(discover_tree({("a", "b"): 3, ("a",): 1}))
    >>> [(f.source, f.target, f.metrics["frequency"]) for f in p.flows]  # doctest: +NORMALIZE_WHITESPACE
    [('__xor_split_1__', 'b', 3), ('b', '__xor_join_1__', 3), ('__xor_split_1__', '__xor_join_1__', 1),
     ('a', '__xor_split_1__', 4), ('__start__', 'a', 4), ('__xor_join_1__', '__end__', 4)]
    >>> p.validate()
    []
    """
    process = Process(process_id, name)
    metrics = step_metrics or {}
    leaves: dict[str, int] = {}

    def collect(node: ProcessTree) -> None:
        if node.operator == _ACTIVITY:
            leaves[str(node.label)] = leaves.get(str(node.label), 0) + node.traces
        for child in node.children:
            collect(child)

    collect(tree)
    process.add_step(
        Step(start_id, start_label, StepKind.START_EVENT, metrics=metrics.get(start_id, {"frequency": tree.traces}))
    )
    for activity in sorted(leaves, key=lambda a: (-leaves[a], a)):
        process.add_step(Step(activity, activity, metrics=metrics.get(activity, {"frequency": leaves[activity]})))
    process.add_step(
        Step(end_id, end_label, StepKind.END_EVENT, metrics=metrics.get(end_id, {"frequency": tree.traces}))
    )
    builder = _Builder(process, set(leaves) | {start_id, end_id})
    piece = builder.build(tree)
    if piece is None:
        builder.flow(start_id, end_id, tree.traces)
    else:
        builder.flow(start_id, piece[0], tree.traces)
        builder.flow(piece[1], end_id, tree.traces)
    return process


def discover_process(
    log: Log | Iterable[Sequence[str]],
    *,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    max_activities: int = MAX_ACTIVITIES,
    process_id: str = "eventlog",
    name: str = "",
) -> Process:
    """Discover a block-structured process from traces of activity labels.

    Steps carry ``frequency`` (events), ``cases`` (traces containing the
    activity) and ``case_share`` (``cases`` / all traces, 0-1). For event
    logs with times use :func:`processes.formats.eventlog.discover`, which
    adds durations.

    Parameters
    ----------
    log
        Traces, or a mapping from trace to its count.
    noise_threshold, max_activities
        See :func:`discover_tree`.
    process_id, name
        Id and name of the result.

    Raises
    ------
    ValueError, InputTooLargeError
        As :func:`discover_tree`.

    Examples
    --------
    >>> p = discover_process([["Motta", "Vurdere"]] * 97 + [["Motta", "Befaring", "Vurdere"]] * 3)
    >>> p.step("Befaring").metrics["case_share"]
    0.03
    >>> [g.kind.value for g in p.gateways]
    ['exclusive', 'exclusive']
    """
    counted: Log = log if isinstance(log, Mapping) else variants(log)
    tree = discover_tree(counted, noise_threshold=noise_threshold, max_activities=max_activities)
    total = _total(counted)
    events: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    for t, n in counted.items():
        for a in t:
            events[a] += n
        for a in set(t):
            cases[a] += n
    metrics: dict[str, dict[str, float]] = {
        a: {"frequency": events[a], "cases": cases[a], "case_share": round(cases[a] / total, 6)} for a in events
    }
    return tree_to_process(tree, process_id=process_id, name=name, step_metrics=metrics)
