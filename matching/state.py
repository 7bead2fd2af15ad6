# SPDX-License-Identifier: EUPL-1.2
"""The matching state: what has been processed, which signal is in which cluster, and the clusters themselves.

One SQLite database (WAL), ``matching.db`` in the data folder, separate from the hub's own database, so runs are
incremental and restartable: a run reads the records after :attr:`MatchingState.watermark` from a
:class:`SignalSource` and commits its writes and the new watermark in one transaction.

Tables:

- ``meta``: key/value (``watermark``, the event-time ``epoch``, ``next_cluster_id``, ``fingerprint`` of the
  settings that change results).
- ``signals``: per signal the hub's sequence number and id, the coarse facts detectors group by (agency,
  organisation kind, municipality, province, kind, the source's themes, assigned themes), the event time
  (``observed_at``, UTC microseconds), the cluster and how it got there (``online`` or ``recluster``), and, only
  while the signal is inside the re-clustering window, its vector (float32 bytes) and text (anonymised at the
  source; needed for keywords). Both are cleared once the window passes (:meth:`MatchingState.prune`).
- ``clusters``: id, centroid (float32 bytes), size, first/last event time, label, keywords and representatives
  (sequence numbers, never text), majority themes, status (``active``, ``dormant``, ``merged``, ``dissolved``) and
  lineage (``merged_into``, ``split_from``).

The hub feeds matching through :class:`SignalSource` with :class:`SignalRecord` values; matching never imports hub.
Those types live in :mod:`matching.records` and are re-exported here, so ``from matching.state import
SignalRecord, SignalSource`` is the one import the hub needs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from governance.sqlite_file import open_wal
from matching.embedder import Matrix
from matching.records import (
    CLUSTER_STATUSES,
    ClusterRow,
    SignalFacts,
    SignalRecord,
    SignalSource,
    StoredSignal,
    Window,
    from_micros,
    to_micros,
)

__all__ = [
    "CLUSTER_STATUSES",
    "STATE_FILENAME",
    "ClusterRow",
    "MatchingState",
    "SignalFacts",
    "SignalRecord",
    "SignalSource",
    "StoredSignal",
    "Window",
    "from_micros",
    "to_micros",
]

STATE_FILENAME = "matching.db"
_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signals (
    seq               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    agency            TEXT    NOT NULL,
    organisation_kind TEXT    NOT NULL,
    municipality      TEXT,
    province          TEXT,
    kind              TEXT    NOT NULL,
    observed_us       INTEGER NOT NULL,
    themes            TEXT    NOT NULL,
    policy_refs       TEXT    NOT NULL DEFAULT '[]',
    assigned_themes   TEXT    NOT NULL DEFAULT '[]',
    cluster_id        INTEGER,
    assigned_by       TEXT,
    similarity        REAL,
    vector            BLOB,
    text              TEXT
);
CREATE INDEX IF NOT EXISTS signals_cluster ON signals (cluster_id, observed_us);
CREATE INDEX IF NOT EXISTS signals_time ON signals (observed_us);
CREATE TABLE IF NOT EXISTS clusters (
    id              INTEGER PRIMARY KEY,
    centroid        BLOB    NOT NULL,
    size            INTEGER NOT NULL,
    first_seen_us   INTEGER NOT NULL,
    last_seen_us    INTEGER NOT NULL,
    label           TEXT    NOT NULL DEFAULT '',
    keywords        TEXT    NOT NULL DEFAULT '[]',
    representatives TEXT    NOT NULL DEFAULT '[]',
    themes          TEXT    NOT NULL DEFAULT '[]',
    status          TEXT    NOT NULL,
    merged_into     INTEGER,
    split_from      INTEGER,
    updated_us      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clusters_status ON clusters (status);
"""


