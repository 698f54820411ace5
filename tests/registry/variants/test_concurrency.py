"""Requests that arrive at the same moment: a double-clicked confirmation, many uploads at once.

Each test runs real threads, each with its own app context and database connection, on a
SQLite file and (when REGISTRY_TEST_POSTGRES_URL is set) on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.errors import ValidationError
from registry.extensions import db
from registry.municipalities.services import get_municipality
from registry.process_types.services import get_process_type
from registry.users.models import User
from registry.variants.models import PendingUpload, ProcessVersion
from registry.variants.services import (
    UploadAlreadySavedError,
    confirm_pending_upload,
    create_pending_upload,
    get_pending_upload,
)
from tests.registry.conftest import make_app
from tests.registry.process_factories import EMAILS, build_site, sample

THREADS = 5
UPLOADS = 20


def _app(url: str) -> Iterator[Flask]:
    # Enough connections for every thread to hold one while it waits at the barrier.
    app = make_app(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": UPLOADS + 5, "max_overflow": 0})
    build_site(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    # A database file, not the in-memory one: each thread needs its own connection.
    yield from _app(f"sqlite:///{tmp_path / 'registry.sqlite'}")


@pytest.fixture
def pg_app(postgres_schema_url: str) -> Iterator[Flask]:
    yield from _app(postgres_schema_url)


def _owner() -> User:
    user = db.session.scalar(select(User).where(User.email == EMAILS["owner"]))
    assert user is not None
    return user


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _at_once(app: Flask, count: int, prepare: Callable[[], Any], act: Callable[[Any], str]) -> list[str]:
    """Run ``act(prepare())`` in ``count`` threads; every ``prepare`` finishes before any ``act`` starts."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                try:
                    prepared = prepare()
                finally:
                    barrier.wait(30)
                outcomes.append(act(prepared))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if failures:
        raise failures[0]
    assert len(outcomes) == count
    return sorted(outcomes)


def _pending_token(app: Flask) -> str:
    with app.app_context():
        pending, _parsed = create_pending_upload(
            user=_owner(),
            process_type=get_process_type("byggesak"),
            municipality=get_municipality("5001"),
            data=sample("5001"),
            filename="dobbeltklikk.yaml",
        )
        db.session.commit()
        return pending.token


def _confirm_at_once(app: Flask) -> list[str]:
    token = _pending_token(app)

    def prepare() -> Any:
        # Each request reads the preview before any of them saves (as a double click does).
        user = _owner()
        return get_pending_upload(token, user), user

    def act(prepared: Any) -> str:
        pending, user = prepared
        try:
            confirm_pending_upload(pending, user=user, comment="samtidig")
        except UploadAlreadySavedError:
            db.session.rollback()
            return "already saved"
        db.session.commit()
        return "saved"

    return _at_once(app, THREADS, prepare, act)


def _check_one_version_saved(app: Flask, outcomes: list[str]) -> None:
    assert outcomes == ["already saved"] * (THREADS - 1) + ["saved"]
    with app.app_context():
        comments = db.session.scalars(select(ProcessVersion.comment).where(ProcessVersion.variant_id.is_not(None)))
        assert sorted(comments) == ["", "samtidig"]  # version 1 from build_site, and one new version
    assert _count(app, PendingUpload) == 0


def test_confirming_one_preview_five_times_at_once_saves_one_version(sqlite_app: Flask) -> None:
    _check_one_version_saved(sqlite_app, _confirm_at_once(sqlite_app))


@pytest.mark.postgres
def test_confirming_one_preview_five_times_at_once_saves_one_version_on_postgresql(pg_app: Flask) -> None:
    _check_one_version_saved(pg_app, _confirm_at_once(pg_app))


def _upload_at_once(app: Flask) -> list[str]:
    def prepare() -> Any:
        return _owner(), get_process_type("byggesak"), get_municipality("5001")

    def act(prepared: Any) -> str:
        user, process_type, municipality = prepared
        try:
            create_pending_upload(
                user=user,
                process_type=process_type,
                municipality=municipality,
                data=sample("5001"),
                filename="samtidig.yaml",
                max_pending=5,
            )
        except ValidationError:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "kept"

    return _at_once(app, UPLOADS, prepare, act)


def test_twenty_uploads_at_once_keep_no_more_than_the_limit(sqlite_app: Flask) -> None:
    assert _upload_at_once(sqlite_app) == ["kept"] * 5 + ["refused"] * (UPLOADS - 5)
    assert _count(sqlite_app, PendingUpload) == 5


@pytest.mark.postgres
def test_twenty_uploads_at_once_keep_no_more_than_the_limit_on_postgresql(pg_app: Flask) -> None:
    assert _upload_at_once(pg_app) == ["kept"] * 5 + ["refused"] * (UPLOADS - 5)
    assert _count(pg_app, PendingUpload) == 5
