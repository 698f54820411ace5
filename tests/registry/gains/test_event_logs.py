"""Event logs measure a member's process: cases per year, share of cases and time per step, and what is realised."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.extensions import db
from registry.gains.models import GainEventLog, GainPlan
from tests.registry.divergence.world import ROLES, chain_bytes, client_as
from tests.registry.gains.test_pages import ASSUMPTIONS, INPUTS, MEMBER
from tests.registry.gains.test_plan import PLAN, _line_of

LOG_URL = MEMBER + "/hendelseslogg"


def _csv_log(cases: int = 10, invoiced: int = 5, *, times: bool = True) -> bytes:
    """Stjørdal's cases: started a week apart (the last one on day 70), «Sende faktura» in the first ``invoiced``.

    The first event is on 1 January 2025 and the last on day 73, so 10 cases are 10 × 365 / 73 = 50 a year.
    """
    rows = ["saksnummer;aktivitet;tidspunkt"]
    for i in range(cases):
        start = 70 if i == cases - 1 else 7 * i
        events = [("Motta søknad", start)]
        if i < invoiced:
            events.append(("Sende faktura", start + 2))
        if i in (1, 2):
            events.append(("Ringe kunden", start + 2))
        events.append(("Arkivere", start + 3))
        for activity, day in events:
            when = (dt.date(2025, 1, 1) + dt.timedelta(days=day)).isoformat() + " 08:00" if times else ""
            rows.append(f"2025-{i:03d};{activity};{when}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def _upload(client: Any, data: bytes, name: str = "logg.csv", **fields: str) -> Any:
    return client.post(LOG_URL, data={"logg": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def _count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(GainEventLog)) or 0)


def test_a_log_measures_cases_per_year_and_the_steps_and_the_estimate_uses_it(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    assert admin.post(ASSUMPTIONS, data={"timekostnad": "700", "kilde": "Test"}).status_code == 302
    assert admin.post(INPUTS, data={"steg5_minutter": "30"}).status_code == 302
    response = _upload(admin, _csv_log())
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(GainEventLog))
        assert row is not None and row.cases == 10 and not row.period_given
        # 1 January to 15 March 2025: 73 days, from the first to the last event.
        assert row.period_days == 73
        assert row.first_event.date() == dt.date(2025, 1, 1) and row.last_event.date() == dt.date(2025, 3, 15)
        # No case number, no name: only the discovered process with its counts is kept.
        assert "2025-000" not in str(row.log)
    html = admin.get(INPUTS).get_data(as_text=True)
    assert "logg.csv" in html and "10 cases over 73 days" in html and "50 cases a year" in html
    assert "Ringe kunden" in html  # the activity that is not a step of the process, listed as not counted
    # The estimate takes cases per year and the share of cases with «Sende faktura» from the log.
    nb = client_as(app, "admin", lang="nb").get(MEMBER).get_data(as_text=True).replace("\u00a0", " ")
    assert "Saker per år er målt i hendelsesloggen: 10 saker på 73 dager = 50 saker/år." in nb
    assert "50 %" in nb  # Sende faktura in half of the cases


def test_a_period_typed_in_wins_and_a_log_without_times_needs_one(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    response = _upload(admin, _csv_log(times=False))
    assert response.status_code == 422
    assert "have no times" in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0
    assert _upload(admin, _csv_log(), dager="73").status_code == 302
    with app.app_context():
        row = db.session.scalar(select(GainEventLog))
        assert row is not None and row.period_days == 73 and row.period_given
    nb = client_as(app, "admin", lang="nb").get(MEMBER).get_data(as_text=True).replace("\u00a0", " ")
    assert "10 saker på 73 dager = 50 saker/år" in nb
    # 10 cases in 70 days are 52.14 a year: shown rounded, computed exactly.
    assert _upload(admin, _csv_log(), "juli.csv", dager="70").status_code == 302
    assert "52 cases a year" in admin.get(INPUTS).get_data(as_text=True)
    # A period that is not a whole number of days is refused with what to write instead.
    response = _upload(admin, _csv_log(), dager="tre måneder")
    assert response.status_code == 422 and "whole number from 1 to 36" in response.get_data(as_text=True)


def test_a_drawing_or_a_broken_file_is_refused_with_what_to_do(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    response = _upload(admin, chain_bytes(("Motta søknad", "Fatte vedtak")), "prosess.yaml")
    assert response.status_code == 422
    assert "not an event log" in response.get_data(as_text=True)
    response = _upload(admin, b"\x00\x01 not a log", "logg.xes")
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)
    nb = _upload(client_as(app, "admin", lang="nb"), chain_bytes(("Motta søknad",)), "prosess.yaml")
    assert "ikke en hendelseslogg" in nb.get_data(as_text=True)
    response = admin.post(LOG_URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose an event log" in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_who_may_upload_and_remove_a_log(app: Flask, world: dict[str, Any], role: str) -> None:
    """Stjørdal's process: only the admin here (the owner in the world owns Melhus, the coordinators none)."""
    response = _upload(client_as(app, role), _csv_log())
    if role == "admin":
        assert response.status_code == 302
    else:
        assert response.status_code in (302, 403) and (response.status_code == 403 or "/logg-inn" in response.location
                                                         or "login" in response.location)
        with app.app_context():
            assert _count() == 0


