"""A coordinator reads the divergence map, follows a cell, downloads diagrams and searches the members' steps.

Runs in English (the msgids); keyboard only where a coordinator would move through the map.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

BUILDING_PERMIT = "Byggesak – søknad om tillatelse i ett trinn"


@pytest.fixture
def coordinator(coordinator_page: Any) -> Any:
    coordinator_page.goto("/sprak/en?next=/samarbeid/digi-trondelag")
    return coordinator_page


def open_map(page: Any) -> None:
    page.get_by_role("link", name="Divergence maps", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Divergence maps for DigiTrøndelag")
    page.get_by_role("link", name=BUILDING_PERMIT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Divergence map")


def download(page: Any, link: Any, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        link.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_divergence_map_and_heatmap_are_readable_and_accessible(coordinator: Any) -> None:
    open_map(coordinator)
    grid = coordinator.get_by_role("region", name="Divergence map")
    expect(grid.get_by_role("row")).not_to_have_count(0)
    # Every cell says what it is in words, not by colour alone.
    first_cell = grid.get_by_role("cell").filter(has_text=re.compile(r"same|renamed|moved|split|merged|missing"))
    expect(first_cell.first).to_be_visible()
    heat = coordinator.get_by_role("table", name="Pairwise overall similarity in per cent")
    expect(heat.get_by_role("cell").filter(has_text=re.compile(r"^\d+$")).first).to_be_visible()
    assert_accessible(coordinator, "divergence map")


def test_follow_a_cell_with_the_keyboard_then_download_svg_and_pdf(coordinator: Any, tmp_path: Path) -> None:
    open_map(coordinator)
    grid = coordinator.get_by_role("region", name="Divergence map")
    cell_link = grid.get_by_role("link", name=re.compile(r"\b(renamed|missing|moved)\b")).first
    cell_link.focus()
    coordinator.keyboard.press("Enter")

    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("compared with the standard of DigiTrøndelag")
    expect(coordinator.get_by_role("heading", name="Differences")).to_be_visible()

    coordinator.get_by_role("link", name="Back to the process").click()
    diagram = coordinator.get_by_role("listitem").filter(has_text="Diagram:")

    svg = download(coordinator, diagram.get_by_role("link", name="SVG"), tmp_path)
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    assert etree.QName(root).localname == "svg"
    assert root.xpath("//*[local-name()='text']"), "the SVG has the steps' names as text"

    pdf = download(coordinator, diagram.get_by_role("link", name="PDF"), tmp_path)
    assert pdf.startswith(b"%PDF-")
    assert re.search(rb"/Type\s*/Page\b", pdf), "the PDF has at least one page"
    assert pdf.rstrip().endswith(b"%%EOF")


MAP_PATH = "/samarbeid/digi-trondelag/avvik/byggesak"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_map_page_never_scrolls_sideways(coordinator: Any, width: int) -> None:
    coordinator.set_viewport_size({"width": width, "height": 900})
    coordinator.goto(MAP_PATH)
    expect(coordinator.get_by_role("region", name="Divergence map")).to_be_visible()
    # The wide map scrolls inside its frame; nothing (not the words for screen readers in the cells) widens the page.
    assert coordinator.evaluate("document.documentElement.scrollWidth <= innerWidth"), coordinator.evaluate(
        "[document.documentElement.scrollWidth, innerWidth]"
    )


def test_the_map_uses_the_window_and_keeps_its_headings_in_view(coordinator: Any) -> None:
    coordinator.goto(MAP_PATH)
    frame = coordinator.get_by_role("region", name="Divergence map")
    frame.scroll_into_view_if_needed()
    height = frame.evaluate("e => e.clientHeight")
    assert height >= coordinator.evaluate("innerHeight") - 100, f"the map's frame is only {height} px high"
    # Scrolled far right and down, the corner stays in the top-left corner, above the header row and the names.
    frame.evaluate("e => { e.scrollLeft = e.scrollWidth; e.scrollTop = 400; }")
    box = frame.bounding_box()
    corner = frame.locator("thead th").first
    corner_box = corner.bounding_box()
    assert abs(corner_box["x"] - box["x"]) <= 2 and abs(corner_box["y"] - box["y"]) <= 2, (corner_box, box)
    on_top = coordinator.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th')?.textContent.trim()",
        [corner_box["x"] + corner_box["width"] / 2, corner_box["y"] + corner_box["height"] / 2],
    )
    assert on_top and on_top.startswith("Municipality"), on_top
    below = coordinator.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th')?.getAttribute('scope')",
        [corner_box["x"] + 8, corner_box["y"] + corner_box["height"] + 8],
    )
    assert below == "row", "a municipality's name, not a step heading, is left of the cells"
    assert_accessible(coordinator, "divergence map scrolled")


def test_from_the_map_to_comparisons_and_back(coordinator: Any) -> None:
    open_map(coordinator)
    grid = coordinator.get_by_role("region", name="Divergence map")
    grid.get_by_role("link", name=re.compile(r"\b(renamed|missing|moved)\b")).first.click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("compared with the standard of DigiTrøndelag")
    coordinator.get_by_role("link", name="Back to the divergence map").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Divergence map: {BUILDING_PERMIT}")

    heat = coordinator.get_by_role("table", name="Pairwise overall similarity in per cent")
    pair = heat.get_by_role("link").first
    number = pair.inner_text()
    pair.click()
    heading = coordinator.get_by_role("heading", level=1)
    expect(heading).to_contain_text(" compared with ")
    expect(heading).not_to_contain_text("the standard")
    expect(coordinator.get_by_role("main")).to_contain_text(f"{number} %")
    assert_accessible(coordinator, "comparison of two members opened from the heatmap")
    coordinator.get_by_role("link", name="Back to the divergence map").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Divergence map: {BUILDING_PERMIT}")


def test_role_only_differences_can_be_hidden(coordinator: Any) -> None:
    open_map(coordinator)
    grid = coordinator.get_by_role("region", name="Divergence map")
    expect(grid.get_by_text("other role")).not_to_have_count(0)  # the demo's lanes are named differently
    coordinator.get_by_label("Hide differences of role only").check()
    coordinator.get_by_role("button", name="Show").click()
    expect(coordinator.get_by_label("Hide differences of role only")).to_be_checked()
    expect(coordinator.get_by_role("region", name="Divergence map").get_by_text("other role")).to_have_count(0)
    assert_accessible(coordinator, "divergence map without role-only differences")


def test_the_maps_index_summarises_each_process_type(coordinator: Any) -> None:
    coordinator.get_by_role("link", name="Divergence maps", exact=True).click()
    row = coordinator.get_by_role("row").filter(has=coordinator.get_by_role("link", name=BUILDING_PERMIT))
    expect(row.get_by_role("cell").nth(1)).to_have_text(re.compile(r"^\d+ of \d+$"))
    expect(row.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^\d+ %"))
    expect(row.get_by_role("cell").nth(3)).to_have_text(re.compile(r"^\d+$"))
    assert_accessible(coordinator, "maps index with summaries")


def test_step_search_across_the_cooperation(coordinator: Any) -> None:
    coordinator.get_by_role("link", name="Divergence maps", exact=True).click()
    search = coordinator.get_by_role("form", name="Search the members' steps")
    search.get_by_role("textbox").first.fill("befaring")
    search.get_by_role("button", name="Search").click()
    status = coordinator.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"\d+ municipalit(y has|ies have) a step like «befaring»"))
    expect(coordinator.get_by_role("main").get_by_text(re.compile(r"«[^»]*(befaring|synfaring)[^»]*»", re.IGNORECASE)).first).to_be_visible()
    assert_accessible(coordinator, "step search results")


def test_coordinator_uploads_a_standard_version_as_a_draft_and_approves_it(coordinator: Any) -> None:
    from processes.formats import write_process
    from processes.samples import standard

    coordinator.goto("/samarbeid/digi-trondelag/standarder/innsyn/last-opp")
    coordinator.get_by_label("Process file").set_input_files(
        {"name": "innsyn.bpmn", "mimeType": "application/xml", "buffer": write_process(standard("innsyn"), "bpmn")}
    )
    coordinator.get_by_role("button", name="Upload and preview").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Check before saving")
    assert_accessible(coordinator, "standard upload preview")

    coordinator.get_by_role("button", name="Save as a draft version").click()
    expect(coordinator.get_by_role("status").first).to_be_visible()
    approve = coordinator.get_by_role("button", name=re.compile(r"^Approve\b")).first
    approve.focus()
    coordinator.keyboard.press("Enter")
    expect(coordinator.get_by_role("button", name=re.compile(r"^Publish\b")).first).to_be_visible()
    assert_accessible(coordinator, "standard after approval")


def test_the_cooperation_page_lists_the_coordinators_tools(coordinator: Any) -> None:
    tools = coordinator.get_by_role("region", name="Coordinator's tools")
    for name in ("Standards", "Divergence maps", "Step search", "Justified deviations", "Digital maturity",
                 "Gains assumptions"):
        expect(tools.get_by_role("link", name=name, exact=True)).to_be_visible()
    # The English page names the process type in English; the link says which type it is for.
    tools.get_by_role("link", name=re.compile(r"^Proposal\W+Building")).click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Proposed")
    assert_accessible(coordinator, "proposal opened from the cooperation's tools")
