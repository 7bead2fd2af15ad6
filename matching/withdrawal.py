# SPDX-License-Identifier: EUPL-1.2
"""Removing signals from matching: a withdrawal by their agency, or retention (the hub calls :func:`withdraw`).

What goes, for each sequence number:

- the ``signals`` row of the state (facts, text and vector) and the signal's membership; every cluster it was in
  loses one from its size, its first and last event time are recomputed from the members left, its centroid from
  the members whose vectors are still kept (so it no longer holds the withdrawn vector), and representatives that
  pointed at it are replaced by the remaining member nearest the centroid. A cluster left without members keeps
  its id (alerts and lineage refer to it) but becomes an empty ``dormant`` one: size 0, a zero centroid (nothing
  is ever assigned to it again), no label, keywords or representatives;
- the embedding cache's vectors of its text (every key the text was embedded under: as stored by the hub, as
  stored in the state after cleaning, and cleaned again when the caller passes the cleaner), for every embedder;
- its vector in each live index passed in and in the index file, which is loaded, edited and replaced atomically.

The sequence numbers are also kept in a ``withdrawn`` table with a trigger that ignores any later insert of them.
A matching run that read a signal just before the hub deleted it therefore cannot put it back, whatever process
runs it; its vector can still reach that run's in-memory index, where nothing finds it (every search hit is
resolved through the state, and a hit without a row is dropped) and the next :func:`withdraw` removes it, since
every call purges all withdrawn numbers from the indexes it is given. Only sequence numbers are kept there.

Nothing here imports the hub. Labels and keywords of clusters that keep members are refreshed by the next
re-clustering (they are aggregate words of at least the labeller's minimum count).
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from governance.errors import RetriableError
from matching.cleaning import Cleaner
from matching.embedder import Matrix
from matching.embedding_cache import EmbeddingCache, text_key
from matching.index import VectorIndex
from matching.state import ClusterRow, MatchingState, to_micros

__all__ = [
    "WithdrawalReport",
    "WithdrawalStateError",
    "forget_texts",
    "purge_index_file",
    "withdraw",
    "withdrawn_seqs",
]

_CHUNK = 500
T = TypeVar("T")
_TABLE = "CREATE TABLE IF NOT EXISTS withdrawn (seq INTEGER PRIMARY KEY, withdrawn_us INTEGER NOT NULL)"
# A run that read the signal before the hub deleted it must not store it again (INSERT OR REPLACE included).
_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS signals_stay_withdrawn BEFORE INSERT ON signals"
    " WHEN EXISTS (SELECT 1 FROM withdrawn WHERE seq = NEW.seq) BEGIN SELECT RAISE(IGNORE); END"
)
_ATTEMPTS = 5  # the worker's transaction may hold the state's write lock for a while


class WithdrawalStateError(RetriableError):
    """The matching state stayed locked or failed; nothing was removed from it (retry)."""

    code = "matching-state-busy"


@dataclass(frozen=True)
class WithdrawalReport:
    """What :func:`withdraw` removed (counts and cluster ids only)."""

    signals: int
    clusters: tuple[int, ...]
    emptied: tuple[int, ...]
    cache_entries: int
    vectors: int
    index_file: bool


def withdraw(
    state: MatchingState,
    seqs: Sequence[int],
    *,
    now: datetime,
    texts: Iterable[str] = (),
    cache: EmbeddingCache | None = None,
    cleaner: Cleaner | None = None,
    indexes: Sequence[VectorIndex] = (),
    index_path: str | os.PathLike[str] | None = None,
) -> WithdrawalReport:
    """Remove the signals with these hub sequence numbers from matching (see the module docstring).

    ``texts`` are the signals' texts as the hub holds them (for the cache keys; they are never stored or logged).
    Idempotent: numbers that are absent are recorded as withdrawn and otherwise ignored.
    """
    wanted = sorted({int(s) for s in seqs})
    removed, touched, emptied, state_texts = _remove_from_state(state, wanted, now)
    vectors = 0
    every = withdrawn_seqs(state)
    for index in indexes:
        vectors += index.remove(every)
    on_file = purge_index_file(index_path, every) if index_path is not None else None
    entries = _forget_cached(cache, cleaner, [*texts, *state_texts])
    return WithdrawalReport(
        signals=removed,
        clusters=tuple(touched),
        emptied=tuple(emptied),
        cache_entries=entries,
        vectors=vectors + (on_file or 0),
        index_file=on_file is not None,
    )


def forget_texts(
    state: MatchingState,
    seqs: Sequence[int],
    *,
    texts: Iterable[str] = (),
    cache: EmbeddingCache | None = None,
    cleaner: Cleaner | None = None,
    indexes: Sequence[VectorIndex] = (),
    index_path: str | os.PathLike[str] | None = None,
) -> WithdrawalReport:
    """Retention's text removal: what matching derived from these signals' texts goes, the signals stay.

    The state keeps each signal's facts, cluster and membership (so every count and centroid stays as it was) but
    loses its text and vector; the embedding cache loses the texts' vectors (keys as in :func:`withdraw`), and the
    live indexes and the index file lose the signals' vectors, so no search finds them any more. Idempotent.
    """
    wanted = sorted({int(s) for s in seqs})
    state_texts = _retrying(lambda: _clear_texts(state, wanted))
    vectors = sum(index.remove(wanted) for index in indexes)
    on_file = purge_index_file(index_path, wanted) if index_path is not None else None
    entries = _forget_cached(cache, cleaner, [*texts, *state_texts])
    return WithdrawalReport(
        signals=0, clusters=(), emptied=(), cache_entries=entries, vectors=vectors + (on_file or 0),
        index_file=on_file is not None,
    )  # fmt: skip


def _forget_cached(cache: EmbeddingCache | None, cleaner: Cleaner | None, texts: Iterable[str]) -> int:
    """Drop the cache's vectors of ``texts``, under every key they were embedded under (as given, and cleaned)."""
    if cache is None:
        return 0
    keys: set[str] = set()
    for text in texts:
        keys.add(text_key(text))
        if cleaner is not None:
            keys.add(text_key(cleaner.clean(text)))
    return cache.forget(keys)


