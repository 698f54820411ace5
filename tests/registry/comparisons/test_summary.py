"""A stored comparison carries the differences grouped for reading, beside the full list."""

from __future__ import annotations

from processes.align import Alignment
from processes.compare import Comparison, compare
from processes.diff import Difference, DifferenceKind
from processes.model import Flow, Process, Step
from processes.similarity import Similarity
from registry.graphs import comparison_result


def test_many_flow_differences_are_grouped_by_step() -> None:
    a, b = Process(), Process()
    for p in (a, b):
        for x in "PQRST":
            p.add_step(Step(x, f"Steg {x}"))
    extra = [Difference(DifferenceKind.EXTRA_FLOW, ("P", y), ("P", y)) for y in "QRST"]
    missing = [Difference(DifferenceKind.MISSING_FLOW, xy, xy) for xy in [("Q", "R"), ("P", "S"), ("S", "T")]]
    comparison = Comparison(a, b, Alignment((), (), ()), tuple(extra + missing), Similarity(1.0, 1.0, 1.0, 1.0))
    result = comparison_result(comparison)
    for lang in ("nb", "en"):
        assert len(result[lang]["differences"]) == 7
        assert 1 <= len(result[lang]["summary"]) < 7
    assert "flyten" in result["nb"]["summary"][0]


def test_few_differences_are_said_one_by_one() -> None:
    def chain(*labels: str) -> Process:
        p = Process()
        for i, label in enumerate(labels):
            p.add_step(Step(f"s{i}", label))
            if i:
                p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
        return p

    result = comparison_result(compare(chain("Motta søknad", "Befaring", "Fatte vedtak"), chain("Motta søknad", "Fatte vedtak")))
    assert result["nb"]["summary"] == [d["text"] for d in result["nb"]["differences"]]
