"""«Mine prosesser»: what a signed-in user owns or coordinates, its status and what needs attention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from processes.exceptions import ProcessError
from registry.authz import can_view_version
from registry.comparisons.models import Comparison
from registry.comparisons.services import (
    cooperations_of,
    find_comparison,
    latest_version,
    standard_version_for,
)
from registry.cooperations.models import Cooperation
from registry.errors import RegistryError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality
from registry.municipalities.services import lineage
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant

__all__ = [
    "CooperationOverview",
    "MunicipalityOverview",
    "OwnProcess",
    "StandardStatus",
    "TypeOverview",
    "coordinator_overview",
    "owner_overview",
    "variants_of_municipality",
]

#: Follow-up statuses of a change that still has to be done.
_OPEN = frozenset({"not_started", "planned", "in_progress"})


@dataclass(frozen=True)
class StandardStatus:
    """One own process against one cooperation's standard."""

    cooperation: Cooperation
    standard_version: ProcessVersion | None
    #: The stored comparison with ``standard_version`` (None: not compared yet).
    comparison: Comparison | None
    #: The standard version of the newest stored comparison, when it is older than ``standard_version``.
    compared_with_older: ProcessVersion | None
    #: Changes of the change plan not done yet (None: no plan, e.g. no standard).
    open_changes: int | None

    @property
    def similarity(self) -> float | None:
        """The overall similarity of the current comparison, when it is done."""
        row = self.comparison
        return row.overall if row is not None and row.status == "done" else None

    @property
    def computing(self) -> bool:
        return self.comparison is not None and self.comparison.status == "pending"

    @property
    def failed(self) -> bool:
        return self.comparison is not None and self.comparison.status == "failed"

    @property
    def needs_attention(self) -> bool:
        return (
            self.standard_version is not None
            and (self.comparison is None or self.computing or self.failed or self.compared_with_older is not None)
        )


@dataclass(frozen=True)
class OwnProcess:
    """A process the user's municipality has registered, with its status against each standard."""

    variant: Variant
    version: ProcessVersion
    statuses: list[StandardStatus]


@dataclass
class MunicipalityOverview:
    """One municipality the user is process owner for."""

    municipality: Municipality
    cooperations: list[Cooperation]
    processes: list[OwnProcess] = field(default_factory=list)
    #: Process types a cooperation has a standard for, with no process registered here: (type, cooperations).
    missing: list[tuple[ProcessType, list[Cooperation]]] = field(default_factory=list)

    @property
    def attention(self) -> list[tuple[OwnProcess, StandardStatus]]:
        """Comparisons missing, computing, failed or made with an older standard."""
        return [(p, s) for p in self.processes for s in p.statuses if s.needs_attention]


@dataclass(frozen=True)
class TypeOverview:
    """A process type of a cooperation the user coordinates."""

    process_type: ProcessType
    standard_version: ProcessVersion | None
    members_with_process: int
    members: int


@dataclass(frozen=True)
class CooperationOverview:
    cooperation: Cooperation
    types: list[TypeOverview]


def variants_of_municipality(municipality: Municipality) -> list[tuple[Variant, ProcessVersion]]:
    """The processes registered for the municipality (and the municipalities merged into it), newest version each."""
    ids = [m.id for m in lineage(municipality)]
    variants = db.session.scalars(select(Variant).where(Variant.municipality_id.in_(ids))).all()
    out = []
    for variant in variants:
        version = latest_version(variant)
        if version is not None:
            out.append((variant, version))
    return sorted(out, key=lambda pair: (norwegian_key(pair[0].process_type.name_nb), pair[0].municipality.number))


def _standards_of(cooperations: list[Cooperation]) -> dict[int, list[tuple[Standard, ProcessVersion]]]:
    """Per process type id: the cooperations' standards that have a version members are compared with."""
    if not cooperations:
        return {}
    rows = db.session.scalars(select(Standard).where(Standard.cooperation_id.in_([c.id for c in cooperations])))
    out: dict[int, list[tuple[Standard, ProcessVersion]]] = {}
    for standard in rows:
        version = standard_version_for(standard)
        if version is not None:
            out.setdefault(standard.process_type_id, []).append((standard, version))
    for pairs in out.values():
        pairs.sort(key=lambda pair: norwegian_key(pair[0].cooperation.name))
    return out


