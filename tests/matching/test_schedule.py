# SPDX-License-Identifier: EUPL-1.2
"""Event time: epochs of observed_at, and the clock that decides when the stream reached a new epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matching.schedule import EPOCH_ANCHOR, EventClock, RunReport, Schedule


def test_epochs_are_utc_weeks_from_monday_shifted_by_the_lateness() -> None:
    schedule = Schedule(lateness=timedelta(0))
    monday = datetime(2026, 3, 2, tzinfo=UTC)
    assert EPOCH_ANCHOR.weekday() == 0 and monday.weekday() == 0
    week = schedule.epoch_of(monday)
    assert schedule.start_of(week) == monday
    assert schedule.epoch_of(monday - timedelta(microseconds=1)) == week - 1
    assert schedule.epoch_of(monday + timedelta(days=6, hours=23)) == week
    late = Schedule(lateness=timedelta(days=2))
    assert late.epoch_of(monday + timedelta(days=1)) == week - 1  # still counts in the week before
    assert late.window_start(monday) == monday - timedelta(weeks=8)


def test_the_clock_moves_to_the_kth_latest_epoch_and_ignores_the_past() -> None:
    clock = EventClock(advance_after=3)
    assert [clock.observe(e) for e in (10, 10, 10)] == [None, None, None]
    assert clock.epoch == 10  # started, nothing to re-cluster yet
    assert clock.observe(9) is None and clock.observe(10) is None  # late or current: no change
    assert clock.observe(60) is None  # one record from a wrong clock
    assert clock.observe(11) is None
    assert clock.observe(11) == 11  # three beyond epoch 10: the third latest is 11, not 60
    assert clock.epoch == 11 and clock.pending == [60]


def test_the_clock_round_trips_through_json() -> None:
    clock = EventClock(advance_after=2)
    clock.observe(5)
    clock.observe(5)
    clock.observe(7)
    again = EventClock.loads(clock.dumps(), 2)
    assert again == clock
    assert EventClock.loads(None, 2) == EventClock(2)


def test_reports_add_up() -> None:
    total = RunReport()
    total.add(RunReport(processed=3, assigned_online=1, created=2, watermark=9))
    total.add(RunReport(processed=2, merged=1, watermark=12, reclusterings=[EPOCH_ANCHOR]))
    assert (total.processed, total.assigned_online, total.created, total.merged, total.watermark) == (5, 1, 2, 1, 12)
    assert total.reclusterings == [EPOCH_ANCHOR]
