# SPDX-License-Identifier: EUPL-1.2
"""Related clusters: close centroids are found whatever the row order, and their counts add up."""

from __future__ import annotations

from datetime import date

import numpy as np

from matching.activity import ActivityBuilder
from matching.related import combined, related_clusters


def _centroids() -> tuple[list[int], np.ndarray]:
    rng = np.random.default_rng(0)
    topic, other = rng.normal(size=32), rng.normal(size=32)
    near = topic + 0.3 * rng.normal(size=32)  # a young cluster of the same topic
    return [10, 11, 12], np.stack([topic, near, other])


def test_close_centroids_are_related_both_ways_and_far_ones_are_not() -> None:
    ids, centroids = _centroids()
    related = related_clusters(ids, centroids, threshold=0.7)
    assert set(related) == {10, 11}
    (partner, similarity), *_ = related[10]
    assert partner == 11 and 0.7 <= similarity <= 1.0
    assert related[11][0][0] == 10
    assert related_clusters(ids, centroids, threshold=0.999) == {}


def test_the_answer_does_not_depend_on_row_order_or_scale() -> None:
    ids, centroids = _centroids()
    order = [2, 0, 1]
    shuffled = related_clusters([ids[i] for i in order], 3.0 * centroids[order], threshold=0.7)
    assert shuffled == related_clusters(ids, centroids, threshold=0.7)


def test_combined_counts_are_the_sum_of_the_clusters() -> None:
    builder = ActivityBuilder()
    day = date(2025, 6, 2)
    builder.add_count(day, 2, cluster_id=1, organisation="GM0363", organisation_kind="municipality", province="PV27")
    builder.add_count(day, 3, cluster_id=2, organisation="GM0599", organisation_kind="municipality", province="PV28")
    builder.add_count(day, 1, cluster_id=2, organisation="GM0363", organisation_kind="municipality", province="PV27")
    builder.add_count(day, 7, cluster_id=3, organisation="UWV", organisation_kind="national_agency")
    activity = builder.build()
    together = combined(activity, activity.clusters[1], [2, 99])  # 99 has no counts: skipped
    assert together.cluster_id == 1 and int(together.counts.sum()) == 6
    assert {k: int(v.sum()) for k, v in together.split("organisation").items()} == {"GM0363": 3, "GM0599": 3}
    assert int(activity.clusters[1].counts.sum()) == 2  # the inputs are left as they were
    assert combined(activity, activity.clusters[3], []) is activity.clusters[3]
