"""Small server-rendered SVG charts (line and bar) for pages; each is shown with a table of the same numbers.

The charts are drawn for people first and for screen readers second: the root is
``role="img"`` with a ``<title>`` and a ``<desc>`` (named by ``aria-labelledby``), every
series has its own marker shape and dash pattern and is labelled directly at its last
point, so colour is never the only cue. The drawing is sized in ``viewBox`` units and
scales to its container (``width="100%"``); it is :data:`WIDTH` units wide so that, in a
phone's 350 px column, text of :data:`FONT_SIZE` units stays at least 12 px. Pages wrap the
chart with ``templates/_charts.html``, which puts the numbers in a table beside it.

No JavaScript; everything a chart says is also in its table.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["FONT_SIZE", "WIDTH", "Bars", "Series", "bar_chart", "line_chart", "nice_maximum"]

SVG_NS = "http://www.w3.org/2000/svg"
#: Width of every chart in viewBox units (and so in CSS pixels at 1:1).
WIDTH = 340
#: Text size in viewBox units; at WIDTH the chart is drawn 1:1, so this is the size in px.
FONT_SIZE = 13
#: Series styles in order: stroke colour, marker shape, dash pattern ("" = solid).
#: The colours have at least 4.5:1 contrast on white; the shape and the dash tell them apart without colour.
STYLES = (
    ("#1d4e89", "circle", ""),
    ("#9a3412", "square", "6 3"),
    ("#166534", "triangle", "2 3"),
    ("#6b21a8", "diamond", "8 3 2 3"),
)
#: Bar fills in order: (fill, stroke); the second is an outline so it differs without colour too.
BAR_STYLES = (("#1d4e89", "#1d4e89"), ("#ffffff", "#9a3412"), ("#166534", "#166534"), ("#ffffff", "#6b21a8"))
AXIS_COLOUR = "#475569"
GRID_COLOUR = "#cbd5e1"
TEXT_COLOUR = "#1f2937"
#: At most this many labels under the x axis (the table has all of them).
MAX_X_LABELS = 4
#: Longest series name in a direct label before it is shortened with «…» (the label has two lines:
#: the name, then the value; the right margin holds about 12 characters).
MAX_LABEL_CHARS = 11
#: Room right of the plot for the direct labels, in viewBox units.
LABEL_MARGIN = 96


@dataclass(frozen=True)
class Series:
    """One line: a name (its direct label) and one value per x position (None: no value there)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bars:
    """One group member of a bar chart: a name (in the legend) and one value per x position."""

    name: str
    values: Sequence[float]


def nice_maximum(value: float) -> float:
    """The top of a count axis: a round number (1, 2, 5 × 10ⁿ) at or above ``value``, at least 1."""
    if value <= 1:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))  # pragma: no cover - the loop always returns


