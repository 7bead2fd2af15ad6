# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import pytest

from hub.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_wait_then_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.acquire("UWV") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("UWV") == 1  # half a second to the next token, rounded up
    assert limiter.acquire("DUO") == 0  # buckets are per agency
    clock.now += 0.5
    assert limiter.acquire("UWV") == 0


def test_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate=0, burst=1)
