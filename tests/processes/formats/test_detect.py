"""Format detection by content, dispatch to the readers, and the writers by name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from processes.exceptions import FormatError, InputTooLargeError, UnsupportedFormatError
from processes.formats import (
    FORMATS,
    detect_format,
    read_process,
    write_format_for,
    write_process,
)
from processes.formats.native import read_native
from processes.formats.tabular import write_tabular
from processes.model import Flow, Process, Step, StepKind

DATA = Path(__file__).parent / "data"
NATIVE = DATA / "native" / "byggesak.yaml"


def _process() -> Process:
    return read_native(NATIVE.read_bytes())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<?xml version="1.0"?>\n<bpmn2:definitions xmlns:bpmn2="x"/>', "bpmn"),
        (b"\xef\xbb\xbf<definitions/>", "bpmn"),
        (b"<!-- kommentar --><pnml><net/></pnml>", "pnml"),
        (b'<?xml version="1.0"?><log xes.version="1.0"/>', "xes"),
        (b"steps:\n  - a\n", "native"),
        (b"# kommentar\nname: x\nflows: []\nsteps: []\n", "native"),
        (b'{"steps": []}', "native"),
        ("Steg;Neste steg;Ansvarlig\nA;;\n".encode("cp1252"), "tabular"),
        (b"Step,Role\nA,B\n", "tabular"),
        (b"sep=;\r\nSteg;Neste steg\r\n", "tabular"),
        (b"PK\x03\x04rest", "tabular"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tabular"),
        (b"\x1f\x8b\x08\x00", "xes"),
        (b"Case ID,Activity,Complete Timestamp,Resource\n1,A,2024-01-01,x\n", "eventlog_csv"),
        (b"case:concept:name;concept:name;time:timestamp\n", "eventlog_csv"),
    ],
)
def test_detects_by_content(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


def test_content_wins_over_a_misleading_extension() -> None:
    assert detect_format(NATIVE.read_bytes(), "prosess.bpmn") == "native"
    assert detect_format(b"<log/>", "prosess.yaml") == "xes"


def test_extension_breaks_ties_when_content_is_unclear() -> None:
    assert detect_format(b"id: x\n", "p.yaml") == "native"
    assert detect_format(b"Foo;Bar\n1;2\n", "tabell.csv") == "tabular"
    assert detect_format(b"<model/>", "p.bpmn") == "bpmn"


def test_unknown_content_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match="not in any process format"):
        detect_format(b"hello world", "notes.txt")
    with pytest.raises(UnsupportedFormatError, match="root element is <html>"):
        detect_format(b"<html><body/></html>", "page.html")


def test_read_process_reads_native_and_tables() -> None:
    p = _process()
    assert read_process(NATIVE.read_bytes(), filename="byggesak.yaml") == p
    table = write_tabular(p)
    back = read_process(table, filename="byggesak.csv")
    assert [s.label for s in back.steps] == [s.label for s in p.steps]


def test_read_process_reads_event_logs_with_options() -> None:
    log = b"sak;aktivitet;tidspunkt\n1;A;2024-01-01\n1;B;2024-01-02\n"
    p = read_process(log, filename="log.csv", parallel=False)
    assert {(f.source, f.target) for f in p.flows} >= {("A", "B")}
    xes = (DATA / "eventlog" / "lifecycle.xes").read_bytes()
    assert "Vurdere" in read_process(xes, filename="lifecycle.xes")
    gz = (DATA / "eventlog" / "lifecycle.xes.gz").read_bytes()
    assert "Vurdere" in read_process(gz, filename="lifecycle.xes.gz", label_attribute="concept:name")


def test_read_process_honours_an_explicit_format() -> None:
    with pytest.raises(FormatError):
        read_process(NATIVE.read_bytes(), format="tabular")
    with pytest.raises(UnsupportedFormatError, match="unknown input format"):
        read_process(b"x", format="docx")


def test_read_process_size_limit_and_empty_input() -> None:
    with pytest.raises(InputTooLargeError):
        read_process(NATIVE.read_bytes(), max_bytes=100)
    with pytest.raises(FormatError, match="empty"):
        read_process(b"  \n", filename="tom.yaml")


def test_read_process_rejects_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(FormatError, match="not an Excel workbook"):
        read_process(out.getvalue(), filename="brev.odt")


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
def test_write_process_output_reads_back(fmt: str) -> None:
    p = _process()
    data = write_process(p, fmt)
    back = read_process(data, filename=f"p.{fmt}")
    assert [s.id for s in back.steps] == [s.id for s in p.steps]


def test_write_process_rejects_unknown_formats() -> None:
    with pytest.raises(UnsupportedFormatError, match="cannot write the format 'docx'"):
        write_process(_process(), "docx")


def test_write_format_for_file_names() -> None:
    assert [write_format_for(n) for n in ("a.YML", "b.json", "c.bpmn", "d.xlsx", "e.svg", "f.gv")] == [
        "yaml",
        "json",
        "bpmn",
        "xlsx",
        "svg",
        "dot",
    ]
    with pytest.raises(UnsupportedFormatError):
        write_format_for("a.docx")


def test_formats_table_lists_every_reader_and_writer() -> None:
    names = {f.name for f in FORMATS}
    assert names >= {"bpmn", "pnml", "xes", "eventlog_csv", "native", "tabular", "dot", "svg", "png", "pdf"}
    readable = {f.name for f in FORMATS if f.readable}
    assert readable == {"bpmn", "pnml", "xes", "eventlog_csv", "native", "tabular"}
    for info in FORMATS:
        assert info.writable == bool(info.write_as) and info.extensions and info.description


# -- dispatch to the formats other modules own ---------------------------------------


def test_bpmn_round_trip_through_the_dispatcher() -> None:
    pytest.importorskip("processes.formats.bpmn", reason="processes.formats.bpmn is not there yet")
    p = _process()
    data = write_process(p, "bpmn")
    assert detect_format(data) == "bpmn"
    back = read_process(data, filename="p.bpmn")
    assert sorted(back.step_graph().edges) == sorted(p.step_graph().edges)


def test_pnml_is_dispatched(shared_data: Path) -> None:
    pytest.importorskip("processes.formats.pnml", reason="processes.formats.pnml is not there yet")
    path = min((shared_data / "matching" / "bpic15" / "pnml").glob("*.pnml"))
    p = read_process(path.read_bytes(), filename=path.name)
    assert p.steps


def test_bpmn_reference_model_is_dispatched(shared_data: Path) -> None:
    pytest.importorskip("processes.formats.bpmn", reason="processes.formats.bpmn is not there yet")
    path = min((shared_data / "bpmn-miwg" / "Reference").glob("*.bpmn"))
    assert detect_format(path.read_bytes(), path.name) == "bpmn"
    assert read_process(path.read_bytes(), filename=path.name).steps


@pytest.mark.parametrize("fmt", ["dot", "svg"])
def test_drawings_are_dispatched_to_the_renderer(fmt: str) -> None:
    pytest.importorskip("processes.render", reason="processes.render is not there yet")
    p = Process("p")
    p.add_step(Step("a", "Søknad mottatt", StepKind.START_EVENT))
    p.add_step(Step("b", "Vurdere"))
    p.add_flow(Flow("a", "b"))
    data = write_process(p, fmt)
    assert "Søknad mottatt".encode() in data
