"""Gains: hand-computed figures for small processes, rounding, errors, properties, cooperation, realisation."""

from __future__ import annotations

import datetime
import json
import pickle
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.gains import (
    Baseline,
    CooperationAssumptions,
    GainError,
    HourlyCost,
    LaterState,
    MeasuredStep,
    Measurement,
    ModeSaving,
    ProcessInput,
    Spread,
    StepInput,
    cooperation_gains,
    estimate,
    estimate_cooperation,
    measure,
    peer_values,
    realised,
    round_half_up,
)
from processes.harmonise import ChangeKind, change_plan
from processes.model import Flow, Mode, Process, Step


def chain(*specs: tuple[str, str, str | None, float | None], pid: str = "p") -> Process:
    """A chain of tasks: (id, label, mode, handling days)."""
    p = Process(pid, "Byggesak")
    for i, (sid, label, mode, days) in enumerate(specs):
        p.add_step(Step(sid, label, mode=mode, handling_days=days))
        if i:
            p.add_flow(Flow(specs[i - 1][0], sid))
    return p


STANDARD = chain(
    ("motta", "Motta søknad", "digital", 1),
    ("vurdere", "Vurdere søknad", "digital", 10),
    ("vedtak", "Sende vedtak", "digital", 1),
)
MALVIK = chain(
    ("m1", "Motta søknad", "paper", 2),
    ("m2", "Vurdere søknad", "digital", 14),
    ("m3", "Kontrollere gebyr", "manual", 1),
    ("m4", "Sende vedtak", "paper", 1),
)
PAPER_TO_DIGITAL = ModeSaving("paper", "digital", Spread(0.2, 0.3, 0.5), Spread(0, 0.1, 0.2), note="Eksempel")
ASSUMPTIONS = CooperationAssumptions(HourlyCost(700, "Eksempel: SSB"), (PAPER_TO_DIGITAL,))
MALVIK_INPUTS = ProcessInput(
    "Malvik",
    (
        StepInput("m1", work_minutes=20, postage_nok=15),
        StepInput("m3", work_minutes=10, case_share=0.5),
        StepInput("m4", work_minutes=15, postage_nok=12),
    ),
    cases_per_year=240,
    cases_source="Eksempel: sakssystemet 2025",
)


def malvik_plan():
    return change_plan(MALVIK, STANDARD, member=None)


# -- hand-computed: four changes of one small process ---------------------------


def test_malvik_lines_are_the_hand_computed_figures() -> None:
    result = estimate(malvik_plan(), MALVIK_INPUTS, ASSUMPTIONS)
    kinds = [line.kind for line in result.lines]
    assert kinds == [ChangeKind.CHANGE_MODE, ChangeKind.CHANGE_HANDLING_DAYS, ChangeKind.CHANGE_HANDLING_DAYS,
                     ChangeKind.REMOVE_STEP, ChangeKind.CHANGE_MODE]
    mode1, days1, days2, removed, mode4 = result.lines
    # «Motta søknad» paper -> digital: 240 × 20 min × (0.2, 0.3, 0.5) / 60 = (16, 24, 40) h.
    assert mode1.hours == Spread(16.0, 24.0, 40.0)
    # 24 h × 700 + 240 × 15 kr postage = 16 800 + 3 600.
    assert mode1.postage_nok == Spread.exactly(3600.0)
    assert mode1.nok == Spread(14800.0, 20400.0, 31600.0)
    # Its lead time is counted in the handling-time change of the same step, not twice.
    assert mode1.lead_days == Spread.exactly(0.0)
    assert "lead_in_other_line" in [a.code for a in mode1.assumptions]
    assert days1.lead_days == Spread.exactly(1.0)  # 2 -> 1 day
    assert days2.lead_days == Spread.exactly(4.0)  # 14 -> 10 days
    assert days1.hours == Spread.exactly(0.0)
    # «Kontrollere gebyr» removed: 240 × 0.5 × 10 min / 60 = 20 h; 0.5 × 1 day.
    assert removed.hours == Spread.exactly(20.0)
    assert removed.nok == Spread.exactly(14000.0)
    assert removed.lead_days == Spread.exactly(0.5)
    # «Sende vedtak» paper -> digital: 240 × 15 × (0.2, 0.3, 0.5) / 60 = (12, 18, 30) h; lead 1 × (0, 0.1, 0.2).
    assert mode4.hours == Spread(12.0, 18.0, 30.0)
    assert mode4.nok == Spread(12.0 * 700 + 2880, 18.0 * 700 + 2880, 30.0 * 700 + 2880)
    assert mode4.lead_days == Spread(0.0, 0.1, 0.2)
    assert result.hours == Spread(48.0, 62.0, 90.0)
    assert result.nok == Spread(40080.0, 49880.0, 69480.0)
    assert result.postage_nok == Spread.exactly(6480.0)
    assert result.lead_days == Spread(5.5, 5.6, 5.7)