class MatchingState:
    """``folder/matching.db``: safe to share between threads; writes go through :meth:`transaction`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STATE_FILENAME
        self._lock = threading.RLock()
        # sqlite3.OperationalError keeps what callers saw before (a sqlite3.Error), now with a data-free message.
        self._db = open_wal(self.path, _SCHEMA, sqlite3.OperationalError, "the matching state")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._depth = 0

    # --- transactions and meta ---------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on an exception); nested use joins the outer transaction."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._depth == 1:
                    self._db.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._db.execute("COMMIT")
            finally:
                self._depth -= 1

    def get_meta(self, key: str) -> str | None:
        """A meta value, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def watermark(self) -> int:
        """The highest sequence number processed (0 before the first run)."""
        value = self.get_meta("watermark")
        return int(value) if value is not None else 0

    # --- signals -----------------------------------------------------------------------------------------------

    def add_signals(self, signals: Sequence[StoredSignal]) -> None:
        """Insert (or, on a replay after a crash, replace) processed signals."""
        rows = [
            (
                s.record.seq, s.record.id, s.record.agency, s.record.organisation_kind, s.record.municipality,
                s.record.province, s.record.kind, to_micros(s.record.observed_at), json.dumps(list(s.record.themes)),
                json.dumps(list(s.record.policy_refs)), json.dumps([[t, c] for t, c in s.assigned_themes]),
                s.cluster_id, None if s.cluster_id is None else "online", s.similarity,
                np.asarray(s.vector, dtype="<f4").tobytes(), s.record.text,
            )
            for s in signals
        ]  # fmt: skip
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO signals (seq, id, agency, organisation_kind, municipality, province, kind,"
                " observed_us, themes, policy_refs, assigned_themes, cluster_id, assigned_by, similarity, vector, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def window(self, start: datetime, end: datetime, dimension: int, *, max_seq: int | None = None) -> Window:
        """Signals with ``start <= observed_at < end`` (and ``seq <= max_seq``) that still hold their vector."""
        limit = max_seq if max_seq is not None else 2**63 - 1
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_WINDOW_COLUMNS} FROM signals"
                " WHERE observed_us >= ? AND observed_us < ? AND seq <= ? AND vector IS NOT NULL ORDER BY seq",
                (to_micros(start), to_micros(end), limit),
            ).fetchall()
        return _window(rows, dimension)

    def window_of(self, seqs: Sequence[int], dimension: int) -> Window:
        """These signals (those that still hold their vector), in ``seq`` order."""
        wanted = sorted(set(int(s) for s in seqs))
        rows: list[Any] = []
        with self._lock:
            for first in range(0, len(wanted), _CHUNK):
                chunk = wanted[first : first + _CHUNK]
                rows += self._db.execute(
                    f"SELECT {_WINDOW_COLUMNS} FROM signals"
                    f" WHERE seq IN ({','.join('?' * len(chunk))}) AND vector IS NOT NULL ORDER BY seq",
                    chunk,
                ).fetchall()
        return _window(rows, dimension)

    def stored_vectors(self, after_seq: int, dimension: int) -> tuple[npt.NDArray[np.int64], Matrix]:
        """Sequence numbers and vectors of signals above ``after_seq`` that still hold a vector (index catch-up)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, vector FROM signals WHERE seq > ? AND vector IS NOT NULL ORDER BY seq", (after_seq,)
            ).fetchall()
        vectors = np.zeros((len(rows), dimension), dtype=np.float32)
        for i, row in enumerate(rows):
            vectors[i] = np.frombuffer(row[1], dtype="<f4")
        return np.array([r[0] for r in rows], dtype=np.int64), vectors

    def seqs_with_text(self, start: datetime, end: datetime) -> list[int]:
        """Sequence numbers of the signals with ``start <= observed_at < end`` that still hold their text."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq FROM signals WHERE observed_us >= ? AND observed_us < ? AND text IS NOT NULL ORDER BY seq",
                (to_micros(start), to_micros(end)),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def texts_of(self, seqs: Sequence[int]) -> dict[int, str]:
        """``seq -> text`` of these signals (those that still hold their text)."""
        wanted = sorted(set(int(s) for s in seqs))
        out: dict[int, str] = {}
        with self._lock:
            for first in range(0, len(wanted), _CHUNK):
                chunk = wanted[first : first + _CHUNK]
                rows = self._db.execute(
                    f"SELECT seq, text FROM signals WHERE seq IN ({','.join('?' * len(chunk))}) AND text IS NOT NULL",
                    chunk,
                ).fetchall()
                out.update({int(seq): str(text) for seq, text in rows})
        return out

    def set_assignments(self, seqs: Sequence[int], cluster_ids: Sequence[int | None], how: str) -> None:
        """Set the cluster of these signals (``None``: unassigned), recording how (``online``/``recluster``)."""
        rows = [(cid, None if cid is None else how, int(seq)) for seq, cid in zip(seqs, cluster_ids, strict=True)]
        with self._lock:
            self._db.executemany("UPDATE signals SET cluster_id = ?, assigned_by = ? WHERE seq = ?", rows)

    def move_members(self, old_id: int, new_id: int) -> None:
        """Move every member of ``old_id`` (also those outside the window) to ``new_id``."""
        with self._lock:
            self._db.execute("UPDATE signals SET cluster_id = ? WHERE cluster_id = ?", (new_id, old_id))

    def prune(self, before: datetime) -> int:
        """Drop vector and text of signals observed before ``before``; returns how many were pruned."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE signals SET vector = NULL, text = NULL WHERE observed_us < ? AND vector IS NOT NULL",
                (to_micros(before),),
            )
        return int(cursor.rowcount)

    def member_ids_between(self, cluster_id: int, start: datetime, end: datetime, *, limit: int) -> list[str]:
        """Signal ids of a cluster's members observed in ``[start, end)``, in ``seq`` order, at most ``limit``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM signals WHERE cluster_id = ? AND observed_us >= ? AND observed_us < ? ORDER BY seq"
                " LIMIT ?",
                (cluster_id, to_micros(start), to_micros(end), limit),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def members(self, cluster_id: int) -> list[int]:
        """Sequence numbers of a cluster's members, ascending."""
        with self._lock:
            rows = self._db.execute("SELECT seq FROM signals WHERE cluster_id = ? ORDER BY seq", (cluster_id,))
            return [int(r[0]) for r in rows.fetchall()]

    def assignments(self) -> dict[int, int | None]:
        """Every processed signal's cluster by sequence number (for tests and exports)."""
        with self._lock:
            rows = self._db.execute("SELECT seq, cluster_id FROM signals ORDER BY seq").fetchall()
        return {int(seq): (None if cid is None else int(cid)) for seq, cid in rows}

    def facts(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[tuple[int | None, SignalFacts]]:
        """``(cluster id, facts)`` of the signals with ``start <= observed_at < end``, in ``seq`` order.

        The pairs fit ``matching.activity.build_activity``; ``None`` is an unassigned signal.
        """
        low = to_micros(start) if start is not None else -(2**63)
        high = to_micros(end) if end is not None else 2**63 - 1
        yield from self._facts("observed_us >= ? AND observed_us < ?", (low, high))

    def _facts(self, where: str, args: tuple[int, ...]) -> list[tuple[int | None, SignalFacts]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT cluster_id, seq, id, agency, organisation_kind, municipality, province, observed_us, kind,"
                f" themes, assigned_themes, policy_refs FROM signals WHERE {where} ORDER BY seq",
                args,
            ).fetchall()
        out: list[tuple[int | None, SignalFacts]] = []
        for row in rows:
            own = tuple(str(t) for t in json.loads(row[9]))
            themes = own if own else tuple(str(t) for t, _ in json.loads(row[10]))
            facts = SignalFacts(
                seq=int(row[1]), id=str(row[2]), agency=str(row[3]), organisation_kind=str(row[4]),
                municipality=row[5], province=row[6], observed_at=from_micros(row[7]), kind=str(row[8]), themes=themes,
                policy_refs=tuple(str(r) for r in json.loads(row[11])),
            )  # fmt: skip
            out.append(((None if row[0] is None else int(row[0])), facts))
        return out

    def facts_of(self, seqs: Sequence[int]) -> list[tuple[int | None, SignalFacts]]:
        """``(cluster id, facts)`` of these signals, in ``seq`` order."""
        wanted = sorted(set(int(s) for s in seqs))
        out: list[tuple[int | None, SignalFacts]] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            out.extend(self._facts(f"seq IN ({','.join('?' * len(chunk))})", tuple(chunk)))
        return out

    def cluster_stats(self, ids: Sequence[int]) -> dict[int, tuple[int, datetime, datetime]]:
        """(size, first seen, last seen) over all members, per cluster id that has members."""
        out: dict[int, tuple[int, datetime, datetime]] = {}
        wanted = sorted(set(ids))
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT cluster_id, COUNT(*), MIN(observed_us), MAX(observed_us) FROM signals"
                    f" WHERE cluster_id IN ({marks}) GROUP BY cluster_id",
                    chunk,
                ).fetchall()
                out.update({int(c): (int(n), from_micros(lo), from_micros(hi)) for c, n, lo, hi in rows})
        return out

    # --- clusters ----------------------------------------------------------------------------------------------

    def put_clusters(self, rows: Sequence[ClusterRow]) -> None:
        """Insert or replace clusters."""
        values = [
            (
                r.id, np.asarray(r.centroid, dtype="<f4").tobytes(), r.size, to_micros(r.first_seen),
                to_micros(r.last_seen), r.label, json.dumps(list(r.keywords)), json.dumps(list(r.representatives)),
                json.dumps([[t, s] for t, s in r.themes]), r.status, r.merged_into, r.split_from,
                to_micros(r.updated_at),
            )
            for r in rows
        ]  # fmt: skip
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO clusters (id, centroid, size, first_seen_us, last_seen_us, label, keywords,"
                " representatives, themes, status, merged_into, split_from, updated_us)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def clusters(self, statuses: Sequence[str] | None = None, *, ids: Sequence[int] | None = None) -> list[ClusterRow]:
        """Clusters by id, optionally only those with one of ``statuses`` and/or one of ``ids``."""
        query = (
            "SELECT id, centroid, size, first_seen_us, last_seen_us, label, keywords, representatives, themes,"
            " status, merged_into, split_from, updated_us FROM clusters WHERE 1 = 1"
        )
        args: tuple[str | int, ...] = ()
        if statuses is not None:
            query += f" AND status IN ({','.join('?' * len(statuses))})"
            args += tuple(statuses)
        if ids is not None:
            query += f" AND id IN ({','.join('?' * len(ids))})"
            args += tuple(int(i) for i in ids)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            ClusterRow(
                id=int(r[0]), centroid=np.frombuffer(r[1], dtype="<f4").astype(np.float32), size=int(r[2]),
                first_seen=from_micros(r[3]), last_seen=from_micros(r[4]), label=str(r[5]),
                keywords=tuple(json.loads(r[6])), representatives=tuple(json.loads(r[7])),
                themes=tuple((str(t), float(s)) for t, s in json.loads(r[8])), status=str(r[9]),
                merged_into=r[10], split_from=r[11], updated_at=from_micros(r[12]),
            )
            for r in rows
        ]  # fmt: skip

    def cluster(self, cluster_id: int) -> ClusterRow | None:
        """One cluster, or None."""
        found = self.clusters(ids=[cluster_id])
        return found[0] if found else None

    def bump_clusters(self, updates: dict[int, tuple[int, datetime, datetime]]) -> None:
        """Add members to clusters online: ``id -> (added, earliest event time, latest event time)``."""
        rows = [(added, to_micros(lo), to_micros(hi), cid) for cid, (added, lo, hi) in sorted(updates.items()) if added]
        with self._lock:
            self._db.executemany(
                "UPDATE clusters SET size = size + ?, first_seen_us = MIN(first_seen_us, ?),"
                " last_seen_us = MAX(last_seen_us, ?) WHERE id = ?",
                rows,
            )

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The database connection under the state's lock, for sibling modules' own tables (alerts, policies)."""
        with self._lock:
            yield self._db

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()


_WINDOW_COLUMNS = "seq, vector, text, cluster_id, themes, assigned_themes"


def _window(rows: Sequence[Any], dimension: int) -> Window:
    """A :class:`Window` from rows of :data:`_WINDOW_COLUMNS`."""
    vectors = np.zeros((len(rows), dimension), dtype=np.float32)
    for i, row in enumerate(rows):
        vectors[i] = np.frombuffer(row[1], dtype="<f4")
    own_themes = [tuple(str(t) for t in json.loads(row[4])) for row in rows]
    themes = [
        own if own else tuple(str(t) for t, _ in json.loads(row[5])) for own, row in zip(own_themes, rows, strict=True)
    ]
    return Window(
        seqs=np.array([r[0] for r in rows], dtype=np.int64),
        vectors=vectors,
        texts=[str(r[2]) for r in rows],
        cluster_ids=np.array([-1 if r[3] is None else r[3] for r in rows], dtype=np.int64),
        own_themes=own_themes,
        themes=themes,
    )