def _newest_comparison_with(standard: Standard, version: ProcessVersion) -> Comparison | None:
    """The newest stored comparison of ``version`` with any version of ``standard``."""
    return db.session.scalar(
        select(Comparison)
        .join(ProcessVersion, ProcessVersion.id == Comparison.version_a_id)
        .where(Comparison.version_b_id == version.id, ProcessVersion.standard_id == standard.id)
        .order_by(ProcessVersion.number.desc(), Comparison.id.desc())
        .limit(1)
    )


def _open_changes(variant: Variant, version: ProcessVersion, user: Any) -> dict[int, int]:
    """Open changes of the version's change plan per cooperation id (only plans the user may see)."""
    from registry.harmonisation.services import plans_for_variant

    out: dict[int, int] = {}
    try:
        plans = plans_for_variant(variant, version)
    except (ProcessError, RegistryError, ValueError):
        # The start page must open whatever one plan does; the plan page itself says what is wrong.
        current_app.logger.exception("No change plan for variant %s version %s", variant.id, version.id)
        return out
    for member_plan in plans:
        if not can_view_version(user, member_plan.standard_version):
            continue
        changes, _justified = member_plan.entries()
        out[member_plan.cooperation.id] = sum(1 for entry in changes if entry.status in _OPEN)
    return out


def owner_overview(user: Any) -> list[MunicipalityOverview]:
    """Each municipality the user owns processes for: its processes, their status and what is missing.

    Computes the change plans of the user's own processes only (not cheap the first time).
    """
    out = []
    for municipality in sorted(user.owned_municipalities, key=lambda m: (norwegian_key(m.name), m.number)):
        cooperations = cooperations_of(municipality)
        overview = MunicipalityOverview(municipality, cooperations)
        standards = _standards_of(cooperations)
        registered: set[int] = set()
        for variant, version in variants_of_municipality(municipality):
            registered.add(variant.process_type_id)
            pairs = standards.get(variant.process_type_id, [])
            open_changes = _open_changes(variant, version, user) if pairs else {}
            statuses = []
            for standard, standard_version in pairs:
                current = find_comparison(standard_version, version)
                older = None
                if current is None:
                    newest = _newest_comparison_with(standard, version)
                    if newest is not None and newest.version_a.number < standard_version.number:
                        older = newest.version_a
                statuses.append(
                    StandardStatus(
                        cooperation=standard.cooperation,
                        standard_version=standard_version,
                        comparison=current,
                        compared_with_older=older,
                        open_changes=open_changes.get(standard.cooperation_id),
                    )
                )
            overview.processes.append(OwnProcess(variant, version, statuses))
        for type_id, pairs in standards.items():
            if type_id not in registered:
                overview.missing.append((pairs[0][0].process_type, [s.cooperation for s, _v in pairs]))
        overview.missing.sort(key=lambda item: norwegian_key(item[0].name_nb))
        out.append(overview)
    return out


def coordinator_overview(user: Any, *, on: dt.date | None = None) -> list[CooperationOverview]:
    """Each cooperation the user coordinates, with the process types it has a standard for."""
    from registry.divergence.services import member_variants

    out = []
    for cooperation in sorted(user.coordinated_cooperations, key=lambda c: norwegian_key(c.name)):
        standards = db.session.scalars(select(Standard).where(Standard.cooperation_id == cooperation.id)).all()
        types = []
        for standard in standards:
            members = member_variants(cooperation, standard.process_type, on=on)
            types.append(
                TypeOverview(
                    process_type=standard.process_type,
                    standard_version=standard_version_for(standard),
                    members_with_process=sum(1 for m in members if m.version is not None),
                    members=len(members),
                )
            )
        types.sort(key=lambda t: norwegian_key(t.process_type.name_nb))
        out.append(CooperationOverview(cooperation, types))
    return out
