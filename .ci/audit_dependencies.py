"""CI step: audit the installed Python dependencies for known vulnerabilities with pip-audit.

Runs only where the vulnerability service answers (PyPI's JSON API, which carries the
advisories); elsewhere it prints why it skipped and succeeds. A vulnerability fails the
step unless `.ci/pip-audit-ignore` lists its id with a reason (``ID  reason``, one a line,
``#`` comments). A run in which no package could be looked up counts as unreachable,
never as "no vulnerabilities".

Usage: .venv/bin/python .ci/audit_dependencies.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore"
PROBE_URL = "https://pypi.org/pypi/pip/json"


def read_ignored(text: str) -> dict[str, str]:
    """``{vulnerability id: reason}`` from the ignore file; a line without a reason is an error."""
    ignored: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{IGNORE_FILE.name} line {number}: {vuln_id} needs a reason after the id")
        ignored[vuln_id] = reason.strip()
    return ignored


def service_problem(url: str = PROBE_URL, timeout: float = 15) -> str | None:
    """Why the vulnerability service cannot be used, or None when it answers with advisories."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = json.load(response)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return f"{url} did not answer: {exc}"
    if "vulnerabilities" not in data:
        return f"{url} answered without vulnerability data (a mirror?)"
    return None


def verdict(report: dict[str, Any], ignored: dict[str, str]) -> tuple[int, str]:
    """Exit status and message for a ``pip-audit -f json`` report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        return 0, f"ci: dependency audit skipped: none of the {len(deps)} packages could be looked up"
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['–'])})"
        for d in audited
        for v in d.get("vulns", [])
        if v["id"] not in ignored and not set(v.get("aliases", [])) & set(ignored)
    ]
    skipped = len(deps) - len(audited)
    if found:
        return 1, "ci: known vulnerabilities (fix, or list in .ci/pip-audit-ignore with a reason):\n  " + "\n  ".join(found)
    return 0, f"ci: dependency audit: {len(audited)} packages, no known vulnerabilities ({skipped} not on PyPI, not audited)"


def main() -> int:
    problem = service_problem()
    if problem is not None:
        print(f"ci: dependency audit skipped: the vulnerability service cannot be reached: {problem}")
        return 0
    ignored = read_ignored(IGNORE_FILE.read_text(encoding="utf-8") if IGNORE_FILE.exists() else "")
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off",
               "--vulnerability-service", "pypi", "--format", "json"]
    for vuln_id in ignored:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"ci: pip-audit failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return 1
    status, message = verdict(report, ignored)
    print(message)
    return status


if __name__ == "__main__":
    sys.exit(main())
