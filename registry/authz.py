"""Who may do what. Every check returns a Decision that carries the reason shown on the 403 page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from registry.cooperations.models import Cooperation
from registry.cooperations.services import memberships_of
from registry.extensions import login_manager
from registry.municipalities.models import Municipality
from registry.municipalities.services import current_successors

__all__ = [
    "Decision",
    "can_edit_cooperation",
    "can_edit_municipality",
    "can_manage",
    "can_manage_process_types",
    "can_manage_standards",
    "can_read_standards",
    "can_see_original_upload",
    "can_view_cooperation_contacts",
    "can_view_divergence",
    "can_view_municipality_contacts",
    "can_view_version",
    "require",
]


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and why not."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def can_manage(user: Any) -> Decision:
    """Users, municipalities, cooperations and the audit log are managed by administrators."""
    if _signed_in(user) and user.is_admin:
        return ALLOW
    return Decision(False, _("Only administrators can manage users, municipalities, cooperations and the audit log."))


def can_edit_municipality(user: Any, municipality: Municipality) -> Decision:
    """A process owner edits their own municipalities (and the ones merged into them); admins edit all."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to change a municipality."))
    if user.is_admin:
        return ALLOW
    owned = {m.id for m in user.owned_municipalities}
    if municipality.id in owned or any(m.id in owned for m in current_successors(municipality)):
        return ALLOW
    if owned:
        return Decision(
            False,
            _(
                "You are process owner for %(own)s, not for %(municipality)s. "
                "Only the municipality's own process owners and administrators can change it.",
                own=", ".join(str(m) for m in user.owned_municipalities),
                municipality=str(municipality),
            ),
        )
    return Decision(
        False,
        _(
            "Only process owners of %(municipality)s and administrators can change it. "
            "Ask an administrator if you should be a process owner.",
            municipality=str(municipality),
        ),
    )


def can_view_cooperation_contacts(user: Any, cooperation: Cooperation) -> Decision:
    """A coordinator sees the members' process owners and their contact details; so do admins."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to see the cooperation's contacts."))
    if user.is_admin or any(c.id == cooperation.id for c in user.coordinated_cooperations):
        return ALLOW
    return Decision(
        False,
        _("Only coordinators of %(cooperation)s and administrators can see this.", cooperation=cooperation.name),
    )


def can_view_municipality_contacts(user: Any, municipality: Municipality) -> Decision:
    """The process owners of a municipality are shown to its owners, its cooperations' coordinators and admins."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to see the municipality's contacts."))
    if user.is_admin or any(m.id == municipality.id for m in user.owned_municipalities):
        return ALLOW
    today = dt.date.today()
    coordinated = {c.id for c in user.coordinated_cooperations}
    if any(ms.cooperation_id in coordinated and ms.is_active_on(today) for ms in memberships_of(municipality)):
        return ALLOW
    return Decision(
        False,
        _("Only coordinators of the municipality's cooperations and administrators can see this."),
    )


def can_edit_cooperation(user: Any, cooperation: Cooperation) -> Decision:
    """A coordinator edits their cooperation's description; admins edit everything."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to change a cooperation."))
    if user.is_admin or any(c.id == cooperation.id for c in user.coordinated_cooperations):
        return ALLOW
    return Decision(
        False,
        _("Only coordinators of %(cooperation)s and administrators can change it.", cooperation=cooperation.name),
    )


def require(decision: Decision) -> None:
    """Stop the request: anonymous users go to the login page, others get a 403 with the reason."""
    if decision:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403, description=decision.reason)


def can_manage_process_types(user: Any) -> Decision:
    """Administrators and coordinators maintain the catalogue of process types."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to change the catalogue of process types."))
    if user.is_admin or user.coordinated_cooperations:
        return ALLOW
    return Decision(False, _("Only coordinators and administrators can change the catalogue of process types."))


def can_see_original_upload(user: Any, version: Any) -> Decision:
    """The uploaded file (an event log may hold case data) is for the owner's side, its coordinators and admins."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to download the uploaded file."))
    if version.variant is not None:
        municipality = version.variant.municipality
        if can_edit_municipality(user, municipality):
            return ALLOW
        return can_view_municipality_contacts(user, municipality)
    return can_view_cooperation_contacts(user, version.standard.cooperation)


def _coordinates(user: Any, cooperation: Cooperation) -> bool:
    return bool(user.is_admin or any(c.id == cooperation.id for c in user.coordinated_cooperations))


def can_view_divergence(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators of the cooperation and admins see its divergence map, heatmap, exports and step search.

    The map puts every member's process side by side, which the foundation gives to
    coordinators ("a coordinator sees all members"); a process owner sees their own
    municipality's comparisons on its process pages.
    """
    if not _signed_in(user):
        return Decision(False, _("Sign in to see the cooperation's divergence map."))
    if _coordinates(user, cooperation):
        return ALLOW
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s and administrators can see the divergence map and "
            "search across the members. Your own municipality's comparisons are on its process pages.",
            cooperation=cooperation.name,
        ),
    )


def can_manage_standards(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators of the cooperation and admins upload, approve and publish its standards."""
    if not _signed_in(user):
        return Decision(False, _("Sign in to change the cooperation's standards."))
    if _coordinates(user, cooperation):
        return ALLOW
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s and administrators can upload, approve and publish its standards.",
            cooperation=cooperation.name,
        ),
    )


def can_read_standards(user: Any, cooperation: Cooperation) -> Decision:
    """Coordinators, admins and process owners of member municipalities read the standards (drafts included).

    Members are compared with a draft until a version is published, so their owners
    see every version.
    """
    if not _signed_in(user):
        return Decision(False, _("Sign in to see the cooperation's standards."))
    if _coordinates(user, cooperation):
        return ALLOW
    members = {m.id for m in cooperation.members_on(dt.date.today())}
    for owned in user.owned_municipalities:
        if owned.id in members or any(s.id in members for s in current_successors(owned)):
            return ALLOW
    return Decision(
        False,
        _(
            "Only coordinators of %(cooperation)s, process owners of its members and administrators can see its standards.",
            cooperation=cooperation.name,
        ),
    )


def can_view_version(user: Any, version: Any) -> Decision:
    """The one rule for a version's content, in every format and through every route.

    A municipality's process is public (casework processes are public information), in
    every version; so is a standard's *published* version, which members are compared
    with in public. A standard's draft or approved version is for the readers of the
    cooperation's standards (:func:`can_read_standards`).
    """
    if version.variant is not None or version.status == "published":
        return ALLOW
    if not _signed_in(user):
        return Decision(False, _("Sign in to see a standard that is not published yet."))
    return can_read_standards(user, version.standard.cooperation)
