"""Syntax checks on what people type: e-mail addresses and slugs.

Every regular expression that sees user data follows one rule (DESIGN.md, habit 15):
no quantifier over a group that itself holds a quantifier, and no two neighbouring
quantified pieces that can match the same character. Each pattern here has a test that
feeds it 10,000 adversarial characters (tests/registry/test_regex_safety.py); the audit
of every pattern is docs/regex-audit.md. Patterns are matched with ``fullmatch``: ``$``
also matches before a final newline, so ``^…$`` accepted ``"name@kommune.no\\n"``.
"""

from __future__ import annotations

import re

__all__ = ["MAX_EMAIL_LENGTH", "is_email_address", "is_slug"]

#: RFC 5321's limit on a forward path; longer input is refused before any matching.
MAX_EMAIL_LENGTH = 254

# One run without "@" or white space on each side of the "@". The domain's dot is
# checked in code: ``[^@\s]+\.[^@\s]+`` let two runs share the dots and backtracked
# quadratically on "a@" followed by thousands of dots.
_EMAIL = re.compile(r"[^@\s]+@([^@\s]+)")
_SLUG = re.compile(r"[a-z0-9-]+")


def is_email_address(text: str) -> bool:
    """True if ``text`` looks like ``name@domain.tld`` (a plain syntax check, no DNS)."""
    if len(text) > MAX_EMAIL_LENGTH:
        return False
    match = _EMAIL.fullmatch(text)
    # A dot with at least one character before and after it in the domain.
    return match is not None and "." in match.group(1)[1:-1]


def is_slug(text: str) -> bool:
    """True if ``text`` is lower-case letters a–z and digits joined by single hyphens."""
    # Hyphens checked in code, not by [a-z0-9]+(?:-[a-z0-9]+)*: a quantifier over a quantified group.
    return (
        _SLUG.fullmatch(text) is not None
        and not text.startswith("-")
        and not text.endswith("-")
        and "--" not in text
    )
