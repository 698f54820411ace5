"""The catalogue of process types: list, page, create and edit with precise errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.process_types.models import ProcessType
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    build_site(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _form(**overrides: str) -> dict[str, str]:
    values = {
        "name_nb": "Startlån",
        "name_en": "Start-up loan",
        "slug": "startlan",
        "legal_basis": "Husbankloven",
        "k_code": "",
        "description": "Lån til førstegangsetablerere.",
    }
    values.update(overrides)
    return values


def test_the_list_shows_each_type_with_its_number_of_municipalities(app: Flask) -> None:
    page = client_as(app, "anonymous").get("/prosesstyper/").get_data(as_text=True)
    assert "Byggesak – søknad om tillatelse i ett trinn" in page
    assert '<td class="number">1</td>' in page
    assert "Legg til prosesstype" not in page


def test_the_type_page_lists_standards_and_municipalities_and_offers_the_owner_an_upload(app: Flask) -> None:
    page = client_as(app, "owner").get("/prosesstyper/byggesak").get_data(as_text=True)
    assert "DigiTrøndelag" in page and "5001 Trondheim" in page
    assert "Last opp prosessen til Trondheim" in page
    assert "Last opp prosessen til" not in client_as(app, "coordinator").get("/prosesstyper/byggesak").get_data(as_text=True)


def test_a_coordinator_adds_a_process_type_and_it_is_audited(app: Flask) -> None:
    response = client_as(app, "coordinator").post("/prosesstyper/ny", data=_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/prosesstyper/startlan")
    with app.app_context():
        row = db.session.scalar(select(ProcessType).where(ProcessType.slug == "startlan"))
        assert row is not None and row.created_by is not None and row.created_by.email.startswith("coordinator@")
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "ProcessType", AuditEvent.action == "create", AuditEvent.object_label == "Startlån"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Start Lån"}, "Bruk bare små bokstaver"),
        ({"slug": "byggesak"}, "En annen prosesstype har allerede denne adressen."),
        ({"name_nb": "Byggesak – søknad om tillatelse i ett trinn"}, "En annen prosesstype har allerede dette navnet."),
        ({"name_nb": ""}, "Skriv inn navnet."),
    ],
)
def test_bad_input_gets_a_precise_error_beside_the_field(app: Flask, overrides: dict[str, str], message: str) -> None:
    response = client_as(app, "admin").post("/prosesstyper/ny", data=_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "error-summary" in page and message in page


def test_editing_changes_the_type(app: Flask) -> None:
    response = client_as(app, "admin").post(
        "/prosesstyper/byggesak/rediger", data=_form(name_nb="Byggesak ett trinn", slug="byggesak-ett-trinn", k_code="L42")
    )
    assert response.status_code == 302
    page = client_as(app, "anonymous").get("/prosesstyper/byggesak-ett-trinn").get_data(as_text=True)
    assert "Byggesak ett trinn" in page and "L42" in page


def test_markup_in_a_type_name_is_text(app: Flask) -> None:
    client_as(app, "admin").post("/prosesstyper/ny", data=_form(name_nb="<script>alert(1)</script>", slug="x"))
    page = client_as(app, "anonymous").get("/prosesstyper/").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_type_is_404(app: Flask) -> None:
    assert client_as(app, "anonymous").get("/prosesstyper/finnes-ikke").status_code == 404
