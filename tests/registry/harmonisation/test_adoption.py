"""Utvikling over tid: each member's similarity by version, and the cooperation's figures month by month.

The history is built by hand with dates in the last five months (relative to today), stored
comparisons with chosen similarities and follow-ups with their status changes, so that every
month's figures can be worked out on paper (see EXPECTED).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, parse_upload
from registry.harmonisation.adoption import adoption_state, request_missing
from registry.harmonisation.models import ChangeFollowUp
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import get_or_create_standard, get_or_create_variant
from tests.registry.conftest import (
    create_cooperation_row,
    create_membership_row,
    create_municipality_row,
    create_user_row,
)
from tests.registry.divergence.world import (
    EMAILS,
    ROLES,
    STANDARD,
    chain_bytes,
    client_as,
)
from tests.registry.process_factories import create_process_type_row

URL = "/samarbeid/digi-trondelag/utvikling/byggesak"
ALLOWED = {"coordinator", "admin"}


def month(back: int, day: int, hour: int = 12) -> dt.datetime:
    """Noon UTC on ``day`` of the month ``back`` months before this one."""
    first = dt.date.today().replace(day=1)
    for _ in range(back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return dt.datetime(first.year, first.month, day, hour, tzinfo=dt.UTC)


def add_version(owner: Variant | Standard, labels: tuple[str, ...], at: dt.datetime, **fields: Any) -> ProcessVersion:
    """A version saved at ``at``, without the comparisons a save would request."""
    data = chain_bytes(labels)
    parsed = parse_upload(data, filename="p.yaml")
    column = ProcessVersion.standard_id if isinstance(owner, Standard) else ProcessVersion.variant_id
    number = (db.session.scalar(select(func.max(ProcessVersion.number)).where(column == owner.id)) or 0) + 1
    version = ProcessVersion(
        standard=owner if isinstance(owner, Standard) else None,
        variant=owner if isinstance(owner, Variant) else None,
        number=number,
        created_at=at,
        source_format=parsed.source_format,
        source_filename="p.yaml",
        source_data=data,
        content=parsed.content,
        step_count=parsed.step_count,
        **fields,
    )
    db.session.add(version)
    db.session.flush()
    return version


def stored(a: ProcessVersion, b: ProcessVersion, overall: float | None, status: str = "done") -> None:
    db.session.add(
        Comparison(version_a=a, version_b=b, engine_version=ENGINE_VERSION, parameters="{}", parameters_hash="test",
                   status=status, overall=overall, result="{}" if status == "done" else "")
    )


def follow_up(variant: Variant, coop: Any, key: str, steps: list[tuple[str, dt.datetime]]) -> None:
    """A follow-up whose status is set to each of ``steps`` in turn (as the plan page does: status and set_at)."""
    status, at = steps[0]
    row = ChangeFollowUp(variant_id=variant.id, cooperation_id=coop.id, change_key=key, change_text=key,
                         status=status, set_at=at, planned_for=at.date() if status == "planned" else None)
    db.session.add(row)
    db.session.flush()
    for status, at in steps[1:]:
        row.status = status
        row.set_at = at
        db.session.flush()


def build_history() -> None:
    """Four members (A joined early, D in month 2), two standard versions, stored comparisons and follow-ups."""
    coop = create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
    other = create_cooperation_row(name="Værnesregionen", slug="vaernesregionen")
    names = {"5028": "Melhus", "5031": "Malvik", "5032": "Selbu", "5035": "Stjørdal"}
    m = {number: create_municipality_row(number=number, name=name) for number, name in names.items()}
    for number in ("5028", "5031", "5032"):
        create_membership_row(coop, m[number])
    create_membership_row(coop, m["5035"], joined_on=month(2, 10).date())
    create_membership_row(other, m["5035"])
    create_user_row(email=EMAILS["owner"], owner_of=[m["5028"]])
    create_user_row(email=EMAILS["coordinator"], coordinator_of=[coop])
    create_user_row(email=EMAILS["other_coordinator"], coordinator_of=[other])
    create_user_row(email=EMAILS["admin"], is_admin=True)
    create_user_row(email=EMAILS["nobody"])
    process_type = create_process_type_row()
    standard = get_or_create_standard(coop, process_type)
    s1 = add_version(standard, STANDARD, month(3, 1), status="published", published_at=month(3, 5))
    s2 = add_version(standard, STANDARD[:-1], month(1, 1, 8), status="published", published_at=month(1, 1))
    a, b, d = (get_or_create_variant(m[n], process_type) for n in ("5028", "5031", "5035"))
    add_version(a, STANDARD[1:], month(4, 20))  # before any standard: nothing to compare with
    a2 = add_version(a, STANDARD, month(3, 10))
    b1 = add_version(b, STANDARD[:3], month(3, 20))
    d1 = add_version(d, STANDARD[:4], month(2, 15))
    stored(s1, a2, 0.85)
    stored(s1, b1, 0.70)
    stored(s1, d1, 0.90)
    stored(s2, a2, 0.80)  # exactly the threshold: counts
    stored(s2, b1, None, status="pending")
    # (s2, d1) is not stored at all.
    follow_up(a, coop, "f1", [("planned", month(3, 12)), ("done", month(2, 3))])
    follow_up(a, coop, "f2", [("in_progress", month(3, 25))])
    follow_up(b, coop, "f3", [("done", month(1, 2))])
    follow_up(b, coop, "f4", [("not_started", month(2, 20)), ("done", month(2, 25)), ("in_progress", month(1, 5))])
    follow_up(d, other, "elsewhere", [("in_progress", month(3, 2))])  # another cooperation: not counted


#: Per month, oldest first (4 months back … this month): standard version in force, members,
#: with a process, similarity known, at or above 80 %, open at month end, done in the month.
EXPECTED = [
    (None, 3, 1, 0, 0, 0, 0),  # only Melhus v1, before any standard
    (1, 3, 2, 2, 1, 2, 0),  # 85 % and 70 %; f1 planned, f2 in progress
    (1, 4, 3, 3, 2, 1, 2),  # Stjørdal joins at 90 %; f1 and f4 done, f2 open
    (2, 4, 3, 1, 1, 2, 1),  # standard v2: Melhus 80 % (known), Malvik pending, Stjørdal missing; f3 done, f4 reopened
    (2, 4, 3, 1, 1, 2, 0),  # this month: as last month, nothing done yet
]


@pytest.fixture
def history(app: Flask) -> None:
    with app.app_context():
        build_history()
        db.session.commit()


def test_each_month_is_counted_as_worked_out_by_hand(app: Flask, history: None) -> None:
    with app.app_context():
        from registry.cooperations.models import Cooperation
        from registry.process_types.models import ProcessType

        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        process_type = db.session.scalar(select(ProcessType))
        state = adoption_state(coop, process_type, threshold=0.8)
        got = [
            (f.standard_version.number if f.standard_version else None, f.members, f.with_process, f.known,
             f.at_or_above, f.open_changes, f.done_changes)
            for f in state.months
        ]
        assert got == EXPECTED
        assert [f.share for f in state.months] == [None, 0.5, pytest.approx(2 / 3), 1.0, 1.0]
        assert state.pending == 1 and len(state.missing) == 1 and state.months_left_out == 0
        points = {h.municipality.name: [(p.version.number, p.status, p.overall) for p in h.points] for h in state.members}
        assert points == {
            "Melhus": [(1, "no_standard", None), (2, "done", 0.85)],
            "Malvik": [(1, "done", 0.70)],
            "Selbu": [],
            "Stjørdal": [(1, "done", 0.90)],  # saved before standard v2 was published
        }


def test_a_higher_threshold_counts_fewer_members(app: Flask, history: None) -> None:
    with app.app_context():
        from registry.cooperations.models import Cooperation
        from registry.process_types.models import ProcessType

        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        state = adoption_state(coop, db.session.scalar(select(ProcessType)), threshold=0.9)
        assert [f.at_or_above for f in state.months] == [0, 0, 1, 0, 0]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_adoption_page(app: Flask, history: None, role: str) -> None:
    response = client_as(app, role).get(URL)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The body rows (heading cell and data cells, as text) of the table with ``caption``."""
    start = html.index(f"<caption id=\"{caption}-table-caption\">")
    body = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.DOTALL)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows[1:]  # without the heading row


