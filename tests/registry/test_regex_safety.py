"""Every regular expression in the registry that sees user data, fed its worst input.

Same rule and bound as tests/processes/test_regex_safety.py (DESIGN.md, habit 15; the
audit is docs/regex-audit.md): about 10,000 characters shaped to make each pattern
backtrack, and the fastest of three runs must take well under a second.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable

import pytest
from flask_wtf import FlaskForm
from wtforms.validators import Regexp

import registry
from registry.cooperations.services import slugify
from registry.exports.services import _SVG_START
from registry.forms import _NUMBER_RE
from registry.municipalities.services import NUMBER_RE
from registry.syntax import MAX_EMAIL_LENGTH, is_email_address, is_slug

N = 10_000
BOUND = 0.1  # seconds, for the fastest of three runs


def assert_fast(call: Callable[[], object]) -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    assert best < BOUND, f"took {best:.3f} s on {N} adversarial characters"


@pytest.mark.parametrize(
    "text",
    [
        "a@" + "." * N + " ",
        "a@" + "a." * (N // 2) + "@",
        "@" * N,
        "a" * N + "@",
        "a@b" + "." * N,
    ],
    ids=["dots", "labels", "ats", "local", "trailing-dots"],
)
def test_email_check_is_linear(text: str) -> None:
    # The length limit comes first in is_email_address; the pattern itself must be safe too.
    from registry.syntax import _EMAIL

    assert_fast(lambda: (is_email_address(text), _EMAIL.fullmatch(text)))


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("kari@kommune.no", True),
        ("kari.nordmann@trondheim.kommune.no", True),
        ("kari@kommune", False),
        ("kari@.no", False),
        ("kari@kommune.", False),
        ("a b@kommune.no", False),
        ("kari@@kommune.no", False),
        ("kari@kommune.no\n", False),
        ("k@" + "a" * (MAX_EMAIL_LENGTH - 4) + ".no", False),  # 255 characters
        ("k@" + "a" * (MAX_EMAIL_LENGTH - 5) + ".no", True),
    ],
)
def test_email_check_keeps_its_meaning(text: str, valid: bool) -> None:
    assert is_email_address(text) is valid


@pytest.mark.parametrize(
    "text", ["a-" * (N // 2) + "!", "a" * N + "-", "-" * N, "a" * N + "\n"]
)
def test_slug_check_is_linear(text: str) -> None:
    from registry.syntax import _SLUG

    assert_fast(lambda: (is_slug(text), _SLUG.fullmatch(text)))


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("digi-trondelag", True),
        ("ikt2", True),
        ("a", True),
        ("", False),
        ("-a", False),
        ("a-", False),
        ("a--b", False),
        ("Digi", False),
        ("digi_trondelag", False),
        ("digi\n", False),
    ],
)
def test_slug_check_keeps_its_meaning(text: str, valid: bool) -> None:
    assert is_slug(text) is valid


@pytest.mark.parametrize("text", ["0" * N, "0" * N + "x", "0301" + "\n" * N])
def test_municipality_number_patterns_are_linear(text: str) -> None:
    assert_fast(lambda: (NUMBER_RE.match(text), _NUMBER_RE.match(text)))


def test_slugify_is_linear() -> None:
    assert_fast(lambda: slugify("æ -" * (N // 3)))


def test_svg_sniffing_is_linear() -> None:
    assert_fast(lambda: _SVG_START.search(b"<svg" * (N // 4)))


def _form_patterns() -> list[tuple[str, Regexp]]:
    """Every WTForms ``Regexp`` validator declared on a form in registry/*/forms.py."""
    found: list[tuple[str, Regexp]] = []
    for info in pkgutil.walk_packages(registry.__path__, "registry."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for form in vars(module).values():
            if not (
                isinstance(form, type)
                and issubclass(form, FlaskForm)
                and form.__module__ == info.name
            ):
                continue
            for name, field in vars(form).items():
                validators = getattr(field, "kwargs", {}).get("validators") or []
                for validator in validators:
                    if isinstance(validator, Regexp):
                        found.append((f"{form.__name__}.{name}", validator))
    return found


FORM_PATTERNS = _form_patterns()


def test_the_form_patterns_are_found() -> None:
    assert any(name == "MunicipalityForm.number" for name, _ in FORM_PATTERNS)


@pytest.mark.parametrize(
    ("name", "validator"), FORM_PATTERNS, ids=[name for name, _ in FORM_PATTERNS]
)
def test_form_patterns_are_linear(name: str, validator: Regexp) -> None:
    # A generic battery: long runs of digits, letters, hyphens and spaces, each with a
    # final character that makes the match fail at the very end.
    inputs = [
        "0" * N + "x",
        "a" * N + "!",
        "a-" * (N // 2) + "-",
        " " * N + "x",
        "0\n" * (N // 2),
    ]
    assert_fast(lambda: [validator.regex.match(text) for text in inputs])
