"""Drawing processes: diagram layout for BPMN, and DOT/SVG/PNG/PDF rendering.

This is the only module of the engine that needs Graphviz. It uses the
Graphviz library bundled in the :mod:`pygraphviz` wheel, so it works without a
system installation; when a ``dot`` program is on ``PATH`` it is preferred for
rendering (it usually has more fonts and output plugins).

Two entry points:

- :func:`layout` computes shape boxes, edge waypoints and lane bands in BPMN
  diagram-interchange coordinates (pixels, origin top-left, y downwards). The
  BPMN writer uses it.
- :func:`to_dot` / :func:`render` draw a process for people: swimlane
  clusters, one shape per step kind, the mode as a visible cue, and optional
  per-step and per-flow :class:`Style` so that the comparison engine can draw
  a diff diagram with a legend.
"""

from __future__ import annotations

import bisect
import html
import itertools
import math
import os
import re
import shutil
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import graphviz
import pygraphviz as pgv

from processes.conditions import condition_text
from processes.exceptions import ProcessError
from processes.explain import name_of
from processes.model import Element, Gateway, GatewayKind, Mode, Process, Step, StepKind

__all__ = [
    "FONT",
    "MIN_PRINT_FONT",
    "PLACE_LABELS_UP_TO",
    "Box",
    "Layout",
    "PrintPage",
    "PrintPlan",
    "RenderFormat",
    "Style",
    "add_print_pages",
    "close_fonts",
    "graphviz_backend",
    "kind_name",
    "layout",
    "mode_cue",
    "print_plan",
    "render",
    "to_dot",
]

# BPMN shape sizes in pixels (what bpmn.io and Camunda Modeler use by default).
TASK_SIZE = (100.0, 80.0)
EVENT_SIZE = (36.0, 36.0)
GATEWAY_SIZE = (50.0, 50.0)
COLLAPSED_SUBPROCESS_SIZE = (120.0, 90.0)

_PT = 72.0  # Graphviz sizes are in inches, coordinates in points; BPMN pixels = points here.
_MARGIN = 30.0  # space around the drawing, and lane header room
_LANE_HEADER = 30.0  # BPMN lanes carry their name in a vertical strip on the left
_BOUNDARY_PORTS = ("s", "se", "sw", "n", "ne", "nw")


@dataclass(frozen=True)
class Box:
    """A rectangle in diagram coordinates: top-left corner, pixels, y downwards."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        """The centre point ``(x, y)``."""
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class Layout:
    """Where every shape, edge and lane of a process is drawn.

    Attributes
    ----------
    nodes
        Element id -> its box. Expanded sub-processes get the box enclosing
        their inner elements.
    edges
        ``(source id, target id)`` -> waypoints, starting on the source shape's
        border and ending on the target's.
    lanes
        Lane name -> a band spanning the diagram (horizontal for ``rankdir="LR"``).
    width, height
        Size of the whole diagram.
    """

    nodes: Mapping[str, Box]
    edges: Mapping[tuple[str, str], tuple[tuple[float, float], ...]]
    lanes: Mapping[str, Box]
    width: float
    height: float


def _shape_size(element: Element, *, expanded: bool) -> tuple[float, float]:
    if isinstance(element, Gateway):
        return GATEWAY_SIZE
    if element.is_event:
        return EVENT_SIZE
    if element.kind in (StepKind.SUBPROCESS, StepKind.CALL_ACTIVITY) and not expanded:
        return COLLAPSED_SUBPROCESS_SIZE
    return TASK_SIZE


def _lane_order(process: Process) -> list[str]:
    """Process.lanes first, then lanes that steps name but the process does not declare."""
    lanes = list(dict.fromkeys(process.lanes))
    for element in process.elements:
        if element.lane is not None and element.lane not in lanes:
            lanes.append(element.lane)
    return lanes


def _parse_points(
    pos: str,
) -> tuple[list[tuple[float, float]], tuple[float, float] | None, tuple[float, float] | None]:
    """Split a Graphviz edge ``pos`` into spline points, start point and end (arrow tip) point."""
    start = end = None
    points: list[tuple[float, float]] = []
    # Several splines appear separated by ';' only for concentrated edges; take the first.
    for token in pos.split(";")[0].split():
        if token.startswith("e,"):
            x, y = token[2:].split(",")
            end = (float(x), float(y))
        elif token.startswith("s,"):
            x, y = token[2:].split(",")
            start = (float(x), float(y))
        else:
            x, y = token.split(",")[:2]
            points.append((float(x), float(y)))
    return points, start, end


#: Above this many elements dot draws straight segments: curves cost it twice the time
#: (15 s against 8.6 s for 400 steps), and layout() re-routes any segment that cuts a shape.
CURVES_UP_TO = 200


def _splines(elements: int) -> str:
    # Curves, not "polyline", where affordable: dot straightens polylines after routing and
    # then now and then cuts a shape's corner; its curves stay in the free corridors.
    return "true" if elements <= CURVES_UP_TO else "polyline"


def _polyline(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Follow a Graphviz B-spline (p0, then 3 points per cubic piece) with straight waypoints.

    Each piece contributes the points at t = 1/3, 2/3 and 1: close enough to the curve to
    keep clear of the shapes dot routed around, few enough for a BPMN edge.
    """
    path = points[:1]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        if _is_straight(p0, p1, p2, p3):
            path.append(p3)
            continue
        for t in (1 / 3, 2 / 3, 1.0):
            u = 1 - t
            path.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    return path


def _is_straight(*points: tuple[float, float]) -> bool:
    """Whether the control points lie on one line (within half a point)."""
    (x0, y0), (x3, y3) = points[0], points[-1]
    length = math.hypot(x3 - x0, y3 - y0)
    if length < 1e-9:
        return True
    return all(abs((x3 - x0) * (y0 - y) - (x0 - x) * (y3 - y0)) / length < 0.5 for x, y in points[1:-1])


def _circle_border(
    center: tuple[float, float], radius: float, toward: tuple[float, float]
) -> tuple[float, float]:
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    dist = math.hypot(dx, dy)
    if dist < 1e-9:
        return (center[0], center[1] + radius)
    return (center[0] + dx / dist * radius, center[1] + dy / dist * radius)


