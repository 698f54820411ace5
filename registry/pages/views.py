"""Front page, accessibility statement and language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from registry.cooperations.services import list_cooperations
from registry.extensions import db
from registry.i18n import COOKIE, LANGUAGES
from registry.municipalities.models import Municipality

__all__ = ["bp", "safe_next"]

bp = Blueprint("pages", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


@bp.get("/")
def index() -> str:
    """Say what the registry is and for whom."""
    current = db.session.scalar(
        select(func.count()).select_from(Municipality).where(Municipality.valid_to.is_(None))
    )
    return render_template("pages/index.html", municipality_count=current or 0, cooperations=list_cooperations())


@bp.get("/tilgjengelighet")
def accessibility() -> str:
    """Show the accessibility statement (tilgjengelighetserklæring)."""
    return render_template("pages/accessibility.html")


@bp.get("/sprak/<lang>")
def set_language(lang: str) -> Response:
    """Remember the chosen language in the session and a cookie, then go back."""
    if lang not in LANGUAGES:
        abort(404)
    session[COOKIE] = lang
    response = redirect(safe_next(request.args.get("next"), url_for("pages.index")))
    response.set_cookie(
        COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
    return response
