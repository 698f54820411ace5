"""What members record about their change plans: follow-up of each change, and justified deviations.

Both are keyed the way the mapping memory is: by the standard's step (its id *and*
its label) and the member's step label, never by a member version's ids only, so a
status or a justification survives new versions of the member's process and of the
standard (see :func:`registry.harmonisation.followup.change_key`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.cooperations.models import Cooperation
from registry.extensions import Base
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Variant

__all__ = [
    "FOLLOW_UP_STATUSES",
    "REASON_CATEGORIES",
    "ChangeFollowUp",
    "JustifiedDeviation",
    "StoredProposal",
    "StoredStepClasses",
]

#: The follow-up of one change, in the order a change moves through them.
#: («avvik begrunnet» is not one of them: it is a :class:`JustifiedDeviation`.)
FOLLOW_UP_STATUSES = ("not_started", "planned", "in_progress", "done")

#: Why a deviation from the standard is justified.
REASON_CATEGORIES = ("law", "local_regulation", "organisation", "system", "temporary")


class ChangeFollowUp(Base):
    """Where a member stands with one change of its change plan, and who said so when."""

    __tablename__ = "change_follow_ups"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("variant_id", "cooperation_id", "change_key"),
        CheckConstraint("status IN ('not_started', 'planned', 'in_progress', 'done')", name="status"),
        CheckConstraint("status <> 'planned' OR planned_for IS NOT NULL", name="planned_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    change_key: Mapped[str] = mapped_column(String(700))
    #: The change in words (bokmål, English) when the status was last set: the history reads without the plan.
    change_text: Mapped[str] = mapped_column(Text, default="")
    change_text_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    planned_for: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Set by the registry itself: the change is gone from the plan of a new version.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    done_in_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id", ondelete="SET NULL"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    variant: Mapped[Variant] = relationship()
    cooperation: Mapped[Cooperation] = relationship()
    set_by: Mapped[User | None] = relationship()
    done_in_version: Mapped[ProcessVersion | None] = relationship()

    def text(self, lang: str = "nb") -> str:
        """The change in words, in ``lang``."""
        return (self.change_text_en if lang == "en" else "") or self.change_text

    def __str__(self) -> str:
        return f"{self.variant}: {self.change_text[:200]}"


class JustifiedDeviation(Base):
    """A difference from the standard that the member keeps on purpose («begrunnet avvik»), and why."""

    __tablename__ = "justified_deviations"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("variant_id", "cooperation_id", "standard_step_id", "standard_step_label", "variant_step_label"),
        CheckConstraint(
            "category IN ('law', 'local_regulation', 'organisation', 'system', 'temporary')", name="category"
        ),
        CheckConstraint("standard_step_label <> '' OR variant_step_label <> ''", name="names_a_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    #: The standard's step the deviation concerns ("" for a step only the member has).
    standard_step_id: Mapped[str] = mapped_column(String(200), default="")
    standard_step_label: Mapped[str] = mapped_column(String(300), default="")
    #: The member's own step ("" for a standard step the member leaves out).
    variant_step_label: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    #: The change in words (bokmål, English) when it was justified.
    change_text: Mapped[str] = mapped_column(Text, default="")
    change_text_en: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship()
    cooperation: Mapped[Cooperation] = relationship()
    created_by: Mapped[User | None] = relationship()

    def text(self, lang: str = "nb") -> str:
        """The difference in words, in ``lang``."""
        return (self.change_text_en if lang == "en" else "") or self.change_text

    def is_valid_on(self, day: dt.date) -> bool:
        """True while the justification holds (no end date, or not passed yet)."""
        return self.valid_until is None or day <= self.valid_until

    def __str__(self) -> str:
        step = self.standard_step_label or self.variant_step_label
        return f"{self.variant}: {step}"


class StoredProposal(Base):
    """A proposed common standard as the page shows it, computed by a job and kept.

    A proposal for 38 members takes a second or two, longer than a page view should,
    so the page reads this row and asks for it when it is missing. ``inputs_key``
    digests everything the proposal depends on (the members' and the standard's
    contents, the settings, the members' weights, the justified deviations in force,
    the engine version): when any of them changes, the key does, and the old row is
    simply no longer asked for. ``view`` is JSON, in both languages: the proposed
    process as canonical content (what «make it a draft» saves), its texts, its steps
    with their support, and its drawings.
    """

    __tablename__ = "stored_proposals"
    __table_args__ = (
        UniqueConstraint("cooperation_id", "process_type_id", "inputs_key", "engine_version"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"), index=True)
    #: sha256 (hex) of the inputs, the settings, the weights and the deviations in force.
    inputs_key: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(30))
    #: JSON: the settings it is computed with (the job reads them; the draft's provenance names them).
    settings: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: JSON: what the page shows, in nb and en ("" while pending).
    view: Mapped[str] = mapped_column(Text, default="")
    # Why it failed: "engine" (``error`` says what) or a registry.tasks.FAILURE_REASONS entry.
    error: Mapped[str] = mapped_column(Text, default="")
    failure: Mapped[str] = mapped_column(String(20), default="")
    job_id: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    cooperation: Mapped[Cooperation] = relationship()
    process_type: Mapped[ProcessType] = relationship()

    def __str__(self) -> str:
        return f"{self.cooperation}: {self.process_type} ({self.status})"


class StoredStepClasses(Base):
    """A cooperation's step classes for one process type, kept so that a plan needs no alignment.

    Making the classes aligns every member twice (76 alignments for 38 members, about
    150 ms); a change plan and a proposal need them. Each server process keeps them in
    memory, and this row keeps them for the others and for the next start. ``inputs_key``
    digests the members' and the standard's contents and the engine version; ``data`` is
    :func:`processes.harmonise.classes_to_data` as JSON. Only today's inputs are kept
    (not those of a «per dato» view), one row per cooperation and process type.
    """

    __tablename__ = "stored_step_classes"
    __table_args__ = (UniqueConstraint("cooperation_id", "process_type_id", "inputs_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(ForeignKey("cooperations.id", ondelete="CASCADE"), index=True)
    process_type_id: Mapped[int] = mapped_column(ForeignKey("process_types.id", ondelete="CASCADE"), index=True)
    inputs_key: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
