"""An object-centric event log uploaded as a step table is named for what it is, in the user's language."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask

from registry.extensions import db
from registry.variants.models import PendingUpload
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as

URL = "/kommuner/5001/prosesser/byggesak"
OCEL = (
    b"ocel:eid,ocel:activity,ocel:timestamp,ocel:type:order,ocel:type:item\r\n"
    b"e1,place order,2024-01-01 10:00,o1,i1\r\ne2,pick item,2024-01-01 11:00,,i1\r\n"
)


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    build_site(app, with_variant=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            (
                "ordre.csv ser ut som en objektsentrert hendelseslogg (OCEL), ikke en stegtabell: én rad per hendelse, "
                "med kolonnene ocel:eid, ocel:activity og ocel:timestamp og objektene til hver hendelse i "
                "ocel:type:order, ocel:type:item."
            ),
        ),
        (
            "en",
            (
                "ordre.csv looks like an object-centric event log (OCEL), not a step table: one row per event, with the "
                "columns ocel:eid, ocel:activity and ocel:timestamp and the objects of each event in ocel:type:order, "
                "ocel:type:item."
            ),
        ),
    ],
)
def test_an_ocel_upload_is_refused_with_what_the_file_looks_like(
    app: Flask, language: str, expected: str
) -> None:
    owner = client_as(app, "owner")
    owner.get(f"/sprak/{language}")
    form = {"file": (io.BytesIO(OCEL), "ordre.csv"), "format": ""}
    response = owner.post(
        URL + "/last-opp", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True).replace("\n", " ")
    with app.app_context():
        assert db.session.query(PendingUpload).count() == 0
