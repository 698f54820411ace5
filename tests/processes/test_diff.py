"""The diff between two aligned processes: the right differences, and no more."""

from __future__ import annotations

import itertools

import pytest

from processes.align import Alignment, Match, MatchKind
from processes.compare import compare
from processes.diff import Difference, DifferenceKind, diff
from processes.generate import Correspondence, generate_variants, synthetic_process
from processes.model import Flow, Gateway, GatewayKind, Mode, Process, Step

K = DifferenceKind


def chain(*labels: str, **attrs: dict[str, object]) -> Process:
    """A sequence of steps with id = label; ``attrs`` maps a label to step fields."""
    p = Process()
    for label in labels:
        p.add_step(Step(label, label, **attrs.get(label, {})))  # type: ignore[arg-type]
    for x, y in itertools.pairwise(labels):
        p.add_flow(Flow(x, y))
    return p


def by_id(
    a: Process, b: Process, kinds: dict[str, MatchKind] | None = None
) -> Alignment:
    """Match steps with equal ids (the hand-built cases use id = label in A)."""
    kinds = kinds or {}
    ids_b = {s.id for s in b.steps}
    matches = tuple(
        Match((s.id,), (s.id,), 1.0, kinds.get(s.id, MatchKind.IDENTICAL))
        for s in a.steps
        if s.id in ids_b
    )
    return Alignment(
        matches,
        tuple(s.id for s in a.steps if s.id not in ids_b),
        tuple(s.id for s in b.steps if s.id not in {x.id for x in a.steps}),
    )


def kinds_of(differences: tuple[Difference, ...]) -> list[str]:
    return [d.kind.value for d in differences]


def test_identical_processes_have_no_differences() -> None:
    p = synthetic_process(40, seed=3)
    assert compare(p, p).differences == ()


def test_missing_step_without_consequential_flow_noise() -> None:
    a = chain("Motta", "Sende nabovarsel", "Vurdere", "Vedtak")
    b = chain("Motta", "Vurdere", "Vedtak")
    result = diff(a, b, by_id(a, b))
    assert result == (Difference(K.MISSING_STEP, ("Sende nabovarsel",), ()),)


def test_extra_step() -> None:
    a = chain("Motta", "Vurdere", "Vedtak")
    b = chain("Motta", "Befaring", "Vurdere", "Vedtak")
    assert diff(a, b, by_id(a, b)) == (Difference(K.EXTRA_STEP, (), ("Befaring",)),)


def test_renamed_split_and_merged_steps() -> None:
    a = chain("Motta", "Behandle", "Kontrollere", "Arkivere", "Vedtak")
    b = chain("Motta", "Behandle 1", "Behandle 2", "Kontroll og arkiv", "Fatte vedtak")
    al = Alignment(
        (
            Match(("Motta",), ("Motta",), 1.0, MatchKind.IDENTICAL),
            Match(("Behandle",), ("Behandle 1", "Behandle 2"), 0.8, MatchKind.SPLIT),
            Match(
                ("Kontrollere", "Arkivere"),
                ("Kontroll og arkiv",),
                0.7,
                MatchKind.MERGED,
            ),
            Match(("Vedtak",), ("Fatte vedtak",), 0.9, MatchKind.RENAMED),
        ),
        (),
        (),
    )
    assert diff(a, b, al) == (
        Difference(K.RENAMED_STEP, ("Vedtak",), ("Fatte vedtak",)),
        Difference(K.SPLIT_STEP, ("Behandle",), ("Behandle 1", "Behandle 2")),
        Difference(K.MERGED_STEPS, ("Kontrollere", "Arkivere"), ("Kontroll og arkiv",)),
    )


def test_a_moved_step_is_one_order_change() -> None:
    a = chain("1", "2", "3", "4", "5", "6")
    b = chain("1", "3", "4", "5", "2", "6")  # "2" moved three places down
    result = diff(a, b, by_id(a, b))
    assert result == (
        Difference(K.ORDER_CHANGED, ("2", "5"), ("2", "5"), {"b_order": "after"}),
    )


