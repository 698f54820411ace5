"""Sentences for differences, and the text report."""

from __future__ import annotations

import itertools
import re

import pytest

from processes.align import Alignment, Match, MatchKind
from processes.compare import compare
from processes.diff import Difference, DifferenceKind
from processes.explain import explain, format_report
from processes.generate import generate_variants, synthetic_process
from processes.model import Flow, Process, Step, StepKind

K = DifferenceKind


def chain(*labels: str) -> Process:
    p = Process()
    for label in labels:
        p.add_step(Step(label, label))
    for x, y in itertools.pairwise(labels):
        p.add_flow(Flow(x, y))
    return p


def by_id(a: Process, b: Process) -> Alignment:
    ids_b = {s.id for s in b.steps}
    return Alignment(
        tuple(
            Match((s.id,), (s.id,), 1.0, MatchKind.IDENTICAL)
            for s in a.steps
            if s.id in ids_b
        ),
        (),
        (),
    )


def test_missing_step_sentence_from_the_issue() -> None:
    a = chain("Motta søknad", "Sende nabovarsel", "Vurdere søknaden")
    b = chain("Motta søknad", "Vurdere søknaden")
    c = compare(a, b, alignment=by_id(a, b), b_name="Malvik")
    assert c.texts("nb") == [
        "Steget «Sende nabovarsel» finnes i standarden, men mangler i Malvik."
    ]
    assert c.texts("en") == [
        "The step “Sende nabovarsel” is in the standard but missing in Malvik."
    ]


def test_order_sentence_from_the_issue() -> None:
    a = chain("Motta søknad", "Vurdere søknaden", "Befaring", "Fatte vedtak")
    b = chain("Motta søknad", "Befaring", "Vurdere søknaden", "Fatte vedtak")
    c = compare(a, b, alignment=by_id(a, b), b_name="Melhus")
    assert c.texts("nb") == [
        "I Melhus kommer «Befaring» før «Vurdere søknaden»; i standarden kommer det etter."
    ]
    assert c.texts("en") == [
        "In Melhus, “Befaring” comes before “Vurdere søknaden”; in the standard it comes after."
    ]


def test_both_names_given() -> None:
    a = chain("Motta søknad", "Befaring")
    b = chain("Motta søknad")
    c = compare(a, b, alignment=by_id(a, b), a_name="Trondheim", b_name="Malvik")
    assert c.texts() == ["Steget «Befaring» finnes i Trondheim, men mangler i Malvik."]


def test_events_are_called_events() -> None:
    a = Process()
    a.add_step(Step("end", "Vedtak sendt", StepKind.END_EVENT))
    d = Difference(K.MISSING_STEP, ("end",), ())
    assert (
        explain(d, a, Process())
        == "Hendelsen «Vedtak sendt» finnes i standarden, men mangler i varianten."
    )
    assert (
        explain(d, a, Process(), lang="en")
        == "The event “Vedtak sendt” is in the standard but missing in the variant."
    )


def test_labels_are_quoted_literally() -> None:
    a = Process()
    a.add_step(Step("x", 'Sende {vedtak} <b>"nå"</b>'))
    sentence = explain(Difference(K.MISSING_STEP, ("x",), ()), a, Process(), lang="nb")
    assert '«Sende {vedtak} <b>"nå"</b>»' in sentence


@pytest.mark.parametrize(
    ("details", "nb", "en"),
    [
        (
            {"a": "manual", "b": "digital"},
            "Steget «Vurdere» gjøres manuelt i standarden, men digitalt i Malvik.",
            "The step “Vurdere” is done manually in the standard, but digitally in Malvik.",
        ),
        (
            {"a": "", "b": "self_service"},
            "Steget «Vurdere» gjøres som selvbetjening i Malvik; i standarden er det ikke oppgitt hvordan.",
            "The step “Vurdere” is done as self-service in Malvik; the standard does not say how.",
        ),
    ],
)
def test_mode_sentences(details: dict[str, str], nb: str, en: str) -> None:
    a = chain("Vurdere")
    d = Difference(K.MODE_CHANGED, ("Vurdere",), ("Vurdere",), details)
    assert explain(d, a, a, b_name="Malvik") == nb
    assert explain(d, a, a, b_name="Malvik", lang="en") == en


def test_handling_time_uses_decimal_comma_and_singular() -> None:
    a = chain("Vurdere")
    d = Difference(
        K.HANDLING_DAYS_CHANGED, ("Vurdere",), ("Vurdere",), {"a": "1", "b": "2.5"}
    )
    assert (
        explain(d, a, a)
        == "Behandlingstiden for «Vurdere» er 1 dag i standarden, men 2,5 dager i varianten."
    )


