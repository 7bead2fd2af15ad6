# SPDX-License-Identifier: EUPL-1.2
"""What every part of the read model shares: the threshold, the matching state, listed patterns, their releases,
the search engine, and the rule for representative texts.

The matching state (``DATA/matching/matching.db``) is opened read-mostly on first use, and only once it exists:
before matching ever ran the read side answers with empty lists and never creates the state itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from governance.standard import codelist_codes
from hub.disclosure import Release, Shown
from hub.insight_models import Count, RepresentativeTexts
from hub.insights_releases import NationalVolume, PatternReleases
from hub.insights_search import Searcher, matching_ran
from hub.matching_source import HubSignalSource
from hub.services import HubServices
from matching.findings import Findings
from matching.patterns import Pattern, PatternNotFoundError, get_pattern, list_patterns
from matching.state import MatchingState

if TYPE_CHECKING:
    from matching.embedder import Embedder

__all__ = ["MATCHING_FOLDER", "REPRESENTATIVES", "InsightsBase", "labels"]

MATCHING_FOLDER = "matching"
#: At most this many representative texts per pattern.
REPRESENTATIVES = 5
_LISTED = ("active", "dormant")


@cache
def labels(codelist: str) -> dict[str, str]:
    """Dutch labels of a code list's codes."""
    return {code: str(entry.get("title", code)) for code, entry in codelist_codes(codelist).items()}


class InsightsBase:
    """Shared state of :class:`hub.insights.Insights` (see the module docstring).

    ``embedder`` makes the search engine's embedder (tests pass the hashing one); by default the matching
    settings' embedder (``HARTSLAG_MATCHING_CONFIG``) is built on the first search.
    """

    def __init__(self, services: HubServices, *, embedder: Callable[[], Embedder] | None = None) -> None:
        self.services = services
        self.threshold = services.settings.disclosure_threshold
        self.folder: Path = services.settings.data / MATCHING_FOLDER
        self.pattern_releases = PatternReleases(self.threshold)
        self._volume = NationalVolume(services.storage, self.threshold)
        self._searcher = Searcher(self.folder, services.settings.matching_config, embedder)
        self._state: MatchingState | None = None
        self._findings: Findings | None = None
        self._lock = threading.Lock()

    # --- sources -------------------------------------------------------------------------------------------------

    def state(self) -> MatchingState | None:
        """The matching state, or ``None`` while matching has not run here."""
        with self._lock:
            if self._state is None and matching_ran(self.folder):
                self._state = MatchingState(self.folder)
                self._findings = Findings(self._state)
            return self._state

    def findings(self) -> Findings | None:
        """Matching's alerts and policies, or ``None`` while matching has not run here."""
        self.state()
        return self._findings

    def volume(self) -> NationalVolume:
        """The national volume counter over the hub's storage."""
        return self._volume

    def searcher(self) -> Searcher:
        """The lazily built search engine."""
        return self._searcher

    # --- patterns ------------------------------------------------------------------------------------------------

    def listed(self) -> list[Pattern]:
        """Active and dormant patterns with at least ``threshold`` signals, alerts first, then the largest."""
        state, findings = self.state(), self.findings()
        if state is None or findings is None:
            return []
        return list_patterns(state, findings, min_size=self.threshold)

    def find(self, pattern_id: int) -> Pattern:
        """A listed pattern; an unknown, merged, dissolved or too small one is ``pattern-not-found`` alike, so
        the answer does not tell a small pattern from a missing one."""
        state, findings = self.state(), self.findings()
        if state is None or findings is None:
            raise PatternNotFoundError(f"no pattern with id {pattern_id}")
        found = get_pattern(state, findings, pattern_id)
        if found.status not in _LISTED or found.size < self.threshold:
            raise PatternNotFoundError(f"no pattern with id {pattern_id}")
        return found

    def releases(self, patterns: Sequence[Pattern]) -> dict[int, Release]:
        """The release of each pattern (cached per pattern, size and last seen)."""
        state = self.state()
        if state is None or not patterns:
            return {}
        return self.pattern_releases.releases(state, patterns)

    def count(self, shown: Shown) -> Count:
        """The response model of a published cell."""
        return Count.of(shown, self.threshold)

    # --- texts ---------------------------------------------------------------------------------------------------

    def texts_allowed(self, pattern: Pattern, release: Release) -> bool:
        """The text rule: at least ``threshold`` signals (its published total) from at least two organisations."""
        total = release.total().value
        return total is not None and total >= self.threshold and len(pattern.organisations) >= 2

    def representatives(self, pattern: Pattern, release: Release) -> RepresentativeTexts:
        """Up to :data:`REPRESENTATIVES` anonymised texts of the pattern's representatives, or none with the reason
        (``een-organisatie``: reported by one organisation; ``te-klein``: fewer signals than the threshold;
        ``niet-bewaard``: the texts are no longer kept)."""
        if not self.texts_allowed(pattern, release):
            reason = "een-organisatie" if len(pattern.organisations) < 2 else "te-klein"
            return RepresentativeTexts(texts=[], reason=reason)
        seqs = list(pattern.representatives[:REPRESENTATIVES])
        kept: dict[int, str] = {}
        state = self.state()
        if state is not None and seqs:
            with state.connection() as db:
                rows = db.execute(
                    f"SELECT seq, text FROM signals WHERE seq IN ({','.join('?' * len(seqs))}) AND text IS NOT NULL",
                    seqs,
                ).fetchall()
            kept = {int(seq): str(text) for seq, text in rows}
        kept.update(self.stored_texts([s for s in seqs if s not in kept]))
        texts = [kept[s] for s in seqs if s in kept]
        return RepresentativeTexts(texts=texts, reason=None if texts else "niet-bewaard")

    def stored_texts(self, seqs: list[int]) -> dict[int, str]:
        """Anonymised texts from the hub's storage by sequence number (matching keeps them for its window only)."""
        return HubSignalSource(self.services.storage).texts(seqs) if seqs else {}

    def organisation_names(self) -> dict[str, str]:
        """Registered agencies' names by code."""
        return {agency.code: agency.name for agency in self.services.storage.list_agencies()}

    def close(self) -> None:
        """Close the matching state and the search engine."""
        self._searcher.close()
        with self._lock:
            if self._state is not None:
                self._state.close()
                self._state = None
                self._findings = None
