"""Event logs: streaming XES and CSV reading, and directly-follows discovery."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from processes.exceptions import FormatError
from processes.formats.eventlog import Event, discover, read_eventlog_csv, read_xes
from processes.formats.native import write_native
from processes.model import GatewayKind, Process, StepKind

DATA = Path(__file__).parent / "data" / "eventlog"
LIFECYCLE = DATA / "lifecycle.xes"


def _edges(p: Process) -> set[tuple[str, str]]:
    return {(f.source, f.target) for f in p.flows}


def _xes(traces: list[list[str]]) -> bytes:
    body = "".join(
        "<trace>"
        + "".join(f'<event><string key="concept:name" value="{a}"/></event>' for a in trace)
        + "</trace>"
        for trace in traces
    )
    return f"<log>{body}</log>".encode()


# -- XES ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lifecycle() -> Process:
    # The directly-follows graph: discovery of structure is tested below and in tests/processes/test_discover.py.
    return read_xes(LIFECYCLE, miner="dfg")


def test_xes_gives_a_directly_follows_graph_with_start_and_end_on_request(lifecycle: Process) -> None:
    assert _edges(lifecycle) == {
        ("__start__", "Motta søknad"),
        ("Motta søknad", "Vurdere"),
        ("Vurdere", "Vedtak"),
        ("Vurdere", "Avslag"),
        ("Vedtak", "__end__"),
        ("Avslag", "__end__"),
    }
    assert lifecycle.step("__start__").kind == StepKind.START_EVENT
    assert lifecycle.step("__end__").kind == StepKind.END_EVENT
    assert lifecycle.validate() == []
    assert lifecycle.name == "Startlån" and lifecycle.id == "lifecycle"


def test_step_metrics_count_events_and_cases(lifecycle: Process) -> None:
    vurdere = lifecycle.step("Vurdere").metrics
    assert (vurdere["frequency"], vurdere["cases"]) == (2, 2)
    assert lifecycle.step("Vedtak").metrics["cases"] == 1


def test_duration_runs_from_start_to_complete_when_the_log_has_start_events(lifecycle: Process) -> None:
    vurdere = lifecycle.step("Vurdere").metrics
    assert vurdere["duration_mean_days"] == pytest.approx(3.0)
    assert vurdere["duration_median_days"] == 2.0  # the lower median of 2 and 4 days
    assert "duration_mean_days" not in lifecycle.step("Vedtak").metrics
    assert lifecycle.metadata["duration"] == "start_to_complete"


def test_flow_time_runs_from_completion_to_the_next_start(lifecycle: Process) -> None:
    flows = {(f.source, f.target): f.metrics for f in lifecycle.flows}
    assert flows[("Motta søknad", "Vurdere")]["frequency"] == 2
    assert flows[("Motta søknad", "Vurdere")]["mean_days"] == pytest.approx((1 + 2 / 24) / 2, abs=1e-5)
    assert flows[("Vurdere", "Vedtak")]["mean_days"] == pytest.approx(1.0)


def test_case_ids_and_resources_are_never_stored(lifecycle: Process) -> None:
    text = write_native(lifecycle).decode()
    for secret in ("case-secret", "Kari", "Ola", "org:resource"):
        assert secret not in text
    assert lifecycle.metadata == {
        "source_format": "xes",
        "cases": "2",
        "events": "8",
        "duration": "start_to_complete",
        "miner": "dfg",
        "label_attribute": "concept:name",
        # The period the log covers (for cases per year), not the time of any one case.
        "first_event": "2024-03-01T07:00:00+00:00",
        "last_event": "2024-03-15T10:00:00+00:00",
    }


def test_gzipped_xes_and_bytes_and_file_objects_read_the_same(lifecycle: Process) -> None:
    gz = (DATA / "lifecycle.xes.gz").read_bytes()
    for data in (gz, LIFECYCLE.read_bytes()):
        p = read_xes(data, source="lifecycle.xes", miner="dfg")
        assert p == lifecycle
    with LIFECYCLE.open("rb") as handle:
        assert read_xes(handle, source="lifecycle.xes", miner="dfg") == lifecycle


def test_successive_timestamps_give_waiting_time_without_start_events() -> None:
    log = (
        b"<log><trace>"
        b'<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>'
        b'<event><string key="concept:name" value="B"/><date key="time:timestamp" value="2024-01-03T12:00:00Z"/></event>'
        b"</trace></log>"
    )
    p = read_xes(log)
    assert p.step("B").metrics["duration_mean_days"] == 2.5
    assert "duration_mean_days" not in p.step("A").metrics
    assert p.metadata["duration"] == "since_previous_event"


def test_events_without_the_label_or_with_a_bad_time_are_reported() -> None:
    log = (
        b"<log><trace>"
        b'<event><string key="concept:name" value="A"/><date key="time:timestamp" value="i morgen"/></event>'
        b'<event><string key="other" value="x"/></event>'
        b'<event><string key="concept:name" value="B"/></event>'
        b"</trace></log>"
    )
    p = read_xes(log)
    assert _edges(p) == {("__start__", "A"), ("A", "B"), ("B", "__end__")}
    warnings = {problem.code: problem for problem in p.validate() if problem.code.startswith("eventlog")}
    assert warnings["eventlog_missing_label"].params["count"] == "1"
    assert warnings["eventlog_bad_timestamp"].params["count"] == "1"
    assert "cannot be read" in warnings["eventlog_bad_timestamp"].message("en")


def test_events_are_ordered_by_time_within_a_case() -> None:
    log = (
        b"<log><trace>"
        b'<event><string key="concept:name" value="B"/><date key="time:timestamp" value="2024-01-02T00:00:00Z"/></event>'
        b'<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>'
        b"</trace></log>"
    )
    assert ("A", "B") in _edges(read_xes(log))


def test_missing_label_attribute_lists_the_attributes_there_are() -> None:
    with pytest.raises(FormatError) as info:
        read_xes(LIFECYCLE, label_attribute="activityNameEN")
    assert "no event has the attribute 'activityNameEN'" in info.value.message
    assert "concept:name" in info.value.message and "lifecycle:transition" in info.value.message
    assert info.value.source == "lifecycle.xes"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<definitions/>", "not an XES event log"),
        (b"<log><trace><event>", "not well-formed"),
        (b'<!DOCTYPE log [<!ENTITY x "y">]><log/>', "DOCTYPE"),
        (b"<log></log>", "no cases"),
        (b"", "empty"),
        (b"\x1f\x8b\x08\x00garbage", "log"),
    ],
)
def test_bad_xes_raises_format_error(data: bytes, expected: str) -> None:
    with pytest.raises(FormatError, match=expected):
        read_xes(data, source="x.xes")


def test_a_missing_file_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="cannot open"):
        read_xes(DATA / "absent.xes")


def test_a_gzip_bomb_is_stopped_at_the_limit() -> None:
    bomb = gzip.compress(b"<log>" + b" " * 2_000_000 + b"</log>")
    with pytest.raises(FormatError, match="unpacks to more than"):
        read_xes(bomb, max_bytes=len(bomb) + 10)


# -- discovery -------------------------------------------------------------------------


def test_rare_flows_are_dropped_but_the_graph_stays_connected() -> None:
    log = [["A", "B", "C"]] * 9 + [["A", "C"], ["A", "D", "C"]]
    p = discover([[Event(a) for a in t] for t in log], miner="dfg", min_edge_frequency=2, parallel=False)
    assert ("A", "C") not in _edges(p)
    # A -> D and D -> C are rare too, but D must stay reachable and reach the end.
    assert {("A", "D"), ("D", "C")} <= _edges(p)
    assert p.validate() == []


def test_relative_edge_threshold_is_a_share_of_the_source_steps_flows() -> None:
    log = [["A", "B"]] * 8 + [["A", "C", "B"]] * 2
    traces = [[Event(a) for a in t] for t in log]
    assert ("A", "C") in _edges(discover(traces, miner="dfg", min_edge_frequency=0.2, parallel=False))
    assert ("A", "C") in _edges(
        discover(traces, miner="dfg", min_edge_frequency=0.25, parallel=False)
    )  # kept for connectivity
    assert ("C", "B") in _edges(discover(traces, miner="dfg", min_edge_frequency=0.25, parallel=False))


def test_rare_activities_are_removed_from_the_cases_before_counting() -> None:
    log = [["A", "B", "C"]] * 9 + [["A", "X", "C"]]
    p = discover([[Event(a) for a in t] for t in log], min_activity_frequency=0.2, miner="dfg")
    assert "X" not in p
    assert ("A", "C") in _edges(p) and p.step("A").metrics["cases"] == 10


def test_activity_filtering_needs_a_log_that_can_be_read_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        discover(iter([[Event("A")]]), min_activity_frequency=2)


@pytest.mark.parametrize(
    "options",
    [{"min_edge_frequency": -1}, {"min_activity_frequency": "0.5"}, {"parallel_ratio": 1.5}],
)
def test_nonsense_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        discover([[Event("A")]], **options)  # type: ignore[arg-type]


def test_concurrent_steps_become_a_parallel_block() -> None:
    log = [["A", "B", "C", "D"]] * 5 + [["A", "C", "B", "D"]] * 4
    p = discover([[Event(a) for a in t] for t in log])
    kinds = [g.kind for g in p.gateways]
    assert kinds == [GatewayKind.PARALLEL, GatewayKind.PARALLEL]
    split, join = (g.id for g in p.gateways)
    assert {("A", split), (split, "B"), (split, "C"), ("B", join), ("C", join), (join, "D")} <= _edges(p)
    assert ("B", "C") not in _edges(p) and ("C", "B") not in _edges(p)
    assert {(a, b) for a, b in p.step_graph().edges} >= {("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")}
    assert p.validate() == []


def test_lopsided_or_unsafe_two_way_flows_are_left_alone() -> None:
    lopsided = [["A", "B", "C", "D"]] * 9 + [["A", "C", "B", "D"]]
    assert discover([[Event(a) for a in t] for t in lopsided], miner="dfg").gateways == []
    # B and C alternate, but only B is ever first after A: not a clean block.
    unsafe = [["A", "B", "C", "D"]] * 5 + [["A", "B", "C", "B", "D"]] * 5 + [["E", "C", "B", "D"]] * 5
    p = discover([[Event(a) for a in t] for t in unsafe], miner="dfg")
    assert p.gateways == [] and ("B", "C") in _edges(p)


def test_parallel_detection_can_be_switched_off() -> None:
    log = [["A", "B", "C", "D"]] * 5 + [["A", "C", "B", "D"]] * 5
    p = discover([[Event(a) for a in t] for t in log], miner="dfg", parallel=False)
    assert p.gateways == [] and {("B", "C"), ("C", "B")} <= _edges(p)


def test_activities_named_like_the_artificial_events_keep_their_names() -> None:
    p = discover([[Event("__start__"), Event("__end__"), Event("  ")]])
    assert [s.id for s in p.steps] == ["__start___", "__end__", "__start__", "__end___"]
    assert ("__start___", "__start__") in _edges(p) and ("__end__", "__end___") in _edges(p)


def test_other_lifecycle_transitions_do_not_make_steps() -> None:
    trace = [Event("A", None, "schedule"), Event("A", None, "complete"), Event("B", None, "assign")]
    p = discover([trace])
    assert _edges(p) == {("__start__", "A"), ("A", "__end__")}


# -- CSV -------------------------------------------------------------------------------

CSV_SORTED = (
    "Sak;Aktivitet;Tidspunkt;Saksbehandler\n"
    "S-1;Motta søknad;01.03.2024 08:00;Kari\n"
    "S-1;Vurdere;02.03.2024 08:00;Ola\n"
    "S-1;Vedtak;04.03.2024 08:00;Ola\n"
    "S-2;Motta søknad;01.03.2024 09:00;Kari\n"
    "S-2;Vurdere;01.03.2024 21:00;Ola\n"
    "S-2;Avslag;02.03.2024 09:00;Ola\n"
)


def _unsorted() -> str:
    header, *rows = CSV_SORTED.splitlines()
    return "\n".join([header, rows[3], rows[0], rows[4], rows[1], rows[5], rows[2]]) + "\n"


def test_csv_log_with_norwegian_columns_is_discovered() -> None:
    p = read_eventlog_csv(CSV_SORTED.encode("cp1252"), source="startlan.csv")
    assert ("Motta søknad", "Vurdere") in _edges(p)
    assert p.step("Vurdere").metrics["duration_mean_days"] == pytest.approx(0.75)
    assert "Kari" not in write_native(p).decode() and "S-1" not in write_native(p).decode()
    assert p.metadata["activity_column"] == "Aktivitet"


def test_unsorted_csv_gives_the_same_graph_as_sorted() -> None:
    assert read_eventlog_csv(_unsorted().encode()) == read_eventlog_csv(CSV_SORTED.encode())


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_csv_log_streams_from_a_path_in_any_excel_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "startlån.csv"
    path.write_bytes(_unsorted().encode(encoding))
    p = read_eventlog_csv(path)
    assert p == read_eventlog_csv(CSV_SORTED.encode(), source="startlån.csv")
    assert p.id == "startlån" and p.step("Motta søknad").metrics["cases"] == 2


def test_csv_log_path_errors_are_format_errors(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot open"):
        read_eventlog_csv(tmp_path / "absent.csv")
    (tmp_path / "empty.csv").write_bytes(b"\n\n")
    with pytest.raises(FormatError, match="empty"):
        read_eventlog_csv(tmp_path / "empty.csv")
    (tmp_path / "bad.csv").write_bytes(b"case;activity\n1;A\x81\n")
    with pytest.raises(FormatError, match="neither UTF-8 nor Windows-1252"):
        read_eventlog_csv(tmp_path / "bad.csv")


def test_csv_columns_can_be_named_and_use_another_label() -> None:
    text = "id,step,when,label\n1,a,2024-01-01T00:00,Motta\n1,b,2024-01-02T00:00,Vurdere\n"
    p = read_eventlog_csv(text.encode(), case_column="ID", activity_column="label", timestamp_column="when")
    assert _edges(p) >= {("Motta", "Vurdere")}


def test_label_attribute_names_the_activity_column_as_for_xes() -> None:
    text = "case,step,label\n1,a,Motta\n1,b,Vurdere\n"
    p = read_eventlog_csv(text.encode(), label_attribute="label")
    assert ("Motta", "Vurdere") in _edges(p)


def test_csv_timestamp_format_option() -> None:
    text = "case,activity,timestamp\n1,A,03/01/2024\n1,B,03/05/2024\n"
    p = read_eventlog_csv(text.encode(), timestamp_format="%m/%d/%Y")
    assert p.step("B").metrics["duration_mean_days"] == 4.0


def test_unknown_column_lists_the_columns() -> None:
    with pytest.raises(FormatError) as info:
        read_eventlog_csv(CSV_SORTED.encode(), case_column="Case ID", source="log.csv")
    assert "no column 'Case ID'" in info.value.message and "'Sak'" in info.value.message


def test_unreadable_timestamp_names_row_and_column() -> None:
    text = "case;activity;timestamp\n1;A;2024-01-01\n1;B;i går\n"
    with pytest.raises(FormatError) as info:
        read_eventlog_csv(text.encode(), source="log.csv")
    assert info.value.message == "row 3, column 'timestamp': 'i går' is not a date and time I can read"


def test_csv_without_recognisable_columns_is_an_error() -> None:
    with pytest.raises(FormatError, match="which column is the case"):
        read_eventlog_csv(b"x;y\n1;2\n")


def test_short_rows_and_empty_cells_are_errors() -> None:
    with pytest.raises(FormatError, match="row 2 has 1 cells"):
        read_eventlog_csv(b"case;activity\n1\n")
    with pytest.raises(FormatError, match="row 2, column 'activity': the cell is empty"):
        read_eventlog_csv(b"case;activity\n1;\n")


# -- BPIC 2015 -------------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["activityNameNL", "activityNameEN"])
def test_bpic15_logs_read_with_dutch_or_english_labels(shared_data: Path, attribute: str) -> None:
    logs = sorted((shared_data / "matching" / "bpic15" / "xes").glob("*.xes"))
    assert len(logs) == 10
    for path in logs:
        p = read_xes(path, label_attribute=attribute)
        assert [x for x in p.validate() if x.severity == "error"] == [], path.name
        assert p.metadata["label_attribute"] == attribute


def test_bpic15_dutch_and_english_give_the_same_graph(shared_data: Path) -> None:
    path = shared_data / "matching" / "bpic15" / "xes" / "BPIC15_1_02_DRZ.xes"
    nl = read_xes(path, label_attribute="activityNameNL", miner="dfg")
    en = read_xes(path, label_attribute="activityNameEN", miner="dfg")
    assert "doorsturen aan bevoegd gezag" in nl and "forward to the competent authority" in en
    assert len(nl.steps) == len(en.steps) and len(nl.flows) == len(en.flows)
    assert sorted(s.metrics["frequency"] for s in nl.steps) == sorted(
        s.metrics["frequency"] for s in en.steps
    )
    assert nl.metadata["cases"] == "789"


def test_bpic15_filtering_makes_a_smaller_connected_graph(shared_data: Path) -> None:
    path = shared_data / "matching" / "bpic15" / "xes" / "BPIC15_1_05_EIND.xes"
    full = read_xes(path, label_attribute="activityNameEN", miner="dfg")
    small = read_xes(
        path, label_attribute="activityNameEN", min_activity_frequency=0.05, min_edge_frequency=0.1, miner="dfg"
    )
    assert len(small.steps) < len(full.steps) and len(small.flows) < len(full.flows)
    assert [x for x in small.validate() if x.severity == "error"] == []


# -- streaming ---------------------------------------------------------------------------


def _write_log(path: Path, cases: int) -> Path:
    activities = ["Motta", "Registrere", "Vurdere", "Befaring", "Vedtak", "Arkivere"]
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n')
        for case in range(cases):
            out.write(f'<trace><string key="concept:name" value="case-{case}"/>')
            for step, activity in enumerate(activities[: 3 + case % 4]):
                out.write(
                    f'<event><string key="concept:name" value="{activity}"/>'
                    f'<string key="org:resource" value="person-{case % 97}"/>'
                    f'<date key="time:timestamp" value="2024-01-{1 + step:02d}T{case % 24:02d}:00:00Z"/></event>'
                )
            out.write("</trace>\n")
        out.write("</log>\n")
    return path


_PEAK_RSS = """
import resource, sys
from processes.formats.eventlog import read_xes
process = read_xes(sys.argv[1])
print(process.metadata["cases"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_kib(path: Path) -> tuple[str, int]:
    # A fresh interpreter per log: peak RSS counts lxml's C allocations, which
    # tracemalloc cannot see, and is not inflated by earlier tests.
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    cases, rss = result.stdout.split()
    return cases, int(rss)


@pytest.mark.skipif(sys.platform == "win32", reason="peak RSS comes from the Unix resource module")
def test_streaming_memory_does_not_grow_with_the_log(tmp_path: Path) -> None:
    small = _write_log(tmp_path / "small.xes", 200)
    large = _write_log(tmp_path / "large.xes", 10_000)
    (small_cases, small_rss), (large_cases, large_rss) = _peak_rss_kib(small), _peak_rss_kib(large)
    assert (small_cases, large_cases) == ("200", "10000")
    # Keeping the parsed tree costs about 13x the file (~100 MB here), keeping
    # only the emptied traces still ~0.7x; streaming keeps the peak where it was.
    assert large_rss - small_rss < large.stat().st_size / 1024 / 8, (small_rss, large_rss)


# -- discovery of structure (the default) ----------------------------------------------


def test_xes_gives_a_block_structured_process_by_default() -> None:
    p = read_xes(LIFECYCLE)
    assert p.metadata["miner"] == "inductive" and p.metadata["noise_threshold"] == "0.2"
    (split,) = (g.id for g in p.gateways if "split" in g.id)
    assert p.get(split).kind == GatewayKind.EXCLUSIVE  # type: ignore[union-attr]
    assert {("Vurdere", split), (split, "Vedtak"), (split, "Avslag")} <= _edges(p)
    assert p.step("Vedtak").metrics["case_share"] == 0.5
    assert p.step("Vurdere").metrics["duration_mean_days"] == pytest.approx(3.0)
    assert p.validate() == []


def test_an_option_of_the_directly_follows_graph_asks_for_it() -> None:
    traces = [[Event("A"), Event("B")], [Event("A"), Event("C")]]
    assert discover(traces, parallel=False).metadata["miner"] == "dfg"
    with pytest.raises(ValueError, match="min_edge_frequency must be left out with the inductive miner"):
        discover(traces, miner="inductive", min_edge_frequency=2)
    with pytest.raises(ValueError, match="miner must be"):
        discover(traces, miner="alpha")


def test_csv_logs_are_discovered_with_structure_too() -> None:
    p = read_eventlog_csv(CSV_SORTED.encode())
    assert [g.kind for g in p.gateways] == [GatewayKind.EXCLUSIVE] * 2
    assert p == read_eventlog_csv(_unsorted().encode())
