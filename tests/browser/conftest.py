"""Real-browser fixtures: Debian's Chromium driven by Playwright against the real app on loopback.

The browser is never downloaded (no ``playwright install``): its path comes from
``REGISTRY_TEST_BROWSER`` or ``/usr/bin/chromium``. Without a browser the tests skip, unless
``REGISTRY_REQUIRE_SERVICES=1`` (CI), where they fail.

One live server per session: the real app (migrations, CSRF on, demo data loaded by the
``seed-demo`` command) served by werkzeug in a thread on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from registry import create_app
from registry.extensions import db

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_BROWSER = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}

#: WCAG 2.1 level A and AA: the rules the registry promises in its accessibility statement.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (Chromium) against a live server")


def _unavailable(message: str) -> None:
    if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
        pytest.fail(f"REGISTRY_REQUIRE_SERVICES is set but {message}")
    pytest.skip(message)


def browser_path() -> str | None:
    """REGISTRY_TEST_BROWSER, else Debian's chromium when installed."""
    configured = os.environ.get("REGISTRY_TEST_BROWSER")
    if configured:
        return configured
    if Path(DEFAULT_BROWSER).exists():
        return DEFAULT_BROWSER
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright's sync API); skips or fails when there is none."""
    path = browser_path()
    if not path or not Path(path).exists():
        found = f" (no file at {path})" if path else ""
        _unavailable(
            f"the browser tests need Chromium{found}: install Debian's `chromium` package or set "
            "REGISTRY_TEST_BROWSER to its path (never `playwright install`)"
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser tests need the Python package playwright (pip install -e '.[test]')")
    manager = sync_playwright()
    playwright = manager.start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=path, headless=True, args=BROWSER_ARGS)
        except PlaywrightError as exc:
            _unavailable(f"Chromium at {path} did not start: {exc}")
        yield chromium
        chromium.close()
    finally:
        manager.__exit__(None, None, None)


@dataclass(frozen=True)
class Account:
    """A demo account as printed by ``seed-demo``."""

    email: str
    password: str
    role: str


@dataclass(frozen=True)
class LiveServer:
    """The app served on loopback, and the demo accounts."""

    app: Flask
    url: str
    accounts: tuple[Account, ...]

    def account(self, role_start: str) -> Account:
        """The first demo account whose role starts with ``role_start`` (e.g. 'coordinator')."""
        for account in self.accounts:
            if account.role.startswith(role_start):
                return account
        raise LookupError(f"no demo account with a role starting with {role_start!r}: {self.accounts}")


_ACCOUNT_LINE = re.compile(r"^\s+(?P<email>\S+@\S+)\s+(?P<password>\S+)\s+\((?P<role>[^)]*)\)\s*$")


def _seed(app: Flask) -> tuple[Account, ...]:
    """Migrate the empty database and load the demo data with the same command as `make run`."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        raise RuntimeError(f"seed-demo failed ({result.exit_code}):\n{result.output}") from result.exception
    accounts = tuple(
        Account(m["email"], m["password"], m["role"])
        for m in map(_ACCOUNT_LINE.match, result.output.splitlines())
        if m
    )
    if not accounts:
        raise RuntimeError(f"seed-demo printed no accounts:\n{result.output}")
    return accounts


class _QuietHandler(WSGIRequestHandler):
    """No access log: a failing test's output should show the failure, not every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _buffered(app: Any) -> Any:
    """The app with each response body read whole and closed before it is sent.

    Werkzeug's development server skips ``close()`` of a response when the browser drops
    the connection while it is being read (Chromium does so for the favicon), which
    leaves a static file open and fails the test in progress with a ResourceWarning.
    Production serves through gunicorn; this only makes the test server deterministic.
    """

    def buffered(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return buffered


@contextmanager
def serve_demo(instance: Path) -> Iterator[LiveServer]:
    """The real app with demo data on http://127.0.0.1:<free port>, its database in ``instance``."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(instance / "registry.sqlite"),
            # CSRF stays on: the browser sends the real forms.
            "WTF_CSRF_ENABLED": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Every test signs in; the login rate limit has its own tests.
            "RATELIMIT_ENABLED": False,
            "TASK_QUEUE_URL": "",
        },
        instance_path=str(instance),
    )
    accounts = _seed(app)
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", accounts=accounts)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app with demo data (once per session; tests that change much use their own, see serve_demo)."""
    with serve_demo(tmp_path_factory.mktemp("browser-instance")) as server:
        yield server


def new_context(browser: Any, live_server: LiveServer, **options: Any) -> Any:
    """A fresh browser context (own cookies) on the live server, Norwegian, 1280×900."""
    settings: dict[str, Any] = {"base_url": live_server.url, "viewport": VIEWPORT, "locale": "nb-NO"}
    settings.update(options)
    context = browser.new_context(**settings)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """An anonymous visitor's page."""
    context = new_context(browser, live_server)
    yield context.new_page()
    context.close()


_SIGN_IN_TEXT = {
    "nb": ("E-postadresse", "Passord", "Logg inn", "Logg ut"),
    "en": ("E-mail address", "Password", "Sign in", "Sign out"),
}


def sign_in(page: Any, account: Account, *, lang: str = "nb") -> None:
    """Sign in through the form, as a user would (``lang``: the language the page is in)."""
    from playwright.sync_api import expect

    email, password, button, sign_out = _SIGN_IN_TEXT[lang]
    page.goto("/logg-inn")
    page.get_by_label(email).fill(account.email)
    page.get_by_label(password).fill(account.password)
    page.get_by_role("main").get_by_role("button", name=button).click()
    expect(page.get_by_role("button", name=sign_out)).to_be_visible()


def _signed_in_page(browser: Any, live_server: LiveServer, role: str) -> Iterator[Any]:
    context = new_context(browser, live_server)
    page = context.new_page()
    sign_in(page, live_server.account(role))
    yield page
    context.close()


@pytest.fixture
def admin_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    yield from _signed_in_page(browser, live_server, "administrator")


@pytest.fixture
def coordinator_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    yield from _signed_in_page(browser, live_server, "coordinator")


@pytest.fixture
def owner_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Signed in as the demo process owner for 5001 Trondheim."""
    yield from _signed_in_page(browser, live_server, "process owner for 5001")


# --- accessibility ---------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return list(results.response["violations"])


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """Rule, impact, help and the offending elements, one block per rule."""
    lines = [f"{where}: {len(violations)} WCAG 2.1 A/AA violation(s)"]
    for v in violations:
        lines.append(f"  [{v['id']}] ({v.get('impact')}) {v['help']} – {v.get('helpUrl', '')}")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {target}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more elements")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str | None = None) -> None:
    """Fail with a readable list when axe finds WCAG 2.1 A/AA violations."""
    violations = axe_violations(page)
    assert not violations, format_violations(where or page.url, violations)
