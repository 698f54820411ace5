"""User rows and their role assignments."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.cooperations.models import Cooperation
from registry.extensions import Base
from registry.municipalities.models import Municipality

__all__ = ["User", "coordinator_assignments", "new_login_token", "owner_assignments", "utcnow"]

coordinator_assignments = Table(
    "coordinator_assignments",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("cooperation_id", ForeignKey("cooperations.id", ondelete="CASCADE"), primary_key=True),
)

owner_assignments = Table(
    "owner_assignments",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True),
)


def new_login_token() -> str:
    """A fresh random session identifier for Flask-Login."""
    return secrets.token_urlsafe(32)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class User(Base):
    """A person who signs in: admin, coordinator of cooperations and/or process owner of municipalities."""

    __tablename__ = "users"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Flask-Login stores this, not the id, so changing the password ends every other session.
    login_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_token)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coordinated_cooperations: Mapped[list[Cooperation]] = relationship(
        secondary=coordinator_assignments, order_by=lambda: Cooperation.name
    )
    owned_municipalities: Mapped[list[Municipality]] = relationship(
        secondary=owner_assignments, order_by=lambda: Municipality.number
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.login_token

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
