"""Background jobs: RQ on Redis when ``TASK_QUEUE_URL`` is set, inline otherwise.

Services call :func:`enqueue` with a plain service function and its (JSON-simple)
arguments. Two modes, one behaviour:

- **inline** (``TASK_QUEUE_URL`` empty, the default for ``make run`` and tests): the
  function runs at once in the caller's session; the caller's single commit saves
  its work too.
- **queue** (``TASK_QUEUE_URL = "redis://…"``): the job is pushed to Redis only
  *after* the caller's transaction commits (a worker must see the committed rows;
  a rolled-back request enqueues nothing). A worker (``flask --app registry worker``)
  runs it in its own app context and commits.

Jobs call the same service functions as views and CLI commands.

Jobs that die: every job has a time limit (``TASK_JOB_TIMEOUT``) and a job id that
the caller keeps on its row. When a worker is killed mid-job, the job stays in RQ's
started-job registry until its lease (time limit + 60 s) runs out; then
``StartedJobRegistry.cleanup()`` (run by every worker's maintenance and by
:func:`job_state` when a page asks) puts it back on the queue while it has retries
left (``JOB_RETRIES``) and otherwise fails it, calling :func:`job_failed`, which tells
the row's service (``on_failure``) so that the page says so instead of «beregnes nå».
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.extensions import db

__all__ = [
    "FAILURE_REASONS",
    "JOB_RETRIES",
    "LOST_AFTER",
    "MAX_ATTEMPTS",
    "QUEUE_NAME",
    "TrackedRow",
    "enqueue",
    "enqueue_row",
    "fail_pending",
    "fail_with",
    "function_path",
    "get_queue",
    "is_job_timeout",
    "job_failed",
    "job_state",
    "mark_failed",
    "queue_url",
    "register_tasks",
    "run_job",
    "run_worker",
    "watch_job",
]

logger = logging.getLogger(__name__)

#: The RQ queue every job goes to.
QUEUE_NAME = "registry"
_PENDING_KEY = "registry_pending_jobs"

#: How often RQ puts a job back on the queue after its worker died (then it fails).
JOB_RETRIES = 2
#: How often a row's job is queued again when it vanished from Redis (flushed, expired).
MAX_ATTEMPTS = 3
#: A job pushed after its request's commit may not be in Redis yet: wait this long before
#: calling a job that cannot be found lost.
LOST_AFTER = dt.timedelta(seconds=60)
#: Why a job's row failed, besides an error of the engine ("engine", with its message):
#: abandoned: the worker died (or was killed) mid-job, on every try;
#: timeout: the job ran past TASK_JOB_TIMEOUT; lost: the job vanished from the queue.
FAILURE_REASONS = ("abandoned", "timeout", "lost")

_LIVE_STATES = ("queued", "started", "deferred", "scheduled")
# A worker started by plain `rq worker` has no Flask app; it builds one per process.
_worker_app: Flask | None = None


def queue_url(app: Flask | None = None) -> str:
    """The configured Redis URL, or "" for inline mode."""
    config = (app or current_app).config
    return str(config.get("TASK_QUEUE_URL") or "")


def function_path(func: Callable[..., Any]) -> str:
    """``module:qualname`` of a top-level function, as :func:`run_job` expects it."""
    qualname = func.__qualname__
    if "<" in qualname or "." in qualname:
        raise ValueError(f"only module-level functions can be jobs, not {qualname}")
    return f"{func.__module__}:{qualname}"


def _resolve(path: str) -> Callable[..., Any]:
    module_name, _, name = path.partition(":")
    if not module_name.startswith("registry."):
        # The job payload comes from Redis; only our own functions may be called.
        raise ValueError(f"refusing to run {path!r}: jobs must be registry functions")
    func = getattr(importlib.import_module(module_name), name)
    if not callable(func):
        raise TypeError(f"{path!r} is not callable")
    return func  # type: ignore[no-any-return]


def get_queue(url: str | None = None) -> Any:
    """The RQ queue on ``url`` (default: the app's TASK_QUEUE_URL)."""
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url or queue_url()))


def enqueue(
    func: Callable[..., Any], *args: Any, on_failure: Callable[..., Any] | None = None
) -> str | None:
    """Run ``func(*args)`` now (inline mode) or after the current transaction commits (queue mode).

    Returns the RQ job id in queue mode (None inline). ``on_failure(*args, reason)`` is
    called when the job has failed for good (its worker died on every try); ``reason``
    is one of :data:`FAILURE_REASONS`.
    """
    if not queue_url():
        func(*args)
        return None
    job_id = uuid.uuid4().hex
    failure = function_path(on_failure) if on_failure is not None else None
    db.session.info.setdefault(_PENDING_KEY, []).append((function_path(func), args, job_id, failure))
    return job_id


def _push_pending(session: Session) -> None:
    jobs = session.info.pop(_PENDING_KEY, None)
    if not jobs:
        return
    from rq import Callback, Retry

    queue = get_queue()
    timeout = int(current_app.config.get("TASK_JOB_TIMEOUT") or 300)
    for path, args, job_id, failure in jobs:
        # Result TTL: nobody reads RQ results (they live in the database); failures stay a week.
        queue.enqueue(
            run_job,
            path,
            *args,
            job_id=job_id,
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
            job_timeout=timeout,
            retry=Retry(max=JOB_RETRIES),
            on_failure=Callback(job_failed),
            meta={"on_failure": failure},
        )


