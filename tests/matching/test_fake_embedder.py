# SPDX-License-Identifier: EUPL-1.2
"""The hashing embedder that unit tests use instead of a model: deterministic, unit rows, word overlap = closeness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from governance.errors import InvalidInputError
from matching.embedder import EMBEDDERS, Embedder
from matching.fake_embedder import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]


def test_rows_are_unit_float32_in_input_order() -> None:
    embedder = FakeEmbedder(dimension=32)
    texts = ["container niet geleegd", "bus rijdt niet", "container niet geleegd"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert not np.allclose(vectors[0], vectors[1])


def test_satisfies_the_protocol_and_names_its_dimension() -> None:
    embedder = FakeEmbedder(dimension=48)
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 48
    assert "48" in embedder.name
    assert FakeEmbedder(dimension=64).name != embedder.name


def test_shared_words_are_closer_than_no_shared_words() -> None:
    vectors = FakeEmbedder(dimension=256).embed(
        ["de grijze container is niet geleegd", "de groene container is niet geleegd", "studieschuld aflossen bij DUO"]
    )
    similar = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert similar > 0.5
    assert similar > unrelated + 0.4


def test_trigrams_make_inflections_close() -> None:
    vectors = FakeEmbedder(dimension=256).embed(["containers", "container", "uitkering"])
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


@pytest.mark.parametrize("text", ["", "   ", "!!! ???"])
def test_texts_without_words_still_give_unit_rows(text: str) -> None:
    vector = FakeEmbedder(dimension=16).embed([text])
    assert np.isclose(np.linalg.norm(vector), 1.0)


def test_empty_input_gives_an_empty_matrix() -> None:
    assert FakeEmbedder(dimension=8).embed([]).shape == (0, 8)


def test_counts_calls_and_texts() -> None:
    embedder = FakeEmbedder()
    embedder.embed(["a", "b"])
    embedder.embed(["c"])
    assert (embedder.calls, embedder.texts_embedded) == (2, 3)


def test_rejects_a_useless_dimension() -> None:
    with pytest.raises(InvalidInputError) as caught:
        FakeEmbedder(dimension=1)
    assert caught.value.code == "invalid-embedder-option"


def test_same_vectors_in_another_process() -> None:
    # Python's own hash() is salted per process; the fake must not be, or cached test vectors would drift.
    text = "lantaarnpaal kapot bij de rotonde"
    here = FakeEmbedder(dimension=16).embed([text])[0]
    code = (
        "from matching.fake_embedder import FakeEmbedder;"
        f"print(','.join(repr(float(x)) for x in FakeEmbedder(dimension=16).embed([{text!r}])[0]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    there = np.array([float(x) for x in out.strip().split(",")], dtype=np.float32)
    np.testing.assert_array_equal(here, there)


def test_is_not_selectable_in_production() -> None:
    assert all("fake" not in name for name in EMBEDDERS)
    assert "unit tests only" in (FakeEmbedder.__doc__ or "").lower()
