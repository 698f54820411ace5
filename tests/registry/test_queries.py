"""Main pages use a bounded number of queries, however many members or users there are (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from registry.demo import seed_demo
from registry.extensions import db
from registry.users.models import User
from registry.users.services import set_password
from tests.registry.conftest import PASSWORD, login


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def demo_app(app: Flask) -> Flask:
    with app.app_context():
        seed_demo()
        for user in db.session.scalars(db.select(User)):
            set_password(user, PASSWORD)
        db.session.commit()
    return app


@pytest.mark.parametrize(
    ("email", "url", "limit"),
    [
        (None, "/kommuner/", 3),
        (None, "/kommuner/?q=50", 3),
        ("koordinator@demo.kommune.no", "/samarbeid/digi-trondelag", 8),
        ("admin@demo.kommune.no", "/admin/brukere", 8),
        ("admin@demo.kommune.no", "/admin/samarbeid/digi-trondelag", 8),
        ("admin@demo.kommune.no", "/admin/logg/", 8),
    ],
)
def test_page_query_count_is_bounded(demo_app: Flask, email: str | None, url: str, limit: int) -> None:
    client = demo_app.test_client()
    if email:
        login(client, email)
    with count_queries(demo_app) as statements:
        assert client.get(url).status_code == 200
    assert len(statements) <= limit, "\n".join(statements)
