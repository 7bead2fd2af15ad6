# SPDX-License-Identifier: EUPL-1.2
"""Event time for matching: epochs of the signals' own ``observed_at``, and when the stream has moved on.

Matching never reads the wall clock. Time is cut into epochs (default: weeks from Monday 00:00 UTC) and a
re-clustering happens at the start of each new epoch the stream reaches. :class:`EventClock` decides *when* the
stream has reached a new epoch, robustly: a record counts in the epoch of ``observed_at - lateness``, and the clock
moves only once ``advance_after`` records lie beyond the current epoch, to the ``advance_after``-th latest of
them. One signal from a connector with a wrong clock (dated next year) therefore cannot end the current epoch and
turn every later signal into a late one. The clock's state is a small list of pending epochs, persisted with the
matching state, so the decision is a function of the records in ``seq`` order only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

__all__ = ["EPOCH_ANCHOR", "EventClock", "RunReport", "Schedule"]

#: Epochs count from a Monday 00:00 UTC, so weekly epochs are ISO weeks (in UTC).
EPOCH_ANCHOR = datetime(1970, 1, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    """When and over what re-clustering happens, and the online rule. Part of the settings fingerprint."""

    epoch: timedelta = timedelta(days=7)
    window_epochs: int = 8
    lateness: timedelta = timedelta(days=2)
    advance_after: int = 3
    assign_threshold: float = 0.5
    min_overlap: float = 0.5
    theme_top: int = 3
    promote_min_size: int = 6
    promote_days: int = 14
    promote_broad_min_size: int = 4
    promote_broad_organisations: int = 3

    def epoch_of(self, observed_at: datetime) -> int:
        """The epoch a record counts in for the schedule (its time minus the allowed lateness)."""
        return (observed_at - self.lateness - EPOCH_ANCHOR) // self.epoch

    def start_of(self, epoch: int) -> datetime:
        """The first instant of ``epoch``."""
        return EPOCH_ANCHOR + epoch * self.epoch

    def window_start(self, boundary: datetime) -> datetime:
        """The first instant of the re-clustering window that ends at ``boundary``."""
        return boundary - self.window_epochs * self.epoch


@dataclass
class EventClock:
    """The current epoch and the records seen beyond it (see the module docstring)."""

    advance_after: int
    epoch: int | None = None
    pending: list[int] = field(default_factory=list)

    def observe(self, record_epoch: int) -> int | None:
        """Count one record; returns the new epoch when the clock moves (``None`` otherwise, and at the start)."""
        if self.epoch is not None and record_epoch <= self.epoch:
            return None
        self.pending.append(record_epoch)
        if len(self.pending) < self.advance_after:
            return None
        target = sorted(self.pending, reverse=True)[self.advance_after - 1]
        self.pending = [p for p in self.pending if p > target]
        started = self.epoch is None
        self.epoch = target
        return None if started else target

    def dumps(self) -> str:
        """The clock as JSON, for the state's meta table."""
        return json.dumps({"epoch": self.epoch, "pending": self.pending})

    @classmethod
    def loads(cls, text: str | None, advance_after: int) -> EventClock:
        """A clock from :meth:`dumps` output (``None``: a fresh clock)."""
        if text is None:
            return cls(advance_after)
        data = json.loads(text)
        return cls(advance_after, data["epoch"], [int(p) for p in data["pending"]])


@dataclass
class RunReport:
    """What a run did (counts and event-time boundaries only: no text, no signal ids)."""

    processed: int = 0
    assigned_online: int = 0
    reclusterings: list[datetime] = field(default_factory=list)
    created: int = 0
    merged: int = 0
    alerts: int = 0
    watermark: int = 0

    def add(self, other: RunReport) -> None:
        """Fold another report into this one."""
        self.processed += other.processed
        self.assigned_online += other.assigned_online
        self.reclusterings.extend(other.reclusterings)
        self.created += other.created
        self.merged += other.merged
        self.alerts += other.alerts
        self.watermark = max(self.watermark, other.watermark)
