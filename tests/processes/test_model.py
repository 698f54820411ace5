"""The process graph model and its validation."""

from __future__ import annotations

import pytest

from processes import (
    Flow,
    Gateway,
    GatewayKind,
    ModelError,
    Process,
    Severity,
    Step,
    StepKind,
)


def linear(*labels: str) -> Process:
    """start -> labels... -> end."""
    p = Process("p", "Test")
    p.add_step(Step("start", "Start", StepKind.START_EVENT))
    prev = "start"
    for i, label in enumerate(labels):
        p.add_step(Step(f"s{i}", label))
        p.add_flow(Flow(prev, f"s{i}"))
        prev = f"s{i}"
    p.add_step(Step("end", "Slutt", StepKind.END_EVENT))
    p.add_flow(Flow(prev, "end"))
    return p


def codes(p: Process) -> list[str]:
    return [problem.code for problem in p.validate()]


def test_valid_linear_process_has_no_problems() -> None:
    assert linear("Motta søknad", "Vurdere søknaden").validate() == []


def test_duplicate_id_is_refused() -> None:
    p = linear("A")
    with pytest.raises(ModelError, match="duplicate"):
        p.add_step(Step("s0", "Again"))


def test_empty_id_is_refused() -> None:
    with pytest.raises(ModelError):
        Step("", "Nameless")


def test_empty_process_is_an_error() -> None:
    problems = Process().validate()
    assert [(p.severity, p.code) for p in problems] == [(Severity.ERROR, "empty")]


def test_flow_to_unknown_id_is_reported_with_its_id() -> None:
    p = linear("A")
    p.add_flow(Flow("s0", "ghost", id="Flow_9", line=12))
    (problem,) = [x for x in p.validate() if x.code == "unknown_target"]
    assert problem.severity is Severity.ERROR
    assert problem.element_id == "Flow_9"
    assert problem.line == 12
    assert "ghost" in problem.message("nb") and "ghost" in problem.message("en")


def test_unreachable_step_is_an_error() -> None:
    p = linear("A")
    p.add_step(Step("island", "Øy"))
    p.add_flow(Flow("island", "end"))
    # "island" has no incoming flow but a start event exists, so it cannot be reached.
    assert "unreachable" in codes(p)


def test_dead_end_is_a_warning() -> None:
    p = linear("A")
    p.add_step(Step("loose", "Løs tråd"))
    p.add_flow(Flow("s0", "loose"))
    problem = next(x for x in p.validate() if x.code == "dead_end")
    assert problem.severity is Severity.WARNING
    assert "Løs tråd" in problem.message("nb")


def test_no_start_when_every_step_has_a_predecessor() -> None:
    p = Process()
    p.add_step(Step("a", "A"))
    p.add_step(Step("b", "B"))
    p.add_flow(Flow("a", "b"))
    p.add_flow(Flow("b", "a"))
    assert {"no_start"} <= set(codes(p))


def test_gateway_with_one_branch_is_a_warning() -> None:
    p = Process()
    p.add_step(Step("s", "Start", StepKind.START_EVENT))
    p.add_gateway(Gateway("g", GatewayKind.EXCLUSIVE))
    p.add_step(Step("e", "Slutt", StepKind.END_EVENT))
    p.add_flow(Flow("s", "g"))
    p.add_flow(Flow("g", "e"))
    assert "gateway_single_branch" in codes(p)


def test_unnamed_task_is_a_warning() -> None:
    p = linear("")
    assert "missing_label" in codes(p)


def test_errors_come_before_warnings() -> None:
    p = linear("")
    p.add_flow(Flow("s0", "nowhere"))
    severities = [x.severity for x in p.validate()]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING)


def test_step_graph_skips_gateways() -> None:
    p = Process()
    for sid in ("s", "a", "b", "e"):
        p.add_step(Step(sid, sid.upper()))
    p.add_gateway(Gateway("split", GatewayKind.PARALLEL))
    p.add_gateway(Gateway("join", GatewayKind.PARALLEL))
    for u, v in [("s", "split"), ("split", "a"), ("split", "b"), ("a", "join"), ("b", "join"), ("join", "e")]:
        p.add_flow(Flow(u, v))
    assert sorted(p.step_graph().edges) == [("a", "e"), ("b", "e"), ("s", "a"), ("s", "b")]


def test_equality_ignores_flow_order_and_line_numbers() -> None:
    a = linear("A", "B")
    b = Process("p", "Test")
    for step in a.steps:
        b.add_step(step.replace(line=99))
    for flow in reversed(a.flows):
        b.add_flow(flow)
    assert a == b


def test_equality_sees_a_changed_attribute() -> None:
    a = linear("A")
    b = a.copy()
    b.replace_element(b.step("s0").replace(system="Elements"))
    assert a != b


def test_remove_element_removes_its_flows() -> None:
    p = linear("A", "B")
    p.remove_element("s0")
    assert all("s0" not in (f.source, f.target) for f in p.flows)


def test_subprocess_body_is_validated_in_its_own_scope() -> None:
    p = linear("A")
    p.replace_element(p.step("s0").replace(kind=StepKind.SUBPROCESS))
    p.add_step(Step("in_start", "", StepKind.START_EVENT, parent="s0"))
    p.add_step(Step("in_task", "Inne", parent="s0"))
    p.add_step(Step("in_end", "", StepKind.END_EVENT, parent="s0"))
    p.add_flow(Flow("in_start", "in_task"))
    p.add_flow(Flow("in_task", "in_end"))
    assert p.validate() == []


def test_boundary_event_path_is_reachable() -> None:
    p = linear("A")
    p.add_step(Step("timer", "Frist passert", StepKind.BOUNDARY_EVENT, attached_to="s0"))
    p.add_step(Step("remind", "Purre"))
    p.add_flow(Flow("timer", "remind"))
    p.add_flow(Flow("remind", "end"))
    assert p.validate() == []


def test_enum_values_are_coerced_from_strings() -> None:
    step = Step("a", "A", "user_task", mode="digital")  # type: ignore[arg-type]
    assert step.kind is StepKind.USER_TASK
    assert step.mode is not None and step.mode.value == "digital"


def test_unknown_kind_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ModelError, match="allowed: task, user_task"):
        Step("a", "A", "teleport")  # type: ignore[arg-type]


def test_problem_message_says_where_a_duplicate_was_kept() -> None:
    from processes import Problem

    problem = Problem(Severity.ERROR, "duplicate_id", "Task_1", 7, {"element": "Task_1", "renamed_to": "Task_1~dup"})
    assert problem.message("nb") == (
        "Id-en «Task_1» er brukt mer enn én gang. Det andre elementet er tatt vare på som «Task_1~dup»."
    )
    assert "kept as “Task_1~dup”" in problem.message("en")


@pytest.mark.parametrize("code", ["eventlog_missing_label", "eventlog_bad_timestamp", "missing_id"])
def test_importer_problem_codes_have_sentences(code: str) -> None:
    from processes import Problem

    problem = Problem(Severity.WARNING, code, "x", None, {"count": "3", "attribute": "activityNameNL"})
    assert problem.message("nb") != problem.message("en")
    assert "{" not in problem.message("nb") + problem.message("en")
