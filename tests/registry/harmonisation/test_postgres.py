"""Harmonisation on PostgreSQL: proposal, draft, follow-up, justified deviations, a new version marking changes done."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from registry.harmonisation.models import ChangeFollowUp, JustifiedDeviation
from registry.municipalities.models import Municipality
from registry.variants.models import ProcessVersion, Variant
from tests.registry.conftest import make_app
from tests.registry.divergence.world import (
    build_map_world,
    chain_bytes,
    client_as,
    save,
)
from tests.registry.harmonisation.test_follow_up import (
    JUSTIFY,
    MELHUS_V2,
    PLAN,
    STATUS,
    _befaring_key,
)

pytestmark = pytest.mark.postgres

PROPOSAL = "/samarbeid/digi-trondelag/forslag/byggesak"


def test_harmonisation_flow_on_postgresql(postgres_schema_url: str) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_schema_url)
    try:
        with app.app_context():
            build_map_world()
            db.session.commit()
        coordinator = client_as(app, "coordinator")
        page = coordinator.get(PROPOSAL + "?oppslutning=75")
        assert page.status_code == 200 and "Sende faktura" in page.get_data(as_text=True)
        draft = coordinator.post(PROPOSAL + "/utkast", data={"oppslutning": "75", "vekt": "equal"})
        assert draft.status_code == 302
        owner = client_as(app, "owner")
        key = _befaring_key(app)
        assert owner.post(
            STATUS, data={"form_prefix": "a", "a-key": key, "a-status": "planned", "a-planned_for": "2027-05-01"}
        ).status_code == 302
        assert owner.post(
            JUSTIFY, data={"form_prefix": "d", "d-key": key, "d-category": "law", "d-reason": "Forskrift."}
        ).status_code == 302
        html = owner.get(PLAN).get_data(as_text=True)
        assert "Justified deviations" in html and "law or regulation" in html
        assert "1 justified deviation." in coordinator.get("/samarbeid/digi-trondelag/begrunnede-avvik").get_data(
            as_text=True
        )
        # Withdraw, then let a new version make the change: the registry marks it done.
        with app.app_context():
            deviation_id = db.session.scalar(select(JustifiedDeviation.id))
        assert owner.post(f"{JUSTIFY}/{deviation_id}/trekk").status_code == 302
        with app.app_context():
            melhus = db.session.scalar(select(Municipality).where(Municipality.number == "5028"))
            variant = db.session.scalar(select(Variant).where(Variant.municipality_id == melhus.id))
            save(variant, chain_bytes(MELHUS_V2))
            db.session.commit()
            row = db.session.scalar(select(ChangeFollowUp))
            assert row is not None and row.status == "done" and row.automatic
            assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) == 7
        assert "Marked done by the registry: version 2" in owner.get(PLAN).get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_database_refuses_a_planned_change_without_a_date_and_a_second_row(postgres_schema_url: str) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=postgres_schema_url)
    try:
        with app.app_context():
            world = build_map_world()
            db.session.commit()
            variant = db.session.scalar(select(Variant))
            assert variant is not None
            coop = world["digi"]
            db.session.add(ChangeFollowUp(variant_id=variant.id, cooperation_id=coop.id, change_key="k", status="planned"))
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()
            for _ in range(2):
                db.session.add(
                    ChangeFollowUp(
                        variant_id=variant.id, cooperation_id=coop.id, change_key="k", status="planned",
                        planned_for=dt.date(2027, 1, 1),
                    )
                )
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()
            db.session.add(
                JustifiedDeviation(variant_id=variant.id, cooperation_id=coop.id, category="whim", reason="x",
                                   standard_step_label="Befaring")
            )
            with pytest.raises(IntegrityError):
                db.session.commit()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
