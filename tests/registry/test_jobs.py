"""Jobs that die, run too long or vanish: the page says so instead of «beregnes nå» for ever.

Queue tests need a real Redis (REGISTRY_TEST_REDIS_URL); they simulate a worker that took
a job and died by a started job whose lease (the worker's heartbeat) ran out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.tasks import JOB_RETRIES, LOST_AFTER, MAX_ATTEMPTS, get_queue
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as
from tests.registry.test_tasks import redis_url  # noqa: F401 - the fixture

COMPARISON = "/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag"


@pytest.fixture
def queued_site(redis_url: str, tmp_path: Path) -> Iterator[Flask]:  # noqa: F811
    """Queue mode on a database file (a failure callback writes through its own connection)."""
    app = make_app(TASK_QUEUE_URL=redis_url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'jobs.sqlite'}")
    build_site(app)  # Trondheim's version 1 is saved: its comparison with the standard is queued
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _row(app: Flask) -> Comparison:
    with app.app_context():
        row = db.session.scalars(select(Comparison)).one()
        db.session.expunge(row)
        return row


def _start_and_die(app: Flask) -> None:
    """A worker takes the row's job, starts it and is killed: its lease in the started registry has run out."""
    from rq.executions import Execution
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    with app.app_context():
        queue = get_queue()
        job = Job.fetch(_row(app).job_id, connection=queue.connection)
        queue.remove(job.id)
        with queue.connection.pipeline() as pipe:
            job.set_status(JobStatus.STARTED, pipeline=pipe)
            Execution.create(job, ttl=60, pipeline=pipe, worker_name="killed-with-sigkill")
            pipe.execute()
        registry = StartedJobRegistry(queue=queue)
        assert registry.get_job_ids(cleanup=False) == [job.id]
        # No heartbeat came since: the lease ended a second ago.
        for key in queue.connection.zrange(registry.key, 0, -1):
            queue.connection.zadd(registry.key, {key: time.time() - 1})


def _job_status(app: Flask, job_id: str) -> str:
    from rq.job import Job

    with app.app_context():
        return str(Job.fetch(job_id, connection=get_queue().connection).get_status().value)  # type: ignore[union-attr]


def test_a_job_whose_worker_died_is_retried_and_then_shown_as_failed(queued_site: Flask) -> None:
    owner = client_as(queued_site, "owner")
    job_id = _row(queued_site).job_id
    assert job_id and _job_status(queued_site, job_id) == "queued"
    for _ in range(JOB_RETRIES):
        _start_and_die(queued_site)
        page = owner.get(COMPARISON).get_data(as_text=True)
        assert "Sammenligningen beregnes nå." in page  # RQ put it back on the queue
        assert _job_status(queued_site, job_id) == "queued"
        with queued_site.app_context():
            assert get_queue().count == 1
    _start_and_die(queued_site)
    page = owner.get(COMPARISON).get_data(as_text=True)
    assert "Sammenligningen kunne ikke beregnes." in page
    assert "Bakgrunnsjobben stoppet før den var ferdig, hver gang den ble forsøkt" in page
    assert "beregnes nå" not in page
    row = _row(queued_site)
    assert (row.status, row.failure) == ("failed", "abandoned")
    assert _job_status(queued_site, job_id) == "failed"


def test_a_worker_cleaning_up_fails_the_row_of_a_job_that_died_without_a_page_being_opened(
    queued_site: Flask,
) -> None:
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    for _ in range(JOB_RETRIES + 1):
        _start_and_die(queued_site)
        with queued_site.app_context():
            queue = get_queue()
            # What every worker's maintenance runs (rq.registry.clean_registries), outside any request.
            StartedJobRegistry(queue=queue).cleanup()
    with queued_site.app_context():
        assert Job.fetch(_row(queued_site).job_id, connection=get_queue().connection).get_status() == "failed"
    assert (_row(queued_site).status, _row(queued_site).failure) == ("failed", "abandoned")


def _lose_the_job(app: Flask) -> None:
    """Redis forgets the job (flushed, restarted without persistence) and the request is old enough."""
    import datetime as dt

    with app.app_context():
        get_queue().connection.flushdb()
        row = db.session.scalars(select(Comparison)).one()
        row.requested_at = dt.datetime.now(dt.UTC) - LOST_AFTER - dt.timedelta(seconds=1)
        db.session.commit()


def test_a_job_that_vanished_is_queued_again_a_bounded_number_of_times(queued_site: Flask) -> None:
    owner = client_as(queued_site, "owner")
    job_ids = {_row(queued_site).job_id}
    for attempt in range(1, MAX_ATTEMPTS + 1):
        _lose_the_job(queued_site)
        assert "Sammenligningen beregnes nå." in owner.get(COMPARISON).get_data(as_text=True)
        row = _row(queued_site)
        assert row.attempts == attempt and row.job_id not in job_ids
        job_ids.add(row.job_id)
        with queued_site.app_context():
            assert get_queue().count == 1
    _lose_the_job(queued_site)
    page = owner.get(COMPARISON).get_data(as_text=True)
    assert "Bakgrunnsjobben forsvant fra køen" in page
    assert (_row(queued_site).status, _row(queued_site).failure) == ("failed", "lost")


def test_a_job_just_pushed_is_not_taken_for_lost(queued_site: Flask) -> None:
    with queued_site.app_context():
        get_queue().connection.flushdb()  # as if the push after the commit had not happened yet
    assert "Sammenligningen beregnes nå." in client_as(queued_site, "owner").get(COMPARISON).get_data(as_text=True)
    assert _row(queued_site).attempts == 0


def test_a_comparison_past_the_job_time_limit_is_stopped_and_shown_as_timed_out(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from rq import SimpleWorker

    from registry.comparisons import services

    app = make_app(
        TASK_QUEUE_URL=redis_url, TASK_JOB_TIMEOUT=1, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite'}"
    )
    try:
        build_site(app)

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(5)
            raise AssertionError("the time limit should have stopped the job")

        monkeypatch.setattr(services, "compare", slow)
        with app.app_context():
            queue = get_queue()
            started = time.perf_counter()
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
            assert time.perf_counter() - started < 4
        row = _row(app)
        assert (row.status, row.failure) == ("failed", "timeout")
        page = client_as(app, "owner").get(COMPARISON).get_data(as_text=True)
        assert "Det tok lengre tid enn tidsgrensen for én bakgrunnsjobb (1 sekunder)." in page
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_recompute_queues_again_a_comparison_whose_job_died_and_a_worker_computes_it(queued_site: Flask) -> None:
    from rq import SimpleWorker

    for _ in range(JOB_RETRIES + 1):
        _start_and_die(queued_site)
        client_as(queued_site, "owner").get(COMPARISON)
    assert _row(queued_site).failure == "abandoned"
    result = queued_site.test_cli_runner().invoke(args=["recompute"])
    assert result.exit_code == 0, result.output
    assert "1 comparison(s) queued for the worker" in result.output
    row = _row(queued_site)
    assert (row.status, row.failure, row.attempts) == ("pending", "", 0)
    with queued_site.app_context():
        queue = get_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert _row(queued_site).status == "done"
    page = client_as(queued_site, "owner").get(COMPARISON).get_data(as_text=True)
    assert "Samlet likhet" in page
