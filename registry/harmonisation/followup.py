"""Following up a change plan: a status per change, justified deviations, and changes done by a new version.

A change of a plan is recognised again in the plan of a later version (or against a
later standard) by its :class:`ChangeKey`: what kind of change it is, the standard's
step (id *and* label, so a renumbered or renamed standard step still matches) and the
member's step label. Ids of a member's version alone would not do: a new upload may
give every step a new id.

When a member saves a new version, :func:`record_new_version` compares the plan of
the version before with the plan of the new one: every change that is gone is marked
«gjennomført» by the registry itself, with the version that did it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select

from processes import Process
from processes.harmonise import Change, ChangePlan
from registry.cooperations.models import Cooperation
from registry.errors import ValidationError
from registry.extensions import db
from registry.harmonisation.models import (
    FOLLOW_UP_STATUSES,
    REASON_CATEGORIES,
    ChangeFollowUp,
    JustifiedDeviation,
)
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Variant

__all__ = [
    "ChangeKey",
    "PlanEntry",
    "change_key",
    "deviations_for",
    "find_by_key",
    "follow_ups_for",
    "justified_map",
    "plan_entries",
    "record_new_version",
    "remove_deviation",
    "save_deviation",
    "set_status",
]

_KEY_MAX = 700


def _norm(label: str) -> str:
    """A label as compared: case and runs of white space do not matter."""
    return " ".join(label.split()).casefold()


def _label(process: Process, step_id: str) -> str:
    element = process.get(step_id)
    label = getattr(element, "label", None)
    return str(label) if label else step_id


@dataclass(frozen=True)
class ChangeKey:
    """What identifies a change across versions: its kind, the standard's steps, the member's steps."""

    kind: str
    standard_ids: tuple[str, ...]
    standard_labels: tuple[str, ...]
    variant_labels: tuple[str, ...]

    def encode(self) -> str:
        """The key as stored (JSON; a long one ends in a digest so that it fits the column)."""
        text = json.dumps(
            [self.kind, self.standard_ids, self.standard_labels, self.variant_labels],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if len(text) <= _KEY_MAX:
            return text
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return text[: _KEY_MAX - 65] + "#" + digest

    @classmethod
    def decode(cls, text: str) -> ChangeKey | None:
        """The key from its stored form (None for a shortened one: it only matches itself exactly)."""
        try:
            kind, ids, labels, variant = json.loads(text)
        except (ValueError, TypeError):
            return None
        parts = (ids, labels, variant)
        if not isinstance(kind, str) or not all(
            isinstance(p, list) and all(isinstance(x, str) for x in p) for p in parts
        ):
            return None  # not a key this registry wrote (a form posted by hand)
        return cls(kind, tuple(ids), tuple(labels), tuple(variant))

    def same_change(self, other: ChangeKey) -> bool:
        """True when ``other`` is this change seen in another version.

        The same kind of change, and the same standard step (by id or by label); for a
        step only the member has, the same member step label.
        """
        if self.kind != other.kind:
            return False
        if self.standard_ids or other.standard_ids:
            if set(self.standard_ids) & set(other.standard_ids):
                return True
            mine = {_norm(x) for x in self.standard_labels}
            return bool(mine & {_norm(x) for x in other.standard_labels})
        return bool({_norm(x) for x in self.variant_labels} & {_norm(x) for x in other.variant_labels})


def change_key(change: Change, plan: ChangePlan) -> ChangeKey:
    """The key of one change of ``plan``."""
    return ChangeKey(
        str(change.kind),
        tuple(change.target_steps),
        tuple(_label(plan.target, x) for x in change.target_steps),
        tuple(_label(plan.variant, y) for y in change.variant_steps),
    )


class _Keyed(Protocol):
    change_key: str


_K = TypeVar("_K", bound=_Keyed)


def find_by_key(key: ChangeKey, rows: Iterable[_K]) -> _K | None:
    """The row of this change (a follow-up, a gain plan line): stored under this very key, else one of the same change."""
    rows = list(rows)
    encoded = key.encode()
    for row in rows:
        if row.change_key == encoded:
            return row
    for row in rows:
        other = ChangeKey.decode(row.change_key)
        if other is not None and key.same_change(other):
            return row
    return None


def follow_ups_for(variant: Variant, cooperation: Cooperation) -> list[ChangeFollowUp]:
    """Every follow-up row of the member towards this cooperation's standard, newest first."""
    return list(
        db.session.scalars(
            select(ChangeFollowUp)
            .where(ChangeFollowUp.variant_id == variant.id, ChangeFollowUp.cooperation_id == cooperation.id)
            .order_by(ChangeFollowUp.set_at.desc(), ChangeFollowUp.id.desc())
        )
    )


