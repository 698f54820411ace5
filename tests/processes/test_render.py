"""Tests for processes.render: BPMN diagram layout, DOT and SVG/PNG/PDF rendering."""

from __future__ import annotations

import itertools
import math
import random
import shutil
import subprocess
import warnings
from pathlib import Path

import pygraphviz as pgv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import processes.render as render_module
from processes.exceptions import ProcessError
from processes.model import Flow, Gateway, GatewayKind, Mode, Process, Step, StepKind
from processes.render import (
    Box,
    Layout,
    RenderFormat,
    Style,
    graphviz_backend,
    layout,
    render,
    to_dot,
)

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
    p.add_step(
        Step("frist", "Frist passert", StepKind.BOUNDARY_EVENT, attached_to="vurdere", lane="Saksbehandler")
    )
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
        return (
            abs(abs(dx) / (box.width / 2) + abs(dy) / (box.height / 2) - 1) * min(box.width, box.height) / 2
        )
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


# -- DOT --------------------------------------------------------------------

NASTY_LABELS = [
    '<script>alert("x")</script>',
    'Sende "nabovarsel" & kvittering',
    "back\\slash \\n \\N \\G",
    "<b>fet</b> &amp; &lt;",
    'x"]; n0 -> n1 [label="injected',
    "} digraph { a -> b",
    "line one\nline two",
]


def parse_dot(text: str) -> pgv.AGraph:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return pgv.AGraph(string=text)


def node_for(graph: pgv.AGraph, process: Process, element_id: str) -> pgv.Node:
    name = f"n{[e.id for e in process.elements].index(element_id)}"
    return graph.get_node(name)


def svg_tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))


SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def svg_texts(data: bytes) -> list[str]:
    return [t.text or "" for t in svg_tree(data).iter(f"{SVG}text")]


def test_lanes_become_labelled_clusters_in_dot() -> None:
    graph = parse_dot(to_dot(build_case()))
    labels = {
        sub.graph_attr["label"] for sub in graph.subgraphs() if (sub.name or "").startswith("cluster_lane")
    }
    assert labels == {"<B>Søker</B>", "<B>Saksbehandler</B>", "<B>Leder</B>"}


@pytest.mark.parametrize(
    ("element_id", "expected"),
    [
        ("start", {"shape": "circle"}),
        ("slutt", {"shape": "circle", "penwidth": "3"}),
        ("send", {"shape": "box", "style": "rounded,filled"}),
        ("komplett", {"shape": "diamond", "label": "×"}),
        ("frist", {"shape": "doublecircle"}),
    ],
)
def test_step_kinds_have_distinct_shapes(element_id: str, expected: dict[str, str]) -> None:
    p = build_case()
    graph = parse_dot(to_dot(p))
    node = node_for(graph, p, element_id)
    for key, value in expected.items():
        assert node.attr[key] == value, key


def test_start_event_is_thin_and_end_event_bold() -> None:
    p = build_case()
    graph = parse_dot(to_dot(p))
    assert node_for(graph, p, "start").attr["penwidth"] in (None, "", "1")
    assert float(node_for(graph, p, "slutt").attr["penwidth"]) >= 2


@pytest.mark.parametrize(
    ("kind", "mark"),
    [(GatewayKind.EXCLUSIVE, "×"), (GatewayKind.PARALLEL, "+"), (GatewayKind.INCLUSIVE, "○")],
)
def test_gateway_marks(kind: GatewayKind, mark: str) -> None:
    p = Process("p")
    p.add_gateway(Gateway("g", kind))
    graph = parse_dot(to_dot(p))  # keep the graph alive while its nodes are read
    assert node_for(graph, p, "g").attr["label"] == mark


def test_collapsed_subprocess_has_double_border_and_marker() -> None:
    p = Process("p")
    p.add_step(Step("sp", "Nabovarsling", StepKind.SUBPROCESS))
    graph = parse_dot(to_dot(p))
    node = node_for(graph, p, "sp")
    assert node.attr["peripheries"] == "2"
    assert "⊞" in node.attr["label"]


def test_expanded_subprocess_is_a_cluster_around_its_steps() -> None:
    p = build_case()
    graph = parse_dot(to_dot(p))
    clusters = {sub.name: sub for sub in graph.subgraphs()}
    lane = clusters["cluster_lane1"]
    inner = {sub.name: sub for sub in lane.subgraphs()}
    sub = inner[f"cluster_n{[e.id for e in p.elements].index('nabo')}"]
    assert "Nabovarsling" in sub.graph_attr["label"]
    assert len(sub.nodes()) == 3


