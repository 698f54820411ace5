"""Sign-in sessions: start, end, check on every request; failed sign-ins; changing one's own password.

A session cookie names the user by their ``login_token``, so replacing the token (sign-out,
new password, deactivation) makes every copy of the cookie worthless. Besides the idle
limit (``PERMANENT_SESSION_LIFETIME``, checked by Flask when it reads the signed cookie)
a session ends ``SESSION_ABSOLUTE_LIFETIME`` after sign-in however busy it is, and with
``SESSION_PROTECTION = "strong"`` it is bound to the client address and browser it
started from.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from flask import current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from registry.audit.services import record_sign_in_event
from registry.errors import ValidationError
from registry.extensions import db
from registry.users.models import User, new_login_token
from registry.users.services import set_password

__all__ = [
    "SESSION_CLIENT_KEY",
    "SESSION_STARTED_KEY",
    "change_own_password",
    "check_session",
    "client_fingerprint",
    "end_session",
    "record_failed_sign_in",
    "start_session",
]

#: When the session was signed in (seconds since the epoch).
SESSION_STARTED_KEY = "_signed_in_at"
#: A digest of the client address and browser the session started from.
SESSION_CLIENT_KEY = "_client"
# Flask-Login's key for the signed-in user (our login_token).
_USER_KEY = "_user_id"


def client_fingerprint() -> str:
    """A digest of the client's address (as ProxyFix sees it) and its User-Agent."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha256(f"{request.remote_addr}\n{agent}".encode()).hexdigest()[:32]


def _fresh_session(user: User) -> None:
    language = session.get("lang")
    session.clear()  # nothing from before sign-in survives (session fixation)
    if language:
        session["lang"] = language
    # The cookie expires after PERMANENT_SESSION_LIFETIME without a request (idle limit).
    session.permanent = True
    login_user(user)
    session[SESSION_STARTED_KEY] = int(time.time())
    session[SESSION_CLIENT_KEY] = client_fingerprint()


def start_session(user: User) -> None:
    """Sign ``user`` in with a fresh session and log it."""
    _fresh_session(user)
    record_sign_in_event("sign-in", user=user, email=user.email, note=request.remote_addr or "")


def end_session(user: Any) -> None:
    """Sign out: a new login token ends this session and every copy of its cookie; logged."""
    if user is not None and getattr(user, "is_authenticated", False):
        user.login_token = new_login_token()
        record_sign_in_event("sign-out", user=user, email=user.email, note=request.remote_addr or "")
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def record_failed_sign_in(email: str) -> None:
    """Log a failed sign-in for the address typed (known user or not) and the client address."""
    typed = email.strip().lower()[:254]
    user = db.session.scalar(select(User).where(User.email == typed))
    record_sign_in_event("sign-in-failed", user=user, email=typed, note=request.remote_addr or "")


def change_own_password(user: User, *, current: str, new: str) -> None:
    """Check the current password, set the new one (other sessions end) and keep this session."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError(_("The current password is wrong."), field="current_password")
    if current == new:
        raise ValidationError(_("Choose a password different from the current one."), field="password")
    set_password(user, new)
    started = session.get(SESSION_STARTED_KEY)
    _fresh_session(user)  # the new token in this session's cookie
    if isinstance(started, int):
        session[SESSION_STARTED_KEY] = started  # a new password does not extend the absolute limit


def _session_has_ended() -> bool:
    started = session.get(SESSION_STARTED_KEY)
    now = time.time()
    limit = float(current_app.config["SESSION_ABSOLUTE_LIFETIME"])
    if not isinstance(started, int) or started > now + 60 or now - started > limit:
        return True
    if current_app.config.get("SESSION_PROTECTION") == "strong":
        return bool(session.get(SESSION_CLIENT_KEY) != client_fingerprint())
    return False


def check_session() -> None:
    """Before each request: end a signed-in session that is too old or comes from another client."""
    from registry.api.problems import is_api_request

    if _USER_KEY not in session or is_api_request():
        # The JSON API never reads the session (registry.api), so it must not end one either.
        return
    if _session_has_ended():
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language
        flash(_("Your session has ended. Sign in again."), "info")
