"""Tests for the command line, ``python -m processes``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import processes.__main__ as cli
from processes.__main__ import build_parser, main
from processes.formats import read_process

GOOD_YAML = """\
id: startlan
name: Startlån
lanes: [Saksbehandler, Leder]
steps:
  - {id: start, label: Søknad mottatt, kind: start_event, lane: Saksbehandler}
  - {id: vurdere, label: Vurdere søknaden, lane: Saksbehandler, mode: paper}
  - {id: vedtak, label: Fatte vedtak, lane: Leder, mode: digital}
  - {id: slutt, label: Vedtak sendt, kind: end_event, lane: Leder}
gateways:
  - {id: g1, kind: exclusive, label: "Komplett?", lane: Saksbehandler}
flows:
  - start -> vurdere -> g1
  - {from: g1, to: vedtak, condition: Ja}
  - {from: g1, to: slutt, condition: Nei}
  - vedtak -> slutt
"""

# "befaring" cannot be reached from the start: a validation error.
BROKEN_YAML = """\
id: broken
name: Byggesak
steps:
  - {id: start, label: Søknad mottatt, kind: start_event}
  - {id: vurdere, label: Vurdere søknaden}
  - {id: befaring, label: Befaring}
  - {id: slutt, label: Ferdig, kind: end_event}
flows:
  - start -> vurdere -> slutt
  - befaring -> slutt
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "startlån.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_YAML, encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "processes", *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
    )


# -- show ---------------------------------------------------------------------


def test_show_summarises_a_valid_process(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good)]) == 0
    out = capsys.readouterr().out
    assert "Prosess: Startlån (id: startlan)" in out
    assert "Steg: 4 (start 1, oppgave 2, slutt 1)" in out
    assert "Porter: 1 (valg: én vei 1)" in out
    assert "Flyter: 5" in out
    assert "Roller: Saksbehandler, Leder" in out
    assert "vurdere  Vurdere søknaden  [oppgave; rolle: Saksbehandler; ✉ papir]" in out
    assert "Validering: ingen problemer funnet" in out


def test_show_in_english(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Steps: 4 (start 1, task 2, end 1)" in out
    assert "[task; lane: Saksbehandler; ✉ paper]" in out
    assert "Validation: no problems found" in out


def test_show_reports_errors_with_where_and_exits_1(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "Validering: 1 feil" in out
    line = next(x for x in out.splitlines() if "Befaring" in x and "feil:" in x)
    assert "kan ikke nås" in line
    assert "element 'befaring', linje 6" in line


def test_show_in_english_names_severity_and_line(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(broken), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "  error: The step “Befaring” cannot be reached from the start of the process. " in out
    assert "[element 'befaring', line 6]" in out


def test_show_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(
        "steps: [Søknad mottatt, Vurdere]\nflows: [Søknad mottatt -> Vurdere]\n", encoding="utf-8"
    )
    assert main(["show", str(path)]) == 0
    assert "advarsel:" in capsys.readouterr().out


# -- bad input ----------------------------------------------------------------


def test_missing_file_is_one_clear_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "finnes-ikke.bpmn"
    assert main(["show", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {missing}: no such file\n"


def test_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_malformed_file_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feil.yaml"
    path.write_text("steps:\n  - {id: a, label: A}\nflows:\n  - a -> ukjent\n  - [\n", encoding="utf-8")
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}, line ")
    assert err.count("\n") == 1


def test_unknown_format_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bilde.gif"
    path.write_bytes(b"GIF89a\x00\x01\x02\x03")
    assert main(["show", str(path)]) == 2
    assert "not in any process format" in capsys.readouterr().err


def test_xml_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.bpmn"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</definitions>',
        encoding="utf-8",
    )
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and "Traceback" not in err


def test_label_attribute_only_for_event_logs(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good), "--label-attribute", "activityNameEN"]) == 2
    assert "--label-attribute applies to event logs" in capsys.readouterr().err


def test_unknown_reader_option_is_refused(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good), "--option", "case_column=sak"]) == 2
    assert "--option not accepted" in capsys.readouterr().err


def test_malformed_option_is_refused(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good), "--option", "novalue"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_input_over_the_size_limit_is_refused(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(good), "--max-bytes", "100"]) == 2
    assert str(good) in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


