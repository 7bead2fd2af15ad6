# SPDX-License-Identifier: EUPL-1.2
"""The SQLite embedding cache and the embedder that computes only its misses."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from governance.errors import HartslagError, InvalidInputError
from matching.embedder import Embedder, Matrix
from matching.embedding_cache import CACHE_FILENAME, CachedEmbedder, EmbeddingCache, text_key
from matching.fake_embedder import FakeEmbedder


class _Scaled:
    """Wraps the fake and scales its rows by 3: an embedder that forgets to normalise."""

    def __init__(self, name: str = "scaled", dimension: int = 16) -> None:
        self._inner = FakeEmbedder(dimension=dimension)
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> Matrix:
        return self._inner.embed(texts) * 3.0


class _Negated(_Scaled):
    """Another "model" of the same dimension whose vectors point the other way."""

    def embed(self, texts: Sequence[str]) -> Matrix:
        return -self._inner.embed(texts)


class _WrongShape:
    name = "wrong-shape"
    dimension = 8

    def embed(self, texts: Sequence[str]) -> Matrix:
        return np.ones((len(texts), 4), dtype=np.float32)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[EmbeddingCache]:
    store = EmbeddingCache(tmp_path / "data")
    yield store
    store.close()


def test_text_key_is_the_sha256_of_the_exact_text() -> None:
    assert text_key("Bus rijdt niet") == hashlib.sha256(b"Bus rijdt niet").hexdigest()
    assert text_key("Bus rijdt niet") != text_key("Bus rijdt niet ")
    assert text_key("café") != text_key("cafe")


def test_cached_vectors_equal_the_embedders_and_are_normalised(cache: EmbeddingCache) -> None:
    fake = FakeEmbedder(dimension=32)
    cached = CachedEmbedder(fake, cache)
    texts = ["container vol", "lantaarnpaal kapot", "toeslag te laat"]
    first = cached.embed(texts)
    np.testing.assert_allclose(first, FakeEmbedder(dimension=32).embed(texts), rtol=1e-6)
    assert first.dtype == np.float32 and first.flags["C_CONTIGUOUS"]
    assert isinstance(cached, Embedder)
    assert (cached.name, cached.dimension) == (fake.name, fake.dimension)


def test_second_call_is_served_from_the_cache(cache: EmbeddingCache) -> None:
    fake = FakeEmbedder()
    cached = CachedEmbedder(fake, cache)
    texts = ["a b c", "d e f"]
    first = cached.embed(texts)
    embedded_before = fake.texts_embedded
    second = cached.embed(list(reversed(texts)))
    assert fake.texts_embedded == embedded_before
    np.testing.assert_array_equal(second, first[::-1])
    assert (cached.hits, cached.misses) == (2, 2)


def test_only_misses_are_embedded_in_batches(cache: EmbeddingCache) -> None:
    fake = FakeEmbedder()
    cached = CachedEmbedder(fake, cache, batch_size=3)
    cached.embed(["t0", "t1"])
    fake.calls = fake.texts_embedded = 0
    texts = [f"t{i}" for i in range(9)]
    vectors = cached.embed(texts)
    assert fake.texts_embedded == 7  # t0 and t1 were cached
    assert fake.calls == 3  # ceil(7 / 3)
    np.testing.assert_allclose(vectors, FakeEmbedder().embed(texts), rtol=1e-6)


def test_a_text_repeated_in_one_call_is_embedded_once(cache: EmbeddingCache) -> None:
    fake = FakeEmbedder()
    vectors = CachedEmbedder(fake, cache).embed(["zelfde tekst", "andere", "zelfde tekst"])
    assert fake.texts_embedded == 2
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_vectors_survive_reopening_the_folder(tmp_path: Path) -> None:
    texts = ["gat in de weg", "boom omgewaaid"]
    with EmbeddingCache(tmp_path) as first:
        expected = CachedEmbedder(FakeEmbedder(), first).embed(texts)
    fresh = FakeEmbedder()
    with EmbeddingCache(tmp_path) as second:
        again = CachedEmbedder(fresh, second).embed(texts)
        assert second.count() == 2
    assert fresh.texts_embedded == 0
    np.testing.assert_array_equal(again, expected)
    assert (tmp_path / CACHE_FILENAME).is_file()


def test_switching_models_never_mixes_vectors(cache: EmbeddingCache) -> None:
    texts = ["parkeervergunning verlopen"]
    model_a = _Negated(name="model-a", dimension=16)
    model_b = FakeEmbedder(dimension=16)  # same dimension, other name, other vectors
    from_a = CachedEmbedder(model_a, cache).embed(texts)
    from_b = CachedEmbedder(model_b, cache).embed(texts)
    assert model_b.texts_embedded == 1  # a miss: A's row was not reused
    np.testing.assert_allclose(from_a, -from_b, rtol=1e-6)
    np.testing.assert_allclose(from_b, FakeEmbedder(dimension=16).embed(texts), rtol=1e-6)
    assert cache.embedder_names() == sorted(["model-a", model_b.name])
    assert cache.count("model-a") == cache.count(model_b.name) == 1


def test_unnormalised_backends_are_normalised_before_storing(cache: EmbeddingCache) -> None:
    vectors = CachedEmbedder(_Scaled(), cache).embed(["x y", "z"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    stored = cache.get_many("scaled", [text_key("x y")], 16)[text_key("x y")]
    assert np.isclose(np.linalg.norm(stored), 1.0)


def test_a_row_of_another_dimension_is_a_miss(cache: EmbeddingCache) -> None:
    key = text_key("tekst")
    cache.put_many("model", {key: np.ones(8, dtype=np.float32)})
    assert cache.get_many("model", [key], 8).keys() == {key}
    assert cache.get_many("model", [key], 16) == {}


def test_wrong_backend_output_is_refused_and_not_stored(cache: EmbeddingCache) -> None:
    with pytest.raises(HartslagError) as caught:
        CachedEmbedder(_WrongShape(), cache).embed(["a"])
    assert caught.value.code == "embedder-output-mismatch"
    assert cache.count() == 0


def test_the_database_holds_no_text(tmp_path: Path) -> None:
    secret = "Mijn buurman Jan de Vries fraudeert"
    with EmbeddingCache(tmp_path) as store:
        CachedEmbedder(FakeEmbedder(), store).embed([secret])
    with sqlite3.connect(tmp_path / CACHE_FILENAME) as db:
        rows = db.execute("SELECT embedder, key FROM embeddings").fetchall()
    assert rows == [(FakeEmbedder().name, text_key(secret))]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert secret.encode() not in raw and b"Vries" not in raw


def test_clear_removes_one_model_or_all(cache: EmbeddingCache) -> None:
    CachedEmbedder(FakeEmbedder(dimension=8), cache).embed(["a", "b"])
    CachedEmbedder(FakeEmbedder(dimension=16), cache).embed(["a"])
    assert cache.clear("fake-hashing-8") == 2
    assert cache.embedder_names() == ["fake-hashing-16"]
    assert cache.clear() == 1
    assert cache.count() == 0


def test_many_keys_at_once(cache: EmbeddingCache) -> None:
    texts = [f"melding {i}" for i in range(1200)]  # more than one lookup chunk
    fake = FakeEmbedder(dimension=8)
    cached = CachedEmbedder(fake, cache)
    cached.embed(texts)
    fake.texts_embedded = 0
    assert cached.embed(texts).shape == (1200, 8)
    assert fake.texts_embedded == 0


def test_threads_share_one_cache(cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(FakeEmbedder(dimension=8), cache)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(5):
                cached.embed([f"tekst {offset}-{round_}", "gedeeld"])
        except BaseException as error:  # pragma: no cover - only on failure
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.count() == 4 * 5 + 1


def test_empty_input_and_bad_batch_size(cache: EmbeddingCache) -> None:
    assert CachedEmbedder(FakeEmbedder(dimension=8), cache).embed([]).shape == (0, 8)
    with pytest.raises(InvalidInputError):
        CachedEmbedder(FakeEmbedder(), cache, batch_size=0)
