"""The gevinstrealiseringsplan: owner, date and measure per expected gain, the baseline, realised beside expected."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.gains.models import GainPlan, GainPlanLine
from tests.registry.divergence.world import ROLES, client_as
from tests.registry.gains.test_pages import ASSUMPTIONS, INPUTS, _pdf_text

PLAN = "/kommuner/5035/prosesser/byggesak/gevinster/plan/digi-trondelag"
OWN_PLAN = "/kommuner/5028/prosesser/byggesak/gevinster/plan/digi-trondelag"


def _stjordal_figures(app: Flask) -> None:
    """Stjørdal: 200 cases, «Sende faktura» (s5, which the standard lacks) 30 min; 700 kr per hour."""
    admin = client_as(app, "admin")
    assert admin.post(ASSUMPTIONS, data={"timekostnad": "700", "kilde": "Test"}).status_code == 302
    assert admin.post(INPUTS, data={"saker": "200", "saker_kilde": "Test", "steg5_minutter": "30"}).status_code == 302


def _line_of(html: str, label: str) -> int:
    """The index of the plan line whose change names ``label``."""
    rows = html.split("<tr>")
    for row in rows:
        if label in row and 'name="linje' in row:
            return int(row.split('name="linje', 1)[1].split("_", 1)[0])
    raise AssertionError(label)


def _stored() -> list[tuple[str, Any, str]]:
    return [(r.owner, r.due, r.measure) for r in db.session.scalars(select(GainPlanLine).order_by(GainPlanLine.id))]


def test_first_save_records_the_baseline_and_the_lines(app: Flask, world: dict[str, Any]) -> None:
    import datetime as dt

    _stjordal_figures(app)
    admin = client_as(app, "admin")
    html = admin.get(PLAN).get_data(as_text=True)
    assert "No baseline (nullpunkt) is recorded yet" in html
    n = _line_of(html, "Sende faktura")
    response = admin.post(PLAN, data={f"linje{n}_eier": "Leder for byggesak", f"linje{n}_dato": "31.12.2027",
                                      f"linje{n}_maal": "Minutter per sak i fagsystemet"})
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(GainPlan))
        assert plan is not None and plan.baseline_version.number == 1 and plan.baseline_date == dt.date.today()
        assert plan.baseline_inputs["cases_per_year"] == 200
        assert [(s["step_id"], s["work_minutes"]) for s in plan.baseline_inputs["steps"]] == [("s5", 30.0)]
        # The record of what was expected then: 200 × 30 min / 60 = 100 h; × 700 = 70 000 kr.
        assert plan.baseline_expected["nb"]["nok"]["expected"] == 70000
        assert _stored() == [("Leder for byggesak", dt.date(2027, 12, 31), "Minutter per sak i fagsystemet")]
    html = admin.get(PLAN).get_data(as_text=True)
    assert "Baseline (nullpunkt): version 1 of the process, recorded" in html
    assert "Nothing is realised yet" in html
    assert 'value="Leder for byggesak"' in html and 'value="31.12.2027"' in html
    nb = client_as(app, "anonymous", lang="nb").get(PLAN).get_data(as_text=True)
    assert "Gevinstrealiseringsplan" in nb and "Nullpunkt" in nb and "Leder for byggesak" in nb
    # The overview links to the plan.
    assert PLAN in admin.get("/kommuner/5035/prosesser/byggesak/gevinster").get_data(as_text=True)


def test_new_figures_realise_part_of_the_gain(app: Flask, world: dict[str, Any]) -> None:
    """Sende faktura down from 30 to 12 min: realised 200 × (30 − 12) / 60 = 60 h = 42 000 kr, 60 % of 70 000."""
    _stjordal_figures(app)
    admin = client_as(app, "admin")
    n = _line_of(admin.get(PLAN).get_data(as_text=True), "Sende faktura")
    assert admin.post(PLAN, data={f"linje{n}_eier": "Merkantil"}).status_code == 302
    assert admin.post(INPUTS, data={"saker": "400", "steg5_minutter": "12"}).status_code == 302
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    # The baseline's 200 cases on both sides: twice the cases do not look like a gain.
    assert "Expected NOK 70,000/year, realised NOK 42,000/year (60%)." in html or \
        "Expected 70,000 NOK/year, realised 42,000 NOK/year (60%)." in html
    assert "Partly realised" in html
    nb = client_as(app, "anonymous", lang="nb").get(PLAN).get_data(as_text=True)
    assert "Forventet 70 000 kr/år, realisert 42 000 kr/år (60 %)." in nb.replace("\u00a0", " ")
    assert "Delvis realisert" in nb


def test_a_new_version_realises_the_gain_and_the_lines_follow(app: Flask, world: dict[str, Any]) -> None:
    """Version 2 drops «Sende faktura» (ids kept): realised 100 h = 70 000 kr (100 %); the owner's entry stays."""
    from processes.formats import write_process
    from processes.model import Flow, Process, Step
    from registry.variants.models import Variant
    from tests.registry.divergence.world import VARIANTS, save

    _stjordal_figures(app)
    admin = client_as(app, "admin")
    n = _line_of(admin.get(PLAN).get_data(as_text=True), "Sende faktura")
    assert admin.post(PLAN, data={f"linje{n}_eier": "Merkantil", f"linje{n}_maal": "Fakturaer per år"}).status_code == 302
    with app.app_context():
        p = Process("p", "Byggesak")
        ids = [f"s{i}" for i, label in enumerate(VARIANTS["5035"][1]) if label != "Sende faktura"]
        labels = [label for label in VARIANTS["5035"][1] if label != "Sende faktura"]
        for sid, label in zip(ids, labels, strict=True):
            p.add_step(Step(sid, label))
        for a, b in itertools.pairwise(ids):
            p.add_flow(Flow(a, b))
        variant = next(v for v in db.session.scalars(select(Variant)) if v.municipality.number == "5035")
        save(variant, write_process(p, "yaml"))
        db.session.commit()
    html = admin.get(PLAN).get_data(as_text=True)
    assert "Realised: measured in version 2" in html
    assert "realised NOK 70,000/year (100%)" in html or "realised 70,000 NOK/year (100%)" in html
    assert "<strong>Realised</strong>" in html
    # The line is the baseline's, still with its owner, and saving again keeps the baseline.
    assert 'value="Merkantil"' in html and 'value="Fakturaer per år"' in html
    assert admin.post(PLAN, data={f"linje{n}_eier": "Byggesaksleder"}).status_code == 302
    with app.app_context():
        plans = db.session.scalars(select(GainPlan)).all()
        assert len(plans) == 1 and plans[0].baseline_version.number == 1
        assert _stored() == [("Byggesaksleder", None, "")]
    book = load_workbook(io.BytesIO(admin.get(PLAN + "/eksport.xlsx").data))
    rows = [[c.value for c in row] for row in book["Plan"].iter_rows()]
    faktura = next(r for r in rows if r[1] and "Sende faktura" in r[1])
    assert faktura[2] == "Byggesaksleder" and faktura[6] == 70000 and faktura[9] == 70000 and faktura[11] == "Realised"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_a_plan(app: Flask, world: dict[str, Any], role: str) -> None:
    client = client_as(app, role)
    html = client.get(OWN_PLAN).get_data(as_text=True)
    assert client.get(OWN_PLAN).status_code == 200
    response = client.post(OWN_PLAN, data={"linje0_eier": "Saksbehandler"})
    other = client.post(PLAN, data={"linje0_eier": "Saksbehandler"}).status_code
    allowed = role in {"owner", "admin"}
    assert ('name="linje0_eier"' in html) == allowed
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"] and other == 302
    else:
        assert response.status_code == (302 if allowed else 403)
        assert other == (302 if role == "admin" else 403)
    with app.app_context():
        owners = sorted(r.variant.municipality.number for r in db.session.scalars(select(GainPlan)))
        assert owners == (["5028", "5035"] if role == "admin" else ["5028"] if allowed else [])