def test_swapped_neighbours_name_the_later_step_first() -> None:
    a = chain("Motta", "Vurdere søknaden", "Befaring", "Vedtak")
    b = chain("Motta", "Befaring", "Vurdere søknaden", "Vedtak")
    result = diff(a, b, by_id(a, b))
    assert result == (
        Difference(
            K.ORDER_CHANGED,
            ("Befaring", "Vurdere søknaden"),
            ("Befaring", "Vurdere søknaden"),
            {"b_order": "before"},
        ),
    )


def parallel(first: str, branches: list[str], last: str) -> Process:
    p = Process()
    for s in [first, *branches, last]:
        p.add_step(Step(s, s))
    p.add_gateway(Gateway("split", GatewayKind.PARALLEL))
    p.add_gateway(Gateway("join", GatewayKind.PARALLEL))
    p.add_flow(Flow(first, "split"))
    for s in branches:
        p.add_flow(Flow("split", s))
        p.add_flow(Flow(s, "join"))
    p.add_flow(Flow("join", last))
    return p


def test_parallel_versus_sequential_is_one_difference_per_group() -> None:
    a = chain("Motta", "Høring", "Befaring", "Uttalelse", "Vedtak")
    b = parallel("Motta", ["Høring", "Befaring", "Uttalelse"], "Vedtak")
    result = diff(a, b, by_id(a, b))
    assert result == (
        Difference(
            K.PARALLEL_VS_SEQUENTIAL,
            ("Høring", "Befaring", "Uttalelse"),
            ("Høring", "Befaring", "Uttalelse"),
            {"parallel_in": "b"},
        ),
    )


def test_optional_versus_mandatory_and_the_bypassing_flow() -> None:
    a = chain("Motta", "Befaring", "Vedtak")
    b = chain("Motta", "Befaring", "Vedtak")
    b.add_flow(Flow("Motta", "Vedtak"))  # Befaring can be skipped in B
    b.remove_flow(Flow("Motta", "Befaring"))
    b.add_gateway(Gateway("x", GatewayKind.EXCLUSIVE))
    b.add_flow(Flow("Motta", "x"))
    b.add_flow(Flow("x", "Befaring"))
    b.add_flow(Flow("x", "Vedtak"))
    b.remove_flow(Flow("Motta", "Vedtak"))
    result = diff(a, b, by_id(a, b))
    assert result == (
        Difference(
            K.OPTIONAL_VS_MANDATORY, ("Befaring",), ("Befaring",), {"optional_in": "b"}
        ),
        Difference(K.EXTRA_FLOW, ("Motta", "Vedtak"), ("Motta", "Vedtak")),
    )


def test_missing_flow() -> None:
    a = parallel("Motta", ["Høring", "Befaring"], "Vedtak")
    b = parallel("Motta", ["Høring", "Befaring"], "Vedtak")
    b.remove_flow(Flow("Befaring", "join"))
    b.add_flow(Flow("Befaring", "Høring"))
    kinds = kinds_of(diff(a, b, by_id(a, b)))
    assert kinds == ["parallel_vs_sequential"]


@pytest.mark.parametrize(
    ("field", "va", "vb", "kind"),
    [
        ("lane", "Byggesak", "Servicetorget", K.LANE_CHANGED),
        ("mode", Mode.MANUAL, Mode.DIGITAL, K.MODE_CHANGED),
        ("system", "Public 360", "WebSak", K.SYSTEM_CHANGED),
        ("legal_basis", "pbl. § 21-4", "pbl. § 20-1", K.LEGAL_BASIS_CHANGED),
        ("handling_days", 21.0, 14.0, K.HANDLING_DAYS_CHANGED),
    ],
)
def test_changed_attribute(
    field: str, va: object, vb: object, kind: DifferenceKind
) -> None:
    # "Motta" keeps the old value, so a changed lane is a moved step, not a renamed lane.
    a = chain("Motta", "Vurdere", Motta={field: va}, Vurdere={field: va})
    b = chain("Motta", "Vurdere", Motta={field: va}, Vurdere={field: vb})
    result = diff(a, b, by_id(a, b))
    text = (
        {"a": f"{va:g}", "b": f"{vb:g}"}
        if isinstance(va, float)
        else {"a": str(va), "b": str(vb)}
    )
    assert result == (Difference(kind, ("Vurdere",), ("Vurdere",), text),)


