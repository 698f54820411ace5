"""Standards: who reads and manages them, upload → preview → draft, approve, publish with dates, history."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.variants.models import ProcessVersion, Standard
from tests.registry.divergence.world import ROLES, STANDARD, chain_bytes, client_as

BASE = "/samarbeid/digi-trondelag/standarder"
SHOW = BASE + "/byggesak"
READERS = {"owner", "coordinator", "admin"}
MANAGERS = {"coordinator", "admin"}


def versions(app: Flask) -> list[ProcessVersion]:
    with app.app_context():
        return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.standard_id.is_not(None)).order_by(ProcessVersion.number)))


def upload(client: Any, labels: tuple[str, ...] = STANDARD + ("Sende faktura",), name: str = "ny.yaml") -> str:
    response = client.post(
        SHOW + "/last-opp", data={"file": (io.BytesIO(chain_bytes(labels)), name), "format": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def add_draft(app: Flask) -> None:
    client = client_as(app, "coordinator")
    preview = upload(client)
    assert client.post(preview, data={"comment": "Faktura til slutt"}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [BASE + "/", SHOW, SHOW + "/versjoner/1"])
def test_who_reads_standards(app: Flask, world: dict[str, Any], role: str, url: str) -> None:
    response = client_as(app, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in READERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Only coordinators of DigiTrøndelag" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_who_uploads_approves_and_publishes(app: Flask, world: dict[str, Any], role: str) -> None:
    add_draft(app)  # version 2, a draft
    client = client_as(app, role)
    responses = [
        client.get(SHOW + "/last-opp"),
        client.post(SHOW + "/versjoner/2/godkjenn"),
        client.post(SHOW + "/versjoner/2/publiser", data={"effective_from": "2030-01-01"}),
    ]
    for response in responses:
        if role == "anonymous":
            assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
        elif role in MANAGERS:
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == 403
    status = versions(app)[1].status
    assert status == ("published" if role in MANAGERS else "draft")


def test_owner_reads_but_sees_no_workflow_buttons(app: Flask, world: dict[str, Any]) -> None:
    add_draft(app)
    html = client_as(app, "owner").get(SHOW).get_data(as_text=True)
    assert "version 2" in html and "/godkjenn" not in html and "Upload a new version" not in html


def test_upload_preview_then_draft_with_comment_and_dates(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    preview = upload(client)
    page = client.get(preview).get_data(as_text=True)
    assert "Nothing is saved yet." in page and "Sende faktura" in page
    assert len(versions(app)) == 1
    response = client.post(preview, data={"comment": "Faktura", "effective_from": "2030-01-01", "effective_to": "2030-12-31"})
    assert response.status_code == 302
    new = versions(app)[1]
    assert (new.number, new.status, new.comment) == (2, "draft", "Faktura")
    assert (new.effective_from, new.effective_to) == (dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    html = client.get(SHOW).get_data(as_text=True)
    assert "Faktura" in html and "draft" in html


def test_broken_upload_says_what_is_wrong_and_saves_nothing(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    response = client.post(
        SHOW + "/last-opp", data={"file": (io.BytesIO(b"<definitions><process"), "brutt.bpmn"), "format": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file brutt.bpmn could not be read (line 1)" in response.get_data(as_text=True)
    assert len(versions(app)) == 1


def test_dates_in_the_wrong_order_are_refused(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    preview = upload(client)
    response = client.post(preview, data={"effective_from": "2030-02-01", "effective_to": "2030-01-01"})
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)
    assert len(versions(app)) == 1


def test_discard_forgets_the_upload(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    preview = upload(client)
    assert client.post(preview + "/forkast").status_code == 302
    assert client.get(preview).status_code == 404
    assert len(versions(app)) == 1


def test_another_coordinator_cannot_open_my_preview(app: Flask, world: dict[str, Any]) -> None:
    preview = upload(client_as(app, "coordinator"))
    assert client_as(app, "admin").get(preview).status_code == 404


def test_workflow_draft_approved_published_and_dates_of_the_previous(app: Flask, world: dict[str, Any]) -> None:
    add_draft(app)
    client = client_as(app, "coordinator")
    # Publishing a draft directly is refused with a reason.
    client.post(SHOW + "/versjoner/2/publiser", data={"effective_from": "2030-01-01"})
    assert versions(app)[1].status == "draft"
    assert "Only an approved version can be published" in client.get(SHOW).get_data(as_text=True)
    client.post(SHOW + "/versjoner/2/godkjenn")
    v2 = versions(app)[1]
    assert v2.status == "approved" and v2.approved_at is not None
    client.post(SHOW + "/versjoner/2/godkjenn")  # approving twice is refused, nothing changes
    assert versions(app)[1].status == "approved"
    client.post(SHOW + "/versjoner/2/publiser", data={"effective_from": "2030-01-01"})
    v1, v2 = versions(app)
    assert v2.status == "published" and v2.effective_from == dt.date(2030, 1, 1) and v2.published_at is not None
    assert v1.status == "published" and v1.effective_to == dt.date(2029, 12, 31)
    with app.app_context():
        actions = [e.changes["status"]["new"] for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "ProcessVersion", AuditEvent.action == "update"))]
    assert actions == ["approved", "published"]


def test_publishing_compares_members_with_the_new_version(app: Flask, world: dict[str, Any]) -> None:
    add_draft(app)
    client = client_as(app, "coordinator")
    client.post(SHOW + "/versjoner/2/godkjenn")
    client.post(SHOW + "/versjoner/2/publiser", data={})
    v2 = versions(app)[1]
    with app.app_context():
        compared = db.session.scalars(select(Comparison).where(Comparison.version_a_id == v2.id)).all()
        assert len(compared) == 4 and all(c.status == "done" for c in compared)
    html = client.get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert "Sende faktura" in html  # the new standard step is a column of the map


def test_history_lists_every_version_newest_first(app: Flask, world: dict[str, Any]) -> None:
    add_draft(app)
    html = client_as(app, "coordinator").get(SHOW).get_data(as_text=True)
    numbers = re.findall(r">version (\d+)</a>", html)
    assert numbers == ["2", "1"]
    assert "(in use)" in html


def test_version_page_has_downloads_and_steps(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "owner").get(SHOW + "/versjoner/1").get_data(as_text=True)
    assert "Befaring" in html and "/eksport/bpmn" in html and "/eksport/pdf" in html
    with app.app_context():
        version_id = db.session.scalar(select(ProcessVersion.id).where(ProcessVersion.standard_id.is_not(None)))
    response = client_as(app, "owner").get(f"/prosessversjoner/{version_id}/eksport/yaml")
    assert response.status_code == 200 and b"Befaring" in response.data


def test_unknown_standard_or_version_is_404(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    assert client.get(SHOW + "/versjoner/9").status_code == 404
    assert client.get("/samarbeid/vaernesregionen/standarder/byggesak").status_code in (403, 404)
    admin = client_as(app, "admin")
    assert admin.get("/samarbeid/vaernesregionen/standarder/byggesak").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Standard).where(Standard.cooperation_id == 2)) is None


@pytest.mark.parametrize("role", ROLES)
def test_cooperation_page_links_standards_for_readers_and_maps_for_coordinators(
    app: Flask, world: dict[str, Any], role: str
) -> None:
    html = client_as(app, role).get("/samarbeid/digi-trondelag").get_data(as_text=True)
    assert ('href="/samarbeid/digi-trondelag/standarder/"' in html) == (role in READERS)
    assert ('href="/samarbeid/digi-trondelag/avvik/"' in html) == (role in MANAGERS)


def test_a_second_click_on_save_draft_is_told_the_upload_is_already_saved(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.standards import views
    from registry.variants.models import PendingUpload

    client = client_as(app, "coordinator")
    preview = upload(client)
    before = len(versions(app))
    real = views._pending_or_404

    def read_then_lose(*args: Any) -> Any:  # the first click's request saves it meanwhile
        pending = real(*args)
        db.session.execute(PendingUpload.__table__.delete().where(PendingUpload.__table__.c.id == pending.id))
        return pending

    monkeypatch.setattr(views, "_pending_or_404", read_then_lose)
    response = client.post(preview, data={"comment": "andre klikk"}, follow_redirects=True)
    assert response.status_code == 200
    assert "This upload has already been saved (or discarded)." in response.get_data(as_text=True)
    assert len(versions(app)) == before
