"""Every regular expression in the engine that sees user data, fed its worst input.

The rule (DESIGN.md, habit 15; the audit is docs/regex-audit.md): no quantifier over a
group that holds a quantifier, no two neighbouring quantified pieces that can match the
same character. Each test below feeds one expression (through the function that uses
it, where there is one) about 10,000 characters shaped to make it backtrack, and
requires the call to finish in well under a second. The bound is on the fastest of
three runs, so a busy machine does not make it flaky: linear matching of 10,000
characters takes well under a millisecond, the quadratic patterns this replaced took
0.1–0.6 s and the exponential one in ``is_distinctive_id`` never finished.

This is a safety check, not a benchmark: speed claims live in benchmarks/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processes.align import is_distinctive_id
from processes.exceptions import ProcessError
from processes.formats import bpmn, detect_format, eventlog, pnml, tabular
from processes.generate import _synonym
from processes.labels import normalise
from processes.render import _COLOR, _PDF_DATE, _UNPRINTABLE

N = 10_000
BOUND = 0.1  # seconds, for the fastest of three runs


def assert_fast(call: Callable[[], object]) -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            call()
        except (ProcessError, ValueError):
            pass  # refusing the input is fine; taking long to do so is not
        best = min(best, time.perf_counter() - start)
    assert best < BOUND, f"took {best:.3f} s on {N} adversarial characters"


# -- align.is_distinctive_id ------------------------------------------------------


@pytest.mark.parametrize(
    "element_id",
    [
        "a" * N,  # letters only: the old pattern tried every split of the run
        "sendApprovedFormToCaseWorker" * (N // 28),
        "a_" * (N // 2) + "!",
        "a" * N + "12345",
        "a " * (N // 2) + "1",
    ],
    ids=["letters", "camel-case", "separators", "five-digits", "spaces"],
)
def test_is_distinctive_id_is_linear(element_id: str) -> None:
    assert_fast(lambda: is_distinctive_id(element_id))


_SEPARATORS = " _.:-"


def _reference_is_generic(element_id: str) -> bool:
    """Letters and single separators (not first), then one to four digits; no regex."""
    digits = len(element_id) - len(element_id.rstrip("0123456789٣"))
    if not 1 <= digits <= 4:
        return False
    word = element_id[: len(element_id) - digits]
    previous = ""
    for ch in word:
        if ch in _SEPARATORS:
            if previous in ("", "sep"):
                return False
            previous = "sep"
        elif ch.isascii() and ch.isalpha():
            previous = "letter"
        else:
            return False
    return True


# ASCII letters, the separators, ASCII and Arabic-Indic digits and a few others;
# not the letters Unicode case folding maps onto a-z (ı, ſ, K): both implementations
# keep re's [a-z]/IGNORECASE meaning for those, the reference above does not model it.
_ID_ALPHABET = st.sampled_from(list("abzABZ" + _SEPARATORS + "0159٣" + "+ø#"))
_OLD_GENERIC_ID = re.compile(r"^(?:[a-z]+[ _.:-]?)*\d{1,4}\Z", re.IGNORECASE)


@settings(max_examples=500, deadline=None)
@given(st.text(_ID_ALPHABET, max_size=14))
def test_is_distinctive_id_matches_a_plain_reference(element_id: str) -> None:
    assert is_distinctive_id(element_id) == (not _reference_is_generic(element_id))


@settings(max_examples=500, deadline=None)
@given(st.text(_ID_ALPHABET, max_size=12))
def test_is_distinctive_id_means_what_the_old_pattern_meant(element_id: str) -> None:
    # Short ids only: the old pattern is exponential. "\Z" rather than "$": "$" also
    # matched before a final newline, which said nothing about the id.
    assert is_distinctive_id(element_id) == (_OLD_GENERIC_ID.match(element_id) is None)


def test_a_trailing_newline_does_not_make_an_id_generic() -> None:
    assert is_distinctive_id("Task_1\n")


# -- formats.pnml -------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["tau1" + " " * N + "\nx", "tau" + "-" * N + "\n", "tau" + " " * N + "x"],
    ids=["spaces", "dashes", "no-sep"],
)
def test_pnml_silent_name_is_linear(label: str) -> None:
    assert_fast(lambda: pnml._SILENT_NAME.fullmatch(label.strip()))


@pytest.mark.parametrize(
    "head",
    [b"<" + b"a" * N, b"<a" * (N // 2), b"<a:" * (N // 3)],
    ids=["name", "many", "prefixes"],
)
def test_is_pnml_is_linear(head: bytes) -> None:
    assert_fast(lambda: pnml.is_pnml(head))


# -- formats.bpmn --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a-" + " " * N + "x",
        "a-" + "\n" * N + "x",
        "a-\t" * (N // 3),
        "a-\n " * (N // 4),
    ],
    ids=["spaces", "breaks", "tabs", "mixed"],
)
def test_bpmn_hyphen_break_is_linear(text: str) -> None:
    assert_fast(lambda: bpmn._normalise_label(text))


def test_bpmn_xml_unsafe_and_ncname_are_linear() -> None:
    text = "a" * N + "\x00"
    assert_fast(lambda: (bpmn._safe(text), bpmn._NCNAME.match(text)))


# -- formats.eventlog and detection ---------------------------------------------------


@pytest.mark.parametrize(
    "head", [b"<" + b"a" * N, b"<a" * (N // 2), b"<a:" * (N // 3), b"<!" * (N // 2)]
)
def test_xml_root_pattern_is_linear(head: bytes) -> None:
    assert_fast(
        lambda: (eventlog._XML_ROOT.search(head), eventlog._DOCTYPE.search(head))
    )


@pytest.mark.parametrize("text", ["1" * N, "01.01.2024" + " " * N, "1.1." * (N // 4)])
def test_norwegian_date_is_linear(text: str) -> None:
    assert_fast(lambda: eventlog._csv_time(text, None))


def test_eventlog_header_normalisation_is_linear() -> None:
    assert_fast(lambda: eventlog._normal(" _" * (N // 2) + "x"))


@pytest.mark.parametrize(
    "text",
    [
        "steps" + " " * N,
        ("steps" + " " * 20 + "\n") * (N // 26),
        "sep=" + ";" * N,
        "<a:" * (N // 3),
    ],
)
def test_format_detection_is_linear(text: str) -> None:
    assert_fast(lambda: detect_format(text.encode(), "upload"))


# -- formats.tabular -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["a" + " " * N + "b", "(" * N, " " * N + "(", "Frist" + " (" * (N // 2)]
)
def test_tabular_header_normalisation_is_linear(header: str) -> None:
    assert_fast(lambda: tabular._normal_header(header))


@pytest.mark.parametrize("text", ['"' * N, 'a"' * (N // 2), "sep=;\r" + "\r" * N])
def test_tabular_delimiter_sniffing_is_linear(text: str) -> None:
    assert_fast(lambda: tabular._sniff_delimiter(text))


def _table(column: str, cell: str) -> bytes:
    return f"Steg;{column}\r\nSøknad mottatt;{cell}\r\n".encode()


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("Type", "x" + " " * N + "y"),  # " ?(gateway|port)$" and the kind words
        ("Type", "gateway " * (N // 8)),
        ("Saksbehandlingstid", "1" + " " * N + "x"),  # the unit of a duration
        ("Saksbehandlingstid", "d" * N + "x"),
        ("Modus", "a" + " " * N + "b"),
        ("Neste steg", ":" * N),
        ("Neste steg", ";," * (N // 2)),
        ("Neste steg", '"' + "a\r" * (N // 2) + '"'),
        ("Neste steg", "Søknad mottatt:" * (N // 15)),
    ],
    ids=[
        "kind-spaces",
        "kind-words",
        "days-spaces",
        "days-units",
        "mode",
        "colons",
        "separators",
        "lines",
        "conditions",
    ],
)
def test_tabular_cells_are_linear(column: str, cell: str) -> None:
    assert_fast(lambda: tabular.read_tabular(_table(column, cell), source="t.csv"))


def test_tabular_slug_and_label_are_linear() -> None:
    text = "æ-" * (N // 2) + " " * N
    assert_fast(lambda: (tabular._slug(text), tabular._norm_label(text)))


# -- labels, generate, render ----------------------------------------------------------


@pytest.mark.parametrize("label", ["_" * N, "!_" * (N // 2), "a" * N + "!"])
def test_label_normalisation_is_linear(label: str) -> None:
    assert_fast(lambda: normalise.__wrapped__(label))


def test_synonym_search_is_linear() -> None:
    import random

    assert_fast(lambda: _synonym("motta " * (N // 6), random.Random(1)))


@pytest.mark.parametrize("value", ["#" + "a" * N, "a" * N, "#" * N])
def test_render_colour_check_is_linear(value: str) -> None:
    assert_fast(lambda: _COLOR.fullmatch(value))


def test_render_unprintable_and_pdf_date_are_linear() -> None:
    text = "\x01" * N
    data = b"/CreationDate (D:" + b"1" * N
    assert_fast(lambda: (_UNPRINTABLE.sub("", text), _PDF_DATE.sub(b"", data)))
