"""Tests for the synthetic process and variant generators."""

from __future__ import annotations

import doctest

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import processes.generate
from processes.generate import (
    OPERATIONS,
    Correspondence,
    Variant,
    generate_variants,
    synthetic_process,
)
from processes.model import Flow, GatewayKind, Process, Severity, Step, StepKind


def errors(process: Process) -> list[str]:
    return [str(p) for p in process.validate() if p.severity is Severity.ERROR]


def test_doctests() -> None:
    result = doctest.testmod(processes.generate)
    assert result.attempted > 0
    assert result.failed == 0


# -- synthetic_process ----------------------------------------------------------


@pytest.mark.parametrize("n_steps", [3, 4, 10, 40, 50, 120])
def test_synthetic_process_has_the_requested_size(n_steps: int) -> None:
    process = synthetic_process(n_steps, seed=n_steps)
    assert len(process.steps) == n_steps
    kinds = [s.kind for s in process.steps]
    assert kinds.count(StepKind.START_EVENT) == 1
    assert kinds.count(StepKind.END_EVENT) == 1


@pytest.mark.parametrize("seed", range(40))
def test_synthetic_process_validates_without_any_problem(seed: int) -> None:
    process = synthetic_process(10 + seed, seed=seed, gateway_share=0.4)
    assert process.validate() == []


def test_synthetic_process_is_deterministic_for_a_seed() -> None:
    assert synthetic_process(40, seed=9) == synthetic_process(40, seed=9)
    assert synthetic_process(40, seed=9) != synthetic_process(40, seed=10)


def test_synthetic_process_has_paired_split_and_join_gateways() -> None:
    process = synthetic_process(50, seed=4, gateway_share=0.5)
    graph = process.graph
    kinds = {g.kind for g in process.gateways}
    assert kinds == {GatewayKind.EXCLUSIVE, GatewayKind.PARALLEL}
    splits = [g for g in process.gateways if graph.out_degree(g.id) > 1]
    joins = [g for g in process.gateways if graph.in_degree(g.id) > 1]
    assert len(splits) == len(joins) == len(process.gateways) // 2
    assert nx.is_directed_acyclic_graph(graph)


def test_synthetic_process_without_gateways_is_a_sequence() -> None:
    process = synthetic_process(15, seed=1, gateway_share=0.0)
    assert process.gateways == []
    assert all(d <= 1 for _, d in process.graph.out_degree)


def test_synthetic_labels_are_mostly_distinct_and_norwegian() -> None:
    process = synthetic_process(50, seed=2)
    labels = [s.label for s in process.steps]
    assert len(set(labels)) == len(labels)
    assert any("søknad" in label.lower() or "vedtak" in label.lower() for label in labels)


def test_synthetic_steps_carry_lanes_and_attributes() -> None:
    process = synthetic_process(40, seed=3, lanes=4)
    assert len(process.lanes) == 4
    tasks = [s for s in process.steps if s.is_activity]
    assert {s.lane for s in tasks} <= set(process.lanes)
    assert all(s.mode is not None and s.handling_days for s in tasks)
    assert any(s.legal_basis for s in tasks)


def test_synthetic_process_without_lanes() -> None:
    process = synthetic_process(12, seed=3, lanes=0)
    assert process.lanes == []
    assert all(s.lane is None for s in process.steps)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"n_steps": 2}, "n_steps"),
        ({"n_steps": 10, "lanes": 99}, "lanes"),
        ({"n_steps": 10, "gateway_share": 1.5}, "gateway_share"),
    ],
)
def test_synthetic_process_rejects_bad_parameters(args: dict[str, float], message: str) -> None:
    n_steps = int(args.pop("n_steps"))
    with pytest.raises(ValueError, match=message):
        synthetic_process(n_steps, seed=0, **args)  # type: ignore[arg-type]


# -- generate_variants ----------------------------------------------------------


def check_truth(standard: Process, variant: Variant) -> None:
    """The ground truth is a consistent partial mapping with the right kinds."""
    std_ids = {s.id for s in standard.steps}
    var_ids = {s.id for s in variant.process.steps}
    seen_std: set[str] = set()
    seen_var: set[str] = set()
    for c in variant.truth:
        assert set(c.standard) <= std_ids
        assert set(c.variant) <= var_ids
        assert not set(c.standard) & seen_std
        assert not set(c.variant) & seen_var
        seen_std |= set(c.standard)
        seen_var |= set(c.variant)
        if c.kind == "split":
            assert len(c.standard) == 1 and len(c.variant) >= 2
        elif c.kind == "merged":
            assert len(c.standard) >= 2 and len(c.variant) == 1
        else:
            assert len(c.standard) == len(c.variant) == 1
            same = standard.step(c.standard[0]).label == variant.process.step(c.variant[0]).label
            assert c.kind == ("identical" if same else "renamed")


