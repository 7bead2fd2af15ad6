# SPDX-License-Identifier: EUPL-1.2
"""The incremental matching run: embed new signals, assign them online, re-cluster on the signals' own time.

Matching never reads the wall clock. Time is the signals' ``observed_at``, cut into epochs (default: weeks from
Monday 00:00 UTC). The engine reads the records after the state's watermark, in ``seq`` order, and:

1. embeds them and feeds each record's epoch to the :class:`~matching.schedule.EventClock`;
2. when the clock moves to a new epoch, the records before that point are flushed and the signals of the window
   ``[boundary - window_epochs · epoch, boundary)`` (boundary = start of the new epoch) are re-clustered, ids
   matched to the old ones by shared members (:func:`matching.reclustering.stable_ids`), and labelled; vectors
   and texts older than the window are pruned; the theme assigner's labels become the source-themed signals of
   that window;
3. other records join the nearest active or dormant cluster whose frozen centroid is at least ``assign_threshold``
   similar, else wait unassigned; themes are assigned from the labels frozen at the last boundary;
   each time the detection's day clock completes a day, small groups of waiting signals become clusters
   (:meth:`MatchingEngine._promote`) and terms emerging that day (:mod:`matching.terms`) gather their signals into
   a cluster of their own, which re-clusterings keep as it is while it still grows (``hold_days``);
4. everything from one source batch, and the new watermark, is committed in one transaction.

Guarantee (tested in ``tests/matching/test_engine.py``): for the same records in the same ``seq`` order, the same
settings and bitwise-identical vectors, the state after processing - assignments, cluster ids, centroids, sizes,
labels, keywords, themes, statuses, lineage - is identical however the stream is cut into runs, batches and
restarts. Every decision is a function of the records before it in ``seq`` order and of epochs derived from event
time, never of where a run starts or stops, and every product whose shape could depend on the batch is computed
in fixed-size padded blocks (online assignment: one row at a time, :class:`~matching.clusters.CentroidAssigner`).
Vectors are bitwise identical when they come from the embedding cache (production:
:class:`matching.embedding_cache.CachedEmbedder`) or from an embedder that embeds each text independently. The
USE backend differs in the last bits (about 1e-7) between batch compositions; on the evaluation stream a fresh
replay without the cache still gave identical assignments, ids and themes, with centroids equal up to that
round-off, but a similarity within 1e-7 of a threshold could flip. Not covered: a different ``seq`` order (the
hub assigns it once), and the FAISS index, whose approximate form depends on when it was trained.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from governance.errors import HartslagError, InvalidInputError, NotFoundError
from matching.activity import AMSTERDAM, event_day
from matching.cleaning import Cleaner
from matching.clusters import (
    CentroidAssigner,
    Clusterer,
    Labels,
    assign_to_centroids,
    canonical_labels,
    centroids_of,
    single_threaded,
)
from matching.detection import Detection
from matching.embedder import Embedder, Matrix
from matching.index import VectorIndex
from matching.labels import ClusterLabel, Labeller
from matching.reclustering import stable_ids
from matching.schedule import EventClock, RunReport, Schedule
from matching.state import ClusterRow, MatchingState, SignalFacts, SignalRecord, SignalSource, StoredSignal
from matching.terms import Term, TermFinder, TermSignal
from matching.themes import ThemeAssigner

__all__ = ["MatchingEngine", "RunReport", "Schedule"]

_ASSIGNABLE = ("active", "dormant")
# Batches up to this size (events arriving one or a few at a time) go into the index with one BLAS/OpenMP thread:
# on a shared machine a second thread mostly waits for a core (index add p99 30 times worse, docs/benchmarks.md).
# Larger batches (catch-up runs) keep the libraries' threads.
_ONLINE_ROWS = 64


class MatchingEngine:
    """Runs the pipeline steps over new signals and keeps :class:`~matching.state.MatchingState` up to date."""

    def __init__(
        self,
        state: MatchingState,
        embedder: Embedder,
        clusterer: Clusterer,
        labeller: Labeller,
        *,
        schedule: Schedule | None = None,
        themes: ThemeAssigner | None = None,
        terms: TermFinder | None = None,
        index: VectorIndex | None = None,
        detection: Detection | None = None,
        cleaner: Cleaner | None = None,
        fingerprint: str = "",
    ) -> None:
        self.state = state
        self.embedder = embedder
        self.clusterer = clusterer
        self.labeller = labeller
        self.schedule = schedule or Schedule()
        self.themes = themes
        self.terms = terms
        self._term_cache: dict[int, TermSignal] = {}
        self.index = index
        self.detection = detection
        self.cleaner = cleaner
        stored = state.get_meta("fingerprint")
        if stored is not None and stored != fingerprint:
            raise InvalidInputError(
                "the matching settings changed since the state was built; rebuild the state from scratch",
                code="matching-settings-changed",
            )
        if stored is None:
            state.set_meta("fingerprint", fingerprint)
        self._load_centroids()
        boundary = state.get_meta("boundary_epoch")
        if boundary is not None:
            self._refresh_theme_labels(self.schedule.start_of(int(boundary)), int(state.get_meta("boundary_seq") or 0))

    # --- running -----------------------------------------------------------------------------------------------

    def run(self, source: SignalSource, *, batch_size: int = 1000, max_records: int | None = None) -> RunReport:
        """Process records after the watermark until the source is exhausted (or ``max_records`` were done)."""
        report = RunReport(watermark=self.state.watermark)
        if self.detection is not None:
            with self.state.transaction():
                report.alerts += len(self.detection.catch_up_policies())
        while max_records is None or report.processed < max_records:
            limit = batch_size if max_records is None else min(batch_size, max_records - report.processed)
            records = source.records_after(self.state.watermark, limit)
            if not records:
                break
            report.add(self.process(records))
        return report

    def process(self, records: Sequence[SignalRecord]) -> RunReport:
        """Process one batch (records at or below the watermark are skipped) and commit it."""
        watermark = self.state.watermark
        fresh = sorted({r.seq: r for r in records if r.seq > watermark}.values(), key=lambda r: r.seq)
        report = RunReport(watermark=watermark)
        if not fresh:
            return report
        if self.cleaner is not None:  # embed and label the topic, not the channel's wrapping
            fresh = [replace(r, text=self.cleaner.clean(r.text)) for r in fresh]
        vectors = np.ascontiguousarray(self.embedder.embed([r.text for r in fresh]), dtype=np.float32)
        if vectors.shape != (len(fresh), self.embedder.dimension):
            raise HartslagError(f"the embedder returned shape {vectors.shape}", code="embedder-output-mismatch")
        clock = EventClock.loads(self.state.get_meta("clock"), self.schedule.advance_after)
        with self.state.transaction():
            start = 0
            for position, record in enumerate(fresh):
                moved_to = clock.observe(self.schedule.epoch_of(record.observed_at))
                if moved_to is not None:
                    self._flush(fresh[start:position], vectors[start:position], report)
                    start = position
                    boundary_seq = fresh[position - 1].seq if position else watermark
                    self._recluster(self.schedule.start_of(moved_to), boundary_seq, report)
                    self.state.set_meta("boundary_epoch", str(moved_to))
                    self.state.set_meta("boundary_seq", str(boundary_seq))
                complete = self.detection.observe(record.observed_at) if self.detection is not None else None
                if complete is not None and self.detection is not None:
                    self._flush(fresh[start:position], vectors[start:position], report)
                    start = position
                    self._promote(complete, fresh[position - 1].seq if position else watermark, report)
                    emerged = self._emerge(complete, report)
                    report.alerts += len(self.detection.detect_through(complete, emerged=emerged))
            self._flush(fresh[start:], vectors[start:], report)
            self.state.set_meta("clock", clock.dumps())
            if self.detection is not None:
                self.detection.save_clock()
            self.state.set_meta("watermark", str(fresh[-1].seq))
        if self.index is not None:
            with single_threaded() if len(fresh) <= _ONLINE_ROWS else nullcontext():
                self.index.add([r.seq for r in fresh], vectors)
        report.watermark = fresh[-1].seq
        return report

    # --- the index -------------------------------------------------------------------------------------------

    def save_index(self, path: str | os.PathLike[str]) -> None:
        """Save the vector index and remember up to which sequence number it is complete."""
        if self.index is None:
            return
        watermark = self.state.watermark
        self.index.save(path)
        self.state.set_meta("indexed_through", str(watermark))

    def restore_index(self, path: str | os.PathLike[str]) -> int:
        """Load the saved index (if any) and re-add what the state processed after it was saved; returns the count.

        Signals whose vectors were already pruned (older than the window) cannot be re-added; save the index at
        least once per window to avoid gaps.
        """
        if self.index is None:
            return 0
        indexed = 0
        if Path(path).is_file():
            self.index.load(path)
            indexed = int(self.state.get_meta("indexed_through") or 0)
        seqs, vectors = self.state.stored_vectors(indexed, self.embedder.dimension)
        if seqs.size:
            self.index.add(seqs, vectors)
        return int(seqs.size)

    def similar(self, seq: int, k: int = 10) -> list[tuple[int, float]]:
        """ "Meer signalen zoals deze": the ``k`` indexed signals nearest to signal ``seq``, as (seq, cosine).

        Raises :class:`governance.errors.NotFoundError` when ``seq`` is not in the index (or there is no index).
        """
        if self.index is None or seq not in self.index:
            raise NotFoundError(f"signal seq {seq} is not in the vector index", code="vector-not-found")
        scores, ids = self.index.search(self.index.vectors([seq]), k + 1)
        found = [(int(i), float(s)) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]
        return [(i, s) for i, s in found if i != seq][:k]

    def search(self, text: str, k: int = 10) -> list[tuple[int, float]]:
        """ "Signalen zoals deze" for free text: the ``k`` indexed signals nearest to ``text``, as (seq, cosine)."""
        if self.index is None:
            raise NotFoundError("matching runs without a vector index", code="vector-index-missing")
        if len(self.index) == 0:
            return []
        cleaned = self.cleaner.clean(text) if self.cleaner is not None else text
        query = np.ascontiguousarray(self.embedder.embed([cleaned]), dtype=np.float32)
        scores, ids = self.index.search(query, k)
        return [(int(i), float(s)) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]

    # --- steps -------------------------------------------------------------------------------------------------

    def _flush(self, records: Sequence[SignalRecord], vectors: Matrix, report: RunReport) -> None:
        if not records:
            return
        nearest, sims = self._assigner.assign(vectors)
        assigned = self.themes.assign(vectors, top=self.schedule.theme_top) if self.themes is not None else None
        stored: list[StoredSignal] = []
        bumps: dict[int, tuple[int, datetime, datetime]] = {}
        for row, record in enumerate(records):
            cluster_id = int(self._centroid_ids[nearest[row]]) if nearest[row] >= 0 else None
            scores = tuple((s.theme, s.confidence) for s in assigned[row]) if assigned is not None else ()
            stored.append(
                StoredSignal(
                    record=record,
                    vector=vectors[row],
                    cluster_id=cluster_id,
                    similarity=float(sims[row]) if cluster_id is not None else None,
                    assigned_themes=scores,
                )
            )
            if cluster_id is not None:
                added, lo, hi = bumps.get(cluster_id, (0, record.observed_at, record.observed_at))
                bumps[cluster_id] = (added + 1, min(lo, record.observed_at), max(hi, record.observed_at))
        self.state.add_signals(stored)
        self.state.bump_clusters(bumps)
        if self.detection is not None:
            self.detection.count((s.cluster_id, _facts(s)) for s in stored)
        report.processed += len(records)
        report.assigned_online += sum(1 for s in stored if s.cluster_id is not None)

    def _recluster(self, boundary: datetime, boundary_seq: int, report: RunReport) -> None:
        start = self.schedule.window_start(boundary)
        window = self.state.window(start, boundary, self.embedder.dimension, max_seq=boundary_seq)
        report.reclusterings.append(boundary)
        existing = {row.id: row for row in self.state.clusters()}
        next_id = int(self.state.get_meta("next_cluster_id") or 1)
        labels = self._cluster_window(window.vectors, window.cluster_ids, boundary)
        match = stable_ids(window.cluster_ids, labels, next_id, min_overlap=self.schedule.min_overlap)
        self.state.set_assignments(
            window.seqs.tolist(), [match.ids[label] if label >= 0 else None for label in labels.tolist()], "recluster"
        )
        for old_id, new_id in sorted(match.merged.items()):
            self.state.move_members(old_id, new_id)
        named = self.labeller.label(window.texts, window.vectors, labels, window.seqs.tolist())
        centroids = centroids_of(window.vectors, labels)
        touched = set(match.ids) | set(match.merged) | set(match.dissolved)
        stats = self.state.cluster_stats(sorted(touched | set(existing)))
        rows: list[ClusterRow] = []
        for label, cluster_id in enumerate(match.ids):
            before = existing.get(cluster_id)
            rows.append(
                _active(
                    cluster_id, centroids[label], stats[cluster_id], named[label],
                    [window.themes[i] for i in np.flatnonzero(labels == label)], boundary,
                    match.split_from.get(cluster_id, before.split_from if before else None),
                )
            )  # fmt: skip
        in_window = set(match.ids) | set(match.merged) | set(match.dissolved)
        for cluster_id, before in sorted(existing.items()):
            if cluster_id in match.merged:
                into = match.merged[cluster_id]
                rows.append(_replace(before, status="merged", merged_into=into, size=0, at=boundary))
            elif cluster_id in match.dissolved:
                size = stats.get(cluster_id, (0, before.first_seen, before.last_seen))[0]
                rows.append(_replace(before, status="dissolved", size=size, at=boundary))
            elif cluster_id not in in_window and before.status == "active":
                rows.append(_replace(before, status="dormant", size=before.size, at=boundary))
        self.state.put_clusters(rows)
        self.state.prune(start)
        self.state.set_meta("next_cluster_id", str(match.next_id))
        report.created += len(match.created)
        report.merged += len(match.merged)
        self._load_centroids()
        self._refresh_theme_labels(boundary, boundary_seq)
        if self.detection is not None:
            self.detection.invalidate()

    def _promote(self, day: date, last_seq: int, report: RunReport) -> None:
        """Daily: unassigned signals of the last ``promote_days`` that group together become new clusters now.

        A new topic would otherwise wait for the weekly re-clustering. The pool is clustered with the same
        clusterer; groups of at least ``promote_min_size`` become active clusters with new ids, which the next
        re-clustering keeps (ids are matched by shared members). A smaller group, of at least
        ``promote_broad_min_size``, is promoted too when its signals come from at least
        ``promote_broad_organisations`` organisations or from organisations of two kinds: a few similar signals
        at several organisations at once are rarely chance, and a new national topic starts exactly so.
        """
        minimum = self.schedule.promote_min_size
        if minimum <= 0:
            return
        broad_minimum = min(self.schedule.promote_broad_min_size or minimum, minimum)
        end = datetime.combine(day + timedelta(days=1), time(), AMSTERDAM)
        window = self.state.window(
            end - timedelta(days=self.schedule.promote_days), end, self.embedder.dimension, max_seq=last_seq
        )
        pool = np.flatnonzero(window.cluster_ids < 0)
        if pool.size < broad_minimum:
            return
        labels = self.clusterer.cluster(window.vectors[pool])
        sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(0, dtype=np.int64)
        keep = [label for label in range(sizes.size) if sizes[label] >= minimum]
        small = [label for label in range(sizes.size) if broad_minimum <= sizes[label] < minimum]
        if small:
            facts = {f.seq: f for _, f in self.state.facts_of(window.seqs[pool].tolist())}
            for label in small:
                group = [facts[int(seq)] for seq in window.seqs[pool][labels == label].tolist()]
                organisations = {f.agency for f in group}
                kinds = {f.organisation_kind for f in group}
                if len(organisations) >= self.schedule.promote_broad_organisations or len(kinds) >= 2:
                    keep.append(label)
            keep.sort()
        if not keep:
            return
        next_id = int(self.state.get_meta("next_cluster_id") or 1)
        kept = np.where(np.isin(labels, keep), labels, -1)
        dense = {label: i for i, label in enumerate(keep)}
        dense_labels = np.array([dense.get(int(label), -1) for label in kept], dtype=np.int64)
        seqs, vectors = window.seqs[pool], window.vectors[pool]
        texts = [window.texts[i] for i in pool.tolist()]
        named = self.labeller.label(texts, vectors, dense_labels, seqs.tolist())
        centroids = centroids_of(vectors, dense_labels)
        ids = [next_id + i for i in range(len(keep))]
        self.state.set_assignments(
            seqs.tolist(), [ids[label] if label >= 0 else None for label in dense_labels.tolist()], "promoted"
        )
        stats = self.state.cluster_stats(ids)
        rows = []
        for label, cluster_id in enumerate(ids):
            members = np.flatnonzero(dense_labels == label)
            themes = [window.themes[int(pool[i])] for i in members]
            rows.append(_active(cluster_id, centroids[label], stats[cluster_id], named[label], themes, end))
        self.state.put_clusters(rows)
        self.state.set_meta("next_cluster_id", str(next_id + len(ids)))
        report.created += len(ids)
        self._load_centroids()
        if self.detection is not None:
            promoted = seqs[dense_labels >= 0].tolist()
            self.detection.joined((cid, facts) for cid, facts in self.state.facts_of(promoted) if cid is not None)

    def _cluster_window(self, vectors: Matrix, cluster_ids: npt.NDArray[np.int64], boundary: datetime) -> Labels:
        """The clusterer's labels for a re-clustering window; patterns of emerging terms still held stay as they are
        (each one label) and take the waiting signals that are close enough to their centre now (the online rule),
        the rest is clustered as usual."""
        held = sorted(self._held_terms(boundary.astimezone(AMSTERDAM).date()))
        fixed = np.isin(cluster_ids, held)
        if not fixed.any():
            return self.clusterer.cluster(vectors)
        waiting = np.flatnonzero(cluster_ids < 0)
        present = [c for c in held if (cluster_ids == c).any()]
        if waiting.size and present:
            centres = centroids_of(vectors, np.where(fixed, np.searchsorted(present, cluster_ids), -1))
            nearest, _ = assign_to_centroids(vectors[waiting], centres, self.schedule.assign_threshold)
            joined = nearest >= 0
            cluster_ids = cluster_ids.copy()
            cluster_ids[waiting[joined]] = np.asarray(present, dtype=np.int64)[nearest[joined]]
            fixed = np.isin(cluster_ids, held)
        labels = np.full(cluster_ids.shape[0], -1, dtype=np.int64)
        free = np.flatnonzero(~fixed)
        if free.size:
            labels[free] = self.clusterer.cluster(vectors[free])
        top = int(labels.max()) + 1
        for offset, cluster_id in enumerate(held):
            labels[cluster_ids == cluster_id] = top + offset
        return canonical_labels(labels)

    def _emerge(self, last: date, report: RunReport) -> list[tuple[int, Term]]:
        """Daily: terms emerging on the days up to ``last`` not yet detected become patterns (or join theirs).

        A term that is no new topic (:meth:`_not_new`) is left alone. Returns ``(cluster id, term)`` per term put
        into a pattern, for the detection step to raise.
        """
        if self.terms is None or self.detection is None:
            return []
        done = self.detection.detected_through
        day = done + timedelta(days=1) if done is not None else last
        found: list[tuple[int, Term]] = []
        while day <= last:
            for term in self.terms.find(self._term_signals(day), day):
                cluster_id = self._term_pattern(term, report)
                if cluster_id is not None:
                    found.append((cluster_id, term))
            day += timedelta(days=1)
        return found

    def _term_signals(self, day: date) -> list[TermSignal]:
        """The signals of the term finder's window and history up to ``day``, read for it.

        A signal's facts and words never change, so each is read once and kept while it is in the window; only
        which signals still hold their text (withdrawals and retention remove some) is asked every day.
        """
        assert self.terms is not None
        first = day - timedelta(days=self.terms.window + self.terms.history - 1)
        start = datetime.combine(first, time(), AMSTERDAM)
        end = datetime.combine(day + timedelta(days=1), time(), AMSTERDAM)
        present = self.state.seqs_with_text(start, end)
        cache = self._term_cache
        missing = [seq for seq in present if seq not in cache]
        if missing:
            texts = self.state.texts_of(missing)
            for _, facts in self.state.facts_of(missing):
                if facts.seq in texts:
                    cache[facts.seq] = self.terms.signal(facts, event_day(facts.observed_at), texts[facts.seq])
        for seq in [seq for seq, signal in cache.items() if signal.day < first]:
            del cache[seq]
        return [cache[seq] for seq in present if seq in cache]

    def _held_terms(self, day: date) -> dict[int, dict[str, Any]]:
        """Active patterns of emerging terms that gained a member (by their term or online) within ``hold_days``
        before ``day``: id → stored facts."""
        if self.terms is None:
            return {}
        stored: dict[str, dict[str, Any]] = json.loads(self.state.get_meta("term_patterns") or "{}")
        hold = self.terms.hold_days
        held: dict[int, dict[str, Any]] = {}
        for row in self.state.clusters(("active",), ids=sorted(int(c) for c in stored)):
            facts = stored[str(row.id)]
            last = max(date.fromisoformat(facts["last"]), row.last_seen.astimezone(AMSTERDAM).date())
            if (day - last).days <= hold:
                held[row.id] = facts
        return held

    def _term_pattern(self, term: Term, report: RunReport) -> int | None:
        """Put the signals of ``term`` into its pattern: the held pattern of the same term, else a new one, unless
        the term is no new topic (:meth:`_not_new`; then ``None``). Signals moved out of other patterns leave them
        (their sizes follow); the pattern's centre, label and themes are computed over its members."""
        stored: dict[str, dict[str, Any]] = json.loads(self.state.get_meta("term_patterns") or "{}")
        held = self._held_terms(term.day)
        target = next((c for c in sorted(held) if term.overlaps(self.state.members(c), held[c]["fragments"])), None)
        before = {f.seq: c for c, f in self.state.facts_of(term.seqs)}
        if target is None and self._not_new(term, before, held):
            return None
        end = datetime.combine(term.day + timedelta(days=1), time(), AMSTERDAM)
        if target is None:
            target = int(self.state.get_meta("next_cluster_id") or 1)
            self.state.set_meta("next_cluster_id", str(target + 1))
            fragments = list(term.fragments)
            report.created += 1
        else:
            fragments = sorted(set(held[target]["fragments"]) | set(term.fragments))
        moved = [seq for seq in term.seqs if before.get(seq) != target]
        self.state.set_assignments(moved, [target] * len(moved), "term")
        window = self.state.window_of(self.state.members(target), self.embedder.dimension)
        labels = np.zeros(window.seqs.size, dtype=np.int64)
        named = self.labeller.label(window.texts, window.vectors, labels, window.seqs.tolist())
        touched = sorted({c for c in before.values() if c is not None and c != target} | {target})
        stats = self.state.cluster_stats(touched)
        existing = {row.id: row for row in self.state.clusters(ids=touched)}
        updated: list[ClusterRow] = []
        for cluster_id in touched:
            counted = stats.get(cluster_id, (0, end, end))
            if cluster_id == target:
                previous = existing.get(target)
                centroid = centroids_of(window.vectors, labels)[0]
                split_from = previous.split_from if previous else None
                updated.append(_active(target, centroid, counted, named[0], window.themes, end, split_from))
            elif cluster_id in existing:
                row = existing[cluster_id]
                updated.append(_replace(row, status=row.status, size=counted[0], at=end))
        self.state.put_clusters(updated)
        stored[str(target)] = {"fragments": fragments, "last": term.day.isoformat()}
        self.state.set_meta("term_patterns", json.dumps(stored, sort_keys=True))
        self._load_centroids()
        if self.detection is not None:
            self.detection.invalidate()
        return target

    @staticmethod
    def _not_new(term: Term, before: dict[int, int | None], held: dict[int, dict[str, Any]]) -> bool:
        """Whether ``term`` is no new topic: most of its signals already share one ordinary pattern (that pattern
        growing, for the detectors to judge against its own history), or a quarter of them sit in the pattern of
        another term still held (that topic's words spreading: "gedumpt" a week into a wave of dumped cylinders)."""
        shared = Counter(c for c in before.values() if c is not None)
        if any(n * 2 > len(term.seqs) for c, n in shared.items() if c not in held):
            return True
        return any(n * 4 >= len(term.seqs) for c, n in shared.items() if c in held)

    # --- helpers -----------------------------------------------------------------------------------------------

    def _load_centroids(self) -> None:
        rows = self.state.clusters(_ASSIGNABLE)
        self._centroid_ids = np.array([row.id for row in rows], dtype=np.int64)
        dimension = self.embedder.dimension
        centroids = (
            np.stack([row.centroid for row in rows]).astype(np.float32)
            if rows
            else np.zeros((0, dimension), dtype=np.float32)
        )
        # Prepared once per re-clustering or promotion, so a signal pays only for its own product.
        self._assigner = CentroidAssigner(centroids, self.schedule.assign_threshold)

    def _refresh_theme_labels(self, boundary: datetime, boundary_seq: int) -> None:
        """Labels = the source-themed signals of the window that ended at ``boundary`` (frozen until the next)."""
        if self.themes is None:
            return
        window = self.state.window(
            self.schedule.window_start(boundary), boundary, self.embedder.dimension, max_seq=boundary_seq
        )
        rows = [i for i, own in enumerate(window.own_themes) if own]
        self.themes.clear_labels()
        if rows:
            self.themes.add_labels(window.vectors[rows], [window.own_themes[i] for i in rows])


