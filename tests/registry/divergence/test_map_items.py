"""Issue 13's map items: hiding role-only differences, the ways to and back from comparisons,
the maps index's summary per process type, and the heatmap pairs queued with an upload."""

from __future__ import annotations

import re
from statistics import median
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from processes.formats import write_process
from processes.model import Flow, Process, Step
from registry.comparisons.models import Comparison
from registry.comparisons.services import standard_version_for
from registry.cooperations.models import Cooperation
from registry.divergence.services import find_standard, member_variants, type_summary
from registry.extensions import db
from registry.graphs import ENGINE_VERSION
from registry.harmonisation.services import harmonisation_inputs, plans_for_members
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.services import get_or_create_variant
from tests.registry.divergence.world import STANDARD, VARIANTS, client_as, save

MAP = "/samarbeid/digi-trondelag/avvik/byggesak"
INDEX = "/samarbeid/digi-trondelag/avvik/"


def lane_bytes(labels: tuple[str, ...], lane: str) -> bytes:
    p = Process("p", "Byggesak")
    for i, label in enumerate(labels):
        p.add_step(Step(f"s{i}", label, lane=lane))
        if i:
            p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    return write_process(p, "yaml")


def _type() -> ProcessType:
    found = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
    assert found is not None
    return found


def _municipality(number: str) -> Municipality:
    found = db.session.scalar(select(Municipality).where(Municipality.number == number))
    assert found is not None
    return found


def _coop() -> Cooperation:
    found = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
    assert found is not None
    return found