@pytest.mark.parametrize("seed", range(25))
def test_every_variant_is_valid_and_its_truth_consistent(seed: int) -> None:
    standard = synthetic_process(12 + 3 * seed, seed=seed, gateway_share=0.35)
    variants = generate_variants(standard, 8, seed=seed, edits=(1, 12), reid=seed % 2 == 1)
    assert len(variants) == 8
    for variant in variants:
        assert errors(variant.process) == []
        check_truth(standard, variant)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_operation_alone_gives_valid_variants(operation: str) -> None:
    standard = synthetic_process(30, seed=11, gateway_share=0.3)
    for variant in generate_variants(standard, 10, seed=5, edits=4, operations=[operation]):
        assert errors(variant.process) == []
        assert {e.operation for e in variant.edits} == {operation}
        check_truth(standard, variant)


def test_variants_of_a_handwritten_process_with_subprocess_and_boundary_event() -> None:
    p = Process("p", "Med delprosess", lanes=["A"])
    p.add_step(Step("s", "Start", StepKind.START_EVENT, lane="A"))
    p.add_step(Step("a", "Motta søknaden", lane="A"))
    p.add_step(Step("sub", "Behandle søknaden", StepKind.SUBPROCESS, lane="A"))
    p.add_step(Step("sub_s", "Start delprosess", StepKind.START_EVENT, parent="sub"))
    p.add_step(Step("sub_a", "Vurdere søknaden", parent="sub"))
    p.add_step(Step("sub_b", "Utarbeide vedtak", parent="sub"))
    p.add_step(Step("sub_e", "Slutt delprosess", StepKind.END_EVENT, parent="sub"))
    p.add_step(Step("timer", "Frist passert", StepKind.BOUNDARY_EVENT, attached_to="sub"))
    p.add_step(Step("purre", "Sende purring", lane="A"))
    p.add_step(Step("b", "Sende vedtaket til søker", lane="A"))
    p.add_step(Step("e", "Slutt", StepKind.END_EVENT, lane="A"))
    p.add_step(Step("e2", "Purret", StepKind.END_EVENT, lane="A"))
    for src, dst in [
        ("s", "a"), ("a", "sub"), ("sub", "b"), ("b", "e"),
        ("sub_s", "sub_a"), ("sub_a", "sub_b"), ("sub_b", "sub_e"),
        ("timer", "purre"), ("purre", "e2"),
    ]:  # fmt: skip
        p.add_flow(Flow(src, dst))
    assert errors(p) == []
    for variant in generate_variants(p, 30, seed=1, edits=(2, 8), reid=True):
        assert errors(variant.process) == []
        check_truth(p, variant)
        boundary = [s for s in variant.process.steps if s.kind is StepKind.BOUNDARY_EVENT]
        assert len(boundary) == 1 and boundary[0].attached_to in variant.process


def test_known_edits_give_the_expected_truth() -> None:
    standard = synthetic_process(20, seed=3, gateway_share=0.0)
    [split] = generate_variants(standard, 1, seed=1, edits=1, operations=["split"])
    [c] = [c for c in split.truth if c.kind == "split"]
    assert len(c.variant) == 2
    assert c.standard[0] not in split.process
    [merged] = generate_variants(standard, 1, seed=1, edits=1, operations=["merge"])
    [c] = [c for c in merged.truth if c.kind == "merged"]
    assert " og " in merged.process.step(c.variant[0]).label
    [deleted] = generate_variants(standard, 1, seed=1, edits=1, operations=["delete"])
    assert len(deleted.process.steps) == len(standard.steps) - 1
    assert len(deleted.truth) == len(standard.steps) - 1
    [inserted] = generate_variants(standard, 1, seed=1, edits=1, operations=["insert"])
    assert len(inserted.process.steps) == len(standard.steps) + 1
    assert all(c.kind == "identical" for c in inserted.truth)


