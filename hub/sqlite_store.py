# SPDX-License-Identifier: EUPL-1.2
"""The embedded default storage: one SQLite database in WAL mode under the data folder.

One connection per thread for reads; every write goes through one shared connection, serialised by a lock so that
concurrent requests never see SQLITE_BUSY. One writer also keeps its page cache: a commit made on another connection
makes SQLite drop a connection's whole cache, so writers on many threads would each read the (agency, id) index
back from the file for every batch.
"""

from __future__ import annotations

import functools
import json
import operator
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import orjson

from hub.records import Agency, AgencyKey, AgencyStatus, KeyStatus, RegistryChange, StoredBatch, StoredSignal
from hub.storage import BatchExistsError, SignalAge, StorageError, WithdrawalExistsError, chunks

__all__ = ["SQLiteStorage"]

T = TypeVar("T")

# No index on observed_at: no query reads by it, and with observed_at values in every order it cost about as much per
# stored signal as the (agency, id) index that dedupe needs (bench/ingest.py; docs/benchmarks.md). Its text with
# mixed UTC offsets would not sort by time either. Databases made before lose it when they are next opened.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS agencies (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agency_keys (
    kid TEXT PRIMARY KEY, agency TEXT NOT NULL REFERENCES agencies(code), jwk TEXT NOT NULL, status TEXT NOT NULL,
    not_before TEXT NOT NULL, not_after TEXT, added_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS registry_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, agency TEXT NOT NULL, actor TEXT NOT NULL,
    at TEXT NOT NULL, details TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    jti TEXT PRIMARY KEY, agency TEXT NOT NULL, sha256 TEXT NOT NULL, received_at TEXT NOT NULL,
    receipt TEXT NOT NULL, via TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL, agency TEXT NOT NULL, batch TEXT NOT NULL, received_at TEXT NOT NULL,
    observed_at TEXT NOT NULL, organisation_kind TEXT NOT NULL, kind TEXT NOT NULL, municipality TEXT,
    document TEXT NOT NULL,
    UNIQUE (agency, id)
);
DROP INDEX IF EXISTS signals_observed;
CREATE INDEX IF NOT EXISTS batches_sha256 ON batches (sha256);
CREATE TABLE IF NOT EXISTS refusals (
    code TEXT NOT NULL, agency TEXT NOT NULL DEFAULT '', count INTEGER NOT NULL, PRIMARY KEY (code, agency)
);
"""


# Withdrawal (hub/withdrawal.py): tables made on first use, so older databases gain them.
_REMOVAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS tombstones (
    agency TEXT NOT NULL, id TEXT NOT NULL, removed_at TEXT NOT NULL, cause TEXT NOT NULL, reference TEXT NOT NULL,
    PRIMARY KEY (agency, id, cause)
);
-- A signal with a tombstone never comes back: the fast path's plain INSERT is refused as for a duplicate, and the
-- fallback (existing_signal_ids) counts it as received.
CREATE TRIGGER IF NOT EXISTS signals_tombstoned_stay_out BEFORE INSERT ON signals
WHEN EXISTS (SELECT 1 FROM tombstones WHERE agency = NEW.agency AND id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the signal was removed before'); END;
CREATE TABLE IF NOT EXISTS withdrawals (
    jti TEXT PRIMARY KEY, agency TEXT NOT NULL, sha256 TEXT NOT NULL, received_at TEXT NOT NULL, receipt TEXT NOT NULL
);
-- Retention (hub/retention.py): the signals whose text was taken out of their document, and when and why.
CREATE TABLE IF NOT EXISTS text_removals (
    agency TEXT NOT NULL, id TEXT NOT NULL, removed_at TEXT NOT NULL, cause TEXT NOT NULL, reference TEXT NOT NULL,
    PRIMARY KEY (agency, id)
);
"""

_CACHE_KIB = 32 * 1024  # page cache per connection (SQLite's default is 2 MiB)
_CHECKPOINT_PAGES = 8192  # checkpoint the WAL at about 32 MiB (default 1000 pages, about 4 MiB)


