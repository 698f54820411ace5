"""Following up a change plan: statuses, justified deviations, and changes a new version has made."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from processes.harmonise import ChangeKind
from registry.audit.models import AuditEvent
from registry.comparisons.services import latest_version
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.harmonisation.followup import ChangeKey, justified_map
from registry.harmonisation.models import ChangeFollowUp, JustifiedDeviation
from registry.harmonisation.services import plans_for_variant
from registry.municipalities.models import Municipality
from registry.variants.models import ProcessVersion, Variant
from tests.registry.divergence.world import ROLES, chain_bytes, client_as, save

PLAN = "/kommuner/5028/prosesser/byggesak/endringsplan"
STATUS = PLAN + "/digi-trondelag/status"
JUSTIFY = PLAN + "/digi-trondelag/avvik"
MELHUS_V2 = ("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Fatte vedtak", "Arkivere")


def _melhus(app: Flask) -> tuple[Variant, Cooperation]:
    municipality = db.session.scalar(select(Municipality).where(Municipality.number == "5028"))
    variant = db.session.scalar(select(Variant).where(Variant.municipality_id == municipality.id))
    coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
    assert variant is not None and coop is not None
    return variant, coop


def _befaring_key(app: Flask) -> str:
    """The stored key of Melhus's change «add the step Befaring»."""
    with app.app_context():
        variant, _coop = _melhus(app)
        version = latest_version(variant)
        (mp,) = plans_for_variant(variant, version)
        changes, _justified = mp.entries()
        (entry,) = [e for e in changes if e.change.kind == ChangeKind.ADD_STEP]
        return entry.key.encode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_members_owners_may_follow_up(app: Flask, world: dict[str, Any], role: str) -> None:
    key = _befaring_key(app)
    html = client_as(app, role).get(PLAN).get_data(as_text=True)
    may = role in {"owner", "admin"}
    assert ("Update the status" in html) is may
    response = client_as(app, role).post(STATUS, data={"form_prefix": "x", "x-key": key, "x-status": "in_progress"})
    assert response.status_code == (302 if may else 403 if role != "anonymous" else 401) or (
        role == "anonymous" and response.status_code in (302, 401)
    )
    with app.app_context():
        saved = db.session.scalar(select(func.count()).select_from(ChangeFollowUp))
    assert saved == (1 if may else 0)


def test_a_planned_change_shows_its_date_and_who_set_it(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    owner = client_as(app, "owner")
    response = owner.post(
        STATUS, data={"form_prefix": "a1", "a1-key": key, "a1-status": "planned", "a1-planned_for": "2027-03-01"}
    )
    assert response.status_code == 302
    html = owner.get(PLAN).get_data(as_text=True)
    assert "planned</span> for March 1, 2027" in html or "for 1 March 2027" in html or "March 1, 2027" in html
    assert "set by Test Testesen" in html
    nb = client_as(app, "owner", lang="nb").get(PLAN).get_data(as_text=True)
    assert "planlagt" in nb and "1. mars 2027" in nb
    with app.app_context():
        row = db.session.scalar(select(ChangeFollowUp))
        assert row is not None and row.status == "planned" and row.planned_for == dt.date(2027, 3, 1)
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "ChangeFollowUp")).all()
        assert [e.action for e in events] == ["create"]


def test_planned_without_a_date_is_refused_and_saves_nothing(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    owner = client_as(app, "owner")
    response = owner.post(STATUS, data={"form_prefix": "a1", "a1-key": key, "a1-status": "planned"}, follow_redirects=True)
    assert "Give the date the change is planned for" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeFollowUp)) == 0


def test_a_change_that_is_gone_is_not_saved(app: Flask, world: dict[str, Any]) -> None:
    stale = ChangeKey("add_step", ("gone",), ("Finnes ikke",), ()).encode()
    response = client_as(app, "owner").post(
        STATUS, data={"form_prefix": "a1", "a1-key": stale, "a1-status": "done"}, follow_redirects=True
    )
    assert "no longer in the plan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeFollowUp)) == 0


