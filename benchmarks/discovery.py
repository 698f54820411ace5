"""Process discovery from event logs: fitness and precision of what is discovered, on BPIC 2015.

For each BPIC 2015 log (sub-processes 02_DRZ and 05_EIND of five
municipalities, ``activityNameEN`` as the label) the benchmark measures,
side by side, with :func:`processes.conformance.conformance` (token-replay
fitness, escaping-edges precision, on every case of the log; no sampling):

- the process the event-log reader now discovers (inductive miner IMf,
  noise threshold 0.2, the default), and the plain inductive miner
  (threshold 0, which fits every case by construction);
- the directly-follows graph the reader gave before (``miner="dfg"``), read
  as the model reads it (several flows out of a step all start: BPMN's
  implicit parallel split) and, for reference, read as exclusive choices;
- the municipality's reference Petri net for the same sub-process
  (``pnml/``), read with the PNML reader, where there is one.

It also compares each discovered model with the reference net
(:func:`processes.compare.compare`) and counts the sentences that say a step
"is always done" in the net but can be skipped (or the reverse), and how many
sentences :func:`processes.explain.summarise` needs for all differences.

Run from the repository root::

    .venv/bin/python -m benchmarks.discovery [--repeat 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from processes.compare import compare
from processes.conformance import Conformance, conformance
from processes.diff import DifferenceKind
from processes.explain import summarise
from processes.formats import read_process
from processes.formats.eventlog import read_xes, read_xes_variants
from processes.model import Process

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "matching" / "bpic15"
LABEL = "activityNameEN"


def _cell(c: Conformance) -> str:
    return f"{c.fitness:.3f} / {c.precision:.3f}"


def _timed(action: object, repeat: int) -> tuple[float, Process]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    assert isinstance(result, Process)
    return statistics.median(times), result


def _claims(reference: Process, model: Process) -> tuple[int, int, int]:
    """(optional-vs-mandatory differences, all differences, sentences after grouping) against the net."""
    c = compare(reference, model, a_name="net", b_name="log")
    optional = sum(1 for d in c.differences if d.kind == DifferenceKind.OPTIONAL_VS_MANDATORY)
    sentences = summarise(c.differences, c.a, c.b, a_name="net", b_name="log", lang="en")
    return optional, len(c.differences), len(sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per discovery; the median time is shown")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bpic15 folder (xes/, pnml/)")
    args = parser.parse_args(argv)
    logs = sorted((args.data / "xes").glob("*.xes"))
    if not logs:
        print(f"no XES logs in {args.data / 'xes'} (the BPIC 2015 data sits in ../shared/data)", file=sys.stderr)
        return 2

    print("## Fitness / precision (token replay, escaping edges), every case of each log\n")
    print(
        "| log | cases | variants | activities | IMf 0.2 (default) | IM 0 | DFG as read (implicit AND) "
        "| DFG as choices | reference net | cases that fit: IMf / DFG as read | read + discover ms: IMf / DFG | replay ms (IMf) |"
    )
    print("|---|---:|---:|---:|---|---|---|---|---|---:|---:|---:|")
    claims: list[str] = []
    totals: dict[str, list[float]] = {k: [] for k in ("imf_f", "imf_p", "im_f", "im_p", "and_f", "and_p", "x_f", "x_p", "net_f", "net_p")}
    for path in logs:
        log = read_xes_variants(path, label_attribute=LABEL)
        cases = sum(log.values())
        activities = len({a for t in log for a in t})
        seconds, imf = _timed(lambda path=path: read_xes(path, label_attribute=LABEL), args.repeat)
        im = read_xes(path, label_attribute=LABEL, noise_threshold=0)
        dfg_seconds, dfg = _timed(lambda path=path: read_xes(path, label_attribute=LABEL, miner="dfg"), args.repeat)
        start = time.perf_counter()
        c_imf = conformance(imf, log)
        replay = time.perf_counter() - start
        c_im = conformance(im, log)
        c_and = conformance(dfg, log)
        c_x = conformance(dfg, log, implicit_split="exclusive")
        net_path = args.data / "pnml" / f"{path.stem}.pnml"
        net_cell = "—"
        if net_path.exists():
            net = read_process(net_path.read_bytes(), filename=net_path.name)
            c_net = conformance(net, log)
            unknown = len(c_net.unknown_activities)
            net_cell = _cell(c_net) + (f" ({unknown} log activities not in the net)" if unknown else "")
            totals["net_f"].append(c_net.fitness)
            totals["net_p"].append(c_net.precision)
            dfg_claims, dfg_all, dfg_sentences = _claims(net, dfg)
            imf_claims, imf_all, imf_sentences = _claims(net, imf)
            claims.append(
                f"| {path.stem} | {dfg_claims} | {imf_claims} | {dfg_all} → {dfg_sentences} | {imf_all} → {imf_sentences} |"
            )
        for key, c in (("imf", c_imf), ("im", c_im), ("and", c_and), ("x", c_x)):
            totals[key + "_f"].append(c.fitness)
            totals[key + "_p"].append(c.precision)
        print(
            f"| {path.stem} | {cases} | {len(log)} | {activities} | {_cell(c_imf)} | {_cell(c_im)} | {_cell(c_and)} "
            f"| {_cell(c_x)} | {net_cell} | {c_imf.fitting_traces} / {c_and.fitting_traces} "
            f"| {seconds * 1000:.1f} / {dfg_seconds * 1000:.1f} | {replay * 1000:.0f} |"
        )

    def mean(key: str) -> str:
        values = totals[key]
        return f"{statistics.mean(values):.3f}" if values else "—"

    print(
        f"| **mean** | | | | {mean('imf_f')} / {mean('imf_p')} | {mean('im_f')} / {mean('im_p')} "
        f"| {mean('and_f')} / {mean('and_p')} | {mean('x_f')} / {mean('x_p')} | {mean('net_f')} / {mean('net_p')} | | | |"
    )
    print("\n## Against the reference net: 'can be skipped / is always done' sentences, and what a person reads\n")
    print("| log | optional-vs-mandatory, DFG | optional-vs-mandatory, IMf | DFG: differences → sentences | IMf: differences → sentences |")
    print("|---|---:|---:|---:|---:|")
    for row in claims:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
