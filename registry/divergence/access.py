"""Who sees the divergence map, the heatmap, their exports and the step search.

Decision: coordinators of the cooperation and administrators. The map puts every
member's process side by side, which the foundation gives to coordinators ("a
coordinator sees all members of their cooperations"); a process owner sees their own
municipality's comparisons on the comparison pages instead.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from registry.authz import Decision
from registry.cooperations.models import Cooperation

__all__ = ["can_view_divergence"]


def can_view_divergence(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators of the cooperation and administrators see its divergence map and search."""
    if user is None or not user.is_authenticated:
        return Decision(False, _("Sign in to see the cooperation's divergence map."))
    if user.is_admin or any(c.id == cooperation.id for c in user.coordinated_cooperations):
        return Decision(True)
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s and administrators can see the divergence map and "
            "search across the members. Your own municipality's comparisons are on its process pages.",
            cooperation=cooperation.name,
        ),
    )
