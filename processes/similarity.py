"""How similar two processes are: labels, structure, behaviour, overall.

Every measure is a number in [0, 1] that is 1 for identical processes. All
of them are computed *under an alignment* (which step of A corresponds to
which step of B, see :mod:`processes.align`), so that the three numbers talk
about the same correspondences the diff and the explanations show.

Matches may group several steps (a step split in two, two steps merged). For
structure and behaviour each match is treated as **one node** on each side
(the group is contracted); unmatched steps stay single nodes. Writing
``k`` for the number of matches, ``u_A``/``u_B`` for the unmatched steps and
``N'_A = k + u_A``, ``N'_B = k + u_B`` for the contracted sizes:

Label similarity
    The node matching similarity of Dijkman et al. (2011),
    ``2 · Σ sim(n, m) / (|N_A| + |N_B|)`` over matched pairs, generalised to
    groups: a match of ``p`` steps in A and ``q`` steps in B with score ``s``
    contributes ``s · (p + q)``, so a split or merge counts every step it
    covers. ``|N|`` counts every step (events included). For a one-to-one
    match ``s`` is the label similarity of the two steps
    (:func:`processes.labels.label_similarity`: stems, compounds, synonyms),
    not the aligner's score, which also weighs structure; a split or merge
    has no single pair of labels and keeps the aligner's score.

Structural similarity
    The graph-edit-distance similarity of Dijkman et al. (2011), on the step
    graphs (:meth:`Process.step_graph`) with groups contracted::

        fskipn = (u_A + u_B) / (N'_A + N'_B)                 skipped nodes
        fskipe = |skipped edges| / (|E'_A| + |E'_B|)          skipped edges
        fsubn  = 2 · Σ (1 − s) / (2k)                         substituted nodes
        simged = 1 − (wskipn·fskipn + wskipe·fskipe + wsubn·fsubn)
                     / (wskipn + wskipe + wsubn)

    An edge of A is *kept* when B has the edge between the images of its
    ends; every other edge of A or B is skipped. ``s`` is the same score as
    for the label similarity. With no match at all the structural
    similarity is 0 (the formula leaves ``fsubn`` undefined). The weights
    are equal (1, 1, 1); Dijkman et al. tuned theirs for ranking search
    results, which is a different job.

Behavioural similarity
    Relations between steps in the style of behavioural profiles (Weidlich
    et al. 2011), computed on the process graph *with* gateway semantics:
    strict order (``→``: y can follow x, x never follows y), exclusiveness
    (``#``: never in the same case), concurrency (``∥``: different branches
    of a parallel or inclusive split) and repetition (``↺``: x and y can
    follow each other, i.e. a loop). Each process is the set of triples
    ``(x, y, relation)`` over all unordered pairs of its contracted nodes,
    matched nodes named by their match. The similarity is the Jaccard index
    ``|R_A ∩ R_B| / |R_A ∪ R_B|``: agreeing relations between matched
    steps count, and every pair involving an unmatched step counts against
    it. A group's relations are those of its earliest step.

Overall
    ``(labels + structure + behaviour) / 3`` (the ``weights`` keyword of
    :func:`similarities` changes the mix).

:func:`graph_edit_distance` is separate: it *searches* for the node mapping
with the least edit cost (not the alignment's), with the cost model of
:class:`EditCosts`, the same one :func:`networkx_costs` hands to
:func:`networkx.graph_edit_distance`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment

from processes.labels import Synonyms, normalise
from processes.labels import label_similarity as _label_pair_similarity
from processes.model import FlowKind, Gateway, GatewayKind, Process, Step, StepKind

if TYPE_CHECKING:
    from processes.align import Alignment

__all__ = [
    "EditCosts",
    "EditResult",
    "ProcessProfile",
    "Relation",
    "Similarity",
    "behavioural_similarity",
    "graph_edit_distance",
    "label_similarity",
    "mapping_cost",
    "networkx_costs",
    "profile",
    "similarities",
    "structural_similarity",
]


class Relation(IntEnum):
    """The behavioural relation of step x to step y (row x, column y)."""

    SAME = 0
    BEFORE = 1  #: x strictly before y
    AFTER = 2  #: x strictly after y
    EXCLUSIVE = 3  #: never both in one case
    CONCURRENT = 4  #: in different branches of a parallel (or inclusive) split
    REPEATED = 5  #: each can follow the other (both in a loop)


# How a node's outgoing flows are taken.
_ANY, _OR, _ALL = 0, 1, 2  # exactly one / at least one / all of them


@dataclass(frozen=True, eq=False)
class ProcessProfile:
    """What the comparison needs from one process, computed once.

    Build it with :func:`profile`. It is immutable and picklable, so a pool
    of workers can compute it once per process.

    Attributes
    ----------
    ids
        Step ids in process order.
    index
        Step id -> position in :attr:`ids`.
    labels
        Step labels, in the order of :attr:`ids`.
    norm_labels
        The labels after :func:`processes.labels.normalise`.
    relations
        ``n × n`` int8 matrix of :class:`Relation` values between steps.
    mandatory
        Per step: True when it is on every way through the process (it cannot
        be bypassed).
    rank
        Per step: its position in a topological reading of the process
        (earlier steps first), used to order output and pick neighbours.
    edges
        Edges of the step graph, as ``(i, j)`` index pairs.
    """

    ids: tuple[str, ...]
    index: Mapping[str, int]
    labels: tuple[str, ...]
    norm_labels: tuple[str, ...]
    relations: npt.NDArray[np.int8]
    mandatory: tuple[bool, ...]
    rank: tuple[int, ...]
    edges: frozenset[tuple[int, int]]

    def relation(self, x: str, y: str) -> Relation:
        """Return the relation of step ``x`` to step ``y``."""
        return Relation(int(self.relations[self.index[x], self.index[y]]))


def _bits(value: int) -> list[int]:
    out = []
    while value:
        low = value & -value
        out.append(low.bit_length() - 1)
        value ^= low
    return out


def _out_kind(
    process: Process, node: str, succ: list[str], sends: list[str] | None = None
) -> int:
    """How the flows out of ``node`` to ``succ`` fire; ``sends``: the message flows among them, if known."""
    element = process[node]
    g = process.graph
    if sends is None:
        sends = [s for s in succ if g.edges[node, s]["flow"].is_message]
    if sends:
        # A message is sent whichever way the sender's own flow goes on (see profile()).
        return _ALL
    if isinstance(element, Gateway):
        if element.kind == GatewayKind.PARALLEL:
            return _ALL
        if element.kind in (GatewayKind.INCLUSIVE, GatewayKind.COMPLEX):
            return _OR
        return _ANY
    if len(succ) < 2:
        return _ANY
    # BPMN: several unconditional flows out of an activity all fire (implicit
    # parallel split); conditional ones behave like an inclusive gateway.
    conditions = [g.edges[node, s]["flow"].condition for s in succ]
    return _OR if any(conditions) else _ALL


# The relation of x to y from three bits: 1 if x reaches y, 2 if y reaches x, 4 if
# they are on concurrent branches. Reaching wins over concurrency, and both ways
# round is a loop.
_RELATION_OF = np.array(
    [
        Relation.EXCLUSIVE,  # 0: neither reaches the other
        Relation.BEFORE,  # 1
        Relation.AFTER,  # 2
        Relation.REPEATED,  # 1 + 2
        Relation.CONCURRENT,  # 4
        Relation.BEFORE,  # 4 + 1
        Relation.AFTER,  # 4 + 2
        Relation.REPEATED,  # 4 + 1 + 2
    ],
    dtype=np.int8,
)


def profile(process: Process) -> ProcessProfile:
    """Compute the behavioural profile and step-graph view of ``process``.

    Sub-processes are entered and left through their step (the inner steps
    lie between the sub-process's predecessors and successors); a boundary
    event is an alternative way out of the activity it is attached to.

    Examples
    --------
    >>> from processes.model import Flow, Gateway, GatewayKind, Process, Step
    >>> p = Process()
    >>> for s in ("a", "b", "c", "d"):
    ...     p.add_step(Step(s, s.upper()))
    >>> p.add_gateway(Gateway("x", GatewayKind.PARALLEL))
    >>> p.add_gateway(Gateway("j", GatewayKind.PARALLEL))
    >>> for u, v in [("a", "x"), ("x", "b"), ("x", "c"), ("b", "j"), ("c", "j"), ("j", "d")]:
    ...     p.add_flow(Flow(u, v))
    >>> prof = profile(p)
    >>> prof.relation("a", "d").name, prof.relation("b", "c").name
    ('BEFORE', 'CONCURRENT')
    >>> prof.mandatory
    (True, True, True, True)
    """
    g = process.graph
    steps = process.steps
    step_ids = [s.id for s in steps]
    nodes: list[str] = step_ids + [gw.id for gw in process.gateways]
    # Each node's successors -> edge data, as plain dicts (g.adjacency() yields them;
    # g.succ[n] would wrap each in a view).
    adjacency = dict(g.adjacency())
    succ: dict[str, list[str]] = {n: list(adjacency[n]) for n in nodes}
    flow_succ = dict(succ)  # the lists are replaced below, never changed in place
    # The message flows out of each node, looked up once for both uses below.
    message_to: dict[str, list[str]] = {}
    # Speed: most processes have no message flow at all, and then no edge is one.
    has_messages = FlowKind.MESSAGE in set(map(attrgetter("kind"), process.flows))
    for source in nodes:
        out_flows = adjacency[source]
        message_to[source] = (
            [t for t in succ[source] if out_flows[t]["flow"].is_message]
            if has_messages
            else []
        )
    # (nodes are the steps, then the gateways; a step that sends no message and has
    # at most one way on is _ANY, as _out_kind would say, without the call)
    kind: dict[str, int] = {
        n: _out_kind(process, n, succ[n], message_to[n])
        if k >= len(step_ids) or message_to[n] or len(succ[n]) > 1
        else _ANY
        for k, n in enumerate(nodes)
    }
    # A sender's message flows all fire, besides its own flow onwards: when that flow
    # chooses (several ways on), the choice moves to a node of its own.
    for sender in list(nodes):
        sends = message_to[sender]
        if not sends:
            continue
        onwards = [t for t in succ[sender] if t not in sends]
        if len(onwards) > 1:
            choice = sender + "\x00onwards"
            nodes.append(choice)
            succ[choice], kind[choice] = onwards, _out_kind(process, sender, onwards)
            succ[sender] = [choice, *sends]

    children: dict[str, list[str]] = {}
    for element in process.elements:
        if element.parent is not None and element.parent in g:
            children.setdefault(element.parent, []).append(element.id)
    exit_of: dict[str, str] = {}
    for parent in children:
        exit_node = parent + "\x00exit"
        exit_of[parent] = exit_node
        nodes.append(exit_node)
        succ[exit_node], kind[exit_node] = succ[parent], kind[parent]
    for parent, members in children.items():
        flowing = [x for x in members if not _is_boundary(process[x])]
        starts = [x for x in flowing if _is_start(process[x])] or [
            x for x in flowing if g.in_degree(x) == 0
        ]
        succ[parent], kind[parent] = starts or [exit_of[parent]], _ANY
        for member in members:
            if g.out_degree(member) == 0:
                last = exit_of.get(member, member)
                succ[last] = succ[last] + [exit_of[parent]]
    for step in steps:
        if (
            step.kind == StepKind.BOUNDARY_EVENT
            and step.attached_to is not None
            and step.attached_to in g
        ):
            host = exit_of.get(step.attached_to, step.attached_to)
            done = host + "\x00done"
            if done not in succ:
                nodes.append(done)
                succ[done], kind[done] = succ[host], kind[host]
                succ[host], kind[host] = [done], _ANY
            succ[host] = succ[host] + [step.id]

    # Start events of one party are alternative ways in; the parties of a
    # collaboration each run their own process, all of them (a party that waits
    # for a message starts from its sender, see Process.start_ids).
    start_ids = [start for start in process.start_ids() if start in succ]
    parties: dict[str | None, list[str]] = {}
    for start in start_ids:
        parties.setdefault(process[start].pool, []).append(start)
    if len(parties) > 1:
        everyone = "\x00parties"
        nodes.append(everyone)
        succ[everyone], kind[everyone] = [], _ALL
        for party, party_starts in parties.items():
            if len(party_starts) == 1:
                succ[everyone].append(party_starts[0])
                continue
            party_node = f"\x00party:{party}"
            nodes.append(party_node)
            succ[party_node], kind[party_node] = party_starts, _ANY
            succ[everyone].append(party_node)
        start_ids = [everyone]

    pos = {n: i for i, n in enumerate(nodes)}
    size = len(nodes)
    out = [[pos[s] for s in succ[n] if s in pos] for n in nodes]
    kinds = [kind[n] for n in nodes]

    # Reverse topological order (post-order of a DFS, starts first so that
    # the reading order follows the process).
    roots = [pos[s] for s in start_ids]
    post: list[int] = []
    seen = [False] * size
    for root in roots + list(range(size)):
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if not seen[nxt]:
                    seen[nxt] = True
                    stack.append((nxt, iter(out[nxt])))
                    break
            else:
                stack.pop()
                post.append(node)

    reach = [0] * size
    changed = True
    while changed:
        changed = False
        for node in post:
            r = 0
            for nxt in out[node]:
                r |= (1 << nxt) | reach[nxt]
            if r != reach[node]:
                reach[node] = r
                changed = True

    concurrent = [0] * size
    for node in range(size):
        if kinds[node] != _ANY and len(out[node]) > 1:
            branches = [(1 << t) | reach[t] for t in out[node]]
            for i, bi in enumerate(branches):
                for j, bj in enumerate(branches):
                    if i != j:
                        only_j = bj & ~bi
                        for x in _bits(bi & ~bj):
                            concurrent[x] |= only_j

    full = (1 << size) - 1
    must = [full] * size
    changed = True
    while changed:
        changed = False
        for node in post:
            if not out[node]:
                bits = 1 << node
            elif kinds[node] == _ALL:
                bits = 0
                for nxt in out[node]:
                    bits |= must[nxt]
                bits |= 1 << node
            else:
                bits = full
                for nxt in out[node]:
                    bits &= must[nxt]
                bits |= 1 << node
            if bits != must[node]:
                must[node] = bits
                changed = True
    if roots:
        mandatory_bits = full
        for root in roots:
            mandatory_bits &= must[root]
    else:  # no way in: nothing can be said to be bypassable
        mandatory_bits = full

    n = len(step_ids)
    nbytes = max(1, (size + 7) // 8)

    def matrix(rows: list[int]) -> npt.NDArray[np.uint8]:
        """The first n bits of the first n rows, as an n x n matrix of 0 and 1."""
        raw = b"".join(r.to_bytes(nbytes, "little") for r in rows[:n])
        return np.unpackbits(
            np.frombuffer(raw, dtype=np.uint8).reshape(n, nbytes),
            axis=1,
            count=n,
            bitorder="little",
        )

    if n:
        reach_m = matrix(reach)
        conc_m = matrix(concurrent)
        # Speed: each cell's relation looked up at once from its three bits (see
        # _RELATION_OF) instead of five masked assignments.
        code = reach_m + (reach_m.T << 1) + ((conc_m | conc_m.T) << 2)
        rel = _RELATION_OF[code]
        np.fill_diagonal(rel, Relation.SAME)
    else:
        rel = np.zeros((0, 0), dtype=np.int8)

    order = {node: i for i, node in enumerate(reversed(post))}
    rank = tuple(order[i] for i in range(n))
    index = {s: i for i, s in enumerate(step_ids)}
    edges = _step_edges(process, step_ids, index, flow_succ)
    rel.setflags(write=False)
    return ProcessProfile(
        ids=tuple(step_ids),
        index=index,
        labels=tuple(s.label for s in steps),
        norm_labels=tuple(normalise(s.label) for s in steps),
        relations=rel,
        mandatory=tuple(bool(mandatory_bits >> i & 1) for i in range(n)),
        rank=rank,
        edges=edges,
    )


def _step_edges(
    process: Process,
    step_ids: Sequence[str],
    index: Mapping[str, int],
    flow_succ: Mapping[str, Sequence[str]],
) -> frozenset[tuple[int, int]]:
    """The step graph as index pairs (as :meth:`Process.step_graph`, without building a networkx graph).

    ``u -> v`` when flows lead from step u to step v through gateways only.
    """
    gateway_ids = {gw.id for gw in process.gateways}
    step_edges: set[tuple[int, int]] = set()
    for u in step_ids:
        pending = list(flow_succ[u])
        visited: set[str] = set()
        while pending:
            v = pending.pop()
            if v in visited:
                continue
            visited.add(v)
            if v in gateway_ids:
                pending.extend(flow_succ[v])
            else:
                step_edges.add((index[u], index[v]))
    return frozenset(step_edges)


def _is_boundary(element: object) -> bool:
    return isinstance(element, Step) and element.kind == StepKind.BOUNDARY_EVENT


def _is_start(element: object) -> bool:
    return isinstance(element, Step) and element.kind == StepKind.START_EVENT


# -- measures under an alignment ---------------------------------------------


@dataclass(frozen=True)
class Similarity:
    """The four similarity numbers, each in [0, 1]."""

    overall: float
    labels: float
    structure: float
    behaviour: float

    def as_dict(self) -> dict[str, float]:
        """Return ``{"overall": …, "labels": …, "structure": …, "behaviour": …}``."""
        return {
            "overall": self.overall,
            "labels": self.labels,
            "structure": self.structure,
            "behaviour": self.behaviour,
        }


def _groups(
    pa: ProcessProfile,
    pb: ProcessProfile,
    alignment: Alignment,
    synonyms: Synonyms | None = None,
) -> tuple[list[tuple[list[int], list[int], float]], int, int]:
    """Matches as index groups with their label score, plus the unmatched counts.

    A one-to-one match scores the label similarity of its two steps
    (:func:`processes.labels.label_similarity`, which knows synonyms and
    compounds), not the aligner's score, which also weighs structure. A
    split or merge has no single pair of labels, so it keeps the aligner's
    score. Steps unknown to a profile are ignored.
    """
    groups = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for m in alignment.matches:
        ia = [pa.index[x] for x in m.a if x in pa.index and pa.index[x] not in used_a]
        ib = [pb.index[y] for y in m.b if y in pb.index and pb.index[y] not in used_b]
        if ia and ib:
            used_a.update(ia)
            used_b.update(ib)
            if len(ia) == 1 and len(ib) == 1:
                score = _pair_score(
                    pa.norm_labels[ia[0]], pb.norm_labels[ib[0]], synonyms
                )
            else:
                score = min(1.0, max(0.0, float(m.score)))
            groups.append((ia, ib, score))
    return groups, len(pa.ids) - len(used_a), len(pb.ids) - len(used_b)


@lru_cache(maxsize=65536)
def _pair_score(x: str, y: str, synonyms: Synonyms | None) -> float:
    if x == y:
        return 1.0
    return _label_pair_similarity(x, y, synonyms=synonyms)


def label_similarity(
    pa: ProcessProfile,
    pb: ProcessProfile,
    alignment: Alignment,
    *,
    synonyms: Synonyms | None = None,
) -> float:
    """Node matching similarity: ``Σ s·(p+q) / (|N_A| + |N_B|)`` over matches.

    Examples
    --------
    >>> from processes.model import Process, Step
    >>> p = Process(); p.add_step(Step("a", "A")); prof = profile(p)
    >>> from types import SimpleNamespace as M
    >>> label_similarity(prof, prof, M(matches=[M(a=("a",), b=("a",), score=1.0)]))
    1.0
    """
    return _labels(pa, pb, _groups(pa, pb, alignment, synonyms)[0])


_Groups = list[tuple[list[int], list[int], float]]


def _labels(pa: ProcessProfile, pb: ProcessProfile, groups: _Groups) -> float:
    total = len(pa.ids) + len(pb.ids)
    if total == 0:
        return 1.0
    return _clip(sum(s * (len(ia) + len(ib)) for ia, ib, s in groups) / total)


def structural_similarity(
    pa: ProcessProfile,
    pb: ProcessProfile,
    alignment: Alignment,
    *,
    wskipn: float = 1.0,
    wskipe: float = 1.0,
    wsubn: float = 1.0,
    synonyms: Synonyms | None = None,
) -> float:
    """Graph-edit-distance similarity (Dijkman et al. 2011) under the alignment.

    See the module docstring for the formula.
    """
    groups, ua, ub = _groups(pa, pb, alignment, synonyms)
    return _structure(pa, pb, groups, ua, ub, (wskipn, wskipe, wsubn))


def _structure(
    pa: ProcessProfile,
    pb: ProcessProfile,
    groups: _Groups,
    ua: int,
    ub: int,
    weights: tuple[float, float, float],
) -> float:
    wskipn, wskipe, wsubn = weights
    if not pa.ids and not pb.ids:
        return 1.0
    k = len(groups)
    if k == 0:
        return 0.0
    qa = _quotient(pa, [g[0] for g in groups])
    qb = _quotient(pb, [g[1] for g in groups])
    ea, eb = _quotient_edges(pa, qa), _quotient_edges(pb, qb)
    kept = sum(1 for (u, v) in ea if u < k and v < k and (u, v) in eb)
    fskipn = (ua + ub) / (2 * k + ua + ub)
    fskipe = (len(ea) + len(eb) - 2 * kept) / (len(ea) + len(eb)) if (ea or eb) else 0.0
    fsubn = sum(1.0 - s for _, _, s in groups) / k
    weight = wskipn + wskipe + wsubn
    return _clip(1.0 - (wskipn * fskipn + wskipe * fskipe + wsubn * fsubn) / weight)


def _quotient(p: ProcessProfile, groups: Sequence[Sequence[int]]) -> list[int]:
    """Map each step index to its contracted node: group number, or k + own index."""
    k = len(groups)
    q = [k + i for i in range(len(p.ids))]
    for g, members in enumerate(groups):
        for i in members:
            q[i] = g
    return q


def _quotient_edges(p: ProcessProfile, q: list[int]) -> set[tuple[int, int]]:
    return {(q[u], q[v]) for u, v in p.edges if q[u] != q[v]}


def _representative(p: ProcessProfile, members: Sequence[int]) -> int:
    return min(members, key=lambda i: (p.rank[i], i))


def behavioural_similarity(
    pa: ProcessProfile, pb: ProcessProfile, alignment: Alignment
) -> float:
    """Jaccard agreement of behavioural relations between matched steps.

    See the module docstring for the formula.
    """
    groups, ua, ub = _groups(pa, pb, alignment)
    return _behaviour(pa, pb, groups, ua, ub)


def _behaviour(
    pa: ProcessProfile, pb: ProcessProfile, groups: _Groups, ua: int, ub: int
) -> float:
    k = len(groups)
    na, nb = k + ua, k + ub
    ra, rb = na * (na - 1) // 2, nb * (nb - 1) // 2
    if ra + rb == 0:
        return 1.0 if (ua == 0 and ub == 0) else 0.0
    agree = 0
    if k > 1:
        ia = np.array([_representative(pa, g[0]) for g in groups], dtype=np.intp)
        ib = np.array([_representative(pb, g[1]) for g in groups], dtype=np.intp)
        same = pa.relations[np.ix_(ia, ia)] == pb.relations[np.ix_(ib, ib)]
        agree = int((np.count_nonzero(same) - k) // 2)
    return _clip(agree / (ra + rb - agree))


def similarities(
    pa: ProcessProfile,
    pb: ProcessProfile,
    alignment: Alignment,
    *,
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
    synonyms: Synonyms | None = None,
) -> Similarity:
    """All three measures and their weighted mean ``overall``.

    ``weights`` are for (labels, structure, behaviour); ``synonyms`` are
    used for the label similarity of matched pairs.
    """
    groups, ua, ub = _groups(pa, pb, alignment, synonyms)
    lab = _labels(pa, pb, groups)
    struct = _structure(pa, pb, groups, ua, ub, (1.0, 1.0, 1.0))
    beh = _behaviour(pa, pb, groups, ua, ub)
    overall = (weights[0] * lab + weights[1] * struct + weights[2] * beh) / sum(weights)
    return Similarity(
        overall=_round(overall),
        labels=_round(lab),
        structure=_round(struct),
        behaviour=_round(beh),
    )


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _round(x: float) -> float:
    # Sums of floats can land a hair off 1.0; 12 digits keeps results stable and exact for equal inputs.
    return round(_clip(x), 12)


# -- graph edit distance search ---------------------------------------------


@dataclass(frozen=True)
class EditCosts:
    """The edit cost model, shared with :func:`networkx_costs`.

    Substituting node ``n`` by ``m`` costs ``substitute · (1 − sim(n, m))``;
    deleting or inserting a node costs ``node``; deleting or inserting an
    edge costs ``edge``; an edge kept between substituted nodes costs 0.
    """

    node: float = 1.0
    edge: float = 1.0
    substitute: float = 2.0


@dataclass(frozen=True)
class EditResult:
    """Result of :func:`graph_edit_distance`: the cost and the node mapping found.

    ``mapping`` holds ``(step of A, step of B)`` pairs; steps of A not in it
    are deleted, steps of B not in it inserted. ``optimal`` is True only when
    the search proved optimality (small graphs).
    """

    cost: float
    mapping: tuple[tuple[str, str], ...]
    optimal: bool


def _label_matrix(
    la: Sequence[str], lb: Sequence[str], similarity: Callable[[str, str], float] | None
) -> npt.NDArray[np.float64]:
    if similarity is None:
        # String edit similarity of the normalised labels, as in Dijkman et al. (2011).
        na = [normalise(x) for x in la]
        nb = [normalise(y) for y in lb]
        if not na or not nb:
            return np.zeros((len(na), len(nb)))
        return np.asarray(
            cdist(na, nb, scorer=Indel.normalized_similarity, dtype=np.float64),
            dtype=np.float64,
        )
    sim = np.zeros((len(la), len(lb)))
    for i, x in enumerate(la):
        for j, y in enumerate(lb):
            sim[i, j] = similarity(x, y)
    return sim


def networkx_costs(
    a: Process,
    b: Process,
    *,
    costs: EditCosts = EditCosts(),
    similarity: Callable[[str, str], float] | None = None,
) -> dict[str, Any]:
    """Keyword arguments that make :func:`networkx.graph_edit_distance` use our cost model.

    Use with the graphs ``a.step_graph()`` and ``b.step_graph()``::

        nx.graph_edit_distance(a.step_graph(), b.step_graph(), **networkx_costs(a, b))
    """
    la = [s.label for s in a.steps]
    lb = [s.label for s in b.steps]
    ia = {s.id: i for i, s in enumerate(a.steps)}
    ib = {s.id: i for i, s in enumerate(b.steps)}
    sim = _label_matrix(la, lb, similarity)

    def node_subst_cost(x: Mapping[str, Any], y: Mapping[str, Any]) -> float:
        return costs.substitute * (1.0 - float(sim[ia[x["step"].id], ib[y["step"].id]]))

    return {
        "node_subst_cost": node_subst_cost,
        "node_del_cost": lambda _x: costs.node,
        "node_ins_cost": lambda _y: costs.node,
        "edge_subst_cost": lambda _x, _y: 0.0,
        "edge_del_cost": lambda _x: costs.edge,
        "edge_ins_cost": lambda _y: costs.edge,
    }


def mapping_cost(
    a: Process,
    b: Process,
    mapping: Sequence[tuple[str, str]],
    *,
    costs: EditCosts = EditCosts(),
    similarity: Callable[[str, str], float] | None = None,
) -> float:
    """The edit cost of a given one-to-one node mapping (unmapped steps are deleted/inserted)."""
    pa, pb = _graph(a), _graph(b)
    sim = _label_matrix(pa.labels, pb.labels, similarity)
    assign = [-1] * len(pa.ids)
    for x, y in mapping:
        assign[pa.index[x]] = pb.index[y]
    return _Search(pa, pb, sim, costs).cost(assign)


@dataclass(frozen=True)
class _Graph:
    """What the edit-distance search needs of one process: step ids, labels, step-graph edges."""

    ids: tuple[str, ...]
    index: Mapping[str, int]
    labels: tuple[str, ...]
    edges: frozenset[tuple[int, int]]


def _graph(process: Process) -> _Graph:
    steps = process.steps
    ids = tuple(s.id for s in steps)
    index = {x: i for i, x in enumerate(ids)}
    g = process.graph
    flow_succ = {e.id: list(g.successors(e.id)) for e in process.elements}
    return _Graph(
        ids=ids,
        index=index,
        labels=tuple(s.label for s in steps),
        edges=_step_edges(process, ids, index, flow_succ),
    )


class _Search:
    """Local search over one-to-one mappings; assignment ``-1`` means deleted.

    The cost of an assignment is ``node·(n+m) + Σ_i t(i, a_i) + edge·(|E_A|+|E_B|) − 2·edge·kept``
    with ``t(i, j) = sub(i, j) − 2·node`` for a substitution and 0 for a deletion, so a move
    changes it by the ``t`` terms of the nodes it touches and the edges around them.
    """

    def __init__(
        self, pa: _Graph, pb: _Graph, sim: npt.NDArray[np.float64], costs: EditCosts
    ):
        self.n, self.m = len(pa.ids), len(pb.ids)
        self.costs = costs
        self.sub = costs.substitute * (1.0 - sim)
        self.t = (self.sub - 2 * costs.node).tolist()
        self.out_a: list[list[int]] = [[] for _ in range(self.n)]
        self.in_a: list[list[int]] = [[] for _ in range(self.n)]
        for u, v in pa.edges:
            self.out_a[u].append(v)
            self.in_a[v].append(u)
        self.eb = set(pb.edges)
        self.ea = set(pa.edges)
        self.n_ea, self.n_eb = len(pa.edges), len(pb.edges)
        self.lower_bound = 0.0
        # Edges of A around each node, each once (a self-loop too).
        self.incident: list[list[tuple[int, int]]] = [
            sorted({(i, v) for v in self.out_a[i]} | {(u, i) for u in self.in_a[i]})
            for i in range(self.n)
        ]

    def cost(self, assign: Sequence[int]) -> float:
        c = self.costs
        mapped = [j for j in assign if j >= 0]
        node = sum(self.sub[i, j] for i, j in enumerate(assign) if j >= 0)
        node += c.node * ((self.n - len(mapped)) + (self.m - len(mapped)))
        kept = sum(
            1
            for u, v in self.ea
            if assign[u] >= 0 and assign[v] >= 0 and (assign[u], assign[v]) in self.eb
        )
        return float(node + c.edge * (self.n_ea + self.n_eb - 2 * kept))

    def initial(self) -> list[int]:
        """Riesen–Bunke bipartite assignment; its optimum is also a lower bound of the distance.

        A substitution ``i → j`` costs the node cost plus half the edges that
        cannot be kept around it (``|Δ out-degree| + |Δ in-degree|``, each
        unkept edge being counted at both its ends); a deletion or insertion
        costs the node plus half its edges.
        """
        n, m, c = self.n, self.m, self.costs
        big = 1e9
        size = n + m
        cost = np.full((size, size), big)
        outdeg_a = np.array([len(x) for x in self.out_a], dtype=float)
        indeg_a = np.array([len(x) for x in self.in_a], dtype=float)
        outdeg_b = np.zeros(m)
        indeg_b = np.zeros(m)
        for u, v in self.eb:
            outdeg_b[u] += 1
            indeg_b[v] += 1
        if n and m:
            est = (
                (
                    np.abs(outdeg_a[:, None] - outdeg_b[None, :])
                    + np.abs(indeg_a[:, None] - indeg_b[None, :])
                )
                * c.edge
                / 2
            )
            cost[:n, :m] = self.sub + est
        for i in range(n):
            cost[i, m + i] = c.node + (outdeg_a[i] + indeg_a[i]) * c.edge / 2
        for j in range(m):
            cost[n + j, j] = c.node + (outdeg_b[j] + indeg_b[j]) * c.edge / 2
        cost[n:, m:] = 0.0
        rows, cols = linear_sum_assignment(cost)
        self.lower_bound = float(cost[rows, cols].sum())
        assign = [-1] * n
        for r, col in zip(rows, cols):
            if r < n and col < m:
                assign[int(r)] = int(col)
        return assign

    def _kept_around(self, nodes: tuple[int, ...], assign: Sequence[int]) -> int:
        edges = self.incident[nodes[0]]
        if len(nodes) > 1:
            i = nodes[0]
            edges = edges + [e for e in self.incident[nodes[1]] if i not in e]
        eb = self.eb
        kept = 0
        for u, v in edges:
            ju, jv = assign[u], assign[v]
            if ju >= 0 and jv >= 0 and (ju, jv) in eb:
                kept += 1
        return kept

    def improve(self, assign: list[int], deadline: float | None) -> list[int]:
        """First-improvement local search: re-map one node (to a free node or deleted), or swap two nodes' images."""
        t, edge = self.t, self.costs.edge
        candidates = list(range(self.m)) + [-1]
        owner = {j: i for i, j in enumerate(assign) if j >= 0}
        improved = True
        while improved:
            improved = False
            for i in range(self.n):
                if deadline is not None and time.perf_counter() > deadline:
                    return assign
                for j in candidates:
                    current = assign[i]
                    if j == current:
                        continue
                    other = owner.get(j) if j >= 0 else None
                    touched = (i,) if other is None else (i, other)
                    before = self._kept_around(touched, assign)
                    delta = (t[i][j] if j >= 0 else 0.0) - (
                        t[i][current] if current >= 0 else 0.0
                    )
                    if other is not None:
                        delta += (t[other][current] if current >= 0 else 0.0) - t[
                            other
                        ][j]
                    assign[i] = j
                    if other is not None:
                        assign[other] = current
                    delta -= 2 * edge * (self._kept_around(touched, assign) - before)
                    if delta < -1e-12:
                        improved = True
                        if current >= 0:
                            if other is not None:
                                owner[current] = other
                            else:
                                owner.pop(current, None)
                        if j >= 0:
                            owner[j] = i
                    else:
                        assign[i] = current
                        if other is not None:
                            assign[other] = j
        return assign


@dataclass
class _BnbState:
    best: float
    assign: list[int]
    expanded: int = 0
    complete: bool = True


def _branch_and_bound(
    search: _Search,
    best_assign: list[int],
    best: float,
    deadline: float | None,
    budget: int,
) -> tuple[list[int], float, bool]:
    """Depth-first branch and bound over all one-to-one mappings, from a known solution.

    Nodes of A are decided in breadth-first order (so that edges are decided
    early); each is mapped to a free node of B (cheapest substitution first)
    or deleted. The bound adds, for the undecided nodes, their cheapest
    possible node cost and assumes every undecided edge is kept. Returns the
    best mapping, its cost and whether the search completed (proving it
    optimal) within ``deadline`` and ``budget`` expanded nodes.
    """
    n, m, c = search.n, search.m, search.costs
    sub = search.sub.tolist()
    ea, eb = search.ea, search.eb
    # Breadth-first order over A, highest degree first, so edges close early.
    degree = [len(search.out_a[i]) + len(search.in_a[i]) for i in range(n)]
    order: list[int] = []
    placed = [False] * n
    for root in sorted(range(n), key=lambda i: (-degree[i], i)):
        if placed[root]:
            continue
        queue = [root]
        placed[root] = True
        while queue:
            i = queue.pop(0)
            order.append(i)
            for k in sorted(
                search.out_a[i] + search.in_a[i], key=lambda x: (-degree[x], x)
            ):
                if not placed[k]:
                    placed[k] = True
                    queue.append(k)
    depth_of = {i: d for d, i in enumerate(order)}
    back: list[
        list[tuple[int, bool]]
    ] = []  # per depth: (earlier A node, edge goes from the new node)
    for d, i in enumerate(order):
        back.append(
            [(k, True) for k in search.out_a[i] if k != i and depth_of[k] < d]
            + [(k, False) for k in search.in_a[i] if k != i and depth_of[k] < d]
        )
    loops_a = [(i, i) in ea for i in order]
    future_a = [
        sum(1 for (u, v) in ea if max(depth_of[u], depth_of[v]) >= d)
        for d in range(n + 1)
    ]
    b_nbrs: list[list[int]] = [[] for _ in range(m)]
    for u, v in eb:
        if u != v:
            b_nbrs[u].append(v)
            b_nbrs[v].append(u)
    loops_b = [(j, j) in eb for j in range(m)]
    cheapest = [min([c.node] + sub[i]) for i in order]
    rest = [sum(cheapest[d:]) for d in range(n + 1)]
    n_ea, n_eb = len(ea), len(eb)
    choices = [sorted(range(m), key=lambda j: (sub[i][j], j)) for i in order]
    assign = [-1] * n
    used = [False] * m
    used_nbrs = [0] * m  # per node of B: how many of its neighbours are used
    state = _BnbState(best, list(best_assign))

    def visit(
        d: int, node_cost: float, kept: int, used_count: int, b_decided: int
    ) -> None:
        if d == n:
            total = (
                node_cost
                + c.node * (m - used_count)
                + c.edge * (n_ea + n_eb - 2 * kept)
            )
            if total < state.best - 1e-12:
                state.best, state.assign = total, list(assign)
            return
        state.expanded += 1
        if state.expanded > budget or (
            deadline is not None
            and state.expanded % 256 == 0
            and time.perf_counter() > deadline
        ):
            state.complete = False
            return
        free_b = m - used_count
        bound_nodes = node_cost + rest[d] + c.node * max(0, free_b - (n - d))
        possible = kept + min(future_a[d], n_eb - b_decided)
        if bound_nodes + c.edge * (n_ea + n_eb - 2 * possible) >= state.best - 1e-12:
            return
        i = order[d]
        # Bound of a child before descending into it (saves the call when it is pruned).
        rest_next = rest[d + 1]
        future_next = future_a[d + 1]
        for j in choices[d]:
            if used[j]:
                continue
            gain = 1 if loops_a[d] and loops_b[j] else 0
            for k, outgoing in back[d]:
                jk = assign[k]
                if jk >= 0 and ((j, jk) if outgoing else (jk, j)) in eb:
                    gain += 1
            decided = (1 if loops_b[j] else 0) + used_nbrs[j]
            child_cost = node_cost + sub[i][j]
            child_kept = kept + gain
            child_possible = child_kept + min(future_next, n_eb - b_decided - decided)
            child_bound = (
                child_cost
                + rest_next
                + c.node * max(0, free_b - 1 - (n - d - 1))
                + c.edge * (n_ea + n_eb - 2 * child_possible)
            )
            if child_bound >= state.best - 1e-12:
                state.expanded += 1  # a pruned child counts against the budget too
                continue
            assign[i], used[j] = j, True
            for x in b_nbrs[j]:
                used_nbrs[x] += 1
            visit(d + 1, child_cost, child_kept, used_count + 1, b_decided + decided)
            for x in b_nbrs[j]:
                used_nbrs[x] -= 1
            assign[i], used[j] = -1, False
            if not state.complete:
                return
        visit(d + 1, node_cost + c.node, kept, used_count, b_decided)

    visit(0, 0.0, 0, 0, 0)
    return state.assign, state.best, state.complete


def graph_edit_distance(
    a: Process,
    b: Process,
    *,
    costs: EditCosts = EditCosts(),
    similarity: Callable[[str, str], float] | None = None,
    seed: Sequence[tuple[str, str]] | None = None,
    upper_bound: float | None = None,
    timeout: float | None = None,
    budget: int = 5_000,
) -> EditResult | None:
    """Search for a cheap edit path between the step graphs of ``a`` and ``b``.

    Three stages. (1) Start points: the Riesen–Bunke bipartite assignment
    (Hungarian method on node costs plus an estimate of the edge edits
    around each node) and, if given, ``seed`` (e.g. the pairs of a label
    alignment). (2) Each start is improved by local search (re-map one node,
    or swap the images of two nodes) until no move lowers the cost. (3) A
    depth-first branch and bound, started from the best mapping so far,
    looks for a cheaper one until it has expanded ``budget`` search nodes;
    if it finishes, the result is proven optimal. The cost is exact for the
    mapping returned, so it is always an upper bound of the true graph edit
    distance under the same :class:`EditCosts` (see :func:`networkx_costs`).

    Parameters
    ----------
    a, b
        The processes; their step graphs are compared.
    costs
        Edit costs.
    similarity
        Label similarity in [0, 1]; by default the string edit (Indel)
        similarity of the normalised labels, as Dijkman et al. (2011) use.
        :func:`processes.labels.label_similarity` (synonyms, stems) also
        works, at a higher cost.
    seed
        Optional one-to-one ``(step of A, step of B)`` pairs to start from.
    upper_bound
        Return None if the best cost found is above this.
    timeout
        Seconds after which the search stops and returns what it has.
    budget
        Search nodes the branch and bound may expand (bounds the work: the
        exact problem is NP-hard). 0 skips it.

    Returns
    -------
    EditResult or None
        None only when ``upper_bound`` is exceeded. ``optimal`` tells
        whether the branch and bound completed.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i-1}", f"s{i}"))
    ...     return p
    >>> r = graph_edit_distance(chain("A", "B", "C"), chain("A", "C"))
    >>> r.cost  # delete B, its two flows, insert the flow A -> C
    4.0
    >>> r.mapping
    (('s0', 's0'), ('s2', 's1'))
    """
    deadline = None if timeout is None else time.perf_counter() + timeout
    pa, pb = _graph(a), _graph(b)
    sim = _label_matrix(pa.labels, pb.labels, similarity)
    search = _Search(pa, pb, sim, costs)
    starts = [search.initial()]
    if seed:
        assign = [-1] * search.n
        taken: set[int] = set()
        for x, y in seed:
            if (
                x in pa.index
                and y in pb.index
                and pb.index[y] not in taken
                and assign[pa.index[x]] < 0
            ):
                assign[pa.index[x]] = pb.index[y]
                taken.add(pb.index[y])
        starts.append(assign)
    best_assign: list[int] = []
    best = math.inf
    for start in starts:
        result = search.improve(list(start), deadline)
        c = search.cost(result)
        if c < best:
            best, best_assign = c, result
    # The bipartite optimum is a lower bound: reaching it proves optimality without a search.
    optimal = best <= search.lower_bound + 1e-9
    if budget > 0 and not optimal:
        best_assign, best, optimal = _branch_and_bound(
            search, best_assign, best, deadline, budget
        )
    if upper_bound is not None and best > upper_bound:
        return None
    mapping = tuple((pa.ids[i], pb.ids[j]) for i, j in enumerate(best_assign) if j >= 0)
    return EditResult(cost=best, mapping=mapping, optimal=optimal)
