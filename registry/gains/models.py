"""What the gains estimate is computed from: the cooperation's assumptions and each member's inputs.

The engine (:mod:`processes.gains`) computes; these rows only keep the figures people
typed in, with where they come from. A member's cases per year are
:attr:`registry.variants.models.Variant.cases_per_year` (the same number that weights a
proposal); its source and the per-step figures are kept here, keyed by the step's id in
the member's process, so they carry over to a new version that keeps the ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.cooperations.models import Cooperation
from registry.extensions import Base
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Variant

__all__ = [
    "GainAssumptionSet",
    "GainEventLog",
    "GainModeSaving",
    "GainPlan",
    "GainPlanLine",
    "GainProcessInput",
    "GainStepInput",
]


class GainAssumptionSet(Base):
    """A cooperation's hourly cost (with its source) and the source of its default savings."""

    __tablename__ = "gain_assumptions"
    __audit__ = True
    __table_args__ = (CheckConstraint("hourly_cost_nok IS NULL OR hourly_cost_nok >= 0", name="hourly_cost"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(
        ForeignKey("cooperations.id", ondelete="CASCADE"), unique=True, index=True
    )
    hourly_cost_nok: Mapped[float | None] = mapped_column(Float)
    hourly_cost_source: Mapped[str] = mapped_column(String(500), default="")
    #: Where the default savings per change of mode come from.
    savings_source: Mapped[str] = mapped_column(String(500), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    cooperation: Mapped[Cooperation] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.cooperation}: gevinstforutsetninger"


class GainModeSaving(Base):
    """The share of a step's work minutes saved when its mode changes (low, expected, high, 0–1)."""

    __tablename__ = "gain_mode_savings"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("cooperation_id", "source_mode", "target_mode"),
        CheckConstraint("0 <= low AND low <= expected AND expected <= high AND high <= 1", name="ordered_shares"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    #: The mode before ("" = from any mode, e.g. → self-service).
    source_mode: Mapped[str] = mapped_column(String(20), default="")
    target_mode: Mapped[str] = mapped_column(String(20))
    low: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)

    cooperation: Mapped[Cooperation] = relationship()

    def __str__(self) -> str:
        return f"{self.cooperation}: {self.source_mode or '*'} → {self.target_mode}"


class GainProcessInput(Base):
    """Where a member's cases per year come from (the number itself is on the variant)."""

    __tablename__ = "gain_process_inputs"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), unique=True, index=True)
    cases_source: Mapped[str] = mapped_column(String(500), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.variant}: kilde for saker per år"


class GainStepInput(Base):
    """What a member knows about one step: work minutes per case, postage per case, share of cases."""

    __tablename__ = "gain_step_inputs"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("variant_id", "step_id"),
        CheckConstraint("work_minutes IS NULL OR work_minutes >= 0", name="work_minutes"),
        CheckConstraint("postage_nok IS NULL OR postage_nok >= 0", name="postage_nok"),
        CheckConstraint("case_share IS NULL OR (case_share >= 0 AND case_share <= 1)", name="case_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(200))
    work_minutes: Mapped[float | None] = mapped_column(Float)
    postage_nok: Mapped[float | None] = mapped_column(Float)
    case_share: Mapped[float | None] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship()

    def __str__(self) -> str:
        return f"{self.variant}: {self.step_id}"




class GainEventLog(Base):
    """An event log a member uploaded to measure its process: what was discovered from it, not the log itself.

    ``log`` is the process discovered from the log in the engine's JSON format (steps
    with their counts, shares and mean durations; no case ids, no names of people), so
    the measurement can be made again against any later version of the member's
    process. ``period_days`` is the period the log covers: from its first to its last
    event, or what the owner typed in instead. The newest log of a variant is the one
    the estimates use; older ones stay as history.
    """

    __tablename__ = "gain_event_logs"
    __audit__ = True
    #: The audit log records the file, its counts and period, not the discovered process itself.
    __audit_skip__ = frozenset({"log"})
    __table_args__ = (CheckConstraint("period_days > 0", name="period_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    log: Mapped[dict[str, Any]] = mapped_column(JSON)
    cases: Mapped[int] = mapped_column()
    events: Mapped[int] = mapped_column()
    period_days: Mapped[float] = mapped_column(Float)
    period_given: Mapped[bool] = mapped_column(default=False)
    first_event: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_event: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    variant: Mapped[Variant] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.variant}: hendelseslogg {self.filename}"


class GainPlan(Base):
    """A member's gevinstrealiseringsplan towards one cooperation's standard, with its baseline (nullpunkt).

    The baseline is recorded when the plan is first saved: the date, the member's version
    then and its inputs then (``baseline_inputs``, the engine's
    :class:`processes.gains.ProcessInput` as JSON), with the gains expected then
    (``baseline_expected``: ``GainEstimate.to_dict`` in both languages) kept as the record.
    """

    __tablename__ = "gain_plans"
    __audit__ = True
    __table_args__ = (UniqueConstraint("variant_id", "cooperation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    baseline_date: Mapped[dt.date] = mapped_column(Date)
    baseline_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id", ondelete="CASCADE"), index=True)
    #: The standard version the baseline's change plan was made against.
    standard_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_versions.id", ondelete="SET NULL"), index=True
    )
    baseline_inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    baseline_expected: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship()
    cooperation: Mapped[Cooperation] = relationship()
    baseline_version: Mapped[ProcessVersion] = relationship(foreign_keys=[baseline_version_id])
    standard_version: Mapped[ProcessVersion | None] = relationship(foreign_keys=[standard_version_id])
    updated_by: Mapped[User | None] = relationship()
    lines: Mapped[list[GainPlanLine]] = relationship(back_populates="plan", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.variant}: gevinstrealiseringsplan ({self.cooperation})"


class GainPlanLine(Base):
    """Who follows up one expected gain, by when, and what will be measured; keyed like the change-plan follow-ups."""

    __tablename__ = "gain_plan_lines"
    __audit__ = True
    __table_args__ = (UniqueConstraint("plan_id", "change_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("gain_plans.id", ondelete="CASCADE"), index=True)
    #: :meth:`registry.harmonisation.followup.ChangeKey.encode` of the change at the baseline.
    change_key: Mapped[str] = mapped_column(String(700))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[dt.date | None] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(500), default="")

    plan: Mapped[GainPlan] = relationship(back_populates="lines")

    def __str__(self) -> str:
        return f"{self.plan}: {self.owner or '–'}"
