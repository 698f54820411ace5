"""Label normalisation and similarity for Norwegian (bokmål, nynorsk), English and German.

Two step labels are compared token by token. A label goes through:

1. **normalisation**: Unicode NFKC, case folding, accents removed (``é`` ->
   ``e``) but the Norwegian letters ``æ``, ``ø`` and ``å`` kept, punctuation
   and hyphens turned into spaces;
2. **tokenisation** and removal of stop words (``og``, ``om``, ``å``,
   ``the``, ``of``, ...), unless the label consists of stop words only;
3. **compound splitting**: ``byggesøknad`` -> ``bygge`` + ``søknad`` when
   both parts are known words, i.e. words of the processes being compared
   (and, for Norwegian, of a small built-in lexicon); the Norwegian linking
   letters ``s`` and ``e`` are allowed (``salgsbevilling``,
   ``skjenkebevilling``), in German ``s``, ``es``, ``n``, ``en`` and ``e``
   (``Rechnungsprüfung`` -> ``Rechnung`` + ``Prüfung``). English closed
   compounds split the same way, and a phrasal-verb particle (``up``,
   ``over``, ``out``, ...) counts as a known right part (``setup`` -> ``set``
   + ``up``, ``handover`` -> ``hand`` + ``over``);
4. **lemmatisation** (English and German) with :mod:`simplemma`'s
   dictionaries (``chose`` -> ``choose``, ``Anträge`` -> ``Antrag``,
   ``geprüft`` -> ``prüfen``), then **stemming** with the Snowball stemmer of
   the label language (``norwegian``, ``english`` or ``german``, detected from
   all labels of a process: see :func:`detect_language`). The noun suffixes
   Norwegian ``-ing`` and German ``-ung`` are removed too, so that the noun
   meets its verb (``behandling``/``behandle``, ``Prüfung``/``prüfen``); an
   English derived word (``package``, ``hungry``, ``payment``) is reduced to
   its root when the root is a known word (``pack``, ``hunger``, ``pay``);
5. **synonyms**: each word is mapped to its synonym group, if any. The
   built-in groups (``processes/data/synonyms.txt``) cover Norwegian casework
   words, bokmål/nynorsk forms and their English equivalents; a cooperation
   can add its own with :meth:`Synonyms.extend`.

The result is a list of *concepts* per label. Two concepts match with score 1
when they are equal (same stem or same synonym group) and with their
normalised Indel similarity (:mod:`rapidfuzz`) when their stems are at least
:data:`FUZZY_CUTOFF` similar and both have four letters or more (typing
errors, inflections the stemmer missed); otherwise 0.

The similarity of two labels is the soft Dice coefficient of their concept
lists: every concept of either label is credited with its best match in the
other label, and the credits are divided by the total number of concepts::

    sim(A, B) = (sum_{a in A} max_{b in B} m(a, b) + sum_{b in B} max_{a in A} m(a, b)) / (|A| + |B|)

It is 1 for labels with the same concepts, 0 for labels with nothing in
common, symmetric, and it rewards partial overlaps in proportion to their
size ("Sende vedtak" vs "Sende vedtak til søker": 0.8).
:func:`similarity_matrix` can weight each concept by its inverse document
frequency over the labels of both processes (``weighted=True``), so that a
word found in many labels counts less; the matcher does not use this by
default (it did not help on the benchmark data, see ``benchmarks/RESULTS.md``).

:class:`LabelSet` holds the analysed labels of one process so that the work
is done once per process; :func:`similarity_matrix` compares two label sets
with vectorised code (one :func:`rapidfuzz.process.cdist` call and a few
numpy operations).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import simplemma
import snowballstemmer
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

__all__ = [
    "FUZZY_CUTOFF",
    "LANGUAGES",
    "STOP_WORDS",
    "LabelSet",
    "Synonyms",
    "analyse",
    "compound_candidates",
    "contradictions",
    "detect_language",
    "known_stems",
    "label_similarity",
    "label_words",
    "lexicon",
    "normalise",
    "opposite_concepts",
    "similarity_matrix",
    "stem",
    "stop_words",
    "tokenise",
]

#: Two different stems count as a (partial) match from this Indel similarity on.
FUZZY_CUTOFF = 0.8

#: Stems shorter than this match exactly or not at all (short words differ in one letter too easily).
_FUZZY_MIN_LENGTH = 4

#: Languages with a stemmer and stop words.
LANGUAGES = ("norwegian", "english", "german")

_NORWEGIAN_STOP = frozenset(
    [
        "og",
        "i",
        "å",
        "på",
        "til",
        "av",
        "for",
        "med",
        "om",
        "som",
        "en",
        "et",
        "ei",
        "den",
        "det",
        "de",
        "dei",
        "er",
        "var",
        "blir",
        "ble",
        "vart",
        "skal",
        "kan",
        "må",
        "bør",
        "vil",
        "har",
        "hadde",
        "fra",
        "frå",
        "ved",
        "etter",
        "før",
        "under",
        "over",
        "mot",
        "eller",
        "men",
        "at",
        "der",
        "her",
        "så",
        "seg",
        "sin",
        "sitt",
        "sine",
        "hans",
        "hennes",
        "dens",
        "deres",
        "dets",
        "vi",
        "oss",
        "dere",
        "ikke",
        "ikkje",
        "ut",
        "inn",
        "opp",
        "ned",
        "da",
        "når",
        "kva",
        "hva",
        "hvis",
        "dersom",
        "enn",
        "også",
        "berre",
        "bare",
        "nå",
        "no",
        "mellom",
        "uten",
        "utan",
        "hos",
        "gjennom",
        "innen",
        "innan",
        "andre",
        "annen",
        "anna",
        "nye",
        "ny",
        "jeg",
        "eg",
        "meg",
        "deg",
        "du",
    ]
)
_ENGLISH_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "for",
        "and",
        "or",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "into",
        "onto",
        "is",
        "are",
        "be",
        "been",
        "being",
        "was",
        "were",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "as",
        "per",
        "via",
        "if",
        "s",
        "not",
        "no",
    ]
)
# German function words: articles, pronouns, prepositions, conjunctions,
# auxiliaries and particles (the closed word classes; written for this
# project, in the spirit of the Snowball German stop list). Content words are
# never listed. Normalised (umlauts removed) when the set is built.
_GERMAN_STOP = frozenset(
    "".join(
        c for c in unicodedata.normalize("NFD", w.casefold()) if not unicodedata.combining(c)
    )
    for w in [
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer",
        "eines", "einem", "einen", "kein", "keine", "und", "oder", "aber",
        "sondern", "denn", "doch", "sowie", "bzw", "für", "mit", "von", "zu",
        "zum", "zur", "vom", "im", "am", "ans", "ins", "beim", "an", "auf",
        "aus", "bei", "bis", "durch", "gegen", "ohne", "um", "über", "unter",
        "vor", "nach", "neben", "zwischen", "seit", "wegen", "während",
        "innerhalb", "außerhalb", "ist", "sind", "war", "waren", "wird",
        "werden", "wurde", "wurden", "worden", "sein", "hat", "haben", "hatte",
        "kann", "können", "muss", "müssen", "soll", "sollen", "darf", "dürfen",
        "sich", "es", "er", "sie", "wir", "ihr", "ihre", "ihren", "sein",
        "seine", "seinen", "man", "nicht", "auch", "noch", "nur", "schon",
        "dann", "wenn", "als", "wie", "ob", "dass", "so", "da", "hier", "dort",
        "alle", "allen", "jeder", "jede", "jedes", "neu", "neue", "neuen",
    ]
)
#: Words left out of the comparison (unless a label has nothing else):
#: the Norwegian and English ones; German labels use :func:`stop_words`.
STOP_WORDS: frozenset[str] = _NORWEGIAN_STOP | _ENGLISH_STOP

_STOP_BY_LANGUAGE = {
    "norwegian": STOP_WORDS,
    # English labels keep the Norwegian list too: it is what the matcher was
    # measured with, and Norwegian words in English labels are noise.
    "english": STOP_WORDS,
    "german": frozenset(_GERMAN_STOP),
}

# Words that only occur in one of the languages; used to pick the stemmer.
# German function words that are also common words elsewhere ("die", "also",
# "man", "hat", "will", "alle") are no hint.
_NORWEGIAN_HINTS = (
    _NORWEGIAN_STOP - _ENGLISH_STOP - {"at", "i", "under", "over", "men", "her"}
)
_ENGLISH_HINTS = _ENGLISH_STOP - _NORWEGIAN_STOP - _GERMAN_STOP - {"a"}
_GERMAN_HINTS = (
    _GERMAN_STOP
    - _NORWEGIAN_STOP
    - _ENGLISH_STOP
    - {"die", "also", "man", "hat", "will", "alle", "allen", "war", "am", "so"}
)
# Letters of one language only (after lower-casing, before accents are removed).
_NORWEGIAN_LETTERS = frozenset("æøå")
_GERMAN_LETTERS = frozenset("äöüß")
# German derivational suffixes that Norwegian and English words do not end in
# (Norwegian has -ing, not -ung; nynorsk has -heit, so -heit is no hint).
_GERMAN_SUFFIXES = ("ung", "ungen", "keit", "keiten", "schaft", "schaften")

# simplemma's language codes, and its dictionaries consulted when the hints
# do not decide (see detect_language).
_SIMPLEMMA_CODES = {"norwegian": "nb", "english": "en", "german": "de"}

_NON_WORD = re.compile(r"[^\w]+|_+")
_RING_ABOVE = "\u030a"


@lru_cache(maxsize=65536)
def normalise(label: str) -> str:
    """Return ``label`` in the form used for comparison.

    Case-folded, accents removed except on ``å`` (``æ`` and ``ø`` are letters
    of their own and stay), punctuation and hyphens replaced by spaces,
    whitespace collapsed.

    Examples
    --------
    >>> normalise("  Sende   NABOVARSEL! ")
    'sende nabovarsel'
    >>> normalise("Vurdere søknad (pbl. § 21-7), idé")
    'vurdere søknad pbl 21 7 ide'
    >>> normalise("Bygge-søknad: Åpne")
    'bygge søknad åpne'
    """
    text = unicodedata.normalize("NFKC", label).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            # "å" is a + ring above; every other combining mark is an accent.
            if ch == _RING_ABOVE and kept and kept[-1] == "a":
                kept.append(ch)
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(_NON_WORD.sub(" ", text).split())


def tokenise(label: str) -> list[str]:
    """Return the normalised words of ``label``.

    Examples
    --------
    >>> tokenise("Motta søknad om byggetillatelse")
    ['motta', 'søknad', 'om', 'byggetillatelse']
    """
    return normalise(label).split()


def stop_words(language: str = "norwegian") -> frozenset[str]:
    """Return the words left out of labels of ``language`` (unless a label has nothing else).

    Examples
    --------
    >>> "und" in stop_words("german"), "und" in stop_words("norwegian")
    (True, False)
    >>> "fur" in stop_words("german")  # normalised: umlauts removed
    True
    """
    try:
        return _STOP_BY_LANGUAGE[language]
    except KeyError:
        raise ValueError(
            f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}"
        ) from None


def _raw_words(label: str) -> list[str]:
    # Lower-cased words with their accents (and ß) kept, for the letter hints
    # and the lemmatiser's dictionaries; same word boundaries as tokenise().
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", label).lower())
    return _NON_WORD.sub(" ", text).split()


@lru_cache(maxsize=65536)
def _label_hints(label: str) -> tuple[tuple[int, int, int], tuple[str, ...]]:
    # Per label (labels recur across the processes of a cooperation): the hints
    # for Norwegian, English and German, and the words.
    no = en = de = 0
    words = tuple(_raw_words(label))
    for word in words:
        plain = normalise(word)
        if plain in _NORWEGIAN_HINTS or not _NORWEGIAN_LETTERS.isdisjoint(word):
            no += 1
        elif (
            plain in _GERMAN_HINTS
            or not _GERMAN_LETTERS.isdisjoint(word)
            or (len(plain) >= 6 and plain.endswith(_GERMAN_SUFFIXES))
        ):
            de += 1
        elif plain in _ENGLISH_HINTS:
            en += 1
    return (no, en, de), words


def _hint_scores(labels: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    totals = [0, 0, 0]
    raw: list[str] = []
    for label in labels:
        counts, words = _label_hints(label)
        for i, c in enumerate(counts):
            totals[i] += c
        raw.extend(words)
    return dict(zip(LANGUAGES, totals)), raw


@lru_cache(maxsize=65536)
def _is_known(word: str, code: str) -> bool:
    return bool(simplemma.is_known(word, lang=code))


def detect_language(labels: Iterable[str]) -> str:
    """Guess whether ``labels`` are Norwegian, English or German; ``"norwegian"`` when unsure.

    Decide per process, from all its labels: a single short label says
    little. Each word is a hint for one language when it is a function word
    of that language only (``til``, ``the``, ``und``), contains a letter of
    that language only (æ, ø, å; ä, ö, ü, ß) or ends in a German-only suffix
    (``-ung``, ``-keit``, ``-schaft``). The language with most hints wins.
    When no language has more hints than the others (labels such as "Check
    invoice" or "Antrag stellen" have none), the words are looked up in the
    dictionaries of :mod:`simplemma` (bokmål, English, German) and the
    language that knows most of them wins; a tie keeps the order
    Norwegian, English, German. Those dictionaries are loaded on first use
    (about 200 MB and 3 s once per process).

    Examples
    --------
    >>> detect_language(["Check the invoice", "Send invoice to customer"])
    'english'
    >>> detect_language(["Sende vedtak til søker"])
    'norwegian'
    >>> detect_language(["Rechnung prüfen", "Antrag stellen"])
    'german'
    >>> detect_language(["Check invoice", "Pay invoice"])
    'english'
    """
    scores, raw = _hint_scores(labels)
    best = max(scores.values())
    leaders = [lang for lang in LANGUAGES if scores[lang] == best]
    if len(leaders) == 1:
        return leaders[0]
    words = {w for w in raw if not w.isdigit()}
    if not words:
        return leaders[0]
    known = {
        lang: sum(_is_known(w, _SIMPLEMMA_CODES[lang]) for w in words)
        for lang in leaders
    }
    return max(leaders, key=lambda lang: known[lang])


@lru_cache(maxsize=65536)
def _lemma(word: str, language: str) -> str:
    code = _SIMPLEMMA_CODES[language]
    if not _is_known(word, code):
        return word
    found: str = simplemma.lemmatize(word, lang=code)
    # A lemma of several words, or one made of other characters, is not used.
    return found.lower() if found and _NON_WORD.search(found) is None else word


def label_words(label: str, language: str = "norwegian") -> list[str]:
    """Return the normalised words of ``label``; English and German words lemmatised.

    The lemma comes from :mod:`simplemma`'s dictionary of the language (the
    word as written when the dictionary does not know it); Norwegian words
    are returned as :func:`tokenise` gives them (the Snowball stemmer and the
    compound splitting do the work).

    Examples
    --------
    >>> label_words("Chose the packages", "english")
    ['choose', 'the', 'package']
    >>> label_words("Anträge geprüft", "german")
    ['antrag', 'prufen']
    >>> label_words("Sendte vedtakene")
    ['sendte', 'vedtakene']
    """
    if language == "norwegian" or language not in _SIMPLEMMA_CODES:
        return tokenise(label)
    return [w for raw in _raw_words(label) for w in normalise(_lemma(raw, language)).split()]


_STEMMERS: dict[str, snowballstemmer.stemmer] = {}
_VOWELS = frozenset("aeiouyæøå")


@lru_cache(maxsize=65536)
def stem(word: str, language: str = "norwegian") -> str:
    """Return the stem of a normalised ``word``.

    Snowball, plus two rules for Norwegian: the noun suffix ``-ing`` is
    removed as well, so that the noun and the verb meet (``behandling`` and
    ``behandle`` -> ``behandl``), and a doubled final consonant is undone
    (``eiendommen`` and ``eiendom`` -> ``eiendom``). German likewise loses
    the noun suffix ``-ung`` (``prufung`` and ``prufen`` -> ``pruf``; Snowball
    removes it only from long words) and the ``-er`` of ``-ier`` (so that
    ``registrierung`` meets ``registrieren``).

    Examples
    --------
    >>> stem("behandling"), stem("behandle"), stem("vurdera")
    ('behandl', 'behandl', 'vurder')
    >>> stem("eiendommen") == stem("eiendom")
    True
    >>> stem("processing", "english")
    'process'
    >>> stem("prufung", "german"), stem("prufen", "german"), stem("rechnungen", "german")
    ('pruf', 'pruf', 'rechn')
    """
    if language not in _STEMMERS:
        if language not in LANGUAGES:
            raise ValueError(
                f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}"
            )
        _STEMMERS[language] = snowballstemmer.stemmer(language)
    result: str = _STEMMERS[language].stemWord(word)
    if language == "norwegian":
        if result.endswith("ing") and len(result) >= 7:
            result = result[:-3]
        # Inflection doubles a final consonant (eiendom, eiendommen); undo it.
        if len(result) > 4 and result[-1] == result[-2] and result[-1] not in _VOWELS:
            result = result[:-1]
    elif language == "german":
        if result.endswith("ung") and len(result) >= 6:
            result = result[:-3]
        if result.endswith("ier") and len(result) >= 6:
            result = result[:-2]
    return result


def _read_groups(text: str) -> list[tuple[str, ...]]:
    groups: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = tuple(w for w in (normalise(part) for part in line.split(",")) if w)
        if len(words) >= 2:
            groups.append(words)
    return groups


@dataclass(frozen=True)
class Synonyms:
    """Groups of words that mean the same in process labels.

    Entries are normalised and stemmed, so one form per word is enough. An
    entry may be a phrase of several words ("ta imot"); a phrase is matched
    before stop words are removed, its words as written. A word listed in
    several groups joins them into one group.

    Parameters
    ----------
    groups
        The groups, each a tuple of words.

    Examples
    --------
    >>> syn = Synonyms.builtin()
    >>> syn.concept("journalføre") == syn.concept("registrere")
    True
    >>> local = syn.extend([["byggesak", "plansak"]])
    >>> local.concept("plansak") == local.concept("byggesak")
    True
    >>> Synonyms().concept("registrere") is None
    True
    """

    groups: tuple[tuple[str, ...], ...] = ()
    _lookup_cache: dict[str, dict[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # (word, language) -> concept(word, language): analyse() asks for the same
    # words in every process of a kind.
    _concept_cache: dict[tuple[str, str], str | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def builtin(cls) -> Synonyms:
        """Return the built-in Norwegian/English casework synonyms and common English verbs."""
        return _builtin_synonyms()

    @classmethod
    def from_text(cls, text: str) -> Synonyms:
        """Read groups from text: one group per line, words separated by commas, ``#`` comments."""
        return cls(tuple(_read_groups(text)))

    def extend(self, groups: Iterable[Sequence[str]] | Synonyms) -> Synonyms:
        """Return these groups plus ``groups`` (e.g. a cooperation's own list)."""
        extra = groups.groups if isinstance(groups, Synonyms) else groups
        more = tuple(tuple(w for w in (normalise(x) for x in g) if w) for g in extra)
        return Synonyms(self.groups + tuple(g for g in more if len(g) >= 2))

    @cached_property
    def _words(self) -> dict[str, str]:
        # Union-find over words, so overlapping groups merge; the key of a
        # group is its first word in file order, which keeps keys stable.
        parent: dict[str, str] = {}

        def find(w: str) -> str:
            while parent[w] != w:
                parent[w] = parent[parent[w]]
                w = parent[w]
            return w

        first: dict[str, int] = {}
        for group in self.groups:
            for w in group:
                parent.setdefault(w, w)
                first.setdefault(w, len(first))
            root = find(group[0])
            for w in group[1:]:
                other = find(w)
                if other != root:
                    # The older group's key survives a merge.
                    if first[other] < first[root]:
                        root, other = other, root
                    parent[other] = root
        return {w: "=" + find(w) for w in parent}

    @cached_property
    def phrases(self) -> dict[tuple[str, ...], str]:
        """Multi-word entries ("ta imot") as word tuples, mapped to the entry."""
        return {tuple(w.split()): w for w in self._words if " " in w}

    @cached_property
    def phrase_starts(self) -> frozenset[str]:
        """The first words of the multi-word entries."""
        return frozenset(k[0] for k in self.phrases)

    def _lookup(self, language: str) -> dict[str, str]:
        table = self._lookup_cache.get(language)
        if table is None:
            table = {}
            # Exact words first, then stems; the first group to claim a stem keeps it.
            for w, key in self._words.items():
                table.setdefault(w, key)
            for w, key in self._words.items():
                table.setdefault("~" + stem(w, language), key)
            self._lookup_cache[language] = table
        return table

    def concept(self, word: str, language: str = "norwegian") -> str | None:
        """Return the group key of a word (or of its stem), or None if it is in no group."""
        cache = self._concept_cache
        key = (word, language)
        if key in cache:
            return cache[key]
        w = normalise(word)
        table = self._lookup(language)
        found = table.get(w) or table.get("~" + stem(w, language))
        if len(cache) >= 65536:
            cache.clear()
        cache[key] = found
        return found

    def __hash__(self) -> int:
        return hash(self.groups)


