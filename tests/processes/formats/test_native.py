"""The native YAML/JSON format: reading, writing, round trips and precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from processes.exceptions import FormatError, ModelError
from processes.formats.native import read_native, write_native
from processes.model import Flow, Gateway, GatewayKind, Mode, Process, Step, StepKind

DATA = Path(__file__).parent / "data" / "native"
ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "processes" / "schema" / "process.schema.json"

BRIEF_EXAMPLE = """\
id: byggesak-standard
name: Søknad om tillatelse i ett trinn
documentation: Eksempel
metadata: {municipality: "5001"}
lanes: [Servicetorget, Byggesak, Arkiv]
steps:
  - id: start
    label: Søknad mottatt
    kind: start_event
    lane: Servicetorget
  - id: registrere
    label: Registrere søknaden
    lane: Arkiv
    mode: digital
    system: Elements
    legal_basis: "pbl. § 21-3"
    handling_days: 1
    documentation: Journalføres samme dag
    metrics: {frequency: 12}
    attributes: {key: value}
  - id: mangel
    label: Sende mangelbrev
    lane: Byggesak
  - id: slutt
    label: Ferdig
    kind: end_event
gateways:
  - {id: g1, kind: exclusive, label: "Komplett?"}
flows:
  - start -> registrere
  - registrere -> g1
  - {from: g1, to: mangel, condition: Mangler}
  - {from: g1, to: slutt, condition: Komplett, id: f4}
  - mangel -> slutt
