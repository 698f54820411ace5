"""Configuration defaults.

Layers, later ones winning: the defaults below, ``instance/config.py``,
``FLASK_*`` environment variables (``FLASK_SECRET_KEY``,
``FLASK_SQLALCHEMY_DATABASE_URI`` …) and finally the mapping passed to
:func:`registry.create_app` (tests).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["DEFAULT_SECRET_KEY", "DefaultConfig", "InsecureConfigError", "check_config"]

#: The development key. The app refuses to start with it outside debug or testing mode.
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"


class InsecureConfigError(RuntimeError):
    """The configuration is not safe for a production server."""


class DefaultConfig:
    """Defaults that make ``make run`` work on a laptop; see docs/administrators.md, section "Configuration"."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means "sqlite:///<instance folder>/registry.sqlite", resolved in create_app.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    # Cookies: Secure is decided in create_app (on unless debug or testing) when left as None.
    SESSION_COOKIE_SECURE: bool | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Sessions: PERMANENT_SESSION_LIFETIME is the idle limit (the cookie is renewed on every
    # request and refused once older); SESSION_ABSOLUTE_LIFETIME ends a session that long
    # after sign-in however busy it is. "strong" binds a session to the client address and
    # browser it was signed in from; "basic" does not (e.g. for users whose address changes).
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day
    SESSION_ABSOLUTE_LIFETIME = 12 * 3600
    SESSION_PROTECTION = "strong"

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"

    # Flask-Limiter. memory:// keeps the counts in each worker process, so with N gunicorn
    # workers an attacker gets N times every limit: in production use a store all workers
    # share, e.g. redis://127.0.0.1:6379/1 (the app logs a warning at start otherwise).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins per client address (offices behind one address share it) and per
    # account (the e-mail address typed); a successful sign-in counts for neither.
    LOGIN_RATE_LIMIT = "30 per minute; 200 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute; 20 per hour"
    # The JSON API: requests per token (anonymous callers: per address), and uploads on top.
    API_RATE_LIMIT = "600 per minute"
    API_WRITE_RATE_LIMIT = "60 per minute"

    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers
    # are trusted. Needed behind a proxy so that rate limits see the client's address and
    # HTTPS is recognised; leave 0 when the app is reached directly (headers could be forged).
    TRUSTED_PROXIES = 0

    # werkzeug.security method; tests use a cheap one.
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 12

    AUDIT_PAGE_SIZE = 50

    # Uploads: the largest request body (a 413 page says so), and how many parsed uploads one
    # user may have waiting for confirmation at once.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    UPLOAD_MAX_PENDING = 5
    # The most steps one process may have. The largest real process in the shared test data
    # (BPI Challenge 2015's main building-permit sub-process) has 148 steps and the whole
    # permit process of one municipality about 400 activities; 2,000 leaves five times that,
    # while comparing and drawing (which grow with the square of the steps) stay within a job's
    # time limit. A larger file is refused with a message that says the count and the limit.
    UPLOAD_MAX_STEPS = 2000

    # Background jobs (comparisons): empty runs them inline in the request (laptops, tests);
    # e.g. redis://127.0.0.1:6379/0 sends them to RQ workers (`flask --app registry worker`).
    TASK_QUEUE_URL = ""
    # The time limit of one job (seconds): a comparison of two 2,000-step processes takes
    # about 2 s. A worker killed mid-job is noticed when the job's lease (this + 60 s) ends;
    # RQ then tries the job twice more before the page says it failed.
    TASK_JOB_TIMEOUT = 300
    # How many comparisons, version diffs and drawings one signed-in user may have waiting at once.
    TASK_MAX_PENDING_PER_USER = 10
    # Drawings (SVG, PNG, PDF) of versions with more steps than this are made by a job and
    # kept: Graphviz needs 15-20 s for 2,000 steps. Smaller ones are drawn in the request.
    DRAWING_INLINE_MAX_STEPS = 400

    # A TrueType font with æøå for the printable description PDF; None: DejaVu Sans when the
    # system has it, else the PDF's built-in Helvetica (Latin-1 only).
    PDF_FONT_PATH: str | None = None


def check_config(config: dict[str, object], *, debug: bool, testing: bool) -> None:
    """Refuse settings that are unsafe outside development."""
    if debug or testing:
        return
    key = config.get("SECRET_KEY")
    if not key or key == DEFAULT_SECRET_KEY:
        raise InsecureConfigError(
            "Refusing to start: SECRET_KEY is the development default. Set a secret key, e.g.\n"
            "  export FLASK_SECRET_KEY=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\"\n"
            "or put SECRET_KEY = '...' in instance/config.py "
            "(or run with FLASK_DEBUG=1 on a development machine)."
        )
