"""One rule decides who sees a version (authz.can_view_version), in every format and through every route.

Roles × routes for a municipality's version, a published standard version and a draft
standard version; the comparison with a standard whose current version is a draft; and
anonymous comparison pages that never write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.authz import can_view_version
from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.variants.models import ProcessVersion
from tests.registry.conftest import make_app
from tests.registry.process_factories import (
    ROLES,
    build_site,
    client_as,
    create_standard_version,
    create_variant_version,
    sample,
)

OK, DENIED, LOGIN = "ok", "denied", "login"

FORMATS = ("svg", "png", "pdf", "bpmn", "yaml", "json")
ROUTES = [f"eksport/{fmt}" for fmt in FORMATS] + ["beskrivelse", "beskrivelse.pdf"]

EVERYONE = dict.fromkeys(ROLES, OK)
# DigiTrøndelag's coordinator, the process owners of its members (Trondheim, Stjørdal) and admins.
STANDARD_READERS = {
    "anonymous": LOGIN, "owner": OK, "other_owner": OK, "coordinator": OK, "other_coordinator": DENIED, "admin": OK,
}
STANDARD_SOURCE = {
    "anonymous": LOGIN, "owner": DENIED, "other_owner": DENIED, "coordinator": OK, "other_coordinator": DENIED, "admin": OK,
}
VARIANT_SOURCE = {
    "anonymous": LOGIN, "owner": OK, "other_owner": DENIED, "coordinator": OK, "other_coordinator": DENIED, "admin": OK,
}

CMP = "/kommuner/5001/prosesser/byggesak/sammenlign"


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Flask, dict[str, Any]]]:
    """build_site plus a draft version 2 of DigiTrøndelag's standard (read-only for these tests)."""
    app = make_app()
    ids = build_site(app)
    with app.app_context():
        first = db.session.get(ProcessVersion, ids["standard_version_id"])
        assert first is not None and first.standard is not None
        draft = create_standard_version(first.standard.cooperation, first.standard.process_type, status="draft")
        db.session.commit()
        ids["draft_version_id"] = draft.id
    clients = {role: client_as(app, role) for role in ROLES}
    yield app, {**ids, "clients": clients}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _outcome(response: Any) -> str:
    if response.status_code == 302 and "/logg-inn" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code == 200:
        return OK
    if response.status_code == 403:
        return DENIED
    return f"HTTP {response.status_code}"


CASES = [
    (kind, route, expected)
    for kind, expected in (("variant_version_id", EVERYONE), ("standard_version_id", EVERYONE), ("draft_version_id", STANDARD_READERS))
    for route in ROUTES
] + [
    ("variant_version_id", "original", VARIANT_SOURCE),
    ("standard_version_id", "original", STANDARD_SOURCE),
    ("draft_version_id", "original", STANDARD_SOURCE),
]


@pytest.mark.parametrize(("kind", "route", "expected"), CASES, ids=[f"{k.split('_')[0]}-{r}" for k, r, _e in CASES])
def test_every_representation_follows_the_versions_rule(
    world: tuple[Flask, dict[str, Any]], kind: str, route: str, expected: dict[str, str]
) -> None:
    _app, ids = world
    url = f"/prosessversjoner/{ids[kind]}/{route}"
    got = {role: _outcome(client.get(url)) for role, client in ids["clients"].items()}
    assert got == expected


def test_the_rule_itself_matches_the_routes(world: tuple[Flask, dict[str, Any]]) -> None:
    app, ids = world
    from registry.users.models import User
    from tests.registry.process_factories import EMAILS

    with app.app_context():
        draft = db.session.get(ProcessVersion, ids["draft_version_id"])
        for role, expected in STANDARD_READERS.items():
            user = None if role == "anonymous" else db.session.scalar(select(User).where(User.email == EMAILS[role]))
            assert bool(can_view_version(user, draft)) == (expected == OK), role


def test_a_denied_reader_of_a_draft_is_told_why(world: tuple[Flask, dict[str, Any]]) -> None:
    _app, ids = world
    response = ids["clients"]["other_coordinator"].get(f"/prosessversjoner/{ids['draft_version_id']}/eksport/yaml")
    assert response.status_code == 403
    assert "DigiTrøndelag" in response.get_data(as_text=True)


