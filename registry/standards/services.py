"""The standard workflow: list a cooperation's standards, approve and publish versions, keep the dates straight.

Uploading a version goes through :mod:`registry.variants.services` (the same upload,
preview and confirmation as for municipalities' processes); a new standard version
is a *draft*. Approving and publishing change only the workflow metadata of a
version, never its content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.services import actor_label
from registry.comparisons.services import refresh_comparisons_for, standard_version_for
from registry.cooperations.models import Cooperation
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Standard

__all__ = [
    "StandardSummary",
    "approve_version",
    "get_standard",
    "list_standards",
    "publish_version",
    "types_with_standards",
]


@dataclass(frozen=True)
class StandardSummary:
    """One process type in a cooperation: its standard (if any), the version members are compared with, the newest."""

    process_type: ProcessType
    standard: Standard | None
    current: ProcessVersion | None
    latest: ProcessVersion | None


def types_with_standards(cooperation: Cooperation) -> list[ProcessType]:
    """The process types the cooperation has a standard for, in Norwegian order of their names."""
    types = db.session.scalars(
        select(ProcessType).join(Standard, Standard.process_type_id == ProcessType.id)
        .where(Standard.cooperation_id == cooperation.id)).all()
    return sorted(set(types), key=lambda t: norwegian_key(t.name_nb))


def list_standards(cooperation: Cooperation) -> list[StandardSummary]:
    """Every process type, with the cooperation's standard for it where there is one."""
    standards = {
        s.process_type_id: s
        for s in db.session.scalars(select(Standard).where(Standard.cooperation_id == cooperation.id))
    }
    out = []
    for process_type in sorted(db.session.scalars(select(ProcessType)), key=lambda t: norwegian_key(t.name_nb)):
        standard = standards.get(process_type.id)
        versions = standard.versions if standard is not None else []
        out.append(
            StandardSummary(
                process_type,
                standard,
                standard_version_for(standard) if standard is not None else None,
                versions[-1] if versions else None,
            )
        )
    return out


def get_standard(cooperation: Cooperation, process_type: ProcessType) -> Standard:
    """The cooperation's standard for the process type, or NotFoundError."""
    standard = db.session.scalar(
        select(Standard).where(Standard.cooperation_id == cooperation.id, Standard.process_type_id == process_type.id)
    )
    if standard is None:
        raise NotFoundError(
            _("%(cooperation)s has no standard for %(type)s yet.", cooperation=cooperation.name, type=process_type.name_nb)
        )
    return standard


def _audit(user: User | None, version: ProcessVersion, old_status: str | None, note: str) -> None:
    # By hand, like version creation: the generic audit would copy the whole upload into the log.
    db.session.add(
        AuditEvent(
            actor_id=user.id if user is not None else None,
            actor_label=actor_label(user),
            action="update",
            object_type="ProcessVersion",
            object_id=str(version.id),
            object_label=str(version)[:300],
            changes={
                "status": {"old": old_status, "new": version.status},
                "effective_from": {"new": version.effective_from.isoformat() if version.effective_from else None},
                "effective_to": {"new": version.effective_to.isoformat() if version.effective_to else None},
            },
            note=note,
        )
    )


def approve_version(version: ProcessVersion, *, user: User | None) -> ProcessVersion:
    """Mark a draft standard version as approved."""
    if version.standard_id is None:
        raise ValidationError(_("Only standard versions are approved."))
    if version.status != "draft":
        raise ValidationError(_("Only a draft can be approved; this version is %(status)s.", status=version.status))
    version.status = "approved"
    version.approved_by = user
    version.approved_at = utcnow()
    db.session.flush()
    _audit(user, version, "draft", "approved")
    # Without a published version, members are compared with the newest approved one.
    refresh_comparisons_for(version)
    return version


def publish_version(
    version: ProcessVersion,
    *,
    user: User | None,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
) -> ProcessVersion:
    """Publish an approved standard version; the previously published one ends the day before it starts."""
    if version.standard_id is None:
        raise ValidationError(_("Only standard versions are published."))
    if version.status != "approved":
        raise ValidationError(
            _("Only an approved version can be published; this version is %(status)s.", status=version.status)
        )
    start = effective_from or version.effective_from or dt.date.today()
    end = effective_to if effective_to is not None else version.effective_to
    if end is not None and end < start:
        raise ValidationError(_("The end date must be on or after the start date."), field="effective_to")
    previous = db.session.scalars(
        select(ProcessVersion).where(
            ProcessVersion.standard_id == version.standard_id,
            ProcessVersion.status == "published",
            ProcessVersion.id != version.id,
        )
    ).all()
    for old in previous:
        if old.effective_to is None or old.effective_to >= start:
            old_start = old.effective_from
            old.effective_to = max(start - dt.timedelta(days=1), old_start) if old_start else start - dt.timedelta(days=1)
    version.status = "published"
    version.effective_from = start
    version.effective_to = end
    version.published_by = user
    version.published_at = utcnow()
    db.session.flush()
    _audit(user, version, "approved", "published")
    refresh_comparisons_for(version)
    # Members' change plans now go against this version: make its step classes ahead of the first plan.
    from registry.harmonisation.services import keep_step_classes
    from registry.tasks import enqueue

    enqueue(keep_step_classes, version.id)
    return version
