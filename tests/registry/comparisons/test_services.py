"""Stored comparisons: which standard version, decisions used in later comparisons, recompute."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry.comparisons import services
from registry.comparisons.models import Comparison, MappingDecision
from registry.comparisons.services import (
    alignment_rows,
    comparison_diagram,
    record_decision,
    request_comparison,
    result_of,
    standard_version_for,
)
from registry.errors import ValidationError
from registry.extensions import db
from registry.variants.services import get_or_create_standard
from tests.registry.process_factories import (
    build_world,
    create_standard_version,
    create_variant_version,
    sample,
)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    w = build_world()
    db.session.commit()
    return w


def _row_for(version_id: int) -> Comparison:
    rows = db.session.scalars(
        select(Comparison).where(Comparison.version_b_id == version_id).order_by(Comparison.id.desc())
    ).all()
    return rows[0]


def test_members_are_compared_with_the_latest_published_standard_version(world: dict[str, Any]) -> None:
    digi, process_type = world["digi"], world["process_type"]
    published = world["standard_version"]
    create_standard_version(digi, process_type, sample("5006"), status="draft")
    assert standard_version_for(get_or_create_standard(digi, process_type)) is published


def test_without_a_published_version_the_latest_approved_then_draft_is_used(db: Any) -> None:
    w = build_world(with_standard=False)
    draft = create_standard_version(w["digi"], w["process_type"], status="draft")
    standard = draft.standard
    assert standard_version_for(standard) is draft
    approved = create_standard_version(w["digi"], w["process_type"], sample("5006"), status="approved")
    create_standard_version(w["digi"], w["process_type"], sample("5007"), status="draft")
    assert standard_version_for(standard) is approved


def test_a_new_published_standard_version_compares_every_members_latest_variant(world: dict[str, Any]) -> None:
    mine = create_variant_version(world["trondheim"], world["process_type"])
    theirs = create_variant_version(world["stjordal"], world["process_type"], sample("5006"))
    new_standard = create_standard_version(world["digi"], world["process_type"], sample("5007"))
    db.session.commit()
    compared = {
        row.version_b_id for row in db.session.scalars(select(Comparison).where(Comparison.version_a_id == new_standard.id))
    }
    assert compared == {mine.id, theirs.id}


def test_the_result_holds_scores_sentences_in_both_languages_and_the_alignment(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    row = _row_for(version.id)
    result = result_of(row)
    assert result["nb"]["similarity"]["overall"] == pytest.approx(row.overall, abs=1e-4)
    assert result["nb"]["differences"] and result["en"]["differences"]
    assert result["nb"]["differences"][0]["text"] != result["en"]["differences"][0]["text"]
    rows = alignment_rows(row)
    assert {r.kind for r in rows} >= {"identical", "extra"}


def test_the_diagram_is_drawn_once_and_kept(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    row = _row_for(version.id)
    svg = comparison_diagram(row, "nb")
    assert svg.lstrip().startswith("<?xml") and row.diagram_nb == svg
    assert comparison_diagram(row, "nb") is row.diagram_nb


def test_a_decision_is_stored_and_used_by_the_next_comparison(world: dict[str, Any]) -> None:
    # The standard with «Vurdere søknaden» under another id and named otherwise: left unpaired.
    standard = sample().decode()
    changed = standard.replace("Vurdere søknaden", "Se gjennom innholdet").replace("id: vurdere\n", "id: steg_9\n")
    changed = changed.replace("-> vurdere ->", "-> steg_9 ->")
    version = create_variant_version(world["trondheim"], world["process_type"], changed.encode())
    row = _row_for(version.id)
    stored = result_of(row)["nb"]
    a_id, b_id = "vurdere", "steg_9"
    assert a_id in stored["missing"] and b_id in stored["extra"]
    new_row = record_decision(
        row, a_step_ids=[a_id], b_step_ids=[b_id], decision="confirmed", user=world["users"]["owner"]
    )
    db.session.commit()
    assert new_row.id != row.id and new_row.parameters_hash != row.parameters_hash
    assert new_row.status == "done"
    pairs = {(x, y) for m in result_of(new_row)["nb"]["matches"] for x in m["a"] for y in m["b"]}
    assert (a_id, b_id) in pairs
    decision = db.session.scalar(select(MappingDecision))
    assert decision is not None and decision.a_standard_id == world["standard_version"].standard_id
    assert [r.decision for r in alignment_rows(new_row) if r.a_steps and r.a_steps[0][0] == a_id] == ["confirmed"]


def test_a_rejected_correspondence_is_not_suggested_again(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    row = _row_for(version.id)
    match = next(r for r in alignment_rows(row) if r.kind == "identical")
    a_id, b_id = match.a_steps[0][0], match.b_steps[0][0]
    new_row = record_decision(row, a_step_ids=[a_id], b_step_ids=[b_id], decision="rejected", user=None)
    pairs = {(x, y) for m in result_of(new_row)["nb"]["matches"] for x in m["a"] for y in m["b"]}
    assert (a_id, b_id) not in pairs


def test_a_decision_about_an_unknown_step_is_refused(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    with pytest.raises(ValidationError):
        record_decision(_row_for(version.id), a_step_ids=["nope"], b_step_ids=["BYG-A020"], decision="confirmed", user=None)


def test_a_variant_can_be_compared_with_another_members_variant(world: dict[str, Any]) -> None:
    mine = create_variant_version(world["trondheim"], world["process_type"])
    theirs = create_variant_version(world["stjordal"], world["process_type"], sample("5006"))
    row = request_comparison(theirs, mine)
    assert row.status == "done" and result_of(row)["a_name"] == "Stjørdal"
    with pytest.raises(ValidationError):
        request_comparison(mine, mine)


def test_recompute_replaces_results_of_an_older_engine(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    db.session.commit()
    monkeypatch.setattr(services, "ENGINE_VERSION", "99.0")
    result = app.test_cli_runner().invoke(args=["recompute"])
    assert result.exit_code == 0, result.output
    assert "1 comparison(s) computed" in result.output
    assert _row_for(version.id).engine_version == "99.0"
    again = app.test_cli_runner().invoke(args=["recompute"])
    assert "0 comparison(s)" in again.output


def test_the_worker_command_explains_that_jobs_run_inline_without_a_queue(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "TASK_QUEUE_URL" in result.output


def test_an_engine_failure_is_stored_and_does_not_stop_the_save(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(services, "compare", broken)
    version = create_variant_version(world["trondheim"], world["process_type"])
    db.session.commit()
    row = _row_for(version.id)
    assert row.status == "failed" and "engine bug" in row.error
    assert result_of(row) == {} and alignment_rows(row) == []


def test_a_comparison_pending_for_too_long_is_queued_again(world: dict[str, Any]) -> None:
    import datetime as dt

    version = create_variant_version(world["trondheim"], world["process_type"])
    row = _row_for(version.id)
    row.status, row.result = "pending", ""
    row.requested_at = dt.datetime.now(dt.UTC) - services.PENDING_RETRY_AFTER - dt.timedelta(minutes=1)
    db.session.commit()
    again = request_comparison(world["standard_version"], version)
    assert again.id == row.id and again.status == "done"  # inline mode: computed on the spot
