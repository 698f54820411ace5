"""Divergence map: how every municipality's variant departs from the standard, step by step.

A cooperation's coordinator wants one picture of all members at once: a
table with a row per municipality and a column per step of the standard,
each cell saying whether the municipality has the step as in the standard
(*same*), under another name (*renamed*), at another place (*moved*), split
into several steps (*split*), merged with others (*merged*) or not at all
(*missing*). :func:`divergence_map` builds that table from the engine's
comparisons (:func:`processes.compare.compare`) and orders its rows so that
similar municipalities sit together: hierarchical clustering of the
pairwise similarity of the variants (average linkage, optimal leaf
ordering), which also gives the order of the similarity heatmap. The
number of row groups is chosen from the similarities (best silhouette,
checked against shuffled similarities: :func:`choose_clusters`) unless the
caller asks for a number; the map's ``clustering`` says which and why.

The inputs may be :class:`processes.compare.Comparison` objects or
:class:`Outcome` summaries rebuilt from their stored JSON
(:meth:`Outcome.from_dict`), so a web page can draw the map from stored
results without the variants themselves.

:func:`find_steps` answers "which municipalities have a step like
«befaring»?" with the engine's label similarity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage, optimal_leaf_ordering
from scipy.spatial.distance import squareform

from processes.align import MatchKind
from processes.compare import Comparison, compare, compare_matrix
from processes.diff import DifferenceKind
from processes.explain import name_of
from processes.labels import (
    LabelSet,
    analyse,
    concept_matrix,
    detect_language,
    normalise,
    similarity_matrix,
    tokenise,
)
from processes.model import Process
from processes.text import norwegian_key

__all__ = [
    "CLEAR_SILHOUETTE",
    "DEFAULT_CLUSTER_THRESHOLD",
    "DEFAULT_SEARCH_THRESHOLD",
    "MAX_AUTOMATIC_GROUPS",
    "MIN_SILHOUETTE",
    "NULL_SHUFFLES",
    "SORT_KEYS",
    "Cell",
    "CellStatus",
    "Clustering",
    "Column",
    "DivergenceMap",
    "Heatmap",
    "Outcome",
    "Row",
    "StepHit",
    "choose_clusters",
    "cluster_order",
    "divergence_map",
    "find_steps",
    "step_order",
]

#: The fixed cut of :func:`cluster_order`: rows whose variants are at least
#: this similar (overall) share a cluster number. The divergence map chooses
#: the number of groups from the data instead (:func:`choose_clusters`).
DEFAULT_CLUSTER_THRESHOLD = 0.7

#: :func:`find_steps` reports steps whose label similarity to the query reaches this.
DEFAULT_SEARCH_THRESHOLD = 0.5

#: The orders :meth:`DivergenceMap.sorted_rows` knows, besides ``"step:<id>"``.
SORT_KEYS = ("cluster", "name", "overall", "labels", "structure", "behaviour", "extra")


class CellStatus(StrEnum):
    """What became of one step of the standard in one variant."""

    SAME = "same"
    RENAMED = "renamed"
    MOVED = "moved"
    SPLIT = "split"
    MERGED = "merged"
    MISSING = "missing"


# Differences that say something about one step of A (flows are about pairs, left out).
_STEP_KINDS = frozenset(
    {
        DifferenceKind.RENAMED_STEP,
        DifferenceKind.PARALLEL_VS_SEQUENTIAL,
        DifferenceKind.OPTIONAL_VS_MANDATORY,
        DifferenceKind.KIND_CHANGED,
        DifferenceKind.LANE_CHANGED,
        DifferenceKind.MODE_CHANGED,
        DifferenceKind.SYSTEM_CHANGED,
        DifferenceKind.LEGAL_BASIS_CHANGED,
        DifferenceKind.HANDLING_DAYS_CHANGED,
    }
)


@dataclass(frozen=True)
class Outcome:
    """What the divergence map needs from one comparison of the standard (A) with a variant (B).

    Attributes
    ----------
    matches
        ``(a ids, b ids, score, kind)`` per match, ``kind`` a
        :class:`processes.align.MatchKind` value.
    missing, extra
        Steps of A without counterpart in B, and of B without counterpart in A.
    differences
        ``(kind, a ids, b ids)`` per difference, ``kind`` a
        :class:`processes.diff.DifferenceKind` value; for ``order_changed``
        the first id of ``a`` is the step that moved.
    similarity
        ``{"overall", "labels", "structure", "behaviour"}`` in [0, 1].
    labels
        Label of each step of B (may be empty: cells then show ids only).
    """

    matches: tuple[tuple[tuple[str, ...], tuple[str, ...], float, str], ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    differences: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    similarity: Mapping[str, float]
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_comparison(cls, comparison: Comparison) -> Outcome:
        """Summarise an engine :class:`processes.compare.Comparison`."""
        return cls(
            matches=tuple(
                (m.a, m.b, float(m.score), MatchKind(m.kind).value)
                for m in comparison.alignment.matches
            ),
            missing=tuple(comparison.alignment.missing),
            extra=tuple(comparison.alignment.extra),
            differences=tuple((d.kind.value, d.a, d.b) for d in comparison.differences),
            similarity=comparison.similarity.as_dict(),
            labels={s.id: s.label for s in comparison.b.steps},
        )

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], labels: Mapping[str, str] | None = None
    ) -> Outcome:
        """Rebuild from the shape of :meth:`processes.compare.Comparison.to_dict`.

        Raises
        ------
        ValueError
            ``data`` lacks a key of that shape or has an unknown kind.

        Examples
        --------
        >>> o = Outcome.from_dict({
        ...     "similarity": {"overall": 0.5, "labels": 0.8, "structure": 0.4, "behaviour": 0.3},
        ...     "matches": [{"a": ["s0"], "b": ["x"], "score": 0.9, "kind": "identical"}],
        ...     "missing": ["s1"], "extra": [], "differences": [
        ...         {"kind": "missing_step", "text": "…", "a": ["s1"], "b": []}]})
        >>> o.missing, o.similarity["labels"]
        (('s1',), 0.8)
        """
        try:
            matches = tuple(
                (
                    tuple(map(str, m["a"])),
                    tuple(map(str, m["b"])),
                    float(m["score"]),
                    MatchKind(m["kind"]).value,
                )
                for m in data["matches"]
            )
            differences = tuple(
                (
                    DifferenceKind(d["kind"]).value,
                    tuple(map(str, d["a"])),
                    tuple(map(str, d["b"])),
                )
                for d in data["differences"]
            )
            similarity = {
                k: float(data["similarity"][k])
                for k in ("overall", "labels", "structure", "behaviour")
            }
            missing = tuple(map(str, data["missing"]))
            extra = tuple(map(str, data["extra"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a comparison result: missing or bad {exc}") from None
        return cls(matches, missing, extra, differences, similarity, dict(labels or {}))


@dataclass(frozen=True)
class Cell:
    """One step of the standard in one variant.

    Attributes
    ----------
    status
        What became of the step (:class:`CellStatus`).
    variant_steps, variant_labels
        The variant's corresponding steps (empty when missing).
    score
        The aligner's score of the match (0 when missing).
    also
        Further differences about this step (:class:`processes.diff.DifferenceKind`
        values, e.g. ``lane_changed``), in report order.
    """

    status: CellStatus
    variant_steps: tuple[str, ...] = ()
    variant_labels: tuple[str, ...] = ()
    score: float = 0.0
    also: tuple[str, ...] = ()

    @property
    def has_step(self) -> bool:
        """True unless the step is missing."""
        return self.status is not CellStatus.MISSING


@dataclass(frozen=True)
class Column:
    """One step of the standard, with how many variants have it in some form.

    ``names`` is what a person calls the step, by language (``"nb"``,
    ``"en"``): its label, or for an unnamed step its kind and position
    ("Slutthendelsen etter «Fatte vedtak»", see :func:`processes.explain.name_of`).
    """

    step_id: str
    label: str
    lane: str | None
    present: int
    total: int
    counts: Mapping[str, int]
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, lang: str = "nb") -> str:
        """The step's name in ``lang``; never empty (the id as the last resort)."""
        return self.names.get(lang) or self.label or self.step_id

    @property
    def share(self) -> float:
        """Share of the rows in which the step exists (not missing); 0 without rows."""
        return self.present / self.total if self.total else 0.0


