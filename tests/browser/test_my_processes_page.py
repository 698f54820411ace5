"""«Mine prosesser» in a browser: where signing in lands, accessible, no sideways scroll, reached by keyboard."""

from __future__ import annotations

import re
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
from tests.browser.test_layout import PHONE, horizontal_overflow

pytestmark = pytest.mark.browser

# 390 px: the phone of the issue; 320 px: WCAG 2.1 reflow.
PHONES = [{"width": 390, "height": 844}, PHONE]


@pytest.mark.parametrize("viewport", [VIEWPORT, *PHONES], ids=["desktop", "phone-390", "phone-320"])
def test_the_owner_lands_on_their_processes(browser: Any, live_server: LiveServer, viewport: dict[str, int]) -> None:
    context = new_context(browser, live_server, viewport=viewport)
    try:
        page = context.new_page()
        sign_in(page, live_server.account("process owner for 5001"))
        assert page.url.endswith("/mine-prosesser"), page.url
        expect(page.get_by_role("heading", level=1)).to_have_text("Mine prosesser")
        table = page.get_by_role("table", name="Prosessene til")
        expect(table).to_contain_text("Byggesak")
        expect(table).to_contain_text("%")  # a similarity in every row with a standard
        assert horizontal_overflow(page) == [], "content wider than the screen"
        if viewport == VIEWPORT:
            assert_accessible(page, "/mine-prosesser (process owner)")
    finally:
        context.close()


def test_the_coordinator_reaches_the_tools_from_my_processes(browser: Any, live_server: LiveServer) -> None:
    context = new_context(browser, live_server, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_in(page, live_server.account("coordinator"))
        expect(page.get_by_role("heading", name="Samarbeid du koordinerer")).to_be_visible()
        assert_accessible(page, "/mine-prosesser (coordinator)")
        page.get_by_role("link", name=re.compile(r"^Avvikskart\W+Byggesak")).first.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Avvikskart")
    finally:
        context.close()


def test_my_processes_is_in_the_menu_and_reached_with_the_keyboard(browser: Any, live_server: LiveServer) -> None:
    context = new_context(browser, live_server, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_in(page, live_server.account("process owner for 5001"))
        page.goto("/")
        menu = page.get_by_role("navigation", name="Hovedmeny")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Mine prosesser":
                break
        else:
            pytest.fail("Tab never reached «Mine prosesser» in the main menu")
        expect(menu.get_by_role("link", name="Mine prosesser")).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url("**/mine-prosesser")
        expect(menu.get_by_role("link", name="Mine prosesser")).to_have_attribute("aria-current", "page")
    finally:
        context.close()