def withdrawn_seqs(state: MatchingState) -> list[int]:
    """Every sequence number withdrawn from this state, ascending (empty before the first withdrawal)."""
    with state.connection() as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'withdrawn'").fetchone()
        if exists is None:
            return []
        return [int(r[0]) for r in db.execute("SELECT seq FROM withdrawn ORDER BY seq").fetchall()]


def purge_index_file(path: str | os.PathLike[str], seqs: Sequence[int]) -> int | None:
    """Remove ``seqs`` from the index saved at ``path`` (FAISS, the default backend's file); ``None`` without a file.

    The edited index is written next to it under a name of its own and moved into place, so a matching run saving
    its own index at the same moment never interleaves with it.
    """
    target = Path(path)
    if not target.is_file():
        return None
    from matching.faiss_index import FaissIndex

    index = FaissIndex.from_file(target, auto_rebuild=False)
    removed = index.remove(seqs)
    if removed:
        scratch = target.with_name(f"{target.name}.withdrawal-{uuid.uuid4().hex}")
        index.save(scratch)
        os.replace(scratch.with_name(scratch.name + ".json"), target.with_name(target.name + ".json"))
        os.replace(scratch, target)
    return removed


# --- the state ----------------------------------------------------------------------------------------------------


def _remove_from_state(
    state: MatchingState, seqs: list[int], now: datetime
) -> tuple[int, list[int], list[int], list[str]]:
    """One state transaction: record, delete, fix clusters. Retries while another writer holds the lock."""

    def once() -> tuple[int, list[int], list[int], list[str]]:
        with state.connection() as db:
            db.execute(_TABLE)
            db.execute(_TRIGGER)
        with state.transaction():
            return _remove_rows(state, seqs, now)

    return _retrying(once)


