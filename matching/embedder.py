# SPDX-License-Identifier: EUPL-1.2
"""The first step of the matching pipeline: turn signal texts into unit vectors.

An :class:`Embedder` maps texts to a ``(len(texts), dimension)`` float32 matrix whose rows have L2 norm 1 (so a dot
product is a cosine similarity). Backends live in one module each and are chosen by name from :data:`EMBEDDERS`;
the heavy libraries load only when a backend is made, never when this module is imported.

The default, ``use-multilingual``, was chosen by measurement on the Dutch evaluation set (ADR 0002,
``docs/adr/0002-embedding-model.md``). ``sentence-transformers`` loads any local SentenceTransformer folder; the
operator points it at a stronger model in settings. The hashing embedder in ``matching.fake_embedder`` is for unit
tests only and is deliberately absent from the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInputError

__all__ = [
    "DEFAULT_EMBEDDER",
    "EMBEDDERS",
    "Embedder",
    "EmbedderFactory",
    "UnknownEmbedderError",
    "embedder_names",
    "l2_normalise",
    "make_embedder",
]

Matrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Texts in, L2-normalised float32 rows out, one row per text and in the same order.

    ``name`` identifies the model *and* every option that changes the vectors (a query prefix, a package version), so
    a cache keyed by it never mixes vectors of two models. ``dimension`` is the row length.
    """

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts``; an empty sequence gives a ``(0, dimension)`` matrix."""
        ...


EmbedderFactory = Callable[..., Embedder]


class UnknownEmbedderError(InvalidInputError):
    """A configured embedder name that :data:`EMBEDDERS` does not hold."""

    code = "unknown-embedder"


def l2_normalise(vectors: npt.ArrayLike) -> Matrix:
    """Return ``vectors`` as a C-contiguous float32 matrix with unit-length rows.

    All-zero rows stay zero rather than becoming NaN: a backend may give them for an empty text, and a NaN would
    poison every similarity it touches downstream.
    """
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D matrix of embeddings, got {matrix.ndim} dimensions")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    safe = np.where(norms > 0.0, norms, 1.0).astype(np.float32)
    return np.ascontiguousarray(matrix / safe, dtype=np.float32)


def _use_multilingual(**options: Any) -> Embedder:
    from matching.use_embedder import UseEmbedder

    return UseEmbedder(**options)


def _sentence_transformers(**options: Any) -> Embedder:
    from matching.st_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(**options)


# Name → factory. Factories import their backend lazily: importing this module must not load torch or a model.
EMBEDDERS: dict[str, EmbedderFactory] = {
    "use-multilingual": _use_multilingual,
    "sentence-transformers": _sentence_transformers,
}

DEFAULT_EMBEDDER = "use-multilingual"


def embedder_names() -> list[str]:
    """The names :func:`make_embedder` accepts, sorted."""
    return sorted(EMBEDDERS)


def make_embedder(name: str = DEFAULT_EMBEDDER, **options: Any) -> Embedder:
    """Make the embedder registered as ``name``, passing ``options`` to its backend's constructor.

    Raises :class:`UnknownEmbedderError` for a name not in :data:`EMBEDDERS`, and the backend's own errors (such as
    :class:`governance.errors.MissingExtraError` or a missing model folder) when it cannot load.
    """
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(embedder_names())
        raise UnknownEmbedderError(f"unknown embedder {name!r}; choose one of: {known}") from None
    return factory(**options)
