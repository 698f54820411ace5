"""Comparison results (derived data, stamped with engine version and parameters) and mapping decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import Base
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Standard, Variant

__all__ = ["COMPARISON_STATUSES", "DECISIONS", "Comparison", "MappingDecision"]

#: pending: queued, not computed yet; done: result stored; failed: the engine raised (error kept).
COMPARISON_STATUSES = ("pending", "done", "failed")
DECISIONS = ("confirmed", "rejected")


class Comparison(Base):
    """The comparison of version A (a standard, or another variant) with version B (a variant)."""

    __tablename__ = "comparisons"
    __table_args__ = (
        UniqueConstraint("version_a_id", "version_b_id", "engine_version", "parameters_hash"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_a_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    version_b_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    engine_version: Mapped[str] = mapped_column(String(30))
    # JSON: the engine parameters and the hash of the mapping memory used.
    parameters: Mapped[str] = mapped_column(Text, default="{}")
    parameters_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # JSON: {"nb": Comparison.to_dict("nb"), "en": Comparison.to_dict("en"), "a_name", "b_name"}; "" while pending.
    result: Mapped[str] = mapped_column(Text, default="")
    # The diff diagrams (SVG), drawn on first view and kept: drawing takes far longer than comparing.
    diagram_nb: Mapped[str] = mapped_column(Text, default="")
    diagram_en: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    overall: Mapped[float | None] = mapped_column(Float)
    labels: Mapped[float | None] = mapped_column(Float)
    structure: Mapped[float | None] = mapped_column(Float)
    behaviour: Mapped[float | None] = mapped_column(Float)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it failed: "engine" (``error`` says what) or a registry.tasks.FAILURE_REASONS entry.
    failure: Mapped[str] = mapped_column(String(20), default="")
    # The RQ job computing it (queue mode), and how often it was queued again after it vanished.
    job_id: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Who asked for it, for the per-user limit on queued work (None: a save, the CLI).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    version_a: Mapped[ProcessVersion] = relationship(foreign_keys=[version_a_id])
    version_b: Mapped[ProcessVersion] = relationship(foreign_keys=[version_b_id])

    def __str__(self) -> str:
        return f"{self.version_b} vs {self.version_a}"


class MappingDecision(Base):
    """A person's verdict on one correspondence between a step of side A and a step of variant B.

    Side A is a standard or another variant. Step ids and labels are both kept: ids
    apply to versions that keep them, labels carry the decision over to new versions.
    """

    __tablename__ = "mapping_decisions"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("(a_standard_id IS NULL) <> (a_variant_id IS NULL)", name="one_side_a"),
        CheckConstraint("decision IN ('confirmed', 'rejected')", name="decision"),
        Index("ix_mapping_decisions_sides", "b_variant_id", "a_standard_id", "a_variant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"))
    a_standard_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    a_variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    b_variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    a_step_id: Mapped[str] = mapped_column(String(200))
    a_label: Mapped[str] = mapped_column(Text, default="")
    b_step_id: Mapped[str] = mapped_column(String(200))
    b_label: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Decisions made together («confirm all suggestions above 90 %») share a batch, so they can be undone together.
    batch: Mapped[str | None] = mapped_column(String(32), index=True)

    process_type: Mapped[ProcessType] = relationship()
    a_standard: Mapped[Standard | None] = relationship(foreign_keys=[a_standard_id])
    a_variant: Mapped[Variant | None] = relationship(foreign_keys=[a_variant_id])
    b_variant: Mapped[Variant] = relationship(foreign_keys=[b_variant_id])
    decided_by: Mapped[User | None] = relationship()

    @property
    def side_a_kind(self) -> str:
        """``"standard"`` or ``"variant"``."""
        return "standard" if self.a_standard_id is not None else "variant"

    def __str__(self) -> str:
        return f"{self.a_label} ↔ {self.b_label}: {self.decision}"