def layout(process: Process, *, rankdir: str = "LR", engine: str = "auto") -> Layout:
    """Lay a process out for a BPMN diagram with Graphviz ``dot`` (a simpler layout when large).

    Shapes get BPMN default sizes (tasks 100x80, events 36x36, gateways
    50x50, collapsed sub-processes 120x90); expanded sub-processes (those with
    inner elements) enclose them. Every lane becomes a band spanning the
    diagram, in :attr:`Process.lanes` order (top to bottom for ``"LR"``, left
    to right for ``"TB"``); lanes that steps name but the process does not
    declare follow, and elements without a lane get an unnamed band of their
    own at the end (not listed in :attr:`Layout.lanes`). Boundary events sit on
    the border of the activity they are attached to. Flows with an unknown
    end, and flows into boundary events, are left out; several flows between
    the same two elements share one route. The result is deterministic.

    Processes of more than :data:`DOT_UP_TO` elements are not given to dot,
    whose time grows much faster than the graph, but laid out by a simple
    layered layout in linear time (columns by longest path, shapes stacked
    per lane, right-angled routes through the free gaps; no crossing
    minimisation), so that writing a 20,000-step BPMN file takes seconds.

    Parameters
    ----------
    process
        The process to lay out.
    rankdir
        ``"LR"`` (flow left to right, the BPMN habit) or ``"TB"`` (top to bottom).
    engine
        ``"auto"`` (dot up to :data:`DOT_UP_TO` elements, the layered layout
        above), ``"dot"`` or ``"layered"`` to force one.

    Returns
    -------
    Layout
        Boxes, edge waypoints and lane bands in pixels, origin top-left, y downwards.

    Raises
    ------
    ValueError
        If ``rankdir`` is not ``"LR"`` or ``"TB"``, or ``engine`` is unknown.

    Examples
    --------
    >>> from processes.model import Flow, Step, StepKind
    >>> p = Process("p", "Eksempel", lanes=["Saksbehandler"])
    >>> p.add_step(Step("s", "Start", StepKind.START_EVENT, lane="Saksbehandler"))
    >>> p.add_step(Step("a", "Vurdere søknaden", lane="Saksbehandler"))
    >>> p.add_flow(Flow("s", "a"))
    >>> result = layout(p)
    >>> result.nodes["a"].width, result.nodes["a"].height
    (100.0, 80.0)
    >>> result.nodes["s"].x < result.nodes["a"].x
    True
    >>> len(result.edges[("s", "a")]) >= 2
    True
    >>> list(result.lanes)
    ['Saksbehandler']
    >>> quick = layout(p, engine="layered")
    >>> quick.nodes["s"].x < quick.nodes["a"].x, list(quick.lanes)
    (True, ['Saksbehandler'])
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
    if engine not in ("auto", "dot", "layered"):
        raise ValueError(f"engine must be 'auto', 'dot' or 'layered', not {engine!r}")
    if engine == "layered" or (engine == "auto" and len(process) > DOT_UP_TO):
        return _Layered(_LayoutBuilder(process, horizontal=True), turned=rankdir == "TB").run()
    builder = _LayoutBuilder(process, horizontal=rankdir == "LR")
    graph = builder.build()
    graph.layout(prog="dot")
    lanes = [f"cluster_lane{index}" for index in range(len(builder.groups))]
    _restack(graph, lanes, horizontal=builder.horizontal)
    return builder.collect(graph)


class _LayoutBuilder:
    """Builds the Graphviz input for :func:`layout` and reads the coordinates back."""

    def __init__(self, process: Process, *, horizontal: bool) -> None:
        self.process = process
        self.horizontal = horizontal
        elements = process.elements
        ids = {e.id for e in elements}
        # Internal node names keep arbitrary ids (quotes, spaces, DOT keywords) out of Graphviz syntax.
        self.name = {e.id: f"n{i}" for i, e in enumerate(elements)}
        # A boundary event sits on its activity. One attached to nothing drawable (an unknown id,
        # itself, or another boundary event: bad input) is drawn as an ordinary event.
        self.boundary = [
            e
            for e in process.steps
            if e.kind == StepKind.BOUNDARY_EVENT
            and e.attached_to in ids
            and not (
                isinstance(host := process[e.attached_to or ""], Step)
                and host.kind == StepKind.BOUNDARY_EVENT
            )
        ]
        self.boundary_ids = {e.id for e in self.boundary}
        flat = {e.id for e in elements if _in_cycle_of_parents(process, e.id)}
        self.children: dict[str, list[Element]] = {}
        for e in elements:
            if e.parent is not None and e.parent in ids and e.id not in flat:
                self.children.setdefault(e.parent, []).append(e)
        # An activity is drawn expanded (as a cluster) when it has inner elements to show. Inner
        # elements of a gateway or an event (bad input) are drawn at the top level.
        self.expanded = {
            pid
            for pid, inner in self.children.items()
            if isinstance(parent := process[pid], Step)
            and parent.is_activity
            and any(e.id not in self.boundary_ids for e in inner)
        }
        # Inner elements of anything not drawn expanded are drawn at the top level.
        self.top_level = [
            e for e in elements if e.parent is None or e.parent not in self.expanded or e.id in flat
        ]
        top = {e.id for e in self.top_level}
        self.lane_of = {e.id: self._drawn_lane(e, top) for e in elements}
        for b in self.boundary:
            self.lane_of[b.id] = self.lane_of[b.attached_to or ""]
        lanes = _lane_order(process)
        self.groups: list[str | None] = list(lanes)
        if lanes and any(self.lane_of[e.id] is None for e in self.top_level):
            self.groups.append(None)
        self.ports = self._boundary_ports()
        self.flows = self._flows()
        self._inner: dict[tuple[str, bool], str] = {}

    def _drawn_lane(self, element: Element, top: set[str]) -> str | None:
        """The lane an element is drawn in: inner elements follow their outermost expanded sub-process."""
        while element.id not in top and element.parent is not None:
            element = self.process[element.parent]
        return element.lane

    def _boundary_ports(self) -> dict[str, str]:
        ports: dict[str, str] = {}
        count: dict[str, int] = {}
        for b in self.boundary:
            host = b.attached_to or ""
            k = count.get(host, 0)
            count[host] = k + 1
            ports[b.id] = _BOUNDARY_PORTS[k % len(_BOUNDARY_PORTS)]
        return ports

    def _flows(self) -> list[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        pairs: list[tuple[str, str]] = []
        for flow in self.process.flows:
            pair = (flow.source, flow.target)
            if flow.source not in self.name or flow.target not in self.name or pair in seen:
                continue
            # Flows into boundary events are not valid BPMN; a flow from an expanded sub-process
            # to itself has nothing to draw.
            if flow.target in self.boundary_ids:
                continue
            if flow.source == flow.target and flow.source in self.expanded:
                continue
            seen.add(pair)
            pairs.append(pair)
        return pairs

    def clipping(self, source: str, target: str) -> dict[str, str]:
        """``ltail``/``lhead`` so that a flow from or to an expanded sub-process ends at its frame.

        Not for a flow between a sub-process and something inside it (bad input), which dot
        could not clip and would warn about.
        """
        attrs: dict[str, str] = {}
        # Judge by the nodes the flow is drawn between (inner ones for expanded sub-processes).
        tail, head = self.inner_element(source, first=False), self.inner_element(target, first=True)
        if source in self.expanded and not self.is_inside(head, source):
            attrs["ltail"] = f"cluster_{self.name[source]}"
        if target in self.expanded and not self.is_inside(tail, target):
            attrs["lhead"] = f"cluster_{self.name[target]}"
        return attrs

    def is_inside(self, element_id: str, container: str) -> bool:
        """Whether an element is drawn inside the frame of the expanded sub-process ``container``."""
        seen = set()
        if element_id in self.boundary_ids:
            element_id = self.process.step(element_id).attached_to or element_id  # drawn at its host
        current = self.process.get(element_id)
        while current is not None and current.parent in self.expanded and current.id not in seen:
            seen.add(current.id)
            if current.parent == container:
                return True
            current = self.process.get(current.parent or "")
        return False

    def inner_node(self, element_id: str, *, first: bool) -> str:
        """The Graphviz node that flows into (``first``) or out of an element attach to."""
        return self.name[self.inner_element(element_id, first=first)]

    def inner_element(self, element_id: str, *, first: bool) -> str:
        """The element drawn where flows into (``first``) or out of an element attach."""
        # Remembered: finding it scans the sub-process's members, once per flow otherwise.
        key = (element_id, first)
        found = self._inner.get(key)
        if found is None:
            found = element_id
            while found in self.expanded:
                found = _entry_or_exit(self.process, self.children[found], self.boundary_ids, first=first)
            self._inner[key] = found
        return found

    def build(self) -> Any:
        """Return the Graphviz graph to lay out with dot."""
        g = pgv.AGraph(strict=False, directed=True)
        g.graph_attr.update(
            rankdir="LR" if self.horizontal else "TB",
            splines=_splines(len(self.name)),
            compound="true",
            newrank="true",
            nodesep="0.55",
            ranksep="0.6",
            margin="0",
        )
        g.node_attr.update(fixedsize="true", label="", shape="box")
        point = {"shape": "point", "width": "0.01", "height": "0.01", "style": "invis"}
        if self.groups:
            for index, group in enumerate(self.groups):
                cluster = g.add_subgraph(name=f"cluster_lane{index}", margin="20")
                # Head and tail points stretch every lane over all ranks, so that dot stacks
                # the lane clusters (in an order of its own; _restack() fixes that).
                cluster.add_node(f"h{index}", **point)
                cluster.add_node(f"t{index}", **point)
                self._add_scope(cluster, [e for e in self.top_level if self.lane_of[e.id] == group])
            # All heads share the first rank and all tails the last, so every lane spans the diagram.
            g.add_subgraph([f"h{i}" for i in range(len(self.groups))], name="lane_heads", rank="same")
            g.add_subgraph([f"t{i}" for i in range(len(self.groups))], name="lane_tails", rank="same")
        else:
            self._add_scope(g, self.top_level)
        for index, (src, tgt) in enumerate(self.flows):
            host = self.process.step(src).attached_to if src in self.boundary_ids else None
            attrs: dict[str, str] = {}
            attrs.update(self.clipping(host or src, tgt))
            if host is not None and host not in self.expanded:
                attrs["tailport"] = self.ports[src]
            g.add_edge(
                self.inner_node(host or src, first=False),
                self.inner_node(tgt, first=True),
                key=f"f{index}",
                **attrs,
            )
        for tail, head in self.lane_anchors():
            g.add_edge(tail, head, style="invis", weight="0")
        return g

    def lane_anchors(self) -> list[tuple[str, str]]:
        """Invisible edges that stretch every lane cluster over all ranks.

        Each lane has a head point ``h<i>`` and a tail point ``t<i>``; all heads share one
        rank and all tails another (``rank=same``). Edges from the head to the lane's
        elements without incoming flows, and from those without outgoing flows to the tail,
        put the heads before and the tails after everything, so that dot stacks the lanes
        as bands. Only sources and sinks get an edge: one per element made dot 50x slower.
        """
        targets, sources = set(), set()
        for src, tgt in self.flows:
            host = self.process.step(src).attached_to if src in self.boundary_ids else None
            sources.add(self.inner_node(host or src, first=False))
            targets.add(self.inner_node(tgt, first=True))
        anchors: list[tuple[str, str]] = []
        for index, group in enumerate(self.groups):
            members = [
                e for e in self.top_level if self.lane_of[e.id] == group and e.id not in self.boundary_ids
            ]
            for element in members:
                first, last = (
                    self.inner_node(element.id, first=True),
                    self.inner_node(element.id, first=False),
                )
                if first not in targets:
                    anchors.append((f"h{index}", first))
                if last not in sources:
                    anchors.append((last, f"t{index}"))
            if not members:
                anchors.append((f"h{index}", f"t{index}"))
        return anchors

    def _add_scope(self, graph: Any, members: list[Element]) -> None:
        for element in members:
            if element.id in self.boundary_ids:
                continue
            if element.id in self.expanded:
                sub = graph.add_subgraph(name=f"cluster_{self.name[element.id]}", margin="18")
                self._add_scope(sub, self.children[element.id])
                continue
            w, h = _shape_size(element, expanded=False)
            shape = "diamond" if isinstance(element, Gateway) else "circle" if element.is_event else "box"
            graph.add_node(
                self.name[element.id], width=f"{w / _PT:.4f}", height=f"{h / _PT:.4f}", shape=shape
            )

    def collect(self, g: Any) -> Layout:
        """Read coordinates back (points, y upwards) as BPMN DI coordinates (y downwards)."""
        llx, lly, urx, ury = _parse_bb(g.graph_attr["bb"])
        ox = _MARGIN + (_LANE_HEADER if self.groups and self.horizontal else 0.0)
        oy = _MARGIN + (_LANE_HEADER if self.groups and not self.horizontal else 0.0)

        def conv(x: float, y: float) -> tuple[float, float]:
            return (round(x - llx + ox, 2), round(ury - y + oy, 2))

        def conv_bb(text: str) -> Box:
            x1, y1, x2, y2 = _parse_bb(text)
            left, top = conv(x1, y2)
            return Box(left, top, round(x2 - x1, 2), round(y2 - y1, 2))

        subgraphs = _subgraphs_by_name(g)
        nodes: dict[str, Box] = {}
        for element in self.process.elements:
            if element.id in self.expanded:
                nodes[element.id] = conv_bb(subgraphs[f"cluster_{self.name[element.id]}"].graph_attr["bb"])
            elif element.id not in self.boundary_ids:
                x, y = (float(v) for v in g.get_node(self.name[element.id]).attr["pos"].split(","))
                w, h = _shape_size(element, expanded=False)
                cx, cy = conv(x, y)
                nodes[element.id] = Box(round(cx - w / 2, 2), round(cy - h / 2, 2), w, h)

        by_key = {key: (u, v) for u, v, key in g.edges(keys=True)}
        paths: dict[tuple[str, str], list[tuple[float, float]]] = {}
        unrouted: list[tuple[str, str]] = []
        for index, pair in enumerate(self.flows):
            u, v = by_key[f"f{index}"]
            pos = g.get_edge(u, v, key=f"f{index}").attr.get("pos")
            if not pos:
                unrouted.append(pair)  # a flow between lanes that _restack() moved apart
                continue
            points, start, end = _parse_points(pos)
            path = [start] if start is not None else []
            path += _polyline(points)
            if end is not None:
                path.append(end)
            paths[pair] = [conv(x, y) for x, y in path]

        self._place_boundary_events(nodes, paths)
        width = round(urx - llx + ox + _MARGIN, 2)
        height = round(ury - lly + oy + _MARGIN, 2)
        spans = self._spans(subgraphs, conv_bb, width, height)
        # dot's straight stretches now and then cut the corner of a shape they pass; those
        # flows, like the ones between lanes that _restack() moved apart, get a route of
        # their own along the free gaps between ranks and the borders between lanes.
        shapes = _BoxIndex({eid: box for eid, box in nodes.items() if eid not in self.boundary_ids})
        unrouted += [
            pair for pair in self.flows if pair in paths and self._cuts_a_shape(pair, paths[pair], nodes, shapes)
        ]
        if unrouted:
            # Ranks from the shapes themselves: a sub-process frame spans several ranks, and
            # its inner gaps are as free of shapes as any other.
            boxes = [
                box for eid, box in nodes.items() if eid not in self.boundary_ids and eid not in self.expanded
            ]
            columns = _columns(boxes, horizontal=self.horizontal)
            across = [(b.y, b.y + b.height) if self.horizontal else (b.x, b.x + b.width) for b in boxes]
            outside = (min(a for a, _ in across) - 15, max(b for _, b in across) + 15)
            for src, tgt in unrouted:
                low, high = spans[self.groups.index(self.lane_of[src])] if spans else outside
                s_mid, t_mid = (
                    (nodes[src].center[1], nodes[tgt].center[1])
                    if self.horizontal
                    else (nodes[src].center[0], nodes[tgt].center[0])
                )
                if self.lane_of[src] != self.lane_of[tgt] or not spans:
                    channel = high if t_mid > s_mid else low
                else:  # within one lane: along whichever of its borders is nearer
                    channel = low if s_mid - low < high - s_mid else high
                drop = None
                if src in self.boundary_ids:
                    host = nodes[self.process.step(src).attached_to or ""]
                    # Just under the event, which hangs half its size below the activity.
                    drop = (host.y + host.height if self.horizontal else host.x + host.width) + 24
                paths[(src, tgt)] = _route_across(
                    nodes[src], nodes[tgt], columns, channel, horizontal=self.horizontal, drop=drop
                )
        edges = {pair: _dedupe(paths[pair]) for pair in self.flows}
        return Layout(
            nodes=nodes, edges=edges, lanes=self._band_boxes(spans, width, height), width=width, height=height
        )

    def _cuts_a_shape(
        self,
        pair: tuple[str, str],
        path: list[tuple[float, float]],
        nodes: Mapping[str, Box],
        shapes: _BoxIndex,
    ) -> bool:
        """Whether a route runs through a shape other than its ends (and what encloses them).

        ``shapes`` holds every shape but the boundary events; only those near a segment are tested.
        """
        src, tgt = pair
        ends = {src, tgt, self.process.step(src).attached_to if src in self.boundary_ids else src}
        if any(self.process[e].parent in self.expanded for e in (src, tgt)):
            return False  # inside a sub-process: no lane border to route along; keep dot's route
        for a, b in itertools.pairwise(path):
            for other in shapes.near(a, b):
                if other in ends:
                    continue
                box = nodes[other]
                if _encloses(box, nodes[src]) or _encloses(box, nodes[tgt]):
                    continue
                if _segment_cuts(box, a, b):
                    return True
        return False

    def _place_boundary_events(
        self, nodes: dict[str, Box], paths: dict[tuple[str, str], list[tuple[float, float]]]
    ) -> None:
        """Put boundary events on their activity's border, where their flows leave it."""
        radius = EVENT_SIZE[0] / 2
        # Three events on a 100-pixel task sit 40 pixels apart: 36-pixel circles do not touch.
        fractions = {"s": 0.5, "se": 0.9, "sw": 0.1, "n": 0.5, "ne": 0.9, "nw": 0.1}
        count: dict[str, int] = {}
        leaving: dict[str, list[list[tuple[float, float]]]] = {}
        for (src, _tgt), path in paths.items():
            if src in self.boundary_ids:
                leaving.setdefault(src, []).append(path)
        for b in self.boundary:
            host_id = b.attached_to or ""
            host = nodes[host_id]
            k = count.get(host_id, 0)
            count[host_id] = k + 1
            port = self.ports[b.id]
            if host_id in self.expanded:
                cx = host.x + host.width * (k + 1) / (k + 2)
                cy = host.y + host.height
            else:
                cx = host.x + host.width * fractions[port]
                cy = host.y + (0.0 if port.startswith("n") else host.height)
            nodes[b.id] = Box(round(cx - radius, 2), round(cy - radius, 2), EVENT_SIZE[0], EVENT_SIZE[1])
            for path in leaving.get(b.id, ()):
                if len(path) >= 2:
                    x, y = _circle_border((cx, cy), radius, path[1])
                    path[0] = (round(x, 2), round(y, 2))

    def _spans(
        self, subgraphs: dict[str, Any], conv_bb: Any, width: float, height: float
    ) -> list[tuple[float, float]]:
        """Each lane's band (from, to) across the flow: y for LR, x for TB; the bands touch."""
        if not self.groups:
            return []
        starts = []
        for index in range(len(self.groups)):
            box = conv_bb(subgraphs[f"cluster_lane{index}"].graph_attr["bb"])
            starts.append((box.y, box.y + box.height) if self.horizontal else (box.x, box.x + box.width))
        placed = sorted(range(len(self.groups)), key=lambda k: starts[k])
        # Make the bands touch: each boundary lies halfway between neighbouring clusters.
        full = (height if self.horizontal else width) - _MARGIN
        spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(self.groups)
        low = _MARGIN
        for rank, k in enumerate(placed):
            high = (
                full
                if rank == len(placed) - 1
                else round((starts[k][1] + starts[placed[rank + 1]][0]) / 2, 2)
            )
            spans[k] = (round(low, 2), high)
            low = high
        return spans

    def _band_boxes(self, spans: list[tuple[float, float]], width: float, height: float) -> dict[str, Box]:
        lanes: dict[str, Box] = {}
        for group, (low, high) in zip(self.groups, spans):
            if group is None:
                continue
            if self.horizontal:
                lanes[group] = Box(_MARGIN, low, round(width - 2 * _MARGIN, 2), round(high - low, 2))
            else:
                lanes[group] = Box(low, _MARGIN, round(high - low, 2), round(height - 2 * _MARGIN, 2))
        return lanes


#: Above this many elements (steps and gateways) :func:`layout` does not run Graphviz but the
#: simpler layered layout of :class:`_Layered`, which takes time in proportion to the process:
#: dot's crossing minimisation grows much faster than the graph (2,000 elements 2 s, 5,000 25 s,
#: 20,000 not finished after 5 minutes), and a diagram this large is read by zooming in anyway.
DOT_UP_TO = 1000


