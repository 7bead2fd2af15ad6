# SPDX-License-Identifier: EUPL-1.2
""" "Signalen zoals deze" for the read side: matching's engine search, built lazily once per hub process.

The engine (real embedder, vector index restored from ``DATA/matching/matching.faiss`` and caught up with the
state) is built on the first search, not at start-up: loading a model takes seconds and most hub processes never
search. Before each search the index takes in the vectors the matching worker stored since. Without the
``matching`` extra the answer is :class:`SearchUnavailableError` (503); before matching ever ran it is
:class:`MatchingNotRunError` (409).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from governance.errors import HartslagError, MissingExtraError, NotFoundError
from matching.state import STATE_FILENAME

if TYPE_CHECKING:
    from matching.embedder import Embedder
    from matching.engine import MatchingEngine

__all__ = ["MatchingNotRunError", "SearchUnavailableError", "Searcher", "SignalNotFoundError", "matching_ran"]

log = logging.getLogger("hartslag.hub.insights")


class MatchingNotRunError(HartslagError):
    """Matching has not processed any signal in this data folder yet."""

    code = "matching-not-run"


class SearchUnavailableError(HartslagError):
    """Search cannot run here: the matching extra or its model is missing."""

    code = "search-unavailable"


class SignalNotFoundError(NotFoundError):
    """No searchable signal with that id (unknown, or its vector is no longer kept)."""

    code = "signal-not-found"


def matching_ran(folder: Path) -> bool:
    """Whether ``folder`` holds a matching state (without creating one)."""
    return (folder / STATE_FILENAME).is_file()


class Searcher:
    """Owns one :class:`matching.engine.MatchingEngine` for searching (never for running matching)."""

    def __init__(
        self,
        folder: Path,
        config_path: Path | None = None,
        embedder: Callable[[], Embedder] | None = None,
    ) -> None:
        self.folder = folder
        self.config_path = config_path
        self.embedder = embedder
        self._engine: MatchingEngine | None = None
        self._through = 0
        self._lock = threading.Lock()

    def engine(self) -> MatchingEngine:
        """The engine, built on first use and caught up with the vectors stored since."""
        with self._lock:
            if self._engine is None:
                self._engine = self._build()
                self._through = self._engine.state.watermark
            engine = self._engine
            watermark = engine.state.watermark
            if watermark > self._through and engine.index is not None:
                seqs, vectors = engine.state.stored_vectors(self._through, engine.embedder.dimension)
                if seqs.size:
                    engine.index.add(seqs, vectors)
                self._through = watermark
            return engine

    def _build(self) -> MatchingEngine:
        if not matching_ran(self.folder):
            raise MatchingNotRunError("matching has not run on this hub yet; search needs its vectors")
        try:
            from governance.extras import require_extra

            require_extra("matching", "numpy", "faiss")
            from matching.pipeline import build_engine, load_config

            embedder = self.embedder() if self.embedder is not None else None
            engine = build_engine(load_config(self.config_path), self.folder, embedder=embedder)
        except MissingExtraError as exc:
            raise SearchUnavailableError(f"search needs the matching extra: {exc.message}") from None
        except HartslagError:
            raise
        except Exception as exc:  # a model that cannot load: report it as unavailable, not as a 500
            log.error("search engine unavailable", extra={"error": type(exc).__name__})
            raise SearchUnavailableError("the search model could not be loaded on this hub") from None
        if engine.index is None:
            engine.state.close()
            raise SearchUnavailableError("matching runs without a vector index here; search needs one")
        return engine

    def by_text(self, text: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` signals nearest to ``text``, as (sequence number, cosine)."""
        return self.engine().search(text, k)

    def by_signal(self, signal_id: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` signals nearest to the signal with hub id ``signal_id``."""
        engine = self.engine()
        with engine.state.connection() as db:
            row = db.execute("SELECT seq FROM signals WHERE id = ?", (signal_id,)).fetchone()
        if row is None:
            raise SignalNotFoundError("no searchable signal with that id")
        try:
            return engine.similar(int(row[0]), k)
        except NotFoundError:
            raise SignalNotFoundError("that signal's vector is no longer kept") from None

    def close(self) -> None:
        """Close the engine's state, if it was built."""
        with self._lock:
            if self._engine is not None:
                self._engine.state.close()
                self._engine = None
