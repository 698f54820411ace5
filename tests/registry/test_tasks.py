"""Jobs run inline without a queue, and through RQ on Redis (REGISTRY_TEST_REDIS_URL) after commit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.tasks import function_path, get_queue, run_job
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_world, create_variant_version


def test_without_a_queue_the_comparison_is_computed_before_the_save_returns(app: Flask) -> None:
    with app.app_context():
        world = build_world()
        version = create_variant_version(world["trondheim"], world["process_type"])
        row = db.session.scalar(select(Comparison).where(Comparison.version_b_id == version.id))
        assert row is not None and row.status == "done"


def test_only_module_level_functions_can_be_jobs() -> None:
    def local() -> None:
        pass

    with pytest.raises(ValueError, match="module-level"):
        function_path(local)


def test_a_job_payload_cannot_name_a_function_outside_the_registry(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="registry functions"):
        run_job("os:system", "true")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """REGISTRY_TEST_REDIS_URL (a dedicated database number, flushed before and after); skips when unset."""
    url = os.environ.get("REGISTRY_TEST_REDIS_URL")
    if not url:
        message = "Queue tests need REGISTRY_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15"
        if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
            pytest.fail(f"REGISTRY_REQUIRE_SERVICES is set but {message}")
        pytest.skip(message)
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisConnectionError as exc:
        if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
            pytest.fail(f"Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    # Only the test's own database number is emptied.
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def queued_app(redis_url: str) -> Iterator[Flask]:
    app = make_app(TASK_QUEUE_URL=redis_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _comparison_of(version_id: int) -> Any:
    return db.session.scalar(select(Comparison).where(Comparison.version_b_id == version_id))


def test_a_saved_version_is_compared_by_an_rq_worker(queued_app: Flask, redis_url: str) -> None:
    from rq import SimpleWorker

    with queued_app.app_context():
        world = build_world()
        db.session.commit()
        queue = get_queue(redis_url)
        assert queue.count == 0  # the standard had no members' variants to compare yet
        version = create_variant_version(world["trondheim"], world["process_type"])
        assert queue.count == 0  # nothing is pushed before the commit
        db.session.commit()
        version_id = version.id
        assert queue.count == 1
        assert _comparison_of(version_id).status == "pending"

        worker = SimpleWorker([queue], connection=queue.connection)
        assert worker.work(burst=True)
        row = _comparison_of(version_id)
        assert row.status == "done" and row.overall is not None
        assert queue.count == 0


def test_a_rolled_back_save_enqueues_nothing(queued_app: Flask, redis_url: str) -> None:
    with queued_app.app_context():
        world = build_world()
        db.session.commit()
        create_variant_version(world["trondheim"], world["process_type"])
        db.session.rollback()
        assert get_queue(redis_url).count == 0


def test_the_worker_command_runs_queued_comparisons(queued_app: Flask, redis_url: str) -> None:
    with queued_app.app_context():
        world = build_world()
        version = create_variant_version(world["trondheim"], world["process_type"])
        db.session.commit()
        version_id = version.id
    result = queued_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with queued_app.app_context():
        assert _comparison_of(version_id).status == "done"
        assert get_queue(redis_url).count == 0
