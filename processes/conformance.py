"""How well a process describes an event log: token-replay fitness and escaping-edges precision.

The process is read as a Petri net, in the usual translation of BPMN
(Dijkman, Dumas and Ouyang 2008), and the log's traces are replayed on it.

The net
-------
- Every element gets an input place; a **parallel** gateway with several
  incoming flows gets one place per incoming flow instead (it waits for all
  of them). Every other element takes a token from any incoming flow.
- A **step** is one transition, visible with the step's label for tasks and
  sub-processes, silent for events. A **gateway** is silent.
- Going out: a parallel gateway puts a token on every outgoing flow; an
  exclusive, inclusive, complex or event-based gateway on one of them
  (one transition per flow: inclusive gateways are replayed as exclusive
  choices). A step with several unconditional outgoing flows starts them
  all, as the model reads it (BPMN's implicit parallel split), unless
  ``implicit_split="exclusive"``; conditional flows are alternatives.
- A ``source`` place holding the initial token leads silently to every
  start element (:meth:`Process.start_ids`); elements without outgoing flows
  put their token in the ``sink`` place, and the final marking is one token
  in ``sink``. Sub-process bodies and boundary events are not entered: the
  sub-process step is replayed as one step.

Fitness (token replay, van der Aalst; Rozinat and van der Aalst 2008)
---------------------------------------------------------------------
Each trace starts with one token in ``source`` (produced). For each event,
a transition with the event's label fires; when none is enabled, a
sequence of silent transitions that enables one is fired first (searched
best-first, tokens closest to the transition's input places first, over at
most ``max_states`` markings; when several transitions carry the label, one
after which the next event can happen is preferred); if there is none, the
missing tokens are created and counted. An event whose label is
no step of the process counts as one missing and one consumed token. At the
end, silent transitions lead to the final marking if they can, the token in
``sink`` is consumed (or counted missing) and the tokens left are
*remaining*. Over the whole log, with p produced, c consumed, m missing and
r remaining tokens::

    fitness = 1/2 (1 - m / c) + 1/2 (1 - r / p)

1 when every trace replays cleanly; lower for each token that had to be
invented or was left behind. Token replay decides event by event and never
goes back: where a loop sits inside a parallel block, it may repeat the loop
when the log had started the next round of an outer loop, and count a few
tokens for a trace the model can do (an alignment would not; it costs far
more). Its fitness is then a lower bound.

Precision (escaping edges, Muñoz-Gama and Carmona 2010)
-------------------------------------------------------
For every prefix ``s`` of the log's traces that replays without missing
tokens, with ``w(s)`` the number of traces starting with ``s``: *allowed(s)*
is the set of labels the model can do next (visible transitions enabled in
the marking after ``s``, or after silent transitions from it) and
*observed(s)* the labels that follow ``s`` in the log. The labels allowed
but never seen are *escaping*::

    precision = 1 - Σ w(s) |allowed(s) \\ observed(s)| / Σ w(s) |allowed(s)|

1 when the model allows nothing the log does not do; a model that allows
anything at any time (a flower) scores low.

Examples
--------
>>> from processes.model import Flow, Process, Step, StepKind
>>> p = Process()
>>> p.add_step(Step("s", "", StepKind.START_EVENT))
>>> for x in ("a", "b", "c"):
...     p.add_step(Step(x, x))
>>> p.add_step(Step("e", "", StepKind.END_EVENT))
>>> for u, v in [("s", "a"), ("a", "b"), ("b", "c"), ("c", "e")]:
...     p.add_flow(Flow(u, v))
>>> fitness(p, [["a", "b", "c"]])
1.0
>>> round(fitness(p, [["a", "c"]]), 4)  # 1 missing, 1 remaining of 6 tokens: (5/6 + 5/6) / 2
0.8333
>>> precision(p, [["a", "b", "c"]])
1.0
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from processes.model import Gateway, GatewayKind, Process, Step

__all__ = ["MAX_STATES", "Conformance", "conformance", "fitness", "precision"]

#: Bound on the markings one silent-transition search visits (per event, cached per marking).
MAX_STATES = 2000

Marking = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Conformance:
    """Fitness and precision of a process on a log, with the token counts behind them.

    Attributes
    ----------
    fitness, precision
        See the module docstring; both between 0 and 1.
    traces, fitting_traces
        Traces replayed, and those that replayed without a missing or
        remaining token.
    produced, consumed, missing, remaining
        Token counts over the log.
    unknown_activities
        Labels in the log that are no step of the process.
    """

    fitness: float
    precision: float
    traces: int
    fitting_traces: int
    produced: int
    consumed: int
    missing: int
    remaining: int
    unknown_activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Transition:
    label: str | None
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]


class _Net:
    def __init__(self, process: Process, implicit_split: str) -> None:
        self.places: dict[tuple[str, ...], int] = {}
        self.source = self._place("source")
        self.sink = self._place("sink")
        g = process.graph
        transitions: list[_Transition] = []

        def and_join(node: str) -> bool:
            element = process[node]
            return isinstance(element, Gateway) and element.kind == GatewayKind.PARALLEL and g.in_degree(node) > 1

        def place_of(u: str, v: str) -> int:
            return self._place("flow", u, v) if and_join(v) else self._place("in", v)

        for start in process.start_ids():
            transitions.append(_Transition(None, (self.source,), (self._place("in", start),)))
        for element in process.elements:
            node = element.id
            if isinstance(element, Step) and element.kind.value == "boundary_event":
                continue
            inputs = tuple(place_of(u, node) for u in g.predecessors(node)) if and_join(node) else (
                self._place("in", node),
            )
            label = " ".join(element.label.split()) if isinstance(element, Step) and element.is_activity else None
            successors = list(g.successors(node))
            outputs = [place_of(node, v) for v in successors]
            if not outputs:
                transitions.append(_Transition(label, inputs, (self.sink,)))
                continue
            if isinstance(element, Gateway):
                together = element.kind == GatewayKind.PARALLEL
            else:
                conditional = any(g.edges[node, v]["flow"].condition for v in successors)
                together = implicit_split == "parallel" and not conditional
            if together or len(outputs) == 1:
                transitions.append(_Transition(label, inputs, tuple(outputs)))
            elif label is None:
                transitions.extend(_Transition(None, inputs, (o,)) for o in outputs)
            else:
                # The step is done, then the choice is made: the step's label stays one transition.
                chosen = self._place("out", node)
                transitions.append(_Transition(label, inputs, (chosen,)))
                transitions.extend(_Transition(None, (chosen,), (o,)) for o in outputs)
        self.transitions = list(dict.fromkeys(transitions))
        self.silent = [t for t in self.transitions if t.label is None]
        self.by_label: dict[str, list[_Transition]] = {}
        for t in self.transitions:
            if t.label is not None:
                self.by_label.setdefault(t.label, []).append(t)

    def _place(self, *key: str) -> int:
        return self.places.setdefault(key, len(self.places))


def _key(marking: Mapping[int, int]) -> Marking:
    return tuple(sorted((p, n) for p, n in marking.items() if n > 0))


def _enabled(t: _Transition, marking: Mapping[int, int]) -> bool:
    need = Counter(t.inputs)
    return all(marking.get(p, 0) >= n for p, n in need.items())


def _fire(t: _Transition, marking: dict[int, int]) -> int:
    """Fire ``t``, creating missing input tokens; return how many were missing."""
    missing = 0
    for p in t.inputs:
        if marking.get(p, 0) > 0:
            marking[p] -= 1
        else:
            missing += 1
    for p in t.outputs:
        marking[p] = marking.get(p, 0) + 1
    return missing


class _Replayer:
    """Silent-transition searches on one net, cached per marking."""

    def __init__(self, net: _Net, max_states: int) -> None:
        self.net = net
        self.max_states = max_states
        self.producers: dict[int, list[_Transition]] = {}
        for t in net.silent:
            for p in t.outputs:
                self.producers.setdefault(p, []).append(t)
        self.distances: dict[frozenset[int], dict[int, int]] = {}
        self.paths: dict[tuple[Marking, _Transition], tuple[_Transition, ...] | None] = {}
        self.ends: dict[Marking, tuple[_Transition, ...] | None] = {}
        self.closures: dict[Marking, frozenset[str]] = {}

    def _distance(self, targets: frozenset[int]) -> dict[int, int]:
        """Fewest silent transitions that move a token from each place to one of ``targets``."""
        if targets not in self.distances:
            dist = {p: 0 for p in targets}
            queue = deque(targets)
            while queue:
                p = queue.popleft()
                for t in self.producers.get(p, ()):
                    for q in t.inputs:
                        if q not in dist:
                            dist[q] = dist[p] + 1
                            queue.append(q)
            self.distances[targets] = dist
        return self.distances[targets]

    def _search(
        self,
        start: Marking,
        goal: Callable[[dict[int, int]], bool],
        targets: frozenset[int],
        *,
        each: bool = False,
    ) -> tuple[_Transition, ...] | None:
        """A silent firing sequence from ``start`` to a marking meeting ``goal``.

        Best-first, then shortest: markings closer to ``targets`` first.
        Closeness is, with ``each``, the sum over the unmarked target places
        of the nearest token's distance (to enable a transition, only the
        nearest token for each input place need move); otherwise the sum of
        every token's distance (to empty the net into the sink). Only silent
        transitions that move a token towards ``targets`` are fired (others
        can only take tokens away). At most ``max_states`` markings are
        expanded.
        """
        dist = self._distance(targets)
        useful = [t for t in self.net.silent if any(p in dist for p in t.outputs)]
        per_place = [(q, self._distance(frozenset((q,)))) for q in sorted(targets)] if each else []
        far = len(self.net.places) + 1

        def h(marking: Marking) -> int:
            if each:
                held = dict(marking)
                return sum(
                    min((d[p] for p in held if p in d), default=far) for q, d in per_place if not held.get(q)
                )
            return sum(n * dist[p] for p, n in marking if p in dist)

        tie = 0
        heap: list[tuple[int, int, int, Marking, tuple[_Transition, ...]]] = [(h(start), 0, tie, start, ())]
        seen = {start}
        expanded = 0
        while heap and expanded < self.max_states:
            _, depth, _, key, path = heapq.heappop(heap)
            marking = dict(key)
            if goal(marking):
                return path
            expanded += 1
            for t in useful:
                if _enabled(t, marking):
                    after = dict(marking)
                    _fire(t, after)
                    nxt = _key(after)
                    if nxt not in seen:
                        seen.add(nxt)
                        tie += 1
                        heapq.heappush(heap, (h(nxt), depth + 1, tie, nxt, (*path, t)))
        return None

    def enabling(self, marking: dict[int, int], t: _Transition) -> tuple[_Transition, ...] | None:
        """Silent transitions that enable ``t``, () if it is enabled, None if none do (cached)."""
        key = _key(marking)
        cache = (key, t)
        if cache not in self.paths:
            path: tuple[_Transition, ...] | None = None
            if _enabled(t, marking):
                path = ()
            elif all(  # cheap refusal: some input place no token can reach
                marking.get(q, 0) > 0 or any(p in self._distance(frozenset((q,))) for p, _ in key)
                for q in t.inputs
            ):
                path = self._search(key, lambda m: _enabled(t, m), frozenset(t.inputs), each=True)
            self.paths[cache] = path
        return self.paths[cache]

    def finishing(self, marking: dict[int, int]) -> tuple[_Transition, ...] | None:
        """Silent transitions to the final marking, else to any marking with a token in ``sink`` (cached)."""
        key = _key(marking)
        if key not in self.ends:
            sink = self.net.sink
            targets = frozenset((sink,))
            found = self._search(key, lambda m: m.get(sink, 0) >= 1 and sum(m.values()) == 1, targets)
            if found is None:
                found = self._search(key, lambda m: m.get(sink, 0) >= 1, targets)
            self.ends[key] = found
        return self.ends[key]

    def choose(
        self,
        options: list[tuple[_Transition, tuple[_Transition, ...]]],
        marking: dict[int, int],
        following: str | None,
    ) -> tuple[_Transition, tuple[_Transition, ...]]:
        """Of several ways to do one label (transition, silent path), one after which the next event can happen."""
        if len(options) == 1:
            return options[0]
        for option in options:
            t, path = option
            trial = dict(marking)
            for u in path:
                _fire(u, trial)
            _fire(t, trial)
            if following is None:
                ok = self.finishing(trial) is not None
            elif following not in self.net.by_label:
                return option
            else:
                ok = any(self.enabling(trial, u) is not None for u in self.net.by_label[following])
            if ok:
                return option
        return options[0]

    def allowed(self, marking: dict[int, int]) -> frozenset[str]:
        """Labels the model can do next: enabled now or after silent transitions (cached)."""
        key = _key(marking)
        if key not in self.closures:
            self.closures[key] = frozenset(
                label
                for label, transitions in self.net.by_label.items()
                if any(self.enabling(marking, t) is not None for t in transitions)
            )
        return self.closures[key]


@dataclass
class _TraceResult:
    produced: int
    consumed: int
    missing: int
    remaining: int
    # (prefix length, marking before that event) for the prefixes that replayed without missing tokens
    states: list[tuple[int, dict[int, int]]]


def _replay(replayer: _Replayer, trace: Sequence[str], unknown: set[str]) -> _TraceResult:
    net = replayer.net
    marking: dict[int, int] = {net.source: 1}
    produced, consumed, missing = 1, 0, 0
    states: list[tuple[int, dict[int, int]]] = []

    def fire(t: _Transition) -> None:
        nonlocal produced, consumed, missing
        missing += _fire(t, marking)
        consumed += len(t.inputs)
        produced += len(t.outputs)

    for position, activity in enumerate(trace):
        if missing == 0:
            states.append((position, dict(marking)))
        candidates = net.by_label.get(activity)
        if not candidates:
            unknown.add(activity)
            missing += 1
            consumed += 1
            continue
        options: list[tuple[_Transition, tuple[_Transition, ...]]] = [
            (t, ()) for t in candidates if _enabled(t, marking)
        ]
        if not options:
            for t in candidates:
                path = replayer.enabling(marking, t)
                if path is not None:
                    options.append((t, path))
        if options:
            following = trace[position + 1] if position + 1 < len(trace) else None
            chosen, path = replayer.choose(options, marking, following)
            for t in path:
                fire(t)
        else:
            chosen = min(candidates, key=lambda t: sum(1 for p in t.inputs if marking.get(p, 0) == 0))
        fire(chosen)
    for t in replayer.finishing(marking) or ():
        fire(t)
    sink = net.sink
    consumed += 1
    if marking.get(sink, 0) > 0:
        marking[sink] -= 1
    else:
        missing += 1
    return _TraceResult(produced, consumed, missing, sum(marking.values()), states)


def _counted(log: Mapping[Sequence[str], int] | Iterable[Sequence[str]]) -> dict[tuple[str, ...], int]:
    out: dict[tuple[str, ...], int] = {}
    if isinstance(log, Mapping):
        for trace, n in log.items():
            key = tuple(" ".join(a.split()) for a in trace)
            out[key] = out.get(key, 0) + int(n)
    else:
        for trace in log:
            key = tuple(" ".join(a.split()) for a in trace)
            out[key] = out.get(key, 0) + 1
    return out


def conformance(
    process: Process,
    log: Mapping[Sequence[str], int] | Iterable[Sequence[str]],
    *,
    implicit_split: str = "parallel",
    max_states: int = MAX_STATES,
) -> Conformance:
    """Replay ``log`` on ``process``: fitness, precision and the token counts.

    Parameters
    ----------
    process
        The model. Events are matched to steps by label (white space
        collapsed); a label may name several steps.
    log
        Traces of activity labels, or a mapping from trace to its count.
    implicit_split
        How a step with several unconditional outgoing flows is read:
        ``"parallel"`` (all of them, as BPMN and :mod:`processes.similarity`
        read it) or ``"exclusive"`` (one of them, as in a directly-follows
        graph).
    max_states
        Bound on the markings each silent-transition search visits.

    Raises
    ------
    ValueError
        An unknown ``implicit_split`` or a ``max_states`` below 1.

    Examples
    --------
    A directly-follows graph read as the model reads it, then as choices:

    >>> from processes.model import Flow, Process, Step, StepKind
    >>> p = Process()
    >>> p.add_step(Step("s", "", StepKind.START_EVENT))
    >>> for x in ("a", "b", "c"):
    ...     p.add_step(Step(x, x))
    >>> p.add_step(Step("e", "", StepKind.END_EVENT))
    >>> for u, v in [("s", "a"), ("a", "b"), ("a", "c"), ("b", "e"), ("c", "e")]:
    ...     p.add_flow(Flow(u, v))
    >>> log = [["a", "b"], ["a", "c"]]
    >>> conformance(p, log).fitting_traces
    0
    >>> c = conformance(p, log, implicit_split="exclusive")
    >>> c.fitness, c.precision, c.fitting_traces
    (1.0, 1.0, 2)
    """
    if implicit_split not in ("parallel", "exclusive"):
        raise ValueError(f"implicit_split must be 'parallel' or 'exclusive', not {implicit_split!r}")
    if isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 1:
        raise ValueError(f"max_states must be a whole number of 1 or more, not {max_states!r}")
    counted = _counted(log)
    replayer = _Replayer(_Net(process, implicit_split), max_states)
    unknown: set[str] = set()
    produced = consumed = missing = remaining = fitting = traces = 0
    # Prefix -> (traces through it, allowed labels, observed next labels)
    weights: Counter[tuple[str, ...]] = Counter()
    allowed: dict[tuple[str, ...], frozenset[str]] = {}
    observed: dict[tuple[str, ...], set[str]] = {}
    for trace, n in counted.items():
        result = _replay(replayer, trace, unknown)
        traces += n
        produced += n * result.produced
        consumed += n * result.consumed
        missing += n * result.missing
        remaining += n * result.remaining
        if result.missing == 0 and result.remaining == 0:
            fitting += n
        for position, marking in result.states:
            prefix = trace[:position]
            weights[prefix] += n
            if prefix not in allowed:
                allowed[prefix] = replayer.allowed(marking)
            observed.setdefault(prefix, set()).add(trace[position])
    fit = 1.0
    if traces:
        fit = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced)
    offered = sum(w * len(allowed[s]) for s, w in weights.items())
    escaping = sum(w * len(allowed[s] - observed[s]) for s, w in weights.items())
    prec = 1 - escaping / offered if offered else 1.0
    return Conformance(
        fitness=round(fit, 6),
        precision=round(prec, 6),
        traces=traces,
        fitting_traces=fitting,
        produced=produced,
        consumed=consumed,
        missing=missing,
        remaining=remaining,
        unknown_activities=tuple(sorted(unknown)),
    )


def fitness(
    process: Process,
    log: Mapping[Sequence[str], int] | Iterable[Sequence[str]],
    *,
    implicit_split: str = "parallel",
    max_states: int = MAX_STATES,
) -> float:
    """Token-replay fitness of ``process`` on ``log`` (0-1); see :func:`conformance`."""
    return conformance(process, log, implicit_split=implicit_split, max_states=max_states).fitness


def precision(
    process: Process,
    log: Mapping[Sequence[str], int] | Iterable[Sequence[str]],
    *,
    implicit_split: str = "parallel",
    max_states: int = MAX_STATES,
) -> float:
    """Escaping-edges precision of ``process`` on ``log`` (0-1); see :func:`conformance`."""
    return conformance(process, log, implicit_split=implicit_split, max_states=max_states).precision
