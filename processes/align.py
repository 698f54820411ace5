"""Step alignment: which steps of process A correspond to which steps of process B.

The matcher works in four stages.

1. **Label similarity** of every step of A with every step of B
   (:mod:`processes.labels`: normalisation, compound splitting, stemming,
   synonyms, fuzzy token matching, soft Dice).
2. **Structural context** of every pair, in [0, 1]: the mean of

   - *position*: 1 - |p(a) - p(b)|, where p is the relative position of a
     step between start and end, ``d_start / (d_start + d_end)`` with BFS
     distances in the step graph;
   - *neighbours*: how well the predecessors of a match the predecessors of
     b, and the successors the successors (each neighbour credited with the
     label similarity of its best counterpart, averaged both ways; two steps
     that both have no predecessor agree fully, and two unnamed neighbours
     of the same kind, such as two start events, count as equal);
   - *lane*: the label similarity of the two lane names, when both
     processes have lanes.

   The pair score is ``(1 - w) * label + w * context`` with ``w =``
   ``structure_weight``, for pairs whose labels share something; a pair whose
   labels have nothing in common scores 0, so structure alone never matches
   two named steps. It only separates candidates with similar labels
   (duplicate labels, loops) and lifts pairs whose neighbourhood agrees.
   Two kinds of word evidence then lower a pair's score (not its part as a
   neighbour of other pairs): labels that *contradict* each other (an
   action and its opposite, ``processes/data/opposites.txt``: send/receive,
   approve/reject, sende/motta, innvilge/avslå; or other numbers, "art. 34"
   / "art. 35") keep :data:`CONTRADICTION_FACTOR` of it, and labels that
   share only *generic* words (a word in at least :data:`GENERIC_SHARE` of
   the steps of both processes, or of a ``corpus``: application, søknad,
   vedtak) keep ``generic_factor`` of it (1, i.e. no penalty, by default:
   see :func:`align`), unless one label is contained in the other or the
   two are alike as strings; they are marked ``generic_words_only`` in the
   match's evidence either way.
3. **Optimal 1:1 assignment** (Hungarian method,
   :func:`scipy.optimize.linear_sum_assignment`) maximising the total excess
   ``score - threshold`` over the pairs above the threshold, so that one
   strong pair is not traded for two barely acceptable ones.
4. **Splits and merges**: a step of A whose label is covered by two
   consecutive steps of B better than by either alone (each of them a part
   of it) becomes a 1:2 ``split``; mirrored for ``merged``. A step of A
   whose whole label is in several differently labelled steps of B, each
   with its own qualifier ("Confirm identity" / "Confirm identity with
   passport", "... without passport"), wherever they are in the flow,
   becomes a 1:n ``split`` with them (a *specialisation*); mirrored for n:1.

A :class:`MappingMemory` (confirmed or rejected correspondences from a
person) is respected absolutely: confirmed pairs are fixed before the
assignment, rejected pairs are never proposed. Besides pairs of step ids it
takes pairs of labels, so that a confirmation survives a new version of a
process with new ids.

Which steps are aligned: every :class:`~processes.model.Step` (activities and
events, named or not); gateways are structure and are not aligned. Unnamed
steps (e.g. a BPMN start event without a name) have no label to compare:
they are aligned by structure only, with steps of the same kind that are
unnamed too (an unnamed start event with the other unnamed start event).

The result is deterministic: steps are processed in the order of their ids,
whatever the order of the elements in the file. Exact ties (the same label
in the same context, as in a process aligned with itself) go to the step
with the same id when there is one.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, lru_cache

import networkx as nx
import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array

from processes.labels import (
    LabelSet,
    Synonyms,
    analyse,
    compound_candidates,
    concept_matrix,
    contradictions,
    known_stems,
    label_words,
    lexicon,
    normalise,
    padded_segments,
    similarity_matrix,
    stem,
)
from processes.model import Process, Step, StepKind
from processes.wording import same_wording_pairs

__all__ = [
    "DEFAULT_STRUCTURE_WEIGHT",
    "DEFAULT_THRESHOLD",
    "EVIDENCE",
    "ID_EVIDENCE",
    "MIN_CONFIDENCE",
    "Alignment",
    "MappingMemory",
    "Match",
    "MatchKind",
    "PreparedProcess",
    "WordCounts",
    "align",
    "confidence",
    "is_distinctive_id",
    "prepare",
    "word_counts",
]


# Label similarity left to a pair whose labels contradict each other (opposite
# actions, other numbers): far below the threshold unless the labels are otherwise long and alike.
CONTRADICTION_FACTOR = 0.5

# A concept is generic in a comparison when it occurs in at least this share
# of the named steps of the two processes (and of the corpus, if one is given)
# and at least twice in each process: "application" in an admission process,
# «søknad», «sak», «vedtak» in casework. A pair of steps that shares only
# generic concepts, and neither of whose labels is contained in the other,
# keeps align(generic_factor=...) of its score: a shared generic noun alone
# is weak evidence. The factor is 1 (no penalty) by default: 0.5 cost a gold
# pair on sap and recall on the Norwegian set (benchmarks/RESULTS.md).
GENERIC_SHARE = 0.1

# How much better two steps together must describe a step than either alone to count as a split.
_SPLIT_GAIN = 0.1

#: Pairs scoring below this are not matched.
DEFAULT_THRESHOLD = 0.5
#: Share of the pair score that comes from the structural context.
DEFAULT_STRUCTURE_WEIGHT = 0.2
#: A 1:1 pair with a lower confidence is not accepted (see :func:`align`): of such
#: pairs (another step of the other process has exactly one of the two labels),
#: 3 of 56 were right on the development sets (benchmarks/RESULTS.md).
MIN_CONFIDENCE = 0.3

#: Strength of the evidence that two steps with the same distinctive id are
#: the same step (a variant made from a copy of the standard, a new version
#: of the same process, or a shared coding scheme). Combined with the
#: label/structure score as a noisy-or: score + ID_EVIDENCE * (1 - score).
ID_EVIDENCE = 0.5

# Ids that modelling tools number automatically ("Task_1", "StartEvent_1",
# "t3", "sid-12") say nothing about identity: two unrelated models share them.
# Such an id is letters and single separators (never two in a row, never
# first) followed by one to four digits. Ids come from uploads, so the rule
# for every pattern that sees user data holds here (DESIGN.md, habit 15): no
# quantifier over a group that holds a quantifier, no two neighbouring
# quantified pieces that can match the same character, and a test feeding
# 10,000 adversarial characters (tests/processes/test_regex_safety.py). The
# old one-pattern form ``^(?:[a-z]+[ _.:-]?)*\d{1,4}$`` backtracked
# exponentially (a 28-letter camelCase id took 20 s), so the pattern checks
# only the characters and the separators are checked in code.
_GENERIC_ID = re.compile(r"([a-z _.:-]*)\d{1,4}", re.IGNORECASE)
_ID_SEPARATORS = frozenset(" _.:-")
_TWO_SEPARATORS = re.compile(r"[ _.:-]{2}")


def is_distinctive_id(element_id: str) -> bool:
    """True if ``element_id`` is unlikely to occur by chance in an unrelated model.

    Automatically numbered ids (``Task_1``, ``StartEvent_1``, ``t3``, ``12``)
    are not distinctive; generated ones (``Activity_0x8fk2s``,
    ``sid-4F2A…``) and meaningful codes (``01_BB_550+complete``,
    ``registrere_soknad``) are.

    Examples
    --------
    >>> [is_distinctive_id(x) for x in ["Task_1", "StartEvent_1", "t3", "Activity_0x8fk2s", "01_BB_550+complete"]]
    [False, False, False, True, True]
    """
    numbered = _GENERIC_ID.fullmatch(element_id)
    if numbered is None:
        return True
    word = numbered.group(1)
    if word[:1] in _ID_SEPARATORS:
        return True  # "_1", "-12": a separator must follow a letter
    return _TWO_SEPARATORS.search(word) is not None


class MatchKind(StrEnum):
    """How the steps of a match relate."""

    IDENTICAL = "identical"  # 1:1, same label after normalisation
    RENAMED = "renamed"  # 1:1, other label
    SPLIT = "split"  # 1 step in A : n steps in B
    MERGED = "merged"  # n steps in A : 1 step in B


@dataclass(frozen=True)
class Match:
    """Steps of A (``a``) that correspond to steps of B (``b``), with a score in [0, 1].

    ``confidence`` is a probability-like estimate that the correspondence is
    right (see :func:`confidence`), ``evidence`` the codes of what it rests
    on (:data:`EVIDENCE`), for the registry to word. Neither takes part in
    equality, so that two alignments with the same correspondences and
    scores compare equal; ``confidence`` is None for a match made outside
    :func:`align`.
    """

    a: tuple[str, ...]
    b: tuple[str, ...]
    score: float
    kind: MatchKind
    confidence: float | None = field(default=None, compare=False)
    evidence: tuple[str, ...] = field(default=(), compare=False)


#: The evidence codes of a :class:`Match`, with what each means.
EVIDENCE: dict[str, str] = {
    "confirmed": "a person confirmed the correspondence",
    "same_label": "the labels are the same (case, accents and punctuation aside)",
    "same_words": "the labels have the same words after stemming and synonyms",
    "similar_words": "the labels share some words",
    "repeated_label": "one of the labels occurs more than once in its process",
    "other_step_same_label": "another step of the other process has exactly this label",
    "neighbours_agree": "the steps before and after correspond too",
    "neighbours_differ": "the steps before and after do not correspond",
    "same_id": "both steps have the same distinctive id",
    "generic_words_only": "the labels share only words that are common in the processes",
    "contradiction": "the labels have opposite actions or other numbers",
    "parts_of_one_step": "consecutive steps that together do what the one step does",
    "specialisation": "steps that each do the one step in a particular case",
    "same_wording": "the labels say the same in another inflection or in nynorsk/bokmål",
    "same_actor": "the steps are in lanes with the same name",
    "other_actor": "the steps are in lanes whose names have nothing in common",
    "same_place": "the only unpaired steps between the same corresponding steps, with words in common",
    # Candidates (processes.suggest): pairs below the threshold, offered to a person.
    "not_paired": "the matcher did not pair the steps by itself; a person should decide",
    "no_words_in_common": "the labels have no word in common",
    "one_neighbour_agrees": "the steps before or the steps after correspond",
}

# Base confidence of a match by its label evidence, measured on the
# development sets with ids hidden (benchmarks/RESULTS.md): 1:1 pairs with
# the same label that occurs once in each process were right in 99 % (bpic15),
# 98 % (sap) and 100 % (synthetic); with a repeated label in 47 % (bpic15);
# pairs with other labels where the other process has a step with exactly one
# of the two labels in none of 53 (bpic15); other renamed pairs in 80 % (sap)
# to 99 % (synthetic); groups in 99 % (synthetic).
# Steps in the same place (processes.suggest.fill_slots): 2 of 2 right on sap,
# 0 of 2 on bpic15, too few to claim more than about half. Candidates offered
# to a person (processes.suggest.candidates): 16 of 129 with words in common
# were gold pairs on bpic15 and sap, 8 of 60 with the place only.
_CONFIDENCE = {
    "same_label": 0.98,
    "repeated_label": 0.5,
    "same_words": 0.9,
    "similar_words": 0.65,
    "other_step_same_label": 0.2,
    "group": 0.8,
    "same_place": 0.6,
    "candidate": 0.12,
    "candidate_place_only": 0.13,
}


def confidence(evidence: Iterable[str]) -> float:
    """A probability-like confidence in [0, 1] from a match's evidence codes.

    The label evidence gives a base (a repeated label or another step with
    the same label lowers it); a contradiction halves it; the same
    distinctive id removes 90 % of the remaining doubt; a confirmation
    makes it 1.

    Examples
    --------
    >>> confidence(["same_label"]), confidence(["same_label", "repeated_label"])
    (0.98, 0.5)
    >>> confidence(["same_label", "repeated_label", "same_id"])
    0.95
    """
    return _confidence_of(frozenset(evidence))


# The confidence of each code tuple seen: align() makes its codes in one fixed
# order, so a tuple is as good a key as the set and needs no frozenset per match.
_CONFIDENCE_BY_CODES: dict[tuple[str, ...], float] = {}


def _match(
    a: tuple[str, ...],
    b: tuple[str, ...],
    score: float,
    kind: MatchKind,
    evidence: tuple[str, ...],
) -> Match:
    """``Match(a, b, score, kind, confidence(evidence), evidence)``, built faster.

    A frozen dataclass's ``__init__`` sets each of the six fields through
    ``object.__setattr__``; align() makes one Match per correspondence, so it
    fills the instance dictionary in one step instead (the same object).
    """
    value = _CONFIDENCE_BY_CODES.get(evidence)
    if value is None:
        if len(_CONFIDENCE_BY_CODES) >= 4096:
            _CONFIDENCE_BY_CODES.clear()
        value = _CONFIDENCE_BY_CODES[evidence] = _confidence_of(frozenset(evidence))
    match = object.__new__(Match)
    match.__dict__.update(
        a=a, b=b, score=score, kind=kind, confidence=value, evidence=evidence
    )
    return match


@lru_cache(maxsize=1024)
def _confidence_of(codes: frozenset[str]) -> float:
    if "confirmed" in codes:
        return 1.0
    if codes & {"parts_of_one_step", "specialisation"} and "same_place" not in codes:
        value = _CONFIDENCE["group"]
    elif "not_paired" in codes:
        value = _CONFIDENCE[
            "candidate_place_only" if "no_words_in_common" in codes else "candidate"
        ]
    elif "same_place" in codes:
        value = _CONFIDENCE["same_place"]
    elif "same_label" in codes:
        value = _CONFIDENCE["same_label"]
        if "repeated_label" in codes:
            value = _CONFIDENCE["repeated_label"]
    elif "other_step_same_label" in codes:
        # Also for the same wording: «create …» with «creating …» while the other process has a
        # step named exactly «create …» (bpic15 has both, as different activities).
        value = _CONFIDENCE["other_step_same_label"]
    elif "same_wording" in codes:
        value = _CONFIDENCE[
            "repeated_label" if "repeated_label" in codes else "same_label"
        ]
    elif "same_words" in codes:
        value = _CONFIDENCE["same_words"]
    else:
        value = _CONFIDENCE["similar_words"]
    if "contradiction" in codes:
        value *= 0.5
    if "same_id" in codes:
        value = 1.0 - (1.0 - value) * 0.1
    return round(value, 6)


@dataclass(frozen=True)
class Alignment:
    """The correspondence between the steps of two processes.

    ``missing`` are steps of A without counterpart in B, ``extra`` steps of
    B without counterpart in A. Matches come in the order of A (distance
    from the start, then id); ``missing`` likewise, ``extra`` in the order of B.
    """

    matches: tuple[Match, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    def pairs(self) -> frozenset[tuple[str, str]]:
        """Every (step of A, step of B) pair implied by the matches."""
        return frozenset((x, y) for m in self.matches for x in m.a for y in m.b)

    def a_to_b(self) -> dict[str, tuple[str, ...]]:
        """For every matched step of A, the steps of B it corresponds to."""
        result: dict[str, tuple[str, ...]] = {}
        for m in self.matches:
            for x in m.a:
                result[x] = result.get(x, ()) + m.b
        return result

    def b_to_a(self) -> dict[str, tuple[str, ...]]:
        """For every matched step of B, the steps of A it corresponds to."""
        result: dict[str, tuple[str, ...]] = {}
        for m in self.matches:
            for y in m.b:
                result[y] = result.get(y, ()) + m.a
        return result


@dataclass(frozen=True)
class WordCounts:
    """How many step labels of a corpus contain each concept (see :func:`word_counts`).

    Passed to :func:`align` as ``corpus``, it tells which words are generic
    across many processes (a word in most labels of a process type is weak
    evidence that two steps correspond), beyond the two being compared.
    """

    counts: dict[str, int]
    documents: int
    language: str
    synonyms: Synonyms


def word_counts(
    processes: Iterable[Process],
    *,
    synonyms: Synonyms | None = None,
    language: str | None = None,
) -> WordCounts:
    """Count in how many step labels of ``processes`` each concept occurs.

    Parameters
    ----------
    processes
        The corpus, e.g. every process of one case type in the registry.
    synonyms
        Synonym groups; default :meth:`Synonyms.builtin`.
    language
        The label language; detected from all labels if None.

    Examples
    --------
    >>> from processes.model import Process, Step
    >>> p = Process()
    >>> for i, label in enumerate(["Motta søknad", "Vurdere søknaden", "Arkivere"]):
    ...     p.add_step(Step(f"s{i}", label))
    >>> counts = word_counts([p])
    >>> counts.documents, max(counts.counts.values())
    (3, 2)
    """
    syn = Synonyms.builtin() if synonyms is None else synonyms
    labels = [s.label for p in processes for s in p.steps if s.label.strip()]
    analysed = analyse(labels, synonyms=syn, language=language)
    counts: dict[str, int] = {}
    for concepts in analysed.concepts:
        for c in set(concepts):
            counts[c] = counts.get(c, 0) + 1
    return WordCounts(counts, len(labels), analysed.language, syn)


@dataclass(frozen=True)
class MappingMemory:
    """Correspondences a person has confirmed or rejected.

    Parameters
    ----------
    confirmed, rejected
        Pairs (step id in A, step id in B). Ids that do not occur in the
        processes being aligned are ignored (a memory may be older than the
        current versions).
    confirmed_labels, rejected_labels
        Pairs (label in A, label in B), compared after :func:`normalise`.
        They apply to every step with those labels, so they survive new
        versions with new ids. A confirmed label pair raises the pair's
        label similarity to 1 (it still competes in the assignment, as
        several steps may carry the same label); a rejected one forbids it.

    Confirmed id pairs are fixed: a step confirmed with two steps of the
    other side forms a split (or merge). Confirmations that would connect
    several steps on both sides (n:m) are refused with :class:`ValueError`.
    """

    confirmed: frozenset[tuple[str, str]] = frozenset()
    rejected: frozenset[tuple[str, str]] = frozenset()
    confirmed_labels: frozenset[tuple[str, str]] = frozenset()
    rejected_labels: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, eq=False)
class PreparedProcess:
    """The label and structure features of one process, computed once by :func:`prepare`.

    Pass it to :func:`align` instead of the process when the same process is
    compared many times. The attributes are the matcher's working data;
    their layout may change between versions.
    """

    process: Process
    ids: tuple[str, ...]
    steps: tuple[Step, ...]
    labels: LabelSet
    synonyms: Synonyms
    norm_labels: tuple[str, ...]
    unnamed: npt.NDArray[np.bool_]
    position: npt.NDArray[np.float64]
    order: npt.NDArray[np.float64]
    pred: tuple[tuple[int, ...], ...]
    succ: tuple[tuple[int, ...], ...]
    pred_arrays: _Neighbours
    succ_arrays: _Neighbours
    lanes: tuple[str, ...]
    lane_index: npt.NDArray[np.intp]
    lane_labels: LabelSet
    words: frozenset[str]
    split_candidates: tuple[tuple[str, str], ...]
    known: frozenset[str]
    candidate_stems: frozenset[str]
    extended: dict[frozenset[str], PreparedProcess] = field(
        default_factory=dict, repr=False
    )
    by_language: dict[str, PreparedProcess] = field(default_factory=dict, repr=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def index(self, step_id: str) -> int:
        """Row of a step id in the matrices."""
        return self._index[step_id]

    # Derived once per prepared process (not per align() call); cached_property
    # writes to the instance dictionary, which a frozen dataclass allows, and a
    # dataclasses.replace() copy computes its own.

    @cached_property
    def order_list(self) -> list[float]:
        """``order`` as a list of floats."""
        return list(self.order.tolist())

    @cached_property
    def label_counts(self) -> dict[str, int]:
        """How many named steps carry each normalised label."""
        counts: dict[str, int] = {}
        for lab, unnamed in zip(self.norm_labels, self.unnamed.tolist()):
            if not unnamed:
                counts[lab] = counts.get(lab, 0) + 1
        return counts

    @cached_property
    def unnamed_rows(self) -> npt.NDArray[np.intp]:
        """The indices of the steps without a label."""
        return np.flatnonzero(self.unnamed)

    @cached_property
    def distinctive_ids(self) -> frozenset[str]:
        """The step ids that :func:`is_distinctive_id` accepts."""
        return frozenset(sid for sid in self.ids if is_distinctive_id(sid))


def _step_links(
    process: Process, ids: tuple[str, ...]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Successors and predecessors of each step in :meth:`Process.step_graph` (cached there)."""
    sg = process.step_graph()
    return (
        {sid: list(sg._succ[sid]) for sid in ids},
        {sid: list(sg._pred[sid]) for sid in ids},
    )


