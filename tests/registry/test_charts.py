"""The SVG line and bar charts: accessible markup, points where the numbers say, and the edge cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from registry.charts import (
    FONT_SIZE,
    WIDTH,
    Bars,
    Series,
    bar_chart,
    line_chart,
    nice_maximum,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
BOTTOM, TOP = 170.0, 12.0  # the line chart's plot area (y of 0 and of the top)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def markers(root: ET.Element) -> list[tuple[float, float]]:
    """(x, y) of each circle marker, in order."""
    return [(float(c.get("cx", "nan")), float(c.get("cy", "nan"))) for c in root.iter("{http://www.w3.org/2000/svg}circle")]


def texts(root: ET.Element) -> list[str]:
    """Each text element's words (a direct label's two lines joined by a space)."""
    return [" ".join(part.strip() for part in t.itertext() if part.strip()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def chart(values: list[float | None], labels: list[str] | None = None, **kwargs: object) -> ET.Element:
    labels = labels if labels is not None else [f"v{i + 1}" for i in range(len(values))]
    return parse(line_chart([Series("Melhus", values)], labels, title="Melhus", description="Likhet per versjon",
                            id_prefix="m", **kwargs))  # type: ignore[arg-type]


def test_the_chart_is_an_image_named_by_its_title_and_description() -> None:
    root = chart([50.0, 75.0])
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "m-title m-desc"
    assert root.find("svg:title", NS) is not None and root.find("svg:title", NS).text == "Melhus"  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == "Likhet per versjon"  # type: ignore[union-attr]
    assert root.get("viewBox") == f"0 0 {WIDTH} 200" and root.get("width") == "100%"
    assert int(root.get("font-size", "0")) >= 12


def test_points_sit_where_the_values_say() -> None:
    root = chart([0.0, 50.0, 100.0])
    points = markers(root)
    assert [y for _x, y in points] == [BOTTOM, (BOTTOM + TOP) / 2, TOP]
    xs = [x for x, _y in points]
    assert xs[0] < xs[1] < xs[2]
    polyline = root.find(".//svg:polyline", NS)
    assert polyline is not None and len(polyline.get("points", "").split()) == 3


def test_the_last_value_is_written_next_to_the_line() -> None:
    root = chart([40.0, 82.0], value_format=lambda v: f"{v:.0f} %")
    assert "Melhus 82 %" in texts(root)
    assert "v1" in texts(root) and "v2" in texts(root)


def test_one_point_is_a_marker_in_the_middle_without_a_line() -> None:
    root = chart([60.0])
    assert len(markers(root)) == 1
    assert root.find(".//svg:polyline", NS) is None


def test_no_points_says_so_inside_the_frame() -> None:
    root = chart([], empty_text="Ingenting beregnet ennå")
    assert markers(root) == []
    assert "Ingenting beregnet ennå" in texts(root)


def test_missing_values_break_the_line() -> None:
    root = chart([50.0, None, 70.0, 80.0])
    assert len(markers(root)) == 3
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 1 and len(lines[0].get("points", "").split()) == 2


def test_all_equal_values_lie_on_one_height() -> None:
    root = chart([70.0, 70.0, 70.0])
    assert len({y for _x, y in markers(root)}) == 1


def test_values_outside_0_to_100_stay_in_the_frame() -> None:
    ys = [y for _x, y in markers(chart([-5.0, 140.0]))]
    assert ys == [BOTTOM, TOP]


def test_several_series_differ_by_marker_and_dash_not_only_colour() -> None:
    root = parse(line_chart([Series("Melhus", [10.0, 20.0]), Series("Malvik", [30.0, 40.0])], ["jan", "feb"],
                            title="t", description="d", id_prefix="two"))
    groups = root.findall("svg:g[@class='chart__series']", NS)
    assert [g.get("data-series") for g in groups] == ["Melhus", "Malvik"]
    assert groups[0].find("svg:circle", NS) is not None and groups[1].find("svg:rect", NS) is not None
    assert groups[1].find("svg:polyline", NS).get("stroke-dasharray")  # type: ignore[union-attr]
    labels = [t for t in texts(root) if t.startswith(("Melhus", "Malvik"))]
    assert labels == ["Melhus 20", "Malvik 40"]


def test_close_end_labels_are_moved_apart() -> None:
    root = parse(line_chart([Series("A", [50.0]), Series("B", [50.5])], ["x"], title="t", description="d", id_prefix="c"))
    ys = [float(t.get("y", "0")) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "chart__label"]
    assert len(ys) == 2 and abs(ys[0] - ys[1]) >= 2 * FONT_SIZE  # two lines each: name and value


def test_many_x_positions_get_at_most_four_labels() -> None:
    labels = [f"m{i}" for i in range(24)]
    root = chart([float(i) for i in range(24)], labels)
    shown = [t for t in texts(root) if t.startswith("m")]
    assert shown[0] == "m0" and shown[-1] == "m23" and len(shown) <= 4


def test_a_count_axis_ends_on_a_round_number() -> None:
    root = chart([3.0, 7.0], percent=False)
    assert "10" in texts(root) and "0" in texts(root)
    assert not any(t.endswith("%") for t in texts(root))


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (48, 50), (101, 200)])
def test_nice_maximum(value: float, top: float) -> None:
    assert nice_maximum(value) == top


def test_long_names_are_shortened_in_the_label() -> None:
    root = parse(line_chart([Series("Indre Østfold kommune", [50.0])], ["x"], title="t", description="d", id_prefix="l"))
    assert "Indre Østf… 50" in texts(root)


def test_text_is_escaped() -> None:
    root = parse(line_chart([Series("<i>", [10.0])], ["<b>&"], title="a < b", description="d", id_prefix="x"))
    assert "<b>&" in texts(root) and "<i> 10" in texts(root)
    assert root.find("svg:title", NS).text == "a < b"  # type: ignore[union-attr]


def bars(groups: list[Bars], labels: list[str]) -> ET.Element:
    return parse(bar_chart(groups, labels, title="Endringer", description="Åpne og gjennomførte", id_prefix="b"))


def rects(root: ET.Element, series: str) -> list[ET.Element]:
    group = root.find(f"svg:g[@data-series='{series}']", NS)
    assert group is not None
    return group.findall("svg:rect", NS)


def test_bars_have_heights_in_proportion_and_a_legend() -> None:
    root = bars([Bars("Åpne", [2.0, 4.0]), Bars("Gjennomført", [0.0, 1.0])], ["jan", "feb"])
    assert root.get("role") == "img" and root.get("aria-labelledby") == "b-title b-desc"
    opened = [float(r.get("height", "0")) for r in rects(root, "Åpne")]
    done = [float(r.get("height", "0")) for r in rects(root, "Gjennomført")]
    assert opened[1] == pytest.approx(2 * opened[0]) and done[0] == 0
    assert opened[1] == pytest.approx(4 * done[1])
    # The second series is an outline: it differs from the first without colour.
    assert rects(root, "Gjennomført")[0].get("fill") == "#ffffff"
    assert "Åpne" in texts(root) and "Gjennomført" in texts(root)


def test_bars_with_room_carry_their_values() -> None:
    root = bars([Bars("Åpne", [3.0, 0.0])], ["jan", "feb"])
    values = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "chart__value"]
    assert values == ["3", "0"]


def test_bars_without_values_say_so() -> None:
    root = parse(bar_chart([Bars("Åpne", [])], [], title="t", description="d", id_prefix="e", empty_text="Ingen"))
    assert "Ingen" in texts(root)
    assert root.find(".//svg:g[@data-series]", NS) is None


def test_bars_of_100_fill_a_percent_axis() -> None:
    root = parse(bar_chart([Bars("Andel", [100.0, 0.0])], ["a", "b"], title="t", description="d", id_prefix="p",
                           percent=True))
    heights = [float(r.get("height", "0")) for r in rects(root, "Andel")]
    assert heights[0] > 0 and heights[1] == 0
    assert "100 %" in texts(root)
