"""Variants, standards and their immutable process versions; pending uploads awaiting confirmation.

A *variant* is one municipality's process for a process type; a *standard* is a
cooperation's agreed process for it. Both own numbered :class:`ProcessVersion` rows,
which are never changed after insert (only a standard version's workflow metadata
moves: draft → approved → published).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.cooperations.models import Cooperation
from registry.extensions import Base
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow

__all__ = [
    "IMMUTABLE_VERSION_FIELDS",
    "STANDARD_STATUSES",
    "ImmutableVersionError",
    "PendingUpload",
    "ProcessVersion",
    "Standard",
    "Variant",
    "VersionDiff",
]

#: The workflow of a standard version, in order.
STANDARD_STATUSES = ("draft", "approved", "published")


class Variant(Base):
    """A municipality's own process for a process type ("kommunens prosess")."""

    __tablename__ = "variants"
    __audit__ = True
    __table_args__ = (UniqueConstraint("municipality_id", "process_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Cases of this type the municipality handles in a year, as its process owner gave it
    #: (weights a proposal; the gains estimate multiplies by it). None: not given.
    cases_per_year: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    process_type: Mapped[ProcessType] = relationship(lazy="joined")
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="variant", order_by=lambda: ProcessVersion.number, viewonly=True
    )

    def __str__(self) -> str:
        return f"{self.municipality}: {self.process_type}"


class Standard(Base):
    """A cooperation's standard process for a process type."""

    __tablename__ = "standards"
    __audit__ = True
    __table_args__ = (UniqueConstraint("cooperation_id", "process_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cooperation: Mapped[Cooperation] = relationship(lazy="joined")
    process_type: Mapped[ProcessType] = relationship(lazy="joined")
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="standard", order_by=lambda: ProcessVersion.number, viewonly=True
    )

    def __str__(self) -> str:
        return f"{self.cooperation}: {self.process_type}"


class ProcessVersion(Base):
    """One saved version of a variant or a standard; its content never changes after insert."""

    __tablename__ = "process_versions"
    __table_args__ = (
        CheckConstraint("(variant_id IS NULL) <> (standard_id IS NULL)", name="one_owner"),
        CheckConstraint("status IS NULL OR status IN ('draft', 'approved', 'published')", name="status"),
        UniqueConstraint("variant_id", "number"),
        UniqueConstraint("standard_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    source_format: Mapped[str] = mapped_column(String(30))
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    # The original upload, byte for byte: never lost, downloadable.
    source_data: Mapped[bytes] = mapped_column(LargeBinary)
    # Canonical native YAML (processes.formats.write_process(p, "yaml")).
    content: Mapped[str] = mapped_column(Text)
    step_count: Mapped[int] = mapped_column(Integer, default=0)
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id", ondelete="SET NULL"))

    # Standard versions only: workflow metadata (the content stays immutable).
    status: Mapped[str | None] = mapped_column(String(20))
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    variant: Mapped[Variant | None] = relationship(back_populates="versions")
    standard: Mapped[Standard | None] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    restored_from: Mapped[ProcessVersion | None] = relationship(remote_side=[id])

    @property
    def owner(self) -> Variant | Standard:
        """The variant or standard this version belongs to."""
        owner = self.variant if self.variant is not None else self.standard
        assert owner is not None  # the CHECK constraint guarantees one
        return owner

    @property
    def is_standard(self) -> bool:
        """True for a version of a cooperation's standard."""
        return self.standard_id is not None or self.standard is not None

    def __str__(self) -> str:
        return f"{self.owner} v{self.number}"


#: Columns that no update may change (see :class:`ImmutableVersionError`).
IMMUTABLE_VERSION_FIELDS = (
    "variant_id",
    "standard_id",
    "number",
    "created_at",
    "author_id",
    "comment",
    "source_format",
    "source_filename",
    "source_data",
    "content",
    "step_count",
    "restored_from_id",
)


class ImmutableVersionError(RuntimeError):
    """Code tried to change a saved version's content; save a new version instead."""


@event.listens_for(ProcessVersion, "before_update")
def _refuse_content_changes(mapper: Any, connection: Any, target: ProcessVersion) -> None:
    # A programming error, not a user error: versions are history, and history is not rewritten.
    state = inspect(target)
    changed = [name for name in IMMUTABLE_VERSION_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise ImmutableVersionError(f"process versions are immutable; tried to change {', '.join(changed)}")


class PendingUpload(Base):
    """An upload parsed and shown as a preview, waiting for its owner to confirm (or to expire).

    Kept server-side (not in the cookie session) and bound to the user who uploaded it
    through a random token.
    """

    __tablename__ = "pending_uploads"
    __table_args__ = (
        CheckConstraint("(municipality_id IS NULL) <> (cooperation_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"))
    # The target: a municipality's variant or a cooperation's standard.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    cooperation_id: Mapped[int | None] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    source_format: Mapped[str] = mapped_column(String(30))
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    # Reader options chosen in the form (JSON object, e.g. {"label_attribute": "concept:name"}).
    options: Mapped[str] = mapped_column(Text, default="{}")
    source_data: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[str] = mapped_column(Text)
    step_count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()
    process_type: Mapped[ProcessType] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    cooperation: Mapped[Cooperation | None] = relationship()


class VersionDiff(Base):
    """What changed between two versions of one owner, computed by a job (large processes only).

    Small processes are compared while the page is drawn; comparing two large ones takes
    seconds, so the page asks for this row and shows it when the job has filled it in.
    """

    __tablename__ = "version_diffs"
    __table_args__ = (
        UniqueConstraint("older_id", "newer_id", "engine_version"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    older_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    newer_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    engine_version: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # JSON: {"nb": [sentence, ...], "en": [...], "similarity": {"overall": ..., ...}}; "" while pending.
    result: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    failure: Mapped[str] = mapped_column(String(20), default="")
    job_id: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    older: Mapped[ProcessVersion] = relationship(foreign_keys=[older_id])
    newer: Mapped[ProcessVersion] = relationship(foreign_keys=[newer_id])
