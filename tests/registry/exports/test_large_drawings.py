"""Drawings of large versions are made by a job and kept; no request waits for Graphviz, no anonymous request writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.exports.models import Drawing
from registry.extensions import db
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as
from tests.registry.test_tasks import redis_url  # noqa: F401 - the fixture


@pytest.fixture
def large(request: pytest.FixtureRequest) -> Iterator[tuple[Flask, int]]:
    """A site where every sample process counts as large (more than 3 steps)."""
    overrides = getattr(request, "param", {})
    app = make_app(DRAWING_INLINE_MAX_STEPS=3, **overrides)
    ids = build_site(app)
    yield app, ids["variant_version_id"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drawings(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Drawing)) or 0)


def test_an_anonymous_visitor_is_asked_to_sign_in_and_nothing_is_written(large: tuple[Flask, int]) -> None:
    app, version_id = large
    response = client_as(app, "anonymous").get(f"/prosessversjoner/{version_id}/eksport/svg")
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert "lages i bakgrunnen når noen som er logget inn, ber om den" in page
    assert f"/prosessversjoner/{version_id}/eksport/bpmn" in page
    assert _drawings(app) == 0


def test_a_signed_in_request_makes_the_drawing_once_and_keeps_it(large: tuple[Flask, int]) -> None:
    app, version_id = large
    url = f"/prosessversjoner/{version_id}/eksport/svg"
    # Inline mode (no queue): the job runs at once and the file is sent.
    first = client_as(app, "owner").get(url)
    assert first.status_code == 200 and first.mimetype == "image/svg+xml" and b"<svg" in first.data
    assert _drawings(app) == 1
    again = client_as(app, "anonymous").get(url)
    assert again.status_code == 200 and again.data == first.data
    assert _drawings(app) == 1


def test_a_drawing_being_made_is_waited_for(large: tuple[Flask, int]) -> None:
    app, version_id = large
    with app.app_context():
        db.session.add(Drawing(version_id=version_id, fmt="png", lang="nb", engine_version=_engine(), status="pending",
                               data=b""))
        db.session.commit()
    response = client_as(app, "anonymous").get(f"/prosessversjoner/{version_id}/eksport/png")
    assert response.status_code == 202
    assert "lages i bakgrunnen" in response.get_data(as_text=True)


def test_a_failed_drawing_says_why(large: tuple[Flask, int]) -> None:
    app, version_id = large
    with app.app_context():
        db.session.add(Drawing(version_id=version_id, fmt="pdf", lang="nb", engine_version=_engine(), status="failed",
                               failure="timeout", data=b""))
        db.session.commit()
    response = client_as(app, "owner").get(f"/prosessversjoner/{version_id}/eksport/pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tegningen kunne ikke lages." in page and "tidsgrensen" in page


@pytest.mark.parametrize("large", [{"TASK_MAX_PENDING_PER_USER": 0}], indirect=True)
def test_queued_drawings_are_limited_per_user(large: tuple[Flask, int]) -> None:
    app, version_id = large
    response = client_as(app, "owner").get(f"/prosessversjoner/{version_id}/eksport/svg")
    assert response.status_code == 429
    assert "tegninger som venter på å bli laget" in response.get_data(as_text=True)
    assert _drawings(app) == 0


def test_formats_that_are_not_drawings_are_written_at_once(large: tuple[Flask, int]) -> None:
    app, version_id = large
    response = client_as(app, "anonymous").get(f"/prosessversjoner/{version_id}/eksport/bpmn")
    assert response.status_code == 200 and b"definitions" in response.data
    assert _drawings(app) == 0


def _engine() -> str:
    from registry.graphs import ENGINE_VERSION

    return ENGINE_VERSION


def test_drawings_of_small_versions_are_still_drawn_in_the_request(site: Any) -> None:
    app, ids = site
    response = client_as(app, "anonymous").get(f"/prosessversjoner/{ids['variant_version_id']}/eksport/svg")
    assert response.status_code == 200
    assert _drawings(app) == 0


def test_with_a_queue_a_worker_makes_the_drawing(redis_url: str) -> None:  # noqa: F811
    from rq import SimpleWorker

    from registry.tasks import get_queue

    app = make_app(DRAWING_INLINE_MAX_STEPS=3, TASK_QUEUE_URL=redis_url)
    try:
        ids = build_site(app)
        queue = get_queue(redis_url)
        queue.empty()
        url = f"/prosessversjoner/{ids['variant_version_id']}/eksport/svg"
        owner = client_as(app, "owner")
        first = owner.get(url)
        assert first.status_code == 202 and "lages i bakgrunnen" in first.get_data(as_text=True)
        assert queue.count == 1
        with app.app_context():
            assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
        done = client_as(app, "anonymous").get(url)
        assert done.status_code == 200 and b"<svg" in done.data
        assert _drawings(app) == 1 and queue.count == 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
