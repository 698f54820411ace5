"""Who reads and who manages a cooperation's standards.

Decision: coordinators of the cooperation and administrators upload versions, approve
and publish them. Process owners of member municipalities read the standards (all
versions, drafts included, since members are compared with a draft until one is
published); other signed-in users do not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from registry.authz import Decision
from registry.cooperations.models import Cooperation
from registry.municipalities.services import current_successors

__all__ = ["can_manage_standards", "can_read_standards"]


def _coordinates(user: Any, cooperation: Cooperation) -> bool:
    return bool(user.is_admin or any(c.id == cooperation.id for c in user.coordinated_cooperations))


def can_manage_standards(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators of the cooperation and administrators upload, approve and publish its standards."""
    if user is None or not user.is_authenticated:
        return Decision(False, _("Sign in to change the cooperation's standards."))
    if _coordinates(user, cooperation):
        return Decision(True)
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s and administrators can upload, approve and publish its standards.",
            cooperation=cooperation.name,
        ),
    )


def can_read_standards(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators, administrators and process owners of member municipalities read the standards."""
    if user is None or not user.is_authenticated:
        return Decision(False, _("Sign in to see the cooperation's standards."))
    if _coordinates(user, cooperation):
        return Decision(True)
    today = dt.date.today()
    members = {m.id for m in cooperation.members_on(today)}
    for owned in user.owned_municipalities:
        if owned.id in members or any(s.id in members for s in current_successors(owned)):
            return Decision(True)
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s, process owners of its members and administrators can see its standards.",
            cooperation=cooperation.name,
        ),
    )
