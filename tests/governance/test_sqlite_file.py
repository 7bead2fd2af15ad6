# SPDX-License-Identifier: EUPL-1.2
"""The shared SQLite plumbing: WAL, schema, transactions that commit or roll back, errors in the store's own class."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.errors import RetriableError
from governance.sqlite_file import LockedConnection, open_wal

SCHEMA = "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"


class ItemStorageError(RetriableError):
    """The error class a store would pass."""

    code = "storage-error"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LockedConnection]:
    sql = LockedConnection.open(tmp_path / "deep" / "items.db", SCHEMA, ItemStorageError, "the item database")
    yield sql
    sql.close()


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:
        return [row[0] for row in other.execute("SELECT name FROM items ORDER BY id")]


def test_open_makes_the_folder_turns_on_wal_and_applies_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "items.db"
    conn = open_wal(path, SCHEMA, ItemStorageError, "the item database")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "items" in tables
        assert conn.isolation_level is None  # autocommit: transactions are explicit
    finally:
        conn.close()
    again = open_wal(path, SCHEMA, ItemStorageError, "the item database")  # the schema is idempotent
    again.close()


def test_a_write_commits_for_other_connections(tmp_path: Path, store: LockedConnection) -> None:
    with store.write() as db:
        db.execute("INSERT INTO items (name) VALUES ('a')")
        db.execute("INSERT INTO items (name) VALUES ('b')")
    assert _names(tmp_path / "deep" / "items.db") == ["a", "b"]
    with store.read() as db:
        assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 2


def test_an_exception_inside_a_write_rolls_it_back(tmp_path: Path, store: LockedConnection) -> None:
    with pytest.raises(KeyError), store.write() as db:
        db.execute("INSERT INTO items (name) VALUES ('half')")
        raise KeyError("stop")
    assert _names(tmp_path / "deep" / "items.db") == []
    assert not store.conn.in_transaction
    with store.write() as db:  # the connection is usable again
        db.execute("INSERT INTO items (name) VALUES ('whole')")
    assert _names(tmp_path / "deep" / "items.db") == ["whole"]


def test_a_nested_write_joins_the_outer_one(tmp_path: Path, store: LockedConnection) -> None:
    with pytest.raises(ValueError), store.write() as db:
        with store.write() as inner:
            inner.execute("INSERT INTO items (name) VALUES ('inner')")
        db.execute("INSERT INTO items (name) VALUES ('outer')")
        raise ValueError("stop")
    assert _names(tmp_path / "deep" / "items.db") == []
    with store.write() as db:
        with store.write() as inner:
            inner.execute("INSERT INTO items (name) VALUES ('inner')")
        with store.read() as seen:
            assert seen.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
    assert _names(tmp_path / "deep" / "items.db") == ["inner"]


def test_sqlite_errors_become_the_store_error_naming_the_type_only(tmp_path: Path, store: LockedConnection) -> None:
    with store.write() as db:
        db.execute("INSERT INTO items (name) VALUES ('secret-value')")
    with pytest.raises(ItemStorageError) as refused, store.write() as db:
        db.execute("INSERT INTO items (name) VALUES ('first')")
        db.execute("INSERT INTO items (name) VALUES ('secret-value')")
    assert str(refused.value) == "the item database refused the change (IntegrityError)"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert _names(tmp_path / "deep" / "items.db") == ["secret-value"]  # 'first' was rolled back with it
    with pytest.raises(ItemStorageError) as unreadable, store.read() as db:
        db.execute("SELECT nope FROM items")
    assert str(unreadable.value) == "the item database cannot be read (OperationalError)"
    assert not store.conn.in_transaction


def test_a_file_that_is_not_a_database_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    path.write_bytes(b"not a database at all, just some bytes " * 100)
    with pytest.raises(ItemStorageError, match=r"^cannot open the item database \(DatabaseError\)$"):
        open_wal(path, SCHEMA, ItemStorageError, "the item database")


@pytest.mark.parametrize("timeout", [30.0, 0.01], ids=["busy-handler", "locked-retry"])
def test_open_waits_for_another_connections_exclusive_lock(tmp_path: Path, timeout: float) -> None:
    """With a short busy timeout SQLite answers "locked" at once; the WAL switch is retried until the lock is gone."""
    path = tmp_path / "items.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE early (x)")
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Event()

    def release() -> None:
        time.sleep(0.3)
        holder.execute("COMMIT")
        released.set()

    thread = threading.Thread(target=release)
    started = time.monotonic()
    thread.start()
    try:
        conn = open_wal(path, SCHEMA, ItemStorageError, "the item database", timeout=timeout)
    finally:
        thread.join()
        holder.close()
    assert released.is_set()
    assert time.monotonic() - started >= 0.25
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0
    finally:
        conn.close()


def test_without_the_retry_a_short_timeout_fails_at_once(tmp_path: Path) -> None:
    """The control for the test above: a bare WAL switch under the same lock is refused."""
    path = tmp_path / "items.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE early (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        bare = sqlite3.connect(path, timeout=0.01, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            bare.execute("PRAGMA journal_mode=WAL")
        bare.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
