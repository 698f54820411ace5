"""Signing in and out, sessions ending on password change, and user administration."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.users.models import User
from registry.users.services import set_password
from tests.registry.conftest import (
    create_cooperation_row,
    create_municipality_row,
    create_user_row,
    login,
)


def test_sign_in_and_out(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="anne@kommune.no", name="Anne")
        db.session.commit()
    client = app.test_client()
    login(client, "Anne@Kommune.no ")
    assert "Innlogget som Anne" in client.get("/").get_data(as_text=True)
    client.post("/logg-ut")
    assert "Innlogget som Anne" not in client.get("/").get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    assert client.get("/admin/").headers["Location"] == "/logg-inn?next=%2Fadmin%2F"
    assert "Logg inn for å se denne siden." in client.get("/logg-inn?next=%2Fadmin%2F").get_data(as_text=True)
    response = client.post("/logg-inn?next=/admin/", data={"email": "admin@kommune.no", "password": "a long test password"})
    assert response.headers["Location"] == "/admin/"


def test_inactive_user_cannot_sign_in(app: Flask) -> None:
    with app.app_context():
        user = create_user_row(email="gone@kommune.no")
        user.active = False
        db.session.commit()
    response = app.test_client().post("/logg-inn", data={"email": "gone@kommune.no", "password": "a long test password"})
    assert response.status_code == 200


def test_new_password_ends_other_sessions(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="anne@kommune.no", name="Anne")
        db.session.commit()
    client = app.test_client()
    login(client, "anne@kommune.no")
    with app.app_context():
        set_password(db.session.scalar(select(User)), "a brand new password")
        db.session.commit()
    assert "Innlogget som Anne" not in client.get("/").get_data(as_text=True)


def test_admin_creates_a_user_with_roles(app: Flask) -> None:
    with app.app_context():
        create_municipality_row(number="5001")
        create_cooperation_row(name="DigiTrøndelag")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    page = client.get("/admin/brukere/ny").get_data(as_text=True)
    assert "<legend>Koordinator for</legend>" in page
    response = client.post(
        "/admin/brukere/ny",
        data={"name": "Ola", "email": "ola@kommune.no", "password": "a long password!", "active": "y",
              "owner_of": "5001", "coordinator_of": "1"},
    )
    assert response.status_code == 302
    html = client.get("/admin/brukere").get_data(as_text=True)
    assert "Prosesseier for 5001 Trondheim" in html
    assert "Koordinator for DigiTrøndelag" in html


def test_admin_cannot_remove_own_admin_access(app: Flask) -> None:
    with app.app_context():
        admin = create_user_row(email="admin@kommune.no", name="Anne", is_admin=True)
        db.session.commit()
        url = f"/admin/brukere/{admin.id}"
    client = app.test_client()
    login(client, "admin@kommune.no")
    html = client.post(url, data={"name": "Anne", "email": "admin@kommune.no", "active": "y"}).get_data(as_text=True)
    assert "Du kan ikke fjerne din egen administratortilgang." in html


def test_sign_in_never_redirects_off_site(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="anne@kommune.no")
        db.session.commit()
    response = app.test_client().post(
        "/logg-inn?next=https://evil.example/", data={"email": "anne@kommune.no", "password": "a long test password"}
    )
    assert response.headers["Location"] == "/mine-prosesser"  # the start page, not the address given
