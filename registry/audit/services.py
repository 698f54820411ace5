"""Write an audit event for every insert, update and delete of an audited model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction, joinedload
from sqlalchemy.orm.attributes import History

from registry.audit.models import AuditEvent
from registry.extensions import db

__all__ = [
    "SIGN_IN_ACTIONS",
    "acting_as",
    "actor_label",
    "list_events",
    "record_sign_in_event",
    "register_audit",
    "set_actor_label",
]

# Values never written to the log; the event only says that they changed.
SECRET_FIELDS = frozenset({"password_hash", "login_token"})
#: Events about sessions rather than changes: written by :func:`record_sign_in_event`.
SIGN_IN_ACTIONS = ("sign-in", "sign-out", "sign-in-failed")
# Derived values that would only repeat another field (or the event's own time).
SKIPPED_FIELDS = frozenset({"id", "search_name", "created_at"})


def set_actor_label(label: str) -> None:
    """Record changes in this app context as made by ``label`` (e.g. ``cli``) when nobody is signed in."""
    g.audit_actor_label = label


class acting_as:
    """Context manager form of :func:`set_actor_label`."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        self.previous = g.get("audit_actor_label")
        g.audit_actor_label = self.label

    def __exit__(self, *exc: object) -> None:
        g.audit_actor_label = self.previous


def actor_label(user: Any) -> str:
    """How the log names ``user``: the e-mail address, and the API token's name for a request made with one."""
    if user is None:
        return "system"
    token = g.get("api_token") if has_app_context() else None
    if token is not None and token.user_id == user.id:
        return f"{user.email} (API: {token.name})"[:254]
    return str(user.email)


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, actor_label(current_user)
    if has_app_context() and g.get("audit_actor_label"):
        return None, g.audit_actor_label
    return None, "system"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _collect_changes(obj: object, *, creating: bool) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    # A model may leave out bulky fields (``__audit_skip__``), e.g. a discovered event log.
    skipped = SKIPPED_FIELDS | frozenset(getattr(type(obj), "__audit_skip__", ()))
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skipped:
            continue
        hist: History = state.attrs[key].history
        if creating:
            value = state.attrs[key].value
            if value in (None, ""):
                continue
            changes[key] = {"new": "•••" if key in SECRET_FIELDS else _plain(value)}
        elif hist.has_changes():
            if key in SECRET_FIELDS:
                changes[key] = {"new": "•••"}
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[key] = {"old": _plain(old), "new": _plain(new)}
    for rel in state.mapper.relationships:
        if not rel.uselist or rel.viewonly:
            continue
        hist = state.attrs[rel.key].history
        added = sorted(str(o) for o in hist.added)
        removed = sorted(str(o) for o in hist.deleted)
        # Owned children (memberships) get their own events.
        if rel.cascade.delete_orphan:
            continue
        if added or removed:
            changes[rel.key] = {"added": added, "removed": removed}
    return changes


def _write_events(session: Session, flush_context: UOWTransaction) -> None:
    actor_id, actor_label = _actor()
    groups = (("create", session.new), ("update", session.dirty), ("delete", session.deleted))
    for action, objects in groups:
        for obj in objects:
            if not getattr(obj, "__audit__", False):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=True):
                continue
            changes = {} if action == "delete" else _collect_changes(obj, creating=action == "create")
            if action == "update" and set(changes) <= {"login_token"}:
                # A new session key alone is a sign-out (its own event), not a change to the user.
                continue
            # New rows get their identity key only after the flush; their primary key is set already.
            identity = inspect(obj).mapper.primary_key_from_instance(obj)
            session.add(
                AuditEvent(
                    actor_id=actor_id,
                    actor_label=actor_label,
                    action=action,
                    object_type=type(obj).__name__,
                    object_id=",".join(str(part) for part in identity if part is not None),
                    object_label=str(obj)[:300],
                    changes=changes,
                )
            )


def record_sign_in_event(action: str, *, user: Any | None, email: str, note: str = "") -> None:
    """Log a sign-in, sign-out or failed sign-in (``SIGN_IN_ACTIONS``) of ``user`` or of an unknown ``email``."""
    if action not in SIGN_IN_ACTIONS:
        raise ValueError(f"not a sign-in action: {action!r}")
    db.session.add(
        AuditEvent(
            actor_id=user.id if user is not None else None,
            actor_label=(user.email if user is not None else email)[:254],
            action=action,
            object_type="User",
            object_id=str(user.id) if user is not None else "",
            object_label=(str(user) if user is not None else email)[:300],
            changes={},
            note=note[:2000],
        )
    )
    db.session.flush()


def register_audit(app: Flask) -> None:
    """Listen to the session's flushes once per process."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _write_events):
        event.listen(session_class, "after_flush", _write_events)


def list_events(*, page: int, per_page: int, object_type: str | None = None) -> tuple[list[AuditEvent], int]:
    """Newest events first, one page at a time, with the total count."""
    query = select(AuditEvent)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total
