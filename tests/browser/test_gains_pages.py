"""The gains and maturity pages in a browser: 0 axe violations and no sideways scroll at 1280 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    VIEWPORT,
    LiveServer,
    assert_accessible,
    new_context,
    sign_in,
)
from tests.browser.test_layout import PHONE, horizontal_overflow

pytestmark = pytest.mark.browser

PAGES = {
    "process owner for 5001": (
        "/kommuner/5001/prosesser/byggesak/gevinster",
        "/kommuner/5001/prosesser/byggesak/gevinster/inndata",
        "/kommuner/5001/digital-modenhet",
    ),
    # The demo's realisation plan and its two event logs.
    "process owner for 5035": (
        "/kommuner/5035/prosesser/byggesak/gevinster/plan/digi-trondelag",
        "/kommuner/5035/prosesser/byggesak/gevinster/inndata",
    ),
    "coordinator": (
        "/samarbeid/digi-trondelag/gevinster/byggesak",
        "/samarbeid/digi-trondelag/gevinstforutsetninger",
        "/samarbeid/digi-trondelag/digital-modenhet",
    ),
}


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", sorted(PAGES))
def test_gains_pages_fit_and_are_accessible(
    browser: Any, live_server: LiveServer, role: str, viewport: dict[str, int]
) -> None:
    context = new_context(browser, live_server, viewport=viewport)
    try:
        page = context.new_page()
        sign_in(page, live_server.account(role))
        for path in PAGES[role]:
            page.goto(path)
            assert horizontal_overflow(page) == [], f"{path} is wider than the screen at {viewport['width']} px"
            # Also what escapes a scroll frame (hidden labels placed absolutely): the page itself must not scroll.
            scroll = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert scroll <= 1, f"{path} scrolls sideways by {scroll} px at {viewport['width']} px"
            assert_accessible(page, f"{path} at {viewport['width']} px")
    finally:
        context.close()
