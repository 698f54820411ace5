"""Tests for the bundled illustrative sample processes."""

from __future__ import annotations

import csv
import doctest
import functools
import re
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

import processes.samples
from processes.diff import DifferenceKind
from processes.formats.native import read_native, write_native
from processes.generate import generate_variants
from processes.model import Process, Severity
from processes.samples import (
    MUNICIPALITIES,
    case_type,
    case_types,
    differences,
    load_sample,
    sample_bytes,
    standard,
    truth,
    variants,
)

ILLUSTRATIVE = "Illustrativt eksempel – ikke kommunens faktiske prosess"
SLUGS = [c.slug for c in case_types()]
ALL_SAMPLES = [(c.slug, "standard") for c in case_types()] + [
    (c.slug, code) for c in case_types() for code in c.municipalities
]
ALL_VARIANTS = [(slug, name) for slug, name in ALL_SAMPLES if name != "standard"]


def sample_id(value: object) -> str:
    return str(value)


@functools.cache
def cached(slug: str, name: str) -> Process:
    """A sample parsed once per test run; only for tests that do not change it."""
    return load_sample(slug, name)


def test_doctests() -> None:
    result = doctest.testmod(processes.samples)
    assert result.attempted > 0
    assert result.failed == 0


def test_at_least_three_case_types_with_eight_variants_each() -> None:
    assert len(SLUGS) >= 3
    for c in case_types():
        assert len(variants(c)) >= 8, c.slug


@pytest.mark.parametrize(("slug", "name"), ALL_SAMPLES, ids=sample_id)
def test_every_sample_reads_and_validates_without_problems(slug: str, name: str) -> None:
    process = read_native(sample_bytes(slug, name), source=f"{slug}/{name}")
    assert process.validate() == [], [str(p) for p in process.validate()]


@pytest.mark.parametrize(("slug", "name"), ALL_SAMPLES, ids=sample_id)
def test_every_sample_is_marked_illustrative(slug: str, name: str) -> None:
    process = cached(slug, name)
    assert process.metadata["illustrative"] == "true"
    assert ILLUSTRATIVE in (process.documentation or "")
    # The file itself says so too, for whoever opens it in an editor.
    header = sample_bytes(slug, name).split(b"\n", 2)[1].decode()
    assert header.startswith("# Illustrativt eksempel") and "faktiske prosess" in header


@pytest.mark.parametrize(("slug", "name"), ALL_SAMPLES, ids=sample_id)
def test_every_sample_round_trips_through_the_native_format(slug: str, name: str) -> None:
    process = cached(slug, name)
    assert read_native(write_native(process)) == process


@pytest.mark.parametrize(("slug", "name"), ALL_SAMPLES, ids=sample_id)
def test_steps_are_described_like_a_process_owner_would(slug: str, name: str) -> None:
    process = cached(slug, name)
    ids = [e.id for e in process.elements]
    assert len(ids) == len(set(ids))
    # Every lane is used (no empty swimlane) and every step is in a declared lane.
    assert set(process.lanes) == {s.lane for s in process.steps}
    # Gateways sit in a lane too, so a swimlane diagram has no lane-less band.
    assert all(g.lane in process.lanes for g in process.gateways)
    for step in process.steps:
        assert step.label.strip()
        assert step.lane, step.id
        if step.is_activity:
            assert step.mode is not None, step.id
        assert step.legal_basis is None or step.legal_basis.strip()


@pytest.mark.parametrize("slug", SLUGS)
def test_standards_have_12_to_25_steps_with_legal_bases_and_systems(slug: str) -> None:
    process = standard(slug)
    assert 12 <= len(process.steps) <= 25
    assert process.metadata["role"] == "standard"
    assert sum(1 for s in process.steps if s.legal_basis) >= 4
    assert sum(1 for s in process.steps if s.system) >= 6
    assert len(process.lanes) >= 3


@pytest.mark.parametrize(("slug", "code"), ALL_VARIANTS, ids=sample_id)
def test_variant_metadata_names_the_municipality(slug: str, code: str) -> None:
    process = cached(slug, code)
    assert process.metadata["municipality"] == code
    assert process.metadata["municipality_name"] == MUNICIPALITIES[code]
    assert process.metadata["variant_of"] == cached(slug, "standard").id
    assert process.metadata["language"] in {"nb", "nn"}
    assert process.metadata["closeness"] in {"near", "medium", "far"}
    assert process.id == f"{slug}-{code}"


