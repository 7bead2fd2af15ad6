# SPDX-License-Identifier: EUPL-1.2
"""The vector index step: nearest neighbours by cosine over unit vectors, keyed by 64-bit integer ids.

Semantic search ("meer signalen zoals deze") and any detector that needs neighbours go through a
:class:`VectorIndex`. Ids are the hub's signal sequence numbers (:attr:`matching.state.SignalRecord.seq`), so the
index never holds a signal id, text or any other personal data, only vectors. Backends live in one module each and
are chosen by name from :data:`INDEXES`; the default, ``faiss`` (:mod:`matching.faiss_index`), loads FAISS only when
an index is made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInputError
from matching.embedder import Matrix

__all__ = [
    "DEFAULT_INDEX",
    "INDEXES",
    "IdArray",
    "IndexFactory",
    "ScoreMatrix",
    "UnknownIndexError",
    "VectorIndex",
    "index_names",
    "make_index",
]

IdArray = npt.NDArray[np.int64]
ScoreMatrix = npt.NDArray[np.float32]


@runtime_checkable
class VectorIndex(Protocol):
    """A mutable, persistable inner-product index over unit float32 vectors.

    - ``add`` is an upsert: adding an id that is present replaces its vector.
    - ``remove`` ignores ids that are absent and returns how many it removed.
    - ``search`` returns ``(scores, ids)``, both ``(len(vectors), k)``, best first; rows with fewer than ``k``
      results are padded with id ``-1`` and score ``-inf``. Scores are cosine similarities (inner products).
    - ``save`` writes atomically (a reader never sees half a file); ``load`` replaces the contents in place.
    - ``vectors`` returns the stored vectors of ``ids`` (the index doubles as the vector store of the signals that
      are no longer kept elsewhere).

    Implementations must be safe to call from several threads: searches may run while another thread adds, removes
    or rebuilds.
    """

    dimension: int

    def add(self, ids: Sequence[int] | IdArray, vectors: Matrix) -> None:
        """Insert or replace one vector per id."""
        ...

    def remove(self, ids: Sequence[int] | IdArray) -> int:
        """Remove these ids; returns the number actually removed."""
        ...

    def search(self, vectors: Matrix, k: int) -> tuple[ScoreMatrix, IdArray]:
        """The ``k`` nearest stored vectors of each query row, by inner product."""
        ...

    def vectors(self, ids: Sequence[int] | IdArray) -> Matrix:
        """The stored vectors of ``ids`` in that order; raises :class:`governance.errors.NotFoundError` if absent."""
        ...

    def __len__(self) -> int: ...

    def __contains__(self, id_: object) -> bool: ...

    def save(self, path: str | os.PathLike[str]) -> None:
        """Persist the index (atomically) at ``path``."""
        ...

    def load(self, path: str | os.PathLike[str]) -> None:
        """Replace this index's contents with the one saved at ``path``."""
        ...


IndexFactory = Callable[..., VectorIndex]


class UnknownIndexError(InvalidInputError):
    """A configured index name that :data:`INDEXES` does not hold."""

    code = "unknown-index"


def _faiss(**options: Any) -> VectorIndex:
    from matching.faiss_index import FaissIndex

    return FaissIndex(**options)


# Name → factory. Factories import their backend lazily: importing this module must not load FAISS.
INDEXES: dict[str, IndexFactory] = {"faiss": _faiss}

DEFAULT_INDEX = "faiss"


def index_names() -> list[str]:
    """The names :func:`make_index` accepts, sorted."""
    return sorted(INDEXES)


def make_index(name: str = DEFAULT_INDEX, **options: Any) -> VectorIndex:
    """Make the index registered as ``name`` (``dimension=`` is required by every backend)."""
    try:
        factory = INDEXES[name]
    except KeyError:
        known = ", ".join(index_names())
        raise UnknownIndexError(f"unknown index {name!r}; choose one of: {known}") from None
    return factory(**options)