def _facts(signal: StoredSignal) -> SignalFacts:
    """The facts the detectors count by, as :meth:`MatchingState.facts` reads them back (own themes, else assigned)."""
    record = signal.record
    return SignalFacts(
        seq=record.seq, id=record.id, agency=record.agency, organisation_kind=record.organisation_kind,
        municipality=record.municipality, province=record.province, observed_at=record.observed_at,
        kind=record.kind, themes=record.themes or tuple(t for t, _ in signal.assigned_themes),
        policy_refs=record.policy_refs,
    )  # fmt: skip


def _active(
    cluster_id: int,
    centroid: Matrix,
    stats: tuple[int, datetime, datetime],
    named: ClusterLabel,
    themes: Sequence[Sequence[str]],
    at: datetime,
    split_from: int | None = None,
) -> ClusterRow:
    """An active cluster as (re)computed at ``at``: its centre, (size, first seen, last seen), label and the
    majority of its members' themes."""
    size, first, last = stats
    return ClusterRow(
        id=cluster_id, centroid=centroid, size=size, first_seen=first, last_seen=last, status="active",
        updated_at=at, label=named.label, keywords=named.keywords, representatives=named.representatives,
        themes=_majority_themes(themes), split_from=split_from,
    )  # fmt: skip


def _majority_themes(themes: Sequence[Sequence[str]], top: int = 3) -> tuple[tuple[str, float], ...]:
    """The most common themes among members, with the share of members naming each (ties: alphabetical)."""
    if not themes:
        return ()
    counts: dict[str, int] = {}
    for member in themes:
        for theme in set(member):
            counts[theme] = counts.get(theme, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return tuple((theme, round(count / len(themes), 6)) for theme, count in ranked)


def _replace(row: ClusterRow, *, status: str, size: int, at: datetime, merged_into: int | None = None) -> ClusterRow:
    return ClusterRow(
        id=row.id, centroid=row.centroid, size=size, first_seen=row.first_seen, last_seen=row.last_seen,
        status=status, updated_at=at, label=row.label, keywords=row.keywords, representatives=row.representatives,
        themes=row.themes, merged_into=merged_into if merged_into is not None else row.merged_into,
        split_from=row.split_from,
    )  # fmt: skip
