"""The comparison page: scores with sentences, diagram, differences, alignment table and decisions."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.comparisons.models import Comparison, MappingDecision
from registry.comparisons.services import alignment_rows, result_of
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, comparison_parameters, decision_memory
from registry.variants.models import ProcessVersion
from tests.registry.process_factories import (
    client_as,
    create_variant_version,
    sample,
)

URL = "/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag"


def _latest_row(app: Flask, ids: dict[str, Any]) -> Any:
    with app.app_context():
        row = db.session.scalars(
            select(Comparison)
            .where(Comparison.version_b_id == ids["variant_version_id"])
            .order_by(Comparison.id.desc())
        ).first()
        assert row is not None
        return row.id, row.parameters_hash, row.engine_version, alignment_rows(row), result_of(row)


def test_the_page_shows_four_scores_with_sentences_diagram_differences_and_alignment(site: Any) -> None:
    app, _ids = site
    page = client_as(app, "anonymous").get(URL).get_data(as_text=True)
    for name in ("Samlet likhet", "Navn", "Struktur", "Forløp"):
        assert f"<dt>{name}</dt>" in page
    assert "Struktur: hvor mange steg og forbindelser" in page
    assert 'class="difference-list"' in page and "Trondheim" in page
    assert 'role="img"' in page and "Diagram: Trondheim sammenlignet med" in page
    assert "Hvilke steg som svarer til hverandre" in page
    assert "motorversjon" not in page and "100 % betyr helt like." in page  # no engine jargon
    assert "Bekreft" not in page  # only the municipality's process owners decide


def test_the_english_page_uses_the_english_sentences(site: Any) -> None:
    app, _ids = site
    client = client_as(app, "anonymous")
    client.get("/sprak/en")
    page = client.get(URL).get_data(as_text=True)
    assert "<dt>Overall similarity</dt>" in page and "Structure: how many steps" in page
    assert "Trondheim compared with" in page


def test_confirming_a_pair_stores_the_decision_and_recomputes_the_comparison(site: Any) -> None:
    app, ids = site
    first_id, first_hash, _engine, rows, _result = _latest_row(app, ids)
    missing = next(r for r in rows if r.kind == "missing")
    extra = next(r for r in rows if r.kind == "extra")
    owner = client_as(app, "owner")
    response = owner.post(
        URL, data={"a_steps": missing.a_steps[0][0], "b_steps": extra.b_steps[0][0], "decision": "confirmed"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#alignment")
    new_id, new_hash, engine, new_rows, _ = _latest_row(app, ids)
    assert new_id != first_id and new_hash != first_hash and engine == ENGINE_VERSION
    confirmed = [r for r in new_rows if r.decision == "confirmed"]
    assert [(r.a_steps[0][0], r.b_steps[0][0]) for r in confirmed] == [(missing.a_steps[0][0], extra.b_steps[0][0])]
    page = owner.get(URL).get_data(as_text=True)
    assert "✓ Bekreftet" in page


def test_a_decision_is_used_for_the_next_version_too(site: Any) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    match = next(r for r in rows if r.kind == "identical")
    client_as(app, "owner").post(URL, data={"a_steps": match.a_steps[0][0], "b_steps": match.b_steps[0][0], "decision": "rejected"})
    with app.app_context():
        first = db.session.get(ProcessVersion, ids["variant_version_id"])
        second = create_variant_version(first.variant.municipality, first.variant.process_type, sample("5001"))
        db.session.commit()
        row = db.session.scalar(select(Comparison).where(Comparison.version_b_id == second.id))
        pairs = {(x, y) for m in result_of(row)["nb"]["matches"] for x in m["a"] for y in m["b"]}
    assert (match.a_steps[0][0], match.b_steps[0][0]) not in pairs


def test_a_missed_correspondence_can_be_added(site: Any) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    missing = next(r for r in rows if r.kind == "missing")
    extra = next(r for r in rows if r.kind == "extra")
    owner = client_as(app, "owner")
    assert "Koble to steg som registeret ikke koblet" in owner.get(URL).get_data(as_text=True)
    response = owner.post(URL, data={"add-a_step": missing.a_steps[0][0], "add-b_step": extra.b_steps[0][0]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MappingDecision)) == 1


def test_adding_without_choosing_steps_shows_the_form_error(site: Any) -> None:
    app, _ids = site
    response = client_as(app, "owner").post(URL, data={"add-a_step": "", "add-b_step": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "error-summary" in page and "Velg et steg." in page


def test_a_decision_about_steps_not_in_the_versions_is_refused_with_a_message(site: Any) -> None:
    app, _ids = site
    owner = client_as(app, "owner")
    response = owner.post(URL, data={"a_steps": "nope", "b_steps": "BYG-H010", "decision": "confirmed"}, follow_redirects=True)
    assert "Steget nope finnes ikke i denne versjonen." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MappingDecision)) == 0


def test_a_comparison_still_being_computed_is_shown_as_such(site: Any) -> None:
    app, ids = site
    with app.app_context():
        db.session.query(Comparison).delete()
        parameters, parameters_hash = comparison_parameters(decision_memory([]))
        db.session.add(
            Comparison(
                version_a_id=ids["standard_version_id"],
                version_b_id=ids["variant_version_id"],
                engine_version=ENGINE_VERSION,
                parameters=parameters,
                parameters_hash=parameters_hash,
                status="pending",
            )
        )
        db.session.commit()
    response = client_as(app, "owner").get(URL)
    assert response.status_code == 200
    assert "Sammenligningen beregnes nå." in response.get_data(as_text=True)


def test_a_variant_can_be_compared_with_another_members_variant(site: Any) -> None:
    app, _ids = site
    with app.app_context():
        from registry.municipalities.services import get_municipality
        from registry.process_types.services import get_process_type

        create_variant_version(get_municipality("5035"), get_process_type("byggesak"), sample("5006"))
        db.session.commit()
    owner = client_as(app, "owner")
    process_page = owner.get("/kommuner/5001/prosesser/byggesak").get_data(as_text=True)
    assert '<option value="5035">Stjørdal</option>' in process_page
    # The list asks for a municipality instead of preselecting the first member.
    select = process_page.split('id="compare-with"', 1)[1].split("</select>", 1)[0]
    assert 'required' in select.split(">", 1)[0] and '<option value="">Velg en kommune</option>' in select
    assert "selected" not in select
    empty = owner.get("/kommuner/5001/prosesser/byggesak?sammenlign=").get_data(as_text=True)
    assert "Velg kommunen du vil sammenligne med." in empty and 'aria-invalid="true"' in empty
    chosen = owner.get("/kommuner/5001/prosesser/byggesak?sammenlign=5035")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/sammenlign/kommune/5035")
    page = owner.get("/kommuner/5001/prosesser/byggesak/sammenlign/kommune/5035").get_data(as_text=True)
    assert "Trondheim sammenlignet med Stjørdal" in page and "Bekreft" in page


def test_comparing_with_an_unknown_cooperation_or_a_municipality_without_a_process_is_404(site: Any) -> None:
    app, _ids = site
    client = client_as(app, "anonymous")
    assert client.get("/kommuner/5001/prosesser/byggesak/sammenlign/standard/finnes-ikke").status_code == 404
    assert client.get("/kommuner/5001/prosesser/byggesak/sammenlign/kommune/5035").status_code == 404
    assert client.get("/kommuner/5001/prosesser/byggesak/sammenlign/kommune/5001").status_code == 404


def test_a_failed_comparison_says_so_and_why(site: Any) -> None:
    app, ids = site
    with app.app_context():
        row = db.session.scalars(select(Comparison).where(Comparison.version_b_id == ids["variant_version_id"])).first()
        row.status, row.result, row.error = "failed", "", "<b>confirmations contradict</b>"
        db.session.commit()
    response = client_as(app, "owner").get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sammenligningen kunne ikke beregnes." in page
    assert "Beregningen stoppet med en feil." in page
    assert "confirmations contradict" not in page  # the engine's English is for the log, not a bokmål page
    english = client_as(app, "owner")
    english.get("/sprak/en")
    assert "&lt;b&gt;confirmations contradict&lt;/b&gt;" in english.get(URL).get_data(as_text=True)


def test_a_step_named_in_the_link_is_marked_in_the_alignment_table(site: Any) -> None:
    app, _ids = site
    page = client_as(app, "anonymous").get(URL + "?steg=vurdere").get_data(as_text=True)
    row_start = page.index('id="steg-vurdere"')
    row = page[page.rindex("<tr", 0, row_start) : page.index("</tr>", row_start)]
    assert "alignment--focus" in row and 'aria-current="true"' in row
    main = page.split('id="main"', 1)[1]  # the menu marks its section with aria-current too
    assert main.count('aria-current="true"') == 1


@pytest.mark.parametrize(
    ("kart", "kept"), [("digi-trondelag", True), ("//evil.example", False), ("../x", False), ("a" * 101, False)]
)
def test_a_decision_keeps_the_way_back_to_the_map(site: Any, kart: str, kept: bool) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    missing = next(r for r in rows if r.kind == "missing")
    extra = next(r for r in rows if r.kind == "extra")
    response = client_as(app, "owner").post(
        URL + "?kart=" + kart,
        data={"a_steps": missing.a_steps[0][0], "b_steps": extra.b_steps[0][0], "decision": "confirmed"},
    )
    location = response.headers.get("Location", "")
    assert response.status_code == 302
    assert ("kart=digi-trondelag" in location) is kept
    assert "evil" not in location and ".." not in location