def _bfs(links: dict[str, list[str]], sources: Iterable[str]) -> dict[str, int]:
    dist: dict[str, int] = {}
    frontier = sorted(set(sources))
    for s in frontier:
        dist[s] = 0
    depth = 0
    while frontier:
        depth += 1
        nxt: list[str] = []
        for node in frontier:
            for succ in links[node]:
                if succ not in dist:
                    dist[succ] = depth
                    nxt.append(succ)
        frontier = sorted(nxt)
    return dist


def _positions(
    steps: tuple[Step, ...],
    succ: dict[str, list[str]],
    pred: dict[str, list[str]],
) -> npt.NDArray[np.float64]:
    """Relative position of each step between start (0) and end (1)."""
    ids = [st.id for st in steps]
    starts = [st.id for st in steps if st.kind == StepKind.START_EVENT] or [
        n for n in ids if not pred[n]
    ]
    ends = [st.id for st in steps if st.kind == StepKind.END_EVENT] or [
        n for n in ids if not succ[n]
    ]
    ds = _bfs(succ, starts)
    de = _bfs(pred, ends)
    max_s = max(ds.values(), default=0) or 1
    max_e = max(de.values(), default=0) or 1
    pos = np.full(len(ids), 0.5)
    for i, n in enumerate(ids):
        if n in ds and n in de and ds[n] + de[n] > 0:
            pos[i] = ds[n] / (ds[n] + de[n])
        elif n in ds:
            pos[i] = ds[n] / max_s
        elif n in de:
            pos[i] = 1.0 - de[n] / max_e
    return pos


