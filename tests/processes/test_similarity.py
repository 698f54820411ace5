"""Similarity measures and behavioural profiles."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from processes.align import Alignment, Match, MatchKind
from processes.compare import compare
from processes.generate import generate_variants, synthetic_process
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind
from processes.similarity import (
    EditCosts,
    Relation,
    behavioural_similarity,
    graph_edit_distance,
    label_similarity,
    mapping_cost,
    networkx_costs,
    profile,
    similarities,
    structural_similarity,
)


def build(
    steps: list[str], flows: list[str], gateways: dict[str, GatewayKind] | None = None
) -> Process:
    """Steps named by their id; flows 'a -> b'."""
    p = Process()
    for s in steps:
        p.add_step(Step(s, s.capitalize()))
    for g, kind in (gateways or {}).items():
        p.add_gateway(Gateway(g, kind))
    for f in flows:
        u, v = (x.strip() for x in f.split("->"))
        p.add_flow(Flow(u, v))
    return p


def chain(*labels: str, prefix: str = "s") -> Process:
    p = Process()
    for i, label in enumerate(labels):
        p.add_step(Step(f"{prefix}{i}", label))
        if i:
            p.add_flow(Flow(f"{prefix}{i - 1}", f"{prefix}{i}"))
    return p


def exact(a: Process, b: Process) -> Alignment:
    """Match steps with equal labels one to one (enough for hand-built cases)."""
    by_label = {s.label: s.id for s in b.steps}
    matches = tuple(
        Match((s.id,), (by_label[s.label],), 1.0, MatchKind.IDENTICAL)
        for s in a.steps
        if s.label in by_label
    )
    matched_b = {m.b[0] for m in matches}
    return Alignment(
        matches,
        tuple(s.id for s in a.steps if s.label not in by_label),
        tuple(s.id for s in b.steps if s.id not in matched_b),
    )


def swap(alignment: Alignment) -> Alignment:
    kinds = {MatchKind.SPLIT: MatchKind.MERGED, MatchKind.MERGED: MatchKind.SPLIT}
    return Alignment(
        tuple(
            Match(m.b, m.a, m.score, kinds.get(m.kind, m.kind))
            for m in alignment.matches
        ),
        alignment.extra,
        alignment.missing,
    )


def truth_alignment(truth: object) -> Alignment:
    matches = tuple(
        Match(
            c.standard,
            c.variant,
            1.0 if c.kind == "identical" else 0.8,
            MatchKind(c.kind),
        )
        for c in truth  # type: ignore[attr-defined]
    )
    return Alignment(matches, (), ())


PARALLEL = build(
    ["a", "b", "c", "d"],
    ["a -> x", "x -> b", "x -> c", "b -> j", "c -> j", "j -> d"],
    {"x": GatewayKind.PARALLEL, "j": GatewayKind.PARALLEL},
)
CHOICE = build(
    ["a", "b", "c", "d"],
    ["a -> x", "x -> b", "x -> c", "b -> j", "c -> j", "j -> d"],
    {"x": GatewayKind.EXCLUSIVE, "j": GatewayKind.EXCLUSIVE},
)


# -- behavioural profile -------------------------------------------------------


def test_sequence_gives_strict_order_both_ways() -> None:
    prof = profile(chain("A", "B", "C"))
    assert prof.relation("s0", "s2") == Relation.BEFORE
    assert prof.relation("s2", "s0") == Relation.AFTER


def test_parallel_branches_are_concurrent() -> None:
    prof = profile(PARALLEL)
    assert prof.relation("b", "c") == Relation.CONCURRENT
    assert prof.relation("a", "c") == Relation.BEFORE


def test_exclusive_branches_are_exclusive() -> None:
    assert profile(CHOICE).relation("b", "c") == Relation.EXCLUSIVE


def test_steps_in_a_loop_repeat() -> None:
    p = build(
        ["a", "b", "c", "d"],
        ["a -> b", "b -> c", "c -> x", "x -> b", "x -> d"],
        {"x": GatewayKind.EXCLUSIVE},
    )
    assert profile(p).relation("b", "c") == Relation.REPEATED
    assert profile(p).relation("a", "d") == Relation.BEFORE


def test_parallel_branches_are_mandatory_exclusive_ones_optional() -> None:
    assert profile(PARALLEL).mandatory == (True, True, True, True)
    assert profile(CHOICE).mandatory == (True, False, False, True)


def test_implicit_parallel_split_from_a_task() -> None:
    p = build(["a", "b", "c", "d"], ["a -> b", "a -> c", "b -> d", "c -> d"])
    assert profile(p).relation("b", "c") == Relation.CONCURRENT
    assert profile(p).mandatory == (True, True, True, True)


def test_boundary_event_is_an_alternative_way_out() -> None:
    p = build(["a", "b", "c"], ["a -> b", "t -> c"])
    p.add_step(Step("t", "Frist utløpt", StepKind.BOUNDARY_EVENT, attached_to="a"))
    prof = profile(p)
    assert prof.relation("a", "t") == Relation.BEFORE
    assert prof.relation("b", "t") == Relation.EXCLUSIVE
    assert prof.mandatory[prof.index["b"]] is False


def test_subprocess_steps_lie_between_its_neighbours() -> None:
    p = Process()
    p.add_step(Step("before", "Før"))
    p.add_step(Step("sub", "Delprosess", StepKind.SUBPROCESS))
    p.add_step(Step("in1", "Inne 1", parent="sub"))
    p.add_step(Step("in2", "Inne 2", parent="sub"))
    p.add_step(Step("after", "Etter"))
    for u, v in [("before", "sub"), ("sub", "after"), ("in1", "in2")]:
        p.add_flow(Flow(u, v))
    prof = profile(p)
    assert prof.relation("before", "in1") == Relation.BEFORE
    assert prof.relation("in2", "after") == Relation.BEFORE
    assert prof.mandatory[prof.index["in2"]] is True


# -- measures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "process",
    [PARALLEL, CHOICE, synthetic_process(30, seed=4)],
    ids=["and", "xor", "synthetic"],
)
def test_self_comparison_scores_one(process: Process) -> None:
    sim = compare(process, process).similarity
    assert sim.as_dict() == {
        "overall": 1.0,
        "labels": 1.0,
        "structure": 1.0,
        "behaviour": 1.0,
    }


def test_unrelated_processes_score_zero() -> None:
    a = chain("Motta søknad", "Fatte vedtak")
    b = chain("Bestille kaffe", "Male gjerdet")
    sim = similarities(
        profile(a), profile(b), Alignment((), ("s0", "s1"), ("s0", "s1"))
    )
    assert sim.as_dict() == {
        "overall": 0.0,
        "labels": 0.0,
        "structure": 0.0,
        "behaviour": 0.0,
    }


def test_measures_are_symmetric_for_generated_variants() -> None:
    std = synthetic_process(25, seed=7)
    for variant in generate_variants(std, 6, seed=8, edits=(2, 5)):
        al = truth_alignment(variant.truth)
        pa, pb = profile(std), profile(variant.process)
        assert similarities(pa, pb, al) == similarities(pb, pa, swap(al))


def test_compare_is_symmetric() -> None:
    std = synthetic_process(20, seed=11)
    for variant in generate_variants(std, 3, seed=12, edits=(1, 4)):
        forward = compare(std, variant.process).similarity.as_dict()
        backward = compare(variant.process, std).similarity.as_dict()
        assert forward == pytest.approx(backward, abs=1e-9)


def test_each_measure_drops_for_its_own_kind_of_change() -> None:
    a = chain("Motta søknad", "Vurdere søknaden", "Befaring", "Fatte vedtak")
    reordered = chain("Motta søknad", "Befaring", "Vurdere søknaden", "Fatte vedtak")
    renamed = chain(
        "Motta søknad",
        "Vurdere søknaden",
        "Gjennomføre befaring på stedet",
        "Fatte vedtak",
    )
    pa = profile(a)
    order_al = exact(a, reordered)
    assert label_similarity(pa, profile(reordered), order_al) == 1.0
    assert behavioural_similarity(pa, profile(reordered), order_al) < 1.0
    assert structural_similarity(pa, profile(reordered), order_al) < 1.0
    rename_al = Alignment(
        tuple(
            Match(
                (f"s{i}",),
                (f"s{i}",),
                1.0,
                MatchKind.IDENTICAL if i != 2 else MatchKind.RENAMED,
            )
            for i in range(4)
        ),
        (),
        (),
    )
    assert label_similarity(pa, profile(renamed), rename_al) < 1.0
    assert behavioural_similarity(pa, profile(renamed), rename_al) == 1.0


def test_split_counts_every_step_it_covers() -> None:
    a = chain("Motta søknad", "Behandle", "Fatte vedtak")
    b = chain("Motta søknad", "Behandle del 1", "Behandle del 2", "Fatte vedtak")
    al = Alignment(
        (
            Match(("s0",), ("s0",), 1.0, MatchKind.IDENTICAL),
            Match(("s1",), ("s1", "s2"), 0.9, MatchKind.SPLIT),
            Match(("s2",), ("s3",), 1.0, MatchKind.IDENTICAL),
        ),
        (),
        (),
    )
    pa, pb = profile(a), profile(b)
    assert label_similarity(pa, pb, al) == pytest.approx((2 + 2 + 0.9 * 3) / 7)
    # The split group is one node: the chain structure and order are unchanged.
    assert behavioural_similarity(pa, pb, al) == 1.0
    # fsubn = (1 - 0.9) / 3 matches; nodes and edges all kept; equal weights.
    assert structural_similarity(pa, pb, al) == pytest.approx(1 - (0.1 / 3) / 3)


# -- graph edit distance ---------------------------------------------------------


def random_graph(rng: random.Random, n: int, labels: list[str]) -> Process:
    p = Process()
    for i in range(n):
        p.add_step(Step(f"n{i}", rng.choice(labels)))
    for i in range(1, n):
        p.add_flow(Flow(f"n{rng.randrange(i)}", f"n{i}"))
    for _ in range(rng.randrange(2)):
        u, v = rng.sample(range(n), 2)
        p.add_flow(Flow(f"n{u}", f"n{v}"))
    return p


def brute_force_distance(a: Process, b: Process) -> float:
    ids_a, ids_b = [s.id for s in a.steps], [s.id for s in b.steps]
    return min(
        mapping_cost(a, b, list(zip(sa, sb)))
        for k in range(min(len(ids_a), len(ids_b)) + 1)
        for sa in itertools.combinations(ids_a, k)
        for sb in itertools.permutations(ids_b, k)
    )


def test_edit_distance_is_optimal_on_small_graphs() -> None:
    rng = random.Random(3)
    labels = [
        "Motta søknad",
        "Vurdere søknad",
        "Fatte vedtak",
        "Sende vedtak",
        "Arkivere",
    ]
    for _ in range(6):
        a, b = random_graph(rng, 4, labels), random_graph(rng, 4, labels)
        ours = graph_edit_distance(a, b)
        assert ours is not None and ours.optimal
        assert ours.cost == pytest.approx(brute_force_distance(a, b))


def test_edit_distance_uses_the_networkx_cost_model() -> None:
    # networkx scores our mapping the same when that mapping is forced on it
    # (its unrooted search is not always optimal, so compare with roots).
    rng = random.Random(5)
    labels = ["Motta søknad", "Vurdere søknad", "Fatte vedtak", "Sende vedtak"]
    a, b = random_graph(rng, 4, labels), random_graph(rng, 4, labels)
    ours = graph_edit_distance(a, b)
    assert ours is not None
    root = ours.mapping[0]
    forced = nx.graph_edit_distance(
        a.step_graph(), b.step_graph(), roots=root, **networkx_costs(a, b)
    )
    assert forced is not None and forced >= ours.cost - 1e-9
    assert (
        nx.graph_edit_distance(a.step_graph(), b.step_graph(), **networkx_costs(a, b))
        >= ours.cost - 1e-9
    )


def test_edit_distance_cost_is_the_cost_of_its_mapping() -> None:
    a = synthetic_process(15, seed=1)
    b = generate_variants(a, 1, seed=2, edits=4)[0].process
    result = graph_edit_distance(a, b, costs=EditCosts(node=1, edge=0.5, substitute=2))
    assert result is not None
    assert result.cost == pytest.approx(
        mapping_cost(
            a, b, result.mapping, costs=EditCosts(node=1, edge=0.5, substitute=2)
        )
    )


def test_edit_distance_respects_upper_bound() -> None:
    a, b = chain("A", "B", "C"), chain("X", "Y")
    assert graph_edit_distance(a, b, upper_bound=0.5) is None
    assert graph_edit_distance(a, a, upper_bound=0.0) is not None
