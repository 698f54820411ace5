"""Secret key, cookies, CSRF, security headers, inline code and login rate limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry import create_app
from registry.config import InsecureConfigError
from registry.extensions import db
from tests.registry.conftest import create_user_row, make_app

ROOT = Path(__file__).resolve().parents[2]


def test_refuses_default_secret_key_outside_debug() -> None:
    with pytest.raises(InsecureConfigError, match="FLASK_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_default_secret_key_is_fine_in_debug_mode() -> None:
    app = create_app({"DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_instance_config_then_environment_override_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-instance-config"\nLOGIN_RATE_LIMIT = "5 per minute"\nPASSWORD_MIN_LENGTH = 16\n'
    )
    monkeypatch.setenv("FLASK_LOGIN_RATE_LIMIT", "3 per minute")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-instance-config"
    assert app.config["PASSWORD_MIN_LENGTH"] == 16
    assert app.config["LOGIN_RATE_LIMIT"] == "3 per minute"  # the environment wins
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'registry.sqlite'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_secret_key_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "from-the-environment"


def test_refusal_without_any_secret_key_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(InsecureConfigError, match="instance/config.py"):
        create_app(instance_path=str(tmp_path))


def _production_app() -> Flask:
    return make_app(TESTING=False, DEBUG=False, SECRET_KEY="a-real-secret-key-for-production")


def test_session_cookie_is_secure_httponly_and_lax() -> None:
    app = _production_app()
    with app.app_context():
        create_user_row(email="anne@kommune.no")
        db.session.commit()
    response = app.test_client().post("/logg-inn", data={"email": "anne@kommune.no", "password": "a long test password"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # PERMANENT_SESSION_LIFETIME: a working day, then sign in again


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    for url in ("/", "/kommuner/", "/logg-inn", "/finnes-ikke"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text and " style=" not in text, path
        assert not re.search(r"\son[a-z]+=", text), path  # no onclick= and friends
        assert "http://" not in text and "https://" not in text, path  # nothing third-party


@pytest.fixture
def csrf_app() -> Flask:
    return make_app(WTF_CSRF_ENABLED=True)


def test_csrf_token_is_required_to_sign_in(csrf_app: Flask) -> None:
    response = csrf_app.test_client().post("/logg-inn", data={"email": "a@b.no", "password": "x"})
    assert response.status_code == 400
    assert "Skjemaet kan være utløpt" in response.get_data(as_text=True)


def test_csrf_token_is_required_to_sign_out(csrf_app: Flask) -> None:
    assert csrf_app.test_client().post("/logg-ut").status_code == 400


def test_sign_in_works_with_the_forms_token(csrf_app: Flask) -> None:
    with csrf_app.app_context():
        create_user_row(email="anne@kommune.no")
        db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/logg-inn", data={"email": "anne@kommune.no", "password": "a long test password", "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


def test_every_post_form_carries_a_csrf_token(csrf_app: Flask) -> None:
    with csrf_app.app_context():
        create_user_row(email="admin@kommune.no", is_admin=True)
        db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/logg-inn", data={"email": "admin@kommune.no", "password": "a long test password", "csrf_token": token})
    for url in ("/", "/admin/brukere/ny", "/admin/kommuner/ny", "/admin/samarbeid/ny"):
        html = client.get(url).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.DOTALL):
            assert "csrf_token" in form, (url, form[:200])


def test_login_attempts_are_rate_limited() -> None:
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [
        client.post("/logg-inn", data={"email": "nobody@kommune.no", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    last = client.post("/logg-inn", data={"email": "nobody@kommune.no", "password": "wrong"})
    assert "For mange forsøk" in last.get_data(as_text=True)


def test_rate_limit_does_not_block_reading_the_login_page() -> None:
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    assert [client.get("/logg-inn").status_code for _ in range(3)] == [200, 200, 200]


def test_forwarded_headers_are_ignored_by_default(client: FlaskClient) -> None:
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_trusted_proxy_makes_https_and_client_address_known() -> None:
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # Two clients behind the same proxy have separate login limits.
    first = client.post("/logg-inn", data={"email": "a@b.no", "password": "x"}, headers={"X-Forwarded-For": "10.0.0.1"})
    second = client.post("/logg-inn", data={"email": "a@b.no", "password": "x"}, headers={"X-Forwarded-For": "10.0.0.2"})
    again = client.post("/logg-inn", data={"email": "a@b.no", "password": "x"}, headers={"X-Forwarded-For": "10.0.0.1"})
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)


# --- per account as well as per address; what the production set-up trusts ----------------------


def _proxied_app(**config: object) -> Flask:
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, **config)
    with app.app_context():
        create_user_row(email="anne@kommune.no")
        create_user_row(email="bob@kommune.no")
        db.session.commit()
    return app


def test_failed_sign_ins_are_limited_per_account_from_any_address() -> None:
    app = _proxied_app(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [
        client.post(
            "/logg-inn", data={"email": "Anne@kommune.no ", "password": "wrong"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}
        ).status_code
        for i in range(1, 4)
    ]
    assert statuses == [200, 200, 429]
    # Another account is not affected.
    other = client.post("/logg-inn", data={"email": "bob@kommune.no", "password": "a long test password"})
    assert other.status_code == 302


def test_a_right_password_uses_up_no_allowance_at_a_shared_address() -> None:
    app = _proxied_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    office = {"X-Forwarded-For": "10.0.0.7"}
    for _ in range(2):
        assert app.test_client().post("/logg-inn", data={"email": "bob@kommune.no", "password": "typo"}, headers=office).status_code == 200
    for _ in range(3):  # colleagues at the same address still sign in
        response = app.test_client().post(
            "/logg-inn", data={"email": "anne@kommune.no", "password": "a long test password"}, headers=office
        )
        assert response.status_code == 302
    assert app.test_client().post("/logg-inn", data={"email": "bob@kommune.no", "password": "typo"}, headers=office).status_code == 200
    assert app.test_client().post("/logg-inn", data={"email": "bob@kommune.no", "password": "typo"}, headers=office).status_code == 429


def test_production_with_memory_rate_limits_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    from registry.security import warn_about_memory_rate_limits

    production = {"TESTING": False, "DEBUG": False, "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": True}
    assert warn_about_memory_rate_limits(make_app(**production))
    assert not warn_about_memory_rate_limits(make_app(**production, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/1"))
    assert "N times LOGIN_RATE_LIMIT" in caplog.text


def test_gunicorn_trusts_no_forwarded_header_itself() -> None:
    from gunicorn.config import Config

    import registry.gunicorn_conf as conf

    config = Config()
    for name in ("forwarded_allow_ips", "secure_scheme_headers", "forwarder_headers", "proxy_protocol", "bind"):
        config.set(name, getattr(conf, name))
    assert config.forwarded_allow_ips == []
    assert config.secure_scheme_headers == {}
    assert config.forwarder_headers == []
    assert config.bind == ["127.0.0.1:8000"]
