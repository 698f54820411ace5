"""Compute, store and look up comparisons; record the owners' mapping decisions.

Which standard version a variant is compared with: the cooperation's latest
*published* version; when none is published, the latest *approved* one; when none is
approved, the latest *draft* (so members see a comparison while the standard is being
written). Each page says which version and status it compared against.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from processes import ProcessError
from processes.compare import compare
from processes.diffview import diff_diagram
from processes.explain import evidence_text, name_of
from registry.comparisons.models import Comparison, MappingDecision
from registry.cooperations.models import Cooperation, Membership
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.graphs import (
    ENGINE_VERSION,
    alignment_from_result,
    comparison_parameters,
    comparison_result,
    decision_memory,
    load_process,
)
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality
from registry.municipalities.services import current_successors
from registry.tasks import (
    enqueue_row,
    fail_pending,
    is_job_timeout,
    mark_failed,
    queue_url,
    watch_job,
)
from registry.users.models import User, utcnow
from registry.variants.models import ProcessVersion, Standard, Variant

__all__ = [
    "DIAGRAM_MAX_STEPS",
    "PENDING_RETRY_AFTER",
    "STATUS_PREFERENCE",
    "UNCERTAIN_BELOW",
    "AlignmentRow",
    "DecisionBatch",
    "QueuedWorkLimitError",
    "alignment_rows",
    "check_queued_work",
    "comparison_diagram",
    "comparison_job_failed",
    "compute_comparison",
    "confirm_suggestions",
    "cooperations_of",
    "decided_pairs",
    "decisions_for",
    "find_comparison",
    "get_comparison",
    "last_batch",
    "latest_version",
    "open_rows",
    "open_suggestions",
    "recompute_stale",
    "record_decision",
    "refresh_comparisons_for",
    "request_comparison",
    "result_of",
    "standard_version_for",
    "standards_for_variant",
    "step_choices",
    "undo_batch",
]

logger = logging.getLogger(__name__)

#: A comparison still pending after this long is queued again when someone asks for it.
PENDING_RETRY_AFTER = dt.timedelta(minutes=10)

#: Larger processes are not drawn on pages (Graphviz needs seconds to minutes for them).
DIAGRAM_MAX_STEPS = 400

#: Standard versions in order of preference for comparisons.
STATUS_PREFERENCE = ("published", "approved", "draft")


class QueuedWorkLimitError(ValidationError):
    """The user already has as many comparisons (or version diffs) waiting as allowed."""


def check_queued_work(model: Any, user: User, max_pending: int, *, message: str | None = None) -> None:
    """Refuse more queued work (``model``: Comparison, VersionDiff or Drawing rows) for a user who has enough waiting.

    ``message`` says it for that kind of work, with ``%(count)s`` for the number waiting.
    """
    waiting = db.session.scalar(
        select(func.count()).select_from(model).where(model.requested_by_id == user.id, model.status == "pending")
    ) or 0
    if waiting >= max_pending:
        raise QueuedWorkLimitError(
            message % {"count": waiting}
            if message is not None
            else _(
                "You have %(count)s comparisons waiting to be computed. Open this page again in a "
                "minute, when some of them are done.",
                count=waiting,
            )
        )


def latest_version(owner: Variant | Standard) -> ProcessVersion | None:
    """The owner's newest version (highest number)."""
    column = ProcessVersion.variant_id if isinstance(owner, Variant) else ProcessVersion.standard_id
    return db.session.scalar(
        select(ProcessVersion).where(column == owner.id).order_by(ProcessVersion.number.desc()).limit(1)
    )


def standard_version_for(standard: Standard) -> ProcessVersion | None:
    """The version members are compared with: latest published, else approved, else draft."""
    for status in STATUS_PREFERENCE:
        version = db.session.scalar(
            select(ProcessVersion)
            .where(ProcessVersion.standard_id == standard.id, ProcessVersion.status == status)
            .order_by(ProcessVersion.number.desc())
            .limit(1)
        )
        if version is not None:
            return version
    return None


