"""The inter-municipal process registry: a Flask application.

``create_app`` reads like a table of contents: configuration, extensions, security,
languages, pages, command-line commands. Nothing happens at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from registry.config import DefaultConfig, check_config

__all__ = ["create_app"]

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the application; ``test_config`` overrides every other configuration layer.

    ``instance_path`` defaults to ``instance/`` beside the package (SQLite file, config.py).
    """
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_models(app)
    register_security(app)
    register_input_limits(app)
    register_i18n(app)
    register_blueprints(app)
    register_api(app)
    register_error_pages(app)
    register_commands(app)
    return app


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then FLASK_* variables; or defaults, then ``test_config``."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        # Tests are isolated from the developer's instance/config.py and environment.
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "registry.sqlite")
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        secure = not (app.debug or app.testing)
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    check_config(app.config, debug=app.debug, testing=app.testing)


def register_extensions(app: Flask) -> None:
    """Database, migrations, CSRF, rate limits, background jobs."""
    from registry.extensions import csrf, db, limiter, migrate
    from registry.tasks import register_tasks

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    register_tasks(app)


def register_models(app: Flask) -> None:
    """Import every model (so metadata is complete for migrations) and start the audit log."""
    from registry.api import models as _api  # noqa: F401
    from registry.audit import models as _audit  # noqa: F401
    from registry.audit.services import register_audit
    from registry.comparisons import models as _comparisons  # noqa: F401
    from registry.cooperations import models as _cooperations  # noqa: F401
    from registry.exports import models as _exports  # noqa: F401
    from registry.gains import models as _gains  # noqa: F401
    from registry.harmonisation import models as _harmonisation  # noqa: F401
    from registry.municipalities import models as _municipalities  # noqa: F401
    from registry.process_types import models as _process_types  # noqa: F401
    from registry.users import models as _users  # noqa: F401
    from registry.variants import models as _variants  # noqa: F401

    register_audit(app)


def register_security(app: Flask) -> None:
    """Login sessions and security headers."""
    from registry.security import init_security

    init_security(app)


def register_input_limits(app: Flask) -> None:
    """Bounded integers in every URL (before the routes are added) and no NUL characters."""
    from registry.inputs import init_inputs

    init_inputs(app)


def register_i18n(app: Flask) -> None:
    """Norwegian bokmål by default, English on request; Norwegian dates and numbers."""
    from registry.i18n import init_i18n

    init_i18n(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from registry.admin.views import bp as admin_bp
    from registry.api.token_views import bp as tokens_bp
    from registry.audit.views import bp as audit_bp
    from registry.cooperations.views import bp as cooperations_bp
    from registry.dashboard.views import bp as dashboard_bp
    from registry.municipalities.views import bp as municipalities_bp
    from registry.pages.views import bp as pages_bp
    from registry.users.views import bp as users_bp

    for bp in (pages_bp, dashboard_bp, municipalities_bp, cooperations_bp, users_bp, tokens_bp, admin_bp, audit_bp):
        app.register_blueprint(bp)
    register_process_blueprints(app)
    register_coordinator_blueprints(app)


def register_coordinator_blueprints(app: Flask) -> None:
    """Cooperations' standards, divergence maps, heatmaps, step search and proposed standards."""
    from registry.divergence.views import bp as divergence_bp
    from registry.gains.views import bp as gains_bp
    from registry.harmonisation.adoption_views import bp as adoption_bp
    from registry.harmonisation.plan_views import bp as plan_exports_bp
    from registry.harmonisation.views import bp as harmonisation_bp
    from registry.standards.views import bp as standards_bp

    for bp in (standards_bp, divergence_bp, harmonisation_bp, adoption_bp, plan_exports_bp, gains_bp):
        app.register_blueprint(bp)


def register_process_blueprints(app: Flask) -> None:
    """Process types, municipalities' processes, comparisons and exports."""
    from registry.comparisons.views import bp as comparisons_bp
    from registry.exports.views import bp as exports_bp
    from registry.process_types.views import bp as process_types_bp
    from registry.variants.views import bp as variants_bp

    for bp in (process_types_bp, variants_bp, comparisons_bp, exports_bp):
        app.register_blueprint(bp)


def register_api(app: Flask) -> None:
    """The JSON API under /api/v1/ with its OpenAPI description and documentation."""
    from registry.api import init_api

    init_api(app)


def register_error_pages(app: Flask) -> None:
    """Our own 403 (with the reason), 404, 429 and 500 pages."""
    from registry.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """``flask --app registry import-municipalities``, ``create-user``, ``seed-demo`` …"""
    from registry.cli import register_cli

    register_cli(app)
