# SPDX-License-Identifier: EUPL-1.2
"""The tamper-evident audit log: an append-only hash chain of what happened, by whom, when.

Each entry holds ``seq``, ``at`` (RFC 3339, UTC), ``actor``, ``action`` (a stable dotted code such as
``agency.added``, ``key.revoked``, ``signals.imported``), ``subject``, ``details`` (a JSON object: counts, codes and
ids, never signal text or personal data) and ``prev_hash``; its ``hash`` is the SHA-256 of the RFC 8785 canonical
JSON of all of those, so it does not depend on key order or on how the database happens to store the text. The first
entry's ``prev_hash`` is :data:`GENESIS`. Every :data:`DEFAULT_CHECKPOINT_EVERY` entries the same transaction adds a
checkpoint signed with the hub key (:mod:`governance.audit_checkpoint`), which can be published.

The log is one SQLite file (``DATA/audit.sqlite3``, WAL). An append is one ``BEGIN IMMEDIATE`` transaction that
reads the head and writes the next ``seq``: appenders in other threads and other processes queue on SQLite's write
lock, and ``seq`` is the primary key, so the chain can never fork. Triggers refuse updates and deletes; they stop
mistakes, not attackers, which is what the chain and the checkpoints are for (:mod:`governance.audit_verify`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import rfc8785

from governance.audit_checkpoint import Checkpoint, sign_checkpoint
from governance.errors import InvalidInputError, NotFoundError, RetriableError
from governance.hub_key import HubKey, hub_key_path, load_hub_key, load_or_create_hub_key

__all__ = [
    "AUDIT_FILE",
    "DEFAULT_CHECKPOINT_EVERY",
    "GENESIS",
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "AuditLogMissingError",
    "AuditSink",
    "AuditSnapshot",
    "AuditStorageError",
    "entry_hash",
    "utc_text",
]

AUDIT_FILE = "audit.sqlite3"
GENESIS = "0" * 64
DEFAULT_CHECKPOINT_EVERY = 100
_ACTION = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$")
_NAME_MAX = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_entries (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
    details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id INTEGER PRIMARY KEY, size INTEGER NOT NULL, head TEXT NOT NULL, at TEXT NOT NULL, kid TEXT NOT NULL,
    jws TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditError(InvalidInputError):
    """An entry the log refuses (bad action code, details that are no JSON object, ...)."""

    code = "audit-invalid"


class AuditLogMissingError(NotFoundError):
    """There is no audit log where one was expected."""

    code = "audit-log-missing"


class AuditStorageError(RetriableError):
    """The audit database failed (locked, disk full, not a database); nothing was appended."""

    code = "audit-storage-error"


class AuditSink(Protocol):
    """Where other layers report what happened; they depend on this, not on :class:`AuditLog`."""

    def record(self, actor: str, action: str, subject: str, details: Mapping[str, Any] | None = None) -> None: ...


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and ``Z``: the one form ``at`` takes in the log."""
    if moment.tzinfo is None:
        raise AuditError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of an entry's content (every field but ``hash``)."""
    return hashlib.sha256(rfc8785.dumps(dict(content))).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One link of the chain."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself."""
        fields = asdict(self)
        del fields["hash"]
        return fields

    def as_dict(self) -> dict[str, Any]:
        """The entry as a JSON object."""
        return asdict(self)


