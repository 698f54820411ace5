"""Upload with preview and confirmation, immutable versions, restore and quick edits.

The same functions serve municipalities' variants and cooperations' standards
(``registry.standards`` builds on :func:`create_pending_upload`,
:func:`confirm_pending_upload` and :func:`save_version`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from processes import Mode, Step
from registry.audit.models import AuditEvent
from registry.audit.services import actor_label
from registry.cooperations.models import Cooperation
from registry.errors import NotFoundError, RegistryError, ValidationError
from registry.extensions import db
from registry.graphs import ParsedUpload, canonical_content, load_process, parse_upload
from registry.municipalities.models import Municipality
from registry.municipalities.services import lineage
from registry.process_types.models import ProcessType
from registry.users.models import User, utcnow
from registry.variants.models import (
    STANDARD_STATUSES,
    PendingUpload,
    ProcessVersion,
    Standard,
    Variant,
    VersionDiff,
)

__all__ = [
    "INLINE_DIFF_MAX_STEPS",
    "PENDING_UPLOAD_LIFETIME",
    "StepEdit",
    "UploadAlreadySavedError",
    "VersionConflictError",
    "compute_version_diff",
    "confirm_pending_upload",
    "create_pending_upload",
    "discard_pending_upload",
    "edit_steps",
    "find_variant",
    "find_version_diff",
    "get_or_create_standard",
    "get_or_create_variant",
    "get_pending_upload",
    "get_version",
    "list_variants_of",
    "purge_expired_uploads",
    "reparse_pending_upload",
    "request_version_diff",
    "restore_version",
    "save_version",
    "version_by_number",
    "version_conflict_message",
    "version_diff_job_failed",
    "version_diff_result",
]

#: How long an unconfirmed upload is kept.
PENDING_UPLOAD_LIFETIME = dt.timedelta(hours=2)


class VersionConflictError(RegistryError):
    """Another version was saved since the caller read the process (an API client's ``If-Match``)."""

    def __init__(self, message: str, *, latest: int) -> None:
        super().__init__(message)
        self.latest = latest


class UploadAlreadySavedError(RegistryError):
    """The pending upload was consumed by another request (a double click) before this one."""


def _lock_row(model: type[Variant | Standard | Municipality | Cooperation | User], row_id: int) -> None:
    """Lock one row until the transaction ends, so that concurrent writers take turns.

    A no-op UPDATE: PostgreSQL holds its row lock until commit; on SQLite it takes the
    database's write lock (``SELECT ... FOR UPDATE`` does nothing there). Core, not ORM:
    it changes nothing, so it is not audited.
    """
    db.session.execute(
        update(model).where(model.id == row_id).values(id=model.id),
        execution_options={"synchronize_session": False},
    )


def get_or_create_variant(municipality: Municipality, process_type: ProcessType) -> Variant:
    """The municipality's variant for the process type (created on first use)."""
    query = select(Variant).where(Variant.municipality_id == municipality.id, Variant.process_type_id == process_type.id)
    variant = db.session.scalar(query)
    if variant is None:
        # Two first uploads at once must not both insert: the second waits here, then finds the first's.
        _lock_row(Municipality, municipality.id)
        variant = db.session.scalar(query)
    if variant is None:
        variant = Variant(municipality=municipality, process_type=process_type)
        db.session.add(variant)
        db.session.flush()
    return variant


def get_or_create_standard(cooperation: Cooperation, process_type: ProcessType) -> Standard:
    """The cooperation's standard for the process type (created on first use)."""
    query = select(Standard).where(Standard.cooperation_id == cooperation.id, Standard.process_type_id == process_type.id)
    standard = db.session.scalar(query)
    if standard is None:
        _lock_row(Cooperation, cooperation.id)  # as in get_or_create_variant
        standard = db.session.scalar(query)
    if standard is None:
        standard = Standard(cooperation=cooperation, process_type=process_type)
        db.session.add(standard)
        db.session.flush()
    return standard


def find_variant(municipality: Municipality, process_type: ProcessType) -> Variant | None:
    """The variant of the municipality or of a municipality merged into it (newest registration first)."""
    ids = [m.id for m in lineage(municipality)]
    return db.session.scalar(
        select(Variant)
        .where(Variant.municipality_id.in_(ids), Variant.process_type_id == process_type.id)
        # The municipality's own variant wins over one registered under a predecessor.
        .order_by((Variant.municipality_id == municipality.id).desc(), Variant.id.desc())
        .limit(1)
    )


def list_variants_of(municipality: Municipality) -> list[Variant]:
    """Every variant registered under the municipality or its predecessors, by process type name."""
    ids = [m.id for m in lineage(municipality)]
    rows = db.session.scalars(select(Variant).where(Variant.municipality_id.in_(ids)))
    return sorted(rows, key=lambda v: (v.process_type.name_nb.casefold(), v.municipality.number))


def get_version(version_id: int) -> ProcessVersion:
    """The version, or NotFoundError."""
    version = db.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFoundError(_("There is no such version."))
    return version


def version_by_number(owner: Variant | Standard, number: int) -> ProcessVersion:
    """Version ``number`` of the owner, or NotFoundError."""
    column = ProcessVersion.variant_id if isinstance(owner, Variant) else ProcessVersion.standard_id
    version = db.session.scalar(
        select(ProcessVersion).where(column == owner.id, ProcessVersion.number == number)
    )
    if version is None:
        raise NotFoundError(_("Version %(number)s does not exist.", number=number))
    return version


def _audit(user: User | None, version: ProcessVersion, *, note: str = "") -> None:
    # Versions are audited by hand: the generic audit would copy the whole upload into the log.
    db.session.add(
        AuditEvent(
            actor_id=user.id if user is not None else None,
            actor_label=actor_label(user),
            action="create",
            object_type="ProcessVersion",
            object_id=str(version.id),
            object_label=str(version)[:300],
            changes={
                "number": {"new": version.number},
                "comment": {"new": version.comment},
                "source_format": {"new": version.source_format},
                "source_filename": {"new": version.source_filename},
                "step_count": {"new": version.step_count},
            },
            note=note,
        )
    )


def version_conflict_message(latest: int, expected: int) -> str:
    """Why an upload that had read version ``expected`` is refused when ``latest`` is the newest."""
    return _(
        "The newest version is %(latest)d, not %(expected)d: somebody saved a version since you read "
        "the process. Read it again, check the changes, and send If-Match: \"v%(latest)d\".",
        latest=latest,
        expected=expected,
    )


def save_version(
    owner: Variant | Standard,
    *,
    content: str,
    step_count: int,
    source_format: str,
    source_filename: str,
    source_data: bytes,
    author: User | None,
    comment: str = "",
    restored_from: ProcessVersion | None = None,
    status: str | None = None,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
    expected_latest: int | None = None,
) -> ProcessVersion:
    """Add the owner's next version and request the comparisons it affects.

    ``expected_latest``: the newest version number the caller has seen (0: none); when
    another version was saved since, :class:`VersionConflictError` is raised and nothing is
    saved. It is checked under the same row lock as the numbering, so two clients that both
    saw version 3 cannot both save a version 4 on top of it.
    """
    from registry.comparisons.services import refresh_comparisons_for

    is_standard = isinstance(owner, Standard)
    if is_standard:
        status = status or "draft"
        if status not in STANDARD_STATUSES:
            raise ValidationError(_("Unknown status %(status)s.", status=status), field="status")
    elif status is not None or effective_from is not None or effective_to is not None:
        raise ValidationError(_("Only standard versions have a status and effective dates."))
    if effective_from and effective_to and effective_to < effective_from:
        raise ValidationError(_("The end date must be on or after the start date."), field="effective_to")
    column = ProcessVersion.standard_id if is_standard else ProcessVersion.variant_id
    # Two saves at once (two tabs, two colleagues) must not both take highest + 1: the other
    # save waits here and then reads the committed highest number.
    _lock_row(Standard if is_standard else Variant, owner.id)
    highest = db.session.scalar(select(func.max(ProcessVersion.number)).where(column == owner.id)) or 0
    if expected_latest is not None and expected_latest != highest:
        raise VersionConflictError(version_conflict_message(highest, expected_latest), latest=highest)
    version = ProcessVersion(
        variant=None if is_standard else owner,
        standard=owner if is_standard else None,
        number=highest + 1,
        created_at=utcnow(),
        author=author,
        comment=comment.strip(),
        source_format=source_format,
        source_filename=source_filename,
        source_data=source_data,
        content=content,
        step_count=step_count,
        restored_from=restored_from,
        status=status if is_standard else None,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    db.session.add(version)
    db.session.flush()
    _audit(author, version)
    refresh_comparisons_for(version)
    if not is_standard and version.number > 1:
        # Changes of the member's plan that this version has made are marked done (by a job: it
        # aligns the cooperation's processes).
        from registry.harmonisation.followup import record_new_version
        from registry.tasks import enqueue

        enqueue(record_new_version, version.id)
    return version


# --- upload, preview, confirm ---------------------------------------------------------------


def purge_expired_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete pending uploads whose time is up; returns how many."""
    result = db.session.execute(delete(PendingUpload).where(PendingUpload.expires_at < (now or utcnow())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def create_pending_upload(
    *,
    user: User,
    process_type: ProcessType,
    data: bytes,
    filename: str,
    fmt: str | None = None,
    options: Mapping[str, Any] | None = None,
    municipality: Municipality | None = None,
    cooperation: Cooperation | None = None,
    max_pending: int = 5,
    max_bytes: int | None = None,
    max_steps: int | None = None,
) -> tuple[PendingUpload, ParsedUpload]:
    """Parse an upload and keep it, unsaved, for the owner's preview; FormatError when it cannot be read."""
    if (municipality is None) == (cooperation is None):
        raise ValueError("an upload is for exactly one municipality or one cooperation")
    # A quick refusal before the (possibly long) parse; the count that decides comes below.
    _check_pending_limit(user, max_pending)
    clean_options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    parsed = parse_upload(
        data, filename=filename, fmt=fmt, max_bytes=max_bytes, max_steps=max_steps, options=clean_options
    )
    purge_expired_uploads()  # after the parse: on SQLite a DELETE holds the write lock until commit
    # Simultaneous uploads by one user take turns from here to their commit, so that each
    # counts the others' rows: the limit holds however many arrive at once.
    _lock_row(User, user.id)
    _check_pending_limit(user, max_pending)
    pending = PendingUpload(
        token=secrets.token_urlsafe(32),
        user=user,
        process_type=process_type,
        municipality=municipality,
        cooperation=cooperation,
        created_at=utcnow(),
        expires_at=utcnow() + PENDING_UPLOAD_LIFETIME,
        source_format=parsed.source_format,
        source_filename=filename,
        options=json.dumps(clean_options, ensure_ascii=False, sort_keys=True),
        source_data=data,
        content=parsed.content,
        step_count=parsed.step_count,
    )
    db.session.add(pending)
    db.session.flush()
    return pending, parsed


def _check_pending_limit(user: User, max_pending: int) -> None:
    waiting = db.session.scalar(
        select(func.count())
        .select_from(PendingUpload)
        .where(PendingUpload.user_id == user.id, PendingUpload.expires_at >= utcnow())
    ) or 0
    if waiting >= max_pending:
        raise ValidationError(
            _(
                "You have %(count)s uploads waiting for confirmation. Save or discard one of them "
                "(or wait two hours until they expire) before uploading another.",
                count=waiting,
            ),
            field="file",
        )


def get_pending_upload(token: str, user: User) -> PendingUpload:
    """The user's own unexpired pending upload; NotFoundError for any other token."""
    pending = db.session.scalar(select(PendingUpload).where(PendingUpload.token == token))
    now = utcnow()
    if pending is None or pending.user_id != user.id or _aware(pending.expires_at) < now:
        raise NotFoundError(
            _("This upload is no longer waiting: it was saved, discarded or has expired. Upload the file again.")
        )
    return pending


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def reparse_pending_upload(pending: PendingUpload, *, max_bytes: int | None = None) -> ParsedUpload:
    """Read a pending upload again from its bytes, with every import problem the first reading had."""
    return parse_upload(
        pending.source_data,
        filename=pending.source_filename,
        fmt=pending.source_format,
        max_bytes=max_bytes,
        options=json.loads(pending.options or "{}"),
    )


def confirm_pending_upload(
    pending: PendingUpload,
    *,
    user: User,
    comment: str,
    status: str | None = None,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
) -> ProcessVersion:
    """Save a previewed upload as the owner's next version and forget the pending copy.

    The pending copy is consumed first, by one ``DELETE … RETURNING``: of two confirmations
    at once (a double click) the second waits for the first's transaction and then finds
    nothing to delete, so it saves nothing and gets :class:`UploadAlreadySavedError`.
    """
    consumed = db.session.execute(
        delete(PendingUpload).where(PendingUpload.id == pending.id).returning(PendingUpload.id),
        execution_options={"synchronize_session": False},
    ).first()
    if consumed is None:
        raise UploadAlreadySavedError(
            _("This upload has already been saved (or discarded). Open the process to see its newest version.")
        )
    if pending.municipality is not None:
        # A process registered under a municipality merged into this one continues its history.
        owner: Variant | Standard = find_variant(pending.municipality, pending.process_type) or get_or_create_variant(
            pending.municipality, pending.process_type
        )
    else:
        assert pending.cooperation is not None
        owner = get_or_create_standard(pending.cooperation, pending.process_type)
    version = save_version(
        owner,
        content=pending.content,
        step_count=pending.step_count,
        source_format=pending.source_format,
        source_filename=pending.source_filename,
        source_data=pending.source_data,
        author=user,
        comment=comment,
        status=status,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    # The row is gone already; the session must not try to delete it again.
    db.session.expunge(pending)
    return version


def discard_pending_upload(pending: PendingUpload) -> None:
    """Forget a previewed upload without saving it; UploadAlreadySavedError when a confirmation took it first."""
    consumed = db.session.execute(
        delete(PendingUpload).where(PendingUpload.id == pending.id).returning(PendingUpload.id),
        execution_options={"synchronize_session": False},
    ).first()
    if consumed is None:
        raise UploadAlreadySavedError(
            _("This upload has already been saved (or discarded). Open the process to see its newest version.")
        )
    db.session.expunge(pending)


# --- restore and quick edits -------------------------------------------------------------------


def restore_version(version: ProcessVersion, *, user: User | None, comment: str = "") -> ProcessVersion:
    """Save a copy of an old version as the newest one; nothing is overwritten."""
    text = comment.strip() or _("Restored version %(number)s.", number=version.number)
    return save_version(
        version.owner,
        content=version.content,
        step_count=version.step_count,
        source_format=version.source_format,
        source_filename=version.source_filename,
        source_data=version.source_data,
        author=user,
        comment=text,
        restored_from=version,
        # A restored standard starts over as a draft: it has not been approved in this form.
        status="draft" if version.is_standard else None,
    )


@dataclass(frozen=True)
class StepEdit:
    """New values for one step from the quick editor ("" clears an optional value)."""

    step_id: str
    label: str
    lane: str
    mode: str
    system: str
    legal_basis: str


def edit_steps(
    version: ProcessVersion, edits: Sequence[StepEdit], *, user: User | None, comment: str = ""
) -> ProcessVersion | None:
    """Apply quick-editor changes to a copy of ``version`` and save it as a new version.

    Returns None when nothing changed (no empty version is saved).
    """
    process = load_process(version)
    changed = False
    lanes = list(process.lanes)
    for edit in edits:
        element = process.get(edit.step_id)
        if not isinstance(element, Step):
            raise ValidationError(_("The step %(id)s is not in this version.", id=edit.step_id))
        label = edit.label.strip()
        if not label:
            raise ValidationError(_("Every step needs a name."), field=f"steps-{edit.step_id}-label")
        mode: Mode | None = None
        if edit.mode:
            try:
                mode = Mode(edit.mode)
            except ValueError:
                raise ValidationError(_("Unknown mode %(mode)s.", mode=edit.mode)) from None
        new = element.replace(
            label=label,
            lane=edit.lane.strip() or None,
            mode=mode,
            system=edit.system.strip() or None,
            legal_basis=edit.legal_basis.strip() or None,
        )
        if new != element:
            process.replace_element(new)
            changed = True
            if new.lane and new.lane not in lanes:
                lanes.append(new.lane)
    if not changed:
        return None
    process.lanes = lanes
    content = canonical_content(process)
    return save_version(
        version.owner,
        content=content,
        step_count=len(process.steps),
        source_format="editor",
        source_filename="",
        # The editor's "upload" is the YAML it produced, so every version can be downloaded as sent.
        source_data=content.encode("utf-8"),
        author=user,
        comment=comment.strip() or _("Edited in the quick editor."),
        status="draft" if version.is_standard else None,
    )


# --- differences between two versions of large processes ----------------------------------------

#: Two versions with at most this many steps each are compared while the page is drawn
#: (about 0.2 s); larger ones by a job (about 4 s for 2,000 steps, sentences in both languages
#: included), shown when it is done.
INLINE_DIFF_MAX_STEPS = 400


def find_version_diff(older: ProcessVersion, newer: ProcessVersion) -> VersionDiff | None:
    """The stored difference of the two versions by this engine, if any; never writes."""
    from registry.graphs import ENGINE_VERSION

    return db.session.scalar(
        select(VersionDiff).where(
            VersionDiff.older_id == older.id,
            VersionDiff.newer_id == newer.id,
            VersionDiff.engine_version == ENGINE_VERSION,
        )
    )


def request_version_diff(
    older: ProcessVersion,
    newer: ProcessVersion,
    *,
    user: User | None = None,
    max_pending: int | None = None,
) -> VersionDiff:
    """The difference of the two versions, queued when missing (computed at once in inline mode).

    Refused with :class:`~registry.comparisons.services.QueuedWorkLimitError` when ``user``
    already has ``max_pending`` version diffs waiting.
    """
    from registry.comparisons.services import check_queued_work
    from registry.graphs import ENGINE_VERSION
    from registry.tasks import queue_url, watch_job

    row = find_version_diff(older, newer)
    if row is not None:
        if row.status == "pending" and queue_url():
            watch_job(row, lambda: _enqueue_version_diff(row))
        return row
    if user is not None and max_pending is not None:
        check_queued_work(VersionDiff, user, max_pending)
    row = VersionDiff(
        older=older,
        newer=newer,
        engine_version=ENGINE_VERSION,
        status="pending",
        requested_by_id=user.id if user is not None else None,
        requested_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    _enqueue_version_diff(row)
    return row


def _enqueue_version_diff(row: VersionDiff) -> str | None:
    from registry.tasks import enqueue_row

    return enqueue_row(row, compute_version_diff, version_diff_job_failed)


def compute_version_diff(diff_id: int) -> None:
    """Compare the two versions of a stored request and keep the sentences (both languages) and scores."""
    from dataclasses import replace

    from flask_babel import force_locale

    from processes.compare import compare
    from registry.tasks import fail_with

    row = db.session.get(VersionDiff, diff_id)
    if row is None or row.status == "done":
        return
    try:
        engine = compare(load_process(row.older), load_process(row.newer))
        result: dict[str, Any] = {"similarity": engine.similarity.as_dict()}
        for lang in ("nb", "en"):
            with force_locale(lang):
                names = {
                    "a_name": _("version %(number)s", number=row.older.number),
                    "b_name": _("version %(number)s", number=row.newer.number),
                }
            result[lang] = replace(engine, **names).texts(lang)
    except Exception as error:  # noqa: BLE001 - a job boundary: say on the page what went wrong
        fail_with(row, error)
        return
    row.result = json.dumps(result, ensure_ascii=False)
    row.status = "done"
    row.computed_at = utcnow()
    db.session.flush()


def version_diff_job_failed(diff_id: int, reason: str) -> None:
    """A version diff's job failed for good (``reason``: abandoned or timeout): say so on its page."""
    from registry.tasks import fail_pending

    fail_pending(VersionDiff, diff_id, reason)


def version_diff_result(row: VersionDiff) -> dict[str, Any]:
    """The stored sentences and scores ({} while pending or failed)."""
    if row.status != "done" or not row.result:
        return {}
    data: dict[str, Any] = json.loads(row.result)
    return data
