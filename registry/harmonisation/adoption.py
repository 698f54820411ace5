"""Adoption over time: how close each member came to the standard, version by version, and the cooperation month by month.

Everything is read from stored rows; nothing runs the comparison engine in a page view.

* A member version is compared with the standard version that was **in force when the
  member version was saved**: the last one published before it (a version saved directly as
  published counts from when it was saved). A member version saved before any standard was
  published has no standard to be compared with.
* At the end of each month (for the current month: today) the cooperation's figures take
  that day's members, each with its latest version saved by the end of the day, compared
  with the standard version in force then, as the map «per dato» does.
* Changes open and done come from the follow-up of the change plans (``change_follow_ups``)
  and their history in the audit log: a change is *open at the end of a month* when the last
  status it had by then is not «gjennomført», and *done in a month* when it was set to
  «gjennomført» during that month. Changes nobody has given a status are not in the table,
  so they are not counted.

Comparisons that are not stored are requested through the queue (:func:`request_missing`),
the same way the map requests them; the page says how many are still being computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.comparisons.models import Comparison
from registry.comparisons.services import request_comparison
from registry.cooperations.models import Cooperation
from registry.divergence.services import (
    aware,
    day_end,
    find_standard,
    member_variants,
    published_moment,
)
from registry.extensions import db
from registry.graphs import ENGINE_VERSION
from registry.harmonisation.models import ChangeFollowUp
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_MONTHS",
    "AdoptionState",
    "MemberHistory",
    "MonthFigures",
    "VersionPoint",
    "adoption_state",
    "follow_up_histories",
    "month_days",
    "request_missing",
]

#: The similarity (per cent) a member must reach to count as following the standard, unless chosen otherwise.
DEFAULT_THRESHOLD = 80
#: The page shows at most this many months (the latest); older ones are left out, and it says so.
MAX_MONTHS = 36
#: Statuses of a stored comparison, and of a pair without one.
DONE, PENDING, FAILED, MISSING, NO_STANDARD = "done", "pending", "failed", "missing", "no_standard"


@dataclass(frozen=True)
class VersionPoint:
    """One member version and its similarity to the standard version in force when it was saved."""

    version: ProcessVersion
    made_at: dt.datetime
    standard_version: ProcessVersion | None
    status: str  # DONE, PENDING, FAILED, MISSING or NO_STANDARD
    overall: float | None  # in [0, 1], when DONE


@dataclass
class MemberHistory:
    """A current member and its versions of this process type (none: no process registered)."""

    municipality: Municipality
    variant: Variant | None
    points: list[VersionPoint] = field(default_factory=list)


@dataclass(frozen=True)
class MonthFigures:
    """The cooperation at the end of one month (the current month: today)."""

    month: dt.date  # its first day
    day: dt.date  # the day counted: the month's last day, or today
    standard_version: ProcessVersion | None
    members: int
    with_process: int  # members with a version saved by then
    known: int  # of those, with a computed similarity
    at_or_above: int  # of those known, at or above the threshold
    waiting: int  # with_process - known: being computed, failed, or not requested
    open_changes: int
    done_changes: int

    @property
    def share(self) -> float | None:
        """The share of members with a known similarity that reach the threshold (None: none known)."""
        return self.at_or_above / self.known if self.known else None


@dataclass
class AdoptionState:
    """Everything the adoption page shows."""

    cooperation: Cooperation
    process_type: ProcessType
    standard: Standard | None
    threshold: float  # in [0, 1]
    members: list[MemberHistory] = field(default_factory=list)
    months: list[MonthFigures] = field(default_factory=list)
    #: Earlier months with data that were left out (only the latest MAX_MONTHS are shown).
    months_left_out: int = 0
    #: (standard version, member version) pairs without a stored comparison and nothing queued.
    missing: list[tuple[ProcessVersion, ProcessVersion]] = field(default_factory=list)
    pending: int = 0
    failed: int = 0
    follow_ups: int = 0

    @property
    def is_complete(self) -> bool:
        """True when every pair the page needs has a computed similarity (or failed for good)."""
        return not (self.missing or self.pending)


def month_days(first: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, day counted) of each month from ``first``'s month to ``today``'s; the last is counted today.

    >>> month_days(dt.date(2026, 1, 15), dt.date(2026, 3, 2))
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)), (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)), (datetime.date(2026, 3, 1), datetime.date(2026, 3, 2))]
    """
    out = []
    month = first.replace(day=1)
    while month <= today:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        out.append((month, min(following - dt.timedelta(days=1), today)))
        month = following
    return out


