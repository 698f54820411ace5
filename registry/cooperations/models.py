"""Cooperation rows and memberships with join and leave dates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.municipalities.models import Municipality

__all__ = ["Cooperation", "Membership"]


class Cooperation(Base):
    """A group of municipalities that compare and standardise their processes together."""

    __tablename__ = "cooperations"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="cooperation",
        cascade="all, delete-orphan",
        order_by=lambda: Membership.joined_on,
        lazy="selectin",  # pages list every member; one query instead of one per member
    )

    def members_on(self, day: dt.date) -> list[Municipality]:
        """Municipalities that are members on ``day``, by number."""
        found = {m.municipality for m in self.memberships if m.is_active_on(day)}
        return sorted(found, key=lambda m: m.number)

    def __str__(self) -> str:
        return self.name


class Membership(Base):
    """A municipality's membership of a cooperation from ``joined_on`` until ``left_on`` (inclusive)."""

    __tablename__ = "memberships"
    __audit__ = True
    __table_args__ = (UniqueConstraint("cooperation_id", "municipality_id", "joined_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)

    cooperation: Mapped[Cooperation] = relationship(back_populates="memberships")
    municipality: Mapped[Municipality] = relationship(lazy="joined")

    def is_active_on(self, day: dt.date) -> bool:
        """True when the municipality is a member on ``day``."""
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    def __str__(self) -> str:
        return f"{self.cooperation}: {self.municipality}"
