"""No 500 on odd input: huge integers in URLs and query arguments, NUL characters anywhere.

Each case runs on SQLite (integers beyond 2^63 overflow it) and, with
REGISTRY_TEST_POSTGRES_URL, on PostgreSQL (integers beyond 2^31 and every NUL byte).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from registry.extensions import db
from registry.inputs import MAX_ID, bounded_int
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as, sample

HUGE = "99999999999999999999"  # beyond 2^63
BEYOND_INT4 = str(MAX_ID + 1)  # beyond PostgreSQL's integer
V = "/kommuner/5001/prosesser/byggesak"
CMP = V + "/sammenlign/standard/digi-trondelag"


def _site(uri: str | None) -> Iterator[tuple[Flask, dict[str, Any]]]:
    app = make_app(**({"SQLALCHEMY_DATABASE_URI": uri} if uri else {}))
    ids = build_site(app)
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_site(request: pytest.FixtureRequest) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """build_site on SQLite and on PostgreSQL (skipped without REGISTRY_TEST_POSTGRES_URL)."""
    uri = request.getfixturevalue("postgres_schema_url") if request.param == "postgresql" else None
    yield from _site(uri)


# (role, method, url, expected status)
HUGE_IDS = [
    ("anonymous", "GET", f"/prosessversjoner/{n}/eksport/svg", 404)
    for n in (HUGE, BEYOND_INT4)
] + [
    ("anonymous", "GET", f"/prosessversjoner/{HUGE}/beskrivelse", 404),
    ("anonymous", "GET", f"/prosessversjoner/{HUGE}/beskrivelse.pdf", 404),
    ("owner", "GET", f"/prosessversjoner/{BEYOND_INT4}/original", 404),
    ("anonymous", "GET", f"{V}/versjoner/{HUGE}", 404),
    ("anonymous", "GET", f"{V}/versjoner/{BEYOND_INT4}", 404),
    ("owner", "POST", f"{V}/versjoner/{HUGE}/gjenopprett", 404),
    ("coordinator", "GET", f"/samarbeid/digi-trondelag/standarder/byggesak/versjoner/{HUGE}", 404),
    ("coordinator", "POST", f"/samarbeid/digi-trondelag/standarder/byggesak/versjoner/{BEYOND_INT4}/godkjenn", 404),
    ("admin", "GET", f"/admin/brukere/{HUGE}", 404),
    ("admin", "GET", f"/admin/brukere/{BEYOND_INT4}", 404),
    ("admin", "POST", f"/admin/samarbeid/digi-trondelag/medlemmer/{HUGE}/avslutt", 404),
    ("anonymous", "GET", f"{CMP}?versjon={HUGE}", 400),
    ("anonymous", "GET", f"{CMP}?versjon={BEYOND_INT4}", 400),
    ("anonymous", "GET", f"{CMP}?versjon=-1", 400),
    ("admin", "GET", f"/admin/logg/?side={HUGE}", 400),
    ("admin", "GET", f"/admin/logg/?side={BEYOND_INT4}", 400),
    ("admin", "GET", "/admin/logg/?side=abc", 400),
    ("anonymous", "GET", f"{V}/versjoner/forskjell?fra=1&til={HUGE}", 200),  # the form says what is wrong
    ("anonymous", "GET", f"{V}/versjoner/forskjell?fra={BEYOND_INT4}&til=1", 200),
    ("coordinator", "GET", f"/samarbeid/digi-trondelag/avvik/byggesak?min={HUGE}", 200),
]


@pytest.mark.parametrize(("role", "method", "url", "expected"), HUGE_IDS, ids=[f"{m} {u}" for _r, m, u, _e in HUGE_IDS])
def test_huge_integers_get_a_400_or_404_page(any_site: tuple[Flask, dict[str, Any]], role: str, method: str, url: str, expected: int) -> None:
    app, _ids = any_site
    client = client_as(app, role)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    assert "<html" in page  # the usual page, not a bare error


def test_a_bad_query_argument_is_named_on_the_400_page(site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = site
    page = client_as(app, "anonymous").get(f"{CMP}?versjon={HUGE}").get_data(as_text=True)
    assert "versjon=" in page and "2147483647" in page


def test_a_valid_version_argument_still_works(site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = site
    assert client_as(app, "anonymous").get(f"{CMP}?versjon=1").status_code == 200


NUL_GETS = [
    "/kommuner/%00",
    "/kommuner/50%0001",
    "/kommuner/?q=a%00",
    "/kommuner/?q%00=a",
    "/samarbeid/digi%00",
    f"{V}?sammenlign=5035%00",
    "/prosesstyper/bygg%00esak",
]


@pytest.mark.parametrize("url", NUL_GETS)
def test_nul_in_the_address_is_a_400(any_site: tuple[Flask, dict[str, Any]], url: str) -> None:
    app, _ids = any_site
    response = client_as(app, "anonymous").get(url)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_a_sign_in_email_is_a_400(any_site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = any_site
    response = app.test_client().post("/logg-inn", data={"email": "owner@trondheim.kommune.no\x00", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_a_comment_is_a_400(any_site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = any_site
    response = client_as(app, "owner").post(V + "/rediger", data={"comment": "fin\x00e"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_an_uploaded_file_name_is_a_400(any_site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = any_site
    response = client_as(app, "owner").post(
        V + "/last-opp",
        data={"file": (io.BytesIO(sample("5006")), "ny\x00.yaml"), "format": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "navnet på den opplastede filen" in response.get_data(as_text=True)


def test_nul_in_a_profile_field_is_a_400_and_nothing_changes(any_site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = any_site
    response = client_as(app, "owner").post(
        "/kommuner/5001/rediger", data={"description": "Kvalitets\x00gruppe", "contact_email": ""}
    )
    assert response.status_code == 400
    assert "Kvalitets" not in client_as(app, "anonymous").get("/kommuner/5001").get_data(as_text=True)


@pytest.mark.parametrize("text", ["1", "0", "2147483647", " 42 "])
def test_bounded_int_accepts_whole_numbers_in_range(text: str) -> None:
    assert bounded_int(text) == int(text)


@pytest.mark.parametrize("text", ["", "-1", "2147483648", HUGE, "9" * 5000, "1e3", "٣", "0x10", "1.0"])
def test_bounded_int_refuses_everything_else(text: str) -> None:
    with pytest.raises(ValueError):
        bounded_int(text)


def test_every_integer_in_every_route_is_bounded(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from registry.inputs import BoundedIntegerConverter

    checked = 0
    for rule in app.url_map.iter_rules():
        for name, converter in (rule._converters or {}).items():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, BoundedIntegerConverter), (rule.rule, name)
                assert converter.max is not None and converter.max <= MAX_ID, (rule.rule, name)
                checked += 1
    assert checked >= 10  # versions, users, memberships, standards …
