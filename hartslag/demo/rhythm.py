# SPDX-License-Identifier: EUPL-1.2
"""Volumes over time: weekday rhythm per channel, public holidays, the Christmas and summer dips, times of day.

The expected count of an organisation on a day and channel is its base rate (an ordinary weekday's average) times
the channel's share times :func:`day_factor`. Counts are drawn over-dispersed: one gamma factor per organisation
and day (busy and quiet days hit every channel together) times Poisson noise.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

__all__ = [
    "HOUR_PROFILES",
    "ONLINE_CHANNELS",
    "day_factor",
    "day_noise",
    "easter",
    "holidays",
    "local_moment",
    "poisson",
]

#: Channels people use at any hour and on any day; the others follow office hours.
ONLINE_CHANNELS = frozenset({"app", "web_form"})
# Monday .. Sunday.
_WEEKDAY_OFFICE = (1.22, 1.1, 1.04, 1.0, 0.86, 0.16, 0.08)
_WEEKDAY_ONLINE = (1.12, 1.05, 1.0, 0.98, 0.93, 0.82, 0.86)
_WEEKDAY_SEMI = (1.15, 1.08, 1.02, 1.0, 0.9, 0.45, 0.4)  # e-mail, social media, chat: answered later, sent anytime
_SEMI = frozenset({"email", "social_media", "chat"})
_CLOSED_WEEKEND = frozenset({"counter", "letter", "professional_observation"})


def easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def holidays(year: int, country: str) -> dict[date, str]:
    """Public holidays of ``country`` ("NL" or "BE") in ``year``, with their Dutch names."""
    e = easter(year)
    days = {
        date(year, 1, 1): "nieuwjaar",
        e: "pasen",
        e + timedelta(days=1): "paasmaandag",
        e + timedelta(days=39): "hemelvaart",
        e + timedelta(days=49): "pinksteren",
        e + timedelta(days=50): "pinkstermaandag",
        date(year, 12, 25): "kerstmis",
    }
    if country == "NL":
        kings = date(year, 4, 27)
        days[kings - timedelta(days=1) if kings.weekday() == 6 else kings] = "koningsdag"
        days[e - timedelta(days=2)] = "goede vrijdag"
        days[date(year, 12, 26)] = "tweede kerstdag"
        if year % 5 == 0:
            days[date(year, 5, 5)] = "bevrijdingsdag"
    else:
        days.update({date(year, 5, 1): "dag van de arbeid", date(year, 7, 11): "Vlaamse feestdag",
                     date(year, 7, 21): "nationale feestdag", date(year, 8, 15): "O.L.V.-Hemelvaart",
                     date(year, 11, 1): "Allerheiligen", date(year, 11, 11): "wapenstilstand"})  # fmt: skip
    return days


def _summer(day: date, country: str) -> bool:
    if country == "BE":
        return day.month in (7, 8)
    return date(day.year, 7, 14) <= day <= date(day.year, 8, 31)


def day_factor(day: date, channel: str, country: str = "NL") -> float:
    """The expected volume on ``day`` through ``channel`` relative to an ordinary weekday's average."""
    weekday = day.weekday()
    if channel in ONLINE_CHANNELS:
        factor = _WEEKDAY_ONLINE[weekday]
    elif channel in _SEMI:
        factor = _WEEKDAY_SEMI[weekday]
    else:
        factor = _WEEKDAY_OFFICE[weekday]
        if weekday >= 5 and channel in _CLOSED_WEEKEND:
            factor = 0.02 if weekday == 5 else 0.0
    if day in holidays(day.year, country):
        factor *= 0.55 if channel in ONLINE_CHANNELS else 0.12 if channel in _SEMI else 0.03
    elif date(day.year, 12, 24) <= day or day <= date(day.year, 1, 2):
        factor *= 0.85 if channel in ONLINE_CHANNELS else 0.6
    if _summer(day, country):
        factor *= 0.74
    return factor


def day_noise(rng: random.Random, shape: float = 18.0) -> float:
    """A mean-one gamma factor: busy and quiet days (larger ``shape`` is calmer)."""
    return rng.gammavariate(shape, 1.0 / shape)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's product method for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# Relative weight of each hour 0..23.
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    "office": (0, 0, 0, 0, 0, 0, 0, 0.3, 4, 6, 6, 5, 3, 5, 5, 4, 3, 1, 0, 0, 0, 0, 0, 0),
    "counter": (0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 6, 6, 4, 5, 5, 4, 2, 0, 0, 0, 0, 0, 0, 0),
    "letter": (0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 6, 5, 2, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    "online": (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1.2, 2.5, 3.5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4.5, 5, 5, 4.5, 3, 2),
    "night": (4, 3, 1.5, 0.7, 0.2, 0.1, 0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 1, 1.3, 2, 3, 4.5, 5, 5),
    "survey": (0.3, 0.1, 0, 0, 0, 0.1, 0.4, 1.5, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 4, 2.5, 1),
}
_CHANNEL_PROFILE = {
    "phone": "office", "counter": "counter", "letter": "letter", "professional_observation": "office",
    "chat": "online", "email": "online", "web_form": "online", "app": "online", "social_media": "online",
    "customer_survey": "survey",
}  # fmt: skip
_NIGHT_CHANNELS = frozenset({"web_form", "app", "email", "social_media", "phone", "chat"})


def local_moment(
    rng: random.Random, day: date, channel: str, zone: ZoneInfo, *, night: bool = False, seconds: bool = True
) -> datetime:
    """A moment on ``day`` (local time in ``zone``) drawn from the channel's hours, or evening and night ones.

    ``night`` (noise, fireworks) moves online and phone signals to evening and night hours. Moments never fall in
    the hour that a change to or from summer time skips or repeats, so a naive local time in an export is exact.
    """
    profile = "night" if night and channel in _NIGHT_CHANNELS else _CHANNEL_PROFILE.get(channel, "online")
    hour = rng.choices(range(24), HOUR_PROFILES[profile])[0]
    minute, second = rng.randrange(60), rng.randrange(60) if seconds else 0
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
    if moment.utcoffset() != moment.replace(fold=1).utcoffset():  # skipped or repeated when the clocks change
        moment = moment.replace(hour=hour + 1)
    return moment