@pytest.mark.parametrize(
    ("mode", "nb", "en"),
    [
        (Mode.PAPER, "✉ papir", "✉ paper"),
        (Mode.AUTOMATED, "⚙ automatisert", "⚙ automated"),
        (Mode.DIGITAL, "⌨ digital", "⌨ digital"),
        (Mode.MANUAL, "✍ manuell", "✍ manual"),
        (Mode.SELF_SERVICE, "☺ selvbetjening", "☺ self-service"),
    ],
)
def test_mode_is_shown_as_symbol_and_word(mode: Mode, nb: str, en: str) -> None:
    p = Process("p")
    p.add_step(Step("a", "Motta søknad", mode=mode))
    assert nb in to_dot(p)
    assert en in to_dot(p, lang="en")


def test_step_styles_are_honoured_in_dot() -> None:
    p = build_case()
    style = Style(
        fill="#ffebee",
        color="#c62828",
        penstyle="dashed",
        fontcolor="#c62828",
        peripheries=2,
        shape="octagon",
        badge="(mangler)",
        tooltip="Finnes bare i standarden",
    )
    graph = parse_dot(to_dot(p, step_styles={"send": style}))
    node = node_for(graph, p, "send")
    assert node.attr["fillcolor"] == "#ffebee"
    assert node.attr["color"] == "#c62828"
    assert "dashed" in node.attr["style"].split(",")
    assert node.attr["fontcolor"] == "#c62828"
    assert node.attr["peripheries"] == "2"
    assert node.attr["shape"] == "octagon"
    assert "Sende søknad (mangler)" in node.attr["label"]
    assert node.attr["tooltip"] == "Finnes bare i standarden"


def test_bold_penstyle_thickens_the_line() -> None:
    p = build_case()
    graph = parse_dot(to_dot(p, step_styles={"send": Style(penstyle="bold")}))
    node = node_for(graph, p, "send")
    assert float(node.attr["penwidth"]) >= 2


def test_flow_styles_are_honoured_in_dot() -> None:
    p = build_case()
    dot = to_dot(
        p, flow_styles={("send", "vurdere"): Style(color="#1565c0", penstyle="dotted", badge="flyttet")}
    )
    graph = parse_dot(dot)
    edge = graph.get_edge(node_for(graph, p, "send").name, node_for(graph, p, "vurdere").name)
    assert edge.attr["color"] == "#1565c0"
    assert "dotted" in edge.attr["style"]
    assert "flyttet" in edge.attr["label"]


def test_legend_draws_one_sample_per_entry_in_order() -> None:
    legend = [
        ("Lik", Style()),
        ("Ny", Style(fill="#e3f2fd", penstyle="bold")),
        ("Mangler", Style(penstyle="dotted")),
    ]
    graph = parse_dot(to_dot(build_case(), legend=legend))
    box = next(sub for sub in graph.subgraphs() if sub.name == "cluster_legend")
    assert "Forklaring" in box.graph_attr["label"]
    labels = [graph.get_node(f"legend{i}").attr["label"] for i in range(3)]
    assert [label.strip("<>") for label in labels] == ["Lik", "Ny", "Mangler"]
    assert "dotted" in graph.get_node("legend2").attr["style"]


def test_legend_title_in_english() -> None:
    assert "Legend" in to_dot(build_case(), legend=[("Same", Style())], lang="en")


def test_title_is_drawn_above() -> None:
    graph = parse_dot(to_dot(build_case(), title="Byggesak – Malvik"))
    assert "Byggesak – Malvik" in graph.graph_attr["label"]
    assert graph.graph_attr["labelloc"] == "t"


@pytest.mark.parametrize("label", NASTY_LABELS)
def test_labels_cannot_break_the_dot_syntax(label: str) -> None:
    p = Process("p", label)
    p.add_step(Step("a", label, lane=label, system=label, legal_basis=label))
    p.add_step(Step("b", "Neste"))
    p.add_flow(Flow("a", "b", condition=label))
    p.lanes.append(label)
    graph = parse_dot(to_dot(p, title=label, legend=[(label, Style(badge=label))]))
    # Exactly the elements we drew: nothing injected, nothing lost.
    drawn = {n for n in graph.nodes() if n.startswith("n")}
    assert drawn == {"n0", "n1"}
    assert len([e for e in graph.edges() if e[0].startswith("n") and e[1].startswith("n")]) == 1