def deviations_for(
    cooperation: Cooperation, *, variant: Variant | None = None, process_type_id: int | None = None
) -> list[JustifiedDeviation]:
    """Justified deviations in the cooperation (of one member, or of one process type)."""
    query = select(JustifiedDeviation).where(JustifiedDeviation.cooperation_id == cooperation.id)
    if variant is not None:
        query = query.where(JustifiedDeviation.variant_id == variant.id)
    if process_type_id is not None:
        query = query.join(Variant, Variant.id == JustifiedDeviation.variant_id).where(
            Variant.process_type_id == process_type_id
        )
    return list(db.session.scalars(query.order_by(JustifiedDeviation.created_at, JustifiedDeviation.id)))


def _deviation_matches(row: JustifiedDeviation, key: ChangeKey) -> bool:
    if row.standard_step_label or row.standard_step_id:
        if row.standard_step_id and row.standard_step_id in key.standard_ids:
            return True
        return bool(row.standard_step_label) and _norm(row.standard_step_label) in {
            _norm(x) for x in key.standard_labels
        }
    return _norm(row.variant_step_label) in {_norm(x) for x in key.variant_labels}


def justified_map(
    rows: Sequence[JustifiedDeviation], target: Process, variant: Process, *, on: dt.date | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(target step id -> reason, variant step id -> reason), for the engine's ``justified=`` and
    ``justified_variant=``.

    A row names the standard's step by id and label (either finds it) or, for a step
    only the member has, the member's step by label. Rows past their end date are left out.
    """
    day = on or dt.date.today()
    in_target: dict[str, str] = {}
    in_variant: dict[str, str] = {}
    by_label_t: dict[str, list[str]] = {}
    for s in target.steps:
        by_label_t.setdefault(_norm(s.label or ""), []).append(s.id)
    by_label_v: dict[str, list[str]] = {}
    for s in variant.steps:
        by_label_v.setdefault(_norm(s.label or ""), []).append(s.id)
    for row in rows:
        if not row.is_valid_on(day):
            continue
        if row.standard_step_id or row.standard_step_label:
            ids = [row.standard_step_id] if row.standard_step_id and row.standard_step_id in target else []
            if not ids and row.standard_step_label:
                ids = by_label_t.get(_norm(row.standard_step_label), [])
            for x in ids:
                in_target.setdefault(x, row.reason)
        else:
            for y in by_label_v.get(_norm(row.variant_step_label), []):
                in_variant.setdefault(y, row.reason)
    return in_target, in_variant


@dataclass(frozen=True)
class PlanEntry:
    """One change of a plan with what the member has recorded about it."""

    change: Change
    key: ChangeKey
    follow_up: ChangeFollowUp | None
    deviation: JustifiedDeviation | None

    @property
    def status(self) -> str:
        """not_started, planned, in_progress, done or justified."""
        if self.deviation is not None:
            return "justified"
        return self.follow_up.status if self.follow_up is not None else "not_started"


def plan_entries(
    plan: ChangePlan, follow_ups: Sequence[ChangeFollowUp], deviations: Sequence[JustifiedDeviation]
) -> tuple[list[PlanEntry], list[PlanEntry]]:
    """The plan's changes and its justified deviations, each with its follow-up row and justification."""

    def entry(change: Change) -> PlanEntry:
        key = change_key(change, plan)
        deviation = next((d for d in deviations if _deviation_matches(d, key)), None)
        return PlanEntry(change, key, find_by_key(key, follow_ups), deviation)

    return [entry(c) for c in plan.changes], [entry(c) for c in plan.justified]


def set_status(
    variant: Variant,
    cooperation: Cooperation,
    entry: PlanEntry,
    *,
    status: str,
    planned_for: dt.date | None,
    note: str,
    user: User | None,
) -> ChangeFollowUp:
    """Record where the member stands with one change (the audit log keeps every earlier status)."""
    if status not in FOLLOW_UP_STATUSES:
        raise ValidationError("unknown status", field="status")
    if status == "planned" and planned_for is None:
        raise ValidationError("planned needs a date", field="planned_for")
    row = entry.follow_up
    if row is None:
        row = ChangeFollowUp(variant_id=variant.id, cooperation_id=cooperation.id, change_key=entry.key.encode())
        db.session.add(row)
    else:
        row.change_key = entry.key.encode()
    row.change_text = entry.change.text("nb")[:5000]
    row.change_text_en = entry.change.text("en")[:5000]
    row.status = status
    row.planned_for = planned_for if status == "planned" else None
    row.note = note[:2000]
    row.automatic = False
    row.done_in_version_id = None
    row.set_by_id = user.id if user is not None else None
    row.set_at = utcnow()
    db.session.flush()
    return row


def save_deviation(
    variant: Variant,
    cooperation: Cooperation,
    entry: PlanEntry,
    *,
    category: str,
    reason: str,
    valid_until: dt.date | None,
    user: User | None,
) -> JustifiedDeviation:
    """Mark one difference from the standard as justified, or change its justification."""
    if category not in REASON_CATEGORIES:
        raise ValidationError("unknown category", field="category")
    if not reason.strip():
        raise ValidationError("a reason is needed", field="reason")
    row = entry.deviation
    if row is None:
        key = entry.key
        row = JustifiedDeviation(
            variant_id=variant.id,
            cooperation_id=cooperation.id,
            standard_step_id=(key.standard_ids[0] if key.standard_ids else "")[:200],
            standard_step_label=(key.standard_labels[0] if key.standard_labels else "")[:300],
            variant_step_label=("" if key.standard_ids else key.variant_labels[0] if key.variant_labels else "")[:300],
            created_by_id=user.id if user is not None else None,
        )
        db.session.add(row)
    row.category = category
    row.reason = reason.strip()[:4000]
    row.valid_until = valid_until
    row.change_text = entry.change.text("nb")[:5000]
    row.change_text_en = entry.change.text("en")[:5000]
    db.session.flush()
    return row


def remove_deviation(row: JustifiedDeviation) -> None:
    """Withdraw a justification (the audit log keeps what it said)."""
    db.session.delete(row)
    db.session.flush()


def record_new_version(version_id: int) -> int:
    """Mark «gjennomført» every change that a member's new version has made; returns how many.

    For each of the member's cooperations with a standard: the plan of the version
    before and the plan of this one, against the same standard version. A change of
    the old plan that the new plan no longer has is done, by this version.
    """
    from registry.harmonisation.services import plans_for_variant

    version = db.session.get(ProcessVersion, version_id)
    if version is None or version.variant is None:
        return 0
    variant = version.variant
    previous = db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.variant_id == variant.id, ProcessVersion.number < version.number)
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    )
    if previous is None:
        return 0
    before = {mp.cooperation.id: mp for mp in plans_for_variant(variant, previous)}
    if not before:
        return 0
    marked = 0
    for mp in plans_for_variant(variant, version):
        old = before.get(mp.cooperation.id)
        if old is None:
            continue
        rows = follow_ups_for(variant, mp.cooperation)
        now_keys = [change_key(c, mp.plan) for c in (*mp.plan.changes, *mp.plan.justified)]
        for change in old.plan.changes:
            key = change_key(change, old.plan)
            if any(key.same_change(k) for k in now_keys):
                continue
            row = find_by_key(key, rows)
            if row is not None and row.status == "done":
                continue
            if row is None:
                row = ChangeFollowUp(variant_id=variant.id, cooperation_id=mp.cooperation.id, change_key=key.encode())
                db.session.add(row)
                rows.append(row)
            row.change_text = change.text("nb")[:5000]
            row.change_text_en = change.text("en")[:5000]
            row.status = "done"
            row.planned_for = None
            row.automatic = True
            row.done_in_version_id = version.id
            row.set_by_id = version.author_id
            row.set_at = utcnow()
            marked += 1
    db.session.flush()
    return marked