# --- the comparison with a standard whose current version is a draft -------------------------


@pytest.fixture
def draft_only() -> Iterator[Flask]:
    """build_site whose only standard version is a draft (members are compared with the draft)."""
    app = make_app()
    ids = build_site(app)
    with app.app_context():
        version = db.session.get(ProcessVersion, ids["standard_version_id"])
        assert version is not None
        version.status = "draft"
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_comparing_with_a_draft_standard_follows_the_drafts_rule(draft_only: Flask) -> None:
    got = {role: _outcome(client_as(draft_only, role).get(CMP + "/standard/digi-trondelag")) for role in ROLES}
    assert got == STANDARD_READERS


def test_the_variant_page_still_links_the_draft_comparison_for_members(draft_only: Flask) -> None:
    page = client_as(draft_only, "owner").get(CMP + "/standard/digi-trondelag").get_data(as_text=True)
    assert "Trondheim sammenlignet med" in page


# --- anonymous GETs never write ------------------------------------------------------------------


def _comparisons(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Comparison)) or 0)


@pytest.fixture
def two_members() -> Iterator[Flask]:
    """build_site plus Stjørdal's byggesak (versions 1 and 2 of Trondheim's), nothing compared between them."""
    app = make_app()
    build_site(app)
    with app.app_context():
        from registry.municipalities.services import get_municipality
        from registry.process_types.services import get_process_type

        byggesak = get_process_type("byggesak")
        create_variant_version(get_municipality("5035"), byggesak, sample("5035"))
        create_variant_version(get_municipality("5001"), byggesak, sample("5006"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_anonymous_comparison_pages_store_nothing(two_members: Flask) -> None:
    before = _comparisons(two_members)
    client = client_as(two_members, "anonymous")
    urls = [CMP + "/kommune/5035", CMP + "/kommune/5035?versjon=1", CMP + "/standard/digi-trondelag?versjon=1"]
    for _ in range(10):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200
    assert _comparisons(two_members) == before


def test_an_anonymous_visitor_is_told_the_comparison_is_not_computed_yet(two_members: Flask) -> None:
    page = client_as(two_members, "anonymous").get(CMP + "/kommune/5035").get_data(as_text=True)
    assert "ikke beregnet ennå" in page and "/logg-inn?next=" in page


def test_a_signed_in_visitor_gets_the_missing_comparison_computed(two_members: Flask) -> None:
    before = _comparisons(two_members)
    page = client_as(two_members, "other_owner").get(CMP + "/kommune/5035").get_data(as_text=True)
    assert _comparisons(two_members) == before + 1
    assert "Samlet likhet" in page


def test_an_anonymous_visitor_sees_a_stored_comparison(two_members: Flask) -> None:
    page = client_as(two_members, "anonymous").get(CMP + "/standard/digi-trondelag").get_data(as_text=True)
    assert "Samlet likhet" in page  # computed when the version was saved


def test_the_process_type_page_links_a_draft_standard_only_for_its_readers(draft_only: Flask) -> None:
    with draft_only.app_context():
        draft_id = db.session.scalar(select(ProcessVersion.id).where(ProcessVersion.standard_id.is_not(None)))
    link = f'href="/prosessversjoner/{draft_id}/beskrivelse"'
    anonymous = client_as(draft_only, "anonymous").get("/prosesstyper/byggesak").get_data(as_text=True)
    assert link not in anonymous and "versjon 1" in anonymous
    assert link in client_as(draft_only, "owner").get("/prosesstyper/byggesak").get_data(as_text=True)


def test_every_route_with_a_version_id_refuses_an_anonymous_draft(world: tuple[Flask, dict[str, Any]]) -> None:
    """Any route taking a version id (today's exports and any added later) asks the version's rule."""
    app, ids = world
    rules = [r for r in app.url_map.iter_rules() if "version_id" in r.arguments and "GET" in (r.methods or set())]
    assert len(rules) >= 4  # eksport/<fmt>, original, beskrivelse, beskrivelse.pdf
    anonymous = ids["clients"]["anonymous"]
    for rule in rules:
        values = {arg: "svg" if arg == "fmt" else ids["draft_version_id"] for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        response = anonymous.get(url)
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"], (rule.rule, response.status_code)
