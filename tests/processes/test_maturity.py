"""Digital maturity: counts by mode, unknown modes said plainly, tables and versions."""

from __future__ import annotations

import datetime
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from processes import samples
from processes.maturity import (
    MODES,
    UNKNOWN,
    combine,
    maturity,
    maturity_over_time,
    maturity_table,
)
from processes.model import Mode, Process, Step, StepKind


def process(*modes: str | None, name: str = "Byggesak") -> Process:
    p = Process("p", name)
    p.add_step(Step("start", "Start", StepKind.START_EVENT))
    for i, mode in enumerate(modes):
        p.add_step(Step(f"s{i}", f"Steg {i}", mode=mode))
    p.add_step(Step("slutt", "Slutt", StepKind.END_EVENT))
    return p


def test_counts_shares_and_named_steps() -> None:
    m = maturity(process("paper", "paper", "manual", "digital", "automated", "self_service", None, None))
    assert m.total == 8 and m.known == 6
    assert dict(m.counts) == {"paper": 2, "manual": 1, "digital": 1, "automated": 1, "self_service": 1,
                              UNKNOWN: 2}
    assert m.digital == 3
    assert m.digital_share == 3 / 8
    assert m.digital_share_known == 0.5
    assert m.share("paper") == 0.25
    assert [s.step_id for s in m.paper_steps] == ["s0", "s1"]
    assert [s.step_id for s in m.unknown_steps] == ["s6", "s7"]
    assert m.text() == (
        "3 av 8 steg (38 %) gjøres digitalt, automatisk eller som selvbetjening. "
        "2 steg gjøres på papir: «Steg 0» og «Steg 1». "
        "For 2 steg er arbeidsmåten ikke oppgitt: «Steg 6» og «Steg 7»."
    )
    assert m.text("en") == (
        "3 of 8 steps (38%) are done digitally, automatically or as self-service. "
        "2 steps are done on paper: “Steg 0” and “Steg 1”. "
        "For 2 steps the mode is not stated: “Steg 6” and “Steg 7”."
    )


def test_events_are_not_counted_and_subprocess_containers_give_way_to_their_steps() -> None:
    p = process("digital")
    p.add_step(Step("sub", "Behandle", StepKind.SUBPROCESS, mode="manual"))
    p.add_step(Step("inner", "Innhente uttalelse", mode="paper", parent="sub"))
    p.add_step(Step("call", "Fakturere", StepKind.CALL_ACTIVITY, mode="automated"))
    m = maturity(p)
    assert m.total == 3
    assert [s.step_id for s in m.paper_steps] == ["inner"]


def test_an_empty_process_says_so() -> None:
    m = maturity(Process("p", "Tom"))
    assert m.total == 0 and m.digital_share is None and m.digital_share_known is None
    assert m.text() == "Det er ingen steg å telle arbeidsmåten for."


def test_only_unknown_modes_are_not_called_digital() -> None:
    m = maturity(process(None, None))
    assert m.digital_share == 0.0 and m.digital_share_known is None
    assert "For 2 steg er arbeidsmåten ikke oppgitt" in m.text()


def test_combine_adds_up_a_municipality_across_its_processes() -> None:
    a = maturity(process("paper", "digital", name="Byggesak"))
    b = maturity(process("self_service", None, "digital", name="Startlån"))
    both = combine({"byggesak": a, "startlan": b}, name="Malvik")
    assert both.total == 5 and both.digital == 3
    assert [(s.process, s.step_id) for s in both.paper_steps] == [("Byggesak", "s0")]
    assert [(s.process, s.step_id) for s in both.unknown_steps] == [("Startlån", "s1")]
    assert set(both.parts) == {"byggesak", "startlan"}
    assert json.loads(json.dumps(both.to_dict()))["parts"]["startlan"]["total"] == 3


def test_table_of_municipalities_by_process_type() -> None:
    table = maturity_table({
        "Malvik": {"byggesak": process("digital", "digital"), "startlan": process("paper")},
        "Skaun": {"byggesak": process("manual", None)},
    })
    assert table.members == ("Malvik", "Skaun") and table.types == ("byggesak", "startlan")
    assert table.cell("Skaun", "startlan") is None
    grid = table.grid()
    assert [(m, [c.digital if c else None for c in cells], total.total) for m, cells, total in grid] == [
        ("Malvik", [2, 0], 3), ("Skaun", [0, None], 2)
    ]
    assert table.columns["byggesak"].total == 4 and table.columns["byggesak"].digital == 2
    assert table.total.total == 5
    assert table.text() == (
        "Samlet gjøres 40 % av stegene digitalt; høyest Malvik (67 %), lavest Skaun (0 %). "
        "For 1 av 5 steg er arbeidsmåten ikke oppgitt."
    )


def test_table_of_the_demo_cooperation_has_every_member_and_case_type() -> None:
    data: dict[str, dict[str, Process]] = {}
    for ct in samples.case_types():
        for code, p in samples.variants(ct.slug).items():
            data.setdefault(samples.MUNICIPALITIES[code], {})[ct.slug] = p
    table = maturity_table(data)
    assert set(table.types) == {ct.slug for ct in samples.case_types()}
    assert table.total.total == sum(c.total for c in table.cells.values())
    assert sum(r.total for r in table.rows.values()) == table.total.total


def test_over_time_says_what_left_paper() -> None:
    v1 = process("paper", "paper", None)
    v2 = v1.copy()
    v2.replace_element(v2.step("s0").replace(mode=Mode.DIGITAL))
    v3 = v2.copy()
    v3.replace_element(v3.step("s2").replace(mode=Mode.PAPER))
    points = maturity_over_time([(datetime.date(2024, 1, 1), v1), (datetime.date(2025, 1, 1), v2),
                                 ("2026", v3)])
    assert [p.digital_change for p in points] == [0, 1, 0]
    assert [s.step_id for s in points[1].left_paper] == ["s0"]
    assert [s.step_id for s in points[2].went_paper] == ["s2"]
    assert points[1].text() == (
        "2025-01-01: 1 av 3 steg digitale (33 %). 1 digitalt steg mer enn før. Ikke lenger på papir: «Steg 0». "
        "For 1 steg er arbeidsmåten ikke oppgitt."
    )
    assert points[2].text("en") == "2026: 1 of 3 steps digital (33%). Now on paper: “Steg 2”."


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([None, *[m.value for m in Mode]]), max_size=30))
def test_counts_always_add_up_and_shares_are_shares(modes: list[str | None]) -> None:
    m = maturity(process(*modes))
    assert m.total == len(modes) == sum(m.counts[k] for k in MODES)
    assert m.counts[UNKNOWN] == modes.count(None) == len(m.unknown_steps)
    assert len(m.paper_steps) == modes.count("paper")
    if modes:
        assert abs(sum(m.shares.values()) - 1.0) < 1e-9
        assert m.digital_share is not None and 0.0 <= m.digital_share <= 1.0
    assert m.text()
