# SPDX-License-Identifier: EUPL-1.2
"""The matching worker of the embedded default: wakes on ``signal_received`` and runs matching in the background.

The bus only wakes the worker; what to process comes from storage (everything after the matching state's
watermark), so an event lost in a crash costs nothing: the next run catches up. The engine's event-time clock is
the scheduler: re-clustering and detection happen when the signals' own time passes a boundary, not on a timer.
The index is saved after each run that did work. One thread owns the engine; nothing else touches it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hub.bus import DomainEvent, EventBus
from hub.matching_source import HubSignalSource
from hub.storage import Storage

if TYPE_CHECKING:
    from matching.engine import MatchingEngine
    from matching.pipeline import MatchingConfig

__all__ = ["MatchingWorker"]

log = logging.getLogger("hartslag.hub.matching")


class MatchingWorker:
    """Runs :class:`matching.engine.MatchingEngine` over the hub's storage whenever signals were stored."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        folder: Path,
        *,
        config: MatchingConfig | None = None,
        batch_size: int = 2000,
        idle_seconds: float = 30.0,
        on_run: Callable[[], None] | None = None,
    ) -> None:
        self.storage = storage
        self.folder = folder
        self.config = config
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.on_run = on_run
        self.runs = 0
        self.failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._engine: MatchingEngine | None = None
        bus.subscribe("signal_received", self._on_signal)

    def _on_signal(self, _: DomainEvent) -> None:
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        """Start the worker thread (it first catches up with what was stored before)."""
        self._wake.set()
        self._thread = threading.Thread(target=self._loop, name="hartslag-matching", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to stop after the batch in hand, and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Block until the worker has processed everything it was woken for (for tests and the demo)."""
        return self._idle.wait(timeout)

    @property
    def watermark(self) -> int:
        """The last sequence number matching has processed (0 before the engine exists)."""
        engine = self._engine
        return engine.state.watermark if engine is not None else 0

    def _loop(self) -> None:
        from matching.pipeline import INDEX_FILENAME, MatchingConfig, build_engine

        engine = self._engine = build_engine(self.config or MatchingConfig(), self.folder)
        source = HubSignalSource(self.storage)
        try:
            while not self._stop.is_set():
                self._wake.wait(self.idle_seconds)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    report = engine.run(source, batch_size=self.batch_size)
                    if report.processed:
                        engine.save_index(self.folder / INDEX_FILENAME)
                        if self.on_run is not None:
                            self.on_run()  # e.g. the read model's warmer: patterns changed
                        log.info(
                            "matching run",
                            extra={
                                "processed": report.processed,
                                "alerts": report.alerts,
                                "clusters_created": report.created,
                            },
                        )
                    self.runs += 1
                except Exception as exc:  # keep the hub up; the next wake retries from the watermark
                    self.failures += 1
                    log.error("matching run failed", extra={"error": type(exc).__name__})
                if not self._wake.is_set():
                    self._idle.set()
        finally:
            engine.state.close()
