"""Harmonisation in the registry: a proposed common standard, turning it into a draft, members' change plans.

The engine (:mod:`processes.harmonise`) does the reasoning; this module gathers its
inputs from stored rows (each member's latest version, the standard version members
are compared with), keeps recent results per worker, and saves a proposal as a new
draft version of the cooperation's standard with its provenance.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from processes import Process
from processes.harmonise import (
    ChangePlan,
    Proposal,
    StepClasses,
    change_plan,
    propose_standard,
    step_classes,
)
from registry.audit.models import AuditEvent
from registry.comparisons.services import cooperations_of, standard_version_for
from registry.cooperations.models import Cooperation
from registry.divergence.services import Member, find_standard, member_variants
from registry.errors import ValidationError
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, canonical_content, load_process
from registry.process_types.models import ProcessType
from registry.users.models import User
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import get_or_create_standard, save_version

__all__ = [
    "HarmonisationInputs",
    "MemberPlan",
    "ProposalSettings",
    "harmonisation_inputs",
    "make_draft",
    "plans_for_variant",
    "proposal_for",
]

#: Minimum supports a coordinator can choose, as shares.
MIN_SUPPORT_CHOICES = (0.5, 0.6, 0.75, 0.9)


@dataclass(frozen=True)
class ProposalSettings:
    """What the coordinator chose: the share of members a step needs, and how far from the standard it may move."""

    min_support: float = 0.5
    max_drift: int | None = None

    def describe(self, lang: str = "nb") -> str:
        """The settings in words, for the version history."""
        share = f"{self.min_support * 100:.0f} %"
        if lang == "en":
            drift = "no limit" if self.max_drift is None else f"at most {self.max_drift} changes"
            return f"minimum support {share}, members weighted equally, distance from the standard: {drift}"
        drift = "ingen grense" if self.max_drift is None else f"høyst {self.max_drift} endringer"
        return f"minste oppslutning {share}, alle medlemmer teller likt, avstand fra standarden: {drift}"


@dataclass
class HarmonisationInputs:
    """The members' latest versions and the standard version they are compared with."""

    cooperation: Cooperation
    process_type: ProcessType
    standard: Standard | None
    standard_version: ProcessVersion | None
    members: list[Member]
    #: Member name -> its latest version (members with a process only).
    versions: dict[str, ProcessVersion] = field(default_factory=dict)

    @property
    def key(self) -> tuple[Any, ...]:
        """What a result computed from these inputs depends on: the versions' contents, not only their ids.

        Ids repeat across databases (a test's, a restored copy's), contents do not lie.
        """
        return (
            _digest(self.standard_version),
            tuple(sorted((name, _digest(v)) for name, v in self.versions.items())),
            ENGINE_VERSION,
        )

    def processes(self) -> dict[str, Process]:
        """Member name -> its latest process, parsed."""
        return {name: load_process(v) for name, v in self.versions.items()}

    def current(self) -> Process | None:
        """The standard version members are compared with, parsed."""
        return load_process(self.standard_version) if self.standard_version is not None else None


def _digest(version: ProcessVersion | None) -> str | None:
    if version is None:
        return None
    return hashlib.sha256(version.content.encode("utf-8")).hexdigest()


def _names(members: list[Member]) -> dict[int, str]:
    """Member municipality id -> the name people know it by (with its number where two share a name)."""
    counts: dict[str, int] = {}
    for m in members:
        counts[m.municipality.name] = counts.get(m.municipality.name, 0) + 1
    return {
        m.municipality.id: m.municipality.name
        if counts[m.municipality.name] == 1
        else f"{m.municipality.name} ({m.municipality.number})"
        for m in members
    }


def harmonisation_inputs(cooperation: Cooperation, process_type: ProcessType) -> HarmonisationInputs:
    """Gather the current members' latest versions and the standard version they are compared with."""
    members = member_variants(cooperation, process_type)
    standard = find_standard(cooperation, process_type)
    names = _names(members)
    return HarmonisationInputs(
        cooperation,
        process_type,
        standard,
        standard_version_for(standard) if standard is not None else None,
        members,
        {names[m.municipality.id]: m.version for m in members if m.version is not None},
    )


