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
    "can_see_original_upload",
    "can_view_cooperation_contacts",
    "can_view_municipality_contacts",
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
