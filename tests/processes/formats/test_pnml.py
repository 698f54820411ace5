"""Tests for the PNML (Petri net) reader."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import processes.formats.pnml
from processes.exceptions import FormatError
from processes.formats.pnml import is_pnml, read_pnml
from processes.model import GatewayKind, Severity, StepKind
from tests.conftest import SHARED_DATA

SHARED_NETS = sorted((SHARED_DATA / "matching").glob("*/pnml/*.pnml"))


def net(body: str, *, marked: str = "p0") -> bytes:
    """A PNML document with the given nodes and arcs; ``marked`` gets one token."""
    body = body.replace(
        f'<place id="{marked}"/>',
        f'<place id="{marked}"><initialMarking><text>1</text></initialMarking></place>',
    )
    return f'<?xml version="1.0"?><pnml><net id="n"><page id="pg">{body}</page></net></pnml>'.encode()


def t(tid: str, name: str | None = None, extra: str = "") -> str:
    label = f"<name><text>{name}</text></name>" if name is not None else ""
    return f'<transition id="{tid}">{label}{extra}</transition>'


def arcs(*pairs: str) -> str:
    return "".join(
        f'<arc id="a{k}" source="{p.split(">")[0]}" target="{p.split(">")[1]}"/>'
        for k, p in enumerate(pairs)
    )


def test_doctests() -> None:
    result = doctest.testmod(processes.formats.pnml)
    assert result.attempted > 0
    assert result.failed == 0


def test_named_transitions_become_steps_with_their_ids() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("t1", "Motta søknad")
            + '<place id="p1"/>'
            + t("t2", "Fatte vedtak")
            + '<place id="p2"/>'
            + arcs("p0>t1", "t1>p1", "p1>t2", "t2>p2")
        )
    )
    tasks = [(s.id, s.label) for s in p.steps if s.kind == StepKind.TASK]
    assert tasks == [("t1", "Motta søknad"), ("t2", "Fatte vedtak")]
    assert sorted(p.step_graph().edges) == [("p0", "t1"), ("t1", "t2"), ("t2", "p2")]
    assert p.step("p0").kind == StepKind.START_EVENT
    assert p.step("p2").kind == StepKind.END_EVENT
    assert not [x for x in p.validate() if x.severity == Severity.ERROR]


@pytest.mark.parametrize(
    "silent",
    [
        t("s"),
        t("s", ""),
        t("s", "tau"),
        t("s", "τ"),
        t("s", "tau 3"),
        t("s", "Skip", '<toolspecific tool="ProM" activity="$invisible$"/>'),
    ],
)
def test_silent_transitions_are_structure(silent: str) -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "A")
            + '<place id="p1"/>'
            + silent
            + '<place id="p2"/>'
            + t("b", "B")
            + '<place id="p3"/>'
            + arcs("p0>a", "a>p1", "p1>s", "s>p2", "p2>b", "b>p3")
        )
    )
    assert "s" not in {s.id for s in p.steps}
    assert ("a", "b") in p.step_graph().edges


def test_choice_place_becomes_exclusive_gateway() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "A")
            + '<place id="c"/>'
            + t("b", "B")
            + t("d", "D")
            + '<place id="e"/>'
            + arcs("p0>a", "a>c", "c>b", "c>d", "b>e", "d>e")
        )
    )
    assert p["c"].kind == GatewayKind.EXCLUSIVE
    assert {("a", "b"), ("a", "d")} <= set(p.step_graph().edges)


def test_silent_fork_becomes_parallel_gateway() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "A")
            + '<place id="p1"/>'
            + t("fork")
            + '<place id="x"/><place id="y"/>'
            + t("b", "B")
            + t("d", "D")
            + '<place id="bx"/><place id="dy"/>'
            + arcs(
                "p0>a",
                "a>p1",
                "p1>fork",
                "fork>x",
                "fork>y",
                "x>b",
                "y>d",
                "b>bx",
                "d>dy",
            )
        )
    )
    assert p["fork"].kind == GatewayKind.PARALLEL
    assert {("a", "b"), ("a", "d")} <= set(p.step_graph().edges)


def test_loop_back_to_the_marked_place() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "A")
            + '<place id="p1"/>'
            + t("back")
            + arcs("p0>a", "a>p1", "p1>back", "back>p0")
        )
    )
    assert p.step("p0").kind == StepKind.START_EVENT
    assert p.graph.in_degree("p0") == 0
    assert ("a", "a") in p.step_graph().edges


def test_without_initial_marking_source_places_start() -> None:
    p = read_pnml(
        net(
            '<place id="src"/>'
            + t("a", "A")
            + '<place id="snk"/>'
            + arcs("src>a", "a>snk"),
            marked="none",
        )
    )
    assert p.step("src").kind == StepKind.START_EVENT


def test_reference_nodes_are_resolved() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "A")
            + '<place id="p1"/><referencePlace id="r1" ref="p1"/>'
            + t("b", "B")
            + '<place id="p2"/>'
            + arcs("p0>a", "a>p1", "r1>b", "b>p2")
        )
    )
    assert ("a", "b") in p.step_graph().edges


def test_wrapped_names_are_collapsed() -> None:
    p = read_pnml(
        net(
            '<place id="p0"/>'
            + t("a", "\n  Motta\n  søknad ")
            + '<place id="p1"/>'
            + arcs("p0>a", "a>p1")
        )
    )
    assert p.step("a").label == "Motta søknad"


def test_is_pnml() -> None:
    assert is_pnml(b"\xef\xbb\xbf<?xml version='1.0'?>\n<pnml>")
    assert not is_pnml(b"<definitions/>")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<pnml><net", "well-formed"),
        (b"<definitions/>", "not <pnml>"),
        (b"<pnml/>", "no <net>"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><pnml/>', "DOCTYPE"),
        (net('<place id="p0"/>' + arcs("p0>nowhere")), "does not exist"),
        (net('<place id="p0"/><place id="p1"/>' + arcs("p0>p1")), "two places"),
        (net(t("x", "A") + t("x", "B")), "more than once"),
        (net("<place/>"), "has no id"),
        (net('<referencePlace id="r"/>'), "no ref"),
    ],
)
def test_bad_input_raises_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        read_pnml(data, source="bad.pnml")
    assert "bad.pnml" in str(info.value)


@pytest.mark.parametrize(
    "path", SHARED_NETS, ids=lambda p: f"{p.parent.parent.name}/{p.name}"
)
def test_shared_nets_import(shared_data: Path, path: Path) -> None:
    process = read_pnml(path.read_bytes(), source=str(path))
    named = {s.id for s in process.steps if s.kind == StepKind.TASK}
    assert named, "a net without named transitions"
    assert all(process.step(i).label for i in named)
    assert not [x for x in process.validate() if x.severity == Severity.ERROR]
    assert process.step_graph().number_of_edges() > 0


def test_every_gold_transition_is_a_step(shared_data: Path) -> None:
    # The gold alignments name transition ids; the reader must keep them as step ids.
    import re

    matching = shared_data / "matching"
    nets: dict[str, set[str]] = {}
    missing = []
    for gold in sorted(matching.glob("*/gold/*.rdf")):
        for model, element in re.findall(
            r"resource=['\"]https?://([^#'\"]+)#([^'\"]+)['\"]", gold.read_text("utf-8")
        ):
            if model not in nets:
                path = gold.parent.parent / "pnml" / f"{model}.pnml"
                nets[model] = {s.id for s in read_pnml(path.read_bytes()).steps}
            if element not in nets[model]:
                missing.append((model, element))
    assert nets and not missing
