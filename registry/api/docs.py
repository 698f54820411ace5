"""The interactive API documentation: Swagger UI from the installed ``swagger-ui-py`` package.

Only the two files the page needs are served, from the package's own directory, with a
long cache lifetime; nothing comes from a CDN, and the page is started by our own script
(the Content-Security-Policy allows no inline script).
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import Blueprint, abort, render_template, send_from_directory, url_for
from werkzeug.wrappers import Response

__all__ = ["bp"]

bp = Blueprint("api_docs", __name__)

_STATIC = Path(swagger_ui.__file__).resolve().parent / "static"
_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


@bp.get("/docs")
def docs() -> str:
    """Swagger UI for the API's OpenAPI description."""
    return render_template(
        "api/docs.html", spec_url=url_for("api-docs.openapi_json"), section="api"
    )


@bp.get("/docs/static/<name>")
def static(name: str) -> Response:
    """One of Swagger UI's own files."""
    if name not in _FILES:
        abort(404)
    response = send_from_directory(_STATIC, name, max_age=86400)
    return response