def test_malvik_sentences_show_the_arithmetic() -> None:
    result = estimate(malvik_plan(), MALVIK_INPUTS, ASSUMPTIONS)
    mode1, days1, _, removed, mode4 = result.lines
    assert mode1.sentences() == [
        "240 saker/år × 20 min × 30 % spart (lav 20 %, høy 50 %) = 24 timer/år spart (lav 16, høy 40)",
        "240 saker/år × 15 kr porto og trykk = 3 600 kr/år spart",
        "24 timer/år (lav 16, høy 40) × 700 kr/time = 16 800 kr/år spart (lav 11 200, høy 28 000)",
    ]
    assert days1.sentences() == ["100 % av sakene × (2 − 1 dager) = 1 dag kortere saksbehandlingstid per sak"]
    assert removed.sentences("en") == [
        "240 cases/year × 50% of cases × 10 min = 20 hours/year saved",
        "50% of cases × 1 day = 0.5 days shorter lead time per case",
        "20 hours/year × NOK 700/hour = NOK 14,000/year saved",
    ]
    assert mode4.sentences()[1] == (
        "100 % av sakene × 1 dag × 10 % kortere (lav 0 %, høy 20 %) = "
        "0,1 dager kortere saksbehandlingstid per sak (lav 0, høy 0,2)"
    )
    assert result.summary() == (
        "Malvik: 62 timer/år (lav 48, høy 90), 49 880 kr/år (lav 40 080, høy 69 480) og 5,6 dager per sak "
        "i saksbehandlingstid (positive tall er spart); 4 forutsetninger står i stedet for inndata som mangler."
    )


def test_terms_are_structured_data_with_their_basis() -> None:
    result = estimate(malvik_plan(), MALVIK_INPUTS, ASSUMPTIONS)
    hours = result.lines[0].calculations[0]
    assert hours.quantity == "hours"
    assert [(t.name, t.value.expected, t.basis, t.step) for t in hours.terms] == [
        ("cases_per_year", 240.0, "given", None),
        ("case_share", 1.0, "default", "m1"),
        ("work_minutes", 20.0, "given", "m1"),
        ("saving_share", 0.3, "cooperation", "m1"),
    ]
    assert result.cases_per_year.basis == "given"
    missing = [(a.code, a.input, a.step) for a in result.missing]
    # The share of cases through a step is not known for three of them: all cases assumed, and said.
    assert missing == [("all_cases", "case_share", "m1"), ("all_cases", "case_share", "m1"),
                       ("all_cases", "case_share", "m2"), ("all_cases", "case_share", "m4")]
    assert json.loads(json.dumps(result.to_dict()))["lines"][3]["hours"] == {"low": 20.0, "expected": 20.0,
                                                                            "high": 20.0}


def test_ranking_of_lines_is_by_kroner() -> None:
    result = estimate(malvik_plan(), MALVIK_INPUTS, ASSUMPTIONS)
    assert [line.index for line in result.ranked()] == [0, 4, 3, 1, 2]


# -- hand-computed: rounding once, at the end -------------------------------------


def test_rounding_is_half_away_from_zero_and_done_once_at_the_end() -> None:
    target = chain(("a", "Motta", None, None), ("d", "Avslutte", None, None))
    variant = chain(("a", "Motta", None, None), ("b", "Kopiere", None, None), ("c", "Stemple", None, None),
                    ("d", "Avslutte", None, None))
    plan = change_plan(variant, target)
    assert [c.kind for c in plan.changes] == [ChangeKind.REMOVE_STEP, ChangeKind.REMOVE_STEP]
    inputs = ProcessInput("X", (StepInput("b", work_minutes=3), StepInput("c", work_minutes=3)), cases_per_year=1)
    result = estimate(plan, inputs, CooperationAssumptions(HourlyCost(15, "test")))
    # Each line: 1 × 3 / 60 = 0.05 h -> 0.1 (half up); 0.75 kr -> 1.
    assert [line.hours.expected for line in result.lines] == [0.1, 0.1]
    assert [line.nok.expected for line in result.lines] == [1.0, 1.0]
    # The total is the exact 0.1 h (not 0.1 + 0.1) and 1.5 kr -> 2.
    assert result.hours.expected == 0.1
    assert result.nok.expected == 2.0
    # Added work rounds away from zero too: the same steps added back.
    back = estimate(change_plan(target, variant), ProcessInput("X", cases_per_year=1),
                    CooperationAssumptions(HourlyCost(15, "test"),
                                           reference=(StepInput("b", work_minutes=3), StepInput("c", work_minutes=3))))
    assert [line.hours.expected for line in back.lines] == [-0.1, -0.1]
    assert back.hours.expected == -0.1


