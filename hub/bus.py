# SPDX-License-Identifier: EUPL-1.2
"""The hub's internal domain-event bus (in-process in the embedded default).

Events are named by verb (``signal_received``, ``key_revoked``, ``pattern_detected``). Subscribers run after the
storing transaction committed, so a consumer never sees an event for something that was not stored. A subscriber's
failure is logged by type and does not undo the ingest: consumers (such as the matching worker) catch up from storage.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["DomainEvent", "EventBus"]

log = logging.getLogger("hartslag.hub.bus")


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in the hub: a verb-named ``name``, when, and ids (never signal text)."""

    name: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[DomainEvent], None]


class EventBus:
    """Publish/subscribe by event name; thread-safe."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, name: str, handler: Handler) -> None:
        """Call ``handler`` for every event called ``name``."""
        with self._lock:
            self._handlers[name].append(handler)

    def has_subscribers(self, name: str) -> bool:
        """Whether anyone listens to ``name`` (publishers skip building events nobody receives)."""
        with self._lock:
            return bool(self._handlers.get(name))

    def publish(self, event: DomainEvent) -> None:
        """Deliver ``event`` to its subscribers, in the order they subscribed."""
        with self._lock:
            handlers = list(self._handlers.get(event.name, ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:  # a consumer's bug must not fail the agency's delivery
                log.error("event handler failed", extra={"event": event.name, "error": type(exc).__name__})
