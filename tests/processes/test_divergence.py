"""The divergence map, its clustering and the step search, on the bundled samples and known edits."""

from __future__ import annotations

import doctest
import json

import numpy as np
import pytest

import processes.divergence
from processes.compare import compare
from processes.divergence import (
    DEFAULT_CLUSTER_THRESHOLD,
    MIN_SILHOUETTE,
    CellStatus,
    Outcome,
    choose_clusters,
    cluster_order,
    divergence_map,
    find_steps,
    step_order,
)
from processes.generate import generate_variants, synthetic_process
from processes.model import Flow, Process, Step
from processes.samples import differences, standard, variants


def chain(*labels: str) -> Process:
    p = Process()
    for i, label in enumerate(labels):
        p.add_step(Step(f"s{i}", label))
        if i:
            p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    return p


STANDARD = chain(
    "Motta søknad",
    "Registrere søknaden",
    "Befaring",
    "Vurdere søknaden",
    "Fatte vedtak",
    "Arkivere",
)


@pytest.fixture(scope="module")
def byggesak() -> processes.divergence.DivergenceMap:
    return divergence_map(standard("byggesak"), variants("byggesak"))


def test_doctests() -> None:
    result = doctest.testmod(processes.divergence)
    assert result.failed == 0 and result.attempted > 0


def test_each_kind_of_edit_lands_in_its_cell() -> None:
    rows = {
        "missing": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Arkivere",
        ),
        "renamed": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Befaring",
            "Vurdere søknaden",
            "Treffe avgjørelse i saken",
            "Arkivere",
        ),
        "moved": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Befaring",
            "Arkivere",
        ),
        "extra": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Befaring",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Sende faktura",
            "Arkivere",
        ),
    }
    m = divergence_map(STANDARD, rows)
    cells = {
        r.key: {c.label: cell.status for c, cell in zip(m.columns, r.cells)}
        for r in m.rows
    }
    assert cells["missing"]["Befaring"] is CellStatus.MISSING
    assert cells["renamed"]["Fatte vedtak"] is CellStatus.RENAMED
    assert cells["moved"]["Befaring"] is CellStatus.MOVED
    assert set(cells["extra"].values()) == {CellStatus.SAME}
    extra = next(r for r in m.rows if r.key == "extra")
    assert extra.extra_count == 1 and extra.extra_labels == ("Sende faktura",)


def test_columns_follow_the_standard_and_count_who_has_the_step() -> None:
    rows = {
        "a": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Arkivere",
        ),
        "b": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Arkivere",
        ),
        "c": STANDARD.copy(),
    }
    m = divergence_map(STANDARD, rows)
    assert [c.step_id for c in m.columns] == ["s0", "s1", "s2", "s3", "s4", "s5"]
    befaring = m.columns[2]
    assert (befaring.present, befaring.total) == (1, 3)
    assert befaring.share == pytest.approx(1 / 3)
    assert befaring.counts["missing"] == 2
    assert m.columns[0].share == 1.0


def test_split_and_merged_steps() -> None:
    rows = {
        "split": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Befaring",
            "Vurdere søknaden etter plan",
            "Vurdere søknaden etter TEK17",
            "Fatte vedtak",
            "Arkivere",
        ),
        "merged": chain(
            "Motta og registrere søknaden",
            "Befaring",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Arkivere",
        ),
    }
    m = divergence_map(STANDARD, rows)
    cells = {r.key: [c.status.value for c in r.cells] for r in m.rows}
    assert cells["split"] == ["same", "same", "same", "split", "same", "same"]
    assert cells["merged"] == ["merged", "merged", "same", "same", "same", "same"]
    split = next(r for r in m.rows if r.key == "split").cells[3]
    assert split.variant_labels == (
        "Vurdere søknaden etter plan",
        "Vurdere søknaden etter TEK17",
    )


def test_cells_agree_with_each_samples_comparison(
    byggesak: processes.divergence.DivergenceMap,
) -> None:
    std = standard("byggesak")
    kind_status = {
        "identical": "same",
        "renamed": "renamed",
        "split": "split",
        "merged": "merged",
    }
    for row in byggesak.rows:
        c = compare(std, variants("byggesak")[row.key])
        cell = {col.step_id: x for col, x in zip(byggesak.columns, row.cells)}
        assert {k for k, x in cell.items() if x.status is CellStatus.MISSING} == set(
            c.alignment.missing
        )
        moved = {d.a[0] for d in c.differences if d.kind.value == "order_changed"}
        for match in c.alignment.matches:
            for x in match.a:
                expected = kind_status[match.kind.value]
                if x in moved and expected in ("same", "renamed"):
                    expected = "moved"
                assert cell[x].status.value == expected, (row.key, x)
        assert row.extra_steps == c.alignment.extra


