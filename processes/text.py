"""Text utilities shared by the engine and the registry: Norwegian alphabetical order.

Names of municipalities, members, lanes and process types are sorted the way a
Norwegian reader expects: a–z, then æ, ø, å (Ørland before Åfjord). Python's
own ``sorted`` puts Å (U+00C5) before Ø (U+00D8), and so does SQL ``ORDER BY``
on SQLite (byte order) and on PostgreSQL unless the database was created with a
Norwegian collation, which a registry cannot count on. So lists are sorted in
Python with :func:`norwegian_key` after they are loaded.
"""

from __future__ import annotations

import unicodedata

__all__ = ["norwegian_key"]

# After z (U+007A) come «{», «|», «}»: æ, ø, å in that order. Swedish/German ä and ö
# sort with æ and ø and ü with y, as in Norwegian dictionaries and the phone book.
_LAST = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y"}
# Letters that are not a base letter plus a combining mark (Sámi, Icelandic, …).
_BASE = {"đ": "d", "ŋ": "n", "ŧ": "t", "ð": "d", "þ": "th", "ł": "l", "ß": "ss"}


def _primary(char: str) -> str:
    if char in _LAST:
        return _LAST[char]
    if char in _BASE:
        return _BASE[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def norwegian_key(name: str) -> tuple[str, str]:
    """Sort key for names in Norwegian alphabetical order.

    Case is ignored; æ, ø and å come after z, in that order; other accented
    letters sort with their base letter (é with e, Sámi č with c, á with a), so
    «Kárášjohka» sorts as «Karasjohka». Equal keys fall back to the name
    itself, so the order is total and stable across runs.

    The digraph «Aa» is **not** treated as «Å»: «Aafjord» sorts among the A's.
    (Norwegian dictionaries and the phone book do sort some old place-name
    spellings with «Aa» as «Å», but which ones is a matter of each name; the
    official names of today's municipalities are written with «Å».)

    Parameters
    ----------
    name
        Any text: a municipality, a person, a lane, a process type.

    Returns
    -------
    tuple of str
        A key for ``sorted``; compare keys only with keys from this function.

    Examples
    --------
    >>> sorted(["Åfjord", "Ørland", "Ærfjord", "Zorro", "agdenes"], key=norwegian_key)
    ['agdenes', 'Zorro', 'Ærfjord', 'Ørland', 'Åfjord']
    >>> sorted(["Aafjord", "Åfjord", "Abel"], key=norwegian_key)
    ['Aafjord', 'Abel', 'Åfjord']
    >>> sorted(["Kárášjohka", "Karmøy", "Kautokeino"], key=norwegian_key)
    ['Kárášjohka', 'Karmøy', 'Kautokeino']
    """
    folded = unicodedata.normalize("NFC", name).casefold()
    return ("".join(_primary(c) for c in folded), name)