class _Layered:
    """A deterministic layered layout without Graphviz, in time linear in the process.

    Each scope (the top level, every expanded sub-process) is laid out on its own, inner scopes
    first so that a sub-process's frame has its size when its own scope is placed. In a scope,
    a depth-first search from the elements without incoming flows drops the flows that close a
    cycle; each element's column is then the length of the longest path of flows reaching it.
    The elements of a column are stacked in process order, at the top level within their lane
    band; each column's stack is centred, so a plain sequence lies on one line. There is no
    crossing minimisation (that is what makes dot slow).

    Routes run only where no shape can be: a flow to the next column turns in the free gap
    between the two columns; any other flow (backwards, over several columns) leaves through the
    gap after its source, runs along a channel just inside the border of its lane (inside a
    sub-process: along the frame's bottom) and enters through the gap before its target. Flows
    between scopes (into a sub-process from outside it) are drawn straight. Boundary events sit
    on their activity's border, as with dot. Everything is laid out left to right; ``"TB"`` is
    the same layout turned (shape sizes are turned first, so tasks stay 100x80).
    """

    GAP_X = 50.0  # between columns: the gap carries vertical route segments
    GAP_Y = 40.0  # between stacked shapes: a boundary event's flow runs in it
    PAD = 30.0  # inside a sub-process frame, above and beside its content
    PAD_BOTTOM = 40.0  # below a sub-process's content: its channel
    LANE_PAD = 40.0  # inside a lane band, above and below its shapes: its channels
    CHANNEL = 10.0  # a channel's distance from the border it follows
    DROP = 24.0  # how far below (above) its activity a boundary event's flow turns

    def __init__(self, builder: _LayoutBuilder, *, turned: bool) -> None:
        self.b = builder
        self.turned = turned
        boundary = builder.boundary_ids
        self.members: dict[str | None, list[Element]] = {
            None: [e for e in builder.top_level if e.id not in boundary]
        }
        for pid in builder.expanded:
            self.members[pid] = [e for e in builder.children[pid] if e.id not in boundary]
        self.scope: dict[str, str | None] = {}
        for scope, members in self.members.items():
            for e in members:
                self.scope[e.id] = scope
        self.rank: dict[str, int] = {}
        self.size: dict[str, tuple[float, float]] = {}  # width, height (along, across the flow)
        self.offset: dict[str, tuple[float, float]] = {}  # top-left, relative to the scope's origin
        # Per scope: each column's left edge (relative to the scope) and width.
        self.columns: dict[str | None, list[tuple[float, float]]] = {}
        self.bands: list[tuple[float, float]] = []  # top-level groups: (top, bottom), relative
        self.content_height: dict[str | None, float] = {}

    def _shape(self, element: Element) -> tuple[float, float]:
        w, h = _shape_size(element, expanded=False)
        return (h, w) if self.turned else (w, h)

    def _chain(self, element_id: str) -> list[tuple[str, str | None]]:
        """``(element, scope it is a member of)`` from the element out to the top level."""
        out: list[tuple[str, str | None]] = []
        current: str | None = element_id
        while current is not None and current in self.scope and len(out) <= len(self.scope):
            scope = self.scope[current]
            out.append((current, scope))
            current = scope
        return out

    def _lifted(self, source: str, target: str) -> tuple[str | None, str, str] | None:
        """The scope both ends share and the members of it that hold them; None for no edge."""
        inner = {scope: member for member, scope in self._chain(target)}
        for member, scope in self._chain(source):
            if scope in inner:
                other = inner[scope]
                return (scope, member, other) if member != other else None
        return None

    def _source(self, element_id: str) -> str:
        if element_id in self.b.boundary_ids:
            return self.b.process.step(element_id).attached_to or element_id
        return element_id

    def _rank(self, members: list[Element], edges: list[tuple[str, str]]) -> None:
        index = {e.id: i for i, e in enumerate(members)}
        succ: list[list[int]] = [[] for _ in members]
        has_in = [False] * len(members)
        for a, b in dict.fromkeys(edges):
            succ[index[a]].append(index[b])
            has_in[index[b]] = True
        state = [0] * len(members)  # 0 unseen, 1 on the search path, 2 done
        forward: list[list[int]] = [[] for _ in members]
        roots = [i for i in range(len(members)) if not has_in[i]] + list(range(len(members)))
        for root in roots:
            if state[root]:
                continue
            state[root] = 1
            stack = [(root, 0)]
            while stack:
                node, i = stack[-1]
                if i == len(succ[node]):
                    state[node] = 2
                    stack.pop()
                    continue
                stack[-1] = (node, i + 1)
                nxt = succ[node][i]
                if state[nxt] == 1:
                    continue  # closes a cycle: not used for columns
                forward[node].append(nxt)
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
        indegree = [0] * len(members)
        for targets in forward:
            for j in targets:
                indegree[j] += 1
        rank = [0] * len(members)
        ready = [i for i in range(len(members)) if indegree[i] == 0]
        while ready:
            i = ready.pop()
            for j in forward[i]:
                rank[j] = max(rank[j], rank[i] + 1)
                indegree[j] -= 1
                if indegree[j] == 0:
                    ready.append(j)
        for e, r in zip(members, rank):
            self.rank[e.id] = r

    def _place(self, scope: str | None, groups: Sequence[str | None], pad: tuple[float, float]) -> float:
        """Columns and stacks of one scope (offsets relative to it); returns the content width."""
        members = self.members[scope]
        count = max((self.rank[e.id] for e in members), default=-1) + 1
        widths = [0.0] * count
        for e in members:
            widths[self.rank[e.id]] = max(widths[self.rank[e.id]], self.size[e.id][0])
        lefts, x = [], 0.0
        for w in widths:
            lefts.append(x)
            x += w + self.GAP_X
        self.columns[scope] = list(zip(lefts, widths))
        group_index = {g: k for k, g in enumerate(groups)}
        stacks: dict[tuple[int, int], list[Element]] = {}
        for e in members:
            k = group_index[self.b.lane_of[e.id]] if scope is None else 0
            stacks.setdefault((k, self.rank[e.id]), []).append(e)
        heights = [0.0] * len(groups)
        for (k, _r), stack in stacks.items():
            used = sum(self.size[e.id][1] for e in stack) + self.GAP_Y * (len(stack) - 1)
            heights[k] = max(heights[k], used)
        top_pad, bottom_pad = pad
        tops, y = [], 0.0
        for k in range(len(groups)):
            heights[k] = max(heights[k], 40.0)  # an empty lane still gets a band
            tops.append(y + top_pad)
            if scope is None:
                self.bands.append((y, y + top_pad + heights[k] + bottom_pad))
            y += top_pad + heights[k] + bottom_pad
        self.content_height[scope] = y
        for (k, r), stack in stacks.items():
            used = sum(self.size[e.id][1] for e in stack) + self.GAP_Y * (len(stack) - 1)
            sy = tops[k] + (heights[k] - used) / 2
            left, width = self.columns[scope][r]
            for e in stack:
                w, h = self.size[e.id]
                self.offset[e.id] = (left + (width - w) / 2, sy)
                sy += h + self.GAP_Y
        return max(x - self.GAP_X, 0.0)

    def run(self) -> Layout:
        b = self.b
        process = b.process
        edges: dict[str | None, list[tuple[str, str]]] = {scope: [] for scope in self.members}
        for src, tgt in b.flows:
            lifted = self._lifted(self._source(src), tgt)
            if lifted is not None:
                edges[lifted[0]].append((lifted[1], lifted[2]))
        for scope, members in self.members.items():
            self._rank(members, edges[scope])
        for e in process.elements:
            if e.id in self.scope and e.id not in b.expanded:
                self.size[e.id] = self._shape(e)
        # Inner scopes first: a frame's size is its content's.
        depth = {pid: len(self._chain(pid)) for pid in b.expanded}
        for pid in sorted(b.expanded, key=lambda p: -depth[p]):
            width = self._place(pid, [None], (self.PAD, self.PAD_BOTTOM))
            self.size[pid] = (width + 2 * self.PAD, self.content_height[pid])
        groups: list[str | None] = b.groups if b.groups else [None]
        top_width = self._place(None, groups, (self.LANE_PAD, self.LANE_PAD))
        ox = _MARGIN + (_LANE_HEADER if b.groups else 0.0)
        oy = _MARGIN
        origin: dict[str | None, tuple[float, float]] = {None: (ox, oy)}
        nodes: dict[str, Box] = {}
        # Outer scopes first: a scope's origin is its frame's corner.
        order = [None, *sorted(b.expanded, key=lambda p: depth[p])]
        for scope in order:
            if scope is not None:
                frame = nodes[scope]
                origin[scope] = (frame.x + self.PAD, frame.y)
            sx, sy = origin[scope]
            for e in self.members[scope]:
                dx, dy = self.offset[e.id]
                w, h = self.size[e.id]
                nodes[e.id] = Box(round(sx + dx, 2), round(sy + dy, 2), w, h)
        width = round(ox + top_width + _MARGIN, 2)
        height = round(oy + self.content_height[None] + _MARGIN, 2)
        b._place_boundary_events(nodes, {})
        paths = {pair: self._route(pair, nodes, origin) for pair in b.flows}
        lanes = {
            group: Box(_MARGIN, round(oy + top, 2), round(width - 2 * _MARGIN, 2), round(bottom - top, 2))
            for group, (top, bottom) in zip(groups, self.bands)
            if group is not None and b.groups
        }
        if self.turned:
            nodes = {k: _transposed(v) for k, v in nodes.items()}
            paths = {k: [(y, x) for x, y in v] for k, v in paths.items()}
            lanes = {k: _transposed(v) for k, v in lanes.items()}
            width, height = height, width
        return Layout(
            nodes=nodes,
            edges={pair: _dedupe([(round(x, 2), round(y, 2)) for x, y in path]) for pair, path in paths.items()},
            lanes=lanes,
            width=width,
            height=height,
        )

    def _channel(
        self,
        scope: str | None,
        src: str,
        tgt: str,
        origin: Mapping[str | None, tuple[float, float]],
        nodes: Mapping[str, Box],
    ) -> float:
        """Where a long flow runs: inside its source lane's border (towards the target's lane)."""
        oy = origin[scope][1]
        if scope is not None:
            return oy + self.content_height[scope] - self.CHANNEL
        groups: list[str | None] = self.b.groups if self.b.groups else [None]
        k_src = groups.index(self.b.lane_of[src]) if self.b.groups else 0
        k_tgt = groups.index(self.b.lane_of[tgt]) if self.b.groups else 0
        top, bottom = (oy + v for v in self.bands[k_src])
        if k_tgt > k_src:
            return bottom - self.CHANNEL
        if k_tgt < k_src:
            return top + self.CHANNEL
        middle = nodes[src].center[1]
        return top + self.CHANNEL if middle - top < bottom - middle else bottom - self.CHANNEL

    def _route(
        self, pair: tuple[str, str], nodes: Mapping[str, Box], origin: Mapping[str | None, tuple[float, float]]
    ) -> list[tuple[float, float]]:
        src, tgt = pair
        host = self._source(src)
        s, t = nodes[src], nodes[tgt]
        scope = self.scope.get(host)
        if scope != self.scope.get(tgt) or host not in self.scope or tgt not in self.scope:
            # Across a sub-process's frame: straight, from border to border.
            return [(s.x + s.width, s.center[1]), (t.x, t.center[1])]
        ox = origin[scope][0]
        columns = self.columns[scope]
        rs, rt = self.rank[host], self.rank[tgt]
        after = ox + columns[rs][0] + columns[rs][1] + self.GAP_X / 2
        before = ox + columns[rt][0] - self.GAP_X / 2
        ty = t.center[1]
        end = (t.x, ty)
        if host != src:  # a boundary event: out through its free side, then to the gap
            h = nodes[host]
            if s.center[1] >= h.center[1]:
                turn = h.y + h.height + self.DROP
                route = [(s.center[0], s.y + s.height), (s.center[0], turn), (after, turn)]
            else:
                turn = h.y - self.DROP
                route = [(s.center[0], s.y), (s.center[0], turn), (after, turn)]
        else:
            sy = s.center[1]
            route = [(s.x + s.width, sy)]
            if rt == rs + 1 and sy == ty:
                return [*route, end]
            route.append((after, sy))
        if rt == rs + 1:
            return [*route, (after, ty), end]
        channel = self._channel(scope, host, tgt, origin, nodes)
        return [*route, (after, channel), (before, channel), (before, ty), end]