@lru_cache(maxsize=1)
def _builtin_synonyms() -> Synonyms:
    # The casework groups, then common English verbs (with their WordNet senses).
    data = resources.files("processes").joinpath("data")
    text = "\n".join(
        data.joinpath(name).read_text(encoding="utf-8")
        for name in ("synonyms.txt", "synonyms_en_verbs.txt")
    )
    return Synonyms.from_text(text)


@lru_cache(maxsize=1)
def _lexicon_known() -> frozenset[str]:
    """The Norwegian stems of the lexicon's words of three letters or more."""
    return frozenset(stem(w) for w in lexicon() if len(w) >= 3)


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The built-in Norwegian words known to compound splitting (``processes/data/lexicon.txt``)."""
    text = (
        resources.files("processes")
        .joinpath("data/lexicon.txt")
        .read_text(encoding="utf-8")
    )
    words = {normalise(line.split("#", 1)[0]) for line in text.splitlines()}
    return frozenset(w for w in words if w)


# Linking elements between the parts of a compound (Fugenelemente in German:
# Rechnung-s-prüfung, Kunde-n-konto, Person-en-kontrolle).
_LINKS = {"norwegian": ("s", "e"), "german": ("s", "es", "n", "en", "e"), "english": ()}
# English adverbial particles of phrasal verbs (a closed word class): a closed
# compound made of a verb and one of them ("setup", "handover", "checkout",
# "login") is the phrasal verb written as one word.
_PARTICLES = frozenset(
    ["up", "down", "in", "out", "on", "off", "over", "back", "away", "through"]
)
# English derivational suffixes that make a noun or adjective of another
# word (pack-age, pay-ment, aware-ness, approv-al, hungr-y), each with the
# shortest root it is removed from; shorter roots ("mess-age", "read-y",
# "sign-al", "part-y") are too often another word.
_DERIVATIONS = (("age", 4), ("ment", 3), ("ness", 4), ("al", 5), ("y", 5))


def _right_ok(right: str, language: str) -> bool:
    return len(right) >= 3 or (language == "english" and right in _PARTICLES)


@lru_cache(maxsize=65536)
def _split_points(
    word: str, language: str
) -> tuple[tuple[tuple[tuple[str, str], ...], str, str | None], ...]:
    """Where :func:`_split_compound` tries to cut ``word``, with the stems it needs.

    Per cut, left to right: the readings of the left part as (word, stem),
    first as it is, then without each linking element it ends in (Norwegian
    "saks" -> "sak"); the right part; and the right part's stem, or None if
    the right part cannot stand alone. Only which stems are known differs
    between processes, so this is kept per word and language.
    """
    links = _LINKS.get(language, ())
    last = len(word) - (1 if language == "english" else 2)
    points: list[tuple[tuple[tuple[str, str], ...], str, str | None]] = []
    for i in range(3, last):
        left, right = word[:i], word[i:]
        readings = [(left, stem(left, language))]
        for link in links:
            if left.endswith(link):
                bare = left[: -len(link)]
                if len(bare) >= 3:
                    # The part without its link stems like the word on its own
                    # (Norwegian "saks" stems to "saks", "sak" to "sak").
                    readings.append((bare, stem(bare, language)))
        right_stem = stem(right, language) if _right_ok(right, language) else None
        points.append((tuple(readings), right, right_stem))
    return tuple(points)


@lru_cache(maxsize=65536)
def _left_stems(word: str, language: str) -> frozenset[str]:
    """Every stem a left part of ``word`` may have (see :func:`_split_points`)."""
    return frozenset(
        left_stem
        for readings, _, _ in _split_points(word, language)
        for _, left_stem in readings
    )


def _split_compound(
    word: str, known: frozenset[str], depth: int = 0, language: str = "norwegian"
) -> list[str] | None:
    """Split ``word`` into known words (stems in ``known``), or None.

    The left part may end in a linking element (Norwegian ``s`` or ``e``,
    German ``s``, ``es``, ``n``, ``en``, ``e``); an English right part may be
    a particle (``up``, ``over``, ...). The shortest left part that works is
    taken, so ``byggesøknad`` -> ``bygge`` + ``søknad``.
    """
    shortest = 5 if language == "english" else 6
    if depth > 2 or len(word) < shortest:
        return None
    # Speed: most words have no known left part at all; one set test says so
    # (the loop below would try every cut and find none).
    if known.isdisjoint(_left_stems(word, language)):
        return None
    for readings, right, right_stem in _split_points(word, language):
        # The left part as it is if it is a known word, else without its link.
        for left_word, left_stem in readings:
            if left_stem in known:
                break
        else:
            continue
        if right_stem is not None and right_stem in known:
            return [left_word, right]
        rest = _split_compound(right, known, depth + 1, language)
        if rest:
            return [left_word, *rest]
    return None


def _root_candidates(word: str) -> list[str]:
    """Possible English roots of a derived ``word``, most likely first."""
    found: list[str] = []
    for suffix, shortest in _DERIVATIONS:
        if not word.endswith(suffix) or len(word) - len(suffix) < shortest:
            continue
        root = word[: -len(suffix)]
        found += [root, root + "e"]
        if suffix == "y" and root[-1] == "r" and root[-2] not in _VOWELS:
            found.append(root[:-1] + "er")  # hungry -> hunger, angry -> anger
    return found


def _derived_root(word: str, known: frozenset[str], language: str) -> str | None:
    """The known root of an English derived word (``package`` -> ``pack``), or None."""
    if language != "english":
        return None
    own = stem(word, language)
    for root in _root_candidates(word):
        s = stem(root, language)
        if s != own and s in known:
            return root
    return None


def _is_known_word(word: str, language: str) -> bool:
    if language == "english" and word in _PARTICLES:
        return True
    return len(word) >= 3 and (language == "norwegian" or word not in stop_words(language))


def known_stems(words: Iterable[str], language: str = "norwegian") -> frozenset[str]:
    """Return the stems of ``words`` that compound splitting may use as parts.

    Words of three letters or more (and, in English, the particles ``up``,
    ``in``, ``over``, ...); stop words are no parts outside Norwegian.
    ``words`` are normalised words (see :func:`label_words`).

    Examples
    --------
    >>> sorted(known_stems(["set", "up", "the", "hunger"], "english"))
    ['hunger', 'set', 'up']
    """
    return frozenset(stem(w, language) for w in words if _is_known_word(w, language))


def compound_candidates(
    words: Iterable[str], known: frozenset[str], language: str = "norwegian"
) -> tuple[tuple[str, str], ...]:
    """(left stem, right stem) splits of ``words`` that ``known`` alone cannot confirm.

    A process keeps these so that the words of another process can confirm
    a split later (see :func:`processes.align.align`). An English derived
    word contributes its possible roots as (root, root).

    Examples
    --------
    >>> ("set", "up") in compound_candidates(["setup"], frozenset(), "english")
    True
    >>> ("pack", "pack") in compound_candidates(["package"], frozenset(), "english")
    True
    """
    found: set[tuple[str, str]] = set()
    shortest = 5 if language == "english" else 6
    for w in words:
        if language == "english":
            for root in _root_candidates(w):
                r = stem(root, language)
                if r not in known:
                    found.add((r, r))
        if len(w) < shortest:
            continue
        last = len(w) - (1 if language == "english" else 2)
        for i in range(3, last):
            left, right = w[:i], w[i:]
            if not _right_ok(right, language):
                continue
            lefts = [stem(left, language)]
            for link in _LINKS.get(language, ()):
                if left.endswith(link) and len(left) - len(link) >= 3:
                    lefts.append(stem(left[: -len(link)], language))
            r = stem(right, language)
            for lft in lefts:
                if not (lft in known and r in known):
                    found.add((lft, r))
    return tuple(sorted(found))


@dataclass(frozen=True)
class LabelSet:
    """The analysed labels of one process, ready for :func:`similarity_matrix`.

    Attributes
    ----------
    labels
        The labels as given.
    concepts
        Per label, the tuple of its concept keys (see :func:`analyse`).
    vocabulary
        The distinct concept keys of all labels, sorted.
    forms
        The stem used for fuzzy matching of each vocabulary entry.
    index, offsets
        Concatenated vocabulary indices of all labels and where each label
        starts (for :func:`numpy.maximum.reduceat`).
    sizes
        Number of concepts per label (0 for an unnamed step).
    language
        The stemmer language used.
    """

    labels: tuple[str, ...]
    concepts: tuple[tuple[str, ...], ...]
    vocabulary: tuple[str, ...]
    forms: tuple[str, ...]
    index: npt.NDArray[np.intp]
    offsets: npt.NDArray[np.intp]
    sizes: npt.NDArray[np.float64]
    language: str
    ids: npt.NDArray[np.int64] = field(
        repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    member: npt.NDArray[np.float64] = field(
        repr=False, default_factory=lambda: np.zeros((0, 0))
    )
    short: npt.NDArray[np.bool_] = field(
        repr=False, default_factory=lambda: np.zeros(0, dtype=bool)
    )

    # Keyed by the id of the relation matrix, which the value holds (checked on use).
    opposite_cache: dict[int, tuple[npt.NDArray[np.float64], _OppositeSides]] = field(
        repr=False, compare=False, default_factory=dict
    )

    @cached_property
    def vocabulary_index(self) -> dict[str, int]:
        """Row of each concept key in the vocabulary (the last, if a key has two forms)."""
        return {c: i for i, c in enumerate(self.vocabulary)}

    @cached_property
    def concept_sets(self) -> tuple[frozenset[str], ...]:
        """Per label, the set of its concept keys."""
        return tuple(map(frozenset, self.concepts))

    @cached_property
    def numbers(self) -> tuple[frozenset[str], ...]:
        """Per label, the numbers among its concepts ("art. 34" -> {"34"})."""
        # (filter and map run in C: a generator per label cost more than the test)
        return tuple(
            frozenset(filter(str.isdigit, cs)) for cs in self.concept_sets
        )

    @cached_property
    def concept_counts(self) -> dict[str, int]:
        """How many labels hold each concept key (by any word)."""
        counts: dict[str, int] = {}
        for cs in self.concept_sets:
            for c in cs:
                counts[c] = counts.get(c, 0) + 1
        return counts

    @cached_property
    def named_rows(self) -> npt.NDArray[np.intp]:
        """The labels with at least one concept (the rows of ``member``)."""
        return np.flatnonzero(self.sizes > 0)

    @cached_property
    def member_sums(self) -> npt.NDArray[np.float64]:
        """``member.sum(axis=1)``: the concepts of each named label."""
        sums: npt.NDArray[np.float64] = self.member.sum(axis=1)
        return sums

    @cached_property
    def padded_index(self) -> npt.NDArray[np.intp] | None:
        """Per named label, its vocabulary indices, padded (see :func:`padded_segments`)."""
        sizes = [int(k) for k in self.sizes.tolist() if k > 0]
        return padded_segments(self.index, sizes)

    @cached_property
    def label_counts(self) -> npt.NDArray[np.float64]:
        """Per vocabulary entry, how many labels hold its concept (by any word)."""
        counts = self.concept_counts
        return np.asarray([counts[c] for c in self.vocabulary], dtype=np.float64)


def padded_segments(
    flat: npt.NDArray[np.intp], sizes: Sequence[int] | npt.NDArray[np.intp]
) -> npt.NDArray[np.intp] | None:
    """The segments of ``flat`` (of lengths ``sizes``, each at least 1) as columns of one matrix.

    Row k holds the k-th entry of every segment; a segment shorter than the
    longest repeats its last entry, so that a maximum over a column is the
    maximum over its segment. ``values[:, padded].max(axis=1)`` is then the
    same as ``np.maximum.reduceat(values[:, flat], starts, axis=1)`` (a
    maximum involves no rounding), and about twice as fast for short
    segments, where reduceat pays its overhead per segment (the segments
    along the middle axis keep the reduction vectorised). None when the
    segments are so uneven that the padding would make the matrix more than
    four times as large (plus a little), as one step with hundreds of
    neighbours in a large process would.

    >>> padded_segments(np.asarray([4, 5, 6, 7]), [1, 3]).tolist()
    [[4, 5], [4, 6], [4, 7]]
    """
    if not len(sizes):
        return None
    lengths = np.asarray(sizes, dtype=np.intp)
    width = int(lengths.max())
    if width * len(sizes) > 4 * len(flat) + 256:
        return None
    starts = np.cumsum(lengths) - lengths
    rows = np.minimum(np.arange(width)[:, None], (lengths - 1)[None, :])
    result: npt.NDArray[np.intp] = flat[starts[None, :] + rows]
    return result


_CONCEPT_IDS: dict[str, int] = {}


def _concept_id(key: str) -> int:
    # Interned so that two label sets compare concepts as integers.
    found = _CONCEPT_IDS.get(key)
    if found is None:
        found = _CONCEPT_IDS.setdefault(key, len(_CONCEPT_IDS))
    return found


def _join_phrases(words: list[str], synonyms: Synonyms) -> list[str]:
    """Replace the longest known phrases in ``words`` by single tokens."""
    if synonyms.phrase_starts.isdisjoint(words):
        return words
    phrases = synonyms.phrases
    longest = max(len(k) for k in phrases)
    result: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 1, -1):
            phrase = phrases.get(tuple(words[i : i + n]))
            if phrase is not None:
                result.append(phrase)
                i += n
                break
        else:
            result.append(words[i])
            i += 1
    return result


def _word_concept(word: str, language: str, synonyms: Synonyms) -> tuple[str, str]:
    s = stem(word, language)
    key = synonyms.concept(word, language)
    return (key or s, s)


def analyse(
    labels: Sequence[str],
    *,
    synonyms: Synonyms | None = None,
    language: str | None = None,
    vocabulary: Iterable[str] = (),
) -> LabelSet:
    """Analyse the labels of one process (normalise, split, stem, map synonyms).

    Parameters
    ----------
    labels
        The step labels.
    synonyms
        Synonym groups; default :meth:`Synonyms.builtin`. Pass ``Synonyms()``
        for none.
    language
        ``"norwegian"``, ``"english"`` or ``"german"``; detected from
        ``labels`` if None.
    vocabulary
        Further known words for compound splitting (e.g. the words of the
        other process); the words of ``labels`` (and, for Norwegian, a
        built-in lexicon) are always known.

    Examples
    --------
    >>> ls = analyse(["Motta byggesøknad", "Vurdere søknaden"], synonyms=Synonyms())
    >>> ls.concepts
    (('mott', 'bygg', 'søknad'), ('vurder', 'søknad'))
    """
    syn = Synonyms.builtin() if synonyms is None else synonyms
    lang = language or detect_language(labels)
    stops = stop_words(lang)
    words = [_join_phrases(label_words(label, lang), syn) for label in labels]
    content = [[w for w in ws if w not in stops] or ws for ws in words]
    known: frozenset[str] = frozenset()
    if lang == "norwegian":
        pool = {w for ws in content for w in ws} | {normalise(v) for v in vocabulary}
        # The stems of the built-in lexicon are worked out once.
        known = _lexicon_known() | frozenset(stem(w) for w in pool if len(w) >= 3)
    else:
        # Particles are stop words but still parts of closed compounds.
        pool = {w for ws in words for w in ws} | {
            x for v in vocabulary for x in normalise(v).split()
        }
        known = known_stems(pool, lang)
    pairs: list[tuple[tuple[str, str], ...]] = []
    # The (concept, stem) items of each word, worked out once per call: words
    # recur across the labels of a process ("søknad" in many steps).
    word_items: dict[str, list[tuple[str, str]]] = {}
    for ws in content:
        items: list[tuple[str, str]] = []
        for w in ws:
            w_items = word_items.get(w)
            if w_items is None:
                parts = None
                if known and syn.concept(w, lang) is None:
                    parts = _split_compound(w, known, language=lang)
                    if parts and lang != "norwegian":
                        # "handover" -> "hand" + "over": a stop word part adds nothing.
                        parts = [x for x in parts if x not in stops] or parts
                    elif parts is None:
                        root = _derived_root(w, known, lang)
                        parts = [root] if root else None
                w_items = word_items[w] = [
                    _word_concept(part, lang, syn) for part in parts or [w]
                ]
            for item in w_items:
                if item not in items:
                    items.append(item)
        pairs.append(tuple(items))
    vocab_pairs = sorted({item for items in pairs for item in items})
    position = {item: i for i, item in enumerate(vocab_pairs)}
    flat = [position[item] for items in pairs for item in items]
    sizes = [len(items) for items in pairs]
    offsets = (
        np.cumsum([0, *sizes[:-1]]).astype(np.intp)
        if sizes
        else np.zeros(0, dtype=np.intp)
    )
    named = [found for found in pairs if found]
    member = np.zeros((len(named), len(vocab_pairs)))
    member_rows = [row for row, found in enumerate(named) for _ in found]
    member[member_rows, [position[item] for found in named for item in found]] = 1.0
    return LabelSet(
        labels=tuple(labels),
        concepts=tuple(tuple(c for c, _ in items) for items in pairs),
        vocabulary=tuple(c for c, _ in vocab_pairs),
        forms=tuple(f for _, f in vocab_pairs),
        index=np.asarray(flat, dtype=np.intp),
        offsets=offsets,
        sizes=np.asarray(sizes, dtype=np.float64),
        language=lang,
        ids=np.asarray([_concept_id(c) for c, _ in vocab_pairs], dtype=np.int64),
        member=member,
        short=np.asarray(
            [len(f) < _FUZZY_MIN_LENGTH for _, f in vocab_pairs], dtype=bool
        ),
    )


def _read_opposites(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    pairs = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if "<>" not in line:
            continue
        left, right = line.split("<>", 1)
        sides = [
            tuple(w for w in (normalise(x) for x in side.split(",")) if w)
            for side in (left, right)
        ]
        if sides[0] and sides[1]:
            pairs.append((sides[0], sides[1]))
    return pairs


@lru_cache(maxsize=1)
def _builtin_opposites() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    text = (
        resources.files("processes")
        .joinpath("data/opposites.txt")
        .read_text(encoding="utf-8")
    )
    return tuple(_read_opposites(text))


@lru_cache(maxsize=64)
def opposite_concepts(
    language: str = "norwegian", synonyms: Synonyms | None = None
) -> frozenset[tuple[str, str]]:
    """Pairs of concept keys that are action opposites (``processes/data/opposites.txt``).

    Both directions are listed. Each word is analysed as in a label of
    ``language`` (its synonym group, or its stem); a phrase counts only if
    it is a synonym entry.

    Examples
    --------
    >>> pairs = opposite_concepts("english")
    >>> (analyse(["send"], language="english").concepts[0][0],
    ...  analyse(["receive"], language="english").concepts[0][0]) in pairs
    True
    """
    syn = Synonyms.builtin() if synonyms is None else synonyms

    def keys(side: tuple[str, ...]) -> set[str]:
        found = set()
        for w in side:
            if " " in w:
                key = syn.concept(w, language)
                if key is not None:
                    found.add(key)
            else:
                found.add(_word_concept(w, language, syn)[0])
        return found

    result: set[tuple[str, str]] = set()
    for left, right in _builtin_opposites():
        lk, rk = keys(left), keys(right)
        # A word on both sides (through a synonym group) is no opposite.
        for x in lk - rk:
            for y in rk - lk:
                result.add((x, y))
                result.add((y, x))
    return frozenset(result)


def contradictions(
    a: LabelSet, b: LabelSet, synonyms: Synonyms | None = None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Pairs of labels that contradict each other: (opposite actions, other numbers).

    *Opposite actions*: one label has a concept and the other its opposite
    (:func:`opposite_concepts`), and neither label has both sides of a pair
    ("Send letter of acceptance" / "Receiving acceptance letter"). *Other numbers*: both
    labels have numbers and share none ("art. 34" / "art. 35": a number in
    a label identifies something).

    Examples
    --------
    >>> a = analyse(["Send letter of acceptance", "Check article 34"], language="english")
    >>> b = analyse(["Receive acceptance letter", "Check article 35"], language="english")
    >>> opposite, numbers = contradictions(a, b)
    >>> opposite.tolist(), numbers.tolist()
    ([[True, False], [False, False]], [[False, False], [False, True]])
    """
    na, nb = len(a.labels), len(b.labels)
    opposite = np.zeros((na, nb), dtype=bool)
    numbers = np.zeros((na, nb), dtype=bool)
    syn = Synonyms.builtin() if synonyms is None else synonyms
    relation, position = _opposite_relation(a.language, syn)
    sides_a = _opposite_sides(a, relation, position)
    sides_b = _opposite_sides(b, relation, position)
    if sides_a.rows.size and sides_b.rows.size:
        # One has a word, the other its opposite, and neither has both sides.
        # The product (has_a @ relation @ has_b.T) over the labels and
        # concepts that occur only: the rest of it is zero (0/1 counts, exact).
        linked = (
            sides_a.compact
            @ relation[np.ix_(sides_a.columns, sides_b.columns)]
            @ sides_b.compact.T
        )
        opposite[np.ix_(sides_a.rows, sides_b.rows)] = linked > 0
        opposite &= ~sides_a.both[:, None] & ~sides_b.both[None, :]
    with_a = [(i, n) for i, n in enumerate(a.numbers) if n]
    with_b = [(j, n) for j, n in enumerate(b.numbers) if n]
    for i, n in with_a:
        for j, m in with_b:
            if n.isdisjoint(m):
                numbers[i, j] = True
    return opposite, numbers