"""


def _error(text: str | bytes, source: str = "p.yaml") -> FormatError:
    with pytest.raises(FormatError) as info:
        read_native(text.encode() if isinstance(text, str) else text, source=source)
    return info.value


def _sample_process() -> Process:
    return read_native(BRIEF_EXAMPLE.encode())


# -- reading -----------------------------------------------------------------


def test_reads_every_field_of_the_documented_shape() -> None:
    p = _sample_process()
    assert (p.id, p.name, p.documentation) == (
        "byggesak-standard",
        "Søknad om tillatelse i ett trinn",
        "Eksempel",
    )
    assert p.metadata == {"municipality": "5001"}
    assert p.lanes == ["Servicetorget", "Byggesak", "Arkiv"]
    assert p.step("registrere") == Step(
        "registrere",
        "Registrere søknaden",
        StepKind.TASK,
        lane="Arkiv",
        mode=Mode.DIGITAL,
        system="Elements",
        legal_basis="pbl. § 21-3",
        handling_days=1.0,
        documentation="Journalføres samme dag",
        metrics={"frequency": 12},
        attributes={"key": "value"},
    )
    assert p["g1"] == Gateway("g1", GatewayKind.EXCLUSIVE, "Komplett?")
    assert Flow("g1", "mangel", condition="Mangler") in p.flows
    assert Flow("g1", "slutt", condition="Komplett", id="f4") in p.flows
    assert p.validate() == []


def test_elements_and_flows_remember_their_lines() -> None:
    p = _sample_process()
    assert p.step("start").line == 7
    assert p.step("registrere").line == 11
    assert p["g1"].line == 28
    assert [f.line for f in p.flows] == [30, 31, 32, 33, 34]


def test_yaml_and_json_samples_give_the_same_process() -> None:
    yaml_process = read_native((DATA / "byggesak.yaml").read_bytes())
    json_process = read_native((DATA / "byggesak.json").read_bytes())
    assert yaml_process == json_process
    assert json_process.step("vurdere").line == 11


def test_json_lines_are_reported_in_errors() -> None:
    text = '{\n  "steps": [\n    {"id": "a"},\n    {"id": "b", "knid": "task"}\n  ]\n}\n'
    err = _error(text, "p.json")
    assert err.line == 4
    assert "steps[1].knid" in err.message and "did you mean 'kind'" in str(err)


def test_plain_string_step_is_a_task_named_by_its_id() -> None:
    p = read_native("steps: [Søknad mottatt, Vurdere]\nflows: [Søknad mottatt -> Vurdere]".encode())
    assert p.steps == [Step("Søknad mottatt", "Søknad mottatt"), Step("Vurdere", "Vurdere")]
    assert p.flows == [Flow("Søknad mottatt", "Vurdere")]


def test_a_chain_of_arrows_gives_one_flow_per_arrow() -> None:
    p = read_native(b"steps: [a, b, c]\nflows: [a -> b -> c]")
    assert p.flows == [Flow("a", "b"), Flow("b", "c")]


def test_source_and_target_are_accepted_in_the_object_form() -> None:
    p = read_native(b"steps: [a, b]\nflows: [{source: a, target: b, condition: Ja}]")
    assert p.flows == [Flow("a", "b", condition="Ja")]


def test_kinds_and_modes_ignore_case_spaces_and_hyphens() -> None:
    p = read_native(
        b"steps: [{id: a, kind: Start Event, mode: self-service}]\ngateways: [{id: g, kind: AND}]"
    )
    assert p.step("a").kind == StepKind.START_EVENT and p.step("a").mode == Mode.SELF_SERVICE
    assert p["g"].kind == GatewayKind.PARALLEL


def test_unquoted_numbers_in_text_fields_are_kept_as_written() -> None:
    p = read_native(
        b"id: 007\nmetadata: {municipality: 5001, version: 1.10, aktiv: yes}\nsteps: [{id: 0123, system: 5}]"
    )
    assert p.id == "007"
    assert p.metadata == {"municipality": "5001", "version": "1.10", "aktiv": "yes"}
    assert p.steps[0].id == "0123" and p.steps[0].system == "5"


def test_lanes_are_derived_from_the_steps_when_not_listed() -> None:
    p = read_native(b"steps: [{id: a, lane: Arkiv}, {id: b, lane: Byggesak}, {id: c, lane: Arkiv}]")
    assert p.lanes == ["Arkiv", "Byggesak"]


def test_utf8_bom_is_accepted() -> None:
    p = read_native("\ufeffname: Æøå\nsteps: [a]".encode())
    assert p.name == "Æøå"


def test_a_yaml_flow_mapping_document_is_read_when_it_is_not_json() -> None:
    p = read_native(b"{steps: [a, b], flows: [a -> b]}")
    assert p.flows == [Flow("a", "b")]


# -- writing -----------------------------------------------------------------


def test_writer_output_is_readable_and_ordered() -> None:
    text = write_native(_sample_process()).decode("utf-8")
    assert text.startswith("id: byggesak-standard\nname: Søknad om tillatelse i ett trinn\n")
    assert "  - start -> registrere\n" in text
    assert "  - from: g1\n    to: mangel\n    condition: Mangler\n" in text
    assert "Søknad" in text and "\\u" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["id", "name", "documentation", "metadata", "lanes", "steps", "gateways", "flows"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_write_then_read_gives_an_equal_process(fmt: str) -> None:
    p = _sample_process()
    assert read_native(write_native(p, format=fmt)) == p  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_read_write_read_is_stable(fmt: str) -> None:
    first = write_native(_sample_process(), format=fmt)  # type: ignore[arg-type]
    assert write_native(read_native(first), format=fmt) == first  # type: ignore[arg-type]


def test_json_output_is_plain_json() -> None:
    doc = json.loads(write_native(_sample_process(), format="json"))
    assert doc["flows"][0] == "start -> registrere"
    assert doc["steps"][1]["handling_days"] == 1


def test_awkward_ids_and_texts_round_trip() -> None:
    p = Process("x", 'Å "sitat" <b>&amp;</b>', metadata={"1": "true", "null": ""}, documentation="")
    p.add_step(Step("a -> b", "to\nlinjer\n", StepKind.START_EVENT, system=""))
    p.add_step(Step(" mellomrom ", "yes", handling_days=0.5))
    p.add_step(Step("007", "", StepKind.END_EVENT, lane="Arkiv", attributes={"x": "- y"}))
    p.add_flow(Flow("a -> b", " mellomrom "))
    p.add_flow(Flow(" mellomrom ", "007", metrics={"mean_days": 2.25}))
    for fmt in ("yaml", "json"):
        assert read_native(write_native(p, format=fmt)) == p  # type: ignore[arg-type]


def test_empty_lane_list_is_kept_when_steps_name_lanes() -> None:
    p = Process("p")
    p.add_step(Step("a", "A", lane="Arkiv"))
    assert "lanes: []" in write_native(p).decode()
    assert read_native(write_native(p)).lanes == []


def test_a_metric_that_is_not_finite_cannot_be_written() -> None:
    p = Process("p")
    p.add_step(Step("a", "A", metrics={"mean": float("nan")}))
    with pytest.raises(ModelError, match="finite"):
        write_native(p)


# -- errors --------------------------------------------------------------------


def test_flow_without_target_names_the_line_and_the_fix() -> None:
    err = _error("steps: [registrere]\nflows:\n  - registrere -> \n")
    assert err.source == "p.yaml" and err.line == 3
    assert err.message == "flows[0]: 'registrere ->' has no target"
    assert "a -> b" in (err.hint or "")


def test_flow_without_arrow_is_an_error() -> None:
    err = _error("steps: [a, b]\nflows: [a to b]")
    assert "has no '->'" in err.message and err.line == 2


def test_unknown_key_suggests_the_nearest_one() -> None:
    err = _error("steps:\n  - id: a\n    lable: A\n")
    assert err.line == 3 and err.element == "a"
    assert err.message == "steps[0].lable: unknown key" and err.hint == "did you mean 'label'?"


def test_other_json_is_said_not_to_be_a_process() -> None:
    err = _error('{"version": "1.0", "dependencies": {}}', "package.json")
    assert (
        err.message
        == "the file is not a process: it has no 'steps' list (its keys are 'version', 'dependencies')"
    )


def test_unknown_top_level_key_is_an_error() -> None:
    err = _error("name: x\nstep: [a]\n")
    assert err.line == 2 and "did you mean 'steps'" in str(err)


def test_unknown_kind_lists_the_allowed_values() -> None:
    err = _error("steps:\n  - {id: a, kind: activity}\n")
    assert err.line == 2 and "steps[0].kind: unknown value 'activity'" in err.message
    assert "user_task" in (err.hint or "") and "start_event" in (err.hint or "")


def test_gateway_kind_in_steps_says_where_it_belongs() -> None:
    err = _error("steps:\n  - {id: g, kind: exclusive}\n")
    assert "gateway kind" in err.message and "'gateways'" in err.message


def test_unknown_mode_lists_the_allowed_values() -> None:
    err = _error("steps:\n  - {id: a, mode: email}\n")
    assert "allowed values: manual, paper, digital, automated, self_service" in (err.hint or "")


def test_flow_to_an_unknown_id_suggests_the_nearest_id() -> None:
    err = _error("steps: [registrere, vurdere]\nflows:\n  - registrere -> vurder\n")
    assert err.line == 3 and "'vurder' is not the id" in err.message and err.hint == "did you mean 'vurdere'?"


def test_flow_to_a_label_names_the_id_to_use() -> None:
    err = _error("steps:\n  - {id: a, label: Start}\n  - {id: b, label: Vurdere}\nflows: [a -> Vurdere]\n")
    assert "'Vurdere' is the label of step 'b'" in err.message and err.hint == "write 'b'"


def test_duplicate_ids_name_both_lines() -> None:
    err = _error("steps:\n  - a\n  - b\ngateways:\n  - {id: a}\n")
    assert err.line == 5 and err.element == "a" and "first on line 2" in err.message


def test_duplicate_yaml_keys_are_an_error() -> None:
    err = _error("steps:\n  - id: a\n    label: A\n    label: B\n")
    assert err.line == 4 and "appears twice" in err.message


def test_unknown_parent_and_attachment_are_errors() -> None:
    err = _error("steps:\n  - a\n  - {id: b, parent: sub}\n")
    assert err.element == "b" and "parent" in err.message
    err = _error("steps:\n  - a\n  - {id: t, kind: boundary_event, attached_to: aa}\n")
    assert err.element == "t" and err.line == 3 and err.hint == "did you mean 'a'?"


def test_step_without_id_is_an_error() -> None:
    err = _error("steps:\n  - label: Vurdere\n")
    assert err.line == 2 and "no 'id'" in err.message


def test_handling_days_must_be_a_non_negative_number() -> None:
    assert "expected a number" in _error("steps:\n  - {id: a, handling_days: tre}\n").message
    assert "negative" in _error("steps:\n  - {id: a, handling_days: -1}\n").message
    assert "finite" in _error("steps:\n  - {id: a, handling_days: .inf}\n").message


def test_text_field_given_a_list_says_so() -> None:
    err = _error("steps:\n  - {id: a, label: [x]}\n")
    assert err.message == "steps[0].label: expected text, got a list"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("   \n# bare kommentar\n", "empty"),
        ("- a\n- b\n", "not a process"),
        ("name: x\n", "no 'steps'"),
        ("steps: a\n", "expected a list"),
        ("steps: [a\n", "not valid YAML"),
        ("steps:\n  - {id: g, label: Komplett?}\n", "not valid YAML"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("steps: !!python/object:os.system [a]\n", "tag"),
        ('{"steps": [}', "not valid JSON"),
        ('{"steps": [], "steps": []}', "appears twice"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_malformed_files_raise_format_error(text: str, expected: str) -> None:
    assert expected in str(_error(text))


def test_yaml_syntax_error_hint_explains_quoting() -> None:
    err = _error("steps:\n  - {id: g, label: Komplett?}\n")
    assert err.line == 2 and "quotes" in (err.hint or "")


def test_not_utf8_is_an_error_with_the_line() -> None:
    err = _error("name: x\nsteps: [S\xf8knad]\n".encode("cp1252"))
    assert err.line == 2 and "not UTF-8" in err.message and err.hint == "save the file as UTF-8"


def test_size_limit_is_enforced() -> None:
    with pytest.raises(FormatError, match="limit"):
        read_native(b"steps: []\n" + b"#" * 100, max_bytes=50)


# -- JSON Schema -------------------------------------------------------------------

jsonschema = pytest.importorskip("jsonschema")


def _validator() -> object:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _sample_files() -> list[Path]:
    samples = ROOT / "processes" / "samples"
    # about.yaml describes a casework type and its variants; it is not a process.
    found = [
        p
        for p in sorted(samples.rglob("*"))
        if p.suffix in {".yaml", ".yml", ".json"} and p.name != "about.yaml"
    ]
    return found + sorted(DATA.glob("*.yaml")) + sorted(DATA.glob("*.json"))


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sample_file_matches_the_schema_and_reads(path: Path) -> None:
    data = path.read_bytes()
    document = yaml.safe_load(data) if path.suffix != ".json" else json.loads(data)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]  # type: ignore[attr-defined]
    assert errors == []
    read_native(data, source=path.name)


def test_writer_output_matches_the_schema() -> None:
    document = json.loads(write_native(_sample_process(), format="json"))
    assert list(_validator().iter_errors(document)) == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "document",
    [
        {"steps": [{"id": "a", "lable": "A"}]},
        {"steps": [{"id": "a", "kind": 3}]},
        {"steps": ["a"], "flows": ["a"]},
        {"name": "x"},
        {"steps": [], "flows": [{"from": "a"}]},
    ],
)
def test_schema_rejects_what_the_reader_rejects(document: dict[str, object]) -> None:
    assert list(_validator().iter_errors(document))  # type: ignore[attr-defined]
    with pytest.raises(FormatError):
        read_native(json.dumps(document).encode())
