"""Harmonisation end to end in a browser, as the two roles do it, on a live server of its own.

Coordinator: divergence map → proposed common standard → make it a draft → approve → publish.
Process owner: change plan → set a status with the keyboard → justify a deviation → upload a
version that follows the standard → the plan says the changes are done.

These tests change the demo's standard and Trondheim's process, so they run on their own
server (not the session's) and in the order written. English UI (the msgids).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from processes.formats import write_process
from processes.samples import standard
from tests.browser.conftest import (
    VIEWPORT,
    LiveServer,
    assert_accessible,
    new_context,
    serve_demo,
    sign_in,
)
from tests.browser.test_layout import PHONE, horizontal_overflow

pytestmark = pytest.mark.browser

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"
PLAN = "/kommuner/5001/prosesser/byggesak/endringsplan"
NEW_STEP = "Kontrollere erklæringer om ansvarsrett"


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("harmonisation-instance")) as live:
        yield live


def _page(browser: Any, server: LiveServer, role: str, **options: Any) -> Any:
    context = new_context(browser, server, **options)
    page = context.new_page()
    page.goto("/sprak/en?next=/")
    sign_in(page, server.account(role), lang="en")
    return page


def test_coordinator_turns_the_proposal_into_the_published_standard(browser: Any, server: LiveServer) -> None:
    page = _page(browser, server, "coordinator")
    try:
        page.goto(MAP)
        page.get_by_role("link", name="Proposed common standard").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Proposed common standard"))
        departures = page.get_by_role("main").get_by_role("list").filter(has_text=NEW_STEP)
        expect(departures.first).to_contain_text("is included: 20 of 38 municipalities have it")
        assert_accessible(page, "proposal")
        # The settings work with the keyboard: a higher minimum support leaves the new step out.
        page.get_by_label("Minimum support for a step").select_option("60")
        page.get_by_role("button", name="Propose again").press("Enter")
        expect(page.get_by_role("heading", name="Steps left out")).to_be_visible()
        page.get_by_label("Minimum support for a step").select_option("50")
        page.get_by_role("button", name="Propose again").click()

        page.get_by_role("button", name="Make it a draft of the standard").click()
        expect(page.get_by_role("status").first).to_contain_text("is saved as draft version 2")
        page.get_by_role("button", name=re.compile(r"^Approve")).first.click()
        publish = page.get_by_role("button", name=re.compile(r"^Publish")).first
        expect(publish).to_be_visible()
        publish.click()
        expect(page.get_by_role("status").first).to_be_visible()
        page.goto("/samarbeid/digi-trondelag/standarder/byggesak")
        expect(page.get_by_role("main")).to_contain_text("Made from the proposed common standard")
        assert_accessible(page, "standard after publishing the proposal")
    finally:
        page.context.close()


def test_owner_follows_up_the_plan_and_a_new_version_marks_it_done(browser: Any, server: LiveServer) -> None:
    page = _page(browser, server, "process owner for 5001")
    try:
        page.goto("/kommuner/5001/prosesser/byggesak")
        page.get_by_role("link", name="Change plan").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Change plan")
        # Against the newly published standard the plan asks for the step most members have.
        expect(page.get_by_role("main")).to_contain_text(f"Add the step “{NEW_STEP}”")
        assert_accessible(page, "change plan")

        # Keyboard only: open the first change's status form, choose «planned», give a date, save.
        first = page.locator("ol.change-plan > li").first
        summary = first.locator("summary").filter(has_text="Update the status")
        summary.focus()
        page.keyboard.press("Enter")
        first.get_by_label("Status").select_option("planned")
        first.get_by_label("Planned for").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
        first.get_by_role("button", name="Save the status").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").first).to_contain_text("is planned")
        expect(page.locator("ol.change-plan > li").first).to_contain_text("planned")

        # Justify the second change as a deviation.
        second = page.locator("ol.change-plan > li").nth(1)
        text = second.locator(".change-plan__what").inner_text()
        second.locator("summary").filter(has_text="Justify as a deviation").click()
        second.get_by_label("Reason").select_option("local_regulation")
        second.get_by_label("Why the municipality keeps this difference").fill("Lokal forskrift om byggesak.")
        second.get_by_role("button", name="Save as justified deviation").click()
        justified = page.locator("ul.change-plan--justified")
        expect(justified).to_contain_text(text)
        expect(justified).to_contain_text("local regulation or plan")
        assert_accessible(page, "change plan with a status and a justified deviation")

        # Upload the standard itself: every change is made, and the plan says so.
        page.goto("/kommuner/5001/prosesser/byggesak/last-opp")
        data = write_process(standard("byggesak"), "bpmn")
        page.get_by_label("Process file").set_input_files(
            {"name": "trondheim.bpmn", "mimeType": "application/xml", "buffer": data}
        )
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_label("What has changed?").fill("Følger den gamle standarden")
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.get_by_role("status")).to_contain_text("is saved")
        page.goto(PLAN)
        expect(page.get_by_role("heading", name="Done")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text("Marked done by the registry: version")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
def test_harmonisation_pages_fit_the_screen(
    browser: Any, server: LiveServer, viewport: dict[str, int], tmp_path: Path
) -> None:
    page = _page(browser, server, "coordinator", viewport=viewport)
    try:
        for path in (
            "/samarbeid/digi-trondelag/forslag/byggesak",
            PLAN,
            "/samarbeid/digi-trondelag/begrunnede-avvik",
            "/samarbeid/digi-trondelag/forslag/byggesak/endringsplan?kommune=5001",
        ):
            page.goto(path)
            assert horizontal_overflow(page) == [], f"{path} is wider than the screen at {viewport['width']} px"
            assert_accessible(page, f"{path} at {viewport['width']} px")
    finally:
        page.context.close()
