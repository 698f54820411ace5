"""«Mine prosesser»: the start page of a signed-in user (process owner, coordinator or both)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from registry.dashboard.services import coordinator_overview, owner_overview
from registry.extensions import db
from registry.i18n import ui_language
from registry.variants.views import status_label

__all__ = ["bp"]

bp = Blueprint("dashboard", __name__)


@bp.get("/mine-prosesser")
@login_required
def my_processes() -> str:
    """The user's municipalities' processes with their status, and the cooperations they coordinate."""
    owned = owner_overview(current_user)
    coordinated = coordinator_overview(current_user)
    db.session.commit()  # keeps the step classes the plans were made from, if this request made them
    return render_template(
        "dashboard/my_processes.html",
        owned=owned,
        coordinated=coordinated,
        lang=ui_language(),
        status_label=status_label,
    )
