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
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.extensions import db

__all__ = [
    "QUEUE_NAME",
    "enqueue",
    "function_path",
    "get_queue",
    "queue_url",
    "register_tasks",
    "run_job",
    "run_worker",
]

logger = logging.getLogger(__name__)

#: The RQ queue every job goes to.
QUEUE_NAME = "registry"
_PENDING_KEY = "registry_pending_jobs"
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


def enqueue(func: Callable[..., Any], *args: Any) -> None:
    """Run ``func(*args)`` now (inline mode) or after the current transaction commits (queue mode)."""
    if not queue_url():
        func(*args)
        return
    path = function_path(func)
    db.session.info.setdefault(_PENDING_KEY, []).append((path, args))


def _push_pending(session: Session) -> None:
    jobs = session.info.pop(_PENDING_KEY, None)
    if not jobs:
        return
    queue = get_queue()
    for path, args in jobs:
        # Result TTL: nobody reads RQ results (they live in the database); failures stay a week.
        queue.enqueue(run_job, path, *args, result_ttl=0, failure_ttl=7 * 24 * 3600, job_timeout=600)


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


def run_worker(*, burst: bool = False, url: str | None = None) -> bool:
    """Process jobs in this process until stopped (or until the queue is empty with ``burst``)."""
    from redis import Redis
    from rq import SimpleWorker

    connection = Redis.from_url(url or queue_url())
    # SimpleWorker runs each job in this process, inside the app context (no fork with open DB pools).
    worker = SimpleWorker([QUEUE_NAME], connection=connection)
    return bool(worker.work(burst=burst, with_scheduler=False))