def _restack(graph: Any, blocks: Sequence[str], *, horizontal: bool, gap: float = 8.0) -> bool:
    """Move laid-out clusters so that they stack in the order of ``blocks``.

    dot keeps every cluster together but chooses the order of clusters itself,
    and no input ordering reliably overrides that. So after dot has run, each
    block (a cluster spanning the diagram) is moved whole, top to bottom for
    LR (left to right for TB). Shapes, labels and flows inside a block move
    with it; flows between blocks lose their route (``pos``): the caller
    routes them again (:func:`_route_across`). Invisible helper edges are removed.

    Returns True when something moved, False when dot's order was already right.
    """
    subgraphs = _subgraphs_by_name(graph)
    axis = 1 if horizontal else 0
    spans = []
    for name in blocks:
        bb = _parse_bb(subgraphs[name].graph_attr["bb"])
        spans.append((bb[axis], bb[axis + 2]))
    # Graphviz y grows upwards, so "top to bottom" is descending y; x ascends left to right.
    placed = sorted(range(len(blocks)), key=lambda k: -spans[k][1] if horizontal else spans[k][0])
    if placed == list(range(len(blocks))):
        return False
    shift: list[float] = []
    if horizontal:
        edge = max(high for _low, high in spans)
        for low, high in spans:
            shift.append(edge - high)
            edge -= high - low + gap
    else:
        edge = min(low for low, _high in spans)
        for low, high in spans:
            shift.append(edge - low)
            edge += high - low + gap
    member: dict[str, int] = {}
    for k, name in enumerate(blocks):
        for node in subgraphs[name].nodes():
            member[str(node)] = k

    def moved(value: str, k: int) -> str:
        return _shift_points(value, shift[k], horizontal=horizontal)

    for node in graph.nodes():
        block = member.get(str(node))
        if block is not None and shift[block]:
            for key in ("pos", "xlp"):
                if node.attr.get(key):
                    node.attr[key] = moved(node.attr[key], block)
    for sub in subgraphs.values():
        inside = {member.get(str(node), -1) for node in sub.nodes()}
        if len(inside) == 1 and -1 not in inside:
            (k,) = inside
            x1, y1, x2, y2 = _parse_bb(sub.graph_attr["bb"])
            d = shift[k]
            sub.graph_attr["bb"] = (
                f"{x1},{y1 + d},{x2},{y2 + d}" if horizontal else f"{x1 + d},{y1},{x2 + d},{y2}"
            )
            if sub.graph_attr.get("lp"):
                sub.graph_attr["lp"] = moved(sub.graph_attr["lp"], k)
    for key in list(graph.edges(keys=True)):
        edge = graph.get_edge(*key)
        if "invis" in (edge.attr.get("style") or ""):
            graph.delete_edge(*key)
            continue
        k_from, k_to = member.get(str(key[0])), member.get(str(key[1]))
        if k_from is not None and k_from == k_to:
            for attr in ("pos", "lp", "xlp", "head_lp", "tail_lp"):
                if edge.attr.get(attr):
                    edge.attr[attr] = moved(edge.attr[attr], k_from)
        else:
            for attr in ("pos", "lp", "xlp", "head_lp", "tail_lp"):
                if edge.attr.get(attr):
                    edge.attr[attr] = ""
    # The blocks only traded places, so the old bounding box still holds them all.
    x1, y1, x2, y2 = _parse_bb(graph.graph_attr["bb"])
    for name in blocks:
        b = _parse_bb(subgraphs[name].graph_attr["bb"])
        x1, y1, x2, y2 = min(x1, b[0]), min(y1, b[1]), max(x2, b[2]), max(y2, b[3])
    graph.graph_attr["bb"] = f"{x1},{y1},{x2},{y2}"
    return True


class _BoxIndex:
    """Boxes bucketed in a grid of square cells, to find the few near a segment without scanning all.

    Checking every route against every shape made laying out a 2,000-step process take 50 s.
    """

    def __init__(self, boxes: Mapping[str, Box], cell: float = 200.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[str]] = {}
        for key, box in boxes.items():
            for cx in self._span(box.x, box.x + box.width):
                for cy in self._span(box.y, box.y + box.height):
                    self.cells.setdefault((cx, cy), []).append(key)

    def _span(self, low: float, high: float) -> range:
        if not (math.isfinite(low) and math.isfinite(high)):
            return range(0)
        return range(math.floor(low / self.cell), math.floor(high / self.cell) + 1)

    def near(self, a: tuple[float, float], b: tuple[float, float]) -> list[str]:
        """Keys of the boxes that share a cell with the bounding box of segment a-b (each once)."""
        found: dict[str, None] = {}
        for cx in self._span(min(a[0], b[0]), max(a[0], b[0])):
            for cy in self._span(min(a[1], b[1]), max(a[1], b[1])):
                for key in self.cells.get((cx, cy), ()):
                    found[key] = None
        return list(found)


def _encloses(outer: Box, inner: Box) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )


