# SPDX-License-Identifier: EUPL-1.2
"""Clustering step: online assignment to frozen centroids, and the periodic re-clustering algorithm.

Two operations, both pure functions of their inputs (no clock, no global random state):

- Online assignment: a new signal joins the nearest existing cluster when the cosine to its centroid is at least a
  threshold, else it waits unassigned for the next re-clustering. Centroids do not move between re-clusterings, so
  the outcome for a signal does not depend on which other signals arrived in the same run. Similarities are
  computed in fixed-size, zero-padded blocks so BLAS sees the same shapes however a stream is cut into runs, which
  keeps the results bitwise identical. Two kernels apply that rule: :class:`CentroidAssigner` (the engine's online
  path) keeps the centroids transposed between re-clusterings and computes one row at a time with BLAS and OpenMP
  limited to one thread (:func:`single_threaded`), so one signal costs one matrix-vector product (p50 0.09 ms at
  556 centroids, 0.5 ms at 5,056 on a busy shared machine; ``bench/assign.py``); :func:`assign_to_centroids` pads
  to 256-row blocks, cheaper per row in bulk, and serves the re-clustering's attach step. Both give the same
  assignments, provably: where the other summation order could matter (a best similarity within round-off of the
  threshold or of the runner-up), the online kernel recomputes the row with the blocked one.
- :class:`AgglomerativeClusterer` (the default :class:`Clusterer`): average-linkage (UPGMA) agglomerative clustering
  on cosine distance with a distance threshold; clusters smaller than ``min_size`` become noise, and noise points
  then join the nearest cluster under the online rule. Up to ``direct_limit`` vectors it is exact (SciPy). Beyond,
  it scales by *partition → local clustering → merge*: a seeded spherical k-means tree cuts the vectors into
  leaves of at most ``direct_limit``, each leaf is clustered exactly, and the leaf clusters of two or more members
  are merged across leaves by exact size-weighted average linkage over their member sums
  (:func:`matching.reclustering.merge_groups`), so the threshold keeps its meaning. Cost is about
  ``n · direct_limit · d`` instead of ``n² · d``.

Measured with ``bench/matching_steps.py`` (2026-11-26, 2 shared cores) on ``eval_nl.jsonl`` (356 texts, 16 themes, rows
shuffled) with the default USE embedder; NMI counts noise as one cluster, AMI counts noise points as singletons:

==========================================  =====  =====  ========  ========  ============
candidate                                   NMI    AMI    coverage  clusters  word hashing
==========================================  =====  =====  ========  ========  ============
**average linkage, distance 0.75**           0.48   0.29      0.86        45   0.29 / 0.07
average linkage 0.75, partitioned (≤100)     0.44   0.26      0.81        39   0.27 / 0.08
average linkage 0.85                         0.41   0.30      0.97        19   0.16 / 0.03
complete linkage 0.8                         0.49   0.22      0.84        67   0.38 / 0.07
HDBSCAN, min cluster size 3 (leaf)           0.25   0.12      0.25        16   0.06 / 0.00
leader clustering, similarity ≥ 0.3          0.44   0.22      0.83        49   0.31 / 0.07
k-means told the true k = 16 (oracle)        0.36   0.26      1.00        16   0.21 / 0.09
==========================================  =====  =====  ========  ========  ============

Each runs in 5-40 ms on this set. Average linkage at 0.75 is the default: within 0.02 AMI of the best setting
while keeping clusters finer than themes (patterns are narrower than themes). The online rule at cosine ≥ 0.5
assigns 21 % of new texts to a cluster found on earlier ones with 65 % agreeing with its majority theme (0.6: 4 %
and 86 %; 0.4: 50 % and 51 %); the rest wait for the re-clustering. At scale (synthetic 512-d topics plus 30 %
noise): 100,000 vectors in 5 s, 300,000 in 25 s, 1,000,000 in 66 s with 4.5 GB peak memory (AMI 0.98-1.0).

Labels are numbered by their first row, so a caller passing rows in sequence order gets canonical labels.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInputError
from matching.embedder import Matrix

__all__ = [
    "AgglomerativeClusterer",
    "CentroidAssigner",
    "Clusterer",
    "Labels",
    "assign_to_centroids",
    "attach_noise",
    "canonical_labels",
    "centroids_of",
    "drop_small",
    "padded_blocks",
    "single_threaded",
]

Labels = npt.NDArray[np.int64]
_BLOCK = 256
_KMEANS_SAMPLE = 20_000
_KMEANS_ITERATIONS = 8
_MAX_BRANCHES = 16


@runtime_checkable
class Clusterer(Protocol):
    """Vectors in (unit rows, in sequence order), one label per row out: ``0..k-1`` or ``-1`` for noise."""

    def cluster(self, vectors: Matrix) -> Labels:
        """Cluster ``vectors``; deterministic for the same rows in the same order."""
        ...


def padded_blocks(vectors: Matrix, block: int = _BLOCK) -> Iterator[tuple[int, int, Matrix]]:
    """``(start, stop, rows)`` over ``vectors`` in zero-padded blocks of exactly ``block`` rows.

    A product with a block then always has the same shape, so BLAS takes the same path and each row's result is
    bitwise the same however many rows a caller passes at once (the basis of the replay guarantee).
    """
    buffer = np.zeros((block, vectors.shape[1]), dtype=np.float32)
    for start in range(0, vectors.shape[0], block):
        stop = min(start + block, vectors.shape[0])
        buffer[:] = 0.0
        buffer[: stop - start] = vectors[start:stop]
        yield start, stop, buffer


def assign_to_centroids(
    vectors: Matrix, centroids: Matrix, threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Row index of the nearest centroid per vector (``-1`` below ``threshold``) and that cosine similarity.

    Ties go to the lowest centroid row. Computed in :func:`padded_blocks`, so a vector's result does not depend on
    how many others are assigned with it. The bulk kernel: per row cheaper than :class:`CentroidAssigner` in large
    batches (a matrix-matrix product), but one row costs a whole block; the engine's online path uses the latter.
    """
    if vectors.shape[0] == 0 or centroids.shape[0] == 0:
        return _unassigned(vectors.shape[0])
    return _assign_blocked(vectors, np.ascontiguousarray(np.asarray(centroids, dtype=np.float32).T), threshold)


