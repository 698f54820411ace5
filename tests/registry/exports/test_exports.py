"""Downloads of any version are valid files; the printable description as page and PDF."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
import yaml
from flask import Flask
from lxml import etree

from processes.formats import read_process
from registry.extensions import db
from registry.graphs import load_process
from registry.variants.models import ProcessVersion
from tests.registry.process_factories import client_as, sample


def _get(app: Flask, url: str) -> Any:
    response = client_as(app, "anonymous").get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _stored(app: Flask, version_id: int) -> Any:
    with app.app_context():
        return load_process(db.session.get(ProcessVersion, version_id))


@pytest.mark.parametrize("kind", ["variant_version_id", "standard_version_id"])
def test_the_svg_parses_as_xml_and_is_an_attachment(site: Any, kind: str) -> None:
    app, ids = site
    response = _get(app, f"/prosessversjoner/{ids[kind]}/eksport/svg")
    root = etree.fromstring(response.data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert etree.QName(root).localname == "svg"
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"byggesak-")


def test_png_and_pdf_have_their_magic_bytes(site: Any) -> None:
    app, ids = site
    v = ids["variant_version_id"]
    assert _get(app, f"/prosessversjoner/{v}/eksport/png").data.startswith(b"\x89PNG\r\n\x1a\n")
    assert _get(app, f"/prosessversjoner/{v}/eksport/pdf").data.startswith(b"%PDF-")


def test_bpmn_reimports_to_the_same_step_graph_with_a_diagram_layout(site: Any) -> None:
    app, ids = site
    v = ids["variant_version_id"]
    data = _get(app, f"/prosessversjoner/{v}/eksport/bpmn").data
    assert b"BPMNShape" in data and b"dc:Bounds" in data
    again = read_process(data, filename="x.bpmn")
    original = _stored(app, v)
    assert {s.label for s in again.steps} == {s.label for s in original.steps}
    def labelled(process: Any) -> set[tuple[str, str]]:
        g = process.step_graph()
        return {(process.step(a).label, process.step(b).label) for a, b in g.edges}
    assert labelled(again) == labelled(original)


def test_yaml_and_json_round_trip(site: Any) -> None:
    app, ids = site
    v = ids["variant_version_id"]
    original = _stored(app, v)
    for fmt in ("yaml", "json"):
        data = _get(app, f"/prosessversjoner/{v}/eksport/{fmt}").data
        assert read_process(data, filename=f"x.{fmt}") == original
    assert yaml.safe_load(_get(app, f"/prosessversjoner/{v}/eksport/yaml").data)["steps"]


def test_an_unknown_format_or_version_is_404(site: Any) -> None:
    app, ids = site
    client = client_as(app, "anonymous")
    assert client.get(f"/prosessversjoner/{ids['variant_version_id']}/eksport/exe").status_code == 404
    assert client.get("/prosessversjoner/999/eksport/svg").status_code == 404


def test_the_original_upload_is_returned_byte_for_byte(site: Any) -> None:
    app, ids = site
    response = client_as(app, "owner").get(f"/prosessversjoner/{ids['variant_version_id']}/original")
    assert response.data == sample("5001")
    assert response.mimetype == "application/octet-stream"


def test_the_printable_description_lists_every_step_with_its_details(site: Any) -> None:
    app, ids = site
    v = ids["variant_version_id"]
    page = _get(app, f"/prosessversjoner/{v}/beskrivelse").get_data(as_text=True)
    process = _stored(app, v)
    for step in process.steps:
        assert f"<h3>{step.label}</h3>" in page
    with_lane = next(s for s in process.steps if s.lane)
    assert with_lane.lane in page
    assert "exports.css" in page  # the print stylesheet
    assert 'class="step-descriptions"' in page


def test_the_description_pdf_is_a_pdf_with_the_diagram(site: Any) -> None:
    app, ids = site
    data = _get(app, f"/prosessversjoner/{ids['variant_version_id']}/beskrivelse.pdf").data
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    # The diagram is a vector drawing on A4 pages of its own now (test_print_pages.py
    # checks them), no longer a PNG picture: facts, diagram pages, then the steps.
    assert data.count(b"/Type /Page\n") > 2


def test_the_description_pdf_works_without_a_unicode_font(site: Any) -> None:
    from registry.exports.services import _FONT_CANDIDATES, description_pdf

    app, ids = site
    with app.app_context():
        version = db.session.get(ProcessVersion, ids["standard_version_id"])
        data = description_pdf(version, diagram=False, font_path="/nonexistent.ttf") if not any(
            p.is_file() for p in _FONT_CANDIDATES
        ) else _core_font_pdf(version)
    assert data.startswith(b"%PDF-")


def _core_font_pdf(version: Any) -> bytes:
    from unittest import mock

    from registry.exports import services

    with mock.patch.object(services, "_FONT_CANDIDATES", ()):
        return services.description_pdf(version, diagram=False)


def test_markup_in_labels_stays_text_in_the_svg_and_the_description(site: Any) -> None:
    app, _ids = site
    payload = "<script>alert(1)</script>"
    data = (
        "steps:\n  - {id: s, label: Start, kind: start_event}\n"
        f"  - {{id: a, label: '{payload}', lane: '<svg onload=alert(2)>'}}\nflows: ['s -> a']\n"
    ).encode()
    with app.app_context():
        from registry.municipalities.services import get_municipality
        from registry.process_types.services import get_process_type
        from tests.registry.process_factories import create_variant_version

        version = create_variant_version(get_municipality("5035"), get_process_type("byggesak"), data)
        db.session.commit()
        version_id = version.id
    svg = _get(app, f"/prosessversjoner/{version_id}/eksport/svg").data
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    assert not [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in ("script", "foreignObject")]
    # The label is drawn as text (wrapped over lines) and kept whole in the hover text.
    assert "<scri" in "".join(root.itertext())
    assert any(payload in value for e in root.iter() for value in e.attrib.values())
    page = _get(app, f"/prosessversjoner/{version_id}/beskrivelse").get_data(as_text=True)
    assert payload not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert _get(app, f"/prosessversjoner/{version_id}/beskrivelse.pdf").data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Søknad om byggetillatelse – pbl. § 21-4", "Søknad om byggetillatelse - pbl. § 21-4"),
        ("Kárášjohka, Porsáŋgu, Unjárga", "Kárásjohka, Porsángu, Unjárga"),
        ("«Sende nabovarsel» … ✉", "«Sende nabovarsel» ... "),
        ("Čđŧž 漢", "Cdtz ?"),
        (unicodedata.normalize("NFD", "Kárášjohka"), "Kárásjohka"),  # decomposed, as pasted from some systems
        ("Ǥǥ ǯ e\u0328", "Gg z e"),  # Skolt Sámi; a combining ogonek that composes with nothing Latin-1
    ],
)
def test_without_a_unicode_font_the_pdf_text_keeps_as_much_as_latin1_allows(text: str, expected: str) -> None:
    from registry.exports.services import latin1_text

    assert latin1_text(text) == expected
    expected.encode("latin-1")  # the core font can set it