def test_a_renamed_lane_is_one_difference() -> None:
    a = chain(
        "Motta",
        "Vurdere",
        "Vedtak",
        Motta={"lane": "Post"},
        Vurdere={"lane": "Byggesak"},
        Vedtak={"lane": "Byggesak"},
    )
    b = chain(
        "Motta",
        "Vurdere",
        "Vedtak",
        Motta={"lane": "Post"},
        Vurdere={"lane": "Byggjesak"},
        Vedtak={"lane": "Byggjesak"},
    )
    assert diff(a, b, by_id(a, b)) == (
        Difference(
            K.LANE_CHANGED,
            ("Vurdere", "Vedtak"),
            ("Vurdere", "Vedtak"),
            {"a": "Byggesak", "b": "Byggjesak", "scope": "lane"},
        ),
    )


def test_attribute_a_process_never_states_is_not_compared() -> None:
    a = chain("Motta", "Vurdere", Vurdere={"system": "WebSak"})
    b = chain("Motta", "Vurdere")
    assert diff(a, b, by_id(a, b)) == ()


def test_attribute_left_blank_in_a_process_that_states_it_elsewhere() -> None:
    a = chain("Motta", "Vurdere", Motta={"legal_basis": "fvl. § 11"})
    b = chain(
        "Motta",
        "Vurdere",
        Motta={"legal_basis": "fvl. § 11"},
        Vurdere={"legal_basis": "fvl. § 25"},
    )
    assert diff(a, b, by_id(a, b)) == (
        Difference(
            K.LEGAL_BASIS_CHANGED,
            ("Vurdere",),
            ("Vurdere",),
            {"a": "", "b": "fvl. § 25"},
        ),
    )


def test_same_attribute_in_other_spelling_is_not_a_difference() -> None:
    a = chain("Motta", Motta={"lane": "Byggesak"})
    b = chain("Motta", Motta={"lane": " byggesak "})
    assert diff(a, b, by_id(a, b)) == ()


# -- recorded edits of generated variants ------------------------------------------

EXPECTED = {
    "delete": K.MISSING_STEP,
    "insert": K.EXTRA_STEP,
    "rename": K.RENAMED_STEP,
    "swap": K.ORDER_CHANGED,
    "parallel": K.PARALLEL_VS_SEQUENTIAL,
    "optional": K.OPTIONAL_VS_MANDATORY,
    "split": K.SPLIT_STEP,
    "merge": K.MERGED_STEPS,
    "lane": K.LANE_CHANGED,
    "mode": K.MODE_CHANGED,
    "system": K.SYSTEM_CHANGED,
    "legal_basis": K.LEGAL_BASIS_CHANGED,
}


def truth(correspondences: tuple[Correspondence, ...]) -> Alignment:
    return Alignment(
        tuple(
            Match(c.standard, c.variant, 1.0, MatchKind(c.kind))
            for c in correspondences
        ),
        (),
        (),
    )