def _clip_hits(x0: float, y0: float, x1: float, y1: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether segment a-b enters the rectangle from (x0, y0) to (x1, y1) (Liang-Barsky clipping)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _segment_cuts(box: Box, a: tuple[float, float], b: tuple[float, float], margin: float = 4.0) -> bool:
    """Whether segment a-b enters ``box`` shrunk by ``margin``."""
    x0, y0 = box.x + margin, box.y + margin
    x1, y1 = box.x + box.width - margin, box.y + box.height - margin
    if x0 >= x1 or y0 >= y1:
        return False
    return _clip_hits(x0, y0, x1, y1, a, b)


def _columns(boxes: Sequence[Box], *, horizontal: bool) -> list[tuple[float, float]]:
    """The ranks of a layout as intervals along the flow (x for LR, y for TB), left to right.

    Overlapping extents are merged, so the space between two intervals holds no shape.
    """
    extents = sorted((b.x, b.x + b.width) if horizontal else (b.y, b.y + b.height) for b in boxes)
    merged: list[tuple[float, float]] = []
    for low, high in extents:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _route_across(
    source: Box,
    target: Box,
    columns: Sequence[tuple[float, float]],
    channel: float,
    *,
    horizontal: bool,
    drop: float | None = None,
) -> list[tuple[float, float]]:
    """A right-angled route between lanes that runs only where no shape can be.

    For LR: out of the source's right side, along the free gap after its rank to
    ``channel`` (the border between its lane and the next one towards the
    target), along that border to the gap before the target's rank, and into
    the target's left side. Gaps between ranks and borders between lanes hold
    no shapes, so the route crosses none. A boundary event (``drop`` given)
    leaves through its bottom instead, down to ``drop`` below its activity,
    so that it passes no other event on the same border. TB is the same, turned.
    """
    if not horizontal:
        turned = _route_across(
            _transposed(source), _transposed(target), columns, channel, horizontal=True, drop=drop
        )
        return [(y, x) for x, y in turned]
    (sx, sy), (_, ty) = source.center, target.center
    left = target.x
    if drop is None:
        right = source.x + source.width
        after = _gap(columns, right, after=True)
        route = [(right, sy), (after, sy)]
    else:
        after = _gap(columns, sx, after=True)
        route = [(sx, source.y + source.height), (sx, drop), (after, drop)]
    before = _gap(columns, left, after=False)
    if after == before:
        route += [(after, ty), (left, ty)]
    else:
        route += [(after, channel), (before, channel), (before, ty), (left, ty)]
    return [(round(x, 2), round(y, 2)) for x, y in route]


def _gap(columns: Sequence[tuple[float, float]], edge: float, *, after: bool) -> float:
    """Middle of the free space after (or before) the rank whose extent reaches ``edge``.

    ``columns`` are sorted and disjoint (see :func:`_columns`), so the rank is found by bisection.
    """
    index = bisect.bisect_left(columns, (edge + 0.5, math.inf)) - 1
    # Ranks less than a point apart can both reach ``edge``: the first one counts.
    while index > 0 and columns[index - 1][1] + 0.5 >= edge:
        index -= 1
    if index >= 0:
        low, high = columns[index]
        if low - 0.5 <= edge <= high + 0.5:
            if after:
                return (high + columns[index + 1][0]) / 2 if index + 1 < len(columns) else high + 20
            return (columns[index - 1][1] + low) / 2 if index > 0 else low - 20
    return edge + (20 if after else -20)


def _transposed(box: Box) -> Box:
    return Box(box.y, box.x, box.height, box.width)


def _shift_points(value: str, delta: float, *, horizontal: bool) -> str:
    """Shift every point of a Graphviz ``pos``/``lp`` value along one axis."""
    out = []
    for token in value.split():
        prefix = token[:2] if token[:2] in ("e,", "s,") else ""
        parts = token[len(prefix) :].split(",")
        x, y = float(parts[0]), float(parts[1])
        if horizontal:
            y += delta
        else:
            x += delta
        out.append(f"{prefix}{x:.3f},{y:.3f}")
    return " ".join(out)


def _dedupe(path: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    cleaned: list[tuple[float, float]] = []
    for point in path:
        if not cleaned or cleaned[-1] != point:
            cleaned.append(point)
    return tuple(cleaned)


def _subgraphs_by_name(graph: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    stack = list(graph.subgraphs())
    while stack:
        sub = stack.pop()
        found[sub.name] = sub
        stack.extend(sub.subgraphs())
    return found


def _parse_bb(text: str) -> tuple[float, float, float, float]:
    llx, lly, urx, ury = (float(v) for v in text.split(","))
    return llx, lly, urx, ury


def _entry_or_exit(process: Process, members: list[Element], skip: set[str], *, first: bool) -> str:
    """The inner element a flow into (``first``) or out of a sub-process should attach to."""
    candidates = [e for e in members if e.id not in skip]
    ordered = candidates if first else list(reversed(candidates))
    wanted = StepKind.START_EVENT if first else StepKind.END_EVENT
    for element in ordered:
        if isinstance(element, Step) and element.kind == wanted:
            return element.id
    graph = process.graph
    inside = {e.id for e in candidates}
    for element in ordered:
        neighbours = graph.predecessors(element.id) if first else graph.successors(element.id)
        if not any(n in inside for n in neighbours):
            return element.id
    return ordered[0].id


def _in_cycle_of_parents(process: Process, element_id: str) -> bool:
    """True when following ``parent`` from this element loops (bad input; drawn flat)."""
    seen: set[str] = set()
    current: str | None = element_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        element = process.get(current)
        current = element.parent if element is not None else None
    return False


# -- rendering ------------------------------------------------------------------

_PENSTYLES = frozenset({"solid", "dashed", "dotted", "bold"})
# Graphviz node shapes a style may ask for (a subset that reads well in a process diagram).
_SHAPES = frozenset(
    {
        "box",
        "rect",
        "rectangle",
        "square",
        "circle",
        "doublecircle",
        "ellipse",
        "oval",
        "diamond",
        "hexagon",
        "octagon",
        "note",
        "tab",
        "folder",
        "component",
        "cylinder",
        "plain",
        "plaintext",
        "none",
        "point",
        "egg",
        "triangle",
        "parallelogram",
        "trapezium",
        "house",
        "invhouse",
    }
)
_COLOR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?|#[0-9a-fA-F]{3}|[a-zA-Z][a-zA-Z0-9]{0,30}")

FONT = "DejaVu Sans,Verdana,Arial,sans-serif"
"""Fonts for every label, first available wins (a CSS-style list, also in SVG output).

DejaVu Sans has æøå and every mode and gateway symbol used here; on Debian/Ubuntu it
comes from the ``fonts-dejavu-core`` package.
"""


@dataclass(frozen=True)
class Style:
    """How to draw one step or flow, on top of the default look.

    Parameters
    ----------
    fill
        Fill colour (``"#e8f5e9"`` or a Graphviz colour name); steps only.
    color
        Line colour.
    penstyle
        ``"solid"``, ``"dashed"``, ``"dotted"`` or ``"bold"``.
    fontcolor
        Text colour.
    peripheries
        Number of outlines (2 draws a double border); steps only, 0-5.
    shape
        A Graphviz node shape replacing the kind's shape; steps only.
    badge
        Short text or symbol appended to the label, e.g. ``"＋"`` or ``"(ny)"``.
    tooltip
        Hover text in SVG, replacing the default details.

    Raises
    ------
    ValueError
        For a pen style, colour, shape or number of peripheries Graphviz would not understand.

    Examples
    --------
    >>> Style(fill="#ffebee", penstyle="dashed", badge="(mangler)").penstyle
    'dashed'
    >>> Style(penstyle="wavy")
    Traceback (most recent call last):
    ...
    ValueError: penstyle must be one of bold, dashed, dotted, solid, not 'wavy'
    """

    fill: str | None = None
    color: str | None = None
    penstyle: str | None = None
    fontcolor: str | None = None
    peripheries: int | None = None
    shape: str | None = None
    badge: str | None = None
    tooltip: str | None = None

    def __post_init__(self) -> None:
        if self.penstyle is not None and self.penstyle not in _PENSTYLES:
            raise ValueError(
                f"penstyle must be one of {', '.join(sorted(_PENSTYLES))}, not {self.penstyle!r}"
            )
        for attribute in ("fill", "color", "fontcolor"):
            value = getattr(self, attribute)
            if value is not None and not (isinstance(value, str) and _COLOR.fullmatch(value)):
                raise ValueError(f"{attribute} must be '#rrggbb' or a colour name, not {value!r}")
        if self.shape is not None and self.shape not in _SHAPES:
            raise ValueError(f"shape must be one of {', '.join(sorted(_SHAPES))}, not {self.shape!r}")
        if self.peripheries is not None and not (
            isinstance(self.peripheries, int) and 0 <= self.peripheries <= 5
        ):
            raise ValueError(f"peripheries must be a whole number from 0 to 5, not {self.peripheries!r}")


_MODE_CUES: dict[Mode, tuple[str, str, str]] = {
    # Symbols DejaVu Sans has (no colour emoji: PDF/PNG fonts rarely carry them).
    Mode.MANUAL: ("✍", "manuell", "manual"),
    Mode.PAPER: ("✉", "papir", "paper"),
    Mode.DIGITAL: ("⌨", "digital", "digital"),
    Mode.AUTOMATED: ("⚙", "automatisert", "automated"),
    Mode.SELF_SERVICE: ("☺", "selvbetjening", "self-service"),
}
_GATEWAY_MARKS: dict[GatewayKind, str] = {
    GatewayKind.EXCLUSIVE: "×",
    GatewayKind.PARALLEL: "+",
    GatewayKind.INCLUSIVE: "○",
    GatewayKind.EVENT_BASED: "⬠",
    GatewayKind.COMPLEX: "✱",
}
_SUBPROCESS_MARK = "⊞"
_KIND_NAMES: dict[str, tuple[str, str]] = {
    # The words a saksbehandler uses, not BPMN's («brukeroppgave», «tjenesteoppgave»).
    StepKind.TASK: ("oppgave", "task"),
    StepKind.USER_TASK: ("oppgave for saksbehandler", "task for a case officer"),
    StepKind.SERVICE_TASK: ("automatisk (systemet gjør det)", "automatic (done by a system)"),
    StepKind.MANUAL_TASK: ("manuell oppgave", "manual task"),
    StepKind.SEND_TASK: ("sende melding", "send a message"),
    StepKind.RECEIVE_TASK: ("vente på melding", "wait for a message"),
    StepKind.SCRIPT_TASK: ("automatisk (skript)", "automatic (script)"),
    StepKind.BUSINESS_RULE_TASK: ("regelstyrt vurdering", "rule-based decision"),
    StepKind.SUBPROCESS: ("delprosess", "sub-process"),
    StepKind.CALL_ACTIVITY: ("egen prosess som brukes her", "another process used here"),
    StepKind.START_EVENT: ("start", "start"),
    StepKind.END_EVENT: ("slutt", "end"),
    StepKind.INTERMEDIATE_EVENT: ("hendelse underveis", "event on the way"),
    StepKind.BOUNDARY_EVENT: ("hendelse mens et steg pågår", "event during a step"),
}
_WORDS: dict[str, tuple[str, str]] = {
    "kind": ("Type", "Kind"),
    "lane": ("Rolle", "Role"),
    "mode": ("Utførelse", "Mode"),
    "system": ("System", "System"),
    "legal_basis": ("Hjemmel", "Legal basis"),
    "handling_days": ("Behandlingstid (dager)", "Handling time (days)"),
    "legend": ("Forklaring", "Legend"),
}
_WRAP = 22  # characters per label line; about the width of a BPMN task
_MAX_LINES = 8  # longer labels are cut with "…"; the full text stays in the tooltip
_LANE_FILLS = ("#f4f6f9", "#eaeef3")
_INVISIBLE_POINT = {"shape": "point", "width": "0.01", "height": "0.01", "style": "invis", "label": ""}


def _word(key: str, lang: str) -> str:
    nb, en = _WORDS[key]
    return en if lang == "en" else nb


_GATEWAY_NAMES: dict[str, tuple[str, str]] = {
    GatewayKind.EXCLUSIVE: ("valg: én vei", "choice: one way"),
    GatewayKind.PARALLEL: ("samtidig: alle veier", "at the same time: all ways"),
    GatewayKind.INCLUSIVE: ("valg: én eller flere veier", "choice: one or more ways"),
    GatewayKind.EVENT_BASED: ("venter på det som skjer først", "waits for what happens first"),
    GatewayKind.COMPLEX: ("sammensatt valg", "complex choice"),
}


def kind_name(kind: StepKind | GatewayKind, lang: str = "nb") -> str:
    """A step or gateway kind in words.

    Examples
    --------
    >>> kind_name(StepKind.USER_TASK)
    'oppgave for saksbehandler'
    >>> kind_name(GatewayKind.PARALLEL, "en")
    'at the same time: all ways'
    """
    table = _GATEWAY_NAMES if isinstance(kind, GatewayKind) else _KIND_NAMES
    nb, en = table.get(kind, (kind.value, kind.value))
    return en if lang == "en" else nb


def mode_cue(mode: Mode, lang: str = "nb") -> str:
    """The symbol and word that show how a step is carried out.

    Examples
    --------
    >>> mode_cue(Mode.PAPER)
    '✉ papir'
    >>> mode_cue(Mode.AUTOMATED, "en")
    '⚙ automated'
    """
    symbol, nb, en = _MODE_CUES[Mode(mode)]
    return f"{symbol} {en if lang == 'en' else nb}"


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=True) or [""])
    if len(lines) > _MAX_LINES:
        lines = [*lines[: _MAX_LINES - 1], lines[_MAX_LINES - 1] + " …"]
    return lines


# Characters XML 1.0 (SVG) and Graphviz's HTML parser cannot carry. Vertical tab and form feed
# are line breaks in some spreadsheet exports; the rest becomes U+FFFD, visibly.
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return _UNPRINTABLE.sub("\ufffd", text).replace("\t", " ")


def _html_text(text: str) -> str:
    """Text for an HTML-like label: markup escaped, and backslashes doubled because Graphviz
    expands \\N (node name), \\G (graph name) ... even there."""
    return html.escape(_clean(text), quote=True).replace("\\", "\\\\")


def _html_lines(lines: list[str]) -> str:
    return "<BR/>".join(_html_text(line) for line in lines)


class _Html(str):
    """A Graphviz HTML-like label, written between ``<`` and ``>`` instead of quotes."""

    __slots__ = ()


def _quote(value: str) -> str:
    """A DOT double-quoted string; safe for any text (quotes, backslashes, newlines)."""
    if isinstance(value, _Html):
        return f"<{value}>"
    text = _clean(value).replace("\\", "\\\\").replace('"', '\\"')
    # Newlines become the escString line break; carriage returns would end up in the output.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def _attrs(values: Mapping[str, str]) -> str:
    return ", ".join(_attr(key, value) for key, value in values.items())


def _attr(key: str, value: str) -> str:
    if key == "tooltip":
        # Tooltips are Graphviz "escString"s: \N, \G, \n ... are expanded (twice, it turns
        # out), and an "&" that starts an entity is passed through to SVG unescaped. Four
        # backslashes and "&amp;" come out as the literal characters in every backend.
        value = value.replace("\\", "\\\\").replace("&", "&amp;")
    return f"{key}={_quote(value)}"


def _apply_style(attrs: dict[str, str], style: Style | None, *, node: bool) -> None:
    if style is None:
        return
    if style.fill is not None and node:
        attrs["fillcolor"] = style.fill
    if style.color is not None:
        attrs["color"] = style.color
    if style.fontcolor is not None:
        attrs["fontcolor"] = style.fontcolor
    if style.penstyle is not None:
        kept = [s for s in attrs.get("style", "").split(",") if s and s not in _PENSTYLES]
        if style.penstyle == "bold":
            attrs["penwidth"] = str(max(float(attrs.get("penwidth", "1")), 2.5))
        else:
            kept.append(style.penstyle)
        attrs["style"] = ",".join(kept)
    if style.peripheries is not None and node:
        attrs["peripheries"] = str(style.peripheries)
    if style.shape is not None and node:
        attrs["shape"] = style.shape
    if style.tooltip is not None:
        attrs["tooltip"] = style.tooltip


def _step_tooltip(step: Step, lang: str, name: str | None = None) -> str:
    # The label exactly as written; an unnamed step by its description ("The end event after …").
    title = step.label or (name[0].upper() + name[1:] if name else step.id)
    lines = [title, f"{_word('kind', lang)}: {kind_name(step.kind, lang)}"]
    if step.lane:
        lines.append(f"{_word('lane', lang)}: {step.lane}")
    if step.mode is not None:
        lines.append(f"{_word('mode', lang)}: {mode_cue(step.mode, lang)}")
    if step.system:
        lines.append(f"{_word('system', lang)}: {step.system}")
    if step.legal_basis:
        lines.append(f"{_word('legal_basis', lang)}: {step.legal_basis}")
    if step.handling_days is not None:
        lines.append(f"{_word('handling_days', lang)}: {step.handling_days:g}")
    return "\n".join(lines)


class _DotWriter:
    """Writes the DOT text for :func:`to_dot`, one statement per line, ids kept out of the syntax."""

    def __init__(
        self,
        process: Process,
        lang: str,
        step_styles: Mapping[str, Style],
        flow_styles: Mapping[tuple[str, str], Style],
    ) -> None:
        self.process = process
        self.lang = lang
        self.step_styles = step_styles
        self.flow_styles = flow_styles
        self.structure = _LayoutBuilder(process, horizontal=True)
        self.lines: list[str] = []

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def label_lines(self, element: Element, style: Style | None) -> list[str]:
        text = element.label or ("" if isinstance(element, Gateway) or element.is_event else element.id)
        if style is not None and style.badge:
            text = f"{text} {style.badge}" if text else style.badge
        return _wrap(text) if text else []

    def step_node(self, depth: int, step: Step) -> None:
        style = self.step_styles.get(step.id)
        name = self.structure.name[step.id]
        lines = self.label_lines(step, style)
        attrs: dict[str, str] = {"tooltip": _step_tooltip(step, self.lang, self.element_name(step.id))}
        if step.is_event:
            attrs.update(
                shape="circle",
                width="0.42",
                height="0.42",
                fixedsize="true",
                label="",
                style="filled",
                fillcolor="#ffffff",
            )
            if lines:
                attrs["xlabel"] = _Html(_html_lines(lines))
            if step.kind == StepKind.END_EVENT:
                attrs["penwidth"] = "3"
            elif step.kind == StepKind.INTERMEDIATE_EVENT:
                attrs["shape"] = "doublecircle"
            elif step.kind == StepKind.BOUNDARY_EVENT:
                attrs.update(shape="doublecircle", style="dashed,filled", width="0.34", height="0.34")
        else:
            parts = _html_lines(lines)
            if step.kind in (StepKind.SUBPROCESS, StepKind.CALL_ACTIVITY):
                parts += f'<BR/><FONT POINT-SIZE="13">{_SUBPROCESS_MARK}</FONT>'
            extra = []
            if step.mode is not None:
                extra.append(mode_cue(step.mode, self.lang))
            if step.system:
                extra.append(step.system)
            if extra:
                colour = "" if style is not None and style.fontcolor else ' COLOR="#455a64"'
                small = _html_lines([line for item in extra for line in _wrap(item)])
                parts += f'<BR/><FONT POINT-SIZE="9"{colour}>{small}</FONT>'
            attrs.update(shape="box", style="rounded,filled", fillcolor="#ffffff", label=_Html(parts))
            attrs.update(width="1.3", height="0.75", margin="0.12,0.06")
            if step.kind == StepKind.SUBPROCESS:
                attrs["peripheries"] = "2"
            elif step.kind == StepKind.CALL_ACTIVITY:
                attrs["penwidth"] = "3"
        _apply_style(attrs, style, node=True)
        self.emit(depth, f"{name} [{_attrs(attrs)}];")

    def gateway_node(self, depth: int, gateway: Gateway) -> None:
        style = self.step_styles.get(gateway.id)
        lines = self.label_lines(gateway, style)
        attrs: dict[str, str] = {
            "shape": "diamond",
            "width": "0.6",
            "height": "0.6",
            "fixedsize": "true",
            "style": "filled",
            "fillcolor": "#ffffff",
            "fontsize": "18",
            "label": _GATEWAY_MARKS.get(gateway.kind, ""),
            "tooltip": f"{gateway.label or gateway.id}\n{_word('kind', self.lang)}: "
            f"{kind_name(gateway.kind, self.lang)}",
        }
        if lines:
            # The mark is drawn large; the question beside it at the normal size.
            attrs["xlabel"] = _Html(f'<FONT POINT-SIZE="11">{_html_lines(lines)}</FONT>')
        _apply_style(attrs, style, node=True)
        self.emit(depth, f"{self.structure.name[gateway.id]} [{_attrs(attrs)}];")

    def scope(self, depth: int, members: list[Element]) -> None:
        for element in members:
            if element.id in self.structure.expanded:
                self.subprocess_cluster(depth, self.process.step(element.id))
            elif isinstance(element, Gateway):
                self.gateway_node(depth, element)
            else:
                self.step_node(depth, element)
        for element in members:
            # Boundary events are drawn beside their activity (there is no "on the border" in dot).
            for b in self.structure.boundary:
                if b.attached_to == element.id and b not in members:
                    self.step_node(depth, b)

    def subprocess_cluster(self, depth: int, step: Step) -> None:
        style = self.step_styles.get(step.id)
        name = self.structure.name[step.id]
        lines = self.label_lines(step, style)
        attrs: dict[str, str] = {
            "label": _Html(f"{_SUBPROCESS_MARK} " + _html_lines(lines)),
            "labeljust": "l",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "color": "#37474f",
            "penwidth": "1.5",
            "tooltip": _step_tooltip(step, self.lang),
        }
        _apply_style(attrs, style, node=True)
        attrs.pop("shape", None)
        peripheries = attrs.pop("peripheries", None)
        if peripheries is not None and peripheries not in ("0", "1"):
            attrs["penwidth"] = "3"  # clusters have no double border; a heavy line stands in for it
        self.emit(depth, f"subgraph cluster_{name} {{")
        for key, value in attrs.items():
            self.emit(depth + 1, _attr(key, value) + ";")
        self.scope(depth + 1, self.structure.children[step.id])
        self.emit(depth, "}")

    def flows(self, depth: int) -> None:
        s = self.structure
        for flow in self.process.flows:
            if flow.source not in s.name or flow.target not in s.name:
                continue
            if flow.source == flow.target and flow.source in s.expanded:
                continue
            attrs: dict[str, str] = {}
            attrs.update(s.clipping(flow.source, flow.target))
            style = self.flow_styles.get((flow.source, flow.target))
            # Altinn's expressions (["equals", ["gatewayAction"], "reject"]) in words; other text as written.
            text = condition_text(flow.condition, self.lang)
            if style is not None and style.badge:
                text = f"{text} {style.badge}".strip()
            if text:
                attrs["label"] = _Html(_html_lines(_wrap(text)))
            attrs["tooltip"] = f"{self.element_name(flow.source)} → {self.element_name(flow.target)}" + (
                f"\n{condition_text(flow.condition, self.lang)}" if flow.condition else ""
            )
            if flow.is_message:
                # BPMN draws a message flow dashed, with an open arrowhead and a small circle at the sender.
                attrs.update(style="dashed", arrowhead="empty", arrowtail="odot", dir="both", color="#546e7a")
            _apply_style(attrs, style, node=False)
            source = s.inner_node(flow.source, first=False)
            target = s.inner_node(flow.target, first=True)
            self.emit(depth, f"{source} -> {target} [{_attrs(attrs)}];")
        for b in s.boundary:
            host = b.attached_to or ""
            attrs = {"style": "dotted", "arrowhead": "none", "color": "#78909c", "weight": "5"}
            if host in s.expanded:
                attrs["ltail"] = f"cluster_{s.name[host]}"
            self.emit(depth, f"{s.inner_node(host, first=False)} -> {s.name[b.id]} [{_attrs(attrs)}];")

    def lane_bands(self, depth: int) -> None:
        """Invisible edges that make lanes read as swimlanes (see :meth:`_LayoutBuilder.build`).

        Each lane's head and tail points stretch it over every rank, so lanes stack as
        bands instead of sitting side by side; :func:`render` then puts them in order.
        """
        s = self.structure
        for ends in ("h", "t"):
            names = "; ".join(f"{ends}{index}" for index in range(len(s.groups)))
            self.emit(depth, f"subgraph lane_{ends} {{ rank=same; {names}; }}")
        for tail, head in s.lane_anchors():
            self.emit(depth, f'{tail} -> {head} [style="invis", weight="0"];')

    def element_name(self, element_id: str) -> str:
        # An unnamed element is "the end event after …", never its id (explain.name_of).
        return name_of(self.process, element_id, "en" if self.lang == "en" else "nb", quote=False)

    def legend(self, depth: int, entries: list[tuple[str, Style]]) -> None:
        self.emit(depth, "subgraph cluster_legend {")
        for key, value in {
            "label": _Html(f"<B>{_html_text(_word('legend', self.lang))}</B>"),
            "labeljust": "l",
            "style": "rounded",
            "color": "#90a4ae",
            "fontsize": "11",
        }.items():
            self.emit(depth + 1, _attr(key, value) + ";")
        names = []
        for index, (text, style) in enumerate(entries):
            attrs: dict[str, str] = {
                "shape": "box",
                "style": "rounded,filled",
                "fillcolor": "#ffffff",
                "fontsize": "10",
                "width": "1.1",
                "height": "0.4",
                "label": _Html(_html_lines(_wrap(f"{text} {style.badge}" if style.badge else text))),
                "tooltip": text,
            }
            _apply_style(attrs, style, node=True)
            names.append(f"legend{index}")
            self.emit(depth + 1, f"legend{index} [{_attrs(attrs)}];")
        # Invisible edges stack the entries in one column in the given order.
        for a, b in itertools.pairwise(names):
            self.emit(depth + 1, f'{a} -> {b} [style="invis"];')
        self.emit(depth, "}")

    def write(self, legend: list[tuple[str, Style]] | None, title: str | None) -> str:
        s = self.structure
        # The graph's name becomes the SVG's <title>, which screen readers announce. Graphviz
        # reads backslashes in it as escapes, so they become "/" there (labels keep them).
        name = _clean(title or self.process.name or self.process.id).replace("\n", " ")
        self.emit(0, f"digraph {_quote(name.replace(chr(92), '/'))} {{")
        graph_attrs: dict[str, str] = {
            "rankdir": "LR",
            "splines": _splines(len(s.name)),
            "compound": "true",
            "newrank": "true",
            "nodesep": "0.35",
            "ranksep": "0.45",
            "fontname": FONT,
            "fontsize": "12",
            "forcelabels": "true",
            "bgcolor": "white",
            "pad": "0.2",
            "charset": "UTF-8",
        }
        if title:
            graph_attrs.update(
                label=_Html(f"<B>{_html_lines(_wrap(title, 70))}</B>"), labelloc="t", fontsize="16"
            )
        self.emit(1, f"graph [{_attrs(graph_attrs)}];")
        self.emit(1, f"node [{_attrs({'fontname': FONT, 'fontsize': '11', 'color': '#37474f'})}];")
        self.emit(
            1,
            f"edge [{_attrs({'fontname': FONT, 'fontsize': '9', 'color': '#455a64', 'arrowsize': '0.7'})}];",
        )
        if s.groups:
            for index, group in enumerate(s.groups):
                members = [e for e in s.top_level if s.lane_of[e.id] == group and e.id not in s.boundary_ids]
                self.emit(1, f"subgraph cluster_lane{index} {{")
                lane_attrs = {
                    "label": _Html(f"<B>{_html_text(group)}</B>") if group is not None else "",
                    "labeljust": "l",
                    "style": "filled",
                    "fillcolor": _LANE_FILLS[index % 2],
                    "color": "#b0bec5",
                    "fontsize": "12",
                }
                for key, value in lane_attrs.items():
                    self.emit(2, _attr(key, value) + ";")
                self.emit(2, f"h{index} [{_attrs(_INVISIBLE_POINT)}];")
                self.emit(2, f"t{index} [{_attrs(_INVISIBLE_POINT)}];")
                self.scope(2, members)
                self.emit(1, "}")
            self.lane_bands(1)
        else:
            self.scope(1, [e for e in s.top_level if e.id not in s.boundary_ids])
        self.flows(1)
        if legend:
            self.legend(1, legend)
        self.emit(0, "}")
        return "\n".join(self.lines) + "\n"


def to_dot(
    process: Process,
    *,
    lang: str = "nb",
    step_styles: Mapping[str, Style] | None = None,
    flow_styles: Mapping[tuple[str, str], Style] | None = None,
    legend: Sequence[tuple[str, Style]] | None = None,
    title: str | None = None,
) -> str:
    """Return the process as Graphviz DOT text, ready for ``dot``.

    Lanes are swimlane clusters labelled with the lane name. Each step kind
    has its own shape: start events thin circles, end events bold circles,
    intermediate events double circles, tasks rounded boxes, sub-processes
    double-bordered boxes with a ⊞ marker (expanded ones as a cluster around
    their inner steps), call activities heavy boxes, gateways diamonds with
    × (exclusive), + (parallel), ○ (inclusive), ⬠ (event-based) or ✱
    (complex). A step's mode is shown as a symbol and a word under its name,
    e.g. "✉ papir", so it does not depend on colour. Every label is escaped:
    any text is shown as written. SVG output carries the step details as
    hover text.

    Parameters
    ----------
    process
        The process to draw.
    lang
        ``"nb"`` (bokmål) or ``"en"``, for the words the drawing adds.
    step_styles
        Element id -> :class:`Style`, e.g. to mark steps in a diff.
    flow_styles
        ``(source id, target id)`` -> :class:`Style` for the flows between them.
    legend
        ``(text, style)`` pairs drawn as sample shapes in a legend box.
    title
        A heading drawn above the diagram.

    Returns
    -------
    str
        DOT source. Element ids never appear in it as syntax (nodes are
        ``n0``, ``n1``, ... in process order), so it is deterministic and safe.

    Examples
    --------
    >>> from processes.model import Flow, Step, StepKind
    >>> p = Process("p", "Eksempel")
    >>> p.add_step(Step("a", "Vurdere søknaden", mode=Mode.PAPER))
    >>> p.add_step(Step("b", "Fatte vedtak"))
    >>> p.add_flow(Flow("a", "b"))
    >>> dot = to_dot(p, step_styles={"b": Style(fill="#e8f5e9", badge="(ny)")})
    >>> "✉ papir" in dot and "Fatte vedtak (ny)" in dot
    True
    >>> "n0 -> n1" in dot
    True
    """
    if lang not in ("nb", "en"):
        raise ValueError(f"lang must be 'nb' or 'en', not {lang!r}")
    writer = _DotWriter(process, lang, step_styles or {}, flow_styles or {})
    return writer.write(list(legend) if legend else None, title)


RenderFormat = Literal["svg", "png", "pdf", "dot"]
_FORMATS = ("svg", "png", "pdf", "dot")
# cairo stamps PDFs with the time of rendering; a fixed stamp of the same length keeps the
# output byte-for-byte reproducible without disturbing the cross-reference offsets.
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}Z?\)")


