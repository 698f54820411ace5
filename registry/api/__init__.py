"""The JSON API under ``/api/v1/``: the registry's resources for scripts and other systems.

Built with flask-smorest (marshmallow schemas → request validation and the OpenAPI 3.1
description at ``/api/v1/openapi.json``); the interactive documentation at ``/api/v1/docs``
is Swagger UI served from the registry's own installed files (the ``swagger-ui-py``
package), never from a CDN.

Who is asking: a request names its user with ``Authorization: Bearer kpr_…`` (a personal
access token, :mod:`registry.api.tokens`); without one it is anonymous. Session cookies are
ignored under ``/api/`` so that a page cannot make a signed-in browser write through the API
(no CSRF through the back door). The user's rights are the pages' rights
(:mod:`registry.authz`), narrowed by the token's scopes.

Errors are ``application/problem+json`` (RFC 9457), worded in the language of
``Accept-Language`` (bokmål unless English is asked for).
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, current_app, g
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from registry.api.problems import (
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    ProblemSchema,
    is_api_request,
    register_problem_handlers,
)

__all__ = ["API_PREFIX", "RegistryApi", "api", "init_api"]

API_PREFIX = "/api/v1"


class RegistryApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with problem+json errors that apply to ``/api/`` only.

    flask-smorest registers a JSON handler for every HTTP error of the whole app; the
    pages keep their own HTML error pages, so that handler is replaced by ours
    (:func:`registry.api.problems.register_problem_handlers`).
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        register_problem_handlers(self._app)

    def _register_responses(self) -> None:
        # The documented error responses are problem+json, as they are sent.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "Default error response",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = RegistryApi()


def _authenticate() -> None:
    """Before every API request: the token's user, or anonymous; never the session cookie."""
    if not is_api_request():
        return
    from registry.api.auth import user_from_request

    try:
        token = user_from_request()
    except ApiProblem as problem:
        # Refused after the rate limiter has counted the attempt (by address): guessing
        # tokens is limited like any other request (see _refuse_bad_token).
        g.api_token_problem = problem
        token = None
    g.api_token = token
    # Flask-Login reads g._login_user first: the cookie is not even looked at.
    g._login_user = (
        token.user if token is not None else current_app.login_manager.anonymous_user()
    )


def _refuse_bad_token() -> None:
    """After the rate limiter: a request with a bad token is refused with its 401."""
    problem = g.pop("api_token_problem", None) if is_api_request() else None
    if problem is not None:
        raise problem


def init_api(app: Flask) -> None:
    """Configure and register the API, its documentation and its token pages."""
    from registry.api import catalogue, coordination, docs, harmonisation, processes
    from registry.api.auth import register_rate_limits
    from registry.extensions import csrf

    app.config.setdefault("API_TITLE", "Kommuneprosess-registeret")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "The inter-municipal process registry: municipalities, cooperations, process types, "
                    "municipalities' processes and cooperations' standards with their versions, "
                    "comparisons and divergence maps. Read without a token what the pages show to "
                    "everybody; send `Authorization: Bearer <token>` (made on «API-nøkler» in the "
                    "registry) to read what your user may read and to upload new versions. Errors are "
                    "application/problem+json in the language of Accept-Language (nb or en)."
                ),
                "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
            },
            "security": [{}, {"bearerAuth": []}],
        },
    )
    # Runs before the session check, so that the API never starts from the cookie's user.
    app.before_request_funcs.setdefault(None, []).insert(0, _authenticate)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (kpr_…) from «API-nøkler».",
        },
    )
    for blueprint in (
        catalogue.blp,
        processes.blp,
        coordination.blp,
        harmonisation.blp,
    ):
        csrf.exempt(blueprint)
        register_rate_limits(blueprint)
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    # A bad token is refused right after Flask-Limiter's check, so that guesses are counted.
    hooks = app.before_request_funcs[None]
    limiter_check = next(
        (
            i
            for i, f in enumerate(hooks)
            if getattr(f, "__name__", "") == "_check_request_limit"
        ),
        0,
    )
    hooks.insert(limiter_check + 1, _refuse_bad_token)
