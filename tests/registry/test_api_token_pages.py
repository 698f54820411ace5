"""The pages for personal access tokens: one's own (make, list, revoke) and the administrators' list."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.api.models import ApiToken
from registry.api.tokens import MAX_LIFETIME_DAYS, digest
from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.registry.conftest import (
    create_cooperation_row,
    create_municipality_row,
    create_user_row,
    login,
    make_app,
)

SECRET_RE = re.compile(r"kpr_[A-Za-z0-9_-]{43}")
PAGE = "/konto/api-nokler"


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    """A plain user, a process owner for 5001, a coordinator and an administrator; their ids."""
    with app.app_context():
        trondheim = create_municipality_row(number="5001")
        cooperation = create_cooperation_row()
        users = {
            "plain": create_user_row(email="plain@kommune.no", name="Per Plain"),
            "owner": create_user_row(
                email="owner@kommune.no", name="Olga Owner", owner_of=[trondheim]
            ),
            "coordinator": create_user_row(
                email="coord@kommune.no",
                name="Kari Koordinator",
                coordinator_of=[cooperation],
            ),
            "admin": create_user_row(
                email="admin@kommune.no", name="Ada Admin", is_admin=True
            ),
        }
        db.session.commit()
        return {role: user.id for role, user in users.items()}


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    email = {
        "plain": "plain",
        "owner": "owner",
        "coordinator": "coord",
        "admin": "admin",
    }[role]
    login(client, f"{email}@kommune.no")
    return client


def _in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def _create(client: FlaskClient, **data: Any) -> Any:
    values: dict[str, Any] = {"name": "Sak/arkiv", "expires_on": _in_days(30)}
    values.update(data)
    return client.post(PAGE, data=values)


def _tokens(app: Flask) -> list[ApiToken]:
    with app.app_context():
        tokens = list(db.session.scalars(select(ApiToken).order_by(ApiToken.id)))
        db.session.expunge_all()
        return tokens


def test_anonymous_is_sent_to_sign_in(client: FlaskClient) -> None:
    for path in (PAGE, "/admin/api-nokler"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/logg-inn?next=")


def test_anonymous_cannot_revoke(client: FlaskClient) -> None:
    response = client.post("/konto/api-nokler/1/tilbakekall")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logg-inn")


def test_account_menu_links_to_the_page(app: Flask, people: dict[str, int]) -> None:
    html = _client(app, "plain").get("/").get_data(as_text=True)
    assert f'<a href="{PAGE}">API-nøkler</a>' in html


def test_form_offers_expiry_in_90_days_and_only_the_scopes_of_ones_roles(
    app: Flask, people: dict[str, int]
) -> None:
    plain = _client(app, "plain").get(PAGE).get_data(as_text=True)
    assert f'value="{_in_days(90)}"' in plain
    assert "Skrive prosesser for mine kommuner" not in plain
    assert "Koordinatorhandlinger for mine samarbeid" not in plain
    owner = _client(app, "owner").get(PAGE).get_data(as_text=True)
    assert "Skrive prosesser for mine kommuner" in owner
    assert "Koordinatorhandlinger for mine samarbeid" not in owner
    coordinator = _client(app, "coordinator").get(PAGE).get_data(as_text=True)
    assert "Skrive prosesser for mine kommuner" not in coordinator
    assert "Koordinatorhandlinger for mine samarbeid" in coordinator
    admin = _client(app, "admin").get(PAGE).get_data(as_text=True)
    assert "Skrive prosesser for mine kommuner" in admin
    assert "Koordinatorhandlinger for mine samarbeid" in admin


def test_create_shows_the_secret_once_and_stores_only_its_digest(
    app: Flask, people: dict[str, int]
) -> None:
    client = _client(app, "owner")
    response = _create(client, scopes=["write"])
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    secrets_shown = SECRET_RE.findall(html)
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]
    assert "vises bare denne ene gangen" in html
    assert (
        'curl -H "Authorization: Bearer $REGISTRY_TOKEN" http://localhost/api/v1/'
        in html
    )
    assert secret not in response.headers.get("Location", "")
    assert response.headers["Cache-Control"] == "no-store"
    (token,) = _tokens(app)
    assert token.token_hash == digest(secret)
    assert token.prefix == secret[:12]
    assert token.scopes == "read write"
    assert token.user_id == people["owner"]
    with app.app_context():
        # Nowhere in the database: not in the token's row nor in the audit log.
        dump = "\n".join(db.session.connection().connection.iterdump())  # type: ignore[attr-defined]
    assert secret not in dump


def test_the_secret_is_not_kept_in_the_session(
    app: Flask, people: dict[str, int]
) -> None:
    client = _client(app, "owner")
    secret = SECRET_RE.findall(_create(client).get_data(as_text=True))[0]
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_the_list_never_shows_the_secret_again(
    app: Flask, people: dict[str, int]
) -> None:
    client = _client(app, "owner")
    secret = SECRET_RE.findall(
        _create(client, name="Altinn-appen").get_data(as_text=True)
    )[0]
    html = client.get(PAGE).get_data(as_text=True)
    assert "<h1>API-nøkler</h1>" in html
    assert secret not in html
    assert SECRET_RE.search(html) is None
    assert f"<code>{secret[:12]}…</code>" in html
    assert "Altinn-appen" in html
    assert "Aldri brukt" in html
    assert "Lese" in html
    assert "Aktiv" in html


def test_last_used_time_and_statuses_are_shown(
    app: Flask, people: dict[str, int]
) -> None:
    client = _client(app, "owner")
    _create(client, name="Brukt")
    _create(client, name="Gammel")
    _create(client, name="Borte")
    with app.app_context():
        used, old, gone = db.session.scalars(select(ApiToken).order_by(ApiToken.id))
        used.last_used_at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
        old.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        gone.revoked_at = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
        db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert "2. mars 2026" in html
    assert "Utløpt" in html
    assert "Trukket tilbake" in html


def test_a_scope_without_the_role_is_refused_on_the_field(
    app: Flask, people: dict[str, int]
) -> None:
    client = _client(app, "plain")
    response = _create(client, scopes=["write"])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(
        r'<p class="field-error" id="scopes-error">.*Du er ikke prosesseier for noen kommune',
        html,
        re.DOTALL,
    )
    assert not _tokens(app)


def test_coordinating_without_the_role_is_refused(
    app: Flask, people: dict[str, int]
) -> None:
    response = _create(_client(app, "owner"), scopes=["coordinate"])
    assert response.status_code == 422
    assert "Du er ikke koordinator for noe samarbeid" in response.get_data(as_text=True)
    assert not _tokens(app)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "Utløpsdatoen må være etter i dag."),
        (-3, "Utløpsdatoen må være etter i dag."),
        (
            MAX_LIFETIME_DAYS + 1,
            f"En nøkkel kan vare i høyst {MAX_LIFETIME_DAYS} dager",
        ),
    ],
)
def test_expiry_out_of_range_is_refused(
    app: Flask, people: dict[str, int], days: int, message: str
) -> None:
    response = _create(_client(app, "plain"), expires_on=_in_days(days))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="expires_on-error">.*' + re.escape(message), html, re.DOTALL)
    assert SECRET_RE.search(html) is None
    assert not _tokens(app)


def test_the_longest_expiry_is_accepted(app: Flask, people: dict[str, int]) -> None:
    assert (
        _create(
            _client(app, "plain"), expires_on=_in_days(MAX_LIFETIME_DAYS)
        ).status_code
        == 201
    )


def test_a_name_is_required(app: Flask, people: dict[str, int]) -> None:
    response = _create(_client(app, "plain"), name="  ")
    assert response.status_code == 422
    assert "Gi nøkkelen et navn som sier hva den er til." in response.get_data(
        as_text=True
    )


def test_revoke_own_token(app: Flask, people: dict[str, int]) -> None:
    client = _client(app, "owner")
    _create(client, name="Skript")
    (token,) = _tokens(app)
    response = client.post(
        f"/konto/api-nokler/{token.id}/tilbakekall", follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert (
        '<p class="notice notice--success" role="status">Nøkkelen «Skript» er trukket tilbake'
        in html
    )
    (token,) = _tokens(app)
    assert token.revoked_at is not None
    assert token.revoked_by_id == people["owner"]


def test_cannot_revoke_another_persons_token(
    app: Flask, people: dict[str, int]
) -> None:
    _create(_client(app, "owner"), name="Olgas")
    (token,) = _tokens(app)
    for role in (
        "plain",
        "admin",
    ):  # an administrator uses the admin page for others' tokens
        response = _client(app, role).post(f"/konto/api-nokler/{token.id}/tilbakekall")
        assert response.status_code == 404
    assert (
        _client(app, "plain").post("/konto/api-nokler/999/tilbakekall").status_code
        == 404
    )
    assert _tokens(app)[0].revoked_at is None


def test_admin_lists_and_revokes_anyones_token(
    app: Flask, people: dict[str, int]
) -> None:
    _create(_client(app, "owner"), name="Olgas skript", scopes=["write"])
    _create(_client(app, "coordinator"), name="Karis skript", scopes=["coordinate"])
    (olgas, karis) = _tokens(app)
    admin = _client(app, "admin")
    html = admin.get("/admin/api-nokler").get_data(as_text=True)
    assert "Olgas skript" in html and "Olga Owner" in html
    assert "Karis skript" in html and "Kari Koordinator" in html
    assert "Koordinatorhandlinger for mine samarbeid" in html
    assert f"<code>{olgas.prefix}…</code>" in html
    response = admin.post(
        f"/admin/api-nokler/{olgas.id}/tilbakekall", follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Nøkkelen «Olgas skript» til Olga Owner er trukket tilbake." in html
    assert "Olgas skript</td>" not in html  # the list shows unrevoked tokens only
    assert "Karis skript" in html
    olgas, karis = _tokens(app)
    assert olgas.revoked_by_id == people["admin"]
    assert karis.revoked_at is None
    assert admin.post("/admin/api-nokler/999/tilbakekall").status_code == 404


def test_the_admin_start_page_links_to_the_list(
    app: Flask, people: dict[str, int]
) -> None:
    assert 'href="/admin/api-nokler"' in _client(app, "admin").get("/admin/").get_data(
        as_text=True
    )


def test_only_admins_see_every_token(app: Flask, people: dict[str, int]) -> None:
    _create(_client(app, "owner"), name="Olgas")
    (token,) = _tokens(app)
    for role in ("plain", "owner", "coordinator"):
        client = _client(app, role)
        assert client.get("/admin/api-nokler").status_code == 403
        assert (
            client.post(f"/admin/api-nokler/{token.id}/tilbakekall").status_code == 403
        )
    assert _tokens(app)[0].revoked_at is None


def test_the_audit_log_has_the_creation_without_the_digest(
    app: Flask, people: dict[str, int]
) -> None:
    secret = SECRET_RE.findall(
        _create(_client(app, "owner"), name="Sak/arkiv").get_data(as_text=True)
    )[0]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.object_type == "ApiToken")
        )
        assert event is not None
        assert event.action == "create"
        assert event.actor_label == "owner@kommune.no"
        assert event.object_label == f"Sak/arkiv ({secret[:12]}…)"
        assert event.changes["name"] == {"new": "Sak/arkiv"}
        assert "token_hash" not in event.changes
        assert digest(secret) not in repr(event.changes)
        assert secret not in repr(event.changes)


def test_revoking_is_in_the_audit_log(app: Flask, people: dict[str, int]) -> None:
    _create(_client(app, "owner"), name="Sak/arkiv")
    (token,) = _tokens(app)
    _client(app, "admin").post(f"/admin/api-nokler/{token.id}/tilbakekall")
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.object_type == "ApiToken", AuditEvent.action == "update"
            )
        )
        assert event is not None
        assert event.actor_label == "admin@kommune.no"
        assert "revoked_at" in event.changes


def test_the_forms_need_a_csrf_token() -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user_row(email="anne@kommune.no")
        db.session.commit()
    client = app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/logg-inn",
        data={
            "email": "anne@kommune.no",
            "password": "a long test password",
            "csrf_token": csrf,
        },
    )
    assert (
        client.post(PAGE, data={"name": "x", "expires_on": _in_days(3)}).status_code
        == 400
    )
    assert client.post("/konto/api-nokler/1/tilbakekall").status_code == 400
    html = client.get(PAGE).get_data(as_text=True)
    for form in re.findall(
        r"<form[^>]*method=\"post\".*?</form>", html, flags=re.DOTALL
    ):
        assert "csrf_token" in form
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_the_page_in_english(app: Flask, people: dict[str, int]) -> None:
    client = _client(app, "owner")
    client.get("/sprak/en")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Write processes for my municipalities" in html
    assert "Make API key" in html


def test_the_audit_log_page_shows_token_events(
    app: Flask, people: dict[str, int]
) -> None:
    secret = SECRET_RE.findall(
        _create(_client(app, "owner"), name="Sak/arkiv").get_data(as_text=True)
    )[0]
    html = (
        _client(app, "admin").get("/admin/logg/?type=ApiToken").get_data(as_text=True)
    )
    assert f"API-nøkkel «Sak/arkiv ({secret[:12]}…)» opprettet" in html
    assert '<option value="ApiToken" selected>API-nøkkel</option>' in html
    assert "Nøkkelen begynner med:" in html
    assert secret not in html