def _plain(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _fmt(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Canvas:
    """The SVG root with its title and description, and helpers that add elements."""

    def __init__(self, *, height: int, title: str, description: str, id_prefix: str) -> None:
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {WIDTH} {height}",
                "width": "100%",
                "role": "img",
                "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
                "class": "chart__svg",
                "font-family": "system-ui, sans-serif",
                "font-size": str(FONT_SIZE),
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{id_prefix}-title"}).text = title
        ET.SubElement(self.root, "desc", {"id": f"{id_prefix}-desc"}).text = description

    def add(self, tag: str, parent: ET.Element | None = None, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(self.root if parent is None else parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        if text is not None:
            element.text = text
        return element

    def markup(self) -> Markup:
        return Markup(ET.tostring(self.root, encoding="unicode", short_empty_elements=True))


@dataclass(frozen=True)
class _Frame:
    """Where the plot area is in the viewBox, and the y scale."""

    left: float
    right: float
    top: float
    bottom: float
    y_max: float

    def y(self, value: float) -> float:
        share = min(max(value / self.y_max, 0.0), 1.0) if self.y_max else 0.0
        return self.bottom - share * (self.bottom - self.top)


def _y_axis(canvas: _Canvas, frame: _Frame, *, percent: bool) -> None:
    ticks = [0, 25, 50, 75, 100] if percent else [frame.y_max * i / 4 for i in range(5)]
    if not percent and frame.y_max <= 2:
        ticks = [float(t) for t in range(int(frame.y_max) + 1)]
    grid = canvas.add("g", aria_hidden="true", class_="chart__grid")
    for tick in ticks:
        y = _fmt(frame.y(tick))
        canvas.add("line", grid, x1=_fmt(frame.left), x2=_fmt(frame.right), y1=y, y2=y,
                   stroke=GRID_COLOUR if tick else AXIS_COLOUR, stroke_width="1")
        label = f"{_plain(tick)} %" if percent else _plain(tick)
        canvas.add("text", grid, label, x=_fmt(frame.left - 4), y=_fmt(frame.y(tick) + FONT_SIZE / 3),
                   text_anchor="end", fill=TEXT_COLOUR)


def _x_positions(count: int, frame: _Frame, *, bars: bool) -> list[float]:
    width = frame.right - frame.left
    if bars:
        slot = width / max(count, 1)
        return [frame.left + slot * (i + 0.5) for i in range(count)]
    if count == 1:
        return [frame.left + width / 2]
    return [frame.left + width * i / (count - 1) for i in range(count)]


def _label_indices(count: int, most: int = MAX_X_LABELS) -> list[int]:
    """Which x positions get a label: the first, the last and evenly spread ones between, at most ``most``."""
    if count <= most:
        return list(range(count))
    if most <= 1:
        return [count - 1]
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def _text_width(text: str) -> float:
    """About how wide ``text`` is drawn, in viewBox units (an average letter is 0.6 of the font size)."""
    return len(text) * FONT_SIZE * 0.6


def _x_axis(canvas: _Canvas, frame: _Frame, labels: Sequence[str], xs: list[float]) -> None:
    group = canvas.add("g", aria_hidden="true", class_="chart__x")
    # As many labels as fit side by side without touching (the table has all of them).
    widest = max((_text_width(label) for label in labels), default=0.0) + 10
    # The first label starts at its point and the last ends at its own, so the ones between need 1.5 widths.
    fit = int((frame.right - frame.left) // (1.5 * widest)) + 1
    for i in _label_indices(len(labels), max(1, min(fit, MAX_X_LABELS))):
        x = xs[i]
        anchor = "middle"
        if len(labels) > 1 and i == 0 and x - frame.left < 30:
            anchor = "start"
        elif len(labels) > 1 and i == len(labels) - 1 and frame.right - x < 30:
            anchor = "end"
        canvas.add("text", group, labels[i], x=_fmt(x), y=_fmt(frame.bottom + FONT_SIZE + 4),
                   text_anchor=anchor, fill=TEXT_COLOUR)


def _marker(canvas: _Canvas, parent: ET.Element, shape: str, x: float, y: float, colour: str) -> None:
    r = 4.0
    common = {"fill": colour, "stroke": colour, "class": f"chart__marker chart__marker--{shape}"}
    if shape == "circle":
        canvas.add("circle", parent, cx=_fmt(x), cy=_fmt(y), r=_fmt(r), **common)
    elif shape == "square":
        canvas.add("rect", parent, x=_fmt(x - r), y=_fmt(y - r), width=_fmt(2 * r), height=_fmt(2 * r), **common)
    elif shape == "triangle":
        points = f"{_fmt(x)},{_fmt(y - r - 1)} {_fmt(x + r + 1)},{_fmt(y + r)} {_fmt(x - r - 1)},{_fmt(y + r)}"
        canvas.add("polygon", parent, points=points, **common)
    else:
        points = f"{_fmt(x)},{_fmt(y - r - 1)} {_fmt(x + r + 1)},{_fmt(y)} {_fmt(x)},{_fmt(y + r + 1)} {_fmt(x - r - 1)},{_fmt(y)}"
        canvas.add("polygon", parent, points=points, **common)


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARS else name[: MAX_LABEL_CHARS - 1] + "…"


def _spread(wanted: list[float], *, gap: float, low: float, high: float) -> list[float]:
    """Move label positions apart (in order) so that no two are closer than ``gap``, within [low, high]."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = low - gap
    for i in order:
        placed[i] = max(wanted[i], previous + gap)
        previous = placed[i]
    overflow = previous - high
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
    return placed


def line_chart(
    series: Sequence[Series],
    x_labels: Sequence[str],
    *,
    title: str,
    description: str,
    id_prefix: str,
    percent: bool = True,
    y_max: float | None = None,
    empty_text: str = "",
    value_format: Callable[[float], str] | None = None,
) -> Markup:
    """A line chart of one or more series over categorical x positions (dates, version numbers).

    ``percent`` draws a 0–100 % axis (values are per cent); otherwise the axis counts from 0 to
    ``y_max`` (default: a round number above the largest value). A missing value breaks its line.
    Each series ends in a direct label (its name and last value). With no values at all the
    chart says ``empty_text`` inside the frame.
    """
    fmt = value_format or _plain
    height = 200
    frame = _Frame(left=44, right=WIDTH - LABEL_MARGIN, top=12, bottom=height - 30, y_max=0)
    values = [v for s in series for v in s.values if v is not None]
    top = 100.0 if percent else (y_max if y_max is not None else nice_maximum(max(values, default=0)))
    frame = _Frame(frame.left, frame.right, frame.top, frame.bottom, top)
    canvas = _Canvas(height=height, title=title, description=description, id_prefix=id_prefix)
    _y_axis(canvas, frame, percent=percent)
    count = len(x_labels)
    xs = _x_positions(count, frame, bars=False)
    if count:
        _x_axis(canvas, frame, x_labels, xs)
    if not values:
        canvas.add("text", None, empty_text, x=_fmt((frame.left + frame.right) / 2), y=_fmt((frame.top + frame.bottom) / 2),
                   text_anchor="middle", fill=TEXT_COLOUR, class_="chart__empty")
        return canvas.markup()
    ends: list[tuple[int, float, str, str]] = []
    for index, s in enumerate(series):
        colour, shape, dash = STYLES[index % len(STYLES)]
        group = canvas.add("g", None, class_="chart__series", data_series=s.name)
        run: list[str] = []
        runs: list[list[str]] = []
        last: tuple[float, float] | None = None
        for i, value in enumerate(s.values[:count]):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            x, y = xs[i], frame.y(value)
            run.append(f"{_fmt(x)},{_fmt(y)}")
            last = (value, y)
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                attrs = {"points": " ".join(points), "fill": "none", "stroke": colour, "stroke_width": "2.5"}
                if dash:
                    attrs["stroke_dasharray"] = dash
                canvas.add("polyline", group, **attrs)
        for i, value in enumerate(s.values[:count]):
            if value is not None:
                _marker(canvas, group, shape, xs[i], frame.y(value), colour)
        if last is not None:
            ends.append((index, last[1], _short(s.name), fmt(last[0])))
    # Two lines per label (name, value) when there are names: the gap is two lines high.
    named = any(name for _i, _y, name, _v in ends)
    line = FONT_SIZE + 2
    positions = _spread([y for _i, y, _n, _v in ends], gap=line * (2 if named else 1),
                        low=frame.top + FONT_SIZE / 2, high=frame.bottom - (line if named else 0))
    labels = canvas.add("g", None, class_="chart__labels")
    x = _fmt(frame.right + 8)
    for (index, _y, name, value), y in zip(ends, positions, strict=True):
        colour = STYLES[index % len(STYLES)][0]
        text = canvas.add("text", labels, None, x=x, y=_fmt(y + FONT_SIZE / 3), fill=colour, class_="chart__label")
        if name:
            canvas.add("tspan", text, name, x=x)
            canvas.add("tspan", text, value, x=x, dy=_fmt(line), font_weight="bold")
        else:
            text.text = value
    return canvas.markup()


def bar_chart(
    groups: Sequence[Bars],
    x_labels: Sequence[str],
    *,
    title: str,
    description: str,
    id_prefix: str,
    percent: bool = False,
    y_max: float | None = None,
    empty_text: str = "",
    value_format: Callable[[float], str] | None = None,
) -> Markup:
    """A bar chart: per x position one bar for each of ``groups`` (side by side), with a legend.

    The first group is filled, the second drawn as an outline (and so on), so they differ
    without colour; values are written above the bars when there is room.
    """
    fmt = value_format or _plain
    legend_height = (FONT_SIZE + 6) * len(groups) if len(groups) > 1 else 0
    height = 200 + legend_height
    values = [v for g in groups for v in g.values]
    top = 100.0 if percent else (y_max if y_max is not None else nice_maximum(max(values, default=0)))
    frame = _Frame(left=44, right=WIDTH - 8, top=12 + FONT_SIZE, bottom=200 - 30, y_max=top)
    canvas = _Canvas(height=height, title=title, description=description, id_prefix=id_prefix)
    _y_axis(canvas, frame, percent=percent)
    count = len(x_labels)
    xs = _x_positions(count, frame, bars=True)
    if count:
        _x_axis(canvas, frame, x_labels, xs)
    if not values or not count:
        canvas.add("text", None, empty_text, x=_fmt((frame.left + frame.right) / 2), y=_fmt((frame.top + frame.bottom) / 2),
                   text_anchor="middle", fill=TEXT_COLOUR, class_="chart__empty")
        return canvas.markup()
    slot = (frame.right - frame.left) / count
    bar = max(slot * 0.8 / max(len(groups), 1), 1.0)
    for index, g in enumerate(groups):
        fill, stroke = BAR_STYLES[index % len(BAR_STYLES)]
        group = canvas.add("g", None, class_="chart__series", data_series=g.name)
        for i, value in enumerate(g.values[:count]):
            x = xs[i] - bar * len(groups) / 2 + bar * index
            y = frame.y(value)
            canvas.add("rect", group, x=_fmt(x), y=_fmt(y), width=_fmt(bar), height=_fmt(frame.bottom - y),
                       fill=fill, stroke=stroke, stroke_width="1.5", class_="chart__bar")
            if bar >= FONT_SIZE * 1.2 or (len(groups) == 1 and slot >= FONT_SIZE * 2):
                canvas.add("text", group, fmt(value), x=_fmt(x + bar / 2), y=_fmt(y - 3), text_anchor="middle",
                           fill=TEXT_COLOUR, class_="chart__value")
    if len(groups) > 1:
        legend = canvas.add("g", None, class_="chart__legend")
        for index, g in enumerate(groups):
            fill, stroke = BAR_STYLES[index % len(BAR_STYLES)]
            y = 200 + (FONT_SIZE + 6) * index
            canvas.add("rect", legend, x=_fmt(frame.left), y=_fmt(y), width="14", height="12", fill=fill, stroke=stroke,
                       stroke_width="1.5")
            canvas.add("text", legend, g.name, x=_fmt(frame.left + 20), y=_fmt(y + 11), fill=TEXT_COLOUR)
    return canvas.markup()
