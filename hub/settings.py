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
    webhooks: bool = Field(default=True, description="Deliver matching's alerts to webhook subscriptions.")
    retention_interval: int = Field(
        default=0, ge=0, description="Seconds between retention runs while serving (86400: daily); 0: off."
    )
    disclosure_threshold: int = Field(
        default=10, ge=10, description="Smallest count shown; fewer signals are suppressed (never below 10)."
    )
    session_lifetime: int = Field(
        default=8 * 3600, ge=300, le=7 * 24 * 3600, description="Seconds a dashboard login lasts (absolute)."
    )
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL; accept its tokens when set.")
    oidc_audience: str | None = Field(default=None, description="Audience of the API's OIDC access tokens.")
    oidc_client_id: str | None = Field(default=None, description="The dashboard's client id at the OIDC issuer.")
    oidc_client_secret: SecretStr | None = Field(default=None, description="Client secret (public client if unset).")
    oidc_role_claim: str = Field(default="roles", description="Claim (dotted path) holding the Hartslag roles.")
    oidc_name_claim: str = Field(default="preferred_username", description="Claim with the user's name (else sub).")
    oidc_organisation_claim: str = Field(default="organisation", description="Claim with the organisation code.")
    oidc_scopes: str = Field(default="openid profile email", description="Scopes the dashboard login asks for.")