# (language, id of the synonyms) -> (the synonyms, relation, position). Keyed
# by identity, checked on use: hashing a Synonyms object hashes all its groups.
_RELATIONS: dict[
    tuple[str, int], tuple[Synonyms, npt.NDArray[np.float64], dict[str, int]]
] = {}


def _opposite_relation(
    language: str, synonyms: Synonyms
) -> tuple[npt.NDArray[np.float64], dict[str, int]]:
    """The opposite pairs as a matrix over the concepts that have an opposite."""
    key = (language, id(synonyms))
    hit = _RELATIONS.get(key)
    if hit is not None and hit[0] is synonyms:
        return hit[1], hit[2]
    pairs = opposite_concepts(language, synonyms)
    position = {c: k for k, c in enumerate(sorted({x for x, _ in pairs}))}
    relation = np.zeros((len(position), len(position)))
    for x, y in pairs:
        relation[position[x], position[y]] = 1.0
    if len(_RELATIONS) >= 64:
        _RELATIONS.clear()
    _RELATIONS[key] = (synonyms, relation, position)
    return relation, position


@dataclass(frozen=True)
class _OppositeSides:
    """The concepts with an opposite in the labels of one label set.

    ``has`` (labels x concepts of the relation) says which label has which;
    ``rows`` and ``columns`` are the labels and concepts that occur at all,
    and ``compact`` is ``has`` cut down to them, so that two label sets are
    checked with products of their few rows only. ``both``: the label has
    both sides of a pair.
    """

    has: npt.NDArray[np.float64]
    both: npt.NDArray[np.bool_]
    rows: npt.NDArray[np.intp]
    columns: npt.NDArray[np.intp]
    compact: npt.NDArray[np.float64]


