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

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pygraphviz as pgv

from processes.model import Element, Gateway, Process, Step, StepKind

__all__ = [
    "Box",
    "Layout",
    "layout",
]

# BPMN shape sizes in pixels (what bpmn.io and Camunda Modeler use by default).
TASK_SIZE = (100.0, 80.0)
EVENT_SIZE = (36.0, 36.0)
GATEWAY_SIZE = (50.0, 50.0)
COLLAPSED_SUBPROCESS_SIZE = (120.0, 90.0)

SPINE_K = 20
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


def _circle_border(
    center: tuple[float, float], radius: float, toward: tuple[float, float]
) -> tuple[float, float]:
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    dist = math.hypot(dx, dy)
    if dist < 1e-9:
        return (center[0], center[1] + radius)
    return (center[0] + dx / dist * radius, center[1] + dy / dist * radius)


def layout(process: Process, *, rankdir: str = "LR") -> Layout:
    """Lay a process out for a BPMN diagram with Graphviz ``dot``.

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

    Parameters
    ----------
    process
        The process to lay out.
    rankdir
        ``"LR"`` (flow left to right, the BPMN habit) or ``"TB"`` (top to bottom).

    Returns
    -------
    Layout
        Boxes, edge waypoints and lane bands in pixels, origin top-left, y downwards.

    Raises
    ------
    ValueError
        If ``rankdir`` is not ``"LR"`` or ``"TB"``.

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
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
    builder = _LayoutBuilder(process, horizontal=rankdir == "LR")
    groups = builder.groups
    order = list(range(len(groups)))
    # dot keeps clusters together but does not promise their order. Declaring the lanes in
    # another order usually moves them where we want them; try a few times, then repair.
    result: Layout | None = None
    tried: set[tuple[int, ...]] = set()
    for _attempt in range(4):
        tried.add(tuple(order))
        graph = builder.build(order)
        graph.layout(prog="dot")
        result, position = builder.collect(graph)  # position[lane index] = place top to bottom
        if position == sorted(position):
            return result
        # Assume dot moved the cluster declared in slot i to place position[order[i]]; then
        # declaring lane position[order[i]] in slot i puts every lane in its own place.
        order = [position[order[i]] for i in range(len(order))]
        if tuple(order) in tried:
            break
    assert result is not None
    return builder.reorder_lanes(result)


class _LayoutBuilder:
    """Builds the Graphviz input for :func:`layout` and reads the coordinates back."""

    def __init__(self, process: Process, *, horizontal: bool) -> None:
        self.process = process
        self.horizontal = horizontal
        elements = process.elements
        ids = {e.id for e in elements}
        # Internal node names keep arbitrary ids (quotes, spaces, DOT keywords) out of Graphviz syntax.
        self.name = {e.id: f"n{i}" for i, e in enumerate(elements)}
        self.boundary = [
            e
            for e in process.steps
            if e.kind == StepKind.BOUNDARY_EVENT and e.attached_to in ids and e.attached_to != e.id
        ]
        self.boundary_ids = {e.id for e in self.boundary}
        flat = {e.id for e in elements if _in_cycle_of_parents(process, e.id)}
        self.children: dict[str, list[Element]] = {}
        for e in elements:
            if e.parent is not None and e.parent in ids and e.id not in flat:
                self.children.setdefault(e.parent, []).append(e)
        # A sub-process is drawn expanded (as a cluster) when it has inner elements to show.
        self.expanded = {
            pid
            for pid, inner in self.children.items()
            if isinstance(process[pid], Step) and any(e.id not in self.boundary_ids for e in inner)
        }
        # Inner elements of anything not drawn expanded are drawn at the top level.
        self.top_level = [
            e for e in elements if e.parent is None or e.parent not in self.expanded or e.id in flat
        ]
        self.lane_of = {e.id: self._drawn_lane(e) for e in elements}
        for b in self.boundary:
            self.lane_of[b.id] = self.lane_of[b.attached_to or ""]
        lanes = _lane_order(process)
        self.groups: list[str | None] = list(lanes)
        if lanes and any(self.lane_of[e.id] is None for e in self.top_level):
            self.groups.append(None)
        self.ports = self._boundary_ports()
        self.flows = self._flows()
        self.spans: list[tuple[float, float]] = []

    def _drawn_lane(self, element: Element) -> str | None:
        """The lane an element is drawn in: inner elements follow their outermost expanded sub-process."""
        top = {e.id for e in self.top_level}
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

    def inner_node(self, element_id: str, *, first: bool) -> str:
        """The Graphviz node that flows into (``first``) or out of an element attach to."""
        while element_id in self.expanded:
            element_id = _entry_or_exit(
                self.process, self.children[element_id], self.boundary_ids, first=first
            )
        return self.name[element_id]

    def build(self, order: list[int]) -> Any:
        """Return the Graphviz graph, lane clusters declared in ``order``."""
        g = pgv.AGraph(strict=False, directed=True)
        g.graph_attr.update(
            rankdir="LR" if self.horizontal else "TB",
            splines="polyline",
            compound="true",
            newrank="true",
            nodesep="0.55",
            ranksep="0.6",
            margin="0",
        )
        g.node_attr.update(fixedsize="true", label="", shape="box")
        point = {"shape": "point", "width": "0.01", "height": "0.01", "style": "invis"}
        if self.groups:
            spine = []
            for index in order:
                group = self.groups[index]
                cluster = g.add_subgraph(name=f"cluster_lane{index}", margin="20")
                # Head and tail points stretch every lane over all ranks, so that dot stacks
                # the lane clusters instead of placing some side by side.
                cluster.add_node(f"h{index}", **point)
                cluster.add_node(f"t{index}", **point)
                self._add_scope(cluster, [e for e in self.top_level if self.lane_of[e.id] == group])
            for index in range(len(self.groups)):
                g.add_node(f"p{index}", **point)
                spine.append(f"p{index}")
            # An invisible spine outside the clusters, ordered by flat edges (which dot keeps
            # in order outside clusters), pulls each lane towards its place.
            g.add_subgraph(spine, name="lane_spine", rank="same")
            for a, b in itertools.pairwise(spine):
                g.add_edge(a, b, style="invis")
            tails = [f"q{index}" for index in range(len(self.groups))]
            for node in tails:
                g.add_node(node, **point)
            g.add_subgraph(tails, name="lane_tails", rank="same")
            for a, b in itertools.pairwise(tails):
                g.add_edge(a, b, style="invis")
        else:
            self._add_scope(g, self.top_level)
        for index, (src, tgt) in enumerate(self.flows):
            host = self.process.step(src).attached_to if src in self.boundary_ids else None
            attrs: dict[str, str] = {}
            if src in self.expanded or host in self.expanded:
                attrs["ltail"] = f"cluster_{self.name[host or src]}"
            if tgt in self.expanded:
                attrs["lhead"] = f"cluster_{self.name[tgt]}"
            if host is not None and host not in self.expanded:
                attrs["tailport"] = self.ports[src]
            g.add_edge(
                self.inner_node(host or src, first=False),
                self.inner_node(tgt, first=True),
                key=f"f{index}",
                **attrs,
            )
        for index, group in enumerate(self.groups):
            g.add_edge(f"p{index}", f"h{index}", style="invis", weight="100")
            g.add_edge(f"t{index}", f"q{index}", style="invis", weight="100")
            members = [
                e for e in self.top_level if self.lane_of[e.id] == group and e.id not in self.boundary_ids
            ]
            for element in members:
                g.add_edge(f"h{index}", self.inner_node(element.id, first=True), style="invis", weight="0")
                g.add_edge(self.inner_node(element.id, first=False), f"t{index}", style="invis", weight="0")
            if not members:
                g.add_edge(f"h{index}", f"t{index}", style="invis")
        return g

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

    def collect(self, g: Any) -> tuple[Layout, list[int]]:
        """Read coordinates back (points, y upwards) as BPMN DI coordinates (y downwards).

        Also returns, for each lane in :attr:`groups` order, the place dot gave it.
        """
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
        for index, pair in enumerate(self.flows):
            u, v = by_key[f"f{index}"]
            points, start, end = _parse_points(g.get_edge(u, v, key=f"f{index}").attr["pos"])
            path = [start] if start is not None else []
            path += [points[i] for i in range(0, len(points), 3)]  # on-curve points of the polyline
            if end is not None:
                path.append(end)
            paths[pair] = [conv(x, y) for x, y in path]

        self._place_boundary_events(nodes, paths)
        edges = {pair: _dedupe(path) for pair, path in paths.items()}
        width = round(urx - llx + ox + _MARGIN, 2)
        height = round(ury - lly + oy + _MARGIN, 2)
        lanes, position = self._bands(subgraphs, conv_bb, width, height)
        return Layout(nodes=nodes, edges=edges, lanes=lanes, width=width, height=height), position

    def _place_boundary_events(
        self, nodes: dict[str, Box], paths: dict[tuple[str, str], list[tuple[float, float]]]
    ) -> None:
        """Put boundary events on their activity's border, where their flows leave it."""
        radius = EVENT_SIZE[0] / 2
        fractions = {"s": 0.5, "se": 0.8, "sw": 0.2, "n": 0.5, "ne": 0.8, "nw": 0.2}
        count: dict[str, int] = {}
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
            for (src, _tgt), path in paths.items():
                if src == b.id and len(path) >= 2:
                    x, y = _circle_border((cx, cy), radius, path[1])
                    path[0] = (round(x, 2), round(y, 2))

    def _bands(
        self, subgraphs: dict[str, Any], conv_bb: Any, width: float, height: float
    ) -> tuple[dict[str, Box], list[int]]:
        if not self.groups:
            self.spans = []
            return {}, []
        starts = []
        for index in range(len(self.groups)):
            box = conv_bb(subgraphs[f"cluster_lane{index}"].graph_attr["bb"])
            starts.append((box.y, box.y + box.height) if self.horizontal else (box.x, box.x + box.width))
        placed = sorted(range(len(self.groups)), key=lambda k: starts[k])
        position = [placed.index(k) for k in range(len(self.groups))]
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
        self.spans = spans
        return self._band_boxes(spans, width, height), position

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

    def reorder_lanes(self, result: Layout) -> Layout:
        """Move whole lane bands into the declared order (last resort when dot swapped them).

        Shapes move with their band. Flows within a band keep their route; flows between
        bands get a simple orthogonal route, since dot's route no longer fits.
        """
        placed = sorted(range(len(self.groups)), key=lambda k: self.spans[k][0])
        low = self.spans[placed[0]][0]
        shift: list[float] = [0.0] * len(self.groups)
        new_spans: list[tuple[float, float]] = []
        for k in range(len(self.groups)):
            size = self.spans[k][1] - self.spans[k][0]
            shift[k] = round(low - self.spans[k][0], 2)
            new_spans.append((round(low, 2), round(low + size, 2)))
            low += size
        index = {group: k for k, group in enumerate(self.groups)}

        def moved(box: Box, k: int) -> Box:
            if self.horizontal:
                return Box(box.x, round(box.y + shift[k], 2), box.width, box.height)
            return Box(round(box.x + shift[k], 2), box.y, box.width, box.height)

        def move_point(point: tuple[float, float], k: int) -> tuple[float, float]:
            if self.horizontal:
                return (point[0], round(point[1] + shift[k], 2))
            return (round(point[0] + shift[k], 2), point[1])

        nodes = {eid: moved(box, index[self.lane_of[eid]]) for eid, box in result.nodes.items()}
        edges: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {}
        for (src, tgt), path in result.edges.items():
            ks, kt = index[self.lane_of[src]], index[self.lane_of[tgt]]
            if ks == kt:
                edges[(src, tgt)] = tuple(move_point(p, ks) for p in path)
                continue
            edges[(src, tgt)] = _orthogonal_route(nodes[src], nodes[tgt], horizontal=self.horizontal)
        self.spans = new_spans
        return Layout(
            nodes=nodes,
            edges=edges,
            lanes=self._band_boxes(new_spans, result.width, result.height),
            width=result.width,
            height=result.height,
        )


def _orthogonal_route(source: Box, target: Box, *, horizontal: bool) -> tuple[tuple[float, float], ...]:
    """A route with right angles from one box's border to another's, across the lanes."""
    (sx, sy), (tx, ty) = source.center, target.center
    if horizontal:
        # Leave through the bottom or top, run across the lanes, enter from the side.
        down = ty > sy
        start = (sx, round(source.y + source.height if down else source.y, 2))
        if target.x > sx or target.x + target.width < sx:
            end_x = target.x if target.x > sx else target.x + target.width
            return (start, (sx, ty), (round(end_x, 2), ty))
        return (start, (round(sx, 2), round(target.y if down else target.y + target.height, 2)))
    right = tx > sx
    start = (round(source.x + source.width if right else source.x, 2), sy)
    if target.y > sy or target.y + target.height < sy:
        end_y = target.y if target.y > sy else target.y + target.height
        return (start, (tx, sy), (tx, round(end_y, 2)))
    return (start, (round(target.x if right else target.x + target.width, 2), sy))


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
