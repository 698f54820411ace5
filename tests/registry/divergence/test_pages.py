"""The divergence map page, its filters and sort, the heatmap, exports and the step search."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from registry.comparisons.models import Comparison
from registry.extensions import db
from tests.registry.divergence.world import ROLES, client_as

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"
INDEX = "/samarbeid/digi-trondelag/avvik/"
SEARCH = "/samarbeid/digi-trondelag/sok?q=befaring"
COMPUTE = MAP + "/beregn"
EXPORTS = (MAP + "/eksport.csv", MAP + "/eksport.csv?tabell=likhet", MAP + "/eksport.xlsx")

ALLOWED = {"coordinator", "admin"}


def row_of(html: str, name: str) -> str:
    match = re.search(r"<tr[^>]*>\s*<th scope=\"row\">(?:<a[^>]*>)?" + re.escape(name) + r"<.*?</tr>", html, re.DOTALL)
    assert match, f"no row for {name}"
    return match.group(0)


def cells(row_html: str) -> list[str]:
    texts = re.findall(r"<td class=\"dv dv--(\w+)\">", row_html)
    return texts


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [INDEX, MAP, SEARCH, *EXPORTS])
def test_who_sees_maps_search_and_exports(app: Flask, world: dict[str, Any], role: str, url: str) -> None:
    response = client_as(app, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Only coordinators of DigiTrøndelag and administrators" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_request_missing_comparisons(app: Flask, world: dict[str, Any], role: str) -> None:
    response = client_as(app, role).post(COMPUTE)
    if role == "anonymous":
        assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 302 and response.headers["Location"].endswith(MAP)
    else:
        assert response.status_code == 403


def test_map_cells_show_symbol_and_word_for_known_edits(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP + "").get_data(as_text=True)
    # Columns: Motta, Registrere, Befaring, Vurdere, Fatte vedtak, Arkivere.
    assert cells(row_of(html, "Melhus")) == ["same", "same", "missing", "same", "same", "same"]
    assert cells(row_of(html, "Malvik"))[4] == "renamed"
    assert cells(row_of(html, "Stjørdal"))[2] == "moved"
    melhus = row_of(html, "Melhus")
    assert "✗</span> " in melhus and "✓</span> " in melhus  # a symbol and a word, never colour alone
    assert "«Treffe avgjørelse i saken»" in row_of(html, "Malvik")


def test_map_counts_extra_steps_shares_and_scores(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    stjordal = row_of(html, "Stjørdal")
    assert "Sende faktura" in stjordal  # the extra step, named for screen readers
    foot = html[html.index("<tfoot>") : html.index("</tfoot>")]
    # Befaring is missing in Melhus only: 3 of 4 municipalities have it.
    assert re.findall(r"(\d+) %", foot) == ["100", "100", "75", "100", "100", "100"]
    assert re.search(r"<td class=\"number\">\d+ %</td>", row_of(html, "Melhus"))


def test_markup_in_names_is_text(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    assert "=Skaun" in html


def test_cells_link_to_the_comparison_at_the_step(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    link = re.search(r'href="(/kommuner/5028/prosesser/byggesak/sammenlign/standard/digi-trondelag\?kart=digi-trondelag&amp;steg=s2[^"]*)"', html)
    assert link, "the missing Befaring cell of Melhus links to its comparison"
    assert client_as(app, "coordinator").get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_members_without_a_process_are_listed(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP + "").get_data(as_text=True)
    assert "Members without a registered process" in html and "Selbu" in html


def test_filter_by_status_of_a_step(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP + "?status=missing&steg=s2").get_data(as_text=True)
    assert "Melhus" in html.split("<tbody>")[1].split("</tbody>")[0]
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "Malvik" not in body and "Stjørdal" not in body


def test_filter_by_minimum_similarity(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(MAP + "?min=100").get_data(as_text=True)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "=Skaun" in body and "Melhus" not in body


def test_bad_filter_value_is_a_form_error_not_a_500(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get(MAP + "?min=300&status=nonsense&sort=bogus")
    assert response.status_code == 200
    assert "Give a number from 0 to 100." in response.get_data(as_text=True)


def test_sort_by_overall_descending_and_by_name(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    html = client.get(MAP + "?sort=overall&dir=desc").get_data(as_text=True)
    names = re.findall(r"<th scope=\"row\">(?:<a[^>]*>)?([^<]+)<", html.split("<tbody>")[1])
    assert names[0] == "=Skaun"
    assert 'aria-sort="descending"' in html
    html = client.get(MAP + "?sort=name").get_data(as_text=True)
    names = re.findall(r"<th scope=\"row\">(?:<a[^>]*>)?([^<]+)<", html.split("<tbody>")[1])
    assert names[:4] == sorted(names[:4], key=str.casefold)


def test_heatmap_says_what_is_not_computed_then_fills_after_compute(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    html = client.get(MAP + "").get_data(as_text=True)
    assert "pairs of municipalities have no similarity yet" in html
    assert "heat-na" in html
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Comparison))
    client.post(COMPUTE)
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count()).select_from(Comparison))
    assert after - before == 6  # 4 variants: 6 pairs
    html = client.get(MAP + "").get_data(as_text=True)
    assert "heat-na" not in html and "no similarity yet" not in html
    heat = html[html.index('class="table heatmap"') :]
    assert re.search(r"<td class=\"number heat-\d+\">\d+</td>", heat)


def test_csv_export_headers_numbers_and_neutralised_formulas(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get(MAP + "/eksport.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Municipality number", "Municipality", "Group", "Overall similarity (%)"]
    assert rows[0][8:] == ["Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Fatte vedtak", "Arkivere"]
    skaun = next(r for r in rows if r[0] == "5029")
    assert skaun[1] == "'=Skaun"
    assert skaun[3] == "100"
    melhus = next(r for r in rows if r[0] == "5028")
    assert melhus[10] == "missing"
    assert rows[-1][8:] == ["100", "100", "75", "100", "100", "100"]


def test_xlsx_export_stores_text_as_text(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    client.post(COMPUTE)
    response = client.get(MAP + "/eksport.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Divergence map"]
    values = list(sheet.iter_rows(values_only=True))
    skaun = next(r for r in values if r[0] == "5029")
    assert skaun[1] == "'=Skaun"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert isinstance(skaun[3], int)
    similarity = list(book["Similarity"].iter_rows(values_only=True))
    assert "'=Skaun" in similarity[0]
    assert all(isinstance(v, int) for v in similarity[1][1:])


def test_export_of_a_filtered_map_has_only_those_rows(app: Flask, world: dict[str, Any]) -> None:
    text = client_as(app, "coordinator").get(MAP + "/eksport.csv?status=missing&steg=s2").data.decode("utf-8-sig")
    numbers = [r[0] for r in csv.reader(io.StringIO(text), delimiter=";")][1:-1]
    assert numbers == ["5028"]


def test_unknown_export_format_is_404(app: Flask, world: dict[str, Any]) -> None:
    assert client_as(app, "coordinator").get(MAP + "/eksport.pdf").status_code == 404


def test_map_without_standard_says_so(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "admin").get("/samarbeid/vaernesregionen/avvik/byggesak")
    assert response.status_code == 200
    assert "has no standard for this process type yet" in response.get_data(as_text=True)


def test_unknown_process_type_or_cooperation_is_404(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "admin")
    assert client.get("/samarbeid/digi-trondelag/avvik/nope").status_code == 404
    assert client.get("/samarbeid/nope/avvik/byggesak").status_code == 404


def test_search_groups_hits_by_municipality(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(SEARCH + "").get_data(as_text=True)
    assert "3 municipalities have a step like «befaring»" in html
    for name in ("Malvik", "Stjørdal", "=Skaun"):
        assert name in html
    results = html[html.index("search-results") : html.index("but no such step")]
    assert "Melhus" not in results
    assert "no such step:</strong> Melhus." in html
    assert 'href="/kommuner/5031/prosesser/byggesak"' in html


def test_search_without_hits_and_empty_query(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    html = client.get("/samarbeid/digi-trondelag/sok?q=skjenkekontroll").get_data(as_text=True)
    assert "No member has a step like «skjenkekontroll»" in html
    html = client.get("/samarbeid/digi-trondelag/sok?q=").get_data(as_text=True)
    assert "Enter a word or a step name." in html


@pytest.mark.parametrize(
    "text", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "-A1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://evil\")"]
)
def test_every_formula_start_is_neutralised(text: str) -> None:
    from registry.divergence.exports import neutralise, to_csv, to_xlsx

    assert neutralise(text) == "'" + text
    [[value]] = list(csv.reader(io.StringIO(to_csv([[text]]).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert value == "'" + text
    sheet = load_workbook(io.BytesIO(to_xlsx([("T", [[text, 5]])])))["T"]
    assert sheet["A1"].value == "'" + text and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == 5


@pytest.mark.parametrize("text", ["-2", "+47", "-2,5", "-0.5"])
def test_plain_numbers_as_text_stay_numbers(text: str) -> None:
    from registry.divergence.exports import to_csv

    assert to_csv([[text]]).decode("utf-8-sig") == text + "\r\n"


def test_ordinary_text_and_numbers_are_kept() -> None:
    from registry.divergence.exports import neutralise, to_csv

    assert neutralise("Befaring") == "Befaring"
    assert to_csv([["a", -3, 0.5, None]]).decode("utf-8-sig") == "a;-3;0.5;\r\n"


def test_filter_by_county(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    body = client.get(MAP + "?fylke=50").get_data(as_text=True).split("<tbody>")[1]
    assert all(name in body for name in ("Melhus", "Malvik", "Stjørdal", "=Skaun"))
    html = client.get(MAP + "?fylke=03").get_data(as_text=True)
    assert "No municipality matches the filter." in html


def test_with_a_queue_the_page_requests_what_is_missing_and_says_so(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry.divergence.views
    import registry.tasks

    pushed: list[tuple[Any, ...]] = []

    class FakeQueue:
        def enqueue(self, *args: Any, **kwargs: Any) -> None:
            pushed.append(args)

    monkeypatch.setattr(registry.tasks, "queue_url", lambda app=None: "redis://queue.invalid/0")
    monkeypatch.setattr(registry.divergence.views, "queue_url", lambda app=None: "redis://queue.invalid/0")
    monkeypatch.setattr(registry.tasks, "get_queue", lambda url=None: FakeQueue())
    html = client_as(app, "coordinator").get(MAP).get_data(as_text=True)
    assert len(pushed) == 6  # the six pairs of the heatmap, computed by a worker
    with app.app_context():
        pending = db.session.scalar(db.select(db.func.count()).select_from(Comparison).where(Comparison.status == "pending"))
    assert pending == 6
    assert "Compute what is missing" not in html and "Reload the page in a little while." in html
    # A second view finds them pending and queues nothing again.
    client_as(app, "coordinator").get(MAP)
    assert len(pushed) == 6


def test_further_differences_are_named_in_words(app: Flask) -> None:
    from processes.divergence import Cell, CellStatus
    from registry.divergence.exports import _cell_text

    cell = Cell(CellStatus.RENAMED, ("b1",), ("Fatte avgjørelse",), 0.9, ("lane_changed", "system_changed"))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _cell_text(cell) == "renamed: Fatte avgjørelse (also: other role, other system)"
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        assert _cell_text(Cell(CellStatus.MISSING)) == "mangler"


def test_a_new_version_shows_on_the_map_after_it_was_viewed_before(app: Flask, world: dict[str, Any]) -> None:
    from registry.variants.services import get_or_create_variant
    from tests.registry.divergence.world import STANDARD, chain_bytes, save

    client = client_as(app, "coordinator")
    before = client.get(MAP).get_data(as_text=True)
    assert cells(row_of(before, "Melhus"))[2] == "missing"
    assert cells(row_of(client.get(MAP).get_data(as_text=True), "Melhus")) == cells(row_of(before, "Melhus"))
    with app.app_context():
        from registry.municipalities.models import Municipality
        from registry.process_types.models import ProcessType

        melhus = db.session.scalars(db.select(Municipality).where(Municipality.number == "5028")).one()
        process_type = db.session.scalars(db.select(ProcessType)).first()
        save(get_or_create_variant(melhus, process_type), chain_bytes(STANDARD))
        db.session.commit()
    after = client.get(MAP).get_data(as_text=True)
    assert cells(row_of(after, "Melhus"))[2] == "same"


def test_the_map_follows_the_language_after_it_was_viewed_in_the_other(app: Flask, world: dict[str, Any]) -> None:
    english = client_as(app, "coordinator", lang="en").get(MAP).get_data(as_text=True)
    norwegian = client_as(app, "coordinator", lang="nb").get(MAP).get_data(as_text=True)
    assert "✗</span> missing" in row_of(english, "Melhus") and "mangler" not in row_of(english, "Melhus")
    assert "✗</span> mangler" in row_of(norwegian, "Melhus") and "</span> missing" not in row_of(norwegian, "Melhus")


def test_the_county_filter_follows_a_municipality_that_changed_county(app: Flask, world: dict[str, Any]) -> None:
    from registry.municipalities.models import Municipality

    client = client_as(app, "coordinator")
    assert "Melhus" in client.get(MAP + "?fylke=50").get_data(as_text=True).split("<tbody>")[1]
    with app.app_context():
        melhus = db.session.scalars(db.select(Municipality).where(Municipality.number == "5028")).one()
        melhus.county_number = "03"  # an admin's correction; no stored comparison changes
        db.session.commit()
    body = client.get(MAP + "?fylke=50").get_data(as_text=True).split("<tbody>")[1]
    assert "Melhus" not in body and "Malvik" in body
