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

An alert counted with relatives names them (:func:`related_sentence`). Its text is written when it is raised; when the
weekly re-clustering later merges the alerted cluster into one of those relatives, the alert moves to that pattern,
whose page would then read "samen geteld met het verwante patroon 824" on pattern 824 itself.
:func:`for_pattern` rewrites the sentence for the pattern that shows it: a pattern never lists itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.activity import Activity, ClusterActivity, Counts
from matching.detector import dutch_number

__all__ = ["Related", "combined", "for_pattern", "related_clusters", "related_sentence"]

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


_SENTENCE = re.compile(
    r" ?Samen geteld met (?:het verwante patroon|de verwante patronen) (?P<names>.*?): een nieuw onderwerp "
    r"verdeelt zich eerst over (?:beide|alle)\."
)
_NAME = re.compile(r"(?P<id>\d+) \(gelijkenis (?P<similarity>\d+(?:,\d+)?)\)")
_MERGED = (
    " Samen geteld met een verwant patroon dat inmiddels in dit patroon is opgegaan: een nieuw onderwerp verdeelt"
    " zich eerst over beide."
)


def related_sentence(related: Sequence[tuple[int, float]], own: int) -> str:
    """The sentence an alert counted with related clusters adds (with a leading space), never naming ``own``;
    empty when no other cluster is left."""
    names = [f"{c} (gelijkenis {dutch_number(s, 2)})" for c, s in related if c != own]
    return _sentence(names)


def _sentence(names: Sequence[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return f" Samen geteld met het verwante patroon {names[0]}: een nieuw onderwerp verdeelt zich eerst over beide."
    listed = ", ".join(names)
    return f" Samen geteld met de verwante patronen {listed}: een nieuw onderwerp verdeelt zich eerst over alle."


def for_pattern(explanation: str, pattern_id: int) -> str:
    """``explanation`` as pattern ``pattern_id`` shows it: related patterns that are now this pattern itself (the
    alerted cluster was merged into one of them) are left out of the sentence; when none is left, it says that the
    related pattern has since joined this one."""
    found = _SENTENCE.search(explanation)
    if found is None:
        return explanation
    names = [m.group(0) for m in _NAME.finditer(found.group("names"))]
    kept = [name for name in names if int(name.split(" ", 1)[0]) != pattern_id]
    if len(kept) == len(names):
        return explanation
    replacement = _sentence(kept) if kept else _MERGED
    if not found.group(0).startswith(" "):
        replacement = replacement.lstrip()
    return explanation[: found.start()] + replacement + explanation[found.end() :]
