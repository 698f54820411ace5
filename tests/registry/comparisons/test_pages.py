"""The comparison page: scores with sentences, diagram, differences, alignment table and decisions."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.comparisons.models import Comparison, MappingDecision
from registry.comparisons.services import alignment_rows, open_rows, result_of
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


def _with_a_step_renamed(app: Flask, ids: dict[str, Any]) -> dict[str, Any]:
    """A new version of Trondheim's variant: the standard with «Vurdere søknaden» under another id and
    named with other words, so that the matcher leaves it unpaired (missing and extra, with a candidate)."""
    standard = sample().decode()
    assert "Vurdere søknaden" in standard and "id: vurdere\n" in standard
    changed = standard.replace("Vurdere søknaden", "Se gjennom innholdet").replace("id: vurdere\n", "id: steg_9\n")
    changed = changed.replace("-> vurdere ->", "-> steg_9 ->")
    with app.app_context():
        first = db.session.get(ProcessVersion, ids["variant_version_id"])
        version = create_variant_version(
            first.variant.municipality, first.variant.process_type, changed.encode(), filename="endret.yaml"
        )
        db.session.commit()
        return ids | {"variant_version_id": version.id}


def test_confirming_a_pair_stores_the_decision_and_recomputes_the_comparison(site: Any) -> None:
    app, ids = site
    ids = _with_a_step_renamed(app, ids)
    first_id, first_hash, _engine, _rows, result = _latest_row(app, ids)
    assert result["nb"]["missing"] == ["vurdere"] and "steg_9" in result["nb"]["extra"]
    owner = client_as(app, "owner")
    response = owner.post(URL, data={"a_steps": "vurdere", "b_steps": "steg_9", "decision": "confirmed"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#alignment")
    new_id, new_hash, engine, new_rows, _ = _latest_row(app, ids)
    assert new_id != first_id and new_hash != first_hash and engine == ENGINE_VERSION
    confirmed = [r for r in new_rows if r.decision == "confirmed"]
    assert [(r.a_steps[0][0], r.b_steps[0][0]) for r in confirmed] == [("vurdere", "steg_9")]
    assert confirmed[0].kind == "renamed" and confirmed[0].confidence == 1.0
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
    ids = _with_a_step_renamed(app, ids)
    _id, _hash, _engine, _rows, result = _latest_row(app, ids)
    missing, extra = result["nb"]["missing"][0], result["nb"]["extra"][0]
    owner = client_as(app, "owner")
    assert "Koble to steg som registeret ikke koblet" in owner.get(URL).get_data(as_text=True)
    response = owner.post(URL, data={"add-a_step": missing, "add-b_step": extra})
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
    _id, _hash, _engine, rows, result = _latest_row(app, ids)
    match = next(r for r in rows if r.kind == "identical")
    extra = result["nb"]["extra"][0]
    response = client_as(app, "owner").post(
        URL + "?kart=" + kart,
        data={"a_steps": match.a_steps[0][0], "b_steps": extra, "decision": "confirmed"},
    )
    location = response.headers.get("Location", "")
    assert response.status_code == 302
    assert ("kart=digi-trondelag" in location) is kept
    assert "evil" not in location and ".." not in location


# -- confidence: the number explained, identical names read as identical, uncertain pairs marked --


def _rows_in_page(page: str) -> list[str]:
    body = page.split('<table class="table alignment-table">', 1)[1].split("</table>", 1)[0]
    return body.split("<tr")[2:]  # after the header row


def test_each_pair_shows_its_confidence_and_what_it_rests_on_in_words(site: Any) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    page = client_as(app, "anonymous").get(URL).get_data(as_text=True)
    assert '<th scope="col">Sikkerhet</th>' in page and "Poeng" not in page
    assert "Hva sikkerheten betyr" in page and "registerets anslag på hvor sannsynlig" in page
    matched = [r for r in rows if r.a_steps and r.b_steps]
    assert matched and all(r.confidence is not None and r.evidence for r in matched)
    for r, html in zip(rows, _rows_in_page(page)):
        if r.confidence is None:
            continue
        assert f'<span class="confidence__value">{int(r.confidence * 100)} %</span>' in html
        assert r.evidence[:1].upper() + r.evidence[1:] in html


def test_identical_names_read_as_identical_not_as_a_mixed_score(site: Any) -> None:
    # Trondheim's variant is a copy of the standard with some steps renamed: every pair of steps
    # with the same name (occurring once on each side) reads «Samme navn» and at least 98 %, even
    # where the score (labels mixed with context) is lower.
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    identical = [r for r in rows if r.kind == "identical"]
    assert identical
    for r in identical:
        assert r.evidence.startswith("samme navn"), r
        if "flere ganger" not in r.evidence:
            assert r.confidence is not None and r.confidence >= 0.98 and not r.uncertain


def test_an_uncertain_pair_is_marked_for_the_owner_and_counted(site: Any) -> None:
    # «Vurdere søknaden» with another id and other words: a pair the matcher can only guess from
    # its place in the flow. It is not paired, but offered as one row for the owner to decide.
    app, ids = site
    ids = _with_a_step_renamed(app, ids)
    owner = client_as(app, "owner")
    page = owner.get(URL).get_data(as_text=True)
    _id, _hash, _engine, rows, result = _latest_row(app, ids)
    assert "vurdere" in result["nb"]["missing"]
    candidate = next(r for r in rows if r.kind == "candidate")
    assert (candidate.a_steps[0][0], candidate.b_steps[0][0]) == ("vurdere", "steg_9")
    assert candidate.uncertain and candidate.confidence is not None and candidate.confidence < 0.5
    assert candidate.evidence.startswith("ikke koblet av registeret selv")
    assert not any(r.kind in ("missing", "extra") and ("vurdere", "Vurdere søknaden") in r.a_steps for r in rows)
    assert "kanskje samme steg (ikke koblet)" in page and "Ikke koblet av registeret selv" in page
    uncertain = [r for r in rows if r.uncertain]
    assert f"{len(uncertain)} par er usikre" in page or (len(uncertain) == 1 and "1 par er usikkert" in page)
    assert page.count('<span class="tag tag--uncertain">Usikker</span>') == len(uncertain)
    # "Confirm all" never confirms a guess.
    assert all(r.kind != "candidate" for r in open_rows(rows, 0.0001, frozenset()))
    client = client_as(app, "anonymous")
    client.get("/sprak/en")
    english = client.get(URL).get_data(as_text=True)
    assert "What the confidence means" in english
    assert ">Uncertain</span>" in english and "perhaps the same step (not paired)" in english
    assert "Sikkerhet" not in english and "Usikker" not in english
    # Rejecting the guess stops the question.
    owner.post(URL, data={"a_steps": "vurdere", "b_steps": "steg_9", "decision": "rejected"})
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    assert not any(r.kind == "candidate" and r.a_steps[0][0] == "vurdere" for r in rows)