def test_the_page_shows_the_month_figures_in_tables(app: Flask, history: None) -> None:
    html = client_as(app, "coordinator").get(URL).get_data(as_text=True)
    share = table_rows(html, "share")
    assert [row[1:] for row in share] == [
        ["–", "1", "0", "0", "–"],
        ["version 1", "2", "2", "1", "50 %"],
        ["version 1", "3", "3", "2", "67 %"],
        ["version 2", "3", "1", "1", "100 %"],
        ["version 2", "3", "1", "1", "100 %"],
    ]
    # Each month links to the map as it was on the day counted.
    assert re.search(r'<th scope="row"><a href="/samarbeid/digi-trondelag/avvik/byggesak\?dato=\d{4}-\d{2}-\d{2}">', html)
    changes = table_rows(html, "changes")
    assert [row[1:] for row in changes] == [["0", "0"], ["2", "0"], ["1", "2"], ["2", "1"], ["2", "0"]]
    # The chart draws the same four shares (no point for the month without a standard).
    share_svg = html[html.index('aria-labelledby="share-title share-desc"') : html.index("</svg>", html.index("share-title"))]
    assert share_svg.count("<circle") == 4


def test_each_member_has_a_chart_and_a_table_by_version(app: Flask, history: None) -> None:
    html = client_as(app, "coordinator").get(URL).get_data(as_text=True)
    melhus = table_rows(html, "member-0")
    assert [row[0] for row in melhus] == ["Version 1", "Version 2"]
    assert melhus[0][2:] == ["–", "no standard published then"]
    assert melhus[1][2:] == ["version 1", "85 %"]
    assert table_rows(html, "member-1")[0][2:] == ["version 1", "70 %"]
    assert 'role="img"' in html and "Similarity of Melhus's versions to the standard: v2 85 %." in html
    assert "Members without a registered process" in html and "Selbu" in html
    # What is still computing, and what is not requested, is said.
    assert "1 comparison is being computed" in html and "1 comparison is not computed yet" in html


