"""An uploaded event log is saved as a discovered process with gateways and each step's share of cases."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.variants.models import ProcessVersion
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as

URL = "/kommuner/5001/prosesser/byggesak"


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app()
    build_site(app, with_variant=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _xes(cases: list[list[str]]) -> bytes:
    body = "".join(
        "<trace>" + "".join(f'<event><string key="concept:name" value="{a}"/></event>' for a in case) + "</trace>"
        for case in cases
    )
    return f'<?xml version="1.0"?><log xes.version="1.0">{body}</log>'.encode()


def _upload(client: Any, data: bytes) -> Any:
    form = {"file": (io.BytesIO(data), "logg.xes"), "format": ""}
    return client.post(URL + "/last-opp", data=form, content_type="multipart/form-data")


def test_an_event_log_is_saved_as_a_process_with_choices_and_shares(app: Flask) -> None:
    log = _xes([["Motta søknad", "Vurdere", "Vedtak"]] * 6 + [["Motta søknad", "Befaring", "Vurdere", "Avslag"]] * 2)
    owner = client_as(app, "owner")
    response = _upload(owner, log)
    assert response.status_code == 302
    preview = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Befaring" in preview and "Vedtak" in preview
    assert owner.post(response.headers["Location"], data={"comment": "Fra loggen"}).status_code == 302
    with app.app_context():
        version = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).first()
        assert version is not None
        stored = yaml.safe_load(version.content)
    kinds = sorted(g["kind"] for g in stored.get("gateways", []))
    assert kinds and set(kinds) == {"exclusive"}
    befaring = next(s for s in stored["steps"] if s["id"] == "Befaring")
    assert befaring["metrics"]["case_share"] == 0.25 and befaring["metrics"]["cases"] == 2
