"""The PDF downloads print on A4: the drawing and the printable description.

The byggesak standard (about 30 elements, six lanes) is far wider than a page: both PDFs
give its diagram A4 pages of their own, with an overview first and text at 7 pt or more.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.processes.test_render_print import (
    A4,
    DEJAVU_BOX,
    page_images,
    page_sizes,
    word_heights,
)
from tests.registry.exports.test_exports import _get


def _is_a4(size: tuple[float, float]) -> bool:
    return any(abs(size[0] - w) <= 1 and abs(size[1] - h) <= 1 for w, h in (A4, A4[::-1]))


def test_the_pdf_drawing_of_the_standard_is_on_a4_pages(site: Any) -> None:
    app, ids = site
    data = _get(app, f"/prosessversjoner/{ids['standard_version_id']}/eksport/pdf").data
    sizes = page_sizes(data)
    assert len(sizes) > 1 and all(_is_a4(size) for size in sizes)
    heights = [height for words in word_heights(data)[1:] for _, height in words]
    assert min(heights) / DEJAVU_BOX >= 7 - 0.05


def test_the_description_gives_the_diagram_a4_pages_of_its_own(site: Any, tmp_path: Path) -> None:
    app, ids = site
    data = _get(app, f"/prosessversjoner/{ids['standard_version_id']}/beskrivelse.pdf").data
    sizes = page_sizes(data)
    assert all(_is_a4(size) for size in sizes)
    pages = [" ".join(text for text, _ in words) for words in word_heights(data)]
    overview = next(i for i, text in enumerate(pages) if "Oversikt" in text)
    parts = int(re.search(r"(\d+) deler", pages[overview]).group(1))
    # Facts on the first page, then the overview and every part, then the steps.
    assert overview == 1
    for number in range(1, parts + 1):
        assert f"Del {number} av {parts}" in pages[overview + number]
    assert "Stegene i prosessen" in pages[overview + parts + 1]
    part_heights = [h for words in word_heights(data)[overview + 1 : overview + parts + 1] for _, h in words]
    assert min(part_heights) / DEJAVU_BOX >= 7 - 0.05
    images = page_images(data, tmp_path)
    assert len(images) == len(sizes)
    for image in images[overview : overview + parts + 1]:
        assert sum(image.histogram()[:250]) > image.width * image.height * 0.05
