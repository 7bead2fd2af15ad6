# SPDX-License-Identifier: EUPL-1.2
"""Keeps the read model's releases warm, so an analyst's first page after start-up or a matching run is fast.

Protecting a pattern's counts (:mod:`hub.disclosure`) costs up to a few hundred milliseconds per changed pattern;
hundreds of patterns change in one matching run. Without this, the first request after a run pays for all of them
(measured: 6 s for 400 patterns). The warmer does that work in the background instead: once at start-up and after
each matching run that stored something, at most once per ``min_interval`` seconds, on one low-priority thread.
"""

from __future__ import annotations

import logging
import threading
import time

from hub.services import HubServices

__all__ = ["ReleaseWarmer"]

log = logging.getLogger("hartslag.hub.warmup")


class ReleaseWarmer:
    """A background thread that builds the listed patterns' releases whenever :meth:`poke` says they changed."""

    def __init__(self, services: HubServices, *, min_interval: float = 30.0) -> None:
        self.services = services
        self.min_interval = min_interval
        self.warmed = 0
        self._poked = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        """Note that patterns or volumes changed (thread-safe, cheap; called by the matching worker)."""
        self._poked.set()

    def start(self) -> None:
        """Start the thread and warm once now."""
        self._poked.set()
        self._thread = threading.Thread(target=self._loop, name="hartslag-warmup", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the warm-up in hand."""
        self._stop.set()
        self._poked.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        from hub.insight_models import Filters

        while not self._stop.is_set():
            self._poked.wait()
            if self._stop.is_set():
                return
            self._poked.clear()
            started = time.monotonic()
            try:
                insights = self.services.insights
                # Only the patterns: the national volume is one release, cheap to build when first asked, and
                # building it here would hold its at-most-every-30-s refresh against the first request.
                listed = len(insights.summaries(Filters()))
                self.warmed += 1
                log.info(
                    "releases warmed", extra={"patterns": listed, "ms": round(1000 * (time.monotonic() - started))}
                )
            except Exception as exc:  # a warm-up is an optimisation: the request path computes the same on demand
                log.warning("warming the releases failed", extra={"error": type(exc).__name__})
            # Runs come in bursts while a backlog is processed: warm at most once per interval.
            self._stop.wait(self.min_interval)
