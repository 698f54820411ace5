"""BPMN 2.0 reading and writing: mapping, errors, security, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from processes.exceptions import FormatError, InputTooLargeError, UnsupportedFormatError
from processes.formats.bpmn import BPMN_NAMESPACE, KP_NAMESPACE, read_bpmn, write_bpmn
from processes.model import (
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Severity,
    Step,
    StepKind,
)

DATA = Path(__file__).parent / "data" / "bpmn"
NS = {"bpmn": BPMN_NAMESPACE, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", "kp": KP_NAMESPACE}


def bpmn(body: str, *, prefix: str = "bpmn", namespace: str = BPMN_NAMESPACE, extra: str = "") -> bytes:
    """A BPMN document whose <definitions> holds ``body`` (elements written with ``{p}``)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}definitions {xmlns} {extra} id="D">\n'
    text += body.replace("{p}", p) + f"\n</{p}definitions>\n"
    return text.encode("utf-8")


SIMPLE = """<{p}process id="P" name="Startlån">
  <{p}startEvent id="s" name="Søknad mottatt"/>
  <{p}userTask id="t" name="Vurdere søknaden"/>
  <{p}endEvent id="e" name="Vedtak sendt"/>
  <{p}sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
  <{p}sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
</{p}process>"""


@pytest.fixture(scope="module")
def pools() -> Process:
    return read_bpmn((DATA / "byggesak_to_pools.bpmn").read_bytes(), source="byggesak_to_pools.bpmn")


# -- namespaces and encodings ------------------------------------------------


@pytest.mark.parametrize("prefix", ["bpmn", "bpmn2", "semantic", "model", ""])
def test_any_prefix_or_default_namespace_reads_the_same(prefix: str) -> None:
    p = read_bpmn(bpmn(SIMPLE, prefix=prefix))
    assert [(s.id, s.label, s.kind) for s in p.steps] == [
        ("s", "Søknad mottatt", StepKind.START_EVENT),
        ("t", "Vurdere søknaden", StepKind.USER_TASK),
        ("e", "Vedtak sendt", StepKind.END_EVENT),
    ]
    assert [(f.source, f.target) for f in p.flows] == [("s", "t"), ("t", "e")]


def test_process_id_and_name_come_from_the_single_process() -> None:
    p = read_bpmn(bpmn(SIMPLE))
    assert (p.id, p.name) == ("P", "Startlån")


@pytest.mark.parametrize("namespace", ["http://schema.omg.org/spec/BPMN/2.0", "http://www.omg.org/bpmn20"])
def test_pre_release_model_namespaces_are_read(namespace: str) -> None:
    p = read_bpmn(bpmn(SIMPLE, namespace=namespace))
    assert len(p.steps) == 3


def test_utf8_bom_is_accepted() -> None:
    p = read_bpmn(b"\xef\xbb\xbf" + bpmn(SIMPLE))
    assert p.steps[0].label == "Søknad mottatt"


def test_latin1_declared_encoding_is_honoured() -> None:
    data = bpmn(SIMPLE).decode("utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert read_bpmn(data).steps[1].label == "Vurdere søknaden"


def test_elements_in_vendor_namespaces_are_ignored() -> None:
    body = SIMPLE.replace(
        '<{p}userTask id="t" name="Vurdere søknaden"/>',
        '<{p}userTask id="t" name="Vurdere søknaden"><{p}extensionElements><c:task xmlns:c="urn:x" id="z"/>'
        '</{p}extensionElements></{p}userTask><c:task xmlns:c="urn:x" id="vendor" name="not bpmn"/>',
    )
    p = read_bpmn(bpmn(body))
    assert [s.id for s in p.steps] == ["s", "t", "e"]


# -- labels, kinds, lines -----------------------------------------------------


def test_labels_are_whitespace_normalised(pools: Process) -> None:
    assert pools.step("T_mangel").label == "Be om manglende opplysninger"
    assert pools.step("T_sende").label == "Sende søknad"


def test_hyphen_line_break_joins_the_word() -> None:
    body = SIMPLE.replace('name="Vurdere søknaden"', 'name="Bygge-&#10;søknad"')
    assert read_bpmn(bpmn(body)).step("t").label == "Bygge-søknad"


def test_unnamed_events_are_steps_with_empty_label(pools: Process) -> None:
    end = pools.step("E_soker")
    assert (end.label, end.kind) == ("", StepKind.END_EVENT)


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("task", StepKind.TASK),
        ("userTask", StepKind.USER_TASK),
        ("serviceTask", StepKind.SERVICE_TASK),
        ("manualTask", StepKind.MANUAL_TASK),
        ("sendTask", StepKind.SEND_TASK),
        ("receiveTask", StepKind.RECEIVE_TASK),
        ("scriptTask", StepKind.SCRIPT_TASK),
        ("businessRuleTask", StepKind.BUSINESS_RULE_TASK),
        ("callActivity", StepKind.CALL_ACTIVITY),
        ("subProcess", StepKind.SUBPROCESS),
        ("adHocSubProcess", StepKind.SUBPROCESS),
        ("transaction", StepKind.SUBPROCESS),
        ("intermediateCatchEvent", StepKind.INTERMEDIATE_EVENT),
        ("intermediateThrowEvent", StepKind.INTERMEDIATE_EVENT),
    ],
)
def test_every_activity_and_event_type_has_its_kind(tag: str, kind: StepKind) -> None:
    p = read_bpmn(bpmn(f'<{{p}}process id="P"><{{p}}{tag} id="x" name="X"/></{{p}}process>'))
    assert p.step("x").kind == kind


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("exclusiveGateway", GatewayKind.EXCLUSIVE),
        ("parallelGateway", GatewayKind.PARALLEL),
        ("inclusiveGateway", GatewayKind.INCLUSIVE),
        ("eventBasedGateway", GatewayKind.EVENT_BASED),
        ("complexGateway", GatewayKind.COMPLEX),
    ],
)
def test_every_gateway_type_has_its_kind(tag: str, kind: GatewayKind) -> None:
    p = read_bpmn(bpmn(f'<{{p}}process id="P"><{{p}}{tag} id="g" name="G?"/></{{p}}process>'))
    gateway = p["g"]
    assert isinstance(gateway, Gateway) and gateway.kind == kind and gateway.label == "G?"


