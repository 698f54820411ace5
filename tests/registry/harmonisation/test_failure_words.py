"""A background calculation that failed in the engine is told in bokmål; its English message stays in the log."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from registry.harmonisation import services
from tests.registry.divergence.world import client_as

PROPOSAL = "/samarbeid/digi-trondelag/forslag/byggesak"


def test_an_engine_failure_is_told_in_norwegian_on_a_bokmal_page(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the consensus would not settle")

    monkeypatch.setattr(services, "propose_standard", broken)
    services._CACHE.clear()
    html = client_as(app, "coordinator", lang="nb").get(PROPOSAL).get_data(as_text=True)
    assert "Beregningen stoppet med en feil." in html
    assert "the consensus would not settle" not in html and "RuntimeError" not in html
