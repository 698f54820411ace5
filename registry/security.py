"""Sign-in sessions and HTTP security headers."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.extensions import login_manager
from registry.users.sessions import check_session

__all__ = ["CONTENT_SECURITY_POLICY", "init_security", "warn_about_memory_rate_limits"]

# Everything from our own origin, nothing inline, nothing third-party.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _load_user(token: str) -> object | None:
    from registry.users.services import get_user_by_login_token

    return get_user_by_login_token(token)


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may show personal data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def warn_about_memory_rate_limits(app: Flask) -> bool:
    """Log (and return True) when a production app keeps rate-limit counts per worker process."""
    config = app.config
    if app.debug or app.testing or not config.get("RATELIMIT_ENABLED", True):
        return False
    if not str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        return False
    app.logger.warning(
        "RATELIMIT_STORAGE_URI is memory://: each worker process counts sign-in attempts on its own, "
        "so N workers allow N times LOGIN_RATE_LIMIT. Set it to a store they share, e.g. redis://127.0.0.1:6379/1."
    )
    return True


def init_security(app: Flask) -> None:
    """Configure Flask-Login and add the headers to every response."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "users.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login falls back to "basic" for permanent sessions; the binding to the client
    # (SESSION_PROTECTION = "strong") and the absolute lifetime are checked here instead.
    login_manager.session_protection = None
    app.before_request(check_session)
    app.after_request(_add_headers)
    warn_about_memory_rate_limits(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