def test_round_half_up() -> None:
    assert round_half_up(Fraction(1, 20), 1) == Fraction(1, 10)
    assert round_half_up(Fraction(-1, 20), 1) == Fraction(-1, 10)
    assert round_half_up(2.5) == 3 and round_half_up(-2.5) == -3 and round_half_up(2.4999) == 2


# -- hand-computed: medians of peers, reference figures, inverse savings -----------------------


def test_missing_minutes_use_the_median_of_the_members_that_have_them() -> None:
    target = chain(("a", "Motta", "digital", None), ("d", "Avslutte", "digital", None))
    variant = chain(("a", "Motta", "digital", None), ("b", "Kopiere", "manual", 3), ("d", "Avslutte", "digital", None))
    plan = change_plan(variant, target, member=None)
    peers = peer_values([
        ProcessInput("Melhus", (StepInput("b", work_minutes=10),), 100),
        ProcessInput("Skaun", (StepInput("b", work_minutes=20),), 300),
        ProcessInput("Ørland", (StepInput("b", work_minutes=60),), 500),
    ])
    result = estimate(plan, ProcessInput("Malvik"), CooperationAssumptions(HourlyCost(600, "test")), peers=peers)
    (line,) = result.lines
    # Cases: median of 100, 300, 500 = 300 (low 100, high 500); minutes: median 20 (10..60).
    # Hours: (100 × 10, 300 × 20, 500 × 60) / 60 = (16.7, 100, 500).
    assert line.hours == Spread(16.7, 100.0, 500.0)
    assert line.nok == Spread(10000.0, 60000.0, 300000.0)
    assert line.lead_days == Spread.exactly(3.0)
    median = [a for a in line.assumptions if a.code == "median"]
    assert [(a.input, a.members, a.value) for a in median] == [
        ("work_minutes", ("Melhus", "Skaun", "Ørland"), Spread(10.0, 20.0, 60.0))
    ]
    assert median[0].text() == (
        "Arbeidstid per sak for «Kopiere» mangler; brukt medianen av de 3 kommunene som har oppgitt det "
        "(Melhus, Skaun og Ørland): 20 min (lav 10 min, høy 60 min)."
    )
    assert result.cases_per_year.basis == "median"
    assert [a.code for a in result.missing][:1] == ["median"]


def test_an_added_step_uses_the_reference_figure_and_the_target_handling_time() -> None:
    target = chain(("a", "Motta", "digital", None), ("x", "Befaring", "manual", 2), ("d", "Avslutte", None, None))
    variant = chain(("a", "Motta", "digital", None), ("d", "Avslutte", None, None))
    plan = change_plan(variant, target)
    assumptions = CooperationAssumptions(HourlyCost(500, "test"), reference=(StepInput("x", work_minutes=90,
                                                                                       case_share=0.2),))
    (line,) = estimate(plan, ProcessInput("A", cases_per_year=150), assumptions).lines
    # 150 × 0.2 × 90 / 60 = 45 h more work; 0.2 × 2 days longer.
    assert line.hours == Spread.exactly(-45.0)
    assert line.nok == Spread.exactly(-22500.0)
    assert line.lead_days == Spread.exactly(-0.4)
    assert line.sentences()[0] == "150 saker/år × 20 % av sakene × 90 min = 45 timer/år mer arbeid"
    assert line.sentences()[1] == "20 % av sakene × 2 dager = 0,4 dager lengre saksbehandlingstid per sak"


def test_an_added_step_without_any_figure_is_left_out_and_said() -> None:
    target = chain(("a", "Motta", None, None), ("x", "Befaring", None, None), ("d", "Avslutte", None, None))
    variant = chain(("a", "Motta", None, None), ("d", "Avslutte", None, None))
    (line,) = estimate(change_plan(variant, target), ProcessInput("A", cases_per_year=150),
                       CooperationAssumptions()).lines
    assert line.hours == Spread.exactly(0.0)
    assert ("left_out", "work_minutes", "x") in [(a.code, a.input, a.step) for a in line.missing]


