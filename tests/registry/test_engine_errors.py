"""The engine's error codes are worded in bokmål and English, with where and how to fix it."""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale

from processes import FormatError, ModelError, TooManyStepsError
from processes.exceptions import FORMAT_ERROR_CODES
from processes.gains import _ERROR_TEXTS as GAIN_ERROR_TEXTS
from processes.gains import GainError
from registry.engine_errors import engine_error_text

NUMBERS = {"count", "limit", "size", "row", "case", "first_row", "first_line", "column"}

#: Words an English template shares with its bokmål sentence (format names, XML tags and file keys).
SHARED = {"element", "format", "alias", "steps", "definitions", "doctype", "windows", "excel", "process"}  # also <process>


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def _sample(code: str) -> FormatError:
    """An error with ``code`` and a value for every parameter its template names."""
    names = {name for _text, name, _spec, _conv in string.Formatter().parse(FORMAT_ERROR_CODES[code]) if name}
    params: dict[str, str | int] = {name: 7 if name in NUMBERS else f"X{name}" for name in names}
    if code == "too_many_steps":
        return TooManyStepsError(2500, 2000, source="stor.bpmn")
    if code == "object_centric_event_log":
        params.update(event_id="ocel:eid", activity="ocel:activity", timestamp="ocel:timestamp", object_types="order")
    message = FORMAT_ERROR_CODES[code].format_map({**params, "message": "something is wrong"})
    return FormatError(message, code=code, params=params, source="fil.txt", line=12, element="Flow_1", hint="fix it")


def _english_words(template: str) -> set[str]:
    text = re.sub(r"\{[^}]*\}", " ", template)
    return {w.lower() for w in re.findall(r"[A-Za-z]{5,}", text)} - SHARED


@pytest.mark.parametrize("code", sorted(FORMAT_ERROR_CODES))
def test_every_code_has_its_own_words_in_both_languages(
    ctx: None, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    error = _sample(code)
    with caplog.at_level(logging.WARNING, logger="registry.engine_errors"):
        with force_locale("nb"):
            nb = engine_error_text(error)
        with force_locale("en"):
            en = engine_error_text(error)
    assert caplog.records == []  # no code falls back to the general sentence
    assert nb and en and nb != en
    assert error.message not in nb
    assert "–" not in en  # every parameter the sentence names was given


@pytest.mark.parametrize("code", sorted(FORMAT_ERROR_CODES))
def test_the_bokmal_text_has_none_of_the_english_template_words(ctx: None, code: str) -> None:
    with force_locale("nb"):
        nb = engine_error_text(_sample(code))
    found = sorted(w for w in _english_words(FORMAT_ERROR_CODES[code]) if re.search(rf"\b{w}\b", nb, re.IGNORECASE))
    assert found == [], nb


@pytest.mark.parametrize(
    "word", ["the", "is", "not", "file", "line", "could", "read", "column", "cannot", "which", "with"]
)
def test_no_bokmal_sentence_has_common_english_words(ctx: None, word: str) -> None:
    with force_locale("nb"):
        texts = {code: engine_error_text(_sample(code)) for code in FORMAT_ERROR_CODES}
    assert [code for code, text in texts.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)] == []


def test_where_is_worded_in_bokmal(ctx: None) -> None:
    error = FormatError(
        "flow to an unknown step", code="unknown_flow_end", params={"ref": "x"}, source="a.bpmn", line=12,
        element="Flow_1",
    )
    with force_locale("nb"):
        text = engine_error_text(error)
    assert text.startswith("Filen a.bpmn kunne ikke leses (linje 12, elementet «Flow_1»). En flyt går til eller fra «x»")
    with force_locale("en"):
        assert engine_error_text(error).startswith("The file a.bpmn could not be read (line 12, element “Flow_1”).")


def test_a_step_tables_row_and_column_are_where(ctx: None) -> None:
    error = FormatError(
        "row 3, column 'Neste steg': 'X' is not the id or name of any step", code="unknown_step",
        params={"row": 3, "column": "Neste steg", "ref": "X"}, source="t.csv",
    )
    with force_locale("nb"):
        assert engine_error_text(error).startswith("Filen t.csv kunne ikke leses (rad 3, kolonnen «Neste steg»). «X» er")


def test_a_close_match_is_offered(ctx: None) -> None:
    error = FormatError("unknown key", code="unknown_key", params={"key": "lable", "allowed": "label", "suggestion": "label"})
    with force_locale("nb"):
        assert engine_error_text(error).endswith("Mente du «label»?")


def test_an_unknown_code_gets_a_norwegian_sentence_and_the_english_goes_to_the_log(
    ctx: None, caplog: pytest.LogCaptureFixture
) -> None:
    error = FormatError("the frobnication failed", code="frobnication", source="x.bpmn")
    with caplog.at_level(logging.WARNING, logger="registry.engine_errors"), force_locale("nb"):
        text = engine_error_text(error)
    assert text == (
        "Filen x.bpmn kunne ikke leses. Noe i filen er feil. "
        "Sjekk filen, eller eksporter den på nytt fra systemet den kom fra."
    )
    assert "frobnication" in caplog.text and "the frobnication failed" in caplog.text


def test_a_model_error_gets_a_general_sentence(ctx: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="registry.engine_errors"), force_locale("nb"):
        text = engine_error_text(ModelError("duplicate element id 'a'"))
    assert text.startswith("Registeret klarte ikke å behandle prosessen.")
    assert "duplicate element id" in caplog.text


@pytest.mark.parametrize("code", sorted(GAIN_ERROR_TEXTS))
def test_every_gain_error_code_is_worded(ctx: None, code: str, caplog: pytest.LogCaptureFixture) -> None:
    error = GainError(code, what="work_minutes", value=-5, step="m1")
    with caplog.at_level(logging.WARNING, logger="registry.engine_errors"):
        with force_locale("nb"):
            nb = engine_error_text(error)
        with force_locale("en"):
            en = engine_error_text(error)
    assert caplog.records == []
    assert nb != en and "work_minutes" not in nb and nb.endswith("(steg m1)")
