"""Same wording: inflections and nynorsk/bokmål forms are not renamings (processes.wording)."""

from __future__ import annotations

import pytest

from processes.wording import _read, bokmaal_forms, same_wording, same_wording_pairs


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Søknad mottatt", "Søknad motteken"),
        ("Sende foreløpig svar", "Sende førebels svar"),
        ("Fordele saken til saksbehandler", "Fordele saka til sakshandsamar"),
        ("Innhente uttalelse fra andre myndigheter", "Hente inn fråsegn frå andre styresmakter"),
        ("Tillatelse gitt", "Løyve gjeve"),
        ("Oppdatere bevillingsregisteret", "Oppdatere løyveregisteret"),
        ("Varsle naboer som har merknader", "Varsle naboar som har merknader"),
        ("Motta søknad", "Motta søknaden"),
        ("Beregne gebyr", "Rekne ut gebyr"),
    ],
)
def test_the_same_words_in_nynorsk_or_another_inflection(a: str, b: str) -> None:
    assert same_wording(a, b) and same_wording(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Registrere søknaden", "Journalføre søknaden"),  # synonyms: a renaming
        ("Sende vedtak", "Motta vedtak"),
        ("Vedtak sendt", "Sende vedtak"),  # other order: an event and a task
        ("Sende vedtak", "Sende vedtak til søker"),  # more words
        ("", ""),  # unnamed steps have no wording
    ],
)
def test_other_words_are_not_the_same_wording(a: str, b: str) -> None:
    assert not same_wording(a, b)


def test_english_and_german_labels_compare_their_stems() -> None:
    assert same_wording("Receiving invoices", "Receive invoice", "english")
    assert not same_wording("Receive invoice", "Send invoice", "english")
    assert same_wording("Rechnungen prüfen", "Rechnung prüfen", "german")


def test_compounds_are_read_by_their_parts() -> None:
    assert bokmaal_forms("sosialtenesta") == ("sosialtjenesten",)
    assert "bevillingsgebyr" in bokmaal_forms("løyvegebyr")
    assert bokmaal_forms("statsforvaltaren") == ("statsforvaltaren", "statsforvalteren")
    assert bokmaal_forms("søknad") == ("søknad",)


def test_pairs_are_found_in_linear_time_with_the_same_answer_as_pairwise() -> None:
    a = ["Søknad motteken", "Rekne ut gebyr", "Sende vedtak", "", "Løyve gjeve"]
    b = ["Beregne gebyret", "Søknad mottatt", "", "Motta vedtak", "Tillatelse gitt", "Bevilling gitt"]
    expected = [(i, j) for i, x in enumerate(a) for j, y in enumerate(b) if same_wording(x, y)]
    assert same_wording_pairs(a, b) == expected == [(0, 1), (1, 0), (4, 4), (4, 5)]


def test_a_bad_line_in_the_word_list_is_refused_with_its_number() -> None:
    with pytest.raises(ValueError, match="line 2"):
        _read("frå = fra\nnoe uten likhetstegn\n")
    with pytest.raises(ValueError, match="line 1: empty side"):
        _read(" = fra\n")
    assert _read("# comment\nrekne ut = beregne\n") == {("rekne", "ut"): (("beregne",),)}
