"""Conditions on flows in words: Altinn Studio's expressions as a saksbehandler reads them.

A flow out of a choice carries its condition as text. Modelling tools write plain
words («Søknaden er komplett»), but Altinn Studio apps write an *expression*, a JSON
array such as ``["equals", ["gatewayAction"], "reject"]``. :func:`condition_text`
turns such an expression into a short sentence («når brukeren velger «avvis»»)
and leaves any other text as it is.

Understood: ``equals``, ``notEquals``, ``greaterThan``, ``greaterThanEq``,
``lessThan``, ``lessThanEq``, ``and``, ``or``, ``not``, with the operands
``["gatewayAction"]`` (what the user chose in the task before), ``["dataModel",
"path"]`` (a field of the form data; an optional third item names the data type),
``["component", "id"]`` (a field on the form), strings, numbers, booleans and null.
Anything else — another function, a malformed expression — is shown as the original
text, so nothing is hidden. Parsing is :func:`json.loads` (linear in the text) and
the recursion is bounded by :data:`MAX_DEPTH`; no regular expression is involved.

>>> condition_text('["equals", ["gatewayAction"], "reject"]')
'når brukeren velger «avvis»'
>>> condition_text('["notEquals",["gatewayAction"],"reject"]', "en")
'when the user does not choose “reject”'
>>> condition_text('["and", ["equals", ["dataModel", "path"], "postCommit"], ["notEquals", ["dataModel", "serviceView"], "layout"]]')
'når feltet «path» er «postCommit» og feltet «serviceView» ikke er «layout»'
>>> condition_text("Søknaden er komplett")
'Søknaden er komplett'
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "condition_text"]

#: Deeper expressions are shown as written (a bound on the recursion, not a limit people meet).
MAX_DEPTH = 20

#: Altinn's gateway actions (the buttons of a task) in the user's words.
_ACTIONS: dict[str, tuple[str, str]] = {
    "reject": ("avvis", "reject"),
    "confirm": ("bekreft", "confirm"),
    "sign": ("signer", "sign"),
    "pay": ("betal", "pay"),
    "write": ("fyll ut", "fill in"),
    "instantiate": ("start", "start"),
    "complete": ("fullfør", "complete"),
}

_COMPARE: dict[str, tuple[str, str, str, str]] = {
    # function: (nb, nb negated, en, en negated) between the two operands
    "equals": ("er", "ikke er", "is", "is not"),
    "notEquals": ("ikke er", "er", "is not", "is"),
    "greaterThan": ("er større enn", "ikke er større enn", "is greater than", "is not greater than"),
    "greaterThanEq": ("er minst", "er mindre enn", "is at least", "is less than"),
    "lessThan": ("er mindre enn", "er minst", "is less than", "is at least"),
    "lessThanEq": ("er høyst", "er større enn", "is at most", "is greater than"),
}


class _Unknown(Exception):
    """The expression uses something this module does not word."""


def _quote(text: str, lang: str) -> str:
    return f"«{text}»" if lang == "nb" else f"“{text}”"


def _value(value: Any, lang: str) -> str:
    nb = lang == "nb"
    if value is True:
        return "ja" if nb else "yes"
    if value is False:
        return "nei" if nb else "no"
    if value is None:
        return "tomt" if nb else "empty"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _Unknown  # NaN or Infinity, which json.loads accepts: shown as written
        return str(value).replace(".", ",") if nb else str(value)
    if isinstance(value, str):
        return _quote(value, lang)
    raise _Unknown


def _operand(value: Any, lang: str) -> str:
    nb = lang == "nb"
    if isinstance(value, list) and value:
        head = value[0]
        if head == "dataModel" and 2 <= len(value) <= 3 and isinstance(value[1], str):
            return f"feltet {_quote(value[1], lang)}" if nb else f"the field {_quote(value[1], lang)}"
        if head == "component" and len(value) == 2 and isinstance(value[1], str):
            return f"feltet {_quote(value[1], lang)}" if nb else f"the field {_quote(value[1], lang)}"
        raise _Unknown
    return _value(value, lang)


def _joiner(expr: Any, negate: bool) -> str | None:
    """``"and"`` or ``"or"`` as the expression reads once negation is pushed in (de Morgan), else None."""
    while isinstance(expr, list) and len(expr) == 2 and expr[0] == "not":
        expr, negate = expr[1], not negate
    if isinstance(expr, list) and len(expr) >= 3 and expr[0] in ("and", "or"):
        return {"and": "or", "or": "and"}[expr[0]] if negate else str(expr[0])
    return None


def _words(expr: Any, lang: str, depth: int, *, negate: bool = False) -> str:
    if depth > MAX_DEPTH or not isinstance(expr, list) or not expr or not isinstance(expr[0], str):
        raise _Unknown
    nb = lang == "nb"
    name, args = expr[0], expr[1:]
    if name in ("and", "or") and len(args) >= 2:
        # Negated: de Morgan, so that «ikke (a og b)» reads «ikke a eller ikke b».
        joiner = {("and", False): ("og", "and"), ("or", False): ("eller", "or"),
                  ("and", True): ("eller", "or"), ("or", True): ("og", "and")}[(name, negate)]
        word = joiner[0] if nb else joiner[1]
        outer = _joiner(expr, negate)
        parts = []
        for arg in args:
            text = _words(arg, lang, depth + 1, negate=negate)
            inner = _joiner(arg, negate)
            # «(a eller b) og c»: a group joined the other way is bracketed, or it would read as «a eller (b og c)».
            if inner is not None and inner != outer:
                text = f"({text})"
            parts.append(text)
        return ", ".join(parts[:-1]) + f" {word} " + parts[-1]
    if name == "not" and len(args) == 1:
        return _words(args[0], lang, depth + 1, negate=not negate)
    if name in _COMPARE and len(args) == 2:
        left, right = args
        nb_word, nb_not, en_word, en_not = _COMPARE[name]
        if left == ["gatewayAction"] or right == ["gatewayAction"]:
            action = right if left == ["gatewayAction"] else left
            if not isinstance(action, str) or name not in ("equals", "notEquals"):
                raise _Unknown
            chosen = (name == "equals") != negate
            nb_action, en_action = _ACTIONS.get(action, (action, action))
            if nb:
                return f"brukeren {'velger' if chosen else 'ikke velger'} {_quote(nb_action, lang)}"
            return f"the user {'chooses' if chosen else 'does not choose'} {_quote(en_action, lang)}"
        verb = (nb_not if negate else nb_word) if nb else (en_not if negate else en_word)
        return f"{_operand(left, lang)} {verb} {_operand(right, lang)}"
    raise _Unknown


def condition_text(condition: str | None, lang: str = "nb") -> str:
    """The condition in words when it is an Altinn expression; otherwise the text as written.

    >>> condition_text('["equals", ["dataModel", "model.ShouldDoubleSign"], true]')
    'når feltet «model.ShouldDoubleSign» er ja'
    >>> condition_text('["concat", "a", "b"]')  # not worded: shown as written
    '["concat", "a", "b"]'
    """
    text = (condition or "").strip()
    if not text.startswith("["):
        return condition or ""
    try:
        expr = json.loads(text)
        words = _words(expr, lang, 0)
    except (ValueError, _Unknown, RecursionError):
        return condition or ""
    return ("når " if lang == "nb" else "when ") + words