def cooperations_of(municipality: Municipality, *, on: dt.date | None = None) -> list[Cooperation]:
    """Cooperations the municipality (or the current municipality that took it over) belongs to on ``on``."""
    day = on or dt.date.today()
    ids = {m.id for m in current_successors(municipality)} | {municipality.id}
    rows = db.session.scalars(select(Membership).where(Membership.municipality_id.in_(ids)))
    found = {ms.cooperation.id: ms.cooperation for ms in rows if ms.is_active_on(day)}
    return sorted(found.values(), key=lambda c: norwegian_key(c.name))


def standards_for_variant(variant: Variant) -> list[Standard]:
    """The standards for the variant's process type in every cooperation of its municipality."""
    cooperation_ids = [c.id for c in cooperations_of(variant.municipality)]
    if not cooperation_ids:
        return []
    return list(
        db.session.scalars(
            select(Standard)
            .where(Standard.process_type_id == variant.process_type_id, Standard.cooperation_id.in_(cooperation_ids))
            .order_by(Standard.id)
        )
    )


def _members_variants(standard: Standard) -> list[Variant]:
    today = dt.date.today()
    members = standard.cooperation.members_on(today)
    ids = {m.id for m in members}
    # Variants registered under a predecessor of a member still belong to it.
    for m in members:
        ids.update(p.id for p in m.predecessors)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Variant).where(
                Variant.process_type_id == standard.process_type_id, Variant.municipality_id.in_(ids)
            )
        )
    )


def decisions_for(a_owner: Variant | Standard, b_variant: Variant) -> list[MappingDecision]:
    """Every decision recorded between side A and variant B, oldest first."""
    side = (
        MappingDecision.a_standard_id == a_owner.id
        if isinstance(a_owner, Standard)
        else MappingDecision.a_variant_id == a_owner.id
    )
    return list(
        db.session.scalars(
            select(MappingDecision)
            .where(side, MappingDecision.b_variant_id == b_variant.id)
            .order_by(MappingDecision.decided_at, MappingDecision.id)
        )
    )


def _names(version: ProcessVersion) -> str:
    owner = version.owner
    if isinstance(owner, Variant):
        return owner.municipality.name
    return owner.cooperation.name


def _current_parameters(version_a: ProcessVersion, version_b: ProcessVersion) -> tuple[str, str]:
    if version_b.variant is None:
        raise ValidationError(_("Only a municipality's process can be compared with a standard or another variant."))
    if version_a.id == version_b.id or version_a.owner is version_b.owner:
        raise ValidationError(_("A process cannot be compared with itself."))
    memory = decision_memory(decisions_for(version_a.owner, version_b.variant))
    return comparison_parameters(memory)


def _stored_comparison(version_a: ProcessVersion, version_b: ProcessVersion, parameters_hash: str) -> Comparison | None:
    return db.session.scalar(
        select(Comparison).where(
            Comparison.version_a_id == version_a.id,
            Comparison.version_b_id == version_b.id,
            Comparison.engine_version == ENGINE_VERSION,
            Comparison.parameters_hash == parameters_hash,
        )
    )


def find_comparison(version_a: ProcessVersion, version_b: ProcessVersion) -> Comparison | None:
    """The current comparison of A with B if it is stored; never writes (anonymous visitors' pages)."""
    _parameters, parameters_hash = _current_parameters(version_a, version_b)
    return _stored_comparison(version_a, version_b, parameters_hash)


