"""Who is calling the API, what their token allows, and how often they may call.

The rules for *what* a user may do are the pages' (:mod:`registry.authz`); a token can only
narrow them: ``write`` is needed to upload a municipality's process, ``coordinate`` for a
cooperation's standards. A request with a token that is unknown, revoked or expired is
refused with 401 rather than served anonymously, so that a script notices at once.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from registry.api.models import ApiToken
from registry.api.problems import ApiProblem
from registry.authz import Decision
from registry.extensions import limiter

__all__ = [
    "rate_limit_key",
    "register_rate_limits",
    "require_api",
    "require_scope",
    "user_from_request",
]


def user_from_request() -> ApiToken | None:
    """The token the request presents, or None without an Authorization header; ApiProblem(401) for a bad one."""
    from registry.api.tokens import find_token, mark_used

    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(
            401, "unauthorized", _("Send the token as: Authorization: Bearer kpr_…")
        )
    token = find_token(secret.strip())
    if token is None:
        raise ApiProblem(
            401,
            "invalid-token",
            _(
                "The token is unknown, revoked or expired. Make a new one on «API-nøkler» in the registry."
            ),
        )
    mark_used(token)
    return token


def require_scope(scope: str) -> None:
    """403 unless the request's token has ``scope`` (401 without a token)."""
    token: ApiToken | None = g.get("api_token")
    if token is None:
        raise ApiProblem(
            401, "unauthorized", _("This needs a token: Authorization: Bearer kpr_…")
        )
    if scope not in token.scope_set:
        names = {
            "write": _("write (upload processes for your municipalities)"),
            "coordinate": _("coordinate (coordinator actions for your cooperations)"),
        }
        raise ApiProblem(
            403,
            "insufficient-scope",
            _(
                "The token «%(name)s» does not have the scope %(scope)s. Make a token with it on «API-nøkler».",
                name=token.name,
                scope=names.get(scope, scope),
            ),
        )


def require_api(decision: Decision) -> None:
    """The API form of :func:`registry.authz.require`: 401 for anonymous callers, else 403 with the reason."""
    if decision:
        return
    if not current_user.is_authenticated:
        raise ApiProblem(401, "unauthorized", decision.reason)
    raise ApiProblem(403, "forbidden", decision.reason)


def rate_limit_key() -> str:
    """Each token has its own allowance; anonymous callers share one per address."""
    token: ApiToken | None = g.get("api_token")
    if token is not None:
        return f"api-token:{token.id}"
    return f"api-address:{request.remote_addr}"


def write_rate_limit_key() -> str:
    """Uploads have their own, smaller allowance per token (or address)."""
    return "write:" + rate_limit_key()


def _read_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _write_limit() -> str:
    return str(current_app.config["API_WRITE_RATE_LIMIT"])


_LIMITED: set[str] = set()


def register_rate_limits(blueprint: Any) -> None:
    """Every API request counts against the caller's allowance; writes against a smaller one too.

    The limiter and the blueprints live as long as the process, and every ``create_app``
    (tests make thousands) would add the limits again; they are added once per blueprint.
    The limits themselves are read from the app's config at each request.
    """
    if blueprint.name in _LIMITED:
        return
    _LIMITED.add(blueprint.name)
    # Shared: one allowance per caller across every endpoint of every API blueprint (a plain
    # blueprint limit would count each endpoint apart).
    limiter.shared_limit(_read_limit, scope="api", key_func=rate_limit_key)(blueprint)
    limiter.shared_limit(
        _write_limit,
        scope="api-write",
        key_func=write_rate_limit_key,
        methods=["POST", "PUT", "PATCH", "DELETE"],
    )(blueprint)