def graphviz_backend() -> Literal["system", "bundled"]:
    """Which Graphviz :func:`render` uses by default.

    ``"system"`` when a ``dot`` program is on ``PATH``; otherwise
    ``"bundled"``, the Graphviz library inside the pygraphviz wheel.
    """
    return "system" if shutil.which("dot") else "bundled"


def render(
    process: Process,
    fmt: RenderFormat,
    *,
    lang: str = "nb",
    step_styles: Mapping[str, Style] | None = None,
    flow_styles: Mapping[tuple[str, str], Style] | None = None,
    legend: Sequence[tuple[str, Style]] | None = None,
    title: str | None = None,
    backend: Literal["auto", "system", "bundled"] = "auto",
    paper: Literal["a4", "fit"] = "a4",
) -> bytes:
    """Draw a process as SVG, PNG, PDF (or DOT text) with Graphviz.

    Takes the same drawing options as :func:`to_dot`. Labels beside shapes and
    on lines are moved where they cover no line, shape or other label (up to
    :data:`PLACE_LABELS_UP_TO` elements).

    Parameters
    ----------
    process
        The process to draw.
    fmt
        ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``.
    backend
        ``"auto"`` uses the ``dot`` program when it is on ``PATH`` and the
        Graphviz bundled with pygraphviz otherwise (see
        :func:`graphviz_backend`); ``"system"`` or ``"bundled"`` force one.
    paper
        For PDF: ``"a4"`` prints on A4 pages with text at least
        :data:`MIN_PRINT_FONT` points (an overview page and overlapping parts
        when the drawing is large, see :func:`print_plan`); ``"fit"`` gives one
        page the size of the drawing.

    Returns
    -------
    bytes
        The drawing. The same input gives the same bytes.

    Raises
    ------
    ValueError
        For an unknown format, language or backend.
    ProcessError
        If Graphviz fails, or ``backend="system"`` and there is no ``dot`` on ``PATH``.

    Examples
    --------
    >>> from processes.model import Step
    >>> p = Process("p", "Eksempel")
    >>> p.add_step(Step("a", "Behandle søknad"))
    >>> render(p, "svg").startswith(b"<?xml")
    True
    """
    if fmt not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {fmt!r}")
    source = to_dot(
        process, lang=lang, step_styles=step_styles, flow_styles=flow_styles, legend=legend, title=title
    )
    if fmt == "dot":
        return source.encode("utf-8")
    if backend == "auto":
        backend = graphviz_backend()
    if backend not in ("system", "bundled"):
        raise ValueError(f"backend must be 'auto', 'system' or 'bundled', not {backend!r}")
    if paper not in ("a4", "fit"):
        raise ValueError(f"paper must be 'a4' or 'fit', not {paper!r}")
    lanes = len(_LayoutBuilder(process, horizontal=True).groups)
    blocks = [f"cluster_lane{index}" for index in range(lanes)]
    if blocks and legend:
        blocks.insert(0, "cluster_legend")
    try:
        with warnings.catch_warnings():
            # pygraphviz turns Graphviz's own warnings (e.g. a label that does not fit) into
            # Python warnings; they are not the caller's business.
            warnings.simplefilter("ignore")
            graph = _dot_layout(source, system=backend == "system")
            if blocks and _restack(graph, blocks, horizontal=True):
                _route_dropped_edges(graph, [b for b in blocks if b.startswith("cluster_lane")])
            if len(process) <= PLACE_LABELS_UP_TO:
                _place_labels(graph)
            # Always draw from the computed positions (neato -n2), whether or not lanes moved,
            # so that both cases go through the same renderer.
            if fmt == "pdf" and paper == "a4":
                svg = _draw_positioned(graph, "svg", system=backend == "system")
                png = None
                if _print_font() is None:
                    graph.graph_attr["dpi"] = "216"
                    png = _draw_positioned(graph, "png", system=backend == "system")
                data = _print_pdf(svg, png, title=_clean(title or process.name or process.id), lang=lang)
            else:
                data = _draw_positioned(graph, fmt, system=backend == "system")
    except (OSError, ValueError, TypeError, graphviz.CalledProcessError) as error:
        raise ProcessError(f"Graphviz could not draw the process as {fmt}: {error}") from error
    if not data:
        raise ProcessError(f"Graphviz produced no {fmt} output")
    if fmt == "pdf":
        data = _PDF_DATE.sub(_fixed_pdf_date, data)
    return data


_ARROW = 7.0  # length of an arrowhead at arrowsize 0.7, in points


def _route_dropped_edges(graph: Any, lanes: Sequence[str]) -> None:
    """Give the flows that :func:`_restack` left without a route one (see :func:`_route_across`).

    Works in Graphviz coordinates (points, y upwards) on a drawing laid out left to right.
    """
    subgraphs = _subgraphs_by_name(graph)
    lane_of: dict[str, int] = {}
    for index, name in enumerate(lanes):
        for node in subgraphs[name].nodes():
            lane_of[str(node)] = index
    bands = [_parse_bb(subgraphs[name].graph_attr["bb"]) for name in lanes]

    def node_box(name: str) -> Box:
        node = graph.get_node(name)
        x, y = (float(v) for v in node.attr["pos"].split(",")[:2])
        w, h = float(node.attr["width"]) * _PT, float(node.attr["height"]) * _PT
        return Box(x - w / 2, y - h / 2, w, h)

    def cluster_box(name: str) -> Box:
        x1, y1, x2, y2 = _parse_bb(subgraphs[name].graph_attr["bb"])
        return Box(x1, y1, x2 - x1, y2 - y1)

    leaves = [
        node_box(str(node))
        for node in graph.nodes()
        if str(node) in lane_of and "invis" not in (node.attr.get("style") or "")
    ]
    columns = _columns(leaves, horizontal=True)
    for key in graph.edges(keys=True):
        edge = graph.get_edge(*key)
        if edge.attr.get("pos") or "invis" in (edge.attr.get("style") or ""):
            continue
        tail, head = str(key[0]), str(key[1])
        source = cluster_box(edge.attr["ltail"]) if edge.attr.get("ltail") else node_box(tail)
        target = cluster_box(edge.attr["lhead"]) if edge.attr.get("lhead") else node_box(head)
        band = bands[lane_of.get(tail, 0)]
        # y grows upwards here: a target below runs along the bottom of the source's lane.
        channel = band[1] - 4 if target.center[1] < source.center[1] else band[3] + 4
        route = _route_across(source, target, columns, channel, horizontal=True)
        (x0, y0), (x1, y1) = route[-2], route[-1]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        shaft = (x1 - (x1 - x0) * _ARROW / length, y1 - (y1 - y0) * _ARROW / length)
        points = [route[0]]
        for a, b in itertools.pairwise([*route[:-1], shaft]):
            points += [a, b, b]
        edge.attr["pos"] = f"e,{x1:.2f},{y1:.2f} " + " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
        if edge.attr.get("label"):
            middle = max(itertools.pairwise(route), key=lambda s: abs(s[1][0] - s[0][0]))
            edge.attr["lp"] = f"{(middle[0][0] + middle[1][0]) / 2:.2f},{middle[0][1] + 8:.2f}"


