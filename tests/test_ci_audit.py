"""The CI dependency-audit step: what fails it, what is skipped, and the ignore file."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "audit_dependencies.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(*deps: dict[str, object]) -> dict[str, object]:
    return {"dependencies": list(deps), "fixes": []}


FLASK = {"name": "flask", "version": "3.1.0", "vulns": []}
BAD = {"name": "werkzeug", "version": "3.0.0", "vulns": [{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fix_versions": ["3.0.6"]}]}
SKIPPED = {"name": "graphviz", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_known_vulnerability_fails_and_names_the_fix(audit: ModuleType) -> None:
    status, message = audit.verdict(_report(FLASK, BAD), {})
    assert status == 1
    assert "werkzeug 3.0.0: PYSEC-2099-1 (fixed in 3.0.6)" in message


def test_an_ignored_vulnerability_passes_by_id_or_alias(audit: ModuleType) -> None:
    assert audit.verdict(_report(FLASK, BAD), {"PYSEC-2099-1": "not used"})[0] == 0
    assert audit.verdict(_report(FLASK, BAD), {"CVE-2099-1": "not used"})[0] == 0


def test_nothing_looked_up_is_a_skip_not_a_clean_bill(audit: ModuleType) -> None:
    status, message = audit.verdict(_report(SKIPPED, SKIPPED), {})
    assert status == 0 and "skipped" in message and "no known vulnerabilities" not in message


def test_a_clean_audit_says_how_many_were_checked(audit: ModuleType) -> None:
    assert audit.verdict(_report(FLASK, SKIPPED), {}) == (0, "ci: dependency audit: 1 packages, no known vulnerabilities (1 not on PyPI, not audited)")


def test_the_ignore_file_needs_a_reason_for_each_id(audit: ModuleType) -> None:
    assert audit.read_ignored("# comment\nPYSEC-1  only in the CLI we do not ship\n\n") == {"PYSEC-1": "only in the CLI we do not ship"}
    with pytest.raises(SystemExit, match="line 1: PYSEC-2 needs a reason"):
        audit.read_ignored("PYSEC-2\n")


def test_the_committed_ignore_file_is_valid(audit: ModuleType) -> None:
    audit.read_ignored(audit.IGNORE_FILE.read_text(encoding="utf-8"))


def test_an_unreachable_service_is_reported(audit: ModuleType) -> None:
    problem = audit.service_problem("http://127.0.0.1:9/nothing-listens-here", timeout=2)
    assert problem is not None and "did not answer" in problem
