"""The adapter between rows and engine objects: uploads, stored content, decisions, results."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from processes import FormatError
from processes.compare import compare
from processes.formats import read_process
from processes.samples import load_sample
from registry.graphs import (
    alignment_from_result,
    comparison_parameters,
    comparison_result,
    decision_memory,
    parse_upload,
    process_from_content,
)
from tests.registry.process_factories import sample


def test_an_upload_is_stored_as_canonical_yaml_that_reads_back_to_the_same_process() -> None:
    parsed = parse_upload(sample("5001"), filename="trondheim.yaml")
    assert parsed.source_format == "native"
    assert process_from_content(parsed.content) == read_process(sample("5001"), filename="x.yaml")
    assert parsed.step_count == len(parsed.process.steps) > 0


def test_stored_content_is_returned_as_a_fresh_copy() -> None:
    content = parse_upload(sample("5001"), filename="t.yaml").content
    first = process_from_content(content)
    first.remove_element(first.steps[0].id)
    assert len(process_from_content(content).steps) == len(first.steps) + 1


def test_a_broken_upload_raises_a_format_error_naming_file_and_line() -> None:
    with pytest.raises(FormatError) as caught:
        parse_upload(b"steps:\n  - {id: a, kind: nonsense}\n", filename="feil.yaml")
    assert "feil.yaml" in str(caught.value)
    assert caught.value.line == 2


def test_the_upload_validation_problems_are_kept() -> None:
    parsed = parse_upload(b"steps: [a, b]\nflows: ['a -> b', 'b -> a']\n", filename="p.yaml")
    assert parsed.has_errors
    assert [p.code for p in parsed.problems] == ["no_start"]


def _decision(a: str, b: str, decision: str, minute: int, a_label: str = "", b_label: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        id=minute,
        a_step_id=a,
        b_step_id=b,
        a_label=a_label or a.upper(),
        b_label=b_label or b.upper(),
        decision=decision,
        decided_at=dt.datetime(2026, 1, 1, 12, minute, tzinfo=dt.UTC),
    )


def test_the_latest_decision_about_a_pair_wins_and_labels_carry_it() -> None:
    memory = decision_memory(
        [_decision("x", "y", "rejected", 2), _decision("x", "y", "confirmed", 1), _decision("p", "q", "confirmed", 3)]
    )
    assert memory.rejected == {("x", "y")}
    assert memory.confirmed == {("p", "q")}
    assert memory.confirmed_labels == {("P", "Q")}
    assert memory.rejected_labels == {("X", "Y")}


def test_the_parameters_hash_changes_with_the_decisions() -> None:
    empty = comparison_parameters(decision_memory([]))
    one = comparison_parameters(decision_memory([_decision("x", "y", "confirmed", 1)]))
    assert empty[1] != one[1]
    assert comparison_parameters(decision_memory([]))[1] == empty[1]


def test_a_stored_result_gives_back_the_alignment() -> None:
    engine = compare(load_sample("byggesak"), load_sample("byggesak", "5001"))
    result = comparison_result(engine)
    assert set(result) >= {"nb", "en"}
    stored = alignment_from_result(result)
    assert [(m.a, m.b, m.kind) for m in stored.matches] == [(m.a, m.b, m.kind) for m in engine.alignment.matches]
    assert (stored.missing, stored.extra) == (engine.alignment.missing, engine.alignment.extra)


def test_a_damaged_result_is_a_format_error() -> None:
    with pytest.raises(FormatError):
        alignment_from_result({"nb": {"matches": [{"a": ["x"]}]}})