def test_rows_carry_the_comparison_scores(
    byggesak: processes.divergence.DivergenceMap,
) -> None:
    melhus = next(r for r in byggesak.rows if r.key == "5028")
    c = compare(standard("byggesak"), variants("byggesak")["5028"])
    assert melhus.similarity == pytest.approx(c.similarity.as_dict())


def test_moved_step_of_melhus_is_moved(
    byggesak: processes.divergence.DivergenceMap,
) -> None:
    assert any(
        d.engine_kind == "order_changed" for d in differences("byggesak", "5028")
    )
    melhus = next(r for r in byggesak.rows if r.key == "5028")
    assert CellStatus.MOVED in {c.status for c in melhus.cells}


def test_stored_json_gives_the_same_map_as_comparisons() -> None:
    std, vs = standard("startlan"), variants("startlan")
    comparisons = {k: compare(std, v) for k, v in vs.items()}
    direct = divergence_map(std, vs, comparisons=comparisons)
    outcomes = {
        k: Outcome.from_dict(
            json.loads(c.to_json()), {s.id: s.label for s in c.b.steps}
        )
        for k, c in comparisons.items()
    }
    pairwise = {
        (direct.heatmap.keys[i], direct.heatmap.keys[j]): v
        for i, row in enumerate(direct.heatmap.values)
        for j, v in enumerate(row)
        if i < j and v is not None
    }
    stored = divergence_map(std, {}, comparisons=outcomes, pairwise=pairwise)
    assert [r.key for r in stored.rows] == [r.key for r in direct.rows]
    assert [[c.status for c in r.cells] for r in stored.rows] == [
        [c.status for c in r.cells] for r in direct.rows
    ]
    assert stored.heatmap.values == direct.heatmap.values


def test_bad_stored_result_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a comparison result"):
        Outcome.from_dict({"similarity": {}})


def test_missing_pairs_are_unknown_in_the_heatmap_but_rows_still_ordered() -> None:
    std = synthetic_process(15, seed=3)
    vs = {
        f"v{i}": v.process
        for i, v in enumerate(generate_variants(std, 4, seed=4, edits=(1, 3)))
    }
    outcomes = {k: compare(std, v) for k, v in vs.items()}
    m = divergence_map(std, {}, comparisons=outcomes, pairwise={("v0", "v1"): 0.9})
    assert not m.heatmap.complete
    values = m.heatmap.values
    known = [
        (i, j)
        for i in range(4)
        for j in range(4)
        if i != j and values[i][j] is not None
    ]
    assert {frozenset((m.heatmap.keys[i], m.heatmap.keys[j])) for i, j in known} == {
        frozenset(("v0", "v1"))
    }
    assert sorted(r.key for r in m.rows) == sorted(vs)


def test_heatmap_is_symmetric_and_in_row_order() -> None:
    std = synthetic_process(12, seed=8)
    vs = {
        f"v{i}": v.process
        for i, v in enumerate(generate_variants(std, 5, seed=9, edits=(1, 5)))
    }
    m = divergence_map(std, vs)
    assert m.heatmap.keys == tuple(r.key for r in m.rows)
    values = np.array(m.heatmap.values, dtype=float)
    assert np.allclose(values, values.T)
    assert np.allclose(np.diag(values), 1.0)


def test_clusters_put_similar_variants_together() -> None:
    # Two families: near copies of the standard, and variants of a quite different process.
    near = {f"near{i}": STANDARD.copy() for i in range(2)}
    far = {
        f"far{i}": chain(
            "Motta klage", "Sende til fylket", "Arkivere", *(["Purre"] * i)
        )
        for i in range(2)
    }
    m = divergence_map(STANDARD, {**far, **near})
    keys = [r.key for r in m.rows]
    assert {keys[0][:3], keys[-1][:3]} == {"nea", "far"}
    assert keys[0][:3] == keys[1][:3] and keys[2][:3] == keys[3][:3]
    clusters = {r.key: r.cluster for r in m.rows}
    assert clusters["near0"] == clusters["near1"] != clusters["far0"]


