"""Change plans as CSV, XLSX and PDF: one municipality's, and every member's for the coordinator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.harmonisation.models import ChangeFollowUp, JustifiedDeviation
from registry.municipalities.models import Municipality
from registry.users.models import User
from registry.variants.models import ProcessVersion, Variant
from tests.registry.divergence.world import EMAILS, ROLES, chain_bytes, client_as, save

PLAN = "/kommuner/5028/prosesser/byggesak/endringsplan"
STJORDAL = "/kommuner/5035/prosesser/byggesak/endringsplan"
PLANS = "/samarbeid/digi-trondelag/endringsplaner/byggesak"
ALLOWED = {"coordinator", "admin"}
BEFARING = "Add the step “Befaring” after “Registrere søknaden”."
REASON = "=Særskilt lovkrav: fakturaen må sendes på papir"


def _variant(number: str) -> Variant:
    municipality = db.session.scalar(select(Municipality).where(Municipality.number == number))
    variant = db.session.scalar(select(Variant).where(Variant.municipality_id == municipality.id))
    assert variant is not None
    return variant


def _digi(variant: Variant) -> Cooperation:
    cooperation = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
    assert cooperation is not None
    return cooperation


def _plan_key(app: Flask, number: str, text: str) -> str:
    """The stored key of the change of ``number``'s plan whose bokmål sentence is ``text``."""
    from registry.comparisons.services import latest_version
    from registry.harmonisation.followup import change_key
    from registry.harmonisation.services import plans_for_variant

    variant = _variant(number)
    (mp,) = plans_for_variant(variant, latest_version(variant), cooperation=_digi(variant))
    change = next(c for c in (*mp.plan.changes, *mp.plan.justified) if c.text("nb") == text)
    return change_key(change, mp.plan).encode()


def _plan_befaring(app: Flask, *, note: str = "Vi tar det i vårmøtet") -> None:
    """Melhus's owner plans the site visit for 1 March 2027."""
    with app.app_context():
        variant = _variant("5028")
        owner = db.session.scalar(select(User).where(User.email == EMAILS["owner"]))
        db.session.add(
            ChangeFollowUp(
                variant_id=variant.id,
                cooperation_id=_digi(variant).id,
                change_key=_plan_key(app, "5028", "Legg til steget «Befaring» etter «Registrere søknaden»."),
                change_text="Legg til steget «Befaring» etter «Registrere søknaden».",
                status="planned",
                planned_for=dt.date(2027, 3, 1),
                note=note,
                set_by_id=owner.id,
                set_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
            )
        )
        db.session.commit()


