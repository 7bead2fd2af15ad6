# SPDX-License-Identifier: EUPL-1.2
"""The patterns planted on top of the background, each a small process with its own curve over the days.

* ``lachgas`` (cross-organisation, national): a ban on nitrous oxide takes effect on a Monday around day 150; within
  days dumped cylinders are reported in every Dutch municipality, for weeks, and questions about fines reach the CJIB.
* ``terugvordering`` (cross-organisation, national): a Toeslagen mailing on a Monday around day 240 brings questions
  about a repayment letter to Toeslagen, to municipal counters and to debt counsellors, for about three weeks.
* ``festival`` (local): noise complaints around a festival weekend in one city only.
* seasonal: ``vuurwerk`` around New Year, ``bladeren-storm`` in autumn with one storm, ``studiefinanciering`` at
  DUO around the start of the academic year.

Each process only plants inside the generated period; a window that falls outside it plants nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from hartslag.demo.drafts import Draft, Drafter
from hartslag.demo.model import DemoPolicy
from hartslag.demo.organisations import PROFILES, Profile
from hartslag.demo.rhythm import day_factor

__all__ = ["LACHGAS_POLICY", "Plan", "plant_all"]

LACHGAS_POLICY = ("Verbod op lachgas", ("bwb:BWBR0001941",))
_BY_CODE = {p.code: p for p in PROFILES}
_MUNICIPALITIES = tuple(p for p in PROFILES if p.org.kind == "municipality")
_LOCAL = tuple(p for p in PROFILES if p.org.kind != "national_agency")
_COUNTERS = tuple(p for p in _MUNICIPALITIES if "toeslagen-vraag" in p.topics)
FESTIVAL_CITY = "GM0855"


@dataclass
class Plan:
    """A planted occurrence while it is drafted."""

    name: str
    kind: str
    onset: date
    end: date
    scope: str
    drafts: list[Draft] = field(default_factory=list)

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations that received its signals, in the demo's order."""
        codes = {d.profile.code for d in self.drafts}
        return tuple(p.code for p in PROFILES if p.code in codes)


class _Window:
    def __init__(self, start: date, days: int) -> None:
        self.start, self.stop = start, start + timedelta(days=days)

    def days(self, first: date, last: date) -> Iterator[date]:
        day = max(first, self.start)
        while day <= last and day < self.stop:
            yield day
            day += timedelta(days=1)

    def clip(self, first: date, last: date) -> tuple[date, date] | None:
        onset, end = max(first, self.start), min(last, self.stop - timedelta(days=1))
        return (onset, end) if onset <= end else None


def _monday(day: date) -> date:
    """``day`` when it is a Monday, else the Monday after it."""
    return day + timedelta(days=-day.weekday() % 7)


def _rhythm(profile: Profile, day: date) -> float:
    return sum(share * day_factor(day, c, profile.country) for c, share in profile.channels.items())


def _add(
    drafter: Drafter,
    plan: Plan,
    profile: Profile,
    day: date,
    topic: str,
    mean: float,
    *,
    variant: str | None = None,
    policy: float = 0.0,
    boost: Mapping[str, float] | None = None,
    rhythm: bool = True,
) -> None:
    """Draft the planted signals of one organisation on one day; ``policy``: share that cites the policy.

    ``rhythm`` scales ``mean`` by the organisation's weekday and holiday rhythm; off for what happens on holidays
    and weekends by nature (New Year's fireworks, a festival weekend).
    """
    for _ in range(drafter.count(mean * (_rhythm(profile, day) if rhythm else 1.0))):
        draft = drafter.draft(profile, day, topic, variant=variant, planted=plan.name, boost=boost)
        if draft is None:
            continue
        if policy:  # professionals cite the rule they enforce more often than citizens do
            draft.policy = drafter.rng.random() < (0.4 if draft.kind == "professional_signal" else policy)
        plan.drafts.append(draft)


