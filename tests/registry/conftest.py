"""Fixtures for the registry: a fresh app and database per test, clients, factories, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from registry import create_app
from registry.cooperations.models import Cooperation
from registry.cooperations.services import add_membership, create_cooperation
from registry.extensions import db as _db
from registry.municipalities.models import Municipality
from registry.municipalities.services import create_municipality
from registry.users.models import User
from registry.users.services import create_user as _create_user

PASSWORD = "a long test password"

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "WTF_CSRF_ENABLED": False,
    # Hashing is not what these tests measure.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "RATELIMIT_ENABLED": False,
}


TRANSLATIONS = Path(__file__).resolve().parents[2] / "registry" / "translations"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile stale .po catalogues, as `make test` does, so that plain `pytest` works too."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalogue = read_po(f)
        with mo_path.open("wb") as f:
            write_mo(f, catalogue)


def make_app(**overrides: Any) -> Flask:
    """An app with the test configuration and a fresh, empty schema (tables made from the models)."""
    app = create_app({**TEST_CONFIG, **overrides})
    with app.app_context():
        _db.create_all()
    return app


@pytest.fixture
def app() -> Iterator[Flask]:
    """A fresh app on a new in-memory SQLite database."""
    app = make_app()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def site() -> Iterator[tuple[Flask, dict[str, Any]]]:
    """A fresh app with ``build_site``'s committed world (roles, standard, Trondheim's variant) and its ids."""
    from tests.registry.process_factories import build_site

    app = make_app()
    ids = build_site(app)
    yield app, ids
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The database, with an app context pushed (do not mix with client requests in one block)."""
    with app.app_context():
        yield _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- factories (call inside an app context; they flush, the caller commits) ----------------


def create_municipality_row(**overrides: Any) -> Municipality:
    values: dict[str, Any] = {
        "number": "5001",
        "name": "Trondheim",
        "county_number": "50",
        "county_name": "Trøndelag",
    }
    values.update(overrides)
    return create_municipality(**values)


def create_cooperation_row(**overrides: Any) -> Cooperation:
    values: dict[str, Any] = {"name": "DigiTrøndelag", "slug": "digi-trondelag", "description": "Digitalisering."}
    values.update(overrides)
    return create_cooperation(**values)


def create_user_row(**overrides: Any) -> User:
    values: dict[str, Any] = {
        "email": f"user-{uuid.uuid4().hex[:8]}@kommune.no",
        "name": "Test Testesen",
        "password": PASSWORD,
    }
    values.update(overrides)
    return _create_user(**values)


def create_membership_row(cooperation: Cooperation, municipality: Municipality, **overrides: Any) -> Any:
    values: dict[str, Any] = {"joined_on": dt.date(2020, 1, 1)}
    values.update(overrides)
    return add_membership(cooperation, municipality, **values)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form; fails the test when it does not work."""
    response = client.post("/logg-inn", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


# --- PostgreSQL -----------------------------------------------------------------------------


def _services_required() -> bool:
    return bool(os.environ.get("REGISTRY_REQUIRE_SERVICES"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """REGISTRY_TEST_POSTGRES_URL; skips when unset, fails when REGISTRY_REQUIRE_SERVICES is set."""
    url = os.environ.get("REGISTRY_TEST_POSTGRES_URL")
    if not url:
        message = (
            "PostgreSQL tests need REGISTRY_TEST_POSTGRES_URL, "
            "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        if _services_required():
            pytest.fail(f"REGISTRY_REQUIRE_SERVICES is set but {message}")
        pytest.skip(message)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL at {sa.make_url(url).render_as_string(hide_password=True)} is unreachable: {exc}"
        if _services_required():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards.

    The shared ``test`` database is used by others too, so each test gets its own schema.
    """
    schema = f"registry_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