def _justify_invoice(app: Flask, reason: str = REASON) -> None:
    """Stjørdal keeps its own step «Sende faktura»: a justified deviation."""
    with app.app_context():
        variant = _variant("5035")
        db.session.add(
            JustifiedDeviation(
                variant_id=variant.id,
                cooperation_id=_digi(variant).id,
                variant_step_label="Sende faktura",
                category="law",
                reason=reason,
                valid_until=dt.date(2027, 12, 31),
            )
        )
        db.session.commit()


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _pdf_text(data: bytes, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: apt-get install poppler-utils to read the PDF back")
    result = subprocess.run(["pdftotext", "-layout", *args, "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


# --- who may download ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("role", ["anonymous", "owner", "coordinator"])
def test_a_plan_against_a_published_standard_is_public(app: Flask, world: dict[str, Any], role: str, fmt: str) -> None:
    response = client_as(app, role).get(f"{PLAN}.{fmt}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename="endringsplan-5028-melhus-byggesak-{dt.date.today().isoformat()}.{fmt}"' in (
        response.headers["Content-Disposition"]
    )


@pytest.mark.parametrize("role", ["anonymous", "nobody", "owner", "coordinator"])
def test_a_plan_against_a_draft_standard_needs_a_reader(app: Flask, world: dict[str, Any], role: str) -> None:
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.standard_id.is_not(None)))
        assert version is not None
        version.status = "draft"
        db.session.commit()
    response = client_as(app, role).get(f"{PLAN}.csv")
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role == "nobody":
        assert response.status_code == 403
        assert "Befaring" not in response.get_data(as_text=True)
    else:
        assert response.status_code == 200
        assert any(r["Change"] == BEFARING for r in _csv_rows(response.data))


def test_no_plan_to_download_says_why(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "anonymous").get("/kommuner/5032/prosesser/byggesak/endringsplan.csv")
    assert response.status_code == 404
    assert "Selbu has not described this process yet." in response.get_data(as_text=True)
    assert client_as(app, "anonymous").get(f"{PLAN}.docx").status_code == 404


def test_one_cooperations_plan_and_the_plan_on_a_day(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "anonymous")
    rows = _csv_rows(client.get(f"{STJORDAL}.csv?samarbeid=digi-trondelag").data)
    assert rows and {r["Cooperation"] for r in rows} == {"DigiTrøndelag"}
    # Værnesregionen has no standard: no plan towards it.
    assert client.get(f"{STJORDAL}.csv?samarbeid=vaernesregionen").status_code == 404
    with app.app_context():
        standard = db.session.scalar(select(ProcessVersion).where(ProcessVersion.standard_id.is_not(None)))
        assert standard is not None
        standard.published_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    today = dt.date.today().isoformat()
    response = client.get(f"{PLAN}.csv?dato={today}")
    assert response.status_code == 200 and any(r["Change"] == BEFARING for r in _csv_rows(response.data))
    response = client.get(f"{PLAN}.pdf?dato=2001-01-01")
    assert response.status_code == 404 and "Melhus had not described this process by" in response.get_data(as_text=True)
    response = client.get(f"{PLAN}.xlsx?dato=i-går")
    assert response.status_code == 400 and "is not a date" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["", ".csv", ".xlsx", ".pdf"])
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_all_members_plans(app: Flask, world: dict[str, Any], role: str, path: str) -> None:
    response = client_as(app, role).get(PLANS + path)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


# --- what the files say ----------------------------------------------------------------------------


def test_the_csv_has_one_row_per_change_with_its_follow_up(app: Flask, world: dict[str, Any]) -> None:
    _plan_befaring(app)
    rows = _csv_rows(client_as(app, "anonymous").get(f"{PLAN}.csv").data)
    assert list(rows[0]) == [
        "Cooperation", "No.", "Change", "Kind of change", "Effort", "Already done by", "Status", "Planned for",
        "Set by", "Set at", "Done automatically in version", "Note", "Reason category", "Reason", "Valid until",
    ]  # fmt: skip
    befaring = next(r for r in rows if r["Change"] == BEFARING)
    assert befaring["Cooperation"] == "DigiTrøndelag" and befaring["No."] == "1"
    assert befaring["Kind of change"] == "add a step" and befaring["Effort"] == "medium effort"
    assert befaring["Already done by"] == "'=Skaun, Malvik and Stjørdal"
    assert befaring["Status"] == "planned" and befaring["Planned for"] == "2027-03-01"
    assert befaring["Set by"] == "Test Testesen" and befaring["Set at"] == "2026-11-02 10:30"
    assert befaring["Note"] == "Vi tar det i vårmøtet"


def test_a_justified_deviation_comes_after_the_changes_and_is_neutralised(app: Flask, world: dict[str, Any]) -> None:
    _justify_invoice(app)
    rows = _csv_rows(client_as(app, "anonymous").get(f"{STJORDAL}.csv").data)
    justified = [r for r in rows if r["Status"] == "justified deviation"]
    assert len(justified) == 1 and rows[-1] is justified[0]
    assert "Sende faktura" in justified[0]["Change"]
    assert justified[0]["Reason category"] == "law or regulation"
    # A reason that starts with "=" is text, never a formula.
    assert justified[0]["Reason"] == "'" + REASON
    assert justified[0]["Valid until"] == "2027-12-31"
    assert all("Sende faktura" not in r["Change"] for r in rows if r is not justified[0])
    assert all(r["Status"] == "not started" and r["Set by"] == "" for r in rows if r is not justified[0])


