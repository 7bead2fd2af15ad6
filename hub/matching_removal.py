# SPDX-License-Identifier: EUPL-1.2
"""Matching's part of taking signals, or their texts, out of the hub: shared by withdrawal and retention.

:class:`MatchingRemoval` opens the matching state and embedding cache of ``DATA/matching`` for one call and hands
them to :mod:`matching.withdrawal` together with the vector indexes live in this process and matching's text
cleaner, so every copy of a vector and every cache key of a text goes. Before matching ever ran in the folder it
does nothing (there is nothing derived to remove). :func:`matching_removal_for` wires it to a running hub.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.insights_search import matching_ran

if TYPE_CHECKING:
    from hub.services import HubServices
    from matching.cleaning import Cleaner
    from matching.embedding_cache import EmbeddingCache
    from matching.index import VectorIndex
    from matching.state import MatchingState
    from matching.withdrawal import WithdrawalReport

__all__ = ["MatchingRemoval", "live_indexes", "matching_removal_for", "refresh_read_model"]


class MatchingRemoval:
    """Removes signals (withdrawal, retention) or only their texts (retention) from matching in ``folder``.

    ``indexes`` returns the vector indexes live in this process (the matching worker's, the search engine's), so
    their copies lose the vectors too; ``cleaner`` is matching's text cleaner (the cache keys of cleaned texts).
    """

    def __init__(
        self,
        folder: Path | None,
        *,
        indexes: Callable[[], Sequence[VectorIndex]] = tuple,
        cleaner: Callable[[], Cleaner | None] | None = None,
    ) -> None:
        self.folder = folder
        self.indexes = indexes
        self.cleaner = cleaner

    def ran(self) -> bool:
        """Whether matching ever ran in the folder."""
        return self.folder is not None and matching_ran(self.folder)

    def watermark(self) -> int | None:
        """The last hub sequence number matching processed (``None`` before it ever ran)."""
        if self.folder is None or not self.ran():
            return None
        from matching.state import MatchingState

        state = MatchingState(self.folder)
        try:
            return state.watermark
        finally:
            state.close()

    def withdraw(self, seqs: Sequence[int], texts: Sequence[str], now: datetime) -> dict[str, int]:
        """Remove the signals (see :func:`matching.withdrawal.withdraw`); counts for the audit entry."""
        from matching.withdrawal import withdraw

        with self._opened() as opened:
            if opened is None:
                return {}
            state, cache, index_path, cleaner = opened
            report = withdraw(
                state, seqs, now=now, texts=texts, cache=cache, cleaner=cleaner, indexes=self.indexes(),
                index_path=index_path,
            )  # fmt: skip
        return _counts(report)

    def forget_texts(self, seqs: Sequence[int], texts: Sequence[str]) -> dict[str, int]:
        """Remove what matching derived from the signals' texts (see :func:`matching.withdrawal.forget_texts`)."""
        from matching.withdrawal import forget_texts

        with self._opened() as opened:
            if opened is None:
                return {}
            state, cache, index_path, cleaner = opened
            report = forget_texts(
                state, seqs, texts=texts, cache=cache, cleaner=cleaner, indexes=self.indexes(), index_path=index_path
            )
        return _counts(report)

    @contextmanager
    def _opened(self) -> Iterator[tuple[MatchingState, EmbeddingCache | None, Path, Cleaner | None] | None]:
        folder = self.folder
        if folder is None or not matching_ran(folder):
            yield None
            return
        from matching.embedding_cache import CACHE_FILENAME, EmbeddingCache
        from matching.pipeline import INDEX_FILENAME
        from matching.state import MatchingState

        state = MatchingState(folder)
        cache = EmbeddingCache(folder) if (folder / CACHE_FILENAME).is_file() else None
        try:
            yield state, cache, folder / INDEX_FILENAME, self.cleaner() if self.cleaner is not None else None
        finally:
            state.close()
            if cache is not None:
                cache.close()


def _counts(report: WithdrawalReport) -> dict[str, int]:
    return {
        "matching_signals": report.signals,
        "clusters_changed": len(report.clusters),
        "clusters_emptied": len(report.emptied),
    }


def matching_removal_for(services: HubServices, app_state: Any = None) -> MatchingRemoval:
    """The matching removal of a running hub: its matching folder and config, and the indexes live in it."""
    config_path = services.settings.matching_config

    def cleaner() -> Cleaner | None:
        from matching.cleaning import make_cleaner
        from matching.pipeline import load_config

        step = load_config(config_path).cleaner
        return None if step is None else make_cleaner(step.name, **step.options)

    return MatchingRemoval(
        services.settings.data / "matching", indexes=lambda: live_indexes(services, app_state), cleaner=cleaner
    )


def live_indexes(services: HubServices, app_state: Any = None) -> list[VectorIndex]:
    """The vector indexes this process holds: the matching worker's engine's and the search engine's, if built.

    Both owners keep their engine private (one thread owns the worker's engine); FAISS indexes are thread-safe,
    so removing from them here is safe, and it keeps their next save from writing the vectors back.
    """
    engines = [getattr(getattr(app_state, "matching_worker", None), "_engine", None)]
    insights = services._insights  # only when the read model was built; never build it for this
    if insights is not None:
        engines.append(getattr(insights.searcher(), "_engine", None))
    return [engine.index for engine in engines if engine is not None and engine.index is not None]


def refresh_read_model(services: HubServices) -> None:
    """Drop the read model's counts that were built before signals went (pattern releases, national volume)."""
    insights = services._insights
    if insights is None:
        return
    from hub.insights_releases import NationalVolume, PatternReleases

    insights.pattern_releases = PatternReleases(insights.threshold)
    # The national volume counts each stored signal once, as it arrives; a removed one must be uncounted.
    insights._volume = NationalVolume(services.storage, insights.threshold)
