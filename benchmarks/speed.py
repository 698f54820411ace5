"""Speed of the comparison engine, measured side by side in one run.

Three measurements, each against its target from the comparison-engine issue:

1. **Full comparison** (alignment, diff, all similarities: :func:`processes.compare.compare`)
   of a 50-step synthetic standard with its generated variants: median ≤ 5 ms.
   The parts (alignment, profiles, diff, similarities, sentences) are timed too.
2. **Pairwise matrix** (:func:`processes.compare.compare_matrix`) of 357
   variants of a 40-step process, 63,546 pairs, with both cores: ≤ 60 s.
   A serial sample of pairs gives the per-pair cost and the parallel speed-up.
3. **Structural distance against networkx**: our
   :func:`processes.similarity.graph_edit_distance` against
   :func:`networkx.graph_edit_distance` (exact) with the same cost model
   (:func:`processes.similarity.networkx_costs`) on pairs where networkx
   finishes within 10 s (target: within 2 % and ≥ 100× faster); on larger
   pairs against the best value :func:`networkx.optimize_graph_edit_distance`
   reaches in 10 s (target: no worse).

Run from the repository root (sizes are configurable, see ``--help``)::

    .venv/bin/python -m benchmarks.speed
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import signal
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import networkx as nx

from processes.align import align
from processes.compare import compare, compare_matrix
from processes.diff import diff
from processes.generate import generate_variants, synthetic_process
from processes.model import Process
from processes.similarity import (
    graph_edit_distance,
    networkx_costs,
    profile,
    similarities,
)

__all__ = ["main"]


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_compare(
    steps: int, variants: int, repeat: int, seed: int
) -> list[tuple[str, float]]:
    """Median milliseconds of compare() and of its parts, over generated variants.

    "New" processes are fresh copies, so no cache of an earlier comparison helps;
    "standard seen" is the registry's usual case: one standard against many variants.
    """
    standard = synthetic_process(steps, seed=seed)
    others = [v.process for v in generate_variants(standard, variants, seed=seed + 1)]
    for other in others:  # warm imports and the standard's caches
        compare(standard, other).to_json()
    pool = [(standard.copy(), others[k % len(others)].copy()) for k in range(repeat)]
    fresh_variants = [others[k % len(others)].copy() for k in range(repeat)]

    def each(fn: Callable[[Process], object]) -> Callable[[], object]:
        cycle = itertools.cycle(others)
        return lambda: fn(next(cycle))

    def run_over(items: list[Any], fn: Callable[[Any], object]) -> Callable[[], object]:
        it = iter(items)
        return lambda: fn(next(it))

    alignments = {id(o): align(standard, o) for o in others}
    profiles = {id(o): profile(o) for o in others}
    pa = profile(standard)
    return [
        (
            "compare(), both processes new",
            _median_ms(run_over(pool, lambda ab: compare(ab[0], ab[1])), repeat),
        ),
        (
            "compare(), standard seen, variant new",
            _median_ms(
                run_over(fresh_variants, lambda o: compare(standard, o)), repeat
            ),
        ),
        (
            "  alignment (align, prepared features cached)",
            _median_ms(each(lambda o: align(standard, o)), repeat),
        ),
        ("  behavioural profile, one process", _median_ms(each(profile), repeat)),
        (
            "  diff (profiles given)",
            _median_ms(
                each(
                    lambda o: diff(
                        standard, o, alignments[id(o)], profiles=(pa, profiles[id(o)])
                    )
                ),
                repeat,
            ),
        ),
        (
            "  similarities (profiles given)",
            _median_ms(
                each(lambda o: similarities(pa, profiles[id(o)], alignments[id(o)])),
                repeat,
            ),
        ),
        (
            "  sentences + JSON of a comparison",
            _median_ms(
                run_over(
                    [compare(standard, o) for o in others]
                    * (repeat // len(others) + 1),
                    lambda c: c.to_json(),
                ),
                repeat,
            ),
        ),
    ]


def bench_matrix(
    steps: int, variants: int, workers: int, sample: int, seed: int
) -> dict[str, float]:
    standard = synthetic_process(steps, seed=seed)
    processes = [
        v.process for v in generate_variants(standard, variants, seed=seed + 1)
    ]
    pairs = variants * (variants - 1) // 2
    start = time.perf_counter()
    matrix = compare_matrix(processes, workers=workers)
    wall = time.perf_counter() - start
    # Serial cost per pair on a sample (same code path, one worker, includes preparation).
    subset = processes[: max(2, int((2 * sample) ** 0.5) + 1)]
    sub_pairs = len(subset) * (len(subset) - 1) // 2
    start = time.perf_counter()
    sub = compare_matrix(subset, workers=1)
    serial = time.perf_counter() - start
    assert (sub == matrix[: len(subset), : len(subset)]).all(), (
        "parallel and serial results differ"
    )
    per_pair = serial / sub_pairs
    return {
        "pairs": pairs,
        "wall_s": wall,
        "serial_ms_per_pair": per_pair * 1000,
        "serial_estimate_s": per_pair * pairs,
        "speedup": per_pair * pairs / wall,
    }


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _pair(steps: int, seed: int, edits: int) -> tuple[Process, Process]:
    standard = synthetic_process(steps, seed=seed)
    variant = generate_variants(standard, 1, seed=seed + 1000, edits=edits, reid=True)[
        0
    ].process
    return standard, variant


def bench_ged_small(
    sizes: Sequence[int], pairs: int, limit: float, seed: int, budget: int
) -> list[dict[str, float]]:
    rows = []
    for size in sizes:
        for k in range(pairs):
            a, b = _pair(size, seed + 17 * k + size, edits=3)
            ga, gb = a.step_graph(), b.step_graph()
            ours = graph_edit_distance(a, b, budget=budget)
            quick = graph_edit_distance(a, b, budget=0)
            assert ours is not None and quick is not None
            t_ours = (
                _median_ms(
                    functools.partial(graph_edit_distance, a, b, budget=budget), 5
                )
                / 1000
            )
            t_quick = (
                _median_ms(functools.partial(graph_edit_distance, a, b, budget=0), 5)
                / 1000
            )
            start = time.perf_counter()
            exact = nx.graph_edit_distance(
                ga, gb, timeout=limit, **networkx_costs(a, b)
            )
            t_nx = time.perf_counter() - start
            if t_nx >= limit * 0.98 or exact is None:
                continue  # networkx did not finish: not a pair for this comparison
            rows.append(
                {
                    "size": size,
                    "nodes": ga.number_of_nodes() + gb.number_of_nodes(),
                    "ours": ours.cost,
                    "networkx": float(exact),
                    "gap": (ours.cost - exact) / exact if exact else 0.0,
                    "t_ours_ms": t_ours * 1000,
                    "t_nx_ms": t_nx * 1000,
                    "ratio": t_nx / t_ours,
                    "quick_gap": (quick.cost - exact) / exact if exact else 0.0,
                    "t_quick_ms": t_quick * 1000,
                    "quick_ratio": t_nx / t_quick,
                }
            )
    return rows


def bench_ged_large(
    sizes: Sequence[int], pairs: int, limit: float, seed: int, budget: int
) -> list[dict[str, float]]:
    rows = []
    for size in sizes:
        for k in range(pairs):
            a, b = _pair(size, seed + 31 * k + size, edits=max(3, size // 8))
            start = time.perf_counter()
            ours = graph_edit_distance(a, b, budget=budget)
            t_ours = time.perf_counter() - start
            assert ours is not None
            best = float("inf")
            found = 0
            start = time.perf_counter()
            try:
                with _time_limit(limit):
                    for value in nx.optimize_graph_edit_distance(
                        a.step_graph(), b.step_graph(), **networkx_costs(a, b)
                    ):
                        best = min(best, float(value))
                        found += 1
            except _Timeout:
                pass
            t_nx = time.perf_counter() - start
            rows.append(
                {
                    "size": size,
                    "ours": ours.cost,
                    "networkx": best,
                    "nx_values": found,
                    "t_ours_ms": t_ours * 1000,
                    "t_nx_s": t_nx,
                    "optimal": float(ours.optimal),
                }
            )
    return rows


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--compare-steps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=300, help="timed runs per median")
    parser.add_argument("--matrix-steps", type=int, default=40)
    parser.add_argument("--matrix-variants", type=int, default=357)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--ged-small",
        type=_ints,
        default=[8, 10, 12, 14],
        help="step counts for the exact comparison",
    )
    parser.add_argument(
        "--ged-large",
        type=_ints,
        default=[20, 30, 40],
        help="step counts for the anytime comparison",
    )
    parser.add_argument("--ged-pairs", type=int, default=3, help="pairs per size")
    parser.add_argument(
        "--budget", type=int, default=5000, help="branch-and-bound budget of our search"
    )
    parser.add_argument(
        "--limit", type=float, default=10.0, help="seconds networkx may use per pair"
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to skip: compare,matrix,ged"
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    skip = set(args.skip.split(","))
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}"
    )

    if "compare" not in skip:
        print(
            f"\n1. Full comparison, {args.compare_steps}-step standard vs generated variants (median of {args.repeat})"
        )
        print(f"{'what':<46} {'median ms':>10}")
        for name, ms in bench_compare(args.compare_steps, 20, args.repeat, args.seed):
            print(f"{name:<46} {ms:>10.3f}")
        print("target: compare() median ≤ 5 ms (first row: nothing cached)")

    if "matrix" not in skip:
        print(
            f"\n2. Pairwise matrix, {args.matrix_variants} variants of a {args.matrix_steps}-step process, "
            f"{args.workers} workers"
        )
        m = bench_matrix(
            args.matrix_steps, args.matrix_variants, args.workers, 2000, args.seed
        )
        print(
            f"pairs {m['pairs']:.0f}   wall {m['wall_s']:.1f} s   serial {m['serial_ms_per_pair']:.3f} ms/pair"
        )
        print(
            f"serial estimate {m['serial_estimate_s']:.1f} s   speed-up with {args.workers} workers {m['speedup']:.2f}×"
        )
        print("target: ≤ 60 s")

    if "ged" not in skip:
        print(
            "\n3a. Graph edit distance vs networkx.graph_edit_distance "
            f"(exact, pairs finishing within {args.limit:g} s); ours = local search + branch "
            f"and bound (budget {args.budget}), quick = local search only (budget 0)"
        )
        rows = bench_ged_small(
            args.ged_small, args.ged_pairs, args.limit, args.seed, args.budget
        )
        print(
            f"{'steps':>5} {'nodes':>5} {'networkx':>9} {'ours':>8} {'gap %':>6} {'quick gap %':>11}"
            f" {'nx ms':>8} {'ours ms':>8} {'quick ms':>8} {'ratio':>6} {'quick ratio':>11}"
        )
        for r in rows:
            print(
                f"{r['size']:>5.0f} {r['nodes']:>5.0f} {r['networkx']:>9.3f} {r['ours']:>8.3f}"
                f" {r['gap'] * 100:>6.2f} {r['quick_gap'] * 100:>11.2f} {r['t_nx_ms']:>8.1f}"
                f" {r['t_ours_ms']:>8.2f} {r['t_quick_ms']:>8.2f} {r['ratio']:>6.0f}"
                f" {r['quick_ratio']:>11.0f}"
            )
        if rows:
            print(
                f"pairs {len(rows)}   max gap {max(r['gap'] for r in rows) * 100:.2f} % "
                f"(quick {max(r['quick_gap'] for r in rows) * 100:.2f} %)   median speed ratio "
                f"{statistics.median(r['ratio'] for r in rows):.0f}× "
                f"(quick {statistics.median(r['quick_ratio'] for r in rows):.0f}×)   min ratio "
                f"{min(r['ratio'] for r in rows):.0f}× (quick {min(r['quick_ratio'] for r in rows):.0f}×)"
            )
        print(
            "target: within 2 %, ≥ 100× faster (negative gap: ours is lower than networkx's answer)"
        )
        print(
            f"\n3b. Larger pairs vs the best networkx.optimize_graph_edit_distance value within {args.limit:g} s"
        )
        rows = bench_ged_large(
            args.ged_large, args.ged_pairs, args.limit, args.seed, args.budget
        )
        print(
            f"{'steps':>5} {'ours':>8} {'nx best':>8} {'nx vals':>7} {'ours ms':>8} {'proved':>6}"
        )
        for r in rows:
            print(
                f"{r['size']:>5.0f} {r['ours']:>8.3f} {r['networkx']:>8.3f} {r['nx_values']:>7.0f}"
                f" {r['t_ours_ms']:>8.1f} {'yes' if r['optimal'] else 'no':>6}"
            )
        if rows:
            worse = sum(1 for r in rows if r["ours"] > r["networkx"] + 1e-9)
            print(f"pairs {len(rows)}   ours worse than networkx on {worse}")
        print("target: never worse")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
