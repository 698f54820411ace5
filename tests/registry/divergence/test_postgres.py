"""The divergence map, its exports, the step search and the standard workflow on PostgreSQL (migrated schema)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.variants.models import ProcessVersion
from tests.registry.conftest import TEST_CONFIG
from tests.registry.divergence.world import (
    STANDARD,
    build_map_world,
    chain_bytes,
    client_as,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_world(postgres_schema_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_schema_url})
    with app.app_context():
        upgrade()
        build_map_world()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_map_heatmap_exports_and_search_on_postgresql(pg_world: Flask) -> None:
    client = client_as(pg_world, "coordinator")
    assert client.post("/samarbeid/digi-trondelag/avvik/byggesak/beregn").status_code == 302
    html = client.get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert "✗</span> missing" in html and "heat-na" not in html
    assert client.get("/samarbeid/digi-trondelag/avvik/byggesak/eksport.xlsx").status_code == 200
    assert "3 municipalities have a step like «befaring»" in client.get(
        "/samarbeid/digi-trondelag/sok?q=befaring"
    ).get_data(as_text=True)


def test_standard_workflow_on_postgresql(pg_world: Flask) -> None:
    client = client_as(pg_world, "coordinator")
    base = "/samarbeid/digi-trondelag/standarder/byggesak"
    response = client.post(
        base + "/last-opp",
        data={"file": (io.BytesIO(chain_bytes(STANDARD + ("Sende faktura",))), "ny.yaml"), "format": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.post(response.headers["Location"], data={"comment": "Faktura"}).status_code == 302
    client.post(base + "/versjoner/2/godkjenn")
    client.post(base + "/versjoner/2/publiser", data={"effective_from": "2030-01-01"})
    with pg_world.app_context():
        statuses = db.session.execute(
            select(ProcessVersion.number, ProcessVersion.status, ProcessVersion.effective_to)
            .where(ProcessVersion.standard_id.is_not(None))
            .order_by(ProcessVersion.number)
        ).all()
    assert [(n, s) for n, s, _ in statuses] == [(1, "published"), (2, "published")]
    assert statuses[0][2] == dt.date(2029, 12, 31)
    assert "Sende faktura" in client.get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