def test_cluster_order_is_deterministic_and_a_permutation() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((9, 9))
    s = (x + x.T) / 2
    order, clusters = cluster_order(s)
    assert sorted(order) == list(range(9))
    assert cluster_order(s) == (order, clusters)
    assert clusters[order[0]] == 1


def test_cluster_order_small_and_bad_input() -> None:
    assert cluster_order(np.eye(1)) == ([0], [1])
    assert cluster_order([[1, 0.2], [0.2, 1]]) == ([0, 1], [1, 2])
    with pytest.raises(ValueError, match="square"):
        cluster_order([[1, 0.5, 0.1]])


def test_sorted_rows() -> None:
    rows = {
        "b": chain(
            "Motta søknad",
            "Registrere søknaden",
            "Vurdere søknaden",
            "Fatte vedtak",
            "Arkivere",
        ),
        "a": STANDARD.copy(),
    }
    m = divergence_map(STANDARD, rows, names={"a": "Åfjord", "b": "Bjugn"})
    assert [r.key for r in m.sorted_rows("overall", descending=True)] == ["a", "b"]
    assert [r.name for r in m.sorted_rows("name")] == ["Bjugn", "Åfjord"]
    assert [r.key for r in m.sorted_rows("step:s2")] == ["a", "b"]
    with pytest.raises(ValueError, match="unknown sort key"):
        m.sorted_rows("step:nope")


def test_step_order_puts_subprocess_steps_after_their_parent() -> None:
    p = Process()
    p.add_step(Step("end", "Slutt"))
    p.add_step(Step("sub", "Behandle"))
    p.add_step(Step("inner2", "Skrive", parent="sub"))
    p.add_step(Step("inner1", "Lese", parent="sub"))
    p.add_step(Step("start", "Start"))
    p.add_flow(Flow("start", "sub"))
    p.add_flow(Flow("sub", "end"))
    p.add_flow(Flow("inner1", "inner2"))
    assert step_order(p) == ["start", "sub", "inner1", "inner2", "end"]


