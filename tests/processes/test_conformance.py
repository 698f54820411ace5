"""Token-replay fitness and escaping-edges precision, on tiny logs with hand-computed values."""

from __future__ import annotations

import pytest

from processes.conformance import conformance, fitness, precision
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind


def _process(steps: list[str], gateways: dict[str, GatewayKind], flows: list[tuple[str, str]]) -> Process:
    p = Process()
    p.add_step(Step("s", "", StepKind.START_EVENT))
    for x in steps:
        p.add_step(Step(x, x))
    p.add_step(Step("e", "", StepKind.END_EVENT))
    for g, kind in gateways.items():
        p.add_gateway(Gateway(g, kind))
    for u, v in flows:
        p.add_flow(Flow(u, v))
    return p


@pytest.fixture
def chain() -> Process:
    return _process(["a", "b", "c"], {}, [("s", "a"), ("a", "b"), ("b", "c"), ("c", "e")])


@pytest.fixture
def choice() -> Process:
    x = GatewayKind.EXCLUSIVE
    return _process(
        ["a", "b", "c"],
        {"x": x, "j": x},
        [("s", "x"), ("x", "a"), ("x", "b"), ("a", "j"), ("b", "j"), ("j", "c"), ("c", "e")],
    )


@pytest.fixture
def both() -> Process:
    x = GatewayKind.PARALLEL
    return _process(
        ["a", "b"], {"x": x, "j": x}, [("s", "x"), ("x", "a"), ("x", "b"), ("a", "j"), ("b", "j"), ("j", "e")]
    )


def test_a_fitting_trace_has_fitness_and_precision_one(chain: Process) -> None:
    c = conformance(chain, [["a", "b", "c"]])
    assert (c.fitness, c.precision, c.fitting_traces, c.missing, c.remaining) == (1.0, 1.0, 1, 0, 0)


def test_a_skipped_step_costs_one_missing_and_one_remaining_token(chain: Process) -> None:
    # Start, a, (c forced), end: 6 tokens produced and consumed, 1 missing (c's), 1 left (b's).
    c = conformance(chain, [["a", "c"]])
    assert (c.produced, c.consumed, c.missing, c.remaining) == (6, 6, 1, 1)
    assert c.fitness == pytest.approx(5 / 6, abs=1e-6)
    assert c.fitting_traces == 0


def test_an_activity_the_model_lacks_counts_as_one_missing_token(chain: Process) -> None:
    c = conformance(chain, [["a", "x", "b", "c"]])
    assert (c.produced, c.consumed, c.missing, c.remaining) == (7, 8, 1, 0)
    assert c.fitness == pytest.approx(0.5 * (1 - 1 / 8) + 0.5, abs=1e-6)
    assert c.unknown_activities == ("x",)


def test_fitness_weights_traces_by_their_count(chain: Process) -> None:
    # 3 clean traces of 7 tokens each way, and the one with a skip (6 each way, 1 missing, 1 left).
    value = fitness(chain, {("a", "b", "c"): 3, ("a", "c"): 1})
    assert value == pytest.approx(1 - 1 / 27, abs=1e-6)


def test_a_choice_never_taken_lowers_precision(choice: Process) -> None:
    # Before the first event a and b are allowed, only a is seen: 1 escaping of 2; after a only c.
    assert precision(choice, [["a", "c"]] * 3) == pytest.approx(1 - 3 / 9, abs=1e-6)
    assert precision(choice, [["a", "c"], ["b", "c"]]) == 1.0
    assert fitness(choice, [["a", "c"], ["b", "c"]]) == 1.0


def test_parallel_branches_replay_in_any_order(both: Process) -> None:
    c = conformance(both, [["a", "b"], ["b", "a"]])
    assert (c.fitness, c.precision) == (1.0, 1.0)
    # Only one order seen: at the start b was allowed but never came first.
    assert precision(both, [["a", "b"]]) == pytest.approx(2 / 3, abs=1e-6)


def test_a_parallel_join_waits_for_both_branches(both: Process) -> None:
    c = conformance(both, [["a"]])
    assert c.missing == 1 and c.fitness < 1


def test_a_directly_follows_graph_is_read_as_the_model_reads_it_or_as_choices() -> None:
    dfg = _process(["a", "b", "c"], {}, [("s", "a"), ("a", "b"), ("a", "c"), ("b", "e"), ("c", "e")])
    # Implicit parallel split after a: c's token is left over (1 of 7 produced).
    c = conformance(dfg, [["a", "b"]])
    assert (c.produced, c.remaining, c.missing) == (7, 1, 0)
    assert c.fitness == pytest.approx(0.5 + 0.5 * (1 - 1 / 7), abs=1e-6)
    assert conformance(dfg, [["a", "b"], ["a", "c"]], implicit_split="exclusive").fitness == 1.0


def test_a_loop_replays_any_number_of_rounds() -> None:
    x = GatewayKind.EXCLUSIVE
    loop = _process(["a", "b"], {"j": x, "x": x}, [("s", "j"), ("j", "a"), ("a", "x"), ("x", "b"), ("b", "j"), ("x", "e")])
    c = conformance(loop, [["a"], ["a", "b", "a"], ["a", "b", "a", "b", "a"]])
    assert (c.fitness, c.precision, c.fitting_traces) == (1.0, 1.0, 3)


def test_duplicate_labels_pick_the_step_that_lets_the_trace_go_on() -> None:
    x = GatewayKind.EXCLUSIVE
    p = _process(["b", "c"], {"x": x, "j": x}, [])
    p.add_step(Step("a1", "a"))
    p.add_step(Step("a2", "a"))
    for u, v in [("s", "x"), ("x", "a1"), ("x", "a2"), ("a1", "b"), ("a2", "c"), ("b", "j"), ("c", "j"), ("j", "e")]:
        p.add_flow(Flow(u, v))
    assert fitness(p, [["a", "b"], ["a", "c"]]) == 1.0


@pytest.mark.parametrize("options", [{"implicit_split": "sometimes"}, {"max_states": 0}])
def test_nonsense_options_are_refused(chain: Process, options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        conformance(chain, [["a"]], **options)  # type: ignore[arg-type]
