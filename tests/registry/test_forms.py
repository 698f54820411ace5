"""Form errors: summary at the top with links, each field's error linked by aria-describedby."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from registry.extensions import db
from tests.registry.conftest import create_municipality_row, create_user_row, login


def _input(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match is not None, field_id
    return match.group(0)


def test_empty_login_lists_both_errors_in_a_summary(client: FlaskClient) -> None:
    html = client.post("/logg-inn", data={"email": "", "password": ""}).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', html, flags=re.DOTALL)
    assert summary is not None
    assert 'role="alert"' in summary.group(0)
    assert '<a href="#email">E-postadresse: Skriv inn e-postadressen din.</a>' in summary.group(0)
    assert '<a href="#password">Passord: Skriv inn passordet ditt.</a>' in summary.group(0)


def test_field_error_is_linked_to_the_input(client: FlaskClient) -> None:
    html = client.post("/logg-inn", data={"email": "", "password": "x"}).get_data(as_text=True)
    field = _input(html, "email")
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="email-error"' in field
    assert re.search(r'<p class="field-error" id="email-error">.*Skriv inn e-postadressen din\.', html)
    assert 'aria-invalid' not in _input(html, "password")


def test_hint_and_error_are_both_described(app: Flask) -> None:
    with app.app_context():
        create_municipality_row(number="5001")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    html = client.post("/kommuner/5001/rediger", data={"description": "", "contact_email": "not-an-address"}).get_data(
        as_text=True
    )
    field = _input(html, "contact_email")
    assert 'aria-describedby="contact_email-hint contact_email-error"' in field
    assert 'id="contact_email-hint"' in html
    assert "Skriv inn en e-postadresse, for eksempel navn@kommune.no." in html


def test_wrong_password_is_a_form_level_error(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="anne@kommune.no")
        db.session.commit()
    html = app.test_client().post("/logg-inn", data={"email": "anne@kommune.no", "password": "wrong password"}).get_data(
        as_text=True
    )
    assert "E-postadressen eller passordet er feil." in html
    assert "Du er logget inn" not in html


def test_service_error_is_shown_beside_its_field(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    html = client.post(
        "/admin/brukere/ny",
        data={"name": "Ny", "email": "admin@kommune.no", "password": "a long password!", "active": "y"},
    ).get_data(as_text=True)
    assert '<a href="#email">E-postadresse: Det finnes allerede en bruker med denne e-postadressen.</a>' in html
    assert 'aria-invalid="true"' in _input(html, "email")


def test_unknown_municipality_number_for_a_process_owner(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    html = client.post(
        "/admin/brukere/ny",
        data={"name": "Ny", "email": "ny@kommune.no", "password": "a long password!", "owner_of": "5001, 12"},
    ).get_data(as_text=True)
    assert "Ikke gyldig: 12" in html


def test_optional_fields_say_so_in_their_label(app: Flask) -> None:
    with app.app_context():
        create_municipality_row(number="5001")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    html = client.get("/admin/kommuner/ny").get_data(as_text=True)
    assert '<label for="valid_from">Gyldig fra <span class="optional">(valgfritt)</span></label>' in html
    assert '<label for="name">Navn</label>' in html


def test_search_fields_are_not_marked_optional(client: FlaskClient) -> None:
    assert "(valgfritt)" not in client.get("/kommuner/").get_data(as_text=True)
