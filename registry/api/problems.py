"""Errors of the API as ``application/problem+json`` (RFC 9457), in the language asked for.

Every problem has ``type``, ``title``, ``status``, ``detail`` and ``instance``; a refused
request body or query adds ``errors``: one entry per field with where it was
(``query``, ``form``, ``files``, ``headers``), the field and what is wrong, so that a script
can show it next to its own input. ``code`` is a stable machine name for the problem
(``not-found``, ``validation``, ``version-conflict`` …); ``type`` is a URN made from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, json, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "ApiProblem",
    "ProblemSchema",
    "field_errors",
    "is_api_request",
    "problem_response",
    "register_problem_handlers",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"


def is_api_request() -> bool:
    """True for a request of the JSON API: under ``/api/``, except the documentation page and its files.

    The documentation (``/api/v1/docs``) is a page like the others: the signed-in user's
    session, language and HTML error pages apply to it.
    """
    path = request.path
    return path.startswith("/api/") and not path.startswith("/api/v1/docs")


class FieldErrorSchema(ma.Schema):
    location = ma.fields.String(
        metadata={"description": "query, form, files, headers or json"}
    )
    field = ma.fields.String(metadata={"description": "The parameter or form field"})
    message = ma.fields.String(
        metadata={"description": "What is wrong with it, in the language asked for"}
    )


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(
        metadata={"description": "A URN naming the kind of problem"}
    )
    title = ma.fields.String(
        metadata={"description": "Short summary of the kind of problem"}
    )
    status = ma.fields.Integer(metadata={"description": "The HTTP status"})
    detail = ma.fields.String(
        metadata={"description": "What went wrong and how to fix it"}
    )
    instance = ma.fields.String(metadata={"description": "The path of the request"})
    code = ma.fields.String(
        metadata={"description": "Stable machine name of the problem"}
    )
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema), metadata={"description": "Field errors"}
    )


class ApiProblem(HTTPException):
    """An error the API raises itself: status, machine code, the sentence for people, extra members."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.problem_code = code
        self.errors = errors
        self.extra_headers = dict(headers or {})


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Format not available"),
        409: _("Conflict"),
        412: _("Version conflict"),
        413: _("Too large"),
        415: _("Unsupported media type"),
        422: _("Invalid input"),
        428: _("Version required"),
        429: _("Too many requests"),
        500: _("Internal error"),
        503: _("Unavailable"),
    }


def _default_details() -> dict[int, str]:
    return {
        400: _("The request could not be read."),
        401: _("Send a valid token: Authorization: Bearer kpr_…"),
        403: _("Your user or your token may not do this."),
        404: _(
            "There is nothing at this address. The API's paths are listed at /api/v1/docs."
        ),
        405: _(
            "This address does not take this method. The API's methods are listed at /api/v1/docs."
        ),
        413: _("The request is larger than the registry accepts."),
        429: _("Too many requests. Wait a little and try again."),
        500: _(
            "Something went wrong in the registry. The error has been logged; try again later."
        ),
    }


_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "version-conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    428: "version-required",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


# marshmallow's and webargs' own messages, worded for people in both languages.
def _field_message(message: str) -> str:
    known = {
        "Not a valid integer.": _("must be a whole number."),
        "Not a valid boolean.": _("must be true or false."),
        "Not a valid string.": _("must be text."),
        "Not a valid date.": _("must be a date (YYYY-MM-DD)."),
        "Missing data for required field.": _("is required."),
        "Field may not be null.": _("may not be empty."),
        "Invalid value.": _("has a value that is not allowed."),
        "Unknown field.": _("is not a parameter of this request."),
        "Invalid JSON body.": _("is not valid JSON."),
        "Not a valid file.": _("must be a file."),
    }
    return known.get(message, message)


def field_errors(messages: Any, location: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages ({location: {field: [message]}}) as one entry per message, worded."""
    out: list[dict[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if not location:
                out.extend(field_errors(value, str(key)))
            else:
                for entry in field_errors(value, location):
                    entry.setdefault("field", str(key))
                    out.append(entry)
    elif isinstance(messages, list | tuple):
        for message in messages:
            out.extend(field_errors(message, location))
    else:
        out.append({"location": location, "message": _field_message(str(messages))})
    return out


def problem_response(error: HTTPException) -> Response:
    """The problem+json response for ``error`` (an :class:`ApiProblem` or any HTTP error)."""
    status = error.code or 500
    code = getattr(error, "problem_code", None) or _CODES.get(status, "error")
    detail = error.description if error.description != type(error).description else None
    errors = getattr(error, "errors", None)
    # The error's own headers (Allow on 405, WWW-Authenticate …), then ours.
    headers: dict[str, str] = {
        k: v
        for k, v in error.get_headers()
        if k.lower() not in ("content-type", "content-length")
    }
    headers.update(getattr(error, "extra_headers", {}) or {})
    data = getattr(error, "data", None)
    if isinstance(data, Mapping) and "messages" in data:
        # webargs: the query, form or files did not match the schema.
        errors = field_errors(data["messages"])
        code = "validation"
        detail = _(
            "Some parameters are not valid: %(fields)s.",
            fields="; ".join(
                f"{e.get('field', e['location'])} {e['message'].rstrip('.')}"
                for e in errors
            ),
        )
        headers.update(data.get("headers") or {})
    if status == 429:
        detail = _("Too many requests. Wait a little and try again.")
        retry = getattr(error, "retry_after", None)
        if retry:
            headers["Retry-After"] = str(retry)
    if status == 500:
        detail = None  # never the internals
    body: dict[str, Any] = {
        "type": f"urn:kommuneprosess:problem:{code}",
        "title": _titles().get(status, error.name),
        "status": status,
        "detail": detail or _default_details().get(status, error.name),
        "instance": request.path,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    response = Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        mimetype=PROBLEM_CONTENT_TYPE,
    )
    for name, value in headers.items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="kommuneprosess"')
    response.headers["Content-Language"] = "en" if _is_english() else "nb"
    response.headers.setdefault("Vary", "Accept-Language")
    return response


def _is_english() -> bool:
    from registry.i18n import ui_language

    return ui_language() == "en"


def _handle(error: HTTPException) -> Response | HTTPException:
    if not is_api_request():
        return error  # a page: Werkzeug's own response, as before the API existed
    return problem_response(error)


def register_problem_handlers(app: Flask) -> None:
    """Problem responses for every HTTP error under ``/api/`` (the pages keep their HTML error pages)."""
    app.register_error_handler(HTTPException, _handle)
