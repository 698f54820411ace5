"""Variant pages: the process, history, diff between versions, restore and the quick editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.graphs import load_process
from registry.variants.models import ProcessVersion
from tests.registry.conftest import make_app
from tests.registry.process_factories import (
    build_site,
    client_as,
    create_variant_version,
    sample,
)

URL = "/kommuner/5001/prosesser/byggesak"


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    ids = build_site(app)
    with app.app_context():
        first = db.session.get(ProcessVersion, ids["variant_version_id"])
        assert first is not None
        create_variant_version(first.variant.municipality, first.variant.process_type, sample("5006"), comment="Andre")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _versions(app: Flask) -> list[Any]:
    with app.app_context():
        rows = db.session.scalars(
            select(ProcessVersion).where(ProcessVersion.variant_id.is_not(None)).order_by(ProcessVersion.number)
        ).all()
        return [(v.number, v.content, v.restored_from_id, v.comment) for v in rows]


def test_the_process_page_shows_the_newest_version_diagram_steps_and_downloads(app: Flask) -> None:
    page = client_as(app, "anonymous").get(URL).get_data(as_text=True)
    assert "Versjon</dt><dd>2 (nyeste)" in page
    assert 'role="img"' in page and "<caption>Stegene i versjon 2" in page
    assert "/eksport/bpmn" in page and "/beskrivelse" in page
    assert "Sammenlign med standarden til DigiTrøndelag" in page
    assert "/original" not in page  # the uploaded file is not for anonymous visitors


def test_a_process_registered_under_a_merged_municipality_shows_under_its_successor(app: Flask) -> None:
    with app.app_context():
        from registry.municipalities.services import get_municipality
        from tests.registry.process_factories import create_process_type_row

        startlan = create_process_type_row(slug="startlan", name_nb="Startlån")
        create_variant_version(get_municipality("5030"), startlan, sample("standard", "startlan"))
        db.session.commit()
    anonymous = client_as(app, "anonymous")
    listing = anonymous.get("/kommuner/5001/prosesser/").get_data(as_text=True)
    assert "Startlån" in listing and "registrert under 5030 Klæbu" in listing
    assert anonymous.get("/kommuner/5001/prosesser/startlan").status_code == 200


def test_history_lists_every_version_with_comment_and_offers_a_comparison(app: Flask) -> None:
    page = client_as(app, "owner").get(URL + "/versjoner").get_data(as_text=True)
    assert "Versjon 1" in page and "Versjon 2" in page and "Andre" in page
    assert 'name="fra"' in page and "Gjenopprett versjon 1" in page


def test_an_old_version_can_be_viewed(app: Flask) -> None:
    page = client_as(app, "anonymous").get(URL + "/versjoner/1").get_data(as_text=True)
    assert "Du ser på versjon 1, en tidligere versjon." in page
    assert client_as(app, "anonymous").get(URL + "/versjoner/9").status_code == 404


def test_the_diff_between_two_versions_is_given_in_sentences_and_a_drawing(app: Flask) -> None:
    response = client_as(app, "anonymous").get(URL + "/versjoner/forskjell?fra=1&til=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="difference-list"' in page and "versjon 1" in page
    assert 'role="img"' in page


def test_a_diff_without_two_versions_shows_the_form_with_its_error(app: Flask) -> None:
    response = client_as(app, "anonymous").get(URL + "/versjoner/forskjell?fra=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "error-summary" in page and "Velg to versjoner å sammenligne." in page


def test_a_diff_with_an_unknown_version_says_so(app: Flask) -> None:
    page = client_as(app, "anonymous").get(URL + "/versjoner/forskjell?fra=1&til=7").get_data(as_text=True)
    assert "Versjon 7 finnes ikke." in page


def test_restoring_adds_a_new_version_and_keeps_the_old_ones(app: Flask) -> None:
    before = _versions(app)
    response = client_as(app, "owner").post(URL + "/versjoner/1/gjenopprett", data={"comment": ""})
    assert response.status_code == 302
    after = _versions(app)
    assert after[:2] == before
    number, content, restored_from, comment = after[2]
    assert number == 3 and content == before[0][1] and restored_from is not None
    assert "1" in comment


def test_the_quick_editor_saves_a_new_version_with_the_changes(app: Flask) -> None:
    owner = client_as(app, "owner")
    form_page = owner.get(URL + "/rediger").get_data(as_text=True)
    assert 'name="steps-0-label"' in form_page
    with app.app_context():
        latest = db.session.scalars(select(ProcessVersion).where(ProcessVersion.variant_id.is_not(None)).order_by(ProcessVersion.number.desc())).first()
        process = load_process(latest)
    from registry.exports.services import described_steps

    steps = described_steps(process)
    data: dict[str, str] = {"comment": "Nye navn"}
    for i, s in enumerate(steps):
        step = process.step(s.id)
        data.update(
            {
                f"steps-{i}-step_id": s.id,
                f"steps-{i}-label": step.label,
                f"steps-{i}-lane": step.lane or "",
                f"steps-{i}-mode": step.mode.value if step.mode else "",
                f"steps-{i}-system": step.system or "",
                f"steps-{i}-legal_basis": step.legal_basis or "",
            }
        )
    data["steps-1-label"] = "Journalføre <i>straks</i>"
    data["steps-1-mode"] = "digital"
    data["steps-1-system"] = "Elements"
    response = owner.post(URL + "/rediger", data=data)
    assert response.status_code == 302
    versions = _versions(app)
    assert len(versions) == 3 and versions[2][3] == "Nye navn"
    with app.app_context():
        new = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).first()
        edited = load_process(new).step(steps[1].id)
    assert (edited.label, edited.mode, edited.system) == ("Journalføre <i>straks</i>", "digital", "Elements")


def test_the_quick_editor_refuses_an_empty_name_with_a_precise_error(app: Flask) -> None:
    owner = client_as(app, "owner")
    response = owner.post(URL + "/rediger", data={"steps-0-step_id": "x", "steps-0-label": "", "steps-0-mode": "", "comment": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "error-summary" in page and "Hvert steg må ha et navn." in page
    assert len(_versions(app)) == 2


def test_an_unknown_mode_is_a_form_error_not_a_crash(app: Flask) -> None:
    owner = client_as(app, "owner")
    response = owner.post(URL + "/rediger", data={"steps-0-step_id": "x", "steps-0-label": "A", "steps-0-mode": "telepathy"})
    assert response.status_code == 200
    assert len(_versions(app)) == 2
