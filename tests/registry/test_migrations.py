"""The migrations build the models' schema on empty SQLite and PostgreSQL databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from registry import create_app
from registry.extensions import db
from tests.registry.conftest import TEST_CONFIG


def _migrated_app(url: str) -> Flask:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    return app


def _schema_differences(app: Flask) -> list[object]:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def _table_names(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.inspect(db.engine).get_table_names())


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrade_on_empty_sqlite_matches_the_models(tmp_path: Path) -> None:
    app = _migrated_app(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert _schema_differences(app) == []
    _dispose(app)


def test_downgrade_then_upgrade_on_sqlite(tmp_path: Path) -> None:
    app = _migrated_app(f"sqlite:///{tmp_path / 'roundtrip.sqlite'}")
    with app.app_context():
        downgrade(revision="base")
    assert _table_names(app) == {"alembic_version"}
    with app.app_context():
        upgrade()
    assert _schema_differences(app) == []
    _dispose(app)


@pytest.mark.postgres
def test_upgrade_on_empty_postgresql_matches_the_models(postgres_schema_url: str) -> None:
    app = _migrated_app(postgres_schema_url)
    assert "municipalities" in _table_names(app)
    assert _schema_differences(app) == []
    _dispose(app)


@pytest.mark.postgres
def test_downgrade_then_upgrade_on_postgresql(postgres_schema_url: str) -> None:
    app = _migrated_app(postgres_schema_url)
    with app.app_context():
        downgrade(revision="base")
    assert _table_names(app) == {"alembic_version"}
    with app.app_context():
        upgrade()
    assert _schema_differences(app) == []
    _dispose(app)


def test_db_upgrade_command_creates_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert "users" in _table_names(app)
    _dispose(app)