def _unassigned(count: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    return np.full(count, -1, dtype=np.int64), np.full(count, -np.inf, dtype=np.float32)


def _assign_blocked(
    vectors: Matrix, centroids_t: Matrix, threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    best, scores = _unassigned(vectors.shape[0])
    for start, stop, block in padded_blocks(vectors):
        sims = (block @ centroids_t)[: stop - start]
        nearest = np.argmax(sims, axis=1)
        scores[start:stop] = sims[np.arange(stop - start), nearest]
        best[start:stop] = nearest
    best[scores < threshold] = -1
    return best, scores


class CentroidAssigner:
    """:func:`assign_to_centroids` over frozen centroids, prepared once per re-clustering, one row at a time.

    Gives exactly the assignments of :func:`assign_to_centroids` (same centroid or ``-1`` for every vector; ties to
    the lowest row), at the cost of one matrix-vector product per vector instead of a 256-row block. Each row is
    a fixed ``(1, d)`` block computed with BLAS and OpenMP on one thread (:func:`single_threaded`), so its result
    is bitwise the same however many others come with it, as the engine's replay guarantee needs.

    Why the assignments are the same: both kernels sum the same ``d`` float32 products, in other orders, and any
    order lands within ``γ_d · |x| · |c|`` of the exact value (``γ_d = d·u / (1 - d·u)``, ``u = 2**-24``; Higham,
    *Accuracy and Stability of Numerical Algorithms*, §3.1), so the two differ by at most ``2 γ_d |x| |c|``
    (6.1e-5 for unit vectors at d = 512; measured: about 4e-7). When the best similarity is farther than that from
    the threshold and from the runner-up, both kernels decide alike. Otherwise the row is recomputed by the
    blocked kernel itself, so its result is the old one bit for bit. :attr:`rechecked` counts those rows (on
    ``bench/assign.py``'s data 2 in 6,000, at 100,000 and at 1,000,000 signals).
    """

    def __init__(self, centroids: Matrix, threshold: float) -> None:
        matrix = np.asarray(centroids, dtype=np.float32)
        self.threshold = threshold
        self.count = int(matrix.shape[0])
        self.rechecked = 0
        # Transposed once here, not per call: at 5,000 centroids the copy cost more than the product itself. The
        # same contiguous array the blocked kernel builds, so a recheck gets its inputs exactly.
        self._centroids_t = np.ascontiguousarray(matrix.T)
        self._threshold32 = float(np.float32(threshold))  # the float32 comparison both kernels make
        dimension = int(matrix.shape[1])
        gamma = dimension * 2.0**-24 / (1 - dimension * 2.0**-24)
        largest = float(np.max(np.linalg.norm(matrix, axis=1))) if self.count else 0.0
        # Per unit of |x|; the 1e-6 covers rounding in the norms and in the float32 comparisons below.
        self._bound = 2 * gamma * largest * 1.001 + 1e-6

    def assign(self, vectors: Matrix) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Row index of the nearest centroid per vector (``-1`` below the threshold) and that cosine similarity."""
        best, scores = _unassigned(vectors.shape[0])
        if vectors.shape[0] == 0 or self.count == 0:
            return best, scores
        with single_threaded():
            for start, _, row in padded_blocks(vectors, 1):
                sims = (row @ self._centroids_t)[0]
                nearest = int(np.argmax(sims))
                score = float(sims[nearest])
                bound = self._bound * max(float(np.linalg.norm(row)), 1.0)
                if score >= self._threshold32 - bound and (
                    score <= self._threshold32 + bound or np.count_nonzero(sims >= score - 2 * bound) > 1
                ):
                    self.rechecked += 1
                    checked, checked_scores = _assign_blocked(row, self._centroids_t, self.threshold)
                    nearest, score = int(checked[0]), float(checked_scores[0])
                best[start] = nearest
                scores[start] = score
        best[scores < self.threshold] = -1
        return best, scores

    def similarities(self, vectors: Matrix) -> Matrix:
        """Every vector's similarity to every centroid by this kernel (no rechecks), ``(len(vectors), count)``."""
        out = np.empty((vectors.shape[0], self.count), dtype=np.float32)
        with single_threaded():
            for start, _, row in padded_blocks(vectors, 1):
                out[start] = (row @ self._centroids_t)[0]
        return out


# One controller for the process; a library loaded later (FAISS's OpenMP comes with the first index) makes it stale,
# so it is rebuilt when the set of imported modules changed (a scan takes 0.3 ms; a limit 15 us).
_controller: Any = None
_modules_seen = 0
# threadpoolctl sets OpenBLAS's thread count for the whole process and saves/restores it around a scope: two
# threads doing that interleaved could restore the wrong value and leave BLAS on one thread for good.
_limit_lock = threading.RLock()


@contextmanager
def single_threaded() -> Iterator[None]:
    """BLAS (numpy's and FAISS's OpenBLAS) and OpenMP (FAISS) on one thread for the duration, then as before.

    For short calls on the online path: on a shared machine a second thread mostly waits for a core, which made
    the p99 of one signal's assignment 3-30 times worse (``docs/benchmarks.md``). Scoped, not process-wide, because
    re-clustering and index builds want every core. While a scope is open, BLAS calls from other threads run on
    one thread too (OpenBLAS has one global setting); OpenMP's setting is per thread. Scopes are serialised.
    """
    global _controller, _modules_seen
    with _limit_lock:
        if _controller is None or len(sys.modules) != _modules_seen:
            from threadpoolctl import ThreadpoolController

            _modules_seen = len(sys.modules)
            _controller = ThreadpoolController()
        with _controller.limit(limits=1):
            yield


def canonical_labels(labels: npt.ArrayLike) -> Labels:
    """Renumber labels ``0..k-1`` by their first row; negative labels (noise) stay ``-1``."""
    raw = np.asarray(labels, dtype=np.int64)
    out = np.full(raw.shape[0], -1, dtype=np.int64)
    mapping: dict[int, int] = {}
    for row, label in enumerate(raw.tolist()):
        if label >= 0:
            out[row] = mapping.setdefault(label, len(mapping))
    return out


def centroids_of(vectors: Matrix, labels: Labels) -> Matrix:
    """Unit-length mean vector of each label ``0..max``; a label without rows gets a zero row."""
    count = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    sums = _label_sums(vectors, labels, count)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.ascontiguousarray(sums / np.where(norms > 0, norms, 1.0), dtype=np.float32)


class AgglomerativeClusterer:
    """Average-linkage clustering with a cosine distance threshold; scales by partitioning (module docstring).

    ``distance_threshold``: merge while the mean pairwise cosine distance of two clusters is at most this.
    ``min_size``: smaller clusters become noise. ``attach_threshold``: noise points join the nearest cluster whose
    centroid is at least this similar (``None``: never). ``direct_limit``: largest input clustered exactly.
    """

    def __init__(
        self,
        *,
        distance_threshold: float = 0.75,
        min_size: int = 3,
        attach_threshold: float | None = 0.5,
        direct_limit: int = 2_000,
        seed: int = 0,
    ) -> None:
        if not 0.0 < distance_threshold < 2.0:
            raise InvalidInputError("distance_threshold must be in (0, 2)", code="invalid-clusterer-option")
        if min_size < 1 or direct_limit < 2:
            raise InvalidInputError("need min_size >= 1 and direct_limit >= 2", code="invalid-clusterer-option")
        self.distance_threshold = distance_threshold
        self.min_size = min_size
        self.attach_threshold = attach_threshold
        self.direct_limit = direct_limit
        self.seed = seed

    def cluster(self, vectors: Matrix) -> Labels:
        """Cluster unit ``vectors`` (rows in sequence order); labels are canonical, ``-1`` is noise."""
        from matching.reclustering import merge_groups

        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        count = matrix.shape[0]
        if count == 0:
            return np.zeros(0, dtype=np.int64)
        leaves = self._partition(matrix, np.arange(count, dtype=np.int64), (self.seed,))
        group_of_row = np.empty(count, dtype=np.int64)
        groups = 0
        for rows in leaves:
            local = _average_linkage(matrix[rows], self.distance_threshold)
            group_of_row[rows] = local + groups
            groups += int(local.max()) + 1
        labels = group_of_row
        if len(leaves) > 1:
            # Only groups of two or more take part in the cross-leaf merge: a point its own leaf left alone is
            # noise-like, and merging rounds over thousands of singletons would dominate the cost. Such points
            # can still join a cluster through the attach step below.
            sizes = np.bincount(group_of_row, minlength=groups).astype(np.int64)
            multi = np.flatnonzero(sizes >= 2)
            if multi.size:
                renumber = np.full(groups, -1, dtype=np.int64)
                renumber[multi] = np.arange(multi.size)
                sums = _label_sums(matrix, renumber[group_of_row], multi.size)
                merged = merge_groups(
                    sums, sizes[multi], self.distance_threshold, limit=self.direct_limit, seed=self.seed
                )
                in_multi = renumber[group_of_row] >= 0
                labels = np.where(in_multi, merged[np.maximum(renumber[group_of_row], 0)], group_of_row + multi.size)
        labels = self._drop_small(labels)
        if self.attach_threshold is not None:
            labels = self._attach_noise(matrix, labels)
        return canonical_labels(labels)

    # --- steps ------------------------------------------------------------------------------------------------

    def _drop_small(self, labels: Labels) -> Labels:
        return drop_small(labels, self.min_size)

    def _attach_noise(self, matrix: Matrix, labels: Labels) -> Labels:
        assert self.attach_threshold is not None
        return attach_noise(matrix, labels, self.attach_threshold)

    def _partition(
        self, matrix: Matrix, rows: npt.NDArray[np.int64], path: tuple[int, ...]
    ) -> list[npt.NDArray[np.int64]]:
        """Leaves of at most ``direct_limit`` rows, each in sequence order, by a seeded spherical k-means tree."""
        if rows.size <= self.direct_limit:
            return [rows]
        branches = min(_MAX_BRANCHES, math.ceil(2 * rows.size / self.direct_limit))
        parts = _spherical_kmeans_split(matrix[rows], branches, np.random.default_rng(path))
        if max(part.size for part in parts) == rows.size:  # identical vectors: cut by order instead
            size = math.ceil(rows.size / branches)
            parts = [np.arange(start, min(start + size, rows.size)) for start in range(0, rows.size, size)]
        leaves: list[npt.NDArray[np.int64]] = []
        for number, part in enumerate(parts):
            if part.size:
                leaves.extend(self._partition(matrix, rows[part], (*path, number)))
        return leaves


def drop_small(labels: Labels, min_size: int) -> Labels:
    """``labels`` with the clusters of fewer than ``min_size`` members turned into noise (``-1``)."""
    values, counts = np.unique(labels[labels >= 0], return_counts=True)
    small = values[counts < min_size]
    out = labels.copy()
    out[np.isin(out, small)] = -1
    return out


def attach_noise(matrix: Matrix, labels: Labels, threshold: float) -> Labels:
    """Noise joins the nearest cluster under the online rule (the same rule new signals meet)."""
    out = labels.copy()
    cluster_labels = np.unique(labels[labels >= 0])
    noise = np.flatnonzero(labels < 0)
    if cluster_labels.size == 0 or noise.size == 0:
        return out
    dense = np.full(int(cluster_labels.max()) + 1, -1, dtype=np.int64)
    dense[cluster_labels] = np.arange(cluster_labels.size)
    centroids = centroids_of(matrix, np.where(labels >= 0, dense[np.maximum(labels, 0)], -1))
    nearest, _ = assign_to_centroids(matrix[noise], centroids, threshold)
    joined = nearest >= 0
    out[noise[joined]] = cluster_labels[nearest[joined]]
    return out


def _label_sums(vectors: npt.NDArray[np.floating], labels: Labels, count: int) -> npt.NDArray[np.float64]:
    """Sum of the rows of each label ``0..count-1`` (negative labels ignored), in one sparse one-hot product."""
    from scipy.sparse import csr_matrix

    members = np.flatnonzero(labels >= 0)
    onehot = csr_matrix(
        (np.ones(members.size, dtype=vectors.dtype), (labels[members], members)), shape=(count, vectors.shape[0])
    )
    return np.asarray(onehot @ vectors, dtype=np.float64)


def _average_linkage(matrix: Matrix, threshold: float) -> Labels:
    """Exact UPGMA on cosine distance, cut at ``threshold``; canonical labels, no noise."""
    count = matrix.shape[0]
    if count == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage

    rows64 = matrix.astype(np.float64)
    distances = np.clip(1.0 - rows64 @ rows64.T, 0.0, 2.0)
    upper = np.triu_indices(count, k=1)
    tree = linkage(distances[upper], method="average")
    return canonical_labels(fcluster(tree, t=threshold, criterion="distance"))


def _spherical_kmeans_split(matrix: Matrix, branches: int, rng: np.random.Generator) -> list[npt.NDArray[np.int64]]:
    """Row positions per branch: k-means++ seeding and a few Lloyd steps on a seeded sample, then all rows assigned."""
    count = matrix.shape[0]
    sample = matrix[np.sort(rng.choice(count, size=min(count, _KMEANS_SAMPLE), replace=False))]
    centres = [sample[int(rng.integers(sample.shape[0]))]]
    closest = 1.0 - sample @ centres[0]
    for _ in range(1, branches):
        weights = np.clip(closest, 0.0, None).astype(np.float64)
        total = weights.sum()
        pick = int(rng.choice(sample.shape[0], p=weights / total)) if total > 0 else int(rng.integers(sample.shape[0]))
        centres.append(sample[pick])
        closest = np.minimum(closest, 1.0 - sample @ sample[pick])
    centre_matrix = np.stack(centres).astype(np.float32)
    for _ in range(_KMEANS_ITERATIONS):
        labels = _nearest(sample, centre_matrix)
        centre_matrix = np.where(
            np.bincount(labels, minlength=branches)[:, None] > 0,
            _pad_rows(centroids_of(sample, labels), branches),
            centre_matrix,
        ).astype(np.float32)
    nearest = _nearest(matrix, centre_matrix)
    return [np.flatnonzero(nearest == branch).astype(np.int64) for branch in range(branches)]


def _nearest(matrix: Matrix, centres: Matrix, chunk: int = 65_536) -> Labels:
    """Nearest centre per row in large chunks (partitioning sees a whole window at once, so no padding needed)."""
    out = np.empty(matrix.shape[0], dtype=np.int64)
    centres_t = np.ascontiguousarray(centres.T)
    for start in range(0, matrix.shape[0], chunk):
        out[start : start + chunk] = np.argmax(matrix[start : start + chunk] @ centres_t, axis=1)
    return out


def _pad_rows(matrix: Matrix, rows: int) -> Matrix:
    if matrix.shape[0] >= rows:
        return matrix
    return np.vstack([matrix, np.zeros((rows - matrix.shape[0], matrix.shape[1]), dtype=matrix.dtype)])
