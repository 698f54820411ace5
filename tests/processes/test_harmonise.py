"""Harmonisation: step classes, proposed standards, change plans."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes import samples
from processes.align import MappingMemory
from processes.compare import compare
from processes.generate import OPERATIONS, generate_variants, synthetic_process
from processes.harmonise import (
    ChangeKind,
    Effort,
    apply_plan,
    change_distance,
    change_plan,
    join_names,
    propose_standard,
    step_classes,
)
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind

SLUGS = [ct.slug for ct in samples.case_types()]


def chain(*labels: str, ids: list[str] | None = None) -> Process:
    p = Process("p", "Prosess")
    ids = ids or [f"s{i}" for i in range(len(labels))]
    for i, (sid, label) in enumerate(zip(ids, labels)):
        kind = StepKind.START_EVENT if i == 0 else StepKind.END_EVENT if i == len(labels) - 1 else StepKind.TASK
        p.add_step(Step(sid, label, kind))
        if i:
            p.add_flow(Flow(ids[i - 1], sid))
    return p


def identical(a: Process, b: Process) -> bool:
    c = compare(a, b)
    return c.differences == () and c.similarity.overall == 1.0


# -- step classes -------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_step_has_one_home_class_and_classes_are_consistent(slug: str) -> None:
    std = samples.standard(slug)
    sc = step_classes(samples.variants(slug), current=std)
    for member, process in sc.processes.items():
        homes = [sc.class_of(member, s.id) for s in process.steps]
        assert None not in homes, member
        claimed = Counter(y for c in sc.classes if member in c.occurrences for y in c.occurrences[member].steps
                          if c.occurrences[member].shape != "merged")
        assert all(n == 1 for n in claimed.values()), member
    for c in sc.classes:
        for o in c.occurrences.values():
            assert len(o.steps) == 1 or o.shape == "split"
    # The current standard's steps are classes with their own ids.
    assert {s.id for s in std.steps} <= {c.id for c in sc.classes if c.current_step}


def test_classes_gather_a_step_the_pivot_lacks() -> None:
    members = {
        "Malvik": chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt"),
        "Melhus": chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt"),
        "Skaun": chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt"),
    }
    current = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    sc = step_classes(members, current=current)
    befaring = [c for c in sc.classes if c.label() == "Gjennomføre befaring"]
    assert len(befaring) == 1 and befaring[0].members == ("Malvik", "Melhus")
    assert befaring[0].current_step is None


def test_mapping_memory_is_respected() -> None:
    current = chain("Søknad mottatt", "Registrere søknaden", "Fatte vedtak", "Slutt")
    variant = chain("Søknad mottatt", "Saksfordeling", "Fatte vedtak", "Slutt", ids=["a", "b", "c", "d"])
    without = step_classes({"Malvik": variant}, current=current)
    assert without.class_of("Malvik", "b") != "s1"
    confirmed = MappingMemory(confirmed=frozenset({("s1", "b")}))
    sc = step_classes({"Malvik": variant}, current=current, memory={"Malvik": confirmed})
    assert sc.class_of("Malvik", "b") == "s1"
    rejected = MappingMemory(rejected=frozenset({("s2", "c")}))
    sc = step_classes({"Malvik": variant}, current=current, memory={"Malvik": rejected})
    assert sc.class_of("Malvik", "c") != "s2"


def test_a_minority_split_is_kept_as_a_split_and_a_majority_split_makes_two_classes() -> None:
    current = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Slutt")
    split = chain("Søknad mottatt", "Vurdere søknaden: plan", "Vurdere søknaden: tekniske krav", "Fatte vedtak", "Slutt")
    confirm = MappingMemory(confirmed=frozenset({("s1", "s1"), ("s1", "s2")}))
    few = step_classes({"Malvik": split, "Melhus": current.copy(), "Skaun": current.copy()}, current=current,
                       memory={"Malvik": confirm})
    occ = few["s1"].occurrences["Malvik"]
    assert occ.shape == "split" and occ.steps == ("s1", "s2")
    most = step_classes({"Malvik": split, "Melhus": split.copy(), "Skaun": current.copy()}, current=current,
                        memory={"Malvik": confirm, "Melhus": confirm})
    first, second = most["s1"], most[most.class_of("Malvik", "s2") or ""]
    assert first.occurrences["Malvik"].steps == ("s1",) and second.occurrences["Malvik"].steps == ("s2",)
    assert first.occurrences["Skaun"].shape == "merged" and second.occurrences["Skaun"].shape == "merged"
    proposal = propose_standard({"Malvik": split, "Melhus": split.copy(), "Skaun": current.copy()}, current=current,
                                memory={"Malvik": confirm, "Melhus": confirm})
    assert [s.label for s in proposal.steps][1:3] == ["Vurdere søknaden: plan", "Vurdere søknaden: tekniske krav"]
    [change] = change_plan(current.copy(), proposal.process).changes
    assert change.kind == ChangeKind.SPLIT_STEP


def test_step_classes_needs_variants() -> None:
    with pytest.raises(ValueError, match="at least one variant"):
        step_classes({})


# -- proposals ----------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_proposal_from_copies_of_one_process_is_that_process(slug: str) -> None:
    std = samples.standard(slug)
    proposal = propose_standard({f"m{i}": std for i in range(5)})
    assert identical(std, proposal.process)
    assert all(s.support.count == 5 for s in proposal.steps)


def test_proposal_from_copies_of_a_synthetic_process() -> None:
    std = synthetic_process(40, seed=4)
    proposal = propose_standard({f"m{i}": std.copy() for i in range(4)})
    assert identical(std, proposal.process)


@pytest.mark.parametrize("slug", SLUGS)
def test_proposal_is_a_valid_process_with_one_start(slug: str) -> None:
    proposal = propose_standard(samples.variants(slug))
    errors = [p for p in proposal.process.validate() if p.severity == "error"]
    assert errors == []
    assert len(proposal.process.start_ids()) == 1


def test_proposal_recovers_a_hidden_standard_from_its_variants() -> None:
    hidden = synthetic_process(30, seed=2)
    variants = generate_variants(hidden, 10, seed=3, edits=(1, 6), reid=True)
    proposal = propose_standard({f"m{i}": v.process for i, v in enumerate(variants)})
    assert identical(hidden, proposal.process)


def test_proposal_includes_a_step_most_members_have_and_says_why() -> None:
    with_step = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    without = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    members = {"Malvik": with_step, "Melhus": with_step.copy(), "Skaun": without, "Selbu": with_step.copy()}
    proposal = propose_standard(members, current=without)
    labels = [s.label for s in proposal.steps]
    assert labels == ["Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt"]
    assert proposal.step([s.id for s in proposal.steps][2]).support.text() == "3 av 4"
    assert proposal.texts() == [
        "Steget «Gjennomføre befaring» er tatt med: 3 av 4 kommuner har det, men standarden mangler det."
    ]
    assert proposal.texts("en") == [
        "The step “Gjennomføre befaring” is included: 3 of 4 municipalities have it, but the standard lacks it."
    ]
    assert sum(proposal.distances.values()) == 1
    assert proposal.current_distances is not None and sum(proposal.current_distances.values()) == 3
    assert proposal.summary() == "Med forslaget må de 4 kommunene gjøre 1 endring i alt; med dagens standard 3."


def test_a_step_few_members_have_is_left_out_with_its_support() -> None:
    rare = chain("Søknad mottatt", "Vurdere søknaden", "Sende purring", "Fatte vedtak", "Vedtak sendt")
    common = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    proposal = propose_standard({"A": rare, "B": common, "C": common.copy(), "D": common.copy()})
    assert "Sende purring" not in [s.label for s in proposal.steps]
    [left] = [s for s in proposal.left_out if s.label == "Sende purring"]
    assert left.support.members == ("A",) and not left.in_proposal


def test_weights_and_min_support_change_what_is_included() -> None:
    rare = chain("Søknad mottatt", "Vurdere søknaden", "Sende purring", "Fatte vedtak", "Vedtak sendt")
    common = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    members = {"Trondheim": rare, "B": common, "C": common.copy()}
    assert "Sende purring" not in [s.label for s in propose_standard(members).steps]
    heavy = propose_standard(members, weights={"Trondheim": 5.0})
    assert "Sende purring" in [s.label for s in heavy.steps]
    strict = propose_standard(members, weights={"Trondheim": 5.0}, min_support=0.9)
    assert "Sende purring" not in [s.label for s in strict.steps]


def test_the_label_is_the_one_most_members_use_or_the_current_one() -> None:
    a = chain("Søknad mottatt", "Journalføre søknaden", "Vedtak sendt")
    b = chain("Søknad mottatt", "Registrere søknaden", "Vedtak sendt")
    current = chain("Søknad mottatt", "Registrere søknaden", "Vedtak sendt")
    most = propose_standard({"A": a, "B": a.copy(), "C": b}, current=current)
    assert [s.label for s in most.steps][1] == "Journalføre søknaden"
    step = most.steps[1]
    assert [(x.value, x.count) for x in step.dissent()] == [("Registrere søknaden", 1)]
    tie = propose_standard({"A": a, "B": b}, current=current)
    assert [s.label for s in tie.steps][1] == "Registrere søknaden"


def test_max_drift_bounds_the_distance_from_the_current_standard() -> None:
    current = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    members = {
        m: chain("Søknad mottatt", "Journalføre søknaden", "Vurdere søknaden", "Gjennomføre befaring",
                 "Fatte vedtak", "Vedtak sendt")
        for m in ("A", "B", "C")
    }
    free = propose_standard(members, current=current)
    assert free.drift == 2
    for limit in (0, 1):
        bounded = propose_standard(members, current=current, max_drift=limit)
        assert bounded.drift is not None and bounded.drift <= limit
    assert identical(current, propose_standard(members, current=current, max_drift=0).process)


def test_justified_deviations_do_not_count_as_disagreement() -> None:
    current = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    without = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    members = {"A": current.copy(), "B": without, "C": without.copy()}
    assert "Gjennomføre befaring" not in [s.label for s in propose_standard(members, current=current).steps]
    justified = [("B", "s2"), ("C", "s2")]
    kept = propose_standard(members, current=current, justified=justified)
    assert "Gjennomføre befaring" in [s.label for s in kept.steps]
    counted = propose_standard(members, current=current, justified=justified, count_justified=True)
    assert "Gjennomføre befaring" not in [s.label for s in counted.steps]


def test_proposal_settings_are_checked() -> None:
    p = chain("Start", "Gjøre noe", "Slutt")
    with pytest.raises(ValueError, match="at least one variant"):
        propose_standard({})
    with pytest.raises(ValueError, match="min_support"):
        propose_standard({"A": p}, min_support=0)
    with pytest.raises(ValueError, match="give current"):
        propose_standard({"A": p}, max_drift=2)
    with pytest.raises(ValueError, match="whole number"):
        propose_standard({"A": p}, current=p, max_drift=-1)
    with pytest.raises(ValueError, match="weight"):
        propose_standard({"A": p}, weights={"A": float("nan")})


def test_proposal_keeps_exclusive_and_parallel_blocks_and_loops() -> None:
    std = samples.standard("byggesak")
    proposal = propose_standard(samples.variants("byggesak"))
    kinds = Counter(g.kind for g in proposal.process.gateways)
    assert kinds[GatewayKind.PARALLEL] >= 2 and kinds[GatewayKind.EXCLUSIVE] >= 2
    assert identical(std, propose_standard({"a": std, "b": std.copy(), "c": std.copy()}).process)


def test_proposal_flows_carry_support() -> None:
    a = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    proposal = propose_standard({"A": a, "B": a.copy()})
    assert proposal.flows and all(s.count == 2 and s.total == 2 for s in proposal.flows.values())


def test_proposal_to_dict_has_steps_and_departures() -> None:
    a = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    data = propose_standard({"A": a, "B": a.copy()}, current=a).to_dict()
    assert [s["support"]["count"] for s in data["steps"]] == [2, 2, 2, 2]
    assert data["departures"] == [] and data["drift"] == 0


# -- change plans -------------------------------------------------------------


def test_plan_from_a_variant_to_itself_is_empty() -> None:
    std = samples.standard("byggesak")
    plan = change_plan(std, std)
    assert plan.changes == () and plan.hidden == () and plan.justified == ()


@pytest.mark.parametrize("slug", SLUGS)
def test_applying_a_plan_reaches_the_standard(slug: str) -> None:
    std = samples.standard(slug)
    variants = samples.variants(slug)
    sc = step_classes(variants, current=std)
    for member, variant in variants.items():
        plain = change_plan(variant, std)
        assert len(plain) == change_distance(variant, std)
        for plan in (plain, change_plan(variant, std, classes=sc, member=member)):
            assert identical(std, apply_plan(variant, plan)), member


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_kind_of_edit_is_planned_and_undone(operation: str) -> None:
    std = synthetic_process(25, seed=9)
    for v in generate_variants(std, 4, seed=1, edits=2, operations=[operation]):
        plan = change_plan(v.process, std)
        assert len(plan.changes) == len(compare(std, v.process).differences), operation
        assert identical(std, apply_plan(v.process, plan)), operation


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), edits=st.integers(1, 6), reid=st.booleans())
def test_applying_a_plan_reaches_the_target_on_generated_variants(seed: int, edits: int, reid: bool) -> None:
    std = synthetic_process(20, seed=seed % 50)
    [v] = generate_variants(std, 1, seed=seed, edits=edits, reid=reid)
    plan = change_plan(v.process, std)
    assert identical(std, apply_plan(v.process, plan))


def test_plan_to_a_proposal_reaches_it() -> None:
    variants = samples.variants("skjenkebevilling")
    proposal = propose_standard(variants, current=samples.standard("skjenkebevilling"))
    for member, variant in variants.items():
        plan = change_plan(variant, proposal.process, classes=proposal.classes, member=member)
        assert identical(proposal.process, apply_plan(variant, plan)), member


def test_changes_have_effort_peers_and_sentences() -> None:
    std = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    lacking = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt", ids=["a", "b", "c", "d"])
    members = {"Skaun": lacking, "Malvik": std.copy(), "Melhus": std.copy(), "Åfjord": std.copy(),
               "Ørland": std.copy()}
    sc = step_classes(members, current=std)
    plan = change_plan(lacking, std, classes=sc, member="Skaun")
    [change] = plan.changes
    assert change.kind == ChangeKind.ADD_STEP
    assert change.effort == Effort.MEDIUM and change.effort_rule == "step"
    assert change.text() == "Legg til steget «Gjennomføre befaring» etter «Vurdere søknaden»."
    assert change.text("en") == "Add the step “Gjennomføre befaring” after “Vurdere søknaden”."
    assert change.peers == ("Malvik", "Melhus", "Ørland", "Åfjord")
    assert change.peers_text() == "Malvik, Melhus og 2 andre gjør dette allerede."
    assert change.peers_text("en") == "Malvik, Melhus and 2 others already do this."
    assert "rutiner" in change.rule_text()


def test_plan_without_classes_names_no_peers() -> None:
    a = chain("Søknad mottatt", "Vurdere søknaden", "Vedtak sendt")
    b = chain("Søknad mottatt", "Vurdere saken", "Vedtak sendt")
    [change] = change_plan(b, a).changes
    assert change.kind == ChangeKind.RENAME_STEP and change.peers is None and change.peers_text() is None
    assert change.effort == Effort.SMALL
    assert change.text() == "Gi steget «Vurdere saken» navnet «Vurdere søknaden»."


def test_a_justified_deviation_is_listed_apart_and_left_as_it_is() -> None:
    std = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    lacking = chain("Søknad mottatt", "Vurdere saken", "Fatte vedtak", "Vedtak sendt", ids=["a", "b", "c", "d"])
    plan = change_plan(lacking, std, justified={"s2": "Lokal forskrift: befaring gjøres ikke"})
    assert [c.kind for c in plan.justified] == [ChangeKind.ADD_STEP]
    assert plan.justified[0].justified == "Lokal forskrift: befaring gjøres ikke"
    assert [c.kind for c in plan.changes] == [ChangeKind.RENAME_STEP]
    result = apply_plan(lacking, plan)
    assert "Gjennomføre befaring" not in [s.label for s in result.steps]
    assert "Vurdere søknaden" in [s.label for s in result.steps]
    assert identical(std, apply_plan(lacking, plan, include_justified=True))


def test_a_justified_standard_step_does_not_justify_the_members_step_with_the_same_id() -> None:
    # Both processes number their steps s0, s1, …: the standard's s1 is not the member's s1.
    std = chain("Søknad mottatt", "Gjennomføre befaring", "Vurdere søknaden", "Fatte vedtak")
    lacking = chain("Søknad mottatt", "Vurdere saken", "Fatte vedtak")
    plan = change_plan(lacking, std, justified={"s1": "Lokal forskrift"})
    assert [c.kind for c in plan.justified] == [ChangeKind.ADD_STEP]
    assert [c.kind for c in plan.changes] == [ChangeKind.RENAME_STEP]
    own = change_plan(lacking, std, justified_variant={"s1": "Fagsystemet krever det"})
    assert [c.kind for c in own.justified] == [ChangeKind.RENAME_STEP]
    assert own.justified[0].justified == "Fagsystemet krever det"
    assert [c.kind for c in own.changes] == [ChangeKind.ADD_STEP]


def test_parallel_and_mode_changes_have_the_larger_efforts() -> None:
    std = synthetic_process(25, seed=9)
    [v] = generate_variants(std, 1, seed=4, edits=1, operations=["parallel"])
    [change] = [c for c in change_plan(v.process, std).changes if c.kind == ChangeKind.MAKE_SEQUENTIAL]
    assert change.effort == Effort.LARGE and change.effort_rule == "organisation"


def test_change_plan_checks_its_classes() -> None:
    a = chain("Søknad mottatt", "Vurdere søknaden", "Vedtak sendt")
    sc = step_classes({"A": a}, current=a)
    with pytest.raises(ValueError, match="needs the member"):
        change_plan(a, a, classes=sc)
    with pytest.raises(ValueError, match="do not know the member"):
        change_plan(a, a, classes=sc, member="B")
    with pytest.raises(ValueError, match="another version"):
        change_plan(chain("X", "Y"), a, classes=sc, member="A")
    with pytest.raises(ValueError, match="not step classes"):
        change_plan(a, chain("Andre", "Steg", ids=["x", "y"]), classes=sc, member="A")


def test_unnamed_events_are_named_by_kind_not_by_id() -> None:
    std = Process("p")
    std.add_step(Step("StartEvent_1", "", StepKind.START_EVENT))
    std.add_step(Step("t", "Vurdere søknaden"))
    std.add_step(Step("Event_00e2q3k", "", StepKind.END_EVENT))
    std.add_flow(Flow("StartEvent_1", "t"))
    std.add_flow(Flow("t", "Event_00e2q3k"))
    variant = Process("v")
    variant.add_step(Step("a", "", StepKind.START_EVENT))
    variant.add_step(Step("b", "Vurdere søknaden"))
    variant.add_flow(Flow("a", "b"))
    texts = change_plan(variant, std).texts()
    assert texts and not any("Event_" in t or "StartEvent" in t for t in texts)
    assert "slutthendelsen" in texts[0]


def test_gateways_of_the_target_are_rebuilt_where_the_variant_lacks_them() -> None:
    std = Process("p")
    for sid, label in (("s", "Søknad mottatt"), ("a", "Vurdere søknaden"), ("b", "Gjennomføre befaring"),
                       ("c", "Innhente uttalelse"), ("d", "Fatte vedtak")):
        std.add_step(Step(sid, label, StepKind.START_EVENT if sid == "s" else StepKind.TASK))
    std.add_gateway(Gateway("split", GatewayKind.PARALLEL))
    std.add_gateway(Gateway("join", GatewayKind.PARALLEL))
    for x, y in (("s", "a"), ("a", "split"), ("split", "b"), ("split", "c"), ("b", "join"), ("c", "join"),
                 ("join", "d")):
        std.add_flow(Flow(x, y))
    seq = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Innhente uttalelse", "Fatte vedtak",
                ids=["s", "a", "b", "c", "d"])
    plan = change_plan(seq, std)
    assert ChangeKind.MAKE_PARALLEL in [c.kind for c in plan.changes]
    assert identical(std, apply_plan(seq, plan))


def test_join_names_sorts_norwegian_letters_last() -> None:
    assert join_names(["Åfjord", "Ørland", "Ærfjord", "Agdenes"], most=4) == "Agdenes, Ærfjord, Ørland og Åfjord"
    assert join_names(["Malvik"]) == "Malvik"
    assert join_names(["A", "B", "C", "D"], "en") == "A, B and 2 others"
    assert join_names(["A", "B", "C"], most=2) == "A, B og 1 annen"


def test_proposal_recovers_a_standard_the_block_synthesis_cannot_draw() -> None:
    # The access-to-documents standard joins three ways into one step from different depths:
    # the proposal is then a member's own process, repaired towards the majority.
    hidden = samples.standard("innsyn")
    variants = generate_variants(hidden, 10, seed=2, edits=(1, 6), reid=True)
    proposal = propose_standard({f"m{i}": v.process for i, v in enumerate(variants)})
    assert identical(hidden, proposal.process)


def test_the_minimum_support_holds_even_against_the_current_standard() -> None:
    current = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    without = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt")
    members = {"A": current.copy(), "B": current.copy(), "C": current.copy(), "D": without}
    assert "Gjennomføre befaring" in [s.label for s in propose_standard(members, current=current).steps]
    strict = propose_standard(members, current=current, min_support=0.9)
    assert "Gjennomføre befaring" not in [s.label for s in strict.steps]


def test_weights_and_classes_must_match_the_members() -> None:
    a = chain("Søknad mottatt", "Vurdere søknaden", "Vedtak sendt")
    with pytest.raises(ValueError, match="no variant"):
        propose_standard({"A": a}, weights={"Trondheim": 2.0})
    classes = step_classes({"A": a, "B": a.copy()})
    with pytest.raises(ValueError, match="other members"):
        propose_standard({"A": a}, classes=classes)
    proposal = propose_standard({"A": a, "B": a.copy()}, justified=[["A", "s1"]])
    assert proposal.settings["justified"] == [("A", "s1")]


def test_a_process_with_a_sub_process_and_pools_keeps_its_shape() -> None:
    def sub(label: str = "Fatte vedtak") -> Process:
        p = Process("p")
        for sid, lbl, kind, parent in (("s", "Søknad mottatt", "start_event", None),
                                       ("sub", "Behandle søknaden", "subprocess", None),
                                       ("is", "", "start_event", "sub"), ("it", "Kontrollere vedlegg", "task", "sub"),
                                       ("ie", "", "end_event", "sub"), ("d", label, "task", None),
                                       ("e", "Vedtak sendt", "end_event", None)):
            p.add_step(Step(sid, lbl, StepKind(kind), parent=parent))
        for x, y in (("s", "sub"), ("is", "it"), ("it", "ie"), ("sub", "d"), ("d", "e")):
            p.add_flow(Flow(x, y))
        return p

    proposal = propose_standard({f"m{i}": sub() for i in range(4)}, current=sub("Vedtak (gammel)"))
    assert [s.label for s in proposal.process.steps if s.id == "d"] == ["Fatte vedtak"]
    assert [p for p in proposal.process.validate() if p.severity == "error"] == []
    assert proposal.texts() == ["Steget «Vedtak (gammel)» heter «Fatte vedtak» i forslaget, slik 4 av 4 kommuner kaller det."]


def test_message_flows_survive_a_plan() -> None:
    def collab(label: str) -> Process:
        p = Process("c")
        for sid, lbl, kind, pool in (("s1", "Behov oppstått", "start_event", "Søker"),
                                     ("send", "Sende søknad", "send_task", "Søker"),
                                     ("w", "Motta vedtak", "receive_task", "Søker"),
                                     ("e1", "Ferdig", "end_event", "Søker"),
                                     ("s2", "Søknad mottatt", "start_event", "Kommunen"),
                                     ("v", label, "task", "Kommunen"),
                                     ("d", "Sende vedtak", "send_task", "Kommunen"),
                                     ("e2", "Avsluttet", "end_event", "Kommunen")):
            p.add_step(Step(sid, lbl, StepKind(kind), pool=pool))
        for x, y in (("s1", "send"), ("send", "w"), ("w", "e1"), ("s2", "v"), ("v", "d"), ("d", "e2")):
            p.add_flow(Flow(x, y))
        p.add_flow(Flow("send", "s2", "Søknad", kind="message"))
        p.add_flow(Flow("d", "w", "Vedtak", kind="message"))
        return p

    std, variant = collab("Vurdere søknaden"), collab("Behandle saken")
    variant.remove_flow(next(f for f in variant.flows if f.is_message and f.source == "d"))
    variant.add_flow(Flow("d", "w"))
    result = apply_plan(variant, change_plan(variant, std))
    assert identical(std, result)
    assert sorted((f.source, f.target) for f in result.flows if f.is_message) == [("d", "w"), ("send", "s2")]


def test_a_justified_missing_step_leaves_the_flow_around_it_alone() -> None:
    std = chain("Søknad mottatt", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak", "Vedtak sendt")
    lacking = chain("Søknad mottatt", "Vurdere søknaden", "Fatte vedtak", "Vedtak sendt", ids=["a", "b", "c", "d"])
    plan = change_plan(lacking, std, justified={"s2": "Lokal forskrift"})
    result = apply_plan(lacking, plan)
    assert [p for p in result.validate() if p.severity == "error"] == []
    assert ("b", "c") in {(f.source, f.target) for f in result.flows}


@pytest.mark.parametrize(
    ("field", "value", "nb", "en"),
    [
        ("lane", "Arkiv", "La «Arkiv» gjøre «Vurdere søknaden» (i dag: «Saksbehandler»).",
         "Have “Arkiv” do “Vurdere søknaden” (today: “Saksbehandler”)."),
        ("lane", None, "La det være uten fast rolle hvem som gjør «Vurdere søknaden» (i dag: «Saksbehandler»).",
         "Leave open who does “Vurdere søknaden” (today: “Saksbehandler”)."),
        ("system", "Public 360", "Bruk «Public 360» til «Vurdere søknaden» (i dag: «Elements»).",
         "Use “Public 360” for “Vurdere søknaden” (today: “Elements”)."),
        ("legal_basis", None, "Fjern hjemmelen for «Vurdere søknaden» (i dag: «pbl. § 20-1»).",
         "Remove the legal basis of “Vurdere søknaden” (today: “pbl. § 20-1”)."),
        ("handling_days", 5.0, "Sett behandlingstiden for «Vurdere søknaden» til 5 dager (i dag: 10 dager).",
         "Set the handling time of “Vurdere søknaden” to 5 days (today: 10 days)."),
        ("mode", "self_service", "Gjør «Vurdere søknaden» som selvbetjening (i dag: på papir).",
         "Do “Vurdere søknaden” as self-service (today: on paper)."),
    ],
)
def test_attribute_changes_are_said_as_what_to_do(field: str, value: object, nb: str, en: str) -> None:
    base = {"lane": "Saksbehandler", "system": "Elements", "legal_basis": "pbl. § 20-1", "handling_days": 10.0,
            "mode": "paper"}

    def process(**changes: object) -> Process:
        p = chain("Søknad mottatt", "Vurdere søknaden", "Vedtak sendt")
        p.replace_element(p.step("s1").replace(**{**base, **changes}))
        # Another step states every attribute, so the attribute is compared even when cleared.
        p.replace_element(p.step("s0").replace(**base))
        p.lanes = ["Saksbehandler", "Arkiv"]
        return p

    [change] = change_plan(process(), process(**{field: value})).changes
    assert (change.text(), change.text("en")) == (nb, en)


def test_kept_step_classes_give_the_same_plans_and_proposal() -> None:
    import json

    from processes import samples
    from processes.harmonise import classes_from_data, classes_to_data

    current = samples.standard("byggesak")
    members = {samples.MUNICIPALITIES[c]: p for c, p in samples.variants("byggesak").items()}
    made = step_classes(members, current=current)
    kept = classes_from_data(json.loads(json.dumps(classes_to_data(made))), members, current)
    for name, process in members.items():
        assert change_plan(process, current, classes=kept, member=name).texts("en") == change_plan(
            process, current, classes=made, member=name
        ).texts("en")
    assert propose_standard(members, current=current, classes=kept).texts() == propose_standard(
        members, current=current, classes=made
    ).texts()


def test_kept_step_classes_of_other_inputs_are_refused() -> None:
    from processes import samples
    from processes.harmonise import classes_from_data, classes_to_data

    current = samples.standard("byggesak")
    members = {samples.MUNICIPALITIES[c]: p for c, p in samples.variants("byggesak").items()}
    data = classes_to_data(step_classes(members, current=current))
    fewer = dict(list(members.items())[1:])
    with pytest.raises(ValueError, match="other members"):
        classes_from_data(data, fewer, current)
    with pytest.raises(ValueError, match="another current standard"):
        classes_from_data(data, members, None)
    changed = dict(members)
    first = next(iter(changed))
    renumbered = Process(changed[first].id, changed[first].name)
    for step in changed[first].steps:
        renumbered.add_step(step.replace(id="x-" + step.id))
    changed[first] = renumbered
    with pytest.raises(ValueError, match="no longer has"):
        classes_from_data(data, changed, current)
    with pytest.raises(ValueError, match="another format"):
        classes_from_data({**data, "format": 99}, members, current)