def every_kind_of_difference() -> tuple[list[Difference], Process]:
    a = chain("A1", "A2", "A3")
    return [
        Difference(K.MISSING_STEP, ("A1",), ()),
        Difference(K.EXTRA_STEP, (), ("A1",)),
        Difference(K.RENAMED_STEP, ("A1",), ("A2",)),
        Difference(K.SPLIT_STEP, ("A1",), ("A2", "A3")),
        Difference(K.MERGED_STEPS, ("A1", "A2"), ("A3",)),
        Difference(K.ORDER_CHANGED, ("A1", "A2"), ("A1", "A2"), {"b_order": "after"}),
        Difference(K.ORDER_CHANGED, ("A1", "A2"), ("A1", "A2"), {"b_order": "before"}),
        Difference(
            K.PARALLEL_VS_SEQUENTIAL,
            ("A1", "A2", "A3"),
            ("A1", "A2", "A3"),
            {"parallel_in": "a"},
        ),
        Difference(
            K.PARALLEL_VS_SEQUENTIAL, ("A1", "A2"), ("A1", "A2"), {"parallel_in": "b"}
        ),
        Difference(K.OPTIONAL_VS_MANDATORY, ("A1",), ("A1",), {"optional_in": "a"}),
        Difference(K.OPTIONAL_VS_MANDATORY, ("A1",), ("A1",), {"optional_in": "b"}),
        Difference(K.MISSING_FLOW, ("A1", "A2"), ("A1", "A2")),
        Difference(K.EXTRA_FLOW, ("A1", "A2"), ("A1", "A2")),
        Difference(K.MISSING_FLOW, ("A1", "A2"), ("A1", "A2"), {"flow": "message", "message": "Søknad"}),
        Difference(K.EXTRA_FLOW, ("A1", "A2"), ("A1", "A2"), {"flow": "message", "message": ""}),
        Difference(
            K.MISSING_FLOW, ("A1", "A2"), ("A1", "A2"), {"flow": "message", "message": "", "instead": "sequence"}
        ),
        Difference(
            K.EXTRA_FLOW, ("A1", "A2"), ("A1", "A2"), {"flow": "message", "message": "Svar", "instead": "sequence"}
        ),
        Difference(K.KIND_CHANGED, ("A1",), ("A1",), {"a": "send_task", "b": "task"}),
        Difference(K.LANE_CHANGED, ("A1",), ("A1",), {"a": "Byggesak", "b": "Arkiv"}),
        Difference(K.LANE_CHANGED, ("A1",), ("A1",), {"a": "Byggesak", "b": ""}),
        Difference(
            K.LANE_CHANGED, (), (), {"a": "Byggesak", "b": "Byggjesak", "scope": "lane"}
        ),
        Difference(
            K.SYSTEM_CHANGED,
            (),
            (),
            {"a": "Elements", "b": "Byggjesak", "scope": "system"},
        ),
        Difference(
            K.SYSTEM_CHANGED, ("A1",), ("A1",), {"a": "WebSak", "b": "Elements"}
        ),
        Difference(
            K.LEGAL_BASIS_CHANGED,
            ("A1",),
            ("A1",),
            {"a": "pbl. § 20-1", "b": "pbl. § 21-4"},
        ),
        Difference(K.HANDLING_DAYS_CHANGED, ("A1",), ("A1",), {"a": "21", "b": "14"}),
    ], a


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_kind_reads_as_one_complete_sentence(lang: str) -> None:
    differences, a = every_kind_of_difference()
    kinds_seen = set()
    for d in differences:
        sentence = explain(d, a, a, b_name="Malvik", lang=lang)
        kinds_seen.add(d.kind)
        assert sentence[0].isupper() or sentence[0] in "«“", sentence
        assert sentence.endswith("."), sentence
        assert sentence.count(".") == 1 or "§" in sentence, sentence
        assert not re.search(r"[{}]|None|_", sentence), sentence
        quote = "«" if lang == "nb" else "“"
        assert (
            quote + "A1" in sentence
            or quote + "A2" in sentence
            or "Byggjesak" in sentence
        ), sentence
    assert kinds_seen == set(DifferenceKind) - {K.MODE_CHANGED}


def test_unknown_language_is_refused() -> None:
    a = chain("A")
    with pytest.raises(ValueError, match="nb"):
        explain(Difference(K.MISSING_STEP, ("A",), ()), a, a, lang="de")


def test_report_lists_scores_matches_and_differences() -> None:
    std = synthetic_process(20, seed=5)
    variant = generate_variants(std, 1, seed=6, edits=(3, 3))[0].process
    c = compare(std, variant, b_name="Malvik")
    report = format_report(c, "nb")
    assert report.startswith("Sammenligning av standarden og Malvik")
    for word in ("Samlet:", "Stegnavn:", "Struktur:", "Forløp:"):
        assert word in report
    assert f"{round(c.similarity.overall * 100)} %" in report
    for text in c.texts("nb"):
        assert f"  - {text}" in report
    english = format_report(c, "en")
    assert "Comparison of the standard and Malvik" in english
    assert "Differences (" in english


def test_report_of_identical_processes_says_no_differences() -> None:
    p = chain("Motta søknad", "Fatte vedtak")
    assert "Ingen forskjeller." in format_report(compare(p, p), "nb")


def test_every_evidence_code_has_words_in_both_languages() -> None:
    from processes.align import EVIDENCE
    from processes.explain import evidence_text

    for code in EVIDENCE:
        for lang in ("nb", "en"):
            assert evidence_text([code], lang), (code, lang)
    assert evidence_text(["same_wording"]) == "samme ordlyd, i annen bøyning eller på nynorsk og bokmål"