def test_municipality_codes_exist_in_the_2024_trondelag_list(shared_data: Path) -> None:
    with (shared_data / "kommuner" / "trondelag_2024_regtools.csv").open(encoding="utf-8") as f:
        official = {row["kommunenummer"]: row["kommunenavn"] for row in csv.DictReader(f)}
    used = {code for c in case_types() for code in c.municipalities}
    assert used <= set(official)
    for code in used:
        assert MUNICIPALITIES[code] == official[code]


def test_the_list_of_municipalities_is_exactly_the_ones_used() -> None:
    used = {code for c in case_types() for code in c.municipalities}
    assert used == set(MUNICIPALITIES)
    assert all(re.fullmatch(r"50\d\d", code) for code in used)


@pytest.mark.parametrize(("slug", "code"), ALL_VARIANTS, ids=sample_id)
def test_variants_really_differ_from_the_standard(slug: str, code: str) -> None:
    std, variant = cached(slug, "standard"), cached(slug, code)

    def signature(p: Process) -> tuple[object, ...]:
        steps = sorted((s.label, s.lane or "", s.mode or "", s.system or "", s.legal_basis or "",
                        s.handling_days or 0) for s in p.steps)  # fmt: skip
        labels = {s.id: s.label for s in p.steps}
        edges = sorted((labels[u], labels[v]) for u, v in p.step_graph().edges)
        return (steps, edges)

    assert signature(std) != signature(variant)
    assert differences(slug, code)


@pytest.mark.parametrize(("slug", "code"), ALL_VARIANTS, ids=sample_id)
def test_truth_is_a_consistent_correspondence(slug: str, code: str) -> None:
    std, variant = cached(slug, "standard"), cached(slug, code)
    std_ids = {s.id for s in std.steps}
    var_ids = {s.id for s in variant.steps}
    seen_std: Counter[str] = Counter()
    seen_var: Counter[str] = Counter()
    for c in truth(slug, code):
        assert set(c.standard) <= std_ids
        assert set(c.variant) <= var_ids
        seen_std.update(c.standard)
        seen_var.update(c.variant)
        if c.kind in ("identical", "renamed"):
            same = std.step(c.standard[0]).label == variant.step(c.variant[0]).label
            assert c.kind == ("identical" if same else "renamed")
        else:
            assert c.kind == ("split" if len(c.standard) == 1 else "merged")
    assert max(seen_std.values()) == 1 and max(seen_var.values()) == 1
    diffs = differences(slug, code)
    missing = {i for d in diffs if d.kind == "missing" for i in d.standard}
    extra = {i for d in diffs if d.kind == "extra" for i in d.variant}
    assert std_ids - set(seen_std) == missing
    assert var_ids - set(seen_var) == extra


@pytest.mark.parametrize(("slug", "code"), ALL_VARIANTS, ids=sample_id)
def test_recorded_differences_point_at_real_steps(slug: str, code: str) -> None:
    std, variant = cached(slug, "standard"), cached(slug, code)
    for d in differences(slug, code):
        assert set(d.standard) <= {s.id for s in std.steps}
        assert set(d.variant) <= {s.id for s in variant.steps}
        assert d.note


def test_differences_cover_everything_municipalities_do_differently() -> None:
    kinds = {d.kind for slug, code in ALL_VARIANTS for d in differences(slug, code)}
    assert kinds >= {
        "missing", "extra", "renamed", "split", "merged", "order", "parallel", "sequential",
        "optional", "mandatory", "lane", "mode", "system", "legal_basis", "deadline",
    }  # fmt: skip


@pytest.mark.parametrize("slug", SLUGS)
def test_each_case_type_has_near_and_far_variants(slug: str) -> None:
    closeness = Counter(p.metadata["closeness"] for p in variants(slug).values())
    assert closeness["near"] >= 2
    assert closeness["far"] >= 2


@pytest.mark.parametrize("slug", SLUGS)
def test_some_variants_keep_the_standard_ids_and_some_do_not(slug: str) -> None:
    std_ids = {s.id for s in standard(slug).steps}
    shares = [len(std_ids & {s.id for s in v.steps}) / len(std_ids) for v in variants(slug).values()]
    assert sum(1 for share in shares if share > 0.5) >= 3
    assert sum(1 for share in shares if share == 0) >= 1