def backends() -> list[str]:
    return ["bundled", "system"]


def need_backend(backend: str) -> None:
    if backend == "system" and shutil.which("dot") is None:
        pytest.skip("no system Graphviz: the 'dot' program is not on PATH (apt-get install graphviz)")


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("label", NASTY_LABELS)
def test_labels_appear_as_literal_text_in_svg(label: str, backend: str) -> None:
    need_backend(backend)
    p = Process("p")
    p.add_step(Step("a", label))
    data = render(p, "svg", backend=backend)  # type: ignore[arg-type]
    tree = svg_tree(data)
    assert tree.find(f".//{SVG}script") is None
    assert not [el for el in tree.iter() if isinstance(el.tag, str) and el.tag.endswith("}b")]
    tooltips = [a.get(f"{XLINK}title") for a in tree.iter(f"{SVG}a")]
    # The tooltip starts with the label exactly as written.
    assert any(t is not None and t.startswith(label + "\n") for t in tooltips), tooltips
    # Wrapping may split long words across lines; the characters are all there, in order.
    assert "".join("".join(svg_texts(data)).split()) == "".join(label.split())


def test_long_labels_wrap_and_are_cut_after_eight_lines() -> None:
    p = Process("p")
    p.add_step(Step("a", "Vurdere om søknaden om tillatelse til tiltak er komplett"))
    p.add_step(Step("b", " ".join(["ord"] * 200)))
    texts = svg_texts(render(p, "svg", backend="bundled"))
    first = [
        t for t in texts if t and t.split()[0] in ("Vurdere", "om", "søknaden", "tillatelse", "tiltak", "er")
    ]
    assert len(first) >= 2
    assert all(len(t) <= 22 for t in first)
    assert sum(1 for t in texts if t.startswith("ord")) == 8
    assert any(t.endswith("…") for t in texts)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        to_dot(build_case(), lang="sv")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"penstyle": "wavy"},
        {"fill": "red; stroke:blue"},
        {"color": 'red"]'},
        {"shape": "box];"},
        {"peripheries": 9},
    ],
)
def test_style_refuses_values_graphviz_would_misread(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Style(**kwargs)  # type: ignore[arg-type]


# -- SVG/PNG/PDF ------------------------------------------------------------


def test_styles_reach_the_svg() -> None:
    data = render(
        build_case(), "svg", step_styles={"send": Style(fill="#ffebee", penstyle="dashed")}, backend="bundled"
    )
    tree = svg_tree(data)
    paths = [el for el in tree.iter(f"{SVG}path") if el.get("fill") == "#ffebee"]
    assert paths and paths[0].get("stroke-dasharray")


def test_norwegian_letters_and_symbols_in_svg() -> None:
    p = build_case()
    p.replace_element(p.step("send").replace(mode=Mode.PAPER))
    texts = " ".join(svg_texts(render(p, "svg", backend="bundled")))
    for word in ("Søker", "Søknad mottatt", "Vurdere søknaden", "✉ papir", "×"):
        assert word in texts


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_bundled_graphviz_renders_every_format(fmt: RenderFormat, magic: bytes) -> None:
    assert render(build_case(), fmt, backend="bundled").startswith(magic)


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_system_graphviz_renders_every_format(fmt: RenderFormat) -> None:
    if shutil.which("dot") is None:
        pytest.skip("no system Graphviz: the 'dot' program is not on PATH (apt-get install graphviz)")
    magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}[fmt]
    assert render(build_case(), fmt, backend="system").startswith(magic)


def test_auto_backend_prefers_the_dot_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda name: "/usr/bin/dot" if name == "dot" else None)
    assert graphviz_backend() == "system"
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    assert graphviz_backend() == "bundled"
    # And with no dot on PATH, auto still draws (through the bundled library).
    assert render(build_case(), "svg").startswith(b"<?xml")


def test_system_backend_without_dot_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    with pytest.raises(ProcessError, match="no 'dot' program"):
        render(build_case(), "png", backend="system")


