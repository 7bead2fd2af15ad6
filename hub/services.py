# SPDX-License-Identifier: EUPL-1.2
"""The hub's services, built once per app from its settings (no import-time singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from governance.audit import AuditLog
from governance.hub_key import HubKey
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
    """Storage, registry, ingest path, event bus, rate limiter, metrics, audit log and hub key of one hub."""

    settings: Settings
    storage: Storage
    registry: Registry
    ingest: Ingest
    bus: EventBus
    limiter: RateLimiter
    metrics: Metrics
    audit: AuditLog
    hub_key: HubKey

    @classmethod
    def build(cls, settings: Settings) -> HubServices:
        """Open the storage and the audit log under ``settings.data`` and wire everything to them."""
        storage = open_storage(settings.data)
        audit = AuditLog.in_folder(settings.data)
        bus = EventBus()
        limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
        ingest = Ingest(storage, settings.hub_id, bus=bus, limiter=limiter, max_signals=settings.max_signals)
        hub_key = audit.hub_key()  # the one hub key: signs audit checkpoints and the local accounts' tokens
        return cls(settings, storage, Registry(storage, audit=audit), ingest, bus, limiter, Metrics(), audit, hub_key)

    def close(self) -> None:
        """Release the storage and the audit log."""
        self.storage.close()
        self.audit.close()