def test_the_reverse_of_a_saving_is_its_inverse() -> None:
    target = chain(("a", "Sende brev", "paper", None))
    variant = chain(("a", "Sende brev", "digital", None))
    assumptions = CooperationAssumptions(
        HourlyCost(600, "test"), (ModeSaving("paper", "digital", Spread(0.25, 0.5, 0.5)),),
        reference=(StepInput("a", postage_nok=10),),
    )
    inputs = ProcessInput("A", (StepInput("a", work_minutes=30),), cases_per_year=120)
    (line,) = estimate(change_plan(variant, target), inputs, assumptions).lines
    # s/(1−s) = (1/3, 1, 1): 120 × 30 × (1/3, 1, 1) / 60 = (20, 60, 60) h more; postage 120 × 10 kr more.
    assert line.hours == Spread(-60.0, -60.0, -20.0)
    assert line.postage_nok == Spread.exactly(-1200.0)
    assert line.nok == Spread(-37200.0, -37200.0, -13200.0)
    assert "inverse_mode_saving" in [a.code for a in line.assumptions]


def test_a_mode_change_without_a_default_saving_is_not_counted_and_said() -> None:
    target = chain(("a", "Vurdere", "automated", None))
    variant = chain(("a", "Vurdere", "manual", None))
    inputs = ProcessInput("A", (StepInput("a", work_minutes=30),), cases_per_year=120)
    (line,) = estimate(change_plan(variant, target), inputs, ASSUMPTIONS).lines
    assert line.hours == Spread.exactly(0.0)
    (missing,) = [a for a in line.missing if a.code == "no_mode_saving"]
    assert missing.text() == (
        "Samarbeidet har ingen standard innsparing for manuelt → automatisk for «Vurdere»; "
        "endringen er ikke regnet med."
    )


def test_a_saving_from_any_mode_applies_when_the_pair_has_none() -> None:
    target = chain(("a", "Søke", "self_service", None))
    variant = chain(("a", "Søke", "manual", None))
    assumptions = CooperationAssumptions(None, (ModeSaving(None, "self_service", Spread(0.5, 0.6, 0.8)),))
    inputs = ProcessInput("A", (StepInput("a", work_minutes=10),), cases_per_year=600)
    result = estimate(change_plan(variant, target), inputs, assumptions)
    (line,) = result.lines
    assert line.hours == Spread(50.0, 60.0, 80.0)
    # Without an hourly cost no kroner are invented.
    assert line.nok == Spread.exactly(0.0)
    assert ("no_hourly_cost", "hourly_cost") in [(a.code, a.input) for a in result.missing]


def test_cases_and_durations_from_an_event_log_say_so() -> None:
    measurement = Measurement(
        50, 73, {"m3": MeasuredStep("m3", "Kontrollere gebyr", 10, 0.2, 4.0)}, source="Eksempel: logg 2025"
    )
    inputs = ProcessInput("Malvik", (StepInput("m3", work_minutes=30),), measurement=measurement)
    result = estimate(malvik_plan(), inputs, ASSUMPTIONS)
    removed = next(line for line in result.lines if line.kind == ChangeKind.REMOVE_STEP)
    # 50 cases in 73 days = 250 a year; 250 × 0.2 × 30 / 60 = 25 h; 0.2 × 4 days.
    assert result.cases_per_year.basis == "event_log"
    assert result.cases_per_year.value.expected == 250.0
    assert removed.hours == Spread.exactly(25.0)
    assert removed.lead_days == Spread.exactly(0.8)
    assert [t.basis for t in removed.calculations[0].terms] == ["event_log", "event_log", "given"]
    cases_note = next(a for a in result.assumptions if a.input == "cases_per_year")
    assert cases_note.text() == "Saker per år er målt i hendelsesloggen: 50 saker på 73 dager = 250 saker/år."


def test_measure_matches_log_activities_to_steps_by_label() -> None:
    from processes.formats.eventlog import Event, discover

    day = 86400.0
    log = discover([[Event("Motta søknad", 0.0), Event("Kontrollere gebyr", 2 * day), Event("Ringe", 3 * day)]] * 4
                   + [[Event("Motta søknad", 0.0), Event("Ringe", 1 * day)]])
    m = measure(log, MALVIK, period_days=365)
    assert m.cases == 5 and m.cases_per_year == 5
    assert m.steps["m3"].case_share == 0.8 and m.steps["m3"].lead_days == 2.0
    assert m.unmatched == ("Ringe",)


