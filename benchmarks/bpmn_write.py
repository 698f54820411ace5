"""BPMN writing speed: does :func:`processes.formats.bpmn.write_bpmn` grow linearly with the process?

For generated casework processes of each size (``synthetic_process(n, seed=1)``: sequences,
exclusive and parallel blocks, three lanes; or with ``--shape`` one long chain, or a fan of
``n`` parallel branches, where two gateways have ``n`` flows each) the table gives the median
of ``--repeat`` runs of

- ``write_bpmn(p)``: the file with its diagram (BPMN DI), as the registry exports it;
- ``layout(p)``: the diagram layout alone (Graphviz dot up to ``render.DOT_UP_TO`` elements,
  the layered layout above);
- ``write_bpmn(p, layout=False)``: the model without a diagram;

and, for each size after the first, the **growth per 10x size**: the time ratio between two
sizes scaled to a tenfold size step, ``(t2 / t1) ** (1 / log10(n2 / n1))``. Linear time gives
10, quadratic 100. With ``--engines`` a second table lays the same processes out with both
engines side by side (dot is slow on large inputs: keep the sizes small there).

Run from the repository root::

    .venv/bin/python -m benchmarks.bpmn_write [--sizes 500,2000,20000] [--repeat 3] [--shape fan] [--clock cpu]
    .venv/bin/python -m benchmarks.bpmn_write --engines --sizes 200,500,1000,2000
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Sequence

from processes import render
from processes.formats.bpmn import write_bpmn
from processes.generate import synthetic_process
from processes.model import Flow, Gateway, GatewayKind, Process, Step

CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def _median(repeat: int, action: Callable[..., object], *args: object, **kwargs: object) -> float:
    times = []
    for _ in range(repeat):
        start = _clock()
        action(*args, **kwargs)
        times.append(_clock() - start)
    return statistics.median(times)


def _growth(n1: int, t1: float, n2: int, t2: float) -> str:
    if t1 <= 0 or n2 == n1:
        return "–"
    return f"{(t2 / t1) ** (1 / math.log10(n2 / n1)):.1f}"


def _fan(n: int) -> Process:
    """A parallel split into ``n`` tasks and their join: two nodes with ``n`` flows each."""
    p = Process(f"fan-{n}", f"Vifte ({n} steg)", lanes=["Saksbehandler"])
    p.add_gateway(Gateway("split", GatewayKind.PARALLEL, lane="Saksbehandler"))
    p.add_gateway(Gateway("join", GatewayKind.PARALLEL, lane="Saksbehandler"))
    for i in range(n):
        p.add_step(Step(f"t{i}", f"Oppgave {i}", lane="Saksbehandler"))
        p.add_flow(Flow("split", f"t{i}"))
        p.add_flow(Flow(f"t{i}", "join"))
    return p


def _chain(n: int) -> Process:
    """``n`` tasks in one sequence, alternating between two lanes."""
    p = Process(f"chain-{n}", f"Kjede ({n} steg)", lanes=["Søker", "Saksbehandler"])
    for i in range(n):
        p.add_step(Step(f"t{i}", f"Oppgave {i}", lane=p.lanes[i % 2]))
        if i:
            p.add_flow(Flow(f"t{i - 1}", f"t{i}"))
    return p


SHAPES: dict[str, Callable[[int], Process]] = {
    "synthetic": lambda n: synthetic_process(n, seed=1),
    "chain": _chain,
    "fan": _fan,
}


def write_table(sizes: Sequence[int], repeat: int, shape: str = "synthetic") -> list[str]:
    """Rows of the main table (Markdown)."""
    rows = [
        (
            "| steps | elements | flows | file MB | engine | write_bpmn s | growth per 10× | layout s "
            "| without diagram s | growth per 10× |"
        ),
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    previous: tuple[int, float, float] | None = None
    for n in sizes:
        p = SHAPES[shape](n)
        elements = len(p)
        engine = "dot" if elements <= render.DOT_UP_TO else "layered"
        size_mb = len(write_bpmn(p)) / 1e6
        full = _median(repeat, write_bpmn, p)
        lay = _median(repeat, render.layout, p)
        bare = _median(repeat, write_bpmn, p, layout=False)
        growth_full = growth_bare = "–"
        if previous is not None:
            n0, full0, bare0 = previous
            growth_full = _growth(n0, full0, n, full)
            growth_bare = _growth(n0, bare0, n, bare)
        rows.append(
            f"| {n:,} | {elements:,} | {len(p.flows):,} | {size_mb:.1f} | {engine} | {full:.3f} | "
            f"{growth_full} | {lay:.3f} | {bare:.3f} | {growth_bare} |"
        )
        previous = (n, full, bare)
    return rows


def engine_table(sizes: Sequence[int], repeat: int, shape: str = "synthetic") -> list[str]:
    """Rows of the side-by-side table: layout() with dot and with the layered layout."""
    rows = [
        "| steps | elements | dot s | layered s | dot / layered |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        p = SHAPES[shape](n)
        dot = _median(repeat, render.layout, p, engine="dot")
        layered = _median(repeat, render.layout, p, engine="layered")
        rows.append(f"| {n:,} | {len(p):,} | {dot:.3f} | {layered:.3f} | {dot / layered:.0f}× |")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="500,2000,20000", help="steps per process, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--engines", action="store_true", help="compare dot and the layered layout instead")
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default="synthetic",
        help="synthetic casework (default), one long chain, or a fan of parallel branches",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time (default), or this process's CPU time: steadier on a machine others are using",
    )
    args = parser.parse_args(argv)
    global _clock
    _clock = CLOCKS[args.clock]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 3 or args.repeat < 1:
        parser.error("--sizes needs numbers of at least 3 and --repeat at least 1")
    print(
        f"{args.shape} processes; DOT_UP_TO = {render.DOT_UP_TO} elements; "
        f"medians of {args.repeat} runs, {args.clock} time\n"
    )
    table = engine_table if args.engines else write_table
    rows = table(sizes, args.repeat, args.shape)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
