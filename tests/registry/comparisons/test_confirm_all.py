"""Confirming all suggestions above a confidence at once, and undoing it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from registry.comparisons.models import MappingDecision
from registry.extensions import db
from tests.registry.comparisons.test_pages import URL, _latest_row
from tests.registry.process_factories import ROLES, client_as


def _decisions(app: Any) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [(d.a_step_id, d.b_step_id, d.batch) for d in db.session.scalars(select(MappingDecision))]


def test_confirm_all_above_a_confidence_then_undo(site: Any) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    suggested = [r for r in rows if r.a_steps and r.b_steps and r.confidence is not None]
    above = [r for r in suggested if r.confidence >= 0.9]
    assert above and len(above) < len(suggested) + 1
    owner = client_as(app, "owner")
    page = owner.get(URL).get_data(as_text=True)
    assert "Bekreft alle forslag med en sikkerhet på minst" in page
    assert f"90 % – {len(above)} forslag" in page
    response = owner.post(URL, data={"alle-threshold": "90"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#alignment")
    stored = _decisions(app)
    pairs = {(x, y) for r in above for x, _a in r.a_steps for y, _b in r.b_steps}
    assert {(a, b) for a, b, _batch in stored} == pairs
    assert len({batch for _a, _b, batch in stored}) == 1 and stored[0][2]
    _id, _hash, _engine, new_rows, _result = _latest_row(app, ids)
    assert all(r.decision == "confirmed" for r in new_rows if r.a_steps and r.b_steps and r.confidence and r.confidence >= 0.9)
    page = owner.get(URL).get_data(as_text=True)
    assert "ble bekreftet på én gang" in page and "Angre disse bekreftelsene" in page
    # Nothing left above 90 %: asking again says so and stores nothing more.
    again = owner.post(URL, data={"alle-threshold": "90"}, follow_redirects=True).get_data(as_text=True)
    assert "Ingen forslag som ikke er avgjort ennå, har en sikkerhet på 90 % eller mer." in again
    assert len(_decisions(app)) == len(stored)
    # Undo: the batch is gone and the pairs are suggestions again.
    undone = owner.post(URL, data={"angre-batch": stored[0][2]}, follow_redirects=True).get_data(as_text=True)
    assert "er angret" in undone
    assert _decisions(app) == []
    _id, _hash, _engine, back_rows, _result = _latest_row(app, ids)
    assert all(r.decision is None for r in back_rows)
    # Undoing twice says it is done already.
    twice = owner.post(URL, data={"angre-batch": stored[0][2]}, follow_redirects=True).get_data(as_text=True)
    assert "allerede angret" in twice


def test_a_single_decision_is_not_undone_with_a_batch(site: Any) -> None:
    app, ids = site
    _id, _hash, _engine, rows, _result = _latest_row(app, ids)
    low = min((r for r in rows if r.a_steps and r.b_steps and r.confidence is not None), key=lambda r: r.confidence)
    owner = client_as(app, "owner")
    owner.post(URL, data={"a_steps": low.a_steps[0][0], "b_steps": low.b_steps[0][0], "decision": "rejected"})
    assert owner.post(URL, data={"alle-threshold": "60"}).status_code == 302
    batch = next(b for _a, _b, b in _decisions(app) if b)
    owner.post(URL, data={"angre-batch": batch})
    # The rejection made by hand stays.
    assert [(a, b, batch) for a, b, batch in _decisions(app)] == [(low.a_steps[0][0], low.b_steps[0][0], None)]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_municipalitys_owners_confirm_all(site: Any, role: str) -> None:
    app, _ids = site
    response = client_as(app, role).post(URL, data={"alle-threshold": "60"})
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(MappingDecision))
    if role in ("owner", "admin"):
        assert response.status_code == 302 and count
    else:
        assert response.status_code in (302, 403) and count == 0
        assert response.status_code == 403 or "logg-inn" in response.headers["Location"]


def test_a_bad_confidence_is_refused(site: Any) -> None:
    app, _ids = site
    owner = client_as(app, "owner")
    assert owner.post(URL, data={"alle-threshold": "abc"}).status_code == 400
    assert owner.post(URL, data={"alle-threshold": "50"}).status_code == 400
    assert _decisions(app) == []


def test_open_rows_leave_out_any_suggestion_with_a_decided_pair_and_groups_count_correspondences() -> None:
    from registry.comparisons.services import AlignmentRow, _groups, open_rows

    split = AlignmentRow((("a1", "Vurdere"),), (("b1", "Vurdere plan"), ("b2", "Vurdere teknikk")), "split", 0.95, None)
    plain = AlignmentRow((("a2", "Fatte vedtak"),), (("b3", "Fatte vedtak"),), "identical", 0.99, None)
    low = AlignmentRow((("a3", "Sende"),), (("b4", "Motta"),), "renamed", 0.4, None)
    rows = [split, plain, low]
    assert open_rows(rows, 0.9, frozenset()) == [split, plain]
    # The confidence, where the result has one, is what the threshold is compared with.
    sure_renamed = AlignmentRow((("a4", "Fordele saken"),), (("b5", "Saksfordeling"),), "renamed", 0.6, None, 0.9)
    unsure_same = AlignmentRow((("a5", "Kontroll"),), (("b6", "Kontroll"),), "identical", 0.95, None, 0.5)
    assert open_rows([sure_renamed, unsure_same], 0.9, frozenset()) == [sure_renamed]
    # Uncertain: not decided and below UNCERTAIN_BELOW (an old result without confidence: its score).
    assert not sure_renamed.uncertain and unsure_same.uncertain and low.uncertain
    decided = AlignmentRow((("a5", "Kontroll"),), (("b6", "Kontroll"),), "identical", 0.95, "confirmed", 0.5)
    assert not decided.uncertain
    # One pair of the split was rejected by hand: the whole suggestion stays the owner's to decide.
    assert open_rows(rows, 0.9, frozenset({("a1", "b2")})) == [plain]
    # A 1:2 split is one correspondence, as «1 forslag» said when it was confirmed.
    assert _groups([("a1", "b1"), ("a1", "b2"), ("a2", "b3")]) == 2
    assert _groups([]) == 0
