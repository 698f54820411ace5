"""Large processes stay off the request path: version diffs by a job, no drawings, limits per user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from processes.formats import write_process
from processes.generate import generate_variants, synthetic_process
from registry.comparisons.services import QueuedWorkLimitError, request_comparison
from registry.extensions import db
from registry.municipalities.services import get_municipality
from registry.process_types.services import get_process_type
from registry.users.models import User
from registry.variants.models import ProcessVersion, VersionDiff
from registry.variants.services import INLINE_DIFF_MAX_STEPS, request_version_diff
from tests.registry.conftest import make_app
from tests.registry.process_factories import (
    EMAILS,
    build_site,
    client_as,
    create_variant_version,
)
from tests.registry.test_tasks import redis_url  # noqa: F401 - the fixture

URL = "/kommuner/5001/prosesser/byggesak"
DIFF = URL + "/versjoner/forskjell?fra=2&til=3"
STEPS = INLINE_DIFF_MAX_STEPS + 50


def _large_versions(app: Flask) -> None:
    """Trondheim's versions 2 and 3: a process of STEPS steps and a variant of it."""
    standard = synthetic_process(STEPS, seed=7)
    variant = generate_variants(standard, 1, seed=8)[0].process
    with app.app_context():
        for process in (standard, variant):
            create_variant_version(
                get_municipality("5001"), get_process_type("byggesak"), write_process(process, "yaml")
            )
        db.session.commit()
        steps = db.session.scalars(select(ProcessVersion.step_count).where(ProcessVersion.number > 1))
        assert all(n > INLINE_DIFF_MAX_STEPS for n in steps)


@pytest.fixture
def large(site: tuple[Flask, dict[str, Any]]) -> Flask:
    app, _ids = site
    _large_versions(app)
    return app


def _diffs(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(VersionDiff)) or 0)


def test_the_diff_of_two_large_versions_is_stored_and_shown_without_a_drawing(large: Flask) -> None:
    page = client_as(large, "owner").get(DIFF).get_data(as_text=True)
    assert "Likhet:" in page and "<li>" in page
    assert f"Prosesser med mer enn {INLINE_DIFF_MAX_STEPS} steg tegnes ikke" in page
    assert "<svg" not in page
    assert _diffs(large) == 1
    english = client_as(large, "owner")
    english.get("/sprak/en")
    assert "Similarity:" in english.get(DIFF).get_data(as_text=True)
    assert _diffs(large) == 1  # the same stored row, in the other language


def test_an_anonymous_visitor_is_asked_to_sign_in_and_nothing_is_written(large: Flask) -> None:
    page = client_as(large, "anonymous").get(DIFF).get_data(as_text=True)
    assert "Forskjellene er ikke beregnet ennå." in page
    assert _diffs(large) == 0


def test_the_version_page_of_a_large_process_draws_nothing(large: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.variants import views

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a drawing that is not shown must not be made")

    monkeypatch.setattr(views, "export_version", refuse)
    response = client_as(large, "anonymous").get(URL + "/versjoner/3")
    assert response.status_code == 200


@pytest.fixture
def queued_large(redis_url: str, tmp_path: Path) -> Iterator[Flask]:  # noqa: F811
    app = make_app(TASK_QUEUE_URL=redis_url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'large.sqlite'}")
    build_site(app)
    _large_versions(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_with_a_queue_the_page_says_it_is_being_computed_until_the_worker_is_done(queued_large: Flask) -> None:
    from rq import SimpleWorker

    from registry.tasks import get_queue

    owner = client_as(queued_large, "owner")
    assert "Forskjellene beregnes nå." in owner.get(DIFF).get_data(as_text=True)
    with queued_large.app_context():
        queue = get_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    page = owner.get(DIFF).get_data(as_text=True)
    assert "Likhet:" in page and "beregnes nå" not in page


def _owner() -> User:
    user = db.session.scalar(select(User).where(User.email == EMAILS["owner"]))
    assert user is not None
    return user


def test_queued_work_is_limited_per_user(queued_large: Flask) -> None:
    with queued_large.app_context():
        versions = {v.number: v for v in db.session.scalars(select(ProcessVersion).where(ProcessVersion.variant_id.is_not(None)))}
        request_version_diff(versions[1], versions[2], user=_owner(), max_pending=2)
        request_version_diff(versions[2], versions[3], user=_owner(), max_pending=2)
        with pytest.raises(QueuedWorkLimitError, match="2 comparisons waiting"):
            request_version_diff(versions[1], versions[3], user=_owner(), max_pending=2)
        # Asking again for one already waiting is no new work.
        assert request_version_diff(versions[1], versions[2], user=_owner(), max_pending=2).status == "pending"
        # Someone else is not held up by the owner's queue.
        other = db.session.scalar(select(User).where(User.email == EMAILS["admin"]))
        assert request_version_diff(versions[1], versions[3], user=other, max_pending=2).status == "pending"


def test_a_comparison_page_over_the_users_limit_answers_429(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(
        TASK_QUEUE_URL=redis_url, TASK_MAX_PENDING_PER_USER=1, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'l.sqlite'}"
    )
    try:
        build_site(app)
        with app.app_context():
            create_variant_version(get_municipality("5001"), get_process_type("byggesak"))
            db.session.commit()
            standard = db.session.scalars(select(ProcessVersion).where(ProcessVersion.standard_id.is_not(None))).one()
            first = db.session.scalars(select(ProcessVersion).where(ProcessVersion.number == 1, ProcessVersion.variant_id.is_not(None))).one()
            # Saves queue comparisons on nobody's account; this one is the owner's.
            db.session.execute(db.delete(db.metadata.tables["comparisons"]))
            request_comparison(standard, first, user=_owner(), max_pending=1)
            db.session.commit()
        response = client_as(app, "owner").get(URL + "/sammenlign/standard/digi-trondelag")
        assert response.status_code == 429
        assert "Du har 1 sammenligninger som venter på å bli beregnet." in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_comparison_page_of_a_large_process_draws_nothing(large: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.comparisons import services

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("drawing 450 steps does not belong in a request")

    monkeypatch.setattr(services, "diff_diagram", refuse)
    page = client_as(large, "owner").get(URL + "/sammenlign/standard/digi-trondelag").get_data(as_text=True)
    assert "Samlet likhet" in page and "<svg" not in page


@pytest.mark.parametrize("page", ["beskrivelse", "beskrivelse.pdf"])
def test_the_printable_description_of_a_large_process_draws_nothing(
    large: Flask, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    from registry.exports import services as export_services
    from registry.exports import views as export_views

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("drawing 450 steps does not belong in a request")

    monkeypatch.setattr(export_views, "export_version", refuse)
    monkeypatch.setattr(export_services, "export_version", refuse)
    with large.app_context():
        version_id = db.session.scalar(select(ProcessVersion.id).where(ProcessVersion.number == 3))
    response = client_as(large, "anonymous").get(f"/prosessversjoner/{version_id}/{page}")
    assert response.status_code == 200
    assert "Stegene" in response.get_data(as_text=True) if page == "beskrivelse" else response.data.startswith(b"%PDF")