def test_a_new_version_that_makes_the_change_marks_it_done(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    client_as(app, "owner").post(STATUS, data={"form_prefix": "a", "a-key": key, "a-status": "in_progress"})
    with app.app_context():
        variant, _coop = _melhus(app)
        save(variant, chain_bytes(MELHUS_V2))
        db.session.commit()
        row = db.session.scalar(select(ChangeFollowUp))
        assert row is not None and row.status == "done" and row.automatic
        assert row.done_in_version is not None and row.done_in_version.number == 2
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Nothing to change" in html
    assert "Marked done by the registry: version 2" in html
    assert "Add the step “Befaring”" in html  # in the list of what is done


def test_a_change_nobody_followed_up_is_also_marked_done(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        variant, _coop = _melhus(app)
        save(variant, chain_bytes(MELHUS_V2))
        db.session.commit()
        rows = db.session.scalars(select(ChangeFollowUp)).all()
        assert [(r.status, r.automatic) for r in rows] == [("done", True)]


def test_a_version_that_changes_nothing_relevant_marks_nothing(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        variant, _coop = _melhus(app)
        labels = ("Motta søknad", "Registrere søknaden", "Vurdere søknaden", "Fatte vedtak", "Arkivere")
        save(variant, chain_bytes(labels, name="Byggesak i Melhus"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(ChangeFollowUp)) == 0


def test_a_justified_deviation_is_listed_apart_and_survives_a_new_version(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    owner = client_as(app, "owner")
    response = owner.post(
        JUSTIFY,
        data={"form_prefix": "d", "d-key": key, "d-category": "organisation", "d-reason": "Vi er for små til befaring."},
    )
    assert response.status_code == 302
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Justified deviations" in html and "organisation or size" in html and "Vi er for små til befaring." in html
    assert "Nothing else to change" in html
    # A new version with other step ids and a renamed step: the justification still holds.
    with app.app_context():
        variant, _coop = _melhus(app)
        labels = ("Motta søknad", "Registrere søknaden", "Vurdere søknaden nøye", "Fatte vedtak", "Arkivere")
        save(variant, chain_bytes(labels))
        db.session.commit()
    html = client_as(app, "anonymous", lang="nb").get(PLAN).get_data(as_text=True)
    assert "Begrunnede avvik" in html and "organisering eller størrelse" in html
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "JustifiedDeviation")).all()
        assert [e.action for e in events] == ["create"]


def test_a_deviation_needs_a_reason(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    response = client_as(app, "owner").post(
        JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": "law", "d-reason": "  "}, follow_redirects=True
    )
    assert "Say why" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JustifiedDeviation)) == 0


def test_an_unknown_category_is_refused(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    client_as(app, "owner").post(
        JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": "whim", "d-reason": "Fordi."}
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JustifiedDeviation)) == 0


def test_withdrawing_a_justification_makes_it_a_change_again(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    owner = client_as(app, "owner")
    owner.post(JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": "law", "d-reason": "Forskrift."})
    with app.app_context():
        row = db.session.scalar(select(JustifiedDeviation))
        assert row is not None
        deviation_id = row.id
    assert client_as(app, "coordinator").post(f"{JUSTIFY}/{deviation_id}/trekk").status_code == 403
    assert owner.post(f"{JUSTIFY}/{deviation_id}/trekk").status_code == 302
    html = owner.get(PLAN).get_data(as_text=True)
    assert "Justified deviations" not in html and "Add the step “Befaring”" in html
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "JustifiedDeviation").order_by(AuditEvent.id)
        ).all()
        assert actions == ["create", "delete"]


def test_an_expired_justification_no_longer_holds(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    client_as(app, "owner").post(
        JUSTIFY,
        data={"form_prefix": "d", "d-key": key, "d-category": "temporary", "d-reason": "Til nytt system.", "d-valid_until": "2020-01-01"},
    )
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Justified deviations" not in html and "Add the step “Befaring”" in html


def test_the_plan_as_on_a_past_date(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        variant, _coop = _melhus(app)
        db.session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.variant_id == variant.id)
            .values(created_at=dt.datetime(2025, 1, 10, tzinfo=dt.UTC))
        )
        db.session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.standard_id.is_not(None))
            .values(published_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        )
        db.session.commit()
        save(variant, chain_bytes(MELHUS_V2))
        db.session.commit()
    today = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Nothing to change" in today
    then = client_as(app, "anonymous").get(PLAN + "?dato=2025-06-01").get_data(as_text=True)
    assert "The plan as it was on" in then and "Add the step “Befaring”" in then
    assert "Update the status" not in client_as(app, "owner").get(PLAN + "?dato=2025-06-01").get_data(as_text=True)
    assert client_as(app, "anonymous").get(PLAN + "?dato=2024-12-01").status_code == 404
    for bad in ("2025-13-01", "i går", "2999-01-01", "1999-12-31"):
        assert client_as(app, "anonymous").get(PLAN + "?dato=" + bad).status_code == 400


def test_keys_recognise_the_same_change_by_id_or_label() -> None:
    a = ChangeKey("add_step", ("s2",), ("Befaring",), ())
    assert a.same_change(ChangeKey("add_step", ("x9",), ("befaring ",), ()))
    assert a.same_change(ChangeKey("add_step", ("s2",), ("Synfaring",), ()))
    assert not a.same_change(ChangeKey("remove_step", ("s2",), ("Befaring",), ()))
    assert not a.same_change(ChangeKey("add_step", ("s3",), ("Vurdere",), ()))
    extra = ChangeKey("remove_step", (), (), ("Sende faktura",))
    assert extra.same_change(ChangeKey("remove_step", (), (), ("Sende  FAKTURA",)))
    assert not extra.same_change(ChangeKey("remove_step", (), (), ("Sende brev",)))
    assert ChangeKey.decode(a.encode()) == a


def test_a_long_key_fits_its_column_and_stays_distinct() -> None:
    one = ChangeKey("rename", ("s1",), ("ø" * 900,), ("a",)).encode()
    two = ChangeKey("rename", ("s1",), ("ø" * 900,), ("b",)).encode()
    assert len(one) <= 700 and len(two) <= 700 and one != two
    assert ChangeKey.decode(one) is None


def test_justified_map_finds_steps_by_id_label_or_member_label() -> None:
    from processes.model import Process, Step

    target = Process("t", "T")
    for sid, label in (("s1", "Motta"), ("s2", "Befaring")):
        target.add_step(Step(sid, label))
    variant = Process("v", "V")
    variant.add_step(Step("v1", "Motta"))
    variant.add_step(Step("v7", "Sende faktura"))
    rows = [
        JustifiedDeviation(standard_step_id="renamed", standard_step_label="befaring", variant_step_label="", reason="A"),
        JustifiedDeviation(standard_step_id="", standard_step_label="", variant_step_label="Sende faktura", reason="B"),
        JustifiedDeviation(
            standard_step_id="s1", standard_step_label="Motta", variant_step_label="", reason="C",
            valid_until=dt.date(2020, 1, 1),
        ),
    ]
    assert justified_map(rows, target, variant, on=dt.date(2026, 1, 1)) == ({"s2": "A"}, {"v7": "B"})
    assert justified_map(rows, target, variant, on=dt.date(2019, 1, 1))[0]["s1"] == "C"


def _justify_befaring(app: Flask, category: str = "organisation") -> None:
    key = _befaring_key(app)
    response = client_as(app, "owner").post(
        JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": category, "d-reason": "Vi er for små."}
    )
    assert response.status_code == 302


def test_the_divergence_map_shows_a_justified_cell_with_symbol_and_word(app: Flask, world: dict[str, Any]) -> None:
    before = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert "dv--justified" not in before
    _justify_befaring(app)
    html = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert html.count('class="dv dv--justified"') == 1
    assert "◆</span> justified<span class=\"visually-hidden\"> (missing; organisation or size)" in html
    nb = client_as(app, "coordinator", lang="nb").get("/samarbeid/digi-trondelag/avvik/byggesak").get_data(as_text=True)
    assert "begrunnet" in nb


def test_the_coordinator_queries_the_justified_deviations(app: Flask, world: dict[str, Any]) -> None:
    _justify_befaring(app, "law")
    url = "/samarbeid/digi-trondelag/begrunnede-avvik"
    assert client_as(app, "anonymous").get(url).status_code in (302, 401)
    assert client_as(app, "other_coordinator").get(url).status_code == 403
    coordinator = client_as(app, "coordinator")
    html = coordinator.get(url).get_data(as_text=True)
    assert "1 justified deviation." in html and "Melhus" in html and "law or regulation" in html
    assert "0 justified deviations." in coordinator.get(url + "?kategori=system").get_data(as_text=True)
    assert "1 justified deviation." in coordinator.get(url + "?kommune=5028&gjeldende=y").get_data(as_text=True)
    assert coordinator.get(url + "?kategori=whim").status_code == 422


def test_a_proposal_does_not_count_justified_deviations_unless_asked(app: Flask, world: dict[str, Any]) -> None:
    proposal = "/samarbeid/digi-trondelag/forslag/byggesak?oppslutning=90"
    coordinator = client_as(app, "coordinator")
    # Melhus lacks «Befaring»: 3 of 4 members have it, under the 90 % asked for, so it is left out.

    def left_out(html: str) -> str:
        return html.split("Steps left out", 1)[1] if "Steps left out" in html else ""

    before = coordinator.get(proposal).get_data(as_text=True)
    assert "Befaring" in left_out(before)
    _justify_befaring(app)
    after = coordinator.get(proposal).get_data(as_text=True)
    # Melhus's justified deviation does not count: 3 of the 3 counted members have it.
    assert "Befaring" not in left_out(after) and "Befaring" in after
    assert "Justified deviations do not count against the standard." in after
    counted = coordinator.get(proposal + "&avvik=y").get_data(as_text=True)
    assert "Justified deviations do not count" not in counted
    assert "Befaring" in left_out(counted)


def test_owners_give_cases_per_year_and_population_and_proposals_weight_by_them(
    app: Flask, world: dict[str, Any]
) -> None:
    url = "/kommuner/5028/prosesser/byggesak/saker-per-ar"
    assert client_as(app, "coordinator").post(url, data={"cases_per_year": "120"}).status_code == 403
    owner = client_as(app, "owner")
    assert "Give a whole number of cases." in owner.post(
        url, data={"cases_per_year": "-3"}, follow_redirects=True
    ).get_data(as_text=True)
    assert owner.post(url, data={"cases_per_year": "120"}).status_code == 302
    assert "120" in owner.get("/kommuner/5028/prosesser/byggesak").get_data(as_text=True)
    edit = owner.post("/kommuner/5028/rediger", data={"description": "", "contact_email": "", "population": "17000"})
    assert edit.status_code == 302
    with app.app_context():
        variant, _coop = _melhus(app)
        assert variant.cases_per_year == 120 and variant.municipality.population == 17000
    coordinator = client_as(app, "coordinator")
    by_cases = coordinator.get("/samarbeid/digi-trondelag/forslag/byggesak?vekt=cases").get_data(as_text=True)
    assert "weighted by the cases per year" in by_cases
    assert "=Skaun, Malvik and Stjørdal have not given the figure and count as the median of the others (120)" in by_cases
    # Melhus alone has a figure: every other member counts as much as Melhus, so the result is the equal one's.
    equal = coordinator.get("/samarbeid/digi-trondelag/forslag/byggesak").get_data(as_text=True)
    assert by_cases.split("Steps left out")[-1] == equal.split("Steps left out")[-1]


def test_weighting_by_a_figure_nobody_gave_says_so(app: Flask, world: dict[str, Any]) -> None:
    response = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/forslag/byggesak?vekt=population")
    assert response.status_code == 422
    assert "No member has given its population yet" in response.get_data(as_text=True)


def test_weights_change_the_proposal(app: Flask, world: dict[str, Any]) -> None:
    # Melhus is large and lacks «Befaring»; weighted by cases it outweighs the three that have it.
    with app.app_context():
        for number, cases in (("5028", 5000), ("5031", 10), ("5035", 10), ("5029", 10)):
            m = db.session.scalar(select(Municipality).where(Municipality.number == number))
            v = db.session.scalar(select(Variant).where(Variant.municipality_id == m.id))
            v.cases_per_year = cases
        db.session.commit()
    coordinator = client_as(app, "coordinator")
    equal = coordinator.get("/samarbeid/digi-trondelag/forslag/byggesak").get_data(as_text=True)
    weighted = coordinator.get("/samarbeid/digi-trondelag/forslag/byggesak?vekt=cases").get_data(as_text=True)
    left_out_equal = equal.split("Steps left out", 1)[1] if "Steps left out" in equal else ""
    assert "Befaring" not in left_out_equal
    assert "Steps left out" in weighted and "Befaring" in weighted.split("Steps left out")[-1]


def test_every_members_plan_at_once_is_each_members_plan(app: Flask, world: dict[str, Any]) -> None:
    from registry.harmonisation.services import harmonisation_inputs, plans_for_members

    _justify_befaring(app)
    with app.app_context():
        variant, coop = _melhus(app)
        inputs = harmonisation_inputs(coop, variant.process_type)
        together = plans_for_members(inputs)
        assert len(together) == 4
        for m in inputs.members:
            if m.version is None:
                continue
            (alone,) = plans_for_variant(m.variant, m.version, cooperation=coop)
            mine = together[m.variant.id]
            assert mine.plan.texts("en") == alone.plan.texts("en")
            assert [c.text("en") for c in mine.plan.justified] == [c.text("en") for c in alone.plan.justified]
        assert len(together[variant.id].plan.justified) == 1


def test_step_classes_are_kept_for_the_next_server_process(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.harmonisation import services
    from registry.harmonisation.models import StoredStepClasses

    services._CACHE.clear()
    first = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(StoredStepClasses)).all()
        assert len(rows) == 1
        old_key = rows[0].inputs_key
    # Another server process: nothing in memory, and aligning is not allowed.
    services._CACHE.clear()
    made = []
    monkeypatch.setattr(services, "step_classes", lambda *a, **k: made.append(1) or pytest.fail("aligned again"))
    assert client_as(app, "anonymous").get(PLAN).get_data(as_text=True) == first
    assert made == []
    monkeypatch.undo()
    # A new version of a member: new classes, and the old row is replaced.
    with app.app_context():
        variant, _coop = _melhus(app)
        save(variant, chain_bytes(MELHUS_V2))
        db.session.commit()
    client_as(app, "anonymous").get(PLAN)
    with app.app_context():
        rows = db.session.scalars(select(StoredStepClasses)).all()
        assert len(rows) == 1 and rows[0].inputs_key != old_key


def test_the_plan_as_on_a_past_date_keeps_no_classes(app: Flask, world: dict[str, Any]) -> None:
    from registry.harmonisation import services
    from registry.harmonisation.models import StoredStepClasses

    services._CACHE.clear()
    client_as(app, "anonymous").get(PLAN + "?dato=" + dt.date.today().isoformat())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredStepClasses)) == 0


