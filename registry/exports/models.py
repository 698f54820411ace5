"""Drawings of large versions, made by a job and kept (SVG, PNG, PDF)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.users.models import utcnow
from registry.variants.models import ProcessVersion

__all__ = ["Drawing"]


class Drawing(Base):
    """One drawing of a version in one format and language, drawn by a job.

    Graphviz needs 15-20 s for a 2,000-step process, so a download of a large
    version's drawing asks for this row, and the file is sent once the job has
    filled it in. Small versions are drawn while the request waits (and cached).
    """

    __tablename__ = "drawings"
    __table_args__ = (
        UniqueConstraint("version_id", "fmt", "lang", "engine_version"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    fmt: Mapped[str] = mapped_column(String(8))
    lang: Mapped[str] = mapped_column(String(5))
    engine_version: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    data: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    error: Mapped[str] = mapped_column(Text, default="")
    failure: Mapped[str] = mapped_column(String(20), default="")
    job_id: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    version: Mapped[ProcessVersion] = relationship()
