"""The inductive miner: known structures come out of logs that show them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.conformance import conformance
from processes.discover import (
    ProcessTree,
    discover_process,
    discover_tree,
    tree_to_process,
)
from processes.exceptions import InputTooLargeError
from processes.formats import read_process, write_process
from processes.formats.eventlog import read_xes, read_xes_variants
from processes.model import GatewayKind, Process


def _tree(log: dict[tuple[str, ...], int], **options: float) -> str:
    return str(discover_tree(log, **options))


def _kinds(p: Process) -> list[GatewayKind]:
    return sorted(g.kind for g in p.gateways)


def test_an_exclusive_choice() -> None:
    log = {("a", "b", "d"): 6, ("a", "c", "d"): 4}
    assert _tree(log) == "→(a, ×(b, c), d)"
    p = discover_process(log)
    assert _kinds(p) == [GatewayKind.EXCLUSIVE] * 2
    split = next(g.id for g in p.gateways if "split" in g.id)
    out = {f.target: f.metrics["frequency"] for f in p.flows if f.source == split}
    assert out == {"b": 6, "c": 4}


def test_a_parallel_block() -> None:
    log = {("a", "b", "c", "d"): 5, ("a", "c", "b", "d"): 5}
    assert _tree(log) == "→(a, ∧(b, c), d)"
    p = discover_process(log)
    assert _kinds(p) == [GatewayKind.PARALLEL] * 2
    assert {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")} <= set(p.step_graph().edges)


def test_an_optional_step_keeps_its_share_of_the_cases() -> None:
    log = {("a", "b", "c"): 97, ("a", "c"): 3}
    # 3 % is noise for IMf's default threshold, a real option without filtering.
    assert _tree(log) == "→(a, b, c)"
    assert _tree(log, noise_threshold=0) == "→(a, ×(τ, b), c)"
    rare = {("a", "b", "c"): 3, ("a", "c"): 97}
    assert _tree(rare) == "→(a, ×(τ, b), c)"
    p = discover_process(rare)
    assert p.step("b").metrics == {"frequency": 3, "cases": 3, "case_share": 0.03}
    skip = [f for f in p.flows if f.source.startswith("__xor_split") and f.target.startswith("__xor_join")]
    assert [f.metrics["frequency"] for f in skip] == [97]


def test_a_loop() -> None:
    log = {("a", "b", "c"): 4, ("a", "b", "c", "d", "b", "c"): 3, ("a", "b", "c", "d", "b", "c", "d", "b", "c"): 1}
    assert _tree(log) == "→(a, ↺(→(b, c), d))"
    p = discover_process(log)
    back = [f for f in p.flows if f.source == "d"]
    assert len(back) == 1 and back[0].metrics["frequency"] == 5  # 3 + 2 rounds


def test_a_repeated_single_activity_is_a_loop() -> None:
    assert _tree({("a", "a", "a"): 2, ("a",): 2}) == "↺(a, τ)"


def test_a_log_of_empty_traces_is_a_silent_step() -> None:
    tree = discover_tree({(): 3})
    assert tree == ProcessTree("tau", traces=3)
    p = tree_to_process(tree)
    assert [(f.source, f.target) for f in p.flows] == [("__start__", "__end__")]


def test_infrequent_behaviour_is_left_out_with_noise_and_kept_without() -> None:
    log = {("a", "b", "c"): 50, ("a", "c", "b"): 50, ("a", "b"): 2}
    assert _tree(log) == "→(a, ∧(b, c))"
    exact = discover_process(log, noise_threshold=0)
    assert conformance(exact, log).fitness == 1.0


@pytest.mark.parametrize(
    "log",
    [
        {("a", "b", "d"): 6, ("a", "c", "d"): 4},
        {("a", "b", "c", "d"): 5, ("a", "c", "b", "d"): 5},
        {("a", "b", "c"): 3, ("a", "c"): 97},
        {("a", "b", "c"): 4, ("a", "b", "c", "d", "b", "c"): 3},
        {("x", "y", "z", "x"): 2, ("z", "y"): 3, ("y",): 1, ("x", "x", "z"): 2},  # no cut fits: fall-throughs
    ],
)
def test_a_discovered_process_validates_replays_and_round_trips(log: dict[tuple[str, ...], int]) -> None:
    p = discover_process(log, noise_threshold=0)
    assert p.validate() == []
    for step in p.steps:  # one way in and out; branching is done by gateways
        assert p.graph.in_degree(step.id) <= 1 and p.graph.out_degree(step.id) <= 1
    assert conformance(p, log).fitness == 1.0  # the plain inductive miner fits every trace
    assert read_process(write_process(p, "yaml"), filename="p.yaml") == p


def test_an_activity_named_like_a_gateway_keeps_its_name() -> None:
    p = discover_process({("__xor_split_1__", "b"): 3, ("__xor_split_1__",): 2}, noise_threshold=0)
    assert "__xor_split_1__" in p and p.step("__xor_split_1__").label == "__xor_split_1__"
    assert p.validate() == []


def test_too_many_activities_are_refused_with_a_hint() -> None:
    with pytest.raises(InputTooLargeError, match="at most 3") as error:
        discover_tree({("a", "b", "c", "d"): 1}, max_activities=3)
    assert "min_activity_frequency" in str(error.value)


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "0.2", True])
def test_nonsense_thresholds_are_refused(threshold: object) -> None:
    with pytest.raises(ValueError, match="noise_threshold"):
        discover_tree({("a",): 1}, noise_threshold=threshold)  # type: ignore[arg-type]


def test_bpic15_discovered_model_fits_better_than_the_directly_follows_graph(shared_data: Path) -> None:
    path = shared_data / "matching" / "bpic15" / "xes" / "BPIC15_1_05_EIND.xes"
    mined = read_xes(path, label_attribute="activityNameEN")
    dfg = read_xes(path, label_attribute="activityNameEN", miner="dfg")
    log = read_xes_variants(path, label_attribute="activityNameEN")
    assert sum(log.values()) == int(mined.metadata["cases"])
    assert mined.validate() == []
    assert mined.metadata["miner"] == "inductive" and GatewayKind.EXCLUSIVE in {g.kind for g in mined.gateways}
    assert any(s.metrics["case_share"] < 0.04 for s in mined.steps)  # rare steps keep their share
    ours, theirs = conformance(mined, log), conformance(dfg, log)
    # Read as the model reads it (several flows out of a step all start), no case fits the graph.
    assert theirs.fitting_traces == 0 and ours.fitting_traces > 0.8 * ours.traces
    assert ours.fitness > 0.95 > theirs.fitness


def _accepts(tree: ProcessTree, trace: tuple[str, ...]) -> bool:
    """Whether ``tree`` can do ``trace`` (children of an inductive-miner tree have disjoint activities)."""
    from functools import cache

    @cache
    def fits(node: ProcessTree, w: tuple[str, ...]) -> bool:
        op, kids = node.operator, node.children
        if op == "tau":
            return not w
        if op == "activity":
            return w == (node.label,)
        if not set(w) <= node.activities():
            return False
        if op == "xor":
            return any(fits(k, w) for k in kids)
        if op == "parallel":
            return all(fits(k, tuple(a for a in w if a in k.activities())) for k in kids)
        if op == "sequence":
            return seq(kids, w)
        # loop: body (redo body)*
        body, redos = kids[0], kids[1:]
        return loop(body, redos, w)

    def seq(kids: tuple[ProcessTree, ...], w: tuple[str, ...]) -> bool:
        if not kids:
            return not w
        return any(fits(kids[0], w[:i]) and seq(kids[1:], w[i:]) for i in range(len(w) + 1))

    @cache
    def loop(body: ProcessTree, redos: tuple[ProcessTree, ...], w: tuple[str, ...]) -> bool:
        for i in range(len(w) + 1):
            if fits(body, w[:i]):
                if i == len(w):
                    return True
                for j in range(max(i, 1), len(w) + 1):  # a round may be empty, but the word shrinks
                    if any(fits(r, w[i:j]) for r in redos) and loop(body, redos, w[j:]):
                        return True
        return False

    return fits(tree, trace)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.sampled_from("abcdef"), max_size=6), min_size=1, max_size=12),
    st.sampled_from([0, 0.2]),
)
def test_the_plain_inductive_miner_can_do_every_trace_of_the_log(traces: list[list[str]], noise: float) -> None:
    tree = discover_tree(traces, noise_threshold=noise)
    assert tree.activities() == {a for t in traces for a in t}  # filtering never loses an activity
    if noise == 0:
        assert all(_accepts(tree, tuple(t)) for t in traces), str(tree)
    assert discover_process(traces, noise_threshold=noise).validate() == []


def test_token_replay_fits_the_plain_miners_model_where_no_loop_sits_in_a_parallel_block() -> None:
    log = [["a", "b", "c", "d"], ["a", "c", "b", "d"], ["a", "d"], ["a", "b", "c", "e", "b", "c", "d"]]
    p = discover_process(log, noise_threshold=0)
    assert conformance(p, log).fitness == 1.0