def request_comparison(
    version_a: ProcessVersion,
    version_b: ProcessVersion,
    *,
    user: User | None = None,
    max_pending: int | None = None,
) -> Comparison:
    """The current comparison of A with B (this engine, these decisions); queued when missing.

    A new request on behalf of ``user`` is refused with :class:`QueuedWorkLimitError` when
    the user already has ``max_pending`` comparisons waiting. A pending one whose job died
    is failed with the reason, or queued again (:func:`registry.tasks.watch_job`).
    """
    parameters, parameters_hash = _current_parameters(version_a, version_b)
    row = _stored_comparison(version_a, version_b, parameters_hash)
    if row is not None:
        if row.status == "pending" and queue_url():
            watch_job(row, lambda: _enqueue_comparison(row))
        elif row.status == "pending" and _aware(row.requested_at) < utcnow() - PENDING_RETRY_AFTER:
            # Inline mode left it pending (a crash mid-request): compute it now.
            row.requested_at = utcnow()
            db.session.flush()
            _enqueue_comparison(row)
        return row
    if user is not None and max_pending is not None:
        check_queued_work(Comparison, user, max_pending)
    row = Comparison(
        version_a=version_a,
        version_b=version_b,
        engine_version=ENGINE_VERSION,
        parameters=parameters,
        parameters_hash=parameters_hash,
        status="pending",
        requested_by_id=user.id if user is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    _enqueue_comparison(row)
    return row


def _enqueue_comparison(row: Comparison) -> str | None:
    return enqueue_row(row, compute_comparison, comparison_job_failed)


def comparison_job_failed(comparison_id: int, reason: str) -> None:
    """A comparison's job failed for good (``reason``: abandoned or timeout): say so on its page."""
    if fail_pending(Comparison, comparison_id, reason) is not None:
        logger.warning("comparison %s: its job failed (%s)", comparison_id, reason)


def compute_comparison(comparison_id: int) -> None:
    """Run the engine for a stored comparison request and keep the result (or the error)."""
    row = db.session.get(Comparison, comparison_id)
    if row is None or row.status == "done":
        return
    a, b = row.version_a, row.version_b
    memory = decision_memory(decisions_for(a.owner, b.owner))  # type: ignore[arg-type]
    try:
        engine = compare(load_process(a), load_process(b), memory=memory, a_name=_names(a), b_name=_names(b))
    except (ProcessError, ValueError) as error:
        # A confirmation the aligner refuses (n:m), or a process it cannot handle: say so on the page.
        logger.warning("comparison %s failed: %s", comparison_id, error)
        _mark_failed(row, str(error))
        return
    except Exception as error:  # a job boundary: an engine bug must not lose the saved version
        if is_job_timeout(error):
            logger.warning("comparison %s ran past the job's time limit", comparison_id)
            mark_failed(row, "timeout")
            return
        logger.exception("comparison %s failed", comparison_id)
        _mark_failed(row, f"{type(error).__name__}: {error}")
        return
    similarity = engine.similarity
    row.result = json.dumps(comparison_result(engine), ensure_ascii=False)
    row.overall = float(similarity.overall)
    row.labels = float(similarity.labels)
    row.structure = float(similarity.structure)
    row.behaviour = float(similarity.behaviour)
    row.status = "done"
    row.error = ""
    row.computed_at = utcnow()
    db.session.flush()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _mark_failed(row: Comparison, message: str) -> None:
    mark_failed(row, "engine", message)


def result_of(row: Comparison) -> dict[str, Any]:
    """The stored result as data ({} while pending or failed)."""
    if row.status != "done" or not row.result:
        return {}
    data: dict[str, Any] = json.loads(row.result)
    return data


def comparison_diagram(row: Comparison, lang: str) -> str:
    """The diff diagram as SVG text, drawn once from the stored alignment and then kept."""
    lang = "en" if lang == "en" else "nb"
    cached = row.diagram_en if lang == "en" else row.diagram_nb
    if cached:
        return cached
    result = result_of(row)
    if not result:
        return ""
    a, b = row.version_a, row.version_b
    if max(a.step_count, b.step_count) > DIAGRAM_MAX_STEPS:
        # Drawing 2,000 steps takes Graphviz longer than a request may; the page has the table.
        return ""
    # The stored alignment is reused, so the drawing shows exactly the stored result.
    engine = compare(
        load_process(a),
        load_process(b),
        alignment=alignment_from_result(result),
        a_name=result.get("a_name"),
        b_name=result.get("b_name"),
    )
    try:
        svg = diff_diagram(engine, "svg", lang=lang).decode("utf-8")
    except (ProcessError, ValueError) as error:
        # The page still has the scores, the sentences and the table; only the drawing is missing.
        logger.error("diagram of comparison %s failed: %s", row.id, error)
        return ""
    if lang == "en":
        row.diagram_en = svg
    else:
        row.diagram_nb = svg
    db.session.flush()
    return svg


def get_comparison(comparison_id: int) -> Comparison:
    """The comparison row, or NotFoundError."""
    row = db.session.get(Comparison, comparison_id)
    if row is None:
        raise NotFoundError(_("There is no such comparison."))
    return row


def refresh_comparisons_for(version: ProcessVersion) -> list[Comparison]:
    """Request the comparisons a newly saved version affects.

    A variant version is compared with the standard of every cooperation its
    municipality belongs to; a standard version (when it is the one members are
    compared with) with the latest version of every member's variant.
    """
    rows: list[Comparison] = []
    if version.variant is not None:
        for standard in standards_for_variant(version.variant):
            chosen = standard_version_for(standard)
            if chosen is not None:
                rows.append(request_comparison(chosen, version))
        # And the divergence maps' heatmap pairs with the other members (queued, not returned).
        from registry.divergence.services import request_member_pairs

        request_member_pairs(version)
        return rows
    own_standard = version.standard
    assert own_standard is not None
    if standard_version_for(own_standard) is not version:
        return rows
    for variant in _members_variants(own_standard):
        latest = latest_version(variant)
        if latest is not None:
            rows.append(request_comparison(version, latest))
    return rows


@dataclass(frozen=True)
class AlignmentRow:
    """One line of the alignment table: steps of A, steps of B, how they match, what was decided."""

    a_steps: tuple[tuple[str, str], ...]  # (id, label)
    b_steps: tuple[tuple[str, str], ...]
    kind: str  # identical, renamed, split, merged, missing, extra, candidate (unpaired, perhaps the same)
    score: float | None
    decision: str | None  # confirmed, rejected or None (not decided)
    confidence: float | None = None  # the engine's estimate that the pair is right
    evidence: str = ""  # what the confidence rests on, in the page's language

    @property
    def certainty(self) -> float | None:
        """The number the page shows and "confirm all" compares: the confidence (the score for old results)."""
        return self.confidence if self.confidence is not None else self.score

    @property
    def uncertain(self) -> bool:
        """A suggestion nobody has decided whose confidence is below :data:`UNCERTAIN_BELOW`: to be confirmed."""
        certainty = self.certainty
        return self.decision is None and certainty is not None and bool(self.b_steps) and certainty < UNCERTAIN_BELOW


#: Suggestions with a confidence below this are marked for the owner to confirm or reject. The
#: engine's confidence is calibrated on the development sets (benchmarks/RESULTS.md, "Confidence"):
#: of the pairs it gives 0.65, about two in three are right; of those at 0.9 or more, nine in ten.
UNCERTAIN_BELOW = 0.8


def step_choices(process: Any, lang: str = "nb") -> list[tuple[str, str]]:
    """Every step of a version as (id, what a person calls it) for a choice field."""
    return [(s.id, name_of(process, s.id, "en" if lang == "en" else "nb", quote=False)) for s in process.steps]


def alignment_rows(row: Comparison, lang: str = "nb") -> list[AlignmentRow]:
    """The stored alignment as table rows, with the decisions already recorded for each pair."""
    result = result_of(row)
    if not result:
        return []
    a_proc, b_proc = load_process(row.version_a), load_process(row.version_b)

    def label(process: Any, step_id: str) -> tuple[str, str]:
        # An unnamed step is "the end event after …", not its id.
        return (step_id, name_of(process, step_id, "en" if lang == "en" else "nb", quote=False))

    decided: dict[tuple[str, str], str] = {}
    for d in decisions_for(row.version_a.owner, row.version_b.owner):  # type: ignore[arg-type]
        decided[(d.a_step_id, d.b_step_id)] = d.decision
    data = result["nb"]
    rows: list[AlignmentRow] = []
    for m in data["matches"]:
        pairs = [(x, y) for x in m["a"] for y in m["b"]]
        decisions = {decided.get(p) for p in pairs}
        decision = decisions.pop() if len(decisions) == 1 else None
        rows.append(
            AlignmentRow(
                a_steps=tuple(label(a_proc, x) for x in m["a"]),
                b_steps=tuple(label(b_proc, y) for y in m["b"]),
                kind=m["kind"],
                score=m["score"],
                decision=decision,
                confidence=m.get("confidence"),
                evidence=evidence_text(m.get("evidence") or (), "en" if lang == "en" else "nb"),
            )
        )
    # A step left unpaired that has a likely partner (the engine's candidates, below its threshold)
    # is one row for the owner to confirm or reject, not a missing and an extra step side by side.
    paired_a: set[str] = set()
    paired_b: set[str] = set()
    for m in data.get("candidates", ()):
        if set(m["a"]) & paired_a or set(m["b"]) & paired_b:
            continue
        if any(decided.get((x, y)) == "rejected" for x in m["a"] for y in m["b"]):
            continue
        paired_a.update(m["a"])
        paired_b.update(m["b"])
        rows.append(
            AlignmentRow(
                a_steps=tuple(label(a_proc, x) for x in m["a"]),
                b_steps=tuple(label(b_proc, y) for y in m["b"]),
                kind="candidate",
                score=m["score"],
                decision=None,
                confidence=m.get("confidence"),
                evidence=evidence_text(m.get("evidence") or (), "en" if lang == "en" else "nb"),
            )
        )
    rows.extend(
        AlignmentRow((label(a_proc, x),), (), "missing", None, None) for x in data["missing"] if x not in paired_a
    )
    rows.extend(AlignmentRow((), (label(b_proc, y),), "extra", None, None) for y in data["extra"] if y not in paired_b)
    return rows


def record_decision(
    row: Comparison,
    *,
    a_step_ids: Iterable[str],
    b_step_ids: Iterable[str],
    decision: str,
    user: User | None,
) -> Comparison:
    """Store the owner's verdict on a correspondence and request the comparison again with it."""
    if decision not in ("confirmed", "rejected"):
        raise ValidationError(_("Choose confirm or reject."), field="decision")
    a_ids, b_ids = list(a_step_ids), list(b_step_ids)
    a_proc, b_proc = load_process(row.version_a), load_process(row.version_b)
    if not a_ids or not b_ids:
        raise ValidationError(_("Choose a step on each side."), field="b_step")
    for ids, process in ((a_ids, a_proc), (b_ids, b_proc)):
        for step_id in ids:
            element = process.get(step_id)
            if element is None or step_id not in {s.id for s in process.steps}:
                raise ValidationError(_("The step %(id)s is not in this version.", id=step_id), field="b_step")
    if decision == "confirmed" and len(a_ids) > 1 and len(b_ids) > 1:
        raise ValidationError(_("A step can correspond to several steps, but not several to several."))
    _add_decisions(row, a_proc, b_proc, a_ids, b_ids, decision, user)
    return _after_decisions(row)


def _add_decisions(
    row: Comparison, a_proc: Any, b_proc: Any, a_ids: Iterable[str], b_ids: Iterable[str], decision: str,
    user: User | None, batch: str | None = None,
) -> None:
    a_owner, b_variant = row.version_a.owner, row.version_b.owner
    assert isinstance(b_variant, Variant)
    for x in a_ids:
        for y in b_ids:
            db.session.add(
                MappingDecision(
                    process_type_id=b_variant.process_type_id,
                    a_standard_id=a_owner.id if isinstance(a_owner, Standard) else None,
                    a_variant_id=a_owner.id if isinstance(a_owner, Variant) else None,
                    b_variant_id=b_variant.id,
                    a_step_id=x,
                    a_label=a_proc.step(x).label,
                    b_step_id=y,
                    b_label=b_proc.step(y).label,
                    decision=decision,
                    decided_by_id=user.id if user is not None else None,
                    decided_at=utcnow(),
                    batch=batch,
                )
            )


def _after_decisions(row: Comparison) -> Comparison:
    db.session.flush()
    # Every later comparison of these sides uses the decisions: the current pair right away.
    a_owner, b_variant = row.version_a.owner, row.version_b.owner
    new_row = request_comparison(row.version_a, row.version_b)
    _recompute_latest_pairs(a_owner, b_variant, besides=new_row)  # type: ignore[arg-type]
    return new_row


def decided_pairs(row: Comparison) -> frozenset[tuple[str, str]]:
    """Every (step of A, step of B) pair a person has confirmed or rejected between the comparison's sides."""
    return frozenset(
        (d.a_step_id, d.b_step_id) for d in decisions_for(row.version_a.owner, row.version_b.owner)  # type: ignore[arg-type]
    )


def open_rows(
    rows: Iterable[AlignmentRow], threshold: float, decided: frozenset[tuple[str, str]],
) -> list[AlignmentRow]:
    """The suggestions with a confidence of ``threshold`` (0–1) or more none of whose pairs anyone has decided yet."""
    return [
        r for r in rows
        if r.a_steps and r.b_steps and r.kind != "candidate" and r.certainty is not None and r.certainty >= threshold
        and not (len(r.a_steps) > 1 and len(r.b_steps) > 1)
        and not any((x, y) in decided for x, _la in r.a_steps for y, _lb in r.b_steps)
    ]


def open_suggestions(row: Comparison, threshold: float) -> list[AlignmentRow]:
    """The comparison's suggestions not decided yet whose confidence is ``threshold`` (0–1) or more."""
    return open_rows(alignment_rows(row), threshold, decided_pairs(row))


def _groups(pairs: Iterable[tuple[str, str]]) -> int:
    """How many correspondences the pairs make (a 1:2 split is one): connected groups of steps."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find("a:" + a)] = find("b:" + b)
    return len({find(x) for x in list(parent)})


def confirm_suggestions(row: Comparison, *, threshold: float, user: User | None) -> tuple[Comparison, int]:
    """Confirm every open suggestion with a confidence of ``threshold`` or more, as one batch that can be undone."""
    if not 0 < threshold <= 1:
        raise ValidationError(_("Choose a confidence between 1 and 100 per cent."), field="threshold")
    rows = open_suggestions(row, threshold)
    if not rows:
        raise ValidationError(
            _("No suggestion that is not decided yet has a confidence of %(percent)s %% or more.",
              percent=round(100 * threshold)), field="threshold")
    a_proc, b_proc = load_process(row.version_a), load_process(row.version_b)
    batch = secrets.token_hex(8)
    for r in rows:
        _add_decisions(row, a_proc, b_proc, [x for x, _l in r.a_steps], [y for y, _l in r.b_steps], "confirmed",
                       user, batch)
    return _after_decisions(row), len(rows)


@dataclass(frozen=True)
class DecisionBatch:
    """The newest batch of decisions between two sides: its token, how many correspondences, when and by whom."""

    batch: str
    pairs: int
    decided_at: dt.datetime
    decided_by: User | None


def _side_filter(a_owner: Variant | Standard, b_variant: Variant) -> Any:
    side = (
        MappingDecision.a_standard_id == a_owner.id
        if isinstance(a_owner, Standard)
        else MappingDecision.a_variant_id == a_owner.id
    )
    return side & (MappingDecision.b_variant_id == b_variant.id)


def last_batch(a_owner: Variant | Standard, b_variant: Variant) -> DecisionBatch | None:
    """The newest batch between the sides, or None (single decisions have no batch); ``pairs`` counts correspondences."""
    newest = db.session.scalar(
        select(MappingDecision).where(_side_filter(a_owner, b_variant), MappingDecision.batch.is_not(None))
        .order_by(MappingDecision.decided_at.desc(), MappingDecision.id.desc()).limit(1)
    )
    if newest is None or newest.batch is None:
        return None
    rows = db.session.scalars(select(MappingDecision).where(
        _side_filter(a_owner, b_variant), MappingDecision.batch == newest.batch)).all()
    return DecisionBatch(newest.batch, _groups((r.a_step_id, r.b_step_id) for r in rows), newest.decided_at,
                         newest.decided_by)


def undo_batch(row: Comparison, batch: str) -> tuple[Comparison, int]:
    """Forget the decisions of one batch between the comparison's sides; the matcher suggests again."""
    a_owner, b_variant = row.version_a.owner, row.version_b.owner
    assert isinstance(b_variant, Variant)
    rows = db.session.scalars(select(MappingDecision).where(
        _side_filter(a_owner, b_variant), MappingDecision.batch == batch)).all()
    if not rows:
        raise NotFoundError(_("These decisions are already undone."))
    count = _groups((r.a_step_id, r.b_step_id) for r in rows)
    for r in rows:
        db.session.delete(r)
    return _after_decisions(row), count


def _recompute_latest_pairs(a_owner: Variant | Standard, b_variant: Variant, *, besides: Comparison) -> None:
    a_version = standard_version_for(a_owner) if isinstance(a_owner, Standard) else latest_version(a_owner)
    b_version = latest_version(b_variant)
    if a_version is None or b_version is None:
        return
    if (a_version.id, b_version.id) != (besides.version_a_id, besides.version_b_id):
        request_comparison(a_version, b_version)


def recompute_stale() -> int:
    """Request current comparisons for the latest versions wherever the stored one is stale.

    Stale means computed by another engine version or with other mapping decisions.
    Covers every variant's latest version against its standards, and variant pairs
    compared before whose both sides are still the latest versions (older versions are
    computed again when someone opens them). Comparisons of the latest versions whose job
    died (failure ``abandoned`` or ``lost``: the worker, not the engine) are queued again
    too, e.g. once the worker runs again. Returns the number of new requests and retries.
    """
    retried = _retry_died_jobs()
    before = db.session.scalar(select(db.func.count()).select_from(Comparison)) or 0
    latest: dict[int, ProcessVersion] = {}
    for variant in db.session.scalars(select(Variant).order_by(Variant.id)):
        version = latest_version(variant)
        if version is not None:
            latest[version.id] = version
            refresh_comparisons_for(version)
    pairs = db.session.execute(select(Comparison.version_a_id, Comparison.version_b_id).distinct()).all()
    for a_id, b_id in sorted(pairs):
        if a_id in latest and b_id in latest:
            request_comparison(latest[a_id], latest[b_id])
    after = db.session.scalar(select(db.func.count()).select_from(Comparison)) or 0
    return int(after - before) + retried


def _retry_died_jobs() -> int:
    rows = db.session.scalars(
        select(Comparison).where(Comparison.status == "failed", Comparison.failure.in_(("abandoned", "lost")))
    ).all()
    retried = 0
    for row in rows:
        if row.version_a.number != _newest_number(row.version_a) or row.version_b.number != _newest_number(row.version_b):
            continue  # an older version: left as it is
        row.status, row.failure, row.error, row.attempts, row.requested_at = "pending", "", "", 0, utcnow()
        db.session.flush()
        _enqueue_comparison(row)
        retried += 1
    return retried


def _newest_number(version: ProcessVersion) -> int:
    owner = version.owner
    # A standard's "newest" is the version its members are compared with.
    newest = standard_version_for(owner) if isinstance(owner, Standard) else latest_version(owner)
    return newest.number if newest is not None else version.number
