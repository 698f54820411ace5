"""The main pages on a desktop and a phone: nothing spills sideways; optional screenshots for the README.

Set ``REGISTRY_SCREENSHOTS=docs/screenshots`` to (re)write the README's screenshots
(1280×900, palette PNG when Pillow is installed); without it nothing is written.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, LiveServer, new_context, sign_in

pytestmark = pytest.mark.browser

# WCAG 2.1 reflow (1.4.10): usable at 320 CSS pixels wide without scrolling sideways.
PHONE = {"width": 320, "height": 800}
MAX_SCREENSHOT_BYTES = 250_000


def _goto(path: str) -> Callable[[Any], None]:
    def open_page(page: Any) -> None:
        page.goto(path)

    return open_page


def _upload_preview(page: Any) -> None:
    from tests.browser.test_owner_flow import bpmn_file, trondheim_bpmn

    page.goto("/kommuner/5001/prosesser/byggesak/last-opp")
    page.get_by_label("Prosessfil").set_input_files(bpmn_file("trondheim.bpmn", trondheim_bpmn()))
    page.get_by_role("button", name="Last opp og forhåndsvis").click()
    page.get_by_role("heading", level=1).wait_for()


def _scrolled_to(path: str, heading: str) -> Callable[[Any], None]:
    """Open ``path`` with the heading named ``heading`` at the top of the screen."""

    def open_page(page: Any) -> None:
        page.goto(path)
        page.get_by_role("heading", name=heading, exact=True).evaluate("h => h.scrollIntoView({block: 'start'})")

    return open_page


def _process_description(page: Any) -> None:
    page.goto("/kommuner/5001/prosesser/byggesak")
    page.get_by_role("link", name="Prosessbeskrivelse for utskrift").click()


def _api_docs(page: Any) -> None:
    page.goto("/api/v1/docs")
    page.locator(".opblock-summary-path").first.wait_for()


#: (file name, who, how to get there). Who: None (anonymous) or the start of a demo role.
MAIN_PAGES: list[tuple[str, str | None, Callable[[Any], None]]] = [
    ("front-page", None, _goto("/")),
    ("municipality-list", None, _goto("/kommuner/?q=tr")),
    ("municipality-page", "process owner for 5001", _goto("/kommuner/5001")),
    ("cooperation-page", "coordinator", _goto("/samarbeid/digi-trondelag")),
    ("upload-preview", "process owner for 5001", _upload_preview),
    ("comparison", "process owner for 5001", _goto("/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag")),
    ("divergence-map", "coordinator", _scrolled_to("/samarbeid/digi-trondelag/avvik/byggesak", "Avvikskart")),
    ("heatmap", "coordinator", _scrolled_to("/samarbeid/digi-trondelag/avvik/byggesak", "Likhet mellom kommunene")),
    ("process-description", None, _process_description),
    ("proposal", "coordinator", _goto("/samarbeid/digi-trondelag/forslag/byggesak")),
    ("change-plan", "process owner for 5001", _scrolled_to("/kommuner/5001/prosesser/byggesak/endringsplan", "Mot standarden til DigiTrøndelag")),
    ("justified-deviations", "coordinator", _goto("/samarbeid/digi-trondelag/begrunnede-avvik")),
    ("adoption", "coordinator", _goto("/samarbeid/digi-trondelag/utvikling/byggesak")),
    ("gains-plan", "process owner for 5035", _goto("/kommuner/5035/prosesser/byggesak/gevinster/plan/digi-trondelag")),
    ("maturity", "coordinator", _scrolled_to("/samarbeid/digi-trondelag/digital-modenhet", "Over tid, måned for måned")),
    ("api-keys", "process owner for 5001", _goto("/konto/api-nokler")),
    ("api-docs", None, _api_docs),
]


def save_screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("REGISTRY_SCREENSHOTS")
    if not folder:
        return
    data = page.screenshot(type="png")
    try:
        from PIL import Image
    except ImportError:
        pass
    else:
        # Flat UI colours survive a 256-colour palette; it makes the files several times smaller.
        image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        data = buffer.getvalue()
    assert len(data) < MAX_SCREENSHOT_BYTES, f"{name}.png is {len(data)} bytes"
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def horizontal_overflow(page: Any) -> list[str]:
    """Elements that reach beyond the right edge of the page (scrolling tables excepted)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                if (el.closest('.table-wrap, [data-scroll], svg')) continue;
                const r = el.getBoundingClientRect();
                if (r.width && r.right > width + 1) {
                    out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' right=' + Math.round(r.right));
                }
                if (out.length > 10) break;
            }
            return out;
        }"""
    )


@pytest.mark.parametrize(("name", "who", "open_page"), MAIN_PAGES, ids=[p[0] for p in MAIN_PAGES])
@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
def test_main_page_fits_the_screen(
    browser: Any,
    live_server: LiveServer,
    name: str,
    who: str | None,
    open_page: Callable[[Any], None],
    viewport: dict[str, int],
) -> None:
    context = new_context(browser, live_server, viewport=viewport)
    try:
        page = context.new_page()
        if who:
            sign_in(page, live_server.account(who))
        open_page(page)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_overflow(page) == [], "content wider than the screen"
        if viewport == VIEWPORT:
            save_screenshot(page, name)
    finally:
        context.close()