def test_every_element_knows_its_line(pools: Process) -> None:
    lines = (DATA / "byggesak_to_pools.bpmn").read_text(encoding="utf-8").splitlines()
    for element in pools.elements:
        assert element.line is not None
        assert f'id="{element.id}"' in lines[element.line - 1]
    for flow in pools.flows:
        assert flow.line is not None and f'id="{flow.id}"' in lines[flow.line - 1]


def test_documentation_is_kept(pools: Process) -> None:
    assert pools.step("T_mangel").documentation == "Sendes som brev."
    assert pools.step("Sub_behandle").documentation == "Etter pbl. § 21-7."
    assert pools.step("S_mottatt").documentation is None


# -- pools, lanes, sub-processes, boundary events, flows --------------------


def test_several_pools_go_into_one_process_with_pool_qualified_lanes(pools: Process) -> None:
    assert (pools.id, pools.name) == ("Defs_1", "Byggesak")
    assert pools.lanes == [
        "Søker",
        "Kommunen / Servicetorget",
        "Kommunen / Byggesak",
        "Kommunen / Byggesak / Saksbehandler",
    ]


def test_elements_of_a_pool_without_lanes_get_the_pool_as_lane(pools: Process) -> None:
    assert pools.step("T_sende").lane == "Søker"


def test_the_innermost_nested_lane_wins(pools: Process) -> None:
    assert pools.step("T_mangel").lane == "Kommunen / Byggesak / Saksbehandler"
    assert pools["G_komplett"].lane == "Kommunen / Byggesak / Saksbehandler"
    assert pools.step("E_ferdig").lane == "Kommunen / Byggesak"


def test_single_pool_lanes_are_not_qualified() -> None:
    body = """<{p}collaboration id="C"><{p}participant id="Pa" name="Kommunen" processRef="P"/></{p}collaboration>
    <{p}process id="P"><{p}laneSet id="LS"><{p}lane id="L" name="Saksbehandler"><{p}flowNodeRef>t</{p}flowNodeRef>
    </{p}lane></{p}laneSet><{p}task id="t" name="T"/><{p}task id="u" name="U"/></{p}process>"""
    p = read_bpmn(bpmn(body))
    assert p.lanes == ["Saksbehandler"]
    assert (p.step("t").lane, p.step("u").lane) == ("Saksbehandler", None)
    assert p.name == "Kommunen"


def test_sub_process_elements_are_nested_and_inherit_the_lane(pools: Process) -> None:
    sub = pools.step("Sub_behandle")
    assert sub.kind == StepKind.SUBPROCESS
    inner = [s.id for s in pools.steps if s.parent == "Sub_behandle"]
    assert inner == ["S_inner", "T_register", "T_vurdere", "E_inner"]
    assert pools.step("T_register").lane == "Kommunen / Byggesak"


def test_nested_sub_processes_keep_their_own_parent() -> None:
    body = """<{p}process id="P"><{p}subProcess id="a" name="A"><{p}transaction id="b" name="B">
    <{p}task id="c" name="C"/></{p}transaction></{p}subProcess></{p}process>"""
    p = read_bpmn(bpmn(body))
    assert [(s.id, s.parent) for s in p.steps] == [("a", None), ("b", "a"), ("c", "b")]


