# SPDX-License-Identifier: EUPL-1.2
"""Related clusters: close centroids are found whatever the row order, and their counts add up; an alert counted
with them never names its own pattern, and no explanation gives a ratio over next to nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from matching.activity import ActivityBuilder
from matching.cross_org import CrossOrgDetector, Growth
from matching.detector import replay
from matching.emerging import NEGLIGIBLE_EXPECTED, EmergingDetector
from matching.related import combined, for_pattern, related_clusters, related_sentence
from matching.scope import Scope


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


# --- the explanation of an alert counted with related clusters -----------------------------------------------------


def _activity() -> tuple[ActivityBuilder, date]:
    """A steady background of three municipalities, and the day a brand-new topic (cluster 2) appears."""
    builder = ActivityBuilder()
    start = date(2025, 1, 6)
    for i in range(140):
        for org, province in (("GM0363", "PV27"), ("GM0599", "PV28"), ("GM0518", "PV28")):
            builder.add_count(
                start + timedelta(days=i), 20, cluster_id=1, organisation=org, organisation_kind="municipality",
                province=province,
            )  # fmt: skip
    return builder, start + timedelta(days=130)


def test_the_related_sentence_never_names_the_cluster_itself() -> None:
    assert related_sentence([(824, 0.71)], 824) == ""
    sentence = related_sentence([(824, 0.71), (830, 0.65)], 824)
    assert "824" not in sentence and "het verwante patroon 830 (gelijkenis 0,65)" in sentence
    both = related_sentence([(830, 0.65), (831, 0.6)], 824)
    assert "de verwante patronen 830 (gelijkenis 0,65), 831 (gelijkenis 0,60)" in both


def test_a_stored_explanation_is_rewritten_for_the_pattern_it_moved_into() -> None:
    text = "Gemeld bij 3 organisaties." + related_sentence([(824, 0.71), (830, 0.65)], 900) + " Reikwijdte: regionaal."
    assert for_pattern(text, 5) == text  # a pattern it does not name: unchanged
    on_824 = for_pattern(text, 824)
    assert "824" not in on_824 and "het verwante patroon 830" in on_824 and on_824.endswith(" Reikwijdte: regionaal.")
    only = "Gemeld bij 3 organisaties." + related_sentence([(824, 0.71)], 900) + " Reikwijdte: regionaal."
    merged = for_pattern(only, 824)
    assert "824" not in merged and "inmiddels in dit patroon is opgegaan" in merged


def test_a_cross_org_alert_on_a_cluster_names_neither_itself_nor_a_ratio_over_nothing() -> None:
    builder, new = _activity()
    for k, org in enumerate(("GM0363", "GM0599", "GM0518", "GM0014")):
        builder.add_count(
            new, 5, cluster_id=824, organisation=org, organisation_kind="municipality", province="PV2" + str(k)
        )
    cluster = builder.build().clusters[824]
    scope = Scope("landelijk", ("GM0014", "GM0363", "GM0518", "GM0599"), {"municipality": 4}, (), ("PV20", "PV27"))
    growth = Growth(new, 18, 0.02, 1e-9, scope, broad=True, related=((824, 0.9), (830, 0.7)))
    alert = CrossOrgDetector()._alert(cluster, new, growth)
    assert "18 signalen waar vrijwel geen verwacht werden" in alert.explanation
    assert "×" not in alert.explanation and "0,0 verwacht" not in alert.explanation
    assert "824" not in alert.explanation and "het verwante patroon 830" in alert.explanation
    ordinary = CrossOrgDetector()._alert(cluster, new, Growth(new, 30, 12.0, 1e-9, scope))
    assert "2,5× het normale niveau" in ordinary.explanation and "(30 signalen, 12,0 verwacht)" in ordinary.explanation


def test_an_emerging_alert_over_next_to_nothing_gives_no_ratio() -> None:
    builder, new = _activity()
    for k in range(3):
        builder.add_count(
            new + timedelta(days=k), 6, cluster_id=2, organisation="GM0363", organisation_kind="municipality",
            province="PV27",
        )  # fmt: skip
    activity = builder.build()
    alerts = [a for a in replay(EmergingDetector(), activity, new, new + timedelta(days=3)) if a.cluster_id == 2]
    assert alerts, "the new topic's burst is raised"
    for alert in alerts:
        assert alert.details["expected"] < NEGLIGIBLE_EXPECTED
        assert f"{alert.details['observed']} signalen" in alert.explanation
        assert "waar vrijwel geen verwacht werden" in alert.explanation and "×" not in alert.explanation
