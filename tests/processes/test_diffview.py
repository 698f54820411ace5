"""The diff diagram: every status visible by line style or shape, a legend, literal labels."""

from __future__ import annotations

import itertools
import re

import pytest

from processes.align import Alignment, Match, MatchKind
from processes.compare import Comparison, compare
from processes.diffview import diff_diagram, diff_process
from processes.model import Flow, Process, Step


def chain(*labels: str) -> Process:
    p = Process()
    for label in labels:
        p.add_step(Step(label.split()[0].lower(), label))
    for x, y in itertools.pairwise(labels):
        p.add_flow(Flow(x.split()[0].lower(), y.split()[0].lower()))
    return p


STANDARD = chain(
    "Motta søknad", "Vurdere søknaden", "Befaring", "Nabovarsel sendes", "Fatte vedtak"
)
VARIANT = chain(
    "Motta søknad", "Befaring", "Vurdere søknaden", "Fatte avgjørelse", "Arkivere saken"
)
ALIGNMENT = Alignment(
    (
        Match(("motta",), ("motta",), 1.0, MatchKind.IDENTICAL),
        Match(("vurdere",), ("vurdere",), 1.0, MatchKind.IDENTICAL),
        Match(("befaring",), ("befaring",), 1.0, MatchKind.IDENTICAL),
        Match(("fatte",), ("fatte",), 0.9, MatchKind.RENAMED),
    ),
    ("nabovarsel",),
    ("arkivere",),
)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(STANDARD, VARIANT, alignment=ALIGNMENT, b_name="Malvik")


def node_line(dot: str, label_start: str) -> str:
    (line,) = [
        x for x in dot.splitlines() if re.search(r"label=<" + re.escape(label_start), x)
    ]
    return line


def test_each_status_has_its_own_line_style_shape_and_symbol(
    comparison: Comparison,
) -> None:
    dot = diff_diagram(comparison, "dot").decode()
    plain = node_line(dot, "Motta søknad")
    renamed = node_line(dot, "Fatte avgjørelse")
    ghost = node_line(dot, "Nabovarsel sendes")
    extra = node_line(dot, "Arkivere saken")
    moved = node_line(dot, "Befaring")
    assert (
        "dashed" not in plain and "dotted" not in plain and "peripheries" not in plain
    )
    assert "dashed" in renamed and "✎" in renamed
    assert "dotted" in ghost and "−" in ghost
    assert 'peripheries="2"' in extra and "+" in extra
    assert "↕" in moved and "penwidth" in moved and "peripheries" not in moved
    styles = {
        tuple(
            sorted(
                re.findall(r'(style="[^"]*"|peripheries="\d"|penwidth="[^"]*")', line)
            )
        )
        for line in (plain, renamed, ghost, extra, moved)
    }
    assert len(styles) == 5, "five statuses, five distinct outlines"


def test_ghost_sits_between_its_neighbours_with_dotted_flows(
    comparison: Comparison,
) -> None:
    drawn, status, flows = diff_process(
        STANDARD, VARIANT, ALIGNMENT, comparison.differences
    )
    (ghost,) = [sid for sid, s in status.items() if s == "missing"]
    assert drawn.step(ghost).label == "Nabovarsel sendes"
    assert {(u, v) for (u, v), s in flows.items() if s == "missing"} == {
        ("befaring", ghost),
        (ghost, "fatte"),
    }
    assert len(VARIANT.steps) == 5, "the variant itself is not changed"


def test_legend_and_title(comparison: Comparison) -> None:
    dot = diff_diagram(comparison, "dot").decode()
    for text in (
        "Forklaring",
        "Likt i begge",
        "Nytt navn",
        "Mangler (vist fra standarden)",
        "Bare i Malvik",
        "Flyttet",
    ):
        assert text in dot
    assert "Malvik sammenlignet med standarden" in dot
    english = diff_diagram(comparison, "dot", lang="en").decode()
    for text in (
        "Legend",
        "Same in both",
        "Renamed",
        "Missing (shown from the standard)",
        "Only in Malvik",
        "Moved",
    ):
        assert text in english


def test_hover_text_explains_the_step(comparison: Comparison) -> None:
    dot = diff_diagram(comparison, "dot").decode()
    assert (
        "Steget «Nabovarsel sendes» finnes i standarden, men mangler i Malvik."
        in node_line(dot, "Nabovarsel sendes")
    )


@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]
)
def test_formats(comparison: Comparison, fmt: str, magic: bytes) -> None:
    assert diff_diagram(comparison, fmt).startswith(magic)  # type: ignore[arg-type]


def test_accepts_the_parts_of_a_comparison(comparison: Comparison) -> None:
    parts = (STANDARD, VARIANT, ALIGNMENT, comparison.differences)
    assert diff_diagram(parts, "dot", b_name="Malvik") == diff_diagram(
        comparison, "dot"
    )


def test_labels_stay_literal_text() -> None:
    a = chain('Sende <b>vedtak</b> & "kopi"', "Arkivere")
    b = chain("Arkivere")
    svg = diff_diagram(compare(a, b), "svg").decode()
    assert "<b>vedtak</b>" not in svg
    assert "&lt;b&gt;vedtak&lt;/b&gt;" in svg


def test_unknown_language_is_refused(comparison: Comparison) -> None:
    with pytest.raises(ValueError, match="lang"):
        diff_diagram(comparison, "svg", lang="fr")


def test_a_renamed_step_that_moved_shows_both_symbols() -> None:
    a = chain(
        "Motta søknad", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak"
    )
    b = chain("Motta søknad", "Befaring", "Vurdere søknaden", "Fatte vedtak")
    b_ids = {s.label: s.id for s in b.steps}
    alignment = Alignment(
        (
            Match(("motta",), (b_ids["Motta søknad"],), 1.0, MatchKind.IDENTICAL),
            Match(("vurdere",), (b_ids["Vurdere søknaden"],), 1.0, MatchKind.IDENTICAL),
            Match(("gjennomføre",), (b_ids["Befaring"],), 0.7, MatchKind.RENAMED),
            Match(("fatte",), (b_ids["Fatte vedtak"],), 1.0, MatchKind.IDENTICAL),
        ),
        (),
        (),
    )
    dot = diff_diagram(compare(a, b, alignment=alignment), "dot").decode()
    line = node_line(dot, "Befaring")
    assert "↕" in line and "✎" in line
