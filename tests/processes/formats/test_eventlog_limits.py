"""Gzipped XES logs are refused early and in bounded memory when they unpack to too much."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from processes.exceptions import InputTooLargeError
from processes.formats.eventlog import MAX_CASE_EVENTS, MAX_UNPACKED_BYTES, read_xes

SHARED_LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "matching" / "bpic15" / "xes"

EVENT = b'<event><string key="concept:name" value="Motta"/></event>'
# One case per repetition; the padding is parsed in C and dropped with its case.
CASE = b'<trace><string key="note" value="' + b"x" * 2000 + b'"/>' + EVENT + b"</trace>"


def _bomb(path: Path, unit: bytes, unpacked: int) -> Path:
    """A gzipped XES log of ``unit`` repeated to about ``unpacked`` bytes, written in chunks."""
    chunk = unit * max(1, (1 << 20) // len(unit))
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(b"<log>")
        for _ in range(unpacked // len(chunk) + 1):
            f.write(chunk)
        f.write(b"</log>")
    return path


def _read_in_a_subprocess(path: Path) -> dict[str, object]:
    """Read the log in a fresh interpreter; its peak memory above the baseline and the error."""
    script = f"""
import json, resource, time
from processes.formats.eventlog import read_xes
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    read_xes({str(path)!r}, max_bytes=10 * 1024 * 1024)
    error = None
except Exception as exc:
    error = f"{{type(exc).__name__}}: {{exc}}"
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({{"error": error, "grown_kib": grown, "seconds": time.perf_counter() - start}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_gzip_bomb_of_many_cases_is_refused_at_the_unpacked_limit_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xes.gz", CASE, 3 * MAX_UNPACKED_BYTES)
    assert bomb.stat().st_size < 2_000_000  # small on disk: a third of a gigabyte unpacked
    result = _read_in_a_subprocess(bomb)
    assert result["error"] == (
        f"InputTooLargeError: bomb.xes.gz: the log unpacks to more than {MAX_UNPACKED_BYTES:,} bytes "
        "(a real event log unpacks to far less; upload a shorter period or fewer cases)"
    )
    assert int(result["grown_kib"]) < 100 * 1024  # type: ignore[call-overload]


def test_a_gzip_bomb_that_is_one_endless_case_is_refused_early(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "one-case.xes.gz", EVENT, 2 * MAX_UNPACKED_BYTES)
    with gzip.open(bomb, "rb") as f:
        assert f.read(100).startswith(b"<log>" + EVENT)  # events, and no </trace> until the end
    bomb.write_bytes(gzip.compress(b"<log><trace>" + gzip.decompress(bomb.read_bytes())[5:]))
    result = _read_in_a_subprocess(bomb)
    assert result["error"] == (
        f"InputTooLargeError: one-case.xes.gz, line 1: case 1 of the log has more than {MAX_CASE_EVENTS:,} events "
        "(a case of casework has tens of events; check how the log was exported)"
    )
    assert int(result["grown_kib"]) < 50 * 1024  # type: ignore[call-overload]
    assert float(result["seconds"]) < 10  # type: ignore[arg-type]


def test_the_unpacked_limit_can_be_set_lower() -> None:
    log = gzip.compress(b"<log>" + CASE * 1000 + b"</log>")
    with pytest.raises(InputTooLargeError, match="unpacks to more than 1,000,000 bytes"):
        read_xes(log, max_unpacked_bytes=1_000_000)
    assert read_xes(log, max_unpacked_bytes=None).step("Motta").metrics["cases"] == 1000


def test_the_case_limit_can_be_set_lower_and_counts_only_the_case_being_read() -> None:
    log = b"<log>" + (b"<trace>" + EVENT * 3 + b"</trace>") * 5 + b"</log>"
    assert read_xes(log, max_case_events=3).step("Motta").metrics["frequency"] == 15
    with pytest.raises(InputTooLargeError, match="case 1 of the log has more than 2 events"):
        read_xes(log, max_case_events=2)


@pytest.mark.skipif(not SHARED_LOGS.is_dir(), reason=f"the shared BPIC 2015 logs are not at {SHARED_LOGS}")
def test_every_shared_log_gzipped_is_far_below_the_limits() -> None:
    for path in sorted(SHARED_LOGS.glob("*.xes")):
        data = path.read_bytes()
        assert len(data) * 50 < MAX_UNPACKED_BYTES, path.name
        process = read_xes(gzip.compress(data), source=path.name + ".gz")
        assert process.steps, path.name
