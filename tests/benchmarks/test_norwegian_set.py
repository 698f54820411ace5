"""The independent Norwegian step-matching set (benchmarks/norwegian/, issue 12) is well formed.

The set was written by hand, gold first, without looking at the matcher. This test only checks
the files: every variant reads in the native format, every gold file names existing steps on the
right side, covers every step exactly once and has at least the agreed number of cases per
failure class. It deliberately imports nothing of the matcher (align, labels, similarity, text,
compare, benchmarks.matching, benchmarks.gold).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from processes import samples
from processes.formats import read_process
from processes.model import Process

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "benchmarks" / "norwegian"
CASE_TYPES = ("byggesak", "startlan", "skjenkebevilling", "innsyn")
VARIANTS_PER_CASE = 3

CLASSES = {
    "plain",
    "generic_word",
    "other_action_or_actor",
    "specialisation",
    "word_formation",
    "nynorsk",
    "synonym",
}
SUBCLASSES = {
    "other_action_or_actor": {"send_receive", "approve_reject", "other_actor", "other_action"},
    "word_formation": {"nominalisation", "compound", "inflection"},
}
# Classes that describe a trap (a pair that must NOT be matched) or a correspondence.
TRAP_CLASSES = {"generic_word", "other_action_or_actor"}
CORRESPONDENCE_CLASSES = CLASSES - TRAP_CLASSES

# The minimum counts the set promises (README, "Counts per failure class").
MIN_NYNORSK_VARIANTS = 3
MIN_SEND_RECEIVE_ACROSS_LANES = 2
MIN_GENERIC_WORD_TRAPS = 3
MIN_SPECIALISATIONS = 3
MIN_NOMINALISATIONS = 4
MIN_SYNONYMS = 3


def variant_files() -> list[Path]:
    return sorted(p for p in SET.glob("*/*.yaml") if not p.name.endswith(".gold.yaml"))


def gold_files() -> list[Path]:
    return sorted(SET.glob("*/*.gold.yaml"))


def load_variant(path: Path) -> Process:
    return read_process(path.read_bytes(), filename=path.name, format="native")


def load_gold(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: the gold file must be a mapping"
    return data


def named_steps(process: Process) -> set[str]:
    """Activities and named events: what a gold file must account for (gateways are not steps)."""
    return {s.id for s in process.steps if s.is_activity or (s.is_event and s.label.strip())}


def pair(path: Path) -> tuple[dict[str, Any], Process, Process]:
    gold = load_gold(path)
    case = path.parent.name
    assert gold.get("case_type") == case, f"{path}: case_type must be {case!r}"
    assert gold.get("a") == "standard", f"{path}: side a is the bundled standard"
    b_path = path.parent / str(gold.get("b"))
    assert b_path.is_file(), f"{path}: b names a missing file {b_path.name}"
    assert b_path.name == path.name.replace(".gold.yaml", ".yaml")
    return gold, samples.standard(case), load_variant(b_path)


def all_pairs() -> list[tuple[Path, dict[str, Any], Process, Process]]:
    return [(path, *pair(path)) for path in gold_files()]


def test_layout_four_case_types_three_variants_each() -> None:
    assert {c.slug for c in samples.case_types()} >= set(CASE_TYPES)
    for case in CASE_TYPES:
        names = [p.stem for p in variant_files() if p.parent.name == case]
        golds = [p.name.removesuffix(".gold.yaml") for p in gold_files() if p.parent.name == case]
        assert len(names) == VARIANTS_PER_CASE, (case, names)
        assert sorted(names) == sorted(golds), f"{case}: every variant has exactly one gold file"
    assert {p.parent.name for p in variant_files()} == set(CASE_TYPES)
    assert (SET / "README.md").is_file()


@pytest.mark.parametrize("path", variant_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_variant_reads_validates_and_is_marked_invented(path: Path) -> None:
    process = load_variant(path)
    assert 8 <= len(process.steps) <= 25, f"{path.name}: {len(process.steps)} steps"
    errors = [p for p in process.validate() if p.severity.value == "error"]
    assert not errors, errors
    assert process.metadata.get("process_type") == path.parent.name
    assert process.metadata.get("invented") == "true"
    assert "oppdiktet" in process.metadata.get("municipality_name", "").lower()
    assert "Oppdiktet testvariant" in path.read_text(encoding="utf-8").splitlines()[0]
    for step in process.steps:
        assert step.label.strip(), f"{path.name}: step {step.id} has no label"
        assert step.lane, f"{path.name}: step {step.id} has no lane"


def _ids(value: Any, where: str) -> list[str]:
    assert isinstance(value, list) and value, f"{where}: a non-empty list of step ids"
    assert all(isinstance(v, str) for v in value), f"{where}: ids are strings"
    return value


def _check_class(entry: dict[str, Any], where: str, allowed: set[str]) -> None:
    cls = entry.get("class")
    assert cls in allowed, f"{where}: class {cls!r} is not one of {sorted(allowed)}"
    sub = entry.get("subclass")
    if cls in SUBCLASSES:
        assert sub in SUBCLASSES[cls], f"{where}: subclass {sub!r} not in {sorted(SUBCLASSES[cls])}"
    else:
        assert sub is None, f"{where}: class {cls!r} takes no subclass"
    assert isinstance(entry.get("note"), str) and entry["note"].strip(), f"{where}: a short note"


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_is_complete_and_consistent(path: Path) -> None:
    gold, a, b = pair(path)
    a_ids, b_ids = {s.id for s in a.steps}, {s.id for s in b.steps}
    assert set(gold) <= {"case_type", "a", "b", "correspondences", "unmatched_a", "unmatched_b", "not_pairs"}

    matched_a: Counter[str] = Counter()
    matched_b: Counter[str] = Counter()
    group: dict[tuple[str, str], int] = {}
    for n, corr in enumerate(gold["correspondences"]):
        where = f"{path.name}: correspondences[{n}]"
        _check_class(corr, where, CORRESPONDENCE_CLASSES)
        side_a, side_b = _ids(corr.get("a"), where + ".a"), _ids(corr.get("b"), where + ".b")
        assert set(side_a) <= a_ids, f"{where}: not steps of the standard: {set(side_a) - a_ids}"
        assert set(side_b) <= b_ids, f"{where}: not steps of {gold['b']}: {set(side_b) - b_ids}"
        many = len(side_a) > 1 or len(side_b) > 1
        assert many == (corr["class"] == "specialisation"), f"{where}: only specialisation is n:1 or 1:n"
        matched_a.update(side_a)
        matched_b.update(side_b)
        for x in side_a:
            for y in side_b:
                group[(x, y)] = n

    assert not [s for s, c in matched_a.items() if c > 1], f"{path.name}: an a step in two correspondences"
    assert not [s for s, c in matched_b.items() if c > 1], f"{path.name}: a b step in two correspondences"

    unmatched_a = list(gold.get("unmatched_a") or [])
    unmatched_b = list(gold.get("unmatched_b") or [])
    assert set(unmatched_a) <= a_ids, set(unmatched_a) - a_ids
    assert set(unmatched_b) <= b_ids, set(unmatched_b) - b_ids
    assert len(set(unmatched_a)) == len(unmatched_a) and len(set(unmatched_b)) == len(unmatched_b)
    assert not set(unmatched_a) & set(matched_a), f"{path.name}: matched and unmatched in a"
    assert not set(unmatched_b) & set(matched_b), f"{path.name}: matched and unmatched in b"
    assert set(matched_a) | set(unmatched_a) == named_steps(a), (
        f"{path.name}: a steps neither matched nor unmatched: {named_steps(a) - set(matched_a) - set(unmatched_a)}"
    )
    assert set(matched_b) | set(unmatched_b) == named_steps(b), (
        f"{path.name}: b steps neither matched nor unmatched: {named_steps(b) - set(matched_b) - set(unmatched_b)}"
    )

    seen = set()
    for n, trap in enumerate(gold.get("not_pairs") or []):
        where = f"{path.name}: not_pairs[{n}]"
        _check_class(trap, where, TRAP_CLASSES)
        x, y = trap.get("a"), trap.get("b")
        assert x in a_ids, f"{where}: {x!r} is not a step of the standard"
        assert y in b_ids, f"{where}: {y!r} is not a step of {gold['b']}"
        assert (x, y) not in group, f"{where}: a trap cannot lie inside correspondence {group[(x, y)]}"
        assert (x, y) not in seen, f"{where}: listed twice"
        seen.add((x, y))


def test_counts_per_failure_class() -> None:
    pairs = all_pairs()
    corr = [c for _, g, _, _ in pairs for c in g["correspondences"]]
    nynorsk_variants = [
        path for path, _, _, b in pairs if b.metadata.get("language") == "nynorsk"
    ]
    assert len(nynorsk_variants) >= MIN_NYNORSK_VARIANTS
    for path, gold, _, _ in pairs:
        if path in nynorsk_variants:
            assert any(c["class"] == "nynorsk" for c in gold["correspondences"]), path.name

    send_receive = 0
    generic = 0
    for _, gold, a, b in pairs:
        for trap in gold.get("not_pairs") or []:
            if trap["class"] == "generic_word":
                generic += 1
            if trap.get("subclass") == "send_receive":
                lane_a, lane_b = a.step(trap["a"]).lane, b.step(trap["b"]).lane
                assert lane_a != lane_b, f"send/receive trap {trap} lies within one lane"
                send_receive += 1
    assert send_receive >= MIN_SEND_RECEIVE_ACROSS_LANES
    assert generic >= MIN_GENERIC_WORD_TRAPS
    assert sum(c["class"] == "specialisation" for c in corr) >= MIN_SPECIALISATIONS
    assert sum(c.get("subclass") == "nominalisation" for c in corr) >= MIN_NOMINALISATIONS
    assert sum(c["class"] == "synonym" for c in corr) >= MIN_SYNONYMS


def test_readme_counts_match_the_files() -> None:
    """The README's table of counts is the files' counts (it is regenerated by hand, so check it)."""
    pairs = all_pairs()
    counts: Counter[str] = Counter()
    for _, gold, _, _ in pairs:
        for c in gold["correspondences"]:
            counts[f"correspondence {c['class']}" + (f"/{c['subclass']}" if c.get("subclass") else "")] += 1
            counts[f"shape {len(c['a'])}:{len(c['b'])}"] += 1
        for t in gold.get("not_pairs") or []:
            counts[f"not_pair {t['class']}" + (f"/{t['subclass']}" if t.get("subclass") else "")] += 1
        counts["unmatched_a"] += len(gold.get("unmatched_a") or [])
        counts["unmatched_b"] += len(gold.get("unmatched_b") or [])
    readme = (SET / "README.md").read_text(encoding="utf-8")
    for key, value in counts.items():
        assert f"| {key} | {value} |" in readme, f"README.md lacks the row | {key} | {value} |"


def test_the_test_does_not_import_the_matcher() -> None:
    text = Path(__file__).read_text(encoding="utf-8")
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    for forbidden in ("align", "labels", "similarity", "text", "compare", "matching", "gold"):
        assert not [line for line in imports if forbidden in line.split()[1].split(".")], forbidden
