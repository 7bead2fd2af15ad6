# SPDX-License-Identifier: EUPL-1.2
"""The hub's stored records: agencies, their keys, registry changes, batches and signals.

Plain frozen dataclasses; they know nothing of SQL or HTTP. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "Agency",
    "AgencyKey",
    "AgencyStatus",
    "KeyStatus",
    "RegistryChange",
    "StoredBatch",
    "StoredSignal",
]


class AgencyStatus(StrEnum):
    """Whether an agency may deliver batches."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class KeyStatus(StrEnum):
    """A signing key's life: active keys sign, retiring keys still verify, revoked keys verify nothing."""

    ACTIVE = "active"
    RETIRING = "retiring"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Agency:
    """A registered organisation that publishes signals (code from the standard's code lists)."""

    code: str
    name: str
    kind: str
    status: AgencyStatus
    created_at: datetime


@dataclass(frozen=True)
class AgencyKey:
    """One public key of an agency, as a JWK, with its status and validity window."""

    kid: str
    agency: str
    jwk: dict[str, Any]
    status: KeyStatus
    not_before: datetime
    not_after: datetime | None
    added_at: datetime
    revoked_at: datetime | None = None

    def usable_at(self, moment: datetime) -> bool:
        """Whether a batch signed with this key at ``moment`` may be accepted."""
        if self.status is KeyStatus.REVOKED and (self.revoked_at is None or moment >= self.revoked_at):
            return False
        if moment < self.not_before:
            return False
        return self.not_after is None or moment < self.not_after


@dataclass(frozen=True)
class RegistryChange:
    """Who changed what in the agency registry, and when (verb-named: ``agency_added``, ``key_revoked``, …)."""

    event: str
    agency: str
    actor: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredBatch:
    """A batch the hub accepted (or replayed): its id, who sent it, the hash of its exact bytes and its receipt."""

    jti: str
    agency: str
    sha256: str
    received_at: datetime
    receipt: dict[str, Any]
    via: str = "http"


@dataclass(frozen=True)
class StoredSignal:
    """One accepted signal: the standard document plus the columns the hub filters on."""

    id: str
    agency: str
    batch: str
    received_at: datetime
    document: dict[str, Any]
