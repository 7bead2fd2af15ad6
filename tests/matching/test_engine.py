# SPDX-License-Identifier: EUPL-1.2
"""The incremental run on event time: replay in weekly chunks equals one run, ids stay stable, runs are
incremental and restartable, and the vector index is fed and caught up."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from governance.errors import InvalidInputError, NotFoundError
from matching.clusters import AgglomerativeClusterer
from matching.embedder import DEFAULT_EMBEDDER, Embedder, make_embedder
from matching.embedding_cache import CachedEmbedder, EmbeddingCache
from matching.engine import MatchingEngine, Schedule
from matching.fake_embedder import FakeEmbedder
from matching.labels import CtfidfLabeller
from matching.pipeline import INDEX_FILENAME, MatchingConfig, StepConfig, build_engine
from matching.state import MatchingState, SignalRecord
from matching.themes import KnnThemeAssigner
from tests.matching.streams import START, TOPICS, ListSource, make_stream

# The hashing embedder's vectors are further apart than a model's; a tighter threshold separates the topics.
CONFIG = MatchingConfig(
    cache_embeddings=False,
    index=None,
    clusterer=StepConfig(name="agglomerative", options={"distance_threshold": 0.65}),
)


def _engine(folder: Path, config: MatchingConfig = CONFIG, embedder: Embedder | None = None) -> MatchingEngine:
    return build_engine(config, folder, embedder=embedder or FakeEmbedder(256))


def _snapshot(state: MatchingState) -> dict[str, Any]:
    """Everything a run decides, in comparable form (centroids as exact bytes)."""
    clusters = [(replace(c, centroid=np.zeros(0, dtype=np.float32)), c.centroid.tobytes()) for c in state.clusters()]
    return {
        "assignments": state.assignments(),
        "clusters": [(repr(row), blob) for row, blob in clusters],
        "facts": [(cid, f) for cid, f in state.facts()],
        "meta": {key: state.get_meta(key) for key in ("watermark", "epoch", "boundary_seq", "next_cluster_id")},
    }


def _topic(record: SignalRecord) -> str:
    return next(topic for topic, words in TOPICS.items() if any(w in record.text.lower() for w in words))


def _weekly_cuts(records: list[SignalRecord], weeks: int) -> list[int]:
    per_week = len(records) // weeks
    return [records[(w + 1) * per_week - 1].seq for w in range(weeks - 1)] + [records[-1].seq]


# --- the determinism guarantee ---------------------------------------------------------------------------------


def test_replaying_week_by_week_with_restarts_equals_one_run_and_any_batching(tmp_path: Path) -> None:
    records = make_stream(weeks=6, per_week=40)
    once = _engine(tmp_path / "once")
    report = once.run(ListSource(records))
    # Boundaries Mon 2 March … Mon 6 April: the first records (2 March, minus two days of lateness) count in the
    # week before, so the first boundary is crossed on 4 March with nothing before it yet.
    assert report.processed == 240 and len(report.reclusterings) == 6 and report.created >= 6
    assert report.reclusterings[0] == START and report.reclusterings[-1] == START + timedelta(weeks=5)

    for week_end in _weekly_cuts(records, 6):  # a new process every week, as a scheduled job would be
        weekly = _engine(tmp_path / "weekly")
        weekly.run(ListSource(records, until_seq=week_end))
        weekly.state.close()
    small = _engine(tmp_path / "small")
    small.run(ListSource(records), batch_size=7)

    expected = _snapshot(once.state)
    assert _snapshot(MatchingState(tmp_path / "weekly")) == expected
    assert _snapshot(small.state) == expected
    # And the run did real work: most signals are clustered, and themes were assigned from labels.
    assigned = [cid for cid in expected["assignments"].values() if cid is not None]
    assert len(assigned) >= 200
    assert any(f.themes and not r.themes for (_, f), r in zip(expected["facts"], records, strict=True))


def test_cluster_ids_stay_stable_across_reclusterings_where_members_stay(tmp_path: Path) -> None:
    records = make_stream(weeks=6, per_week=40)
    engine = _engine(tmp_path)

    def topic_ids() -> dict[str, int]:
        assignments = engine.state.assignments()
        by_topic: dict[str, list[int]] = {}
        for record in records:
            cid = assignments.get(record.seq)
            if cid is not None:
                by_topic.setdefault(_topic(record), []).append(cid)
        return {topic: max(set(ids), key=ids.count) for topic, ids in by_topic.items()}

    cuts = _weekly_cuts(records, 6)
    engine.run(ListSource(records, until_seq=cuts[2]))
    after_three_weeks = topic_ids()
    engine.run(ListSource(records))
    assert topic_ids() == after_three_weeks
    assert len(set(after_three_weeks.values())) == len(TOPICS)  # one cluster per topic
    active = engine.state.clusters(("active",))
    assert {c.id for c in active} == set(after_three_weeks.values())
    for cluster in active:
        assert cluster.label and cluster.keywords and len(cluster.representatives) == 3
        assert cluster.size == len(engine.state.members(cluster.id))


def test_a_new_topic_waits_unassigned_then_gets_a_fresh_id(tmp_path: Path) -> None:
    old = make_stream(weeks=3, per_week=40, topics=("afval", "parkeren", "digid"))
    new = make_stream(weeks=2, per_week=30, topics=("bus",), seed=5, start=START + timedelta(days=21))
    records = old + [replace(r, seq=r.seq + len(old), id=r.id[:-6] + f"{r.seq + len(old):06d}") for r in new]
    engine = _engine(tmp_path)
    engine.run(ListSource(records, until_seq=len(old) + 10))
    before = {c.id for c in engine.state.clusters()}
    bus = [r.seq for r in records[len(old) :]]
    assert all(engine.state.assignments()[seq] is None for seq in bus[:10])  # no bus cluster to join yet
    engine.run(ListSource(records))
    ids = {engine.state.assignments()[seq] for seq in bus[:10]}
    assert len(ids) == 1
    fresh = next(iter(ids))
    assert fresh is not None and fresh not in before and fresh > max(before)


def test_a_late_signal_is_assigned_online_and_joins_the_next_reclustering(tmp_path: Path) -> None:
    records = make_stream(weeks=4, per_week=30, topics=("afval", "digid"))
    twin = records[5]
    late = replace(twin, seq=len(records) + 1, id="late-1")  # observed in week one, arriving after week four
    engine = _engine(tmp_path)
    engine.run(ListSource([*records, late]))
    assert engine.state.assignments()[late.seq] == engine.state.assignments()[twin.seq] is not None
    later = [
        replace(records[-1], seq=late.seq + i, id=f"next-{i}", observed_at=records[-1].observed_at + timedelta(days=9))
        for i in (1, 2, 3)
    ]
    report = engine.run(ListSource([*records, late, *later]))
    assert len(report.reclusterings) == 1  # the third record beyond the epoch moves the clock
    window = engine.state.window(
        engine.schedule.window_start(report.reclusterings[0]), report.reclusterings[0], 256, max_seq=late.seq
    )
    assert late.seq in window.seqs.tolist()  # the late signal took part in the re-clustering
    assert engine.state.assignments()[late.seq] == engine.state.assignments()[twin.seq] is not None


def test_one_signal_from_a_wrong_clock_does_not_move_event_time(tmp_path: Path) -> None:
    records = make_stream(weeks=4, per_week=30)
    wrong = replace(records[40], observed_at=records[40].observed_at + timedelta(days=365))
    normal = _engine(tmp_path / "normal").run(ListSource(records))
    skewed = _engine(tmp_path / "skewed").run(ListSource([*records[:40], wrong, *records[41:]]))
    assert skewed.reclusterings == normal.reclusterings


# --- incremental, restartable, guarded -------------------------------------------------------------------------


def test_runs_do_only_the_new_work(tmp_path: Path) -> None:
    records = make_stream(weeks=2, per_week=20)
    embedder = FakeEmbedder(256)
    engine = _engine(tmp_path, embedder=embedder)
    seeded = embedder.texts_embedded  # the theme examples
    engine.run(ListSource(records[:25]))
    assert embedder.texts_embedded - seeded == 25
    again = engine.run(ListSource(records[:25]))
    assert again.processed == 0 and embedder.texts_embedded - seeded == 25
    engine.run(ListSource(records))
    assert embedder.texts_embedded - seeded == 40 and engine.state.watermark == 40
    assert engine.process(records[:3]).processed == 0  # records at or below the watermark are skipped


def test_other_settings_on_the_same_state_are_refused(tmp_path: Path) -> None:
    _engine(tmp_path).run(ListSource(make_stream(1, 5)))
    changed = CONFIG.model_copy(
        update={"clusterer": StepConfig(name="agglomerative", options={"distance_threshold": 0.5})}
    )
    with pytest.raises(InvalidInputError) as caught:
        _engine(tmp_path, changed)
    assert caught.value.code == "matching-settings-changed"
    _engine(tmp_path, CONFIG.model_copy(update={"index": StepConfig(name="faiss")}))  # the index does not count


def test_the_index_is_fed_saved_and_caught_up_after_a_restart(tmp_path: Path) -> None:
    config = CONFIG.model_copy(update={"index": StepConfig(name="faiss")})
    records = make_stream(weeks=2, per_week=20)
    engine = _engine(tmp_path, config)
    engine.run(ListSource(records[:30]))
    assert engine.index is not None and len(engine.index) == 30
    engine.save_index(tmp_path / INDEX_FILENAME)
    engine.run(ListSource(records))  # ten more, not saved
    restarted = _engine(tmp_path, config)
    assert restarted.index is not None and len(restarted.index) == 40  # loaded 30, re-added 10 from the state
    probe = FakeEmbedder(256).embed([records[35].text])
    _, found = restarted.index.search(probe, 1)
    assert found[0, 0] == records[35].seq
    similar = restarted.similar(records[35].seq, k=5)
    assert len(similar) == 5 and records[35].seq not in [seq for seq, _ in similar]
    assert [score for _, score in similar] == sorted((score for _, score in similar), reverse=True)
    same_topic = {r.seq for r in records if _topic(r) == _topic(records[35])} - {records[35].seq}
    assert similar[0][0] in same_topic  # the nearest shares its topic
    with pytest.raises(NotFoundError):
        restarted.similar(9999)


def test_the_engine_can_be_assembled_by_hand(tmp_path: Path) -> None:
    embedder = FakeEmbedder(64)
    engine = MatchingEngine(
        MatchingState(tmp_path),
        embedder,
        AgglomerativeClusterer(distance_threshold=0.65),
        CtfidfLabeller(),
        schedule=Schedule(epoch=timedelta(days=1), window_epochs=3, lateness=timedelta(0)),
        themes=KnnThemeAssigner.from_examples(embedder),
    )
    report = engine.run(ListSource(make_stream(weeks=1, per_week=30)), batch_size=4)
    assert report.processed == 30 and len(report.reclusterings) >= 5
    assert all(b.tzinfo is not None and b.time() == datetime.min.time() for b in report.reclusterings)
    assert report.reclusterings == sorted(report.reclusterings)
    assert report.reclusterings[0] >= datetime(2026, 3, 3, tzinfo=UTC)


# --- with the real model ---------------------------------------------------------------------------------------


def _eval_stream() -> list[SignalRecord]:
    rows = [
        json.loads(line)
        for line in (Path(__file__).resolve().parents[2] / "matching" / "data" / "eval_nl.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    template = make_stream(weeks=6, per_week=60)[: len(rows)]
    order = np.random.default_rng(5).permutation(len(rows))
    return [
        replace(t, text=rows[i]["text"], themes=(rows[i]["theme"],) if t.seq % 4 == 0 else ())
        for t, i in zip(template, order, strict=False)
    ]


@pytest.mark.integration
def test_weekly_replay_with_the_default_model_equals_one_run_through_the_embedding_cache(tmp_path: Path) -> None:
    records = _eval_stream()
    model = make_embedder(DEFAULT_EMBEDDER, threads=2)
    cache = EmbeddingCache(tmp_path / "shared")

    def engine(folder: Path) -> MatchingEngine:
        cached = CachedEmbedder(model, cache)
        return MatchingEngine(
            MatchingState(folder),
            cached,
            AgglomerativeClusterer(),
            CtfidfLabeller(),
            themes=KnnThemeAssigner.from_examples(cached),
        )

    once = engine(tmp_path / "once")
    once.run(ListSource(records))
    for week_end in _weekly_cuts(records, 6):
        engine(tmp_path / "weekly").run(ListSource(records, until_seq=week_end))
    assert _snapshot(MatchingState(tmp_path / "weekly")) == _snapshot(once.state)
    assert sum(cid is not None for cid in once.state.assignments().values()) >= len(records) // 2