@pytest.mark.parametrize("fmt", ["dot", "svg", "png", "pdf"])
def test_rendering_is_deterministic(fmt: RenderFormat) -> None:
    legend = [("Ny", Style(fill="#e3f2fd"))]
    first = render(build_case(), fmt, legend=legend, backend="bundled")
    assert render(build_case(), fmt, legend=legend, backend="bundled") == first


def test_pdf_uses_a_font_with_norwegian_letters() -> None:
    data = render(build_case(), "pdf", backend="bundled")
    assert b"DejaVuSans" in data
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; font name checked only")
    text = subprocess.run([pdftotext, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "Søknad mottatt" in text and "Vurdere søknaden" in text


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render(build_case(), "gif")  # type: ignore[arg-type]


def test_dot_format_returns_the_dot_text() -> None:
    p = build_case()
    assert render(p, "dot") == to_dot(p).encode("utf-8")


def test_empty_process_renders() -> None:
    assert render(Process("p"), "svg", backend="bundled").startswith(b"<?xml")


# -- real processes -----------------------------------------------------------


def sample_processes() -> list[tuple[str, Process]]:
    from importlib.resources import files

    from processes.formats import read_process

    root = files("processes.samples")
    found = []
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        if not folder.is_dir() or folder.name.startswith("_"):
            continue
        for item in sorted(folder.iterdir(), key=lambda f: f.name)[:3]:
            if item.name.endswith(".yaml") and item.name[0].isdigit():
                found.append(
                    (f"{folder.name}/{item.name}", read_process(item.read_bytes(), filename=item.name))
                )
    return found


@pytest.fixture(scope="module")
def samples() -> list[tuple[str, Process]]:
    found = sample_processes()
    if not found:
        pytest.skip("no bundled sample processes to lay out")
    return found


def test_sample_layouts_keep_lane_order_and_borders(samples: list[tuple[str, Process]]) -> None:
    # dot chooses its own lane order for every one of these; layout() must restore it.
    for name, p in samples:
        result = layout(p)
        declared = [lane for lane in p.lanes if lane in result.lanes]
        ys = [result.lanes[lane].y for lane in declared]
        assert ys == sorted(ys), name
        for element in p.elements:
            if element.lane is not None and element.parent is None:
                assert contains(result.lanes[element.lane], result.nodes[element.id]), (name, element.id)
        for (src, tgt), points in result.edges.items():
            assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (name, src)
            assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (name, tgt)
            assert not cut_shapes(p, result, src, tgt, points), name


def test_rendered_lanes_appear_in_declared_order(samples: list[tuple[str, Process]]) -> None:
    name, p = samples[0]
    tree = svg_tree(render(p, "svg", legend=[("Ny", Style(fill="#e3f2fd"))], backend="bundled"))
    heights = {}
    for text in tree.iter(f"{SVG}text"):
        if text.get("font-weight") == "bold" and text.text in p.lanes:
            heights[text.text] = float(text.get("y") or 0)
    assert list(heights) and sorted(heights, key=heights.__getitem__) == [x for x in p.lanes if x in heights]
    legend_y = next(float(t.get("y") or 0) for t in tree.iter(f"{SVG}text") if t.text == "Forklaring")
    assert legend_y < min(heights.values()), name


def crosses(
    box: Box, shape: str, a: tuple[float, float], b: tuple[float, float], margin: float = 6.0
) -> bool:
    """Whether segment a-b passes through the inside of the shape drawn in box, by more than margin."""
    cx, cy = box.center
    half_w, half_h = box.width / 2 - margin, box.height / 2 - margin
    for i in range(101):
        dx = a[0] + (b[0] - a[0]) * i / 100 - cx
        dy = a[1] + (b[1] - a[1]) * i / 100 - cy
        if shape == "circle" and math.hypot(dx, dy) < half_w:
            return True
        if shape == "diamond" and abs(dx) / half_w + abs(dy) / half_h < 1:
            return True
        if shape == "box" and abs(dx) < half_w and abs(dy) < half_h:
            return True
    return False


def cut_shapes(
    p: Process, result: Layout, src: str, tgt: str, points: tuple[tuple[float, float], ...]
) -> list[str]:
    """The shapes a flow runs through, apart from its ends, sub-process frames and boundary events.

    (Frames enclose other shapes and flows may cross them; boundary events are placed on
    their activity after routing, so flows may pass over them.)
    """
    frames = {e.parent for e in p.elements if e.parent}
    cut = []
    for other, box in result.nodes.items():
        element = p[other]
        if other in (src, tgt) or other in frames:
            continue
        if isinstance(element, Step) and element.kind == StepKind.BOUNDARY_EVENT:
            continue
        if any(crosses(box, shape_of(p, other, result), a, b) for a, b in itertools.pairwise(points)):
            cut.append(other)
    return cut


@pytest.mark.parametrize("seed", range(40))
def test_flows_do_not_run_through_other_shapes(seed: int) -> None:
    p = random_process(seed)
    result = layout(p)
    for (src, tgt), points in result.edges.items():
        assert not cut_shapes(p, result, src, tgt, points), (src, tgt)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=st.text(min_size=1, max_size=60), lane=st.text(min_size=1, max_size=20))
def test_any_text_gives_wellformed_svg_with_the_label(label: str, lane: str) -> None:
    p = Process("p", label, lanes=[lane])
    p.add_step(Step("a", label, lane=lane, system=label))
    p.add_step(Step("b", "Neste", lane=lane))
    p.add_flow(Flow("a", "b", condition=label))
    data = render(p, "svg", title=label, backend="bundled")
    tree = svg_tree(data)  # raises on malformed XML
    assert tree.find(f".//{SVG}script") is None
    tooltips = [a.get(f"{XLINK}title") or "" for a in tree.iter(f"{SVG}a")]
    shown = render_module._clean(label).replace("\n", " ").split()
    text = " ".join(svg_texts(data))
    # Every word of the label is drawn (wrapping may split a long word, so compare without spaces).
    assert "".join(shown) in "".join(text.split()) or not shown
    first_line = render_module._clean(label).split("\n")[0]
    if first_line.strip():
        assert any(t.startswith(first_line) for t in tooltips)
    else:  # a label of white space only is no name: the tooltip names the step by its place instead
        assert tooltips


def test_control_characters_do_not_break_svg() -> None:
    p = Process("p")
    p.add_step(Step("a", "Søknad\x01 mottatt\x0bny linje\x7f"))
    for backend in ("bundled", "system"):
        if backend == "system" and shutil.which("dot") is None:
            continue
        texts = svg_texts(render(p, "svg", backend=backend))  # type: ignore[arg-type]
        assert "Søknad� mottatt" in texts and "ny linje�" in texts


def nested_case(lanes: list[str]) -> Process:
    """A sub-process inside a sub-process, with a boundary event, flows across three lanes."""
    p = Process("p", "Nestet", lanes=lanes)
    p.add_step(Step("s", "Start", StepKind.START_EVENT, lane="A"))
    p.add_step(Step("a", "Motta", lane="A"))
    p.add_step(Step("sp", "Behandle", StepKind.SUBPROCESS, lane="B"))
    p.add_step(Step("sp_s", "", StepKind.START_EVENT, parent="sp"))
    p.add_step(Step("inner", "Indre delprosess", StepKind.SUBPROCESS, parent="sp"))
    p.add_step(Step("in_s", "", StepKind.START_EVENT, parent="inner"))
    p.add_step(Step("in_t", "Sjekke", parent="inner"))
    p.add_step(Step("in_e", "", StepKind.END_EVENT, parent="inner"))
    p.add_step(Step("sp_e", "", StepKind.END_EVENT, parent="sp"))
    p.add_step(Step("frist", "Frist", StepKind.BOUNDARY_EVENT, attached_to="sp", lane="B"))
    p.add_step(Step("purre", "Purre", lane="C"))
    p.add_step(Step("v", "Vedtak", lane="C"))
    p.add_step(Step("e", "Slutt", StepKind.END_EVENT, lane="A"))
    for a, b in [
        ("s", "a"),
        ("a", "sp"),
        ("sp_s", "inner"),
        ("in_s", "in_t"),
        ("in_t", "in_e"),
        ("inner", "sp_e"),
        ("sp", "v"),
        ("v", "e"),
        ("frist", "purre"),
        ("purre", "e"),
    ]:
        p.add_flow(Flow(a, b))
    return p


@pytest.mark.parametrize("lanes", [list(order) for order in itertools.permutations("ABC")])
def test_nested_subprocesses_across_lanes(lanes: list[str]) -> None:
    # Most of these orders make dot swap lanes, so flows into the sub-process are re-routed
    # and must still stop at its frame.
    p = nested_case(lanes)
    result = layout(p)
    assert [name for name, _ in sorted(result.lanes.items(), key=lambda item: item[1].y)] == lanes
    assert contains(result.nodes["sp"], result.nodes["inner"])
    assert contains(result.nodes["inner"], result.nodes["in_t"])
    for (src, tgt), points in result.edges.items():
        assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (src, tgt)
        assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (src, tgt)
    assert render(p, "svg", backend="bundled").startswith(b"<?xml")


def test_auto_backend_runs_the_dot_program_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("dot") is None:
        pytest.skip("no system Graphviz: the 'dot' program is not on PATH (apt-get install graphviz)")
    calls: list[str] = []
    real_pipe = render_module.graphviz.pipe

    def spy(engine: str, fmt: str, data: bytes, **kwargs: object) -> bytes:
        calls.append(engine)
        return real_pipe(engine, fmt, data, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(render_module.graphviz, "pipe", spy)
    assert render(build_case(), "svg").startswith(b"<?xml")
    assert calls == ["dot", "neato"]  # dot lays out, neato -n2 draws the positioned graph


def test_auto_backend_without_dot_never_runs_a_program(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a Graphviz program was run")

    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(render_module.graphviz, "pipe", fail)
    assert render(build_case(), "png").startswith(b"\x89PNG")


def test_bpmn_reference_models_lay_out_cleanly(shared_data: Path) -> None:
    from processes.formats import read_process

    models = sorted((shared_data / "bpmn-miwg" / "Reference").glob("*.bpmn"))
    if not models:
        pytest.skip("no reference models under bpmn-miwg/Reference")
    for model in models:
        p = read_process(model.read_bytes(), filename=model.name)
        result = layout(p)
        for (src, tgt), points in result.edges.items():
            assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, model.name
            assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, model.name
            assert not cut_shapes(p, result, src, tgt, points), (model.name, src, tgt)
        ys = [result.lanes[lane].y for lane in p.lanes if lane in result.lanes]
        assert ys == sorted(ys), model.name


@pytest.mark.parametrize("seed", range(10))
def test_straight_segments_for_large_processes_still_avoid_shapes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large processes are drawn with straight segments, which dot sometimes runs through a
    # shape's corner; layout() must re-route those.
    monkeypatch.setattr(render_module, "CURVES_UP_TO", 0)
    p = random_process(seed)
    result = layout(p)
    for (src, tgt), points in result.edges.items():
        assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (src, tgt)
        assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (src, tgt)
        assert not cut_shapes(p, result, src, tgt, points), (src, tgt)


def test_svg_title_is_the_process_name_for_screen_readers() -> None:
    tree = svg_tree(render(build_case(), "svg", backend="bundled"))
    assert tree.find(f"{SVG}g/{SVG}title").text == "Byggesak"
    tree = svg_tree(render(build_case(), "svg", title='Malvik "mot" <standarden>', backend="bundled"))
    assert tree.find(f"{SVG}g/{SVG}title").text == 'Malvik "mot" <standarden>'


@pytest.mark.parametrize(
    "attached_to", ["b", "other_boundary", "ghost", "g"], ids=["itself", "boundary", "unknown", "gateway"]
)
def test_boundary_events_attached_to_odd_things_still_lay_out(attached_to: str) -> None:
    p = Process("p", lanes=["L"])
    p.add_step(Step("a", "Oppgave", lane="L"))
    p.add_gateway(Gateway("g", lane="L"))
    p.add_step(Step("other_boundary", "Frist", StepKind.BOUNDARY_EVENT, attached_to="a", lane="L"))
    p.add_step(Step("b", "Tidsfrist", StepKind.BOUNDARY_EVENT, attached_to=attached_to, lane="L"))
    p.add_flow(Flow("a", "g"))
    p.add_flow(Flow("b", "a"))
    result = layout(p)
    assert set(result.nodes) == {"a", "g", "other_boundary", "b"}
    assert render(p, "svg", backend="bundled").startswith(b"<?xml")


@st.composite
def odd_processes(draw: st.DrawFn) -> Process:
    """Small processes with every structure the model allows, including bad references."""
    lanes = draw(st.lists(st.sampled_from(["A", "B", "C"]), max_size=3, unique=True))
    n = draw(st.integers(1, 10))
    ids = [f"e{i}" for i in range(n)]
    refs = st.sampled_from([*ids, "ghost"])
    p = Process("p", "Tilfeldig", lanes=lanes)
    for element_id in ids:
        lane = draw(st.sampled_from([*lanes, None, "udeklarert"]))
        parent = draw(st.one_of(st.none(), refs))
        if draw(st.integers(0, 4)) == 0:
            p.add_gateway(Gateway(element_id, draw(st.sampled_from(list(GatewayKind))), lane=lane, parent=parent))
        else:
            kind = draw(st.sampled_from(list(StepKind)))
            attached = draw(refs) if kind == StepKind.BOUNDARY_EVENT else None
            p.add_step(Step(element_id, element_id, kind, lane=lane, parent=parent, attached_to=attached))
    for _ in range(draw(st.integers(0, 2 * n))):
        p.add_flow(Flow(draw(refs), draw(refs)))
    return p


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=odd_processes(), rankdir=st.sampled_from(["LR", "TB"]))
def test_any_process_lays_out_and_renders(p: Process, rankdir: str) -> None:
    result = layout(p, rankdir=rankdir)
    assert set(result.nodes) == {e.id for e in p.elements}
    for points in result.edges.values():
        assert len(points) >= 2
        assert all(0 <= x <= result.width and 0 <= y <= result.height for x, y in points)
    assert to_dot(p) == to_dot(p)
    assert render(p, "svg", backend="bundled").startswith(b"<?xml")


# -- the layered layout (large processes, no Graphviz) ---------------------------


def layered(p: Process, rankdir: str = "LR") -> Layout:
    return layout(p, rankdir=rankdir, engine="layered")


def route_cuts(box: Box, points: tuple[tuple[float, float], ...], margin: float = 4.0) -> bool:
    """Whether a route passes through ``box`` shrunk by ``margin`` (sampled every pixel)."""
    x0, y0, x1, y1 = box.x + margin, box.y + margin, box.x + box.width - margin, box.y + box.height - margin
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        steps = max(int(math.hypot(bx - ax, by - ay)), 1)
        for i in range(steps + 1):
            x, y = ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps
            if x0 < x < x1 and y0 < y < y1:
                return True
    return False


def assert_clean_layout(p: Process, result: Layout) -> None:
    """No overlaps but nesting and boundary events, lanes hold their elements, routes avoid shapes."""
    boundary = {e.id for e in p.steps if e.kind == StepKind.BOUNDARY_EVENT and e.attached_to in result.nodes}
    assert set(result.nodes) == {e.id for e in p.elements}
    shapes = {k: b for k, b in result.nodes.items() if k not in boundary}
    for (a, box_a), (b, box_b) in itertools.combinations(shapes.items(), 2):
        if not (contains(box_a, box_b) or contains(box_b, box_a)):
            assert not overlaps(box_a, box_b), (a, b)
    for element in p.elements:
        box = result.nodes[element.id]
        assert contains(Box(0, 0, result.width, result.height), box), element.id
        if element.parent is None and element.lane is not None and element.id not in boundary:
            assert contains(result.lanes[element.lane], box), element.id
    for (src, tgt), points in result.edges.items():
        assert border_distance(result.nodes[src], points[0], shape_of(p, src, result)) < 3, (src, tgt)
        assert border_distance(result.nodes[tgt], points[-1], shape_of(p, tgt, result)) < 3, (src, tgt)
        host = p.step(src).attached_to if src in boundary else src
        ends = {src, tgt, host}
        nested = {k for k in (src, tgt) if p[k].parent is not None}
        if nested:
            continue  # flows into or out of a sub-process's frame are drawn straight
        for other, box in shapes.items():
            if other not in ends and not contains(box, result.nodes[src]) and not contains(box, result.nodes[tgt]):
                assert not route_cuts(box, points), (src, tgt, other)


def test_layered_layout_keeps_the_layout_contract() -> None:
    p = build_case()
    result = layered(p)
    assert_clean_layout(p, result)
    assert (result.nodes["send"].width, result.nodes["send"].height) == (100.0, 80.0)
    assert (result.nodes["komplett"].width, result.nodes["komplett"].height) == (50.0, 50.0)
    for inner in ("nabo_start", "nabo_sende", "nabo_slutt"):
        assert contains(result.nodes["nabo"], result.nodes[inner])
    assert set(result.edges) == {(f.source, f.target) for f in p.flows}
    assert result.nodes["start"].x < result.nodes["send"].x < result.nodes["vurdere"].x
    host, event = result.nodes["vurdere"], result.nodes["frist"]
    assert host.x <= event.center[0] <= host.x + host.width
    assert event.center[1] in (host.y, host.y + host.height)
    assert layered(build_case()) == result


def test_layered_layout_stacks_lanes_in_declared_order() -> None:
    p = build_case()
    result = layered(p)
    assert list(result.lanes) == p.lanes
    bands = [result.lanes[name] for name in p.lanes]
    for upper, lower in itertools.pairwise(bands):
        assert upper.y + upper.height == pytest.approx(lower.y)
    assert all(band.x == bands[0].x and band.width == bands[0].width for band in bands)


def test_layered_layout_puts_a_sequence_on_one_line() -> None:
    p = Process("p")
    for i in range(6):
        p.add_step(Step(f"t{i}", f"Steg {i}", StepKind.START_EVENT if i == 0 else StepKind.TASK))
    for i in range(5):
        p.add_flow(Flow(f"t{i}", f"t{i + 1}"))
    result = layered(p)
    assert len({result.nodes[f"t{i}"].center[1] for i in range(6)}) == 1
    assert all(len(points) == 2 for points in result.edges.values())


def test_layered_layout_routes_loops_back_around_the_shapes() -> None:
    p = Process("p", lanes=["A", "B"])
    for i, lane in enumerate(["A", "A", "B", "A"]):
        p.add_step(Step(f"t{i}", f"Steg {i}", lane=lane))
    for a, b in [("t0", "t1"), ("t1", "t2"), ("t2", "t3"), ("t3", "t0"), ("t0", "t3")]:
        p.add_flow(Flow(a, b))
    result = layered(p)
    assert_clean_layout(p, result)
    assert result.nodes["t0"].x < result.nodes["t1"].x < result.nodes["t2"].x < result.nodes["t3"].x
    assert len(result.edges[("t3", "t0")]) == 6  # out, to the lane border, back, down, in


def test_layered_layout_top_to_bottom_turns_the_lanes_into_columns() -> None:
    p = build_case()
    result = layered(p, "TB")
    assert_clean_layout(p, result)
    xs = [result.lanes[name].x for name in p.lanes]
    assert xs == sorted(xs)
    assert (result.nodes["send"].width, result.nodes["send"].height) == (100.0, 80.0)
    assert result.nodes["start"].y < result.nodes["send"].y < result.nodes["vurdere"].y


@pytest.mark.parametrize("seed", range(40))
def test_layered_layout_of_random_processes_is_clean(seed: int) -> None:
    p = random_process(seed)
    assert_clean_layout(p, layered(p))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=odd_processes(), rankdir=st.sampled_from(["LR", "TB"]))
def test_layered_layout_takes_any_process(p: Process, rankdir: str) -> None:
    result = layered(p, rankdir)
    assert set(result.nodes) == {e.id for e in p.elements}
    for points in result.edges.values():
        assert len(points) >= 2
        assert all(0 <= x <= result.width and 0 <= y <= result.height for x, y in points)


def test_large_processes_are_laid_out_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graphviz was called")

    monkeypatch.setattr(pgv.AGraph, "layout", no_dot)
    monkeypatch.setattr(render_module, "DOT_UP_TO", len(build_case()) - 1)
    assert layout(build_case()) == layered(build_case())
    monkeypatch.setattr(render_module, "DOT_UP_TO", len(build_case()))
    with pytest.raises(AssertionError, match="Graphviz was called"):
        layout(build_case())


def test_unknown_layout_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        layout(build_case(), engine="neato")


@pytest.mark.parametrize("engine", ["dot", "layered"])
def test_boundary_events_on_one_activity_do_not_touch(engine: str) -> None:
    p = Process("p")
    p.add_step(Step("t", "Vente på dokumentasjon"))
    p.add_step(Step("after", "Purre"))
    for k in range(3):
        p.add_step(Step(f"b{k}", f"Frist {k}", StepKind.BOUNDARY_EVENT, attached_to="t"))
        p.add_flow(Flow(f"b{k}", "after"))
    result = layout(p, engine=engine)
    events = [result.nodes[f"b{k}"] for k in range(3)]
    for a, b in itertools.combinations(events, 2):
        assert abs(a.center[0] - b.center[0]) > a.width, (a, b)
