"""Fixtures of the API tests: the small world of ``build_site`` and one token per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.extensions import db as _db
from registry.users.models import User
from tests.registry.conftest import make_app
from tests.registry.process_factories import EMAILS, build_site

#: The scopes each role's token gets (everything the role may have).
SCOPES = {
    "owner": ["write"],
    "other_owner": ["write"],
    "coordinator": ["coordinate"],
    "other_coordinator": ["coordinate"],
    "admin": ["write", "coordinate"],
}


def make_tokens(app: Flask) -> dict[str, str]:
    """One token per role (see SCOPES) plus ``owner_read``: the owner's token without write."""
    from registry.api.tokens import create_token

    secrets: dict[str, str] = {}
    with app.app_context():
        expires = dt.date.today() + dt.timedelta(days=30)
        for role, scopes in SCOPES.items():
            user = _db.session.scalar(select(User).where(User.email == EMAILS[role]))
            _row, secrets[role] = create_token(
                user, name=f"{role} script", scopes=scopes, expires_on=expires
            )
        owner = _db.session.scalar(select(User).where(User.email == EMAILS["owner"]))
        _row, secrets["owner_read"] = create_token(
            owner, name="read only", scopes=[], expires_on=expires
        )
        _db.session.commit()
    return secrets


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api_site(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[Flask, dict[str, Any], dict[str, str]]]:
    """The app with ``build_site``'s world, its ids, and a token per role; on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        app = make_app(
            SQLALCHEMY_DATABASE_URI=request.getfixturevalue("postgres_schema_url")
        )
    else:
        app = make_app()
    ids = build_site(app)
    tokens = make_tokens(app)
    yield app, ids, tokens
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def call(api_site: tuple[Flask, dict[str, Any], dict[str, str]]) -> Callable[..., Any]:
    """``call(method, path, role=None, **kwargs)``: a request with the role's token (None: anonymous)."""
    app, _ids, tokens = api_site
    client = app.test_client()

    def _call(
        method: str,
        path: str,
        role: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        all_headers = dict(headers or {})
        if role is not None:
            all_headers["Authorization"] = f"Bearer {tokens[role]}"
        return client.open(path, method=method, headers=all_headers, **kwargs)

    return _call
