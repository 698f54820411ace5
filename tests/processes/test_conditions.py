"""Altinn's flow conditions in words, other conditions as written, bad input bounded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from processes.conditions import MAX_DEPTH, condition_text

ALTINN = Path(__file__).resolve().parents[3] / "shared" / "data" / "altinn"


@pytest.mark.parametrize(
    ("condition", "nb", "en"),
    [
        ('["equals", ["gatewayAction"], "reject"]', "når brukeren velger «avvis»", "when the user chooses “reject”"),
        ('["notEquals",["gatewayAction"],"reject"]', "når brukeren ikke velger «avvis»",
         "when the user does not choose “reject”"),
        ('["equals", ["gatewayAction"], "sign"]', "når brukeren velger «signer»", "when the user chooses “sign”"),
        ('["equals", ["gatewayAction"], "custom-x"]', "når brukeren velger «custom-x»",
         "when the user chooses “custom-x”"),
        ('["equals", ["dataModel", "UseCustomConfirm"], false]', "når feltet «UseCustomConfirm» er nei",
         "when the field “UseCustomConfirm” is no"),
        ('["notEquals", ["dataModel", "gatewayShouldFail", "task2"], true]',
         "når feltet «gatewayShouldFail» ikke er ja", "when the field “gatewayShouldFail” is not yes"),
        ('["greaterThan", ["component", "belop"], 1000.5]', "når feltet «belop» er større enn 1000,5",
         "when the field “belop” is greater than 1000.5"),
        ('["not", ["and", ["equals", ["dataModel", "a"], 1], ["equals", ["dataModel", "b"], 2]]]',
         "når feltet «a» ikke er 1 eller feltet «b» ikke er 2", "when the field “a” is not 1 or the field “b” is not 2"),
        ('["or", ["equals", ["dataModel", "a"], null], ["lessThanEq", ["dataModel", "b"], 3], ["equals", 1, 1]]',
         "når feltet «a» er tomt, feltet «b» er høyst 3 eller 1 er 1",
         "when the field “a” is empty, the field “b” is at most 3 or 1 is 1"),
    ],
)
def test_expressions_read_as_sentences(condition: str, nb: str, en: str) -> None:
    assert condition_text(condition) == nb
    assert condition_text(condition, "en") == en


@pytest.mark.parametrize(
    "condition",
    ["Søknaden er komplett", "", "[ikke json", '["concat", "a", "b"]', "[]", "[1, 2]", '["equals", ["gatewayAction"]]',
     '["greaterThan", ["gatewayAction"], "reject"]', '["equals", ["frontendSettings", "x"], 1]',
     '["equals", {"a": 1}, 1]', "[" * 5000 + "]" * 5000],
)
def test_anything_else_is_shown_as_written(condition: str) -> None:
    assert condition_text(condition) == condition
    assert condition_text(None) == ""


def test_deep_and_long_input_is_bounded() -> None:
    deep = json.dumps(["not"] * 1)
    for _ in range(MAX_DEPTH + 5):
        deep = f'["not", {deep}]'
    start = time.perf_counter()
    assert condition_text(deep) == deep
    huge = json.dumps(["or"] + [["equals", ["dataModel", f"f{i}"], i] for i in range(20_000)])
    worded = condition_text(huge)
    assert worded.startswith("når feltet «f0» er 0, ") and worded.endswith(" eller feltet «f19999» er 19999")
    assert time.perf_counter() - start < 5  # linear, not a blow-up (a bound, not a benchmark)


def test_no_expression_reaches_an_altinn_diagram() -> None:
    files = sorted(ALTINN.rglob("process.bpmn")) if ALTINN.exists() else []
    if not files:
        pytest.skip("../shared/data/altinn is not beside the project")
    from processes.exceptions import FormatError
    from processes.formats import read_process
    from processes.render import render

    seen = 0
    for path in files:
        try:
            process = read_process(path.read_bytes(), filename=path.name)
        except FormatError:
            continue  # Altinn's test suite has deliberately broken files
        if not any(f.condition for f in process.flows):
            continue
        seen += 1
        svg = render(process, "svg").decode("utf-8")
        assert "gatewayAction" not in svg and "[&quot;equals" not in svg, path
    assert seen >= 5


def test_nested_groups_joined_the_other_way_are_bracketed() -> None:
    either_and = '["and", ["or", ["equals", ["dataModel", "a"], 1], ["equals", ["dataModel", "b"], 2]], ["equals", ["dataModel", "c"], 3]]'
    assert condition_text(either_and) == "når (feltet «a» er 1 eller feltet «b» er 2) og feltet «c» er 3"
    both_or = '["or", ["and", ["equals", ["dataModel", "a"], 1], ["equals", ["dataModel", "b"], 2]], ["equals", ["dataModel", "c"], 3]]'
    assert condition_text(both_or, "en") == "when (the field “a” is 1 and the field “b” is 2) or the field “c” is 3"
    # The same joiner inside needs no brackets; under «not» the joiners turn (de Morgan) and are compared as they read.
    same = '["and", ["and", ["equals", 1, 1], ["equals", 2, 2]], ["equals", 3, 3]]'
    assert condition_text(same) == "når 1 er 1 og 2 er 2 og 3 er 3"
    turned = '["not", ["or", ["and", ["equals", 1, 1], ["equals", 2, 2]], ["equals", 3, 3]]]'
    assert condition_text(turned) == "når (1 ikke er 1 eller 2 ikke er 2) og 3 ikke er 3"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_without_a_value_are_shown_as_written(number: str) -> None:
    condition = f'["equals", ["dataModel", "a"], {number}]'
    assert condition_text(condition) == condition
