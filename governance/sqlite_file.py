# SPDX-License-Identifier: EUPL-1.2
"""One SQLite file in WAL mode shared by threads: how every embedded store opens, writes and reads it.

:func:`open_wal` makes the folder, connects (autocommit, usable from any thread, a 30 s busy timeout), switches to WAL
and applies the store's schema. :class:`LockedConnection` serialises the threads on one connection: :meth:`write`
is one ``BEGIN IMMEDIATE`` transaction (a nested ``write`` joins the outer one), :meth:`read` one consistent snapshot.
Every ``sqlite3.Error`` becomes the store's own error class, with a message that names the store and the exception's
type only, never the data.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["LockedConnection", "StoreError", "create_private", "open_wal"]

StoreError = Callable[[str], Exception]
"""Builds the store's own error from a message (usually the error class itself)."""

_WAL_ATTEMPTS = 100
_WAL_PAUSE = 0.05


def create_private(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (0600) unless it exists: for a database holding
    secrets. SQLite gives its write-ahead log and shared-memory files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_wal(path: Path, schema: str, error: StoreError, what: str, *, timeout: float = 30.0) -> sqlite3.Connection:
    """Open ``path`` (creating its folder), switch it to WAL and apply ``schema`` (idempotent DDL).

    ``what`` names the store in messages (``"the casework database"``); a failure raises ``error("cannot open
    {what} (ExceptionType)")``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise error(f"cannot open {what} ({type(exc).__name__})") from None
    try:
        _switch_to_wal(conn)
        conn.executescript(schema)
    except sqlite3.Error as exc:
        conn.close()
        raise error(f"cannot open {what} ({type(exc).__name__})") from None
    return conn


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    # Switching to WAL needs the file to itself for a moment, and SQLite can answer "locked" at once, without its busy
    # handler, when another process or thread opens the file at that instant; so the switch is retried for a while.
    for attempt in range(_WAL_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(_WAL_PAUSE)


class LockedConnection:
    """One connection shared by threads under a re-entrant lock, with the store's error class and name."""

    def __init__(self, conn: sqlite3.Connection, error: StoreError, what: str) -> None:
        self.conn = conn
        self.lock = threading.RLock()
        self._error = error
        self._what = what
        self._depth = 0

    @classmethod
    def open(cls, path: Path, schema: str, error: StoreError, what: str) -> LockedConnection:
        """:func:`open_wal` wrapped in a :class:`LockedConnection`."""
        return cls(open_wal(path, schema, error, what), error, what)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, ``ROLLBACK`` when the block raises; a nested ``write`` joins the outer.

        Other processes queue on SQLite's write lock, so a read-check-write inside sees no one else's half-done
        change. A ``sqlite3.Error`` becomes the store's error ("… refused the change"); nothing was written then.
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                finally:
                    self._depth = 0
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._abandon()
                raise self._error(f"{self._what} refused the change ({type(exc).__name__})") from None

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, in one read snapshot (nested: the enclosing transaction's view).

        A ``sqlite3.Error`` becomes the store's error ("… cannot be read").
        """
        with self.lock:
            if self.conn.in_transaction:  # nested in a read or a write: that transaction's view
                yield self.conn
                return
            try:
                # A deferred transaction: readers never block writers under WAL, and several queries see one state.
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._abandon()
                raise self._error(f"{self._what} cannot be read ({type(exc).__name__})") from None

    def _abandon(self) -> None:
        """Roll back what a failed statement left open, so the next caller starts clean."""
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # the caller gets the first error, not this one
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()
