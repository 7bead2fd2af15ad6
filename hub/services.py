# SPDX-License-Identifier: EUPL-1.2
"""The hub's services, built once per app from its settings (no import-time singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.bus import EventBus
from hub.ingest import Ingest
from hub.metrics import Metrics
from hub.ratelimit import RateLimiter
from hub.registry import Registry
from hub.settings import Settings
from hub.storage import Storage, open_storage

__all__ = ["HubServices"]


@dataclass
class HubServices:
    """Storage, registry, ingest path, event bus, rate limiter and metrics of one hub."""

    settings: Settings
    storage: Storage
    registry: Registry
    ingest: Ingest
    bus: EventBus
    limiter: RateLimiter
    metrics: Metrics

    @classmethod
    def build(cls, settings: Settings) -> HubServices:
        """Open the storage under ``settings.data`` and wire everything to it."""
        storage = open_storage(settings.data)
        bus = EventBus()
        limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
        ingest = Ingest(storage, settings.hub_id, bus=bus, limiter=limiter, max_signals=settings.max_signals)
        return cls(settings, storage, Registry(storage), ingest, bus, limiter, Metrics())

    def close(self) -> None:
        """Release the storage."""
        self.storage.close()
