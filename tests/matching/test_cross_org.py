# SPDX-License-Identifier: EUPL-1.2
"""Cross-organisation detector: flags growth carried by several organisations, never a one-town surge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.activity import Activity
from matching.cross_org import CrossOrgDetector
from matching.detector import Detector, replay
from tests.matching.rhythm import ORGS, Surge, SyntheticSystem

ACROSS = Surge(3, date(2024, 5, 14), 6, 2.0, ("GM0363", "GM0518", "UWV", "BD-TOESLAGEN"))
FESTIVAL = Surge(7, date(2024, 8, 6), 6, 2.0, ("GM0855",))


@pytest.fixture(scope="module")
def surging() -> Activity:
    return SyntheticSystem(clusters=8, seed=0, surges=[ACROSS, FESTIVAL]).activity()


def _around(activity: Activity, surge: Surge) -> list:
    first, last = surge.start - timedelta(days=7), surge.start + timedelta(days=surge.days)
    return [a for a in replay(CrossOrgDetector(), activity, first, last) if a.cluster_id == surge.cluster_id]


def test_is_a_detector() -> None:
    assert isinstance(CrossOrgDetector(), Detector)


def test_no_alerts_on_a_year_of_rhythm_and_noise() -> None:
    calm = SyntheticSystem(clusters=8, seed=2).activity()
    alerts = replay(CrossOrgDetector(), calm, date(2024, 1, 1), date(2024, 12, 31))
    # Measured: 1 false alarm in 32 cluster-years (seeds 0-3). Allow one in these 8 cluster-years.
    assert len(alerts) <= 1, [(a.cluster_id, a.detected_at) for a in alerts]


def test_a_cross_organisation_surge_is_flagged(surging: Activity) -> None:
    alerts = _around(surging, ACROSS)
    assert len(alerts) == 1
    alert = alerts[0]
    assert 0 <= (alert.detected_at - ACROSS.start).days <= 2
    assert alert.details["scope"] == "landelijk"
    assert {"GM0363", "GM0518", "UWV", "BD-TOESLAGEN"} >= set(alert.details["organisations"])
    assert alert.details["organisation_kinds"].get("national_agency", 0) >= 1
    assert alert.explanation.startswith("Gemeld bij ") and "het normale niveau sinds" in alert.explanation
    assert "uitvoeringsorganisatie" in alert.explanation


def test_a_surge_in_one_town_is_not_cross_organisation(surging: Activity) -> None:
    assert _around(surging, FESTIVAL) == []


# --- a new topic, broad but still small (the rule for few signals at many organisations) -------------------------

SPREAD = ("GM0363", "GM0518", "GM0344", "GM0193", "GM0599")  # five municipalities in four provinces
NEW = (3.0, 6.0, 0.02)  # cluster 2 is all but absent: about one signal a month


def _thin(organisations: tuple[str, ...], seed: int) -> tuple[Activity, list]:
    """About five signals a day of a new topic, for four days: too few for the count rule in the first days."""
    surge = Surge(2, ACROSS.start, 4, 250.0, organisations)
    activity = SyntheticSystem(clusters=3, seed=seed, levels=NEW, surges=[surge]).activity(ACROSS.start + timedelta(6))
    first, last = ACROSS.start - timedelta(days=7), ACROSS.start + timedelta(days=5)
    return activity, [a for a in replay(CrossOrgDetector(), activity, first, last) if a.cluster_id == 2]


def test_a_new_topic_spread_over_many_organisations_is_flagged_early() -> None:
    early = []
    for seed in range(8):
        _, alerts = _thin(SPREAD, seed)
        assert len(alerts) <= 1
        early += [a for a in alerts if 0 <= (a.detected_at - ACROSS.start).days <= 2]
    assert len(early) >= 6  # measured: all 8 seeds within two days, all by the broad rule
    assert all(a.details["scope"] == "landelijk" for a in early)
    broad = [a for a in early if a.details["rule"] == "breed"]
    assert broad and all(a.details["expected"] <= 0.5 and len(a.details["organisations"]) >= 4 for a in broad)
    assert all("breed gedragen" in a.explanation for a in broad)


def test_the_same_new_topic_in_one_town_is_never_flagged() -> None:
    for seed in range(8):
        assert _thin(("GM0855",), seed)[1] == []


def test_the_broad_rule_waits_until_normal_is_known() -> None:
    # The same spread rise seven weeks after the system started: a normal level is not known yet.
    surge = Surge(2, ACROSS.start, 4, 250.0, SPREAD)
    young = SyntheticSystem(first=date(2024, 3, 25), clusters=3, seed=2, levels=NEW, surges=[surge]).activity()
    assert [a for a in _thin(SPREAD, 2)[1] if a.details["rule"] == "breed"]  # the same seed a year in: flagged
    alerts = replay(CrossOrgDetector(), young, ACROSS.start, ACROSS.start + timedelta(days=6))
    assert all(a.details["rule"] == "aantal" for a in alerts)


# --- related clusters --------------------------------------------------------------------------------------------

RELATED = {2: ((9, 0.8),), 9: ((2, 0.8),)}


def _with_young(young_per_day: int, young_orgs: tuple[str, ...], old_level: float, old_extra: float) -> Activity:
    """Cluster 2, an older topic at ``old_level`` rising by ``old_extra`` at GM0193 and GM0599 from the onset, and
    cluster 9, a young one that exists only from the onset: ``young_per_day`` signals a day at ``young_orgs``."""
    surge = Surge(2, ACROSS.start, 4, old_extra, ("GM0193", "GM0599"))
    builder = SyntheticSystem(clusters=3, seed=1, levels=(3.0, 6.0, old_level), surges=[surge]).builder()
    orgs = [o for o in ORGS if o.code in young_orgs]
    for k in range(4):
        for i in range(young_per_day):
            org = orgs[(k + i) % len(orgs)]
            builder.add_count(
                ACROSS.start + timedelta(days=k), 1, cluster_id=9, organisation=org.code,
                organisation_kind=org.kind, municipality=org.municipality, province=org.province,
            )  # fmt: skip
    return builder.build(date(2023, 10, 2), ACROSS.start + timedelta(days=6))


def _detect(activity: Activity, first: date, last: date, related: dict | None) -> list:
    detector, day, alerts = CrossOrgDetector(), first, []
    while day <= last:
        alerts += [a for a in detector.detect(activity, day, related=related) if a.cluster_id in (2, 9)]
        day += timedelta(days=1)
    return alerts


def test_a_rise_split_over_an_old_and_a_young_cluster_is_counted_together() -> None:
    activity = _with_young(4, ("GM0363", "GM0518", "GM0344"), old_level=0.5, old_extra=8.0)
    days = (ACROSS.start - timedelta(days=3), ACROSS.start + timedelta(days=4))
    alone = _detect(activity, *days, related=None)
    together = _detect(activity, *days, related=RELATED)
    assert len(together) == 1, [(a.cluster_id, a.detected_at) for a in together]  # one rise, one alert
    alert = together[0]
    assert 0 <= (alert.detected_at - ACROSS.start).days <= 2
    assert not [a for a in alone if a.detected_at <= alert.detected_at]  # neither half was enough on its own
    assert alert.details["related_clusters"] in ([9], [2]) and alert.details["scope"] == "landelijk"
    assert "verwante patroon" in alert.explanation


def test_a_young_cluster_of_an_older_topic_that_does_not_rise_is_not_flagged() -> None:
    # Cluster 9 is young: its signals would otherwise have joined cluster 2, a busy topic that does not rise.
    activity = _with_young(3, SPREAD, old_level=6.0, old_extra=0.0)
    days = (ACROSS.start, ACROSS.start + timedelta(days=4))
    assert _detect(activity, *days, related=None), "without its relative the young cluster seems to rise from nothing"
    assert _detect(activity, *days, related=RELATED) == []
