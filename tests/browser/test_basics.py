"""The base layout in a real browser: language switch, skip link, keyboard use, visible focus."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def focus_style(page: Any) -> dict[str, str]:
    """The computed outline and box-shadow of the focused element."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 60),
                    outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
                    boxShadow: s.boxShadow,
                    // A date field's focus is on its parts (inside it): :focus-visible is not set on
                    // the field, so its focus ring is given with :focus-within (registry.css).
                    focusVisible: String(el.matches(':focus-visible') || (el.type === 'date' && el.matches(':focus-within')))};
        }"""
    )


def assert_focus_visible(page: Any) -> None:
    style = focus_style(page)
    assert style["focusVisible"] == "true", style
    has_outline = style["outlineStyle"] not in ("none", "") and style["outlineWidth"] not in ("0px", "")
    has_shadow = style["boxShadow"] not in ("none", "")
    assert has_outline or has_shadow, f"the focused element has no visible focus indicator: {style}"


def test_language_switch_to_english_and_back(page: Any) -> None:
    page.goto("/kommuner/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommuner")

    page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Municipalities")
    assert page.url.endswith("/kommuner/"), "the switch returns to the page the user was on"

    page.goto("/samarbeid/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cooperations")

    page.get_by_role("link", name="Norsk (bokmål)").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samarbeid")


@pytest.mark.parametrize(("locale", "lang"), [("en-GB", "en"), ("nn-NO", "nb"), ("de-DE", "nb")])
def test_browser_language_decides_until_the_user_chooses(
    browser: Any, live_server: LiveServer, locale: str, lang: str
) -> None:
    context = browser.new_context(base_url=live_server.url, locale=locale)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", lang)
    finally:
        context.close()


def test_skip_link_is_first_and_moves_focus_to_main(page: Any) -> None:
    page.goto("/kommuner/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)

    page.keyboard.press("Enter")

    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes into the content, not back to the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside_main, focus_style(page)


def tab_through(page: Any, limit: int) -> int:
    """Press Tab until focus leaves the page (or ``limit`` times); each stop must show focus. Returns the stops."""
    seen = 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        assert_focus_visible(page)
        seen += 1
    return seen


def test_every_tab_stop_on_the_front_page_shows_focus(page: Any) -> None:
    page.goto("/")
    assert tab_through(page, 40) >= 8, "the header, menu, search and footer links are all reachable by Tab"


def test_search_municipality_with_keyboard_alone(page: Any) -> None:
    page.goto("/")
    # Tab until the search field has focus, as a keyboard user would.
    search = page.get_by_label("Finn en kommune")
    for _ in range(15):
        page.keyboard.press("Tab")
        if search.evaluate("el => el === document.activeElement"):
            break
    expect(search).to_be_focused()
    page.keyboard.type("Klæbu")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Kommuner")
    expect(page.get_by_role("status")).to_contain_text("Klæbu")
    link = page.get_by_role("link", name="Klæbu", exact=True)
    link.focus()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Klæbu")


def test_sign_in_with_keyboard_alone_shows_errors_then_signs_in(page: Any, live_server: LiveServer) -> None:
    account = live_server.account("coordinator")
    page.goto("/logg-inn")
    email = page.get_by_label("E-postadresse")
    email.focus()
    # Send the empty form with Enter: the error summary takes focus and links to the field.
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Skriv inn e-postadressen")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("E-postadresse")).to_be_focused()

    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passord")).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    page.get_by_role("button", name="Logg ut").focus()
    assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(page.get_by_role("link", name="Logg inn")).to_be_visible()


def test_wrong_password_is_refused_without_saying_which_part(page: Any, live_server: LiveServer) -> None:
    page.goto("/logg-inn")
    page.get_by_label("E-postadresse").fill(live_server.account("coordinator").email)
    page.get_by_label("Passord").fill("not the password at all")
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_have_count(0)


@pytest.mark.parametrize(
    "path",
    [
        "/samarbeid/digi-trondelag/avvik/byggesak",
        "/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag",
        "/kommuner/5001/prosesser/byggesak",
        "/kommuner/5001/prosesser/byggesak/last-opp",
    ],
)
def test_focus_is_visible_on_the_working_pages(request: pytest.FixtureRequest, path: str) -> None:
    page = request.getfixturevalue("coordinator_page" if "avvik" in path else "owner_page")
    page.goto(path)
    seen = tab_through(page, 30)
    assert seen >= 10, f"only {seen} Tab stops on {path}"
