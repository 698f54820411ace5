"""Input limits at the edge: bounded integers in URLs and query arguments, no NUL characters.

Both databases refuse what Python accepts: SQLite stores integers up to 2^63 − 1 and
PostgreSQL's ``integer`` columns end at 2^31 − 1; PostgreSQL refuses text with a NUL
character. Such input is answered here with a 404 (an id in the path that cannot
exist) or a 400 page that names the offending argument, before any view runs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

__all__ = ["MAX_ID", "BoundedIntegerConverter", "arg_int", "bounded_int", "find_nul", "init_inputs"]

#: The largest id or number the registry stores (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only 0 … :data:`MAX_ID` (at most ten digits), so larger ids are a 404."""

    # Ten digits at most: int() never sees thousands of digits, and the route simply does not match.
    regex = r"\d{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def bounded_int(value: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """``int(value)`` limited to ``minimum`` … ``maximum``; ValueError otherwise (also for 5000 digits)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        raise ValueError(value)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError(value)
    return number


def arg_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The query argument ``name`` as a whole number; a 400 page naming it when it is not one in range."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return bounded_int(raw, minimum=minimum, maximum=maximum)
    except ValueError:
        abort(
            400,
            description=_(
                "The address has %(name)s=%(value)s, which is not a whole number from %(min)d to %(max)d. "
                "Correct or remove it.",
                name=name,
                value=raw[:20],
                min=minimum,
                max=maximum,
            ),
        )


def find_nul() -> str | None:
    """Where the request carries a NUL character (path, query, form field, file name), else None."""
    if "\x00" in request.path:
        return str(_("the address"))
    sources: list[tuple[str, Any]] = [(_("the address"), request.args)]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append((_("the form"), request.form))
    for where, values in sources:
        for key, value in values.items(multi=True):
            # A malformed multipart part can come through without a value (seen by the API fuzzer).
            if "\x00" in (key or "") or "\x00" in (value or ""):
                return f"{where} ({(key or '').replace(chr(0), '')[:40]})"
    if request.method in ("POST", "PUT", "PATCH"):
        for key, upload in request.files.items(multi=True):
            if "\x00" in (upload.filename or ""):
                return str(_("the name of the uploaded file (%(field)s)", field=key))
    return None


def _refuse_nul() -> None:
    where = find_nul()
    if where is not None:
        abort(
            400,
            description=_(
                "The request has a NUL character (%%00) in %(where)s. Remove it and try again.", where=where
            ),
        )


def init_inputs(app: Flask) -> None:
    """Bounded ``<int:…>`` in every route, and NUL characters refused before any view runs."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(_refuse_nul)
