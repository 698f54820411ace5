"""The PDF drawing prints on A4: every page A4, nothing blank, text at least 7 pt.

Checked as a reader would meet it: ``pdfinfo`` reads the page sizes, ``pdftoppm`` renders
the pages back to pictures (at 100 dpi), ``pdftotext -bbox`` measures the printed words.
The poppler tools are skipped when missing, unless REGISTRY_REQUIRE_SERVICES is set.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from processes import samples
from processes.model import Process
from processes.render import (
    MIN_PRINT_FONT,
    PrintPlan,
    add_print_pages,
    close_fonts,
    print_plan,
    render,
)

A4 = (595.28, 841.89)
DEJAVU_BOX = 1.164  # DejaVu Sans: ascent 0.928 + descent 0.236 of the font size


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} (poppler-utils) is not installed: apt-get install poppler-utils"
        if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
            pytest.fail(f"REGISTRY_REQUIRE_SERVICES is set but {message}")
        pytest.skip(message)
    return path


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    out = subprocess.run(
        [_tool("pdfinfo"), "-f", "1", "-l", "999", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", out)]


def page_images(pdf: bytes, folder: Path) -> list[Image.Image]:
    source = folder / "drawing.pdf"
    source.write_bytes(pdf)
    subprocess.run([_tool("pdftoppm"), "-r", "100", "-png", str(source), str(folder / "page")], check=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"))]


def word_heights(pdf: bytes) -> list[list[tuple[str, float]]]:
    """The printed words of each page with their height in points (pdftotext's boxes)."""
    out = subprocess.run(
        [_tool("pdftotext"), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for page in out.split("<page ")[1:]:
        words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)
        pages.append([(text, float(y2) - float(y1)) for y1, y2, text in words])
    return pages


def _plan(process: Process) -> PrintPlan:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    try:
        return add_print_pages(pdf, render(process, "svg", title=process.name), title=process.name)
    finally:
        close_fonts(pdf)


STANDARDS = [(case.slug, samples.standard(case)) for case in samples.case_types()]


@pytest.fixture(scope="module", params=STANDARDS, ids=[slug for slug, _ in STANDARDS])
def printed(request: pytest.FixtureRequest) -> tuple[Process, bytes]:
    _slug, process = request.param
    return process, render(process, "pdf", title=process.name)


def test_every_page_is_a4(printed: tuple[Process, bytes]) -> None:
    _process, pdf = printed
    sizes = page_sizes(pdf)
    assert sizes
    for width, height in sizes:
        assert any(abs(width - w) <= 1 and abs(height - h) <= 1 for w, h in (A4, A4[::-1])), (width, height)


def test_a_large_drawing_gets_an_overview_and_numbered_parts(printed: tuple[Process, bytes]) -> None:
    process, pdf = printed
    plan = _plan(process)
    assert len(page_sizes(pdf)) == plan.pages
    if plan.overview is None:
        pytest.skip("this drawing fits on one page")
    pages = [" ".join(text for text, _ in words) for words in word_heights(pdf)]
    total = len(plan.parts)
    assert "Oversikt" in pages[0]
    for number, text in enumerate(pages[1:], start=1):
        assert f"Del {number} av {total}" in text


def test_no_page_is_blank(printed: tuple[Process, bytes], tmp_path: Path) -> None:
    _process, pdf = printed
    images = page_images(pdf, tmp_path)
    assert len(images) == len(page_sizes(pdf))
    for image in images:
        # Lanes, shapes and text: a good part of the page is drawn on, and some of it dark.
        histogram = image.histogram()
        pixels = image.width * image.height
        assert sum(histogram[:250]) > pixels * 0.05
        assert sum(histogram[:100]) > pixels * 0.001


def test_the_scale_keeps_text_at_7_pt_or_more(printed: tuple[Process, bytes]) -> None:
    process, pdf = printed
    svg = render(process, "svg", title=process.name).decode()
    smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))
    plan = _plan(process)
    for part in plan.parts:
        assert smallest * part.scale >= MIN_PRINT_FONT
    assert plan.smallest_text >= MIN_PRINT_FONT
    # Measured on the printed parts: pdftotext's word box spans the font's ascent and
    # descent, 1.164 em for DejaVu Sans, so the font size is the box height / 1.164.
    parts = word_heights(pdf)[1:] if plan.overview is not None else word_heights(pdf)
    heights = [height for words in parts for _, height in words]
    assert heights and min(heights) / DEJAVU_BOX >= MIN_PRINT_FONT - 0.05


def test_the_pdf_is_the_same_every_time(printed: tuple[Process, bytes]) -> None:
    process, pdf = printed
    assert render(process, "pdf", title=process.name) == pdf


def test_a_small_drawing_is_one_page_at_full_size() -> None:
    plan = print_plan(400, 200, smallest_font=9)
    assert plan.overview is None and plan.pages == 1 and plan.parts[0].scale == 1.0


def test_parts_cover_the_whole_drawing_with_overlap() -> None:
    plan = print_plan(3150, 1400, smallest_font=9)
    assert plan.overview is not None and plan.overview.scale < plan.parts[0].scale
    areas = [part.area for part in plan.parts]
    assert min(a.x for a in areas) == 0 and min(a.y for a in areas) == 0
    assert max(a.x + a.width for a in areas) == pytest.approx(3150)
    assert max(a.y + a.height for a in areas) == pytest.approx(1400)
    columns = sorted({a.x for a in areas})
    assert all(b - a < areas[0].width - 30 for a, b in itertools.pairwise(columns))


def test_a_poster_pdf_is_still_there_on_request() -> None:
    process = samples.standard("byggesak")
    sizes = page_sizes(render(process, "pdf", paper="fit"))
    assert len(sizes) == 1 and sizes[0][0] > A4[1]


def test_without_the_font_the_parts_are_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    from processes import render as render_module

    monkeypatch.setattr(render_module, "_print_font", lambda: None)
    pdf = render(samples.standard("innsyn"), "pdf")
    assert b"/Subtype /Image" in pdf
    assert all(min(size) == pytest.approx(A4[0], abs=1) for size in page_sizes(pdf))


def test_the_print_pages_can_go_into_another_document() -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    plan = add_print_pages(pdf, render(samples.standard("innsyn"), "svg"), title="Innsyn", lang="en")
    assert pdf.pages_count == 1 + plan.pages
    data = bytes(pdf.output())
    close_fonts(pdf)
    assert data.startswith(b"%PDF")