@pytest.mark.parametrize("operation", sorted(EXPECTED))
def test_one_recorded_edit_gives_its_difference(operation: str) -> None:
    std = synthetic_process(30, seed=21)
    for variant in generate_variants(std, 4, seed=22, edits=1, operations=[operation]):
        (edit,) = variant.edits
        assert edit.operation == operation
        result = diff(std, variant.process, truth(variant.truth))
        expected = {EXPECTED[operation]}
        if (
            operation == "optional"
        ):  # a step already in a branch gets a bypass, not a new status
            expected.add(K.EXTRA_FLOW)
        found = [d for d in result if d.kind in expected]
        assert found, (edit.description, result)
        # The difference names the steps the edit touched (a bypass flow names its ends instead).
        touched = set(edit.standard) | set(edit.variant)
        assert any(
            touched & (set(d.a) | set(d.b)) or d.kind == K.EXTRA_FLOW for d in found
        ), (edit, found)
        # Changes that only touch one step give exactly one difference.
        if operation in {
            "delete",
            "insert",
            "rename",
            "lane",
            "mode",
            "system",
            "legal_basis",
            "split",
            "merge",
        }:
            assert len(result) == 1, (edit.description, result)


@pytest.mark.parametrize("operation", ["delete", "insert", "lane", "swap"])
def test_recorded_edit_is_reported_with_the_real_aligner(operation: str) -> None:
    std = synthetic_process(30, seed=31)
    for variant in generate_variants(std, 3, seed=32, edits=1, operations=[operation]):
        (edit,) = variant.edits
        differences = compare(std, variant.process).differences
        if operation == "insert":
            # The aligner may read an inserted step as part of a split of a similar
            # neighbour ("Avslutte saken" next to "Saken avsluttet"); either way it is reported.
            assert any(set(edit.variant) & set(d.b) for d in differences), (
                edit,
                differences,
            )
        else:
            assert EXPECTED[operation] in {d.kind for d in differences}, (
                edit,
                differences,
            )


def test_diff_is_deterministic() -> None:
    std = synthetic_process(30, seed=41)
    variant = generate_variants(std, 1, seed=42, edits=6)[0]
    first = diff(std, variant.process, truth(variant.truth))
    assert all(
        diff(std, variant.process, truth(variant.truth)) == first for _ in range(3)
    )


# -- the bundled samples: differences written into each variant on purpose -------------

SAMPLE_KINDS = {
    "missing": {K.MISSING_STEP},
    "extra": {K.EXTRA_STEP},
    "renamed": {K.RENAMED_STEP},
    "split": {K.SPLIT_STEP},
    "merged": {K.MERGED_STEPS},
    "order": {K.ORDER_CHANGED},
    "parallel": {K.PARALLEL_VS_SEQUENTIAL},
    "sequential": {K.PARALLEL_VS_SEQUENTIAL},
    "optional": {K.OPTIONAL_VS_MANDATORY, K.EXTRA_FLOW, K.EXTRA_STEP},
    "mandatory": {K.OPTIONAL_VS_MANDATORY, K.MISSING_FLOW},
    "lane": {K.LANE_CHANGED},
    "mode": {K.MODE_CHANGED},
    "system": {K.SYSTEM_CHANGED},
    "legal_basis": {K.LEGAL_BASIS_CHANGED},
    "deadline": {K.HANDLING_DAYS_CHANGED},
}


def sample_cases() -> list[tuple[str, str]]:
    from processes import samples

    return [
        (c.slug, m)
        for c in samples.case_types()
        for m in sorted(samples.variants(c.slug))
    ]


@pytest.mark.parametrize(("case", "municipality"), sample_cases())
def test_every_difference_written_into_a_sample_is_reported(
    case: str, municipality: str
) -> None:
    from processes import samples

    std, variant = samples.standard(case), samples.variants(case)[municipality]
    result = diff(std, variant, truth(samples.truth(case, municipality)))
    for written in samples.differences(case, municipality):
        if written.kind == "deadline" and not (written.standard or written.variant):
            continue  # a deadline of the whole process, not of a step: not compared
        assert any(
            d.kind in SAMPLE_KINDS[written.kind]
            and (
                set(written.standard) & set(d.a)
                or set(written.variant) & set(d.b)
                or not (written.standard or written.variant)
            )
            for d in result
        ), (written, result)
