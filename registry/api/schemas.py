"""The API's resources as marshmallow schemas: they validate requests and describe responses.

Lists have one style everywhere: ``?page=1&per_page=20&sort=name`` (``-name`` for
descending) and a filter ``q`` where a list can be searched; the answer is
``{"items": [...], "page", "per_page", "total", "pages"}`` with a ``Link`` header for the
next and previous pages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from registry.extensions import db

__all__ = ["MAX_PER_PAGE", "ListArgs", "UtcDateTime", "page_of", "page_schema"]

MAX_PER_PAGE = 100


class _Schema(ma.Schema):
    class Meta:
        # Unknown query parameters (a cache-buster, a misspelt filter) are ignored, not refused.
        unknown = ma.EXCLUDE


class UtcDateTime(ma.fields.DateTime):
    """A moment in ISO 8601 with its offset; SQLite's naive values were stored in UTC."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _int(default: int, low: int, high: int, description: str) -> ma.fields.Integer:
    return ma.fields.Integer(
        load_default=default,
        validate=ma.validate.Range(
            min=low,
            max=high,
            error=_l("must be between %(low)s and %(high)s.", low=low, high=high),
        ),
        metadata={"description": description, "minimum": low, "maximum": high},
    )


class ListArgs(_Schema):
    """Paging of every list."""

    page = _int(1, 1, 100_000, "Page number, from 1")
    per_page = _int(20, 1, MAX_PER_PAGE, f"Items per page (at most {MAX_PER_PAGE})")


def sort_field(choices: Sequence[str], default: str) -> ma.fields.String:
    """A ``sort`` parameter: one of ``choices``, or one of them with ``-`` for descending."""
    allowed = [*choices, *(f"-{c}" for c in choices)]
    return ma.fields.String(
        load_default=default,
        validate=ma.validate.OneOf(
            allowed,
            error=_l("must be one of: %(choices)s.", choices=", ".join(allowed)),
        ),
        metadata={
            "description": "Sort order; prefix with - for descending",
            "enum": allowed,
        },
    )


def query_field() -> ma.fields.String:
    return ma.fields.String(
        load_default="",
        validate=ma.validate.Length(
            max=100, error=_l("can be at most %(max)s characters.", max=100)
        ),
        metadata={"description": "Search in names (and numbers); case does not matter"},
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of ``item``s, named ``name`` in the OpenAPI description."""
    fields: dict[str, Any] = {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "page": ma.fields.Integer(required=True),
        "per_page": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(
            required=True, metadata={"description": "Items in all pages"}
        ),
        "pages": ma.fields.Integer(
            required=True, metadata={"description": "Number of pages (0 when empty)"}
        ),
    }
    return type(name, (ma.Schema,), fields)


def _link_header(page: int, pages: int, per_page: int) -> str:
    """``Link`` to the next, previous, first and last pages: this path, the caller's query with the page replaced.

    Built from ``request.path`` and the parsed query string (never ``url_for`` with caller
    input: a parameter named like a path segment or ``_anchor`` must not change the links).
    """
    others = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k not in ("page", "per_page")
    ]

    def url(number: int) -> str:
        return (
            request.path
            + "?"
            + urlencode([*others, ("page", number), ("per_page", per_page)])
        )

    links = []
    if page < pages:
        links.append(f'<{url(page + 1)}>; rel="next"')
    if page > 1 and pages:
        links.append(f'<{url(min(page - 1, pages))}>; rel="prev"')
    if pages:
        links.append(f'<{url(1)}>; rel="first"')
        links.append(f'<{url(pages)}>; rel="last"')
    return ", ".join(links)


def page_of(
    query: Select[Any], args: dict[str, Any], *, sort: dict[str, Any], key: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run ``query`` for the page in ``args``; ``sort`` maps sort names to columns, ``key`` breaks ties.

    Returns the page (to dump with :func:`page_schema`) and the ``Link`` header.
    """
    page, per_page = int(args["page"]), int(args["per_page"])
    name = str(args.get("sort") or next(iter(sort)))
    descending = name.startswith("-")
    column = sort[name.lstrip("-")]
    order = [column.desc() if descending else column.asc(), key]
    total = int(
        db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        or 0
    )
    items = list(
        db.session.scalars(
            query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
        )
    )
    pages = math.ceil(total / per_page)
    headers = {}
    link = _link_header(page, pages, per_page)
    if link:
        headers["Link"] = link
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": pages,
    }, headers
