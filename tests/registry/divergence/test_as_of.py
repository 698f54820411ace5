"""The divergence map «per dato»: that day's members, their versions by the end of the day, the standard published by then."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from babel.dates import format_date
from flask import Flask
from sqlalchemy import delete, select, update

from registry.comparisons.models import Comparison
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.municipalities.models import Municipality
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import get_or_create_variant
from tests.registry.conftest import create_membership_row, create_municipality_row
from tests.registry.divergence.world import STANDARD, chain_bytes, client_as, save

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"
TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=40)


@pytest.fixture
def history(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The world's versions saved 40 days ago; since then Melhus v2, standard v2 and a new member, Tydal."""
    with app.app_context():
        noon = dt.datetime(PAST.year, PAST.month, PAST.day, 12, tzinfo=dt.UTC)
        db.session.execute(update(ProcessVersion).values(created_at=noon))
        melhus = db.session.scalar(select(Municipality).where(Municipality.number == "5028"))
        variant = db.session.scalar(select(Variant).where(Variant.municipality_id == melhus.id))
        v1 = db.session.scalar(select(ProcessVersion).where(ProcessVersion.variant_id == variant.id))
        standard = db.session.scalar(select(Standard))
        s1 = db.session.scalar(select(ProcessVersion).where(ProcessVersion.standard_id == standard.id))
        then = db.session.scalar(
            select(Comparison.overall).where(Comparison.version_a_id == s1.id, Comparison.version_b_id == v1.id)
        )
        save(variant, chain_bytes(STANDARD))
        save(standard, chain_bytes(STANDARD[:-1]), status="published")
        tydal = create_municipality_row(number="5034", name="Tydal")
        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        create_membership_row(coop, tydal, joined_on=TODAY)
        save(get_or_create_variant(tydal, standard.process_type), chain_bytes(STANDARD))
        db.session.commit()
        return {"melhus_then": round(then * 100), "s1": s1.id}


def overall_of(html: str, name: str) -> int:
    """The overall similarity (per cent) in the map's row of ``name``."""
    match = re.search(rf"{name}(?:</a>)?</th>\s*<td class=\"number\">\d+</td>\s*<td class=\"number\">(\d+) %", html)
    assert match, f"no row for {name}"
    return int(match.group(1))


def test_the_map_on_a_past_day_shows_that_days_versions_and_standard(app: Flask, history: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get(f"{MAP}?dato={PAST.isoformat()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"This is how the map looked on {format_date(PAST, 'long', locale='en_GB')}." in html
    assert "standard (version 1, published)" in html
    assert overall_of(html, "Melhus") == history["melhus_then"] < 100
    assert "Tydal" not in html  # not a member yet
    assert f'href="{MAP}"' in html  # back to today


def test_the_map_without_a_day_is_todays(app: Flask, history: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    assert "This is how the map looked" not in html
    assert "standard (version 2, published)" in html
    assert "Tydal" in html
    assert overall_of(html, "Melhus") != history["melhus_then"]


def test_the_page_in_norwegian_names_the_day(app: Flask, history: dict[str, Any]) -> None:
    html = client_as(app, "coordinator", lang="nb").get(f"{MAP}?dato={PAST.isoformat()}").get_data(as_text=True)
    assert f"Slik så kartet ut per {format_date(PAST, 'long', locale='nb')}." in html
    assert "Per dato" in html and "Vis kartet slik det er i dag" in html


def test_a_day_before_any_published_standard_says_so(app: Flask, history: dict[str, Any]) -> None:
    day = PAST - dt.timedelta(days=1)
    html = client_as(app, "coordinator").get(f"{MAP}?dato={day.isoformat()}").get_data(as_text=True)
    assert f"No version of the standard had been published by {format_date(day, 'long', locale='en_GB')}" in html


def test_sort_links_and_the_form_keep_the_day(app: Flask, history: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(f"{MAP}?dato={PAST.isoformat()}").get_data(as_text=True)
    assert f"dato={PAST.isoformat()}" in html.split('id="map-title"')[1]
    assert f'name="dato" type="date" value="{PAST.isoformat()}"' in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "«2026-02-30» is not a date. Write it as YYYY-MM-DD"),
        ("yesterday", "«yesterday» is not a date."),
        ("2026-3-1", "«2026-3-1» is not a date."),
        ("1999-12-31", "The registry has no processes from before 1 January 2000."),
        ((TODAY + dt.timedelta(days=1)).isoformat(), "is in the future: the map can only be shown as it was."),
    ],
)
def test_a_bad_day_answers_422_with_what_is_wrong(app: Flask, history: dict[str, Any], value: str, message: str) -> None:
    response = client_as(app, "coordinator").get(f"{MAP}?dato={value}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html and "Show the map as it is today" in html


def test_a_bad_day_in_norwegian(app: Flask, history: dict[str, Any]) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client_as(app, "coordinator", lang="nb").get(f"{MAP}?dato={tomorrow.isoformat()}")
    assert response.status_code == 422
    assert "er fram i tid" in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("owner", 403), ("other_coordinator", 403), ("admin", 200)])
