"""Audit events, written automatically for every change to an audited model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.users.models import User, utcnow

__all__ = ["AuditEvent"]


class AuditEvent(Base):
    """One change: who (user or command line), what (object, action, field changes) and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Kept when the user is deleted; "cli" or "system" when no user was signed in.
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete
    object_type: Mapped[str] = mapped_column(String(50), index=True)
    object_id: Mapped[str] = mapped_column(String(50))
    object_label: Mapped[str] = mapped_column(String(300))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