def test_a_log_gives_its_period_from_the_first_to_the_last_event_and_a_measurement_survives_json() -> None:
    import json

    from processes.formats.eventlog import Event, discover
    from processes.gains import log_period_days

    start = 1_735_718_400.0  # 2025-01-01T08:00:00Z
    day = 86400.0
    log = discover([[Event("Motta søknad", start), Event("Kontrollere gebyr", start + 2 * day)],
                    [Event("Motta søknad", start + 90 * day), Event("Kontrollere gebyr", start + 120.5 * day)]])
    assert log.metadata["first_event"] == "2025-01-01T08:00:00+00:00"
    assert log.metadata["last_event"] == "2025-05-01T20:00:00+00:00"
    assert log_period_days(log) == 120.5
    # All on one day: one day, so that cases per year stay finite; no times: no period.
    assert log_period_days(discover([[Event("Motta søknad", start), Event("Ringe", start + 60)]])) == 1.0
    assert log_period_days(discover([[Event("Motta søknad"), Event("Ringe")]])) is None
    m = measure(log, MALVIK, period_days=120.5, source="logg.xes")
    again = Measurement.from_dict(json.loads(json.dumps(m.to_dict())))
    assert again == m and again.steps == m.steps and again.cases_per_year == m.cases_per_year
    with pytest.raises(GainError) as info:
        Measurement.from_dict({"cases": 3, "period_days": 30, "steps": [{"step_id": "m3", "case_share": 2}]})
    assert info.value.code == "share_out_of_range"


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "code", "params"),
    [
        (lambda: StepInput("s1", work_minutes=-5), "negative", {"what": "work_minutes", "value": -5, "step": "s1"}),
        (lambda: StepInput("s1", case_share=1.2), "share_out_of_range", {"what": "case_share", "value": 1.2,
                                                                          "step": "s1"}),
        (lambda: StepInput("s1", postage_nok=float("nan")), "not_a_number", {"what": "postage_nok", "value": "nan",
                                                                              "step": "s1"}),
        (lambda: StepInput("s1", lead_days=True), "not_a_number", {"what": "lead_days", "value": "True",
                                                                    "step": "s1"}),
        (lambda: Spread(0.5, 0.3, 0.6), "spread_order", {"what": "value", "low": 0.5, "expected": 0.3, "high": 0.6}),
        (lambda: ModeSaving("paper", "digital", Spread(0.1, 0.2, 1.5)), "share_out_of_range",
         {"what": "work_share", "value": 1.5}),
        (lambda: ModeSaving("paper", "paper", Spread(0.1, 0.2, 0.3)), "same_mode", {"mode": "paper"}),
        (lambda: ProcessInput("A", cases_per_year=-1), "negative", {"what": "cases_per_year", "value": -1}),
        (lambda: ProcessInput("A", (StepInput("s"), StepInput("s"))), "duplicate_step", {"step": "s"}),
        (lambda: HourlyCost(-1, "x"), "negative", {"what": "hourly_cost", "value": -1}),
        (lambda: Measurement(3, 0), "not_positive", {"what": "period_days", "value": 0}),
        (lambda: CooperationAssumptions(None, (PAPER_TO_DIGITAL, PAPER_TO_DIGITAL)), "duplicate_mode_saving",
         {"source": "paper", "target": "digital"}),
    ],
)
def test_errors_carry_a_code_and_parameters(build, code, params) -> None:
    with pytest.raises(GainError) as info:
        build()
    assert info.value.code == code
    assert info.value.params == params
    assert isinstance(info.value, ValueError)
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.code, again.params) == (code, params)


def test_estimate_refuses_inputs_of_another_member_and_changes_of_another_plan() -> None:
    plan = change_plan(MALVIK, STANDARD, member=None)
    other = change_plan(STANDARD, MALVIK)
    with pytest.raises(GainError) as info:
        estimate(plan, MALVIK_INPUTS, ASSUMPTIONS, changes=[other.changes[0]])
    assert info.value.code == "unknown_change"
    from processes.harmonise import ChangePlan

    named = ChangePlan(plan.variant, plan.target, "Melhus", plan.changes, plan.justified)
    with pytest.raises(GainError) as info:
        estimate(named, MALVIK_INPUTS, ASSUMPTIONS)
    assert (info.value.code, info.value.params) == ("member_mismatch", {"inputs": "Malvik", "plan": "Melhus"})
    with pytest.raises(GainError) as info:
        estimate(plan, MALVIK_INPUTS, ASSUMPTIONS).lines[0].text("de")
    assert info.value.code == "unknown_language"


# -- properties ---------------------------------------------------------------------------

