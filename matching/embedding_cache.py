# SPDX-License-Identifier: EUPL-1.2
"""A persistent cache of embeddings, so a text is embedded once per model, and :class:`CachedEmbedder` that uses it.

Vectors live in one SQLite database (WAL) in a data folder, keyed by (embedder name, SHA-256 of the exact text) and
stored as little-endian float32 bytes. The text itself is never stored: the key is a one-way hash. Because the
embedder's ``name`` is part of the key, and names change with the model and with every option that changes the
vectors, switching models never mixes vectors of two models; the old model's rows simply stop being read
(:meth:`EmbeddingCache.clear` removes them).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import numpy as np

from governance.errors import HartslagError, InvalidInputError
from matching.embedder import Embedder, Matrix, l2_normalise

__all__ = ["CACHE_FILENAME", "CachedEmbedder", "EmbeddingCache", "text_key"]

CACHE_FILENAME = "embeddings.sqlite3"
# Stay well below SQLite's bound-parameter limit (999 on old builds) when looking up many keys at once.
_LOOKUP_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    embedder   TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    dimension  INTEGER NOT NULL,
    vector     BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (embedder, key)
) WITHOUT ROWID
"""


def text_key(text: str) -> str:
    """The cache key of a text: the SHA-256 hex digest of its exact UTF-8 bytes (no normalisation)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings by (embedder name, text key) in ``folder/embeddings.sqlite3``; safe to share between threads."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / CACHE_FILENAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def get_many(self, embedder: str, keys: Iterable[str], dimension: int) -> dict[str, Matrix]:
        """The cached vectors of ``embedder`` for those ``keys`` that are present with the expected ``dimension``."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Matrix] = {}
        with self._lock:
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, dimension, vector FROM embeddings WHERE embedder = ? AND key IN ({marks})",
                    (embedder, *chunk),
                ).fetchall()
                for key, stored_dimension, blob in rows:
                    # A row of another shape (a corrupted write, a reused name) is a miss, never a wrong vector.
                    if stored_dimension == dimension and len(blob) == 4 * dimension:
                        found[key] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
        return found

    def put_many(self, embedder: str, vectors: Mapping[str, Matrix]) -> None:
        """Store (or replace) one vector per key for ``embedder``, in one transaction."""
        now = datetime.now(UTC).isoformat()
        rows = []
        for key, vector in vectors.items():
            flat = np.asarray(vector, dtype="<f4").reshape(-1)
            rows.append((embedder, key, int(flat.shape[0]), flat.tobytes(), now))
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (embedder, key, dimension, vector, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def count(self, embedder: str | None = None) -> int:
        """How many vectors are stored, for one embedder or for all."""
        with self._lock:
            if embedder is None:
                row = self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()
            else:
                row = self._db.execute("SELECT COUNT(*) FROM embeddings WHERE embedder = ?", (embedder,)).fetchone()
        return int(row[0])

    def embedder_names(self) -> list[str]:
        """The names of the embedders that have vectors in the cache, sorted."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT embedder FROM embeddings ORDER BY embedder").fetchall()
        return [str(name) for (name,) in rows]

    def clear(self, embedder: str | None = None) -> int:
        """Delete the vectors of one embedder (or all); returns how many rows went."""
        with self._lock, self._transaction():
            if embedder is None:
                cursor = self._db.execute("DELETE FROM embeddings")
            else:
                cursor = self._db.execute("DELETE FROM embeddings WHERE embedder = ?", (embedder,))
        return int(cursor.rowcount)

    def forget(self, keys: Iterable[str]) -> int:
        """Delete the vectors of these text keys for every embedder (a withdrawn or expired text); returns how many
        rows went. Keys that are absent are ignored."""
        wanted = list(dict.fromkeys(keys))
        removed = 0
        with self._lock, self._transaction():
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                cursor = self._db.execute(f"DELETE FROM embeddings WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                removed += int(cursor.rowcount)
        return removed

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN … COMMIT, or ROLLBACK on an exception (the connection runs in autocommit mode otherwise)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


class CachedEmbedder:
    """An :class:`~matching.embedder.Embedder` that asks ``cache`` first and embeds only the misses, in batches.

    Same ``name`` and ``dimension`` as the wrapped embedder. A text that occurs several times in one call is embedded
    once. ``hits`` and ``misses`` count texts (after de-duplication) over the object's lifetime.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, *, batch_size: int = 256) -> None:
        if batch_size < 1:
            raise InvalidInputError("batch_size must be at least 1", code="invalid-embedder-option")
        self.embedder = embedder
        self.cache = cache
        self.batch_size = batch_size
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.hits = 0
        self.misses = 0

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts``: cached rows come from the cache, the rest from the wrapped embedder (then cached)."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [text_key(text) for text in texts]
        unique = dict(zip(keys, texts, strict=True))
        vectors = self.cache.get_many(self.name, unique, self.dimension)
        missing = [key for key in unique if key not in vectors]
        self.hits += len(unique) - len(missing)
        self.misses += len(missing)
        for batch in _chunks(missing, self.batch_size):
            computed = l2_normalise(self.embedder.embed([unique[key] for key in batch]))
            if computed.shape != (len(batch), self.dimension):
                raise HartslagError(
                    f"embedder {self.name!r} returned shape {computed.shape},"
                    f" expected ({len(batch)}, {self.dimension})",
                    code="embedder-output-mismatch",
                )
            fresh = dict(zip(batch, computed, strict=True))
            self.cache.put_many(self.name, fresh)
            vectors.update(fresh)
        return np.ascontiguousarray(np.stack([vectors[key] for key in keys]), dtype=np.float32)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
