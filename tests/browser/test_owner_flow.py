"""A process owner uploads a BPMN file, checks the preview, saves it and works through the comparison.

The flows run in English (the msgids), so they do not depend on the state of the bokmål
catalogue; the language switch itself is tested in test_basics.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from processes.formats import write_process
from processes.samples import load_sample
from tests.browser.conftest import LiveServer, assert_accessible, new_context, sign_in

pytestmark = pytest.mark.browser

UPLOAD = "/kommuner/5001/prosesser/byggesak/last-opp"


def bpmn_file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/xml", "buffer": data}


def trondheim_bpmn(*, break_a_flow: bool = False) -> bytes:
    """Trondheim's sample building-permit process written as BPMN 2.0 with its diagram."""
    process = load_sample("byggesak", "5001")
    if break_a_flow:
        # Without its last flow the end event cannot be reached: a problem the preview must list.
        process.remove_flow(list(process.flows)[-1])
    return write_process(process, "bpmn")


def upload_and_save(page: Any, path: str, name: str, data: bytes, comment: str) -> None:
    page.goto(path)
    page.get_by_label("Process file").set_input_files(bpmn_file(name, data))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before saving")
    page.get_by_label("What has changed?").fill(comment)
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status")).to_contain_text("is saved")


@pytest.fixture(scope="module")
def building_permits(browser: Any, live_server: LiveServer) -> None:
    """The building-permit process type and Stjørdal's process, made through the UI when the demo lacks them."""
    context = new_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/sprak/en?next=/")
        if context.request.get(live_server.url + "/prosesstyper/byggesak").status == 404:
            sign_in(page, live_server.account("administrator"), lang="en")
            page.goto("/prosesstyper/ny")
            page.get_by_label("Name (Norwegian)").fill("Byggesak – søknad om tillatelse i ett trinn")
            page.get_by_label("Address").fill("byggesak")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Byggesak")
        if context.request.get(live_server.url + "/kommuner/5035/prosesser/byggesak").status == 404:
            context.clear_cookies()
            page.goto("/sprak/en?next=/")
            sign_in(page, live_server.account("process owner for 5035"), lang="en")
            sample = write_process(load_sample("byggesak", "5035"), "bpmn")
            upload_and_save(page, "/kommuner/5035/prosesser/byggesak/last-opp", "stjordal.bpmn", sample, "Stjørdal")
    finally:
        context.close()


@pytest.fixture
def owner(owner_page: Any, building_permits: None) -> Any:
    owner_page.goto("/sprak/en?next=/")
    return owner_page


def test_broken_file_gets_a_precise_error_and_nothing_is_saved(owner: Any) -> None:
    owner.goto(UPLOAD)
    owner.get_by_label("Process file").set_input_files(
        bpmn_file("broken.bpmn", b'<?xml version="1.0"?>\n<definitions>\n  <process id="p">\n')
    )
    owner.get_by_role("button", name="Upload and preview").click()

    summary = owner.get_by_role("alert")
    expect(summary).to_contain_text("The file broken.bpmn could not be read (line")
    expect(summary).to_contain_text("broken.bpmn")
    expect(owner.get_by_label("Process file")).to_have_attribute("aria-invalid", "true")
    assert_accessible(owner, "upload form with a file error")


def test_preview_lists_the_problems_and_discard_saves_nothing(owner: Any) -> None:
    owner.goto(UPLOAD)
    owner.get_by_label("Process file").set_input_files(
        bpmn_file("trondheim-draft.bpmn", trondheim_bpmn(break_a_flow=True))
    )
    owner.get_by_role("button", name="Upload and preview").click()

    expect(owner.get_by_role("heading", level=1)).to_have_text("Check before saving")
    problems = owner.get_by_role("region", name="Problems found in the process")
    expect(problems).to_contain_text("cannot be reached")
    assert_accessible(owner, "preview with problems")

    owner.get_by_role("button", name="Discard the upload").click()
    expect(owner.get_by_role("status")).to_contain_text("nothing was saved")


def test_owner_uploads_previews_and_saves_a_new_version(owner: Any) -> None:
    owner.goto(UPLOAD)
    owner.get_by_label("Process file").set_input_files(bpmn_file("trondheim.bpmn", trondheim_bpmn()))
    owner.get_by_role("button", name="Upload and preview").click()

    expect(owner.get_by_role("heading", level=1)).to_have_text("Check before saving")
    expect(owner.get_by_text("Nothing is saved yet.")).to_be_visible()
    expect(owner.get_by_role("img", name="Diagram of the uploaded process")).to_be_visible()
    expect(owner.get_by_role("table").filter(has_text="Journalføre søknaden")).to_be_visible()
    assert_accessible(owner, "upload preview")

    owner.get_by_label("What has changed?").fill("Lastet opp fra BPMN-eksporten")
    owner.get_by_role("button", name="Save as a new version").click()

    expect(owner.get_by_role("status")).to_contain_text("is saved")
    expect(owner.get_by_text("Lastet opp fra BPMN-eksporten")).to_be_visible()
    assert_accessible(owner, "variant page after saving")


def test_owner_confirms_a_correspondence_in_the_comparison(owner: Any) -> None:
    owner.goto("/kommuner/5001/prosesser/byggesak")
    owner.get_by_role("link", name=re.compile(r"^Compare with (the standard of )?(DigiTrøndelag|Stjørdal)")).first.click()

    expect(owner.get_by_role("heading", level=1)).to_contain_text("compared with")
    expect(owner.get_by_role("heading", name="Similarity")).to_be_visible()
    differences = owner.get_by_role("region", name="Differences")
    expect(differences.get_by_role("listitem").first).to_be_visible()
    expect(owner.locator("figure svg").first).to_be_visible()
    assert_accessible(owner, "comparison page")

    table = owner.get_by_role("table", name="Corresponding steps")
    confirm = table.get_by_role("button", name=re.compile(r"^Confirm\b"))
    before = confirm.count()
    assert before > 0, "the alignment table offers pairs to confirm"
    # The button names the pair: "Confirm: <standard step> – <our step>".
    pair = (confirm.first.text_content() or "").split(":", 1)[1].strip()
    # Keyboard: focus the first Confirm button and press Enter, as a keyboard user would.
    confirm.first.focus()
    owner.keyboard.press("Enter")

    expect(owner.get_by_role("heading", level=1)).to_contain_text("compared with")
    expect(table.get_by_role("button", name=re.compile(r"^Confirm\b"))).to_have_count(before - 1)
    # The confirmed pair can still be rejected (a decision is never final).
    row = table.get_by_role("row").filter(has=owner.get_by_role("button", name=re.compile(re.escape(pair))))
    expect(row.first).to_contain_text("Confirmed")
    expect(row.first.get_by_role("button", name=re.compile(r"^Reject\b"))).to_be_visible()


def test_history_shows_the_differences_between_two_versions(owner: Any) -> None:
    owner.goto("/kommuner/5001/prosesser/byggesak")
    upload_and_save(owner, UPLOAD, "trondheim-v2.bpmn", trondheim_bpmn(break_a_flow=True), "Uten siste flyt")
    owner.get_by_role("link", name="Version history").click()
    owner.get_by_label("Older version").fill("1")
    owner.get_by_label("Newer version").press("End")
    owner.get_by_role("button", name="Show the differences").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text(re.compile(r"What changed from version 1 to version \d+"))
    # The new version lost its last flow: the end is no longer reached that way.
    expect(owner.get_by_role("heading", name="Differences")).to_be_visible()
    assert_accessible(owner, "differences between two versions")