def test_boundary_events_are_attached(pools: Process) -> None:
    event = pools.step("B_frist")
    assert (event.kind, event.attached_to, event.label) == (
        StepKind.BOUNDARY_EVENT,
        "Sub_behandle",
        "12 uker",
    )


def test_flow_name_wins_over_condition_expression(pools: Process) -> None:
    conditions = {f.id: f.condition for f in pools.flows}
    assert conditions["F_2"] == "Nei"
    assert conditions["F_3"] == "${komplett}"
    assert conditions["F_1"] is None


def test_message_flows_are_imported_as_message_flows(pools: Process) -> None:
    (message,) = [f for f in pools.flows if f.id == "MF_1"]
    assert (message.source, message.target, message.kind) == ("T_sende", "S_mottatt", FlowKind.MESSAGE)


def test_data_and_annotations_are_not_imported(pools: Process) -> None:
    assert "DO_1" not in pools and "TA_1" not in pools


def test_black_box_pools_add_nothing(pools: Process) -> None:
    assert "Statsforvalteren" not in pools.lanes


def test_the_step_graph_passes_through_gateways(pools: Process) -> None:
    edges = set(pools.step_graph().edges)
    assert {("S_mottatt", "T_mangel"), ("S_mottatt", "Sub_behandle"), ("T_mangel", "Sub_behandle")} <= edges


def test_flows_to_unknown_ids_are_kept_and_reported() -> None:
    body = SIMPLE.replace('targetRef="e"', 'targetRef="nowhere"')
    p = read_bpmn(bpmn(body))
    assert ("t", "nowhere") in {(f.source, f.target) for f in p.flows}
    assert any(problem.code == "unknown_target" for problem in p.validate())


def test_the_imported_sample_is_valid(pools: Process) -> None:
    assert [p for p in pools.validate() if p.severity == Severity.ERROR] == []


def test_qname_references_are_resolved_but_ids_with_a_colon_win() -> None:
    body = """<{p}process id="P"><{p}laneSet id="LS"><{p}lane id="L" name="Lane">
    <{p}flowNodeRef>tns:t</{p}flowNodeRef></{p}lane></{p}laneSet>
    <{p}task id="s" name="S"/><{p}task id="t" name="T"/><{p}task id="x:y" name="XY"/>
    <{p}boundaryEvent id="b" attachedToRef="tns:t"/>
    <{p}sequenceFlow id="f1" sourceRef="tns:s" targetRef="t"/>
    <{p}sequenceFlow id="f2" sourceRef="t" targetRef="x:y"/>
    <{p}sequenceFlow id="f3" sourceRef="t" targetRef="tns:nowhere"/></{p}process>"""
    p = read_bpmn(bpmn(body, extra='xmlns:tns="https://example.invalid"'))
    assert [(f.source, f.target) for f in p.flows] == [("s", "t"), ("t", "x:y"), ("t", "tns:nowhere")]
    assert p.step("b").attached_to == "t"
    assert p.step("t").lane == "Lane"


# -- duplicate and missing ids ------------------------------------------------


def test_duplicate_id_keeps_the_first_and_the_second_under_a_new_id() -> None:
    body = SIMPLE.replace(
        '<{p}endEvent id="e" name="Vedtak sendt"/>',
        '<{p}endEvent id="e" name="Vedtak sendt"/>\n  <{p}task id="t" name="Arkivere"/>',
    )
    p = read_bpmn(bpmn(body), source="dup.bpmn")
    assert p.step("t").label == "Vurdere søknaden"
    second = [s for s in p.steps if s.label == "Arkivere"]
    assert len(second) == 1 and second[0].id != "t"
    [problem] = p.import_problems
    assert (problem.severity, problem.code, problem.element_id) == (Severity.ERROR, "duplicate_id", "t")
    assert problem.line == second[0].line
    assert problem.params["renamed_to"] == second[0].id
    assert problem in p.validate()


def test_element_without_id_is_kept_with_a_warning() -> None:
    body = SIMPLE.replace('<{p}userTask id="t" name="Vurdere søknaden"/>', '<{p}userTask name="Uten id"/>')
    p = read_bpmn(bpmn(body))
    kept = [s for s in p.steps if s.label == "Uten id"]
    assert len(kept) == 1
    assert p.import_problems[0].code == "missing_id"
    assert kept[0].id in p.import_problems[0].message("en")


# -- rejected input -------------------------------------------------------------


