"""Collaborations of several parties (BPMN pools) with message flows between them.

The fixtures are a building application between three parties (applicant,
municipality with two lanes, neighbour) and a black-box party, and a variant in
which the municipality no longer sends the decision as a message.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from processes.compare import compare
from processes.diff import Difference, DifferenceKind, diff, kind_matters
from processes.explain import explain, format_report, name_of
from processes.formats.bpmn import read_bpmn, write_bpmn
from processes.formats.native import read_native, write_native
from processes.model import Flow, FlowKind, Process, Severity, Step, StepKind
from processes.similarity import Relation, profile

FIXTURES = Path(__file__).parent / "fixtures"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
K = DifferenceKind


def _read(name: str) -> Process:
    return read_bpmn((FIXTURES / name).read_bytes(), source=name)


@pytest.fixture(scope="module")
def standard() -> Process:
    return _read("byggesak_tre_parter.bpmn")


@pytest.fixture(scope="module")
def variant() -> Process:
    return _read("byggesak_tre_parter_variant.bpmn")


def _without_messages(p: Process) -> Process:
    out = p.copy()
    for f in p.flows:
        if f.is_message:
            out.remove_flow(f)
    return out


def _one_pool(p: Process) -> Process:
    """The same process drawn as one pool: every message flow an ordinary (unconditional) flow, no parties."""
    out = Process(p.id, p.name, lanes=p.lanes)
    for e in p.elements:
        if isinstance(e, Step):
            out.add_step(e.replace(pool=None))
        else:
            out.add_gateway(e.replace(pool=None))
    for f in p.flows:
        out.add_flow(f.replace(kind=FlowKind.SEQUENCE, condition=None) if f.is_message else f)
    return out


# -- reading ------------------------------------------------------------------


def test_a_collaboration_reads_as_one_connected_process(standard: Process) -> None:
    assert nx.is_weakly_connected(standard.step_graph())
    assert standard.pools == ["Søker", "Kommunen", "Nabo"]


def test_message_flows_go_from_sender_to_receiver_with_the_message_name(standard: Process) -> None:
    messages = sorted((f.source, f.target, f.condition) for f in standard.flows if f.kind == FlowKind.MESSAGE)
    assert messages == [
        ("T_sende_merknader", "E_merknader_mottatt", "Merknader"),
        ("T_sende_soknad", "S_soknad_mottatt", "Søknad"),
        ("T_sende_vedtak", "E_vedtak_mottatt", "Vedtak"),
        ("T_varsle", "S_varsel_mottatt", "Nabovarsel"),
    ]


def test_each_party_is_the_pool_of_its_steps_and_lanes_stay_inside_it(standard: Process) -> None:
    assert standard.step("T_registrere").pool == "Kommunen"
    assert standard.step("T_registrere").lane == "Kommunen / Postmottak"
    assert standard.step("T_vurdere").pool == "Nabo"
    assert standard.step("T_vurdere").lane == "Nabo"
    assert standard.lanes == ["Søker", "Kommunen / Postmottak", "Kommunen / Byggesak", "Nabo"]


def test_a_message_to_a_black_box_pool_is_left_out_with_the_reason(standard: Process) -> None:
    (problem,) = standard.import_problems
    assert (problem.code, problem.severity, problem.element_id) == ("message_to_black_box", Severity.WARNING, "MF_kopi")
    assert problem.message("nb") == (
        "Meldingen fra «Sende vedtak» til «Statsforvalteren» er utelatt: den parten har ingen prosess i filen, "
        "så ingen steg tar imot den."
    )
    assert "Statsforvalteren" in problem.message("en")
    assert not any(f.id == "MF_kopi" for f in standard.flows)


def test_a_real_collaboration_validates_without_errors(standard: Process, variant: Process) -> None:
    for p in (standard, variant):
        assert [x for x in p.validate() if x.severity == Severity.ERROR] == []


def test_a_case_begins_where_no_message_is_awaited(standard: Process) -> None:
    assert standard.start_ids() == ["S_behov"]


def _collaboration(target: str) -> bytes:
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <collaboration id="C">
    <participant id="PA" name="Søker" processRef="A"/>
    <participant id="PB" name="Kommunen" processRef="B"/>
    <messageFlow id="M" name="Søknad" sourceRef="send" targetRef="{target}"/>
  </collaboration>
  <process id="A"><startEvent id="a0"/><sendTask id="send" name="Sende søknad"/>
    <sequenceFlow id="fa" sourceRef="a0" targetRef="send"/></process>
  <process id="B"><startEvent id="b0" name="Søknad mottatt"/><task id="t" name="Registrere"/>
    <sequenceFlow id="fb" sourceRef="b0" targetRef="t"/></process>
</definitions>""".encode()


