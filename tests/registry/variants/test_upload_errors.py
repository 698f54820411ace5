"""Bad files through the upload page in bokmål: a Norwegian sentence with file and line, no English."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from processes import FormatError
from processes.formats import read_process
from registry.extensions import db
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as

URL = "/kommuner/5001/prosesser/byggesak"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

#: Words of the engine's English that must not reach a bokmål page.
ENGLISH = re.compile(
    r"\b(the|is|not|file|line|row|column|could|cannot|which|there|element|must|has|use|save)\b", re.IGNORECASE
)

# (file name, content, form fields, what the bokmål sentence says, where it says it is)
CORPUS: list[tuple[str, bytes, dict[str, str], str, str]] = [
    (
        "brutt.bpmn",
        f'<?xml version="1.0"?>\n<definitions xmlns="{BPMN}">\n<process id="p">\n<task id="a"'.encode(),
        {},
        "Filen er ikke gyldig XML",
        "linje 4",
    ),
    ("lib.py", b"import os\n\n\ndef main():\n    pass\n", {}, "Den er ikke i et format registeret kan lese", ""),
    (
        "logg.csv",
        b"saksnr;hva\n1;Motta\n",
        {"format": "eventlog_csv", "case_column": "saksnr", "activity_column": "hva", "timestamp_column": "Tid"},
        "Det finnes ingen kolonne «Tid»; kolonnene er: saksnr, hva.",
        "linje 1",
    ),
    (
        "tider.csv",
        b"case_id;activity;timestamp\n1;Motta;2024-01-01 10:00\n1;Vurdere;i morgen tidlig\n",
        {},
        "«i morgen tidlig» i kolonnen «timestamp» er ikke en dato og et klokkeslett",
        "linje 3",
    ),
    ("tom.yaml", b"   \n\n", {}, "Filen er tom.", ""),
    (
        "latin1.yaml",
        "name: Søknad om byggetillatelse\nsteps:\n  - id: a\n".encode("latin-1"),
        {},
        "Teksten er ikke i en tegnkoding registeret kan lese",
        "linje 1",
    ),
    (
        "flyt.yaml",
        b"name: Byggesak\nsteps:\n  - id: motta\n  - id: vurdere\nflows:\n  - motta -> vurdere\n  - vurdere -> vedtak\n",
        {},
        "En flyt går til eller fra «vedtak», som ikke er et steg eller en port i prosessen.",
        "linje 7",
    ),
    (
        "steg.csv",
        "Steg;Neste steg\nMotta søknad;Vurdere\nVurdere;Vedtak\n".encode(),
        {},
        "«Vedtak» er ikke id-en eller navnet til noe steg i tabellen.",
        "rad 3, kolonnen «Neste steg»",
    ),
    (
        "navn.csv",
        "Steg;Neste steg\nMotta søknad;Vurdere\nVurdere;\nVurdere;\n".encode(),
        {},
        "«Vurdere» er navnet på flere rader (rad 3, 4).",
        "rad 2, kolonnen «Neste steg»",
    ),
    (
        "doctype.bpmn",
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e "x">]>\n<definitions xmlns="{BPMN}"/>'.encode(),
        {},
        "Filen har en dokumenttypedeklarasjon (DOCTYPE)",
        "linje 2",
    ),
    (
        "nett.pnml",
        b'<pnml>\n<net id="n">\n<place id="p1"/>\n<arc id="a1" source="p1" target="t9"/>\n</net>\n</pnml>\n',
        {},
        "En flyt går til eller fra «t9»",
        "linje 4, elementet «a1»",
    ),
    (
        "dobbel.yaml",
        b"name: x\nsteps:\n  - id: motta\n  - id: motta\n",
        {},
        "Id-en «motta» er brukt mer enn én gang.",
        "linje 4, elementet «motta»",
    ),
]


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    build_site(app, with_variant=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _upload(client: Any, data: bytes, filename: str, **fields: str) -> Any:
    form = {"file": (io.BytesIO(data), filename), "format": "", **fields}
    return client.post(URL + "/last-opp", data=form, content_type="multipart/form-data")


def _field_error(page: str) -> str:
    match = re.search(r'<p class="field-error" id="file-error">(.*?)</p>', page, re.DOTALL)
    assert match is not None, "no error at the file field"
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return re.sub(r"^(Feil|Error): ", "", text)  # the hidden word for screen readers


def _english(data: bytes, filename: str, fields: dict[str, str]) -> FormatError:
    options = {k: v for k, v in fields.items() if k != "format"}
    with pytest.raises(FormatError) as caught:
        read_process(data, filename=filename, format=fields.get("format") or None, **options)
    return caught.value


@pytest.mark.parametrize(("filename", "data", "fields", "says", "where"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_bad_file_is_refused_in_norwegian_with_file_and_line(
    app: Flask, filename: str, data: bytes, fields: dict[str, str], says: str, where: str
) -> None:
    owner = client_as(app, "owner")
    owner.get("/sprak/nb")
    response = _upload(owner, data, filename, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    text = _field_error(page)
    lead = f"Filen {filename} kunne ikke leses" + (f" ({where})." if where else ".")
    assert text.startswith(lead), text
    assert says in text
    english = _english(data, filename, fields)
    assert english.message not in page and str(english) not in page
    assert ENGLISH.findall(text) == [], text


@pytest.mark.parametrize(("filename", "data", "fields", "says", "where"), CORPUS[:4], ids=[c[0] for c in CORPUS[:4]])
def test_the_same_files_are_refused_in_english_on_an_english_page(
    app: Flask, filename: str, data: bytes, fields: dict[str, str], says: str, where: str
) -> None:
    owner = client_as(app, "owner")
    owner.get("/sprak/en")
    text = _field_error(_upload(owner, data, filename, **fields).get_data(as_text=True))
    assert text.startswith(f"The file {filename} could not be read"), text
    assert says not in text


def test_a_flow_to_an_unknown_step_in_bpmn_is_a_problem_in_norwegian_on_the_preview(app: Flask) -> None:
    bpmn = (
        f'<?xml version="1.0"?>\n<definitions xmlns="{BPMN}">\n<process id="p">\n<startEvent id="s"/>\n'
        '<sequenceFlow id="Flow_1" sourceRef="s" targetRef="Mangler"/>\n</process>\n</definitions>\n'
    ).encode()
    owner = client_as(app, "owner")
    owner.get("/sprak/nb")
    response = _upload(owner, bpmn, "flyt.bpmn")
    assert response.status_code == 302  # readable: the owner sees the problem before saving
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    problems = html.unescape(page[page.index('id="problems-title"') :])
    assert "«Mangler»" in problems and "linje 5" in problems
    assert "leads to an element that does not exist" not in problems
