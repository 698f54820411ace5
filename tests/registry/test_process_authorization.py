"""Roles × actions for process types, municipalities' processes, comparisons and exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from tests.registry.conftest import make_app
from tests.registry.process_factories import ROLES, build_site, client_as, sample

OK, DENIED, LOGIN, NOT_FOUND = "ok", "denied", "login", "not found"

V = "/kommuner/5001/prosesser/byggesak"


def _upload_data() -> dict[str, Any]:
    return {"file": (io.BytesIO(sample("5006")), "ny.yaml"), "format": ""}


def _type_data(role: str) -> dict[str, Any]:
    return {"name_nb": f"Startlån {role}", "name_en": "", "slug": f"startlan-{role.replace('_', '-')}", "legal_basis": "", "k_code": "", "description": ""}


def _everyone() -> dict[str, str]:
    return dict.fromkeys(ROLES, OK)


def _managers() -> dict[str, str]:
    return {"anonymous": LOGIN, "owner": DENIED, "other_owner": DENIED, "coordinator": OK, "other_coordinator": OK, "admin": OK}


def _trondheim_editors() -> dict[str, str]:
    return {"anonymous": LOGIN, "owner": OK, "other_owner": DENIED, "coordinator": DENIED, "other_coordinator": DENIED, "admin": OK}


def _source_viewers() -> dict[str, str]:
    return {"anonymous": LOGIN, "owner": OK, "other_owner": DENIED, "coordinator": OK, "other_coordinator": DENIED, "admin": OK}


# action: (method, url, form data (or a function of the role), expected per role)
ACTIONS: dict[str, tuple[str, str, Any, dict[str, str]]] = {
    "list process types": ("GET", "/prosesstyper/", None, _everyone()),
    "view process type": ("GET", "/prosesstyper/byggesak", None, _everyone()),
    "open new process type form": ("GET", "/prosesstyper/ny", None, _managers()),
    "create process type": ("POST", "/prosesstyper/ny", _type_data, _managers()),
    "edit process type": (
        "POST",
        "/prosesstyper/byggesak/rediger",
        lambda role: {"name_nb": "Byggesak", "slug": "byggesak", "name_en": "", "legal_basis": "pbl", "k_code": "", "description": ""},
        _managers(),
    ),
    "list a municipality's processes": ("GET", "/kommuner/5001/prosesser/", None, _everyone()),
    "view a process": ("GET", V, None, _everyone()),
    "view version history": ("GET", V + "/versjoner", None, _everyone()),
    "view an old version": ("GET", V + "/versjoner/1", None, _everyone()),
    "view the diff of two versions": ("GET", V + "/versjoner/forskjell?fra=1&til=2", None, _everyone()),
    "open upload form": ("GET", V + "/last-opp", None, _trondheim_editors()),
    "upload a file": ("POST", V + "/last-opp", lambda role: _upload_data(), _trondheim_editors()),
    "restore a version": ("POST", V + "/versjoner/1/gjenopprett", {"comment": ""}, _trondheim_editors()),
    "open quick editor": ("GET", V + "/rediger", None, _trondheim_editors()),
    "save quick edit": ("POST", V + "/rediger", {"comment": "x"}, _trondheim_editors()),
    "view comparison with the standard": ("GET", V + "/sammenlign/standard/digi-trondelag", None, _everyone()),
    "decide on a correspondence": (
        "POST",
        V + "/sammenlign/standard/digi-trondelag",
        {"a_steps": "mottatt", "b_steps": "BYG-H010", "decision": "confirmed"},
        _trondheim_editors(),
    ),
    "download SVG": ("GET", "/prosessversjoner/{variant_version_id}/eksport/svg", None, _everyone()),
    "view printable description": ("GET", "/prosessversjoner/{variant_version_id}/beskrivelse", None, _everyone()),
    "download the original upload": ("GET", "/prosessversjoner/{variant_version_id}/original", None, _source_viewers()),
    "download a standard's original upload": (
        "GET",
        "/prosessversjoner/{standard_version_id}/original",
        None,
        {"anonymous": LOGIN, "owner": DENIED, "other_owner": DENIED, "coordinator": OK, "other_coordinator": DENIED, "admin": OK},
    ),
}


@pytest.fixture
def site_app() -> Any:
    app = make_app()
    ids = build_site(app)
    with app.app_context():
        from registry.extensions import db
        from registry.variants.models import ProcessVersion
        from tests.registry.process_factories import create_variant_version

        first = db.session.get(ProcessVersion, ids["variant_version_id"])
        assert first is not None
        create_variant_version(first.variant.municipality, first.variant.process_type, sample("5006"))
        db.session.commit()
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _outcome(response: Any) -> str:
    if response.status_code == 302 and "/logg-inn" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (200, 302):
        return OK
    if response.status_code == 403:
        return DENIED
    if response.status_code == 404:
        return NOT_FOUND
    return f"HTTP {response.status_code}"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_matrix(site_app: tuple[Flask, dict[str, Any]], action: str) -> None:
    app, ids = site_app
    method, url, data, expected = ACTIONS[action]
    url = url.format(**ids)
    got = {}
    for role in ROLES:
        client = client_as(app, role)
        payload = data(role) if callable(data) else data
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=payload, content_type="multipart/form-data" if "file" in (payload or {}) else None)
        got[role] = _outcome(response)
        if got[role] == OK and response.status_code == 200 and method == "POST":
            # A POST that answers 200 re-rendered its form: that is a validation error, not success.
            got[role] = "form error: " + response.get_data(as_text=True)[:200]
    assert got == expected


def test_a_denied_process_owner_is_told_why(site_app: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = site_app
    response = client_as(app, "other_owner").get(V + "/last-opp")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "Stjørdal" in text and "Trondheim" in text
