# SPDX-License-Identifier: EUPL-1.2
"""The detection step: runs the detectors on each event-time day as soon as the stream has completed that day.

A day counts as complete once the stream has moved past it: a record counts in the day of ``observed_at -
lateness`` (Europe/Amsterdam), and the day clock (:class:`~matching.schedule.EventClock`, the same robust rule as the
re-clustering epochs) moves once ``advance_after`` records lie beyond the current day. When it moves to day ``D``,
the detectors run for every day not yet detected up to ``D - 1``, on the counts the state holds at that point of the
stream. Because that point is a function of the records in ``seq`` order only, replaying last year week by week
raises the same alerts on the same days as living through it, and each run only detects the new days.

Daily detectors (``cross_org``, ``emerging``) see the last ``lookback_days`` days. One alert is raised per episode:
a cluster that qualified on any of the ``cooldown`` days before (as seen then, stored with the findings) stays
quiet, so members moved by a later re-clustering never make an earlier day qualify in hindsight.

Detectors that read related clusters (``reads_related``, the cross-organisation detector) also get, per cluster,
the clusters whose centroids are at least ``related_threshold`` similar (:mod:`matching.related`), where one of
the two was first seen in the last ``related_young_days`` days, computed from the centroids the state holds at
that point of the stream. An alert counted over related clusters opens the
episode of each of them, so the same rise is not raised again on one of them a few days later; the signals behind
it are the members of all of them.

The policy-effect detector runs only on its checkpoint days, over the half year before the policy date up to that
day. A policy declared after some
of its checkpoints passed is evaluated for them on the next run, on the counts of that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from matching.activity import AMSTERDAM, ActivityBuilder, ActivityRecord, event_day
from matching.detector import Alert, Detector, make_detector
from matching.findings import Findings
from matching.policies import Policy
from matching.related import Related, related_clusters
from matching.schedule import EventClock
from matching.state import MatchingState
from matching.terms import Term, term_alert

__all__ = ["DAILY_DETECTORS", "Detection"]

#: Detectors run every day, with options (``policy_effect`` is separate: it needs the declared policies). The
#: cross-organisation rule for young broad topics is off: the emerging-terms step finds them (``matching.terms``).
DAILY_DETECTORS: dict[str, dict[str, Any]] = {"cross_org": {"broad_rule": False}, "emerging": {}}
_MAX_MEMBER_IDS = 500


class Detection:
    """Keeps the day clock and the running counts; stores alerts through :class:`~matching.findings.Findings`."""

    def __init__(
        self,
        state: MatchingState,
        *,
        detectors: Mapping[str, Mapping[str, Any]] | None = None,
        policy_options: Mapping[str, Any] | None = None,
        lateness: timedelta = timedelta(days=1),
        advance_after: int = 3,
        lookback_days: int = 100,
        related_threshold: float | None = 0.6,
        related_young_days: int = 21,
    ) -> None:
        self.state = state
        self.findings = Findings(state)
        chosen = DAILY_DETECTORS if detectors is None else detectors
        # The detectors' own cooldown recomputes earlier days on today's counts; after a re-clustering moved members,
        # an earlier day may qualify in hindsight although nothing was raised then, and the real alert would be
        # swallowed. Here every qualifying day is reported (cooldown 0) and episodes are tracked on what was seen.
        self.cooldowns: dict[str, int] = {}
        self.detectors: list[Detector] = []
        for name, opts in sorted(chosen.items()):
            options = dict(opts)
            self.cooldowns[name] = int(options.pop("cooldown", 7))
            self.detectors.append(make_detector(name, cooldown=0, **options))
        self.policy_options = dict(policy_options or {})
        self.lateness = lateness
        self.advance_after = advance_after
        self.lookback_days = lookback_days
        self.related_threshold = related_threshold
        self.related_young_days = related_young_days
        self._builder: ActivityBuilder | None = None
        self._clock = EventClock.loads(state.get_meta("day_clock"), advance_after)

    # --- the day clock -----------------------------------------------------------------------------------------

    def observe(self, observed_at: datetime) -> date | None:
        """Count one record; returns the last complete day when the clock moves (``None`` otherwise)."""
        moved = self._clock.observe(event_day(observed_at - self.lateness).toordinal())
        if self.state.get_meta("detected_through") is None and self._clock.epoch is not None:
            self.state.set_meta("detected_through", date.fromordinal(self._clock.epoch - 1).isoformat())
        return None if moved is None else date.fromordinal(moved - 1)

    def save_clock(self) -> None:
        """Persist the day clock (inside the engine's transaction)."""
        self.state.set_meta("day_clock", self._clock.dumps())

    @property
    def detected_through(self) -> date | None:
        """The last event-time day the daily detectors ran for."""
        value = self.state.get_meta("detected_through")
        return date.fromisoformat(value) if value is not None else None

    # --- counts ------------------------------------------------------------------------------------------------

    def count(self, pairs: Iterable[tuple[int | None, ActivityRecord]]) -> None:
        """Add newly processed signals to the running counts (no-op until the counts are first needed)."""
        if self._builder is not None:
            for cluster_id, record in pairs:
                self._builder.add(cluster_id, record)

    def joined(self, pairs: Iterable[tuple[int, ActivityRecord]]) -> None:
        """Unclustered signals (already counted) joined new clusters: move them into those clusters' counts."""
        if self._builder is not None:
            for cluster_id, record in pairs:
                self._builder.add(cluster_id, record, counted=True)

    def invalidate(self) -> None:
        """Forget the running counts (after a re-clustering moved members); they are rebuilt when next needed."""
        self._builder = None

    def _counts(self) -> ActivityBuilder:
        if self._builder is None:
            builder = ActivityBuilder()
            for cluster_id, facts in self.state.facts():
                builder.add(cluster_id, facts)
            self._builder = builder
        return self._builder

    # --- detecting ---------------------------------------------------------------------------------------------

    def detect_through(self, last: date, *, emerged: Sequence[tuple[int, Term]] = ()) -> list[Alert]:
        """Run the daily detectors for each day after :attr:`detected_through` up to ``last``; store the alerts.

        ``emerged``: the patterns the engine formed around emerging terms (:mod:`matching.terms`) on these days;
        each raises a ``cross_org`` alert (rule ``nieuwe term``) when it opens an episode, before the detectors run.
        """
        done = self.detected_through
        first = done + timedelta(days=1) if done is not None else last
        alerts: list[Alert] = []
        if first <= last:
            activity = self._counts().build(last - timedelta(days=self.lookback_days), last)
            related = self._related(last)
            day = first
            while day <= last:
                for cluster_id, term in emerged:
                    cooldown = self.cooldowns.get("cross_org", 7)
                    if term.day == day and self.findings.open_episode("cross_org", cluster_id, day, cooldown):
                        alerts.append(self._with_members(term_alert(cluster_id, term)))
                for detector in self.detectors:
                    cooldown = self.cooldowns.get(detector.kind, 7)
                    if getattr(detector, "reads_related", False):
                        raised = detector.detect(activity, day, related=related)  # type: ignore[call-arg]
                    else:
                        raised = detector.detect(activity, day)
                    for alert in raised:
                        family = [alert.cluster_id, *alert.details.get("related_clusters", ())]
                        # Every member's episode is noted (no short-cut), so none of them raises the same rise later.
                        fresh = [self.findings.open_episode(alert.kind, c, day, cooldown) for c in family]
                        if all(fresh):
                            alerts.append(self._with_members(alert))
                day += timedelta(days=1)
            self.state.set_meta("detected_through", last.isoformat())
        alerts.extend(self._policy_checkpoints(last))
        self.findings.put_alerts(alerts)
        return alerts

    def _related(self, last: date) -> Related:
        """Cluster id → related clusters, from the centroids held now (empty when switched off); a pair needs one
        cluster first seen in the ``related_young_days`` up to ``last`` (event time, like everything here)."""
        if self.related_threshold is None:
            return {}
        rows = self.state.clusters(("active", "dormant"))
        if len(rows) < 2:
            return {}
        since = datetime.combine(last - timedelta(days=self.related_young_days - 1), time(), AMSTERDAM)
        young = [row.id for row in rows if row.first_seen >= since]
        centroids = np.stack([row.centroid for row in rows])
        return related_clusters([row.id for row in rows], centroids, self.related_threshold, young=young)

    def _with_members(self, alert: Alert) -> Alert:
        """The alert with the ids of the signals behind it: the members of its cluster (and of the related clusters
        it was counted with) from its onset through its day, as assigned when it was raised (ids only, no text; for
        drill-down and for checking what an alert was about)."""
        onset = date.fromisoformat(str(alert.details.get("onset", alert.detected_at.isoformat())))
        start = datetime.combine(onset, time(), AMSTERDAM)
        end = datetime.combine(alert.detected_at + timedelta(days=1), time(), AMSTERDAM)
        ids: list[str] = []
        for cluster_id in (alert.cluster_id, *alert.details.get("related_clusters", ())):
            if len(ids) < _MAX_MEMBER_IDS:
                ids += self.state.member_ids_between(int(cluster_id), start, end, limit=_MAX_MEMBER_IDS - len(ids))
        return replace(alert, details={**alert.details, "signal_ids": ids})

    def catch_up_policies(self) -> list[Alert]:
        """Evaluate the checkpoints of policies declared after the days they fall on (call at the start of a run)."""
        done = self.detected_through
        if done is None:
            return []
        alerts = self._policy_checkpoints(done)
        self.findings.put_alerts(alerts)
        return alerts

    def _policy_checkpoints(self, last: date) -> list[Alert]:
        alerts: list[Alert] = []
        for policy in self.findings.policies():
            since = self.findings.evaluated_through(policy.name) or policy.date - timedelta(days=1)
            if since >= last:
                continue
            detector = make_detector("policy_effect", policies=[policy], **self.policy_options)
            for day in _checkpoint_days(policy, detector, since, last):
                pre_weeks = int(getattr(detector, "pre_weeks", 26))
                activity = self._counts().build(policy.date - timedelta(weeks=pre_weeks), day)
                alerts.extend(detector.detect(activity, day))
            self.findings.set_evaluated_through(policy.name, last)
        return alerts


def _checkpoint_days(policy: Policy, detector: Detector, after: date, last: date) -> list[date]:
    """The policy detector's checkpoint days in ``(after, last]`` (the last day of each checkpoint week)."""
    weeks = getattr(detector, "checkpoints", ())
    days = [policy.date + timedelta(days=7 * w - 1) for w in weeks]
    return [d for d in days if after < d <= last]
