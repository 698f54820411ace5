"""The diagram's view tools in a browser: fit to width, zoom and full screen by keyboard, at 1280 and 390 px.

The tools live in templates/variants/_diagram.html (every page with a drawing) and are started by
static/js/registry.js; without JavaScript they stay hidden and the frame scrolls as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from tests.browser.test_layout import horizontal_overflow

pytestmark = pytest.mark.browser

PROCESS_PAGE = "/kommuner/5001/prosesser/byggesak"
COMPARISON_PAGE = "/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag"
#: 390 px: the phone of the issue.
PHONE_390 = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [VIEWPORT, PHONE_390], ids=["desktop", "phone-390"])


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Open a page at a given viewport (anonymous visitor); the contexts close after the test."""
    contexts: list[Any] = []

    def opener(path: str, viewport: dict[str, int], **options: Any) -> Any:
        context = new_context(browser, live_server, viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield opener
    for context in contexts:
        context.close()


def svg_width(page: Any) -> float:
    return float(page.locator(".diagram__svg").first.evaluate("svg => svg.getBoundingClientRect().width"))


def frame_width(page: Any) -> float:
    return float(page.locator(".diagram__frame").first.evaluate("frame => frame.clientWidth"))


def status(page: Any) -> Any:
    # A polite live region, not role=status: that role is the page's messages («Versjon 2 er lagret»).
    return page.locator(".diagram__status").first


def status_text(page: Any) -> str:
    return str(status(page).text_content()).replace("\xa0", " ")


def press(page: Any, name: str) -> None:
    """Focus a tool button and press Enter, as a keyboard user does."""
    button = page.get_by_role("button", name=name, exact=True).first
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


@SIZES
def test_the_tools_are_there_and_the_page_does_not_scroll_sideways(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    tools = page.get_by_role("group", name="Visning av diagrammet")
    for name in ("Tilpass bredden", "Zoom inn", "Zoom ut", "100 %", "Fullskjerm"):
        expect(tools.get_by_role("button", name=name, exact=True)).to_be_visible()
    # A wide drawing starts shrunk towards the frame, but never below a readable 60 %.
    assert status_text(page) == "Zoom: 60 %"
    assert horizontal_overflow(page) == [], "content wider than the screen"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@SIZES
def test_zoom_in_by_keyboard_makes_the_drawing_wider(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    before, said = svg_width(page), status_text(page)
    press(page, "Zoom inn")
    expect(status(page)).not_to_have_text(said)
    assert svg_width(page) > before
    assert status_text(page) == "Zoom: 67 %"
    wider = svg_width(page)
    press(page, "Zoom ut")
    expect(status(page)).to_have_text(re.compile(r"Zoom: 50\s%"))
    assert svg_width(page) < wider


@SIZES
def test_fit_to_width_fits_the_frame(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    said = status_text(page)
    press(page, "Tilpass bredden")
    expect(status(page)).not_to_have_text(said)
    assert svg_width(page) <= frame_width(page)
    frame = page.locator(".diagram__frame").first
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth"), "the fitted drawing still scrolls sideways"
    assert horizontal_overflow(page) == [], "content wider than the screen"


@SIZES
def test_plus_minus_and_zero_zoom_while_the_frame_has_focus(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    frame = page.get_by_role("region", name="Diagram over prosessen")
    frame.focus()
    expect(frame).to_be_focused()
    before = svg_width(page)
    page.keyboard.press("+")
    assert svg_width(page) > before
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert svg_width(page) < before
    page.keyboard.press("0")
    expect(status(page)).to_have_text(re.compile(r"Zoom: 100\s%"))
    # Native scrolling with the arrow keys still works in the focused frame.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(frame).to_be_focused()
    page.wait_for_function("document.querySelector('.diagram__frame').scrollLeft > 0")


@SIZES
def test_full_screen_opens_and_closes(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    if not page.evaluate("document.fullscreenEnabled"):
        pytest.skip("this Chromium offers no Fullscreen API, so the registry hides the button")
    press(page, "Fullskjerm")
    page.wait_for_function("document.fullscreenElement && document.fullscreenElement.matches('figure.diagram')")
    close = page.get_by_role("button", name="Lukk fullskjerm", exact=True)
    expect(close).to_be_visible()
    expect(close).to_be_focused()
    # The frame fills the screen below the tools.
    assert page.locator(".diagram__frame").first.evaluate("f => f.getBoundingClientRect().bottom > innerHeight * 0.8")
    page.keyboard.press("Enter")
    page.wait_for_function("document.fullscreenElement === null")
    expect(page.get_by_role("button", name="Fullskjerm", exact=True)).to_be_visible()
    # Esc leaves full screen too.
    press(page, "Fullskjerm")
    page.wait_for_function("document.fullscreenElement !== null")
    page.keyboard.press("Escape")
    page.wait_for_function("document.fullscreenElement === null")
    expect(page.get_by_role("button", name="Fullskjerm", exact=True)).to_be_visible()


@SIZES
def test_no_axe_violations_with_the_tools(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport)
    press(page, "Zoom inn")
    assert_accessible(page, f"{PROCESS_PAGE} with the diagram tools at {viewport['width']} px")


#: Other pages that include variants/_diagram.html: (address, who must be signed in).
OTHER_DRAWINGS = [
    (COMPARISON_PAGE, None),
    ("/kommuner/5035/prosesser/byggesak/versjoner/forskjell?fra=1&til=2", None),
    ("/samarbeid/digi-trondelag/standarder/byggesak/versjoner/1", "coordinator"),
    ("/samarbeid/digi-trondelag/forslag/byggesak", "coordinator"),
]


@pytest.mark.parametrize(("path", "who"), OTHER_DRAWINGS, ids=["comparison", "version-diff", "standard", "proposal"])
def test_every_page_with_a_drawing_gets_the_tools(
    browser: Any, live_server: LiveServer, path: str, who: str | None
) -> None:
    context = new_context(browser, live_server, viewport=PHONE_390)
    try:
        page = context.new_page()
        if who:
            sign_in(page, live_server.account(who))
        page.goto(path)
        expect(page.get_by_role("group", name="Visning av diagrammet").first).to_be_visible()
        press(page, "Tilpass bredden")
        assert svg_width(page) <= frame_width(page)
        assert horizontal_overflow(page) == [], "content wider than the screen"
        assert_accessible(page, f"{path} with the diagram tools at 390 px")
    finally:
        context.close()


@SIZES
def test_without_javascript_the_diagram_still_scrolls(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(PROCESS_PAGE, viewport, java_script_enabled=False)
    expect(page.locator(".diagram__svg").first).to_be_visible()
    expect(page.get_by_role("button", name="Zoom inn")).to_have_count(0)
    expect(page.get_by_role("group", name="Visning av diagrammet")).to_have_count(0)
    frame = page.get_by_role("region", name="Diagram over prosessen")
    expect(frame).to_have_attribute("tabindex", "0")
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth"), "the drawing keeps its own size and scrolls"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_step_table_fits_a_1280_screen(open_page: Any) -> None:
    page = open_page(PROCESS_PAGE, VIEWPORT)
    wrap = page.locator(".table-wrap").filter(has=page.locator(".steps-table")).first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the step table is cut off at 1280 px"


def test_the_step_table_scrolls_in_its_own_frame_on_a_phone(open_page: Any) -> None:
    page = open_page(PROCESS_PAGE, PHONE_390)
    wrap = page.locator(".table-wrap").filter(has=page.locator(".steps-table")).first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    # Scrollable by keyboard (registry.js makes it a named region) and the page itself stays put.
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("role", "region")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # The caption wraps within the screen instead of running off with the table.
    caption = page.locator(".steps-table caption").first
    assert caption.evaluate("c => c.getBoundingClientRect().right <= document.documentElement.clientWidth")
    # … and stays in view while the table scrolls.
    wrap.evaluate("w => { w.scrollLeft = 400; }")
    assert caption.evaluate("c => c.getBoundingClientRect().left >= 0")