def test_a_message_to_a_whole_pool_reaches_its_only_start_event() -> None:
    p = read_bpmn(_collaboration("PB"))
    assert [(f.source, f.target, f.kind) for f in p.flows if f.is_message] == [("send", "b0", FlowKind.MESSAGE)]
    assert p.import_problems == []


def test_a_message_to_a_whole_pool_without_one_start_event_is_left_out() -> None:
    data = _collaboration("PB").replace(b'<task id="t"', b'<startEvent id="b1"/><task id="t"')
    p = read_bpmn(data)
    assert not any(f.is_message for f in p.flows)
    assert [x.code for x in p.import_problems] == ["message_to_pool"]
    assert "Draw it to the step that receives it" in p.import_problems[0].message("en")


def test_a_message_within_one_pool_is_a_warning() -> None:
    p = Process()
    for sid in ("a", "b"):
        p.add_step(Step(sid, sid.upper(), pool="Kommunen"))
    p.add_flow(Flow("a", "b", kind="message"))
    (problem,) = [x for x in p.validate() if x.code == "message_within_pool"]
    assert problem.severity == Severity.WARNING
    assert problem.message("en").startswith("The message from “A” to “B” stays within one party")


# -- behaviour ----------------------------------------------------------------


def test_no_step_of_a_collaboration_can_be_skipped(standard: Process) -> None:
    assert all(profile(standard).mandatory)


def test_parties_without_messages_each_run_their_own_process(standard: Process) -> None:
    # Three start events in three pools are not three alternative ways in.
    separate = _without_messages(standard)
    prof = profile(separate)
    assert all(prof.mandatory)
    assert prof.relation("T_sende_soknad", "T_vurdere") == Relation.CONCURRENT


def test_the_receiver_waits_for_the_message(standard: Process) -> None:
    prof = profile(standard)
    assert prof.relation("T_sende_soknad", "T_registrere") == Relation.BEFORE
    assert prof.relation("T_sende_merknader", "T_vedtak") == Relation.BEFORE
    assert prof.relation("T_sende_vedtak", "E_vedtak_mottatt") == Relation.BEFORE


def test_a_message_is_sent_whichever_way_the_sender_goes_on() -> None:
    p = Process()
    p.add_step(Step("s", "Start", StepKind.START_EVENT, pool="A"))
    p.add_step(Step("send", "Sende", StepKind.SEND_TASK, pool="A"))
    p.add_step(Step("x", "Ja", pool="A"))
    p.add_step(Step("y", "Nei", pool="A"))
    p.add_step(Step("r", "Motta", StepKind.START_EVENT, pool="B"))
    p.add_step(Step("t", "Behandle", pool="B"))
    for u, v, c in (("s", "send", None), ("send", "x", "ja"), ("send", "y", "nei"), ("r", "t", None)):
        p.add_flow(Flow(u, v, c))
    p.add_flow(Flow("send", "r", kind="message"))
    # The receiver's steps always happen; only one of the sender's conditional ways on need be taken.
    assert profile(p).mandatory == (True, True, False, False, True, True)


# -- differences and sentences ------------------------------------------------


