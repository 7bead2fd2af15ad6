# SPDX-License-Identifier: EUPL-1.2
"""``create_app(settings)``: builds the hub's FastAPI application; nothing is created at import time."""

from __future__ import annotations

from fastapi import FastAPI

from hub.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings) -> FastAPI:
    """The hub's application for ``settings``: routes, storage and services are wired here."""
    settings.data.mkdir(parents=True, exist_ok=True)
    app = FastAPI(
        title="Hartslag hub",
        version="1",
        description="Signal exchange hub of the Hartslag standard.",
    )
    app.state.settings = settings

    @app.get("/health", tags=["beheer"])
    def health() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    return app
