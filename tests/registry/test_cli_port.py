"""`make run PORT=…`: the seed command's sign-in address names the port the server uses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

import registry.demo
from registry.demo import DemoAccount
from registry.extensions import db
from tests.registry.conftest import create_cooperation_row

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quick_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo data takes seconds to load; these tests are about what the command prints."""
    accounts = [DemoAccount("admin@demo.kommune.no", "secret-password", "administrator")]
    monkeypatch.setattr(registry.demo, "seed_demo", lambda: accounts)


@pytest.mark.usefixtures("quick_seed")
def test_seed_demo_prints_the_port_it_is_given(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "Sign in at http://127.0.0.1:8123/logg-inn" in result.output
    assert ":5000" not in result.output


@pytest.mark.usefixtures("quick_seed")
def test_seed_demo_reads_the_port_flask_run_uses_from_the_environment(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo"], env={"FLASK_RUN_PORT": "8124"})
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8124/logg-inn" in result.output


@pytest.mark.usefixtures("quick_seed")
def test_seed_demo_defaults_to_the_port_of_flask_run(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo"], env={"FLASK_RUN_PORT": ""})
    assert "http://127.0.0.1:5000/logg-inn" in result.output


def test_seed_demo_if_empty_says_where_to_sign_in_when_data_is_there(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_cooperation_row()
        db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty", "--port", "8126"])
    assert result.exit_code == 0, result.output
    assert "demo data not loaded" in result.output
    assert "http://127.0.0.1:8126/logg-inn" in result.output


def test_seed_demo_refuses_a_port_that_cannot_be(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--port", "70000"])
    assert result.exit_code == 2
    assert "70000" in result.output


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_port_to_the_seed_command_and_the_server() -> None:
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8125"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    seed = [c for c in commands if "seed-demo" in c]
    serve = [c for c in commands if " run " in c and "flask" in c]
    assert seed and all("--port 8125" in c for c in seed)
    assert serve and all("--port 8125" in c for c in serve)
