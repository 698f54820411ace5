"""The services behave the same on PostgreSQL as on SQLite (search, successions, audit JSON)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.municipalities.services import (
    current_successors,
    get_municipality,
    import_municipalities,
    lineage,
    load_reference_list,
    search_municipalities,
)
from tests.registry.conftest import TEST_CONFIG

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_schema_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_schema_url})
    with app.app_context():
        upgrade()
        import_municipalities(load_reference_list())
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_search_and_successions_on_postgresql(pg_app: Flask) -> None:
    with pg_app.app_context():
        assert [m.number for m in search_municipalities("ØRLAND")] == ["5015", "5057"]
        assert [m.number for m in search_municipalities("50_")] == []
        assert [m.number for m in current_successors(get_municipality("5012"))] == ["5055", "5056", "5059"]
        assert [m.number for m in lineage(get_municipality("5001"))] == ["5001", "5030"]


def test_audit_events_store_json_on_postgresql(pg_app: Flask) -> None:
    with pg_app.app_context():
        get_municipality("5001").description = "Prosessgruppe"
        db.session.commit()
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert event.changes == {"description": {"old": "", "new": "Prosessgruppe"}}


def test_pages_render_on_postgresql(pg_app: Flask) -> None:
    client = pg_app.test_client()
    assert "Klæbu" in client.get("/kommuner/?q=klæbu").get_data(as_text=True)
    assert client.get("/kommuner/5030").status_code == 200