def _lachgas(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    onset = _monday(window.start + timedelta(days=148))  # a rule takes effect on a working day
    span = window.clip(onset, onset + timedelta(days=83))
    if span is None or span[0] != onset:
        return []
    policies.append(DemoPolicy(LACHGAS_POLICY[0], onset, LACHGAS_POLICY[1]))
    plan = Plan("lachgas", "cross_org", onset, span[1], "landelijk")

    def curve(k: int) -> float:
        return 0.0 if k < 0 else (0.45, 0.8)[k] if k < 2 else 1.0 if k <= 35 else 0.5 ** ((k - 35) / 14)

    for day in window.days(*span):
        k = (day - onset).days
        for profile in _MUNICIPALITIES:
            _add(drafter, plan, profile, day, "lachgas", (0.12 * profile.rate + 0.45) * curve(k), variant="verbod",
                 policy=0.1)  # fmt: skip
        _add(drafter, plan, _BY_CODE["CJIB"], day, "lachgasboete", 1.6 * curve(k - 10), policy=0.35)
    return [plan]


def _terugvordering(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    mailing = _monday(window.start + timedelta(days=238))  # letters go out on Monday, land from Tuesday on
    span = window.clip(mailing + timedelta(days=1), mailing + timedelta(days=24))
    if span is None:
        return []
    plan = Plan("terugvordering", "cross_org", span[0], span[1], "landelijk")

    def curve(k: int, half_life: float = 5.0) -> float:
        if k < 1 or k > 21:
            return 0.0
        return (0.5, 1.0, 1.0, 0.85)[k - 1] if k <= 4 else 0.85 * 0.5 ** ((k - 4) / half_life)

    toeslagen = _BY_CODE["BD-TOESLAGEN"]
    for day in window.days(*span):
        k = (day - mailing).days
        _add(drafter, plan, toeslagen, day, "terugvordering", 2.2 * toeslagen.rate * curve(k), variant="mailing")
        for profile in _COUNTERS:
            _add(drafter, plan, profile, day, "toeslagen-vraag", (0.3 * profile.rate + 0.8) * curve(k),
                 variant="brief", boost={"counter": 4.0})  # fmt: skip
            _add(drafter, plan, profile, day, "schuldhulp", (0.1 * profile.rate + 0.4) * curve(k - 3, 8.0),
                 variant="toeslagen", boost={"professional_observation": 6.0})  # fmt: skip
    return [plan] if plan.drafts else []


def _festival(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    first = window.start + timedelta(days=165)
    friday = first + timedelta(days=(4 - first.weekday()) % 7)
    span = window.clip(friday, friday + timedelta(days=3))
    if span is None or span != (friday, friday + timedelta(days=3)):
        return []
    plan = Plan("festival", "local", friday, span[1], "lokaal")
    city = _BY_CODE[FESTIVAL_CITY]
    for day, mean in zip(window.days(*span), (30.0, 50.0, 36.0, 6.0), strict=True):
        _add(drafter, plan, city, day, "evenement-geluid", mean, variant="festival", rhythm=False)
    return [plan]


def _vuurwerk(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    curve = (0.15, 0.25, 0.4, 0.55, 0.8, 1.0, 1.3, 0.6, 0.3, 0.15)  # 26 December .. 4 January
    plans = []
    for year in range(window.start.year, window.stop.year + 2):
        first = date(year - 1, 12, 26)
        span = window.clip(first, first + timedelta(days=9))
        if span is None:
            continue
        plan = Plan("vuurwerk", "seasonal", span[0], span[1], "")
        for day in window.days(*span):
            k = (day - first).days
            for profile in _LOCAL:
                variant = "oud" if k < 6 or (k == 6 and drafter.rng.random() < 0.4) else "nieuw"
                mean = (0.8 * profile.rate + 1.0) * curve[k]
                _add(drafter, plan, profile, day, "vuurwerk", mean, variant=variant, rhythm=False)
        plans.append(plan)
    return plans


def _bladeren_storm(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    plans = []
    for year in range(window.start.year, window.stop.year + 1):
        first, last = date(year, 10, 1), date(year, 11, 30)
        span = window.clip(first, last)
        if span is None:
            continue
        plan = Plan("bladeren-storm", "seasonal", span[0], span[1], "")
        storm = date(year, 10, 20) + timedelta(days=drafter.rng.randrange(31))
        for day in window.days(*span):
            leaves = math.sin(math.pi * ((day - first).days + 0.5) / 61) ** 1.5
            gust = {0: 1.0, 1: 0.5, 2: 0.15}.get((day - storm).days, 0.0)
            for profile in _LOCAL:
                _add(drafter, plan, profile, day, "bladeren", (0.08 * profile.rate + 0.15) * leaves)
                if gust:
                    _add(drafter, plan, profile, day, "storm", (0.6 * profile.rate + 1.0) * gust)
        plans.append(plan)
    return plans


def _studiefinanciering(drafter: Drafter, window: _Window, policies: list[DemoPolicy]) -> list[Plan]:
    plans, duo = [], _BY_CODE["DUO"]
    for year in range(window.start.year, window.stop.year + 1):
        first, peak, last = date(year, 8, 18), date(year, 9, 1), date(year, 9, 30)
        span = window.clip(first, last)
        if span is None:
            continue
        plan = Plan("studiefinanciering", "seasonal", span[0], span[1], "")
        for day in window.days(*span):
            # rising for two weeks to the start of the academic year, then fading (half of it every eight days)
            level = 0.25 + 0.75 * (day - first).days / 14 if day <= peak else 0.5 ** ((day - peak).days / 8)
            _add(drafter, plan, duo, day, "studiefinanciering", 1.3 * duo.rate * level, variant="start")
        plans.append(plan)
    return plans


_PROCESSES: Mapping[str, Callable[[Drafter, _Window, list[DemoPolicy]], list[Plan]]] = {
    "lachgas": _lachgas,
    "terugvordering": _terugvordering,
    "festival": _festival,
    "vuurwerk": _vuurwerk,
    "bladeren-storm": _bladeren_storm,
    "studiefinanciering": _studiefinanciering,
}


def plant_all(drafter: Drafter, start: date, days: int) -> tuple[list[Plan], list[DemoPolicy]]:
    """Every planted occurrence inside the period, and the policies that go with them."""
    window, plans, policies = _Window(start, days), list[Plan](), list[DemoPolicy]()
    for process in _PROCESSES.values():
        plans.extend(p for p in process(drafter, window, policies) if p.drafts)
    return plans, policies