def test_nynorsk_variants_are_written_in_nynorsk() -> None:
    nynorsk = [(slug, code) for slug, code in ALL_VARIANTS if cached(slug, code).metadata["language"] == "nn"]
    assert len(nynorsk) >= 4
    assert {slug for slug, _ in nynorsk} == set(SLUGS)
    markers = re.compile(r"\b(frå|ikkje|søkjar|motteken|motteke|førebels|synfaring|handsame|fråsegn|gjeve|tilskot|"
                         r"saka|klaga|heimel|opplysningar|styrar|naudsynt|sakshandsamar|Vert)\b")  # fmt: skip
    bokmal_only = re.compile(r"\b(ikke|fra|søker|mottatt|foreløpig|befaring|uttalelse|behandle)\b", re.IGNORECASE)
    for slug, code in nynorsk:
        text = " ".join(s.label for s in cached(slug, code).steps)
        assert len(markers.findall(text)) >= 3, (slug, code, text)
        assert not bokmal_only.findall(text), (slug, code, bokmal_only.findall(text))


def test_load_sample_accepts_code_file_name_and_stem() -> None:
    by_code = load_sample("byggesak", "5028")
    assert load_sample("byggesak", "5028-melhus") == by_code
    assert load_sample("byggesak", "5028-melhus.yaml") == by_code
    assert load_sample(case_type("byggesak"), "5028") == by_code


def test_unknown_case_type_or_sample_names_the_ones_that_exist() -> None:
    with pytest.raises(KeyError, match="byggesak"):
        standard("hundehold")
    with pytest.raises(KeyError, match="5028"):
        load_sample("byggesak", "9999")
    with pytest.raises(KeyError, match="5031"):
        truth("byggesak", "0301")


def test_each_call_returns_a_fresh_process() -> None:
    first = standard("startlan")
    first.remove_element("arkivere")
    assert "arkivere" in standard("startlan")


def test_every_file_in_the_package_is_a_listed_sample() -> None:
    root = files("processes.samples")
    for c in case_types():
        names = {entry.name for entry in root.joinpath(c.slug).iterdir() if entry.name.endswith(".yaml")}
        variant_files = names - {"standard.yaml", "about.yaml"}
        assert {"standard.yaml", "about.yaml"} <= names
        assert len(variant_files) == len(c.municipalities), c.slug
        for code in c.municipalities:
            [file_name] = [n for n in variant_files if n.startswith(f"{code}-")]
            assert sample_bytes(c, code) == root.joinpath(c.slug, file_name).read_bytes()


def test_case_types_describe_themselves_in_two_languages() -> None:
    for c in case_types():
        assert c.name_nb and c.name_en and c.name_nb != c.name_en
        assert c.description_nb and c.description_en
        assert c.legal_basis


@pytest.mark.parametrize("slug", SLUGS)
def test_the_generator_gives_valid_variants_of_every_standard(slug: str) -> None:
    std = standard(slug)
    for variant in generate_variants(std, 20, seed=3, edits=(2, 8), reid=True):
        assert [p for p in variant.process.validate() if p.severity is Severity.ERROR] == []


def test_the_engine_guide_examples_run_and_print_what_they_say(capsys: pytest.CaptureFixture[str]) -> None:
    readme = Path(__file__).resolve().parents[2] / "docs" / "engine.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("## Sample processes and synthetic variants")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end > 0 else len(text)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2
    exec(compile(blocks[0], str(readme), "exec"), {})  # noqa: S102 - our own documentation
    expected = [line[2:] for line in blocks[0].splitlines() if line.startswith("# ")]
    assert capsys.readouterr().out.splitlines() == expected
    exec(compile(blocks[1], str(readme), "exec"), {})  # noqa: S102
    assert capsys.readouterr().out.splitlines()[0] == "40 10"


def test_every_difference_maps_to_a_comparison_engine_kind() -> None:
    engine_kinds = {kind.value for kind in DifferenceKind}
    for slug, code in ALL_VARIANTS:
        for d in differences(slug, code):
            assert d.engine_kind in engine_kinds or (d.engine_kind is None and not d.standard and not d.variant)
