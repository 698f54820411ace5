"""No label of a drawing overlaps another label, a shape it does not belong to, or a line.

Checked on the SVG Graphviz writes, which gives every text's position and size and every
line's path: a text's box is estimated from its font size (width 0.6 em a character,
height 1 em), each line's Bézier curve is followed in small steps. Run over every sample
process (the standard and every variant of every case type).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from lxml import etree

from processes import samples
from processes.model import Process
from processes.render import render

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_SLACK = 1.0  # points: boxes that only touch do not overlap


@dataclass(frozen=True)
class Rect:
    x1: float
    y1: float
    x2: float
    y2: float

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x1 + _SLACK < other.x2
            and other.x1 + _SLACK < self.x2
            and self.y1 + _SLACK < other.y2
            and other.y1 + _SLACK < self.y2
        )

    def contains(self, x: float, y: float) -> bool:
        return self.x1 + _SLACK < x < self.x2 - _SLACK and self.y1 + _SLACK < y < self.y2 - _SLACK


@dataclass(frozen=True)
class Label:
    owner: str  # the node, edge or cluster the text belongs to
    text: str
    box: Rect


@dataclass(frozen=True)
class Drawing:
    labels: list[Label]  # texts outside any shape: edge labels, gateway and event labels, lane names
    shapes: dict[str, Rect]  # node -> box around its shape
    lines: dict[str, list[tuple[float, float]]]  # edge -> points along its path


def text_box(element: etree._Element) -> Rect:
    size = float(element.get("font-size") or 14)
    width = 0.6 * size * len(element.text or "")
    x, y = float(element.get("x") or 0), float(element.get("y") or 0)
    anchor = element.get("text-anchor") or "start"
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return Rect(left, y - 0.8 * size, left + width, y + 0.2 * size)


def shape_box(group: etree._Element) -> Rect | None:
    xs: list[float] = []
    ys: list[float] = []
    for element in group.iter(f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path"):
        if element.tag == f"{SVG}ellipse":
            cx, cy = float(element.get("cx") or 0), float(element.get("cy") or 0)
            rx, ry = float(element.get("rx") or 0), float(element.get("ry") or 0)
            xs += [cx - rx, cx + rx]
            ys += [cy - ry, cy + ry]
        else:
            numbers = [float(n) for n in _NUMBER.findall(element.get("points") or element.get("d") or "")]
            xs += numbers[0::2]
            ys += numbers[1::2]
    if not xs:
        return None
    return Rect(min(xs), min(ys), max(xs), max(ys))


def path_points(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz path (``M p0 C p1 p2 p3 …``), every cubic piece in 16 steps."""
    numbers = [float(n) for n in _NUMBER.findall(d)]
    control = list(zip(numbers[0::2], numbers[1::2], strict=True))
    points = control[:1]
    for i in range(0, len(control) - 3, 3):
        p0, p1, p2, p3 = control[i : i + 4]
        for step in range(1, 17):
            t = step / 16
            u = 1 - t
            points.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    # Dense enough to test against a text box: no two points further apart than 2 points.
    dense = points[:1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / 2))
        dense += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(1, steps + 1)]
    return dense


def read_drawing(svg: bytes) -> Drawing:
    root = etree.fromstring(svg[svg.index(b"<svg") :])
    labels: list[Label] = []
    shapes: dict[str, Rect] = {}
    lines: dict[str, list[tuple[float, float]]] = {}
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class")
        if kind not in ("node", "edge", "cluster"):
            continue
        owner = group.findtext(f"{SVG}title") or ""
        texts = list(group.iter(f"{SVG}text"))
        if kind == "node":
            box = shape_box(group)
            if box is None:
                continue
            shapes[owner] = box
            # A node's own label is inside its shape; an outside label (xlabel) is checked.
            outside = [t for t in texts if not box.overlaps(text_box(t))]
            labels += [Label(owner, t.text or "", text_box(t)) for t in outside]
        elif kind == "edge":
            lines[owner] = [p for path in group.iter(f"{SVG}path") for p in path_points(path.get("d") or "")]
            labels += [Label(owner, t.text or "", text_box(t)) for t in texts]
        else:
            labels += [Label(owner, t.text or "", text_box(t)) for t in texts]
    return Drawing(labels, shapes, lines)


def overlaps(drawing: Drawing) -> list[str]:
    """Every label that overlaps another label, a shape, or a line not its own, in words."""
    found = []
    for index, label in enumerate(drawing.labels):
        for other in drawing.labels[index + 1 :]:
            if other.owner != label.owner and label.box.overlaps(other.box):
                found.append(f"label «{label.text}» ({label.owner}) overlaps label «{other.text}» ({other.owner})")
        for node, box in drawing.shapes.items():
            if node != label.owner and label.box.overlaps(box):
                found.append(f"label «{label.text}» ({label.owner}) overlaps the shape of {node}")
        for edge, points in drawing.lines.items():
            if edge != label.owner and any(label.box.contains(x, y) for x, y in points):
                found.append(f"label «{label.text}» ({label.owner}) is crossed by the line {edge}")
    return found


def _every_sample() -> list[tuple[str, Process]]:
    cases = []
    for case in samples.case_types():
        cases.append((f"{case.slug}-standard", samples.standard(case)))
        cases += [(f"{case.slug}-{name}", process) for name, process in sorted(samples.variants(case).items())]
    return cases


SAMPLES = _every_sample()


@pytest.mark.parametrize(("name", "process"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_no_label_overlaps_anything(name: str, process: Process) -> None:
    drawing = read_drawing(render(process, "svg", title=process.name))
    assert drawing.labels and drawing.lines
    assert overlaps(drawing) == []


def test_the_check_finds_a_line_through_a_label() -> None:
    drawing = Drawing(
        labels=[Label("a", "Tillatelse gitt", Rect(0, 0, 60, 10))],
        shapes={},
        lines={"b->c": path_points("M-10,5C10,5 50,5 70,5")},
    )
    assert overlaps(drawing) == ["label «Tillatelse gitt» (a) is crossed by the line b->c"]


def test_the_check_finds_labels_on_top_of_each_other() -> None:
    drawing = Drawing(
        labels=[Label("n1", "Er søknaden komplett?", Rect(0, 0, 80, 10)), Label("e1", "Ja", Rect(20, 5, 30, 15))],
        shapes={"n2": Rect(70, 0, 90, 20)},
        lines={},
    )
    assert overlaps(drawing) == [
        "label «Er søknaden komplett?» (n1) overlaps label «Ja» (e1)",
        "label «Er søknaden komplett?» (n1) overlaps the shape of n2",
    ]
