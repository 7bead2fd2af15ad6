# SPDX-License-Identifier: EUPL-1.2
"""Cross-organisation patterns: one cluster growing beyond its own baseline, carried by several organisations.

Method, per cluster and event-time day ``as_of``:

1. The seasonal baseline (:mod:`matching.baseline`) for the last ``window`` days is learnt from the ``history``
   days before them (exposure = the rest of the system's volume, the cluster's own weekday profile, NB noise).
2. Growth: of the suffixes of the window (the last day, the last two, … all of it) the one with the smallest
   upper-tail probability of its summed count gives the onset ("sinds 12 maart"). The cluster grows when that
   probability is below ``alpha``, the suffix holds at least ``min_count`` signals and ``min_ratio`` × expected.
3. Breadth: the organisations carrying the *excess* (:func:`matching.scope.carriers`) must number at least
   ``min_organisations``, or at least two of different kinds (a municipality AND a national agency is the
   strongest sign that one cause reaches across government), and the scope must not be ``lokaal``.
4. One alert per episode: none if the cluster met both rules on any of the ``cooldown`` days before.

``score`` is ``-log10`` of the growth probability (capped at 300) times the number of organisation kinds carrying
it. Only days up to ``as_of`` are read, so a replay gives the same alerts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from matching.activity import Activity, ClusterActivity
from matching.baseline import fit_baseline
from matching.detector import Alert, dutch_date, dutch_number
from matching.scope import Scope, surge_scope

__all__ = ["CrossOrgDetector", "Growth"]


@dataclass(frozen=True)
class Growth:
    """The most significant recent growth of a cluster and who carries it."""

    onset: date
    observed: int
    expected: float
    p_value: float
    scope: Scope

    @property
    def ratio(self) -> float:
        """Observed over expected since the onset."""
        return self.observed / max(self.expected, 1e-9)


@dataclass
class CrossOrgDetector:
    """Growth carried across organisations (see the module docstring for the method)."""

    history: int = 84
    window: int = 7
    min_count: int = 15
    min_ratio: float = 1.5
    alpha: float = 1e-5
    min_organisations: int = 3
    cooldown: int = 7
    kind: str = "cross_org"

    def growth(self, activity: Activity, cluster: ClusterActivity, day: date) -> Growth | None:
        """The cluster's growth on ``day`` if it passes the growth and breadth rules, else ``None``."""
        if activity.index(day) < 0:
            return None
        baseline = fit_baseline(activity, cluster.counts, day, self.window, self.history)
        best: tuple[float, int] | None = None
        for start in range(self.window):
            suffix = [i >= start for i in range(self.window)]
            observed = int(baseline.observed[start:].sum())
            expected = float(baseline.expected[start:].sum())
            if observed < self.min_count or observed < self.min_ratio * expected:
                continue
            p_value = baseline.tail_of_sum(suffix)
            if best is None or p_value < best[0]:
                best = (p_value, start)
        if best is None or best[0] >= self.alpha:
            return None
        p_value, start = best
        onset = baseline.day(start)
        scope = surge_scope(activity, cluster, onset, day, self.history)
        kinds = len(scope.kinds)
        if len(scope.organisations) < self.min_organisations and not (len(scope.organisations) >= 2 and kinds >= 2):
            return None
        if scope.level == "lokaal":
            return None  # several organisations about one municipality: a local matter, for the emerging detector
        observed = int(baseline.observed[start:].sum())
        return Growth(onset, observed, float(baseline.expected[start:].sum()), p_value, scope)

    def detect(self, activity: Activity, as_of: date) -> list[Alert]:
        """Alerts for clusters whose cross-organisation growth starts to qualify on ``as_of``."""
        alerts = []
        for cluster in activity.clusters.values():
            if activity.window(cluster.counts, as_of, self.window).sum() < self.min_count:
                continue
            growth = self.growth(activity, cluster, as_of)
            if growth is None:
                continue
            earlier = (as_of - timedelta(days=k) for k in range(1, self.cooldown + 1))
            if any(self.growth(activity, cluster, day) is not None for day in earlier):
                continue
            alerts.append(self._alert(cluster, as_of, growth))
        return alerts

    def _alert(self, cluster: ClusterActivity, as_of: date, growth: Growth) -> Alert:
        scope = growth.scope
        surprise = min(300.0, -math.log10(max(growth.p_value, 1e-300)))
        explanation = (
            f"{scope.describe()}; {dutch_number(growth.ratio)}× het normale niveau sinds {dutch_date(growth.onset)} "
            f"({growth.observed} signalen, {dutch_number(growth.expected)} verwacht). Reikwijdte: {scope.level}."
        )
        details: dict[str, Any] = {
            "onset": growth.onset.isoformat(),
            "observed": growth.observed,
            "expected": round(growth.expected, 2),
            "ratio": round(growth.ratio, 3),
            "p_value": growth.p_value,
            "scope": scope.level,
            "organisations": list(scope.organisations),
            "organisation_kinds": dict(scope.kinds),
            "provinces": list(scope.provinces),
            "municipalities": list(scope.municipalities),
        }
        return Alert(self.kind, cluster.cluster_id, as_of, surprise * max(len(scope.kinds), 1), explanation, details)
