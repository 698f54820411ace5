"""Command-line commands: ``flask --app registry <command>``."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from registry.audit.services import set_actor_label
from registry.errors import RegistryError
from registry.extensions import db

__all__ = ["register_cli"]


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(message)


@click.command("import-municipalities")
@with_appcontext
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A list in the format of registry/data/municipalities.json (default: that file).",
)
def import_municipalities_command(path: Path | None) -> None:
    """Load the municipality reference list; safe to run again (it only applies differences)."""
    from registry.municipalities.services import (
        import_municipalities,
        load_reference_list,
    )

    set_actor_label("cli: import-municipalities")
    try:
        result = import_municipalities(load_reference_list(path))
    except RegistryError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(
        f"Municipalities: {len(result.added)} added, {len(result.updated)} updated, {result.unchanged} unchanged."
    )


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt="E-mail", help="The user's e-mail address (their login).")
@click.option("--name", prompt="Name", help="The user's full name.")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--coordinator", "coordinator_of", multiple=True, metavar="SLUG", help="Coordinator of this cooperation (repeatable).")
@click.option("--owner", "owner_of", multiple=True, metavar="NUMBER", help="Process owner for this municipality (repeatable).")
@click.password_option("--password", help="Asked for when not given; never shown.")
def create_user_command(
    email: str, name: str, admin: bool, coordinator_of: tuple[str, ...], owner_of: tuple[str, ...], password: str
) -> None:
    """Create a user account with roles."""
    from registry.cooperations.services import get_cooperation
    from registry.municipalities.services import get_municipality
    from registry.users.services import create_user

    set_actor_label("cli: create-user")
    try:
        user = create_user(
            email=email,
            name=name,
            password=password,
            is_admin=admin,
            coordinator_of=[get_cooperation(slug) for slug in coordinator_of],
            owner_of=[get_municipality(number) for number in owner_of],
        )
    except RegistryError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Created user {user.email}.")


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.password_option("--password", help="Asked for when not given; never shown.")
def set_password_command(email: str, password: str) -> None:
    """Give an existing user a new password (ends their sessions)."""
    from sqlalchemy import select

    from registry.users.models import User
    from registry.users.services import set_password

    set_actor_label("cli: set-password")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"No user has the e-mail address {email}.")
    try:
        set_password(user, password)
    except RegistryError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"New password set for {user.email}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users or cooperations.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    envvar="FLASK_RUN_PORT",
    help="The port `flask run` serves on, for the sign-in address printed (also read from FLASK_RUN_PORT).",
)
def seed_demo_command(if_empty: bool, port: int) -> None:
    """Load demo data (development only): DigiTrøndelag, a coordinator, process owners."""
    from registry.demo import has_data, seed_demo

    if not (current_app.debug or current_app.testing):
        raise click.ClickException(
            "Refusing to load demo accounts outside debug mode: they have known roles and printed passwords. "
            "Run with FLASK_DEBUG=1 on a development machine."
        )
    if has_data():
        if if_empty:
            click.echo(f"The database already has data; demo data not loaded. Sign in at http://127.0.0.1:{port}/logg-inn")
            return
        raise click.ClickException("The database already has users or cooperations; use an empty database.")
    set_actor_label("cli: seed-demo")
    try:
        accounts = seed_demo()
    except RegistryError as exc:
        _fail(exc.message)
    db.session.commit()
    width = max(len(a.email) for a in accounts)
    click.echo(f"Demo data loaded. Sign in at http://127.0.0.1:{port}/logg-inn with:")
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.password}  ({account.role})")
    click.echo("These passwords are shown only now. Lost one? flask --app registry set-password EMAIL")


def register_cli(app: Flask) -> None:
    """Add the commands to ``flask --app registry``."""
    from registry.comparisons.commands import recompute_command, worker_command

    for command in (import_municipalities_command, create_user_command, set_password_command, seed_demo_command):
        app.cli.add_command(command)
    for command in (worker_command, recompute_command):
        app.cli.add_command(command)