@dataclass(frozen=True)
class Row:
    """One municipality's variant against the standard."""

    key: str
    name: str
    cells: tuple[Cell, ...]
    extra_steps: tuple[str, ...]
    extra_labels: tuple[str, ...]
    similarity: Mapping[str, float]
    cluster: int
    position: int

    @property
    def extra_count(self) -> int:
        """Number of local steps the standard does not have."""
        return len(self.extra_steps)


@dataclass(frozen=True)
class Heatmap:
    """Pairwise overall similarity of the variants, in cluster order.

    ``values[i][j]`` is the similarity of ``keys[i]`` and ``keys[j]``; None
    where it is not known (not computed yet). ``estimated`` lists the pairs
    (i < j) whose missing value was estimated for the ordering only.
    """

    keys: tuple[str, ...]
    names: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    estimated: frozenset[tuple[int, int]]

    @property
    def complete(self) -> bool:
        """True when every pair is known."""
        return not self.estimated


@dataclass(frozen=True)
class DivergenceMap:
    """The divergence map: columns (standard steps), rows (variants) in cluster order, heatmap."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    heatmap: Heatmap
    #: How the rows were grouped, and why into that many groups.
    clustering: Clustering | None = None

    def sorted_rows(
        self, by: str = "cluster", *, descending: bool = False
    ) -> list[Row]:
        """Rows ordered by ``by``: one of :data:`SORT_KEYS` or ``"step:<step id>"``.

        Ties keep the cluster order. A step sorts by its status in the order
        of :class:`CellStatus` (same first, missing last).

        Raises
        ------
        ValueError
            ``by`` is unknown.
        """
        rows = list(self.rows)
        if by == "cluster":
            key: Any = lambda r: r.position
        elif by == "name":
            key = lambda r: (norwegian_key(r.name), r.key)
        elif by == "extra":
            key = lambda r: r.extra_count
        elif by in ("overall", "labels", "structure", "behaviour"):
            key = lambda r: r.similarity[by]
        elif by.startswith("step:") and by[5:] in {c.step_id for c in self.columns}:
            index = [c.step_id for c in self.columns].index(by[5:])
            rank = {s: i for i, s in enumerate(CellStatus)}
            key = lambda r: rank[r.cells[index].status]
        else:
            raise ValueError(
                f"unknown sort key {by!r}; use one of {', '.join(SORT_KEYS)} or step:<id>"
            )
        return sorted(rows, key=key, reverse=descending)


def step_order(process: Process) -> list[str]:
    """The steps of ``process`` in reading order: by flow distance from the start, then file order.

    Steps inside a sub-process follow the sub-process step, in their own
    reading order; unreachable steps come last in their scope.

    Examples
    --------
    >>> from processes.model import Flow, Step
    >>> p = Process()
    >>> for i in ("c", "a", "b"):
    ...     p.add_step(Step(i, i.upper()))
    >>> p.add_flow(Flow("a", "b")); p.add_flow(Flow("b", "c"))
    >>> step_order(p)
    ['a', 'b', 'c']
    """
    sg = process.step_graph()
    file_index = {s.id: i for i, s in enumerate(process.steps)}
    starts = [n for n in sg.nodes if sg.in_degree(n) == 0] or sorted(
        sg.nodes, key=file_index.__getitem__
    )[:1]
    depth: dict[str, int] = {n: 0 for n in starts}
    frontier = sorted(starts, key=file_index.__getitem__)
    while frontier:
        nxt = []
        for node in frontier:
            for succ in sg.successors(node):
                if succ not in depth:
                    depth[succ] = depth[node] + 1
                    nxt.append(succ)
        frontier = sorted(nxt, key=file_index.__getitem__)
    unreachable = len(sg) + 1

    def key(step_id: str) -> tuple[tuple[int, int], ...]:
        chain: list[tuple[int, int]] = []
        current: str | None = step_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append((depth.get(current, unreachable), file_index.get(current, 0)))
            element = process.get(current)
            current = element.parent if element is not None else None
        return tuple(reversed(chain))

    return sorted(file_index, key=key)


#: A division into groups counts as real structure from this mean silhouette on
#: (Kaufman & Rousseeuw 1990: below 0.25 "no substantial structure").
MIN_SILHOUETTE = 0.25

#: The automatic choice considers at most this many groups (bounds the work:
#: one silhouette per candidate, each O(n²)); a coordinator may ask for more.
MAX_AUTOMATIC_GROUPS = 30

#: A division with at least this mean silhouette is taken whatever shuffled
#: similarities reach (Kaufman & Rousseeuw: from 0.51 "a reasonable structure");
#: with few items a shuffle often repeats the real structure.
CLEAR_SILHOUETTE = 0.5

#: How many times the automatic choice shuffles the similarities among the
#: pairs to see what silhouette noise alone reaches (a permutation test at 5 %).
NULL_SHUFFLES = 19


@dataclass(frozen=True)
class Clustering:
    """How the rows were grouped: the order, each item's group, and why that many groups.

    Attributes
    ----------
    order
        Permutation of ``range(n)``: similar items adjacent.
    clusters
        Each item's group number, 1, 2, … in the order groups appear in ``order``.
    count
        Number of groups.
    rule
        Why this many: ``"silhouette"`` (automatic: the division with the
        best mean silhouette), ``"one"`` (automatic: no division reaches
        :data:`MIN_SILHOUETTE`), ``"few"`` (automatic, fewer than three
        items: two items are one group when at least
        :data:`DEFAULT_CLUSTER_THRESHOLD` similar), ``"requested"`` (the
        number asked for) or ``"threshold"`` (cut at a similarity).
    requested
        The number of groups asked for, or None.
    silhouette
        Mean silhouette of the division made (None for one group or fewer
        than three items); 1 is perfectly separated groups, 0 none.
    best_other
        Automatic only: the best silhouette of the divisions not chosen
        (None when there was none), to show how clear the choice was.
    needed
        Automatic only: the silhouette a division had to exceed: the larger
        of :data:`MIN_SILHOUETTE` and the best silhouette of the same
        similarities shuffled among the pairs (what noise alone reaches),
        but at most :data:`CLEAR_SILHOUETTE` (which is always enough). The
        shuffles are only made when the best silhouette lies between the
        two; otherwise this is :data:`MIN_SILHOUETTE`.
    join_similarity
        The overall similarity below which the groups are kept apart: the
        average similarity at which the next two groups would merge (None
        for one group).
    """

    order: tuple[int, ...]
    clusters: tuple[int, ...]
    count: int
    rule: str
    requested: int | None = None
    silhouette: float | None = None
    best_other: float | None = None
    join_similarity: float | None = None
    needed: float | None = None

    @property
    def automatic(self) -> bool:
        """True when the number of groups was chosen from the data."""
        return self.rule in ("silhouette", "one", "few")


def _silhouette(d: npt.NDArray[np.float64], labels: npt.NDArray[np.int_]) -> float:
    """Mean silhouette (Rousseeuw 1987) of ``labels`` on distances ``d``; singletons score 0."""
    ids, index = np.unique(labels, return_inverse=True)
    if len(ids) < 2:
        return 0.0
    sizes = np.bincount(index).astype(np.float64)
    # Sum of distances from each item to each group: columns sorted by group, summed
    # per run (no BLAS call, whose threads only compete on a busy server).
    by_group = np.argsort(index, kind="stable")
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
    totals = np.add.reduceat(d[:, by_group], starts, axis=1)
    own = sizes[index]
    a = totals[np.arange(len(labels)), index] / np.maximum(own - 1, 1)
    others = totals / sizes
    others[np.arange(len(labels)), index] = np.inf
    b = others.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def _numbered(order: Sequence[int], labels: npt.NDArray[np.int_]) -> tuple[int, ...]:
    renumber: dict[int, int] = {}
    for i in order:
        renumber.setdefault(int(labels[i]), len(renumber) + 1)
    return tuple(renumber[int(labels[i])] for i in range(len(labels)))


def choose_clusters(
    similarity: npt.ArrayLike,
    *,
    groups: int | None = None,
    threshold: float | None = None,
) -> Clustering:
    """Group items by similarity; choose the number of groups from the data unless told.

    Average-linkage hierarchical clustering of the distances ``1 - similarity``
    with optimal leaf ordering (Bar-Joseph et al. 2001), as in
    :func:`cluster_order`. The tree is cut into

    - ``groups`` groups when given (fewer if items are identical);
    - at similarity ``threshold`` when given (the old fixed cut);
    - otherwise into the number of groups k (2 ≤ k ≤
      :data:`MAX_AUTOMATIC_GROUPS`, k < n) whose division has the best mean
      silhouette (Rousseeuw 1987), provided that silhouette exceeds both
      :data:`MIN_SILHOUETTE` and the best silhouette reached by the same
      similarities shuffled among the pairs (:data:`NULL_SHUFFLES` times,
      with a fixed seed, so the result is deterministic), or reaches
      :data:`CLEAR_SILHOUETTE`; else into one group. Noise always allows some division, so without the shuffled
      reference the variants of one standard, all alike, would be cut into
      groups; independently drawn models of several scenarios are clearly
      several groups. A tie goes to fewer groups.

    Parameters
    ----------
    similarity
        Symmetric n×n matrix in [0, 1] (the diagonal is ignored).
    groups
        Number of groups wanted (≥ 1), or None to choose.
    threshold
        Cut the tree at this similarity instead (ignored when ``groups`` is given).

    Returns
    -------
    Clustering

    Raises
    ------
    ValueError
        The matrix is not square, or ``groups`` < 1.

    Examples
    --------
    >>> m = [[1, .9, .1, .2], [.9, 1, .2, .1], [.1, .2, 1, .8], [.2, .1, .8, 1]]
    >>> c = choose_clusters(m)
    >>> c.count, c.rule, c.clusters, round(c.silhouette, 2)
    (2, 'silhouette', (1, 1, 2, 2), 0.82)
    >>> choose_clusters(m, groups=3).clusters
    (1, 1, 2, 3)
    >>> choose_clusters([[1, .9, .85], [.9, 1, .88], [.85, .88, 1]]).rule
    'one'
    """
    s = np.asarray(similarity, dtype=np.float64)
    n = s.shape[0] if s.ndim == 2 else 0
    if s.ndim != 2 or s.shape != (n, n):
        raise ValueError(f"the similarity matrix must be square, got shape {s.shape}")
    if groups is not None and groups < 1:
        raise ValueError(f"the number of groups must be at least 1, got {groups}")
    if n < 3:
        cut = DEFAULT_CLUSTER_THRESHOLD if threshold is None else threshold
        if groups is not None:
            apart = n == 2 and groups >= 2
        else:
            apart = n == 2 and min(s[0, 1], s[1, 0]) < cut
        return Clustering(
            order=tuple(range(n)),
            clusters=(1, 2) if apart else (1,) * n,
            count=2 if apart else min(n, 1),
            rule="requested" if groups is not None else ("threshold" if threshold is not None else "few"),
            requested=groups,
        )
    d = 1.0 - np.clip((s + s.T) / 2.0, 0.0, 1.0)
    np.fill_diagonal(d, 0.0)
    condensed = squareform(d, checks=False)
    tree = optimal_leaf_ordering(linkage(condensed, method="average"), condensed)
    order = _leaves(tree, n)
    heights = tree[:, 2]  # ascending: merge i joins at distance heights[i]

    def cut_into(k: int) -> npt.NDArray[np.int_]:
        return np.asarray(fcluster(tree, t=k, criterion="maxclust"), dtype=np.int_)

    candidates = range(2, min(n - 1, MAX_AUTOMATIC_GROUPS) + 1)
    best_other: float | None = None
    needed: float | None = None
    if groups is not None:
        labels, rule = cut_into(min(groups, n)), "requested"
    elif threshold is not None:
        labels = np.asarray(fcluster(tree, t=1.0 - threshold, criterion="distance"))
        rule = "threshold"
    else:
        scores = {k: _silhouette(d, cut_into(k)) for k in candidates}
        k_best = max(scores, key=lambda k: (round(scores[k], 9), -k))
        rest = [v for k, v in scores.items() if k != k_best]
        needed = MIN_SILHOUETTE
        if MIN_SILHOUETTE < scores[k_best] < CLEAR_SILHOUETTE:
            # Only then does the shuffled reference decide (it costs most of the time).
            needed = min(
                CLEAR_SILHOUETTE,
                max(MIN_SILHOUETTE, _null_silhouette(condensed, n, candidates)),
            )
        if scores[k_best] > needed or scores[k_best] >= CLEAR_SILHOUETTE:
            labels, rule = cut_into(k_best), "silhouette"
            best_other = max(rest) if rest else None
        else:
            labels, rule = np.ones(n, dtype=np.int_), "one"
            best_other = scores[k_best]
    count = len(np.unique(labels))
    return Clustering(
        order=tuple(order),
        clusters=_numbered(order, labels),
        count=count,
        rule=rule,
        requested=groups,
        silhouette=round(_silhouette(d, labels), 4) if count > 1 else None,
        best_other=None if best_other is None else round(best_other, 4),
        join_similarity=round(1.0 - float(heights[n - count]), 4) if count > 1 else None,
        needed=None if needed is None else round(needed, 4),
    )


def _null_silhouette(condensed: npt.NDArray[np.float64], n: int, candidates: range) -> float:
    """The best silhouette that the distances reach when shuffled among the pairs."""
    rng = np.random.default_rng(20150)
    best = 0.0
    for _ in range(NULL_SHUFFLES):
        shuffled = rng.permutation(condensed)
        tree = linkage(shuffled, method="average")
        d = squareform(shuffled, checks=False)
        for k in candidates:
            labels = np.asarray(fcluster(tree, t=k, criterion="maxclust"), dtype=np.int_)
            best = max(best, _silhouette(d, labels))
    return best


def cluster_order(
    similarity: npt.ArrayLike, *, threshold: float = DEFAULT_CLUSTER_THRESHOLD
) -> tuple[list[int], list[int]]:
    """Order items so that similar ones are adjacent, and number their clusters (fixed cut).

    :func:`choose_clusters` with ``threshold``; it can also choose the
    number of groups from the data. Average-linkage hierarchical clustering of the distances ``1 - similarity``
    with optimal leaf ordering (Bar-Joseph et al. 2001), so neighbours in the
    order are as similar as the tree allows. Deterministic: the same matrix
    gives the same order.

    Parameters
    ----------
    similarity
        Symmetric n×n matrix in [0, 1] (the diagonal is ignored).
    threshold
        Items joined at similarity ≥ ``threshold`` share a cluster.

    Returns
    -------
    order, clusters
        The permutation of ``range(n)``, and each item's cluster number
        (1, 2, … in the order clusters first appear in ``order``).

    Examples
    --------
    >>> m = [[1, .1, .9, .2], [.1, 1, .2, .8], [.9, .2, 1, .1], [.2, .8, .1, 1]]
    >>> cluster_order(m)
    ([0, 2, 1, 3], [1, 2, 1, 2])
    """
    c = choose_clusters(similarity, threshold=threshold)
    return list(c.order), list(c.clusters)


def _leaves(tree: npt.NDArray[np.float64], n: int) -> list[int]:
    # Left-to-right leaves of the (reordered) tree, without recursion limits.
    out: list[int] = []
    stack = [2 * n - 2]
    while stack:
        node = stack.pop()
        if node < n:
            out.append(node)
        else:
            left, right = tree[node - n, :2].astype(int)
            stack.extend((int(right), int(left)))
    return out


def _cells(
    columns: Sequence[str], outcome: Outcome
) -> tuple[list[Cell], tuple[str, ...]]:
    by_a: dict[str, tuple[tuple[str, ...], float, str]] = {}
    for a_ids, b_ids, score, kind in outcome.matches:
        for x in a_ids:
            by_a[x] = (b_ids, score, kind)
    moved: set[str] = set()
    also: dict[str, list[str]] = {}
    for kind, a_ids, _ in outcome.differences:
        if kind == DifferenceKind.ORDER_CHANGED and a_ids:
            moved.add(a_ids[0])
        elif kind in _STEP_KINDS:
            for x in a_ids:
                if kind not in also.get(x, []):
                    also.setdefault(x, []).append(kind)
    status_of_kind = {
        MatchKind.IDENTICAL.value: CellStatus.SAME,
        MatchKind.RENAMED.value: CellStatus.RENAMED,
        MatchKind.SPLIT.value: CellStatus.SPLIT,
        MatchKind.MERGED.value: CellStatus.MERGED,
    }
    cells = []
    for step_id in columns:
        hit = by_a.get(step_id)
        if hit is None:
            cells.append(Cell(CellStatus.MISSING))
            continue
        b_ids, score, kind = hit
        status = status_of_kind[kind]
        extra_kinds = [
            k
            for k in also.get(step_id, [])
            if not (k == DifferenceKind.RENAMED_STEP and status is CellStatus.RENAMED)
        ]
        if step_id in moved and status in (CellStatus.SAME, CellStatus.RENAMED):
            # A moved step that is also renamed stays "moved"; the rename is listed as well.
            if status is CellStatus.RENAMED:
                extra_kinds.insert(0, DifferenceKind.RENAMED_STEP.value)
            status = CellStatus.MOVED
        elif step_id in moved:
            extra_kinds.insert(0, DifferenceKind.ORDER_CHANGED.value)
        cells.append(
            Cell(
                status,
                b_ids,
                tuple(outcome.labels.get(y, y) for y in b_ids),
                score,
                tuple(extra_kinds),
            )
        )
    return cells, outcome.extra


def _pair(pairwise: Mapping[tuple[str, str], float], x: str, y: str) -> float | None:
    value = pairwise.get((x, y))
    return pairwise.get((y, x)) if value is None else value


def divergence_map(
    standard: Process,
    variants: Mapping[str, Process],
    *,
    comparisons: Mapping[str, Comparison | Outcome] | None = None,
    pairwise: Mapping[tuple[str, str], float] | None = None,
    names: Mapping[str, str] | None = None,
    compute_pairwise: bool = True,
    workers: int | None = 1,
    cluster_groups: int | None = None,
    cluster_threshold: float | None = None,
) -> DivergenceMap:
    """Build the divergence map of ``variants`` against ``standard``.

    Parameters
    ----------
    standard
        The standard process (A); its steps are the columns, in
        :func:`step_order`.
    variants
        Key (e.g. kommunenummer) → variant process. May be empty when
        ``comparisons`` covers every row.
    comparisons
        Precomputed comparisons of the standard with each variant, as
        :class:`~processes.compare.Comparison` or :class:`Outcome`. Rows
        without one are compared now (:func:`processes.compare.compare`).
    pairwise
        Known overall similarities of pairs of variants, ``(key, key) → value``
        in either order.
    names
        Key → what to call the row (default: the key).
    compute_pairwise
        Compute missing pairs with :func:`processes.compare.compare_matrix`
        (needs the processes). When False, or without the processes, a
        missing pair is estimated for the ordering only from how often the
        two rows agree cell by cell, and is None in the heatmap.
    workers
        Worker processes for ``compare_matrix`` (None: every core).
    cluster_groups
        Number of row groups wanted; None (default) chooses it from the
        similarities (see :func:`choose_clusters`; the result's
        ``clustering`` says what was chosen and why).
    cluster_threshold
        Cut the groups at this similarity instead (the old behaviour with
        :data:`DEFAULT_CLUSTER_THRESHOLD`); ignored when ``cluster_groups``
        is given.

    Returns
    -------
    DivergenceMap
        Rows in cluster order (ties of equal rows: by key).

    Raises
    ------
    ValueError
        A row has neither a variant nor a comparison.

    Examples
    --------
    >>> from processes.model import Flow, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> std = chain("Motta søknad", "Befaring", "Fatte vedtak")
    >>> m = divergence_map(std, {"5028": chain("Motta søknad", "Fatte vedtak"),
    ...                          "5031": chain("Motta søknad", "Befaring", "Fatte avgjørelse")},
    ...                    names={"5028": "Melhus", "5031": "Malvik"})
    >>> [c.label for c in m.columns]
    ['Motta søknad', 'Befaring', 'Fatte vedtak']
    >>> {r.name: [c.status.value for c in r.cells] for r in m.rows}
    {'Melhus': ['same', 'missing', 'same'], 'Malvik': ['same', 'same', 'renamed']}
    >>> m.columns[1].share
    0.5
    """
    given = dict(comparisons or {})
    keys = sorted(set(variants) | set(given))
    names = dict(names or {})
    outcomes: dict[str, Outcome] = {}
    for key in keys:
        c = given.get(key)
        if c is None:
            c = compare(standard, variants[key], b_name=names.get(key))
        outcomes[key] = c if isinstance(c, Outcome) else Outcome.from_comparison(c)

    order_ids = step_order(standard)
    step_of = {s.id: s for s in standard.steps}
    cells_of: dict[str, list[Cell]] = {}
    for key in keys:
        cells_of[key], _ = _cells(order_ids, outcomes[key])

    n = len(keys)
    known = dict(pairwise or {})
    values = np.eye(n)
    missing_pairs: list[tuple[int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            v = _pair(known, keys[i], keys[j])
            if v is None:
                missing_pairs.append((i, j))
            else:
                values[i, j] = values[j, i] = v
    if missing_pairs and compute_pairwise and all(k in variants for k in keys):
        matrix = compare_matrix([variants[k] for k in keys], workers=workers)
        for i, j in missing_pairs:
            values[i, j] = values[j, i] = matrix[i, j]
        missing_pairs = []
    for i, j in missing_pairs:
        values[i, j] = values[j, i] = _agreement(cells_of[keys[i]], cells_of[keys[j]])

    clustering = choose_clusters(
        values, groups=cluster_groups, threshold=cluster_threshold
    )
    order, clusters = list(clustering.order), clustering.clusters
    estimated = frozenset(missing_pairs)
    rows = []
    for position, i in enumerate(order):
        key = keys[i]
        o = outcomes[key]
        rows.append(
            Row(
                key=key,
                name=names.get(key, key),
                cells=tuple(cells_of[key]),
                extra_steps=o.extra,
                extra_labels=tuple(o.labels.get(y, y) for y in o.extra),
                similarity=dict(o.similarity),
                cluster=clusters[i],
                position=position,
            )
        )
    columns = []
    for index, step_id in enumerate(order_ids):
        counts = {s.value: 0 for s in CellStatus}
        for key in keys:
            counts[cells_of[key][index].status.value] += 1
        step = step_of[step_id]
        columns.append(
            Column(
                step_id=step_id,
                label=step.label,
                lane=step.lane,
                present=n - counts[CellStatus.MISSING.value],
                total=n,
                counts=counts,
                names={lang: name_of(standard, step_id, lang, quote=False) for lang in ("nb", "en")},
            )
        )
    position_of = {i: p for p, i in enumerate(order)}
    heat_values = tuple(
        tuple(
            None
            if (min(i, j), max(i, j)) in estimated
            else round(float(values[i, j]), 4)
            for j in order
        )
        for i in order
    )
    heatmap = Heatmap(
        keys=tuple(keys[i] for i in order),
        names=tuple(names.get(keys[i], keys[i]) for i in order),
        values=heat_values,
        estimated=frozenset(
            (min(position_of[i], position_of[j]), max(position_of[i], position_of[j]))
            for i, j in missing_pairs
        ),
    )
    return DivergenceMap(tuple(columns), tuple(rows), heatmap, clustering)


def _agreement(a: Sequence[Cell], b: Sequence[Cell]) -> float:
    # Stand-in similarity for a pair not compared yet: the share of standard steps both treat alike.
    if not a:
        return 1.0
    return sum(x.status is y.status for x, y in zip(a, b)) / len(a)


@dataclass(frozen=True)
class StepHit:
    """A step whose label is like the query: which process, which step, how similar."""

    key: str
    step_id: str
    label: str
    score: float


def find_steps(
    query: str,
    processes: Mapping[str, Process | Iterable[tuple[str, str]]],
    *,
    threshold: float = DEFAULT_SEARCH_THRESHOLD,
    limit: int | None = None,
) -> list[StepHit]:
    """Find the steps whose labels are like ``query`` in many processes.

    Label similarity is the engine's (:func:`processes.labels.similarity_matrix`:
    stems, synonyms, compounds, small typos), computed once for every label
    of every process with the words of all of them, so «befaring» finds
    «Gjennomføre befaring» and «Synfaring» if the synonyms say so.

    Parameters
    ----------
    query
        A word or a step name.
    processes
        Key → a process, or its ``(step id, label)`` pairs.
    threshold
        Minimum similarity in [0, 1].
    limit
        Keep only this many best hits.

    Returns
    -------
    list of StepHit
        Best first; ties by key, then step id. Empty for an empty query.

    Examples
    --------
    >>> hits = find_steps("befaring", {
    ...     "5028": [("s1", "Befaring på tomta"), ("s2", "Fatte vedtak")],
    ...     "5031": [("a", "Gjennomføre befaring")], "5035": [("b", "Arkivere")]})
    >>> [(h.key, h.label) for h in hits]
    [('5028', 'Befaring på tomta'), ('5031', 'Gjennomføre befaring')]
    """
    if not normalise(query):
        return []
    entries: list[tuple[str, str, str]] = []
    for key in sorted(processes):
        source = processes[key]
        pairs = (
            [(s.id, s.label) for s in source.steps]
            if isinstance(source, Process)
            else list(source)
        )
        entries.extend((key, sid, label) for sid, label in pairs if label)
    if not entries:
        return []
    labels = [label for _, _, label in entries]
    language = detect_language([query, *labels])
    vocabulary = [w for label in [query, *labels] for w in tokenise(label)]
    q = analyse([query], language=language, vocabulary=vocabulary)
    ls = analyse(labels, language=language, vocabulary=vocabulary)
    # Coverage of the query's words rather than Dice: «befaring» fully matches «Gjennomføre
    # befaring på tomta»; Dice then ranks the closer labels first among equal coverage.
    coverage = _coverage(q, ls)
    dice = similarity_matrix(q, ls)[0]
    ranked = sorted(
        (
            (-float(cov), -float(d), key, sid, label)
            for (key, sid, label), cov, d in zip(entries, coverage, dice)
            if cov >= threshold
        )
    )
    hits = [
        StepHit(key, sid, label, round(-cov, 4)) for cov, _, key, sid, label in ranked
    ]
    return hits[:limit] if limit is not None else hits


def _coverage(q: LabelSet, ls: LabelSet) -> npt.NDArray[np.float64]:
    """Per label of ``ls``: the mean over the query's concepts of its best match in the label."""
    result = np.zeros(len(ls.labels))
    named = ls.sizes > 0
    if not q.vocabulary or not ls.vocabulary or not named.any() or not q.concepts[0]:
        return result
    t = concept_matrix(q, ls)
    best = np.maximum.reduceat(t[:, ls.index], ls.offsets[named], axis=1)
    rows = [q.vocabulary.index(c) for c in q.concepts[0]]
    result[named] = best[rows, :].mean(axis=0)
    return result
