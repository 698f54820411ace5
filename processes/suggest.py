"""The steps an alignment left unpaired: same places filled, and likely partners offered to a person.

:func:`processes.align.align` pairs two steps only when the evidence is
strong enough (its threshold). Two kinds of evidence are left that only the
unpaired steps show:

- :func:`fill_slots` (called by :func:`~processes.align.align`): a step
  standing alone in the place of one or more unpaired steps of the other
  process (between steps that correspond), with words in common, is the same
  step, renamed, split or merged; and a 1:1 pair grows into a split or merge
  with an unpaired step right next to it that brings a word of its partner or
  does the same action to another object.
- :func:`candidates` (called by :func:`processes.compare.compare`): what is
  still unpaired and has a likely partner, «Vurdere søknaden» in the standard
  and «Se gjennom innholdet» in the variant in the same place, is offered as
  a *candidate* instead of being silently dropped (one missing and one extra
  step): a match with a low confidence and the evidence behind it, which the
  registry shows as uncertain for the owner to confirm (then the memory pairs
  them) or reject (then it is no longer offered).

A candidate pairs one unpaired named step of A with one of B when they stand
in the same place (the nearest paired steps before and after them correspond)
or share words, and no opposite actions contradict it ("Sende vedtak" /
"Motta vedtak" are two parties' steps, never one). Each step is in at most
one candidate, the best first.

Confidences come from :func:`processes.align.confidence` (measured:
``same_place`` 0.6, candidates 0.12 with words in common, 0.13 with the place
only; see benchmarks/RESULTS.md). Bound: the label comparison is over the
unpaired steps only, at most :data:`MAX_CELLS` pairs (beyond it, two
processes have so little in common that guesses would not help: none are
made); finding a step's nearest paired neighbours visits at most
:data:`MAX_VISITS` steps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import networkx as nx
import numpy as np

from processes.align import Alignment, MappingMemory, Match, MatchKind, confidence
from processes.labels import (
    Synonyms,
    analyse,
    contradictions,
    detect_language,
    normalise,
    similarity_matrix,
    tokenise,
)
from processes.model import Process
from processes.wording import same_wording

__all__ = ["MAX_CELLS", "MAX_VISITS", "candidates", "fill_slots"]

#: At most this many (unpaired step of A, unpaired step of B) pairs are compared.
MAX_CELLS = 40_000

#: At most this many steps are visited to find a step's nearest paired neighbours.
MAX_VISITS = 64

#: A pair is offered from this combined score on (mean of the label similarity and
#: the share of its two sides, before and after, whose nearest paired steps correspond).
_FLOOR = 0.45


class _Unpaired:
    """The steps an alignment left unpaired, their label evidence and where they stand."""

    def __init__(
        self,
        a: Process,
        b: Process,
        alignment: Alignment,
        memory: MappingMemory | None,
        synonyms: Synonyms | None,
        language: str | None = None,
        exclude: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    ) -> None:
        self.ids_a = [x for x in alignment.missing if x in a and _named(a, x)]
        self.ids_b = [y for y in alignment.extra if y in b and _named(b, y)]
        self.empty = (
            not self.ids_a or not self.ids_b or len(self.ids_a) * len(self.ids_b) > MAX_CELLS
        )
        if self.empty:
            return
        syn = Synonyms.builtin() if synonyms is None else synonyms
        self.labels_a = [a.step(x).label for x in self.ids_a]
        self.labels_b = [b.step(y).label for y in self.ids_b]
        if language is None:
            language = detect_language(s.label for s in a.steps if s.label)
        la = analyse(self.labels_a, synonyms=syn, language=language)
        lb = analyse(self.labels_b, synonyms=syn, language=language)
        self.words = similarity_matrix(la, lb)
        opposite, numbers = contradictions(la, lb, syn)
        self.contradicted = opposite | numbers
        a_to_b = alignment.a_to_b()
        paired_b = set(alignment.b_to_a())
        ga, gb = a.step_graph(), b.step_graph()
        self.graph_a, self.graph_b = ga, gb
        before_a = [_mapped(_nearest(ga, x, a_to_b.keys(), False), a_to_b) for x in self.ids_a]
        after_a = [_mapped(_nearest(ga, x, a_to_b.keys(), True), a_to_b) for x in self.ids_a]
        before_b = [_nearest(gb, y, paired_b, False) for y in self.ids_b]
        after_b = [_nearest(gb, y, paired_b, True) for y in self.ids_b]
        rejected = _rejected(memory)
        norm_a = [normalise(t) for t in self.labels_a]
        norm_b = [normalise(t) for t in self.labels_b]
        na, nb = len(self.ids_a), len(self.ids_b)
        #: Per pair: 0, 1 or 2 sides (before, after) whose nearest paired steps correspond.
        self.sides = np.zeros((na, nb), dtype=np.int64)
        self.allowed = np.ones((na, nb), dtype=bool)
        for i, x in enumerate(self.ids_a):
            for j, y in enumerate(self.ids_b):
                self.sides[i, j] = _agree(before_a[i], before_b[j]) + _agree(after_a[i], after_b[j])
                if (
                    self.contradicted[i, j]
                    or (x, y) in rejected
                    or (x, y) in exclude
                    or (norm_a[i], norm_b[j]) in rejected
                ):
                    self.allowed[i, j] = False


def fill_slots(
    a: Process,
    b: Process,
    alignment: Alignment,
    *,
    memory: MappingMemory | None = None,
    synonyms: Synonyms | None = None,
    language: str | None = None,
    exclude: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    groups: bool = True,
) -> tuple[Match, ...]:
    """Pairs of unpaired steps that stand in the same place and share words.

    A step of A left unpaired whose nearest paired steps before and after
    correspond to those of unpaired steps of B, with at least one word in
    common with each of them and no contradiction, is the same step: renamed
    (1:1), or split into consecutive steps (1:n, at most four; n:1 likewise).
    «Vurdere søknaden» between «Innhente uttalelse» and «Gjennomføre befaring»
    in the standard, «Vurdere forholdet til plan» and «Vurdere tekniske krav»
    between the same two steps in the variant: a split. The matches have the
    evidence ``same_place``. A place with several unpaired steps on both
    sides is left alone, as is one where a step shares no word with the
    other side's steps.

    The matches are returned, not added: :func:`processes.align.align`
    adds them to its alignment, with its ``language`` and the pairs it
    refused (``exclude``).
    """
    u = _Unpaired(a, b, alignment, memory, synonyms, language, exclude)
    result = [] if u.empty else _same_place(u)
    if not groups:
        return tuple(m for m in result if len(m.a) == len(m.b) == 1)
    used_a = {x for m in result for x in m.a}
    used_b = {y for m in result for y in m.b}
    result += _extended(a, b, alignment, memory, synonyms, language, used_a, used_b, exclude)
    return tuple(result)


def _same_place(u: _Unpaired) -> list[Match]:
    place = u.sides == 2
    if not place.any():
        return []
    # Places: the unpaired steps of both sides that stand between the same paired steps. Only a
    # place with one step on one side is filled (in a flower-like process discovered from a log
    # every step stands "between" every other, and such places are large: left alone).
    graph = nx.Graph()
    for i, j in np.argwhere(place).tolist():
        graph.add_edge(("a", i), ("b", j))
    result: list[Match] = []
    for component in sorted(nx.connected_components(graph), key=lambda c: sorted(c)):
        rows = sorted(i for side, i in component if side == "a")
        cols = sorted(j for side, j in component if side == "b")
        if len(rows) > 1 and len(cols) > 1 or len(rows) + len(cols) > _MAX_PARTS + 1:
            continue
        if not all(u.allowed[i, j] and u.words[i, j] > 0.0 and place[i, j] for i in rows for j in cols):
            continue
        if _is_chain(u.graph_a, [u.ids_a[i] for i in rows]) and _is_chain(u.graph_b, [u.ids_b[j] for j in cols]):
            result.append(_slot_match(u, rows, cols))
    return result


def _extended(
    a: Process,
    b: Process,
    alignment: Alignment,
    memory: MappingMemory | None,
    synonyms: Synonyms | None,
    language: str | None,
    used_a: set[str],
    used_b: set[str],
    exclude: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> list[Match]:
    """1:1 pairs grown into a split or merge by an unpaired step right next to them.

    In the standard «Godkjenne vedtaket» → «Sende vedtaket til søker», in the
    variant «Godkjenne og sende vedtaket»: the first pair is matched 1:1 and
    «Sende vedtaket til søker» is left over, directly after its partner and
    before the step that corresponds to the one after the merged step, with
    words in common with it. Then the two are parts of the one step (a merge;
    the other way round a split). The grown match replaces the 1:1 pair.
    """
    a_to_b, b_to_a = alignment.a_to_b(), alignment.b_to_a()
    syn = Synonyms.builtin() if synonyms is None else synonyms
    lang = language or detect_language(s.label for s in a.steps if s.label)
    rejected = _rejected(memory) | set(exclude)
    confirmed = set(memory.confirmed) if memory is not None else set()
    found: list[Match] = []
    for this, other, forward_map, back_map, unpaired, used, flip in (
        (a, b, a_to_b, b_to_a, alignment.missing, used_a, False),
        (b, a, b_to_a, a_to_b, alignment.extra, used_b, True),
    ):
        g_this, g_other = this.step_graph(), other.step_graph()
        paired_this, paired_other = set(forward_map), set(back_map)
        taken: set[str] = set()
        for x in unpaired:
            if x in used or x in taken or not _named(this, x):
                continue
            for forward in (False, True):
                # x' right before (after) x, alone on that side, paired 1:1 with y.
                near = list(g_this.predecessors(x) if not forward else g_this.successors(x))
                if len(near) != 1 or near[0] not in paired_this:
                    continue
                x2 = near[0]
                away = list(g_this.successors(x2) if not forward else g_this.predecessors(x2))
                if away != [x] or len(forward_map[x2]) != 1:
                    continue
                y = forward_map[x2][0]
                if len(back_map[y]) != 1 or x2 in taken:
                    continue
                if ((y, x2) if flip else (x2, y)) in confirmed:
                    continue  # a person confirmed the pair as it is
                # x's other side corresponds to y's other side.
                beyond_x = _mapped(_nearest(g_this, x, paired_this, forward=not forward), forward_map)
                beyond_y = _nearest(g_other, y, paired_other, forward=not forward)
                if not _agree(beyond_x, beyond_y):
                    continue
                label_x, label_x2, label_y = this.step(x).label, this.step(x2).label, other.step(y).label
                pair = (y, x) if flip else (x, y)
                labels = (label_y, label_x) if flip else (label_x, label_y)
                if pair in rejected or (normalise(labels[0]), normalise(labels[1])) in rejected:
                    continue
                if same_wording(label_x2, label_y, lang):
                    continue  # a pair with the same wording is whole: the step next to it is new
                lx = analyse([label_x, label_x2], synonyms=syn, language=lang)
                ly = analyse([label_y], synonyms=syn, language=lang)
                # x must bring a word of y that its neighbour does not have already (a merge of
                # two actions), or do y's action, like its neighbour, to another object (one step
                # done as several, each for one aspect: «Vurdere søknaden mot arealplanen» and
                # «Vurdere tekniske krav» for «Vurdere søknaden»).
                brings = (set(ly.concepts[0]) & set(lx.concepts[0])) - set(lx.concepts[1])
                if not brings and not _same_action(label_x, label_x2, label_y, syn, lang):
                    continue
                opposite, numbers = contradictions(lx, ly, syn)
                if opposite[0, 0] or numbers[0, 0]:
                    continue
                parts = (x, x2) if forward else (x2, x)
                taken.update(parts)
                words = float(similarity_matrix(lx, ly)[0, 0])
                if words < _GROW_WORDS:
                    continue
                codes = ("parts_of_one_step", "same_place")
                if flip:
                    m = Match((y,), parts, round((1.0 + words) / 2.0, 6), MatchKind.SPLIT, confidence(codes), codes)
                else:
                    m = Match(parts, (y,), round((1.0 + words) / 2.0, 6), MatchKind.MERGED, confidence(codes), codes)
                found.append(m)
                break
    return found


#: A step grows its neighbour's pair only with at least this label similarity to the other side.
_GROW_WORDS = 0.3

#: A slot match joins one step with at most this many consecutive steps.
_MAX_PARTS = 4


def _same_action(x: str, x2: str, y: str, synonyms: Synonyms, language: str) -> bool:
    """Whether the three labels begin with the same action and the first two go on to other words.

    The first word of a casework label is its action («Vurdere», «Check»); an event is named
    the other way round («Søknad mottatt») and has no action first, which is why this is asked
    only of steps next to a pair that already corresponds.
    """
    words = [tokenise(t) for t in (x, x2, y)]
    if any(len(w) < 1 for w in words) or len(words[0]) < 2 or len(words[1]) < 2:
        return False
    firsts = analyse([w[0] for w in words], synonyms=synonyms, language=language)
    shared = set(firsts.concepts[0]) & set(firsts.concepts[1]) & set(firsts.concepts[2])
    return bool(shared) and words[0][1:] != words[1][1:]


def _is_chain(graph: nx.DiGraph, ids: list[str]) -> bool:
    """Whether ``ids`` can be ordered so that each leads directly to the next (one step is a chain)."""
    if len(ids) == 1:
        return True
    members = set(ids)
    starts = [n for n in ids if not any(p in members for p in graph.predecessors(n))]
    if len(starts) != 1:
        return False
    seen = [starts[0]]
    while len(seen) < len(ids):
        nxt = [n for n in graph.successors(seen[-1]) if n in members and n not in seen]
        if len(nxt) != 1:
            return False
        seen.append(nxt[0])
    return True


def _slot_match(u: _Unpaired, rows: list[int], cols: list[int]) -> Match:
    words = [float(u.words[i, j]) for i in rows for j in cols]
    same = len(rows) == len(cols) == 1 and normalise(u.labels_a[rows[0]]) == normalise(u.labels_b[cols[0]])
    codes: list[str] = []
    if len(rows) > 1 or len(cols) > 1:
        codes.append("parts_of_one_step")
        kind = MatchKind.SPLIT if len(cols) > 1 else MatchKind.MERGED
    else:
        codes.append("same_label" if same else "same_words" if words[0] >= 1.0 - 1e-9 else "similar_words")
        kind = MatchKind.IDENTICAL if same else MatchKind.RENAMED
    codes.append("same_place")
    score = (sum(words) / len(words) + 1.0) / 2.0
    return Match(
        tuple(u.ids_a[i] for i in rows),
        tuple(u.ids_b[j] for j in cols),
        round(score, 6),
        kind,
        confidence(codes),
        tuple(codes),
    )


def candidates(
    a: Process,
    b: Process,
    alignment: Alignment,
    *,
    memory: MappingMemory | None = None,
    synonyms: Synonyms | None = None,
) -> tuple[Match, ...]:
    """Likely partners among the steps ``alignment`` left unpaired, best first.

    Each candidate is a 1:1 :class:`~processes.align.Match` of kind
    ``renamed`` (``identical`` when the labels are the same) whose evidence
    includes ``not_paired``; pairs ``memory`` rejects are never offered.

    Examples
    --------
    >>> from processes.align import align
    >>> from processes.model import Flow, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> a = chain("Motta søknad", "Vurdere søknaden", "Fatte vedtak")
    >>> b = chain("Motta søknad", "Se gjennom innholdet", "Fatte vedtak")
    >>> alignment = align(a, b)
    >>> alignment.missing, alignment.extra
    (('s1',), ('s1',))
    >>> [(m.a, m.b, m.evidence) for m in candidates(a, b, alignment)]
    [(('s1',), ('s1',), ('not_paired', 'no_words_in_common', 'neighbours_agree'))]
    """
    u = _Unpaired(a, b, alignment, memory, synonyms)
    if u.empty:
        return ()
    offers: list[tuple[float, int, int, float]] = []
    for i in range(len(u.ids_a)):
        for j in range(len(u.ids_b)):
            if not u.allowed[i, j]:
                continue
            place = float(u.sides[i, j]) / 2.0
            score = (float(u.words[i, j]) + place) / 2.0
            if score >= _FLOOR:
                offers.append((score, i, j, place))
    offers.sort(key=lambda o: (-o[0], o[1], o[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    result: list[Match] = []
    for score, i, j, place in offers:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        result.append(
            _candidate(u.ids_a[i], u.ids_b[j], u.labels_a[i], u.labels_b[j], float(u.words[i, j]), place, score)
        )
    return tuple(result)


def _candidate(x: str, y: str, label_a: str, label_b: str, words: float, place: float, score: float) -> Match:
    same = normalise(label_a) == normalise(label_b)
    codes = ["not_paired"]
    if same:
        codes.append("same_label")
    elif words >= 1.0 - 1e-9:
        codes.append("same_words")
    elif words > 0.0:
        codes.append("similar_words")
    else:
        codes.append("no_words_in_common")
    if place >= 1.0:
        codes.append("neighbours_agree")
    elif place > 0.0:
        codes.append("one_neighbour_agrees")
    kind = MatchKind.IDENTICAL if same else MatchKind.RENAMED
    return Match((x,), (y,), round(score, 6), kind, confidence(codes), tuple(codes))


def _named(process: Process, step_id: str) -> bool:
    element = process.get(step_id)
    return bool(getattr(element, "label", ""))


def _nearest(graph: nx.DiGraph, node: str, paired: Iterable[str], forward: bool) -> frozenset[str] | None:
    """The nearest paired steps before (after) ``node``; None when it has no steps before (after) at all."""
    paired_set = paired if isinstance(paired, (set, frozenset)) else set(paired)
    step = graph.successors if forward else graph.predecessors
    first = list(step(node))
    if not first:
        return None
    found: set[str] = set()
    seen = {node}
    queue = deque(first)
    while queue and len(seen) <= MAX_VISITS:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        if current in paired_set:
            found.add(current)
        else:
            queue.extend(step(current))
    return frozenset(found)


def _mapped(steps: frozenset[str] | None, a_to_b: dict[str, tuple[str, ...]]) -> frozenset[str] | None:
    if steps is None:
        return None
    return frozenset(y for x in steps for y in a_to_b.get(x, ()))


def _agree(side_a: frozenset[str] | None, side_b: frozenset[str] | None) -> float:
    """1 when the nearest paired steps on one side correspond (or both steps are at that end), else 0."""
    if side_a is None or side_b is None:
        return 1.0 if side_a is None and side_b is None else 0.0
    return 1.0 if side_a & side_b else 0.0


def _rejected(memory: MappingMemory | None) -> set[tuple[str, str]]:
    if memory is None:
        return set()
    return set(memory.rejected) | {(normalise(x), normalise(y)) for x, y in memory.rejected_labels}

