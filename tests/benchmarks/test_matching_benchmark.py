"""The matching benchmark's own parts: the Norwegian loader, the confirmed pairs of the learning curve, its scoring."""

from __future__ import annotations

from benchmarks.matching import (
    Case,
    given_pairs,
    learning_curve,
    load_norwegian,
    norwegian_baseline,
)
from processes.model import Flow, Process, Step


def _chain(labels: list[str], prefix: str) -> Process:
    p = Process(prefix)
    for i, label in enumerate(labels):
        p.add_step(Step(f"{prefix}{i}", label))
        if i:
            p.add_flow(Flow(f"{prefix}{i - 1}", f"{prefix}{i}"))
    return p


def test_the_norwegian_set_loads_with_every_gold_pair_on_named_steps() -> None:
    cases = load_norwegian()
    assert len(cases) == 12 and sum(len(c.gold) for c in cases) == 226
    for case in cases:
        named_a = {s.id for s in case.a.steps if s.label.strip()}
        named_b = {s.id for s in case.b.steps if s.label.strip()}
        assert {x for x, _y in case.gold} <= named_a and {y for _x, y in case.gold} <= named_b, case.name


def test_confirmed_pairs_are_one_to_one_seeded_and_at_most_k() -> None:
    gold = frozenset({("a0", "b0"), ("a0", "b1"), ("a1", "b2"), ("a2", "b2"), ("a3", "b3")})
    case = Case("x", _chain(["x"] * 4, "a"), _chain(["y"] * 4, "b"), gold)
    given = given_pairs(case, 5)
    assert given <= gold and len({x for x, _ in given}) == len(given) == len({y for _, y in given}) == 3
    assert given_pairs(case, 5) == given and len(given_pairs(case, 1)) == 1 and given_pairs(case, 0) == frozenset()


def test_the_learning_curve_scores_only_the_pairs_not_given() -> None:
    labels = ["Motta søknad", "Vurdere søknaden", "Fatte vedtak", "Sende vedtak"]
    a, b = _chain(labels, "a"), _chain(labels, "b")
    case = Case("same", a, b, frozenset((f"a{i}", f"b{i}") for i in range(4)))
    curve = learning_curve([case], (0, 2), scored=lambda p: {s.id for s in p.steps})
    assert (curve[0].tp, curve[0].fp, curve[0].fn) == (4, 0, 0)
    assert (curve[2].tp, curve[2].fp, curve[2].fn) == (2, 0, 0)
    assert norwegian_baseline(a, b) == case.gold
