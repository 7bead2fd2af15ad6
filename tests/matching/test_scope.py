# SPDX-License-Identifier: EUPL-1.2
"""Scope: who carries a surge decides lokaal / regionaal / landelijk; one town is never national."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.detector import replay
from matching.emerging import EmergingDetector
from matching.scope import Scope, describe_organisations, level_of, surge_scope
from tests.matching.rhythm import Surge, SyntheticSystem

START = date(2024, 4, 9)
CASES = {
    "lokaal": ("GM0855",),
    "regionaal": ("GM0518", "GM0599"),  # both in PV28
    "landelijk": ("GM0363", "GM0344", "UWV"),
}


def _scope(organisations: tuple[str, ...], seed: int = 3) -> Scope:
    surge = Surge(3, START, 4, 2.0, organisations)
    activity = SyntheticSystem(clusters=4, seed=seed, surges=[surge]).activity(last=START + timedelta(days=3))
    return surge_scope(activity, activity.clusters[3], START, START + timedelta(days=3))


@pytest.mark.parametrize("level", list(CASES))
def test_the_carriers_decide_the_level(level: str) -> None:
    scope = _scope(CASES[level])
    assert scope.level == level
    assert set(scope.organisations) == set(CASES[level])


@pytest.mark.parametrize("seed", range(3))
def test_a_festival_surge_is_local_never_national(seed: int) -> None:
    surge = Surge(2, date(2024, 8, 6), 4, 2.5, ("GM0855",))
    activity = SyntheticSystem(clusters=4, seed=seed, surges=[surge]).activity(last=date(2024, 8, 20))
    alerts = [a for a in replay(EmergingDetector(), activity, date(2024, 8, 1), date(2024, 8, 12)) if a.cluster_id == 2]
    assert alerts, "the festival surge is seen"
    assert all(a.details["scope"] == "lokaal" for a in alerts)
    assert "gemeente GM0855" in alerts[0].explanation


def test_one_national_agency_alone_is_local() -> None:
    assert _scope(("UWV",)).level == "lokaal"


def test_dutch_descriptions() -> None:
    text = describe_organisations(("GM0363", "GM0518", "UWV"), {"municipality": 2, "national_agency": 1})
    assert text == "3 organisaties (2 gemeenten, 1 uitvoeringsorganisatie)"
    assert describe_organisations(("UWV",), {"national_agency": 1}) == "1 organisatie (UWV)"
    scope = Scope("landelijk", ("GM0363", "GM0518", "UWV"), {"municipality": 2, "national_agency": 1}, (), ("A", "B"))
    assert scope.describe() == "Gemeld bij 3 organisaties (2 gemeenten, 1 uitvoeringsorganisatie) in 2 provincies"


def test_the_level_rule_reads_plain_counts_too() -> None:
    national = {"national_agency": 1, "municipality": 2}
    assert level_of({"GM0363": 4, "GM0599": 3, "UWV": 3}, {"GM0363": 4, "GM0599": 3}, 2, national) == "landelijk"
    one_town = {"GM0363": 9, "UWV": 1}
    assert level_of(one_town, {"GM0363": 9}, 1, national) == "lokaal"  # one municipality holds 90 %
    assert level_of({"GM0363": 3, "GM0518": 3}, {"GM0363": 3, "GM0518": 3}, 1, {"municipality": 2}) == "regionaal"
    assert level_of({"GM0363": 12}, {"GM0363": 12}, 1, {"municipality": 1}) == "lokaal"
