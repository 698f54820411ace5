"""Event-log import: parse/discovery time and peak memory on the BPIC 2015 logs.

Three tables:

1. **Time** to read each BPIC 2015 XES log and discover its step graph
   (median of ``--repeat`` runs), with ``activityNameEN`` as the label.
2. **Memory does not grow with the log.** Peak memory while reading, streamed
   from a file, the first half of a log, the whole log, and the whole log's
   cases repeated 4x and 16x (a synthetic log with the same graph): the
   Python heap (:mod:`tracemalloc`) and the peak RSS of a fresh process, which
   also counts lxml's C allocations that tracemalloc cannot see. Streaming
   means both stay flat while the file grows.
3. The same for CSV event logs, grouped by case (streamed) and shuffled
   (every open case is buffered, so memory grows: the documented limit).

Run from the repository root::

    .venv/bin/python -m benchmarks.eventlog [--repeat 5] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from processes.formats.eventlog import read_eventlog_csv, read_xes

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "matching" / "bpic15" / "xes"


def _peak(action: Callable[[], object]) -> tuple[float, object]:
    tracemalloc.start()
    try:
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024, result


_PEAK_RSS = """
import resource, sys
from processes.formats.eventlog import read_xes
read_xes(sys.argv[1], label_attribute="activityNameEN")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_kib(path: Path) -> int:
    """Peak resident memory of a fresh interpreter reading ``path`` (counts lxml's C memory too)."""
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, str(path)], capture_output=True, text=True, check=True
    )
    return int(result.stdout)


def _split_xes(path: Path) -> tuple[bytes, list[bytes], bytes]:
    """Return (head, traces, tail) of an XES file as bytes."""
    data = path.read_bytes()
    first = data.index(b"<trace")
    last = data.rindex(b"</trace>") + len(b"</trace>")
    body = data[first:last]
    traces = [t + b"</trace>" for t in body.split(b"</trace>") if t.strip()]
    return data[:first], [t.strip() for t in traces], data[last:]


def _write(folder: Path, name: str, head: bytes, traces: list[bytes], tail: bytes) -> Path:
    path = folder / name
    with path.open("wb") as out:
        out.write(head)
        for trace in traces:
            out.write(trace + b"\n")
        out.write(tail)
    return path


def _csv_log(traces: list[bytes], *, shuffle: bool) -> bytes:
    """Turn XES traces into a CSV log (case, activity, timestamp), grouped or shuffled."""
    rows: list[str] = []
    for number, trace in enumerate(traces):
        root = etree.fromstring(trace)
        for event in root.iter("event"):
            values = {child.get("key"): child.get("value") for child in event}
            rows.append(f"{number};{values['activityNameEN']};{values['time:timestamp']}")
    if shuffle:
        random.Random(1).shuffle(rows)
    return ("case;activity;timestamp\n" + "\n".join(rows) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    logs = sorted(args.data.glob("*.xes"))
    if not logs:
        print(f"no XES logs in {args.data} (the BPIC 2015 data sits in ../shared/data)", file=sys.stderr)
        return 2

    print("## 1. Read + discover, activityNameEN label, median of", args.repeat, "runs\n")
    print("| log | size (KiB) | cases | events | steps | flows | median time (ms) | events/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total_events = 0
    total_time = 0.0
    for path in logs:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            p = read_xes(path, label_attribute="activityNameEN")
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        events = int(p.metadata["events"])
        total_events += events
        total_time += median
        print(
            f"| {path.stem} | {path.stat().st_size / 1024:.0f} | {p.metadata['cases']} | {events} | "
            f"{len(p.steps)} | {len(p.flows)} | {median * 1000:.1f} | {events / median:,.0f} |"
        )
    print(
        f"| **all** | | | {total_events} | | | {total_time * 1000:.1f} | {total_events / total_time:,.0f} |"
    )

    biggest = max(logs, key=lambda p: p.stat().st_size)
    head, traces, tail = _split_xes(biggest)
    print(f"\n## 2. Peak memory while streaming {biggest.name} from a file\n")
    print(
        "| input | cases | file (KiB) | Python heap peak (KiB) | heap / whole-log heap "
        "| process peak RSS (MiB) | time (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        variants = [
            ("first half", traces[: len(traces) // 2]),
            ("whole log", traces),
            ("cases x4", traces * 4),
            ("cases x16", traces * 16),
        ]
        results = []
        for name, chosen in variants:
            path = _write(folder, f"{name.replace(' ', '_')}.xes", head, chosen, tail)
            peak, _ = _peak(lambda path=path: read_xes(path, label_attribute="activityNameEN"))
            start = time.perf_counter()
            read_xes(path, label_attribute="activityNameEN")
            elapsed = time.perf_counter() - start
            rss = _peak_rss_kib(path) / 1024
            results.append((name, len(chosen), path.stat().st_size / 1024, peak, rss, elapsed))
        whole_peak = results[1][3]
        for name, cases, size, peak, rss, elapsed in results:
            print(
                f"| {name} | {cases} | {size:,.0f} | {peak:,.0f} | {peak / whole_peak:.2f} "
                f"| {rss:.1f} | {elapsed * 1000:.0f} |"
            )

    print("\n## 3. CSV event log (bytes in memory), grouped by case vs shuffled rows\n")
    print("| input | rows | text (KiB) | peak memory (KiB) | peak / text size |")
    print("|---|---:|---:|---:|---:|")
    for factor in (1, 4):
        for shuffle in (False, True):
            data = _csv_log(traces * factor, shuffle=shuffle)
            peak, _ = _peak(lambda data=data: read_eventlog_csv(data))
            label = f"{'shuffled' if shuffle else 'grouped'} x{factor}"
            rows = data.count(b"\n") - 1
            print(
                f"| {label} | {rows} | {len(data) / 1024:,.0f} | {peak:,.0f} | {peak / (len(data) / 1024):.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