# -- convert ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".bpmn", ".csv", ".xlsx"])
def test_convert_by_extension_keeps_the_process(good: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ut{suffix}"
    assert main(["convert", str(good), str(out)]) == 0
    original = read_process(good.read_bytes(), filename=good.name)
    again = read_process(out.read_bytes(), filename=out.name)
    assert sorted(s.label for s in again.steps) == sorted(s.label for s in original.steps)
    assert len(again.flows) == len(original.flows)


def test_convert_to_json_is_json(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut.json"
    assert main(["convert", str(good), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "Startlån"


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_convert_to_drawings(good: Path, tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"ut{suffix}"
    assert main(["convert", str(good), str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_convert_with_to_overrides_the_extension(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut.txt"
    assert main(["convert", str(good), str(out), "--to", "json"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "startlan"


def test_convert_to_stdout(good: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["convert", str(good), "-", "--to", "json"]) == 0
    assert json.loads(capsysbinary.readouterr().out)["id"] == "startlan"


def test_convert_to_stdout_needs_a_format(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(good), "-"]) == 2
    assert "--to" in capsys.readouterr().err


def test_convert_to_unknown_extension_writes_nothing(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ut.docx"
    assert main(["convert", str(good), str(out)]) == 2
    assert "ut.docx" in capsys.readouterr().err
    assert not out.exists()


def test_convert_bad_input_leaves_the_output_alone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [\n", encoding="utf-8")
    out = tmp_path / "ut.json"
    out.write_text("previous", encoding="utf-8")
    assert main(["convert", str(bad), str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous"


def test_convert_reads_stdin(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = __import__("io").BytesIO(good.read_bytes())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    out = tmp_path / "ut.json"
    assert main(["convert", "-", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "Startlån"


# -- render -------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_render_writes_a_drawing(good: Path, tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"tegning{suffix}"
    assert main(["render", str(good), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_render_uses_the_process_name_as_title_and_the_language(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "tegning.svg"
    assert main(["render", str(good), "-o", str(out), "--lang", "en"]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "Startlån" in svg
    assert "✉ paper" in svg


def test_render_refuses_non_drawing_formats(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(good), "-o", str(tmp_path / "ut.yaml")]) == 2
    assert "render draws svg, png, pdf or dot" in capsys.readouterr().err


def test_render_needs_an_output(good: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["render", str(good)])
    assert exit_info.value.code == 2


# -- structure ----------------------------------------------------------------


def test_a_command_is_one_function_added_to_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    def add_hello_command(subparsers: Any) -> None:
        parser = subparsers.add_parser("hello", help="greet a municipality")
        parser.add_argument("name")
        parser.set_defaults(run=lambda args: 7 if args.name == "Malvik" else 0)

    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, add_hello_command])
    assert main(["hello", "Malvik"]) == 7
    assert "greet a municipality" in build_parser().format_help()


# -- as a real program -------------------------------------------------------


def test_program_show_succeeds(good: Path) -> None:
    result = run_cli("show", str(good))
    assert result.returncode == 0, result.stderr
    assert "Prosess: Startlån" in result.stdout


def test_program_bad_input_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.bpmn"
    path.write_text("<definitions><unclosed></definitions>", encoding="utf-8")
    result = run_cli("show", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_program_validation_errors_exit_1(broken: Path) -> None:
    assert run_cli("show", str(broken)).returncode == 1


def test_program_render(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "tegning.svg"
    result = run_cli("render", str(good), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"<?xml")


def test_program_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("show", "convert", "render"):
        assert command in result.stdout


# -- third-party files --------------------------------------------------------


def test_show_a_bpmn_reference_model(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models = sorted((shared_data / "bpmn-miwg").rglob("*.bpmn"))
    if not models:
        pytest.skip("no .bpmn files under bpmn-miwg")
    assert main(["show", str(models[0]), "--lang", "en"]) in (0, 1)
    assert capsys.readouterr().out.startswith("Process: ")


def test_show_an_event_log_with_english_labels(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs = sorted((shared_data / "matching" / "bpic15" / "xes").glob("*.xes"))
    if not logs:
        pytest.skip("no BPIC 2015 logs")
    assert main(["show", str(logs[0]), "--label-attribute", "activityNameEN", "--lang", "en"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("Process: ")


def test_program_on_a_latin1_terminal_does_not_crash(good: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(
        [sys.executable, "-m", "processes", "show", str(good)],
        check=False,
        capture_output=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Søknad mottatt".encode("latin-1") in result.stdout
    assert b"\\u2709 papir" in result.stdout  # ✉ has no latin-1 form


def test_program_render_without_system_graphviz_prints_one_line(good: Path, tmp_path: Path) -> None:
    # Only the bundled Graphviz is reachable; its fontconfig's harmless warning is not shown.
    out = tmp_path / "tegning.png"
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "processes", "render", str(good), "-o", str(out)],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"skrev {out} (png, {out.stat().st_size} bytes)"]


def test_the_command_line_modules_examples_hold() -> None:
    """pytest does not collect doctests from a __main__ module, so they are run here."""
    import doctest

    import processes.__main__ as cli

    result = doctest.testmod(cli)
    assert result.attempted > 0 and result.failed == 0
