"""Cross-tool agreement of the BPMN importer on the OMG MIWG test suite.

Every modelling tool's export/round-trip file of a MIWG test case should
give the same step graph as the reference model: the same named steps and
the same flows between them, ids aside. For each (tool file, reference)
pair this computes

- **exact**: the multisets of step labels and the sets of labelled edges
  are equal;
- **edge F1**: F1 of the tool file's labelled edges against the reference's;
- **step F1**: the same for step labels (as multisets);
- **nesting**: the same named steps inside the same sub-processes and the
  same boundary events on the same activities (not part of the step graph,
  so reported apart);
- **messages**: the same message flows between named steps of different
  pools. The step graph compared above holds ordinary (sequence) flows only,
  so that a tool that drops the message flows of a collaboration shows up
  here, not as a different order of work.

Labels are compared after whitespace normalisation and case folding. Steps
without a name cannot be matched across files, so in the *labelled* step
graph they are passed through like gateways: an edge ``a -> b`` exists when
a flow path leads from named step ``a`` to named step ``b`` through
gateways and unnamed steps only. Tool files split into several files
(``C.4.0-export.1.bpmn`` ...) are merged before the comparison.

Run from the repository root::

    .venv/bin/python -m benchmarks.bpmn_interchange [--verbose] [--data DIR]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from processes.exceptions import FormatError
from processes.formats.bpmn import read_bpmn
from processes.model import Process

__all__ = [
    "LabelledGraph",
    "Pair",
    "compare",
    "labelled_graph",
    "main",
    "run",
    "tool_files",
]

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bpmn-miwg"

_NAME = re.compile(r"^(?P<case>[ABC]\.\d+\.\d+)(?:-(?P<variant>[a-z]+))?(?:\.(?P<part>\d+))?(?P<copy> copy)?\.bpmn$")


def normalise(label: str) -> str:
    """Whitespace-collapsed, case-folded label."""
    return " ".join(label.split()).casefold()


@dataclass(frozen=True)
class LabelledGraph:
    """Named steps (as a label multiset) and the labelled edges between them.

    ``structure`` holds the nesting and attachment relations between named
    steps: ``("in", inner, sub-process)`` and ``("on", event, activity)``.
    It is reported apart from the step graph, which ignores them.
    """

    steps: Counter[str]
    edges: frozenset[tuple[str, str]]
    structure: frozenset[tuple[str, str, str]] = frozenset()
    messages: frozenset[tuple[str, str]] = frozenset()

    @staticmethod
    def union(graphs: Iterable[LabelledGraph]) -> LabelledGraph:
        steps: Counter[str] = Counter()
        edges: set[tuple[str, str]] = set()
        structure: set[tuple[str, str, str]] = set()
        messages: set[tuple[str, str]] = set()
        for g in graphs:
            steps.update(g.steps)
            edges |= g.edges
            structure |= g.structure
            messages |= g.messages
        return LabelledGraph(steps, frozenset(edges), frozenset(structure), frozenset(messages))


def labelled_graph(process: Process) -> LabelledGraph:
    """The step graph of ``process`` with named steps only, keyed by normalised label.

    Edges follow ordinary flows; message flows between named steps are kept apart in ``messages``.
    """
    ordinary = process.copy()
    messages: set[tuple[str, str]] = set()
    for flow in process.flows:
        if flow.is_message:
            ordinary.remove_flow(flow)
            ends = [process.get(flow.source), process.get(flow.target)]
            labels = [normalise(e.label) if e is not None else "" for e in ends]
            if all(labels):
                messages.add((labels[0], labels[1]))
    process = ordinary
    sg = process.step_graph()
    named = {n: normalise(sg.nodes[n]["step"].label) for n in sg.nodes}
    named = {n: label for n, label in named.items() if label}
    edges: set[tuple[str, str]] = set()
    for node, label in named.items():
        stack = list(sg.successors(node))
        seen: set[str] = set()
        while stack:
            nxt = stack.pop()
            if nxt in seen:
                continue
            seen.add(nxt)
            if nxt in named:
                edges.add((label, named[nxt]))
            else:
                stack.extend(sg.successors(nxt))
    steps = Counter(named.values())
    structure: set[tuple[str, str, str]] = set()
    for step in process.steps:
        label = normalise(step.label)
        for relation, other in (("in", step.parent), ("on", step.attached_to)):
            holder = process.get(other) if other is not None else None
            if label and holder is not None and normalise(holder.label):
                structure.add((relation, label, normalise(holder.label)))
    return LabelledGraph(steps, frozenset(edges), frozenset(structure), frozenset(messages))


def _f1(found: int, expected: int, common: int) -> float:
    if found == 0 and expected == 0:
        return 1.0
    if common == 0:
        return 0.0
    precision, recall = common / found, common / expected
    return 2 * precision * recall / (precision + recall)


@dataclass
class Pair:
    """One tool file (or merged split files) compared with its reference."""

    tool: str
    case: str
    variant: str
    files: list[str]
    exact: bool = False
    structure_exact: bool = False
    messages_exact: bool = False
    edge_f1: float = 0.0
    step_f1: float = 0.0
    error: str | None = None
    missing_steps: list[str] = field(default_factory=list)
    extra_steps: list[str] = field(default_factory=list)
    missing_edges: list[tuple[str, str]] = field(default_factory=list)
    extra_edges: list[tuple[str, str]] = field(default_factory=list)
    missing_structure: list[tuple[str, str, str]] = field(default_factory=list)
    extra_structure: list[tuple[str, str, str]] = field(default_factory=list)

    def reason(self) -> str:
        """A one-line account of the differences."""
        if self.error:
            return f"import failed: {self.error}"
        parts = []
        if self.missing_steps:
            parts.append("missing steps " + ", ".join(self.missing_steps))
        if self.extra_steps:
            parts.append("extra steps " + ", ".join(self.extra_steps))
        if self.missing_edges:
            parts.append("missing flows " + ", ".join(f"{a}->{b}" for a, b in self.missing_edges))
        if self.extra_edges:
            parts.append("extra flows " + ", ".join(f"{a}->{b}" for a, b in self.extra_edges))
        for name, relations in (("missing", self.missing_structure), ("extra", self.extra_structure)):
            if relations:
                parts.append(f"{name} nesting " + ", ".join(f"{a} {rel} {b}" for rel, a, b in relations))
        return "; ".join(parts)


def compare(found: LabelledGraph, expected: LabelledGraph) -> tuple[bool, float, float]:
    """Return (exact agreement, edge F1, step F1) of ``found`` against ``expected``."""
    common_edges = len(found.edges & expected.edges)
    common_steps = sum((found.steps & expected.steps).values())
    edge_f1 = _f1(len(found.edges), len(expected.edges), common_edges)
    step_f1 = _f1(sum(found.steps.values()), sum(expected.steps.values()), common_steps)
    exact = found.steps == expected.steps and found.edges == expected.edges
    return exact, edge_f1, step_f1


def tool_files(data: Path) -> dict[tuple[str, str, str], list[Path]]:
    """Tool files by (tool, case, variant); split exports are grouped together."""
    groups: dict[tuple[str, str, str], list[Path]] = defaultdict(list)
    for folder in sorted(p for p in data.iterdir() if p.is_dir() and p.name != "Reference"):
        for path in sorted(folder.glob("*.bpmn")):
            m = _NAME.match(path.name)
            if not m:
                continue
            # A misspelt duplicate ("A.2.0-rountrip.bpmn") stays a pair of its own.
            variant = m["variant"] or "export"
            if m["copy"]:
                variant += " (copy)"
            groups[(folder.name, m["case"], variant)].append(path)
    return dict(groups)


def _read(path: Path) -> LabelledGraph:
    return labelled_graph(read_bpmn(path.read_bytes(), source=path.name))


def run(data: Path = DEFAULT_DATA) -> list[Pair]:
    """Compare every tool file with its reference; return one :class:`Pair` each."""
    references: dict[str, LabelledGraph] = {}
    for path in sorted((data / "Reference").glob("*.bpmn")):
        references[path.stem] = _read(path)
    pairs: list[Pair] = []
    for (tool, case, variant), paths in sorted(tool_files(data).items()):
        if case not in references:
            continue
        pair = Pair(tool, case, variant, [p.name for p in paths])
        try:
            found = LabelledGraph.union(_read(p) for p in paths)
        except FormatError as exc:
            pair.error = str(exc)
            pairs.append(pair)
            continue
        expected = references[case]
        pair.exact, pair.edge_f1, pair.step_f1 = compare(found, expected)
        pair.structure_exact = found.structure == expected.structure
        pair.messages_exact = found.messages == expected.messages
        pair.missing_structure = sorted(expected.structure - found.structure)
        pair.extra_structure = sorted(found.structure - expected.structure)
        pair.missing_steps = sorted((expected.steps - found.steps).elements())
        pair.extra_steps = sorted((found.steps - expected.steps).elements())
        pair.missing_edges = sorted(expected.edges - found.edges)
        pair.extra_edges = sorted(found.edges - expected.edges)
        pairs.append(pair)
    return pairs


def references_have_messages(data: Path, case: str) -> bool:
    """True when the reference model of ``case`` has message flows between named steps."""
    path = data / "Reference" / f"{case}.bpmn"
    return path.is_file() and bool(_read(path).messages)


def summary(pairs: Sequence[Pair], *, by: str = "tool") -> dict[str, tuple[int, int, float, float, int]]:
    """Per tool (or per ``by="variant"``) and overall.

    Each value is (pairs, exact pairs, mean edge F1, mean step F1, pairs with
    the same nesting and attachments).
    """
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[pair.tool if by == "tool" else pair.variant].append(pair)
    groups["ALL"] = list(pairs)
    out: dict[str, tuple[int, int, float, float, int]] = {}
    for key, items in groups.items():
        n = len(items)
        out[key] = (
            n,
            sum(p.exact for p in items),
            sum(p.edge_f1 for p in items) / n if n else 0.0,
            sum(p.step_f1 for p in items) / n if n else 0.0,
            sum(p.structure_exact for p in items),
        )
    return out


def read_speed(data: Path, *, repeat: int = 3) -> tuple[int, float, float, float]:
    """Import speed over every MIWG file: (files, median ms, slowest ms, total s), best of ``repeat``."""
    files = sorted(data.rglob("*.bpmn"))
    blobs = [(p.name, p.read_bytes()) for p in files]
    best: list[float] = []
    for _ in range(repeat):
        times = []
        for name, blob in blobs:
            started = time.perf_counter()
            read_bpmn(blob, source=name)
            times.append(time.perf_counter() - started)
        best = times if not best else [min(a, b) for a, b in zip(best, times, strict=True)]
    return len(files), 1000 * statistics.median(best), 1000 * max(best), sum(best)


def _table(title: str, rows: dict[str, tuple[int, int, float, float, int]]) -> None:
    print(f"{title:<42} {'pairs':>5} {'exact':>5} {'exact %':>8} {'edge F1':>8} {'step F1':>8} {'nesting %':>9}")
    for key, (n, exact, ef1, sf1, nested) in sorted(rows.items(), key=lambda kv: (kv[0] == "ALL", kv[0])):
        print(
            f"{key:<42} {n:>5} {exact:>5} {100 * exact / n:>7.1f}% {ef1:>8.3f} {sf1:>8.3f} {100 * nested / n:>8.1f}%"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the bpmn-miwg folder")
    parser.add_argument("--verbose", action="store_true", help="list every disagreeing pair with the reason")
    args = parser.parse_args(argv)
    if not (args.data / "Reference").is_dir():
        print(f"MIWG data not found at {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    pairs = run(args.data)
    elapsed = time.perf_counter() - started
    _table("tool", summary(pairs))
    print()
    _table("variant", summary(pairs, by="variant"))
    print(f"\n{len(pairs)} pairs read and compared in {elapsed:.2f} s")
    files, median_ms, slowest_ms, total_s = read_speed(args.data)
    print(f"import speed: {files} files, median {median_ms:.2f} ms, slowest {slowest_ms:.1f} ms, all {total_s:.2f} s")
    with_messages = [p for p in pairs if not p.error and references_have_messages(args.data, p.case)]
    print(
        f"message flows: {sum(p.messages_exact for p in with_messages)} of {len(with_messages)} pairs "
        "whose reference has message flows give the same ones"
    )
    disagreeing = [p for p in pairs if not (p.exact and p.structure_exact)]
    if disagreeing:
        print(f"\n{len(disagreeing)} disagreeing pairs" + ("" if args.verbose else " (--verbose lists them)"))
        if args.verbose:
            for p in disagreeing:
                print(f"- {p.tool} {p.case} {p.variant} (edge F1 {p.edge_f1:.2f}): {p.reason()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
