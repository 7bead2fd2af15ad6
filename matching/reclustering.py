# SPDX-License-Identifier: EUPL-1.2
"""Re-clustering helpers: exact average linkage over groups, and stable cluster ids across re-clusterings.

:func:`merge_groups` continues average linkage (UPGMA) from groups instead of single points: the average cosine
similarity of two groups is ``(ΣA · ΣB) / (|A|·|B|)``, so keeping each group's vector sum and size makes every merge
decision exact, whatever the sizes. It is how :class:`matching.clusters.AgglomerativeClusterer` joins the clusters
of its leaves.

:func:`stable_ids` maps the clusters of a new re-clustering onto the ids of the old ones by shared members:

1. Count the members each (old id, new cluster) pair shares. A pair is a candidate when the shared count is at
   least ``min_overlap`` times the smaller of the two (so a cluster that grew tenfold in a week still continues).
2. Greedily take candidates by shared count (ties: lower old id, then lower new label), each old id and each new
   cluster at most once: the new cluster keeps that old id. Greedy instead of the Hungarian method because the
   contingency table is sparse and can be large (thousands × thousands); on the clear overlaps that decide ids the
   two agree.
3. New clusters left over get fresh ids in label order (labels are numbered by first member, i.e. by sequence).
4. An old id left over is *merged* into the new cluster that holds most of its members, or *dissolved* when none
   of its members is in any new cluster; a new cluster that did not continue an id records the old id it took
   most members from (``split_from``).

Everything is a pure function of its inputs, so the same members give the same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.clusters import Labels, _label_sums, _spherical_kmeans_split, canonical_labels

__all__ = ["IdAssignment", "merge_groups", "stable_ids"]

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class IdAssignment:
    """The outcome of :func:`stable_ids` (all mappings keyed and ordered deterministically)."""

    ids: tuple[int, ...]
    """The stable id of each new label ``0..k-1``."""
    continued: tuple[int, ...]
    """Old ids that live on (sorted)."""
    created: tuple[int, ...]
    """Fresh ids (ascending)."""
    merged: dict[int, int]
    """Old id → the id of the cluster that took most of its members."""
    split_from: dict[int, int]
    """Fresh id → the old id it took most of its members from (absent for a cluster of only new members)."""
    dissolved: tuple[int, ...]
    """Old ids none of whose members is in a new cluster (sorted)."""
    next_id: int
    """The next unused id."""


def merge_groups(sums: FloatMatrix, sizes: npt.NDArray[np.int64], threshold: float, *, limit: int, seed: int) -> Labels:
    """Canonical merged label per group: average linkage over groups, merging while the distance is ≤ ``threshold``.

    Up to ``limit`` groups this is exact. Beyond, rounds of "partition the groups by mean direction (seeded k-means
    tree, leaves of at most ``limit``), merge within each leaf" repeat while they still merge, and the exact step
    finishes as soon as few enough groups are left.
    """
    labels = np.arange(sizes.shape[0], dtype=np.int64)
    current_sums, current_sizes = sums, sizes.astype(np.float64)
    for round_no in range(64):
        count = current_sizes.shape[0]
        if count <= limit:
            return canonical_labels(_weighted_upgma(current_sums.copy(), current_sizes.copy(), threshold)[labels])
        directions = current_sums / np.maximum(np.linalg.norm(current_sums, axis=1, keepdims=True), 1e-12)
        merged = np.full(count, -1, dtype=np.int64)
        offset = 0
        for rows in _leaves(directions.astype(np.float32), np.arange(count, dtype=np.int64), limit, (seed, round_no)):
            local = _weighted_upgma(current_sums[rows].copy(), current_sizes[rows].copy(), threshold)
            merged[rows] = local + offset
            offset += int(local.max()) + 1
        merged = canonical_labels(merged)
        if offset == count:
            break  # no leaf merged anything: further rounds would not either
        labels = merged[labels]
        current_sums = _label_sums(current_sums, merged, offset)
        current_sizes = np.bincount(merged, weights=current_sizes, minlength=offset).astype(np.float64)
    return canonical_labels(labels)


def _leaves(
    directions: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], limit: int, path: tuple[int, ...]
) -> list[npt.NDArray[np.int64]]:
    if rows.size <= limit:
        return [rows]
    branches = min(16, -(-2 * rows.size // limit))
    parts = _spherical_kmeans_split(directions[rows], branches, np.random.default_rng(path))
    if max(part.size for part in parts) == rows.size:
        size = -(-rows.size // branches)
        parts = [np.arange(start, min(start + size, rows.size)) for start in range(0, rows.size, size)]
    out: list[npt.NDArray[np.int64]] = []
    for number, part in enumerate(parts):
        if part.size:
            out.extend(_leaves(directions, rows[part], limit, (*path, number)))
    return out


def _weighted_upgma(sums: FloatMatrix, sizes: npt.NDArray[np.float64], threshold: float) -> Labels:
    """Exact average linkage from groups; keeps a best partner per row so each merge costs O(groups)."""
    count = sizes.shape[0]
    if count == 1:
        return np.zeros(1, dtype=np.int64)
    floor = 1.0 - threshold
    sims = (sums @ sums.T) / np.outer(sizes, sizes)
    np.fill_diagonal(sims, -np.inf)
    alive = np.ones(count, dtype=bool)
    parent = np.arange(count, dtype=np.int64)
    best = sims.max(axis=1)
    partner = sims.argmax(axis=1)
    while True:
        first = int(np.argmax(best))
        if best[first] < floor:
            break
        keep, gone = sorted((first, int(partner[first])))
        # Lance-Williams for average linkage: the merged group's average similarity to any other group is the
        # size-weighted mean of its parts' (the same update SciPy uses), O(groups) instead of O(groups · d).
        total = sizes[keep] + sizes[gone]
        row = (sizes[keep] * sims[keep] + sizes[gone] * sims[gone]) / total
        sizes[keep] = total
        alive[gone] = False
        parent[gone] = keep
        row[~alive] = -np.inf
        row[keep] = -np.inf
        sims[keep, :] = row
        sims[:, keep] = row
        sims[gone, :] = -np.inf
        sims[:, gone] = -np.inf
        best[gone] = -np.inf
        best[keep], partner[keep] = row.max(), int(row.argmax())
        stale = alive & ((partner == gone) | (partner == keep))
        stale[keep] = False
        for other in np.flatnonzero(stale).tolist():
            best[other], partner[other] = sims[other].max(), int(sims[other].argmax())
        better = alive & ~stale & (row > best)
        better[keep] = False
        best[better] = row[better]
        partner[better] = keep
    roots = parent.copy()
    while True:  # path compression: every group points at its surviving root
        nxt = parent[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
    return canonical_labels(roots)


def stable_ids(
    old: Sequence[int] | npt.ArrayLike, new: Labels, next_id: int, *, min_overlap: float = 0.5
) -> IdAssignment:
    """Give each new cluster an id: an old one where the members say so, else a fresh one (module docstring).

    ``old``: the previous cluster id of each row (``-1``: none); ``new``: the new canonical label of each row.
    """
    old_ids = np.asarray(old, dtype=np.int64)
    new_labels = np.asarray(new, dtype=np.int64)
    both = (old_ids >= 0) & (new_labels >= 0)
    pairs, shared = np.unique(np.stack([old_ids[both], new_labels[both]], axis=1), axis=0, return_counts=True)
    old_values, old_counts = np.unique(old_ids[old_ids >= 0], return_counts=True)
    old_size = dict(zip(old_values.tolist(), old_counts.tolist(), strict=True))
    new_count = int(new_labels.max()) + 1 if new_labels.size and new_labels.max() >= 0 else 0
    new_size = np.bincount(new_labels[new_labels >= 0], minlength=new_count)
    overlaps = [(int(c), int(o), int(n)) for (o, n), c in zip(pairs.tolist(), shared.tolist(), strict=True)]
    candidates = sorted(
        (item for item in overlaps if item[0] >= min_overlap * min(old_size[item[1]], int(new_size[item[2]]))),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    ids: list[int | None] = [None] * new_count
    taken: set[int] = set()
    for _, old_id, label in candidates:
        if old_id not in taken and ids[label] is None:
            ids[label] = old_id
            taken.add(old_id)
    created: list[int] = []
    for label in range(new_count):
        if ids[label] is None:
            ids[label] = next_id
            created.append(next_id)
            next_id += 1
    final = [int(i) for i in ids if i is not None]
    # Most-shared partner per old id and per new label (ties: lower label / lower old id), for the lineage.
    by_old: dict[int, tuple[int, int]] = {}
    by_new: dict[int, tuple[int, int]] = {}
    for count, old_id, label in sorted(overlaps, key=lambda item: (-item[0], item[1], item[2])):
        by_old.setdefault(old_id, (count, label))
        by_new.setdefault(label, (count, old_id))
    merged = {o: final[by_old[o][1]] for o in sorted(old_size) if o not in taken and o in by_old}
    dissolved = tuple(o for o in sorted(old_size) if o not in taken and o not in by_old)
    fresh = set(created)
    split_from = {final[n]: by_new[n][1] for n in range(new_count) if final[n] in fresh and n in by_new}
    return IdAssignment(
        ids=tuple(final),
        continued=tuple(sorted(taken)),
        created=tuple(created),
        merged=merged,
        split_from=split_from,
        dissolved=dissolved,
        next_id=next_id,
    )
