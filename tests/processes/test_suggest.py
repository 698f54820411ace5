"""Steps in the same place, pairs grown by a neighbour, and candidates for a person (processes.suggest)."""

from __future__ import annotations

from processes.align import MappingMemory, MatchKind, align
from processes.compare import compare
from processes.model import Flow, Process, Step
from processes.suggest import MAX_CELLS, candidates, fill_slots


def chain(labels: list[str], prefix: str = "s") -> Process:
    p = Process()
    for i, label in enumerate(labels):
        p.add_step(Step(f"{prefix}{i}", label))
        if i:
            p.add_flow(Flow(f"{prefix}{i - 1}", f"{prefix}{i}"))
    return p


STANDARD = ["Motta søknad", "Innhente uttalelse", "Vurdere søknaden", "Gjennomføre befaring", "Fatte vedtak"]


def test_a_step_split_into_two_in_its_place_is_one_group() -> None:
    variant = ["Motta søknad", "Innhente uttalelse", "Vurdere forholdet til plan", "Vurdere tekniske krav",
               "Gjennomføre befaring", "Fatte vedtak"]
    result = align(chain(STANDARD), chain(variant, "x"))
    (group,) = [m for m in result.matches if m.a == ("s2",)]
    assert group.kind == MatchKind.SPLIT and group.b == ("x2", "x3")
    assert "same_place" in group.evidence and group.confidence == 0.6
    assert result.missing == () and result.extra == ()


def test_a_place_with_several_steps_on_both_sides_is_left_alone() -> None:
    a = chain(["Motta søknad", "Vurdere plan", "Vurdere teknikk", "Fatte vedtak"])
    b = chain(["Motta søknad", "Vurdere arealbruk", "Vurdere ansvar", "Fatte vedtak"], "x")
    alignment = align(a, b)
    assert not [m for m in alignment.matches if "same_place" in m.evidence]


def test_no_word_in_common_fills_no_place_but_is_offered() -> None:
    a, b = chain(STANDARD), chain(["Motta søknad", "Innhente uttalelse", "Se gjennom innholdet",
                                   "Gjennomføre befaring", "Fatte vedtak"], "x")
    alignment = align(a, b)
    assert alignment.missing == ("s2",) and alignment.extra == ("x2",)
    (offer,) = candidates(a, b, alignment)
    assert (offer.a, offer.b) == (("s2",), ("x2",)) and offer.confidence == 0.13
    assert offer.evidence == ("not_paired", "no_words_in_common", "neighbours_agree")
    # compare() carries them, apart from the alignment: the differences still say missing/extra.
    c = compare(a, b)
    assert c.candidates == (offer,) and c.to_dict()["candidates"][0]["a"] == ["s2"]


def test_a_rejected_pair_or_opposite_actions_are_never_offered() -> None:
    a, b = chain(["Motta søknad", "Vurdere søknaden", "Fatte vedtak"]), chain(
        ["Motta søknad", "Se gjennom innholdet", "Fatte vedtak"], "x")
    memory = MappingMemory(rejected=frozenset({("s1", "x1")}))
    assert candidates(a, b, align(a, b, memory=memory), memory=memory) == ()
    labels = MappingMemory(rejected_labels=frozenset({("Vurdere søknaden", "Se gjennom innholdet")}))
    assert candidates(a, b, align(a, b, memory=labels), memory=labels) == ()
    a2, b2 = chain(["Start", "Sende vedtaket", "Slutt"]), chain(["Start", "Motta vedtaket", "Slutt"], "x")
    alignment = align(a2, b2)
    assert ("s1", "x1") not in alignment.pairs()
    assert candidates(a2, b2, alignment) == ()


def test_a_pair_grows_into_a_merge_with_the_step_next_to_it() -> None:
    a = chain(["Motta søknad", "Godkjenne vedtaket", "Sende vedtaket til søker", "Arkivere saken"])
    b = chain(["Motta søknad", "Godkjenne og sende vedtaket", "Arkivere saken"], "x")
    result = align(a, b)
    (merge,) = [m for m in result.matches if m.b == ("x1",)]
    assert merge.kind == MatchKind.MERGED and merge.a == ("s1", "s2")
    assert result.missing == ()


def test_a_pair_with_the_same_wording_or_a_confirmed_pair_does_not_grow() -> None:
    a = chain(["Motta søknad", "Ettersende dokumentasjon", "Fatte vedtak"])
    b = chain(["Motta søknad", "Ettersende dokumentasjon", "Be om mer dokumentasjon", "Fatte vedtak"], "x")
    result = align(a, b)
    assert ("s1", "x1") in result.pairs() and result.extra == ("x2",)
    a2 = chain(["Fatte vedtak"])
    b2 = chain(["Fatte vedtak", "Sende vedtak"], "x")
    memory = MappingMemory(confirmed=frozenset({("s0", "x1")}))
    assert align(a2, b2, memory=memory).pairs() == {("s0", "x1")}


def test_splits_off_leaves_only_one_to_one_places() -> None:
    variant = ["Motta søknad", "Innhente uttalelse", "Vurdere forholdet til plan", "Vurdere tekniske krav",
               "Gjennomføre befaring", "Fatte vedtak"]
    a, b = chain(STANDARD), chain(variant, "x")
    alignment = align(a, b, detect_splits=False)
    assert all(len(m.a) == len(m.b) == 1 for m in alignment.matches)
    assert fill_slots(a, b, alignment, groups=False) == ()


def test_too_many_unpaired_steps_give_no_guesses() -> None:
    side = int(MAX_CELLS**0.5) + 1
    a = chain([f"Oppgave {k} alfa" for k in range(side)])
    b = chain([f"Arbeid {k} beta" for k in range(side)], "x")
    alignment = align(a, b, use_structure=False)
    assert len(alignment.missing) * len(alignment.extra) > MAX_CELLS
    assert candidates(a, b, alignment) == () and fill_slots(a, b, alignment) == ()


def test_a_pair_grows_into_a_specialisation_when_the_neighbour_does_the_same_action() -> None:
    a = chain(["Motta søknad", "Vurdere søknaden", "Fatte vedtak"])
    b = chain(["Motta søknad", "Vurdere søknaden mot arealplanen", "Vurdere tekniske krav", "Fatte vedtak"], "x")
    (split,) = [m for m in align(a, b).matches if m.a == ("s1",)]
    assert split.kind == MatchKind.SPLIT and split.b == ("x1", "x2")
    # Another action next to the pair is a new step, not a part of it.
    c = chain(["Motta søknad", "Vurdere søknaden mot arealplanen", "Arkivere tekniske krav", "Fatte vedtak"], "x")
    result = align(a, c)
    assert ("s1", "x1") in result.pairs() and result.extra == ("x2",)