def test_find_steps_ranks_and_thresholds() -> None:
    hits = find_steps("befaring", variants("byggesak"))
    keys = {h.key for h in hits}
    assert {
        "5028",
        "5031",
        "5021",
    } <= keys  # 5021 Oppdal says «synfaring» (nynorsk synonym)
    assert all(h.score >= 0.5 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(
        "befaring" in h.label.casefold() or "synfaring" in h.label.casefold()
        for h in hits
    )


def test_find_steps_nothing_and_limit() -> None:
    vs = variants("innsyn")
    assert find_steps("", vs) == []
    assert find_steps("   ", vs) == []
    assert find_steps("befaring", {}) == []
    assert len(find_steps("vurdere", vs, threshold=0.3, limit=2)) == 2


# -- choosing the number of groups ------------------------------------------------


def _blocks(sizes: list[int], within: tuple[float, float], between: tuple[float, float], seed: int) -> tuple[np.ndarray, list[int]]:
    """A similarity matrix of known groups: ``within`` and ``between`` are value ranges."""
    rng = np.random.default_rng(seed)
    truth = [g for g, size in enumerate(sizes) for _ in range(size)]
    n = len(truth)
    s = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            lo, hi = within if truth[i] == truth[j] else between
            s[i, j] = s[j, i] = rng.uniform(lo, hi)
    # Shuffle so that the groups are not already in order.
    perm = rng.permutation(n)
    return s[np.ix_(perm, perm)], [truth[p] for p in perm]


def _same_partition(a: tuple[int, ...] | list[int], b: list[int]) -> bool:
    pairs = {(x, y) for x, y in zip(a, b)}
    return len(pairs) == len(set(a)) == len(set(b))


def test_independently_drawn_models_are_grouped_by_scenario() -> None:
    # Four scenarios; models of one scenario are only 45-65 % alike, so a cut at 0.7
    # leaves almost every model on its own, but the groups are clear.
    s, truth = _blocks([12, 9, 15, 6], within=(0.45, 0.65), between=(0.05, 0.25), seed=1)
    fixed = choose_clusters(s, threshold=DEFAULT_CLUSTER_THRESHOLD)
    auto = choose_clusters(s)
    assert fixed.count > 30
    assert auto.count == 4 and auto.rule == "silhouette" and auto.automatic
    assert _same_partition(auto.clusters, truth)
    assert auto.silhouette is not None and auto.needed is not None
    assert auto.silhouette > auto.needed
    assert auto.best_other is not None and auto.best_other < auto.silhouette
    assert auto.join_similarity is not None and auto.join_similarity < 0.3


def test_variants_of_one_standard_stay_one_group() -> None:
    s, _ = _blocks([20], within=(0.82, 0.95), between=(0, 0), seed=2)
    c = choose_clusters(s)
    assert c.count == 1 and c.rule == "one" and set(c.clusters) == {1}
    assert c.best_other is not None and c.needed is not None
    assert c.best_other <= c.needed and c.needed >= MIN_SILHOUETTE
    assert c.silhouette is None and c.join_similarity is None


def test_random_similarities_have_no_structure() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((25, 25))
    c = choose_clusters((x + x.T) / 2)
    assert c.rule == "one" and c.count == 1


def test_an_outlier_gets_a_group_of_its_own() -> None:
    s, truth = _blocks([10, 1], within=(0.85, 0.95), between=(0.1, 0.2), seed=4)
    c = choose_clusters(s)
    assert c.count == 2 and _same_partition(c.clusters, truth)


def test_two_clear_families_among_close_variants_are_two_groups() -> None:
    s, truth = _blocks([8, 8], within=(0.93, 0.98), between=(0.74, 0.78), seed=5)
    assert choose_clusters(s, threshold=DEFAULT_CLUSTER_THRESHOLD).count == 1
    c = choose_clusters(s)
    assert c.count == 2 and _same_partition(c.clusters, truth)


def test_the_number_of_groups_can_be_asked_for() -> None:
    s, truth = _blocks([5, 5, 5], within=(0.7, 0.9), between=(0.1, 0.3), seed=6)
    c = choose_clusters(s, groups=3)
    assert c.rule == "requested" and c.requested == 3 and not c.automatic
    assert _same_partition(c.clusters, truth)
    assert choose_clusters(s, groups=1).clusters == (1,) * 15
    assert choose_clusters(s, groups=6).count == 6
    assert choose_clusters(s, groups=99).count == 15  # at most one group per item
    with pytest.raises(ValueError, match="at least 1"):
        choose_clusters(s, groups=0)


def test_groups_are_numbered_in_the_order_of_the_rows() -> None:
    s, _ = _blocks([4, 4, 4], within=(0.8, 0.9), between=(0.1, 0.2), seed=7)
    c = choose_clusters(s)
    seen = [c.clusters[i] for i in c.order]
    assert seen[0] == 1 and seen == sorted(seen)


def test_fixed_cut_is_the_old_cluster_order() -> None:
    rng = np.random.default_rng(8)
    x = rng.random((12, 12))
    s = (x + x.T) / 2
    c = choose_clusters(s, threshold=0.7)
    assert (list(c.order), list(c.clusters)) == cluster_order(s)
    assert c.rule == "threshold"


def test_few_items() -> None:
    assert choose_clusters(np.eye(1)).clusters == (1,)
    assert choose_clusters([[1, 0.9], [0.9, 1]]).clusters == (1, 1)
    assert choose_clusters([[1, 0.2], [0.2, 1]]).clusters == (1, 2)
    assert choose_clusters([[1, 0.9], [0.9, 1]], groups=2).clusters == (1, 2)
    assert choose_clusters(np.zeros((0, 0))).count == 0
    with pytest.raises(ValueError, match="square"):
        choose_clusters([1, 2, 3])


def test_divergence_map_reports_its_grouping_and_takes_a_number() -> None:
    near = {f"near{i}": STANDARD.copy() for i in range(3)}
    far = {f"far{i}": chain("Motta klage", "Sende til fylket", "Arkivere", *(["Purre"] * i)) for i in range(3)}
    auto = divergence_map(STANDARD, {**near, **far})
    assert auto.clustering is not None and auto.clustering.rule == "silhouette"
    assert auto.clustering.count == len({r.cluster for r in auto.rows}) == 2
    one = divergence_map(STANDARD, {**near, **far}, cluster_groups=1)
    assert one.clustering is not None and one.clustering.rule == "requested"
    assert {r.cluster for r in one.rows} == {1}
    fixed = divergence_map(STANDARD, {**near, **far}, cluster_threshold=0.99)
    assert fixed.clustering is not None and fixed.clustering.rule == "threshold"