def _opposite_sides(
    labels: LabelSet, relation: npt.NDArray[np.float64], position: dict[str, int]
) -> _OppositeSides:
    """Per label, its concepts that have an opposite, and whether it has both sides of a pair."""
    key = id(relation)
    found = labels.opposite_cache.get(key)
    if found is None or found[0] is not relation:
        has = np.zeros((len(labels.labels), len(position)))
        for i, cs in enumerate(labels.concept_sets):
            for c in cs:
                k = position.get(c)
                if k is not None:
                    has[i, k] = 1.0
        rows = np.flatnonzero(has.any(axis=1))
        columns = np.flatnonzero(has.any(axis=0))
        compact = has[np.ix_(rows, columns)]
        # Both sides of a pair: ((has @ relation) * has).sum(axis=1) > 0, over the
        # labels and concepts that occur only (the rest of it is zero; 0/1 counts,
        # exact), a fraction of the full product's cost.
        both = np.zeros(len(labels.labels), dtype=bool)
        if rows.size:
            both[rows] = (
                (compact @ relation[np.ix_(columns, columns)]) * compact
            ).sum(axis=1) > 0
        sides = _OppositeSides(has, both, rows, columns, compact)
        found = labels.opposite_cache[key] = (relation, sides)
    return found[1]


def concept_matrix(a: LabelSet, b: LabelSet) -> npt.NDArray[np.float64]:
    """Return the match score of every vocabulary concept of ``a`` with every one of ``b``."""
    if not a.vocabulary or not b.vocabulary:
        return np.zeros((len(a.vocabulary), len(b.vocabulary)))
    fuzzy = cdist(
        a.forms,
        b.forms,
        scorer=Indel.normalized_similarity,
        score_cutoff=FUZZY_CUTOFF,
        dtype=np.float64,
    )
    fuzzy[a.short, :] = 0.0
    fuzzy[:, b.short] = 0.0
    fuzzy[np.equal.outer(a.ids, b.ids)] = 1.0
    return np.asarray(fuzzy, dtype=np.float64)


