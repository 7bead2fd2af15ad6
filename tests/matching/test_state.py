# SPDX-License-Identifier: EUPL-1.2
"""The matching state in SQLite and the record types the hub hands to matching."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from governance.errors import InvalidInputError
from matching.state import (
    STATE_FILENAME,
    ClusterRow,
    MatchingState,
    SignalRecord,
    SignalSource,
    StoredSignal,
    from_micros,
    to_micros,
)
from tests.matching.streams import ListSource, make_stream

DIMENSION = 8


def _stored(record: SignalRecord, cluster_id: int | None = None) -> StoredSignal:
    vector = np.random.default_rng(record.seq).standard_normal(DIMENSION).astype(np.float32)
    return StoredSignal(record=record, vector=vector, cluster_id=cluster_id, similarity=0.7 if cluster_id else None)


def _cluster(cluster_id: int, *, status: str = "active") -> ClusterRow:
    moment = datetime(2026, 3, 2, tzinfo=UTC)
    return ClusterRow(
        id=cluster_id,
        centroid=np.eye(1, DIMENSION, cluster_id % DIMENSION, dtype=np.float32)[0],
        size=0,
        first_seen=moment,
        last_seen=moment,
        status=status,
        updated_at=moment,
        label="container, geleegd",
        keywords=("container", "geleegd"),
        representatives=(3, 1),
        themes=(("afval", 0.75),),
    )


def test_records_need_aware_times_and_positive_sequence_numbers() -> None:
    record = make_stream(1, 1)[0]
    with pytest.raises(InvalidInputError) as caught:
        SignalRecord(**{**record.__dict__, "observed_at": datetime(2026, 3, 2)})
    assert caught.value.code == "naive-datetime"
    with pytest.raises(InvalidInputError):
        SignalRecord(**{**record.__dict__, "seq": 0})
    assert isinstance(ListSource([record]), SignalSource)


def test_micros_are_exact_and_utc() -> None:
    moment = datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert from_micros(to_micros(moment)) == moment
    assert from_micros(to_micros(moment)).utcoffset() == timedelta(0)
    with pytest.raises(InvalidInputError):
        to_micros(datetime(2026, 3, 2))


def test_signals_round_trip_and_the_window_holds_vectors_and_texts(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    records = make_stream(2, 10)
    with state.transaction():
        state.add_signals([_stored(r, 1 if r.seq % 2 else None) for r in records])
        state.set_meta("watermark", str(records[-1].seq))
    assert (tmp_path / STATE_FILENAME).is_file() and state.watermark == 20
    week = state.window(records[0].observed_at - timedelta(days=1), datetime(2026, 3, 9, tzinfo=UTC), DIMENSION)
    in_week = [r for r in records if r.observed_at < datetime(2026, 3, 9, tzinfo=UTC)]
    assert week.seqs.tolist() == [r.seq for r in in_week]
    assert week.texts == [r.text for r in in_week]
    np.testing.assert_array_equal(week.vectors[0], _stored(in_week[0]).vector)
    assert week.cluster_ids.tolist() == [1 if r.seq % 2 else -1 for r in in_week]
    assert week.own_themes == [r.themes for r in in_week]
    capped = state.window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), DIMENSION, max_seq=5)
    assert capped.seqs.tolist() == [1, 2, 3, 4, 5]
    facts = list(state.facts())
    assert [f.seq for _, f in facts] == list(range(1, 21))
    assert facts[0][0] == 1 and facts[1][0] is None and facts[0][1].agency == records[0].agency
    assert facts[0][1].observed_at == records[0].observed_at


def test_pruning_keeps_the_facts_and_drops_vector_and_text(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    records = make_stream(2, 10)
    state.add_signals([_stored(r) for r in records])
    cut = datetime(2026, 3, 9, tzinfo=UTC)
    pruned = state.prune(cut)
    assert pruned == sum(r.observed_at < cut for r in records)
    everything = state.window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), DIMENSION)
    assert all(r.observed_at >= cut for r in records if r.seq in set(everything.seqs.tolist()))
    assert len(list(state.facts())) == 20
    with sqlite3.connect(tmp_path / STATE_FILENAME) as db:
        kept = db.execute("SELECT COUNT(*) FROM signals WHERE text IS NOT NULL").fetchone()[0]
    assert kept == 20 - pruned
    seqs, vectors = state.stored_vectors(0, DIMENSION)
    assert seqs.tolist() == everything.seqs.tolist() and vectors.shape == (len(seqs), DIMENSION)
    held = state.seqs_with_text(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert held == seqs.tolist()
    texts = state.texts_of([1, *held])
    assert sorted(texts) == held and texts[held[0]] == records[held[0] - 1].text  # 1 was pruned: no text
    some = state.window_of([20, 1, int(seqs[0]), 20], DIMENSION)  # pruned ones (1) hold no vector: left out
    assert some.seqs.tolist() == sorted({int(seqs[0]), 20}) and some.texts[-1] == records[-1].text
    np.testing.assert_array_equal(some.vectors[-1], _stored(records[-1]).vector)


def test_clusters_round_trip_and_grow_online(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    state.put_clusters([_cluster(1), _cluster(2, status="dormant"), _cluster(3, status="merged")])
    assert [c.id for c in state.clusters(("active", "dormant"))] == [1, 2]
    loaded, expected = state.cluster(1), _cluster(1)
    assert loaded is not None
    np.testing.assert_array_equal(loaded.centroid, expected.centroid)
    assert replace(loaded, centroid=expected.centroid) == expected  # every other field round-trips exactly
    early, late = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    state.bump_clusters({1: (3, early, late), 2: (0, early, late)})
    grown = state.cluster(1)
    assert grown is not None and grown.size == 3 and grown.first_seen == early and grown.last_seen == late
    assert state.cluster(99) is None


def test_assignments_moves_and_stats(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    records = make_stream(1, 6)
    state.add_signals([_stored(r) for r in records])
    state.set_assignments([1, 2, 3], [5, 5, 6], "recluster")
    state.move_members(6, 5)
    assert state.members(5) == [1, 2, 3] and state.members(6) == []
    size, first, last = state.cluster_stats([5, 6])[5]
    assert (
        size == 3
        and first == min(r.observed_at for r in records[:3])
        and last == max(r.observed_at for r in records[:3])
    )
    assert state.assignments() == {1: 5, 2: 5, 3: 5, 4: None, 5: None, 6: None}


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    state = MatchingState(tmp_path)
    records = make_stream(1, 3)
    with pytest.raises(RuntimeError), state.transaction():
        state.add_signals([_stored(r) for r in records])
        state.set_meta("watermark", "3")
        raise RuntimeError("crash between writes")
    assert state.watermark == 0 and state.assignments() == {}
    state.close()
    reopened = MatchingState(tmp_path)
    assert reopened.watermark == 0
