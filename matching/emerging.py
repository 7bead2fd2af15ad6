# SPDX-License-Identifier: EUPL-1.2
"""Emerging patterns: a cluster bursting above its own seasonal baseline.

Method, per cluster and event-time day ``as_of``:

1. The baseline (:mod:`matching.baseline`) is learnt from the ``history`` days before the last ``window`` days:
   the cluster's share of the rest of the system's volume (so weekdays, holidays and summer cancel out), its own
   weekday profile, and its over-dispersion.
2. A day is *high* when its count is at least ``min_count``, at least ``min_ratio`` × expected, and its
   negative-binomial upper tail ``P(Y ≥ y)`` is below ``day_alpha``.
3. Persistence: the cluster *bursts* on ``as_of`` when at least ``persistence`` of the last ``window`` days are
   high *and* their summed count has an upper tail below ``alpha``. One high day is noise far more often than two;
   the strict test on the sum keeps the selection of "high" days from inflating the false-alarm rate.
4. An alert is raised on the first burst day only: none if the cluster burst on any of the ``cooldown`` days
   before, so an analyst gets one alert per episode, not one per day.

Everything is computed from days up to ``as_of``, so a replay gives the same alerts. A burst starting on day ``d``
is typically raised on ``d + 1`` (two high days). ``score`` is ``-log10`` of the tail probability of the window's
summed count from the first high day on (capped at 300).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from matching.activity import Activity, ClusterActivity
from matching.baseline import Baseline, fit_baseline
from matching.detector import Alert, dutch_date, dutch_number
from matching.scope import surge_scope

__all__ = ["NEGLIGIBLE_EXPECTED", "EmergingDetector", "burst_window"]

#: Below this many expected signals an explanation gives no ratio: "18 signalen waar vrijwel geen verwacht werden".
NEGLIGIBLE_EXPECTED = 0.5


def burst_window(baseline: Baseline, min_count: int, min_ratio: float, alpha: float) -> list[bool]:
    """Which tested days are high (count, ratio and tail-probability rules all met)."""
    tail = baseline.tail()
    return [
        bool(y >= min_count and y >= min_ratio * mu and p < alpha)
        for y, mu, p in zip(baseline.observed, baseline.expected, tail, strict=True)
    ]


@dataclass
class EmergingDetector:
    """Seasonal-baseline burst detector (see the module docstring for the method)."""

    history: int = 84
    window: int = 3
    persistence: int = 2
    min_count: int = 5
    min_ratio: float = 1.5
    day_alpha: float = 0.01
    alpha: float = 1e-5
    cooldown: int = 7
    kind: str = "emerging"

    def _baseline(self, activity: Activity, cluster: ClusterActivity, day: date) -> Baseline:
        return fit_baseline(activity, cluster.counts, day, self.window, self.history)

    def bursting(self, activity: Activity, cluster: ClusterActivity, day: date) -> bool:
        """Whether ``cluster`` meets the persistence rule on ``day``."""
        if activity.index(day) < 0:
            return False
        baseline = self._baseline(activity, cluster, day)
        high = burst_window(baseline, self.min_count, self.min_ratio, self.day_alpha)
        if sum(high) < self.persistence:
            return False
        return baseline.tail_of_sum(high) < self.alpha

    def detect(self, activity: Activity, as_of: date) -> list[Alert]:
        """Alerts for clusters whose burst starts on ``as_of``."""
        alerts = []
        for cluster in activity.clusters.values():
            if activity.window(cluster.counts, as_of, self.window).sum() < self.persistence * self.min_count:
                continue  # cheap pre-filter: too few signals to pass the count rule on enough days
            if not self.bursting(activity, cluster, as_of):
                continue
            earlier = (as_of - timedelta(days=k) for k in range(1, self.cooldown + 1))
            if any(self.bursting(activity, cluster, day) for day in earlier):
                continue
            alerts.append(self._alert(activity, cluster, as_of))
        return alerts

    def _alert(self, activity: Activity, cluster: ClusterActivity, as_of: date) -> Alert:
        baseline = self._baseline(activity, cluster, as_of)
        high = burst_window(baseline, self.min_count, self.min_ratio, self.day_alpha)
        onset_index = high.index(True)
        onset = baseline.day(onset_index)
        observed = int(baseline.observed[onset_index:].sum())
        expected = float(baseline.expected[onset_index:].sum())
        ratio = observed / max(expected, 1e-9)
        p_value = baseline.tail_of_sum([i >= onset_index for i in range(len(high))])
        score = min(300.0, -math.log10(max(p_value, 1e-300)))
        scope = surge_scope(activity, cluster, onset, as_of, self.history)
        days = (
            "op " + dutch_date(onset) if onset == as_of else f"van {dutch_date(onset)} tot en met {dutch_date(as_of)}"
        )
        if expected < NEGLIGIBLE_EXPECTED:
            # A ratio over next to nothing ("801,5× het normale niveau") measures the divisor, not the rise.
            explanation = (
                f"Plotselinge toename: {observed} signalen {days}, waar vrijwel geen verwacht werden "
                f"op basis van weekdag en seizoen. {scope.describe()}; reikwijdte: {scope.level}."
            )
        else:
            explanation = (
                f"Plotselinge toename: {observed} signalen {days}, waar {dutch_number(expected)} verwacht werd "
                f"op basis van weekdag en seizoen ({dutch_number(ratio)}× het normale niveau). "
                f"{scope.describe()}; reikwijdte: {scope.level}."
            )
        details: dict[str, Any] = {
            "onset": onset.isoformat(),
            "observed": observed,
            "expected": round(expected, 2),
            "ratio": round(ratio, 3),
            "p_value": p_value,
            "overdispersion": round(baseline.overdispersion, 4),
            "scope": scope.level,
            "organisations": list(scope.organisations),
            "provinces": list(scope.provinces),
            "municipalities": list(scope.municipalities),
        }
        return Alert(self.kind, cluster.cluster_id, as_of, score, explanation, details)
