"""compare(): the whole comparison, its JSON shape, the file entry point and the matrix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from processes.align import EVIDENCE
from processes.compare import Comparison, compare, compare_files, compare_matrix
from processes.exceptions import FormatError
from processes.formats import write_process
from processes.generate import generate_variants, synthetic_process
from processes.model import Process, Step

STANDARD = synthetic_process(30, seed=51)
VARIANT = generate_variants(STANDARD, 1, seed=52, edits=(4, 4))[0].process


def relabelled_copy(process: Process) -> Process:
    """The same graph with new ids, elements in reverse order."""
    new_id = {e.id: f"copy_{i}" for i, e in enumerate(process.elements)}
    copy = Process("copy", process.name, lanes=process.lanes)
    for element in reversed(process.elements):
        changes: dict[str, object] = {"id": new_id[element.id]}
        if element.parent is not None:
            changes["parent"] = new_id[element.parent]
        if isinstance(element, Step):
            if element.attached_to is not None:
                changes["attached_to"] = new_id[element.attached_to]
            copy.add_step(element.replace(**changes))
        else:
            copy.add_gateway(element.replace(**changes))
    for flow in reversed(process.flows):
        copy.add_flow(
            flow.replace(
                source=new_id[flow.source], target=new_id[flow.target], id=None
            )
        )
    return copy


def test_self_comparison_is_perfect() -> None:
    c = compare(STANDARD, STANDARD)
    assert c.similarity.as_dict() == {
        "overall": 1.0,
        "labels": 1.0,
        "structure": 1.0,
        "behaviour": 1.0,
    }
    assert c.differences == ()
    assert c.alignment.missing == () and c.alignment.extra == ()


def test_relabelled_isomorphic_copy_matches_completely() -> None:
    copy = relabelled_copy(STANDARD)
    c = compare(STANDARD, copy)
    assert c.alignment.missing == () and c.alignment.extra == ()
    assert c.differences == ()
    assert c.similarity.overall == 1.0
    # Every step matched to its own copy.
    assert {(m.a, m.b) for m in c.alignment.matches} == {
        ((s.id,), (f"copy_{[e.id for e in STANDARD.elements].index(s.id)}",))
        for s in STANDARD.steps
    }


# -- JSON shape --------------------------------------------------------------------


def test_json_shape_is_exactly_the_documented_one() -> None:
    data = json.loads(compare(STANDARD, VARIANT, b_name="Malvik").to_json("nb"))
    assert list(data) == ["similarity", "matches", "missing", "extra", "candidates", "differences"]
    assert list(data["similarity"]) == ["overall", "labels", "structure", "behaviour"]
    for value in data["similarity"].values():
        assert isinstance(value, float) and 0.0 <= value <= 1.0
    ids_a = {s.id for s in STANDARD.steps}
    ids_b = {s.id for s in VARIANT.steps}
    for match in data["matches"]:
        assert list(match) == ["a", "b", "score", "kind", "confidence", "evidence"]
        assert isinstance(match["confidence"], float) and 0.0 <= match["confidence"] <= 1.0
        assert match["evidence"] and set(match["evidence"]) <= set(EVIDENCE)
        assert match["a"] and set(match["a"]) <= ids_a
        assert match["b"] and set(match["b"]) <= ids_b
        assert isinstance(match["score"], float) and 0.0 <= match["score"] <= 1.0
        assert match["kind"] in {"identical", "renamed", "split", "merged"}
    assert set(data["missing"]) <= ids_a and set(data["extra"]) <= ids_b
    assert data["differences"], "four edits leave at least one difference"
    for difference in data["differences"]:
        assert list(difference) == ["kind", "text", "a", "b"]
        assert isinstance(difference["kind"], str) and isinstance(
            difference["text"], str
        )
        assert set(difference["a"]) <= ids_a and set(difference["b"]) <= ids_b


def test_json_texts_follow_the_language() -> None:
    c = compare(STANDARD, VARIANT)
    nb = json.loads(c.to_json("nb"))["differences"]
    en = json.loads(c.to_json("en"))["differences"]
    assert [d["text"] for d in nb] == c.texts("nb")
    assert [d["text"] for d in en] == c.texts("en")
    assert [d["kind"] for d in nb] == [d["kind"] for d in en]


def test_missing_and_extra_agree_with_the_differences() -> None:
    data = json.loads(compare(STANDARD, VARIANT).to_json())
    missing = [d["a"][0] for d in data["differences"] if d["kind"] == "missing_step"]
    extra = [d["b"][0] for d in data["differences"] if d["kind"] == "extra_step"]
    assert sorted(missing) == sorted(data["missing"])
    assert sorted(extra) == sorted(data["extra"])


# -- files ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, process: Process) -> Path:
    path = tmp_path / name
    path.write_bytes(write_process(process, "yaml"))
    return path


def test_compare_files_report_and_json(tmp_path: Path) -> None:
    a = write(tmp_path, "standard.yaml", STANDARD)
    b = write(tmp_path, "variant.yaml", VARIANT)
    report = compare_files(a, b)
    assert report.startswith("Sammenligning av standarden og varianten")
    english = compare_files(a, b, lang="en")
    assert english.startswith("Comparison of the standard and the variant")
    data = json.loads(compare_files(a, b, as_json=True, lang="en"))
    assert (
        data["similarity"]
        == json.loads(compare(STANDARD, VARIANT).to_json("en"))["similarity"]
    )


def test_compare_files_names_come_from_metadata(tmp_path: Path) -> None:
    variant = VARIANT.copy()
    variant.metadata["municipality"] = "Malvik"
    report = compare_files(
        write(tmp_path, "a.yaml", STANDARD), write(tmp_path, "b.yaml", variant)
    )
    assert "Sammenligning av standarden og Malvik" in report


def test_compare_files_reports_a_missing_file(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", STANDARD)
    with pytest.raises(FormatError, match="nope.bpmn"):
        compare_files(a, tmp_path / "nope.bpmn")


def test_compare_files_reports_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("steps: [a, b]\nflows: ['a -> ']\n", encoding="utf-8")
    with pytest.raises(FormatError, match="broken.yaml"):
        compare_files(write(tmp_path, "a.yaml", STANDARD), broken)


def test_compare_files_refuses_unknown_language(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", STANDARD)
    with pytest.raises(ValueError, match="nb"):
        compare_files(a, a, lang="sv")


# -- matrix --------------------------------------------------------------------------


def test_matrix_agrees_with_compare_and_is_symmetric() -> None:
    processes = [STANDARD] + [
        v.process for v in generate_variants(STANDARD, 4, seed=53)
    ]
    matrix = compare_matrix(processes, workers=1, shared_vocabulary=False)
    assert matrix.shape == (5, 5)
    assert np.array_equal(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 1.0)
    for i in range(5):
        for j in range(i + 1, 5):
            assert (
                matrix[i, j] == compare(processes[i], processes[j]).similarity.overall
            )


def test_matrix_with_shared_vocabulary_is_close_to_pairwise() -> None:
    processes = [STANDARD] + [
        v.process for v in generate_variants(STANDARD, 4, seed=53)
    ]
    shared = compare_matrix(processes, workers=1)
    pairwise = compare_matrix(processes, workers=1, shared_vocabulary=False)
    assert np.array_equal(shared, shared.T)
    assert np.allclose(shared, pairwise, atol=0.05)


def test_matrix_does_not_depend_on_the_number_of_workers() -> None:
    processes = [STANDARD] + [
        v.process for v in generate_variants(STANDARD, 3, seed=54)
    ]
    assert np.array_equal(
        compare_matrix(processes, workers=1),
        compare_matrix(processes, workers=2, chunk_size=1),
    )


def test_matrix_of_nothing_and_of_one() -> None:
    assert compare_matrix([]).shape == (0, 0)
    assert compare_matrix([STANDARD]).tolist() == [[1.0]]


def test_comparison_is_a_value_object() -> None:
    c = compare(STANDARD, VARIANT)
    assert isinstance(c, Comparison)
    with pytest.raises(AttributeError):
        c.a = VARIANT  # type: ignore[misc]


def test_empty_processes() -> None:
    one = Process()
    one.add_step(Step("a", "Motta søknad"))
    assert compare(Process(), Process()).similarity.overall == 1.0
    c = compare(one, Process())
    assert c.similarity.as_dict() == {
        "overall": 0.0,
        "labels": 0.0,
        "structure": 0.0,
        "behaviour": 0.0,
    }
    assert c.texts() == [
        "Steget «Motta søknad» finnes i standarden, men mangler i varianten."
    ]


def test_compare_files_on_bundled_samples(tmp_path: Path) -> None:
    from processes import samples

    a = tmp_path / "standard.yaml"
    b = tmp_path / "melhus.yaml"
    a.write_bytes(samples.sample_bytes("byggesak", "standard"))
    b.write_bytes(samples.sample_bytes("byggesak", "5028"))
    report = compare_files(a, b)
    assert report.startswith("Sammenligning av standarden og Melhus")
    assert "i Melhus" in report


# -- compare_matrix from a script without the __main__ guard -------------------------

_SCRIPT = """
from processes.compare import compare_matrix
from processes.model import Flow, Process, Step

