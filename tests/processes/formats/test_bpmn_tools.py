"""Exported BPMN checked by the tools Camunda Modeler is built on, from the npm registry.

``tests/js/check_bpmn.mjs`` imports each file with bpmn-moddle (the model layer of bpmn.io
and Camunda Modeler) and lints it with bpmnlint's ``recommended`` rules (Camunda Modeler's lint
panel); versions are pinned in ``tests/js/package-lock.json`` (``npm ci --prefix tests/js``,
which ``make test`` runs). Every bundled sample and every MIWG reference model is exported with
:func:`write_bpmn` and must import with no warning; a sample's export must lint without
errors, and a MIWG export may have no lint error that the reference file does not have
itself, unless the reference shows the cause: BPMN semantics that :func:`read_bpmn` does not
keep (documented in its module docstring), listed in :func:`lost_on_import`.

The tests skip when Node.js or the installed packages are missing, and fail instead when
REGISTRY_REQUIRE_SERVICES is set (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from processes import render
from processes.formats.bpmn import read_bpmn, write_bpmn
from processes.generate import synthetic_process
from processes.samples import case_types, load_sample, variants
from tests.conftest import ROOT, SHARED_DATA

JS = ROOT / "tests" / "js"
CHECKER = JS / "check_bpmn.mjs"
PACKAGES = ("bpmn-moddle", "bpmnlint")
MIWG = SHARED_DATA / "bpmn-miwg" / "Reference"

Findings = dict[str, Any]  # one file's result: {"error": ..., "warnings": [...], "lint": [...]}


def _node() -> str:
    """The node program, with the pinned packages installed; else skip (fail in CI)."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "Node.js is not installed (the `node` program is not on PATH)"
    else:
        missing = [name for name in PACKAGES if not (JS / "node_modules" / name / "package.json").is_file()]
        if missing:
            problem = f"{', '.join(missing)} not installed in tests/js: run `npm ci --prefix tests/js`"
    if problem is not None:
        if os.environ.get("REGISTRY_REQUIRE_SERVICES"):
            pytest.fail(f"REGISTRY_REQUIRE_SERVICES is set but {problem}")
        pytest.skip(problem)
    assert node is not None
    return node


def _check(node: str, files: list[Path]) -> dict[str, Findings]:
    """Run the checker on ``files``; results keyed by file name."""
    done = subprocess.run(
        [node, str(CHECKER), *map(str, files)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"check_bpmn.mjs failed ({done.returncode}):\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    assert set(report["tools"]) == set(PACKAGES)
    return {Path(path).name: found for path, found in report["files"].items()}


def _errors(found: Findings) -> set[tuple[str, str]]:
    return {(item["rule"], item["id"]) for item in found["lint"] if item["category"] == "error"}


def _samples() -> list[tuple[str, str]]:
    return [(c.slug, name) for c in case_types() for name in ["standard", *variants(c)]]


def _references() -> list[str]:
    if not MIWG.is_dir():
        return ["(shared data absent)"]  # the shared_data fixture skips it
    return sorted(path.stem for path in MIWG.glob("*.bpmn"))


@pytest.fixture(scope="module")
def sample_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Findings]:
    node = _node()
    folder = tmp_path_factory.mktemp("sample-exports")
    files = []
    for case, name in _samples():
        path = folder / f"{case}-{name}.bpmn"
        path.write_bytes(write_bpmn(load_sample(case, name)))
        files.append(path)
    return _check(node, files)


@pytest.fixture(scope="module")
def miwg_findings(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Findings]:
    """Findings for each reference model (``A.1.0.bpmn``) and its export (``A.1.0.export.bpmn``)."""
    node = _node()
    folder = tmp_path_factory.mktemp("miwg-exports")
    files = []
    for path in sorted(MIWG.glob("*.bpmn")):
        export = folder / f"{path.stem}.export.bpmn"
        export.write_bytes(write_bpmn(read_bpmn(path.read_bytes(), source=str(path))))
        files += [path, export]
    return _check(node, files)


@pytest.fixture(scope="module")
def layered_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Findings]:
    """The samples, and a generated process too large for dot, drawn by the layered layout."""
    node = _node()
    folder = tmp_path_factory.mktemp("layered-exports")
    files = []
    large = synthetic_process(1000, seed=7)
    assert len(large) > render.DOT_UP_TO
    path = folder / "synthetic-1000.bpmn"
    path.write_bytes(write_bpmn(large))
    files.append(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "DOT_UP_TO", 0)  # every sample counts as large
        for case, name in _samples():
            path = folder / f"{case}-{name}.bpmn"
            path.write_bytes(write_bpmn(load_sample(case, name)))
            files.append(path)
    return _check(node, files)


@pytest.mark.parametrize(("case", "name"), _samples())
def test_sample_export_imports_without_warnings(sample_findings: dict[str, Findings], case: str, name: str) -> None:
    found = sample_findings[f"{case}-{name}.bpmn"]
    assert found["error"] is None
    assert found["warnings"] == []


