"""Errors raised by services and the pages that show HTTP errors."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

__all__ = ["NotFoundError", "RegistryError", "ValidationError", "register_error_handlers"]


class RegistryError(Exception):
    """A request the registry cannot carry out; ``message`` is shown to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The form field the problem belongs to, when there is one.
        self.field = field


class ValidationError(RegistryError):
    """Input that breaks a rule (duplicate number, unknown municipality, bad dates …)."""


class NotFoundError(RegistryError):
    """A referenced object does not exist."""


def _render_http_error(error: HTTPException) -> tuple[str, int] | Response:
    from registry.api.problems import is_api_request, problem_response

    if is_api_request():
        # The API answers every error as problem+json, also for paths no route matched.
        return problem_response(error)
    code = error.code or 500
    template = f"errors/{code}.html" if code in (400, 403, 404, 405, 429) else "errors/500.html"
    # Only our own descriptions (the reason for a 403, what was not found) are shown.
    reason = error.description if error.description != type(error).description else None
    if isinstance(error, CSRFError):
        reason = None  # Flask-WTF's English wording; the page explains an expired form itself
    return render_template(template, error=error, reason=reason), code


def register_error_handlers(app: Flask) -> None:
    """Show our own pages for 400, 403 (with the reason), 404, 405, 429 and 500."""
    for code in (400, 403, 404, 405, 429, 500):
        app.register_error_handler(code, _render_http_error)
