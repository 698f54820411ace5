"""Tests for processes.render: BPMN diagram layout, DOT and SVG/PNG/PDF rendering."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind
from processes.render import Box, Layout, layout

# -- helpers ----------------------------------------------------------------


def build_case() -> Process:
    """A small building-permit process with three lanes, a sub-process and a boundary event."""
    p = Process("byggesak", "Byggesak", lanes=["Søker", "Saksbehandler", "Leder"])
    p.add_step(Step("start", "Søknad mottatt", StepKind.START_EVENT, lane="Søker"))
    p.add_step(Step("send", "Sende søknad", lane="Søker"))
    p.add_step(Step("vurdere", "Vurdere søknaden", lane="Saksbehandler"))
    p.add_gateway(Gateway("komplett", GatewayKind.EXCLUSIVE, "Komplett?", lane="Saksbehandler"))
    p.add_step(Step("godkjenne", "Godkjenne vedtak", lane="Leder"))
    p.add_step(Step("mangel", "Be om mer dokumentasjon", lane="Saksbehandler"))
    p.add_step(Step("slutt", "Vedtak sendt", StepKind.END_EVENT, lane="Søker"))
    p.add_step(Step("nabo", "Nabovarsling", StepKind.SUBPROCESS, lane="Saksbehandler"))
    p.add_step(Step("nabo_start", "", StepKind.START_EVENT, parent="nabo"))
    p.add_step(Step("nabo_sende", "Sende nabovarsel", parent="nabo"))
    p.add_step(Step("nabo_slutt", "", StepKind.END_EVENT, parent="nabo"))
    p.add_step(Step("frist", "Frist passert", StepKind.BOUNDARY_EVENT, attached_to="vurdere", lane="Saksbehandler"))
    p.add_step(Step("purre", "Purre", lane="Saksbehandler"))
    for a, b in [
        ("start", "send"),
        ("send", "vurdere"),
        ("vurdere", "komplett"),
        ("komplett", "godkjenne"),
        ("komplett", "mangel"),
        ("godkjenne", "nabo"),
        ("nabo", "slutt"),
        ("mangel", "send"),
        ("nabo_start", "nabo_sende"),
        ("nabo_sende", "nabo_slutt"),
        ("frist", "purre"),
        ("purre", "vurdere"),
    ]:
        p.add_flow(Flow(a, b))
    return p


def random_process(seed: int) -> Process:
    """A random (often messy) process: lanes, unlaned elements, gateways, cycles."""
    r = random.Random(seed)
    lanes = [f"Enhet {i}" for i in range(r.randint(0, 4))]
    p = Process("p", "Tilfeldig", lanes=lanes)
    n = r.randint(1, 20)
    for i in range(n):
        lane = r.choice([*lanes, None]) if lanes else None
        if r.random() < 0.2:
            p.add_gateway(Gateway(f"e{i}", r.choice(list(GatewayKind)), lane=lane))
        else:
            kind = r.choice([StepKind.TASK, StepKind.START_EVENT, StepKind.END_EVENT, StepKind.SUBPROCESS])
            p.add_step(Step(f"e{i}", f"Steg {i}", kind, lane=lane))
    for _ in range(r.randint(0, 2 * n)):
        p.add_flow(Flow(f"e{r.randrange(n)}", f"e{r.randrange(n)}"))
    return p


def overlaps(a: Box, b: Box) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def contains(outer: Box, inner: Box) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )


def border_distance(box: Box, point: tuple[float, float], shape: str) -> float:
    """How far a point is from the outline of the shape drawn in ``box``."""
    cx, cy = box.center
    dx, dy = point[0] - cx, point[1] - cy
    if shape == "circle":
        return abs(math.hypot(dx, dy) - box.width / 2)
    if shape == "diamond":
        # |dx|/a + |dy|/b = 1 on the outline; scale the error back to pixels.
        return abs(abs(dx) / (box.width / 2) + abs(dy) / (box.height / 2) - 1) * min(box.width, box.height) / 2
    inside_x = abs(dx) <= box.width / 2 + 0.5
    inside_y = abs(dy) <= box.height / 2 + 0.5
    if inside_x and inside_y:
        return min(box.width / 2 - abs(dx), box.height / 2 - abs(dy))
    return math.hypot(max(abs(dx) - box.width / 2, 0), max(abs(dy) - box.height / 2, 0))


def shape_of(process: Process, element_id: str, result: Layout) -> str:
    element = process[element_id]
    if isinstance(element, Gateway):
        return "diamond"
    if element.is_event:
        return "circle"
    return "box"


def drawn_outside_subprocesses(process: Process) -> list[str]:
    return [e.id for e in process.elements if e.parent is None]


# -- layout -----------------------------------------------------------------


def test_layout_gives_bpmn_sizes_by_kind() -> None:
    result = layout(build_case())
    assert (result.nodes["send"].width, result.nodes["send"].height) == (100.0, 80.0)
    assert (result.nodes["start"].width, result.nodes["start"].height) == (36.0, 36.0)
    assert (result.nodes["komplett"].width, result.nodes["komplett"].height) == (50.0, 50.0)


def test_expanded_subprocess_encloses_its_inner_steps() -> None:
    result = layout(build_case())
    for inner in ("nabo_start", "nabo_sende", "nabo_slutt"):
        assert contains(result.nodes["nabo"], result.nodes[inner])


def test_collapsed_subprocess_is_larger_than_a_task() -> None:
    p = Process("p")
    p.add_step(Step("sp", "Delprosess", StepKind.SUBPROCESS))
    p.add_step(Step("t", "Oppgave"))
    p.add_flow(Flow("sp", "t"))
    result = layout(p)
    assert result.nodes["sp"].width > result.nodes["t"].width
    assert result.nodes["sp"].height > result.nodes["t"].height


def test_no_shapes_overlap_except_nesting_and_boundary_events() -> None:
    p = build_case()
    result = layout(p)
    for a, b in itertools.combinations(result.nodes, 2):
        nested = "nabo" in (a, b) and {a, b} & {"nabo_start", "nabo_sende", "nabo_slutt"}
        attached = {a, b} == {"frist", "vurdere"}
        if not nested and not attached:
            assert not overlaps(result.nodes[a], result.nodes[b]), (a, b)


def test_every_flow_starts_and_ends_on_its_shapes_borders() -> None:
    p = build_case()
    result = layout(p)
    assert set(result.edges) == {(f.source, f.target) for f in p.flows}
    for (src, tgt), points in result.edges.items():
        assert len(points) >= 2
        assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (src, tgt)
        assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (src, tgt)


def test_boundary_event_sits_on_its_activity_border() -> None:
    result = layout(build_case())
    host, event = result.nodes["vurdere"], result.nodes["frist"]
    cx, cy = event.center
    assert host.x <= cx <= host.x + host.width
    assert cy in (host.y, host.y + host.height)


def test_lanes_are_stacked_bands_in_declared_order_holding_their_elements() -> None:
    p = build_case()
    result = layout(p)
    assert list(result.lanes) == p.lanes
    bands = [result.lanes[name] for name in p.lanes]
    for upper, lower in itertools.pairwise(bands):
        assert upper.y + upper.height == pytest.approx(lower.y)
    for band in bands:
        assert band.x == bands[0].x and band.width == bands[0].width
        assert band.x + band.width <= result.width
    for element in p.elements:
        if element.parent is None:
            assert contains(result.lanes[element.lane or ""], result.nodes[element.id]), element.id


def test_lanes_in_top_to_bottom_layout_are_columns() -> None:
    p = build_case()
    result = layout(p, rankdir="TB")
    xs = [result.lanes[name].x for name in p.lanes]
    assert xs == sorted(xs)
    for element in p.elements:
        if element.parent is None:
            assert contains(result.lanes[element.lane or ""], result.nodes[element.id]), element.id


def test_flow_goes_left_to_right_by_default() -> None:
    result = layout(build_case())
    assert result.nodes["start"].x < result.nodes["send"].x < result.nodes["vurdere"].x


def test_layout_is_deterministic() -> None:
    assert layout(build_case()) == layout(build_case())


def test_ids_with_dot_syntax_and_markup_are_laid_out() -> None:
    p = Process("p")
    ids = ['a "quoted" id', "graph", "node", "x -> y", "<b>bold</b>", "back\\slash", "{;}"]
    for element_id in ids:
        p.add_step(Step(element_id, element_id))
    for a, b in itertools.pairwise(ids):
        p.add_flow(Flow(a, b))
    result = layout(p)
    assert set(result.nodes) == set(ids)
    assert len(result.edges) == len(ids) - 1


def test_empty_process_gives_an_empty_layout() -> None:
    result = layout(Process("p"))
    assert result.nodes == {} and result.edges == {} and result.lanes == {}


def test_flows_to_unknown_elements_are_left_out() -> None:
    p = Process("p")
    p.add_step(Step("a", "A"))
    p.add_flow(Flow("a", "ghost"))
    assert layout(p).edges == {}


def test_unknown_rankdir_is_refused() -> None:
    with pytest.raises(ValueError, match="rankdir"):
        layout(build_case(), rankdir="RL")


@pytest.mark.parametrize("seed", range(40))
def test_random_processes_lay_out_cleanly(seed: int) -> None:
    # Random cross-lane flows often make dot swap lane clusters; the order must hold anyway.
    p = random_process(seed)
    result = layout(p)
    boxes = list(result.nodes.items())
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not overlaps(box_a, box_b), (a, b)
    ys = [result.lanes[name].y for name in p.lanes]
    assert ys == sorted(ys)
    for element in p.elements:
        box = result.nodes[element.id]
        assert contains(Box(0, 0, result.width, result.height), box)
        if element.lane is not None:
            assert contains(result.lanes[element.lane], box), element.id
    for (src, tgt), points in result.edges.items():
        assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (src, tgt)
        assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (src, tgt)
