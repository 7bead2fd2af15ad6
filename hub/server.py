# SPDX-License-Identifier: EUPL-1.2
"""Runs the hub under uvicorn."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from hub.app import create_app
from hub.settings import Settings

__all__ = ["run"]


def run(*, data: Path, host: str, port: int, hub_id: str | None, kafka: str | None) -> None:
    """Build the settings, the app, and serve until interrupted."""
    settings = Settings(data=data, host=host, port=port, kafka=kafka, hub_id=hub_id or "hartslag-hub")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
