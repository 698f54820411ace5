"""Property-based tests: random valid processes round-trip through every writable
format, and random or damaged input never raises anything but FormatError.

A *valid* process here is one whose references hold: flows connect existing
elements of the same scope, ``parent`` names a sub-process step, a boundary
event's ``attached_to`` names an activity, handling times are finite and
non-negative, metrics are finite. (Validation warnings such as dead ends are
allowed: formats must carry unfinished processes too.)
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.exceptions import FormatError
from processes.formats import read_process, write_process
from processes.formats.eventlog import Event, discover
from processes.formats.native import read_native, write_native
from processes.formats.tabular import COLUMNS, read_tabular, write_tabular
from processes.model import (
    Element,
    Flow,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Step,
    StepKind,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable text with the characters that break naive writers: Norwegian
# letters, quotes, XML specials, YAML indicators, the flow arrow.
_SPECIAL = st.sampled_from(list("æøåÆØÅ\"'<>&:#-*!|>{}[],;%@` ") + ["\n", "\t", "§"])
_PRINTABLE = st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp"))
TEXT = st.text(st.one_of(_PRINTABLE, _SPECIAL), max_size=16)
IDS = st.text(st.one_of(_PRINTABLE, _SPECIAL), min_size=1, max_size=8)
# What a spreadsheet cell can hold unambiguously: no line breaks in names, and
# no separators or colons in what appears in a next-steps cell (see tabular.py).
_CELL = st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp"), exclude_characters=":;,\r\n")
TABLE_TEXT = st.text(st.one_of(_CELL, st.sampled_from(list("æøå\"'<>&"))), max_size=12)
TABLE_IDS = TABLE_TEXT.filter(lambda s: s.strip() != "")
NUMBER = st.floats(allow_nan=False, allow_infinity=False)
METRICS = st.dictionaries(st.sampled_from(["frequency", "cases", "mean_days", "ø"]), NUMBER, max_size=2)


@st.composite
def processes(draw: st.DrawFn, *, table: bool = False) -> Process:
    """Draw a random valid process (see the module docstring)."""
    ids, text = (TABLE_IDS, TABLE_TEXT) if table else (IDS, TEXT)
    opt = st.none() | text
    lanes = draw(st.lists(text.filter(lambda s: s.strip() != ""), unique=True, max_size=3))
    lane = st.none() | st.sampled_from(lanes) if lanes else st.none()
    element_ids = draw(st.lists(ids, min_size=1, max_size=9, unique_by=lambda s: s.strip() if table else s))
    n_gateways = draw(st.integers(0, min(3, len(element_ids) - 1)))
    step_ids, gateway_ids = element_ids[n_gateways:], element_ids[:n_gateways]
    kinds = draw(st.lists(st.sampled_from(list(StepKind)), min_size=len(step_ids), max_size=len(step_ids)))
    subprocesses = [i for i, k in zip(step_ids, kinds, strict=True) if k == StepKind.SUBPROCESS]
    activities = [i for i, k in zip(step_ids, kinds, strict=True) if k not in (StepKind.BOUNDARY_EVENT,)]
    attribute_keys = st.sampled_from(["Risiko", "Kostnad", "Kanal"]) if table else text.filter(bool)

    p = Process(
        draw(ids),
        draw(text),
        lanes=lanes,
        metadata=draw(st.dictionaries(text.filter(bool), text, max_size=2)),
        documentation=draw(opt),
    )
    parents: dict[str, str | None] = {}
    for step_id, kind in zip(step_ids, kinds, strict=True):
        parent = draw(st.none() | st.sampled_from(subprocesses)) if subprocesses else None
        if parent == step_id or kind == StepKind.SUBPROCESS:
            parent = None  # one level of nesting keeps scopes simple
        attached = None
        if kind == StepKind.BOUNDARY_EVENT:
            targets = [a for a in activities if a != step_id]
            attached = draw(st.sampled_from(targets)) if targets else None
            if attached is None:
                kind = StepKind.INTERMEDIATE_EVENT
        parents[step_id] = parent
        p.add_step(
            Step(
                step_id,
                draw(text),
                kind,
                lane=draw(lane),
                mode=draw(st.none() | st.sampled_from(list(Mode))),
                system=draw(opt),
                legal_basis=draw(opt),
                handling_days=draw(st.none() | st.floats(min_value=0, max_value=1e9)),
                documentation=draw(opt),
                parent=parent,
                attached_to=attached,
                metrics=draw(METRICS),
                attributes=draw(st.dictionaries(attribute_keys, text, max_size=2)),
            )
        )
    for gateway_id in gateway_ids:
        parent = draw(st.none() | st.sampled_from(subprocesses)) if subprocesses else None
        p.add_gateway(
            Gateway(
                gateway_id,
                draw(st.sampled_from(list(GatewayKind))),
                draw(text),
                lane=draw(lane),
                parent=parent,
            )
        )
        parents[gateway_id] = parent
    # Flows stay inside one scope: a chain through each scope plus a few extra.
    scopes: dict[str | None, list[str]] = {}
    for element_id, parent in parents.items():
        scopes.setdefault(parent, []).append(element_id)
    for members in scopes.values():
        order = draw(st.permutations(members))
        pairs = list(itertools.pairwise(order))
        pairs += draw(st.lists(st.tuples(st.sampled_from(members), st.sampled_from(members)), max_size=2))
        for source, target in pairs:
            p.add_flow(
                Flow(
                    source,
                    target,
                    condition=draw(st.none() | text),
                    id=None if table else draw(st.none() | ids),
                    metrics={} if table else draw(METRICS),
                )
            )
    return p


# -- round trips -----------------------------------------------------------------------


@ROUND_TRIP
@given(processes())
def test_native_yaml_round_trip(p: Process) -> None:
    assert read_native(write_native(p)) == p


@ROUND_TRIP
@given(processes())
def test_native_json_round_trip(p: Process) -> None:
    assert read_native(write_native(p, format="json")) == p


@ROUND_TRIP
@given(processes())
def test_native_read_write_read_is_stable(p: Process) -> None:
    first = write_native(p)
    assert write_native(read_native(first)) == first


@ROUND_TRIP
@given(processes())
def test_native_json_output_matches_the_published_schema(p: Process) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "processes" / "schema" / "process.schema.json").read_text(encoding="utf-8"))
    errors = list(
        jsonschema.Draft202012Validator(schema).iter_errors(json.loads(write_native(p, format="json")))
    )
    assert errors == []


@ROUND_TRIP
@given(processes())
def test_bpmn_round_trip(p: Process) -> None:
    bpmn = pytest.importorskip("processes.formats.bpmn", reason="processes.formats.bpmn is not there yet")
    assert bpmn.read_bpmn(bpmn.write_bpmn(p, layout=False)) == p


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_bpmn_with_diagram_round_trips_through_the_dispatcher(p: Process) -> None:
    pytest.importorskip("processes.formats.bpmn", reason="processes.formats.bpmn is not there yet")
    assert read_process(write_process(p, "bpmn"), filename="p.bpmn") == p


_ALIASES = {name for names in COLUMNS.values() for name in names}


def _strip(value: str | None) -> str | None:
    return (value or "").strip() or None


def _as_table(p: Process, fmt: str) -> tuple[list[Element], list[Flow], list[str]]:
    """What a step table carries of ``p`` (see the tabular module docstring)."""

    def days(value: float | None) -> float | None:
        # XLSX numbers keep 16 significant digits (as openpyxl writes them).
        return float(f"{value:.16g}") if value is not None and fmt == "xlsx" else value

    elements: list[Element] = []
    for e in p.elements:
        if isinstance(e, Gateway):
            elements.append(
                Gateway(e.id.strip(), e.kind, e.label.strip(), lane=_strip(e.lane), parent=_strip(e.parent))
            )
            continue
        elements.append(
            e.replace(
                id=e.id.strip(),
                label=e.label.strip(),
                lane=_strip(e.lane),
                handling_days=days(e.handling_days),
                system=_strip(e.system),
                legal_basis=_strip(e.legal_basis),
                documentation=_strip(e.documentation),
                parent=_strip(e.parent),
                attached_to=_strip(e.attached_to),
                metrics={},
                attributes={
                    k: v.strip() for k, v in e.attributes.items() if v.strip() and k.lower() not in _ALIASES
                },
            )
        )
    flows = sorted(
        (Flow(f.source.strip(), f.target.strip(), condition=_strip(f.condition)) for f in p.flows),
        key=Flow.sort_key,
    )
    lanes = list(dict.fromkeys(e.lane for e in elements if e.lane is not None))
    return elements, flows, lanes


@ROUND_TRIP
@given(processes(table=True), st.sampled_from(["csv", "xlsx"]), st.sampled_from(["nb", "en"]))
def test_tabular_round_trip_keeps_what_a_table_carries(p: Process, fmt: str, language: str) -> None:
    back = read_tabular(write_tabular(p, format=fmt, language=language))  # type: ignore[arg-type]
    elements, flows, lanes = _as_table(p, fmt)
    assert back.elements == elements
    assert sorted(back.flows, key=Flow.sort_key) == flows
    assert back.lanes == lanes


# -- bad input never escapes as anything but FormatError ---------------------------------------


def _valid_files() -> list[tuple[str, bytes]]:
    p = read_native((DATA / "native" / "byggesak.yaml").read_bytes())
    files = [
        ("p.yaml", write_native(p)),
        ("p.json", write_native(p, format="json")),
        ("p.csv", write_tabular(p)),
        ("p.xlsx", write_tabular(p, format="xlsx")),
        ("log.xes", (DATA / "eventlog" / "lifecycle.xes").read_bytes()),
        ("log.csv", b"Sak;Aktivitet;Tidspunkt\n1;A;2024-01-01 10:00\n1;B;02.01.2024\n2;A;2024-01-03\n"),
    ]
    try:
        from processes.formats.bpmn import write_bpmn
    except ImportError:  # pragma: no cover - until the BPMN module lands
        pass
    else:
        files.append(("p.bpmn", write_bpmn(p)))
    files.append(
        (
            "net.pnml",
            (
                b'<?xml version="1.0"?><pnml><net id="n"><page id="pg"><place id="p1"/>'
                b'<transition id="t1"><name><text>Motta</text></name></transition>'
                b'<arc id="a1" source="p1" target="t1"/></page></net></pnml>'
            ),
        )
    )
    return files


VALID_FILES = _valid_files()


def _read_or_format_error(data: bytes, filename: str | None) -> None:
    try:
        result = read_process(data, filename=filename)
    except FormatError:
        return
    assert isinstance(result, Process)


@FUZZ
@given(
    st.binary(max_size=600), st.sampled_from([None, "x.yaml", "x.csv", "x.xlsx", "x.bpmn", "x.xes", "x.pnml"])
)
def test_random_bytes_raise_only_format_error(data: bytes, filename: str | None) -> None:
    _read_or_format_error(data, filename)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(VALID_FILES))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    how = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
    data = bytearray(data)
    at = rng.randrange(len(data))
    if how == "truncate":
        data = data[:at]
    elif how == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == "insert":
        data[at:at] = draw(
            st.sampled_from([b"<", b"&", b"\x00", b"]]>", b": [", b'"', b";", b"\n- ", b"\xff\xfe"])
        )
    elif how == "delete":
        del data[at : at + rng.randint(1, 64)]
    else:
        data[at:at] = data[max(0, at - 40) : at]
    return name, bytes(data)


@FUZZ
@given(mutations())
def test_damaged_files_of_every_format_raise_only_format_error(case: tuple[str, bytes]) -> None:
    name, data = case
    _read_or_format_error(data, name)


@pytest.mark.parametrize(("name", "data"), VALID_FILES, ids=[name for name, _ in VALID_FILES])
def test_the_fuzzing_seeds_are_valid(name: str, data: bytes) -> None:
    # The mutation test is only meaningful if the files it damages read when intact.
    if name.endswith(".pnml"):
        pytest.importorskip("processes.formats.pnml", reason="processes.formats.pnml is not there yet")
    assert read_process(data, filename=name).steps


def test_write_process_round_trips_through_every_text_format() -> None:
    p = read_native((DATA / "native" / "byggesak.yaml").read_bytes())
    assert read_process(write_process(p, "yaml"), filename="p.yaml") == p
    assert read_process(write_process(p, "json"), filename="p.json") == p


# -- discovery ----------------------------------------------------------------------------


@FUZZ
@given(
    st.lists(st.lists(st.sampled_from("ABCDEF"), max_size=7), min_size=1, max_size=25),
    st.sampled_from([0, 2, 0.3]),
    st.sampled_from([0, 2, 0.2]),
    st.booleans(),
)
def test_discovered_graphs_connect_every_step_from_start_to_end(
    traces: list[list[str]], min_activity: float, min_edge: float, parallel: bool
) -> None:
    p = discover(
        [[Event(a) for a in trace] for trace in traces],
        min_activity_frequency=min_activity,
        miner="dfg",
        min_edge_frequency=min_edge,
        parallel=parallel,
    )
    assert [problem for problem in p.validate() if problem.severity == "error"] == []
    graph = p.graph
    start, end = "__start__", "__end__"
    for step in p.steps:
        assert step.id == start or nx.has_path(graph, start, step.id)
        assert step.id == end or nx.has_path(graph, step.id, end)
    # Each case leaves the start exactly once; filtering may only drop such flows.
    leaving = sum(f.metrics.get("frequency", 0) for f in p.flows if f.source == start)
    assert leaving == len(traces) if min_edge == 0 else leaving <= len(traces)


@FUZZ
@given(
    st.lists(st.lists(st.sampled_from("ABCDEF"), max_size=7), min_size=1, max_size=25),
    st.sampled_from([0, 0.2, 0.5]),
)
def test_inductive_discovery_gives_a_valid_block_structured_process(
    traces: list[list[str]], noise: float
) -> None:
    p = discover([[Event(a) for a in trace] for trace in traces], noise_threshold=noise)
    assert p.validate() == []
    # Block structure: every step has one way in and one way out; gateways do the branching.
    for step in p.steps:
        assert p.graph.in_degree(step.id) <= 1 and p.graph.out_degree(step.id) <= 1
    leaving = sum(f.metrics["frequency"] for f in p.flows if f.source == "__start__")
    assert leaving == len(traces)
    assert read_process(write_process(p, "yaml"), filename="p.yaml") == p


@FUZZ
@given(st.lists(st.floats(min_value=60, max_value=1e8), min_size=1, max_size=40))
def test_duration_mean_and_median_match_the_exact_figures(seconds: list[float]) -> None:
    traces = [[Event("A", 0.0), Event("B", s)] for s in seconds]
    metrics = discover(traces).step("B").metrics
    days = [s / 86400 for s in seconds]
    assert metrics["duration_mean_days"] == pytest.approx(statistics.fmean(days), rel=1e-6, abs=1e-6)
    assert metrics["duration_median_days"] == pytest.approx(statistics.median_low(days), rel=0.01, abs=1e-6)