def test_the_variant_of_a_collaboration_reads_as_true_sentences(standard: Process, variant: Process) -> None:
    c = compare(standard, variant)
    assert c.texts("nb") == [
        "Slutthendelsen etter «Vedtak mottatt» finnes i standarden, men mangler i varianten.",
        "I standarden går meldingen «Vedtak» fra «Sende vedtak» til «Vedtak mottatt», men ikke i varianten.",
        "Steget «Sende vedtak» er et steg som sender en melding i standarden, men en vanlig oppgave i varianten.",
        "Hendelsen «Vedtak mottatt» er en hendelse underveis i standarden, men slutten på prosessen i varianten.",
    ]
    assert c.texts("en") == [
        "The end event after “Vedtak mottatt” is in the standard but missing in the variant.",
        "In the standard, the message “Vedtak” goes from “Sende vedtak” to “Vedtak mottatt”, but not in the variant.",
        "The step “Sende vedtak” is a step that sends a message in the standard, but a plain task in the variant.",
        "The event “Vedtak mottatt” is an event on the way in the standard, but the end of the process in the variant.",
    ]


def test_a_collaboration_compared_with_itself_has_no_differences(standard: Process) -> None:
    assert compare(standard, standard).differences == ()


def test_one_pool_against_several_says_where_a_message_replaces_a_flow(standard: Process) -> None:
    c = compare(_one_pool(standard), standard)
    kinds = {d.kind for d in c.differences}
    assert K.OPTIONAL_VS_MANDATORY not in kinds
    assert kinds == {K.EXTRA_FLOW}
    assert (
        "I varianten går meldingen «Søknad» fra «Sende søknad» til «Søknad mottatt»; "
        "i standarden går flyten rett dit, uten melding."
    ) in c.texts("nb")


def test_parties_without_messages_are_not_steps_that_can_be_skipped(standard: Process) -> None:
    c = compare(_one_pool(standard), _without_messages(standard))
    assert not [d for d in c.differences if d.kind == K.OPTIONAL_VS_MANDATORY]
    assert not [t for t in c.texts("nb") if "hoppes over" in t]


def test_no_sentence_names_an_element_by_its_id(standard: Process, variant: Process) -> None:
    ids = {e.id for e in [*standard.elements, *variant.elements]}
    for a, b in ((standard, variant), (variant, standard), (_without_messages(standard), variant)):
        c = compare(a, b)
        for lang in ("nb", "en"):
            text = "\n".join(c.texts(lang)) + format_report(c, lang)
            assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)], text


@pytest.mark.parametrize(
    ("a", "b", "matters"),
    [
        (StepKind.SEND_TASK, StepKind.TASK, True),
        (StepKind.INTERMEDIATE_EVENT, StepKind.END_EVENT, True),
        (StepKind.RECEIVE_TASK, StepKind.INTERMEDIATE_EVENT, True),
        (StepKind.USER_TASK, StepKind.SERVICE_TASK, True),
        (StepKind.SUBPROCESS, StepKind.TASK, True),
        (StepKind.TASK, StepKind.USER_TASK, False),
        (StepKind.MANUAL_TASK, StepKind.USER_TASK, False),
        (StepKind.SUBPROCESS, StepKind.CALL_ACTIVITY, False),
        (StepKind.END_EVENT, StepKind.END_EVENT, False),
    ],
)
def test_a_kind_change_is_reported_only_where_it_matters(a: StepKind, b: StepKind, matters: bool) -> None:
    assert kind_matters(a, b) is matters
    pa, pb = Process(), Process()
    pa.add_step(Step("s", "Sende vedtak", a))
    pb.add_step(Step("s", "Sende vedtak", b))
    matched = type("M", (), {"matches": [type("X", (), {"a": ("s",), "b": ("s",), "kind": "identical", "score": 1.0})]})
    found = [d for d in diff(pa, pb, matched) if d.kind == K.KIND_CHANGED]  # type: ignore[arg-type]
    assert found == ([Difference(K.KIND_CHANGED, ("s",), ("s",), {"a": a.value, "b": b.value})] if matters else [])


# -- naming unnamed elements --------------------------------------------------


