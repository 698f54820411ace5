"""The proposed common standard page, making it a draft, and members' change plans."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.variants.models import ProcessVersion, Standard
from tests.registry.divergence.world import ROLES, chain_bytes, client_as, save

PROPOSAL = "/samarbeid/digi-trondelag/forslag/byggesak"
DRAFT = PROPOSAL + "/utkast"
PLAN = "/kommuner/5028/prosesser/byggesak/endringsplan"
ALLOWED = {"coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_proposal(app: Flask, world: dict[str, Any], role: str) -> None:
    response = client_as(app, role).get(PROPOSAL)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_proposal_shows_support_and_alternatives(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(PROPOSAL).get_data(as_text=True)
    assert "Proposed common standard: Building permit" in html
    assert "The members agree with the current standard (version 1)" in html
    # Befaring: three of the four members with a process have it.
    assert "Befaring" in html and "3 of 4" in html
    # Malvik calls the decision something else, and the page says who.
    assert "«Treffe avgjørelse i saken»: Malvik" in html
    # Stjørdal's extra step is left out, with its support.
    assert "Steps left out" in html and "Sende faktura" in html and "1 of 4" in html
    assert "<svg" in html and "(4 of 4)" in html
    # Nothing to change: no button to save the standard again as a draft.
    assert "Make it a draft of the standard" not in html


def test_proposal_page_in_norwegian(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator", lang="nb").get(PROPOSAL).get_data(as_text=True)
    assert "Forslag til felles standard" in html and "3 av 4" in html
    assert "Med forslaget må de 4 kommunene gjøre" in html


def test_a_departure_from_the_standard_is_explained(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        standard = db.session.scalar(select(Standard))
        # A newer standard without the site visit that most members do.
        save(standard, chain_bytes(("Motta søknad", "Registrere søknaden", "Vurdere søknaden", "Fatte vedtak", "Arkivere")),
             status="published")
        db.session.commit()
    html = client_as(app, "coordinator").get(PROPOSAL).get_data(as_text=True)
    assert "is included: 3 of 4 municipalities have it, but the standard lacks it." in html
    assert "Make it a draft of the standard" in html


def test_bad_settings_answer_422_with_the_reason(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get(PROPOSAL + "?oppslutning=50&avstand=-3")
    assert response.status_code == 422
    assert "Give a whole number from 0 to 10,000." in response.get_data(as_text=True)
    response = client_as(app, "coordinator").get(PROPOSAL + "?oppslutning=33")
    assert response.status_code == 422


def test_a_limit_needs_a_standard(app: Flask, world: dict[str, Any]) -> None:
    url = "/samarbeid/vaernesregionen/forslag/byggesak"
    client = client_as(app, "other_coordinator")
    assert "has no standard for this process yet" in client.get(url).get_data(as_text=True)
    response = client.get(url + "?oppslutning=50&avstand=2")
    assert response.status_code == 422
    assert "needs a standard" in response.get_data(as_text=True)


def test_higher_minimum_support_leaves_a_step_out(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(PROPOSAL + "?oppslutning=90").get_data(as_text=True)
    table = html.split("Steps left out", 1)[1]
    assert "Befaring" in table


@pytest.mark.parametrize("role", ROLES)
def test_who_may_make_a_draft(app: Flask, world: dict[str, Any], role: str) -> None:
    response = client_as(app, role).post(DRAFT, data={"oppslutning": "50"})
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 302 and "/standarder/byggesak/versjoner/2" in response.headers["Location"]
    else:
        assert response.status_code == 403


def test_a_draft_records_where_it_came_from(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    response = client.post(DRAFT, data={"oppslutning": "75"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The proposal is saved as draft version 2 of the standard." in html
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.number == 2,
                                                                 ProcessVersion.standard_id.is_not(None)))
        assert version is not None and version.status == "draft"
        assert "minste oppslutning 75 %" in version.comment and "Melhus v1" in version.comment
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.note == "proposal"))
        assert event is not None and event.object_id == str(version.id)
        provenance = event.changes["provenance"]["new"]
        assert provenance["settings"]["min_support"] == 0.75
        assert set(provenance["member_versions"]) == {"Melhus", "Malvik", "Stjørdal", "=Skaun"}


def test_bad_draft_settings_are_refused(app: Flask, world: dict[str, Any]) -> None:
    assert client_as(app, "coordinator").post(DRAFT, data={"oppslutning": "12"}).status_code == 400


def test_a_members_change_plan(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Change plan: Building permit" in html
    assert "Add the step “Befaring” after “Registrere søknaden”." in html
    assert "Malvik, Stjørdal and =Skaun already do this." in html or "=Skaun, Malvik and Stjørdal already do this." in html
    assert "with medium effort" in html or "medium effort" in html
    assert "/sammenlign/standard/digi-trondelag" in html


def test_the_change_plan_in_norwegian(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "anonymous", lang="nb").get(PLAN).get_data(as_text=True)
    assert "Endringsplan" in html and "Legg til steget «Befaring» etter «Registrere søknaden»." in html
    assert "middels innsats" in html


def test_a_plan_against_a_draft_standard_needs_a_reader(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.standard_id.is_not(None)))
        assert version is not None
        version.status = "draft"
        db.session.commit()
    anonymous = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Befaring" not in anonymous and "Sign in as a process owner" in anonymous
    owner = client_as(app, "owner").get(PLAN).get_data(as_text=True)
    assert "Add the step “Befaring”" in owner


def test_a_process_that_follows_the_standard_has_nothing_to_change(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "anonymous").get("/kommuner/5029/prosesser/byggesak/endringsplan").get_data(as_text=True)
    assert "Nothing to change" in html


def test_the_process_page_links_to_its_change_plan(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "anonymous").get("/kommuner/5028/prosesser/byggesak").get_data(as_text=True)
    assert "/kommuner/5028/prosesser/byggesak/endringsplan#plan-digi-trondelag" in html
    assert client_as(app, "anonymous").get("/kommuner/5032/prosesser/byggesak/endringsplan").status_code == 404
