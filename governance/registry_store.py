# SPDX-License-Identifier: EUPL-1.2
"""Where the schema registry keeps its records: the :class:`RegistryStore` protocol.

The workflow (:mod:`governance.schema_registry`) depends on this protocol only; :mod:`governance.registry_sqlite`
is the implementation in a data folder (``DATA/registry.sqlite3``). A store checks nothing about the workflow: it
keeps versions, their status history, members and votes, and runs a group of writes as one transaction so that two
processes voting at the same moment cannot both miss the quorum (or both reach it).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from governance.errors import RetriableError
from governance.registry_model import Member, SchemaVersion, StatusChange, Vote
from governance.registry_status import RefusedError

__all__ = ["DuplicateRecordError", "RegistryStorageError", "RegistryStore"]


class DuplicateRecordError(RefusedError):
    """A record that already exists (a version number, a member's name or key, a member's vote)."""

    code = "registry-duplicate"


class RegistryStorageError(RetriableError):
    """The registry database failed (locked, disk full, not a database)."""

    code = "registry-storage-error"


class RegistryStore(Protocol):
    """Persistent records of the schema registry."""

    def transaction(self) -> AbstractContextManager[None]:
        """Run the writes (and the reads they depend on) inside as one exclusive transaction; nestable."""
        ...

    def versions(self, subject: str | None = None) -> list[SchemaVersion]:
        """Every version (of one subject), by subject and then semver order."""
        ...

    def version(self, subject: str, version: str) -> SchemaVersion | None:
        """One version, or None."""
        ...

    def insert_version(self, record: SchemaVersion) -> None:
        """Add a new version; :class:`DuplicateRecordError` when the number is taken."""
        ...

    def update_version(self, record: SchemaVersion) -> None:
        """Replace a version's mutable fields (status, document and hash, compatibility, change, sunset)."""
        ...

    def add_change(self, change: StatusChange) -> None:
        """Append a step to a version's history."""
        ...

    def history(self, subject: str, version: str) -> list[StatusChange]:
        """A version's history, oldest first."""
        ...

    def add_member(self, member: Member) -> None:
        """Register a member; :class:`DuplicateRecordError` when the name or the key is taken."""
        ...

    def members(self) -> list[Member]:
        """Every member, by name."""
        ...

    def member(self, name: str) -> Member | None:
        """One member, or None."""
        ...

    def add_vote(self, vote: Vote) -> None:
        """Store a vote; :class:`DuplicateRecordError` when the member already voted on this text of the version."""
        ...

    def votes(self, subject: str, version: str) -> list[Vote]:
        """Every vote on a version (on any of its texts), oldest first."""
        ...

    def close(self) -> None:
        """Release the storage."""
        ...
