# SPDX-License-Identifier: EUPL-1.2
"""Synthetic event streams for the detector tests: a system with weekday rhythm, holidays, summer and noise.

Counts are drawn, never hand-written: the system's unclustered volume and every cluster follow the same calendar
(weekday factors, Dutch public holidays, the Christmas weeks and the summer holiday), each cluster with its own
level, a mild weekday profile of its own, a slow drift and gamma-Poisson (over-dispersed) daily noise, spread over
its organisations by fixed shares. Surges are planted on top as extra signals for chosen organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from matching.activity import Activity, ActivityBuilder

__all__ = ["ORGS", "Org", "Surge", "SyntheticSystem", "calendar_factor"]

_WEEKDAY = np.array([1.15, 1.1, 1.05, 1.0, 0.9, 0.35, 0.25])
_HOLIDAYS_2024 = {date(2024, 1, 1), date(2024, 4, 1), date(2024, 4, 27), date(2024, 5, 9), date(2024, 5, 20)}


@dataclass(frozen=True)
class Org:
    """A synthetic organisation: code, kind, municipality and province (``None`` for national agencies)."""

    code: str
    kind: str
    municipality: str | None
    province: str | None


ORGS = (
    Org("GM0363", "municipality", "GM0363", "PV27"),
    Org("GM0518", "municipality", "GM0518", "PV28"),
    Org("GM0599", "municipality", "GM0599", "PV28"),
    Org("GM0344", "municipality", "GM0344", "PV26"),
    Org("GM0193", "municipality", "GM0193", "PV23"),
    Org("GM0855", "municipality", "GM0855", "PV30"),
    Org("UWV", "national_agency", None, None),
    Org("BD-TOESLAGEN", "national_agency", None, None),
)


def calendar_factor(day: date) -> float:
    """The system's expected volume on ``day`` relative to an ordinary Monday-to-Friday average."""
    factor = float(_WEEKDAY[day.weekday()])
    if day in _HOLIDAYS_2024 or (day.month == 12 and day.day in (25, 26)):
        factor *= 0.3
    if (day.month == 12 and day.day >= 21) or (day.month == 1 and day.day <= 5):
        factor *= 0.5  # Christmas weeks
    if date(day.year, 7, 13) <= day <= date(day.year, 8, 25):
        factor *= 0.65  # summer holiday
    return factor


@dataclass(frozen=True)
class Surge:
    """Extra signals: ``extra`` times the cluster's normal level per organisation, from ``start`` for ``days``."""

    cluster_id: int
    start: date
    days: int
    extra: float
    organisations: tuple[str, ...]


@dataclass
class SyntheticSystem:
    """A seeded system of ``clusters`` clusters between ``first`` and ``last``."""

    first: date = date(2023, 10, 2)
    last: date = date(2024, 12, 31)
    clusters: int = 6
    seed: int = 7
    background: float = 300.0
    levels: tuple[float, ...] = (3.0, 6.0, 12.0, 25.0)
    noise_shape: float = 15.0
    surges: list[Surge] = field(default_factory=list)
    level_shift: tuple[int, date, float] | None = None  # (cluster, from day, multiplier) for the policy tests

    @property
    def days(self) -> list[date]:
        """Every day of the stream."""
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def level(self, cluster_id: int) -> float:
        """The cluster's ordinary weekday level."""
        return self.levels[cluster_id % len(self.levels)]

    def builder(self) -> ActivityBuilder:
        """All counts of the stream, planted surges included, in a fresh builder."""
        rng = np.random.default_rng(self.seed)
        days = self.days
        base = np.array([calendar_factor(day) for day in days])
        builder = ActivityBuilder()
        for i, day in enumerate(days):
            builder.add_count(day, int(rng.poisson(self.background * base[i])), organisation="CJIB")
        for cid in range(self.clusters):
            shares = rng.dirichlet(np.full(len(ORGS), 2.0))
            own_week = rng.uniform(0.85, 1.15, 7)
            drift = 1.0 + rng.uniform(-0.2, 0.2) * np.linspace(0.0, 1.0, len(days))
            mean = self.level(cid) * base * own_week[[d.weekday() for d in days]] * drift
            if self.level_shift is not None and self.level_shift[0] == cid:
                mean = mean * np.where([d >= self.level_shift[1] for d in days], self.level_shift[2], 1.0)
            daily = rng.poisson(mean * rng.gamma(self.noise_shape, 1.0 / self.noise_shape, len(days)))
            for i, day in enumerate(days):
                for org, n in zip(ORGS, rng.multinomial(daily[i], shares), strict=True):
                    self._add(builder, day, int(n), cid, org)
        for surge in self.surges:
            for k in range(surge.days):
                day = surge.start + timedelta(days=k)
                lam = surge.extra * self.level(surge.cluster_id) * calendar_factor(day) / len(surge.organisations)
                for code in surge.organisations:
                    org = next(o for o in ORGS if o.code == code)
                    self._add(builder, day, int(rng.poisson(lam)), surge.cluster_id, org)
        return builder

    def activity(self, last: date | None = None) -> Activity:
        """The stream's activity, optionally cut after ``last`` (as if living through it on that day)."""
        return self.builder().build(self.first, last or self.last)

    @staticmethod
    def _add(builder: ActivityBuilder, day: date, n: int, cid: int, org: Org) -> None:
        builder.add_count(
            day,
            n,
            cluster_id=cid,
            organisation=org.code,
            organisation_kind=org.kind,
            municipality=org.municipality,
            province=org.province,
            themes=("overlast",) if cid % 2 else ("werk-en-inkomen",),
        )