# Results by their inputs, per worker; bounded. A proposal for 38 members takes about a second.
_CACHE_SIZE = 32
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def _cached(key: tuple[Any, ...], build: Any) -> Any:
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def proposal_for(inputs: HarmonisationInputs, settings: ProposalSettings) -> Proposal:
    """The proposed common standard for these inputs and settings (ValidationError when it cannot be made)."""
    if not inputs.versions:
        raise ValidationError(_("No member has registered this process yet, so there is nothing to propose from."))
    if settings.max_drift is not None and inputs.standard_version is None:
        raise ValidationError(
            _("A limit on the distance from the standard needs a standard; this cooperation has none yet."),
            field="max_drift",
        )

    def build() -> Proposal:
        return propose_standard(
            inputs.processes(),
            current=inputs.current(),
            min_support=settings.min_support,
            max_drift=settings.max_drift,
        )

    proposal: Proposal = _cached(("proposal", *inputs.key, settings), build)
    return proposal


def _classes_for(inputs: HarmonisationInputs) -> StepClasses:
    def build() -> StepClasses:
        return step_classes(inputs.processes(), current=inputs.current())

    classes: StepClasses = _cached(("classes", *inputs.key), build)
    return classes


def make_draft(inputs: HarmonisationInputs, settings: ProposalSettings, *, user: User | None) -> ProcessVersion:
    """Save the proposal as the next draft version of the cooperation's standard, with where it came from."""
    proposal = proposal_for(inputs, settings)
    standard = inputs.standard or get_or_create_standard(inputs.cooperation, inputs.process_type)
    process = proposal.process.copy()
    process.name = process.name or inputs.process_type.name_nb
    content = canonical_content(process)
    members = ", ".join(f"{name} v{v.number}" for name, v in sorted(inputs.versions.items()))
    base = (
        _("standard version %(number)s", number=inputs.standard_version.number)
        if inputs.standard_version is not None
        else _("no standard")
    )
    comment = _(
        "Made from the proposed common standard (%(settings)s). From: %(base)s; members' versions: %(members)s.",
        settings=settings.describe(),
        base=base,
        members=members,
    )
    version = save_version(
        standard,
        content=content,
        step_count=len(process.steps),
        source_format="native",
        source_filename=f"{inputs.process_type.slug}-forslag.yaml",
        source_data=content.encode("utf-8"),
        author=user,
        comment=comment[:2000],
        status="draft",
    )
    db.session.add(
        AuditEvent(
            actor_id=user.id if user is not None else None,
            actor_label=user.email if user is not None else "system",
            action="create",
            object_type="ProcessVersion",
            object_id=str(version.id),
            object_label=str(version)[:300],
            changes={
                "provenance": {
                    "new": {
                        "from": "proposal",
                        "settings": {"min_support": settings.min_support, "max_drift": settings.max_drift},
                        "standard_version": inputs.standard_version.id if inputs.standard_version else None,
                        "member_versions": {name: v.id for name, v in sorted(inputs.versions.items())},
                        "engine": ENGINE_VERSION,
                    }
                }
            },
            note="proposal",
        )
    )
    db.session.flush()
    return version


@dataclass(frozen=True)
class MemberPlan:
    """One member's change plan towards one cooperation's standard."""

    cooperation: Cooperation
    standard_version: ProcessVersion
    member: str
    plan: ChangePlan


def plans_for_variant(variant: Variant, version: ProcessVersion) -> list[MemberPlan]:
    """The change plan of the variant's ``version`` towards each of its cooperations' standards."""
    out = []
    for cooperation in cooperations_of(variant.municipality):
        inputs = harmonisation_inputs(cooperation, variant.process_type)
        if inputs.standard_version is None:
            continue
        names = _names(inputs.members)
        member = next(
            (names[m.municipality.id] for m in inputs.members if m.variant is not None and m.variant.id == variant.id),
            None,
        )
        if member is None or inputs.versions.get(member) is None:
            continue
        if inputs.versions[member].id != version.id:
            inputs.versions[member] = version
        classes = _classes_for(inputs)
        target = classes.current
        assert target is not None
        plan = change_plan(classes.processes[member], target, classes=classes, member=member)
        out.append(MemberPlan(cooperation, inputs.standard_version, member, plan))
    return out
