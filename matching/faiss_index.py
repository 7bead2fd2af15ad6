# SPDX-License-Identifier: EUPL-1.2
"""The default :class:`~matching.index.VectorIndex`: FAISS, exact while small, IVF-Flat past a size threshold.

This is the ONLY module in Hartslag that imports ``faiss`` (PyPI: ``faiss-cpu``).

- Below ``approximate_threshold`` vectors the index is exact: an ``IndexFlatIP`` inside an ``IndexIDMap2``.
- At the first rebuild past it the index becomes an ``IndexIVFFlat`` (inner product, ``nlist ≈ 4·√n`` cells,
  trained on a seeded sample, with a hashtable direct map so vectors can be read back and ids removed). ``nprobe``
  is calibrated at every build: the smallest probe count whose recall@10 against exact search reaches
  ``target_recall`` for a seeded sample of vectors held out of training and of the index while calibrating (so they
  behave like new queries; stored, trained-on vectors are easier and gave too small an ``nprobe``).
- IVF was chosen over HNSW by measurement (``bench/matching_steps.py index``: 60,000 synthetic clustered 512-d vectors,
  2 shared cores): calibrated IVF reached recall@10 0.96 at 0.4 ms per query and built in 12 s; HNSW (M=32,
  efSearch=64) 0.997 at 0.6 ms but built in 21-46 s; exact search took 16-37 ms per query. IVF also removes for
  real, which FAISS's HNSW cannot. When vectors have little cluster structure, calibration raises ``nprobe`` (up to
  every cell), trading speed for the target recall instead of silently missing neighbours.
- Adds and removes are incremental. A rebuild is worthwhile when the kind should change, when the collection
  grew ``growth_factor`` times since the last training, or when more than ``removed_fraction`` of the vectors
  present at the last build were removed; :meth:`FaissIndex.rebuild` then builds a new index from a snapshot
  *outside* the lock, replays the adds and removes that arrived meanwhile, and swaps under the lock, so searches
  continue during a rebuild in a background thread. With ``auto_rebuild`` (the default) :meth:`FaissIndex.add`
  and :meth:`FaissIndex.remove` rebuild inline when worthwhile; a worker sets it off and calls
  :meth:`FaissIndex.maybe_rebuild` from its own thread.
- :meth:`FaissIndex.save` writes ``faiss.write_index`` output and a small JSON side file atomically.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from governance.errors import InvalidInputError, NotFoundError
from governance.extras import require_extra
from matching.embedder import Matrix
from matching.index import IdArray, ScoreMatrix

require_extra("matching", "faiss")
import faiss  # noqa: E402  (after the friendly missing-extra check)

__all__ = ["DEFAULT_APPROXIMATE_THRESHOLD", "FaissIndex", "IndexKind"]

IndexKind = Literal["flat", "ivf"]
DEFAULT_APPROXIMATE_THRESHOLD = 50_000
_META_FORMAT = 1
_NPROBE_CANDIDATES = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
_CALIBRATION_QUERIES = 256
_CALIBRATION_K = 10
_Op = tuple[str, IdArray, Matrix | None]


class FaissIndex:
    """A thread-safe FAISS index over unit vectors with int64 ids (see the module docstring for the policy)."""

    def __init__(
        self,
        dimension: int,
        *,
        approximate_threshold: int = DEFAULT_APPROXIMATE_THRESHOLD,
        target_recall: float = 0.95,
        growth_factor: float = 2.0,
        removed_fraction: float = 0.2,
        auto_rebuild: bool = True,
        threads: int | None = None,
        seed: int = 0,
    ) -> None:
        if dimension < 1:
            raise InvalidInputError("dimension must be at least 1", code="invalid-index-option")
        if approximate_threshold < 1 or growth_factor <= 1.0 or not 0.0 < removed_fraction < 1.0:
            raise InvalidInputError(
                "need approximate_threshold >= 1, growth_factor > 1 and 0 < removed_fraction < 1",
                code="invalid-index-option",
            )
        if not 0.0 < target_recall <= 1.0:
            raise InvalidInputError("target_recall must be in (0, 1]", code="invalid-index-option")
        if threads is not None:
            faiss.omp_set_num_threads(threads)
        self.dimension = dimension
        self.approximate_threshold = approximate_threshold
        self.target_recall = target_recall
        self.growth_factor = growth_factor
        self.removed_fraction = removed_fraction
        self.auto_rebuild = auto_rebuild
        self.seed = seed
        self.nprobe = 1
        self._lock = threading.RLock()
        self._rebuilding = threading.Lock()
        self._index: Any = self._new_flat()
        self._ids: set[int] = set()
        self._built_size = 0
        self._removed_since_build = 0
        self._journal: list[_Op] | None = None

    # --- the VectorIndex protocol -------------------------------------------------------------------------------

    @property
    def kind(self) -> IndexKind:
        """``"flat"`` (exact) or ``"ivf"`` (approximate)."""
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    def add(self, ids: Sequence[int] | IdArray, vectors: Matrix) -> None:
        """Insert or replace one vector per id (within one call the last vector of a repeated id wins)."""
        keys, matrix = self._checked(ids, vectors)
        # Keep the last occurrence of each id: reverse, take first occurrences, restore the original order.
        _, first_in_reversed = np.unique(keys[::-1], return_index=True)
        keep = np.sort(len(keys) - 1 - first_in_reversed)
        keys, matrix = keys[keep], np.ascontiguousarray(matrix[keep])
        with self._lock:
            self._apply_add(self._index, keys, matrix)
            if self._journal is not None:
                self._journal.append(("add", keys, matrix))
        if self.auto_rebuild:
            self.maybe_rebuild()

    def remove(self, ids: Sequence[int] | IdArray) -> int:
        """Remove the ids that are present; returns how many were removed."""
        keys = np.unique(np.asarray(ids, dtype=np.int64).reshape(-1))
        with self._lock:
            present = np.array([key for key in keys.tolist() if key in self._ids], dtype=np.int64)
            if present.size:
                self._remove_from(self._index, present)
                self._ids.difference_update(present.tolist())
                self._removed_since_build += int(present.size)
                if self._journal is not None:
                    self._journal.append(("remove", present, None))
        if self.auto_rebuild and present.size:
            self.maybe_rebuild()
        return int(present.size)

    def search(self, vectors: Matrix, k: int) -> tuple[ScoreMatrix, IdArray]:
        """Best-first ``(scores, ids)``, padded with ``-inf`` / ``-1`` when fewer than ``k`` vectors exist."""
        if k < 1:
            raise InvalidInputError("k must be at least 1", code="invalid-search")
        queries = self._matrix(vectors)
        with self._lock:
            scores, ids = self._index.search(queries, k)
        scores = np.where(ids >= 0, scores, -np.inf).astype(np.float32)
        return scores, ids.astype(np.int64)

    def vectors(self, ids: Sequence[int] | IdArray) -> Matrix:
        """The stored vectors of ``ids``, in order."""
        keys = np.asarray(ids, dtype=np.int64).reshape(-1)
        if keys.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            missing = sum(1 for key in keys.tolist() if key not in self._ids)
            if missing:
                raise NotFoundError(f"{missing} of {keys.size} ids are not in the index", code="vector-not-found")
            found = self._index.reconstruct_batch(keys)
        return np.ascontiguousarray(found, dtype=np.float32)

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)

    def __contains__(self, id_: object) -> bool:
        with self._lock:
            return id_ in self._ids

    def ids(self) -> IdArray:
        """Every stored id, sorted."""
        with self._lock:
            return np.array(sorted(self._ids), dtype=np.int64)

    # --- rebuilding --------------------------------------------------------------------------------------------

    def needs_rebuild(self) -> bool:
        """True when the kind should change, the collection outgrew its training, or many vectors were removed."""
        with self._lock:
            size = len(self._ids)
            wanted: IndexKind = "ivf" if size >= self.approximate_threshold else "flat"
            if wanted != self.kind and (wanted == "ivf" or size < self.approximate_threshold // 2):
                return True  # hysteresis: shrink back to exact only well below the threshold
            if self.kind == "ivf" and size >= self.growth_factor * max(self._built_size, 1):
                return True
            # IVF cells drift when many vectors go; the exact index compacts on removal and never needs this.
            return self.kind == "ivf" and self._removed_since_build > self.removed_fraction * max(self._built_size, 1)

    def maybe_rebuild(self) -> bool:
        """Rebuild if :meth:`needs_rebuild`; returns whether a rebuild ran."""
        return self.rebuild() if self.needs_rebuild() else False

    def rebuild(self) -> bool:
        """Build a fresh index from the current contents and swap it in; searches continue meanwhile.

        Returns False without waiting when another rebuild is already running.
        """
        if not self._rebuilding.acquire(blocking=False):
            return False
        try:
            with self._lock:
                keys = np.array(sorted(self._ids), dtype=np.int64)
                matrix = self._read(self._index, keys)
                self._journal = []
            fresh, nprobe = self._build(keys, matrix)
            with self._lock:
                for op, op_keys, op_matrix in self._journal:
                    if op == "add" and op_matrix is not None:
                        self._apply_add(fresh, op_keys, op_matrix, track=False)
                    else:
                        self._remove_from(fresh, op_keys)
                self._index, self.nprobe = fresh, nprobe
                self._built_size = len(self._ids)
                self._removed_since_build = 0
                self._journal = None
            return True
        finally:
            with self._lock:
                self._journal = None
            self._rebuilding.release()

    # --- persistence -------------------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` and its counters to ``path + ".json"``, each atomically."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            meta = {
                "format": _META_FORMAT,
                "dimension": self.dimension,
                "kind": self.kind,
                "nprobe": self.nprobe,
                "built_size": self._built_size,
                "removed_since_build": self._removed_since_build,
            }
            temporary = target.with_name(target.name + ".tmp")
            faiss.write_index(self._index, str(temporary))
            os.replace(temporary, target)
        _write_atomically(_meta_path(target), json.dumps(meta, sort_keys=True))

    def load(self, path: str | os.PathLike[str]) -> None:
        """Replace the contents with the index saved at ``path`` (by :meth:`save`)."""
        target = Path(path)
        if not target.is_file():
            raise NotFoundError(f"no index file at {target}", code="index-not-found")
        loaded = faiss.read_index(str(target))
        if loaded.d != self.dimension:
            raise InvalidInputError(
                f"the saved index has dimension {loaded.d}, expected {self.dimension}", code="index-dimension-mismatch"
            )
        meta_file = _meta_path(target)
        meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        keys = _stored_ids(loaded)
        with self._lock:
            self._index = loaded
            self._ids = set(keys.tolist())
            self.nprobe = int(meta.get("nprobe", 1))
            if isinstance(loaded, faiss.IndexIVF):
                loaded.nprobe = self.nprobe
            self._built_size = int(meta.get("built_size", len(self._ids)))
            self._removed_since_build = int(meta.get("removed_since_build", 0))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **options: Any) -> FaissIndex:
        """An index loaded from a file written by :meth:`save`, with the dimension the file holds (``options`` as
        for the constructor); for tools that edit a saved index without knowing its embedder."""
        target = Path(path)
        if not target.is_file():
            raise NotFoundError(f"no index file at {target}", code="index-not-found")
        index = cls(int(faiss.read_index(str(target)).d), **options)
        index.load(target)
        return index

    # --- internals ---------------------------------------------------------------------------------------------

    def _checked(self, ids: Sequence[int] | IdArray, vectors: Matrix) -> tuple[IdArray, Matrix]:
        keys = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = self._matrix(vectors)
        if matrix.shape[0] != keys.shape[0]:
            raise InvalidInputError(f"{keys.shape[0]} ids for {matrix.shape[0]} vectors", code="index-input-mismatch")
        return keys, matrix

    def _matrix(self, vectors: Matrix) -> Matrix:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        if matrix.ndim != 2 or matrix.shape[1] != self.dimension:
            raise InvalidInputError(
                f"expected vectors of dimension {self.dimension}, got shape {matrix.shape}", code="index-input-mismatch"
            )
        return matrix

    def _apply_add(self, index: Any, keys: IdArray, matrix: Matrix, *, track: bool = True) -> None:
        if keys.size == 0:
            return
        # An upsert: drop the old vectors of ids that are present (in the index being written to).
        present = np.array([key for key in keys.tolist() if key in self._ids], dtype=np.int64)
        if present.size:
            self._remove_from(index, present)
        index.add_with_ids(matrix, keys)
        if track:
            self._ids.update(keys.tolist())

    @staticmethod
    def _remove_from(index: Any, keys: IdArray) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        # IVF's hashtable direct map only accepts an IDSelectorArray; IndexIDMap2 accepts it too.
        index.remove_ids(faiss.IDSelectorArray(keys.size, faiss.swig_ptr(keys)))

    def _read(self, index: Any, keys: IdArray) -> Matrix:
        if keys.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(index.reconstruct_batch(keys), dtype=np.float32)

    def _new_flat(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))

    def _build(self, keys: IdArray, matrix: Matrix) -> tuple[Any, int]:
        if keys.size < self.approximate_threshold:
            fresh = self._new_flat()
            if keys.size:
                fresh.add_with_ids(matrix, keys)
            return fresh, 1
        # ~4·√n cells, but at least 39 training points per cell (FAISS's own minimum for a stable k-means).
        nlist = int(max(1, min(65_536, round(4 * math.sqrt(keys.size)), keys.size // 39)))
        rng = np.random.default_rng(self.seed)
        # Calibration queries are held out of training and out of the index while calibrating, so they behave
        # like new queries (stored, trained-on vectors are easier queries and would make nprobe too small).
        held_out = np.sort(rng.choice(keys.size, size=min(_CALIBRATION_QUERIES, keys.size // 10), replace=False))
        trainable = np.setdiff1d(np.arange(keys.size), held_out, assume_unique=True)
        sample = np.sort(rng.choice(trainable, size=min(trainable.size, 64 * nlist), replace=False))
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFFlat(quantizer, self.dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.seed = self.seed
        ivf.train(np.ascontiguousarray(matrix[sample]))
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # missing from the stubs
        ivf.add_with_ids(matrix, keys)
        self._remove_from(ivf, keys[held_out])
        ivf.nprobe = self._calibrate(ivf, keys, matrix, held_out)
        ivf.add_with_ids(np.ascontiguousarray(matrix[held_out]), keys[held_out])
        return ivf, int(ivf.nprobe)

    def _calibrate(self, ivf: Any, keys: IdArray, matrix: Matrix, held_out: IdArray) -> int:
        """The smallest nprobe whose recall@10 for the held-out rows, against exact search, reaches the target."""
        if held_out.size == 0:
            return int(ivf.nlist)  # too few vectors to measure: probe every cell
        queries = np.ascontiguousarray(matrix[held_out])
        # Exact neighbours among the indexed rows: take enough extra to drop the held-out rows themselves.
        exact = _exact_top(queries, matrix, _CALIBRATION_K + held_out.size)
        excluded = set(held_out.tolist())
        truth = [set(keys[[r for r in row if r not in excluded][:_CALIBRATION_K]].tolist()) for row in exact.tolist()]
        total = max(sum(len(t) for t in truth), 1)
        for nprobe in _NPROBE_CANDIDATES:
            if nprobe >= ivf.nlist:
                break
            ivf.nprobe = nprobe
            _, found = ivf.search(queries, _CALIBRATION_K)
            hits = sum(len(t & set(f.tolist())) for t, f in zip(truth, found, strict=True))
            if hits / total >= self.target_recall:
                return nprobe
        return int(ivf.nlist)


def _exact_top(queries: Matrix, matrix: Matrix, k: int, chunk: int = 65_536) -> IdArray:
    """Row positions of the ``k`` best matches of each query, by brute force in chunks (bounded memory)."""
    best_scores = np.full((queries.shape[0], 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((queries.shape[0], 0), dtype=np.int64)
    for start in range(0, matrix.shape[0], chunk):
        scores = queries @ matrix[start : start + chunk].T
        rows = np.broadcast_to(np.arange(start, start + scores.shape[1], dtype=np.int64), scores.shape)
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_rows = np.concatenate([best_rows, rows], axis=1)
        order = np.argsort(-merged_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(merged_scores, order, axis=1)
        best_rows = np.take_along_axis(merged_rows, order, axis=1)
    return best_rows


def _stored_ids(index: Any) -> IdArray:
    if isinstance(index, faiss.IndexIVF):
        lists: Any = index.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(no), lists.list_size(no)).copy()
            for no in range(index.nlist)
            if lists.list_size(no)
        ]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    return np.sort(faiss.vector_to_array(index.id_map).astype(np.int64))


def _meta_path(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