def justified_cells(
    cooperation: Cooperation,
    process_type_id: int,
    columns: Sequence[tuple[str, str]],
    members: dict[str, int],
    *,
    on: dt.date | None = None,
) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
    """Which divergence-map cells a member has justified, for the map to show them apart.

    ``columns`` are the standard's (step id, label) pairs; ``members`` maps a row key to its
    variant id. Returns (row key, step id) -> reason category, and row key -> how many of
    its own extra steps it has justified.
    """
    day = on or dt.date.today()
    rows = [r for r in deviations_for(cooperation, process_type_id=process_type_id) if r.is_valid_on(day)]
    if not rows:
        return {}, {}
    key_of = {variant_id: key for key, variant_id in members.items()}
    by_label = {_norm(label): sid for sid, label in columns}
    ids = {sid for sid, _label in columns}
    cells: dict[tuple[str, str], str] = {}
    extras: dict[str, int] = {}
    for row in rows:
        key = key_of.get(row.variant_id)
        if key is None:
            continue
        if row.standard_step_id or row.standard_step_label:
            sid = row.standard_step_id if row.standard_step_id in ids else by_label.get(_norm(row.standard_step_label))
            if sid is not None:
                cells.setdefault((key, sid), row.category)
        else:
            extras[key] = extras.get(key, 0) + 1
    return cells, extras
