# SPDX-License-Identifier: EUPL-1.2
"""Shared helpers for the demo-generator tests: day counts, the planted signals, a pass-through anonymiser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from hartslag.demo import Scenario, generate

__all__ = ["PassThrough", "Signal", "daily", "day_of", "planted_ids", "year"]

Signal = dict[str, Any]


@cache
def year(scale: float = 0.2, seed: int = 7) -> Scenario:
    """The default year at a test scale, generated once per test run."""
    return generate(seed=seed, scale=scale)


def day_of(signal: Signal) -> date:
    """The local calendar day a signal was observed on."""
    return date.fromisoformat(signal["observed_at"][:10])


def daily(signals: Iterable[Signal], where: Callable[[Signal], bool] = lambda s: True) -> Counter[date]:
    """How many of ``signals`` matching ``where`` fall on each day."""
    return Counter(day_of(s) for s in signals if where(s))


def planted_ids(scenario: Scenario) -> frozenset[str]:
    """The ids of every planted signal of the scenario."""
    return frozenset().union(*(p.signal_ids for p in scenario.planted))


@dataclass(frozen=True)
class _Result:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


class PassThrough:
    """An anonymiser that changes nothing, to compare read-back texts with the scenario's own."""

    name = "pass-through"
    version = "0.0.0"

    def scrub(self, text: str) -> _Result:
        """``text`` as it is."""
        return _Result(text)