MODES = [None, *[m.value for m in Mode]]
LABELS = ["Motta søknad", "Kontrollere", "Befaring", "Vurdere", "Sende vedtak", "Arkivere"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Process, Process, ProcessInput, CooperationAssumptions]:
    def process(prefix: str) -> Process:
        labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=5, unique=True))
        specs = [
            (f"{prefix}{i}", label, draw(st.sampled_from(MODES)),
             draw(st.one_of(st.none(), st.integers(0, 20).map(float))))
            for i, label in enumerate(labels)
        ]
        return chain(*specs, pid=prefix)

    target, variant = process("t"), process("v")
    steps = []
    for s in variant.steps:
        steps.append(StepInput(
            s.id,
            work_minutes=draw(st.one_of(st.none(), st.integers(0, 120).map(float))),
            postage_nok=draw(st.one_of(st.none(), st.integers(0, 40).map(float))),
            case_share=draw(st.one_of(st.none(), st.sampled_from([0.1, 0.25, 0.5, 1.0]))),
        ))
    inputs = ProcessInput("A", tuple(steps), cases_per_year=draw(st.integers(0, 5000).map(float)))
    savings = []
    for a, b in [("paper", "digital"), ("manual", "automated"), ("digital", "automated"), (None, "self_service")]:
        if draw(st.booleans()):
            lo, ex, hi = sorted(draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9]), min_size=3, max_size=3)))
            savings.append(ModeSaving(a, b, Spread(lo, ex, hi), Spread(0, lo, ex)))
    reference = tuple(
        StepInput(s.id, work_minutes=draw(st.integers(0, 60).map(float))) for s in target.steps if draw(st.booleans())
    )
    hourly = HourlyCost(draw(st.integers(0, 1200)), "test") if draw(st.booleans()) else None
    return target, variant, inputs, CooperationAssumptions(hourly, tuple(savings), reference)


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_no_change_no_gain(case) -> None:
    _, variant, inputs, assumptions = case
    result = estimate(change_plan(variant, variant), inputs, assumptions)
    assert result.lines == ()
    assert result.hours == result.nok == result.lead_days == Spread.exactly(0.0)


@PROPERTY
@given(cases())
def test_gains_add_up_over_changes(case) -> None:
    target, variant, inputs, assumptions = case
    plan = change_plan(variant, target)
    whole = estimate(plan, inputs, assumptions)
    for q in ("hours", "nok", "postage_nok", "lead_days"):
        total = (sum(ln.exact[q][0] for ln in whole.lines), sum(ln.exact[q][1] for ln in whole.lines),
                 sum(ln.exact[q][2] for ln in whole.lines))
        assert whole.exact[q] == total
    # Estimating the changes one by one gives the same lines.
    parts = [estimate(plan, inputs, assumptions, changes=[c]) for c in plan.changes]
    for part, line in zip(parts, whole.lines):
        assert part.exact["nok"] == line.exact["nok"]
        assert part.exact["hours"] == line.exact["hours"]
    # And two halves add up to the whole.
    half = len(plan.changes) // 2
    a = estimate(plan, inputs, assumptions, changes=plan.changes[:half])
    b = estimate(plan, inputs, assumptions, changes=plan.changes[half:])
    for q in ("hours", "nok", "lead_days"):
        assert tuple(x + y for x, y in zip(a.exact[q], b.exact[q])) == whole.exact[q]


@PROPERTY
@given(cases())
def test_low_expected_high_are_ordered_in_every_line(case) -> None:
    target, variant, inputs, assumptions = case
    result = estimate(change_plan(variant, target), inputs, assumptions)
    for line in result.lines:
        for s in (line.hours, line.nok, line.postage_nok, line.lead_days):
            assert s.low <= s.expected <= s.high
        for q in ("hours", "nok", "postage_nok", "lead_days"):
            lo, ex, hi = line.exact[q]
            assert lo <= ex <= hi
    for s in (result.hours, result.nok, result.lead_days):
        assert s.low <= s.expected <= s.high


@PROPERTY
@given(cases(), st.integers(2, 7))
def test_scaling_cases_per_year_scales_hours_and_kroner_linearly(case, k) -> None:
    target, variant, inputs, assumptions = case
    plan = change_plan(variant, target)
    once = estimate(plan, inputs, assumptions)
    assert inputs.cases_per_year is not None
    scaled_inputs = ProcessInput(inputs.member, inputs.steps, cases_per_year=inputs.cases_per_year * k)
    scaled = estimate(plan, scaled_inputs, assumptions)
    for q in ("hours", "nok", "postage_nok"):
        assert scaled.exact[q] == tuple(k * v for v in once.exact[q])
    assert scaled.exact["lead_days"] == once.exact["lead_days"]


# -- the cooperation ----------------------------------------------------------------------