def test_the_newest_version_by_its_number_shows_the_cases_form_too(app: Flask, world: dict[str, Any]) -> None:
    page = client_as(app, "owner").get("/kommuner/5028/prosesser/byggesak/versjoner/1")
    assert page.status_code == 200 and "Give the number of cases per year" in page.get_data(as_text=True)


def test_the_deviations_page_takes_any_process_type_from_a_link(app: Flask, world: dict[str, Any]) -> None:
    page = client_as(app, "coordinator").get("/samarbeid/digi-trondelag/begrunnede-avvik?prosesstype=byggesak")
    assert page.status_code == 200 and "0 justified deviations." in page.get_data(as_text=True)


def test_publishing_a_standard_makes_its_step_classes_ahead_of_the_first_plan(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.harmonisation import services
    from registry.harmonisation.models import StoredStepClasses
    from registry.standards.services import approve_version, publish_version

    services._CACHE.clear()
    with app.app_context():
        _variant, coop = _melhus(app)
        from registry.variants.services import get_or_create_standard

        standard = get_or_create_standard(coop, _variant.process_type)
        version = save(standard, chain_bytes(MELHUS_V2 + ("Sende faktura",)), status="draft")
        approve_version(version, user=None)
        publish_version(version, user=None)
        db.session.commit()
        row = db.session.scalar(select(StoredStepClasses))
        assert row is not None
    services._CACHE.clear()
    monkeypatch.setattr(services, "step_classes", lambda *a, **k: pytest.fail("aligned again"))
    html = client_as(app, "anonymous").get(PLAN).get_data(as_text=True)
    assert "Standard version 2 (published)" in html and "Add the step “Sende faktura”" in html


@pytest.mark.parametrize(
    "key", ['["add_step",[[1]],[],[]]', '{"a": 1}', "[1, 2, 3, 4]", "x" * 5000, '["add_step",["s1"],[7],[]]', ""]
)
def test_a_forged_key_saves_nothing_and_says_so(app: Flask, world: dict[str, Any], key: str) -> None:
    response = client_as(app, "owner").post(
        STATUS, data={"form_prefix": "a", "a-key": key, "a-status": "done"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "no longer in the plan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeFollowUp)) == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_members_owners_may_justify_or_withdraw(app: Flask, world: dict[str, Any], role: str) -> None:
    key = _befaring_key(app)
    may = role in {"owner", "admin"}
    response = client_as(app, role).post(
        JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": "law", "d-reason": "Forskrift."}
    )
    assert response.status_code == (302 if may else 401 if role == "anonymous" else 403) or (
        role == "anonymous" and response.status_code == 302
    )
    with app.app_context():
        saved = db.session.scalar(select(func.count()).select_from(JustifiedDeviation))
    assert saved == (1 if may else 0)
    if not may:
        _justify_befaring(app)
    with app.app_context():
        deviation_id = db.session.scalar(select(JustifiedDeviation.id))
    withdrawn = client_as(app, role).post(f"{JUSTIFY}/{deviation_id}/trekk")
    with app.app_context():
        left = db.session.scalar(select(func.count()).select_from(JustifiedDeviation))
    assert left == (0 if may else 1), withdrawn.status_code


def test_a_bad_date_is_refused_in_the_users_language(app: Flask, world: dict[str, Any]) -> None:
    key = _befaring_key(app)
    response = client_as(app, "owner", lang="nb").post(
        STATUS,
        data={"form_prefix": "a", "a-key": key, "a-status": "planned", "a-planned_for": "neste uke"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Planlagt til:" in html and "Not a valid" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeFollowUp)) == 0


def test_the_process_page_links_to_its_gains_overview(app: Flask, world: dict[str, Any]) -> None:
    html = client_as(app, "owner").get("/kommuner/5028/prosesser/byggesak").get_data(as_text=True)
    assert 'href="/kommuner/5028/prosesser/byggesak/gevinster"' in html
