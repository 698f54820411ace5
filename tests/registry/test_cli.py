"""flask --app registry import-municipalities, create-user, set-password, seed-demo."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.cooperations.services import get_cooperation
from registry.extensions import db
from registry.users.models import User
from registry.users.services import authenticate
from tests.registry.conftest import (
    create_cooperation_row,
    create_municipality_row,
    login,
    make_app,
)


def test_import_municipalities_twice_changes_nothing_the_second_time(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["import-municipalities"])
    second = runner.invoke(args=["import-municipalities"])
    assert first.exit_code == 0 and "375 added, 0 updated, 0 unchanged" in first.output
    assert second.exit_code == 0 and "0 added, 0 updated, 375 unchanged" in second.output


def test_import_municipalities_reports_a_broken_file(runner: FlaskCliRunner, tmp_path: Any) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[1, 2")
    result = runner.invoke(args=["import-municipalities", "--file", str(path)])
    assert result.exit_code == 1
    assert "broken.json: not a municipality list" in result.output


def test_create_user_prompts_for_a_hidden_password(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_municipality_row(number="5001", name="Trondheim")
        create_cooperation_row(slug="digi-trondelag")
        db.session.commit()
    secret = "a very secret password"
    result = runner.invoke(
        args=["create-user", "--email", "Ola@Kommune.no", "--name", "Ola Nordmann",
              "--owner", "5001", "--coordinator", "digi-trondelag"],
        input=f"{secret}\n{secret}\n",
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    with app.app_context():
        user = authenticate("ola@kommune.no", secret)
        assert user is not None
        assert [m.number for m in user.owned_municipalities] == ["5001"]
        assert [c.slug for c in user.coordinated_cooperations] == ["digi-trondelag"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "User"))
        assert event is not None and event.actor_label == "cli: create-user"


def test_create_user_rejects_a_short_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-user", "--email", "a@kommune.no", "--name", "A", "--password", "short"])
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_create_user_rejects_an_unknown_municipality(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "--email", "a@kommune.no", "--name", "A", "--owner", "9999", "--password", "x" * 12]
    )
    assert result.exit_code == 1
    assert "No municipality has the number 9999." in result.output


def test_set_password_replaces_the_old_one(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["create-user", "--email", "a@kommune.no", "--name", "A", "--password", "first password!"])
    result = runner.invoke(args=["set-password", "a@kommune.no"], input="second password!\nsecond password!\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate("a@kommune.no", "first password!") is None
        assert authenticate("a@kommune.no", "second password!") is not None


def test_seed_demo_loads_digitrondelag_and_prints_working_credentials(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        digi = get_cooperation("digi-trondelag")
        assert len(digi.members_on(__import__("datetime").date.today())) == 38
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
    match = re.search(r"(koordinator@demo\.kommune\.no)\s+(\S+)", result.output)
    assert match is not None
    client = app.test_client()
    login(client, match.group(1), match.group(2))
    assert "Kari Koordinator" in client.get("/").get_data(as_text=True)


def test_seed_demo_if_empty_does_nothing_the_second_time(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo", "--if-empty"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output


def test_seed_demo_refuses_outside_debug_mode() -> None:
    app = make_app(TESTING=False, DEBUG=False, SECRET_KEY="a-real-secret-key-for-production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "Refusing to load demo accounts outside debug mode" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