ps = []
for labels in (["Motta søknad", "Fatte vedtak"], ["Motta søknad", "Fatte vedtak"], ["Befaring", "Arkivere"]):
    p = Process()
    for x in labels:
        p.add_step(Step(x, x))
    p.add_flow(Flow(labels[0], labels[1]))
    ps.append(p)
{call}
"""


def _run_script(tmp_path: Path, call: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(_SCRIPT.format(call=call), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env
    )


def test_unguarded_script_with_workers_is_told_what_to_do(tmp_path: Path) -> None:
    done = _run_script(tmp_path, "print(compare_matrix(ps, workers=2).round(2).tolist())")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: compare_matrix: the worker processes stopped while starting")
    assert "if __name__ == \"__main__\":" in last and "workers=1" in last
    assert done.stdout == ""  # no half-computed matrix from a worker


def test_unguarded_script_with_one_worker_works(tmp_path: Path) -> None:
    done = _run_script(tmp_path, "print(compare_matrix(ps, workers=1).round(2).tolist())")
    assert (done.returncode, done.stdout.strip()) == (0, "[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]")


def test_guarded_script_with_workers_works(tmp_path: Path) -> None:
    call = 'if __name__ == "__main__":\n    print(compare_matrix(ps, workers=2).round(2).tolist())'
    done = _run_script(tmp_path, call)
    assert (done.returncode, done.stdout.strip()) == (0, "[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]"), done.stderr