def test_cooperation_sums_and_ranks_members_and_changes() -> None:
    melhus = chain(("h1", "Motta søknad", "paper", 1), ("h2", "Vurdere søknad", "digital", 10),
                   ("h3", "Sende vedtak", "digital", 1), pid="melhus")
    skaun = chain(("k1", "Motta søknad", "digital", 1), ("k2", "Vurdere søknad", "digital", 10),
                  ("k3", "Sende vedtak", "digital", 1), pid="skaun")
    plans = {"Malvik": change_plan(MALVIK, STANDARD, member=None), "Melhus": change_plan(melhus, STANDARD),
             "Skaun": change_plan(skaun, STANDARD)}
    inputs = {"Malvik": MALVIK_INPUTS,
              "Melhus": ProcessInput("Melhus", (StepInput("h1", work_minutes=30, postage_nok=10),), 60)}
    coop = estimate_cooperation(plans, inputs, ASSUMPTIONS)
    assert [m.member for m in coop.members] == ["Malvik", "Melhus", "Skaun"]
    # Melhus: 60 × 30 × (0.2, 0.3, 0.5) / 60 = (6, 9, 15) h; 9 × 700 + 600 postage.
    melhus_est = coop.estimates["Melhus"]
    assert melhus_est.hours == Spread(6.0, 9.0, 15.0)
    assert melhus_est.nok == Spread(4800.0, 6900.0, 11100.0)
    assert coop.estimates["Skaun"].lines == ()
    assert coop.hours == Spread(54.0, 71.0, 105.0)
    assert coop.nok == Spread(44880.0, 56780.0, 80580.0)
    first = coop.changes[0]
    assert (first.key, first.members, first.nok.expected) == ("change_mode:motta", ("Malvik", "Melhus"), 27300.0)
    assert first.text() == "«Motta søknad», ny arbeidsmåte: 2 kommuner, 33 timer/år, 27 300 kr/år."
    assert first.text("en") == "“Motta søknad”, mode changed: 2 members, 33 hours/year, NOK 27,300/year."
    assert json.loads(json.dumps(coop.to_dict()))["members"][0]["member"] == "Malvik"
    assert cooperation_gains(coop.estimates).nok == coop.nok


# -- realised against expected ----------------------------------------------------------------


def test_realised_beside_expected_after_a_new_version() -> None:
    plan = change_plan(MALVIK, STANDARD, member=None)
    base = Baseline.of(datetime.date(2026, 1, 1), plan, MALVIK_INPUTS, ASSUMPTIONS)
    later = MALVIK.copy()
    later.replace_element(later.step("m1").replace(mode=Mode.DIGITAL, handling_days=1.0))
    later.remove_element("m3")
    later.add_flow(Flow("m2", "m4"))
    state = LaterState(datetime.date(2026, 9, 1), later, ProcessInput("Malvik", (StepInput("m1", work_minutes=15),)))
    result = realised(base, state, ASSUMPTIONS)
    by_kind = [(r.expected.kind.value, r.status, r.hours, r.nok, r.lead_days, r.share) for r in result.lines]
    assert by_kind == [
        # 240 × (20 − 15) / 60 = 20 h, and the postage of 3 600 kr is gone: 17 600 of the 20 400 expected.
        ("change_mode", "partly", 20.0, 17600.0, 0.0, 0.8627),
        # The handling time of «Motta søknad» went from 2 to 1 day, as planned.
        ("change_handling_days", "realised", 0.0, 0.0, 1.0, 1.0),
        ("change_handling_days", "not_yet", 0.0, 0.0, 0.0, 0.0),
        # «Kontrollere gebyr» is gone: 240 × 0.5 × 10 / 60 = 20 h and half a day.
        ("remove_step", "realised", 20.0, 14000.0, 0.5, 1.0),
        ("change_mode", "not_yet", 0.0, 0.0, 0.0, 0.0),
    ]
    assert result.hours == 40.0 and result.nok == 31600.0
    assert result.lines[0].text() == "Forventet 20 400 kr/år, realisert 17 600 kr/år (86,3 %)."
    assert result.lines[0].calculations[0].text() == "Ved nullpunktet: 240 saker/år × 20 min = 80 timer/år"
    assert result.lines[0].calculations[-1].text() == "Nå: 240 saker/år × 15 min = 60 timer/år"
    not_remeasured = [a for r in result.lines for a in r.assumptions if a.code == "not_remeasured"]
    assert {(a.input, a.step) for a in not_remeasured} == {("work_minutes", "m4"), ("postage_nok", "m4")}
    assert json.loads(json.dumps(result.to_dict()))["lines"][3]["status"] == "realised"


def test_realised_uses_the_baseline_volume_and_a_later_event_log() -> None:
    plan = change_plan(MALVIK, STANDARD, member=None)
    base = Baseline.of(datetime.date(2026, 1, 1), plan, MALVIK_INPUTS, ASSUMPTIONS)
    # Twice the cases now, and the log says only a tenth of them are still checked.
    measured = Measurement(480, 365, {"m3": MeasuredStep("m3", "Kontrollere gebyr", 48, 0.1, 1.0)})
    state = LaterState(datetime.date(2026, 9, 1), MALVIK, ProcessInput("Malvik", measurement=measured))
    result = realised(base, state, ASSUMPTIONS)
    removed = result.lines[3]
    # 240 (the baseline's volume) × (0.5 − 0.1) × 10 / 60 = 16 h of the 20 expected.
    assert (removed.status, removed.hours, removed.share) == ("partly", 16.0, 0.8)
    assert result.assumptions[0].code == "baseline_volume"


