"""The main menu marks where a page belongs: aria-current="page" on the page itself, "true" in its section."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.registry.process_factories import client_as


def current_items(html: str) -> dict[str, str]:
    """{menu label: aria-current value} of the marked items of the main menu."""
    menu = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return {label: value for value, label in re.findall(r'aria-current="([^"]+)">([^<]+)</a>', menu)}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", {"Forside": "page"}),
        ("/kommuner/", {"Kommuner": "page"}),
        ("/kommuner/5001", {"Kommuner": "true"}),
        ("/kommuner/5001/prosesser/byggesak", {"Kommuner": "true"}),
        ("/kommuner/5001/prosesser/byggesak/versjoner", {"Kommuner": "true"}),
        ("/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag", {"Kommuner": "true"}),
        ("/samarbeid/", {"Samarbeid": "page"}),
        ("/samarbeid/digi-trondelag", {"Samarbeid": "true"}),
        ("/samarbeid/digi-trondelag/standarder/byggesak", {"Samarbeid": "true"}),
        ("/samarbeid/digi-trondelag/avvik/byggesak", {"Samarbeid": "true"}),
        ("/prosesstyper/", {"Prosesstyper": "page"}),
        ("/admin/logg/", {"Administrasjon": "true"}),
    ],
)
def test_the_menu_marks_the_section_of_each_page(site: tuple[Flask, dict[str, Any]], path: str, expected: dict[str, str]) -> None:
    app, _ids = site
    response = client_as(app, "admin").get(path)
    assert response.status_code == 200, path
    assert current_items(response.get_data(as_text=True)) == expected


def test_a_description_belongs_to_the_municipality_or_the_cooperation_of_its_process(
    site: tuple[Flask, dict[str, Any]],
) -> None:
    app, ids = site
    admin = client_as(app, "admin")
    variant = admin.get(f"/prosessversjoner/{ids['variant_version_id']}/beskrivelse").get_data(as_text=True)
    standard = admin.get(f"/prosessversjoner/{ids['standard_version_id']}/beskrivelse").get_data(as_text=True)
    assert current_items(variant) == {"Kommuner": "true"}
    assert current_items(standard) == {"Samarbeid": "true"}


def test_the_current_page_is_marked_when_the_app_is_served_under_a_prefix(site: tuple[Flask, dict[str, Any]]) -> None:
    app, _ids = site
    html = app.test_client().get("/kommuner/", environ_overrides={"SCRIPT_NAME": "/register"}).get_data(as_text=True)
    assert 'href="/register/kommuner/"' in html
    assert current_items(html) == {"Kommuner": "page"}
