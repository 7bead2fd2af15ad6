# SPDX-License-Identifier: EUPL-1.2
"""Runs the hub under uvicorn."""

from __future__ import annotations

import gc
from pathlib import Path

import uvicorn

from hub.app import create_app
from hub.settings import Settings

__all__ = ["GC_THRESHOLDS", "run", "tune_gc"]

#: The garbage collector's thresholds while serving (Python's default is 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Keep the cyclic garbage collector out of the ingest path once the app is built.

    A batch of 500 signals parses into some 15,000 dicts and lists that live until its request ends, and requests
    overlap. With the default thresholds the collector ran several times per batch and promoted those objects into
    the older generations, whose collections also walked the 80,000 objects made at start-up: 2.5 to 3 ms of every
    batch's time under the GIL (``bench/ingest.py`` over HTTP), against about 0.4 ms now. Objects made at start-up
    are frozen (never scanned again), and the youngest generation is collected after 50,000 new objects instead of
    700; reference counting still frees everything that is not in a cycle at once, so memory does not grow with it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run(
    *, data: Path, host: str, port: int, hub_id: str | None, kafka: str | None, matching: bool | None = None
) -> None:
    """Build the settings (unset options come from ``HARTSLAG_*``), the app, and serve until interrupted."""
    settings = Settings(data=data, host=host, port=port, kafka=kafka, hub_id=hub_id or "hartslag-hub")
    if matching is not None:
        settings = settings.model_copy(update={"matching": matching})
    app = create_app(settings)
    tune_gc()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
