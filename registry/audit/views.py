"""The audit log page (administrators)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from registry.audit.services import list_events
from registry.authz import can_manage, require

__all__ = ["bp"]

bp = Blueprint("audit", __name__, url_prefix="/admin/logg")

OBJECT_TYPES = ("Municipality", "Cooperation", "Membership", "User")


@bp.get("/")
@login_required
def index() -> str:
    """List changes, newest first."""
    require(can_manage(current_user))
    page = max(request.args.get("side", 1, type=int), 1)
    object_type = request.args.get("type")
    if object_type not in OBJECT_TYPES:
        object_type = None
    per_page = current_app.config["AUDIT_PAGE_SIZE"]
    events, total = list_events(page=page, per_page=per_page, object_type=object_type)
    pages = max((total + per_page - 1) // per_page, 1)
    return render_template(
        "audit/index.html",
        events=events,
        total=total,
        page=page,
        pages=pages,
        object_type=object_type,
        object_types=OBJECT_TYPES,
    )