def test_parallel_and_optional_add_gateways_of_the_right_kind() -> None:
    standard = synthetic_process(15, seed=3, gateway_share=0.0)
    [par] = generate_variants(standard, 1, seed=2, edits=1, operations=["parallel"])
    assert [g.kind for g in par.process.gateways] == [GatewayKind.PARALLEL] * 2
    [opt] = generate_variants(standard, 1, seed=2, edits=1, operations=["optional"])
    assert [g.kind for g in opt.process.gateways] == [GatewayKind.EXCLUSIVE] * 2
    assert sorted(f.condition or "" for f in opt.process.flows if f.condition) == ["Ja", "Nei"]


def test_swap_changes_the_order_of_two_steps() -> None:
    standard = synthetic_process(10, seed=3, gateway_share=0.0)
    [variant] = generate_variants(standard, 1, seed=4, edits=1, operations=["swap"])
    [edit] = variant.edits
    first, second = edit.variant  # the step now first, then the other
    assert variant.process.graph.has_edge(first, second)
    assert standard.graph.has_edge(second, first)


def test_renames_use_synonyms_nynorsk_or_typos() -> None:
    standard = synthetic_process(40, seed=8)
    changes = []
    for variant in generate_variants(standard, 20, seed=8, edits=3, operations=["rename"]):
        for c in variant.truth:
            if c.kind == "renamed":
                changes.append((standard.step(c.standard[0]).label, variant.process.step(c.variant[0]).label))
    assert len(changes) >= 40
    assert all(a != b for a, b in changes)
    words = " ".join(b for _, b in changes).lower()
    # At least one synonym substitution or nynorsk form shows up among 60 renames.
    assert any(w in words for w in ("journalføre", "registrere", "arkivere", "avgjørelse", "ta imot", "frå", "søkjar"))


def test_attribute_edits_keep_the_label() -> None:
    standard = synthetic_process(20, seed=5)
    for op in ("lane", "mode", "system", "legal_basis"):
        [variant] = generate_variants(standard, 1, seed=3, edits=1, operations=[op])
        [edit] = variant.edits
        assert all(c.kind == "identical" for c in variant.truth)
        step_id = edit.variant[0]
        assert getattr(variant.process.step(step_id), op) != getattr(standard.step(step_id), op)


def test_unchanged_steps_keep_their_ids_unless_reid() -> None:
    standard = synthetic_process(25, seed=6)
    [kept] = generate_variants(standard, 1, seed=6, edits=3)
    identical = [c for c in kept.truth if c.kind == "identical"]
    assert identical and all(c.standard == c.variant for c in identical)
    [fresh] = generate_variants(standard, 1, seed=6, edits=3, reid=True)
    std_ids = {e.id for e in standard.elements}
    assert not std_ids & {e.id for e in fresh.process.elements}
    assert all(set(c.variant) <= {s.id for s in fresh.process.steps} for c in fresh.truth)


def test_reid_keeps_the_same_graph_up_to_ids() -> None:
    standard = synthetic_process(25, seed=6)
    [plain] = generate_variants(standard, 1, seed=6, edits=0)
    [fresh] = generate_variants(standard, 1, seed=6, edits=0, reid=True)
    assert plain.process.elements == standard.elements
    assert sorted(plain.process.flows, key=Flow.sort_key) == sorted(standard.flows, key=Flow.sort_key)
    mapping = {c.standard[0]: c.variant[0] for c in fresh.truth}
    assert len(mapping) == len(standard.steps)
    for u, v in standard.step_graph().edges:
        assert fresh.process.step_graph().has_edge(mapping[u], mapping[v])
    for sid, vid in mapping.items():
        assert fresh.process.step(vid).label == standard.step(sid).label


def test_generate_variants_is_deterministic() -> None:
    standard = synthetic_process(30, seed=1)
    a = generate_variants(standard, 5, seed=42, reid=True)
    b = generate_variants(standard, 5, seed=42, reid=True)
    assert [v.process for v in a] == [v.process for v in b]
    assert [v.truth for v in a] == [v.truth for v in b]
    assert [v.edits for v in a] == [v.edits for v in b]
    c = generate_variants(standard, 5, seed=43, reid=True)
    assert [v.edits for v in a] != [v.edits for v in c]


def test_the_standard_is_not_modified() -> None:
    standard = synthetic_process(30, seed=1)
    before = standard.copy()
    generate_variants(standard, 10, seed=1, edits=(5, 10))
    assert standard == before