def _retrying(action: Callable[[], T]) -> T:
    """``action`` (one state transaction), tried again while another writer holds the state's lock."""
    for attempt in range(_ATTEMPTS):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if attempt == _ATTEMPTS - 1:
                raise WithdrawalStateError(f"the matching state is unavailable ({type(exc).__name__})") from None
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _clear_texts(state: MatchingState, seqs: list[int]) -> list[str]:
    """One state transaction: the signals' texts (for the cache keys), then their text and vector cleared."""
    texts: list[str] = []
    with state.transaction(), state.connection() as db:
        for start in range(0, len(seqs), _CHUNK):
            chunk = seqs[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT text FROM signals WHERE seq IN ({marks}) AND text IS NOT NULL", chunk)
            texts += [str(r[0]) for r in rows.fetchall()]
            db.execute(f"UPDATE signals SET text = NULL, vector = NULL WHERE seq IN ({marks})", chunk)
    return texts


def _remove_rows(state: MatchingState, seqs: list[int], now: datetime) -> tuple[int, list[int], list[int], list[str]]:
    at = to_micros(now)
    removed_from: dict[int, int] = {}
    texts: list[str] = []
    removed = 0
    with state.connection() as db:
        db.executemany("INSERT OR IGNORE INTO withdrawn (seq, withdrawn_us) VALUES (?, ?)", [(s, at) for s in seqs])
        for start in range(0, len(seqs), _CHUNK):
            chunk = seqs[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT cluster_id, text FROM signals WHERE seq IN ({marks})", chunk).fetchall()
            for cluster_id, text in rows:
                if cluster_id is not None:
                    removed_from[int(cluster_id)] = removed_from.get(int(cluster_id), 0) + 1
                if text is not None:
                    texts.append(str(text))
            removed += int(db.execute(f"DELETE FROM signals WHERE seq IN ({marks})", chunk).rowcount)
    emptied = _fix_clusters(state, removed_from, set(seqs))
    return removed, sorted(removed_from), emptied, texts


def _fix_clusters(state: MatchingState, removed_from: dict[int, int], gone: set[int]) -> list[int]:
    """Sizes, times, centroids and representatives of the clusters that lost members or pointed at them."""
    rows = [row for row in state.clusters() if row.id in removed_from or gone & set(row.representatives)]
    if not rows:
        return []
    stats = state.cluster_stats([row.id for row in rows])
    emptied: list[int] = []
    updated: list[ClusterRow] = []
    for row in rows:
        lost = removed_from.get(row.id, 0)
        size = max(row.size - lost, 0)
        if row.id in stats:
            _, first, last = stats[row.id]
        else:
            first, last = row.first_seen, row.last_seen
        members = state.members(row.id)
        if not members and lost:
            emptied.append(row.id)
            updated.append(
                replace(row, size=0, centroid=np.zeros_like(row.centroid), status="dormant", first_seen=first,
                        last_seen=last, label="", keywords=(), representatives=())
            )  # fmt: skip
            continue
        vectors = _member_vectors(state, members, row.centroid.shape[0])
        centroid = row.centroid
        if lost and vectors:
            mean = np.mean(np.stack(list(vectors.values())), axis=0)
            norm = float(np.linalg.norm(mean))
            centroid = (mean / norm if norm > 0 else mean).astype(np.float32)
        representatives = _replace_representatives(row.representatives, gone, members, vectors, centroid)
        updated.append(
            replace(row, size=size, centroid=centroid, first_seen=first, last_seen=last,
                    representatives=representatives)
        )  # fmt: skip
    state.put_clusters(updated)
    return emptied


def _member_vectors(state: MatchingState, members: list[int], dimension: int) -> dict[int, Matrix]:
    """The vectors the state still keeps of these members (within the re-clustering window)."""
    out: dict[int, Matrix] = {}
    with state.connection() as db:
        for start in range(0, len(members), _CHUNK):
            chunk = members[start : start + _CHUNK]
            rows = db.execute(
                f"SELECT seq, vector FROM signals WHERE seq IN ({','.join('?' * len(chunk))}) AND vector IS NOT NULL",
                chunk,
            ).fetchall()
            for seq, blob in rows:
                vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
                if vector.shape[0] == dimension:
                    out[int(seq)] = vector
    return out


def _replace_representatives(
    current: Sequence[int], gone: set[int], members: list[int], vectors: dict[int, Matrix], centroid: Matrix
) -> tuple[int, ...]:
    """``current`` without the withdrawn ones, topped up with the remaining members nearest the centroid (members
    without a kept vector last, oldest first)."""
    kept = [s for s in current if s not in gone]
    missing = len(current) - len(kept)
    if not missing:
        return tuple(current)
    taken = set(kept)
    candidates = [s for s in members if s not in taken and s not in gone]
    candidates.sort(key=lambda s: (s not in vectors, -float(vectors[s] @ centroid) if s in vectors else 0.0, s))
    return tuple(kept + candidates[:missing])
