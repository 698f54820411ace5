"""How the parts of a comparison grow with the size of the processes (up to the 2,000-step cap).

Two chains of N steps with casework labels that differ in one step; for each N the
alignment, the behavioural profiles, the diff proper and the similarities are timed
apart (median of ``--repeat`` runs), and the growth per doubling is printed.

Run from the repository root::

    .venv/bin/python -m benchmarks.diff_growth
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence

from processes.align import align
from processes.diff import diff
from processes.model import Flow, Process, Step
from processes.similarity import profile, similarities

__all__ = ["main"]

_VERBS = ("registrere", "vurdere", "sende", "kontrollere", "motta", "fatte", "arkivere", "beregne", "innhente", "varsle")
_OBJECTS = ("søknad", "vedtak", "gebyr", "dokument", "uttalelse", "klage", "faktura", "plan", "tegning", "nabovarsel")


def chain(n: int, seed: int) -> Process:
    rng = random.Random(seed)
    p = Process("p")
    for i in range(n):
        p.add_step(Step(f"s{i}", f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {i}"))
        if i:
            p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    return p


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("| steps | align | profiles | diff | similarities |")
    print("|---:|---:|---:|---:|---:|")
    previous: dict[str, float] = {}
    for n in args.sizes:
        a, b = chain(n, 1), chain(n, 1)
        b.replace_element(b.step("s5").replace(label="noe annet"))
        al = align(a, b)
        pa, pb = profile(a), profile(b)
        times = {
            # Defaults bind this size's processes (each lambda runs before the loop moves on anyway).
            "align": _median(lambda a=a, b=b: align(a, b), args.repeat),
            "profiles": _median(lambda a=a, b=b: (profile(a), profile(b)), args.repeat),
            "diff": _median(lambda a=a, b=b, al=al, pa=pa, pb=pb: diff(a, b, al, profiles=(pa, pb)), args.repeat),
            "similarities": _median(lambda pa=pa, pb=pb, al=al: similarities(pa, pb, al), args.repeat),
        }
        cells = []
        for key, value in times.items():
            growth = f" (×{value / previous[key]:.1f})" if key in previous and previous[key] > 0 else ""
            cells.append(f"{value * 1000:.0f} ms{growth}")
        previous = times
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
