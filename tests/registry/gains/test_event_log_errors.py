"""An event log that cannot be read is refused in the owner's language, with file and line."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import Flask

from tests.registry.divergence.world import client_as
from tests.registry.gains.test_event_logs import LOG_URL

BAD_TIME = b"saksnummer;aktivitet;tidspunkt\n2025-001;Motta s\xc3\xb8knad;2025-01-01 08:00\n2025-001;Arkivere;snart\n"


def _log_error(client: Any, data: bytes, name: str) -> str:
    response = client.post(LOG_URL, data={"logg": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 422
    match = re.search(r'<p class="field-error" id="logg-error">(.*?)</p>', response.get_data(as_text=True), re.DOTALL)
    assert match is not None
    return re.sub(r"^(Feil|Error): ", "", html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip())


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb", "Filen logg.csv kunne ikke leses (linje 3). «snart» i kolonnen «tidspunkt» er ikke en dato"),
        ("en", "The file logg.csv could not be read (line 3). “snart” in the column “tidspunkt” is not a date"),
    ],
)
def test_a_bad_time_in_an_event_log_is_worded_in_the_owners_language(
    app: Flask, world: dict[str, Any], lang: str, expected: str
) -> None:
    text = _log_error(client_as(app, "admin", lang=lang), BAD_TIME, "logg.csv")
    assert text.startswith(expected), text
    if lang == "nb":
        assert "not a date and time" not in text and "line" not in text


def test_a_file_that_is_no_event_log_format_is_refused_in_norwegian(app: Flask, world: dict[str, Any]) -> None:
    text = _log_error(client_as(app, "admin", lang="nb"), b"\x00\x01 not a log", "logg.xes")
    assert text.startswith("Filen logg.xes kunne ikke leses"), text
    assert "could not be read" not in text
