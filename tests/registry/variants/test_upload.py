"""Upload → preview → confirm; precise errors for bad files; limits; markup stays text."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import func, select, update

from registry.extensions import db
from registry.variants.models import PendingUpload, ProcessVersion
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site, client_as, sample

URL = "/kommuner/5001/prosesser/byggesak"

MARKUP = "<script>alert(1)</script>"
MARKUP_YAML = (
    "id: x\nname: '<img src=x onerror=alert(2)>'\n"
    "steps:\n"
    "  - {id: s, label: Start, kind: start_event}\n"
    f"  - {{id: a, label: '{MARKUP}', lane: '<b>Saksbehandler</b>', system: 'javascript:alert(3)'}}\n"
    "  - {id: e, label: Slutt, kind: end_event}\n"
    "flows: ['s -> a -> e']\n"
).encode()


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


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_upload_is_previewed_and_saved_only_when_confirmed(app: Flask) -> None:
    owner = client_as(app, "owner")
    versions_before = _count(app, ProcessVersion)
    response = _upload(owner, sample("5001"), "trondheim.yaml")
    assert response.status_code == 302
    preview = owner.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Ingenting er lagret ennå" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "<th scope=\"row\">Journalføre søknaden</th>" in page  # the step list
    assert _count(app, ProcessVersion) == versions_before

    confirmed = owner.post(response.headers["Location"], data={"comment": "Første versjon"})
    assert confirmed.status_code == 302
    assert _count(app, ProcessVersion) == versions_before + 1
    assert _count(app, PendingUpload) == 0
    with app.app_context():
        version = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).first()
        assert version is not None
        assert (version.number, version.comment, version.source_filename) == (1, "Første versjon", "trondheim.yaml")
        assert version.source_data == sample("5001")
        assert version.author is not None and version.author.email.startswith("owner@")


def test_a_discarded_upload_saves_nothing(app: Flask) -> None:
    owner = client_as(app, "owner")
    location = _upload(owner, sample("5001"), "t.yaml").headers["Location"]
    response = owner.post(location + "/forkast")
    assert response.status_code == 302
    assert _count(app, PendingUpload) == 0
    assert _count(app, ProcessVersion) == 1  # only the standard
    assert owner.get(location).status_code == 404


def test_a_broken_file_gets_the_engine_error_with_file_and_line_and_an_error_summary(app: Flask) -> None:
    broken = b'<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<process id="p">\n<task id="a"'
    response = _upload(client_as(app, "owner"), broken, "feil.bpmn")
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # refused: the form again, with its errors
    assert "error-summary" in page
    assert re.search(r"Filen feil\.bpmn kunne ikke leses \(linje \d+\)\. Filen er ikke gyldig XML", page)
    assert _count(app, PendingUpload) == 0


def test_a_file_in_no_known_format_says_which_formats_work(app: Flask) -> None:
    page = _upload(client_as(app, "owner"), b"\x89PNG\r\n\x1a\n0000", "bilde.png").get_data(as_text=True)
    assert "bilde.png" in page and "BPMN" in page and "XES" in page


def test_no_file_chosen(app: Flask) -> None:
    response = client_as(app, "owner").post(URL + "/last-opp", data={"format": ""}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Velg en fil å laste opp." in response.get_data(as_text=True)


def test_an_event_log_is_read_with_the_chosen_columns(app: Flask) -> None:
    log = (
        "saksnr,hva,når\n1,Motta søknad,2024-01-01T10:00\n1,Vurdere,2024-01-02T10:00\n"
        "2,Motta søknad,2024-01-01T11:00\n2,Vurdere,2024-01-03T10:00\n"
    ).encode()
    owner = client_as(app, "owner")
    without = _upload(owner, log, "logg.csv", format="eventlog_csv").get_data(as_text=True)
    assert "Registeret finner ikke ut hvilken kolonne som er aktiviteten" in without
    response = _upload(
        owner, log, "logg.csv", format="eventlog_csv", case_column="saksnr", activity_column="hva", timestamp_column="når"
    )
    page = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Motta søknad" in page and "Vurdere" in page and "hendelseslogg (CSV)" in page


def test_event_log_options_on_another_format_are_reported_as_unused(app: Flask) -> None:
    owner = client_as(app, "owner")
    response = _upload(owner, sample("5001"), "t.yaml", label_attribute="concept:name")
    assert "label_attribute" in owner.get(response.headers["Location"]).get_data(as_text=True)


def test_validation_problems_are_listed_in_norwegian_with_where(app: Flask) -> None:
    dead_end = b"steps:\n  - {id: s, label: Start, kind: start_event}\n  - {id: a, label: Vurdere}\nflows: ['s -> a']\n"
    owner = client_as(app, "owner")
    page = owner.get(_upload(owner, dead_end, "p.yaml").headers["Location"]).get_data(as_text=True)
    assert "Problemer funnet i prosessen" in page
    assert "ingen vei videre" in page and "steget «Vurdere» (id a)" in page


def test_a_file_over_the_size_limit_gets_a_413_page_that_says_the_limit() -> None:
    app = make_app(MAX_CONTENT_LENGTH=2000)
    build_site(app, with_variant=False)
    response = _upload(client_as(app, "owner"), b"x" * 5000, "stor.yaml")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Filen er for stor" in page and "MB" in page


def test_the_number_of_waiting_uploads_is_limited() -> None:
    app = make_app(UPLOAD_MAX_PENDING=2)
    build_site(app, with_variant=False)
    owner = client_as(app, "owner")
    assert _upload(owner, sample("5001"), "1.yaml").status_code == 302
    assert _upload(owner, sample("5001"), "2.yaml").status_code == 302
    third = _upload(owner, sample("5001"), "3.yaml")
    assert third.status_code == 422
    assert "2 opplastinger som venter" in third.get_data(as_text=True)


def test_a_pending_upload_belongs_to_the_user_who_sent_it(app: Flask) -> None:
    location = _upload(client_as(app, "owner"), sample("5001"), "t.yaml").headers["Location"]
    admin = client_as(app, "admin")  # may edit Trondheim, but did not upload this file
    assert admin.get(location).status_code == 404
    assert admin.post(location, data={"comment": "x"}).status_code == 404
    assert client_as(app, "other_owner").get(location).status_code == 403


def test_an_expired_upload_is_gone(app: Flask) -> None:
    owner = client_as(app, "owner")
    location = _upload(owner, sample("5001"), "t.yaml").headers["Location"]
    with app.app_context():
        db.session.execute(update(PendingUpload).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
        db.session.commit()
    response = owner.get(location)
    assert response.status_code == 404
    assert "utløpt" in response.get_data(as_text=True)


def test_a_former_municipality_cannot_get_new_uploads(app: Flask) -> None:
    response = client_as(app, "owner").get("/kommuner/5030/prosesser/byggesak/last-opp")
    assert response.status_code == 404
    assert "Trondheim" in response.get_data(as_text=True)


def _svg_texts(page: str) -> list[str]:
    svg = re.search(r"<svg .*?</svg>", page, re.DOTALL)
    assert svg is not None
    root = etree.fromstring(svg.group(0).encode())
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_markup_in_labels_is_text_in_the_preview_page_and_its_drawing(app: Flask) -> None:
    owner = client_as(app, "owner")
    location = _upload(owner, MARKUP_YAML, "x.yaml").headers["Location"]
    page = owner.get(location).get_data(as_text=True)
    assert MARKUP not in page and "<b>Saksbehandler" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    texts = " ".join(_svg_texts(page))
    assert "<script>" in texts  # the drawing shows the characters, as text nodes
    assert "<script" not in re.search(r"<svg .*?</svg>", page, re.DOTALL).group(0).replace("&lt;script", "")  # type: ignore[union-attr]


def test_markup_in_labels_is_text_on_every_page_after_saving(app: Flask) -> None:
    owner = client_as(app, "owner")
    owner.post(_upload(owner, MARKUP_YAML, "x.yaml").headers["Location"], data={"comment": MARKUP})
    for url in (URL, URL + "/versjoner", URL + "/rediger", URL + "/sammenlign/standard/digi-trondelag"):
        page = owner.get(url).get_data(as_text=True)
        assert MARKUP not in page, url
        assert 'href="javascript' not in page, url


def _steps_in_sample() -> int:
    from processes.formats import read_process

    return len(read_process(sample("5001"), filename="t.yaml").steps)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "t.yaml har {count} steg; en prosess kan ha høyst {limit}. Del den opp i delprosesser"),
        ("en", "t.yaml has {count} steps; a process may have at most {limit}. Split it into sub-processes"),
    ],
)
def test_a_process_with_more_steps_than_the_limit_is_refused_with_both_numbers(language: str, expected: str) -> None:
    count = _steps_in_sample()
    app = make_app(UPLOAD_MAX_STEPS=count - 1)
    build_site(app, with_variant=False)
    owner = client_as(app, "owner")
    owner.get(f"/sprak/{language}")
    response = _upload(owner, sample("5001"), "t.yaml")
    assert response.status_code == 422
    assert expected.format(count=count, limit=count - 1) in response.get_data(as_text=True)
    assert _count(app, PendingUpload) == 0


def test_a_process_at_the_step_limit_is_accepted() -> None:
    app = make_app(UPLOAD_MAX_STEPS=_steps_in_sample())
    build_site(app, with_variant=False)
    assert _upload(client_as(app, "owner"), sample("5001"), "t.yaml").status_code == 302


def test_the_default_step_limit_is_two_thousand(app: Flask) -> None:
    assert app.config["UPLOAD_MAX_STEPS"] == 2000


def _consumed_meanwhile(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    """Let the preview page find its upload, then let 'another click' save it before this one does."""
    real = module._pending_or_404

    def read_then_lose(*args: Any) -> PendingUpload:
        pending = real(*args)
        db.session.execute(
            PendingUpload.__table__.delete().where(PendingUpload.__table__.c.id == pending.id)
        )
        return pending

    monkeypatch.setattr(module, "_pending_or_404", read_then_lose)


def test_the_second_click_on_save_is_told_the_upload_is_already_saved(
    site: tuple[Flask, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.variants import views

    app, _ids = site
    owner = client_as(app, "owner")
    location = _upload(owner, sample("5001"), "t.yaml").headers["Location"]
    versions_before = _count(app, ProcessVersion)
    _consumed_meanwhile(monkeypatch, views)
    response = owner.post(location, data={"comment": "andre klikk"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == URL  # the process page, with the version the first click saved
    assert "Denne opplastingen er allerede lagret" in response.get_data(as_text=True)
    assert _count(app, ProcessVersion) == versions_before  # this click saved nothing


def test_discarding_an_upload_another_click_saved_says_so(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.variants import views

    owner = client_as(app, "owner")
    location = _upload(owner, sample("5001"), "t.yaml").headers["Location"]
    _consumed_meanwhile(monkeypatch, views)
    response = owner.post(location + "/forkast", follow_redirects=True)
    assert response.status_code == 200
    assert "Denne opplastingen er allerede lagret" in response.get_data(as_text=True)


def test_a_gzipped_event_log_that_unpacks_to_too_much_is_refused_with_the_limit(app: Flask) -> None:
    import gzip

    from processes.formats.eventlog import MAX_UNPACKED_BYTES

    case = b'<trace><string key="note" value="' + b"x" * 4000 + b'"/><event><string key="concept:name" value="Motta"/></event></trace>'
    bomb = gzip.compress(b"<log>" + case * (MAX_UNPACKED_BYTES // len(case) + 10) + b"</log>", compresslevel=9)
    assert len(bomb) < 1_000_000  # well under the upload limit
    response = _upload(client_as(app, "owner"), bomb, "logg.xes.gz")
    page = response.get_data(as_text=True)
    assert response.status_code != 302
    limit = f"{MAX_UNPACKED_BYTES:,}".replace(",", "\u00a0")
    assert f"Filen logg.xes.gz kunne ikke leses. Filen pakkes ut til mer enn {limit} byte" in page
    assert _count(app, PendingUpload) == 0
