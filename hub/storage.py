# SPDX-License-Identifier: EUPL-1.2
"""The storage Protocol the hub's services use, so that PostgreSQL can take over from the embedded SQLite default.

Implementations: :mod:`hub.sqlite_store` (embedded default). Chosen from :data:`STORES` by the data URL's scheme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from governance.errors import RetriableError
from hub.records import Agency, AgencyKey, AgencyStatus, KeyStatus, RegistryChange, StoredBatch, StoredSignal

__all__ = [
    "STORES",
    "BatchExistsError",
    "SignalAge",
    "Storage",
    "StorageError",
    "WithdrawalExistsError",
    "chunks",
    "open_storage",
]


class StorageError(RetriableError):
    """The storage failed (disk full, locked, unreadable); the operation did not happen and may succeed later."""

    code = "storage-error"


class BatchExistsError(StorageError):
    """A batch with this ``jti`` was stored meanwhile (two deliveries raced); read it back as a replay."""

    code = "batch-exists"


class WithdrawalExistsError(StorageError):
    """A withdrawal with this ``jti`` was stored meanwhile (two deliveries raced); nothing was removed by this one."""

    code = "withdrawal-exists"


@dataclass(frozen=True)
class SignalAge:
    """What retention needs to know of a stored signal: who sent it, its own time, and whether its text is kept."""

    seq: int
    agency: str
    id: str
    organisation_kind: str
    observed_at: str  # as sent: RFC 3339 with its own offset
    text_kept: bool


class Storage(Protocol):
    """Everything the hub keeps. Each method is one transaction; all times are timezone-aware UTC."""

    # agencies and keys
    def add_agency(
        self, agency: Agency, change: RegistryChange, keys: Sequence[tuple[AgencyKey, RegistryChange]] = ()
    ) -> None: ...
    def get_agency(self, code: str) -> Agency | None: ...
    def list_agencies(self) -> list[Agency]: ...
    def set_agency_status(self, code: str, status: AgencyStatus, change: RegistryChange) -> None: ...
    def add_key(self, key: AgencyKey, change: RegistryChange) -> None: ...
    def get_key(self, kid: str) -> AgencyKey | None: ...
    def keys_of(self, agency: str) -> list[AgencyKey]: ...
    def set_key_status(
        self, kid: str, status: KeyStatus, revoked_at: datetime | None, change: RegistryChange
    ) -> None: ...
    def record_change(self, change: RegistryChange) -> None: ...
    def registry_changes(self, agency: str | None = None) -> list[RegistryChange]: ...

    # batches and signals
    def find_batch(self, jti: str) -> StoredBatch | None: ...
    def find_batch_by_hash(self, sha256: str) -> StoredBatch | None: ...
    def existing_signal_ids(self, agency: str, ids: Sequence[str]) -> set[str]: ...
    def save_batch(self, batch: StoredBatch, signals: Sequence[StoredSignal]) -> None: ...
    # The ingest fast path: the batch with signals (id, document) that all belong to ``batch.agency``, arrived at
    # ``batch.received_at``, and are all new. When one of them is stored already, nothing is written and the answer
    # is False (the caller then looks the duplicates up and calls save_batch); BatchExistsError as save_batch.
    def save_new_batch(self, batch: StoredBatch, signals: Sequence[tuple[str, dict[str, Any]]]) -> bool: ...
    def count_refusal(self, code: str, agency: str | None, n: int = 1) -> None: ...
    def signals_after(self, sequence: int, limit: int) -> list[tuple[int, StoredSignal]]: ...
    def count_signals(self) -> int: ...
    def stats(self) -> dict[str, Any]: ...

    # withdrawal (hub/withdrawal.py; retention can reuse it). A tombstone is (agency, id, removed_at UTC ISO,
    # cause, reference): no content. ``cause``: "withdrawal" (reference: the jti) or "retention" (the run's day/rules).
    def signals_of(self, agency: str, ids: Sequence[str]) -> list[tuple[int, StoredSignal]]: ...
    def tombstoned_ids(self, agency: str, ids: Sequence[str], cause: str = "withdrawal") -> set[str]: ...
    def find_withdrawal(self, jti: str) -> tuple[str, str, dict[str, Any]] | None: ...  # (agency, sha256, receipt)
    # Deletes the agency's signals ``ids`` (document and text) and leaves a tombstone for each, and with
    # ``withdrawal`` = (jti, sha256, receipt) stores the withdrawal in the same transaction (WithdrawalExistsError
    # when its jti is stored already: then nothing happens). Returns the ids deleted.
    def remove_signals(
        self,
        agency: str,
        ids: Sequence[str],
        at: datetime,
        *,
        cause: str,
        reference: str,
        withdrawal: tuple[str, str, dict[str, Any]] | None = None,
    ) -> list[str]: ...
    def tombstones(self, agency: str | None = None) -> list[tuple[str, str, str, str, str]]: ...

    # retention (hub/retention.py): the signals in sequence order after ``after``, and taking the text out of
    # stored signals. ``remove_texts`` drops the ``text`` member of each document of the agency's ``ids`` whose text
    # is still kept (the rest of the document stays, so the signal stays counted), records (agency, id, at, cause,
    # reference) for each as a text tombstone, and returns the ids whose text it removed.
    def signal_ages(self, after: int, limit: int) -> list[SignalAge]: ...
    def remove_texts(
        self, agency: str, ids: Sequence[str], at: datetime, *, cause: str, reference: str
    ) -> list[str]: ...

    def ping(self) -> bool: ...
    def close(self) -> None: ...


def _sqlite(data: Path) -> Storage:
    from hub.sqlite_store import SQLiteStorage

    return SQLiteStorage(data / "hartslag.db")


STORES: dict[str, Callable[[Path], Storage]] = {"sqlite": _sqlite}


def open_storage(data: Path, kind: str = "sqlite") -> Storage:
    """Open the storage of a data folder (created when missing)."""
    data.mkdir(parents=True, exist_ok=True)
    return STORES[kind](data)


def chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    """Slices of at most ``size`` items (SQL parameter limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
