# SPDX-License-Identifier: EUPL-1.2
"""Calendars and clocks: Easter, public holidays, weekday rhythm, summer, Poisson counts, local moments."""

from __future__ import annotations

import random
from datetime import date
from statistics import mean
from zoneinfo import ZoneInfo

from hartslag.demo.rhythm import day_factor, easter, holidays, local_moment, poisson

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_easter_and_the_dutch_and_belgian_holidays() -> None:
    assert [easter(y) for y in (2024, 2025, 2026)] == [date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5)]
    dutch = holidays(2025, "NL")
    assert dutch[date(2025, 4, 26)] == "koningsdag"  # 27 April 2025 is a Sunday
    assert {"nieuwjaar", "pasen", "hemelvaart", "pinksteren", "kerstmis", "tweede kerstdag"} <= set(dutch.values())
    assert date(2025, 5, 29) in dutch and date(2025, 6, 9) in dutch
    belgian = holidays(2025, "BE")
    assert date(2025, 7, 21) in belgian and date(2025, 4, 26) not in belgian


def test_weekends_holidays_and_summer_lower_the_volume() -> None:
    monday, saturday = date(2025, 3, 10), date(2025, 3, 15)
    assert day_factor(saturday, "phone") < 0.2 * day_factor(monday, "phone")
    assert day_factor(saturday, "app") > 0.7 * day_factor(monday, "app")
    assert day_factor(saturday, "counter") < 0.05 and day_factor(date(2025, 3, 16), "counter") == 0.0
    assert day_factor(date(2025, 4, 21), "phone") < 0.1 * day_factor(date(2025, 4, 14), "phone")
    assert day_factor(date(2025, 8, 4), "web_form") < day_factor(date(2025, 9, 8), "web_form")


def test_poisson_draws_have_the_asked_mean() -> None:
    rng = random.Random(0)
    for lam in (0.3, 4.0, 80.0):
        assert abs(mean(poisson(rng, lam) for _ in range(4000)) - lam) < 0.06 * lam + 0.05
    assert poisson(rng, 0) == 0


def test_local_moments_follow_the_channel_and_never_fall_when_the_clock_jumps() -> None:
    rng = random.Random(1)
    counter = [local_moment(rng, date(2025, 3, 12), "counter", AMSTERDAM) for _ in range(300)]
    assert all(8 <= m.hour <= 16 for m in counter)
    night = [local_moment(rng, date(2025, 6, 14), "app", AMSTERDAM, night=True) for _ in range(300)]
    assert mean(m.hour >= 20 or m.hour <= 2 for m in night) > 0.5
    for day in (date(2025, 3, 30), date(2025, 10, 26)):
        for _ in range(500):
            moment = local_moment(rng, day, "app", AMSTERDAM, seconds=False)
            assert moment.utcoffset() == moment.replace(fold=1).utcoffset()
            assert moment.second == 0 and moment.date() == day
