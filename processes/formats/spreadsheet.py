"""Cells that are safe to open in a spreadsheet, and the one CSV writer that uses them.

Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection, OWASP):
``=HYPERLINK("http://…")`` or ``+cmd|' /C calc'!A0`` in a step label would run when a
coordinator opens the export. Every CSV the project writes (step tables from the engine
and the command line, the registry's divergence map and heatmap) goes through
:func:`write_csv`, which puts an apostrophe in front of such text, the way the OWASP
cheat sheet recommends.

Plain numbers are left alone, so a negative number stays a number: ``-2``, ``-2,5``,
``+47`` and ``-0.5`` are a sign, ASCII digits and at most one decimal point or comma,
which a spreadsheet reads as a number and cannot evaluate. ``-2+3``, ``-A1`` or ``+``
alone are not plain numbers and get the apostrophe. Text that already starts with
apostrophes in front of a formula character gets one more, so that
:func:`unneutralise` (used by the step-table reader) gives back exactly what was
written: ``unneutralise(neutralise(text)) == text`` for every text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_STARTS", "neutralise", "unneutralise", "write_csv"]

#: Text starting with one of these is a formula (or becomes one) in common spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_number(text: str) -> bool:
    """A sign, ASCII digits and at most one ``.`` or ``,``: ``-2``, ``+47``, ``-2,5``, ``-.5``."""
    body = text[1:] if text[:1] in ("+", "-") else text
    whole, _, fraction = body.replace(",", ".", 1).partition(".")
    if not (whole or fraction):
        return False
    return all(
        part == "" or (part.isascii() and part.isdigit()) for part in (whole, fraction)
    )


def neutralise(value: str) -> str:
    """``value`` with an apostrophe in front if a spreadsheet would read it as a formula.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x")'), neutralise("@SUM(A1)"), neutralise("+cmd|' /C calc'!A0")
    ('\\'=HYPERLINK("http://x")', "'@SUM(A1)", "'+cmd|' /C calc'!A0")
    >>> neutralise("Befaring"), neutralise("-2"), neutralise("-2,5"), neutralise("-2+3")
    ('Befaring', '-2', '-2,5', "'-2+3")
    >>> neutralise("'=x")  # one more apostrophe, so that reading back gives "'=x"
    "''=x"
    """
    bare = value.lstrip("'")
    if bare.startswith(FORMULA_STARTS) and not _is_plain_number(bare):
        return "'" + value
    return value


def unneutralise(cell: str) -> str:
    """The text that :func:`neutralise` turned into ``cell``.

    Examples
    --------
    >>> unneutralise("'=SUM(A1)"), unneutralise("''=x"), unneutralise("'Befaring"), unneutralise("-2")
    ('=SUM(A1)', "'=x", "'Befaring", '-2')
    """
    if cell.startswith("'") and neutralise(cell[1:]) == cell:
        return cell[1:]
    return cell


def write_csv(rows: Iterable[Sequence[object]], *, delimiter: str = ";") -> bytes:
    """CSV as Norwegian Excel opens it: UTF-8 with a byte order mark, CRLF, text neutralised.

    ``None`` is an empty cell; numbers are written as numbers (``str(value)``); every
    text cell goes through :func:`neutralise`.

    Examples
    --------
    >>> write_csv([["Steg", "Dager"], ["=1+1", -2.5], ["Befaring", None]]).decode("utf-8-sig")
    "Steg;Dager\\r\\n'=1+1;-2.5\\r\\nBefaring;\\r\\n"
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                "" if v is None else neutralise(v) if isinstance(v, str) else v
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
