"""Same wording: two labels that say the same thing, in other inflections or written standards.

«Søknad motteken» and «Søknad mottatt», «Sende førebels svar» and «Sende
foreløpig svar», «Fordele saka til sakshandsamar» and «Fordele saken til
saksbehandler»: a municipality that writes nynorsk has not renamed the
standard's steps, and neither has one that writes «Motta søknaden» for «Motta
søknad». :func:`same_wording` says so, so that the matcher calls such a pair
identical (not renamed) and the comparison does not list it as a difference.

Same wording is stricter than the synonyms of :mod:`processes.labels`:
«Registrere søknaden» and «Journalføre søknaden» are synonyms (the same step
with another word, a renaming) but not the same wording. Two labels have the
same wording when they have the same words in the same order, after
normalisation (:func:`processes.labels.normalise`), nynorsk forms replaced by
their bokmål forms (``processes/data/nynorsk.txt``, for Norwegian labels) and
stemming (:func:`processes.labels.stem`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from processes.labels import stem, tokenise

__all__ = ["bokmaal_forms", "same_wording", "same_wording_pairs"]

#: Phrases of the word list are at most this many words long.
_MAX_PHRASE = 3

#: Nynorsk noun endings in -ar and their bokmål forms, longest first.
_AR_ENDINGS = (("arane", "erne"), ("arar", "ere"), ("aren", "eren"), ("ar", "er"))


def _read(text: str) -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("=") != 1:
            raise ValueError(f"nynorsk.txt line {number}: expected 'nynorsk = bokmål', got {raw!r}")
        left, right = (side.strip() for side in line.split("="))
        targets = tuple(tuple(tokenise(t)) for t in right.split("|") if tokenise(t))
        for source in left.split("|"):
            words = tuple(tokenise(source))
            if not words or not targets or len(words) > _MAX_PHRASE:
                raise ValueError(f"nynorsk.txt line {number}: empty side or phrase too long in {raw!r}")
            table[words] = targets
    return table


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    text = resources.files("processes").joinpath("data/nynorsk.txt").read_text(encoding="utf-8")
    return _read(text)


def bokmaal_forms(word: str) -> tuple[str, ...]:
    """The bokmål forms of a normalised nynorsk ``word`` (the word itself if it has none).

    A word in -ar also reads as -er (agent nouns and plurals). A compound
    not in the list is looked up by its last part (at least four letters,
    after at least three), then by its first part.

    Examples
    --------
    >>> bokmaal_forms("søkjar"), bokmaal_forms("søknad")
    (('søker',), ('søknad',))
    >>> bokmaal_forms("statsforvaltaren")
    ('statsforvaltaren', 'statsforvalteren')
    >>> bokmaal_forms("sosialtenesta")
    ('sosialtjenesten',)
    >>> bokmaal_forms("løyvegebyr")
    ('bevillinggebyr', 'bevillingsgebyr', 'tillatelsegebyr', 'tillatelsesgebyr')
    """
    table = _table()
    found = table.get((word,))
    if found is not None:
        return tuple(" ".join(t) for t in found)
    for ending, bokmaal in _AR_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            # Agent nouns and plurals in -ar are -er in bokmål (forvaltaren/forvalteren).
            return (word, word[: -len(ending)] + bokmaal)
    for cut in range(3, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        found = table.get((tail,))
        if found is not None and all(len(t) == 1 for t in found):
            return tuple(head + t[0] for t in found)
    for cut in range(len(word) - 3, 3, -1):
        head, tail = word[:cut], word[cut:]
        found = table.get((head,))
        if found is not None and all(len(t) == 1 for t in found):
            # Bokmål often joins with a linking s where nynorsk does not (løyvegebyr, bevillingsgebyr).
            return tuple(form for t in found for form in (t[0] + tail, t[0] + "s" + tail))
    return (word,)


@lru_cache(maxsize=8192)
def _reading(label: str, language: str) -> tuple[frozenset[str], ...]:
    """The label as a sequence of words, each the set of stems it may stand for."""
    words = tokenise(label)
    if language != "norwegian":
        return tuple(frozenset({stem(w, language)}) for w in words)
    table = _table()
    result: list[frozenset[str]] = []
    k = 0
    while k < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - k), 1, -1):
            target = table.get(tuple(words[k : k + size]))
            if target is not None and len({len(t) for t in target}) == 1:
                # A phrase becomes its bokmål words, one position each.
                for position in range(len(target[0])):
                    result.append(frozenset(stem(t[position], language) for t in target))
                k += size
                break
        else:
            result.append(frozenset(stem(f, language) for f in bokmaal_forms(words[k])))
            k += 1
    return tuple(result)


def same_wording(a: str, b: str, language: str = "norwegian") -> bool:
    """Whether labels ``a`` and ``b`` say the same in other inflections or the other written standard.

    Examples
    --------
    >>> same_wording("Søknad motteken", "Søknad mottatt")
    True
    >>> same_wording("Fordele saka til sakshandsamar", "Fordele saken til saksbehandler")
    True
    >>> same_wording("Rekne ut gebyr", "Beregne gebyret")
    True
    >>> same_wording("Registrere søknaden", "Journalføre søknaden")  # a synonym: renamed
    False
    >>> same_wording("Sende vedtak", "Motta vedtak")
    False
    >>> same_wording("Receiving invoices", "Receive invoice", "english")
    True
    """
    ra, rb = _reading(a, language), _reading(b, language)
    return len(ra) == len(rb) and bool(ra) and all(x & y for x, y in zip(ra, rb))


#: A label whose words have more readings than this together is compared by its first readings only.
_MAX_KEYS = 16


@lru_cache(maxsize=8192)
def _keys(label: str, language: str) -> tuple[tuple[str, ...], ...]:
    reading = _reading(label, language)
    if not reading:
        return ()
    choices = [sorted(position) for position in reading]
    return tuple(itertools.islice(itertools.product(*choices), _MAX_KEYS))


@lru_cache(maxsize=1024)
def _index(labels: tuple[str, ...], language: str) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Each reading of the labels, with the positions of the labels that have it."""
    by_key: dict[tuple[str, ...], list[int]] = {}
    for j, label in enumerate(labels):
        for key in _keys(label, language):
            by_key.setdefault(key, []).append(j)
    return {key: tuple(js) for key, js in by_key.items()}


def same_wording_pairs(
    labels_a: Sequence[str], labels_b: Sequence[str], language: str = "norwegian"
) -> list[tuple[int, int]]:
    """Every (i, j) whose labels have the same wording (:func:`same_wording`), in linear time.

    Empty labels have no wording. Each label is looked up by its readings
    (at most 16 per label: a word such as «løyve» has two bokmål forms).

    Examples
    --------
    >>> same_wording_pairs(["Søknad motteken", "Rekne ut gebyr", ""], ["Beregne gebyret", "Søknad mottatt", ""])
    [(0, 1), (1, 0)]
    """
    # The index of a process's labels is kept: a standard is compared with many variants.
    by_key = _index(tuple(labels_b), language)
    found: set[tuple[int, int]] = set()
    for i, label in enumerate(labels_a):
        for key in _keys(label, language):
            for j in by_key.get(key, ()):
                found.add((i, j))
    return sorted(found)
