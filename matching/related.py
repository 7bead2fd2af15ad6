# SPDX-License-Identifier: EUPL-1.2
"""Related patterns: clusters whose centres lie so close that a rise split between them is one rise.

A new topic rarely lands in one cluster at first. Its first signals partly join an older pattern that resembles it
online, partly wait unassigned until the daily promotion turns them into a young pattern of their own; the weekly
re-clustering later merges the two. Until then each half may stay below the count rules although together they
clearly rise. The cross-organisation detector therefore also reads a cluster *together with* its related clusters:
the active or dormant clusters whose centroids have a cosine similarity of at least ``threshold`` with its own,
where at least one of the two is young (:class:`matching.detection.Detection` passes the clusters first seen in
the last weeks).

The relation is computed from the centroids the state holds when detection runs, which are a function of the
records before that point in ``seq`` order only (centroids change at promotion and re-clustering, never online),
so a replay finds the same relations. :func:`combined` sums the daily counts and breakdowns of a cluster and its
relatives into one :class:`~matching.activity.ClusterActivity`, which the detectors read like any cluster.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.activity import Activity, ClusterActivity, Counts

__all__ = ["Related", "combined", "related_clusters"]

#: cluster id → its related cluster ids, most similar first, each with the similarity.
Related = Mapping[int, tuple[tuple[int, float], ...]]


def related_clusters(
    ids: Sequence[int],
    centroids: npt.NDArray[np.floating[Any]],
    threshold: float,
    limit: int = 3,
    young: Collection[int] | None = None,
) -> dict[int, tuple[tuple[int, float], ...]]:
    """For each cluster, up to ``limit`` others whose centroid is at least ``threshold`` similar (cosine).

    ``young``: when given, only pairs with at least one young cluster are related. Two established clusters that
    lie close have each their own history, and the weekly re-clustering kept them apart for a reason.
    Centroids need not be normalised. Ties are broken by cluster id, so the answer does not depend on row order.
    """
    if len(ids) < 2:
        return {}
    matrix = np.asarray(centroids, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.maximum(norms, 1e-12)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    if young is not None:
        is_young = np.isin(np.asarray(ids, dtype=np.int64), np.asarray(sorted(young), dtype=np.int64))
        similarity[np.ix_(~is_young, ~is_young)] = -np.inf
    out: dict[int, tuple[tuple[int, float], ...]] = {}
    for row, cluster_id in enumerate(ids):
        close = np.flatnonzero(similarity[row] >= threshold)
        if close.size == 0:
            continue
        ranked = sorted(close.tolist(), key=lambda j: (-round(float(similarity[row, j]), 6), ids[j]))[:limit]
        out[int(cluster_id)] = tuple((int(ids[j]), round(float(similarity[row, j]), 3)) for j in ranked)
    return out


def combined(activity: Activity, cluster: ClusterActivity, others: Sequence[int]) -> ClusterActivity:
    """``cluster`` with the counts of the clusters ``others`` added (those without counts are skipped).

    The result keeps ``cluster``'s id: an alert on it is an alert on that cluster, read together with the others.
    """
    members = [activity.clusters[c] for c in others if c in activity.clusters and c != cluster.cluster_id]
    if not members:
        return cluster
    counts: Counts = cluster.counts.copy()
    breakdown: dict[str, dict[str, Counts]] = {dim: dict(values) for dim, values in cluster.breakdown.items()}
    for member in members:
        counts = counts + member.counts
        for dim, values in member.breakdown.items():
            target = breakdown.setdefault(dim, {})
            for value, series in values.items():
                target[value] = target[value] + series if value in target else series.copy()
    return ClusterActivity(cluster.cluster_id, counts, breakdown)
