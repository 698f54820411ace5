"""The reference list, its import, search by name or number, and successions."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.errors import ValidationError
from registry.municipalities.services import (
    MunicipalityRecord,
    current_successors,
    get_municipality,
    import_municipalities,
    lineage,
    load_reference_list,
    search_municipalities,
)


@pytest.fixture(scope="module")
def records() -> list[MunicipalityRecord]:
    return load_reference_list()


def _by_number(records: list[MunicipalityRecord]) -> dict[str, MunicipalityRecord]:
    return {r.number: r for r in records}


def _current_successors(number: str, index: dict[str, MunicipalityRecord]) -> set[str]:
    record = index[number]
    if record.valid_to is None:
        return {number}
    found: set[str] = set()
    for successor in record.successors:
        found |= _current_successors(successor, index)
    return found


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_reference_list_has_357_current_municipalities(records: list[MunicipalityRecord]) -> None:
    assert len([r for r in records if r.valid_to is None]) == 357


def test_reference_list_keeps_leading_zeros(records: list[MunicipalityRecord]) -> None:
    assert _by_number(records)["0301"].name == "Oslo"


def test_reference_list_has_the_47_trondelag_municipalities_of_2018(records: list[MunicipalityRecord]) -> None:
    trondelag_2018 = [r for r in records if r.county_number == "50" and r.valid_from == dt.date(2018, 1, 1)]
    assert len(trondelag_2018) == 47


@pytest.mark.shared_data
def test_current_municipalities_match_ssb_2024(records: list[MunicipalityRecord], shared_data: Path) -> None:
    ssb = {
        row["kommunenummer"]: (row["kommunenavn"], row["fylkesnummer"], row["fylkesnavn"])
        for row in _read_csv(shared_data / "kommuner" / "norway_kommuner_2024_regtools.csv")
    }
    ours = {r.number: (r.name, r.county_number, r.county_name) for r in records if r.valid_to is None}
    assert ours == ssb


@pytest.mark.shared_data
def test_trondelag_2018_codes_are_present_with_their_names(
    records: list[MunicipalityRecord], shared_data: Path
) -> None:
    index = _by_number(records)
    for row in _read_csv(shared_data / "kommuner" / "trondelag_2018_ssb.csv"):
        record = index[row["kommunenummer"]]
        if record.valid_to is not None:  # continuing municipalities carry their 2024 names
            assert record.name == row["kommunenavn"]


@pytest.mark.shared_data
def test_trondelag_2018_codes_lead_to_their_2024_successors(
    records: list[MunicipalityRecord], shared_data: Path
) -> None:
    index = _by_number(records)
    current_trondelag = {
        row["kommunenummer"] for row in _read_csv(shared_data / "kommuner" / "trondelag_2024_regtools.csv")
    }
    checked = 0
    for row in _read_csv(shared_data / "kommuner" / "trondelag_2018_to_2024_regtools.csv"):
        old = row["code_old"]
        if not old.startswith("50") or old not in index or index[old].valid_from is None:
            continue  # codes from before 2018 are not in our list
        successors = _current_successors(old, index)
        if row["code_2024"] == "SPLIT":
            # The grouping source marks whole areas touched by a split; we record where each part went.
            assert successors and successors <= current_trondelag
        else:
            assert successors == {row["code_2024"]}, old
        checked += 1
    assert checked >= 47


def test_load_reference_list_reports_a_bad_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"counties": {"50": "Trøndelag"}, "municipalities": [{"number": "501", "name": "X", "county": "50"}]}')
    with pytest.raises(ValidationError, match=r"bad.json, municipality #1: number '501' is not four digits"):
        load_reference_list(path)


def test_load_reference_list_reports_an_unknown_successor(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{"counties": {"50": "T"}, "municipalities": '
        '[{"number": "5030", "name": "Klæbu", "county": "50", "valid_to": "2019-12-31", "successors": ["5001"]}]}'
    )
    with pytest.raises(ValidationError, match="successor.*5001 not in the list"):
        load_reference_list(path)


def test_import_is_idempotent(db: Any, records: list[MunicipalityRecord]) -> None:
    first = import_municipalities(records)
    second = import_municipalities(records)
    assert (len(first.added), len(second.added), len(second.updated), second.unchanged) == (375, 0, 0, 375)


def test_import_applies_a_changed_name(db: Any, records: list[MunicipalityRecord]) -> None:
    import_municipalities(records)
    get_municipality("5001").name = "Old name"
    result = import_municipalities(records)
    assert result.updated == ["5001"]
    assert get_municipality("5001").name == "Trondheim - Tråante"


def test_import_keeps_descriptions_and_hand_added_municipalities(db: Any, records: list[MunicipalityRecord]) -> None:
    from registry.municipalities.services import create_municipality

    import_municipalities(records)
    get_municipality("5001").description = "Prosessgruppe"
    create_municipality(number="5099", name="Ny kommune", county_number="50", county_name="Trøndelag")
    import_municipalities(records)
    assert get_municipality("5001").description == "Prosessgruppe"
    assert get_municipality("5099").name == "Ny kommune"


@pytest.fixture
def imported(db: Any, records: list[MunicipalityRecord]) -> Any:
    import_municipalities(records)
    db.session.commit()
    return db


def test_old_code_leads_to_its_successor(imported: Any) -> None:
    assert [str(m) for m in current_successors(get_municipality("5030"))] == ["5001 Trondheim - Tråante"]


def test_split_municipality_has_every_successor(imported: Any) -> None:
    assert [m.number for m in current_successors(get_municipality("5012"))] == ["5055", "5056", "5059"]


def test_lineage_of_trondheim_includes_klaebu(imported: Any) -> None:
    assert [m.number for m in lineage(get_municipality("5001"))] == ["5001", "5030"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Klæbu", ["5030"]),
        ("klæbu", ["5030"]),
        ("ØRLAND", ["5015", "5057"]),
        ("5030", ["5030"]),
        ("0301", ["0301"]),
        ("  trondheim ", ["5001"]),
    ],
)
def test_search_by_name_or_number_finds_old_codes(imported: Any, query: str, expected: list[str]) -> None:
    assert [m.number for m in search_municipalities(query)] == expected


def test_every_municipality_is_found_by_its_name_and_number(
    imported: Any, records: list[MunicipalityRecord]
) -> None:
    for record in records:
        assert record.number in [m.number for m in search_municipalities(record.name)], record.name
        assert record.number in [m.number for m in search_municipalities(record.name.upper())], record.name
        assert [m.number for m in search_municipalities(record.number)] == [record.number]


def test_search_treats_wildcards_as_text(imported: Any) -> None:
    assert search_municipalities("%") == []


def test_list_without_query_shows_only_current(imported: Any) -> None:
    assert len(search_municipalities("")) == 357
    assert len(search_municipalities("", include_historic=True)) == 375


@pytest.fixture
def imported_app(app: Flask, records: list[MunicipalityRecord]) -> Flask:
    from registry.extensions import db

    with app.app_context():
        import_municipalities(records)
        db.session.commit()
    return app


def test_municipality_page_of_former_municipality_links_successor(imported_app: Flask) -> None:
    html = imported_app.test_client().get("/kommuner/5030").get_data(as_text=True)
    assert "Klæbu er en tidligere kommune." in html
    assert "31. desember 2019" in html
    assert 'href="/kommuner/5001"' in html


def test_municipality_list_search(imported_app: Flask) -> None:
    html = imported_app.test_client().get("/kommuner/?q=5030").get_data(as_text=True)
    assert "1 kommune passer med «5030»." in html
    assert 'href="/kommuner/5030">Klæbu</a>' in html


def test_unknown_municipality_is_404_with_explanation(client: FlaskClient) -> None:
    response = client.get("/kommuner/9999")
    assert response.status_code == 404
    assert "Ingen kommune har nummeret 9999." in response.get_data(as_text=True)


def test_list_filters_by_county(imported_app: Flask) -> None:
    html = imported_app.test_client().get("/kommuner/?county=50").get_data(as_text=True)
    assert "38 kommuner." in html
    assert '<option selected value="50">50 Trøndelag</option>' in html


def test_unknown_county_shows_everything(imported_app: Flask) -> None:
    html = imported_app.test_client().get("/kommuner/?county=99").get_data(as_text=True)
    assert "357 kommuner." in html