def test_bad_input_is_refused_and_nothing_saved(app: Flask, world: dict[str, Any]) -> None:
    owner = client_as(app, "owner")
    response = owner.post(OWN_PLAN, data={"linje0_eier": "x" * 201, "linje0_dato": "31.02.2027"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the owner in at most 200 characters." in html
    assert "Write the date as dd.mm.yyyy, for example 31.12.2026." in html
    nb = client_as(app, "owner", lang="nb").post(OWN_PLAN, data={"linje0_dato": "i morgen"})
    assert nb.status_code == 422 and "Skriv datoen som dd.mm.åååå" in nb.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(GainPlan)).all() == []
        assert db.session.scalars(select(GainPlanLine)).all() == []


def test_plan_exports_read_back(app: Flask, world: dict[str, Any]) -> None:
    _stjordal_figures(app)
    admin = client_as(app, "admin")
    n = _line_of(admin.get(PLAN).get_data(as_text=True), "Sende faktura")
    assert admin.post(PLAN, data={f"linje{n}_eier": "Leder for byggesak", f"linje{n}_dato": "2027-06-30"}).status_code == 302
    client = client_as(app, "coordinator", lang="nb")
    book = load_workbook(io.BytesIO(client.get(PLAN + "/eksport.xlsx").data))
    assert book.sheetnames == ["Plan", "Om planen"]
    rows = [[c.value for c in row] for row in book["Plan"].iter_rows()]
    faktura = next(r for r in rows if r[1] and "Sende faktura" in r[1])
    assert faktura[2:4] == ["Leder for byggesak", "2027-06-30"] and faktura[5] == 100 and faktura[6] == 70000
    assert faktura[8] is None  # nothing measured yet
    text = " ".join(_pdf_text(client.get(PLAN + "/eksport.pdf").data).split())
    assert "Gevinstrealiseringsplan" in text and "Leder for byggesak" in text and "Nullpunkt: versjon 1" in text


def test_no_standard_to_plan_against(app: Flask, world: dict[str, Any]) -> None:
    # Stjørdal is also in Værnesregionen, which has no standard: no plan there.
    assert client_as(app, "admin").get(PLAN.replace("digi-trondelag", "vaernesregionen")).status_code == 404


def test_a_municipalitys_maturity_across_its_processes_and_over_time(app: Flask, world: dict[str, Any]) -> None:
    """Melhus v1: 5 steps, no mode (all unknown, 0 %); v2: «Motta søknad» on paper, «Fatte vedtak» digital: 1 of 2, 50 %."""
    from processes.formats import write_process
    from processes.model import Flow, Process, Step
    from registry.variants.models import Variant
    from tests.registry.divergence.world import save

    url = "/kommuner/5028/digital-modenhet"
    first = client_as(app, "anonymous").get(url).get_data(as_text=True)
    assert "0 of 5 steps (0%) are done digitally" in first
    assert "For 5 steps the mode is not stated" in first and "may be higher than shown" in first
    with app.app_context():
        p = Process("p", "Byggesak")
        p.add_step(Step("s0", "Motta søknad", mode="paper"))
        p.add_step(Step("s1", "Fatte vedtak", mode="digital"))
        p.add_flow(Flow("s0", "s1"))
        variant = next(v for v in db.session.scalars(select(Variant)) if v.municipality.number == "5028")
        save(variant, write_process(p, "yaml"))
        db.session.commit()
    html = client_as(app, "anonymous").get(url).get_data(as_text=True)
    assert "1 of 2 steps (50%) is done digitally, automatically or as self-service." in html
    assert "1 step is done on paper: “Motta søknad”." in html and "On paper: Motta søknad" in html
    assert "<svg" in html and "Version 2" in html
    # Over time: version 1 at 0 %, version 2 at 50 %, one digital step more than before.
    table = html.split('id="over-time-caption"', 1)[1]
    assert table.index("0 %") < table.index("50 %")
    assert "1 more digital step than before. Now on paper: “Motta søknad”." in table
    nb = client_as(app, "anonymous", lang="nb").get(url).get_data(as_text=True)
    assert "Digital modenhet" in nb and "1 av 2 steg (50 %) gjøres digitalt" in nb
    assert "Versjon 2" in nb and "Over tid, versjon for versjon" in nb and "Hver prosess, nyeste versjon" in nb
    # Linked from the gevinstoversikt and from the cooperation's maturity table.
    assert url in client_as(app, "anonymous").get("/kommuner/5028/prosesser/byggesak/gevinster").get_data(as_text=True)
    assert url in client_as(app, "coordinator").get("/samarbeid/digi-trondelag/digital-modenhet").get_data(as_text=True)
    assert client_as(app, "anonymous").get("/kommuner/5032/digital-modenhet").status_code == 200


def test_the_cooperations_overview_links_each_members_plan(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/gevinster/byggesak").get_data(as_text=True)
    assert PLAN in html and OWN_PLAN in html


def test_the_cooperations_maturity_month_by_month(app: Flask, world: dict[str, Any]) -> None:
    """Every version of the world is two months old; Melhus' version 2 (1 of 2 steps digital) is of this month."""
    import datetime as dt

    from processes.formats import write_process
    from processes.model import Flow, Process, Step
    from registry.cooperations.models import Cooperation
    from registry.gains.services import _month_ends, cooperation_maturity_over_time
    from registry.variants.models import ProcessVersion, Variant
    from tests.registry.divergence.world import save

    today = dt.date(2026, 12, 3)
    assert _month_ends(dt.date(2026, 10, 15), today, 24) == (dt.date(2026, 10, 31), dt.date(2026, 11, 30), today)
    assert len(_month_ends(dt.date(2020, 1, 1), today, 24)) == 24
    assert _month_ends(dt.date(2020, 1, 1), today, 24)[-1] == today
    with app.app_context():
        from sqlalchemy import update

        # History is not rewritten through the models; the test moves it back in time with plain SQL.
        db.session.execute(update(ProcessVersion).values(created_at=dt.datetime(2026, 10, 10, 12, tzinfo=dt.UTC)))
        p = Process("p", "Byggesak")
        p.add_step(Step("s0", "Motta søknad", mode="paper"))
        p.add_step(Step("s1", "Fatte vedtak", mode="digital"))
        p.add_flow(Flow("s0", "s1"))
        variant = next(v for v in db.session.scalars(select(Variant)) if v.municipality.number == "5028")
        new = save(variant, write_process(p, "yaml"))
        db.session.flush()
        db.session.execute(update(ProcessVersion).where(ProcessVersion.id == new.id)
                           .values(created_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)))
        db.session.commit()
        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        history = cooperation_maturity_over_time(coop, today=today)
        assert history.dates == (dt.date(2026, 10, 31), dt.date(2026, 11, 30), today)
        points = history.by_type["byggesak"]
        members = history.members["byggesak"]
        # October and November: every member's first version, no mode stated: 0 digital.
        assert [m.digital for m in points[:2]] == [0, 0] and members[0] == members[1] == members[2]
        # December: Melhus' version 2 counts, with its one digital step; the others unchanged.
        assert points[2].digital == 1 and points[2].counts["paper"] == 1
        assert points[2].total == points[1].total - 5 + 2
        assert history.overall[2].digital == 1
    html = client_as(app, "coordinator").get(MATURITY_URL).get_data(as_text=True)
    assert "Over time, month by month" in html and 'id="coop-over-time-caption"' in html
    nb = client_as(app, "coordinator", lang="nb").get(MATURITY_URL).get_data(as_text=True)
    assert "Over tid, måned for måned" in nb


MATURITY_URL = "/samarbeid/digi-trondelag/digital-modenhet"
