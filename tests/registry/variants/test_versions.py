"""Versions: numbered, immutable, restorable; saving one requests its comparisons."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.graphs import ENGINE_VERSION, load_process
from registry.municipalities.models import Municipality
from registry.variants.models import ImmutableVersionError, ProcessVersion
from registry.variants.services import (
    StepEdit,
    edit_steps,
    find_variant,
    restore_version,
)
from tests.registry.process_factories import build_world, create_variant_version, sample


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    w = build_world()
    db.session.commit()
    return w


def test_each_save_is_a_new_numbered_version_with_author_and_comment(world: dict[str, Any]) -> None:
    owner = world["users"]["owner"]
    first = create_variant_version(world["trondheim"], world["process_type"], author=owner, comment="Første")
    second = create_variant_version(
        world["trondheim"], world["process_type"], sample("5006"), author=owner, comment="Andre"
    )
    assert (first.number, second.number) == (1, 2)
    assert first.variant is second.variant
    assert (second.author, second.comment) == (owner, "Andre")
    assert first.source_data == sample("5001")


def test_a_saved_version_cannot_be_changed(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    db.session.commit()
    version.content = "steps: [x]\n"
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()


def test_restoring_adds_a_copy_and_keeps_every_version(world: dict[str, Any]) -> None:
    owner = world["users"]["owner"]
    first = create_variant_version(world["trondheim"], world["process_type"], author=owner)
    create_variant_version(world["trondheim"], world["process_type"], sample("5006"), author=owner)
    restored = restore_version(first, user=owner)
    db.session.commit()
    versions = db.session.scalars(select(ProcessVersion).where(ProcessVersion.variant_id == first.variant_id)).all()
    assert [v.number for v in versions] == [1, 2, 3]
    assert restored.content == first.content and restored.restored_from is first
    assert "1" in restored.comment


def test_the_quick_editor_saves_a_new_version_and_leaves_the_old_one(world: dict[str, Any]) -> None:
    owner = world["users"]["owner"]
    version = create_variant_version(world["trondheim"], world["process_type"], author=owner)
    step = load_process(version).steps[1]
    edit = StepEdit(step.id, "Registrere <b>saken</b>", "Arkiv", "digital", "Elements", "fvl. § 11")
    new = edit_steps(version, [edit], user=owner, comment="Nytt navn")
    db.session.commit()
    assert new is not None and new.number == 2
    changed = load_process(new).step(step.id)
    assert (changed.label, changed.lane, changed.mode, changed.system, changed.legal_basis) == (
        "Registrere <b>saken</b>",
        "Arkiv",
        "digital",
        "Elements",
        "fvl. § 11",
    )
    assert load_process(version).step(step.id).label == step.label


def test_the_quick_editor_saves_nothing_when_nothing_changed(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    step = load_process(version).steps[1]
    same = StepEdit(
        step.id, step.label, step.lane or "", step.mode or "", step.system or "", step.legal_basis or ""
    )
    assert edit_steps(version, [same], user=None) is None


def test_saving_a_variant_version_compares_it_with_the_standard_and_stamps_the_engine(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"])
    db.session.commit()
    row = db.session.scalar(select(Comparison).where(Comparison.version_b_id == version.id))
    assert row is not None
    assert row.version_a_id == world["standard_version"].id
    assert row.engine_version == ENGINE_VERSION
    assert row.status == "done" and 0 <= row.overall <= 1


def test_saving_a_version_is_in_the_audit_log_without_the_file(world: dict[str, Any]) -> None:
    version = create_variant_version(world["trondheim"], world["process_type"], author=world["users"]["owner"])
    db.session.commit()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "ProcessVersion", AuditEvent.object_id == str(version.id))
    )
    assert event is not None
    assert event.actor_label == world["users"]["owner"].email
    assert "source_data" not in event.changes and "content" not in event.changes


def test_a_variant_registered_under_a_merged_municipality_is_found_under_its_successor(world: dict[str, Any]) -> None:
    version = create_variant_version(world["klaebu"], world["process_type"])
    db.session.commit()
    assert find_variant(world["trondheim"], world["process_type"]) is version.variant


@pytest.mark.parametrize(
    ("number", "expected"),
    [("5001", [2, 3]), ("5035", [1, 2])],
    ids=["variant-exists", "first-upload"],
)
def test_two_saves_at_once_get_the_next_numbers_one_after_the_other(
    tmp_path: Any, number: str, expected: list[int]
) -> None:
    from registry.variants.models import Variant
    from tests.registry.conftest import make_app
    from tests.registry.process_factories import build_site, save_twice_at_once

    # A database file, not the in-memory one: the two saves need two real connections.
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'registry.sqlite'}")
    try:
        build_site(app)  # Trondheim (5001) has version 1; Stjørdal (5035) has no variant yet
        assert save_twice_at_once(app, number) == expected
        with app.app_context():
            variants = db.session.scalars(select(Variant).join(Variant.municipality).where(Municipality.number == number))
            assert [len(v.versions) for v in variants] == [expected[-1]]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
