# SPDX-License-Identifier: EUPL-1.2
"""The hub's one settings object: command-line options and ``HARTSLAG_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the hub needs to start; unknown keys are refused."""

    model_config = SettingsConfigDict(env_prefix="HARTSLAG_", extra="forbid", frozen=True)

    data: Path = Field(description="Data folder: SQLite database, index and keys.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    hub_id: str = Field(default="hartslag-hub", min_length=1, max_length=100, description="The batches' audience.")
    kafka: str | None = Field(default=None, description="Kafka bootstrap server host:port; consume batches when set.")
    kafka_group: str = Field(default="hartslag-hub", description="Consumer group of the hub's Kafka intake.")
    admin_token: SecretStr | None = Field(default=None, description="Bearer token of the admin API (beheer).")
    max_body_bytes: int = Field(default=24 * 1024 * 1024, ge=1024, description="Largest accepted request body.")
    max_signals: int = Field(default=1000, ge=1, le=1000, description="Most signals in one batch.")
    rate_per_second: float = Field(default=50.0, gt=0, description="Batches per second per agency (sustained).")
    rate_burst: int = Field(default=100, ge=1, description="Batches an agency may send in a burst.")
    log_json: bool = Field(default=True, description="Structured JSON logs (no signal text ever).")
    matching: bool = Field(default=False, description="Run the matching worker in the hub (needs hartslag[matching]).")
    matching_config: Path | None = Field(default=None, description="Matching settings (TOML); defaults when unset.")
