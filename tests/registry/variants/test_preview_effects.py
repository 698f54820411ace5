"""The upload preview says what saving changes: the difference from the current version and the move against the standard."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from processes.formats import read_process, write_process
from registry.extensions import db
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as, sample

URL = "/kommuner/5001/prosesser/byggesak"


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    build_site(app, with_variant=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _preview(client: Any, data: bytes, filename: str = "p.yaml") -> str:
    response = client.post(URL + "/last-opp", data={"file": (io.BytesIO(data), filename), "format": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def _save(client: Any, data: bytes) -> None:
    assert client.post(_preview(client, data), data={"comment": ""}).status_code == 302


def _percent(page: str, column: int) -> int:
    row = page.split('id="moves-caption"', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = row.split('<td class="number">')
    return int(cells[column].split(" %", 1)[0])


def test_a_first_upload_says_so_and_shows_the_similarity_to_the_standard(app: Flask) -> None:
    page = client_as(app, "owner").get(_preview(client_as(app, "owner"), sample("5001"))).get_data(as_text=True)
    assert "Dette blir den første versjonen av prosessen." in page
    assert "Likhet med standarden i samarbeidet, nå og med opplastingen" in page
    assert "første versjon" in page and 0 < _percent(page, 2) <= 100


def test_a_new_version_lists_its_changes_and_the_move_against_the_standard(app: Flask) -> None:
    owner = client_as(app, "owner")
    _save(owner, sample("5001"))
    # The same process again: no change, the same similarity.
    same = owner.get(_preview(owner, sample("5001"))).get_data(as_text=True)
    assert "er den samme prosessen som versjon 1" in same and "uendret" in same
    # Trondheim uploads the standard itself: it moves to 100 %, and the preview lists what changes.
    closer = owner.get(_preview(owner, sample("standard"), "standard.yaml")).get_data(as_text=True)
    assert "Sammenlignet med versjon 1, den gjeldende:" in closer
    assert _percent(closer, 2) == 100 and _percent(closer, 1) < 100
    assert "prosentpoeng nærmere standarden" in closer
    # A step removed: further from the standard, and the sentence names the step.
    process = read_process(sample("5001"), format="native")
    victim = next(s for s in process.steps if s.is_activity)
    before = [f for f in process.flows if f.target == victim.id]
    after = [f for f in process.flows if f.source == victim.id]
    process.remove_element(victim.id)
    for f in before:
        for g in after:
            process.add_flow(f.replace(target=g.target))
    further = owner.get(_preview(owner, write_process(process, "yaml"))).get_data(as_text=True)
    assert victim.label in further.split('id="effects-heading"', 1)[1].split('id="moves-caption"', 1)[0]
    assert "prosentpoeng lenger fra standarden" in further


def test_a_file_of_another_process_is_flagged_before_saving(app: Flask) -> None:
    owner = client_as(app, "owner")
    _save(owner, sample("5001"))
    other = owner.get(_preview(owner, sample("standard", case="innsyn"), "innsyn.yaml")).get_data(as_text=True)
    assert "Opplastingen har lite til felles med versjon 1" in other and "riktig fil" in other
    # A close version is not flagged.
    close = owner.get(_preview(owner, sample("standard"), "standard.yaml")).get_data(as_text=True)
    assert "lite til felles" not in close
