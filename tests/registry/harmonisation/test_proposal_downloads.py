"""The proposal as a file: exactly what the page showed, in every format the standards have."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from processes.formats import read_process
from tests.registry.divergence.world import ROLES, client_as

PROPOSAL = "/samarbeid/digi-trondelag/forslag/byggesak"


@pytest.mark.parametrize("fmt", ["bpmn", "svg", "png", "pdf", "yaml", "json"])
def test_the_proposal_downloads_in_every_format(app: Flask, world: dict[str, Any], fmt: str) -> None:
    coordinator = client_as(app, "coordinator")
    page = coordinator.get(PROPOSAL + "?oppslutning=75").get_data(as_text=True)
    assert f"/forslag/byggesak.{fmt}?oppslutning=75" in page
    response = coordinator.get(f"{PROPOSAL}.{fmt}?oppslutning=75")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    if fmt in ("bpmn", "yaml", "json"):
        process = read_process(data, format="bpmn" if fmt == "bpmn" else "native")
        labels = [s.label for s in process.steps]
        # At 75 %, «Sende faktura» (1 of 4) is left out and «Befaring» (3 of 4) is in.
        assert "Befaring" in labels and "Sende faktura" not in labels
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data[:500]


def test_other_settings_download_their_own_proposal(app: Flask, world: dict[str, Any]) -> None:
    coordinator = client_as(app, "coordinator")
    coordinator.get(PROPOSAL + "?oppslutning=90")
    strict = json.loads(coordinator.get(PROPOSAL + ".json?oppslutning=90").get_data())
    coordinator.get(PROPOSAL)
    loose = json.loads(coordinator.get(PROPOSAL + ".json").get_data())
    assert strict != loose


def test_a_proposal_not_shown_yet_sends_the_coordinator_to_the_page(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get(PROPOSAL + ".bpmn?oppslutning=60")
    assert response.status_code == 302 and "/forslag/byggesak?oppslutning=60" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_download_the_proposal(app: Flask, world: dict[str, Any], role: str) -> None:
    client_as(app, "coordinator").get(PROPOSAL)
    status = client_as(app, role).get(PROPOSAL + ".yaml").status_code
    assert (status == 200) is (role in {"coordinator", "admin"})


def test_bad_settings_or_format_are_refused(app: Flask, world: dict[str, Any]) -> None:
    coordinator = client_as(app, "coordinator")
    assert coordinator.get(PROPOSAL + ".docx").status_code == 404
    assert coordinator.get(PROPOSAL + ".bpmn?oppslutning=12").status_code == 400
    assert coordinator.get(PROPOSAL + ".bpmn?vekt=population").status_code == 400


def test_a_members_plan_against_the_proposal(app: Flask, world: dict[str, Any]) -> None:
    coordinator = client_as(app, "coordinator")
    page = coordinator.get(PROPOSAL + "?oppslutning=90").get_data(as_text=True)
    assert 'action="/samarbeid/digi-trondelag/forslag/byggesak/endringsplan"' in page
    # Melhus, Malvik, Stjørdal, =Skaun in Norwegian order: '=' first, then M…, S….
    assert page.index(">=Skaun<") < page.index(">Malvik<") < page.index(">Melhus<") < page.index(">Stjørdal<")
    url = PROPOSAL + "/endringsplan?oppslutning=90&kommune=5028"
    html = coordinator.get(url).get_data(as_text=True)
    # At 90 %, «Befaring» (3 of 4) is not in the proposal, so Melhus (without it) has nothing to add.
    assert "against the proposal" in html and "Befaring" not in html.split("<main", 1)[1].split("</main>")[0]
    standard = client_as(app, "coordinator").get("/kommuner/5028/prosesser/byggesak/endringsplan").get_data(as_text=True)
    assert "Add the step “Befaring”" in standard
    assert client_as(app, "owner").get(url).status_code == 403
    assert coordinator.get(PROPOSAL + "/endringsplan?kommune=5032").status_code == 404  # Selbu: no process
    assert coordinator.get(PROPOSAL + "/endringsplan?kommune=5028&oppslutning=7").status_code == 400
