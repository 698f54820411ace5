"""Cooperations, memberships with dates, and their pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from registry.cooperations.services import add_membership, end_membership, slugify
from registry.errors import ValidationError
from registry.extensions import db
from tests.registry.conftest import (
    create_cooperation_row,
    create_municipality_row,
    create_user_row,
    login,
)


@pytest.mark.parametrize(
    ("name", "slug"), [("DigiTrøndelag", "digitrondelag"), ("IKT Agder", "ikt-agder"), ("Værnesregionen", "vaernesregionen")]
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_overlapping_membership_is_refused(db: Any) -> None:
    coop = create_cooperation_row()
    m = create_municipality_row()
    add_membership(coop, m, joined_on=dt.date(2020, 1, 1), left_on=dt.date(2021, 12, 31))
    with pytest.raises(ValidationError, match="allerede medlem|already a member"):
        add_membership(coop, m, joined_on=dt.date(2021, 6, 1))
    add_membership(coop, m, joined_on=dt.date(2022, 1, 1))
    assert len(coop.memberships) == 2


def test_members_on_a_day_follow_join_and_leave_dates(db: Any) -> None:
    coop = create_cooperation_row()
    m = create_municipality_row()
    membership = add_membership(coop, m, joined_on=dt.date(2020, 1, 1))
    end_membership(membership, left_on=dt.date(2022, 6, 30))
    assert coop.members_on(dt.date(2022, 6, 30)) == [m]
    assert coop.members_on(dt.date(2022, 7, 1)) == []
    assert coop.members_on(dt.date(2019, 12, 31)) == []


def test_leave_date_before_join_date_is_refused(db: Any) -> None:
    membership = add_membership(create_cooperation_row(), create_municipality_row(), joined_on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        end_membership(membership, left_on=dt.date(2019, 1, 1))


def test_cooperation_page_lists_current_and_former_members(app: Flask) -> None:
    with app.app_context():
        coop = create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
        add_membership(coop, create_municipality_row(number="5001", name="Trondheim"), joined_on=dt.date(2020, 1, 1))
        add_membership(
            coop, create_municipality_row(number="5035", name="Stjørdal"),
            joined_on=dt.date(2020, 1, 1), left_on=dt.date(2021, 12, 31),
        )
        db.session.commit()
    html = app.test_client().get("/samarbeid/digi-trondelag").get_data(as_text=True)
    current, _, former = html.partition("Tidligere medlemmer")
    assert "1 medlemskommune" in current and "Trondheim" in current
    assert "Stjørdal" in former and "medlem 1. januar 2020 til 31. desember 2021" in former


def test_admin_adds_and_ends_a_membership(app: Flask) -> None:
    with app.app_context():
        create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
        create_municipality_row(number="5001", name="Trondheim")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    added = client.post(
        "/admin/samarbeid/digi-trondelag/medlemmer", data={"member-municipality": "5001", "member-joined_on": "2020-01-01"}
    )
    assert added.status_code == 302
    again = client.post(
        "/admin/samarbeid/digi-trondelag/medlemmer", data={"member-municipality": "5001", "member-joined_on": "2021-01-01"}
    ).get_data(as_text=True)
    assert "5001 Trondheim er allerede medlem i den perioden." in again
    ended = client.post("/admin/samarbeid/digi-trondelag/medlemmer/1/avslutt", data={"end-left_on": "2023-12-31"})
    assert ended.status_code == 302
    assert "medlem 1. januar 2020 til 31. desember 2023" in client.get("/samarbeid/digi-trondelag").get_data(as_text=True)


def test_unknown_cooperation_is_404(app: Flask) -> None:
    response = app.test_client().get("/samarbeid/finnes-ikke")
    assert response.status_code == 404
    assert "Ingen samarbeid har adressen finnes-ikke." in response.get_data(as_text=True)


def test_membership_dates_may_be_typed_the_norwegian_way(app: Flask) -> None:
    with app.app_context():
        create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
        create_municipality_row(number="5001", name="Trondheim")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    response = client.post(
        "/admin/samarbeid/digi-trondelag/medlemmer", data={"member-municipality": "5001", "member-joined_on": "31.12.2020"}
    )
    assert response.status_code == 302
    assert "medlem siden 31. desember 2020" in client.get("/kommuner/5001").get_data(as_text=True)