def test_the_xlsx_lists_justified_deviations_on_their_own_sheet(app: Flask, world: dict[str, Any]) -> None:
    _justify_invoice(app)
    data = client_as(app, "anonymous").get(f"{STJORDAL}.xlsx").data
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Changes", "Justified deviations"]
    sheet = workbook["Justified deviations"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Cooperation", "No.", "Change", "Kind of change"] and "Reason" in header
    reason = sheet.cell(row=2, column=header.index("Reason") + 1)
    assert reason.data_type == "s" and reason.value == "'" + REASON
    changes = workbook["Changes"]
    assert changes.max_row >= 2 and all("Sende faktura" not in str(c.value) for c in changes["C"])


def test_a_change_a_new_version_made_is_listed_as_done_by_it(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        labels = ("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Fatte vedtak", "Arkivere")
        save(_variant("5028"), chain_bytes(labels))
        db.session.commit()
    rows = _csv_rows(client_as(app, "anonymous").get(f"{PLAN}.csv").data)
    done = [r for r in rows if r["Status"] == "done"]
    assert [r["Done automatically in version"] for r in done] == ["2"]
    assert "Befaring" in done[0]["Change"] and done[0]["No."] == ""


def test_the_plan_in_norwegian(app: Flask, world: dict[str, Any]) -> None:
    _plan_befaring(app)
    rows = _csv_rows(client_as(app, "anonymous", lang="nb").get(f"{PLAN}.csv").data)
    assert list(rows[0])[:4] == ["Samarbeid", "Nr.", "Endring", "Type endring"]
    befaring = next(r for r in rows if r["Endring"] == "Legg til steget «Befaring» etter «Registrere søknaden».")
    assert befaring["Innsats"] == "middels innsats" and befaring["Planlagt til"] == "2027-03-01"
    assert befaring["Gjøres allerede av"] == "'=Skaun, Malvik og Stjørdal"


def test_the_filename_keeps_the_municipalitys_letters(app: Flask, world: dict[str, Any]) -> None:
    disposition = client_as(app, "anonymous").get(f"{STJORDAL}.pdf").headers["Content-Disposition"]
    stamp = dt.date.today().isoformat()
    assert f'filename="endringsplan-5035-stjordal-byggesak-{stamp}.pdf"' in disposition
    assert f"filename*=UTF-8''endringsplan-5035-Stj%C3%B8rdal-byggesak-{stamp}.pdf" in disposition


def test_a_filename_has_no_spaces_or_quotes() -> None:
    from registry.harmonisation.exports import attachment_headers

    disposition = attachment_headers('endringsplan-5001-Trondheim - Tråante "x";-byggesak', "csv")["Content-Disposition"]
    assert disposition == (
        'attachment; filename="endringsplan-5001-trondheim-traante-x-byggesak.csv"; '
        "filename*=UTF-8''endringsplan-5001-Trondheim-Tr%C3%A5ante-x-byggesak.csv"
    )


def test_the_pdf_is_a_readable_plan_in_norwegian(app: Flask, world: dict[str, Any]) -> None:
    _justify_invoice(app)
    data = client_as(app, "anonymous", lang="nb").get(f"{STJORDAL}.pdf").data
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Endringsplan: Byggesak – søknad om tillatelse i ett trinn i Stjørdal" in text
    assert "Mot standarden til DigiTrøndelag" in text and "standardversjon 1 (publisert)" in text
    assert "Befaring" in text and "Begrunnede avvik" in text
    # æ, ø and å come through (DejaVu Sans, or Latin-1 Helvetica without it).
    assert "Særskilt lovkrav" in text and "på papir" in text
    assert dt.date.today().strftime("%d.%m.%Y") in text


def test_the_pdf_in_english(app: Flask, world: dict[str, Any]) -> None:
    text = _pdf_text(client_as(app, "anonymous").get(f"{PLAN}.pdf").data)
    assert "Change plan: Building permit – one-step application in Melhus" in text and "Already done by" in text
    assert "Page 1 of 1" in text


def test_a_long_note_is_cut_in_the_pdf_and_kept_in_the_csv(app: Flask, world: dict[str, Any]) -> None:
    note = "Vi må først endre malene og lære opp saksbehandlerne. " * 80
    _plan_befaring(app, note=note)
    client = client_as(app, "anonymous", lang="nb")
    response = client.get(f"{PLAN}.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "saksbehandlerne" in text and "…" in text
    assert next(r for r in _csv_rows(client.get(f"{PLAN}.csv").data) if r["Notat"])["Notat"] == note


def test_a_long_table_repeats_its_header_on_every_page(app: Flask) -> None:
    from registry.harmonisation.exports import PdfBlock, table_pdf

    rows: list[list[Any]] = [["Nr.", "Endring", "Gjøres allerede av"]]
    rows += [[i, f"Legg til steget «Befaring {i}» etter «Registrere søknaden».", "Malvik og Stjørdal"] for i in range(120)]
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        data = table_pdf("Endringsplan", ["Laget i dag."], [PdfBlock(heading="Endringer", table=rows, widths=(1, 6, 3))])
    text = _pdf_text(data)
    assert "Side 2 av" in text and "Befaring 119" in text
    for page in ("2", "3"):
        assert "Gjøres allerede av" in _pdf_text(data, "-f", page, "-l", page)


# --- every member's plan ---------------------------------------------------------------------------


def test_the_coordinator_sees_each_members_plan(app: Flask, world: dict[str, Any]) -> None:
    _plan_befaring(app)
    _justify_invoice(app)
    html = client_as(app, "coordinator").get(PLANS).get_data(as_text=True)
    assert "Change plans: Building permit – one-step application in DigiTrøndelag" in html
    assert "Towards standard version 1 (published)." in html
    melhus = html.split(">Melhus</a>", 1)[1].split("</tr>", 1)[0]
    # Melhus: one change (planned), medium effort.
    assert [c.split("</td>")[0] for c in melhus.split("<td>")[1:]] == ["1", "0", "1", "0", "0", "0", "0", "1", "0"]
    stjordal = html.split(">Stjørdal</a>", 1)[1].split("</tr>", 1)[0]
    assert [c.split("</td>")[0] for c in stjordal.split("<td>")[1:]][5] == "1"
    assert 'href="/kommuner/5028/prosesser/byggesak/endringsplan#plan-digi-trondelag"' in html
    assert "Selbu" in html and "has not described this process yet" in html
    assert f'href="{PLANS}.pdf"' in html and f'href="{PLANS}.xlsx"' in html and f'href="{PLANS}.csv"' in html


def test_all_members_changes_in_one_csv(app: Flask, world: dict[str, Any]) -> None:
    _justify_invoice(app)
    rows = _csv_rows(client_as(app, "coordinator").get(PLANS + ".csv").data)
    assert list(rows[0])[:3] == ["Cooperation", "Municipality", "No."]
    assert {r["Municipality"] for r in rows} == {"Melhus", "Malvik", "Stjørdal"}
    assert any(r["Municipality"] == "Melhus" and r["Change"] == BEFARING for r in rows)
    assert rows[-1]["Municipality"] == "Stjørdal" and rows[-1]["Status"] == "justified deviation"


def test_all_members_workbook_has_an_overview(app: Flask, world: dict[str, Any]) -> None:
    data = client_as(app, "coordinator", lang="nb").get(PLANS + ".xlsx").data
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Oversikt", "Endringer", "Begrunnede avvik"]
    overview = workbook["Oversikt"]
    names = [overview.cell(row=r, column=2).value for r in range(2, overview.max_row + 1)]
    # The member named "=Skaun" is text, not a formula.
    assert "'=Skaun" in names and "Selbu" in names
    skaun = overview.cell(row=names.index("'=Skaun") + 2, column=2)
    assert skaun.data_type == "s"


def test_all_members_pdf(app: Flask, world: dict[str, Any]) -> None:
    data = client_as(app, "coordinator", lang="nb").get(PLANS + ".pdf").data
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Endringsplaner: Byggesak – søknad om tillatelse i ett trinn i DigiTrøndelag" in text
    assert "Mot standardversjon 1 (publisert)." in text and "Oversikt" in text
    assert "Melhus" in text and "Stjørdal" in text and "Befaring" in text


def test_without_a_standard_there_are_no_plans(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "other_coordinator")
    html = client.get("/samarbeid/vaernesregionen/endringsplaner/byggesak").get_data(as_text=True)
    assert "Værnesregionen has no standard for this process yet" in html
    response = client.get("/samarbeid/vaernesregionen/endringsplaner/byggesak.csv")
    assert response.status_code == 404
    assert "Værnesregionen has no standard for this process yet" in response.get_data(as_text=True)