def test_removing_the_newest_log_brings_back_the_one_before(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    assert _upload(admin, _csv_log(), "januar.csv").status_code == 302
    assert _upload(admin, _csv_log(cases=4, invoiced=4), "februar.csv").status_code == 302
    html = admin.get(INPUTS).get_data(as_text=True)
    assert "In use: februar.csv" in html
    with app.app_context():
        newest = db.session.scalar(select(GainEventLog).where(GainEventLog.filename == "februar.csv"))
        assert newest is not None
        newest_id = newest.id
    assert admin.post(f"{LOG_URL}/{newest_id}/slett").status_code == 302
    assert "In use: januar.csv" in admin.get(INPUTS).get_data(as_text=True)
    assert admin.post(f"{LOG_URL}/{newest_id}/slett").status_code == 404
    # Another municipality's log id under this process is not found either.
    owner = client_as(app, "owner")
    assert owner.post(f"/kommuner/5028/prosesser/byggesak/gevinster/hendelseslogg/{newest_id}/slett").status_code == 404


def test_a_new_log_shows_what_is_realised_beside_what_was_expected(app: Flask, world: dict[str, Any]) -> None:
    """Baseline: «Sende faktura» in 5 of 10 cases. A later log has it in 1 of 10: part of its cost is gone."""
    admin = client_as(app, "admin")
    assert admin.post(ASSUMPTIONS, data={"timekostnad": "700", "kilde": "Test"}).status_code == 302
    assert admin.post(INPUTS, data={"saker": "200", "steg5_minutter": "30"}).status_code == 302
    assert _upload(admin, _csv_log(), dager="73").status_code == 302
    n = _line_of(admin.get(PLAN).get_data(as_text=True), "Sende faktura")
    assert admin.post(PLAN, data={f"linje{n}_eier": "Merkantil"}).status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(GainPlan))
        assert plan is not None
        measured = plan.baseline_inputs["measurement"]
        assert measured["cases"] == 10 and {s["step_id"]: s["case_share"] for s in measured["steps"]}["s5"] == 0.5
    assert "Nothing is realised yet" in admin.get(PLAN).get_data(as_text=True)
    assert _upload(admin, _csv_log(invoiced=1), dager="73").status_code == 302
    html = admin.get(PLAN).get_data(as_text=True)
    assert "Nothing is realised yet" not in html
    # Expected: 200 × 0.5 × 30 / 60 = 50 h = 35 000 kr; realised: 200 × (0.5 − 0.1) × 30 / 60 = 40 h = 28 000 kr.
    assert "35,000" in html and "28,000" in html and "Partly realised" in html


def test_a_log_with_a_resource_column_is_read_as_a_log_not_a_step_table(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    rows = ["Saksnr;Aktivitet;Tid;Ansvarlig"] + [
        f"{i};Motta søknad;2025-01-{1 + i:02d} 08:00;Kari\n{i};Arkivere;2025-01-{2 + i:02d} 09:00;Ola" for i in range(5)]
    response = _upload(admin, ("\n".join(rows) + "\n").encode(), "logg.csv",
                       case_column="Saksnr", activity_column="Aktivitet", timestamp_column="Tid")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(GainEventLog))
        assert row is not None and row.cases == 5
        # The audit log keeps the file and its counts, not the discovered process.
        from registry.audit.models import AuditEvent

        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type.in_(("GainEventLog", "gain_event_logs")))).first()
        assert event is not None and "log" not in (event.changes or {}) and "filename" in (event.changes or {})


def test_times_at_the_edge_of_the_calendar_leave_the_period_unknown_not_an_error(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    data = ("saksnummer;aktivitet;tidspunkt\n1;Motta søknad;9999-12-31T23:59:59-05:00\n"
            "2;Motta søknad;0001-01-01T00:00:00+05:00\n").encode()
    response = _upload(admin, data, "logg.csv")
    assert response.status_code == 422
    assert "have no times" in response.get_data(as_text=True)
    assert _upload(admin, data, "logg.csv", dager="365").status_code == 302
