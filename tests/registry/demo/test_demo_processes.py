"""The demo data: sample processes for DigiTrøndelag, synthetic variants for the rest, a rich map on first start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from processes.divergence import CellStatus
from processes.samples import case_types, variants
from registry.comparisons.models import Comparison
from registry.cooperations.models import Cooperation
from registry.demo import SYNTHETIC_SEED, seed_demo
from registry.divergence.services import divergence_state
from registry.extensions import db
from registry.graphs import load_process
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant
from tests.registry.conftest import make_app


@pytest.fixture(scope="module")
def seeded() -> Iterator[Flask]:
    """One seeded database for the whole module: seeding computes about 900 comparisons."""
    app = make_app()
    with app.app_context():
        seed_demo()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_sample_case_type_is_a_process_type_with_a_published_standard(seeded: Flask) -> None:
    with seeded.app_context():
        slugs = set(db.session.scalars(select(ProcessType.slug)))
        assert slugs == {c.slug for c in case_types()}
        for standard in db.session.scalars(select(Standard)):
            [version] = standard.versions
            assert version.status == "published"
            assert version.published_at is not None and version.effective_from is not None


def test_sample_variants_belong_to_their_municipalities(seeded: Flask) -> None:
    with seeded.app_context():
        for case in case_types():
            stored = {
                v.municipality.number
                for v in db.session.scalars(
                    select(Variant).join(ProcessType).where(ProcessType.slug == case.slug)
                )
            }
            assert set(variants(case.slug)) <= stored


def test_other_members_get_marked_synthetic_byggesak_variants(seeded: Flask) -> None:
    with seeded.app_context():
        digi = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        assert digi is not None
        byggesak = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
        versions = db.session.scalars(
            select(ProcessVersion).join(Variant).where(Variant.process_type_id == byggesak.id)  # type: ignore[union-attr]
        ).all()
        # One version per member, and Stjørdal's second (its illustrative gevinstrealiseringsplan follows it up).
        assert len({v.variant_id for v in versions}) == len(digi.members_on(dt.date.today())) == 38
        later = [v for v in versions if v.number > 1]
        assert [(v.variant.municipality.number, v.number) for v in later] == [("5035", 2)]  # type: ignore[union-attr]
        assert "Illustrativt eksempel" in later[0].comment
        synthetic = [v for v in versions if v.variant.municipality.number not in variants("byggesak")]  # type: ignore[union-attr]
        assert len(synthetic) == 38 - len(variants("byggesak"))
        for v in synthetic:
            assert "Syntetisk" in v.comment and f"frø {SYNTHETIC_SEED}" in v.comment
            assert load_process(v).metadata["synthetic"] == "true"


def test_demo_map_is_rich_and_complete(seeded: Flask) -> None:
    with seeded.app_context():
        digi = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        byggesak = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
        state = divergence_state(digi, byggesak)  # type: ignore[arg-type]
        assert state.is_complete
        assert state.dmap is not None and len(state.dmap.rows) == 38
        assert state.dmap.heatmap.complete
        seen = {c.status for r in state.dmap.rows for c in r.cells}
        assert seen == set(CellStatus)
        # Grouping is chosen from the data: the byggesak variants of one standard may well be one
        # group (they are, since nynorsk wording no longer counts as renaming), but the demo must
        # show the grouping somewhere, with what was chosen and why.
        assert state.dmap.clustering is not None and state.dmap.clustering.rule in ("silhouette", "one")
        grouped = []
        for slug in ("byggesak", "startlan", "skjenkebevilling", "innsyn"):
            other = divergence_state(digi, db.session.scalar(select(ProcessType).where(ProcessType.slug == slug)))  # type: ignore[arg-type]
            assert other.dmap is not None
            if len({r.cluster for r in other.dmap.rows}) > 1:
                grouped.append(slug)
        assert grouped, "no demo process type shows more than one group"
        failed = db.session.scalar(select(func.count()).select_from(Comparison).where(Comparison.status != "done"))
        assert failed == 0


def test_demo_pages_answer(seeded: Flask) -> None:
    from registry.users.models import User
    from registry.users.services import set_password
    from tests.registry.conftest import login

    with seeded.app_context():
        user = db.session.scalar(select(User).where(User.email == "koordinator@demo.kommune.no"))
        set_password(user, "a long test password")  # type: ignore[arg-type]
        db.session.commit()
    client = seeded.test_client()
    login(client, "koordinator@demo.kommune.no")
    for slug in ("byggesak", "startlan", "skjenkebevilling", "innsyn"):
        assert client.get(f"/samarbeid/digi-trondelag/avvik/{slug}").status_code == 200


def test_demo_proposal_departs_from_the_standard_in_a_way_worth_reading(seeded: Flask) -> None:
    from registry.harmonisation.services import (
        ProposalSettings,
        harmonisation_inputs,
        proposal_for,
    )

    with seeded.app_context():
        digi = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
        assert digi is not None and process_type is not None
        proposal = proposal_for(harmonisation_inputs(digi, process_type), ProposalSettings())
        texts = proposal.texts("nb")
        assert any("«Kontrollere erklæringer om ansvarsrett» er tatt med" in t for t in texts), texts
        assert any("«Føre tiltaket i matrikkelen» er tatt ut" in t for t in texts), texts


def test_demo_plans_are_followed_up_and_labelled_illustrative(seeded: Flask) -> None:
    from registry.harmonisation.models import ChangeFollowUp, JustifiedDeviation

    with seeded.app_context():
        follow_ups = db.session.scalars(select(ChangeFollowUp)).all()
        deviations = db.session.scalars(select(JustifiedDeviation)).all()
        assert {f.status for f in follow_ups} == {"planned", "in_progress", "done"}
        # Stjørdal's version 2 carried out a change of its plan: the registry marked it done by itself.
        done = [f for f in follow_ups if f.status == "done"]
        assert all(f.automatic and f.done_in_version is not None and f.done_in_version.number == 2 for f in done)
        manual = [f for f in follow_ups if not f.automatic]
        assert len(deviations) == 1
        assert all("Illustrativt eksempel" in x for x in [f.note for f in manual] + [deviations[0].reason])


def test_the_gains_pages_are_full_on_first_start(seeded: Flask) -> None:
    from registry.gains.services import cooperation_estimate

    with seeded.app_context():
        digi = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
        state = cooperation_estimate(digi, process_type)
        assert state.assumptions.hourly_cost is not None
        assert state.assumptions.hourly_cost.source.startswith("Illustrativt eksempel")
        given = {name for name, mp in state.plans.items() if mp.variant.cases_per_year is not None}
        assert {"Trondheim - Tråante", "Steinkjer"} <= given
        # Some member gains from the standard, and the ranking puts the largest first.
        assert state.gains.members and state.gains.members[0].nok.expected > 0
        assert any(line.kind.value == "change_mode" and line.hours.expected > 0
                   for e in state.gains.estimates.values() for line in e.lines)


def test_the_demo_shows_a_realisation_plan_with_event_logs(seeded: Flask) -> None:
    """Stjørdal: a baseline four months back with the event log of then, version 2 since, a newer log."""
    from registry.gains.models import GainEventLog, GainPlan
    from registry.gains.services import latest_event_log, plan_state
    from registry.variants.models import Variant

    with seeded.app_context():
        plan = db.session.scalar(select(GainPlan))
        assert plan is not None and plan.variant.municipality.number == "5035"
        assert plan.baseline_date < dt.date.today() and plan.baseline_inputs["measurement"]["cases"] > 0
        logs = db.session.scalars(select(GainEventLog).order_by(GainEventLog.uploaded_at)).all()
        assert [log.filename.startswith("illustrativ-") for log in logs] == [True, True]
        # Each log covers a period before it was uploaded, never the future.
        assert all(log.last_event is not None and log.last_event <= log.uploaded_at for log in logs)
        variant = db.session.get(Variant, plan.variant_id)
        assert latest_event_log(variant) == logs[-1]
        latest = max(variant.versions, key=lambda v: v.number)
        state = plan_state(variant, plan.cooperation, latest)
        assert state is not None and state.realisation is not None
        assert any(e.realised is not None and e.realised.status == "realised" for e in state.lines)
    client = seeded.test_client()
    html = client.get("/kommuner/5035/prosesser/byggesak/gevinster/plan/digi-trondelag").get_data(as_text=True)
    assert "Realisert: målt i versjon 2" in html and "<strong>Realisert</strong>" in html
    assert "Leder byggesak" in html


def test_the_demo_comparison_pages_do_not_show_issue_12s_failures(seeded: Flask) -> None:
    # The matcher's failures that issue 12 lists, as the pages of the demo data would show them
    # (tests/processes/test_samples_matching.py checks every sample pair in the engine).
    client = seeded.test_client()

    def page(number: str, slug: str) -> str:
        response = client.get(f"/kommuner/{number}/prosesser/{slug}/sammenlign/standard/digi-trondelag")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    oppdal = page("5021", "byggesak")  # nynorsk
    for nynorsk in ("Søknad motteken", "Sende førebels svar", "Løyve gjeve"):
        assert f"heter «{nynorsk}»" not in oppdal, nynorsk  # not a renamed step
    assert "Samme ordlyd, i annen bøyning eller på nynorsk og bokmål" in oppdal
    trondheim = page("5001", "byggesak")
    # «Vurdere søknaden» split into two steps is one group, not one missing and two extra steps.
    assert "«Vurdere søknaden» finnes i standarden, men mangler" not in trondheim
    assert "finnes i Trondheim - Tråante, men ikke i DigiTrøndelag" in trondheim  # a real extra step
    assert "«Vurdere forholdet til plan og dispensasjoner» finnes i" not in trondheim
    # «Fordele saken til saksbehandler» ↔ «Saksfordeling» is a pair (renamed), not missing.
    assert "«Fordele saken til saksbehandler» finnes i standarden, men mangler" not in trondheim
    # Identical labels read as identical: «Samme navn» at 98 % or more, with the number explained.
    assert "Samme navn" in trondheim and "Hva sikkerheten betyr" in trondheim
    assert "68 %" not in trondheim
    startlan = page("5001", "startlan")
    assert "«Ettersende dokumentasjon» finnes i standarden, men mangler" not in startlan
