"""With a task queue (RQ on Redis, REGISTRY_TEST_REDIS_URL) the map page asks a worker for what is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from registry.extensions import db
from registry.tasks import get_queue
from tests.registry.conftest import make_app
from tests.registry.divergence.world import build_map_world, client_as
from tests.registry.test_tasks import redis_url  # noqa: F401 - the fixture

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"


@pytest.fixture
def queued_world(redis_url: str) -> Iterator[Flask]:  # noqa: F811
    app = make_app(TASK_QUEUE_URL=redis_url)
    with app.app_context():
        build_map_world()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_page_shows_what_is_stored_and_a_worker_fills_in_the_rest(queued_world: Flask, redis_url: str) -> None:  # noqa: F811
    from rq import SimpleWorker

    queue = get_queue(redis_url)
    worker = SimpleWorker([queue], connection=queue.connection)
    client = client_as(queued_world, "coordinator")
    with queued_world.app_context():
        assert queue.count == 4  # the members' comparisons with the standard
    html = client.get(MAP).get_data(as_text=True)
    assert "4 comparisons with the standard are being computed" in html
    with queued_world.app_context():
        assert worker.work(burst=True)
    html = client.get(MAP).get_data(as_text=True)  # the map is there; the page queues the 6 pairs
    assert "✗</span> missing" in html and "Reload the page in a little while." in html
    assert queue.count == 6
    with queued_world.app_context():
        assert worker.work(burst=True)
    html = client.get(MAP).get_data(as_text=True)
    assert "heat-na" not in html and "Reload the page" not in html
    assert queue.count == 0
