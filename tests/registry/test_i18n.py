"""Language choice, Norwegian formats and a complete bokmål catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.registry.conftest import create_municipality_row

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "registry" / "translations"


def _lang(client: FlaskClient, **headers: str) -> str:
    html = client.get("/", headers=headers).get_data(as_text=True)
    match = re.search(r'<html lang="(\w+)">', html)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("", "nb"),
        ("nb-NO,nb;q=0.9", "nb"),
        ("no", "nb"),
        ("nn-NO", "nb"),
        ("en-GB,en;q=0.9", "en"),
        ("sv-SE,en;q=0.5", "en"),
        ("de-DE", "nb"),
        ("en;q=0.3,nn;q=0.8", "nb"),
    ],
)
def test_accept_language_decides_without_a_choice(client: FlaskClient, accept_language: str, expected: str) -> None:
    assert _lang(client, **{"Accept-Language": accept_language}) == expected


def test_bokmal_is_the_default_text(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Hopp til hovedinnholdet" in html
    assert ">English</a>" in html


def test_switch_to_english_is_remembered(client: FlaskClient) -> None:
    response = client.get("/sprak/en?next=/kommuner/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kommuner/"
    assert _lang(client, **{"Accept-Language": "nb-NO"}) == "en"
    assert "Skip to main content" in client.get("/").get_data(as_text=True)


def test_switch_back_to_bokmal(client: FlaskClient) -> None:
    client.get("/sprak/en")
    client.get("/sprak/nb")
    assert _lang(client, **{"Accept-Language": "en"}) == "nb"


def test_language_cookie_outlives_the_session(app: Flask) -> None:
    response = app.test_client().get("/sprak/en")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil"])
def test_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = client.get("/sprak/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_404(client: FlaskClient) -> None:
    assert client.get("/sprak/sv").status_code == 404


def test_dates_in_norwegian_and_english(app: Flask) -> None:
    import datetime as dt

    from registry.extensions import db

    with app.app_context():
        create_municipality_row(number="5001", name="Trondheim")
        create_municipality_row(
            number="5030", name="Klæbu", valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 12, 31), successors=["5001"]
        )
        db.session.commit()
    client = app.test_client()
    assert "31. desember 2019" in client.get("/kommuner/5030").get_data(as_text=True)
    client.get("/sprak/en")
    assert "31 December 2019" in client.get("/kommuner/5030").get_data(as_text=True)


def test_numbers_use_norwegian_grouping(app: Flask) -> None:
    with app.test_request_context("/"):
        rendered = app.jinja_env.from_string("{{ 12345|number }} {{ 1.5|number }}").render()
    assert rendered == "12\u00a0345 1,5"


def _catalogue() -> dict[str, object]:
    with (TRANSLATIONS / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale="nb")
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}


def test_every_message_has_a_bokmal_translation() -> None:
    untranslated = []
    for msgid, message in _catalogue().items():
        strings = [message.string] if isinstance(message.string, str) else list(message.string)  # type: ignore[attr-defined]
        if not all(strings) or message.fuzzy:  # type: ignore[attr-defined]
            untranslated.append(msgid)
    assert untranslated == []


def test_catalogue_contains_every_text_in_the_code() -> None:
    # `make messages` extracts and merges; this fails when someone forgot to.
    method_map = [("registry/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    in_code = {
        (message if isinstance(message, str) else message[0])
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords
        )
    }
    missing = sorted(in_code - set(_catalogue()))
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)


def test_compiled_catalogue_is_used(client: FlaskClient) -> None:
    # Fails when the .mo file is missing or stale (make compiles it before run and test).
    assert ">Kommuner</a>" in client.get("/").get_data(as_text=True)
