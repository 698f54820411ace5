"""Event logs (XES and CSV) and the discovery of a step graph from them.

Reading is streaming. XES is parsed with :func:`lxml.etree.iterparse`
(entities, DTDs and network access off) and each ``<trace>`` is cleared as
soon as it has been read, so memory holds one case at a time plus the graph
being counted. A CSV log sorted (grouped) by case is read the same way; an
ungrouped CSV log must keep every open case's events until the end of the
file, so its memory grows with the log (see :func:`read_eventlog_csv`).

Discovery (:func:`discover`) by default finds a **block-structured
process** with the inductive miner of :mod:`processes.discover`: exclusive
and parallel gateways, optional steps (a choice with a branch that skips
them) and loops, each step and flow with its frequency. The log's variants
(distinct traces) are counted on the way, so memory also grows with the
number of variants. Metrics per step are as below; flows carry
``frequency`` only.

With ``miner="dfg"`` it builds the **directly-follows graph**: one step
per activity label, a flow ``a -> b`` when ``b`` directly follows ``a`` in a
case, an artificial start event before the first and an end event after
the last event of every case. Then:

- **Frequency filtering.** Activities seen in fewer cases than
  ``min_activity_frequency`` are removed from the cases before counting
  (a second pass over the log); flows seen fewer times than
  ``min_edge_frequency`` are dropped, except those needed to keep every
  step reachable from the start and able to reach the end (the most
  frequent such flows are put back). A number below 1 is a fraction: of
  the cases for activities, of the source step's outgoing flows for edges.
- **Parallel steps.** Steps ``a`` and ``b`` that follow each other both ways
  with similar frequency (the rarer direction at least ``parallel_ratio`` of
  the other) and share the same predecessors and successors otherwise are
  concurrent: the two-way flows are replaced by a parallel split and join
  gateway around them. Only this safe block shape is rewritten.

Kept per step (:attr:`Step.metrics`): ``frequency`` (events), ``cases``
(cases with the step), and ``duration_mean_days`` / ``duration_median_days``.
Duration is the time from the activity's ``start`` to its ``complete``
event when the log has lifecycle start events; otherwise the time from the
previous event of the same case to this one (how long the case waited for
this step; undefined for a case's first step).
``process.metadata["duration"]`` says which. Medians come from a
logarithmic histogram (1 % bins), so they are within 1 % of the lower median
(exact when the values near it are equal) while memory stays bounded.

Kept per flow (:attr:`Flow.metrics`): ``frequency`` and ``mean_days``, the
mean time from the completion of ``a`` to the start of ``b`` (or to its
completion when the log has no start events).

**Never stored**: case identifiers, resources (``org:resource``) and any
other event attribute than the chosen label, the timestamp and the
lifecycle transition. Metadata holds only counts, the options used, and the
time of the log's first and last event (``first_event``, ``last_event``, ISO
8601 UTC; absent when no event has a time), from which
:func:`processes.gains.log_period_days` takes the period the log covers.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import math
import os
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import IO, Any, NamedTuple

from lxml import etree

from processes.discover import DEFAULT_NOISE_THRESHOLD, discover_tree, tree_to_process
from processes.exceptions import FormatError, InputTooLargeError
from processes.formats._xml import DEFAULT_MAX_BYTES, check_size, local_name
from processes.formats.tabular import _decode_csv
from processes.model import (
    Flow,
    Gateway,
    GatewayKind,
    Problem,
    Process,
    Severity,
    Step,
    StepKind,
)

__all__ = [
    "CSV_COLUMN_GUESSES",
    "MAX_CASE_EVENTS",
    "MAX_UNPACKED_BYTES",
    "Event",
    "discover",
    "looks_like_eventlog_header",
    "read_eventlog_csv",
    "read_xes",
    "read_xes_variants",
]

#: The most bytes a gzipped XES log may unpack to. The shared BPIC 2015 logs take about
#: 750 bytes per event; the whole building-permit log of one municipality (about 60,000
#: events over four years) unpacks to about 45 MB, and 64 MiB leaves room above that. The
#: count is kept while decompressing, so a bomb is refused after 64 MiB, not at its end.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

#: The most events one case (XES ``<trace>``) may have. A casework case has tens of events
#: (at most 9 in the shared BPIC 2015 logs); a case is held in memory while it is read, so
#: this keeps memory bounded even for a log that is one endless trace.
MAX_CASE_EVENTS = 10_000

_DAY = 86400.0
_START_ID = "__start__"
_END_ID = "__end__"
# Internal keys of the artificial start and end: labels are stripped and
# non-empty, so no activity can be called "" or " ".
_START_KEY = ""
_END_KEY = " "

#: Column names tried, in order, when a CSV column is not named by the caller.
CSV_COLUMN_GUESSES: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case id",
        "case_id",
        "caseid",
        "case",
        "sak",
        "saksnummer",
        "saksnr",
        "sak id",
    ),
    "activity": ("concept:name", "activity", "activity name", "aktivitet", "hendelse", "event", "steg"),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "complete timestamp",
        "tidspunkt",
        "tid",
        "time",
        "dato",
        "date",
        "end time",
    ),
    "lifecycle": ("lifecycle:transition", "lifecycle", "livssyklus", "transition"),
}


class Event(NamedTuple):
    """One event of a case: what happened, when, and its lifecycle transition.

    ``timestamp`` is seconds since the epoch (UTC) or ``None``; ``lifecycle``
    is the lower-cased ``lifecycle:transition`` (``"complete"`` if absent).
    """

    activity: str
    timestamp: float | None = None
    lifecycle: str = "complete"


Trace = Sequence[Event]
TraceSource = Callable[[], Iterable[Trace]]


# --------------------------------------------------------------------------
# Bounded statistics
# --------------------------------------------------------------------------


class _Durations:
    """Count, mean and an approximate median of non-negative durations in bounded memory.

    Values fall into logarithmic bins 1 % wide; a bin keeps its count and
    sum. The median is the mean of the bin holding the (lower) median value,
    so it is within 1 % of it, and exact when that bin's values are equal
    (durations in whole days often are).
    """

    __slots__ = ("bins", "count", "sums", "total", "zeros")

    _BASE = math.log(1.01)

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.zeros = 0
        self.bins: Counter[int] = Counter()
        self.sums: dict[int, float] = defaultdict(float)

    def add(self, seconds: float) -> None:
        if seconds < 0 or not math.isfinite(seconds):
            return
        self.count += 1
        self.total += seconds
        if seconds < 1e-3:
            self.zeros += 1
        else:
            index = math.floor(math.log(seconds) / self._BASE)
            self.bins[index] += 1
            self.sums[index] += seconds

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def median(self) -> float | None:
        if not self.count:
            return None
        half = (self.count - 1) / 2
        seen = self.zeros
        if seen > half:
            return 0.0
        for index in sorted(self.bins):
            seen += self.bins[index]
            if seen > half:
                return self.sums[index] / self.bins[index]
        return None  # pragma: no cover - counts add up


@dataclass
class _Counts:
    cases: int = 0
    events: int = 0
    has_start: bool = False
    node_events: Counter[str] = field(default_factory=Counter)
    node_cases: Counter[str] = field(default_factory=Counter)
    node_durations: dict[str, _Durations] = field(default_factory=lambda: defaultdict(_Durations))
    node_waits: dict[str, _Durations] = field(default_factory=lambda: defaultdict(_Durations))
    edges: Counter[tuple[str, str]] = field(default_factory=Counter)
    edge_times: dict[tuple[str, str], _Durations] = field(default_factory=lambda: defaultdict(_Durations))
    #: Distinct traces (activity sequences) and their counts, kept for the inductive miner only.
    variants: Counter[tuple[str, ...]] | None = None
    #: The earliest and the latest timestamp of any event (seconds since the epoch), None without times.
    first: float | None = None
    last: float | None = None


# --------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------


def _instances(trace: Trace) -> list[tuple[str, float | None, float | None]]:
    """Return (activity, start time, completion time) per completed activity instance."""
    open_starts: dict[str, list[float | None]] = defaultdict(list)
    out: list[tuple[str, float | None, float | None]] = []
    for event in trace:
        activity = event.activity.strip()
        if not activity:
            continue  # a nameless event cannot be a step
        lifecycle = event.lifecycle.strip().lower()
        if lifecycle == "start":
            open_starts[activity].append(event.timestamp)
        elif lifecycle in ("complete", ""):
            starts = open_starts.get(activity)
            start = starts.pop(0) if starts else None
            out.append((activity, start, event.timestamp))
        # schedule, assign, suspend, ... do not make steps.
    return out


def _ordered(trace: Trace) -> Trace:
    # Sort by time when every event has one; the sort is stable, so events
    # with equal timestamps keep the log's order.
    if trace and all(e.timestamp is not None for e in trace):
        return sorted(trace, key=lambda e: e.timestamp)  # type: ignore[arg-type,return-value]
    return trace


def _count(source: TraceSource, keep: Callable[[str], bool], *, variants: bool = False) -> _Counts:
    counts = _Counts()
    if variants:
        counts.variants = Counter()
    for trace in source():
        trace = _ordered(trace)
        counts.cases += 1
        counts.events += len(trace)
        if any(e.lifecycle.strip().lower() == "start" for e in trace):
            counts.has_start = True
        for e in trace:
            if e.timestamp is not None and math.isfinite(e.timestamp):
                if counts.first is None or e.timestamp < counts.first:
                    counts.first = e.timestamp
                if counts.last is None or e.timestamp > counts.last:
                    counts.last = e.timestamp
        instances = [i for i in _instances(trace) if keep(i[0])]
        previous: tuple[str, float | None, float | None] = (_START_KEY, None, None)
        counts.node_events[_START_KEY] += 1
        counts.node_cases[_START_KEY] += 1
        seen: set[str] = set()
        for instance in instances:
            activity, start, complete = instance
            counts.node_events[activity] += 1
            if activity not in seen:
                seen.add(activity)
                counts.node_cases[activity] += 1
            if start is not None and complete is not None:
                counts.node_durations[activity].add(complete - start)
            if previous[2] is not None and complete is not None:
                counts.node_waits[activity].add(complete - previous[2])
            edge = (previous[0], activity)
            counts.edges[edge] += 1
            begin = start if start is not None else complete
            if previous[2] is not None and begin is not None:
                counts.edge_times[edge].add(begin - previous[2])
            previous = instance
        counts.edges[(previous[0], _END_KEY)] += 1
        if counts.variants is not None:
            counts.variants[tuple(i[0] for i in instances)] += 1
        counts.node_events[_END_KEY] += 1
        counts.node_cases[_END_KEY] += 1
    return counts


def _threshold(value: float, total: float) -> float:
    return value * total if 0 < value < 1 else value


def _reachable(nodes: set[str], edges: set[tuple[str, str]], root: str, *, forward: bool) -> set[str]:
    adjacency: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if forward:
            adjacency[a].append(b)
        else:
            adjacency[b].append(a)
    seen = {root}
    stack = [root]
    while stack:
        for nxt in adjacency[stack.pop()]:
            if nxt not in seen and nxt in nodes:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _filter_edges(counts: _Counts, min_edge: float) -> set[tuple[str, str]]:
    outgoing: Counter[str] = Counter()
    for (a, _), n in counts.edges.items():
        outgoing[a] += n
    kept = {e for e, n in counts.edges.items() if n >= _threshold(min_edge, outgoing[e[0]])}
    removed = sorted(set(counts.edges) - kept, key=lambda e: (-counts.edges[e], e))
    nodes = set(counts.node_events)
    # Put back the most frequent dropped flows until every step is connected
    # from the start and to the end (the full graph is, since every case is).
    for forward, root in ((True, _START_KEY), (False, _END_KEY)):
        while True:
            reached = _reachable(nodes, kept, root, forward=forward)
            if reached >= nodes:
                break
            for a, b in removed:
                inner, outer = (a, b) if forward else (b, a)
                if inner in reached and outer not in reached and (a, b) not in kept:
                    kept.add((a, b))
                    break
            else:  # pragma: no cover - cannot happen: the unfiltered graph is connected
                break
    return kept


def _parallel_blocks(
    edges: set[tuple[str, str]], counts: Counter[tuple[str, str]], ratio: float
) -> list[tuple[frozenset[str], set[str], set[str]]]:
    preds: dict[str, set[str]] = defaultdict(set)
    succs: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        succs[a].add(b)
        preds[b].add(a)
    concurrent: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        if a < b and (b, a) in edges and a not in (_START_KEY, _END_KEY) and b not in (_START_KEY, _END_KEY):
            ab, ba = counts[(a, b)], counts[(b, a)]
            if min(ab, ba) >= ratio * max(ab, ba):
                concurrent[a].add(b)
                concurrent[b].add(a)
    blocks: list[tuple[frozenset[str], set[str], set[str]]] = []
    done: set[str] = set()
    for node in sorted(concurrent):
        if node in done:
            continue
        group = {node}
        stack = [node]
        while stack:
            for other in concurrent[stack.pop()]:
                if other not in group:
                    group.add(other)
                    stack.append(other)
        done |= group
        # Safe only if every pair is concurrent and all members share the same
        # outside predecessors and successors (a clean AND block).
        if any(concurrent[m] != group - {m} for m in group):
            continue
        outside_preds = {frozenset(preds[m] - group) for m in group}
        outside_succs = {frozenset(succs[m] - group) for m in group}
        if len(outside_preds) != 1 or len(outside_succs) != 1:
            continue
        before, after = set(next(iter(outside_preds))), set(next(iter(outside_succs)))
        if not before or not after or before & group or after & group:
            continue
        blocks.append((frozenset(group), before, after))
    return blocks


def _iso(seconds: float) -> str | None:
    """Seconds since the epoch as an ISO 8601 UTC timestamp («2025-03-01T08:00:00+00:00»).

    None when the moment has no UTC date (year 1 or 9999 with an offset that moves it out
    of range): the log's period is then unknown rather than an error.
    """
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):
        return None


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / _DAY, 6)


def discover(
    traces: TraceSource | Iterable[Trace],
    *,
    process_id: str = "eventlog",
    name: str = "",
    min_activity_frequency: float = 0,
    miner: str | None = None,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    min_edge_frequency: float = 0,
    parallel: bool | None = None,
    parallel_ratio: float | None = None,
    start_label: str = "Start",
    end_label: str = "Slutt",
) -> Process:
    """Discover a process from the cases of an event log.

    By default (``miner="inductive"``) the result is block-structured, with
    exclusive and parallel gateways, optional steps and loops, found by the
    inductive miner of :mod:`processes.discover` (IMf, with
    ``noise_threshold``). ``miner="dfg"`` gives the directly-follows graph
    described in the module docstring instead.

    Parameters
    ----------
    traces
        The cases, each a sequence of :class:`Event` in log order. Pass a
        function returning a fresh iterable when ``min_activity_frequency``
        is used (the log is read twice); a list also works.
    process_id, name
        Id and name of the result.
    min_activity_frequency
        Remove activities seen in fewer cases than this (a number below 1
        is a fraction of all cases).
    miner
        ``"inductive"`` (a block-structured process) or ``"dfg"`` (the
        directly-follows graph). By default the inductive miner, or the
        directly-follows graph when one of its options
        (``min_edge_frequency``, ``parallel``, ``parallel_ratio``) is given.
    noise_threshold
        For the inductive miner: behaviour rarer than this share (0-1) of
        the strongest alternative is treated as noise; 0 keeps every case
        replayable.
    min_edge_frequency
        For ``miner="dfg"``: drop flows seen fewer times than this (below 1:
        a fraction of the source step's outgoing flows), keeping the graph
        connected.
    parallel
        For ``miner="dfg"``: replace safe pairs/groups of concurrent steps
        by a parallel block (default True).
    parallel_ratio
        For ``miner="dfg"``: how similar the two directions' frequencies
        must be (0-1, default 0.5).
    start_label, end_label
        Labels of the artificial start and end events.

    Returns
    -------
    Process
        Steps with ``frequency`` (events), ``cases``, ``case_share`` (cases
        with the step / all cases) and duration metrics; flows with
        ``frequency`` (and, for the directly-follows graph, ``mean_days``).
        See the module docstring.

    Raises
    ------
    ValueError
        An option out of range, or a directly-follows option
        (``min_edge_frequency``, ``parallel``, ``parallel_ratio``) with
        ``miner="inductive"``.

    Notes
    -----
    The inductive miner keeps one count per distinct trace (variant) besides
    the graph, so its memory grows with the number of variants, at most the
    number of cases.

    Examples
    --------
    >>> log = [[Event("A"), Event("B"), Event("C")], [Event("A"), Event("C"), Event("B")]] * 3
    >>> p = discover(log + [[Event("A"), Event("D")]] * 2)
    >>> sorted(s.id for s in p.steps)
    ['A', 'B', 'C', 'D', '__end__', '__start__']
    >>> [g.kind.value for g in p.gateways]
    ['parallel', 'parallel', 'exclusive', 'exclusive']
    >>> p.step("D").metrics["case_share"]
    0.25
    >>> dfg = discover(log, miner="dfg")
    >>> [g.kind.value for g in dfg.gateways]
    ['parallel', 'parallel']
    """
    if miner not in (None, "inductive", "dfg"):
        raise ValueError(f"miner must be 'inductive' or 'dfg', not {miner!r}")
    dfg_options = [
        option
        for option, value in (
            ("min_edge_frequency", min_edge_frequency or None),
            ("parallel", parallel),
            ("parallel_ratio", parallel_ratio),
        )
        if value is not None
    ]
    if miner is None:
        # Callers that shape a directly-follows graph keep getting one.
        miner = "dfg" if dfg_options else "inductive"
    if miner == "inductive" and dfg_options:
        raise ValueError(
            f"{', '.join(dfg_options)} must be left out with the inductive miner (they shape the "
            "directly-follows graph): use miner='dfg', or noise_threshold to filter"
        )
    if (
        isinstance(noise_threshold, bool)
        or not isinstance(noise_threshold, int | float)
        or not 0 <= noise_threshold <= 1
    ):
        raise ValueError(f"noise_threshold must be between 0 and 1, not {noise_threshold!r}")
    parallel = True if parallel is None else parallel
    parallel_ratio = 0.5 if parallel_ratio is None else parallel_ratio
    for option, value in (
        ("min_activity_frequency", min_activity_frequency),
        ("min_edge_frequency", min_edge_frequency),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"{option} must be a number of 0 or more, not {value!r}")
    if (
        isinstance(parallel_ratio, bool)
        or not isinstance(parallel_ratio, int | float)
        or not 0 <= parallel_ratio <= 1
    ):
        raise ValueError(f"parallel_ratio must be between 0 and 1, not {parallel_ratio!r}")
    if callable(traces):
        source: TraceSource = traces
    else:
        if min_activity_frequency and iter(traces) is traces:
            raise ValueError(
                "activity filtering reads the log twice: pass a list or a function returning the cases"
            )
        given = traces
        source = lambda: given

    keep: Callable[[str], bool] = lambda activity: True
    if min_activity_frequency:
        first = _count(source, keep)
        limit = _threshold(min_activity_frequency, first.cases)
        kept = {a for a, n in first.node_cases.items() if n >= limit}
        keep = kept.__contains__
    counts = _count(source, keep, variants=miner == "inductive")
    if counts.cases == 0:
        raise FormatError("the event log has no cases", code="no_cases")

    edges = _filter_edges(counts, min_edge_frequency) if min_edge_frequency else set(counts.edges)
    process = Process(process_id, name)
    process.metadata.update(
        {
            "source_format": "eventlog",
            "cases": str(counts.cases),
            "events": str(counts.events),
            "duration": "start_to_complete" if counts.has_start else "since_previous_event",
            "miner": miner,
        }
    )
    first_at = _iso(counts.first) if counts.first is not None else None
    last_at = _iso(counts.last) if counts.last is not None else None
    if first_at is not None and last_at is not None:
        process.metadata["first_event"] = first_at
        process.metadata["last_event"] = last_at
    if miner == "inductive":
        process.metadata["noise_threshold"] = f"{noise_threshold:g}"
    activities = sorted(
        (a for a in counts.node_events if a not in (_START_KEY, _END_KEY)),
        key=lambda a: (-counts.node_events[a], a),
    )
    taken = set(activities)

    def fresh(base: str) -> str:
        # Artificial ids must not clash with an activity of the same name.
        while base in taken:
            base += "_"
        taken.add(base)
        return base

    ids = {activity: activity for activity in activities}
    ids[_START_KEY], ids[_END_KEY] = fresh(_START_ID), fresh(_END_ID)

    def metrics(node: str) -> dict[str, float]:
        out: dict[str, float] = {
            "frequency": counts.node_events[node],
            "cases": counts.node_cases[node],
            "case_share": round(counts.node_cases[node] / counts.cases, 6),
        }
        durations = (counts.node_durations if counts.has_start else counts.node_waits).get(node)
        if durations is not None and durations.count:
            out["duration_mean_days"] = _days(durations.mean()) or 0.0
            out["duration_median_days"] = _days(durations.median()) or 0.0
        return out

    if miner == "inductive":
        assert counts.variants is not None
        tree = discover_tree(counts.variants, noise_threshold=noise_threshold)
        mined = tree_to_process(
            tree,
            process_id=process_id,
            name=name,
            step_metrics={ids[n]: metrics(n) for n in counts.node_events},
            start_id=ids[_START_KEY],
            end_id=ids[_END_KEY],
            start_label=start_label,
            end_label=end_label,
        )
        mined.metadata.update(process.metadata)
        return mined
    process.add_step(Step(ids[_START_KEY], start_label, StepKind.START_EVENT, metrics=metrics(_START_KEY)))
    for activity in activities:
        process.add_step(Step(activity, activity, metrics=metrics(activity)))
    process.add_step(Step(ids[_END_KEY], end_label, StepKind.END_EVENT, metrics=metrics(_END_KEY)))

    def flow_metrics(edge: tuple[str, str]) -> dict[str, float]:
        out: dict[str, float] = {"frequency": counts.edges[edge]}
        times = counts.edge_times.get(edge)
        if times is not None and times.count:
            out["mean_days"] = _days(times.mean()) or 0.0
        return out

    blocks = _parallel_blocks(edges, counts.edges, parallel_ratio) if parallel else []
    replaced: set[tuple[str, str]] = set()
    for number, (group, before, after) in enumerate(blocks, start=1):
        split, join = fresh(f"__and_split_{number}__"), fresh(f"__and_join_{number}__")
        process.add_gateway(Gateway(split, GatewayKind.PARALLEL))
        process.add_gateway(Gateway(join, GatewayKind.PARALLEL))
        into = Counter[str]()
        out_of = Counter[str]()
        for member in sorted(group):
            for p in before:
                into[p] += counts.edges[(p, member)]
                replaced.add((p, member))
            for s in after:
                out_of[s] += counts.edges[(member, s)]
                replaced.add((member, s))
            for other in group - {member}:
                replaced.add((member, other))
            process.add_flow(Flow(split, ids[member]))
            process.add_flow(Flow(ids[member], join))
        for p in sorted(before):
            process.add_flow(Flow(ids[p], split, metrics={"frequency": into[p]}))
        for s in sorted(after):
            process.add_flow(Flow(join, ids[s], metrics={"frequency": out_of[s]}))
    for edge in sorted(edges - replaced, key=lambda e: (-counts.edges[e], e)):
        process.add_flow(Flow(ids[edge[0]], ids[edge[1]], metrics=flow_metrics(edge)))
    return process


# --------------------------------------------------------------------------
# XES
# --------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class _LimitedReader(io.RawIOBase):
    """A stream that refuses to deliver more than ``limit`` bytes (for gzip bombs)."""

    def __init__(self, stream: IO[bytes], limit: int | None, source: str | None) -> None:
        self.stream = stream
        self.limit = limit
        self.source = source
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self.stream.read(len(buffer))
        except (EOFError, OSError, zlib.error) as exc:
            raise FormatError(
                f"the compressed log is damaged: {exc}",
                code="damaged_compressed",
                params={"detail": str(exc)},
                source=self.source,
            ) from None
        self.read_so_far += len(data)
        if self.limit is not None and self.read_so_far > self.limit:
            raise InputTooLargeError(
                f"the log unpacks to more than {self.limit:,} bytes",
                code="unpacks_too_large",
                params={"limit": self.limit},
                source=self.source,
                hint="a real event log unpacks to far less; upload a shorter period or fewer cases",
            )
        buffer[: len(data)] = data
        return len(data)


def _open(
    data: bytes | str | os.PathLike[str] | IO[bytes],
    source: str | None,
    max_bytes: int | None,
    max_unpacked_bytes: int | None = MAX_UNPACKED_BYTES,
) -> Callable[[], IO[bytes]]:
    """Return a function opening the log afresh (the reader may need two passes)."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        check_size(raw, max_bytes=max_bytes, source=source)
        if not raw.strip():
            raise FormatError("the file is empty", code="empty_file", source=source)
        opener: Callable[[], IO[bytes]] = lambda: io.BytesIO(raw)
    elif isinstance(data, str | os.PathLike):
        path = os.fspath(data)
        opener = lambda: open(path, "rb")  # noqa: SIM115
    elif hasattr(data, "read"):
        stream = data
        if not stream.seekable():
            # A one-shot stream: read it once (bounded), then re-open from memory.
            raw = stream.read(max_bytes + 1 if max_bytes is not None else -1)
            check_size(raw, max_bytes=max_bytes, source=source)
            opener = lambda: io.BytesIO(raw)
        else:
            start = stream.tell()

            def opener() -> IO[bytes]:
                stream.seek(start)
                return stream

    else:
        raise TypeError(f"expected bytes, a path or a binary file, not {type(data).__name__}")

    def open_log() -> IO[bytes]:
        try:
            handle = opener()
        except OSError as exc:
            raise FormatError(
                f"cannot open the log: {exc.strerror or exc}",
                code="cannot_open",
                params={"detail": str(exc.strerror or exc)},
                source=source,
            ) from None
        head = handle.read(2)
        if hasattr(handle, "seek") and handle.seekable():
            handle.seek(handle.tell() - len(head))
        else:  # pragma: no cover - all openers above give seekable streams
            raise FormatError(
                "cannot rewind the log", code="cannot_open", params={"detail": "cannot rewind"}, source=source
            )
        if head == b"\x1f\x8b":
            # The smaller of the absolute cap and 50 times the packed limit (gzip bombs).
            limits = [n for n in (max_unpacked_bytes, None if max_bytes is None else max_bytes * 50) if n is not None]
            limit = min(limits) if limits else None
            return io.BufferedReader(_LimitedReader(gzip.GzipFile(fileobj=handle), limit, source))  # type: ignore[arg-type]
        return handle

    return open_log


def _xes_value(element: Any) -> tuple[str | None, str | None]:
    return element.get("key"), element.get("value")


def _parse_time(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(
            text.strip().replace(" ", "T", 1) if "T" not in text else text.strip()
        )
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class _XesStats:
    def __init__(self) -> None:
        self.event_keys: Counter[str] = Counter()  # of events without the label
        self.labelled = 0
        self.missing_label = 0
        self.bad_times = 0
        self.name: str | None = None


def _xes_traces(
    open_log: Callable[[], IO[bytes]],
    *,
    source: str | None = None,
    label_attribute: str = "concept:name",
    stats: _XesStats | None = None,
    max_case_events: int | None = MAX_CASE_EVENTS,
) -> Iterator[list[Event]]:
    """Yield the cases of an XES log one at a time, as lists of :class:`Event`.

    Only the label attribute, ``time:timestamp`` and ``lifecycle:transition``
    are read from each event. Elements are removed as soon as they have been
    read. Raises :class:`FormatError` for malformed XML or a non-XES root,
    :class:`InputTooLargeError` for a case with more than ``max_case_events``.
    """
    stats = stats or _XesStats()
    # Counted afresh on every pass over the log.
    stats.missing_label = stats.bad_times = stats.labelled = 0
    handle = open_log()
    try:
        head = handle.read(65536)
        doctype = _DOCTYPE.search(head)
        if doctype:
            raise FormatError(
                "the file declares a DOCTYPE; DTDs and entities are refused for safety",
                code="doctype",
                source=source,
                line=head[: doctype.start()].count(b"\n") + 1,
            )
        root = _XML_ROOT.search(head)
        if root and root.group(1) != b"log":
            raise _not_xes(
                root.group(1).decode("ascii", "replace"), head[: root.start()].count(b"\n") + 1, source
            )
        if handle.seekable():
            handle.seek(handle.tell() - len(head))
        stream: IO[bytes] = handle if handle.seekable() else io.BufferedReader(_Prepend(head, handle))
        # Only the three tags that matter reach Python; lxml skips the rest in C.
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=("{*}event", "{*}trace", "{*}global"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
        )
        wanted = (label_attribute, "time:timestamp", "lifecycle:transition")
        trace: list[Event] = []
        defaults: dict[str, str] = {}
        named = False
        cases = 0
        for _, element in events:
            tag = local_name(element.tag)
            parent = element.getparent()
            parent_tag = local_name(parent.tag) if parent is not None else ""
            if tag == "event" and parent_tag == "trace":
                values: dict[str, str] = {}
                for child in element:
                    key = child.get("key")
                    if key in wanted:
                        values[key] = child.get("value") or ""
                label = values.get(label_attribute, defaults.get(label_attribute))
                if label is None or not label.strip():
                    stats.missing_label += 1
                    if len(stats.event_keys) < 200:  # to name the attributes there are
                        stats.event_keys.update(k for k in (c.get("key") for c in element) if k)
                    element.clear()
                    continue
                element.clear()
                stats.labelled += 1
                when_text = values.get("time:timestamp")
                when = _parse_time(when_text) if when_text else None
                if when_text and when is None:
                    stats.bad_times += 1
                lifecycle = values.get(
                    "lifecycle:transition", defaults.get("lifecycle:transition", "complete")
                )
                trace.append(Event(label.strip(), when, lifecycle.strip().lower()))
                # Drop the events already read, so the tree never holds more than one.
                while element.getprevious() is not None:
                    del parent[0]
                if max_case_events is not None and len(trace) > max_case_events:
                    raise InputTooLargeError(
                        f"case {cases + 1} of the log has more than {max_case_events:,} events",
                        code="case_too_long",
                        params={"case": cases + 1, "limit": max_case_events},
                        source=source,
                        line=element.sourceline,
                        hint="a case of casework has tens of events; check how the log was exported",
                    )
            elif tag == "trace" and parent is not None and parent_tag == "log":
                if not named:
                    named = True
                    for child in parent:
                        if local_name(child.tag) == "string" and child.get("key") == "concept:name":
                            stats.name = child.get("value")
                            break
                yield trace
                trace = []
                cases += 1
                # Free the trace and everything parsed before it.
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
            elif tag == "global" and parent_tag == "log" and element.get("scope") == "event":
                for child in element:
                    key, value = child.get("key"), child.get("value")
                    if key is not None and value is not None:
                        defaults[key] = value
        finished = getattr(events, "root", None)
        if finished is not None and local_name(finished.tag) != "log":
            raise _not_xes(local_name(finished.tag), finished.sourceline, source)
    except etree.XMLSyntaxError as exc:
        raise FormatError(
            f"the file is not well-formed XML: {exc.msg}",
            code="xml_syntax",
            params={"detail": str(exc.msg)},
            source=source,
            line=exc.lineno or None,
        ) from None
    finally:
        handle.close()


def _not_xes(tag: str, line: int | None, source: str | None) -> FormatError:
    return FormatError(
        f"the file is not an XES event log: the root element is <{tag}>, not <log>",
        code="not_xes",
        params={"root": tag},
        source=source,
        line=line,
    )


_XML_ROOT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


class _Prepend(io.RawIOBase):  # pragma: no cover - only for non-seekable handles
    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_xes(
    data: bytes | str | os.PathLike[str] | IO[bytes],
    *,
    source: str | None = None,
    label_attribute: str = "concept:name",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_unpacked_bytes: int | None = MAX_UNPACKED_BYTES,
    max_case_events: int | None = MAX_CASE_EVENTS,
    min_activity_frequency: float = 0,
    miner: str | None = None,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    min_edge_frequency: float = 0,
    parallel: bool | None = None,
    parallel_ratio: float | None = None,
) -> Process:
    """Read an XES event log (optionally gzipped) and discover its step graph.

    Parameters
    ----------
    data
        The log's bytes, a path, or a binary file. A path is streamed from
        disk; ``max_bytes`` limits bytes and (x50) gzip-unpacked input.
    max_unpacked_bytes
        Refuse a gzipped log that unpacks to more (:data:`MAX_UNPACKED_BYTES`,
        64 MiB, by default); counted while unpacking, so refused early.
    max_case_events
        Refuse a case with more events (:data:`MAX_CASE_EVENTS` by default);
        memory holds one case at a time, so this bounds it.
    source
        The file name for messages (defaults to the path's name).
    label_attribute
        The event attribute that names the step, e.g. ``"activityNameEN"``.
    min_activity_frequency, miner, noise_threshold, min_edge_frequency, parallel, parallel_ratio
        See :func:`discover`: by default a block-structured process
        (inductive miner); ``miner="dfg"`` for the directly-follows graph.

    Raises
    ------
    FormatError
        Malformed XML, not XES, no event with ``label_attribute`` (the
        message lists the attributes events do have), or no cases.

    Examples
    --------
    >>> xes = b'''<log><trace><event><string key="concept:name" value="Motta"/></event>
    ... <event><string key="concept:name" value="Vurdere"/></event></trace></log>'''
    >>> p = read_xes(xes)
    >>> sorted((f.source, f.target) for f in p.flows)
    [('Motta', 'Vurdere'), ('Vurdere', '__end__'), ('__start__', 'Motta')]
    """
    if source is None and isinstance(data, str | os.PathLike):
        source = PurePath(os.fspath(data)).name
    open_log = _open(data, source, max_bytes, max_unpacked_bytes)
    stats = _XesStats()

    def traces() -> Iterator[list[Event]]:
        return _xes_traces(
            open_log, source=source, label_attribute=label_attribute, stats=stats, max_case_events=max_case_events
        )

    try:
        process = discover(
            traces,
            process_id=_process_id(source),
            min_activity_frequency=min_activity_frequency,
            miner=miner,
            noise_threshold=noise_threshold,
            min_edge_frequency=min_edge_frequency,
            parallel=parallel,
            parallel_ratio=parallel_ratio,
        )
    except FormatError as exc:
        if exc.source is None:  # discover() does not know the file name
            exc.source = source  # and the error keeps its class (InputTooLargeError stays one)
        raise
    if stats.missing_label and not stats.labelled:
        keys = ", ".join(sorted(stats.event_keys))
        raise FormatError(
            f"no event has the attribute {label_attribute!r}; the events carry: {keys or 'none'}",
            code="missing_label_attribute",
            params={"attribute": label_attribute, "keys": keys},
            source=source,
            hint="choose one of them as the label attribute",
        )
    process.name = stats.name or (PurePath(source).stem if source else "")
    process.metadata.update({"source_format": "xes", "label_attribute": label_attribute})
    if stats.missing_label:
        _warn(
            process,
            "eventlog_missing_label",
            f"{stats.missing_label} events have no {label_attribute!r} and were left out",
            count=str(stats.missing_label),
            attribute=label_attribute,
        )
    if stats.bad_times:
        _warn(
            process,
            "eventlog_bad_timestamp",
            f"{stats.bad_times} events have a time:timestamp that cannot be read; they are kept without a time",
            count=str(stats.bad_times),
        )
    return process


def read_xes_variants(
    data: bytes | str | os.PathLike[str] | IO[bytes],
    *,
    source: str | None = None,
    label_attribute: str = "concept:name",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Counter[tuple[str, ...]]:
    """Read an XES log's cases as activity sequences, counted per distinct sequence (variant).

    The sequences are those discovery sees: completed activity instances in
    time order. Use them to measure a process against the log
    (:func:`processes.conformance.conformance`).

    Examples
    --------
    >>> xes = b'''<log><trace><event><string key="concept:name" value="Motta"/></event>
    ... <event><string key="concept:name" value="Vurdere"/></event></trace></log>'''
    >>> read_xes_variants(xes)
    Counter({('Motta', 'Vurdere'): 1})
    """
    if source is None and isinstance(data, str | os.PathLike):
        source = PurePath(os.fspath(data)).name
    out: Counter[tuple[str, ...]] = Counter()
    for trace in _xes_traces(_open(data, source, max_bytes), source=source, label_attribute=label_attribute):
        out[tuple(i[0] for i in _instances(_ordered(trace)))] += 1
    return out


def _warn(process: Process, code: str, text: str, **params: str) -> None:
    # "text" is what Problem.message() shows until the model has a sentence for the code.
    process.import_problems.append(Problem(Severity.WARNING, code, params={"text": text, **params}))


def _process_id(source: str | None) -> str:
    if not source:
        return "eventlog"
    stem = PurePath(source).name.split(".")[0]
    return stem or "eventlog"


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _normal(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def looks_like_eventlog_header(cells: Sequence[object]) -> bool:
    """True if a CSV header has a case, an activity and a timestamp column.

    >>> looks_like_eventlog_header(["Case ID", "Activity", "Complete Timestamp", "Resource"])
    True
    >>> looks_like_eventlog_header(["Steg", "Neste steg"])
    False
    """
    names = {_normal(str(c)) for c in cells if c is not None}
    return all(
        any(_normal(guess) in names for guess in CSV_COLUMN_GUESSES[role])
        for role in ("case", "activity", "timestamp")
    )


def _lines(text: str) -> Generator[str, None, None]:
    """Yield the lines of ``text`` with their ends, without copying it (io.StringIO would)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")


def _csv_time(text: str, timestamp_format: str | None) -> float | None:
    text = text.strip()
    if timestamp_format:
        try:
            moment = datetime.strptime(text, timestamp_format)
        except ValueError:
            return None
    else:
        match = _NORWEGIAN_DATE.match(text)
        if match:
            day, month, year, hour, minute, second = match.groups()
            try:
                moment = datetime(
                    int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
                )
            except ValueError:
                return None
        else:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass
class _CsvLayout:
    delimiter: str
    case: int
    activity: int
    timestamp: int | None
    lifecycle: int | None
    names: list[str]


def _csv_layout(
    first_line: str,
    source: str | None,
    columns: dict[str, str | None],
    delimiter: str | None,
) -> _CsvLayout:
    if delimiter is None:
        counts = {d: first_line.count(d) for d in (";", "\t", ",")}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    try:
        header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    except (StopIteration, csv.Error):
        raise FormatError("the file has no header row", code="no_header_row", source=source, line=1) from None
    names = [h.strip() for h in header]
    normal = [_normal(h) for h in names]
    found: dict[str, int | None] = {}
    for role in ("case", "activity", "timestamp", "lifecycle"):
        wanted = columns.get(role)
        if wanted is not None:
            if _normal(wanted) not in normal:
                raise FormatError(
                    f"there is no column {wanted!r}; the columns are: {', '.join(repr(n) for n in names)}",
                    code="missing_column",
                    params={"column": wanted, "columns": ", ".join(names), "role": role},
                    source=source,
                    line=1,
                    hint=f"choose the {role} column from these",
                )
            found[role] = normal.index(_normal(wanted))
            continue
        guess = next(
            (normal.index(_normal(g)) for g in CSV_COLUMN_GUESSES[role] if _normal(g) in normal), None
        )
        if guess is None and role in ("case", "activity"):
            raise FormatError(
                f"cannot tell which column is the {role}; the columns are: {', '.join(repr(n) for n in names)}",
                code="column_not_found",
                params={"role": role, "columns": ", ".join(names)},
                source=source,
                line=1,
                hint=f"name it with {role}_column=...",
            )
        found[role] = guess
    if found["case"] == found["activity"]:
        raise FormatError(
            "the case and the activity must be different columns", code="same_column", source=source, line=1
        )
    case, activity = found["case"], found["activity"]
    assert case is not None and activity is not None  # guessed or raised above
    return _CsvLayout(delimiter, case, activity, found["timestamp"], found["lifecycle"], names)


def _csv_source(
    data: bytes | str | os.PathLike[str], source: str | None, max_bytes: int | None
) -> Callable[[], Generator[str, None, None]]:
    """Return a function giving the log's lines afresh (the log is read more than once)."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        check_size(raw, max_bytes=max_bytes, source=source)
        if not raw.strip():
            raise FormatError("the file is empty", code="empty_file", source=source)
        text = _decode_csv(raw, source)
        if "\x00" in text:
            raise FormatError("the file contains NUL bytes; it is not a CSV text file", code="nul_bytes", source=source)
        return lambda: _lines(text)
    path = os.fspath(data)
    encoding = _file_encoding(path, source)

    def read_lines() -> Generator[str, None, None]:
        with open(path, encoding=encoding, newline="") as handle:
            for line in handle:
                if "\x00" in line:
                    raise FormatError(
                        "the file contains NUL bytes; it is not a CSV text file", code="nul_bytes", source=source
                    )
                yield line

    return read_lines


def _file_encoding(path: str, source: str | None) -> str:
    """UTF-16 (BOM), else UTF-8 if the whole file decodes, else Windows-1252: checked in chunks."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16"
            if not head.strip() and not handle.read(4096).strip():
                raise FormatError("the file is empty", code="empty_file", source=source)
            handle.seek(0)
            for encoding in ("utf-8-sig", "cp1252"):
                decoder = codecs.getincrementaldecoder(encoding)()
                handle.seek(0)
                try:
                    for chunk in iter(lambda: handle.read(1 << 16), b""):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    continue
                return encoding
    except OSError as exc:
        raise FormatError(
            f"cannot open the log: {exc.strerror or exc}",
            code="cannot_open",
            params={"detail": str(exc.strerror or exc)},
            source=source,
        ) from None
    raise FormatError(
        "the file is neither UTF-8 nor Windows-1252 text",
        code="encoding",
        source=source,
        hint="save it from Excel as 'CSV UTF-8'",
    )


def _csv_traces(
    lines: Iterable[str],
    layout: _CsvLayout,
    *,
    source: str | None = None,
    timestamp_format: str | None = None,
    grouped: bool = True,
) -> Iterator[list[Event]]:
    """Yield the cases of a CSV event log, row by row.

    With ``grouped=True`` (rows of a case are contiguous) a case is yielded
    as soon as the next case starts; otherwise every case is kept until the
    end of the file. Case ids are used for grouping only.
    """
    reader = csv.reader(lines, delimiter=layout.delimiter)
    next(reader, None)
    open_cases: dict[str, list[Event]] = {}
    current: str | None = None
    width = max(
        i for i in (layout.case, layout.activity, layout.timestamp, layout.lifecycle) if i is not None
    )
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= width:
                raise FormatError(
                    f"row {row_number} has {len(row)} cells, fewer than the header's columns",
                    code="too_few_cells",
                    params={"row": row_number, "count": len(row)},
                    source=source,
                    line=reader.line_num,
                )
            case = row[layout.case].strip()
            activity = row[layout.activity].strip()
            if not case or not activity:
                column = layout.names[layout.case if not case else layout.activity]
                raise FormatError(
                    f"row {row_number}, column {column!r}: the cell is empty",
                    code="empty_cell",
                    params={"row": row_number, "column": column},
                    source=source,
                    line=reader.line_num,
                )
            when: float | None = None
            if layout.timestamp is not None:
                cell = row[layout.timestamp].strip()
                if cell:
                    when = _csv_time(cell, timestamp_format)
                    if when is None:
                        raise FormatError(
                            f"row {row_number}, column {layout.names[layout.timestamp]!r}: "
                            f"{cell!r} is not a date and time I can read",
                            code="bad_timestamp",
                            params={"row": row_number, "column": layout.names[layout.timestamp], "value": cell},
                            source=source,
                            line=reader.line_num,
                            hint="use ISO 8601 (2024-03-01 13:45), dd.mm.yyyy hh:mm, or pass timestamp_format",
                        )
            lifecycle = row[layout.lifecycle].strip().lower() if layout.lifecycle is not None else "complete"
            event = Event(activity, when, lifecycle or "complete")
            if grouped and case != current:
                if current is not None:
                    yield open_cases.pop(current)
                current = case
            open_cases.setdefault(case, []).append(event)
    except csv.Error as exc:
        raise FormatError(
            f"the CSV text is malformed: {exc}",
            code="csv_syntax",
            params={"detail": str(exc)},
            source=source,
            line=reader.line_num,
        ) from None
    yield from open_cases.values()


def _is_grouped(lines: Iterable[str], layout: _CsvLayout) -> bool:
    reader = csv.reader(lines, delimiter=layout.delimiter)
    next(reader, None)
    finished: set[int] = set()
    current: str | None = None
    try:
        for row in reader:
            if len(row) <= layout.case:
                continue
            case = row[layout.case].strip()
            if case != current:
                if hash(case) in finished:
                    return False
                if current is not None:
                    finished.add(hash(current))
                current = case
    except csv.Error:
        return True  # _csv_traces reports the error with its line
    return True


def read_eventlog_csv(
    data: bytes | str | os.PathLike[str],
    *,
    source: str | None = None,
    case_column: str | None = None,
    activity_column: str | None = None,
    timestamp_column: str | None = None,
    lifecycle_column: str | None = None,
    label_attribute: str | None = None,
    timestamp_format: str | None = None,
    delimiter: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    min_activity_frequency: float = 0,
    miner: str | None = None,
    noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
    min_edge_frequency: float = 0,
    parallel: bool | None = None,
    parallel_ratio: float | None = None,
) -> Process:
    """Read an event log in CSV (one row per event) and discover its step graph.

    Parameters
    ----------
    data
        The file's bytes, or a path to stream it from disk (UTF-8 with or
        without BOM, Windows-1252, or UTF-16 with BOM).
    case_column, activity_column, timestamp_column, lifecycle_column
        Header names of the columns (case-insensitive). When not given, the
        usual names are tried (``case:concept:name``, ``Case ID``, ``Sak``;
        ``concept:name``, ``Activity``, ``Aktivitet``; ``time:timestamp``,
        ``Timestamp``, ``Tidspunkt``...). Without a timestamp column the
        row order is the event order and no durations are computed.
    label_attribute
        Another name for ``activity_column``, as in :func:`read_xes`: the
        column whose text names the steps.
    timestamp_format
        A :func:`datetime.strptime` format; by default ISO 8601 and
        ``dd.mm.yyyy[ hh:mm[:ss]]`` are read. Times without zone are UTC.
    delimiter
        ``;``, ``,`` or tab; sniffed from the header when not given.
    min_activity_frequency, miner, noise_threshold, min_edge_frequency, parallel, parallel_ratio
        See :func:`discover`: by default a block-structured process
        (inductive miner); ``miner="dfg"`` for the directly-follows graph.

    Notes
    -----
    Rows need not be sorted by case. If they are grouped by case, each case
    is passed on as soon as the next begins (memory: one case, the graph,
    and a hash per case id to notice a case that comes back); otherwise all
    events are kept until the end of the file (memory grows with the log).
    Bytes are decoded in memory; a path is read line by line.

    Examples
    --------
    >>> log = "Sak;Aktivitet;Tidspunkt;Saksbehandler\\n1;Motta;01.03.2024 09:00;Kari\\n1;Vurdere;03.03.2024 09:00;Ola\\n"
    >>> p = read_eventlog_csv(log.encode())
    >>> p.step("Vurdere").metrics["duration_mean_days"]
    2.0
    >>> "Kari" in str(p.__dict__)
    False
    """
    if label_attribute is not None:
        if activity_column is not None and activity_column != label_attribute:
            raise ValueError("give activity_column or label_attribute, not two different columns")
        activity_column = label_attribute
    if source is None and isinstance(data, str | os.PathLike):
        source = PurePath(os.fspath(data)).name
    lines = _csv_source(data, source, max_bytes)
    head = lines()
    first_line = next(head, "")
    head.close()  # only the header was needed; let a file close now
    layout = _csv_layout(
        first_line,
        source,
        {
            "case": case_column,
            "activity": activity_column,
            "timestamp": timestamp_column,
            "lifecycle": lifecycle_column,
        },
        delimiter,
    )
    grouped = _is_grouped(lines(), layout)

    def traces() -> Iterator[list[Event]]:
        return _csv_traces(lines(), layout, source=source, timestamp_format=timestamp_format, grouped=grouped)

    try:
        process = discover(
            traces,
            process_id=_process_id(source),
            name=PurePath(source).stem if source else "",
            min_activity_frequency=min_activity_frequency,
            miner=miner,
            noise_threshold=noise_threshold,
            min_edge_frequency=min_edge_frequency,
            parallel=parallel,
            parallel_ratio=parallel_ratio,
        )
    except FormatError as exc:
        if exc.source is None:
            raise exc.with_source(source) from None
        raise
    process.metadata.update(
        {"source_format": "eventlog_csv", "activity_column": layout.names[layout.activity]}
    )
    return process