def _document_text(document: dict[str, Any]) -> bytes | str:
    """Compact JSON of a stored signal document (non-ASCII kept as is), as ``json.dumps`` would write it: UTF-8 bytes
    from orjson, stored as TEXT by the insert's ``CAST`` (decoding them to ``str`` only for sqlite3 to encode them
    back to UTF-8 cost about 3 % of the ingest path's instructions), or a ``str`` from ``json``.

    orjson is about ten times faster. ``json`` stays for what orjson writes differently or refuses: documents with
    ``extensions`` (free-form values, where a float NaN or infinity could hide that orjson would write as null),
    integers beyond 64 bits and strings with lone surrogates.
    """
    if "extensions" not in document:
        try:
            return orjson.dumps(document)
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _document_texts(documents: Sequence[dict[str, Any]]) -> list[bytes] | list[bytes | str]:
    """:func:`_document_text` of each document: in the usual case (no ``extensions``, nothing orjson refuses)
    without a call per document."""
    # any("extensions" in document ...) without a Python-level loop
    if not any(map(operator.contains, documents, repeat("extensions"))):
        dumps = orjson.dumps
        try:
            return [dumps(document) for document in documents]
        except (TypeError, orjson.JSONEncodeError):
            pass
    return [_document_text(document) for document in documents]


_NO_LOCATION: Mapping[str, Any] = MappingProxyType({})
_SIGNAL_COLUMNS = (
    " INTO signals (id, agency, batch, received_at, observed_at, organisation_kind, kind, municipality, document)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))"
)


