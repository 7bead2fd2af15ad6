# SPDX-License-Identifier: EUPL-1.2
"""The graph re-clusterer: communities of the nearest-neighbour graph follow the groups, the same every time."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from governance.errors import InvalidInputError
from matching.clusters import Clusterer
from matching.graph_clusters import GraphClusterer, nearest_neighbours
from matching.pipeline import make_clusterer
from tests.matching.test_clusters import _blobs


def test_it_fits_the_protocol_and_finds_separated_groups() -> None:
    vectors, truth = _blobs([40, 25, 60, 12])
    clusterer: Clusterer = make_clusterer("graph")
    labels = clusterer.cluster(vectors)
    assert isinstance(clusterer, GraphClusterer)
    assert adjusted_rand_score(truth, labels) > 0.95
    assert set(labels.tolist()) == set(range(4))  # canonical: numbered by first member


def test_groups_that_share_a_common_part_stay_apart() -> None:
    # Every vector carries the same large common component (like the phrasing all complaints share); the groups
    # differ only in a smaller part. Average linkage at its default merges them; the graph keeps them apart.
    rng = np.random.default_rng(3)
    common = rng.standard_normal(64)
    vectors, truth = _blobs([50, 50, 50], dimension=64, noise=0.05, seed=3)
    mixed = 1.2 * common / np.linalg.norm(common) + vectors
    mixed = (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)
    assert adjusted_rand_score(truth, GraphClusterer().cluster(mixed)) > 0.9
    assert adjusted_rand_score(truth, make_clusterer("agglomerative").cluster(mixed)) < 0.5


def test_the_same_vectors_give_the_same_labels() -> None:
    vectors, _ = _blobs([30, 30, 30], noise=0.3, seed=5)
    first = GraphClusterer(seed=1).cluster(vectors)
    assert np.array_equal(first, GraphClusterer(seed=1).cluster(vectors.copy()))


def test_small_communities_become_noise_and_join_a_near_cluster_or_stay_noise() -> None:
    vectors, truth = _blobs([40, 40, 2], seed=7)
    kept = GraphClusterer(min_size=3, min_similarity=0.6, attach_threshold=None).cluster(vectors)
    assert (kept[truth == 2] == -1).all() and (kept[truth != 2] >= 0).all()
    attached = GraphClusterer(min_size=3, min_similarity=0.6, attach_threshold=-1.0).cluster(vectors)
    assert (attached >= 0).all()


def test_nearest_neighbours_skip_themselves_and_break_ties_by_row() -> None:
    vectors = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=np.float32)
    neighbours, similarities = nearest_neighbours(vectors, 2)
    assert neighbours.tolist() == [[1, 2], [0, 2], [0, 1], [0, 1]]
    assert similarities[:3].tolist() == [[1.0, 1.0]] * 3 and similarities[3].tolist() == [0.0, 0.0]
    assert nearest_neighbours(vectors[:1], 5)[0].shape == (1, 0)


@pytest.mark.parametrize("options", [{"neighbours": 0}, {"min_size": 0}, {"resolution": 0.0}, {"min_similarity": 1.0}])
def test_bad_options_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(InvalidInputError):
        GraphClusterer(**options)  # type: ignore[arg-type]
