"""The description page names an unnamed step by its kind and position, never by its id."""

from __future__ import annotations

from pathlib import Path

from processes.formats.bpmn import read_bpmn
from registry.exports.services import described_steps

FIXTURE = Path(__file__).parents[2] / "processes" / "fixtures" / "byggesak_tre_parter.bpmn"


def test_an_unnamed_end_event_is_described_by_the_step_before_it() -> None:
    process = read_bpmn(FIXTURE.read_bytes())
    labels = {s.id: s.label for s in described_steps(process, "nb")}
    assert labels["Event_00e2q3k"] == "Slutthendelsen etter «Vedtak mottatt»"
    assert labels["T_vedtak"] == "Fatte vedtak"
    english = {s.id: s.label for s in described_steps(process, "en")}
    assert english["Event_1kq9z2a"] == "The end event after “Sende vedtak”"
