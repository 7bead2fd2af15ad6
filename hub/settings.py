# SPDX-License-Identifier: EUPL-1.2
"""The hub's one settings object: command-line options and ``HARTSLAG_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the hub needs to start; unknown keys are refused."""

    model_config = SettingsConfigDict(env_prefix="HARTSLAG_", extra="forbid", frozen=True)

    data: Path = Field(description="Data folder: SQLite database, index and keys.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    hub_id: str = Field(default="hartslag-hub", min_length=1, max_length=100)
    kafka: str | None = Field(default=None, description="Kafka bootstrap server host:port; consume batches when set.")
