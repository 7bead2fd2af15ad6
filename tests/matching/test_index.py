# SPDX-License-Identifier: EUPL-1.2
"""The VectorIndex Protocol and its FAISS backend: exact and approximate search, upserts, removal, persistence,
automatic switch to IVF past the threshold, and rebuilds that run while other threads search and add."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from governance.errors import InvalidInputError, NotFoundError
from matching.faiss_index import FaissIndex
from matching.index import INDEXES, UnknownIndexError, VectorIndex, index_names, make_index

DIMENSION = 32


def _clustered(n: int, *, seed: int = 0, centres: int = 40, noise: float = 0.15) -> np.ndarray:
    """Unit vectors around ``centres`` random directions, like embeddings of texts about a few dozen topics."""
    rng = np.random.default_rng(seed)
    directions = np.random.default_rng(99).standard_normal((centres, DIMENSION))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    points = directions[rng.integers(0, centres, n)] + noise * rng.standard_normal((n, DIMENSION))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def _exact(queries: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]
    return ids[order]


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found.tolist(), truth.tolist(), strict=True)]))


# --- table and protocol ----------------------------------------------------------------------------------------


def test_the_table_makes_a_faiss_index_that_fits_the_protocol() -> None:
    assert index_names() == sorted(INDEXES) == ["faiss"]
    index = make_index(dimension=DIMENSION)
    assert isinstance(index, VectorIndex) and isinstance(index, FaissIndex)
    with pytest.raises(UnknownIndexError) as caught:
        make_index("annoy", dimension=DIMENSION)
    assert caught.value.code == "unknown-index" and "faiss" in caught.value.message


def test_bad_options_and_inputs_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        FaissIndex(0)
    with pytest.raises(InvalidInputError):
        FaissIndex(DIMENSION, growth_factor=1.0)
    index = FaissIndex(DIMENSION)
    with pytest.raises(InvalidInputError):
        index.add([1, 2], _clustered(3))
    with pytest.raises(InvalidInputError):
        index.add([1], np.ones((1, DIMENSION + 1), dtype=np.float32))
    with pytest.raises(InvalidInputError):
        index.search(_clustered(1), 0)


# --- exact index -----------------------------------------------------------------------------------------------


def test_small_collections_are_searched_exactly_with_their_own_ids() -> None:
    vectors = _clustered(500)
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = FaissIndex(DIMENSION)
    index.add(ids, vectors)
    scores, found = index.search(vectors[:20], 10)
    assert index.kind == "flat" and len(index) == 500
    np.testing.assert_array_equal(found, _exact(vectors[:20], vectors, ids, 10))
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)  # each vector finds itself first
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first


def test_fewer_results_than_k_are_padded() -> None:
    index = FaissIndex(DIMENSION)
    index.add([7, 8], _clustered(2))
    scores, found = index.search(_clustered(1, seed=3), 5)
    assert set(found[0, :2].tolist()) == {7, 8}
    assert found[0, 2:].tolist() == [-1, -1, -1]
    assert np.all(np.isneginf(scores[0, 2:]))


def test_add_is_an_upsert_and_remove_counts_what_it_removed() -> None:
    vectors = _clustered(4)
    index = FaissIndex(DIMENSION)
    index.add([1, 2, 3], vectors[:3])
    index.add([2], vectors[3:4])  # replace id 2
    assert len(index) == 3
    np.testing.assert_allclose(index.vectors([2]), vectors[3:4])
    _, found = index.search(vectors[3:4], 1)
    assert found[0, 0] == 2
    index.add([5, 5], vectors[:2])  # within one call the last vector wins
    np.testing.assert_allclose(index.vectors([5]), vectors[1:2])
    assert index.remove([1, 99, 1]) == 1
    assert 1 not in index and 2 in index and len(index) == 3
    _, found = index.search(vectors[:1], 3)
    assert 1 not in found[0].tolist()
    with pytest.raises(NotFoundError):
        index.vectors([1])


def test_exact_index_round_trips_through_a_file(tmp_path: Path) -> None:
    vectors = _clustered(300)
    index = FaissIndex(DIMENSION)
    index.add(np.arange(300), vectors)
    index.remove([0, 1, 2])
    index.save(tmp_path / "matching.faiss")
    loaded = FaissIndex(DIMENSION)
    loaded.load(tmp_path / "matching.faiss")
    assert len(loaded) == 297 and 0 not in loaded and loaded.kind == "flat"
    np.testing.assert_array_equal(loaded.search(vectors[:10], 5)[1], index.search(vectors[:10], 5)[1])
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, no leftovers
    with pytest.raises(InvalidInputError):
        FaissIndex(DIMENSION + 1).load(tmp_path / "matching.faiss")
    with pytest.raises(NotFoundError):
        FaissIndex(DIMENSION).load(tmp_path / "missing.faiss")


# --- approximate index -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> tuple[np.ndarray, FaissIndex]:
    vectors = _clustered(6000, seed=1)
    index = FaissIndex(DIMENSION, approximate_threshold=3000)
    index.add(np.arange(2500), vectors[:2500])
    assert index.kind == "flat"
    index.add(np.arange(2500, 6000), vectors[2500:])
    return vectors, index


def test_past_the_threshold_it_becomes_ivf_with_recall_at_10_of_at_least_095(
    big: tuple[np.ndarray, FaissIndex],
) -> None:
    vectors, index = big
    assert index.kind == "ivf" and len(index) == 6000
    queries = _clustered(300, seed=2)  # new points, not stored ones
    truth = _exact(queries, vectors, np.arange(6000), 10)
    _, found = index.search(queries, 10)
    assert _recall(found, truth) >= 0.95
    assert 1 <= index.nprobe < 6000  # calibrated, and cheaper than scanning every cell


def test_ivf_round_trips_and_updates_incrementally(big: tuple[np.ndarray, FaissIndex], tmp_path: Path) -> None:
    vectors, index = big
    index.save(tmp_path / "ivf.faiss")
    loaded = FaissIndex(DIMENSION, approximate_threshold=3000)
    loaded.load(tmp_path / "ivf.faiss")
    assert loaded.kind == "ivf" and len(loaded) == 6000 and loaded.nprobe == index.nprobe
    np.testing.assert_array_equal(loaded.search(vectors[:50], 10)[1], index.search(vectors[:50], 10)[1])
    extra = _clustered(10, seed=4)
    loaded.add(np.arange(10_000, 10_010), extra)
    assert loaded.search(extra, 1)[1][:, 0].tolist() == list(range(10_000, 10_010))
    assert loaded.remove(np.arange(100)) == 100
    _, found = loaded.search(vectors[:100], 10)
    assert not set(found.ravel().tolist()) & set(range(100))
    np.testing.assert_allclose(loaded.vectors([500, 10_003]), np.stack([vectors[500], extra[3]]))


def test_rebuilds_when_grown_twofold_or_after_many_removals() -> None:
    vectors = _clustered(9000, seed=5)
    index = FaissIndex(DIMENSION, approximate_threshold=2000, auto_rebuild=False)
    index.add(np.arange(2000), vectors[:2000])
    assert index.needs_rebuild() and index.rebuild() and index.kind == "ivf"
    index.add(np.arange(2000, 3900), vectors[2000:3900])
    assert not index.needs_rebuild()  # grew less than twofold
    index.add(np.arange(3900, 4100), vectors[3900:4100])
    assert index.needs_rebuild() and index.maybe_rebuild() and not index.needs_rebuild()
    index.remove(np.arange(0, 900))  # 22 % of the 4,100 at the last build
    assert index.needs_rebuild()
    index.rebuild()
    assert len(index) == 3200 and not index.needs_rebuild()
    index.remove(np.arange(900, 2500))  # well below the threshold: back to exact search
    assert index.needs_rebuild() and index.rebuild() and index.kind == "flat" and len(index) == 1600


def test_a_background_rebuild_keeps_searches_going_and_loses_no_update(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _clustered(4000, seed=6)
    index = FaissIndex(DIMENSION, approximate_threshold=2000, auto_rebuild=False)
    index.add(np.arange(3000), vectors[:3000])
    building, release = threading.Event(), threading.Event()
    original = FaissIndex._build

    def slow_build(self: FaissIndex, keys: np.ndarray, matrix: np.ndarray) -> object:
        building.set()
        assert release.wait(10)
        return original(self, keys, matrix)

    monkeypatch.setattr(FaissIndex, "_build", slow_build)
    worker = threading.Thread(target=index.rebuild)
    worker.start()
    assert building.wait(10)
    # While the new index is being built: the old one answers, and updates land in both.
    _, found = index.search(vectors[:5], 1)
    assert found[:, 0].tolist() == [0, 1, 2, 3, 4]
    index.add(np.arange(3000, 4000), vectors[3000:])
    assert index.remove([0, 1]) == 2
    assert index.rebuild() is False  # a second rebuild does not start while one runs
    release.set()
    worker.join(10)
    assert index.kind == "ivf" and len(index) == 3998
    _, found = index.search(vectors[3990:4000], 1)
    assert found[:, 0].tolist() == list(range(3990, 4000))
    _, found = index.search(vectors[:2], 5)
    assert not {0, 1} & set(found.ravel().tolist())
