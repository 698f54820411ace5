"""The audit log page (administrators)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from registry.audit.services import list_events
from registry.authz import can_manage, require
from registry.inputs import arg_int

__all__ = ["bp"]

bp = Blueprint("audit", __name__, url_prefix="/admin/logg")

OBJECT_TYPES = ("Municipality", "Cooperation", "Membership", "User", "ApiToken")

# Field names as the forms call them; unknown fields are shown by their column name.
FIELD_LABELS = {
    "active": _l("Active"),
    "contact_email": _l("Contact e-mail"),
    "cooperation_id": _l("Cooperation"),
    "coordinated_cooperations": _l("Coordinator of"),
    "county_name": _l("County name"),
    "county_number": _l("County number"),
    "created_at": _l("Created"),
    "description": _l("Description"),
    "email": _l("E-mail address"),
    "expires_at": _l("Expires"),
    "is_admin": _l("Administrator"),
    "joined_on": _l("Member from"),
    "left_on": _l("Member until"),
    "login_token": _l("Session key"),
    "municipality_id": _l("Municipality"),
    "name": _l("Name"),
    "number": _l("Municipality number"),
    "owned_municipalities": _l("Process owner for"),
    "password_hash": _l("Password"),
    "predecessors": _l("Formed from"),
    "prefix": _l("Key begins with"),
    "revoked_at": _l("Revoked"),
    "revoked_by_id": _l("Revoked by"),
    "scopes": _l("Can do"),
    "slug": _l("Web address"),
    "successors": _l("Successors"),
    "user_id": _l("User"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid to"),
}


@bp.get("/")
@login_required
def index() -> str:
    """List changes, newest first."""
    require(can_manage(current_user))
    page = arg_int("side", 1) or 1
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
        field_labels=FIELD_LABELS,
    )