def test_who_sees_the_map_on_a_day(app: Flask, history: dict[str, Any], role: str, status: int) -> None:
    assert client_as(app, role).get(f"{MAP}?dato={PAST.isoformat()}").status_code == status


def test_what_is_missing_on_that_day_is_computed_on_request(app: Flask, history: dict[str, Any]) -> None:
    with app.app_context():
        skaun = db.session.scalar(select(Municipality).where(Municipality.number == "5029"))
        variant = db.session.scalar(select(Variant).where(Variant.municipality_id == skaun.id))
        v1 = db.session.scalar(select(ProcessVersion).where(ProcessVersion.variant_id == variant.id))
        skaun_v1 = v1.id
        db.session.execute(delete(Comparison).where(Comparison.version_a_id == history["s1"], Comparison.version_b_id == skaun_v1))
        db.session.commit()
    client = client_as(app, "coordinator")
    html = client.get(f"{MAP}?dato={PAST.isoformat()}").get_data(as_text=True)
    assert "1 municipality is not compared yet." in html
    assert f'name="dato" value="{PAST.isoformat()}"' in html  # the compute form keeps the day
    response = client.post(f"{MAP}/beregn", data={"dato": PAST.isoformat()})
    assert response.status_code == 302 and f"dato={PAST.isoformat()}" in response.headers["Location"]
    with app.app_context():
        row = db.session.scalar(
            select(Comparison).where(Comparison.version_a_id == history["s1"], Comparison.version_b_id == skaun_v1)
        )
        assert row is not None and row.status == "done"


def test_the_export_on_a_day_is_that_days_map(app: Flask, history: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    response = client.get(f"{MAP}/eksport.csv?dato={PAST.isoformat()}")
    assert response.status_code == 200
    assert PAST.isoformat() in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Melhus" in text and "Tydal" not in text
    assert client.get(f"{MAP}/eksport.csv?dato=2000-13-01").status_code == 422


@pytest.mark.postgres
def test_the_map_on_a_day_on_postgresql(postgres_schema_url: str) -> None:
    from flask_migrate import upgrade

    from registry import create_app
    from tests.registry.conftest import TEST_CONFIG
    from tests.registry.divergence.world import build_map_world

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_schema_url})
    try:
        with app.app_context():
            upgrade()
            build_map_world()
            noon = dt.datetime(PAST.year, PAST.month, PAST.day, 12, tzinfo=dt.UTC)
            db.session.execute(update(ProcessVersion).values(created_at=noon))
            melhus = db.session.scalar(select(Variant).join(Municipality).where(Municipality.number == "5028"))
            save(melhus, chain_bytes(STANDARD))
            db.session.commit()
        client = client_as(app, "coordinator")
        then = client.get(f"{MAP}?dato={PAST.isoformat()}").get_data(as_text=True)
        now = client.get(MAP).get_data(as_text=True)
        assert "This is how the map looked on" in then
        assert overall_of(now, "Melhus") == 100 > overall_of(then, "Melhus")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
