"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The third-party data folder ../shared/data; skips the test when it is absent.

    In CI (REGISTRY_REQUIRE_SERVICES=1) a missing folder is a failure, not a skip.
    """
    if not SHARED_DATA.is_dir():
        if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
            pytest.fail(f"shared data folder {SHARED_DATA} is missing but CI requires it")
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (it sits beside the project as ../shared)")
    return SHARED_DATA