@lru_cache(maxsize=1)
def _lexicon_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in lexicon())


def _compound_candidates(
    words: Iterable[str], known: frozenset[str]
) -> tuple[tuple[str, str], ...]:
    """(left stem, right stem) splits of long words that this process alone cannot confirm."""
    found = {
        key: split
        for w in words
        for key, split in _word_splits(w)
        if not (split[0] in known and split[1] in known)
    }
    # Speed: sorted by each split's key string, which orders as the (left, right)
    # tuples do but compares faster (see _word_splits).
    return tuple([found[key] for key in sorted(found)])


@lru_cache(maxsize=65536)
def _word_splits(w: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """Every (left stem, right stem) split of a word of six letters or more, with its sort key.

    The key is left + NUL + right: strings sort as the (left, right) tuples
    do (stems hold no NUL, and NUL sorts before every other character).

    The same words recur in every version and variant of a process, so the
    splits are kept; only which of them the process's known stems confirm
    differs (:func:`_compound_candidates`).
    """
    if len(w) < 6:
        return ()
    splits: list[tuple[str, str]] = []
    for i in range(3, len(w) - 2):
        left, right = w[:i], w[i:]
        lefts = [stem(left)]
        if left[-1] in "se" and len(left) > 3:
            lefts.append(stem(left[:-1]))
        r = stem(right)
        splits.extend((lft, r) for lft in lefts)
    return tuple((left + "\x00" + right, (left, right)) for left, right in splits)


def prepare(
    process: Process | PreparedProcess,
    *,
    synonyms: Synonyms | None = None,
    language: str | None = None,
    vocabulary: Iterable[str] = (),
) -> PreparedProcess:
    """Compute the features :func:`align` needs for one process.

    Parameters
    ----------
    process
        The process (a prepared one is returned as is if its synonyms match).
    synonyms
        Synonym groups; default :meth:`Synonyms.builtin`.
    language
        ``"norwegian"``, ``"english"`` or ``"german"``; detected from the
        labels if None.
    vocabulary
        Further known words for splitting compounds (see
        :func:`processes.labels.analyse`).

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> p = Process()
    >>> for s in ("a", "b"):
    ...     p.add_step(Step(s, "Steg " + s))
    >>> p.add_flow(Flow("a", "b"))
    >>> prepare(p).position.tolist()
    [0.0, 1.0]
    """
    syn = Synonyms.builtin() if synonyms is None else synonyms
    if isinstance(process, PreparedProcess):
        if (
            process.synonyms == syn
            and not vocabulary
            and (language is None or language == process.labels.language)
        ):
            return process
        process = process.process
    steps = tuple(sorted(process.steps, key=lambda s: s.id))
    ids = tuple(s.id for s in steps)
    index = {sid: i for i, sid in enumerate(ids)}
    labels = analyse(
        [s.label for s in steps], synonyms=syn, language=language, vocabulary=vocabulary
    )
    succ_links, pred_links = _step_links(process, ids)
    # (map over index.__getitem__ runs in C; a generator per step cost more than sorting)
    pred = tuple(tuple(sorted(map(index.__getitem__, pred_links[sid]))) for sid in ids)
    succ = tuple(tuple(sorted(map(index.__getitem__, succ_links[sid]))) for sid in ids)
    lanes = tuple(sorted({s.lane for s in steps if s.lane}))
    lane_pos = {lane: i for i, lane in enumerate(lanes)}
    lane_index = np.asarray(
        [lane_pos[s.lane] if s.lane else -1 for s in steps], dtype=np.intp
    )
    lang = labels.language
    words = frozenset(w for s in steps for w in label_words(s.label, lang))
    known: frozenset[str] = frozenset()
    candidates: tuple[tuple[str, str], ...] = ()
    if lang != "norwegian":
        # English and German: closed compounds, particles, derived words.
        more = {x for v in vocabulary for x in normalise(v).split()}
        known = known_stems(words | more, lang)
        candidates = compound_candidates(words, known, lang)
    else:
        known = (
            frozenset(stem(w) for w in words if len(w) >= 3)
            | frozenset(stem(normalise(v)) for v in vocabulary)
            | _lexicon_stems()
        )
        unsplit = {
            w
            for s, cs in zip(steps, labels.concepts)
            for w in normalise(s.label).split()
            if len(w) >= 6
        }
        candidates = _compound_candidates(unsplit, known)
    position = _positions(steps, succ_links, pred_links)
    order_key = {sid: (p, sid) for sid, p in zip(ids, position.tolist())}
    ranked = sorted(ids, key=lambda sid: order_key[sid])
    order = np.empty(len(ids))
    for rank, sid in enumerate(ranked):
        order[index[sid]] = rank
    return PreparedProcess(
        process=process,
        ids=ids,
        steps=steps,
        labels=labels,
        synonyms=syn,
        norm_labels=tuple(normalise(s.label) for s in steps),
        unnamed=labels.sizes == 0,
        position=position,
        order=order,
        pred=pred,
        succ=succ,
        pred_arrays=_Neighbours.of(pred),
        succ_arrays=_Neighbours.of(succ),
        lanes=lanes,
        lane_index=lane_index,
        lane_labels=_lane_labels(lanes, syn, labels.language),
        words=words,
        split_candidates=candidates,
        known=known,
        candidate_stems=frozenset(itertools.chain.from_iterable(candidates)),
        _index=index,
    )


# Lane names repeat across the versions and variants of a process: their
# analysis (a LabelSet, which is never changed) is shared.
_LANE_LABELS: dict[tuple[tuple[str, ...], str, int], tuple[Synonyms, LabelSet]] = {}


def _lane_labels(lanes: tuple[str, ...], syn: Synonyms, language: str) -> LabelSet:
    # Keyed by the identity of the synonyms, checked on use (as labels._RELATIONS).
    key = (lanes, language, id(syn))
    hit = _LANE_LABELS.get(key)
    if hit is not None and hit[0] is syn:
        return hit[1]
    found = analyse(list(lanes), synonyms=syn, language=language)
    if len(_LANE_LABELS) >= 4096:
        _LANE_LABELS.clear()
    _LANE_LABELS[key] = (syn, found)
    return found


# Prepared features of recently aligned Process objects, so that repeated
# align(a, b) calls with the same unchanged objects do not redo the work.
_CACHE: dict[int, tuple[weakref.ref[Process], tuple[object, ...], PreparedProcess]] = {}
_CACHE_SIZE = 512


def _fingerprint(process: Process) -> tuple[object, ...]:
    return (tuple(process.elements), tuple(process.flows))


def _prepared(
    process: Process | PreparedProcess, synonyms: Synonyms | None
) -> PreparedProcess:
    syn = Synonyms.builtin() if synonyms is None else synonyms
    if isinstance(process, PreparedProcess):
        return prepare(process, synonyms=syn)
    key = id(process)
    hit = _CACHE.get(key)
    fp = _fingerprint(process)
    if (
        hit is not None
        and hit[0]() is process
        and hit[1] == fp
        and hit[2].synonyms == syn
    ):
        return hit[2]
    prepared = prepare(process, synonyms=syn)
    if len(_CACHE) >= _CACHE_SIZE:
        # A snapshot, and pop(): other threads may change the cache meanwhile.
        entries = list(_CACHE.items())
        stale = [k for k, v in entries if v[0]() is None] or [
            k for k, _ in entries[: _CACHE_SIZE // 2]
        ]
        for k in stale:
            _CACHE.pop(k, None)
    _CACHE[key] = (weakref.ref(process), fp, prepared)
    return prepared


def _in_language(p: PreparedProcess, language: str) -> PreparedProcess:
    """``p`` analysed with the stemmer of ``language`` (kept on ``p`` for the next time)."""
    if p.labels.language == language:
        return p
    found = p.by_language.get(language)
    if found is None:
        found = p.by_language[language] = prepare(
            p.process, synonyms=p.synonyms, language=language
        )
    return found


def _with_words_of(a: PreparedProcess, b: PreparedProcess) -> PreparedProcess:
    """A, prepared again if some of its compounds split into words that only B has.

    The common case (nothing new to split) costs a few set operations; the
    re-prepared versions are kept on A, keyed by the words of B that matter.
    """
    if not a.split_candidates:
        return a
    new = (b.known - a.known) & a.candidate_stems
    if not new:
        return a
    known = a.known | new
    if not any(left in known and right in known for left, right in a.split_candidates):
        return a
    extra = frozenset(w for w in b.words if stem(w, a.labels.language) in new)
    found = a.extended.get(extra)
    if found is None:
        if len(a.extended) >= 64:
            a.extended.clear()
        # Only the labels change; the structure is reused as it is.
        labels = analyse(
            [st.label for st in a.steps],
            synonyms=a.synonyms,
            language=a.labels.language,
            vocabulary=extra,
        )
        found = dataclasses.replace(
            a,
            labels=labels,
            unnamed=labels.sizes == 0,
            split_candidates=(),
            candidate_stems=frozenset(),
            extended={},
            by_language={},
        )
        a.extended[extra] = found
    return found


@dataclass(frozen=True)
class _Neighbours:
    """One direction (predecessors or successors) of a step graph, as arrays."""

    lists: tuple[tuple[int, ...], ...]
    has: npt.NDArray[np.intp]  # steps with at least one neighbour
    flat: npt.NDArray[np.intp]  # their neighbours, concatenated
    offsets: npt.NDArray[np.intp]  # where each step's neighbours start in flat
    # Row i averages over the neighbours of i: sparse (a step has a few neighbours), so that
    # multiplying it with an n x m matrix costs n·m, not n²·m (a dense n x n matrix made
    # aligning two 2,000-step versions take seconds).
    mean: csr_array
    none: npt.NDArray[np.bool_]  # steps without neighbours
    none_rows: npt.NDArray[np.intp]  # their indices

    # The neighbours of each step in `has`, padded to one width (see
    # labels.padded_segments), or None when the degrees are too uneven.
    padded: npt.NDArray[np.intp] | None = None

    @classmethod
    def of(cls, lists: tuple[tuple[int, ...], ...]) -> _Neighbours:
        n = len(lists)
        sizes = np.fromiter(map(len, lists), dtype=np.intp, count=n)
        # All neighbours in row order (rows without any add nothing).
        flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.intp)
        has = np.flatnonzero(sizes)
        counts = sizes[has]
        # The mean matrix is built from its CSR arrays directly (the rows come
        # in order and each row's columns are sorted and distinct, as a COO
        # conversion would leave them), a fraction of the cost of the
        # (data, (rows, cols)) form; 1.0 / k is the same double either way.
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(sizes, out=indptr[1:])
        mean = csr_array(
            (np.repeat(1.0 / counts, counts), flat.astype(np.int32), indptr),
            shape=(n, n),
        )
        return cls(
            lists=lists,
            has=has,
            flat=flat,
            offsets=np.cumsum(counts) - counts,
            mean=mean,
            none=sizes == 0,
            none_rows=np.flatnonzero(sizes == 0),
            padded=padded_segments(flat, counts),
        )


def _best_over_neighbours(
    sim: npt.NDArray[np.float64], nb: _Neighbours
) -> npt.NDArray[np.float64]:
    """best[p, j] = max over q in the neighbours of j of sim[p, q] (0 where j has none)."""
    best = np.zeros((sim.shape[0], len(nb.lists)))
    if nb.has.size and sim.shape[0]:
        if nb.padded is not None:
            best[:, nb.has] = sim[:, nb.padded].max(axis=1)
        else:
            best[:, nb.has] = np.maximum.reduceat(sim[:, nb.flat], nb.offsets, axis=1)
    return best


def _neighbour_agreement(
    sim: npt.NDArray[np.float64], na: _Neighbours, nb: _Neighbours
) -> npt.NDArray[np.float64]:
    """How well the neighbours of a (one direction) match the neighbours of b, in [0, 1].

    The mean over a's neighbours of their best counterpart among b's
    neighbours, averaged with the same the other way round.
    """
    part_a = np.asarray(na.mean @ _best_over_neighbours(sim, nb))
    part_b = np.asarray(nb.mean @ _best_over_neighbours(sim.T, na)).T
    result: npt.NDArray[np.float64] = (part_a + part_b) / 2.0
    # Both without neighbours on this side (two starts, two ends): they agree.
    if na.none_rows.size and nb.none_rows.size:
        result[na.none_rows[:, None], nb.none_rows[None, :]] = 1.0
    return result


def _memory_pairs(
    memory: MappingMemory | None, a: PreparedProcess, b: PreparedProcess
) -> tuple[
    list[tuple[int, int]],
    list[tuple[int, int]],
    list[tuple[int, int]],
    list[tuple[int, int]],
]:
    if memory is None:
        return [], [], [], []

    def by_id(pairs: frozenset[tuple[str, str]]) -> list[tuple[int, int]]:
        return sorted(
            (a._index[x], b._index[y])
            for x, y in pairs
            if x in a._index and y in b._index
        )

    def by_label(pairs: frozenset[tuple[str, str]]) -> list[tuple[int, int]]:
        wanted = {(normalise(x), normalise(y)) for x, y in pairs}
        if not wanted:
            return []
        left = {normalise(x) for x, _ in wanted}
        right = {normalise(y) for _, y in wanted}
        rows = [i for i, lab in enumerate(a.norm_labels) if lab in left]
        cols = [j for j, lab in enumerate(b.norm_labels) if lab in right]
        return [
            (i, j)
            for i in rows
            for j in cols
            if (a.norm_labels[i], b.norm_labels[j]) in wanted
        ]

    return (
        by_id(memory.confirmed),
        by_id(memory.rejected),
        by_label(memory.confirmed_labels),
        by_label(memory.rejected_labels),
    )


@dataclass(frozen=True)
class _Overlap:
    """Which concepts two sets of named labels share (a match of 0.8 or more).

    Matrices of shape (named labels of a, named labels of b), except
    ``strong`` (concepts of a, concepts of b); O(n·m·v) to compute.
    """

    strong: npt.NDArray[np.float64]
    shares: npt.NDArray[np.bool_]  # at least one concept in common
    a_in_b: npt.NDArray[np.bool_]  # every concept of a's label is in b's
    b_in_a: npt.NDArray[np.bool_]

    @classmethod
    def of(
        cls, a: LabelSet, b: LabelSet, concepts: npt.NDArray[np.float64]
    ) -> _Overlap:
        ma, mb = a.member, b.member
        strong = (concepts >= 0.8).astype(np.float64)
        in_b = ma @ ((strong @ mb.T) > 0)  # concepts of a's label found in b's
        in_a = mb @ ((strong.T @ ma.T) > 0)
        return cls(
            strong=strong,
            shares=in_b > 0,
            a_in_b=in_b >= a.member_sums[:, None],
            b_in_a=(in_a >= b.member_sums[:, None]).T,
        )


def _generic_only(
    a: LabelSet,
    b: LabelSet,
    concepts: npt.NDArray[np.float64],
    corpus: WordCounts | None,
    overlap: _Overlap,
) -> npt.NDArray[np.bool_]:
    """Pairs of labels that share only generic concepts, neither contained in the other.

    A concept is generic when it occurs in at least :data:`GENERIC_SHARE` of
    the labels of both processes together (plus the corpus) and at least
    twice in each process, or, with a corpus, when the corpus alone has it
    that often and both processes have it. Two concepts are shared when
    their match is 0.8 or more. Cost: a few products of the label-concept
    membership matrices, O(n·m·v) for n and m labels with v concepts.
    """
    na, nb = len(a.labels), len(b.labels)
    result = np.zeros((na, nb), dtype=bool)
    named_a, named_b = a.sizes > 0, b.sizes > 0
    if not named_a.any() or not named_b.any():
        return result
    ma, mb = a.member, b.member
    # Labels containing each concept (a label may reach one concept through
    # two words, "Fakturere gebyret": counted once).
    own_a, own_b = a.label_counts, b.label_counts
    in_b, in_a = b.concept_counts, a.concept_counts
    other_a = np.asarray([in_b.get(c, 0) for c in a.vocabulary], dtype=np.float64)
    other_b = np.asarray([in_a.get(c, 0) for c in b.vocabulary], dtype=np.float64)
    n = ma.shape[0] + mb.shape[0]
    share_a = (own_a + other_a) / n
    share_b = (own_b + other_b) / n
    gen_a = (share_a >= GENERIC_SHARE) & (own_a >= 2) & (other_a >= 2)
    gen_b = (share_b >= GENERIC_SHARE) & (own_b >= 2) & (other_b >= 2)
    if corpus is not None and corpus.documents:
        in_corpus_a = np.asarray([corpus.counts.get(c, 0) for c in a.vocabulary])
        in_corpus_b = np.asarray([corpus.counts.get(c, 0) for c in b.vocabulary])
        total = n + corpus.documents
        gen_a |= (
            ((own_a + other_a + in_corpus_a) / total >= GENERIC_SHARE)
            & (in_corpus_a / corpus.documents >= GENERIC_SHARE)
            & (other_a > 0)
        )
        gen_b |= (
            ((own_b + other_b + in_corpus_b) / total >= GENERIC_SHARE)
            & (in_corpus_b / corpus.documents >= GENERIC_SHARE)
            & (other_b > 0)
        )
    if not gen_a.any():
        return result
    # The strong matches between concepts generic in neither process (the
    # same matrix as strong * ~gen_a * ~gen_b, without two full products).
    specific = overlap.strong.copy()
    specific[gen_a, :] = 0.0
    specific[:, gen_b] = 0.0
    shares_specific = ma @ specific @ mb.T > 0
    # Every concept of one label matched in the other: contained, not generic.
    weak = overlap.shares & ~shares_specific & ~overlap.a_in_b & ~overlap.b_in_a
    result[a.named_rows[:, None], b.named_rows[None, :]] = weak
    return result


def _kind_of(
    a: PreparedProcess, b: PreparedProcess, rows: tuple[int, ...], cols: tuple[int, ...]
) -> MatchKind:
    if len(rows) > 1:
        return MatchKind.MERGED
    if len(cols) > 1:
        return MatchKind.SPLIT
    return (
        MatchKind.IDENTICAL
        if a.norm_labels[rows[0]] == b.norm_labels[cols[0]]
        else MatchKind.RENAMED
    )


def _union_similarity(
    concepts: npt.NDArray[np.float64],
    one: tuple[str, ...],
    parts: list[tuple[str, ...]],
    one_vocab: dict[str, int],
    part_vocab: dict[str, int],
) -> tuple[float, list[float], list[float]]:
    """Soft Dice of one label against the union of several labels.

    Also returns, per part, how much of the part the one label covers, and
    how much of the one label the part contains.
    """
    xs = sorted({one_vocab[c] for c in one})
    union = sorted({part_vocab[c] for p in parts for c in p})
    if not xs or not union:
        return 0.0, [0.0] * len(parts), [0.0] * len(parts)
    t = concepts[np.ix_(xs, union)]
    dice = float((t.max(axis=1).sum() + t.max(axis=0).sum()) / (len(xs) + len(union)))
    covered = []
    contains = []
    for p in parts:
        cols = [union.index(part_vocab[c]) for c in sorted(set(p))]
        covered.append(float(t[:, cols].max(axis=0).mean()) if cols else 0.0)
        contains.append(float(t[:, cols].max(axis=1).mean()) if cols else 0.0)
    return dice, covered, contains


def _find_groups(
    a: PreparedProcess,
    b: PreparedProcess,
    concepts: npt.NDArray[np.float64],
    label_sim: npt.NDArray[np.float64],
    pairs: dict[int, int],
    fixed_a: set[int],
    fixed_b: set[int],
    forbidden: set[tuple[int, int]],
    threshold: float,
) -> list[tuple[int, tuple[int, int]]]:
    """Find steps of A covered by two consecutive steps of B better than by one (splits).

    Called with the roles of A and B swapped to find merges; the returned
    indices are then (step of B, (steps of A)).
    """
    va, vb = a.labels.vocabulary_index, b.labels.vocabulary_index
    matched_b = {j: i for i, j in pairs.items()}
    # A split always leaves a step of B that the 1:1 assignment did not
    # use, so the search starts from those leftovers and stays small.
    leftovers = [
        j
        for j in range(len(b.ids))
        if j not in matched_b and j not in fixed_b and not b.unnamed[j]
    ]
    candidates: set[tuple[int, int, int]] = set()
    for j in leftovers:
        for i in np.flatnonzero(label_sim[:, j] > 0).tolist():
            if i in fixed_a or a.unnamed[i] or (i, j) in forbidden:
                continue
            current = pairs.get(i)
            for k in (*b.pred[j], *b.succ[j]):
                if k == j or k in fixed_b or b.unnamed[k] or (i, k) in forbidden:
                    continue
                if current is not None and current != k:
                    continue
                if current is None and (k in matched_b or label_sim[i, k] <= 0):
                    continue
                first, second = (k, j) if k in b.pred[j] else (j, k)
                # The parts of a split follow each other directly and only
                # each other; in a loop or a choice they are separate steps.
                if b.succ[first] == (second,) and b.pred[second] == (first,):
                    candidates.add((i, first, second))
    found: list[tuple[float, int, tuple[int, int]]] = []
    for i, j1, j2 in sorted(candidates):
        dice, covered, contains = _union_similarity(
            concepts,
            a.labels.concepts[i],
            [b.labels.concepts[j1], b.labels.concepts[j2]],
            va,
            vb,
        )
        single = max(label_sim[i, j1], label_sim[i, j2])
        # Two kinds of split: the parts each take a piece of the step (each
        # mostly about the step, together clearly better than either), or
        # they are two phases of it, each named after the whole step
        # ("Vurdere søknad – forberede", "Vurdere søknad – ferdigstille");
        # two steps with the same label are a repetition, not phases.
        pieces = dice >= single + _SPLIT_GAIN and min(covered) >= 0.5
        phases = min(contains) >= 0.9 and b.norm_labels[j1] != b.norm_labels[j2]
        if dice >= threshold and (pieces or phases):
            found.append((dice, i, (j1, j2)))
    found.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    result: list[tuple[int, tuple[int, int]]] = []
    for dice, i, js in found:
        if i in used_a or any(j in used_b for j in js):
            continue
        used_a.add(i)
        used_b.update(js)
        result.append((i, js))
    return result


def _find_specialisations(
    a: PreparedProcess,
    b: PreparedProcess,
    concepts: npt.NDArray[np.float64],
    pairs: dict[int, int],
    taken_a: set[int],
    taken_b: set[int],
    forbidden: set[tuple[int, int]],
    threshold: float,
    a_in_b: npt.NDArray[np.bool_],
) -> list[tuple[int, tuple[int, ...]]]:
    """Steps of A whose whole label is in several steps of B, each with its own qualifier.

    "Confirm identity" and "Confirm identity with passport", "Confirm
    identity without passport": the specialised steps of B, wherever they
    are in the flow, together correspond to the general step of A (1:n).
    Each part contains every concept of A's label and more; the parts have
    different labels (a repeated label is a repetition, not a
    specialisation); a part may be A's 1:1 partner or a step left over, not
    the partner of another step. Called with the roles swapped for n:1.
    Cost: O(n·m·v) for the containment matrix, then linear in the pairs
    found.
    """
    named_a, named_b = a.labels.sizes > 0, b.labels.sizes > 0
    if not named_a.any() or not named_b.any():
        return []
    rows_a, rows_b = np.flatnonzero(named_a), np.flatnonzero(named_b)
    sizes_a, sizes_b = a.labels.member_sums, b.labels.member_sums
    contains = a_in_b & (sizes_b[None, :] > sizes_a[:, None])
    partner_of = {j: i for i, j in pairs.items()}
    found: list[tuple[int, tuple[int, ...]]] = []
    used_b: set[int] = set()
    for r in np.flatnonzero(contains.sum(axis=1) >= 2).tolist():
        i = int(rows_a[r])
        if i in taken_a:
            continue
        parts = [
            j
            for j in rows_b[np.flatnonzero(contains[r])].tolist()
            if j not in taken_b
            and j not in used_b
            and partner_of.get(j, i) == i
            and (i, j) not in forbidden
        ]
        if len({b.norm_labels[j] for j in parts}) < 2:
            continue
        if i in pairs and pairs[i] not in parts:
            continue
        if _group_score(a, b, concepts, (i,), tuple(parts), concepts) < threshold:
            continue
        found.append((i, tuple(parts)))
        used_b.update(parts)
    return found


def align(
    a: Process | PreparedProcess,
    b: Process | PreparedProcess,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    synonyms: Synonyms | None = None,
    memory: MappingMemory | None = None,
    use_structure: bool = True,
    structure_weight: float = DEFAULT_STRUCTURE_WEIGHT,
    detect_splits: bool = True,
    id_evidence: bool = True,
    corpus: WordCounts | None = None,
    propagation_rounds: int = 0,
    generic_factor: float = 1.0,
) -> Alignment:
    """Align the steps of ``a`` with the steps of ``b``.

    Parameters
    ----------
    a, b
        The processes, or their :func:`prepare`\\ d features (faster when a
        process is compared many times).
    threshold
        Minimum pair score (in [0, 1]) for a match.
    synonyms
        Synonym groups; default :meth:`Synonyms.builtin`. Extend them with a
        cooperation's own words via :meth:`Synonyms.extend`.
    memory
        Confirmed and rejected correspondences (see :class:`MappingMemory`).
    use_structure
        Use the structural context (position, neighbours, lanes); if False,
        labels only.
    structure_weight
        Share of the structural context in the pair score.
    detect_splits
        Look for 1:2 splits and 2:1 merges after the 1:1 assignment.
    id_evidence
        Count the same distinctive id on both sides (see
        :func:`is_distinctive_id`) as evidence that two related steps are the
        same step (weight :data:`ID_EVIDENCE`).
    corpus
        Word counts of further processes (:func:`word_counts`, e.g. all
        processes of the case type), so that a word common across them counts
        as generic even where the two processes use it once each.
    generic_factor
        Share of its score that a pair keeps when the two labels share only
        generic words (see the module docstring); 1 by default (no
        penalty), 0.5 halves it. Measured: with 0.5, bpic15 (ids hidden)
        gained 17 fewer false pairs, sap lost one gold pair, the Norwegian
        set lost 18 gold pairs for 3 fewer false ones (``benchmarks/RESULTS.md``).
        Such pairs are marked ``generic_words_only`` in the evidence either way.
    propagation_rounds
        Rounds (at most 10) in which the neighbours of a pair are credited
        with their own pair score instead of their label similarity, so that
        agreement spreads along the flow as in similarity flooding; each
        round costs one more context computation, O(n·m·d) for n and m steps
        of degree d. Off by default: it did not help on the benchmark data
        (``benchmarks/RESULTS.md``). Confirmed pairs always count as
        neighbours (a confirmed step is its partner and nothing else).

    Returns
    -------
    Alignment
        Matches (1:1, split, merged), missing steps of A, extra steps of B.

    Raises
    ------
    ValueError
        ``memory`` confirms pairs that form an n:m group.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> a = chain(["Motta søknad", "Journalføre søknaden", "Sende nabovarsel", "Fatte vedtak"])
    >>> b = chain(["Motta søknad", "Registrere søknad", "Fatte avgjørelse"])
    >>> result = align(a, b)
    >>> [(m.a, m.b, m.kind.value) for m in result.matches]
    [(('s0',), ('s0',), 'identical'), (('s1',), ('s1',), 'renamed'), (('s3',), ('s2',), 'renamed')]
    >>> result.missing
    ('s2',)
    """
    syn = Synonyms.builtin() if synonyms is None else synonyms
    pa, pb = _prepared(a, syn), _prepared(b, syn)
    if pa.labels.language != pb.labels.language:
        # Compare in one language: the stemmer of the process with more text.
        lang = (
            pa.labels.language if len(pa.words) >= len(pb.words) else pb.labels.language
        )
        pa, pb = _in_language(pa, lang), _in_language(pb, lang)
    pa, pb = _with_words_of(pa, pb), _with_words_of(pb, pa)
    na, nb = len(pa.ids), len(pb.ids)
    if na == 0 or nb == 0:
        return Alignment(
            (), tuple(_in_order(pa, range(na))), tuple(_in_order(pb, range(nb)))
        )

    concepts = concept_matrix(pa.labels, pb.labels)
    label_sim = similarity_matrix(pa.labels, pb.labels, concepts)
    # Labels with the same wording (the same label, another inflection, nynorsk for bokmål) are
    # the same words whatever compound splitting made of them with the other process's words.
    wording_set = set(
        same_wording_pairs(
            [s.label for s in pa.steps], [s.label for s in pb.steps], pa.labels.language
        )
    )
    if wording_set:
        rows_w, cols_w = zip(*wording_set)
        label_sim[list(rows_w), list(cols_w)] = 1.0
    opposite, other_number = contradictions(pa.labels, pb.labels, syn)
    contradicted = opposite | other_number
    overlap = _Overlap.of(pa.labels, pb.labels, concepts)
    same_language = corpus is not None and corpus.language == pa.labels.language
    generic = _generic_only(
        pa.labels, pb.labels, concepts, corpus if same_language else None, overlap
    )
    # Labels alike as strings (a typing error in the other word) are not
    # generic pairs; only pairs that could reach the threshold are checked.
    checked = generic & (label_sim >= 0.3)
    if checked.any():
        rows_c = np.flatnonzero(checked.any(axis=1))
        cols_c = np.flatnonzero(checked.any(axis=0))
        alike = cdist(
            [pa.norm_labels[i] for i in rows_c],
            [pb.norm_labels[j] for j in cols_c],
            scorer=Indel.normalized_similarity,
            score_cutoff=0.8,
        )
        generic[np.ix_(rows_c, cols_c)] &= ~(alike >= 0.8)
    confirmed, rejected, confirmed_labels, rejected_labels = _memory_pairs(
        memory, pa, pb
    )
    for i, j in confirmed_labels:
        label_sim[i, j] = 1.0
    same_kind_unnamed = np.zeros((na, nb), dtype=bool)
    unnamed_a, unnamed_b = pa.unnamed_rows, pb.unnamed_rows
    if unnamed_a.size and unnamed_b.size:
        # Unnamed steps of the same kind (two start events); only the
        # unnamed rows and columns can hold such pairs.
        kinds_a = [pa.steps[i].kind.value for i in unnamed_a.tolist()]
        kinds_b = [pb.steps[j].kind.value for j in unnamed_b.tolist()]
        same_kind_unnamed[unnamed_a[:, None], unnamed_b[None, :]] = np.equal.outer(
            np.asarray(kinds_a), np.asarray(kinds_b)
        )

    forbidden = set(rejected) | set(rejected_labels)
    groups = _confirmed_groups(confirmed)
    fixed_a = {i for rows, _ in groups for i in rows}
    fixed_b = {j for _, cols in groups for j in cols}
    # Steps with the same id on both sides, in the order of A.
    same_id = [
        (i, twin)
        for i, twin in ((i, pb._index.get(sid)) for i, sid in enumerate(pa.ids))
        if twin is not None
    ]
    twins: list[tuple[int, int]] = []
    if id_evidence and same_id:
        related = label_sim[[i for i, _ in same_id], [j for _, j in same_id]] > 0
        distinctive = pa.distinctive_ids
        twins = [
            (i, j)
            for (i, j), rel in zip(same_id, related.tolist())
            if rel and pa.ids[i] in distinctive
        ]
    confirmed_pairs = [
        (i, j) for rows_g, cols_g in groups for i in rows_g for j in cols_g
    ]

    def pair_scores(context: npt.NDArray[np.float64] | None) -> npt.NDArray[np.float64]:
        if context is None:
            score = label_sim.copy()
            score[same_kind_unnamed] = 1.0
        else:
            w = structure_weight
            score = np.where(label_sim > 0, (1.0 - w) * label_sim + w * context, 0.0)
            score[same_kind_unnamed] = context[same_kind_unnamed]
        # Contradicting labels and labels that share only generic words are
        # negative evidence for the pair itself; as neighbours of other pairs
        # they still say where in the process one is.
        score[contradicted] *= CONTRADICTION_FACTOR
        if generic_factor != 1.0:
            score[generic] *= generic_factor
        # The same distinctive id on both sides is evidence of identity, never
        # proof: it lifts a pair whose labels are at least related, so that a
        # step copied from the standard pairs with its copy rather than with an
        # equally worded step elsewhere, but it does not pair unrelated steps.
        for i, j in twins:
            score[i, j] += ID_EVIDENCE * (1.0 - score[i, j])
        return score

    def as_neighbours(sim: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # As neighbours, two unnamed steps of the same kind (two start events)
        # agree, and a confirmed step is its confirmed partner and nothing else.
        sim = sim.copy()
        sim[same_kind_unnamed] = 1.0
        if confirmed_pairs:
            sim[list(fixed_a), :] = 0.0
            sim[:, list(fixed_b)] = 0.0
            for i, j in confirmed_pairs:
                sim[i, j] = 1.0
        return sim

    context: npt.NDArray[np.float64] | None = None
    if use_structure:
        context = _context(pa, pb, as_neighbours(label_sim))
        score = pair_scores(context)
        # Propagation (as in similarity flooding, bounded): the neighbours of
        # a pair are credited with their own pair score, which already holds
        # their neighbours' agreement; each round costs one context
        # computation, O(n·m·d) for n and m steps of degree d.
        for _ in range(min(max(propagation_rounds, 0), 10)):
            context = _context(pa, pb, as_neighbours(score))
            score = pair_scores(context)
    else:
        score = pair_scores(None)
    label_sim[contradicted] *= CONTRADICTION_FACTOR
    for i, j in forbidden:
        score[i, j] = 0.0

    # Maximise the total excess over the threshold: one strong pair is not
    # traded for two barely acceptable ones, and pairs below it never count.
    profit = score - threshold
    profit[profit < 0] = 0.0
    profit[list(fixed_a), :] = 0.0
    profit[:, list(fixed_b)] = 0.0
    # Exact ties (repeated labels in the same context) go to the step with
    # the same id, if there is one: an arbitrary choice otherwise, and the
    # right one when B was made from a copy of A. The nudge is far below any
    # real score difference.
    if same_id:
        same_rows = np.asarray([i for i, _ in same_id], dtype=np.intp)
        same_cols = np.asarray([j for _, j in same_id], dtype=np.intp)
        nudge = profit[same_rows, same_cols] > 0
        profit[same_rows[nudge], same_cols[nudge]] += 1e-9
    rows, cols = linear_sum_assignment(profit, maximize=True)
    kept = profit[rows, cols] > 0
    pairs = dict(zip(rows[kept].tolist(), cols[kept].tolist()))

    splits: list[tuple[int, tuple[int, ...]]] = []
    merges: list[tuple[int, tuple[int, ...]]] = []
    special: list[tuple[int, tuple[int, ...]]] = []
    general: list[tuple[int, tuple[int, ...]]] = []
    if detect_splits:
        splits = [
            (i, tuple(js))
            for i, js in _find_groups(
                pa,
                pb,
                concepts,
                label_sim,
                pairs,
                fixed_a,
                fixed_b,
                forbidden,
                threshold,
            )
        ]
        inverse = {j: i for i, j in pairs.items()}
        flipped = {(j, i) for i, j in forbidden}
        taken_a = {i for i, _ in splits}
        taken_b = {j for _, js in splits for j in js}
        merges = [
            (j, tuple(is_))
            for j, is_ in _find_groups(
                pb,
                pa,
                concepts.T,
                label_sim.T,
                inverse,
                fixed_b | taken_b,
                fixed_a | taken_a,
                flipped,
                threshold,
            )
        ]
        for i, js in splits:
            pairs.pop(i, None)
            for j in js:
                for k in [k for k, v in pairs.items() if v == j]:
                    del pairs[k]
        for j, is_ in merges:
            for i in is_:
                pairs.pop(i, None)
            for k in [k for k, v in pairs.items() if v == j]:
                del pairs[k]
        taken_a = (
            fixed_a | {i for i, _ in splits} | {i for _, is_ in merges for i in is_}
        )
        taken_b = fixed_b | {j for _, js in splits for j in js} | {j for j, _ in merges}
        special = _find_specialisations(
            pa,
            pb,
            concepts,
            pairs,
            taken_a,
            taken_b,
            forbidden,
            threshold,
            overlap.a_in_b,
        )
        for i, js in special:
            pairs.pop(i, None)
        taken_a |= {i for i, _ in special}
        taken_b |= {j for _, js in special for j in js}
        general = _find_specialisations(
            pb,
            pa,
            concepts.T,
            {j: i for i, j in pairs.items()},
            taken_b,
            taken_a,
            {(j, i) for i, j in forbidden},
            threshold,
            overlap.b_in_a.T,
        )
        for j, is_ in general:
            for k in [k for k, v in pairs.items() if v == j]:
                del pairs[k]
            for i in is_:
                pairs.pop(i, None)
        splits += special
        merges += general

    matches: list[tuple[float, Match]] = []

    order_a, order_b = pa.order_list, pb.order_list
    counts_a, counts_b = pa.label_counts, pb.label_counts
    twin_set = set(twins)
    confirmed_set = set(confirmed_pairs)

    lane_sim = _lane_similarity(pa, pb)
    lane_a, lane_b = pa.lane_index, pb.lane_index

    def actors(i: int, j: int) -> str | None:
        # The lanes (roles, units) of the two steps: the same name, or nothing in common.
        if lane_sim is None or lane_a[i] < 0 or lane_b[j] < 0:
            return None
        if _normal_lane(pa.lanes[lane_a[i]]) == _normal_lane(pb.lanes[lane_b[j]]):
            return "same_actor"
        return "other_actor" if lane_sim[lane_a[i], lane_b[j]] == 0.0 else None

    def evidence_of(
        rows_: tuple[int, ...], cols_: tuple[int, ...], group: str | None
    ) -> tuple[str, ...]:
        # Groups and n:m confirmed pairs; a 1:1 pair without a group takes
        # pair_evidence below, whose label evidence differs.
        found: list[str] = []
        cells = [(r, c) for r in rows_ for c in cols_]
        if all(cell in confirmed_set for cell in cells):
            found.append("confirmed")
        # The label evidence of a group is the group's kind.
        if group is not None:
            found.append(group)
        if context is not None:
            agree = max(float(context[r, c]) for r, c in cells)
            if agree >= 0.75:
                found.append("neighbours_agree")
            elif agree < 0.4:
                found.append("neighbours_differ")
        if any(cell in twin_set for cell in cells):
            found.append("same_id")
        if any(generic[r, c] for r, c in cells):
            found.append("generic_words_only")
        if any(contradicted[r, c] for r, c in cells):
            found.append("contradiction")
        return tuple(found)

    def add(
        rows_: tuple[int, ...],
        cols_: tuple[int, ...],
        value: float,
        group: str | None = None,
    ) -> None:
        rows_s = (
            tuple(sorted(rows_, key=order_a.__getitem__)) if len(rows_) > 1 else rows_
        )
        cols_s = (
            tuple(sorted(cols_, key=order_b.__getitem__)) if len(cols_) > 1 else cols_
        )
        if group is None and len(rows_s) == 1 and len(cols_s) == 1:
            i, j = rows_s[0], cols_s[0]
            codes = pair_evidence(
                i,
                j,
                bool(label_sim[i, j] >= 1.0 - 1e-9),
                None if context is None else float(context[i, j]),
                bool(generic[i, j]),
                bool(contradicted[i, j]),
            )
        else:
            codes = evidence_of(rows_s, cols_s, group)
        matches.append(
            (
                order_a[rows_s[0]],
                _match(
                    tuple(pa.ids[r] for r in rows_s),
                    tuple(pb.ids[c] for c in cols_s),
                    round(min(max(value, 0.0), 1.0), 6),
                    _kind_of(pa, pb, rows_s, cols_s),
                    codes,
                ),
            )
        )

    def pair_evidence(
        i: int,
        j: int,
        same_words: bool,
        agree: float | None,
        generic_ij: bool,
        contradicted_ij: bool,
    ) -> tuple[str, ...]:
        # One step with one step: the label evidence from the labels themselves.
        cell = (i, j)
        la, lb = pa.norm_labels[i], pb.norm_labels[j]
        found = ["confirmed"] if cell in confirmed_set else []
        if la == lb:
            found.append("same_label")
        elif cell in wording_set:
            found.append("same_wording")
        elif same_words:
            found.append("same_words")
        else:
            found.append("similar_words")
        if counts_a.get(la, 0) > 1 or counts_b.get(lb, 0) > 1:
            found.append("repeated_label")
        if la != lb and (la in counts_b or lb in counts_a):
            found.append("other_step_same_label")
        actor = actors(i, j)
        if actor:
            found.append(actor)
        if agree is not None:
            if agree >= 0.75:
                found.append("neighbours_agree")
            elif agree < 0.4:
                found.append("neighbours_differ")
        if cell in twin_set:
            found.append("same_id")
        if generic_ij and la != lb and cell not in wording_set:
            # (The same label or wording is more than shared generic words.)
            found.append("generic_words_only")
        if contradicted_ij:
            found.append("contradiction")
        return tuple(found)

    for rows_g, cols_g in groups:
        add(rows_g, cols_g, max(float(score[r, c]) for r in rows_g for c in cols_g))
    if pairs:
        # The 1:1 pairs, most of the matches: their cells are read from the
        # matrices in one indexing operation each, not one numpy scalar at a time.
        rows_p, cols_p = list(pairs), list(pairs.values())
        values = score[rows_p, cols_p].tolist()
        same_words = (label_sim[rows_p, cols_p] >= 1.0 - 1e-9).tolist()
        agrees: list[float | None] = (
            [None] * len(rows_p)
            if context is None
            else context[rows_p, cols_p].tolist()
        )
        generic_p = generic[rows_p, cols_p].tolist()
        contradicted_p = contradicted[rows_p, cols_p].tolist()
        ids_a, ids_b = pa.ids, pb.ids
        for k, (i, j) in enumerate(zip(rows_p, cols_p)):
            codes = pair_evidence(
                i, j, same_words[k], agrees[k], generic_p[k], contradicted_p[k]
            )
            matches.append(
                (
                    order_a[i],
                    _match(
                        (ids_a[i],),
                        (ids_b[j],),
                        round(min(max(values[k], 0.0), 1.0), 6),
                        MatchKind.IDENTICAL
                        if pa.norm_labels[i] == pb.norm_labels[j] or (i, j) in wording_set
                        else MatchKind.RENAMED,
                        codes,
                    ),
                )
            )
    special_groups = {(i, js) for i, js in special} | {(j, is_) for j, is_ in general}
    for i, js in splits:
        kind = "specialisation" if (i, js) in special_groups else "parts_of_one_step"
        add((i,), js, _group_score(pa, pb, concepts, (i,), js, score), kind)
    for j, is_ in merges:
        kind = "specialisation" if (j, is_) in special_groups else "parts_of_one_step"
        add(is_, (j,), _group_score(pa, pb, concepts, is_, (j,), score), kind)

    # A 1:1 pair below MIN_CONFIDENCE (another step of the other process has exactly one of the
    # two labels) is left unpaired: the registry offers it to the owner as a candidate instead.
    dropped = {
        (m.a[0], m.b[0])
        for _, m in matches
        if len(m.a) == len(m.b) == 1
        and m.confidence is not None
        and m.confidence < MIN_CONFIDENCE
        and "confirmed" not in m.evidence
    }
    if dropped:
        matches = [(o, m) for o, m in matches if (m.a[0], m.b[0]) not in dropped]
    alignment = _finish(pa, pb, matches)
    if use_structure and (alignment.missing or alignment.extra):
        from processes.suggest import fill_slots  # suggest builds on this module

        if generic_factor != 1.0:
            # Asked to weaken shared generic words: they do not fill a place either.
            dropped |= {(pa.ids[i], pb.ids[j]) for i, j in np.argwhere(generic).tolist()}
        found = fill_slots(
            pa.process,
            pb.process,
            alignment,
            memory=memory,
            synonyms=syn,
            language=pa.labels.language,
            exclude=dropped,
            groups=detect_splits,
        )
        # The threshold holds for these too: their score is the mean of the label similarity and 1
        # for the place.
        found = tuple(m for m in found if m.score >= threshold)
        if found:
            # A grown group replaces the 1:1 pair it grew from.
            grown = [(set(m.a), set(m.b)) for m in found]
            matches = [
                (o, m)
                for o, m in matches
                if not any(set(m.a) <= ga and set(m.b) <= gb for ga, gb in grown)
            ]
            index_a = {x: k for k, x in enumerate(pa.ids)}
            matches.extend((min(order_a[index_a[x]] for x in m.a), m) for m in found)
            alignment = _finish(pa, pb, matches)
    return alignment


def _finish(
    pa: PreparedProcess, pb: PreparedProcess, matches: list[tuple[float, Match]]
) -> Alignment:
    """The alignment of ``matches`` (each with its step of A's order): missing and extra in order."""
    matches.sort(key=lambda x: (x[0], x[1].a, x[1].b))
    used_a = {x for _, m in matches for x in m.a}
    used_b = {y for _, m in matches for y in m.b}
    missing = [i for i in range(len(pa.ids)) if pa.ids[i] not in used_a]
    extra = [j for j in range(len(pb.ids)) if pb.ids[j] not in used_b]
    return Alignment(
        tuple(m for _, m in matches),
        tuple(_in_order(pa, missing)),
        tuple(_in_order(pb, extra)),
    )


def _group_score(
    pa: PreparedProcess,
    pb: PreparedProcess,
    concepts: npt.NDArray[np.float64],
    rows: tuple[int, ...],
    cols: tuple[int, ...],
    score: npt.NDArray[np.float64],
) -> float:
    va, vb = pa.labels.vocabulary_index, pb.labels.vocabulary_index
    xs = sorted({va[c] for r in rows for c in pa.labels.concepts[r]})
    ys = sorted({vb[c] for k in cols for c in pb.labels.concepts[k]})
    if not xs or not ys:
        return max(float(score[r, c]) for r in rows for c in cols)
    t = concepts[np.ix_(xs, ys)]
    return float((t.max(axis=1).sum() + t.max(axis=0).sum()) / (len(xs) + len(ys)))


def _in_order(p: PreparedProcess, indices: Iterable[int]) -> list[str]:
    return [p.ids[i] for i in sorted(indices, key=lambda i: p.order[i])]


def _confirmed_groups(
    confirmed: list[tuple[int, int]],
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Connected groups of confirmed pairs; each must be 1:1, 1:n or n:1."""
    if not confirmed:
        return []
    g = nx.Graph()
    g.add_edges_from((("a", i), ("b", j)) for i, j in confirmed)
    groups = []
    for comp in nx.connected_components(g):
        rows = tuple(sorted(i for side, i in comp if side == "a"))
        cols = tuple(sorted(j for side, j in comp if side == "b"))
        if len(rows) > 1 and len(cols) > 1:
            raise ValueError(
                "the mapping memory confirms an n:m correspondence "
                f"({len(rows)} steps of A with {len(cols)} steps of B); confirm 1:1, 1:n or n:1 only"
            )
        groups.append((rows, cols))
    groups.sort()
    return groups


# Lane names repeat across the variants of a process; their similarity is kept.
_LANE_CACHE: dict[
    tuple[tuple[str, ...], tuple[str, ...], str, Synonyms], npt.NDArray[np.float64]
] = {}


def _lane_similarity(
    pa: PreparedProcess, pb: PreparedProcess
) -> npt.NDArray[np.float64] | None:
    """The similarity of every lane name of A with every one of B; None when a side has no lanes."""
    if not pa.lanes or not pb.lanes:
        return None
    key = (pa.lanes, pb.lanes, pa.labels.language, pa.synonyms)
    lane_sim = _LANE_CACHE.get(key)
    if lane_sim is None:
        if len(_LANE_CACHE) > 4096:
            _LANE_CACHE.clear()
        lane_sim = _LANE_CACHE[key] = similarity_matrix(pa.lane_labels, pb.lane_labels)
    return lane_sim


@lru_cache(maxsize=4096)
def _normal_lane(name: str) -> str:
    return normalise(name)


def _context(
    pa: PreparedProcess, pb: PreparedProcess, label_sim: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Structural agreement of every pair of steps, in [0, 1]."""
    position = 1.0 - np.abs(pa.position[:, None] - pb.position[None, :])
    neighbours = (
        _neighbour_agreement(label_sim, pa.pred_arrays, pb.pred_arrays)
        + _neighbour_agreement(label_sim, pa.succ_arrays, pb.succ_arrays)
    ) / 2.0
    parts = [position, neighbours]
    lane_sim = _lane_similarity(pa, pb)
    if lane_sim is not None:
        la, lb = pa.lane_index, pb.lane_index
        # Each pair's lane similarity; 0 where a step is in no lane (-1).
        lanes = lane_sim[np.maximum(la, 0)[:, None], np.maximum(lb, 0)[None, :]]
        if (la < 0).any() or (lb < 0).any():
            lanes = np.where(np.outer(la >= 0, lb >= 0), lanes, 0.0)
        parts.append(lanes)
    return np.asarray(sum(parts) / len(parts), dtype=np.float64)
