"""Every FormatError the engine raises carries a code from FORMAT_ERROR_CODES (and survives pickling)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import processes
from processes.exceptions import (
    FORMAT_ERROR_CODES,
    FormatError,
    InputTooLargeError,
    ObjectCentricLogError,
    TooManyStepsError,
    UnsupportedFormatError,
)
from processes.formats import read_process

ENGINE = Path(processes.__file__).parent
ERROR_CLASSES = {"FormatError", "UnsupportedFormatError", "InputTooLargeError"}
#: The readers' helpers that build a FormatError from a ``code=`` argument.
HELPERS = {"fail", "error", "unknown", "__init__"}


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _engine_trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(ENGINE.rglob("*.py"))]


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _passes_code_on(function: ast.AST) -> bool:
    """Whether a function hands a local ``code`` to an error (``code=code``) or returns it."""
    for node in ast.walk(function):
        if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Name):
            return True
        if isinstance(node, ast.Return) and node.value is not None and any(
            isinstance(n, ast.Name) and n.id == "code" for n in ast.walk(node.value)
        ):
            return True
    return False


def _assigned_codes(function: ast.AST) -> set[str]:
    codes: set[str] = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            for position, name in enumerate(names):
                if isinstance(name, ast.Name) and name.id == "code":
                    value = node.value
                    if isinstance(value, ast.Tuple) and isinstance(target, ast.Tuple):
                        value = value.elts[position]
                    if not isinstance(value, ast.Call):  # a helper's result: checked at the helper
                        codes |= _strings(value)
    return codes


def _raised_codes() -> set[str]:
    """String codes written at raise sites: ``code="..."`` arguments and the ``code = "..."`` they pass on."""
    codes: set[str] = set()
    for path, tree in _engine_trees():
        if path.name == "gains.py":  # GainError has its own codes (processes.gains._ERROR_TEXTS)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in ERROR_CLASSES | HELPERS:
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        codes |= _strings(keyword.value)
            elif isinstance(node, ast.FunctionDef) and _passes_code_on(node):
                codes |= _assigned_codes(node)
    return codes


def test_every_format_error_raise_passes_a_code() -> None:
    missing = []
    for path, tree in _engine_trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _called_name(node) in ERROR_CLASSES
                and not any(k.arg == "code" for k in node.keywords)
            ):
                missing.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno}")
    assert missing == []


def test_there_are_many_raise_sites() -> None:
    # A guard for the test above: it must find the raise sites at all.
    sites = sum(
        1
        for _path, tree in _engine_trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called_name(node) in ERROR_CLASSES
    )
    assert sites > 80


def test_every_raised_code_is_in_the_table() -> None:
    codes = _raised_codes()
    assert len(codes) > 50
    assert sorted(code for code in codes if code not in FORMAT_ERROR_CODES) == []


def test_every_code_in_the_table_is_raised() -> None:
    unused = set(FORMAT_ERROR_CODES) - _raised_codes() - {"format_error"}
    assert sorted(unused) == []


def test_codes_are_snake_case() -> None:
    assert all(code.isidentifier() and code == code.lower() for code in FORMAT_ERROR_CODES)


def test_a_format_error_without_a_code_is_the_generic_one() -> None:
    error = FormatError("something", source="a.txt")
    assert (error.code, error.params, str(error)) == ("format_error", {}, "a.txt: something")


@pytest.mark.parametrize(
    "error",
    [
        FormatError("m", code="missing_column", params={"column": "Sak"}, source="a.csv", line=1, hint="h"),
        UnsupportedFormatError("m", code="unknown_format", source="lib.py"),
        InputTooLargeError("m", code="too_large", params={"size": 3, "limit": 2}),
        TooManyStepsError(2500, 2000, source="stor.bpmn"),
        ObjectCentricLogError("eid", "act", "ts", ["order"], source="o.csv", line=2),
    ],
)
def test_pickling_keeps_code_params_and_place(error: FormatError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert (again.code, again.params, again.source, again.line, again.element, again.hint, str(again)) == (
        error.code,
        error.params,
        error.source,
        error.line,
        error.element,
        error.hint,
        str(error),
    )


def test_with_source_keeps_the_code() -> None:
    error = FormatError("the event log has no cases", code="no_cases").with_source("logg.csv")
    assert (error.code, error.source, str(error)) == ("no_cases", "logg.csv", "logg.csv: the event log has no cases")


@pytest.mark.parametrize(
    ("data", "filename", "code", "params"),
    [
        (b"", "tom.bpmn", "empty_file", {}),
        (b"import os\n", "lib.py", "unknown_format", {}),
        (b"<definitions><process>", "brutt.bpmn", "xml_syntax", None),
        (b"case_id;activity\n1;Motta\n", "logg.csv", "missing_column", {"column": "Tid"}),
        (b"case_id;activity;timestamp\n1;Motta;i morgen\n", "logg.csv", "bad_timestamp", {"value": "i morgen", "row": 2}),
        (b"name: x\nsteps:\n  - id: a\nflows:\n  - a -> b\n", "p.yaml", "unknown_flow_end", {"ref": "b"}),
    ],
)
def test_readers_raise_codes_with_parameters(
    data: bytes, filename: str, code: str, params: dict[str, object] | None
) -> None:
    options = {"timestamp_column": "Tid", "format": "eventlog_csv"} if code == "missing_column" else {}
    with pytest.raises(FormatError) as caught:
        read_process(data, filename=filename, **options)
    assert caught.value.code == code
    assert caught.value.source == filename
    for key, value in (params or {}).items():
        assert caught.value.params[key] == value
