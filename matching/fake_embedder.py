# SPDX-License-Identifier: EUPL-1.2
"""A deterministic hashing embedder FOR UNIT TESTS ONLY.

It knows no language: it hashes lower-cased words and their character trigrams into signed buckets ("feature
hashing"), so texts that share words are close and texts that share none are near-orthogonal. That is enough to test
caching, indexing and clustering code quickly and without a model, and useless for real matching, which is why it is
not in :data:`matching.embedder.EMBEDDERS` and production code never constructs it. Vectors are identical across
processes and machines (BLAKE2b, not Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from governance.errors import InvalidInputError
from matching.embedder import Matrix, l2_normalise

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Trigrams make "container" and "containers" close, as a real model would; words still weigh most.
_TRIGRAM_WEIGHT = 0.5


class FakeEmbedder:
    """Deterministic hashing embedder for unit tests only (see the module docstring). Counts its calls and texts."""

    def __init__(self, dimension: int = 64) -> None:
        if dimension < 2:
            raise InvalidInputError("dimension must be at least 2", code="invalid-embedder-option")
        self.dimension = dimension
        self.name = f"fake-hashing-{dimension}"
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts``; every row has unit length, also for a text without words."""
        self.calls += 1
        self.texts_embedded += len(texts)
        matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in self._features(text):
                bucket, sign = self._bucket(feature)
                matrix[row, bucket] += sign * weight
        return l2_normalise(matrix)

    def _features(self, text: str) -> list[tuple[str, float]]:
        words = _WORD.findall(text.lower())
        if not words:
            # Keep the row non-zero (the Protocol promises unit rows): the raw text is its only feature.
            return [("raw:" + text, 1.0)]
        features = [("w:" + word, 1.0) for word in words]
        for word in words:
            padded = f"^{word}$"
            features.extend(("t:" + padded[i : i + 3], _TRIGRAM_WEIGHT) for i in range(len(padded) - 2))
        return features

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        return (value >> 1) % self.dimension, (1.0 if value & 1 else -1.0)