def test_empty_file_is_rejected() -> None:
    with pytest.raises(FormatError, match="empty"):
        read_bpmn(b"  \n", source="tom.bpmn")


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(FormatError) as info:
        read_bpmn(bpmn(SIMPLE).replace(b"</bpmn:process>", b"</bpmn:proces>"), source="feil.bpmn")
    assert info.value.line is not None and info.value.source == "feil.bpmn"
    assert "well-formed" in str(info.value)


def test_wrong_root_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match=r"root element is <pnml>"):
        read_bpmn(b"<pnml><net/></pnml>", source="net.pnml")


def test_definition_without_s_gets_a_hint() -> None:
    data = f'<bpmn:definition xmlns:bpmn="{BPMN_NAMESPACE}"/>'.encode()
    with pytest.raises(UnsupportedFormatError, match="did you mean <definitions>"):
        read_bpmn(data)


def test_definitions_in_another_namespace_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match="not the BPMN 2.0 model namespace"):
        read_bpmn(b'<definitions xmlns="urn:something-else"><process id="p"/></definitions>')


def test_definitions_without_process_is_rejected() -> None:
    body = '<{p}collaboration id="C"><{p}participant id="X" name="X"/></{p}collaboration>'
    with pytest.raises(UnsupportedFormatError, match=r"no <process>.*collaboration"):
        read_bpmn(bpmn(body))


def test_unknown_encoding_is_a_format_error() -> None:
    data = b'<?xml version="1.0" encoding="x-unknown-42"?><a/>'
    with pytest.raises(FormatError):
        read_bpmn(data)


