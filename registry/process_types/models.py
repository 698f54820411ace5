"""Process type rows: the catalogue of casework types (byggesak, startlån, skjenkebevilling …)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.users.models import User, utcnow

__all__ = ["ProcessType"]


class ProcessType(Base):
    """A type of casework, e.g. "Byggesak – søknad om tillatelse i ett trinn"."""

    __tablename__ = "process_types"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    # Reference to the KS K-kode classification, when the type has one.
    k_code: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    def name(self, lang: str = "nb") -> str:
        """The name in ``lang``, falling back to bokmål when there is no English name."""
        return self.name_en if lang == "en" and self.name_en else self.name_nb

    def __str__(self) -> str:
        return self.name_nb
