"""Harmonisation engine: recovering a hidden standard, and speed, measured side by side in one run.

**Recovery.** For each standard (the four demo casework standards and a
40-step synthetic one) and each N (5, 10, 38): hide the standard, derive N
variants with :func:`processes.generate.generate_variants` (1–6 random
edits each, fresh ids and shuffled elements, ground truth kept), propose a
standard from the variants alone (:func:`processes.harmonise.propose_standard`
without ``current``) and score it against the hidden one:

- **step P/R/F1**: a proposed step is right when the members' steps in its
  class correspond (by ground truth, majority vote) to a hidden step no
  other proposed step took;
- **order F1**: over the ordered pairs (x strictly before y) of the hidden
  standard, against the proposal's pairs mapped to hidden steps;
- **total distance**: the summed change distance (number of differences,
  the aligner choosing the correspondence, the same yardstick for all) from
  the N variants to the proposal, and to the hidden standard.

The same scores for two baselines in the same run: the **medoid** variant
(least summed distance to the other variants) and a **majority digest**
(the step classes that at least half of the variants have, as a sequence in
their mean order). A last set of columns proposes again with a *stale current standard* (the
hidden one with four edits of its own) and scores that proposal the same way.

**Speed.** 38 variants of a 40-step synthetic standard: :func:`propose_standard`,
one :func:`change_plan` (with the step classes), and, side by side,
:func:`processes.compare.compare_matrix` of the same 38 variants on one core.

Run from the repository root::

    .venv/bin/python -m benchmarks.harmonisation
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from processes import samples
from processes.compare import compare_matrix
from processes.generate import Variant, generate_variants, synthetic_process
from processes.harmonise import (
    StepClasses,
    change_distance,
    change_plan,
    propose_standard,
)
from processes.model import Flow, Process, Step, StepKind
from processes.similarity import Relation, profile

__all__ = ["main"]


def _truth_inverse(v: Variant) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in v.truth:
        for y in c.variant:
            out.setdefault(y, set()).update(c.standard)
    return out


def _map_class_space(
    candidate: Process, classes: StepClasses, inverse: Mapping[str, dict[str, set[str]]]
) -> dict[str, str]:
    """Candidate step id (a class id) -> hidden-standard step id, by majority of the members' truth."""
    votes: list[tuple[int, str, str]] = []
    for s in candidate.steps:
        if s.id not in classes:
            continue
        counts: Counter[str] = Counter()
        for m, o in classes[s.id].occurrences.items():
            for y in o.steps:
                counts.update(inverse[m].get(y, ()))
        for h, n in counts.items():
            votes.append((n, s.id, h))
    return _greedy(votes)


