"""Regenerate the screenshots in docs/screenshots from a fresh demo, as its users see it.

Usage (from the project root, after ``make venv-test``)::

    make screenshots                               # every screenshot
    make screenshots SHOTS="front-page comparison"  # some of them

The pages, who is signed in and what is done first (scroll to a heading, upload a file)
are ``MAIN_PAGES`` in ``tests/browser/test_layout.py``, the same list the layout test
checks at every screen width, so a screenshot always shows a page that is tested. The
demo is loaded into a temporary database with ``seed-demo``, served on 127.0.0.1 on a
free port and driven in headless Chromium at 1280 × 900 in bokmål; each file is a
256-colour PNG under 250 KB (``save_screenshot``). A PNG in docs/screenshots that no
entry makes fails ``tests/test_screenshots.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from tests.browser.test_layout import MAIN_PAGES

    known = [name for name, _who, _open in MAIN_PAGES]
    wanted = [a.removesuffix(".png") for a in argv]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        print("No recipe for: " + ", ".join(unknown) + ". Known: " + ", ".join(known), file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import browser_path, new_context, serve_demo, sign_in
    from tests.browser.test_layout import save_screenshot

    os.environ["REGISTRY_SCREENSHOTS"] = str(OUT)
    with tempfile.TemporaryDirectory() as tmp, serve_demo(Path(tmp)) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path())
        try:
            for name, who, open_page in MAIN_PAGES:
                if wanted and name not in wanted:
                    continue
                context = new_context(browser, server)
                page = context.new_page()
                if who:
                    sign_in(page, server.account(who))
                open_page(page)
                page.wait_for_load_state("networkidle")
                save_screenshot(page, name)
                print(f"docs/screenshots/{name}.png  ({page.url.split('127.0.0.1', 1)[-1]})")
                context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
