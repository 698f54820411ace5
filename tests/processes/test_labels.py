"""Tests for label normalisation and similarity."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import processes.labels
from processes.labels import (
    Synonyms,
    analyse,
    detect_language,
    label_similarity,
    normalise,
    similarity_matrix,
    stem,
    tokenise,
)


def test_doctests() -> None:
    result = doctest.testmod(processes.labels)
    assert result.attempted > 0
    assert result.failed == 0


# -- normalisation ----------------------------------------------------------------


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("  Sende\tNabovarsel!! ") == normalise("sende nabovarsel")


def test_normalise_keeps_norwegian_letters() -> None:
    assert normalise("ÆRLIG Søknad Åpen") == "ærlig søknad åpen"


def test_normalise_removes_other_accents() -> None:
    assert normalise("Idé, café, Müller") == "ide cafe muller"


def test_tokenise_splits_hyphenated_words() -> None:
    assert tokenise("Bygge-søknad (pbl. § 20-1)") == [
        "bygge",
        "søknad",
        "pbl",
        "20",
        "1",
    ]


# -- stemming and language --------------------------------------------------------


def test_norwegian_noun_and_verb_share_a_stem() -> None:
    assert stem("behandling") == stem("behandle") == stem("behandler")


def test_nynorsk_a_infinitive_shares_the_stem() -> None:
    assert stem("vurdera") == stem("vurdere")


def test_english_stemming() -> None:
    assert stem("processing", "english") == stem("processed", "english")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        stem("ord", "klingon")


def test_detect_language() -> None:
    assert (
        detect_language(["Review the order", "Send invoice to the customer"])
        == "english"
    )
    assert detect_language(["Sende vedtak til søker", "Motta søknad"]) == "norwegian"
    assert detect_language([]) == "norwegian"


# -- similarity ---------------------------------------------------------------------


def test_equal_labels_score_one() -> None:
    assert label_similarity("Fatte vedtak", "fatte  VEDTAK.") == 1.0


def test_unrelated_labels_score_zero() -> None:
    assert label_similarity("Sende nabovarsel", "Befaring") == 0.0


def test_inflected_forms_match() -> None:
    assert label_similarity("Motta søknaden", "Motta søknad") == 1.0


def test_compound_matches_its_parts() -> None:
    # byggesøknad = bygge + søknad; byggetillatelse = bygge + tillatelse
    assert label_similarity("Byggesøknad", "Søknad om byggetillatelse") >= 0.75
    assert label_similarity("Byggesøknad", "Søknad om skjenkebevilling") < 0.6


def test_compound_split_uses_the_other_labels_words() -> None:
    # Neither "ferje" nor "billett" is in the built-in lexicon.
    assert label_similarity("Kjøpe ferjebillett", "Kjøpe billett til ferje") == 1.0


def test_linking_s_in_compounds() -> None:
    assert (
        label_similarity("Vurdere salgsbevilling", "Vurdere bevilling for salg") == 1.0
    )


def test_builtin_casework_synonyms() -> None:
    assert label_similarity("Journalføre søknaden", "Registrere søknad") == 1.0
    assert label_similarity("Fatte vedtak", "Fatte avgjørelse") == 1.0
    assert label_similarity("Søker sender inn", "Tiltakshaver sender inn") == 1.0


def test_nynorsk_forms_match_bokmaal() -> None:
    assert (
        label_similarity("Sende avgjerd til søkjar", "Sende avgjørelse til søker")
        == 1.0
    )
    assert label_similarity("Handsame søknaden", "Behandle søknad") == 1.0


def test_typing_errors_match_partly() -> None:
    score = label_similarity("Kontrolere søknad", "Kontrollere søknad")
    assert 0.8 < score < 1.0


def test_synonyms_can_be_switched_off() -> None:
    assert label_similarity("Journalføre", "Registrere", synonyms=Synonyms()) == 0.0


def test_synonyms_can_be_extended() -> None:
    local = Synonyms.builtin().extend([["plansak", "reguleringssak"]])
    assert (
        label_similarity("Behandle plansak", "Behandle reguleringssak", synonyms=local)
        == 1.0
    )
    assert label_similarity("Behandle plansak", "Behandle reguleringssak") < 1.0


def test_overlapping_groups_merge() -> None:
    syn = Synonyms.from_text("alfa, beta\n# comment\nbeta, gamma\n")
    assert syn.concept("alfa") == syn.concept("gamma") is not None


def test_from_text_ignores_comments_and_single_words() -> None:
    syn = Synonyms.from_text("# only a comment\nensom\n\nen, to # trailing\n")
    assert syn.groups == (("en", "to"),)


def test_similarity_matrix_shape_and_unnamed_rows() -> None:
    a = analyse(["Motta søknad", ""])
    b = analyse(["Motta søknad", "Fatte vedtak", "Arkivere"])
    m = similarity_matrix(a, b)
    assert m.shape == (2, 3)
    assert m[1].tolist() == [0.0, 0.0, 0.0]
    assert m[0, 0] == 1.0


def test_similarity_matrix_with_no_labels() -> None:
    assert similarity_matrix(analyse([]), analyse(["Motta"])).shape == (0, 1)


def test_idf_weighting_stresses_rare_words() -> None:
    labels_a = [
        "Behandle søknad om lån",
        "Behandle søknad om tilskudd",
        "Behandle søknad om bolig",
    ]
    labels_b = ["Behandle søknad om lån"]
    a, b = analyse(labels_a), analyse(labels_b)
    plain = similarity_matrix(a, b)
    weighted = similarity_matrix(a, b, weighted=True)
    assert weighted[0, 0] == pytest.approx(1.0)
    assert weighted[1, 0] < plain[1, 0]


_words = st.sampled_from(
    [
        "motta",
        "søknad",
        "vedtak",
        "sende",
        "nabovarsel",
        "kontrollere",
        "arkivere",
        "byggesøknad",
        "og",
        "til",
    ]
)
_labels = st.lists(_words, min_size=0, max_size=5).map(" ".join)


@given(_labels, _labels)
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    ab = label_similarity(a, b)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(label_similarity(b, a))


@given(_labels.filter(lambda s: s.strip() != ""))
def test_a_label_is_identical_to_itself(a: str) -> None:
    assert label_similarity(a, a) == pytest.approx(1.0)


# -- German -----------------------------------------------------------------------


def test_german_is_detected_from_letters_function_words_and_suffixes() -> None:
    assert detect_language(["Rechnung prüfen", "Bescheid an den Antragsteller"]) == "german"
    assert detect_language(["Antrag entgegennehmen", "Zahlung anweisen"]) == "german"


def test_short_german_labels_without_hints_are_detected_by_dictionary() -> None:
    assert detect_language(["Antrag stellen", "Bescheid erstellen"]) == "german"


def test_norwegian_and_english_are_not_taken_for_german() -> None:
    assert detect_language(["Sende vedtak", "Motta søknad"]) == "norwegian"
    assert detect_language(["Behandle søknad", "Kunngjøring av vedtak"]) == "norwegian"
    assert detect_language(["Check invoice", "Pay invoice"]) == "english"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Prüfung", "prüfen"),
        ("Rechnungsprüfung", "Rechnung prüfen"),
        ("Zahlung", "zahlen"),
        ("Genehmigung erteilen", "genehmigen und erteilen"),
        ("Anträge bearbeiten", "Antrag bearbeiten"),
        ("Antragstellung", "Antrag stellen"),  # linking -s-
        ("Kundenkonto anlegen", "Konto des Kunden anlegen"),  # linking -n-
        ("Personenkontrolle", "Kontrolle der Personen"),  # linking -en-
        ("Registrierung", "registrieren"),
    ],
)
def test_german_word_forms_and_compounds_match(a: str, b: str) -> None:
    assert label_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Prüfung", "Zahlung"),
        ("Rechnung prüfen", "Antrag stellen"),
        ("Rechnungsprüfung", "Rechnung bezahlen"),
    ],
)
def test_different_german_labels_do_not_match(a: str, b: str) -> None:
    assert label_similarity(a, b) < 0.6


def test_german_stop_words_are_left_out() -> None:
    ls = analyse(["Prüfung der Rechnung und des Antrags"], language="german")
    assert ls.concepts == (("pruf", "rechn", "antrag"),)


def test_german_compound_with_only_one_known_part_stays_whole() -> None:
    ls = analyse(["Rechnungsprüfung", "Rechnung senden"], language="german")
    assert len(ls.concepts[0]) == 1


def test_stop_words_of_an_unknown_language_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        processes.labels.stop_words("klingon")


# -- English word forms -----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Setup", "Set up"),
        ("Handover", "Hand over"),
        ("Login", "Log in"),
        ("Checkout basket", "Check out the basket"),
        ("pack", "package"),
        ("hungry", "hunger"),
        ("Approval of the plan", "Approve the plan"),
        ("Make payment", "Make a pay"),
        ("choose", "select"),
        ("cook", "prepare"),
        ("Chose a recipe", "Select the recipe"),
        ("Purchase goods", "Buy goods"),
        ("Invoice sent", "Send invoice"),  # irregular past tense via the lemmatiser
    ],
)
def test_english_compounds_word_forms_and_verb_synonyms_match(a: str, b: str) -> None:
    assert label_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cook", "eat"),
        ("choose", "chop"),
        ("select", "delete"),
        ("pack", "pay"),
        ("Image", "Im"),  # root too short to be a derivation
        ("Signal", "Sign"),
        ("Storage", "Story"),
        ("Buy goods", "Sell goods"),
    ],
)
def test_english_words_that_only_look_alike_do_not_match(a: str, b: str) -> None:
    assert label_similarity(a, b) < 0.6


def test_closed_compound_splits_only_into_known_words() -> None:
    # "setup" alone: "set" and "up" are no words of these labels.
    ls = analyse(["Setup", "Send invoice"], language="english")
    assert len(ls.concepts[0]) == 1


def test_derived_word_is_reduced_only_when_its_root_is_known() -> None:
    alone = analyse(["Package goods"], language="english", synonyms=Synonyms())
    with_root = analyse(
        ["Package goods"], language="english", synonyms=Synonyms(), vocabulary=["pack"]
    )
    assert alone.concepts == (("packag", "good"),)
    assert with_root.concepts == (("pack", "good"),)


def test_label_words_lemmatises_english_and_german_only() -> None:
    assert processes.labels.label_words("Invoices sent", "english") == ["invoice", "send"]
    assert processes.labels.label_words("Rechnungen geprüft", "german") == [
        "rechnung",
        "prufen",
    ]
    assert processes.labels.label_words("Sendte fakturaer") == ["sendte", "fakturaer"]


def test_english_verb_synonyms_are_documented_with_their_source() -> None:
    from importlib import resources

    text = (
        resources.files("processes")
        .joinpath("data/synonyms_en_verbs.txt")
        .read_text(encoding="utf-8")
    )
    groups = [line for line in text.splitlines() if line and not line.startswith("#")]
    lines = text.splitlines()
    for group in groups:
        above = lines[lines.index(group) - 1]
        assert above.startswith("# ") and ".v." in above, group


def test_opposite_actions_contradict() -> None:
    from processes.labels import analyse, contradictions

    a = analyse(
        ["Send letter of acceptance", "Approve application"], language="english"
    )
    b = analyse(
        [
            "Receiving acceptance letter",
            "Reject application",
            "Send and receive letters",
        ],
        language="english",
    )
    opposite, numbers = contradictions(a, b)
    # Acceptance and rejection are opposites too; a label with both sides contradicts nothing.
    assert opposite.tolist() == [[True, True, False], [False, True, False]]
    assert not numbers.any()


def test_norwegian_opposites_contradict() -> None:
    from processes.labels import analyse, contradictions

    a = analyse(["Sende vedtak", "Innvilge søknad", "Gi byggetillatelse"])
    b = analyse(["Motta vedtak", "Avslå søknad", "Vedtak om avslag på byggetillatelse"])
    opposite, _ = contradictions(a, b)
    # The third label of B has both the permit and its refusal: a label with
    # the permit (innvilge is to grant it) does not contradict it.
    assert opposite.tolist() == [
        [True, False, False],
        [False, True, False],
        [False, True, False],
    ]


def test_other_numbers_contradict() -> None:
    from processes.labels import analyse, contradictions

    a = analyse(["Treat suspension art. 34", "Treat suspension"], language="english")
    b = analyse(
        ["Treat suspension art. 35", "Treat suspension art. 34"], language="english"
    )
    _, numbers = contradictions(a, b)
    assert numbers.tolist() == [[True, False], [False, False]]


def test_a_compounds_linking_s_is_left_off_its_first_part() -> None:
    # «Saksfordeling» is «sak» + «fordeling», and meets «Fordele saken» (fordele/fordeling).
    assert label_similarity("Fordele saken til saksbehandler", "Saksfordeling") == 0.8