def test_edit_count_follows_the_range() -> None:
    standard = synthetic_process(40, seed=1)
    counts = {len(v.edits) for v in generate_variants(standard, 30, seed=1, edits=(2, 4))}
    assert counts <= {2, 3, 4} and len(counts) > 1


def test_operation_weights_as_mapping() -> None:
    standard = synthetic_process(20, seed=1)
    variants = generate_variants(standard, 5, seed=1, edits=3, operations={"insert": 1.0, "rename": 0.0})
    assert {e.operation for v in variants for e in v.edits} == {"insert"}


def test_impossible_operation_gives_fewer_edits_not_an_error() -> None:
    p = Process("tiny", "Liten", lanes=[])
    p.add_step(Step("s", "Start", StepKind.START_EVENT))
    p.add_step(Step("a", "Vurdere søknaden"))
    p.add_step(Step("e", "Slutt", StepKind.END_EVENT))
    p.add_flow(Flow("s", "a"))
    p.add_flow(Flow("a", "e"))
    [variant] = generate_variants(p, 1, seed=1, edits=3, operations=["merge"])
    assert variant.edits == ()
    assert variant.truth == tuple(Correspondence((i,), (i,), "identical") for i in ("s", "a", "e"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": -1}, "n must"),
        ({"n": 1, "edits": (3, 1)}, "edits"),
        ({"n": 1, "edits": -2}, "edits"),
        ({"n": 1, "operations": ["teleport"]}, "unknown edit operation"),
        ({"n": 1, "operations": {"rename": 0.0}}, "positive weight"),
    ],
)
def test_generate_variants_rejects_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    standard = synthetic_process(10, seed=1)
    with pytest.raises(ValueError, match=message):
        generate_variants(standard, seed=1, **kwargs)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n_steps=st.integers(min_value=3, max_value=90),
    seed=st.integers(min_value=0, max_value=2**32),
    lanes=st.integers(min_value=0, max_value=8),
    gateway_share=st.floats(min_value=0.0, max_value=1.0),
)
def test_any_synthetic_process_is_valid(n_steps: int, seed: int, lanes: int, gateway_share: float) -> None:
    process = synthetic_process(n_steps, seed=seed, lanes=lanes, gateway_share=gateway_share)
    assert len(process.steps) == n_steps
    assert process.validate() == []


@settings(max_examples=60, deadline=None)
@given(
    n_steps=st.integers(min_value=3, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32),
    low=st.integers(min_value=0, max_value=6),
    extra=st.integers(min_value=0, max_value=10),
    operations=st.sets(st.sampled_from(OPERATIONS), min_size=1),
    reid=st.booleans(),
)
def test_any_variant_is_valid_with_a_consistent_truth(
    n_steps: int, seed: int, low: int, extra: int, operations: set[str], reid: bool
) -> None:
    standard = synthetic_process(n_steps, seed=seed, gateway_share=0.4)
    ops = sorted(operations)
    [variant] = generate_variants(standard, 1, seed=seed, edits=(low, low + extra), operations=ops, reid=reid)
    assert errors(variant.process) == []
    assert len(variant.edits) <= low + extra
    assert {e.operation for e in variant.edits} <= operations
    check_truth(standard, variant)


def test_gateways_sit_in_a_lane_when_the_process_has_lanes() -> None:
    standard = synthetic_process(40, seed=5, lanes=4, gateway_share=0.5)
    assert standard.gateways
    assert all(g.lane in standard.lanes for g in standard.gateways)
    for variant in generate_variants(standard, 10, seed=5, edits=4, operations=["parallel", "optional"]):
        assert all(g.lane in standard.lanes for g in variant.process.gateways)


def test_deletes_never_leave_an_empty_parallel_branch() -> None:
    standard = synthetic_process(40, seed=2, gateway_share=0.6)
    for variant in generate_variants(standard, 30, seed=2, edits=6, operations=["delete"]):
        process = variant.process
        graph = process.graph
        for flow in process.flows:
            source, target = process[flow.source], process[flow.target]
            both_parallel = all(
                getattr(e, "kind", None) is GatewayKind.PARALLEL for e in (source, target)
            )
            # A split straight into a join is an empty branch.
            is_branch = graph.out_degree(flow.source) > 1 and graph.in_degree(flow.target) > 1
            assert not (both_parallel and is_branch), flow
