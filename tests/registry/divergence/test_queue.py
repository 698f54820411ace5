"""With a task queue (RQ on Redis, REGISTRY_TEST_REDIS_URL) the map page asks a worker for what is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import or_, select

from registry.comparisons.models import Comparison
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
        # Each upload queued its comparison with the standard (4) and its pairs with the members before it (0+1+2+3).
        assert queue.count == 4 + 6
    html = client.get(MAP).get_data(as_text=True)
    assert "4 comparisons with the standard are being computed" in html
    assert queue.count == 10  # the page asks for nothing that is already queued
    with queued_world.app_context():
        assert worker.work(burst=True)
    html = client.get(MAP).get_data(as_text=True)
    assert "✗</span> missing" in html
    assert "heat-na" not in html and "Reload the page" not in html
    assert queue.count == 0


def test_a_new_version_queues_its_heatmap_pairs(queued_world: Flask, redis_url: str) -> None:  # noqa: F811
    from rq import SimpleWorker

    from registry.municipalities.models import Municipality
    from registry.process_types.models import ProcessType
    from registry.variants.services import get_or_create_variant
    from tests.registry.divergence.world import VARIANTS, chain_bytes, save

    queue = get_queue(redis_url)
    worker = SimpleWorker([queue], connection=queue.connection)
    with queued_world.app_context():
        assert worker.work(burst=True)
        assert queue.count == 0
        malvik = db.session.scalar(select(Municipality).where(Municipality.number == "5031"))
        process_type = db.session.scalar(select(ProcessType))
        new = save(get_or_create_variant(malvik, process_type), chain_bytes(VARIANTS["5031"][1] + ("Sende faktura",)))
        db.session.commit()
        # With the standard, and with Melhus, Stjørdal and Skaun (Selbu has no process); and the plan's follow-up.
        pending = db.session.scalars(
            select(Comparison).where(
                or_(Comparison.version_a_id == new.id, Comparison.version_b_id == new.id), Comparison.status == "pending"
            )
        ).all()
        assert len(pending) == 1 + 3 and all(row.job_id for row in pending)
        assert queue.count == 1 + 3 + 1
        assert worker.work(burst=True)
    html = client_as(queued_world, "coordinator").get(MAP).get_data(as_text=True)
    assert "heat-na" not in html and "have no similarity yet" not in html