# --- labels clear of lines and shapes ----------------------------------------------------------

#: Above this many elements labels stay where dot put them (the search grows with labels × lines).
PLACE_LABELS_UP_TO = CURVES_UP_TO
_BR = re.compile(r"<BR\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,200}>")
_POINT_SIZE = re.compile(r'POINT-SIZE="(\d{1,3}(?:\.\d{1,3})?)"')
_CHAR_WIDTH = 0.64  # of the font size: DejaVu Sans averages a little under this
_LINE_HEIGHT = 1.2


@dataclass(frozen=True)
class _Rect:
    x1: float
    y1: float
    x2: float
    y2: float

    def overlaps(self, other: _Rect) -> bool:
        return self.x1 < other.x2 and other.x1 < self.x2 and self.y1 < other.y2 and other.y1 < self.y2

    def cut_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether the segment a-b passes through the rectangle."""
        return _clip_hits(self.x1, self.y1, self.x2, self.y2, a, b)


def _rect_at(center: tuple[float, float], size: tuple[float, float]) -> _Rect:
    (x, y), (w, h) = center, size
    return _Rect(x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def _text_size(label: str, fontsize: float) -> tuple[float, float]:
    """Width and height in points of a (possibly HTML) label, estimated from its characters."""
    match = _POINT_SIZE.search(label)
    size = float(match.group(1)) if match else fontsize
    lines = [html.unescape(_TAG.sub("", line)) for line in _BR.split(label)]
    width = max((len(line) for line in lines), default=0) * _CHAR_WIDTH * size
    return width + 4.0, len(lines) * _LINE_HEIGHT * size + 2.0


class _Obstacles:
    """Shapes, lines and labels already on the drawing, to count what a label would cover."""

    def __init__(self) -> None:
        self.boxes: list[tuple[str, _Rect]] = []
        self.lines: list[tuple[str, _Rect, list[tuple[float, float]]]] = []

    def add_line(self, owner: str, points: list[tuple[float, float]]) -> None:
        if len(points) < 2:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.lines.append((owner, _Rect(min(xs), min(ys), max(xs), max(ys)), points))

    def cost(self, box: _Rect, *, skip: str = "") -> int:
        hits = sum(1 for owner, other in self.boxes if owner != skip and box.overlaps(other))
        for _owner, bounds, points in self.lines:
            if box.overlaps(bounds) and any(box.cut_by(a, b) for a, b in itertools.pairwise(points)):
                hits += 1
        return hits


def _edge_points(pos: str) -> list[tuple[float, float]]:
    points, start, end = _parse_points(pos)
    path = _polyline(points) if len(points) >= 4 else points
    return ([start] if start else []) + path + ([end] if end else [])


def _place_labels(graph: Any) -> None:
    """Move edge labels and outside labels (xlabel) so that none covers a line, shape or label.

    dot keeps lines clear of edge labels as it routes them, but not of the labels it adds
    afterwards beside gateways and events (xlabel), and re-routed lines ignore both. Each
    label keeps its place when that is clear; otherwise it takes the first clear spot
    around its shape (or along its line), or the one that covers least. Graphviz
    coordinates: points, y upwards.
    """
    obstacles = _Obstacles()
    nodes = {}
    for node in graph.nodes():
        if "invis" in (node.attr.get("style") or "") or not node.attr.get("pos"):
            continue
        x, y = (float(v) for v in node.attr["pos"].split(",")[:2])
        size = (float(node.attr["width"]) * _PT + 4, float(node.attr["height"]) * _PT + 4)
        nodes[str(node)] = ((x, y), size)
        obstacles.boxes.append((str(node), _rect_at((x, y), size)))
    clusters = []
    for name, sub in sorted(_subgraphs_by_name(graph).items()):
        attrs = sub.graph_attr
        if name.startswith("cluster") and attrs.get("label") and attrs.get("lp") and attrs.get("lwidth"):
            clusters.append((name, attrs))
    edges = []
    for key in graph.edges(keys=True):
        edge = graph.get_edge(*key)
        if "invis" in (edge.attr.get("style") or "") or not edge.attr.get("pos"):
            continue
        points = _edge_points(edge.attr["pos"])
        owner = f"{key[0]}->{key[1]}:{key[2]}"
        obstacles.add_line(owner, points)
        if edge.attr.get("label") and edge.attr.get("lp"):
            edges.append((owner, edge, points))
    # Lane names first: a line crossing one pushes it to the right along the top of its lane.
    for name, attrs in clusters:
        x, y = (float(v) for v in attrs["lp"].split(",")[:2])
        size = (float(attrs["lwidth"]) * _PT + 4, float(attrs["lheight"]) * _PT)
        room = _parse_bb(attrs["bb"])[2] - size[0] / 2 - 4
        spots = [(x + step, y) for step in range(8, max(8, int(room - x)), 8)]
        spot = _best_spot(obstacles, name, (x, y), size, spots)
        obstacles.boxes.append((name, _rect_at(spot, size)))
        if spot != (x, y):
            attrs["lp"] = f"{spot[0]:.2f},{spot[1]:.2f}"
    edge_font = float(graph.edge_attr.get("fontsize") or 9)
    node_font = float(graph.node_attr.get("fontsize") or 11)
    # Edge labels first (lines were routed around them), then the outside labels around them.
    placed: list[tuple[str, Any, str, tuple[float, float]]] = []
    for owner, edge, points in edges:
        size = _text_size(edge.attr["label"], float(edge.attr.get("fontsize") or edge_font))
        x, y = (float(v) for v in edge.attr["lp"].split(",")[:2])
        placed.append((owner, edge, "lp", _best_spot(obstacles, owner, (x, y), size, _along(points, size))))
        obstacles.boxes.append((owner, _rect_at(placed[-1][3], size)))
    for name, node_attrs in ((str(n), graph.get_node(n).attr) for n in graph.nodes()):
        if name not in nodes or not node_attrs.get("xlabel") or not node_attrs.get("xlp"):
            continue
        size = _text_size(node_attrs["xlabel"], float(node_attrs.get("fontsize") or node_font))
        if "POINT-SIZE" not in node_attrs["xlabel"] and node_attrs.get("fontsize"):
            size = _text_size(node_attrs["xlabel"], node_font)
        x, y = (float(v) for v in node_attrs["xlp"].split(",")[:2])
        center, shape = nodes[name]
        spot = _best_spot(obstacles, name, (x, y), size, _around(center, shape, size))
        obstacles.boxes.append((name, _rect_at(spot, size)))
        node_attrs["xlp"] = f"{spot[0]:.2f},{spot[1]:.2f}"
    for _owner, edge, attr, spot in placed:
        edge.attr[attr] = f"{spot[0]:.2f},{spot[1]:.2f}"


def _best_spot(
    obstacles: _Obstacles,
    owner: str,
    current: tuple[float, float],
    size: tuple[float, float],
    candidates: list[tuple[float, float]],
) -> tuple[float, float]:
    best, best_cost = current, obstacles.cost(_rect_at(current, size), skip=owner)
    for spot in candidates:
        if best_cost == 0:
            break
        cost = obstacles.cost(_rect_at(spot, size), skip=owner)
        if cost < best_cost:
            best, best_cost = spot, cost
    return best


def _around(center: tuple[float, float], shape: tuple[float, float], size: tuple[float, float]) -> list[tuple[float, float]]:
    """Spots for a label beside a shape: above and below first, then the sides, further out."""
    (x, y), (sw, sh), (w, h) = center, shape, size
    spots = []
    for gap in (1.0, 6.0, 14.0, 26.0, 42.0):
        above, below = y + sh / 2 + gap + h / 2, y - sh / 2 - gap - h / 2
        right, left = x + sw / 2 + gap + w / 2, x - sw / 2 - gap - w / 2
        for level in (above, below):
            spots += [(x, level), (x + w / 2 - sw / 4, level), (x - w / 2 + sw / 4, level)]
        spots += [(right, y), (left, y), (right, above), (left, above), (right, below), (left, below)]
    return spots


def _along(points: list[tuple[float, float]], size: tuple[float, float]) -> list[tuple[float, float]]:
    """Spots for a label beside its own line, from its middle outwards."""
    lengths = [0.0]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    if len(points) < 2 or lengths[-1] <= 0:
        return []
    w, h = size
    spots = []
    for fraction in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
        at = fraction * lengths[-1]
        i = max(1, bisect.bisect_left(lengths, at))
        (x0, y0), (x1, y1) = points[i - 1], points[i]
        share = (at - lengths[i - 1]) / ((lengths[i] - lengths[i - 1]) or 1.0)
        x, y = x0 + (x1 - x0) * share, y0 + (y1 - y0) * share
        for gap in (2.0, 8.0, 16.0):
            spots += [(x, y + h / 2 + gap), (x, y - h / 2 - gap), (x + w / 2 + gap, y), (x - w / 2 - gap, y)]
    return spots


# --- printing on A4 ----------------------------------------------------------------------------

#: The smallest text a printed page may carry, in points: below this labels are hard to read.
MIN_PRINT_FONT = 7.0
_A4 = (595.28, 841.89)  # points, portrait
_PAGE_MARGIN = 28.35  # 10 mm
_PAGE_HEADER = 18.0  # the title and «Del 2 av 5» above the drawing
_TILE_OVERLAP = 36.0  # drawing points repeated at each edge where two pages meet
_PRINT_WORDS = {
    "nb": {"overview": "Oversikt", "parts": "hele diagrammet, {n} deler", "part": "Del {i} av {n}"},
    "en": {"overview": "Overview", "parts": "the whole diagram, {n} parts", "part": "Part {i} of {n}"},
}


@dataclass(frozen=True)
class PrintPage:
    """One printed page: which part of the drawing it shows, and at what scale.

    Attributes
    ----------
    orientation
        ``"landscape"`` or ``"portrait"`` (A4).
    area
        The part of the drawing shown, in drawing points (origin top-left, y downwards).
    scale
        Printed points per drawing point.
    """

    orientation: Literal["landscape", "portrait"]
    area: Box
    scale: float


@dataclass(frozen=True)
class PrintPlan:
    """How a drawing is printed on A4: an overview page when it is split, then its parts.

    Attributes
    ----------
    overview
        The whole drawing on one page, when it needs more than one page at a
        readable size; ``None`` when it fits on one.
    parts
        The pages that show the drawing at a readable size; parts overlap a little.
    smallest_text
        The smallest text on the parts, in printed points.
    """

    overview: PrintPage | None
    parts: tuple[PrintPage, ...]
    smallest_text: float

    @property
    def pages(self) -> int:
        """Pages in all."""
        return len(self.parts) + (self.overview is not None)


def _page_area(orientation: str) -> tuple[float, float]:
    width, height = _A4 if orientation == "portrait" else _A4[::-1]
    return width - 2 * _PAGE_MARGIN, height - 2 * _PAGE_MARGIN - _PAGE_HEADER


def print_plan(
    width: float, height: float, *, smallest_font: float, min_font: float = MIN_PRINT_FONT
) -> PrintPlan:
    """Plan A4 pages for a drawing of ``width`` × ``height`` points whose smallest text is ``smallest_font``.

    A drawing that fits on one A4 page (landscape or portrait, whichever
    shows it larger) with its smallest text at least ``min_font`` points gets
    one page, never enlarged. A larger one is split into overlapping parts
    printed at that size or a little larger, in the orientation that needs
    fewest pages (landscape when equal), after an overview page with the
    whole drawing.

    Parameters
    ----------
    width, height
        The drawing's size in points.
    smallest_font
        Its smallest font size in points.
    min_font
        The smallest printed text allowed, in points.

    Returns
    -------
    PrintPlan

    Examples
    --------
    >>> plan = print_plan(600, 300, smallest_font=9)
    >>> plan.overview is None, len(plan.parts), plan.parts[0].orientation, plan.parts[0].scale
    (True, 1, 'landscape', 1.0)
    >>> plan = print_plan(3150, 730, smallest_font=9)
    >>> plan.pages, plan.parts[0].orientation, plan.smallest_text >= 7
    (6, 'portrait', True)
    """
    if width <= 0 or height <= 0 or smallest_font <= 0:
        raise ValueError("a drawing to print needs a positive size and font size")
    needed = min_font / smallest_font
    fits = []
    for orientation in ("landscape", "portrait"):
        area_w, area_h = _page_area(orientation)
        fits.append((min(1.0, area_w / width, area_h / height), orientation))
    fit, orientation = max(fits, key=lambda item: (item[0], item[1] == "landscape"))
    if fit >= needed:
        page = PrintPage(orientation, Box(0.0, 0.0, width, height), fit)  # type: ignore[arg-type]
        return PrintPlan(None, (page,), smallest_font * fit)
    options = []
    for orientation in ("landscape", "portrait"):
        area_w, area_h = _page_area(orientation)
        columns = _count(width, area_w / needed)
        rows = _count(height, area_h / needed)
        # As large as the same number of pages allows.
        scale = min(1.0, area_w / _span(width, columns), area_h / _span(height, rows))
        options.append((columns * rows, -scale, orientation != "landscape", orientation, columns, rows, scale))
    _, _, _, orientation, columns, rows, scale = min(options)
    area_w, area_h = _page_area(orientation)
    shown_w, shown_h = min(width, area_w / scale), min(height, area_h / scale)
    parts = tuple(
        PrintPage(
            orientation,  # type: ignore[arg-type]
            Box(_offset(width, shown_w, columns, column), _offset(height, shown_h, rows, row), shown_w, shown_h),
            scale,
        )
        for row in range(rows)
        for column in range(columns)
    )
    overview_fit, overview_orientation = max(fits, key=lambda item: (item[0], item[1] == "landscape"))
    overview = PrintPage(overview_orientation, Box(0.0, 0.0, width, height), overview_fit)  # type: ignore[arg-type]
    return PrintPlan(overview, parts, smallest_font * scale)


def _count(length: float, window: float) -> int:
    """Pages of ``window`` points needed to cover ``length`` with the overlap."""
    if length <= window:
        return 1
    return math.ceil((length - _TILE_OVERLAP) / (window - _TILE_OVERLAP))


def _span(length: float, count: int) -> float:
    """The window one of ``count`` overlapping pages must show to cover ``length``."""
    return length if count == 1 else (length - _TILE_OVERLAP) / count + _TILE_OVERLAP


def _offset(length: float, window: float, count: int, index: int) -> float:
    return 0.0 if count == 1 else index * (length - window) / (count - 1)


@dataclass(frozen=True)
class _PrintDrawing:
    svg: bytes  # as fpdf2 draws it: no links or titles
    width: float
    height: float
    smallest_font: float
    lanes: tuple[tuple[str, Box], ...]  # lane name -> its band, drawing points, y downwards
    shift: tuple[float, float] = (0.0, 0.0)  # SVG coordinates + shift = drawing points

    def cropped(self, area: Box, margin: float = 24.0) -> bytes:
        """The SVG without the shapes, lines and lanes that lie wholly outside ``area``.

        fpdf2 writes every element of an SVG into each page that shows it, clipped or
        not: without this a drawing split over n pages would be written n times.
        """
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(self.svg, parser)
        x1, y1 = area.x - margin - self.shift[0], area.y - margin - self.shift[1]
        x2, y2 = x1 + area.width + 2 * margin, y1 + area.height + 2 * margin
        for group in list(root.iter("{http://www.w3.org/2000/svg}g")):
            if group.get("class") not in ("node", "edge", "cluster"):
                continue
            box = _svg_extent(group)
            parent = group.getparent()
            if box is not None and parent is not None and (
                box[2] < x1 or box[0] > x2 or box[3] < y1 or box[1] > y2
            ):
                parent.remove(group)
        return bytes(etree.tostring(root))


def _svg_extent(group: Any) -> tuple[float, float, float, float] | None:
    """The box ``(x1, y1, x2, y2)`` around everything a Graphviz SVG group draws."""
    xs: list[float] = []
    ys: list[float] = []
    for element in group.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in ("polygon", "polyline", "path"):
            numbers = [float(n) for n in _NUMBERS.findall(element.get("points") or element.get("d") or "")]
            xs += numbers[0::2]
            ys += numbers[1::2]
        elif tag == "ellipse":
            cx, cy = float(element.get("cx") or 0), float(element.get("cy") or 0)
            rx, ry = float(element.get("rx") or 0), float(element.get("ry") or 0)
            xs += [cx - rx, cx + rx]
            ys += [cy - ry, cy + ry]
        elif tag == "text":
            x, y = float(element.get("x") or 0), float(element.get("y") or 0)
            reach = len(element.text or "") * float(element.get("font-size") or 14)
            xs += [x - reach, x + reach]
            ys += [y - 20, y + 20]
    if not xs or not ys:
        return None
    return min(xs), min(ys), max(xs), max(ys)


_TRANSLATE = re.compile(r"translate\((-?[\d.]+)[ ,]+(-?[\d.]+)\)")
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _svg_for_pdf(svg: bytes) -> _PrintDrawing:
    from lxml import etree

    ns = "{http://www.w3.org/2000/svg}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(svg[svg.index(b"<svg") :], parser)
    lanes = []
    graph = root.find(f"{ns}g")
    shift = _TRANSLATE.search(graph.get("transform") or "") if graph is not None else None
    dx, dy = (float(shift.group(1)), float(shift.group(2))) if shift else (0.0, 0.0)
    for group in root.iter(f"{ns}g"):
        polygon, name = group.find(f"{ns}polygon"), group.findtext(f"{ns}text")
        if group.get("class") == "cluster" and (group.findtext(f"{ns}title") or "").startswith("cluster_lane"):
            numbers = [float(n) for n in _NUMBERS.findall(polygon.get("points") or "")] if polygon is not None else []
            if numbers and name:
                xs, ys = [x + dx for x in numbers[0::2]], [y + dy for y in numbers[1::2]]
                lanes.append((name, Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
    for element in list(root.iter(f"{ns}title")):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    for link in list(root.iter(f"{ns}a")):
        parent = link.getparent()
        if parent is None:
            continue
        index = parent.index(link)
        for child in list(link):
            index += 1
            parent.insert(index, child)
        parent.remove(link)
    sizes = []
    for element in root.iter():
        for attribute in ("fill", "stroke"):
            if element.get(attribute) == "transparent":
                element.set(attribute, "none")
        if element.tag == f"{ns}text" and (element.text or "").strip():
            sizes.append(float(element.get("font-size") or 14))
    _, _, width, height = (float(v) for v in (root.get("viewBox") or "0 0 1 1").split())
    return _PrintDrawing(etree.tostring(root), width, height, min(sizes, default=14.0), tuple(lanes), (dx, dy))


_TTF_PLACES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


def _print_font() -> str | None:
    """The DejaVu Sans TrueType file that Graphviz draws with, for the PDF to embed."""
    for place in _TTF_PLACES:
        if os.path.isfile(place):
            return place
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        import subprocess

        found = subprocess.run(
            [fc_match, "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=False, timeout=10
        ).stdout
        if found.endswith(".ttf") and "DejaVuSans" in found and os.path.isfile(found):
            return found
    return None


def add_print_pages(
    pdf: Any,
    svg: bytes,
    *,
    title: str = "",
    lang: str = "nb",
    png: bytes | Callable[[], bytes] | None = None,
) -> PrintPlan:
    """Add a Graphviz SVG drawing to an fpdf2 document as readable A4 pages; return the plan.

    The pages follow :func:`print_plan`: one page when the drawing fits at a
    readable size, else an overview page and then the parts, each headed by
    ``title`` and «Del 2 av 5». The drawing stays vector graphics with real
    text, set in DejaVu Sans (embedded); without that font on the system,
    ``png`` (the same drawing as PNG, best at 3× size) is placed instead.

    Parameters
    ----------
    pdf
        An ``fpdf.FPDF`` document, in any unit; pages are added to it.
    svg
        The drawing from :func:`render` as ``"svg"``.
    title
        Heading of every page.
    lang
        ``"nb"`` or ``"en"``, for the page headings.
    png
        The same drawing as PNG (or a function that makes it), used only when
        no DejaVu Sans font is found.

    Returns
    -------
    PrintPlan
        The pages added, with their scale.
    """
    import io

    words = _PRINT_WORDS["en" if lang == "en" else "nb"]
    drawing = _svg_for_pdf(svg)
    width, height = drawing.width, drawing.height
    plan = print_plan(width, height, smallest_font=drawing.smallest_font)
    font = _print_font()
    family = "helvetica"
    if font is not None:
        family = "DejaVu Sans"
        bold = font.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
        for style, path in (("", font), ("B", bold if bold != font and os.path.isfile(bold) else font)):
            if family.lower() + style not in pdf.fonts:
                pdf.add_font(family, style, path)
    picture = None if font is not None else png() if callable(png) else png
    if font is None and picture is None:
        raise ProcessError("printing the drawing needs the DejaVu Sans font, or the drawing as PNG")
    unit = 1 / pdf.k  # fpdf2 measures in its unit; everything here is in points

    def text(value: str) -> str:
        return value if font is not None else value.encode("latin-1", "replace").decode("latin-1")

    def page(part: PrintPage, heading: str) -> tuple[float, float]:
        pdf.add_page(orientation="L" if part.orientation == "landscape" else "P")
        page_w = (_A4[1] if part.orientation == "landscape" else _A4[0])
        left, top = _PAGE_MARGIN, _PAGE_MARGIN + _PAGE_HEADER
        pdf.set_text_color(38, 50, 56)
        pdf.set_font(family, "B", 9)
        pdf.text(left * unit, (_PAGE_MARGIN + 9) * unit, text(title))
        pdf.set_font(family, "", 9)
        pdf.text((page_w - _PAGE_MARGIN - pdf.get_string_width(heading) / unit) * unit, (_PAGE_MARGIN + 9) * unit, heading)
        area_w, area_h = _page_area(part.orientation)
        # Centre what is shown in the space below the heading.
        left += max(0.0, (area_w - part.area.width * part.scale) / 2)
        top += max(0.0, (area_h - part.area.height * part.scale) / 2)
        image = picture if picture is not None else drawing.cropped(part.area)
        with pdf.rect_clip(left * unit, top * unit, part.area.width * part.scale * unit, part.area.height * part.scale * unit):
            pdf.image(
                io.BytesIO(image),
                x=(left - part.area.x * part.scale) * unit,
                y=(top - part.area.y * part.scale) * unit,
                w=width * part.scale * unit,
                h=height * part.scale * unit,
            )
        return left, top

    total = len(plan.parts)
    if plan.overview is not None:
        overview = plan.overview
        left, top = page(overview, text(f"{words['overview']}: {words['parts'].format(n=total)}"))
        # Where each part is, numbered as the pages are.
        pdf.set_draw_color(21, 101, 192)
        pdf.set_text_color(21, 101, 192)
        pdf.set_line_width(0.8 * unit)
        pdf.set_font(family, "B", 10)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=4 * unit, gap=3 * unit)
            for number, part in enumerate(plan.parts, start=1):
                box = part.area
                s = overview.scale
                pdf.rect((left + box.x * s) * unit, (top + box.y * s) * unit, box.width * s * unit, box.height * s * unit)
        for number, part in enumerate(plan.parts, start=1):
            box = part.area
            s = overview.scale
            pdf.text((left + box.x * s + 3) * unit, (top + box.y * s + 11) * unit, str(number))
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.567 * unit)
    for number, part in enumerate(plan.parts, start=1):
        heading = text(words["part"].format(i=number, n=total)) if total > 1 else ""
        left, top = page(part, heading)
        # A part that starts right of the lane names repeats them in the margin beside
        # their bands, read bottom to top, where they cover nothing of the drawing.
        pdf.set_font(family, "B", 8)
        pdf.set_text_color(84, 110, 122)
        for name, band in drawing.lanes:
            shown_top = max(band.y, part.area.y)
            shown_bottom = min(band.y + band.height, part.area.y + part.area.height)
            room = (shown_bottom - shown_top) * part.scale - 4
            if part.area.x <= band.x + 4 or room < 20:
                continue
            label = text(name)
            while len(label) > 1 and pdf.get_string_width(label) / unit > room:
                label = label[:-2] + "…" if font is not None else label[:-4] + "..."
            x = left - 3
            y = top + (shown_bottom - part.area.y) * part.scale - 2
            with pdf.rotation(90, x * unit, y * unit):
                pdf.text(x * unit, y * unit, label)
        pdf.set_text_color(38, 50, 56)
    pdf.set_text_color(0, 0, 0)
    return plan


def _print_pdf(svg: bytes, png: bytes | None, *, title: str, lang: str) -> bytes:
    import datetime as dt

    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    pdf.set_margins(_PAGE_MARGIN, _PAGE_MARGIN)
    if title:
        pdf.set_title(title)
    pdf.set_lang("en" if lang == "en" else "nb")
    add_print_pages(pdf, svg, title=title, lang=lang, png=png)
    try:
        return bytes(pdf.output())
    finally:
        close_fonts(pdf)


def close_fonts(pdf: Any) -> None:
    """Close the font files an fpdf2 document keeps open (fontTools reads them lazily)."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _fixed_pdf_date(match: re.Match[bytes]) -> bytes:
    stamp = b"D:20000101000000" + (b"Z" if match.group(0).endswith(b"Z)") else b"")
    return b"/" + match.group(1) + b" (" + stamp + b")"


def _dot_layout(source: str, *, system: bool) -> Any:
    """Lay DOT text out with dot; return the pygraphviz graph carrying the positions."""
    if not system:
        graph = pgv.AGraph(string=source)
        graph.layout(prog="dot")
        return graph
    if shutil.which("dot") is None:
        raise ProcessError("cannot render with the system Graphviz: there is no 'dot' program on PATH")
    positioned = graphviz.pipe("dot", "dot", source.encode("utf-8"), quiet=True)
    return pgv.AGraph(string=bytes(positioned).decode("utf-8"))


def _draw_positioned(graph: Any, fmt: str, *, system: bool) -> bytes:
    if not system:
        data = graph.draw(format=fmt, prog="nop2")
        return bytes(data) if data else b""
    text = graph.string().encode("utf-8")
    # cairo draws the same fonts and glyphs as the bundled library; fall back if it is not built in.
    if fmt in ("png", "pdf"):
        try:
            return bytes(graphviz.pipe("neato", fmt, text, renderer="cairo", neato_no_op=2, quiet=True))
        except graphviz.CalledProcessError:
            pass
    return bytes(graphviz.pipe("neato", fmt, text, neato_no_op=2, quiet=True))
