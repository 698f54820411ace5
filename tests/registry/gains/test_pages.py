"""Gains pages: the stored inputs, the gevinstoversikt per member and cooperation, exports, digital maturity."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.gains.models import GainAssumptionSet, GainModeSaving, GainStepInput
from registry.variants.models import Variant
from tests.registry.divergence.world import ROLES, client_as

MEMBER = "/kommuner/5035/prosesser/byggesak/gevinster"
INPUTS = MEMBER + "/inndata"
COOP = "/samarbeid/digi-trondelag/gevinster/byggesak"
ASSUMPTIONS = "/samarbeid/digi-trondelag/gevinstforutsetninger"
MATURITY = "/samarbeid/digi-trondelag/digital-modenhet"
COORDINATORS = {"coordinator", "admin"}


def _give_figures(app: Flask) -> None:
    """Stjørdal: 200 cases, «Sende faktura» (s5) 30 min; Malvik and Skaun give «Befaring» 60 and 120 min."""
    admin = client_as(app, "admin")
    assert admin.post(ASSUMPTIONS, data={"timekostnad": "700", "kilde": "Illustrativt eksempel"}).status_code == 302
    assert admin.post(INPUTS, data={"saker": "200", "saker_kilde": "Test", "steg5_minutter": "30"}).status_code == 302
    assert admin.post("/kommuner/5031/prosesser/byggesak/gevinster/inndata",
                      data={"saker": "100", "steg2_minutter": "60"}).status_code == 302
    assert admin.post("/kommuner/5029/prosesser/byggesak/gevinster/inndata",
                      data={"saker": "300", "steg2_minutter": "120"}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_edits_what(app: Flask, world: dict[str, Any], role: str) -> None:
    client = client_as(app, role)
    # The member's overview is public, as its change plan is.
    assert client.get(MEMBER).status_code == 200
    own = client.get("/kommuner/5028/prosesser/byggesak/gevinster/inndata").status_code
    other = client.get(INPUTS).status_code
    coop = [client.get(u).status_code for u in (COOP, ASSUMPTIONS, MATURITY)]
    posted = client.post(ASSUMPTIONS, data={"timekostnad": "1"}).status_code
    if role == "anonymous":
        assert own == other == 302 and coop == [302, 302, 302] and posted == 302
    elif role == "admin":
        assert own == other == 200 and coop == [200, 200, 200]
    elif role == "coordinator":
        assert own == other == 403 and coop == [200, 200, 200]
    elif role == "owner":
        assert own == 200 and other == 403 and coop == [403, 403, 403] and posted == 403
    else:
        assert own == other == 403 and coop == [403, 403, 403] and posted == 403
    with app.app_context():
        saved = db.session.scalar(select(GainAssumptionSet))
        assert (saved is not None) == (role in COORDINATORS and posted != 422)


def test_figures_by_hand(app: Flask, world: dict[str, Any]) -> None:
    _give_figures(app)
    html = client_as(app, "anonymous").get(MEMBER).get_data(as_text=True)
    # Sende faktura removed: 200 × 30 min / 60 = 100 h; × 700 = 70 000 kr.
    assert "200 cases/year × 30 min = 100 hours/year saved" in html
    assert "100 hours/year × NOK 700/hour = NOK 70,000/year saved" in html
    assert "Baseline (nullpunkt): version 1" in html
    # Melhus lacks Befaring: the median of Malvik's 60 and Skaun's 120 minutes is 90 (low 60, high 120), with Melhus' cases the median 200.
    melhus = client_as(app, "anonymous", lang="nb").get("/kommuner/5028/prosesser/byggesak/gevinster").get_data(as_text=True)
    assert "medianen av de 2 kommunene som har oppgitt det (=Skaun og Malvik): 90 min (lav 60 min, høy 120 min)" in melhus
    assert "200 saker/år (lav 100, høy 300) × 90 min (lav 60, høy 120) = 300 timer/år mer arbeid (lav 100, høy 600)" in melhus
    assert "Gevinstoversikt" in melhus and "Nullpunkt" in melhus
    coop = client_as(app, "coordinator").get(COOP).get_data(as_text=True)
    # Stjørdal first (+70 000), Melhus last (adds Befaring: 200 × 90 min = −300 h, −210 000 kr).
    assert coop.index("Stjørdal") < coop.index("Melhus")
    assert "70,000" in coop and "-210,000" in coop
    assert "<svg" in coop


def test_bad_input_is_refused_with_the_reason(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    response = admin.post(INPUTS, data={"saker": "12,5", "steg1_minutter": "-3", "steg2_andel": "150"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "whole number from 0 to 10 000 000" in html and "from 0 to 100 000, for example 12,5" in html
    assert "percentage from 0 to 100" in html
    response = admin.post(ASSUMPTIONS, data={"timekostnad": "700", "paper_digital_lav": "50",
                                             "paper_digital_forventet": "30", "paper_digital_hoy": "60"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say where the hourly cost comes from" in html and "Low must be at most expected" in html
    nb = client_as(app, "admin", lang="nb").post(ASSUMPTIONS, data={"manual_digital_lav": "10", "kilde": "x"})
    assert nb.status_code == 422 and "Fyll inn" in nb.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(GainStepInput)).all() == []
        assert db.session.scalars(select(GainModeSaving)).all() == []
        assert db.session.scalar(select(Variant).where(Variant.cases_per_year.is_not(None))) is None


def test_savings_are_stored_as_shares_and_shown_again(app: Flask, world: dict[str, Any]) -> None:
    admin = client_as(app, "admin")
    data = {"timekostnad": "750,5", "kilde": "Illustrativt eksempel", "paper_digital_lav": "20",
            "paper_digital_forventet": "30", "paper_digital_hoy": "50"}
    assert admin.post(ASSUMPTIONS, data=data).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(GainModeSaving))
        assert (row.source_mode, row.target_mode, row.low, row.expected, row.high) == ("paper", "digital", 0.2, 0.3, 0.5)
        assert db.session.scalar(select(GainAssumptionSet)).hourly_cost_nok == 750.5
    html = admin.get(ASSUMPTIONS).get_data(as_text=True)
    assert 'value="30"' in html and "Illustrativt eksempel" in html


def test_exports_read_back(app: Flask, world: dict[str, Any]) -> None:
    _give_figures(app)
    client = client_as(app, "coordinator")
    response = client.get(MEMBER + "/eksport.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    lines = [[c.value for c in row] for row in book["Changes"].iter_rows()]
    faktura = next(r for r in lines if r[2] and "Sende faktura" in r[2])
    assert faktura[4] == 100 and faktura[7] == 70000
    assert "200 cases/year × 30 min = 100 hours/year saved" in faktura[10]
    pdf = client.get(MEMBER + "/eksport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    coop = client.get(COOP + "/eksport.xlsx")
    members = [[c.value for c in row] for row in load_workbook(io.BytesIO(coop.data))["Members"].iter_rows()]
    assert members[1][1] == "Stjørdal" and members[1][6] == 70000
    assert client.get(COOP + "/eksport.pdf").data.startswith(b"%PDF")


def test_maturity_says_unknown_plainly(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MATURITY).get_data(as_text=True)
    # The test world's steps have no mode: all unknown, none counted as digital.
    assert "the mode is not stated" in html and "Selbu" in html and "<svg" in html
    nb = client_as(app, "coordinator", lang="nb").get(MATURITY).get_data(as_text=True)
    assert "Digital modenhet" in nb and "arbeidsmåten ikke oppgitt" in nb
    assert "/digital-modenhet" in client_as(app, "coordinator").get("/samarbeid/digi-trondelag").get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_a_municipalitys_figures(app: Flask, world: dict[str, Any], role: str) -> None:
    response = client_as(app, role).post("/kommuner/5028/prosesser/byggesak/gevinster/inndata",
                                         data={"saker": "120", "steg0_minutter": "5"})
    allowed = role in {"owner", "admin"}
    assert response.status_code == (302 if allowed or role == "anonymous" else 403)
    if role == "anonymous":
        assert "/logg-inn" in response.headers["Location"]
    with app.app_context():
        rows = db.session.scalars(select(GainStepInput)).all()
        assert [(r.step_id, r.work_minutes) for r in rows] == ([("s0", 5.0)] if allowed else [])


def test_figures_are_shown_again_and_removed_when_emptied(app: Flask, world: dict[str, Any]) -> None:
    owner = client_as(app, "owner", lang="nb")
    url = "/kommuner/5028/prosesser/byggesak/gevinster/inndata"
    assert owner.post(url, data={"saker": "1 200", "saker_kilde": "Fagsystemet 2025", "steg1_minutter": "12,5",
                                 "steg1_porto": "15", "steg1_andel": "40"}).status_code == 302
    html = owner.get(url).get_data(as_text=True)
    assert 'value="1200"' in html and 'value="12,5"' in html and 'value="40"' in html
    assert "Fagsystemet 2025" in html and "arbeidstid per sak (minutter)" in html
    with app.app_context():
        row = db.session.scalar(select(GainStepInput))
        assert (row.work_minutes, row.postage_nok, row.case_share) == (12.5, 15.0, 0.4)
    assert owner.post(url, data={"saker": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(GainStepInput)).all() == []
        assert db.session.scalar(select(Variant).where(Variant.cases_per_year.is_not(None))) is None


def test_a_mode_change_by_hand(app: Flask, world: dict[str, Any]) -> None:
    """Stjørdal receives on paper, the standard digitally: 200 × 20 min × 30 % (20–50 %) = 20 h (13,3–33,3)."""
    from processes.formats import write_process
    from processes.model import Flow, Process, Step
    from registry.comparisons.services import latest_version
    from registry.variants.models import Standard
    from tests.registry.divergence.world import save

    with app.app_context():
        def chain(modes: tuple[str, str]) -> bytes:
            p = Process("p", "Byggesak")
            p.add_step(Step("s0", "Motta søknad", mode=modes[0]))
            p.add_step(Step("s1", "Fatte vedtak", mode=modes[1]))
            p.add_flow(Flow("s0", "s1"))
            return write_process(p, "yaml")
        save(db.session.scalar(select(Standard)), chain(("digital", "digital")), status="published")
        variant = next(v for v in db.session.scalars(select(Variant)) if v.municipality.number == "5035")
        save(variant, chain(("paper", "digital")))
        db.session.commit()
        assert latest_version(variant).number == 2
    admin = client_as(app, "admin")
    assert admin.post(ASSUMPTIONS, data={"timekostnad": "600", "kilde": "Test", "paper_digital_lav": "20",
                                         "paper_digital_forventet": "30", "paper_digital_hoy": "50"}).status_code == 302
    assert admin.post(INPUTS, data={"saker": "200", "steg0_minutter": "20", "steg0_porto": "10"}).status_code == 302
    html = client_as(app, "anonymous").get(MEMBER).get_data(as_text=True)
    assert "200 cases/year × 20 min × 30% saved (low 20%, high 50%) = 20 hours/year saved (low 13.3, high 33.3)" in html
    assert "200 cases/year × NOK 10 postage and print = NOK 2,000/year saved" in html
    # 20 h × 600 = 12 000, + 2 000 postage = 14 000 (low 8 000 + 2 000, high 20 000 + 2 000).
    assert "14,000 (low 10,000, high 22,000)" in html
    assert "Baseline (nullpunkt): version 2" in html


def _pdf_text(data: bytes) -> str:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: apt-get install poppler-utils to read the PDF back")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")


def test_the_pdf_reads_back_in_bokmaal(app: Flask, world: dict[str, Any]) -> None:
    _give_figures(app)
    client = client_as(app, "coordinator", lang="nb")
    text = " ".join(_pdf_text(client.get(MEMBER + "/eksport.pdf").data).split())
    assert "Gevinstoversikt" in text and "Stjørdal" in text and "Nullpunkt: versjon 1" in text
    assert "200 saker/år × 30 min = 100 timer/år spart" in text
    assert "Timekostnaden: 700 kr/time (kilde: Illustrativt eksempel)" in text
    coop = " ".join(_pdf_text(client.get(COOP + "/eksport.pdf").data).split())
    assert "Kommunene etter gevinst" in coop and "Timekostnad: 700 kroner (Illustrativt eksempel)." in coop
    book = load_workbook(io.BytesIO(client.get(COOP + "/eksport.xlsx").data))
    assert book.sheetnames == ["Medlemmer", "Endringer", "Forutsetninger"]
    disposition = client.get(MEMBER + "/eksport.xlsx").headers["Content-Disposition"]
    assert "Stj%C3%B8rdal" in disposition
