# SPDX-License-Identifier: EUPL-1.2
"""Per-agency rate limit on batches: a token bucket, refilled continuously, that names how long to wait."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow ``rate`` batches per second per agency with bursts up to ``burst``; thread-safe."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # agency -> (tokens, last refill)
        self._lock = threading.Lock()

    def acquire(self, agency: str) -> int:
        """Take one token: 0 when allowed, else the whole seconds to wait (for ``Retry-After``)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(agency, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[agency] = (tokens - 1.0, now)
                return 0
            self._buckets[agency] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
