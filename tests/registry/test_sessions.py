"""Sessions that end: sign-out everywhere, idle and absolute limits, strong binding, audit, own password."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.users.sessions import SESSION_STARTED_KEY
from tests.registry.conftest import PASSWORD, create_user_row, login, make_app

ADMIN = "admin@kommune.no"
NEW_PASSWORD = "another long password"


@pytest.fixture
def admin_app() -> Any:
    app = make_app()
    with app.app_context():
        create_user_row(email=ADMIN, name="Anne Admin", is_admin=True)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _signed_in(client: FlaskClient) -> bool:
    """Whether the client reaches the administrators' page (else it is sent to sign in)."""
    response = client.get("/admin/")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _copy(client: FlaskClient, app: Flask) -> FlaskClient:
    """A second client holding a copy of the first one's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_copied_cookie_is_worthless_after_sign_out(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    copy = _copy(client, admin_app)
    assert _signed_in(copy)
    assert client.post("/logg-ut").status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_signing_in_again_after_sign_out_works(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    client.post("/logg-ut")
    login(client, ADMIN)
    assert _signed_in(client)


def test_a_session_ends_at_the_absolute_limit_however_busy(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    limit = admin_app.config["SESSION_ABSOLUTE_LIFETIME"]
    with client.session_transaction() as session:
        session[SESSION_STARTED_KEY] = int(time.time()) - limit + 30
    assert _signed_in(client)  # still inside the limit
    with client.session_transaction() as session:
        session[SESSION_STARTED_KEY] = int(time.time()) - limit - 1
    response = client.get("/admin/", follow_redirects=True)
    assert "/logg-inn" in response.request.path
    assert "Økten din er avsluttet" in response.get_data(as_text=True)


def test_a_session_without_a_sign_in_time_is_not_accepted(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    with client.session_transaction() as session:
        del session[SESSION_STARTED_KEY]
    assert not _signed_in(client)


def test_an_idle_session_ends_after_the_idle_limit() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=1)
    with app.app_context():
        create_user_row(email=ADMIN, is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, ADMIN)
    assert _signed_in(client)
    time.sleep(2.2)
    assert not _signed_in(client)


def test_strong_protection_refuses_the_cookie_from_another_browser_or_address(admin_app: Flask) -> None:
    assert admin_app.config["SESSION_PROTECTION"] == "strong"
    client = admin_app.test_client()
    login(client, ADMIN)
    other_browser = _copy(client, admin_app)
    other_browser.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (elsewhere)"
    assert not _signed_in(other_browser)
    other_address = _copy(client, admin_app)
    other_address.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert not _signed_in(other_address)
    assert _signed_in(client)  # the original client is not affected


def test_basic_protection_lets_a_session_move() -> None:
    app = make_app(SESSION_PROTECTION="basic")
    with app.app_context():
        create_user_row(email=ADMIN, is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, ADMIN)
    moved = _copy(client, app)
    moved.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert _signed_in(moved)


# --- audit log -----------------------------------------------------------------------------------


def test_sign_in_and_sign_out_are_in_the_audit_log(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    client.post("/logg-ut")
    (signed_in,) = _events(admin_app, "sign-in")
    (signed_out,) = _events(admin_app, "sign-out")
    assert signed_in.actor_label == ADMIN and signed_in.note == "127.0.0.1"
    assert signed_out.actor_label == ADMIN
    # The new session key is the sign-out, not a separate change to the user.
    assert _events(admin_app, "update") == []


def test_failed_sign_ins_are_in_the_audit_log(admin_app: Flask) -> None:
    client = admin_app.test_client()
    client.post("/logg-inn", data={"email": ADMIN, "password": "wrong password"})
    client.post("/logg-inn", data={"email": "Nobody@Kommune.no", "password": "x"})
    known, unknown = _events(admin_app, "sign-in-failed")
    assert (known.actor_label, known.object_id != "") == (ADMIN, True)
    assert (unknown.actor_label, unknown.actor_id, unknown.object_id) == ("nobody@kommune.no", None, "")
    login(client, ADMIN)
    page = client.get("/admin/logg/").get_data(as_text=True)
    assert "innlogging mislyktes" in page and "logget inn" in page and "Klientadresse: 127.0.0.1" in page


# --- changing one's own password --------------------------------------------------------------------


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    return client.post(
        "/konto/passord", data={"current_password": current, "password": new, "confirm": new if confirm is None else confirm}
    )


def test_the_password_page_needs_a_signed_in_user(admin_app: Flask) -> None:
    response = admin_app.test_client().get("/konto/passord")
    assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]


def test_a_signed_in_user_changes_their_password(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    elsewhere = admin_app.test_client()
    login(elsewhere, ADMIN)
    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)  # this session goes on
    assert not _signed_in(elsewhere)  # every other one ends
    fresh = admin_app.test_client()
    assert fresh.post("/logg-inn", data={"email": ADMIN, "password": PASSWORD}).status_code == 200
    login(fresh, ADMIN, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password!", NEW_PASSWORD, None, "Det nåværende passordet er feil."),
        (PASSWORD, NEW_PASSWORD, "something else entirely", "De to nye passordene er ikke like."),
        (PASSWORD, "short", None, "minst 12 tegn"),
        (PASSWORD, PASSWORD, None, "Velg et annet passord enn det du har nå."),
        ("", NEW_PASSWORD, None, "Skriv inn det nåværende passordet ditt."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    admin_app: Flask, current: str, new: str, confirm: str | None, message: str
) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    response = _change(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    client.post("/logg-ut")
    login(client, ADMIN, PASSWORD)  # the old password still works


def test_the_header_links_to_the_password_page(admin_app: Flask) -> None:
    client = admin_app.test_client()
    login(client, ADMIN)
    assert 'href="/konto/passord"' in client.get("/").get_data(as_text=True)
