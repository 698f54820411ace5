"""The API documentation page: Swagger UI from the registry's own files, drawn, with no CSP violation and no axe violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, assert_accessible, new_context

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_swagger_ui_draws_the_description_without_third_parties(
    browser: Any, live_server: LiveServer, width: int
) -> None:
    context = new_context(
        browser, live_server, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    requests: list[str] = []
    csp_errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console",
        lambda m: (
            csp_errors.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    try:
        page.goto("/")
        page.get_by_role("link", name="API for andre systemer").click()
        expect(
            page.get_by_role("heading", name="API-dokumentasjon", level=1)
        ).to_be_visible()
        # Swagger UI has read the description and drawn its operations.
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        assert page.locator(".opblock").count() >= 18
        assert all(url.startswith(live_server.url) for url in requests), [
            u for u in requests if not u.startswith(live_server.url)
        ]
        assert not csp_errors, csp_errors
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"API documentation at {width} px")
    finally:
        context.close()
