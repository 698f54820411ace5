"""BPMN conformance on the shared third-party data (OMG MIWG suite, Altinn 3).

Every file imports with nothing lost, or is rejected with a precise error;
the cross-tool agreement stays at least at the level measured in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from benchmarks.bpmn_interchange import labelled_graph, run, summary
from processes.exceptions import FormatError, UnsupportedFormatError
from processes.formats.bpmn import read_bpmn, write_bpmn
from processes.model import Gateway, Process, StepKind
from tests.conftest import SHARED_DATA

_STEP_TAGS = {
    "task", "userTask", "serviceTask", "manualTask", "sendTask", "receiveTask", "scriptTask",
    "businessRuleTask", "callActivity", "subProcess", "adHocSubProcess", "transaction",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
}  # fmt: skip
_GATEWAY_TAGS = {
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
}
_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# Measured by `python -m benchmarks.bpmn_interchange` (see benchmarks/RESULTS.md).
# An importer change that loses or invents steps or flows drops below these.
AGREEING_PAIRS = 266
MEAN_EDGE_F1 = 0.9696
SAME_NESTING_PAIRS = 301

_REJECTED_ALTINN = {
    # path under ../shared/data -> what the message must say
    "altinn/altinn-studio/src/App/backend/test/Altinn.App.Core.Tests/Implementation/TestData/AppProcess/process.bpmn":
        "root element is <root>",
    "altinn/altinn-studio/src/App/backend/test/Altinn.App.Core.Tests/Internal/App/TestData/AppProcess/process.bpmn":
        "root element is <root>",
    "altinn/altinn-studio/src/App/backend/test/Altinn.App.Core.Tests/Internal/Process/TestData/not-bpmn.bpmn":
        "did you mean <definitions>",
}  # fmt: skip


def _files(folder: str, pattern: str) -> list[str]:
    """Paths under ../shared/data (relative to it), found when the tests are collected."""
    root = SHARED_DATA / folder
    if not root.is_dir():
        return [f"{folder}/(shared data absent)"]  # the shared_data fixture skips these
    return sorted(str(p.relative_to(SHARED_DATA)) for p in root.rglob(pattern) if p.is_file())


def _count_in_file(data: bytes, tag: str | None = None) -> tuple[int, int, int]:
    """Steps, gateways and sequence flows in the BPMN namespace, counted independently of the reader.

    With ``tag``: the number of elements with that local name in the third place.
    """
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    counts = [0, 0, 0]
    for el in root.iter(f"{{{_MODEL}}}*"):
        name = etree.QName(el).localname
        if name in _STEP_TAGS:
            counts[0] += 1
        elif name in _GATEWAY_TAGS:
            counts[1] += 1
        elif name == (tag or "sequenceFlow"):
            counts[2] += 1
    return counts[0], counts[1], counts[2]


def _counts(p: Process) -> tuple[int, int, int]:
    return len(p.steps), len(p.gateways), sum(1 for f in p.flows if not f.is_message)


# Why a message flow may be left out on import (a black-box pool, or a whole pool as its end).
_MESSAGE_DROPS = {"message_to_black_box", "message_from_black_box", "message_to_pool", "message_from_pool"}


def _read(path: Path) -> Process:
    return read_bpmn(path.read_bytes(), source=path.name)


@pytest.mark.parametrize("name", _files("bpmn-miwg", "*.bpmn"))
def test_every_miwg_file_imports_with_nothing_lost(shared_data: Path, name: str) -> None:
    data = (shared_data / name).read_bytes()
    p = read_bpmn(data, source=name)
    assert _counts(p) == _count_in_file(data)
    dropped = [problem for problem in p.import_problems if problem.code in _MESSAGE_DROPS]
    assert [problem for problem in p.import_problems if problem not in dropped] == []
    kept = sum(1 for f in p.flows if f.is_message)
    assert kept + len(dropped) == _count_in_file(data, "messageFlow")[2]
    assert all(e.line is not None for e in p.elements)


@pytest.mark.parametrize("name", _files("altinn", "*.bpmn"))
def test_every_altinn_file_imports_or_is_rejected_precisely(shared_data: Path, name: str) -> None:
    path = shared_data / name
    if name in _REJECTED_ALTINN:
        with pytest.raises(UnsupportedFormatError, match=_REJECTED_ALTINN[name]) as info:
            read_bpmn(path.read_bytes(), source=name)
        assert info.value.source == name and info.value.line is not None
        return
    data = path.read_bytes()
    p = read_bpmn(data, source=name)
    assert _counts(p) == _count_in_file(data)
    assert p.steps, "every Altinn process has at least a start event"


def test_altinn_files_with_a_bom_and_norwegian_names_import(shared_data: Path) -> None:
    path = shared_data / "altinn" / "altinn-studio/src/App/template/v8/src/App/config/process/process.bpmn"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    p = _read(path)
    assert "Utfylling" in {s.label for s in p.steps}


def test_altinn_non_process_files_are_rejected(shared_data: Path) -> None:
    for name in ("SOURCES.md", "altinn-studio/LICENSE"):
        with pytest.raises(FormatError):
            read_bpmn((shared_data / "altinn" / name).read_bytes(), source=name)


_EXPORTABLE = [
    name
    for name in _files("bpmn-miwg/Reference", "*.bpmn") + _files("altinn", "*.bpmn")
    if name not in _REJECTED_ALTINN
]


@pytest.mark.parametrize("name", _EXPORTABLE)
def test_reference_and_altinn_processes_survive_export_and_import(shared_data: Path, name: str) -> None:
    p = _read(shared_data / name)
    assert read_bpmn(write_bpmn(p)) == p


def test_reference_a3_boundary_events_are_attached_to_the_sub_process(shared_data: Path) -> None:
    p = _read(shared_data / "bpmn-miwg" / "Reference" / "A.3.0.bpmn")
    attached = {s.label: p.step(s.attached_to).label for s in p.steps if s.attached_to}
    assert attached == {
        "Boundary Intermediate Event Non-Interrupting Message": "Collapsed Sub-Process",
        "Boundary Intermediate Event Interrupting Escalation": "Collapsed Sub-Process",
    }
    graph = labelled_graph(p)
    assert ("boundary intermediate event interrupting escalation", "task 4") in graph.edges


def test_reference_a4_pools_lanes_and_nesting(shared_data: Path) -> None:
    p = _read(shared_data / "bpmn-miwg" / "Reference" / "A.4.0.bpmn")
    # Two processes with content. The first is the pool "Pool" without lanes, so its
    # elements get the pool as lane; the second has neither participant nor name, so
    # its lanes cannot be qualified and stay plain.
    assert p.lanes == ["Pool", "Lane 1", "Lane 2"]
    by_label = {s.label: s for s in p.steps}
    assert by_label["Task 1"].lane == "Pool"
    assert by_label["Task 4"].parent == by_label["Expanded Sub-Process 1"].id
    assert by_label["Task 4"].lane == "Lane 1"


def test_reference_b2_has_every_gateway_and_boundary_event(shared_data: Path) -> None:
    p = _read(shared_data / "bpmn-miwg" / "Reference" / "B.2.0.bpmn")
    assert sum(1 for s in p.steps if s.kind == StepKind.BOUNDARY_EVENT) == 11
    assert all(isinstance(g, Gateway) for g in p.gateways)
    assert all(p.get(s.attached_to) is not None for s in p.steps if s.attached_to)


def test_same_case_from_a_clean_tool_matches_the_reference(shared_data: Path) -> None:
    miwg = shared_data / "bpmn-miwg"
    reference = labelled_graph(_read(miwg / "Reference" / "C.3.0.bpmn"))
    tool = labelled_graph(_read(miwg / "Open-BPMN 1.2.8_2" / "C.3.0-roundtrip.bpmn"))
    assert tool == reference
    assert ("analyse customer request", "perform repair (premium level)") in reference.edges


def test_cross_tool_agreement_does_not_regress(shared_data: Path) -> None:
    pairs = run(shared_data / "bpmn-miwg")
    n, exact, edge_f1, _, nested = summary(pairs)["ALL"]
    assert n >= 330
    assert not [p for p in pairs if p.error]
    assert exact >= AGREEING_PAIRS, [
        f"{p.tool} {p.case} {p.variant}: {p.reason()}" for p in pairs if not p.exact
    ]
    assert edge_f1 >= MEAN_EDGE_F1
    assert nested >= SAME_NESTING_PAIRS
