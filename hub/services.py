# SPDX-License-Identifier: EUPL-1.2
"""The hub's services, built once per app from its settings (no import-time singletons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from governance.audit import AuditLog
from governance.hub_key import HubKey
from hub.bus import EventBus
from hub.ingest import Ingest
from hub.metrics import Metrics
from hub.ratelimit import RateLimiter
from hub.registry import Registry
from hub.settings import Settings
from hub.storage import Storage, open_storage

if TYPE_CHECKING:
    from governance.schema_catalog import CatalogFollower, SchemaCatalog
    from governance.schema_registry import SchemaRegistry
    from hub.accounts import Accounts
    from hub.insights import Insights
    from hub.oidc import OidcProvider
    from hub.sessions import SessionStore

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
    _insights: Insights | None = None
    _accounts: Accounts | None = None
    _sessions: SessionStore | None = None
    _oidc: OidcProvider | None = None
    _schema_registry: SchemaRegistry | None = None
    _catalogs: CatalogFollower | None = None

    @classmethod
    def build(cls, settings: Settings) -> HubServices:
        """Open the storage and the audit log under ``settings.data`` and wire everything to them."""
        storage = open_storage(settings.data)
        audit = AuditLog.in_folder(settings.data)
        bus = EventBus()
        limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
        ingest = Ingest(storage, settings.hub_id, bus=bus, limiter=limiter, max_signals=settings.max_signals)
        hub_key = audit.hub_key()  # the one hub key: signs audit checkpoints and the local accounts' tokens
        services = cls(
            settings, storage, Registry(storage, audit=audit), ingest, bus, limiter, Metrics(), audit, hub_key
        )
        services._catalogs = _follower(services)  # made here, not on first use: batches arrive on several threads
        ingest.catalogs = services.schema_catalog  # the ingest follows the registry's published versions
        return services

    @property
    def insights(self) -> Insights:
        """The analysts' read model (:class:`hub.insights.Insights`), built on first use and kept: it caches."""
        if self._insights is None:
            from hub.insights import Insights

            self._insights = Insights(self)
        return self._insights

    @property
    def accounts(self) -> Accounts:
        """The local user accounts (``DATA/accounts.sqlite3``), opened on first use; changes go to the audit log."""
        if self._accounts is None:
            from hub.accounts import open_accounts

            self._accounts = open_accounts(self.settings.data, self.audit)
        return self._accounts

    @property
    def schema_registry(self) -> SchemaRegistry:
        """The working group's schema registry (``DATA/registry.sqlite3``, seeded from ``schema/``), opened on first
        use; its decisions go to the hub's own audit log."""
        if self._schema_registry is None:
            from governance.schema_registry import SchemaRegistry

            self._schema_registry = SchemaRegistry.open(self.settings.data, audit=self.audit)
        return self._schema_registry

    def schema_catalog(self) -> SchemaCatalog:
        """The schema versions as the registry holds them now (:class:`governance.schema_catalog.SchemaCatalog`),
        taken again after any change to ``DATA/registry.sqlite3``, by this process or another; the files of
        ``schema/`` while the data folder has no registry yet (what it would be seeded with)."""
        if self._catalogs is None:
            self._catalogs = _follower(self)
        return self._catalogs()

    @property
    def sessions(self) -> SessionStore:
        """The dashboard's sessions (same file as the accounts), opened on first use."""
        if self._sessions is None:
            from hub.sessions import open_sessions

            self._sessions = open_sessions(self.settings.data)
        return self._sessions

    @property
    def oidc(self) -> OidcProvider | None:
        """The configured OpenID Connect issuer (None without ``oidc_issuer``); metadata is fetched on first use."""
        if self._oidc is None and self.settings.oidc_issuer:
            from hub.oidc import OidcProvider

            self._oidc = OidcProvider(self.settings)
        return self._oidc

    def close(self) -> None:
        """Release the storage and the audit log."""
        if self._insights is not None:
            self._insights.close()
        for opened in (self._accounts, self._sessions, self._oidc):
            if opened is not None:
                opened.close()
        if self._catalogs is not None:
            self._catalogs.close()
        if self._schema_registry is not None:  # its store only: the audit log is the hub's, closed below
            self._schema_registry.store.close()
        self.storage.close()
        self.audit.close()


def _follower(services: HubServices) -> CatalogFollower:
    from governance.registry_sqlite import REGISTRY_FILE
    from governance.schema_catalog import CatalogFollower

    return CatalogFollower(services.settings.data / REGISTRY_FILE, lambda: services.schema_registry)
