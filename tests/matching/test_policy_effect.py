# SPDX-License-Identifier: EUPL-1.2
"""Policy effect: a planted level shift is estimated with a 95 % interval covering the truth; others stay quiet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from governance.errors import InvalidInputError
from matching.activity import Activity
from matching.detector import replay
from matching.policies import Policy, ref_key
from matching.policy_effect import PolicyEffectDetector, analyse
from tests.matching.rhythm import SyntheticSystem

POLICY = Policy("Wijziging Participatiewet", date(2024, 6, 3), refs=("bwb:BWBR0015703",))
SHIFT = 1.5  # cluster 2's level is 1.5 times higher from the policy date on
SEEDS = (0, 1, 2, 3)


@pytest.fixture(scope="module")
def shifted() -> dict[int, Activity]:
    return {
        seed: SyntheticSystem(clusters=6, seed=seed, level_shift=(2, POLICY.date, SHIFT)).activity() for seed in SEEDS
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_the_level_shift_is_estimated_with_an_interval_covering_it(shifted: dict[int, Activity], seed: int) -> None:
    report = analyse(shifted[seed], POLICY, POLICY.date + timedelta(weeks=13, days=-1))
    effect = report.clusters[2]
    assert effect.level_ci[0] <= SHIFT - 1 <= effect.level_ci[1]
    assert effect.level_ci[0] > 0 and effect.level_p < 0.01  # and it is clearly a rise
    assert abs(effect.trend) < 0.05  # no change of trend was planted: at most a few percent a week
    assert (effect.blocks_before, effect.blocks_after) == (26, 13)
    # Cluster 2 carries theme werk-en-inkomen (even clusters): the theme rises too.
    assert report.themes["werk-en-inkomen"].level_ci[0] > 0
    assert report.organisations and report.provinces  # who changed most is ranked


def test_unchanged_clusters_are_mostly_unchanged(shifted: dict[int, Activity]) -> None:
    significant = [
        (seed, cid)
        for seed, activity in shifted.items()
        for cid, effect in analyse(activity, POLICY, POLICY.date + timedelta(weeks=13, days=-1)).clusters.items()
        if cid != 2 and effect.level_p < 0.05
    ]
    # 20 unchanged cluster fits at the 5 % level; measured: 2 (seeds 0-3).
    assert len(significant) <= 3, significant


def test_the_detector_alerts_at_checkpoints_once(shifted: dict[int, Activity]) -> None:
    detector = PolicyEffectDetector(policies=[POLICY])
    alerts = replay(detector, shifted[1], POLICY.date, POLICY.date + timedelta(weeks=26))
    assert 2 in {a.cluster_id for a in alerts}
    assert len({a.cluster_id for a in alerts}) == len(alerts), "each cluster is raised once"
    assert {(a.detected_at - POLICY.date).days + 1 for a in alerts} <= {7 * w for w in detector.checkpoints}
    first = next(a for a in alerts if a.cluster_id == 2)
    assert first.explanation.startswith("Na 'Wijziging Participatiewet' (3 juni 2024): niveau +")
    assert "95 %-BI" in first.explanation and first.details["carries_refs"] is False


def test_policy_references_are_normalised() -> None:
    assert ref_key({"scheme": "cvdr", "id": "CVDR123"}) == "cvdr:CVDR123"
    with pytest.raises(InvalidInputError):
        Policy("x", date(2024, 1, 1), refs=("nergens:1",))
    with pytest.raises(InvalidInputError):
        Policy(" ", date(2024, 1, 1))
