"""How well the divergence map's row groups find known groups of independently drawn models.

Known groups from the shared matching data (``../shared/data/matching``):

- **bpic15**: the 115 Petri nets of the BPI Challenge 2015, one per municipality
  and sub-process; the nets of one sub-process (``01_HOOFD``, ``02_DRZ``, …), drawn
  by up to five municipalities, are one group (26 groups, 19 of them of five nets);
- **sap**: the 34 SAP reference-model processes of the PMMC 2015 pairs; the two
  processes of a pair are one group (17 groups).

Element ids are replaced by opaque ones first (as in :mod:`benchmarks.matching`),
so models are grouped by their labels and structure, as independently drawn
models would be. The overall similarity of every pair comes from
:func:`processes.compare.compare_matrix`; the groups from
:func:`processes.divergence.choose_clusters` with the old fixed cut at
similarity 0.7, with the automatic choice, and, for reference, with the true
number of groups given. Agreement with the known groups is the adjusted Rand
index (Hubert & Arabie 1985: 1 = the same partition, about 0 = chance).

    .venv/bin/python -m benchmarks.clustering               # both sets, 2 workers
    .venv/bin/python -m benchmarks.clustering --dataset sap --workers 1
    .venv/bin/python -m benchmarks.clustering --timing       # choose_clusters alone

``--timing`` measures the automatic choice on its own (median of 5 runs) on matrices
like those of variants of one standard (similarities uniform in 0.75–0.95, seeded):
the case where the shuffled reference is computed, i.e. the slowest.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from benchmarks.matching import DATA, anonymise
from processes.compare import compare_matrix
from processes.divergence import DEFAULT_CLUSTER_THRESHOLD, Clustering, choose_clusters
from processes.formats.pnml import read_pnml
from processes.model import Process

__all__ = ["adjusted_rand_index", "known_groups", "main"]

_BPIC = re.compile(r"BPIC15_\d_(\w+)")
_SAP = re.compile(r"(sap\d+)[st]")


def adjusted_rand_index(a: Sequence[object], b: Sequence[object]) -> float:
    """Adjusted Rand index of two partitions given as one label per item.

    >>> adjusted_rand_index([1, 1, 2, 2], ["x", "x", "y", "y"])
    1.0
    >>> round(adjusted_rand_index([1, 1, 2, 2], [1, 2, 1, 2]), 2)
    -0.5
    """
    if len(a) != len(b):
        raise ValueError(f"partitions of {len(a)} and {len(b)} items")
    _, ai = np.unique(np.asarray([str(x) for x in a]), return_inverse=True)
    _, bi = np.unique(np.asarray([str(x) for x in b]), return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1)

    def pairs(x: npt.NDArray[np.float64]) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    total = len(a) * (len(a) - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def known_groups(dataset: str) -> tuple[list[Process], list[str]]:
    """The models of a data set (ids made opaque) and the known group of each."""
    folder = DATA / dataset / "pnml"
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: the shared matching data is needed for this benchmark")
    pattern = _BPIC if dataset == "bpic15" else _SAP
    models, groups = [], []
    for path in sorted(folder.glob("*.pnml")):
        match = pattern.fullmatch(path.stem)
        if match is None:
            continue
        process = read_pnml(path.read_bytes(), source=str(path))
        models.append(anonymise(process, path.stem)[0])
        groups.append(match.group(1))
    return models, groups


def _line(name: str, c: Clustering, truth: Sequence[str]) -> str:
    why = c.rule
    if c.silhouette is not None:
        why += f", silhouette {c.silhouette:.2f}"
    return f"| {name:<40} | {c.count:>6} | {adjusted_rand_index(c.clusters, truth):>6.3f} | {why} |"


def run(dataset: str, workers: int) -> None:
    models, truth = known_groups(dataset)
    k = len(set(truth))
    start = time.perf_counter()
    matrix = compare_matrix(models, workers=workers)
    seconds = time.perf_counter() - start
    print(f"\n### {dataset}: {len(models)} models in {k} known groups "
          f"(similarity matrix {seconds:.0f} s, {workers} workers)\n")
    print("| grouping                                 | groups |    ARI | rule |")
    print("|------------------------------------------|-------:|-------:|------|")
    print(_line(f"fixed cut at similarity {DEFAULT_CLUSTER_THRESHOLD}", choose_clusters(matrix, threshold=DEFAULT_CLUSTER_THRESHOLD), truth))
    print(_line("automatic (default)", choose_clusters(matrix), truth))
    print(_line(f"the true number of groups ({k}) given", choose_clusters(matrix, groups=k), truth))
    sys.stdout.flush()


def timing() -> None:
    print("\n### choose_clusters alone (median of 5 runs)\n")
    print("| rows | ms | rule |")
    print("|---:|---:|---|")
    for n in (38, 120, 357):
        rng = np.random.default_rng(n)
        upper = np.triu(rng.uniform(0.75, 0.95, (n, n)), 1)
        matrix = upper + upper.T + np.eye(n)
        times, chosen = [], None
        for _ in range(5):
            start = time.perf_counter()
            chosen = choose_clusters(matrix)
            times.append(time.perf_counter() - start)
        assert chosen is not None
        print(f"| {n} | {statistics.median(times) * 1000:.0f} | {chosen.rule}, {chosen.count} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dataset", choices=("bpic15", "sap", "all"), default="all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timing", action="store_true", help="time choose_clusters alone")
    args = parser.parse_args(argv)
    if args.timing:
        timing()
        return 0
    for dataset in ("bpic15", "sap") if args.dataset == "all" else (args.dataset,):
        run(dataset, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