def _greedy(votes: list[tuple[int, str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, sid, h in sorted(votes, key=lambda t: (-t[0], t[1], t[2])):
        if sid in out or h in used:
            continue
        out[sid] = h
        used.add(h)
    return out


def _ordered_pairs(p: Process) -> set[tuple[str, str]]:
    prof = profile(p)
    out = set()
    for i, x in enumerate(prof.ids):
        for j, y in enumerate(prof.ids):
            if i != j and prof.relations[i, j] == Relation.BEFORE:
                out.add((x, y))
    return out


def _f1(tp: int, n_pred: int, n_true: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _score(
    candidate: Process,
    mapping: Mapping[str, str],
    hidden: Process,
    hidden_pairs: set[tuple[str, str]],
    variants: Sequence[Process],
) -> dict[str, float]:
    sp, sr, sf = _f1(len(mapping), len(candidate.steps), len(hidden.steps))
    pairs = {
        (mapping[x], mapping[y]) for x, y in _ordered_pairs(candidate) if x in mapping and y in mapping
    }
    _, _, of = _f1(len(pairs & hidden_pairs), len(pairs), len(hidden_pairs))
    distance = sum(change_distance(v, candidate) for v in variants)
    return {"step_p": sp, "step_r": sr, "step_f1": sf, "order_f1": of, "distance": distance}


def _medoid(variants: Sequence[Variant]) -> int:
    n = len(variants)
    totals = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            d = change_distance(variants[j].process, variants[i].process)
            totals[i] += d
            totals[j] += d
    return min(range(n), key=lambda i: (totals[i], i))


def _digest(classes: StepClasses) -> Process:
    """Classes that at least half the members have, chained in their mean order."""
    n = len(classes.members)
    kept = [c for c in classes.classes if 2 * len(c.occurrences) >= n]
    kept.sort(key=lambda c: (statistics.fmean(o.position for o in c.occurrences.values()), c.id))
    p = Process("digest", "majority digest")
    for c in kept:
        kinds = Counter(o.kind for o in c.occurrences.values())
        p.add_step(Step(c.id, c.label(), StepKind(kinds.most_common(1)[0][0])))
    for a, b in itertools.pairwise(kept):
        p.add_flow(Flow(a.id, b.id))
    return p


def _standards(synthetic_steps: int) -> list[tuple[str, Process]]:
    out = [(ct.slug, samples.standard(ct.slug)) for ct in samples.case_types()]
    out.append((f"synthetic {synthetic_steps}", synthetic_process(synthetic_steps, seed=11)))
    return out


def recovery(
    ns: Sequence[int], seeds: Sequence[int], synthetic_steps: int, only: Sequence[str] = ()
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, hidden in _standards(synthetic_steps):
        if only and not any(name.startswith(o) for o in only):
            continue
        hidden_pairs = _ordered_pairs(hidden)
        for n in ns:
            for seed in seeds:
                gen = generate_variants(hidden, n, seed=seed, edits=(1, 6), reid=True)
                members = {f"m{i:02d}": v.process for i, v in enumerate(gen)}
                inverse = {f"m{i:02d}": _truth_inverse(v) for i, v in enumerate(gen)}
                procs = [v.process for v in gen]
                proposal = propose_standard(members)
                mapping = _map_class_space(proposal.process, proposal.classes, inverse)
                ours = _score(proposal.process, mapping, hidden, hidden_pairs, procs)
                k = _medoid(gen)
                med = gen[k].process
                med_map = _greedy(
                    [(1, y, h) for y, hs in _truth_inverse(gen[k]).items() for h in hs]
                )
                medoid = _score(med, med_map, hidden, hidden_pairs, procs)
                dig = _digest(proposal.classes)
                digest = _score(dig, _map_class_space(dig, proposal.classes, inverse), hidden, hidden_pairs, procs)
                truth_distance = sum(change_distance(v, hidden) for v in procs)
                # A stale current standard: the hidden one with four edits of its own.
                [stale] = generate_variants(hidden, 1, seed=seed + 1000, edits=4)
                with_current = propose_standard(members, current=stale.process)
                current_map = _map_class_space(with_current.process, with_current.classes, inverse)
                current = _score(with_current.process, current_map, hidden, hidden_pairs, procs)
                stale_distance = sum(change_distance(v, stale.process) for v in procs)
                rows.append(
                    {"standard": name, "n": n, "seed": seed, "ours": ours, "medoid": medoid,
                     "digest": digest, "hidden_distance": truth_distance, "current": current,
                     "stale_distance": stale_distance}
                )
                print(_row(rows[-1]), flush=True)
    return rows


def _row(r: Mapping[str, object]) -> str:
    o, m, d = r["ours"], r["medoid"], r["digest"]
    assert isinstance(o, dict) and isinstance(m, dict) and isinstance(d, dict)

    def cell(x: dict[str, float]) -> str:
        return f"{x['step_f1']:.3f} | {x['order_f1']:.3f} | {x['distance']:.0f}"

    c = r["current"]
    assert isinstance(c, dict)
    return (
        f"| {r['standard']} | {r['n']} | {r['seed']} | {cell(o)} | {r['hidden_distance']} | "
        f"{cell(m)} | {cell(d)} | {cell(c)} | {r['stale_distance']} |"
    )


def _median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(repeat: int) -> None:
    hidden = synthetic_process(40, seed=11)
    gen = generate_variants(hidden, 38, seed=5, edits=(1, 6), reid=True)
    members = {f"m{i:02d}": v.process for i, v in enumerate(gen)}
    propose_s = _median_s(lambda: propose_standard(members), repeat)
    proposal = propose_standard(members)
    names = list(members)
    plan_times = []
    for m in names:
        start = time.perf_counter()
        change_plan(members[m], proposal.process, classes=proposal.classes, member=m)
        plan_times.append(time.perf_counter() - start)
    matrix_s = _median_s(lambda: compare_matrix(list(members.values()), workers=1), max(1, repeat // 2))
    print()
    print("| measurement | median | target |")
    print("|---|---:|---:|")
    print(f"| propose_standard, 38 variants × 40 steps | {propose_s * 1000:.0f} ms | ≤ 2,000 ms |")
    print(f"| change_plan (with the step classes), 38 plans | {statistics.median(plan_times) * 1000:.1f} ms | ≤ 10 ms |")
    print(f"| compare_matrix of the same 38 variants (703 pairs, 1 core) | {matrix_s * 1000:.0f} ms | (reference) |")
    print(f"| ratio propose / compare_matrix | {propose_s / matrix_s:.2f} | |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5, 10, 38])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--synthetic-steps", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-recovery", action="store_true")
    parser.add_argument("--only", nargs="*", default=[], help="standards to run (name prefixes)")
    args = parser.parse_args(argv)
    if not args.skip_recovery:
        print("| standard | N | seed | ours step F1 | order F1 | distance | hidden std distance | "
              "medoid step F1 | order F1 | distance | digest step F1 | order F1 | distance | "
              "ours with a stale current: step F1 | order F1 | distance | stale std distance |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        recovery(args.n, args.seeds, args.synthetic_steps, args.only)
    speed(args.repeat)


if __name__ == "__main__":
    main()
