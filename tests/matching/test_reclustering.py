# SPDX-License-Identifier: EUPL-1.2
"""Exact average linkage over groups, and stable cluster ids across re-clusterings."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from matching.clusters import canonical_labels
from matching.reclustering import merge_groups, stable_ids


def _points(n: int, *, seed: int, dimension: int = 12) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((5, dimension))
    points = centres[rng.integers(0, 5, n)] + 0.7 * rng.standard_normal((n, dimension))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _scipy_average(points: np.ndarray, threshold: float) -> np.ndarray:
    distances = np.clip(1.0 - points @ points.T, 0.0, 2.0)[np.triu_indices(points.shape[0], 1)]
    return canonical_labels(fcluster(linkage(distances, "average"), threshold, "distance"))


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.9])
def test_merging_singleton_groups_is_scipys_average_linkage(threshold: float) -> None:
    points = _points(120, seed=1)
    merged = merge_groups(points.copy(), np.ones(120, dtype=np.int64), threshold, limit=500, seed=0)
    np.testing.assert_array_equal(merged, _scipy_average(points, threshold))


def test_merging_groups_weighs_them_by_size_exactly() -> None:
    # Average linkage from pre-formed groups equals average linkage over their points, whenever the groups are
    # ones the point-level clustering would also have formed first (here: tight pairs of identical points).
    points = _points(40, seed=2)
    doubled = np.repeat(points, [1, 2, 3, 1] * 10, axis=0)
    groups = np.repeat(np.arange(40), [1, 2, 3, 1] * 10)
    sums = np.stack([doubled[groups == g].sum(axis=0) for g in range(40)])
    sizes = np.bincount(groups).astype(np.int64)
    merged = merge_groups(sums, sizes, 0.6, limit=100, seed=0)
    expected = _scipy_average(doubled, 0.6)
    np.testing.assert_array_equal(merged[groups], expected)


def test_the_partitioned_merge_finishes_the_job_in_rounds() -> None:
    points = _points(300, seed=3)
    exact = merge_groups(points.copy(), np.ones(300, dtype=np.int64), 0.9, limit=1000, seed=0)
    rounds = merge_groups(points.copy(), np.ones(300, dtype=np.int64), 0.9, limit=40, seed=0)
    assert rounds.max() <= exact.max() + 2  # a few boundary groups may stay apart, not many
    np.testing.assert_array_equal(
        rounds, merge_groups(points.copy(), np.ones(300, dtype=np.int64), 0.9, limit=40, seed=0)
    )


# --- stable ids ------------------------------------------------------------------------------------------------


def test_a_cluster_that_keeps_its_members_keeps_its_id_even_when_it_grows_tenfold() -> None:
    old = [7, 7, 7, 4, 4, 4, -1, -1] + [-1] * 27
    new = np.array([0, 0, 0, 1, 1, 1, 1, 1] + [0] * 27)
    result = stable_ids(old, new, next_id=10)
    assert result.ids == (7, 4)
    assert result.created == () and result.continued == (4, 7) and result.next_id == 10


def test_genuinely_new_clusters_get_fresh_ids_in_label_order() -> None:
    old = [3, 3, 3, -1, -1, -1, -1, -1, -1]
    new = np.array([1, 1, 1, 0, 0, 0, 2, 2, 2])
    result = stable_ids(old, new, next_id=10)
    assert result.ids == (10, 3, 11)
    assert result.created == (10, 11) and result.split_from == {} and result.next_id == 12


def test_merges_keep_the_id_with_most_shared_members_and_record_the_other() -> None:
    old = [1, 1, 1, 1, 2, 2, 2]
    new = np.zeros(7, dtype=np.int64)
    result = stable_ids(old, new, next_id=5)
    assert result.ids == (1,)
    assert result.merged == {2: 1} and result.dissolved == ()


def test_a_split_keeps_the_id_on_the_larger_part_and_records_where_the_other_came_from() -> None:
    old = [1] * 10
    new = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    result = stable_ids(old, new, next_id=5)
    assert result.ids == (5, 1)
    assert result.split_from == {5: 1}


def test_a_cluster_whose_members_all_became_noise_is_dissolved() -> None:
    result = stable_ids([2, 2, 2, 3, 3, 3], np.array([-1, -1, -1, 0, 0, 0]), next_id=9)
    assert result.ids == (3,) and result.dissolved == (2,) and result.merged == {}


def test_a_small_overlap_is_not_enough_to_inherit_an_id() -> None:
    # Old cluster 1 has 10 members; only 2 of them (20 %) land in the new cluster of 12.
    old = [1] * 10 + [-1] * 10
    new = np.array([0, 0] + [-1] * 8 + [0] * 10)
    result = stable_ids(old, new, next_id=4, min_overlap=0.5)
    assert result.ids == (4,) and result.split_from == {4: 1} and result.merged == {1: 4}


def test_stable_ids_are_a_pure_function() -> None:
    rng = np.random.default_rng(0)
    old = rng.integers(-1, 6, 200)
    new = canonical_labels(rng.integers(-1, 8, 200))
    assert stable_ids(old, new, 10) == stable_ids(old.copy(), new.copy(), 10)
    empty = stable_ids(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 3)
    assert empty.ids == () and empty.next_id == 3