@pytest.mark.parametrize(("case", "name"), _samples())
def test_sample_export_has_no_lint_errors(sample_findings: dict[str, Findings], case: str, name: str) -> None:
    # The samples are native YAML: nothing in them excuses a lint error. (Warnings, e.g.
    # fake-join for a task that a loop re-enters, describe the model itself and are allowed.)
    assert sorted(_errors(sample_findings[f"{case}-{name}.bpmn"])) == []


def test_large_export_imports_and_lints_without_any_finding(layered_findings: dict[str, Findings]) -> None:
    found = layered_findings["synthetic-1000.bpmn"]
    assert (found["error"], found["warnings"], found["lint"]) == (None, [], [])


@pytest.mark.parametrize(("case", "name"), _samples())
def test_layered_diagram_of_a_sample_lints_like_the_dot_one(
    layered_findings: dict[str, Findings], case: str, name: str
) -> None:
    found = layered_findings[f"{case}-{name}.bpmn"]
    assert (found["error"], found["warnings"]) == (None, [])
    assert sorted(_errors(found)) == []
    assert [item for item in found["lint"] if item["rule"] == "no-overlapping-elements"] == []


@pytest.mark.parametrize("reference", _references())
def test_miwg_export_imports_without_warnings(miwg_findings: dict[str, Findings], reference: str) -> None:
    found = miwg_findings[f"{reference}.export.bpmn"]
    assert found["error"] is None
    assert found["warnings"] == []


@pytest.mark.parametrize("reference", _references())
def test_miwg_export_has_no_lint_error_its_reference_lacks(
    miwg_findings: dict[str, Findings], reference: str
) -> None:
    source = MIWG / f"{reference}.bpmn"
    assert miwg_findings[source.name]["error"] is None
    new = _errors(miwg_findings[f"{reference}.export.bpmn"]) - _errors(miwg_findings[source.name])
    explain = lost_on_import(etree.parse(str(source)).getroot())
    unexplained = sorted(error for error in new if not explain(*error))
    assert unexplained == []


# -- what the import does not keep ------------------------------------------------------------


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _definitions(el: etree._Element) -> set[str]:
    """The event definitions an event holds (``"link"``, ``"compensate"``, ...)."""
    return {_local(c).removesuffix("EventDefinition") for c in el if _local(c).endswith("EventDefinition")}


def _processes(root: etree._Element) -> Iterator[etree._Element]:
    return (el for el in root if _local(el) == "process")


def lost_on_import(root: etree._Element) -> Callable[[str, str], bool]:
    """Whether a lint error ``(rule, element id)`` of an export comes from something the reference
    file says and :func:`read_bpmn` does not keep, as the reference file itself shows.

    - **Default flows** (``default="..."``) and empty condition expressions: an element whose
      outgoing flows have conditions needs the others marked default (``conditional-flows``).
    - **Event sub-processes** (``triggeredByEvent``), **compensation** handlers
      (``isForCompensation``) and **link**/**compensation** events are connected by their
      trigger, an association or their link name, not by sequence flows; read as plain
      elements they are ``no-disconnected``, implicit starts or ends.
    - **Pools and event definitions**: several processes (pools) become one process and typed
      start events (message, timer, ...) blank ones, so one process has several blank start
      events (``single-blank-start-event``).
    """
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    flows_with_expression = {
        el.get("id")
        for el in root.iter()
        if _local(el) == "sequenceFlow" and any(_local(c) == "conditionExpression" for c in el)
    }
    defaults = {el.get("default") for el in root.iter() if isinstance(el.tag, str) and el.get("default")}
    start_events = [el for process in _processes(root) for el in process if _local(el) == "startEvent"]
    blank_per_process = [
        sum(1 for el in process if _local(el) == "startEvent" and not _definitions(el))
        for process in _processes(root)
    ]

    def triggered_otherwise(el: etree._Element) -> bool:
        current: etree._Element | None = el
        while current is not None:  # an event sub-process, or anything inside one
            if _local(current) == "subProcess" and current.get("triggeredByEvent") == "true":
                return True
            current = current.getparent()
        return el.get("isForCompensation") == "true" or bool(_definitions(el) & {"link", "compensate"})

    def explain(rule: str, element_id: str) -> bool:
        el = by_id.get(element_id)
        if rule == "conditional-flows":
            return element_id in defaults or element_id in flows_with_expression
        if rule in ("no-disconnected", "no-implicit-start", "no-implicit-end"):
            return el is not None and triggered_otherwise(el)
        if rule == "single-blank-start-event":
            # No reference process has two blank start events, yet the export has: they come
            # from different pools, or had an event definition.
            return len(start_events) > 1 and max(blank_per_process, default=0) <= 1
        return False

    return explain
