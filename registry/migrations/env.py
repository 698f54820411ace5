"""Alembic environment for ``flask --app registry db …`` (Flask-Migrate).

The database URL and metadata come from the running app, so the same migrations
serve SQLite (batch mode, set in create_app) and PostgreSQL.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not current_app.testing:
    # Keep the app's loggers alive; tests leave logging to pytest.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def _skip_empty_autogenerate(context, revision, directives):  # type: ignore[no-untyped-def]
    # `flask db migrate` without model changes writes no empty revision file.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """Write SQL to stdout (``flask db upgrade --sql``)."""
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations through the app's engine."""
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", _skip_empty_autogenerate)
    options.setdefault("compare_type", True)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
