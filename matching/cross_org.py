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
4. A new topic rising broadly, still small: when the count rule is not met, a suffix of a topic that was all but
   absent before (at most ``broad_max_expected`` signals expected in it) with at least ``broad_min_count`` signals,
   ``broad_min_ratio`` × expected and a probability below ``broad_alpha`` also qualifies when its extra signals
   are spread over at least ``broad_min_organisations`` organisations, or ``broad_min_organisations - 1`` of
   different kinds (each counted with one extra signal: :func:`matching.scope.surge_scope` with ``thin=True``),
   and the scope is not ``lokaal``. Spread is what tells a national cause from chance here: a one-town surge has
   its signals at one organisation, however many. The pipeline's default leaves this rule off (``broad_rule``):
   the emerging-terms step (:mod:`matching.terms`) finds such topics from their new words a day or two earlier,
   and on the full-scale scenario this rule raised five alerts about nothing planted against none that the terms
   missed (docs/benchmarks.md, "Emerging terms").
5. Related clusters (:mod:`matching.related`): a cluster that does not qualify alone is read once more together
   with its related clusters (centroids at least as similar as the caller's threshold), since a new topic's first
   signals split between an older look-alike and a young cluster until the weekly re-clustering merges them. The
   rise must then be shared: the cluster itself and at least one relative each hold two signals and
   ``min_ratio`` × their own expected count since the onset; only the rising relatives are named and counted in.
   Alerts of one day that share a cluster are one alert: the strongest is kept.
6. One alert per episode: none if the cluster met the rules on any of the ``cooldown`` days before.

``score`` is ``-log10`` of the growth probability (capped at 300) times the number of organisation kinds carrying
it. Only days up to ``as_of`` are read, so a replay gives the same alerts. Nothing is raised before the system
has ``min_history`` days of signals behind the tested days (the broad rule: ``history`` days), when every cluster is
new and its normal level unknown. The default is the whole ``history``: on the full-scale scenario a shorter
warm-up (28 days) raised two alerts in the first eleven weeks, on one-day bursts of quiet patterns whose normal
level had been learnt from eight and ten weeks (docs/benchmarks.md, "Emerging terms").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from matching.activity import Activity, ClusterActivity
from matching.baseline import Baseline, fit_baseline
from matching.detector import Alert, dutch_date, dutch_number
from matching.emerging import NEGLIGIBLE_EXPECTED
from matching.related import Related, combined, related_sentence
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
    broad: bool = False  # qualified by the rule for a young, broad rise (method step 4)
    related: tuple[tuple[int, float], ...] = ()  # counted together with these clusters (id, similarity)

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
    min_history: int = 84
    broad_rule: bool = True  # method step 4; the pipeline turns it off when emerging terms are on (see below)
    broad_min_count: int = 8
    broad_min_ratio: float = 3.0
    broad_alpha: float = 1e-6
    broad_max_expected: float = 0.5
    broad_min_organisations: int = 4
    cooldown: int = 7
    kind: str = "cross_org"
    reads_related: bool = True  # :class:`matching.detection.Detection` passes ``related`` to :meth:`detect`

    def growth(self, activity: Activity, cluster: ClusterActivity, day: date, *, broad: bool = True) -> Growth | None:
        """The cluster's growth on ``day`` if it passes the growth and breadth rules, else ``None``.

        ``broad``: also try the rule for a young, broad rise (method step 4).
        """
        if activity.index(day) < 0:
            return None
        baseline = fit_baseline(activity, cluster.counts, day, self.window, self.history)
        if not self._known_normal(activity, baseline.first, self.min_history):
            return None
        counted = self._best_suffix(baseline, self.min_count, self.min_ratio, self.alpha)
        if counted is not None:
            found = self._carried(activity, cluster, day, baseline, counted, thin=False)
            if found is not None:
                return found
        if not broad or not self.broad_rule or not self._known_normal(activity, baseline.first, self.history):
            return None
        thin = self._best_suffix(
            baseline, self.broad_min_count, self.broad_min_ratio, self.broad_alpha, self.broad_max_expected
        )
        if thin is None:
            return None
        return self._carried(activity, cluster, day, baseline, thin, thin=True)

    @staticmethod
    def _known_normal(activity: Activity, first: date, days: int) -> bool:
        """Whether the system saw signals on nearly all of the ``days`` days before ``first``.

        In the system's first weeks every cluster is new and its normal level learnt from almost nothing, so any
        topic seems to rise from nothing.
        """
        seen = activity.window(activity.total, first - timedelta(days=1), days)
        return bool((seen > 0).mean() >= 0.9)

    def _best_suffix(
        self, baseline: Baseline, min_count: int, min_ratio: float, alpha: float, max_expected: float = math.inf
    ) -> tuple[float, int] | None:
        """(probability, start) of the most surprising window suffix passing the count and ratio rules."""
        best: tuple[float, int] | None = None
        for start in range(self.window):
            observed = int(baseline.observed[start:].sum())
            expected = float(baseline.expected[start:].sum())
            if observed < min_count or observed < min_ratio * expected or expected > max_expected:
                continue
            p_value = baseline.tail_of_sum([i >= start for i in range(self.window)])
            if best is None or p_value < best[0]:
                best = (p_value, start)
        return best if best is not None and best[0] < alpha else None

    def _carried(
        self,
        activity: Activity,
        cluster: ClusterActivity,
        day: date,
        baseline: Baseline,
        best: tuple[float, int],
        *,
        thin: bool,
    ) -> Growth | None:
        """The growth of suffix ``best`` if enough organisations carry it (method steps 3 and 4)."""
        p_value, start = best
        onset = baseline.day(start)
        scope = surge_scope(activity, cluster, onset, day, self.history, thin=thin)
        organisations, kinds = len(scope.organisations), len(scope.kinds)
        needed = self.broad_min_organisations if thin else self.min_organisations
        if organisations < needed and not (organisations >= max(needed - 1, 2) and kinds >= 2):
            return None
        if scope.level == "lokaal":
            return None  # several organisations about one municipality: a local matter, for the emerging detector
        observed = int(baseline.observed[start:].sum())
        return Growth(onset, observed, float(baseline.expected[start:].sum()), p_value, scope, broad=thin)

    def growth_with(
        self, activity: Activity, cluster: ClusterActivity, day: date, related: Related | None = None
    ) -> Growth | None:
        """:meth:`growth` of the cluster alone, else of the cluster counted with its related clusters.

        A cluster with relatives is judged by the rule for a young, broad rise only together with them: a young
        cluster that merely gathered leftovers of an older topic has no history of its own, and would seem to
        rise from nothing, while the topic it belongs to does not rise at all.
        """
        others = tuple((c, s) for c, s in (related or {}).get(cluster.cluster_id, ()) if c in activity.clusters)
        alone = self.growth(activity, cluster, day, broad=not others)
        if alone is not None or not others:
            return alone
        together = self.growth(activity, combined(activity, cluster, [c for c, _ in others]), day)
        if together is None:
            return None
        # A split rise: the cluster itself and at least one relative each rise. When one of them carries it all,
        # that one is judged on its own, and the others' ordinary signals must not be counted in its alert.
        rising = [c for c, _ in others if self._rises(activity, activity.clusters[c], together.onset, day)]
        if not rising or not self._rises(activity, cluster, together.onset, day):
            return None
        if len(rising) < len(others):
            together = self.growth(activity, combined(activity, cluster, rising), day)
            if together is None:
                return None
        return replace(together, related=tuple((c, s) for c, s in others if c in rising))

    def _rises(self, activity: Activity, cluster: ClusterActivity, onset: date, day: date) -> bool:
        """Whether ``cluster`` on its own holds at least two signals and ``min_ratio`` × expected since ``onset``."""
        baseline = fit_baseline(activity, cluster.counts, day, self.window, self.history)
        start = (onset - baseline.first).days
        observed = int(baseline.observed[start:].sum())
        return observed >= 2 and observed >= self.min_ratio * float(baseline.expected[start:].sum())

    def detect(self, activity: Activity, as_of: date, related: Related | None = None) -> list[Alert]:
        """Alerts for clusters whose cross-organisation growth starts to qualify on ``as_of``.

        ``related``: cluster id → related clusters (:func:`matching.related.related_clusters`), or ``None``.
        """
        found: list[tuple[ClusterActivity, Growth]] = []
        for cluster in activity.clusters.values():
            relatives = [c for c, _ in related.get(cluster.cluster_id, ())] if related else []
            recent = sum(
                int(activity.window(activity.clusters[c].counts, as_of, self.window).sum())
                for c in (cluster.cluster_id, *relatives)
                if c in activity.clusters
            )
            if recent < min(self.min_count, self.broad_min_count):
                continue  # too few signals for either rule, even counted with the related clusters
            growth = self.growth_with(activity, cluster, as_of, related)
            if growth is None:
                continue
            earlier = (as_of - timedelta(days=k) for k in range(1, self.cooldown + 1))
            if any(self.growth_with(activity, cluster, day, related) is not None for day in earlier):
                continue
            found.append((cluster, growth))
        alerts: list[Alert] = []
        taken: set[int] = set()
        # Strongest first; a weaker alert that shares a cluster with a stronger one of the same day is the same rise.
        for cluster, growth in sorted(found, key=lambda item: (item[1].p_value, item[0].cluster_id)):
            involved = {cluster.cluster_id, *(c for c, _ in growth.related)}
            if involved & taken:
                continue
            taken |= involved
            alerts.append(self._alert(cluster, as_of, growth))
        return sorted(alerts, key=lambda a: a.cluster_id)

    def _alert(self, cluster: ClusterActivity, as_of: date, growth: Growth) -> Alert:
        scope = growth.scope
        surprise = min(300.0, -math.log10(max(growth.p_value, 1e-300)))
        if growth.expected < NEGLIGIBLE_EXPECTED:
            # A ratio over next to nothing ("801,5× ... 0,0 verwacht") measures the divisor, not the rise.
            explanation = (
                f"{scope.describe()}; sterk gestegen sinds {dutch_date(growth.onset)} "
                f"({growth.observed} signalen waar vrijwel geen verwacht werden)."
            )
        else:
            explanation = (
                f"{scope.describe()}; {dutch_number(growth.ratio)}× het normale niveau sinds "
                f"{dutch_date(growth.onset)} ({growth.observed} signalen, {dutch_number(growth.expected)} verwacht)."
            )
        if growth.broad:
            explanation += " Nog klein, maar breed gedragen: verspreid over meerdere organisaties tegelijk."
        explanation += related_sentence(growth.related, cluster.cluster_id)
        explanation += f" Reikwijdte: {scope.level}."
        details: dict[str, Any] = {
            "onset": growth.onset.isoformat(),
            "observed": growth.observed,
            "expected": round(growth.expected, 2),
            "ratio": round(growth.ratio, 3),
            "p_value": growth.p_value,
            "rule": "breed" if growth.broad else "aantal",
            "related_clusters": [c for c, _ in growth.related],
            "scope": scope.level,
            "organisations": list(scope.organisations),
            "organisation_kinds": dict(scope.kinds),
            "provinces": list(scope.provinces),
            "municipalities": list(scope.municipalities),
        }
        return Alert(self.kind, cluster.cluster_id, as_of, surprise * max(len(scope.kinds), 1), explanation, details)
