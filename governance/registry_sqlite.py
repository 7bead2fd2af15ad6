# SPDX-License-Identifier: EUPL-1.2
"""The schema registry in SQLite: ``DATA/registry.sqlite3`` (WAL), one implementation of :class:`RegistryStore`.

Documents, compatibility reports and JWKs are stored as canonical JSON text. A write transaction is ``BEGIN
IMMEDIATE``: other processes queue on SQLite's write lock, so a read-check-write in the workflow sees no one else's
half-done change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from governance.registry_model import ChangeKind, Decision, Member, SchemaVersion, StatusChange, Vote, version_key
from governance.registry_status import Status
from governance.registry_store import DuplicateRecordError, RegistryStorageError
from governance.sqlite_file import LockedConnection

__all__ = ["REGISTRY_FILE", "SqliteRegistryStore"]

REGISTRY_FILE = "registry.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    subject TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL, document TEXT NOT NULL, sha256 TEXT NOT NULL,
    rationale TEXT NOT NULL, proposed_by TEXT NOT NULL, created_at TEXT NOT NULL, change TEXT NOT NULL,
    compat TEXT NOT NULL, sunset TEXT, migration TEXT, PRIMARY KEY (subject, version)
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY, subject TEXT NOT NULL, version TEXT NOT NULL, before TEXT, after TEXT NOT NULL,
    actor TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    name TEXT PRIMARY KEY, organisation TEXT NOT NULL, kind TEXT NOT NULL, jwk TEXT NOT NULL, kid TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    subject TEXT NOT NULL, version TEXT NOT NULL, member TEXT NOT NULL, decision TEXT NOT NULL, sha256 TEXT NOT NULL,
    iat INTEGER NOT NULL, jws TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (subject, version, member, sha256)
);
"""
_VERSION_COLUMNS = (
    "subject, version, status, document, sha256, rationale, proposed_by, created_at, change, compat, sunset, migration"
)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SqliteRegistryStore:
    """:class:`governance.registry_store.RegistryStore` in one SQLite file; thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sql = LockedConnection.open(path, _SCHEMA, RegistryStorageError, "the registry")
        self._upgrade()

    def _upgrade(self) -> None:
        # A registry written before versions carried a migration lacks the column; adding it (NULL: no migration)
        # keeps such a data folder usable. The check is repeated inside the write transaction so that two processes
        # opening an old file at once do not both add it; an up-to-date file never takes the write lock here.
        if self._has_migration_column():
            return
        with self._sql.write() as conn:
            if not self._has_migration_column():
                conn.execute("ALTER TABLE versions ADD COLUMN migration TEXT")

    def _has_migration_column(self) -> bool:
        return any(row[1] == "migration" for row in self._run("PRAGMA table_info(versions)"))

    @classmethod
    def in_folder(cls, data: Path) -> SqliteRegistryStore:
        """The registry of a data folder."""
        return cls(data / REGISTRY_FILE)

    def __enter__(self) -> SqliteRegistryStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One exclusive transaction; an inner ``transaction()`` joins the outer one."""
        with self._sql.write():
            yield

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        # One statement in autocommit, or inside the caller's transaction; not :meth:`LockedConnection.read`, whose
        # snapshot would turn a lone write into an upgraded read transaction.
        with self._sql.lock:
            try:
                return self._sql.conn.execute(sql, params).fetchall()
            except sqlite3.IntegrityError as exc:
                raise DuplicateRecordError(f"the registry already holds this record ({exc})") from None
            except sqlite3.Error as exc:
                raise RegistryStorageError(f"the registry failed ({type(exc).__name__})") from None

    # versions ----------------------------------------------------------------------------------------------------
    def versions(self, subject: str | None = None) -> list[SchemaVersion]:
        """Every version (of one subject), by subject and semver."""
        where, params = ("WHERE subject = ?", (subject,)) if subject is not None else ("", ())
        rows = self._run(f"SELECT {_VERSION_COLUMNS} FROM versions {where}", params)
        found = [_version(row) for row in rows]
        return sorted(found, key=lambda v: (v.subject, version_key(v.version)))

    def version(self, subject: str, version: str) -> SchemaVersion | None:
        """One version, or None."""
        rows = self._run(
            f"SELECT {_VERSION_COLUMNS} FROM versions WHERE subject = ? AND version = ?", (subject, version)
        )
        return _version(rows[0]) if rows else None

    def insert_version(self, record: SchemaVersion) -> None:
        """Add a version (the number must be new)."""
        self._run(
            f"INSERT INTO versions ({_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _row(record)
        )

    def update_version(self, record: SchemaVersion) -> None:
        """Replace the mutable fields of a version."""
        self._run(
            "UPDATE versions SET status = ?, document = ?, sha256 = ?, rationale = ?, change = ?, compat = ?, "
            "sunset = ?, migration = ? WHERE subject = ? AND version = ?",
            (*_row(record)[2:6], *_row(record)[8:], record.subject, record.version),
        )

    def add_change(self, change: StatusChange) -> None:
        """Append a step to a version's history."""
        before = change.before.value if change.before else None
        self._run(
            "INSERT INTO history (subject, version, before, after, actor, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (change.subject, change.version, before, change.after.value, change.actor, change.at, change.reason),
        )

    def history(self, subject: str, version: str) -> list[StatusChange]:
        """A version's history, oldest first."""
        rows = self._run(
            "SELECT subject, version, before, after, actor, at, reason FROM history WHERE subject = ? AND version = ? "
            "ORDER BY id",
            (subject, version),
        )
        return [StatusChange(r[0], r[1], Status(r[2]) if r[2] else None, Status(r[3]), r[4], r[5], r[6]) for r in rows]

    # members and votes -------------------------------------------------------------------------------------------
    def add_member(self, member: Member) -> None:
        """Register a member (name and key must be new)."""
        self._run(
            "INSERT INTO members (name, organisation, kind, jwk, kid, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (member.name, member.organisation, member.kind, _text(member.jwk), member.kid, member.added_at),
        )

    def members(self) -> list[Member]:
        """Every member, by name."""
        rows = self._run("SELECT name, organisation, kind, jwk, kid, added_at FROM members ORDER BY name")
        return [Member(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def member(self, name: str) -> Member | None:
        """One member, or None."""
        return next((member for member in self.members() if member.name == name), None)

    def add_vote(self, vote: Vote) -> None:
        """Store a vote (one per member and text of a version)."""
        self._run(
            "INSERT INTO votes (subject, version, member, decision, sha256, iat, jws, reason, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (vote.subject, vote.version, vote.member, vote.decision.value, vote.sha256, vote.iat, vote.jws,
             vote.reason, vote.at),
        )  # fmt: skip

    def votes(self, subject: str, version: str) -> list[Vote]:
        """Every vote on a version, oldest first."""
        rows = self._run(
            "SELECT subject, version, member, decision, sha256, iat, jws, reason, at FROM votes "
            "WHERE subject = ? AND version = ? ORDER BY rowid",
            (subject, version),
        )
        return [Vote(r[0], r[1], r[2], Decision(r[3]), r[4], r[5], r[6], r[7], r[8]) for r in rows]

    def close(self) -> None:
        """Release the database."""
        self._sql.close()


def _row(record: SchemaVersion) -> tuple[Any, ...]:
    return (
        record.subject, record.version, record.status.value, _text(record.document), record.sha256, record.rationale,
        record.proposed_by, record.created_at, record.change.value, _text(record.compat),
        record.sunset.isoformat() if record.sunset else None,
        _text(record.migration) if record.migration is not None else None,
    )  # fmt: skip


def _version(row: tuple[Any, ...]) -> SchemaVersion:
    return SchemaVersion(
        row[0], row[1], Status(row[2]), json.loads(row[3]), row[4], row[5], row[6], row[7], ChangeKind(row[8]),
        json.loads(row[9]), date.fromisoformat(row[10]) if row[10] else None,
        json.loads(row[11]) if row[11] is not None else None,
    )  # fmt: skip