def _unnamed() -> Process:
    p = Process()
    p.add_step(Step("Start_1", "", StepKind.START_EVENT, pool="Amt"))
    p.add_step(Step("Task_1", "Aktenvermerk anlegen", pool="Amt"))
    p.add_step(Step("Task_2", "", pool="Amt"))
    p.add_step(Step("Event_00e2q3k", "", StepKind.END_EVENT, pool="Amt"))
    p.add_step(Step("B_1", "", StepKind.BOUNDARY_EVENT, attached_to="Task_1", pool="Amt"))
    p.add_step(Step("Lonely", "", StepKind.INTERMEDIATE_EVENT, pool="Amt"))
    for u, v in (("Start_1", "Task_1"), ("Task_1", "Task_2"), ("Task_2", "Event_00e2q3k")):
        p.add_flow(Flow(u, v))
    return p


@pytest.mark.parametrize(
    ("element", "nb", "en"),
    [
        ("Event_00e2q3k", "slutthendelsen etter «Aktenvermerk anlegen»", "the end event after “Aktenvermerk anlegen”"),
        ("Start_1", "starthendelsen før «Aktenvermerk anlegen»", "the start event before “Aktenvermerk anlegen”"),
        ("Task_2", "steget uten navn etter «Aktenvermerk anlegen»", "the unnamed step after “Aktenvermerk anlegen”"),
        ("B_1", "grensehendelsen på «Aktenvermerk anlegen»", "the boundary event on “Aktenvermerk anlegen”"),
        ("Lonely", "mellomhendelsen i «Amt»", "the intermediate event in “Amt”"),
    ],
)
def test_an_unnamed_element_is_named_by_kind_and_position(element: str, nb: str, en: str) -> None:
    p = _unnamed()
    assert name_of(p, element) == nb
    assert name_of(p, element, "en") == en


def test_a_sentence_about_an_unnamed_element_starts_with_its_description() -> None:
    p = _unnamed()
    d = Difference(K.MISSING_STEP, ("Event_00e2q3k",), ())
    assert explain(d, p, Process()) == "Slutthendelsen etter «Aktenvermerk anlegen» finnes i standarden, men mangler i varianten."
    d = Difference(K.OPTIONAL_VS_MANDATORY, ("Task_2",), ("Task_2",), {"optional_in": "b"})
    assert explain(d, p, p, lang="en") == (
        "In the variant, the unnamed step after “Aktenvermerk anlegen” can be skipped; in the standard it is always done."
    )


# -- writing back -------------------------------------------------------------


@pytest.mark.parametrize("layout", [False, True])
def test_several_pools_round_trip_through_bpmn(standard: Process, variant: Process, layout: bool) -> None:
    for p in (standard, variant, _without_messages(standard)):
        assert read_bpmn(write_bpmn(p, layout=layout)) == p


