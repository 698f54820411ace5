"""The README is the front door; the guides live in docs/ and every link between them works."""

from __future__ import annotations

import configparser
import doctest
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

GUIDES = ("process-owners.md", "coordinators.md", "administrators.md", "engine.md", "formats.md")
TWO_COMMANDS = """```sh
make run    # creates .venv, installs, migrates instance/registry.sqlite, loads demo data, serves http://127.0.0.1:5000
make test   # same set-up with the test extras, then runs the whole test suite
```"""
FRONT_DOOR_SCREENSHOTS = (
    "front-page.png",
    "municipality-list.png",
    "municipality-page.png",
    "cooperation-page.png",
    "upload-preview.png",
    "comparison.png",
    "divergence-map.png",
    "heatmap.png",
    "process-description.png",
)
# The doctest examples the README held before the guides moved out of it (66), plus those of
# docs/event-logs.md (10) and docs/harmonisation.md (32): moving text must not lose any.
DOCTEST_EXAMPLES_BEFORE_THE_MOVE = 108

LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, fence = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (match := re.match(r"#{1,6} (.*)", line)):
            found.add(slug(match.group(1)))
    return found


def test_the_readme_is_short_and_keeps_what_a_newcomer_needs_first() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    headings = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert headings == ["Two commands", "What it looks like", "Where to read on", "Licence and data"]
    assert TWO_COMMANDS in text
    for shot in FRONT_DOOR_SCREENSHOTS:
        assert f"](docs/screenshots/{shot})" in text, f"README does not show {shot}"


def test_every_screenshot_is_shown_somewhere() -> None:
    shown = "".join(p.read_text(encoding="utf-8") for p in markdown_files())
    for shot in sorted((DOCS / "screenshots").glob("*.png")):
        assert f"screenshots/{shot.name})" in shown, f"no page shows docs/screenshots/{shot.name}"


def test_the_readme_links_every_guide_in_docs() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Where to read on") : text.index("## Licence and data")]
    for guide in (*GUIDES, "development.md"):
        assert f"(docs/{guide})" in section
    for other in sorted(DOCS.glob("*.md")):
        assert f"(docs/{other.name})" in section, f"README's «Where to read on» misses docs/{other.name}"


@pytest.mark.parametrize(
    ("guide", "links"),
    [
        ("coordinators.md", ["harmonisation.md", "adoption.md", "plan-exports.md", "gains.md"]),
        ("process-owners.md", ["harmonisation.md", "plan-exports.md", "formats.md"]),
        ("administrators.md", ["threat-model.md", "regex-audit.md", "development.md"]),
        ("engine.md", ["formats.md"]),
    ],
)
def test_each_role_guide_links_the_topics_of_its_readers(guide: str, links: list[str]) -> None:
    text = (DOCS / guide).read_text(encoding="utf-8")
    for link in links:
        assert f"]({link}" in text, f"docs/{guide} does not link {link}"


def test_the_administrators_guide_covers_running_the_registry() -> None:
    headings = anchors(DOCS / "administrators.md")
    for heading in ("configuration", "postgresql", "the-task-queue-and-the-worker", "security", "deployment-in-short"):
        assert heading in headings


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name}: link to {target} points to nothing"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{path.name}: no heading «#{anchor}» in {linked.name}"


def test_the_guides_doctests_are_collected_and_none_was_lost() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    options = config["tool:pytest"]
    assert "--doctest-glob=*.md" in options["addopts"]
    assert "docs" in options["testpaths"].split()
    parser = doctest.DocTestParser()
    examples = sum(len(parser.get_examples(p.read_text(encoding="utf-8"))) for p in markdown_files())
    assert examples >= DOCTEST_EXAMPLES_BEFORE_THE_MOVE
