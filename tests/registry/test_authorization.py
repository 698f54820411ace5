"""The whole matrix of roles × actions, and what a denied user is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.extensions import db
from tests.registry.conftest import (
    create_cooperation_row,
    create_membership_row,
    create_municipality_row,
    create_user_row,
    login,
)

ROLES = ("anonymous", "owner", "other_owner", "coordinator", "other_coordinator", "admin")

EMAILS = {
    "owner": "owner@trondheim.kommune.no",
    "other_owner": "owner@stjordal.kommune.no",
    "coordinator": "coordinator@digi.no",
    "other_coordinator": "coordinator@vaernes.no",
    "admin": "admin@registry.no",
}


@pytest.fixture
def world(app: Flask) -> Flask:
    """Trondheim (with Klæbu merged into it) and Stjørdal; DigiTrøndelag and Værnesregionen; one user per role."""
    with app.app_context():
        trondheim = create_municipality_row(number="5001", name="Trondheim")
        create_municipality_row(
            number="5030", name="Klæbu", valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 12, 31), successors=["5001"]
        )
        stjordal = create_municipality_row(number="5035", name="Stjørdal")
        digi = create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
        vaernes = create_cooperation_row(name="Værnesregionen", slug="vaernesregionen")
        create_membership_row(digi, trondheim)
        create_membership_row(digi, stjordal)
        create_membership_row(vaernes, stjordal)
        create_user_row(email=EMAILS["owner"], name="Tone Eier", owner_of=[trondheim])
        create_user_row(email=EMAILS["other_owner"], name="Stian Eier", owner_of=[stjordal])
        create_user_row(email=EMAILS["coordinator"], name="Kari Koordinator", coordinator_of=[digi])
        create_user_row(email=EMAILS["other_coordinator"], name="Vidar Koordinator", coordinator_of=[vaernes])
        create_user_row(email=EMAILS["admin"], name="Anne Admin", is_admin=True)
        db.session.commit()
    return app


def _client_as(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, EMAILS[role])
    return client


# (action, method, url, form data)
ACTIONS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "view front page": ("GET", "/", None),
    "view municipality": ("GET", "/kommuner/5001", None),
    "view cooperation": ("GET", "/samarbeid/digi-trondelag", None),
    "open own municipality form": ("GET", "/kommuner/5001/rediger", None),
    "edit own municipality": ("POST", "/kommuner/5001/rediger", {"description": "Ny tekst", "contact_email": ""}),
    "edit merged municipality": ("POST", "/kommuner/5030/rediger", {"description": "Klæbu", "contact_email": ""}),
    "edit other municipality": ("POST", "/kommuner/5035/rediger", {"description": "Stjørdal", "contact_email": ""}),
    "edit cooperation description": ("POST", "/samarbeid/digi-trondelag/rediger", {"description": "Ny"}),
    "open admin": ("GET", "/admin/", None),
    "list users": ("GET", "/admin/brukere", None),
    "create user": (
        "POST",
        "/admin/brukere/ny",
        {"name": "Ny Bruker", "email": "ny@kommune.no", "password": "a long new password", "active": "y"},
    ),
    "edit municipality reference data": (
        "POST",
        "/admin/kommuner/5035",
        {"number": "5035", "name": "Stjørdal", "county_number": "50", "county_name": "Trøndelag"},
    ),
    "create cooperation": ("POST", "/admin/samarbeid/ny", {"name": "IKT Agder", "slug": "", "description": ""}),
    "add member": ("POST", "/admin/samarbeid/vaernesregionen/medlemmer", {"member-municipality": "5001", "member-joined_on": "2024-01-01"}),
    "view audit log": ("GET", "/admin/logg/", None),
}

ALLOW, LOGIN, DENY = "allow", "login", "deny"
_ = None  # a readable gap in the table

#                                   anonymous owner  other_owner coordinator other_coord admin
EXPECTED: dict[str, tuple[str, ...]] = {
    "view front page":                  (ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "view municipality":                (ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "view cooperation":                 (ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "open own municipality form":       (LOGIN, ALLOW, DENY, DENY, DENY, ALLOW),
    "edit own municipality":            (LOGIN, ALLOW, DENY, DENY, DENY, ALLOW),
    "edit merged municipality":         (LOGIN, ALLOW, DENY, DENY, DENY, ALLOW),
    "edit other municipality":          (LOGIN, DENY, ALLOW, DENY, DENY, ALLOW),
    "edit cooperation description":     (LOGIN, DENY, DENY, ALLOW, DENY, ALLOW),
    "open admin":                       (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "list users":                       (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "create user":                      (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "edit municipality reference data": (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "create cooperation":               (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "add member":                       (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
    "view audit log":                   (LOGIN, DENY, DENY, DENY, DENY, ALLOW),
}

CASES = [
    pytest.param(action, role, EXPECTED[action][i], id=f"{action}-{role}")
    for action in ACTIONS
    for i, role in enumerate(ROLES)
]


def test_matrix_covers_every_action() -> None:
    assert set(EXPECTED) == set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_role_action_matrix(world: Flask, action: str, role: str, expected: str) -> None:
    method, url, data = ACTIONS[action]
    client = _client_as(world, role)
    response = client.open(url, method=method, data=data)
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith("/logg-inn"), response.status_code
    elif expected == DENY:
        assert response.status_code == 403
    elif method == "GET":
        assert response.status_code == 200
    else:
        # An allowed change is saved and redirects; a form shown again would mean it failed.
        assert response.status_code == 302, response.get_data(as_text=True)
        assert not location.startswith("/logg-inn")


def test_denied_owner_is_told_why(world: Flask) -> None:
    client = _client_as(world, "owner")
    html = client.post("/kommuner/5035/rediger", data={"description": "x"}).get_data(as_text=True)
    assert "Du er prosesseier for 5001 Trondheim, ikke for 5035 Stjørdal." in html
    assert "Du er logget inn som Tone Eier" in html


def test_denied_coordinator_is_told_why_in_admin(world: Flask) -> None:
    html = _client_as(world, "coordinator").get("/admin/").get_data(as_text=True)
    assert "Bare administratorer kan administrere brukere" in html


@pytest.mark.parametrize(
    ("role", "sees_contacts"),
    [("anonymous", False), ("owner", False), ("other_coordinator", False), ("coordinator", True), ("admin", True)],
)
def test_coordinator_sees_the_process_owners_of_all_members(world: Flask, role: str, sees_contacts: bool) -> None:
    html = _client_as(world, role).get("/samarbeid/digi-trondelag").get_data(as_text=True)
    assert ("owner@stjordal.kommune.no" in html) is sees_contacts
    assert ("owner@trondheim.kommune.no" in html) is sees_contacts


@pytest.mark.parametrize(
    ("role", "sees_owners"),
    [
        ("anonymous", False),
        ("owner", True),
        ("other_owner", False),
        ("coordinator", True),
        ("other_coordinator", False),
        ("admin", True),
    ],
)
def test_municipality_page_shows_process_owners_to_its_coordinators(world: Flask, role: str, sees_owners: bool) -> None:
    html = _client_as(world, role).get("/kommuner/5001").get_data(as_text=True)
    assert ("owner@trondheim.kommune.no" in html) is sees_owners
