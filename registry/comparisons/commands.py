"""``flask --app registry worker`` and ``flask --app registry recompute``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.audit.services import set_actor_label
from registry.extensions import db

__all__ = ["recompute_command", "worker_command"]


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
def worker_command(burst: bool) -> None:
    """Run queued jobs (comparisons) from TASK_QUEUE_URL; one job at a time, in this process."""
    from registry.tasks import queue_url, run_worker

    url = queue_url()
    if not url:
        raise click.ClickException(
            "TASK_QUEUE_URL is not set, so jobs run inline and there is nothing to work on. "
            "Set it, e.g. FLASK_TASK_QUEUE_URL=redis://127.0.0.1:6379/0, for the web app and the worker."
        )
    click.echo(f"Working on queue 'registry' at {url.split('@')[-1]}" + (" until it is empty." if burst else "."))
    run_worker(burst=burst)


@click.command("recompute")
@with_appcontext
def recompute_command() -> None:
    """Compare the latest versions again where the stored result is stale (e.g. after an engine upgrade)."""
    from registry.comparisons.services import recompute_stale
    from registry.graphs import ENGINE_VERSION
    from registry.tasks import queue_url

    set_actor_label("cli: recompute")
    count = recompute_stale()
    db.session.commit()
    where = "queued for the worker" if queue_url() else "computed"
    click.echo(f"Engine {ENGINE_VERSION}: {count} comparison(s) {where}.")
    current_app.logger.info("recompute: %s comparisons requested", count)
