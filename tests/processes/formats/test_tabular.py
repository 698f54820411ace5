"""Step tables (CSV and XLSX) as process owners fill them in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from processes.exceptions import FormatError, InputTooLargeError
from processes.formats.tabular import read_tabular, write_tabular
from processes.model import Flow, Gateway, GatewayKind, Mode, Process, Step, StepKind

DATA = Path(__file__).parent / "data" / "tabular"


def _error(data: bytes, **options: object) -> FormatError:
    with pytest.raises(FormatError) as info:
        read_tabular(data, source="tabell.csv", **options)  # type: ignore[arg-type]
    return info.value


def _xlsx(rows: list[list[object]], title: str = "Ark1", extra_sheets: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    for name in extra_sheets:
        workbook.create_sheet(name)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- Norwegian Excel CSV ---------------------------------------------------------


@pytest.fixture(scope="module")
def byggesak() -> Process:
    return read_tabular((DATA / "byggesak_excel_nb.csv").read_bytes(), source="byggesak.csv")


def test_the_file_name_gives_id_and_name(byggesak: Process) -> None:
    assert (byggesak.id, byggesak.name) == ("byggesak", "byggesak")


def test_windows_1252_semicolon_csv_reads_names_and_lanes(byggesak: Process) -> None:
    assert [s.label for s in byggesak.steps][:2] == ["Søknad mottatt", "Registrere søknaden"]
    assert byggesak.lanes == ["Servicetorget", "Arkiv", "Byggesak"]


def test_ids_are_made_from_names(byggesak: Process) -> None:
    assert [e.id for e in byggesak.elements] == [
        "soknad-mottatt",
        "registrere-soknaden",
        "komplett",
        "sende-mangelbrev",
        "vurdere-soknaden",
        "fatte-vedtak",
        "vedtak-sendt",
    ]


def test_kind_words_and_attributes_are_understood(byggesak: Process) -> None:
    assert byggesak.step("soknad-mottatt").kind == StepKind.START_EVENT
    assert byggesak.step("vedtak-sendt").kind == StepKind.END_EVENT
    assert byggesak["komplett"] == Gateway("komplett", GatewayKind.EXCLUSIVE, "Komplett?", lane="Byggesak")
    registrere = byggesak.step("registrere-soknaden")
    assert (registrere.mode, registrere.system, registrere.legal_basis, registrere.handling_days) == (
        Mode.DIGITAL,
        "Elements",
        "pbl. § 21-3",
        1.0,
    )
    mangel = byggesak.step("sende-mangelbrev")
    assert mangel.mode == Mode.PAPER and mangel.handling_days == 2.5
    assert mangel.documentation == "Brevet sendes\r\nmed post"
    assert byggesak.step("fatte-vedtak").handling_days == 21.0
    assert byggesak.step("vurdere-soknaden").mode == Mode.MANUAL


def test_conditions_and_quoted_newlines_in_next_steps(byggesak: Process) -> None:
    assert Flow("komplett", "vurdere-soknaden", condition="Ja") in byggesak.flows
    assert Flow("komplett", "sende-mangelbrev", condition="Nei") in byggesak.flows
    assert Flow("sende-mangelbrev", "registrere-soknaden") in byggesak.flows
    assert len(byggesak.flows) == 7


def test_rows_are_the_lines_excel_shows(byggesak: Process) -> None:
    assert byggesak.step("soknad-mottatt").line == 2
    assert byggesak.step("sende-mangelbrev").line == 5
    assert byggesak.step("vedtak-sendt").line == 8


def test_the_table_gives_a_valid_process(byggesak: Process) -> None:
    assert byggesak.validate() == []


def test_english_comma_csv_with_bom_and_several_next_steps() -> None:
    p = read_tabular((DATA / "permit_en.csv").read_bytes())
    assert p.lanes == ["Front desk", "Case officer", "Archive"]
    assert {(f.source, f.target) for f in p.flows} == {
        ("receive-application", "check-completeness"),
        ("receive-application", "register"),
        ("check-completeness", "decide"),
        ("register", "decide"),
    }
    assert p.step("receive-application").mode == Mode.SELF_SERVICE
    assert p.step("register").handling_days == 0.5


def test_headers_ignore_case_and_units() -> None:
    p = read_tabular(b"STEG;NESTE STEG;Saksbehandlingstid (dager)\nA;B;3\nB;;\n")
    assert p.step("a").handling_days == 3.0 and p.flows == [Flow("a", "b", line=2)]


def test_without_next_column_rows_follow_each_other() -> None:
    p = read_tabular(b"Aktivitet;Ansvarlig\nMotta;Arkiv\nVurdere;Byggesak\nSvare;Byggesak\n")
    assert [(f.source, f.target) for f in p.flows] == [("motta", "vurdere"), ("vurdere", "svare")]


def test_ids_from_the_id_column_and_references_by_id_or_name() -> None:
    p = read_tabular(b"ID;Steg;Neste steg\n1;Motta;2\n2;Vurdere;Svare\n3;Svare;\n")
    assert [s.id for s in p.steps] == ["1", "2", "3"]
    assert [(f.source, f.target) for f in p.flows] == [("1", "2"), ("2", "3")]


def test_repeated_names_get_numbered_ids_and_must_be_referenced_by_id() -> None:
    p = read_tabular(b"Steg;Neste steg\nKontroll;kontroll-2\nKontroll;\n")
    assert [s.id for s in p.steps] == ["kontroll", "kontroll-2"]
    err = _error(b"Steg;Neste steg\nA;Kontroll\nKontroll;\nKontroll;\n")
    assert "rows 3 and 4" in err.message


def test_a_name_containing_a_comma_is_not_split() -> None:
    p = read_tabular(b'Steg;Neste steg\nA;Vurdere, og svare\n"Vurdere, og svare";\n')
    assert [f.target for f in p.flows] == ["vurdere-og-svare"]


def test_unknown_columns_are_kept_as_attributes() -> None:
    p = read_tabular("Steg;Neste steg;Risiko\nA;;høy\n".encode())
    assert p.step("a").attributes == {"Risiko": "høy"}


def test_excel_separator_line_is_honoured() -> None:
    p = read_tabular(b'sep=,\nSteg,Neste steg,Merknad\nA,B,"x; y"\nB,,\n')
    assert [f.target for f in p.flows] == ["b"] and p.step("a").documentation == "x; y"
    assert p.step("a").line == 2


def test_utf16_text_from_excel_reads() -> None:
    p = read_tabular("Steg\tNeste steg\nA\tB\nB\t\n".encode("utf-16"))
    assert [f.target for f in p.flows] == ["b"]


# -- errors --------------------------------------------------------------------


def test_unknown_next_step_names_row_and_column() -> None:
    err = _error(b"Steg;Neste steg\nA;B\nB;Befaring\n")
    assert err.message == "row 3, column 'Neste steg': 'Befaring' is not the id or name of any step"
    assert err.source == "tabell.csv"


def test_missing_step_column_lists_what_was_found() -> None:
    err = _error(b"Foo;Bar\n1;2\n")
    assert "no column names the steps" in err.message and "'Foo', 'Bar'" in err.message


def test_unknown_type_lists_the_allowed_ones() -> None:
    err = _error(b"Steg;Type\nA;prosess\n")
    assert "row 2, column 'Type': unknown step type 'prosess'" in err.message
    assert "exclusive gateway" in (err.hint or "")


def test_unknown_mode_and_bad_days_cite_the_cell() -> None:
    assert "row 2, column 'Modus'" in _error(b"Steg;Modus\nA;telepati\n").message
    err = _error(b"Steg;Frist\nA;snart\n")
    assert err.message == "row 2, column 'Frist': 'snart' is not a number of days"


def test_duplicate_ids_and_duplicate_columns_are_errors() -> None:
    assert "also used in row 2" in _error(b"ID;Steg\n1;A\n1;B\n").message
    assert "mean the same thing" in _error(b"Steg;Step\nA;B\n").message


def test_row_without_name_and_cell_without_header() -> None:
    assert "row 3, column 'Steg': the step has no name" in _error(b"Steg;Ansvarlig\nA;x\n;y\n").message
    err = _error(b"Steg;Ansvarlig\nA;x;z\n")
    assert err.message == "row 2: the cell 'z' in column C has no column name above it"


def test_encoding_that_is_neither_utf8_nor_cp1252() -> None:
    err = _error(b"Steg;Neste\nA\x81;\n")
    assert "neither UTF-8 nor Windows-1252" in err.message and err.line == 2


def test_malformed_quotes_and_empty_files() -> None:
    assert "empty" in _error(b"  \n").message
    assert "empty" in _error(b";;;\n;;;\n").message
    assert "malformed" in _error(b'Steg;Neste steg\n"A"x;B\n').message


# -- XLSX --------------------------------------------------------------------------


def test_xlsx_with_title_row_numbers_and_a_process_sheet() -> None:
    data = _xlsx(
        [
            ["Byggesak – søknad i ett trinn"],
            [],
            ["Nr", "Steg", "Neste steg", "Saksbehandlingstid (dager)", "Ansvarlig"],
            [1, "Motta", 2, 1, "Arkiv"],
            [2, "Vurdere", None, 2.5, "Byggesak"],
        ],
        title="Prosess",
        extra_sheets=("Forside",),
    )
    p = read_tabular(data, source="byggesak.xlsx")
    assert p.name == "Byggesak – søknad i ett trinn"
    assert [s.id for s in p.steps] == ["1", "2"]
    assert p.step("2").handling_days == 2.5 and p.step("2").line == 5
    assert p.flows == [Flow("1", "2", line=4)]


def test_xlsx_errors_cite_rows_too() -> None:
    err = _error(_xlsx([["Steg", "Neste steg"], ["A", "B"]]))
    assert err.message == "row 2, column 'Neste steg': 'B' is not the id or name of any step"


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in _error(out.getvalue()).message


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)
    with pytest.raises(InputTooLargeError, match="zip bomb"):
        read_tabular(out.getvalue())
    with pytest.raises(InputTooLargeError):
        read_tabular(out.getvalue(), max_uncompressed=100_000)


def test_old_xls_is_a_clear_error() -> None:
    assert ".xls" in _error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100).message


def test_truncated_workbook_is_a_format_error() -> None:
    data = _xlsx([["Steg"], ["A"]])
    with pytest.raises(FormatError):
        read_tabular(data[: len(data) - 200])


# -- writing -----------------------------------------------------------------------


def _process() -> Process:
    p = Process("p", "Byggesak")
    p.add_step(Step("start", "Søknad mottatt", StepKind.START_EVENT, lane="Servicetorget"))
    p.add_step(
        Step(
            "vurdere",
            "Vurdere; om komplett",
            lane="Byggesak",
            mode=Mode.DIGITAL,
            system="Elements",
            legal_basis="pbl. § 21-3",
            handling_days=1.5,
            documentation="To\nlinjer",
            attributes={"Risiko": "=høy"},
        )
    )
    p.add_gateway(Gateway("g1", GatewayKind.EXCLUSIVE, "Komplett?", lane="Byggesak"))
    p.add_step(Step("slutt", "Ferdig", StepKind.END_EVENT, lane="Byggesak"))
    p.add_step(Step("brev", "Sende brev, rekommandert", StepKind.SEND_TASK, lane="Byggesak"))
    p.add_flow(Flow("start", "vurdere"))
    p.add_flow(Flow("vurdere", "g1"))
    p.add_flow(Flow("g1", "slutt", condition="Ja: komplett"))
    p.add_flow(Flow("g1", "brev", condition="Nei, mangler"))
    p.add_flow(Flow("brev", "vurdere"))
    return p


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_write_then_read_keeps_what_a_table_carries(fmt: str, language: str) -> None:
    p = _process()
    back = read_tabular(write_tabular(p, format=fmt, language=language))  # type: ignore[arg-type]
    assert back.elements == p.elements
    assert sorted(back.flows, key=Flow.sort_key) == sorted(p.flows, key=Flow.sort_key)
    assert back.lanes == ["Servicetorget", "Byggesak"]


def test_csv_is_written_for_norwegian_excel() -> None:
    data = write_tabular(_process())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "ID;Steg;Type;Neste steg;Ansvarlig;Modus;System;Hjemmel;Saksbehandlingstid (dager);Beskrivelse;Risiko"
    )
    assert ";1,5;" in text and "\r\n" in text


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(write_tabular(_process(), format="xlsx")))
    sheet = workbook["Prosess"]
    values = [cell.value for cell in sheet[3]]
    assert "=høy" in values
    workbook.close()


# -- object-centric event logs are told apart ------------------------------------------


def test_ocel_csv_is_named_for_what_it_is() -> None:
    from processes import ObjectCentricLogError, read_process

    data = (
        b"ocel:eid,ocel:activity,ocel:timestamp,ocel:type:order,ocel:type:item\r\n"
        b"e1,place order,2024-01-01 10:00,o1,\"i1,i2\"\r\ne2,pick item,2024-01-01 11:00,,i1\r\n"
    )
    with pytest.raises(ObjectCentricLogError) as info:
        read_process(data, filename="ordre.csv")
    error = info.value
    assert error.code == "object_centric_event_log"
    assert error.params == {
        "event_id": "ocel:eid",
        "activity": "ocel:activity",
        "timestamp": "ocel:timestamp",
        "object_types": "ocel:type:order, ocel:type:item",
    }
    assert (error.source, error.line) == ("ordre.csv", 1)
    assert "object-centric event log (OCEL), not a step table" in str(error)
    assert "flatten it to an event log for one object type" in str(error)


def test_hand_made_object_centric_table_is_not_read_as_steps() -> None:
    from processes import ObjectCentricLogError

    data = "Hendelse-ID;Aktivitet;Tidspunkt;Søknad;Dokument\r\n1;Motta søknad;01.02.2024;S1;D1\r\n".encode()
    error = _error(data)
    assert isinstance(error, ObjectCentricLogError)
    assert error.params["object_types"] == "Søknad, Dokument"


def test_case_centric_columns_are_not_called_object_centric() -> None:
    from processes import ObjectCentricLogError

    data = b"Case ID;Event ID;Activity;Timestamp;Order\r\nc1;1;Place order;2024-01-01;o1\r\n"
    try:
        read_tabular(data, source="log.csv")
    except FormatError as error:
        assert not isinstance(error, ObjectCentricLogError)


def test_step_table_with_an_activity_column_still_reads() -> None:
    process = read_tabular(b"ID;Aktivitet;Neste steg\r\n1;Motta;2\r\n2;Vurdere;\r\n", source="t.csv")
    assert [s.label for s in process.steps] == ["Motta", "Vurdere"]


def test_object_centric_error_survives_pickling() -> None:
    import pickle

    from processes import ObjectCentricLogError

    error = ObjectCentricLogError("eid", "activity", "timestamp", ["order"], source="o.csv", line=3)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.params) == (str(error), error.params)


def test_the_registrys_own_kind_words_read_back() -> None:
    """A step table copied from the registry's step list (kind_name, in both languages) reads again."""
    from processes.formats.tabular import _TableReader
    from processes.model import GatewayKind, StepKind
    from processes.render import kind_name

    reader = _TableReader.__new__(_TableReader)
    for lang in ("nb", "en"):
        for kind in StepKind:
            assert reader.kind(2, kind_name(kind, lang)) == (kind.value, None), (lang, kind)
        for gateway in GatewayKind:
            assert reader.kind(2, kind_name(gateway, lang)) == (None, gateway.value), (lang, gateway)