def test_the_page_in_norwegian(app: Flask, history: None) -> None:
    html = client_as(app, "coordinator", lang="nb").get(URL).get_data(as_text=True)
    assert "Utvikling over tid" in html and "beregnes…" in html
    assert "Andel medlemmer med minst 80 % likhet" in html
    assert "ingen standard publisert da" in html
    for english in ("Adoption over time", "being computed", "Share of members", "Open at the end"):
        assert english not in html


def test_the_threshold_can_be_chosen(app: Flask, history: None) -> None:
    html = client_as(app, "coordinator").get(URL + "?grense=90").get_data(as_text=True)
    assert [row[4:] for row in table_rows(html, "share")] == [["0", "–"], ["0", "0 %"], ["1", "33 %"], ["0", "0 %"],
                                                              ["0", "0 %"]]
    assert "at or above 90 % similarity" in html


@pytest.mark.parametrize("value", ["abc", "101", "-1", "8.5"])
def test_a_bad_threshold_answers_422_with_the_reason(app: Flask, history: None, value: str) -> None:
    response = client_as(app, "coordinator").get(URL + f"?grense={value}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a whole number from 0 to 100, for example 80." in html
    assert 'aria-invalid="true"' in html and "share-table-caption" not in html


def test_an_empty_threshold_is_the_default(app: Flask, history: None) -> None:
    response = client_as(app, "coordinator").get(URL + "?grense=")
    assert response.status_code == 200 and "at or above 80 % similarity" in response.get_data(as_text=True)


def test_missing_comparisons_are_computed_on_request(app: Flask, history: None) -> None:
    client = client_as(app, "coordinator")
    response = client.post(URL + "/beregn")
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comparison)) == 6
    html = client.get(URL).get_data(as_text=True)
    assert "not computed yet" not in html
    assert [row[3] for row in table_rows(html, "share")][-1] == "2"  # Stjørdal's similarity to v2 is known now


def test_request_missing_asks_the_queue_for_each_pair_once(app: Flask, history: None) -> None:
    with app.app_context():
        from registry.cooperations.models import Cooperation
        from registry.process_types.models import ProcessType

        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        process_type = db.session.scalar(select(ProcessType))
        assert request_missing(adoption_state(coop, process_type)) == 1
        db.session.commit()
        assert request_missing(adoption_state(coop, process_type)) == 0


def test_the_divergence_map_links_to_the_page(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert f'href="{URL}"' in html


def test_a_cooperation_without_a_standard_says_so(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "other_coordinator").get("/samarbeid/vaernesregionen/utvikling/byggesak").get_data(as_text=True)
    assert "has no standard for this process type yet" in html


# --- PostgreSQL (migrated schema) -------------------------------------------------------------


@pytest.fixture
def pg_history(postgres_schema_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from registry import create_app
    from tests.registry.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_schema_url})
    with app.app_context():
        upgrade()
        build_history()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_the_months_on_postgresql(pg_history: Flask) -> None:
    html = client_as(pg_history, "coordinator").get(URL).get_data(as_text=True)
    assert [row[1:] for row in table_rows(html, "share")][1:3] == [
        ["version 1", "2", "2", "1", "50 %"],
        ["version 1", "3", "3", "2", "67 %"],
    ]
    assert [row[1:] for row in table_rows(html, "changes")] == [["0", "0"], ["2", "0"], ["1", "2"], ["2", "1"], ["2", "0"]]


@pytest.mark.postgres
def test_the_map_on_a_day_on_postgresql(pg_history: Flask) -> None:
    # (The stored results of this history are made up, so the map is asked for a day before any standard.)
    day = month(3, 4).date()
    response = client_as(pg_history, "coordinator").get(f"/samarbeid/digi-trondelag/avvik/byggesak?dato={day.isoformat()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This is how the map looked on" in html and "No version of the standard had been published by" in html
    day = month(3, 5).date()
    html = client_as(pg_history, "coordinator").get(f"/samarbeid/digi-trondelag/avvik/byggesak?dato={day.isoformat()}").get_data(as_text=True)
    assert "No version of the standard had been published" not in html