def test_the_writer_writes_a_participant_per_pool_and_the_message_flows(standard: Process) -> None:
    root = etree.fromstring(write_bpmn(standard))
    names = [x.get("name") for x in root.iterfind("bpmn:collaboration/bpmn:participant", NS)]
    assert names == ["Søker", "Kommunen", "Nabo"]
    flows = {(x.get("sourceRef"), x.get("targetRef"), x.get("name")) for x in root.iterfind(".//bpmn:messageFlow", NS)}
    assert ("T_sende_vedtak", "E_vedtak_mottatt", "Vedtak") in flows and len(flows) == 4
    lanes = [x.get("name") for x in root.iterfind(".//bpmn:process[@name='Kommunen']//bpmn:lane", NS)]
    assert lanes == ["Postmottak", "Byggesak"]
    # The event that waits for the decision is a catching event, and the diagram draws every message.
    assert root.find(".//bpmn:intermediateCatchEvent[@id='E_vedtak_mottatt']", NS) is not None
    edges = {e.get("bpmnElement") for e in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    assert {"MF_soknad", "MF_varsel", "MF_merknad", "MF_vedtak"} <= edges


def test_pools_and_messages_that_bpmn_cannot_say_plainly_still_round_trip() -> None:
    p = Process("p", "", lanes=["Byggesak", "Søker"], metadata={"kommune": "5001"})
    p.add_step(Step("s", "Start", StepKind.START_EVENT, lane="Byggesak", pool="Kommunen"))
    p.add_step(Step("t", "Søke", lane="Søker", pool="Søker"))
    p.add_step(Step("u", "Uten part", lane=None, pool=None))
    p.add_flow(Flow("s", "u"))
    p.add_flow(Flow("t", "s", "  Søknad\n", kind="message", metrics={"frequency": 3.0}))
    assert read_bpmn(write_bpmn(p)) == p
    single = Process("q", "Én part")
    single.add_step(Step("a", "A", pool="Kommunen"))
    single.add_step(Step("b", "B", pool="Kommunen"))
    single.add_flow(Flow("a", "b", kind="message"))
    assert read_bpmn(write_bpmn(single, layout=False)) == single


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_several_pools_round_trip_through_the_native_format(standard: Process, fmt: str) -> None:
    assert read_native(write_native(standard, format=fmt)) == standard  # type: ignore[arg-type]


def test_the_native_format_reads_message_flows_and_pools() -> None:
    text = """
steps:
  - {id: send, label: Sende søknad, kind: send_task, pool: Søker}
  - {id: mottatt, label: Søknad mottatt, kind: start_event, pool: Kommunen}
flows:
  - {from: send, to: mottatt, kind: message, condition: Søknad}
"""
    p = read_native(text.encode())
    (flow,) = p.flows
    assert (flow.kind, flow.condition) == (FlowKind.MESSAGE, "Søknad")
    assert p.pools == ["Søker", "Kommunen"]


def test_the_native_format_refuses_an_unknown_flow_kind_with_the_allowed_ones() -> None:
    from processes.exceptions import FormatError

    with pytest.raises(FormatError, match=r"flows\[0\]\.kind.*allowed values: sequence, message"):
        read_native(b"steps: [a, b]\nflows:\n  - {from: a, to: b, kind: messsage}\n")


def test_the_schema_knows_pools_and_flow_kinds() -> None:
    schema = json.loads((Path(__file__).parents[2] / "processes/schema/process.schema.json").read_text())
    text = json.dumps(schema)
    assert '"pool"' in text and '"message"' in text


# -- drawing ------------------------------------------------------------------


def test_a_drawing_shows_messages_dashed_and_names_unnamed_elements_by_position(standard: Process) -> None:
    from processes.render import to_dot

    dot = to_dot(standard, lang="en")
    message = next(line for line in dot.splitlines() if "Sende søknad → Søknad mottatt" in line)
    assert 'style="dashed"' in message and 'arrowhead="empty"' in message
    assert "The end event after “Vedtak mottatt”" in dot
    assert not re.search(r"Event_\w+", dot)


def test_a_written_collaboration_opens_cleanly_in_bpmn_io(standard: Process, variant: Process, tmp_path: Path) -> None:
    from tests.processes.formats.test_bpmn_tools import _check, _errors, _node

    node = _node()  # skips without Node.js and the pinned packages
    sources = [FIXTURES / "byggesak_tre_parter.bpmn", FIXTURES / "byggesak_tre_parter_variant.bpmn"]
    written = []
    for name, p in (("standard.bpmn", standard), ("variant.bpmn", variant)):
        written.append(tmp_path / name)
        written[-1].write_bytes(write_bpmn(p))
    found = _check(node, [*sources, *written])
    for source, name in zip(sources, ("standard.bpmn", "variant.bpmn"), strict=True):
        assert found[name]["error"] is None and found[name]["warnings"] == [], found[name]
        # The only lint errors are those of the input itself (its end events have no name).
        assert _errors(found[name]) <= _errors(found[source.name]), found[name]["lint"]
        assert {rule for rule, _ in _errors(found[name])} <= {"label-required"}
        # The pools are drawn apart, not touching.
        assert not [item for item in found[name]["lint"] if item["rule"] == "no-overlapping-elements"]


# -- random collaborations ----------------------------------------------------


def _collaborations() -> object:
    from hypothesis import strategies as st

    from tests.processes.formats.test_properties import IDS, TEXT, processes

    @st.composite
    def draw_one(draw: st.DrawFn) -> Process:
        p = draw(processes())
        pools = draw(st.lists(TEXT.filter(lambda s: s.strip() != ""), unique=True, min_size=1, max_size=3))
        out = Process(p.id, p.name, lanes=p.lanes, metadata=p.metadata, documentation=p.documentation)
        for e in p.elements:
            pool = draw(st.none() | st.sampled_from(pools))
            if isinstance(e, Step):
                out.add_step(e.replace(pool=pool))
            else:
                out.add_gateway(e.replace(pool=pool))
        steps = [s.id for s in p.steps]
        for f in p.flows:
            message = draw(st.booleans()) and f.source in steps and f.target in steps
            out.add_flow(f.replace(kind=FlowKind.MESSAGE) if message else f)
        for _ in range(draw(st.integers(0, 2))):
            source, target = draw(st.sampled_from(steps)), draw(st.sampled_from(steps))
            out.add_flow(Flow(source, target, draw(st.none() | TEXT), draw(st.none() | IDS), kind=FlowKind.MESSAGE))
        return out

    return draw_one()


def test_random_collaborations_round_trip_through_bpmn_and_the_native_format() -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_collaborations())
    def check(p: Process) -> None:
        assert read_bpmn(write_bpmn(p, layout=False)) == p
        assert read_native(write_native(p)) == p
        assert read_native(write_native(p, format="json")) == p

    check()