def _checked(actor: str, action: str, subject: str, details: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The details' canonical text and value, after checking every field; :class:`AuditError` names the field."""
    for name, value in (("actor", actor), ("subject", subject)):
        if not isinstance(value, str) or len(value) > _NAME_MAX or not value.isprintable():
            raise AuditError(f"the {name} must be printable text of at most {_NAME_MAX} characters")
    if not actor:
        raise AuditError("every audit entry needs an actor")
    if not isinstance(action, str) or not _ACTION.match(action):
        raise AuditError(f"action {action!r} is not a dotted lower-case code such as 'agency.added'")
    if details is not None and not isinstance(details, Mapping):
        raise AuditError("details must be a JSON object")
    try:
        text = rfc8785.dumps(dict(details or {})).decode("utf-8")
    except (ValueError, TypeError) as exc:
        raise AuditError(f"details are not canonical JSON ({type(exc).__name__})") from None
    return text, json.loads(text)


class AuditLog:
    """The audit log of one data folder; thread-safe, and safe beside other processes on the same file.

    ``checkpoint_every``: sign a checkpoint in the transaction that appends every N-th entry (0: never).
    """

    def __init__(
        self,
        path: Path,
        *,
        create: bool = True,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        key_path: Path | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not create and not path.is_file():
            raise AuditLogMissingError(f"no audit log at {path}")
        self.path = path
        self.key_path = key_path or hub_key_path(path.parent)
        self.checkpoint_every = checkpoint_every
        self.clock = clock
        self._lock = threading.Lock()
        self._key: HubKey | None = None
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise AuditStorageError(f"cannot open the audit log {path} ({type(exc).__name__})") from None
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # an audit entry must survive a power cut
            if create:
                self._conn.executescript(_SCHEMA)
            else:
                self._conn.execute("SELECT seq FROM audit_entries LIMIT 0")
                self._conn.execute("SELECT id FROM audit_checkpoints LIMIT 0")
        except sqlite3.Error as exc:
            self._conn.close()
            raise AuditStorageError(f"{path} is not a usable audit log ({type(exc).__name__})") from None

    @classmethod
    def in_folder(cls, data: Path, **options: Any) -> AuditLog:
        """The log of a data folder: ``DATA/audit.sqlite3``, checkpoints signed with ``DATA/hub-key.pem``."""
        if not options.get("create", True) and not data.is_dir():
            raise AuditLogMissingError(f"no data folder {data}")
        return cls(data / AUDIT_FILE, **options)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # the hub key -------------------------------------------------------------------------------------------------
    def hub_key(self) -> HubKey:
        """The hub key that signs checkpoints, made on first use."""
        if self._key is None:
            self._key = load_or_create_hub_key(self.key_path)
        return self._key

    def stored_hub_key(self) -> HubKey | None:
        """The hub key as stored now (None when there is none); read afresh, for verification."""
        return load_hub_key(self.key_path)

    # writing -----------------------------------------------------------------------------------------------------
    def append(self, actor: str, action: str, subject: str, details: Mapping[str, Any] | None = None) -> AuditEntry:
        """Append one entry (and, every ``checkpoint_every`` entries, a signed checkpoint) in one transaction."""
        details_text, details_value = _checked(actor, action, subject, details)
        with self._write() as conn:
            at = utc_text(self.clock())  # read under the write lock, so that times follow the order of seq
            size, head = self._head(conn)
            seq = size + 1
            draft = AuditEntry(seq, at, actor, action, subject, details_value, head, hash="")
            entry = replace(draft, hash=entry_hash(draft.content()))
            conn.execute(
                "INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, actor, action, subject, details_text, head, entry.hash),
            )
            if self.checkpoint_every > 0 and seq % self.checkpoint_every == 0:
                self._insert_checkpoint(conn, sign_checkpoint(self.hub_key(), seq, entry.hash, at))
        return entry

    def record(self, actor: str, action: str, subject: str, details: Mapping[str, Any] | None = None) -> None:
        """:class:`AuditSink`: append, without handing the entry back."""
        self.append(actor, action, subject, details)

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the log as it is now; :class:`AuditError` when it is still empty."""
        with self._write() as conn:
            size, head = self._head(conn)
            if size == 0:
                raise AuditError("the audit log is empty: there is nothing to checkpoint")
            return self._insert_checkpoint(conn, sign_checkpoint(self.hub_key(), size, head, utc_text(self.clock())))

    @staticmethod
    def _insert_checkpoint(conn: sqlite3.Connection, checkpoint: Checkpoint) -> Checkpoint:
        cursor = conn.execute(
            "INSERT INTO audit_checkpoints (size, head, at, kid, jws) VALUES (?, ?, ?, ?, ?)",
            (checkpoint.size, checkpoint.head, checkpoint.at, checkpoint.kid, checkpoint.jws),
        )
        return replace(checkpoint, id=cursor.lastrowid)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding SQLite's write lock from its start (other processes wait for it)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise AuditStorageError(f"the audit log is not writable ({type(exc).__name__})") from None
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise AuditStorageError(f"the audit log refused the append ({type(exc).__name__})") from None
                raise

    @staticmethod
    def _head(conn: sqlite3.Connection) -> tuple[int, str]:
        row = conn.execute("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))

    # reading -----------------------------------------------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[AuditSnapshot]:
        """A consistent view of entries and checkpoints (one read transaction), for verification."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    yield AuditSnapshot(self._conn)
                finally:
                    self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise AuditStorageError(f"the audit log cannot be read ({type(exc).__name__})") from None

    def head(self) -> tuple[int, str]:
        """(number of entries, hash of the last one; :data:`GENESIS` when empty)."""
        with self.snapshot() as view:
            return self._head(view.conn)

    def entries(self, after: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """Entries with ``seq`` greater than ``after``, oldest first."""
        with self.snapshot() as view:
            return [_entry(row) for row in view.rows(after, limit)]

    def latest(self, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, oldest first."""
        size, _ = self.head()
        return self.entries(max(0, size - limit))

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, oldest first (as stored: :mod:`governance.audit_verify` checks them)."""
        with self.snapshot() as view:
            return view.checkpoints()

    def close(self) -> None:
        """Release the database."""
        with self._lock:
            self._conn.close()


class AuditSnapshot:
    """Rows of the log inside one read transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, after: int = 0, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Raw entry rows (seq, at, actor, action, subject, details text, prev_hash, hash) by ``seq``."""
        sql = "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_entries WHERE seq > ?"
        yield from self.conn.execute(sql + " ORDER BY seq LIMIT ?", (after, -1 if limit is None else limit))

    def checkpoints(self) -> list[Checkpoint]:
        """Stored checkpoints by id."""
        rows = self.conn.execute("SELECT size, head, at, kid, jws, id FROM audit_checkpoints ORDER BY id")
        return [Checkpoint(*row) for row in rows]


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    """An entry from its row; details that are not JSON (a tampered row) are kept as their text."""
    try:
        details = json.loads(row[5])
    except (TypeError, ValueError):
        details = row[5]
    return AuditEntry(row[0], row[1], row[2], row[3], row[4], details, row[6], row[7])