def _in_force(published: list[tuple[dt.datetime, int, ProcessVersion]], at: dt.datetime) -> ProcessVersion | None:
    """The standard version last published at or before ``at`` (``published`` sorted by moment, number)."""
    found = None
    for moment, _number, version in published:
        if moment <= at:
            found = version
        else:
            break
    return found


def _stored(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, float | None]]:
    """Status and overall similarity of each (standard version id, member version id) pair as stored."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Comparison.version_a_id, Comparison.version_b_id, Comparison.status, Comparison.overall)
        .where(
            Comparison.version_a_id.in_(sorted({a for a, _b in wanted})),
            Comparison.version_b_id.in_(sorted({b for _a, b in wanted})),
            Comparison.engine_version == ENGINE_VERSION,
        )
        .order_by(Comparison.id)
    ).all()
    statuses: dict[tuple[int, int], set[str]] = {}
    done: dict[tuple[int, int], float | None] = {}
    for a, b, status, overall in rows:
        statuses.setdefault((a, b), set()).add(status)
        if status == DONE:
            done[(a, b)] = overall  # later ids are newer results
    out: dict[tuple[int, int], tuple[str, float | None]] = {}
    for pair in wanted:
        if pair in done:
            out[pair] = (DONE, done[pair])
        elif PENDING in statuses.get(pair, set()):
            out[pair] = (PENDING, None)
        elif FAILED in statuses.get(pair, set()):
            out[pair] = (FAILED, None)
        else:
            out[pair] = (MISSING, None)
    return out


def _parse_moment(value: Any, fallback: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        try:
            return aware(dt.datetime.fromisoformat(value))
        except ValueError:
            return fallback
    return fallback


def follow_up_histories(rows: list[ChangeFollowUp]) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Each follow-up's statuses over time, (moment, status) in order, from the audit log and the row itself.

    An event's moment is the ``set_at`` it wrote (when the status was set), else when it was logged.
    """
    if not rows:
        return {}
    by_id = {str(r.id): r for r in rows}
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "ChangeFollowUp", AuditEvent.object_id.in_(list(by_id)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    histories: dict[int, list[tuple[dt.datetime, str]]] = {r.id: [] for r in rows}
    current: dict[int, str | None] = {r.id: None for r in rows}
    for event in events:
        row = by_id[event.object_id]
        if event.action == "delete":
            continue
        changes = event.changes or {}
        status = (changes.get("status") or {}).get("new", current[row.id])
        if event.action == "create" and status is None:
            status = "not_started"
        moment = _parse_moment((changes.get("set_at") or {}).get("new"), aware(event.at))
        if status is not None and ("status" in changes or "set_at" in changes or event.action == "create"):
            histories[row.id].append((moment, str(status)))
        current[row.id] = status
    for row in rows:
        point = (aware(row.set_at), row.status)
        if point not in histories[row.id]:
            histories[row.id].append(point)
        histories[row.id].sort(key=lambda p: p[0])
    return histories


def _status_at(history: list[tuple[dt.datetime, str]], before: dt.datetime) -> str | None:
    status = None
    for moment, value in history:
        if moment < before:
            status = value
        else:
            break
    return status


def _done_between(history: list[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime) -> bool:
    """True when the follow-up was set to done (from another status, or new) in [start, end)."""
    previous = None
    for moment, value in history:
        if value == "done" and previous != "done" and start <= moment < end:
            return True
        previous = value
    return False


def adoption_state(
    cooperation: Cooperation,
    process_type: ProcessType,
    *,
    threshold: float = DEFAULT_THRESHOLD / 100,
    today: dt.date | None = None,
) -> AdoptionState:
    """Read the members' similarity to the standard over their versions, and the cooperation's figures per month."""
    today = today or dt.date.today()
    standard = find_standard(cooperation, process_type)
    state = AdoptionState(cooperation, process_type, standard, threshold)
    published: list[tuple[dt.datetime, int, ProcessVersion]] = []
    if standard is not None:
        versions = db.session.scalars(
            select(ProcessVersion).where(ProcessVersion.standard_id == standard.id, ProcessVersion.status == "published")
        ).all()
        published = sorted(
            ((moment, v.number, v) for v in versions if (moment := published_moment(v)) is not None),
            key=lambda t: (t[0], t[1]),
        )

    # Each current member's versions, each with the standard version in force when it was saved.
    needed: set[tuple[int, int]] = set()
    version_rows: dict[int, ProcessVersion] = {}
    for member in member_variants(cooperation, process_type, on=today):
        history = MemberHistory(member.municipality, member.variant)
        state.members.append(history)
        if member.variant is None:
            continue
        for version in db.session.scalars(
            select(ProcessVersion).where(ProcessVersion.variant_id == member.variant.id).order_by(ProcessVersion.number)
        ):
            version_rows[version.id] = version
            made = aware(version.created_at)
            std = _in_force(published, made)
            history.points.append(VersionPoint(version, made, std, NO_STANDARD, None))
            if std is not None:
                needed.add((std.id, version.id))

    # Follow-ups of this cooperation's change plans for the process type, with their history.
    follow_ups = list(
        db.session.scalars(
            select(ChangeFollowUp)
            .join(Variant, Variant.id == ChangeFollowUp.variant_id)
            .where(ChangeFollowUp.cooperation_id == cooperation.id, Variant.process_type_id == process_type.id)
        )
    )
    state.follow_ups = len(follow_ups)
    histories = follow_up_histories(follow_ups)

    # The months: from the first with anything to count to this one, the latest MAX_MONTHS.
    moments = [m for m, _n, _v in published] + [p.made_at for h in state.members for p in h.points]
    moments += [m for history in histories.values() for m, _s in history]
    months: list[tuple[dt.date, dt.date]] = []
    if moments:
        first = min(moments).date()
        months = month_days(max(first, dt.date(2000, 1, 1)), today) if first <= today else []
        state.months_left_out = max(len(months) - MAX_MONTHS, 0)
        months = months[-MAX_MONTHS:]
    then: list[tuple[dt.date, dt.date, ProcessVersion | None, list[Any]]] = []
    for month, day in months:
        end = day_end(day)
        std = _in_force(published, end - dt.timedelta(microseconds=1))
        members = member_variants(cooperation, process_type, on=day, made_before=end)
        then.append((month, day, std, members))
        for m in members:
            if std is not None and m.version is not None:
                version_rows[m.version.id] = m.version
                needed.add((std.id, m.version.id))

    stored = _stored(needed)
    for pair, (status, _overall) in sorted(stored.items()):
        if status == MISSING:
            std_version = db.session.get(ProcessVersion, pair[0])
            if std_version is not None:
                state.missing.append((std_version, version_rows[pair[1]]))
        elif status == PENDING:
            state.pending += 1
        elif status == FAILED:
            state.failed += 1

    for history in state.members:
        history.points = [
            VersionPoint(p.version, p.made_at, p.standard_version, *stored[(p.standard_version.id, p.version.id)])
            if p.standard_version is not None
            else p
            for p in history.points
        ]

    for month, day, std, members in then:
        start = day_end(month - dt.timedelta(days=1))
        end = day_end(day)
        with_process = [m.version for m in members if m.version is not None]
        values = [stored[(std.id, v.id)] for v in with_process] if std is not None else []
        known = [overall for status, overall in values if status == DONE and overall is not None]
        state.months.append(
            MonthFigures(
                month=month,
                day=day,
                standard_version=std,
                members=len(members),
                with_process=len(with_process),
                known=len(known),
                # Rounded as the page shows them: 0.7999999 is «80 %» and counts at 80 %.
                at_or_above=sum(1 for v in known if round(v, 6) >= round(threshold, 6)),
                waiting=len(with_process) - len(known) if std is not None else 0,
                open_changes=sum(1 for h in histories.values() if (s := _status_at(h, end)) is not None and s != "done"),
                done_changes=sum(1 for h in histories.values() if _done_between(h, start, end)),
            )
        )
    return state


def request_missing(state: AdoptionState, *, limit: int = 500) -> int:
    """Queue the comparisons the page lacks (at most ``limit``); returns how many were requested."""
    count = 0
    for std_version, version in state.missing[:limit]:
        request_comparison(std_version, version)
        count += 1
    return count
