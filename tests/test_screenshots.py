"""Every screenshot in docs/screenshots is made by scripts/screenshots.py from a page the layout test checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_screenshot_has_a_recipe() -> None:
    pytest.importorskip("playwright")
    from tests.browser.test_layout import MAIN_PAGES

    names = [name for name, _who, _open in MAIN_PAGES]
    assert len(names) == len(set(names))
    files = sorted(p.stem for p in (ROOT / "docs" / "screenshots").glob("*.png"))
    assert sorted(names) == files, "add the page to MAIN_PAGES in tests/browser/test_layout.py, or take the screenshot"


def test_the_script_refuses_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("playwright")
    assert _script().main(["nope.png"]) == 2
    assert "No recipe for: nope" in capsys.readouterr().err