# -- security ---------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <process id="p"><task id="t" name="&xxe;"/></process>
</definitions>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <process id="p"><task id="t" name="&lol4;"/></process>
</definitions>"""


@pytest.mark.parametrize("data", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError, match="DOCTYPE") as info:
        read_bpmn(data, source="attack.bpmn")
    assert info.value.line == 2


@pytest.mark.parametrize("encoding", ["UTF-16", "UTF-32"])
@pytest.mark.parametrize("data", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_are_refused_in_any_encoding(data: bytes, encoding: str) -> None:
    text = data.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    with pytest.raises(FormatError, match="DOCTYPE|entity"):
        read_bpmn(text.encode(encoding.lower()))


def test_external_entity_without_doctype_is_not_resolved() -> None:
    data = bpmn(SIMPLE.replace("Vurdere søknaden", "&xxe;"))
    with pytest.raises(FormatError, match="well-formed"):
        read_bpmn(data)


def test_size_limit_is_honoured() -> None:
    data = bpmn(SIMPLE)
    with pytest.raises(InputTooLargeError, match="limit"):
        read_bpmn(data, max_bytes=len(data) - 1)
    assert len(read_bpmn(data, max_bytes=len(data)).steps) == 3
    assert len(read_bpmn(data, max_bytes=None).steps) == 3


# -- kp: extensions that cannot be read ---------------------------------------------


@pytest.mark.parametrize(
    "properties",
    [
        '<kp:properties mode="by-fax"/>',
        '<kp:properties handlingDays="three"/>',
        '<kp:properties><kp:exact field="label" json="{not json"/></kp:properties>',
        '<kp:properties><kp:exact field="label" json="42"/></kp:properties>',
        '<kp:properties><kp:exact field="id" json="&quot;&quot;"/></kp:properties>',
        '<kp:properties><kp:metric name="n" value="many"/></kp:properties>',
        '<kp:properties><kp:attribute json="[1, 2]"/></kp:properties>',
    ],
)
def test_bad_kp_extension_is_a_format_error_with_the_element(properties: str) -> None:
    body = SIMPLE.replace(
        '<{p}userTask id="t" name="Vurdere søknaden"/>',
        f'<{{p}}userTask id="t" name="V"><{{p}}extensionElements>{properties}</{{p}}extensionElements></{{p}}userTask>',
    )
    with pytest.raises(FormatError) as info:
        read_bpmn(bpmn(body, extra=f'xmlns:kp="{KP_NAMESPACE}"'), source="kp.bpmn")
    assert info.value.element == "t" and info.value.line is not None


# -- writing ------------------------------------------------------------------------


def sample() -> Process:
    p = Process("byggesak", "Søknad om tillatelse", lanes=["Servicetorget", "Byggesak"])
    p.metadata["kommune"] = "Trondheim"
    p.documentation = "Illustrativ prosess."
    p.add_step(Step("start", "Søknad mottatt", StepKind.START_EVENT, lane="Servicetorget"))
    p.add_step(
        Step(
            "vurdere",
            "Vurdere søknaden",
            StepKind.USER_TASK,
            lane="Byggesak",
            mode=Mode.DIGITAL,
            system="eByggesak",
            legal_basis="pbl. § 21-7",
            handling_days=21.0,
            documentation="Sjekk mot reguleringsplanen.",
            metrics={"frequency": 120.0},
            attributes={"eier": "Byggesak"},
        )
    )
    p.add_step(Step("frist", "Frist", StepKind.BOUNDARY_EVENT, lane="Byggesak", attached_to="vurdere"))
    p.add_step(Step("sub", "Ferdigattest", StepKind.SUBPROCESS, lane="Byggesak"))
    p.add_step(Step("inner", "Kontrollere", StepKind.TASK, lane="Byggesak", parent="sub"))
    p.add_gateway(Gateway("g", GatewayKind.EXCLUSIVE, "Komplett?", lane="Byggesak"))
    p.add_step(Step("slutt", "Vedtak sendt", StepKind.END_EVENT, lane="Byggesak"))
    p.add_flow(Flow("start", "g", id="f1"))
    p.add_flow(Flow("g", "vurdere", "Ja", id="f2"))
    p.add_flow(Flow("g", "start", "Nei", id="f3"))
    p.add_flow(Flow("vurdere", "sub", id="f4", metrics={"frequency": 118.0}))
    p.add_flow(Flow("sub", "slutt", id="f5"))
    p.add_flow(Flow("frist", "slutt", id="f6"))
    return p


@pytest.fixture(scope="module")
def written() -> etree._Element:
    return etree.fromstring(write_bpmn(sample()))


def test_written_file_round_trips() -> None:
    p = sample()
    assert read_bpmn(write_bpmn(p)) == p


def test_written_file_uses_standard_prefixes(written: etree._Element) -> None:
    assert written.prefix == "bpmn"
    assert {"bpmn", "bpmndi", "dc", "di"} <= set(written.nsmap)


def test_lanes_make_a_pool_with_a_lane_set(written: etree._Element) -> None:
    [participant] = written.findall("bpmn:collaboration/bpmn:participant", NS)
    process = written.find("bpmn:process", NS)
    assert process is not None and participant.get("processRef") == process.get("id")
    assert [lane.get("name") for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)] == [
        "Servicetorget",
        "Byggesak",
    ]


def test_sub_process_children_are_nested(written: etree._Element) -> None:
    sub = written.find(".//bpmn:subProcess[@id='sub']", NS)
    assert sub is not None and sub.find("bpmn:task[@id='inner']", NS) is not None


def test_condition_is_written_as_name_and_expression(written: etree._Element) -> None:
    flow = written.find(".//bpmn:sequenceFlow[@id='f2']", NS)
    assert flow is not None and flow.get("name") == "Ja"
    expression = flow.find("bpmn:conditionExpression", NS)
    assert expression is not None and expression.text == "Ja"


def test_attributes_without_a_bpmn_field_go_to_kp_extensions(written: etree._Element) -> None:
    props = written.find(".//bpmn:userTask[@id='vurdere']/bpmn:extensionElements/kp:properties", NS)
    assert props is not None
    assert (props.get("mode"), props.get("system"), props.get("legalBasis")) == (
        "digital",
        "eByggesak",
        "pbl. § 21-7",
    )


def test_every_node_lane_and_pool_has_a_shape_and_every_flow_an_edge(written: etree._Element) -> None:
    shapes = {s.get("bpmnElement") for s in written.iterfind(".//bpmndi:BPMNShape", NS)}
    nodes = {
        el.get("id")
        for el in written.iter()
        if isinstance(el.tag, str)
        and el.getparent() is not None
        and el.get("id")
        and etree.QName(el).localname
        not in {"sequenceFlow", "process", "laneSet", "collaboration", "definitions"}
        and etree.QName(el).namespace == BPMN_NAMESPACE
    }
    assert nodes <= shapes
    flows = {f.get("id") for f in written.iter(f"{{{BPMN_NAMESPACE}}}sequenceFlow")}
    edges = written.findall(".//bpmndi:BPMNEdge", NS)
    assert {e.get("bpmnElement") for e in edges} == flows
    assert all(len(e.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2 for e in edges)


def test_expanded_sub_process_shape_is_marked(written: etree._Element) -> None:
    shape = written.find(".//bpmndi:BPMNShape[@bpmnElement='sub']", NS)
    assert shape is not None and shape.get("isExpanded") == "true"


def test_without_layout_there_is_no_diagram() -> None:
    root = etree.fromstring(write_bpmn(sample(), layout=False))
    assert root.find("bpmndi:BPMNDiagram", NS) is None


def test_process_without_lanes_has_no_collaboration() -> None:
    p = read_bpmn(bpmn(SIMPLE))
    root = etree.fromstring(write_bpmn(p))
    assert root.find("bpmn:collaboration", NS) is None
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    assert plane is not None and plane.get("bpmnElement") == "P"


def test_odd_ids_are_replaced_by_xml_names_and_restored() -> None:
    p = Process("1 prosess", "P")
    p.add_step(Step("1", "Første", StepKind.START_EVENT))
    p.add_step(Step("steg to", "Andre"))
    p.add_step(Step("kp_x", "Tredje"))
    p.add_flow(Flow("1", "steg to"))
    p.add_flow(Flow("steg to", "kp_x", id="1"))
    p.add_flow(Flow("kp_x", "mangler"))
    data = write_bpmn(p)
    root = etree.fromstring(data)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert all(i[0].isalpha() or i[0] == "_" for i in ids) and len(ids) == len(set(ids))
    assert read_bpmn(data) == p


def test_sources_imported_from_other_tools_round_trip(pools: Process) -> None:
    assert read_bpmn(write_bpmn(pools)) == pools


def test_undeclared_lanes_and_nested_lane_changes_round_trip() -> None:
    p = Process("p", lanes=["A"])
    p.add_step(Step("s", "Sub", StepKind.SUBPROCESS, lane="A"))
    p.add_step(Step("i", "Inside, no lane", parent="s"))
    p.add_step(Step("j", "Inside, lane B", parent="s", lane="B"))
    p.add_step(Step("k", "Outside, lane C", lane="C"))
    p.add_step(Step("t", "Child of a task", parent="k"))
    assert read_bpmn(write_bpmn(p)) == p


def test_repeated_lane_names_round_trip_with_a_shape_each() -> None:
    p = Process("p", lanes=["A", "B", "A"])
    p.add_step(Step("s", "S", StepKind.START_EVENT, lane="A"))
    p.add_step(Step("t", "T", lane="B"))
    p.add_flow(Flow("s", "t"))
    data = write_bpmn(p)
    assert read_bpmn(data) == p
    root = etree.fromstring(data)
    lanes = [lane.get("id") for lane in root.iterfind(".//bpmn:lane", NS)]
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    assert len(lanes) == 3 and set(lanes) <= shapes


# -- property-based: round trips and fuzzing ---------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)


@st.composite
def processes(draw: st.DrawFn) -> Process:
    lanes = draw(st.lists(_text, max_size=3))  # repeated names too
    p = Process(draw(_ids), draw(_text), lanes=lanes, documentation=draw(st.none() | _text))
    p.metadata.update(draw(st.dictionaries(_text, _text, max_size=2)))
    ids = draw(st.lists(_ids, min_size=1, max_size=7, unique=True))
    for i, element_id in enumerate(ids):
        lane = draw(st.none() | st.sampled_from(lanes) if lanes else st.none())
        parent = draw(st.none() | st.sampled_from(ids[:i])) if i else None
        if draw(st.integers(0, 4)) == 0:
            p.add_gateway(Gateway(element_id, draw(st.sampled_from(GatewayKind)), draw(_text), lane, parent))
            continue
        kind = draw(st.sampled_from(StepKind))
        p.add_step(
            Step(
                element_id,
                draw(_text),
                kind,
                lane,
                mode=draw(st.none() | st.sampled_from(Mode)),
                system=draw(st.none() | _text),
                legal_basis=draw(st.none() | _text),
                handling_days=draw(st.none() | st.floats(allow_nan=False)),
                documentation=draw(st.none() | _text),
                parent=parent,
                attached_to=draw(st.sampled_from(ids)) if kind == StepKind.BOUNDARY_EVENT else None,
                metrics=draw(st.dictionaries(_text, st.floats(allow_nan=False), max_size=2)),
                attributes=draw(st.dictionaries(_text, _text, max_size=2)),
            )
        )
    for _ in range(draw(st.integers(0, 8))):
        p.add_flow(
            Flow(
                draw(st.sampled_from(ids)),
                draw(st.sampled_from(ids)),
                draw(st.none() | _text),
                draw(st.none() | _ids),
                metrics=draw(st.dictionaries(_text, st.floats(allow_nan=False), max_size=1)),
            )
        )
    return p


def differences(a: Process, b: Process) -> list[str]:
    """What differs between two processes, for readable failures."""
    out = [
        f"{k}: {getattr(a, k)!r} != {getattr(b, k)!r}"
        for k in ("id", "name", "lanes", "metadata", "documentation")
        if getattr(a, k) != getattr(b, k)
    ]
    for e in a.elements:
        if b.get(e.id) != e:
            out.append(f"{e!r} != {b.get(e.id)!r}")
    extra = {e.id for e in b.elements} - {e.id for e in a.elements}
    if extra:
        out.append(f"extra elements {extra}")
    fa, fb = sorted(a.flows, key=Flow.sort_key), sorted(b.flows, key=Flow.sort_key)
    if fa != fb:
        out.append(f"flows {fa!r} != {fb!r}")
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_any_process_round_trips_without_layout(p: Process) -> None:
    q = read_bpmn(write_bpmn(p, layout=False))
    assert q == p, differences(p, q)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_any_process_round_trips_with_layout(p: Process) -> None:
    q = read_bpmn(write_bpmn(p))
    assert q == p, differences(p, q)


_SEED = bpmn(SIMPLE)
_FIXTURE = (DATA / "byggesak_to_pools.bpmn").read_bytes()
_WRITTEN = write_bpmn(sample(), layout=False)  # exercises the kp: extension reader


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([_SEED, _FIXTURE, _WRITTEN]),
    st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4)), max_size=4),
)
def test_mutated_bpmn_raises_nothing_but_format_error(seed: bytes, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(seed)
    for position, replacement in edits:
        at = position % (len(data) + 1)
        data[at : at + len(replacement)] = replacement
    try:
        read_bpmn(bytes(data))
    except FormatError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_nothing_but_format_error(data: bytes) -> None:
    try:
        read_bpmn(data)
    except FormatError:
        pass


_TAGS = [
    "process",
    "task",
    "subProcess",
    "boundaryEvent",
    "sequenceFlow",
    "lane",
    "laneSet",
    "childLaneSet",
    "flowNodeRef",
    "exclusiveGateway",
    "documentation",
    "conditionExpression",
    "collaboration",
    "participant",
]


@st.composite
def bpmn_trees(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = draw(
        st.dictionaries(
            st.sampled_from(["id", "name", "sourceRef", "targetRef", "attachedToRef", "processRef"]),
            st.sampled_from(["a", "b", "", " ", "x:y", "P", "a&#10;b"]),
            max_size=4,
        )
    )
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    children = draw(st.lists(bpmn_trees(depth + 1), max_size=3)) if depth < 3 else []
    body = "".join(children) or draw(st.sampled_from(["", "a", "b", "P"]))
    return f"<b:{tag} {text}>{body}</b:{tag}>"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bpmn_trees(), max_size=4))
def test_random_bpmn_structures_raise_nothing_but_format_error(trees: list[str]) -> None:
    data = f'<b:definitions xmlns:b="{BPMN_NAMESPACE}">{"".join(trees)}</b:definitions>'.encode()
    try:
        p = read_bpmn(data)
    except FormatError:
        return
    p.validate()
    p.step_graph()


def _bundled_samples() -> list[tuple[str, str]]:
    from processes.samples import case_types, variants

    return [(c.slug, "standard") for c in case_types()] + [
        (c.slug, name) for c in case_types() for name in variants(c)
    ]


@pytest.mark.parametrize(("case", "name"), _bundled_samples())
def test_bundled_samples_round_trip_with_their_diagram(case: str, name: str) -> None:
    from processes.samples import load_sample

    p = load_sample(case, name)
    data = write_bpmn(p)
    assert read_bpmn(data) == p
    root = etree.fromstring(data)
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    assert len(shapes) >= len(p.elements) + len(p.lanes)


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        assert b is not None
        out[shape.get("bpmnElement", "")] = (
            float(b.get("x", "")), float(b.get("y", "")), float(b.get("width", "")), float(b.get("height", ""))
        )  # fmt: skip
    return out


def _inside(a: tuple[float, ...], b: tuple[float, ...], tolerance: float = 1.0) -> bool:
    return (
        a[0] >= b[0] - tolerance
        and a[1] >= b[1] - tolerance
        and a[0] + a[2] <= b[0] + b[2] + tolerance
        and a[1] + a[3] <= b[1] + b[3] + tolerance
    )


@pytest.mark.parametrize("make", [sample, lambda: read_bpmn(_FIXTURE)], ids=["sample", "two-pools"])
def test_diagram_shapes_sit_in_their_lane_sub_process_and_pool(make: object) -> None:
    assert callable(make)
    root = etree.fromstring(write_bpmn(make()))
    box = _bounds(root)
    participants = list(root.iterfind(".//bpmn:participant", NS))
    assert participants
    for participant in participants:
        proc = root.find(f"bpmn:process[@id='{participant.get('processRef')}']", NS)
        assert proc is not None
        inner = [el.get("id", "") for el in proc.iter() if el.get("id") in box]
        assert all(_inside(box[i], box[participant.get("id", "")]) for i in inner), participant.get("name")
    for lane in root.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            element = root.find(f".//*[@id='{ref.text}']")
            assert element is not None
            if etree.QName(element).localname != "boundaryEvent":
                assert _inside(box[ref.text or ""], box[lane.get("id", "")]), ref.text
    for sub in root.iterfind(".//bpmn:subProcess", NS):
        for child in sub:
            if child.get("id") in box and etree.QName(child).localname != "boundaryEvent":
                assert _inside(box[child.get("id", "")], box[sub.get("id", "")])
    for event in root.iterfind(".//bpmn:boundaryEvent", NS):
        x, y, w, h = box[event.get("id", "")]
        hx, hy, hw, hh = box[event.get("attachedToRef", "")]
        cx, cy = x + w / 2, y + h / 2
        on_horizontal = min(abs(cy - hy), abs(cy - hy - hh)) < 2 and hx - 2 <= cx <= hx + hw + 2
        on_vertical = min(abs(cx - hx), abs(cx - hx - hw)) < 2 and hy - 2 <= cy <= hy + hh + 2
        assert on_horizontal or on_vertical


def _flow_node_refs() -> Process:
    p = Process("p", "Byggesak", lanes=["Saksbehandler"])
    p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT, lane="Saksbehandler"))
    p.add_step(Step("sub", "Vurdere", StepKind.SUBPROCESS, lane="Saksbehandler", documentation="Faglig vurdering"))
    p.add_step(Step("in1", "Sjekke plan", parent="sub", system="Acos"))
    p.add_step(Step("in2", "Sjekke naboer", parent="sub"))
    p.add_gateway(Gateway("g", GatewayKind.EXCLUSIVE, lane="Saksbehandler"))
    p.add_step(Step("e", "Vedtak", StepKind.END_EVENT, lane="Saksbehandler"))
    p.add_flow(Flow("s", "sub", id="f1"))
    p.add_flow(Flow("in1", "in2", id="f2"))
    p.add_flow(Flow("sub", "g", id="f3"))
    p.add_flow(Flow("g", "e", "Ja", id="f4"))
    p.add_flow(Flow("g", "sub", "Nei", id="f5"))
    return p


def test_writer_lists_each_flow_nodes_incoming_and_outgoing_flows() -> None:
    root = etree.fromstring(write_bpmn(_flow_node_refs(), layout=False))

    def refs(element_id: str, tag: str) -> list[str]:
        return [r.text or "" for r in root.iterfind(f".//*[@id='{element_id}']/bpmn:{tag}", NS)]

    assert (refs("s", "incoming"), refs("s", "outgoing")) == ([], ["f1"])
    assert (refs("sub", "incoming"), refs("sub", "outgoing")) == (["f1", "f5"], ["f3"])
    assert (refs("in1", "incoming"), refs("in1", "outgoing")) == ([], ["f2"])
    assert (refs("in2", "incoming"), refs("in2", "outgoing")) == (["f2"], [])
    assert (refs("g", "incoming"), refs("g", "outgoing")) == (["f3"], ["f4", "f5"])
    assert (refs("e", "incoming"), refs("e", "outgoing")) == (["f4"], [])


def test_writer_puts_flow_refs_where_the_bpmn_schema_wants_them() -> None:
    # tFlowNode: documentation, extensionElements (tBaseElement), then incoming*, outgoing*,
    # then what subclasses add (a sub-process's inner elements).
    order = {"documentation": 0, "extensionElements": 1, "incoming": 2, "outgoing": 3}
    root = etree.fromstring(write_bpmn(_flow_node_refs(), layout=False))
    checked = 0
    for el in root.iterfind(".//bpmn:process//*[@id]", NS):
        if etree.QName(el).localname in ("sequenceFlow", "laneSet", "lane"):
            continue
        ranks = [order.get(etree.QName(child).localname, 4) for child in el]
        assert ranks == sorted(ranks), (el.get("id"), [etree.QName(c).localname for c in el])
        checked += 1
    assert checked == 6
    sub = root.find(".//bpmn:subProcess", NS)
    assert sub is not None
    assert [etree.QName(c).localname for c in sub][:4] == ["documentation", "incoming", "incoming", "outgoing"]


def test_flow_refs_do_not_change_what_is_read_back() -> None:
    p = _flow_node_refs()
    assert read_bpmn(write_bpmn(p)) == p


def test_large_process_diagram_is_laid_out_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    import processes.render

    monkeypatch.setattr(processes.render, "DOT_UP_TO", 0)  # every process counts as large
    p = sample()
    root = etree.fromstring(write_bpmn(p))
    box = _bounds(root)
    assert set(box) >= {*(e.id for e in p.elements)}
    [participant] = root.iterfind(".//bpmn:participant", NS)
    assert all(_inside(b, box[participant.get("id", "")]) for b in box.values())
    for lane in root.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            assert _inside(box[ref.text or ""], box[lane.get("id", "")]), ref.text
    edges = root.findall(".//bpmndi:BPMNEdge", NS)
    assert len(edges) == len(p.flows)
    assert read_bpmn(write_bpmn(p)) == p
