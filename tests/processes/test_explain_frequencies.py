"""The diff and its sentences use what an event log measured: shares of cases, and grouped flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from processes.compare import compare
from processes.diff import Difference, DifferenceKind
from processes.discover import discover_process
from processes.explain import explain, format_report, summarise
from processes.formats import read_process
from processes.formats.eventlog import read_xes
from processes.model import Flow, Gateway, GatewayKind, Process, Step, StepKind


def _standard() -> Process:
    p = Process("standard")
    p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT))
    for x in ("Motta", "Befaring", "Vurdere"):
        p.add_step(Step(x, x))
    p.add_step(Step("e", "Vedtak sendt", StepKind.END_EVENT))
    for u, v in [("s", "Motta"), ("Motta", "Befaring"), ("Befaring", "Vurdere"), ("Vurdere", "e")]:
        p.add_flow(Flow(u, v))
    return p


@pytest.fixture
def discovered() -> Process:
    return discover_process([["Motta", "Vurdere"]] * 97 + [["Motta", "Befaring", "Vurdere"]] * 3)


def test_a_rare_step_is_optional_and_the_sentence_gives_its_share(discovered: Process) -> None:
    c = compare(_standard(), discovered, b_name="Malvik")
    (optional,) = [d for d in c.differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY]
    assert optional.details == {"optional_in": "b", "share": "0.03"}
    assert explain(optional, c.a, c.b, b_name="Malvik") == (
        "I Malvik gjøres steget «Befaring» bare i 3 % av sakene; i standarden gjøres det alltid."
    )
    assert explain(optional, c.a, c.b, b_name="Malvik", lang="en") == (
        "In Malvik, the step “Befaring” is done in only 3% of the cases; in the standard it is always done."
    )


def test_the_share_is_given_for_the_side_where_the_step_is_optional(discovered: Process) -> None:
    c = compare(discovered, _standard())
    (optional,) = [d for d in c.differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY]
    assert optional.details["optional_in"] == "a" and optional.details["share"] == "0.03"
    assert explain(optional, c.a, c.b).startswith("I standarden gjøres steget «Befaring» bare i 3 % av sakene;")


def test_a_step_without_measured_frequency_keeps_the_plain_sentence() -> None:
    variant = _standard()
    gw = "skip"
    variant.add_gateway(Gateway(gw, GatewayKind.EXCLUSIVE))
    variant.add_gateway(Gateway("join", GatewayKind.EXCLUSIVE))
    variant.remove_flow(Flow("Motta", "Befaring"))
    variant.remove_flow(Flow("Befaring", "Vurdere"))
    for u, v in [("Motta", gw), (gw, "Befaring"), (gw, "join"), ("Befaring", "join"), ("join", "Vurdere")]:
        variant.add_flow(Flow(u, v))
    c = compare(_standard(), variant)
    (optional,) = [d for d in c.differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY]
    assert "share" not in optional.details
    assert explain(optional, c.a, c.b) == "I varianten kan steget «Befaring» hoppes over; i standarden gjøres det alltid."


def _flows(n: int) -> tuple[Process, Process, list[Difference]]:
    a, b = Process(), Process()
    names = [f"S{i}" for i in range(n + 1)]
    for p in (a, b):
        for x in names:
            p.add_step(Step(x, x))
    hub = [Difference(DifferenceKind.EXTRA_FLOW, ("S0", y), ("S0", y)) for y in names[1:]]
    chain = [Difference(DifferenceKind.MISSING_FLOW, (x, y), (x, y)) for x, y in zip(names[1::2], names[2::2])]
    return a, b, [Difference(DifferenceKind.MISSING_STEP, ("S0",), ()), *hub, *chain]


def test_many_flow_differences_become_a_few_sentences_about_the_steps() -> None:
    a, b, differences = _flows(20)  # 20 flows out of S0, 10 pairs: 4 sentences and one for the 7 other pairs
    sentences = summarise(differences, a, b)
    assert len(sentences) == 1 + 5
    assert sentences[0] == "Steget «S0» finnes i standarden, men mangler i varianten."
    assert sentences[1] == (
        "I varianten går flyten rett mellom «S0» og «S1», «S2», «S3» og 17 andre, men ikke i standarden."
    )
    assert sentences[-1] == ("Flyten går også ulikt rundt 14 andre steg (7 forbindelser): «S7», «S8», «S9» og 11 andre.")
    en = summarise(differences, a, b, lang="en")
    assert en[-1] == ("The flow also differs around 14 other steps (7 connections): “S7”, “S8”, “S9” and 11 others.")


def test_a_few_flow_differences_keep_one_sentence_each() -> None:
    a, b, differences = _flows(4)
    few = [d for d in differences if d.kind != DifferenceKind.EXTRA_FLOW]
    assert summarise(few, a, b) == [explain(d, a, b) for d in few]


def test_limits_below_two_are_refused() -> None:
    a, b, differences = _flows(4)
    with pytest.raises(ValueError, match="2 or more"):
        summarise(differences, a, b, max_flow_sentences=1)


def test_bpic15_log_against_its_reference_net_reads_in_a_few_sentences(shared_data: Path) -> None:
    folder = shared_data / "matching" / "bpic15"
    reference = read_process((folder / "pnml" / "BPIC15_1_05_EIND.pnml").read_bytes(), filename="ref.pnml")
    dfg = read_xes(folder / "xes" / "BPIC15_1_05_EIND.xes", label_attribute="activityNameEN", miner="dfg")
    mined = read_xes(folder / "xes" / "BPIC15_1_05_EIND.xes", label_attribute="activityNameEN")
    always = [
        d for d in compare(reference, dfg).differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY
    ]
    c = compare(reference, mined)
    assert len([d for d in c.differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY]) < len(always)
    flows = [d for d in c.differences if d.kind in (DifferenceKind.MISSING_FLOW, DifferenceKind.EXTRA_FLOW)]
    report = format_report(c, lang="en")
    listed = [line for line in report.splitlines() if line.startswith("  - ")]
    assert len(flows) > 20 and len(listed) <= len(c.differences) - len(flows) + 5
