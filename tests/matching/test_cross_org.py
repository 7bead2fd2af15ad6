# SPDX-License-Identifier: EUPL-1.2
"""Cross-organisation detector: flags growth carried by several organisations, never a one-town surge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.activity import Activity
from matching.cross_org import CrossOrgDetector
from matching.detector import Detector, replay
from tests.matching.rhythm import Surge, SyntheticSystem

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