def _signal_rows(
    agency: str, batch: str, received_at: str | None, signals: Sequence[tuple[str, dict[str, Any]]]
) -> list[tuple[Any, ...]]:
    """The signals table's rows of one batch's signals (id, document)."""
    texts = _document_texts([document for _, document in signals])
    return [
        (
            sid,
            agency,
            batch,
            received_at,
            document["observed_at"],
            document["source"]["organisation_kind"],
            document["kind"],
            (document.get("location") or _NO_LOCATION).get("municipality"),
            text,
        )
        for (sid, document), text in zip(signals, texts, strict=True)
    ]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _must(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _storage_errors(cls: type[T]) -> type[T]:
    """Wrap every public method so that a failing database surfaces as :class:`StorageError` (HTTP 503, retried),
    never as a raw ``sqlite3`` error; the message names the kind of failure, never the data."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as exc:
                raise StorageError(f"the hub database failed ({type(exc).__name__})") from exc

        return guarded

    for name, member in list(vars(cls).items()):
        if callable(member) and not name.startswith("_"):
            setattr(cls, name, wrap(member))
    return cls


@_storage_errors
class SQLiteStorage:
    """:class:`hub.storage.Storage` on SQLite (WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        with self._write:
            self._write_conn().executescript(_SCHEMA)

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the hub database: {exc}") from None
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
        conn.execute("PRAGMA foreign_keys=ON")
        # Ingest inserts 500-signal batches with random ids: a larger page cache keeps the (agency, id) index in
        # memory, and rarer checkpoints write each hot index page to the database file once instead of often.
        conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
        return conn

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, for reads."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def _write_conn(self) -> sqlite3.Connection:
        """The connection every write goes through; only with ``self._write`` held."""
        if self._writer is None:
            self._writer = self._open()
        return self._writer

    def _tx(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        with self._write:
            conn = self._write_conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    conn.execute(sql, params)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _change_row(change: RegistryChange) -> tuple[str, Sequence[Any]]:
        return (
            "INSERT INTO registry_changes (event, agency, actor, at, details) VALUES (?, ?, ?, ?, ?)",
            (
                change.event,
                change.agency,
                change.actor,
                _iso(change.at),
                json.dumps(change.details, sort_keys=True),
            ),
        )

    # agencies and keys -------------------------------------------------------------------------------------------
    def add_agency(
        self, agency: Agency, change: RegistryChange, keys: Sequence[tuple[AgencyKey, RegistryChange]] = ()
    ) -> None:
        sql = "INSERT INTO agencies (code, name, kind, status, created_at) VALUES (?, ?, ?, ?, ?)"
        row = (agency.code, agency.name, agency.kind, agency.status.value, _iso(agency.created_at))
        statements = [(sql, row), self._change_row(change)]
        for key, key_change in keys:  # the agency and its first keys in one transaction: all or nothing
            statements += [self._key_row(key), self._change_row(key_change)]
        self._tx(statements)

    def get_agency(self, code: str) -> Agency | None:
        row = self._conn().execute("SELECT * FROM agencies WHERE code = ?", (code,)).fetchone()
        return None if row is None else Agency(row[0], row[1], row[2], AgencyStatus(row[3]), _must(row[4]))

    def list_agencies(self) -> list[Agency]:
        rows = self._conn().execute("SELECT * FROM agencies ORDER BY code").fetchall()
        return [Agency(r[0], r[1], r[2], AgencyStatus(r[3]), _must(r[4])) for r in rows]

    def set_agency_status(self, code: str, status: AgencyStatus, change: RegistryChange) -> None:
        self._tx(
            [
                ("UPDATE agencies SET status = ? WHERE code = ?", (status.value, code)),
                self._change_row(change),
            ]
        )

    def add_key(self, key: AgencyKey, change: RegistryChange) -> None:
        self._tx([self._key_row(key), self._change_row(change)])

    @staticmethod
    def _key_row(key: AgencyKey) -> tuple[str, Sequence[Any]]:
        sql = (
            "INSERT INTO agency_keys (kid, agency, jwk, status, not_before, not_after, added_at, revoked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        row = (
            key.kid,
            key.agency,
            json.dumps(key.jwk, sort_keys=True),
            key.status.value,
            _iso(key.not_before),
            _iso(key.not_after),
            _iso(key.added_at),
            _iso(key.revoked_at),
        )
        return sql, row

    @staticmethod
    def _key(row: sqlite3.Row | tuple[Any, ...]) -> AgencyKey:
        return AgencyKey(
            kid=row[0],
            agency=row[1],
            jwk=json.loads(row[2]),
            status=KeyStatus(row[3]),
            not_before=_must(row[4]),
            not_after=_dt(row[5]),
            added_at=_must(row[6]),
            revoked_at=_dt(row[7]),
        )

    def get_key(self, kid: str) -> AgencyKey | None:
        row = self._conn().execute("SELECT * FROM agency_keys WHERE kid = ?", (kid,)).fetchone()
        return None if row is None else self._key(row)

    def keys_of(self, agency: str) -> list[AgencyKey]:
        rows = self._conn().execute("SELECT * FROM agency_keys WHERE agency = ? ORDER BY added_at", (agency,))
        return [self._key(r) for r in rows.fetchall()]

    def set_key_status(self, kid: str, status: KeyStatus, revoked_at: datetime | None, change: RegistryChange) -> None:
        sql = "UPDATE agency_keys SET status = ?, revoked_at = ? WHERE kid = ?"
        self._tx([(sql, (status.value, _iso(revoked_at), kid)), self._change_row(change)])

    def record_change(self, change: RegistryChange) -> None:
        self._tx([self._change_row(change)])

    def registry_changes(self, agency: str | None = None) -> list[RegistryChange]:
        sql = "SELECT event, agency, actor, at, details FROM registry_changes"
        rows = (
            self._conn()
            .execute(
                sql + (" WHERE agency = ? ORDER BY seq" if agency else " ORDER BY seq"),
                (agency,) if agency else (),
            )
            .fetchall()
        )
        return [RegistryChange(r[0], r[1], r[2], _must(r[3]), json.loads(r[4])) for r in rows]

    # batches and signals -----------------------------------------------------------------------------------------
    def find_batch(self, jti: str) -> StoredBatch | None:
        return self._batch(self._conn().execute("SELECT * FROM batches WHERE jti = ?", (jti,)).fetchone())

    def find_batch_by_hash(self, sha256: str) -> StoredBatch | None:
        # Imports carry no token (empty hash) and must never match.
        row = self._conn().execute("SELECT * FROM batches WHERE sha256 = ? AND sha256 != ''", (sha256,)).fetchone()
        return self._batch(row)

    @staticmethod
    def _batch(row: tuple[Any, ...] | None) -> StoredBatch | None:
        if row is None:
            return None
        return StoredBatch(row[0], row[1], row[2], _must(row[3]), json.loads(row[4]), row[5])

    def existing_signal_ids(self, agency: str, ids: Sequence[str]) -> set[str]:
        # A withdrawn or deleted signal counts as received: a connector's late retry must not bring it back.
        self._removal_tables()
        found: set[str] = set()
        conn = self._conn()
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            rows = conn.execute(f"SELECT id FROM signals WHERE agency = ? AND id IN ({marks})", (agency, *part))
            found.update(r[0] for r in rows)
            rows = conn.execute(f"SELECT id FROM tombstones WHERE agency = ? AND id IN ({marks})", (agency, *part))
            found.update(r[0] for r in rows)
        return found

    @staticmethod
    def _batch_row(batch: StoredBatch) -> tuple[Any, ...]:
        # The receipt lists every accepted id: orjson writes it several times faster than json (read back the same).
        try:
            receipt: bytes | str = orjson.dumps(batch.receipt)
        except (TypeError, orjson.JSONEncodeError):
            receipt = json.dumps(batch.receipt)
        return (batch.jti, batch.agency, batch.sha256, _iso(batch.received_at), receipt, batch.via)

    def save_batch(self, batch: StoredBatch, signals: Sequence[StoredSignal]) -> None:
        # The signals of one batch share their arrival time: format it once.
        iso = {moment: _iso(moment) for moment in {s.received_at for s in signals}}
        signal_rows = [
            row for s in signals for row in _signal_rows(s.agency, s.batch, iso[s.received_at], [(s.id, s.document)])
        ]
        if not self._insert(batch, "INSERT OR IGNORE", signal_rows):
            raise BatchExistsError(f"batch {batch.jti} is already stored")

    def save_new_batch(self, batch: StoredBatch, signals: Sequence[tuple[str, dict[str, Any]]]) -> bool:
        agency, jti, iso = batch.agency, batch.jti, _iso(batch.received_at)
        signal_rows = _signal_rows(agency, jti, iso, signals)
        # A plain INSERT: the unique (agency, id) index refuses a signal stored before, which rolls everything back.
        return self._insert(batch, "INSERT", signal_rows)

    def _insert(self, batch: StoredBatch, insert: str, signal_rows: Sequence[tuple[Any, ...]]) -> bool:
        """The batch row and its signal rows in one transaction; False when ``insert`` refused a signal row."""
        batch_row = self._batch_row(batch)
        with self._write:
            conn = self._write_conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                try:
                    conn.execute("INSERT INTO batches VALUES (?, ?, ?, ?, CAST(? AS TEXT), ?)", batch_row)
                except sqlite3.IntegrityError:
                    raise BatchExistsError(f"batch {batch.jti} is already stored") from None
                try:
                    conn.executemany(insert + _SIGNAL_COLUMNS, signal_rows)
                except sqlite3.IntegrityError:
                    conn.execute("ROLLBACK")
                    return False
                conn.execute("COMMIT")
                return True
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def count_refusal(self, code: str, agency: str | None, n: int = 1) -> None:
        sql = (
            "INSERT INTO refusals (code, agency, count) VALUES (?, ?, ?)"
            " ON CONFLICT (code, agency) DO UPDATE SET count = count + excluded.count"
        )
        self._tx([(sql, (code, agency or "", n))])

    def signals_after(self, sequence: int, limit: int) -> list[tuple[int, StoredSignal]]:
        rows = self._conn().execute(
            "SELECT seq, id, agency, batch, received_at, document FROM signals WHERE seq > ? ORDER BY seq LIMIT ?",
            (sequence, limit),
        )
        return [(r[0], StoredSignal(r[1], r[2], r[3], _must(r[4]), json.loads(r[5]))) for r in rows.fetchall()]

    def count_signals(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM signals").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        conn = self._conn()
        refusals: dict[str, int] = {}
        for code, count in conn.execute("SELECT code, sum(count) FROM refusals GROUP BY code ORDER BY code"):
            refusals[code] = int(count)
        return {
            "agencies": int(conn.execute("SELECT count(*) FROM agencies").fetchone()[0]),
            "batches": int(conn.execute("SELECT count(*) FROM batches").fetchone()[0]),
            "signals": int(conn.execute("SELECT count(*) FROM signals").fetchone()[0]),
            "refusals": refusals,
        }

    # withdrawal and retention ---------------------------------------------------------------------------------------
    def _removal_tables(self) -> None:
        if not getattr(self, "_removal_ready", False):
            with self._write:
                self._write_conn().executescript(_REMOVAL_SCHEMA)
            self._removal_ready = True

    def signals_of(self, agency: str, ids: Sequence[str]) -> list[tuple[int, StoredSignal]]:
        out: list[tuple[int, StoredSignal]] = []
        conn = self._conn()
        for part in chunks(list(dict.fromkeys(ids))):
            rows = conn.execute(
                "SELECT seq, id, agency, batch, received_at, document FROM signals"
                f" WHERE agency = ? AND id IN ({','.join('?' * len(part))}) ORDER BY seq",
                (agency, *part),
            )
            out += [(r[0], StoredSignal(r[1], r[2], r[3], _must(r[4]), json.loads(r[5]))) for r in rows.fetchall()]
        return sorted(out, key=operator.itemgetter(0))

    def tombstoned_ids(self, agency: str, ids: Sequence[str], cause: str = "withdrawal") -> set[str]:
        self._removal_tables()
        found: set[str] = set()
        conn = self._conn()
        for part in chunks(list(ids)):
            rows = conn.execute(
                f"SELECT id FROM tombstones WHERE agency = ? AND cause = ? AND id IN ({','.join('?' * len(part))})",
                (agency, cause, *part),
            )
            found.update(r[0] for r in rows)
        return found

    def find_withdrawal(self, jti: str) -> tuple[str, str, dict[str, Any]] | None:
        self._removal_tables()
        row = self._conn().execute("SELECT agency, sha256, receipt FROM withdrawals WHERE jti = ?", (jti,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), json.loads(row[2]))

    def remove_signals(
        self,
        agency: str,
        ids: Sequence[str],
        at: datetime,
        *,
        cause: str,
        reference: str,
        withdrawal: tuple[str, str, dict[str, Any]] | None = None,
    ) -> list[str]:
        self._removal_tables()
        when = _iso(at)
        removed: list[str] = []
        with self._removal() as conn:
            if withdrawal is not None:
                jti, sha256, receipt = withdrawal
                if conn.execute("SELECT 1 FROM withdrawals WHERE jti = ?", (jti,)).fetchone() is not None:
                    raise WithdrawalExistsError(f"withdrawal {jti} is already stored")
                conn.execute(
                    "INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?)",
                    (jti, agency, sha256, when, json.dumps(receipt, sort_keys=True)),
                )
            for part in chunks(list(dict.fromkeys(ids))):
                marks = ",".join("?" * len(part))
                rows = conn.execute(f"SELECT id FROM signals WHERE agency = ? AND id IN ({marks})", (agency, *part))
                present = [str(r[0]) for r in rows.fetchall()]
                conn.execute(f"DELETE FROM signals WHERE agency = ? AND id IN ({marks})", (agency, *part))
                conn.executemany(
                    "INSERT OR REPLACE INTO tombstones VALUES (?, ?, ?, ?, ?)",
                    [(agency, sid, when, cause, reference) for sid in present],
                )
                removed += present
        return removed

    @contextmanager
    def _removal(self) -> Iterator[sqlite3.Connection]:
        """The removal tables, and one write transaction on the writer (rolled back on any exception)."""
        self._removal_tables()
        with self._write:
            conn = self._write_conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def tombstones(self, agency: str | None = None) -> list[tuple[str, str, str, str, str]]:
        self._removal_tables()
        sql = "SELECT agency, id, removed_at, cause, reference FROM tombstones"
        rows = self._conn().execute(
            sql + (" WHERE agency = ? ORDER BY removed_at, id" if agency else " ORDER BY removed_at, id"),
            (agency,) if agency else (),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows.fetchall()]

    def signal_ages(self, after: int, limit: int) -> list[SignalAge]:
        self._removal_tables()
        rows = self._conn().execute(
            "SELECT seq, agency, id, organisation_kind, observed_at,"
            " NOT EXISTS (SELECT 1 FROM text_removals t WHERE t.agency = s.agency AND t.id = s.id)"
            " FROM signals s WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        )
        return [SignalAge(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), bool(r[5])) for r in rows.fetchall()]

    def remove_texts(self, agency: str, ids: Sequence[str], at: datetime, *, cause: str, reference: str) -> list[str]:
        when = _iso(at)
        removed: list[str] = []
        with self._removal() as conn:
            for part in chunks(list(dict.fromkeys(ids))):
                rows = conn.execute(
                    "SELECT seq, id, document FROM signals s"
                    f" WHERE agency = ? AND id IN ({','.join('?' * len(part))}) AND NOT EXISTS"
                    " (SELECT 1 FROM text_removals t WHERE t.agency = s.agency AND t.id = s.id)",
                    (agency, *part),
                ).fetchall()
                for seq, _, text in rows:
                    document = json.loads(text)
                    document.pop("text", None)
                    conn.execute(
                        "UPDATE signals SET document = CAST(? AS TEXT) WHERE seq = ?", (_document_text(document), seq)
                    )
                conn.executemany(
                    "INSERT INTO text_removals VALUES (?, ?, ?, ?, ?)",
                    [(agency, str(r[1]), when, cause, reference) for r in rows],
                )
                removed += [str(r[1]) for r in rows]
        return removed

    def ping(self) -> bool:
        try:
            return self._conn().execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._write:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
