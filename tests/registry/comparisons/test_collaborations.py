"""A comparison of two collaborations of several parties, as the registry stores and shows it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from registry.comparisons.models import Comparison
from registry.comparisons.services import alignment_rows, result_of, step_choices
from registry.graphs import load_process
from tests.registry.process_factories import (
    build_world,
    create_standard_version,
    create_variant_version,
)

FIXTURES = Path(__file__).parents[2] / "processes" / "fixtures"


@pytest.fixture
def row(db: Any) -> Comparison:
    w = build_world()
    create_standard_version(
        w["digi"], w["process_type"], (FIXTURES / "byggesak_tre_parter.bpmn").read_bytes(), filename="standard.bpmn"
    )
    version = create_variant_version(
        w["trondheim"],
        w["process_type"],
        (FIXTURES / "byggesak_tre_parter_variant.bpmn").read_bytes(),
        filename="variant.bpmn",
    )
    db.session.commit()
    return db.session.scalars(
        select(Comparison).where(Comparison.version_b_id == version.id).order_by(Comparison.id.desc())
    ).first()  # type: ignore[return-value]


def test_the_stored_sentences_say_what_changed_between_the_parties(row: Comparison) -> None:
    texts = [d["text"] for d in result_of(row)["nb"]["differences"]]
    assert "I DigiTrøndelag går meldingen «Vedtak» fra «Sende vedtak» til «Vedtak mottatt», men ikke i Trondheim." in texts
    assert not [t for t in texts if "hoppes over" in t or re.search(r"Event_\w+", t)]


def test_the_correspondence_table_names_an_unnamed_step_by_its_position(row: Comparison) -> None:
    missing = [label for r in alignment_rows(row, "en") if r.kind == "missing" for _, label in r.a_steps]
    assert missing == ["The end event after “Vedtak mottatt”"]
    assert [label for r in alignment_rows(row) if r.kind == "missing" for _, label in r.a_steps] == [
        "Slutthendelsen etter «Vedtak mottatt»"
    ]


def test_the_step_choices_never_show_an_id(row: Comparison) -> None:
    labels = [label for _, label in step_choices(load_process(row.version_a), "nb")]
    assert "Sende vedtak" in labels
    assert not [label for label in labels if re.search(r"Event_\w+", label)]