def test_random_collaborations_with_a_diagram_round_trip_through_bpmn() -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_collaborations())
    def check(p: Process) -> None:
        assert read_bpmn(write_bpmn(p)) == p

    check()


def test_the_difference_drawing_shows_a_missing_message_as_a_message(standard: Process, variant: Process) -> None:
    from processes.diffview import diff_process

    c = compare(standard, variant)
    drawn, _, flows = diff_process(c.a, c.b, c.alignment, c.differences)
    assert flows[("T_sende_vedtak", "E_vedtak_mottatt")] == "missing"
    (ghost,) = [f for f in drawn.flows if (f.source, f.target) == ("T_sende_vedtak", "E_vedtak_mottatt")]
    assert ghost.kind == FlowKind.MESSAGE


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_step_table_carries_the_parties_and_their_messages(standard: Process, fmt: str, language: str) -> None:
    from processes.formats.tabular import read_tabular, write_tabular

    back = read_tabular(write_tabular(standard, format=fmt, language=language), source=f"p.{fmt}")  # type: ignore[arg-type]
    assert {s.id: s.pool for s in back.steps} == {s.id: s.pool for s in standard.steps}
    key = lambda f: (f.source, f.target, f.condition or "", f.kind.value)
    assert sorted(map(key, back.flows)) == sorted(map(key, standard.flows))


def test_a_hand_written_step_table_can_send_messages() -> None:
    from processes.formats.tabular import read_tabular

    table = "ID;Steg;Neste steg;Meldinger til;Part\n1;Sende søknad;;Søknad: 2;Søker\n2;Søknad mottatt;3;;Kommunen\n3;Registrere;;;Kommunen\n"
    p = read_tabular(table.encode(), source="p.csv")
    assert [(f.source, f.target, f.condition, f.kind) for f in p.flows if f.is_message] == [
        ("1", "2", "Søknad", FlowKind.MESSAGE)
    ]
    assert p.pools == ["Søker", "Kommunen"]


def test_the_divergence_map_names_an_unnamed_step_of_the_standard_by_its_position(
    standard: Process, variant: Process
) -> None:
    from processes.divergence import divergence_map

    m = divergence_map(standard, {"5001": variant, "5006": standard})
    column = next(c for c in m.columns if c.step_id == "Event_00e2q3k")
    assert column.label == ""
    assert column.name("nb") == "Slutthendelsen etter «Vedtak mottatt»"
    assert column.name("en") == "The end event after “Vedtak mottatt”"
    assert next(c for c in m.columns if c.step_id == "T_vedtak").name("en") == "Fatte vedtak"