def _drop_pending(session: Session, *args: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


def register_tasks(app: Flask) -> None:
    """Push queued jobs after each commit, drop them after a rollback (once per process)."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _push_pending):
        event.listen(session_class, "after_commit", _push_pending)
        event.listen(session_class, "after_soft_rollback", _drop_pending)


def _app() -> Flask:
    global _worker_app
    if _worker_app is None:
        from registry import create_app

        _worker_app = create_app()
    return _worker_app


def run_job(path: str, *args: Any) -> None:
    """Run one job in a worker: call the service function, commit, or roll back and re-raise."""
    func = _resolve(path)
    if has_app_context():
        _run(func, args)
        return
    with _app().app_context():
        _run(func, args)


def _run(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        func(*args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("job %s%r failed", function_path(func), args)
        raise
    finally:
        db.session.remove()


def is_job_timeout(error: BaseException | type[BaseException] | None) -> bool:
    """True for the exception (or its class) RQ raises inside a job that ran past its time limit."""
    from rq.timeouts import JobTimeoutException

    if isinstance(error, type):
        return issubclass(error, JobTimeoutException)
    return isinstance(error, JobTimeoutException)


def job_failed(job: Any, connection: Any, exc_type: Any, exc_value: Any, traceback: Any) -> None:
    """RQ's failure callback: tell the job's row, unless RQ is about to try the job again."""
    if job.retries_left:
        logger.warning("job %s failed (%s); RQ tries it again (%s left)", job.id, exc_type, job.retries_left)
        return
    failure = (job.meta or {}).get("on_failure")
    if not failure or len(job.args) < 1:
        return
    handler = _resolve(failure)
    reason = "timeout" if is_job_timeout(exc_type) else "abandoned"
    # A fresh app context: its own session, committed here (a page that ran the cleanup
    # has its own transaction; a worker's maintenance has none).
    app = current_app._get_current_object() if has_app_context() else _app()  # type: ignore[attr-defined]
    with app.app_context():
        _run(handler, (*job.args[1:], reason))


def job_state(job_id: str) -> str | None:
    """The job's RQ status (queued, started, failed …) after RQ's cleanup of abandoned jobs; None when gone."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.registry import StartedJobRegistry
    from rq.timeouts import TimerDeathPenalty

    queue = get_queue()
    if not g.get("_rq_started_registry_cleaned"):  # once per request (a map asks for many rows)
        # Jobs whose lease ran out are retried or failed (with their failure callback) here.
        # The timer death penalty works outside the main thread (threaded servers) too.
        StartedJobRegistry(queue=queue, death_penalty_class=TimerDeathPenalty).cleanup()
        g._rq_started_registry_cleaned = True
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    return None if status is None else str(getattr(status, "value", status))


class TrackedRow(Protocol):
    """A row whose result a job computes: comparisons and version diffs."""

    status: str
    error: str
    failure: str
    job_id: str
    attempts: int
    requested_at: dt.datetime
    computed_at: dt.datetime | None


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def watch_job(row: TrackedRow, requeue: Callable[[], str | None]) -> None:
    """Look after a pending row's job: fail the row when the job failed, queue it again when it vanished.

    ``requeue()`` enqueues the row's job again and returns its id. A job that
    vanished is queued again at most :data:`MAX_ATTEMPTS` times in all; then (and when
    RQ gave up on it) the row is failed with a reason the page shows.
    """
    if row.status != "pending" or not queue_url():
        return
    from registry.users.models import utcnow

    state = job_state(row.job_id) if row.job_id else None
    if state in _LIVE_STATES:
        return
    db.session.refresh(row)  # the failure callback may just have failed it
    if row.status != "pending":
        return
    if state == "failed":
        mark_failed(row, "abandoned")
    elif state is None and _aware(row.requested_at) > utcnow() - LOST_AFTER:
        return  # pushed after a commit a moment ago, or about to be
    elif row.attempts >= MAX_ATTEMPTS:
        mark_failed(row, "lost")
    else:
        logger.warning("job %s of a pending row vanished (%s); queued again", row.job_id, state)
        row.job_id = requeue() or ""
        row.attempts += 1
        row.requested_at = utcnow()
        db.session.flush()


def enqueue_row(row: Any, func: Callable[..., Any], on_failure: Callable[..., Any]) -> str | None:
    """Queue ``func(row.id)`` for a tracked row and keep the job's id on it (None inline)."""
    job_id = enqueue(func, row.id, on_failure=on_failure)
    if job_id is not None:
        row.job_id = job_id
        db.session.flush()
    return job_id


def fail_pending(model: Any, row_id: int, reason: str) -> Any | None:
    """Fail a still-pending row whose job failed for good; return it (None if it was not pending)."""
    row = db.session.get(model, row_id)
    if row is None or row.status != "pending":
        return None
    mark_failed(row, reason)
    return row


def fail_with(row: TrackedRow, error: BaseException) -> None:
    """Record an exception at a job boundary: "timeout" for the job's time limit, else the error itself."""
    if is_job_timeout(error):
        mark_failed(row, "timeout")
    else:
        mark_failed(row, "engine", f"{type(error).__name__}: {error}")


def mark_failed(row: TrackedRow, failure: str, message: str = "") -> None:
    """Record why a row's job failed (``failure``: "engine" or a :data:`FAILURE_REASONS` entry)."""
    from registry.users.models import utcnow

    row.status = "failed"
    row.failure = failure
    row.error = message
    row.computed_at = utcnow()
    db.session.flush()


def run_worker(*, burst: bool = False, url: str | None = None) -> bool:
    """Process jobs in this process until stopped (or until the queue is empty with ``burst``)."""
    from redis import Redis
    from rq import SimpleWorker

    connection = Redis.from_url(url or queue_url())
    # SimpleWorker runs each job in this process, inside the app context (no fork with open DB pools).
    worker = SimpleWorker([QUEUE_NAME], connection=connection)
    return bool(worker.work(burst=burst, with_scheduler=False))
