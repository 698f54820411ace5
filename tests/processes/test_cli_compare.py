"""``python -m processes compare A B``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from processes.__main__ import main
from processes.samples import sample_bytes


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "standard.yaml", tmp_path / "malvik.yaml"
    a.write_bytes(sample_bytes("byggesak", "standard"))
    b.write_bytes(sample_bytes("byggesak", "5031"))
    return a, b


def test_report_names_the_municipality_and_the_scores(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(pair[0]), str(pair[1])]) == 0
    out = capsys.readouterr().out
    assert "Malvik" in out and "Samlet" in out and "Forskjeller" in out


def test_json_has_exactly_the_documented_shape(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(pair[0]), str(pair[1]), "--json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"similarity", "matches", "missing", "extra", "candidates", "differences"}
    assert set(data["similarity"]) == {"overall", "labels", "structure", "behaviour"}
    assert all(0.0 <= v <= 1.0 for v in data["similarity"].values())
    keys = {"a", "b", "score", "kind", "confidence", "evidence"}
    assert all(set(m) == keys for m in data["matches"] + data["candidates"])
    assert all(set(d) == {"kind", "text", "a", "b"} for d in data["differences"])
    assert data["differences"] and all(d["text"] for d in data["differences"])


def test_self_comparison_is_identical(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(pair[0]), str(pair[0]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["similarity"] == {"overall": 1.0, "labels": 1.0, "structure": 1.0, "behaviour": 1.0}
    assert data["missing"] == data["extra"] == data["differences"] == []


def test_bad_input_exits_2_with_one_line(pair: tuple[Path, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions><process><task id='a'</process>", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "processes", "compare", str(pair[0]), str(broken)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and "broken.bpmn" in out.stderr and "Traceback" not in out.stderr
