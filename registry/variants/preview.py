"""What saving an upload would change: the difference from the current version, and how the similarity to each standard moves.

Shown on the upload preview before the owner saves, so that a wrong file (another
process, an old export) is caught before it becomes a version. Both are computed
inline with the engine, bounded by :data:`PREVIEW_MAX_STEPS`; larger processes are
compared after saving, as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from processes import Process
from processes.compare import compare
from registry.authz import can_view_version
from registry.comparisons.services import (
    cooperations_of,
    decisions_for,
    find_comparison,
    latest_version,
    standard_version_for,
    standards_for_variant,
)
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.graphs import decision_memory, load_process
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import find_variant

__all__ = ["LOW_LIKENESS", "MAX_SENTENCES", "PREVIEW_MAX_STEPS", "StandardMove", "UploadEffects", "upload_effects"]

#: The largest process (steps of the upload or the current version) compared on the preview page.
PREVIEW_MAX_STEPS = 200
#: Sentences of the difference shown; the rest are counted («and 12 more»).
MAX_SENTENCES = 25
#: Below this similarity to the current version the preview asks whether it is the right file.
LOW_LIKENESS = 0.35


@dataclass(frozen=True)
class StandardMove:
    """The similarity to one cooperation's published standard now and with the upload (0–1; None: no version now)."""

    cooperation: Cooperation
    standard_version: ProcessVersion
    before: float | None
    after: float

    @property
    def points(self) -> int | None:
        """The change in whole percentage points (None when there is no current version)."""
        if self.before is None:
            return None
        return round(100 * self.after) - round(100 * self.before)


@dataclass(frozen=True)
class UploadEffects:
    """What saving the upload changes; ``current`` is None for a first version."""

    current: ProcessVersion | None
    sentences: tuple[str, ...]
    more: int
    identical: bool
    standards: tuple[StandardMove, ...]
    too_large: bool
    #: How alike the upload is to the current version (0–1; None for a first version).
    likeness: float | None = None

    @property
    def looks_like_another_process(self) -> bool:
        """True when the upload has little in common with the current version: perhaps the wrong file."""
        return self.likeness is not None and self.likeness < LOW_LIKENESS


def _standards(municipality: Municipality, process_type: ProcessType, variant: Variant | None) -> list[Standard]:
    if variant is not None:
        return standards_for_variant(variant)
    # A first upload: the standards of the municipality's cooperations, as a variant would have.
    cooperation_ids = [c.id for c in cooperations_of(municipality)]
    if not cooperation_ids:
        return []
    return list(db.session.scalars(
        select(Standard).where(Standard.process_type_id == process_type.id, Standard.cooperation_id.in_(cooperation_ids))
        .order_by(Standard.id)))


def upload_effects(municipality: Municipality, process_type: ProcessType, new: Process, lang: str) -> UploadEffects:
    """Compare the upload with the municipality's current version and with every published standard it can see."""
    variant = find_variant(municipality, process_type)
    current = latest_version(variant) if variant is not None else None
    now = load_process(current) if current is not None else None
    biggest = max(len(new.steps), len(now.steps) if now is not None else 0)
    if biggest > PREVIEW_MAX_STEPS:
        return UploadEffects(current, (), 0, False, (), True)
    sentences: list[str] = []
    identical = False
    likeness: float | None = None
    if now is not None and current is not None:
        engine = compare(now, new, a_name=_("version %(number)s", number=current.number), b_name=_("the upload"))
        identical = not engine.differences
        likeness = engine.similarity.overall
        sentences = [] if identical else list(engine.texts(lang))
    moves: list[StandardMove] = []
    for standard in _standards(municipality, process_type, variant):
        version = standard_version_for(standard)
        if version is None or not can_view_version(current_user, version):
            continue
        target = load_process(version)
        # The owner's confirmed and rejected matches count, as they do in the stored comparisons.
        memory = decision_memory(decisions_for(standard, variant)) if variant is not None else None
        after = compare(target, new, memory=memory).similarity.overall
        before: float | None = None
        if current is not None and now is not None:
            stored = find_comparison(version, current)
            if stored is not None and stored.status == "done" and stored.overall is not None:
                before = float(stored.overall)
            else:
                before = compare(target, now, memory=memory).similarity.overall
        moves.append(StandardMove(standard.cooperation, version, before, after))
    shown = sentences[:MAX_SENTENCES]
    return UploadEffects(current, tuple(shown), len(sentences) - len(shown), identical, tuple(moves), False, likeness)
