"""The coordinator's page of every member's change plan, in a browser: accessible, no sideways scroll, downloads.

With ``REGISTRY_SCREENSHOTS=<folder>`` it also saves ``change-plans.png`` (1280×900), as test_layout does.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    VIEWPORT,
    LiveServer,
    assert_accessible,
    new_context,
    sign_in,
)
from tests.browser.test_layout import PHONE, horizontal_overflow, save_screenshot

pytestmark = pytest.mark.browser

PLANS = "/samarbeid/digi-trondelag/endringsplaner/byggesak"


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
def test_all_members_plans_page(browser: Any, live_server: LiveServer, viewport: dict[str, int]) -> None:
    context = new_context(browser, live_server, viewport=viewport, accept_downloads=True)
    try:
        page = context.new_page()
        sign_in(page, live_server.account("coordinator"))
        page.goto(PLANS)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Endringsplaner")
        expect(page.get_by_role("table")).to_contain_text("Alle medlemmer")
        assert horizontal_overflow(page) == [], "content wider than the screen"
        if viewport == VIEWPORT:
            save_screenshot(page, "change-plans")
            assert_accessible(page, PLANS)
            with page.expect_download() as download:
                page.get_by_role("link", name="Alle planene som CSV").click()
            assert download.value.suggested_filename.startswith("endringsplaner-digi-trondelag-byggesak-")
    finally:
        context.close()
