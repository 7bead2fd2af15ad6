# SPDX-License-Identifier: EUPL-1.2
"""The seasonal baseline the burst detectors test against: what a cluster *normally* does on these days.

A cluster's expected count on day ``t`` is ``rate · weekday_factor[weekday(t)] · exposure[t]`` where

- ``exposure`` is the daily volume of all *other* signals (total minus the cluster itself). It carries the system's
  rhythm, so weekends, Christmas, King's Day and the summer dip cancel out without a holiday calendar; leaving the
  cluster out keeps its own burst from raising its own expectation.
- ``rate`` is the cluster's share of that exposure over a history window that ends before the tested days.
- ``weekday_factor`` is the cluster's own weekday profile relative to the system's, shrunk towards 1 with
  pseudo-counts so a quiet cluster does not get wild factors.

Counts are over-dispersed: day-to-day noise is multiplicative (a busy news day lifts every count by a share), so
tail probabilities come from a negative binomial with variance ``μ + a·μ²``, the over-dispersion ``a`` estimated by
moments on the history window (a Poisson when ``a = 0``). A sum over days keeps the same variance, so it is tested
with its own ``a_sum = a·Σμ²/(Σμ)²``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
from scipy import stats

from matching.activity import Activity, Counts

__all__ = ["Baseline", "FloatArray", "fit_baseline", "upper_tail"]

FloatArray = npt.NDArray[np.float64]
_PRIOR_SIGNALS = 0.5  # keeps a brand-new cluster's rate above zero, so its first signals are surprising, not infinite
_WEEKDAY_PSEUDO = 8.0  # signals' worth of shrinkage towards the system's weekday rhythm
_MAX_OVERDISPERSION = 2.0


def upper_tail(observed: float | FloatArray, expected: float | FloatArray, overdispersion: float) -> FloatArray:
    """``P(Y ≥ observed)`` for ``Y`` with mean ``expected`` and variance ``expected + overdispersion · expected²``."""
    obs = np.asarray(observed, dtype=np.float64)
    mu = np.maximum(np.asarray(expected, dtype=np.float64), 1e-9)
    if overdispersion <= 1e-9:
        return np.asarray(stats.poisson.sf(obs - 1, mu), dtype=np.float64)
    size = 1.0 / overdispersion
    return np.asarray(stats.nbinom.sf(obs - 1, size, size / (size + mu)), dtype=np.float64)


@dataclass(frozen=True)
class Baseline:
    """Expected counts for the tested days and the spread around them."""

    first: date
    expected: FloatArray
    observed: Counts
    overdispersion: float
    history_total: int

    def tail(self) -> FloatArray:
        """Per-day ``P(Y ≥ observed)``."""
        return upper_tail(self.observed.astype(np.float64), self.expected, self.overdispersion)

    def tail_of_sum(self, days: list[bool]) -> float:
        """``P(sum ≥ observed sum)`` over the tested days marked ``True``, with the sum's own over-dispersion."""
        mask = np.asarray(days, dtype=bool)
        mu = self.expected[mask]
        total = float(mu.sum())
        if total <= 0:
            return 1.0 if not self.observed[mask].sum() else 0.0
        a_sum = self.overdispersion * float((mu**2).sum()) / total**2
        return float(upper_tail(float(self.observed[mask].sum()), total, a_sum))

    def day(self, index: int) -> date:
        """The tested day at ``index``."""
        return self.first + timedelta(days=index)


def fit_baseline(
    activity: Activity,
    counts: Counts,
    last: date,
    length: int,
    history: int = 84,
    min_overdispersion: float = 0.05,
) -> Baseline:
    """Baseline for the ``length`` days ending ``last``, learnt from the ``history`` days just before them.

    Only days up to ``last`` are read, so the answer for a day never changes when later signals arrive.
    """
    first = last - timedelta(days=length - 1)
    hist_last = first - timedelta(days=1)
    y_h = activity.window(counts, hist_last, history).astype(np.float64)
    e_h = np.maximum(activity.window(activity.total, hist_last, history) - y_h, 0.0)
    y_t = activity.window(counts, last, length)
    e_t = np.maximum(activity.window(activity.total, last, length) - y_t, 0.0)

    rate = (y_h.sum() + _PRIOR_SIGNALS) / max(e_h.sum(), 1.0)
    weekday_h = np.array([(hist_last - timedelta(days=history - 1 - i)).weekday() for i in range(history)])
    factors = np.ones(7)
    for wd in range(7):
        mask = weekday_h == wd
        expected_wd = rate * e_h[mask].sum()
        factors[wd] = (y_h[mask].sum() + _WEEKDAY_PSEUDO) / (expected_wd + _WEEKDAY_PSEUDO)

    mu_h = rate * factors[weekday_h] * e_h
    # Moment estimate of a: E[(y-μ)² - y] = a·μ². Near-empty days carry no information about it.
    active = mu_h > 0.5
    if active.sum() >= 7:
        excess = float(np.sum((y_h[active] - mu_h[active]) ** 2 - y_h[active]))
        overdispersion = excess / float(np.sum(mu_h[active] ** 2)) * active.sum() / (active.sum() - 1)
    else:
        overdispersion = 0.0
    # The floor keeps a lucky, calm history from making ordinary days look extreme; the second term is the
    # uncertainty of the weekday factor itself (relative variance ≈ 1/signals + a/weeks on that weekday).
    overdispersion = float(np.clip(overdispersion, min_overdispersion, _MAX_OVERDISPERSION))
    overdispersion += 7.0 / (y_h.sum() + 7.0 * _WEEKDAY_PSEUDO) + overdispersion * 7.0 / history

    weekday_t = np.array([(first + timedelta(days=i)).weekday() for i in range(length)])
    expected = rate * factors[weekday_t] * e_t
    return Baseline(first, expected, y_t, overdispersion, int(y_h.sum()))
