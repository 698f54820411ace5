"""Municipality rows and the succession links between them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base

__all__ = ["Municipality", "municipality_successions"]

#: A predecessor → successor link. A merger gives several predecessors one successor;
#: a split gives one predecessor several successors.
municipality_successions = Table(
    "municipality_successions",
    Base.metadata,
    Column("predecessor_id", ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True),
    Column("successor_id", ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True),
)


class Municipality(Base):
    """A municipality (kommune) identified by its four-character kommunenummer."""

    __tablename__ = "municipalities"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    # A string, never an int: 0301 Oslo keeps its leading zero.
    number: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Case-folded name, so that search ignores case for Æ, Ø and Å on SQLite too.
    search_name: Mapped[str] = mapped_column(String(100), index=True)
    county_number: Mapped[str] = mapped_column(String(2))
    county_name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    # Maintained by the municipality's process owners.
    description: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: Inhabitants, as the process owners gave it (weights a proposal); None: not given.
    population: Mapped[int | None] = mapped_column(Integer)

    successors: Mapped[list[Municipality]] = relationship(
        secondary=municipality_successions,
        primaryjoin=lambda: Municipality.id == municipality_successions.c.predecessor_id,
        secondaryjoin=lambda: Municipality.id == municipality_successions.c.successor_id,
        back_populates="predecessors",
        order_by=lambda: Municipality.number,
    )
    predecessors: Mapped[list[Municipality]] = relationship(
        secondary=municipality_successions,
        primaryjoin=lambda: Municipality.id == municipality_successions.c.successor_id,
        secondaryjoin=lambda: Municipality.id == municipality_successions.c.predecessor_id,
        back_populates="successors",
        order_by=lambda: Municipality.number,
    )

    @property
    def is_current(self) -> bool:
        """True while the municipality exists (no end date)."""
        return self.valid_to is None

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def __repr__(self) -> str:
        return f"<Municipality {self.number} {self.name!r}>"