def similarity_matrix(
    a: LabelSet,
    b: LabelSet,
    concepts: npt.NDArray[np.float64] | None = None,
    *,
    weighted: bool = False,
) -> npt.NDArray[np.float64]:
    """Return the soft-Dice similarity of every label of ``a`` with every label of ``b``.

    Labels without concepts (unnamed steps) get 0 with everything.

    Examples
    --------
    >>> a = analyse(["Sende vedtak", "Motta søknad"])
    >>> b = analyse(["Motta søknaden", "Sende vedtak til søker", "Arkivere"])
    >>> similarity_matrix(a, b).round(2).tolist()
    [[0.0, 0.8, 0.0], [1.0, 0.0, 0.0]]
    """
    na, nb = len(a.labels), len(b.labels)
    result = np.zeros((na, nb))
    if not a.vocabulary or not b.vocabulary:
        return result
    t = concept_matrix(a, b) if concepts is None else concepts
    named_a = a.sizes > 0
    named_b = b.sizes > 0
    # Best match of each concept of A within each label of B, and vice versa.
    pad_a, pad_b = a.padded_index, b.padded_index
    if pad_b is not None:
        best_in_b = t[:, pad_b].max(axis=1)
    else:
        best_in_b = np.maximum.reduceat(t[:, b.index], b.offsets[named_b], axis=1)
    if pad_a is not None:
        best_in_a = t[pad_a, :].max(axis=0)
    else:
        best_in_a = np.maximum.reduceat(t[a.index, :], a.offsets[named_a], axis=0)
    member_a, member_b = a.member, b.member
    if weighted:
        # Inverse document frequency over the labels of both processes: a word
        # that recurs in many labels says less about which step is which.
        same = np.equal.outer(a.ids, b.ids).astype(np.float64)
        df_a = member_a.sum(axis=0) + same @ member_b.sum(axis=0)
        df_b = member_b.sum(axis=0) + same.T @ member_a.sum(axis=0)
        n = member_a.shape[0] + member_b.shape[0]
        member_a = member_a * np.log1p(n / df_a)
        member_b = member_b * np.log1p(n / df_b)
    credit = member_a @ best_in_b + (member_b @ best_in_a.T).T
    if weighted:
        total = member_a.sum(axis=1)[:, None] + member_b.sum(axis=1)[None, :]
    else:
        total = a.member_sums[:, None] + b.member_sums[None, :]
    # Broadcast index arrays: the same cells as np.ix_(named_a, named_b).
    result[a.named_rows[:, None], b.named_rows[None, :]] = credit / total
    return result


def label_similarity(
    a: str, b: str, *, synonyms: Synonyms | None = None, language: str | None = None
) -> float:
    """Return the similarity of two labels in [0, 1].

    Examples
    --------
    >>> label_similarity("Journalføre søknaden", "Registrere søknad")
    1.0
    >>> round(label_similarity("Byggesøknad", "Søknad om byggetillatelse"), 2)
    0.8
    >>> label_similarity("Sende nabovarsel", "Befaring")
    0.0
    """
    lang = language or detect_language([a, b])
    vocabulary = tokenise(a) + tokenise(b)
    la = analyse([a], synonyms=synonyms, language=lang, vocabulary=vocabulary)
    lb = analyse([b], synonyms=synonyms, language=lang, vocabulary=vocabulary)
    return round(float(similarity_matrix(la, lb)[0, 0]), 12)
