# SPDX-License-Identifier: EUPL-1.2
"""Local accounts and dashboard sessions on SQLite (WAL): ``DATA/accounts.sqlite3``.

A file of its own, not a table in the signal database: a commit on another connection empties the page cache of
the ingest path's one writer (:mod:`hub.sqlite_store`), and logins and session clean-ups must not cost ingest that.
Traffic here is small (one read per dashboard request), so one connection behind a lock does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from governance.audit import utc_text
from governance.sqlite_file import create_private
from hub.accounts import Account, AccountExistsError
from hub.roles import Principal, Role
from hub.sessions import Session
from hub.storage import StorageError

__all__ = ["SQLiteAccountStore", "SQLiteSessionStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, roles TEXT NOT NULL, organisation TEXT, disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    key_hash TEXT PRIMARY KEY, name TEXT, roles TEXT NOT NULL, organisation TEXT, local INTEGER NOT NULL,
    csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, pending TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
"""


class _Database:
    """One connection to the accounts database, serialised by a lock; sqlite3 errors become StorageError."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        try:
            create_private(path)  # password and session hashes: the owner's only, like the hub key
            self._conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the accounts database ({type(exc).__name__})") from None
        except OSError as exc:
            raise StorageError(f"cannot create the accounts database ({type(exc).__name__})") from None

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Execute one statement (its own transaction) and return its rows."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise StorageError(f"the accounts database failed ({type(exc).__name__})") from None

    def count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one change and return how many rows it touched."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).rowcount
            except sqlite3.Error as exc:
                raise StorageError(f"the accounts database failed ({type(exc).__name__})") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


_KNOWN_ROLES = {role.value for role in Role}


def _roles(text: str) -> frozenset[Role]:
    # A role name this version does not know (written by a newer one) is left out rather than failing every request.
    return frozenset(Role(name) for name in json.loads(text) if name in _KNOWN_ROLES)


def _roles_text(roles: frozenset[Role]) -> str:
    return json.dumps(sorted(r.value for r in roles))


class SQLiteAccountStore:
    """:class:`hub.accounts.AccountStore` on SQLite."""

    _COLUMNS = "name, roles, organisation, disabled, created_at"

    def __init__(self, path: Path) -> None:
        self._db = _Database(path)

    @staticmethod
    def _account(row: tuple[Any, ...]) -> Account:
        return Account(row[0], _roles(row[1]), row[2], bool(row[3]), datetime.fromisoformat(row[4]))

    def insert(self, account: Account, password_hash: str) -> None:
        sql = f"INSERT INTO accounts ({self._COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?)"
        row = (
            account.name,
            _roles_text(account.roles),
            account.organisation,
            int(account.disabled),
            utc_text(account.created_at),
            password_hash,
        )
        try:
            self._db.run(sql, row)
        except sqlite3.IntegrityError:
            raise AccountExistsError(f"account '{account.name}' exists already") from None

    def get(self, name: str) -> Account | None:
        rows = self._db.run(f"SELECT {self._COLUMNS} FROM accounts WHERE name = ?", (name,))
        return self._account(rows[0]) if rows else None

    def all(self) -> list[Account]:
        return [self._account(row) for row in self._db.run(f"SELECT {self._COLUMNS} FROM accounts ORDER BY name")]

    def password_hash(self, name: str) -> str | None:
        rows = self._db.run("SELECT password_hash FROM accounts WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self._db.run("UPDATE accounts SET password_hash = ? WHERE name = ?", (password_hash, name))

    def set_disabled(self, name: str, disabled: bool) -> None:
        self._db.run("UPDATE accounts SET disabled = ? WHERE name = ?", (int(disabled), name))

    def close(self) -> None:
        self._db.close()


class SQLiteSessionStore:
    """:class:`hub.sessions.SessionStore` on SQLite."""

    def __init__(self, path: Path) -> None:
        self._db = _Database(path)

    def save(self, key_hash: str, session: Session) -> None:
        held = session.principal
        self._db.run(
            "INSERT OR REPLACE INTO sessions (key_hash, name, roles, organisation, local, csrf, created_at,"
            " expires_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key_hash,
                held.name if held else None,
                _roles_text(held.roles) if held else "[]",
                held.organisation if held else None,
                int(session.local),
                session.csrf,
                utc_text(session.created_at),
                utc_text(session.expires_at),
                json.dumps(dict(session.pending)),
            ),
        )

    def load(self, key_hash: str) -> Session | None:
        rows = self._db.run(
            "SELECT name, roles, organisation, local, csrf, created_at, expires_at, pending FROM sessions"
            " WHERE key_hash = ?",
            (key_hash,),
        )
        if not rows:
            return None
        name, roles, organisation, local, csrf, created, expires, pending = rows[0]
        held = Principal(name, _roles(roles), "session", organisation) if name is not None else None
        return Session(
            held,
            csrf,
            datetime.fromisoformat(created),
            datetime.fromisoformat(expires),
            bool(local),
            json.loads(pending),
        )

    def delete(self, key_hash: str) -> None:
        self._db.run("DELETE FROM sessions WHERE key_hash = ?", (key_hash,))

    def delete_expired(self, now: datetime) -> int:
        return self._db.count("DELETE FROM sessions WHERE expires_at <= ?", (utc_text(now),))

    def close(self) -> None:
        self._db.close()
