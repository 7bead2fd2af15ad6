# SPDX-License-Identifier: EUPL-1.2
"""The detector table, Dutch wording helpers, and event-time determinism: living through = replaying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from matching.activity import build_activity
from matching.detector import (
    DETECTORS,
    Alert,
    Detector,
    UnknownDetectorError,
    dutch_date,
    dutch_number,
    make_detector,
    replay,
)
from matching.policies import Policy
from tests.matching.rhythm import ORGS, Surge, SyntheticSystem

SURGES = [
    Surge(2, date(2024, 3, 12), 5, 2.0, ("GM0363", "GM0518", "UWV")),
    Surge(3, date(2024, 3, 19), 5, 2.0, ("GM0855",)),
]
POLICY = Policy("Wijziging Participatiewet", date(2024, 2, 26))


def test_the_table_makes_every_detector() -> None:
    assert set(DETECTORS) == {"cross_org", "emerging", "policy_effect"}
    for name in DETECTORS:
        detector = make_detector(name, policies=[POLICY]) if name == "policy_effect" else make_detector(name)
        assert isinstance(detector, Detector) and detector.kind == name
    with pytest.raises(UnknownDetectorError):
        make_detector("glazen-bol")


def test_dutch_wording() -> None:
    assert dutch_number(3.14) == "3,1" and dutch_number(12.0, 0) == "12"
    assert dutch_date(date(2024, 3, 12)) == "12 maart"
    assert dutch_date(date(2024, 10, 1), with_year=True) == "1 oktober 2024"


@pytest.mark.parametrize("name", ["emerging", "cross_org", "policy_effect"])
def test_living_through_gives_the_same_alerts_as_replaying(name: str) -> None:
    system = SyntheticSystem(clusters=4, seed=5, surges=SURGES, last=date(2024, 4, 10))
    builder = system.builder()
    full = builder.build(system.first, system.last)
    options = {"policies": [POLICY], "checkpoints": (2, 4)} if name == "policy_effect" else {}
    detector = make_detector(name, **options)
    lived: list[Alert] = []
    day = date(2024, 3, 1)
    while day <= system.last:
        # On each day only the signals observed so far exist.
        lived.extend(detector.detect(builder.build(system.first, day), day))
        day += timedelta(days=1)
    replayed = replay(detector, full, date(2024, 3, 1), system.last)
    assert lived == replayed
    assert [a.details for a in lived] == [a.details for a in replayed]
    expected = {"emerging": {2, 3}, "cross_org": {2}, "policy_effect": set()}[name]  # 3 is a one-town surge
    assert {a.cluster_id for a in lived} >= expected


@dataclass(frozen=True)
class _Record:
    agency: str
    organisation_kind: str
    municipality: str | None
    province: str | None
    observed_at: datetime
    themes: tuple[str, ...] = ()


def test_records_arriving_late_in_the_day_do_not_change_earlier_days() -> None:
    # Build from individual records: the activity of the first n days is the same whatever comes after.
    system = SyntheticSystem(clusters=2, seed=9, first=date(2024, 1, 1), last=date(2024, 4, 30))
    base = system.activity()
    records = []
    for cid, cluster in base.clusters.items():
        for org in ORGS[:3]:
            for i, n in enumerate(cluster.split("organisation").get(org.code, [])):
                moment = datetime.combine(base.day(i), datetime.min.time(), UTC) + timedelta(hours=10)
                records += [(cid, _Record(org.code, org.kind, org.municipality, org.province, moment))] * int(n)
    detector = make_detector("emerging")
    cut = date(2024, 3, 31)
    early = build_activity([(c, r) for c, r in records if r.observed_at.date() <= cut])
    later = build_activity(records)
    for k in range(14):
        day = cut - timedelta(days=k)
        assert detector.detect(early, day) == detector.detect(later, day)
