"""The owner's flow on PostgreSQL: upload, confirm, compare, decide, restore (skips without a server)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from registry.comparisons.models import Comparison, MappingDecision
from registry.extensions import db
from registry.variants.models import ProcessVersion
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as, sample

URL = "/kommuner/5001/prosesser/byggesak"


@pytest.mark.postgres
def test_the_owners_flow_on_postgresql(postgres_schema_url: str) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_schema_url)
    try:
        build_site(app, with_variant=False)
        owner = client_as(app, "owner")
        upload = owner.post(
            URL + "/last-opp",
            data={"file": (io.BytesIO(sample("5001")), "t.yaml"), "format": ""},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 302
        assert owner.post(upload.headers["Location"], data={"comment": "første"}).status_code == 302
        page = owner.get(URL + "/sammenlign/standard/digi-trondelag")
        assert page.status_code == 200 and "Samlet likhet" in page.get_data(as_text=True)
        decided = owner.post(
            URL + "/sammenlign/standard/digi-trondelag",
            data={"a_steps": "mottatt", "b_steps": "BYG-H010", "decision": "rejected"},
        )
        assert decided.status_code == 302
        assert owner.post(URL + "/versjoner/1/gjenopprett", data={"comment": ""}).status_code == 302
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) == 3  # standard + 2
            assert db.session.scalar(select(func.count()).select_from(MappingDecision)) == 1
            statuses = set(db.session.scalars(select(Comparison.status)))
            assert statuses == {"done"}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(("number", "expected"), [("5001", [2, 3]), ("5035", [1, 2])], ids=["variant-exists", "first-upload"])
def test_two_saves_at_once_on_postgresql_get_the_next_numbers(
    postgres_schema_url: str, number: str, expected: list[int]
) -> None:
    from tests.registry.process_factories import save_twice_at_once

    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_schema_url)
    try:
        build_site(app)
        assert save_twice_at_once(app, number) == expected
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