def test_realised_with_no_change_is_nothing() -> None:
    plan = change_plan(MALVIK, STANDARD, member=None)
    base = Baseline.of(datetime.date(2026, 1, 1), plan, MALVIK_INPUTS, ASSUMPTIONS)
    result = realised(base, LaterState(datetime.date(2026, 2, 1), MALVIK, MALVIK_INPUTS), ASSUMPTIONS)
    assert {r.status for r in result.lines} == {"not_yet"}
    assert result.hours == 0.0 and result.nok == 0.0


# -- merges and splits ----------------------------------------------------------------------


def _merge_processes() -> tuple[Process, Process]:
    def named(*specs: tuple[str, str]) -> Process:
        return chain(*[(sid, label, None, None) for sid, label in specs])

    target = named(("a", "Motta søknad"), ("x", "Registrere og journalføre søknad"), ("d", "Fatte vedtak"))
    variant = named(("a", "Motta søknad"), ("y1", "Registrere søknad"), ("y2", "Journalføre søknad"),
                    ("d", "Fatte vedtak"))
    return target, variant


def test_a_merge_saves_the_parts_minus_the_merged_step() -> None:
    target, variant = _merge_processes()
    plan = change_plan(variant, target)
    assert [c.kind for c in plan.changes] == [ChangeKind.MERGE_STEPS]
    inputs = ProcessInput("A", (StepInput("y1", work_minutes=10), StepInput("y2", work_minutes=8)), cases_per_year=100)
    with_reference = CooperationAssumptions(HourlyCost(600, "test"), reference=(StepInput("x", work_minutes=12),))
    (line,) = estimate(plan, inputs, with_reference).lines
    # (100 × 10 + 100 × 8 − 100 × 12) / 60 = 10 h.
    assert line.hours == Spread.exactly(10.0)
    assert line.nok == Spread.exactly(6000.0)
    assert [c.sign for c in line.calculations if c.quantity == "hours"] == [1, 1, -1]
    # Without a figure for the merged step the work is taken as unchanged, and said.
    (unknown,) = estimate(plan, inputs, CooperationAssumptions(HourlyCost(600, "test"))).lines
    assert unknown.hours == Spread.exactly(0.0)
    assert [(a.code, a.step) for a in unknown.missing] == [("unchanged", "x")]


def test_a_split_costs_the_parts_minus_the_step_split() -> None:
    target, variant = _merge_processes()
    plan = change_plan(target, variant)
    assert [c.kind for c in plan.changes] == [ChangeKind.SPLIT_STEP]
    reference = (StepInput("y1", work_minutes=10), StepInput("y2", work_minutes=8))
    (line,) = estimate(plan, ProcessInput("A", (StepInput("x", work_minutes=12),), cases_per_year=100),
                       CooperationAssumptions(reference=reference)).lines
    assert line.hours == Spread.exactly(-10.0)


# -- the demo cooperation, with step classes ------------------------------------------------------


def test_the_demo_cooperation_with_step_classes() -> None:
    from processes import samples
    from processes.harmonise import step_classes

    standard = samples.standard("byggesak")
    members = {samples.MUNICIPALITIES[code]: p for code, p in samples.variants("byggesak").items()}
    classes = step_classes(members, current=standard)
    plans = {m: change_plan(p, standard, classes=classes, member=m) for m, p in members.items()}
    inputs = {
        m: ProcessInput(m, tuple(StepInput(s.id, work_minutes=15) for s in p.steps if s.is_activity), 200)
        for m, p in list(members.items())[:6]
    }
    coop = estimate_cooperation(plans, inputs, ASSUMPTIONS, classes=classes)
    assert set(coop.estimates) == set(members)
    for e in coop.estimates.values():
        for line in e.lines:
            assert line.hours.low <= line.hours.expected <= line.hours.high
    # A step removed by several members is one change in the ranking, keyed by its step class.
    removed = [c for c in coop.changes if c.kind == ChangeKind.REMOVE_STEP]
    assert removed and all(c.key.split(":", 1)[1] in classes for c in removed)
    # Members without inputs borrow the others' medians, and say so.
    without = [m for m in members if m not in inputs and plans[m].changes]
    assert without
    for m in without:
        assert coop.estimates[m].cases_per_year.basis == "median"
        assert coop.estimates[m].cases_per_year.value == Spread.exactly(200.0)