@pytest.fixture
def lanes(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The standard names its lane «Saksbehandler»; Skaun has the same steps in the lane «Byggesak»."""
    with app.app_context():
        coop = _coop()
        standard = find_standard(coop, _type())
        assert standard is not None
        save(standard, lane_bytes(STANDARD, "Saksbehandler"), status="published")
        skaun = get_or_create_variant(_municipality("5029"), _type())
        save(skaun, lane_bytes(VARIANTS["5029"][1], "Byggesak"))
        db.session.commit()
    return world


def skaun_row(html: str) -> str:
    match = re.search(r"<tr[^>]*>\s*<th scope=\"row\"><a[^>]*>=Skaun</a>.*?</tr>", html, re.DOTALL)
    assert match, "no row for Skaun"
    return match.group(0)


def test_role_only_differences_can_be_hidden_in_the_map_its_links_and_exports(app: Flask, lanes: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    row = skaun_row(client.get(MAP).get_data(as_text=True))
    # By default every step of Skaun says «same*» with the other role.
    assert row.count('<span aria-hidden="true">*</span>') == len(STANDARD)
    assert "(also: other role)" in row
    html = client.get(MAP + "?skjul_rolle=y").get_data(as_text=True)
    row = skaun_row(html)
    assert "*</span>" not in row and "other role" not in row
    assert re.findall(r"<td class=\"dv dv--(\w+)\">", row) == ["same"] * len(STANDARD)
    assert re.search(r"<input[^>]* checked id=\"skjul_rolle\"", html)  # the filter shows what is chosen
    # The sort links and the exports keep the choice.
    sort_links = re.findall(r"href=\"([^\"]*sort=overall[^\"]*)\"", html)
    assert sort_links and all("skjul_rolle=y" in link for link in sort_links)
    exports = re.findall(r"href=\"([^\"]*/eksport\.[^\"]*)\"", html)
    assert len(exports) == 3 and all("skjul_rolle=y" in link for link in exports)
    hidden = client.get(MAP + "/eksport.csv?skjul_rolle=y").get_data(as_text=True)
    shown = client.get(MAP + "/eksport.csv").get_data(as_text=True)
    assert "other role" in shown and "other role" not in hidden


def test_map_cells_lead_to_comparisons_that_lead_back(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    html = client.get(MAP).get_data(as_text=True)
    cell_link = re.search(r"href=\"(/kommuner/5028/prosesser/byggesak/sammenlign/standard/digi-trondelag\?kart=[^\"#]*steg=s2[^\"#]*)", html)
    assert cell_link and cell_link.group(1).count("?") == 1, "one query: the way back and the step"
    page = client.get(cell_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'<a href="{MAP}">Back to the divergence map</a>' in page
    # Only when it was opened from the map.
    plain = client.get("/kommuner/5028/prosesser/byggesak/sammenlign/standard/digi-trondelag").get_data(as_text=True)
    assert "Back to the divergence map" not in plain


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example", "../../x", "a/b", "digi trondelag", "x" * 101])
def test_the_way_back_is_never_a_link_elsewhere(app: Flask, world: dict[str, Any], value: str) -> None:
    page = client_as(app, "coordinator").get(
        "/kommuner/5028/prosesser/byggesak/sammenlign/standard/digi-trondelag", query_string={"kart": value}
    )
    assert page.status_code == 200
    assert "Back to the divergence map" not in page.get_data(as_text=True)


def test_heatmap_cells_open_the_comparison_of_the_two_municipalities(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    client.post(MAP + "/beregn")  # inline: computes the pairs now
    html = client.get(MAP).get_data(as_text=True)
    heat = html[html.index('<table class="table heatmap">') :]
    links = re.findall(r"<td class=\"number heat-\d+\"><a href=\"([^\"]+)\">(\d+)</a></td>", heat)
    members = len(VARIANTS)
    assert len(links) == members * (members - 1)  # every cell but the diagonal
    for n in VARIANTS:  # a municipality is not compared with itself
        assert f"/kommuner/{n}/prosesser/byggesak/sammenlign/kommune/{n}?" not in heat
    href, number = next((h, n) for h, n in links if "/5028/" in h and h.split("?")[0].endswith("/kommune/5031"))
    assert href == "/kommuner/5028/prosesser/byggesak/sammenlign/kommune/5031?kart=digi-trondelag"
    page = client.get(href).get_data(as_text=True)
    assert "Malvik" in page and f'<a href="{MAP}">Back to the divergence map</a>' in page
    with app.app_context():  # the number is a stored similarity
        stored = db.session.execute(
            select(Comparison.overall).where(Comparison.engine_version == ENGINE_VERSION, Comparison.status == "done")
        ).scalars().all()
    assert int(number) in {round(v * 100) for v in stored if v is not None}


def test_index_summarises_each_process_type(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator").get(INDEX).get_data(as_text=True)
    with app.app_context():
        coop = _coop()
        std = find_standard(coop, _type())
        std_version = standard_version_for(std) if std is not None else None
        assert std_version is not None
        versions = [m.version.id for m in member_variants(coop, _type()) if m.version is not None]
        overall = db.session.execute(
            select(Comparison.overall).where(
                Comparison.version_a_id == std_version.id,
                Comparison.version_b_id.in_(versions),
                Comparison.status == "done",
            )
        ).scalars().all()
        expected_median = round(median(v for v in overall if v is not None) * 100)
        plans = plans_for_members(harmonisation_inputs(coop, _type()))
        expected_open = sum(
            1 for plan in plans.values() for e in plan.entries()[0] if e.status not in ("done", "justified")
        )
        summary = type_summary(coop, _type())
    assert len(overall) == 4 and expected_open > 0  # Melhus lacks «Befaring», Stjørdal has it late, …
    assert (summary.with_process, summary.members, summary.compared) == (4, 5, 4)
    row = re.search(r"<th scope=\"row\"><a href=\"" + re.escape(MAP) + r"\">.*?</tr>", html, re.DOTALL)
    assert row, html
    numbers = re.findall(r"<td class=\"number\">(.*?)</td>", row.group(0), re.DOTALL)
    assert numbers[0] == "4 of 5"
    assert numbers[1] == f"{expected_median} %"
    assert re.sub(r"<[^>]+>", "", numbers[2]) == str(expected_open)
    assert "Median similarity to the standard" in html and "Open changes" in html


def test_index_summary_reads_in_bokmal(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "coordinator", lang="nb").get(INDEX).get_data(as_text=True)
    assert "Median likhet med standarden" in html and "Åpne endringer" in html and "4 av 5" in html


def _pairs_of(version_id: int) -> set[int]:
    rows = db.session.execute(
        select(Comparison.version_a_id, Comparison.version_b_id).where(
            (Comparison.version_a_id == version_id) | (Comparison.version_b_id == version_id)
        )
    ).all()
    return {a if b == version_id else b for a, b in rows}


def test_an_upload_queues_its_heatmap_pairs_with_a_task_queue(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry import tasks

    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks, "queue_url", lambda: "redis://queue.invalid/0")
    def enqueue(func: Any, *args: Any, on_failure: Any = None) -> str:
        queued.append((func.__name__, *args))
        return "job"

    monkeypatch.setattr(tasks, "enqueue", enqueue)
    with app.app_context():
        coop = _coop()
        others = {
            m.municipality.number: m.version.id
            for m in member_variants(coop, _type())
            if m.version is not None and m.municipality.number != "5031"
        }
        std = find_standard(coop, _type())
        std_version = standard_version_for(std) if std is not None else None
        assert std_version is not None
        new = save(get_or_create_variant(_municipality("5031"), _type()), lane_bytes(VARIANTS["5031"][1], "Byggesak"))
        partners = _pairs_of(new.id)
        # The standard, and each other member's latest version; nothing with Selbu (no process).
        assert partners - {std_version.id} == set(others.values())
        pending = db.session.scalars(
            select(Comparison).where(Comparison.version_b_id == new.id, Comparison.status == "pending")
        ).all()
        assert len(pending) == 1 + len(others)
        db.session.rollback()
    assert sum(1 for q in queued if q[0] == "compute_comparison") == 1 + len(others)


def test_without_a_queue_an_upload_leaves_the_pairs_to_the_map(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        new = save(get_or_create_variant(_municipality("5031"), _type()), lane_bytes(VARIANTS["5031"][1], "Byggesak"))
        assert len(_pairs_of(new.id)) == 1  # the standard only: inline, 3 pairs would run during the save
        db.session.rollback()
