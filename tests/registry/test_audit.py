"""Every change is logged with who, what and when; the log hides secrets and is for admins."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.registry.conftest import create_municipality_row, create_user_row, login


def _events(app: Flask) -> list[tuple[str, str, str, dict]]:  # type: ignore[type-arg]
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor_label, e.action, e.object_label, e.changes) for e in rows]


def test_web_change_records_user_and_old_and_new_values(app: Flask) -> None:
    with app.app_context():
        create_municipality_row(number="5001", name="Trondheim")
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    client.post("/kommuner/5001/rediger", data={"description": "Vi har en prosessgruppe.", "contact_email": ""})
    actor, action, label, changes = _events(app)[-1]
    assert (actor, action, label) == ("admin@kommune.no", "update", "5001 Trondheim")
    assert changes == {"description": {"old": "", "new": "Vi har en prosessgruppe."}}


def test_role_changes_are_logged_as_added_and_removed(db: object) -> None:
    trondheim = create_municipality_row(number="5001", name="Trondheim")
    user = create_user_row(email="ola@kommune.no")
    db.session.commit()  # type: ignore[attr-defined]
    user.owned_municipalities.append(trondheim)
    db.session.commit()  # type: ignore[attr-defined]
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[attr-defined]
    assert event.changes == {"owned_municipalities": {"added": ["5001 Trondheim"], "removed": []}}
    assert event.actor_label == "system"


def test_created_object_is_identified(db: object) -> None:
    municipality = create_municipality_row(number="5001", name="Trondheim")
    db.session.commit()  # type: ignore[attr-defined]
    event = db.session.scalar(select(AuditEvent))  # type: ignore[attr-defined]
    assert (event.action, event.object_type, event.object_id) == ("create", "Municipality", str(municipality.id))
    assert event.changes["number"] == {"new": "5001"}


def test_passwords_never_reach_the_log(db: object) -> None:
    create_user_row(email="ola@kommune.no", password="my secret password")
    db.session.commit()  # type: ignore[attr-defined]
    event = db.session.scalar(select(AuditEvent))  # type: ignore[attr-defined]
    assert event.changes["password_hash"] == {"new": "•••"}
    assert "pbkdf2" not in str(event.changes) and "my secret password" not in str(event.changes)


def test_audit_page_shows_the_change_to_admins(app: Flask) -> None:
    with app.app_context():
        create_municipality_row(number="5001", name="Trondheim")
        create_user_row(email="admin@kommune.no", name="Anne Admin", is_admin=True)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@kommune.no")
    client.post("/kommuner/5001/rediger", data={"description": "Ny tekst", "contact_email": ""})
    html = client.get("/admin/logg/?type=Municipality").get_data(as_text=True)
    assert "Anne Admin" in html
    assert "Kommune «5001 Trondheim» endret" in html
    assert "Ny tekst" in html
