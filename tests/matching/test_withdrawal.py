# SPDX-License-Identifier: EUPL-1.2
"""matching.withdrawal: rows, clusters, representatives, the guard against a late insert, indexes and the cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from matching.embedding_cache import EmbeddingCache, text_key
from matching.faiss_index import FaissIndex
from matching.state import MatchingState
from matching.withdrawal import purge_index_file, withdraw, withdrawn_seqs
from tests.hub.matching_fixtures import add_pattern

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_withdrawal_removes_rows_and_fixes_clusters(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    try:
        add_pattern(state, 1, organisations=("GM0363", "UWV"), members=12)
        add_pattern(state, 2, organisations=("GM0599",), members=1)
        one = state.cluster(1)
        assert one is not None
        state.put_clusters([replace(one, representatives=(1, 2, 3))])
        lone = state.members(2)
        report = withdraw(state, [1, 2, *lone], now=NOW)
        assert report.signals == 3 and report.clusters == (1, 2) and report.emptied == (2,)
        kept = state.cluster(1)
        assert kept is not None and kept.size == 10 and not {1, 2} & set(kept.representatives)
        assert len(kept.representatives) == 3 and set(kept.representatives) <= set(state.members(1))
        assert kept.first_seen == state.cluster_stats([1])[1][1]
        empty = state.cluster(2)
        assert empty is not None and empty.size == 0 and empty.status == "dormant"
        assert not np.any(empty.centroid) and empty.label == "" and empty.representatives == ()
        assert withdrawn_seqs(state) == sorted([1, 2, *lone])
        # a run that read a withdrawn signal before the hub deleted it cannot store it again
        with state.connection() as db:
            db.execute("INSERT INTO signals (seq, id, agency, organisation_kind, kind, observed_us, themes)"
                       " VALUES (1, 'x', 'GM0363', 'municipality', 'complaint', 0, '[]')")  # fmt: skip
        assert 1 not in state.assignments()
        again = withdraw(state, [1], now=NOW)  # idempotent
        assert again.signals == 0 and state.cluster(1).size == 10  # type: ignore[union-attr]
    finally:
        state.close()


def test_withdrawal_purges_indexes_and_the_embedding_cache(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    cache = EmbeddingCache(tmp_path)
    try:
        vectors = np.eye(4, 8, dtype=np.float32)
        live = FaissIndex(8)
        live.add([1, 2, 3, 4], vectors)
        live.save(tmp_path / "matching.faiss")
        cache.put_many("fake", {text_key("een tekst"): vectors[0], text_key("andere"): vectors[1]})
        report = withdraw(
            state,
            [2, 3],
            now=NOW,
            texts=["een tekst"],
            cache=cache,
            indexes=[live],
            index_path=tmp_path / "matching.faiss",
        )
        assert 2 not in live and 3 not in live and len(live) == 2
        saved = FaissIndex.from_file(tmp_path / "matching.faiss")
        assert list(saved.ids()) == [1, 4]
        assert report.vectors == 4 and report.index_file and report.cache_entries == 1
        assert cache.get_many("fake", [text_key("andere")], 8)
        assert purge_index_file(tmp_path / "missing.faiss", [1]) is None
    finally:
        cache.close()
        state.close()
