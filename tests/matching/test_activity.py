# SPDX-License-Identifier: EUPL-1.2
"""Activity: event-time days in Europe/Amsterdam, per-cluster breakdowns, the total rhythm and cut-off builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from governance.errors import InvalidInputError
from matching.activity import ActivityBuilder, build_activity, event_day
from tests.matching.rhythm import SyntheticSystem


@dataclass(frozen=True)
class Record:
    """The fields of ``matching.state.SignalRecord`` that activity reads."""

    agency: str
    organisation_kind: str
    municipality: str | None
    province: str | None
    observed_at: datetime
    themes: tuple[str, ...] = ()
    policy_refs: tuple[str, ...] = ()


def _record(agency: str, at: datetime, **kw: object) -> Record:
    kind = "national_agency" if not agency.startswith("GM") else "municipality"
    muni = agency if kind == "municipality" else None
    return Record(agency, kind, muni, "PV27" if muni else None, at, **kw)  # type: ignore[arg-type]


def test_days_are_amsterdam_calendar_days() -> None:
    # 23:30 UTC in winter is 00:30 the next day in Amsterdam; 21:59 UTC in summer is 23:59 the same day.
    assert event_day(datetime(2024, 3, 1, 23, 30, tzinfo=UTC)) == date(2024, 3, 2)
    assert event_day(datetime(2024, 7, 1, 21, 59, tzinfo=UTC)) == date(2024, 7, 1)
    with pytest.raises(InvalidInputError):
        event_day(datetime(2024, 3, 1, 12, 0))


def test_counts_breakdowns_and_total() -> None:
    t0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    pairs = [
        (1, _record("GM0363", t0, themes=("afval",))),
        (1, _record("GM0363", t0 + timedelta(hours=2), themes=("afval",))),
        (1, _record("UWV", t0 + timedelta(days=1), policy_refs=("bwb:BWBR0015703",))),
        (2, _record("GM0518", t0 + timedelta(days=2))),
        (None, _record("CJIB", t0 + timedelta(days=2))),
        (-1, _record("CJIB", t0 + timedelta(days=3))),
    ]
    activity = build_activity(pairs)
    assert (activity.start, activity.end, activity.days) == (date(2024, 3, 4), date(2024, 3, 7), 4)
    assert activity.total.tolist() == [2, 1, 2, 1]
    assert sorted(activity.clusters) == [1, 2]  # unclustered signals count only in the total
    one = activity.clusters[1]
    assert one.counts.tolist() == [2, 1, 0, 0]
    assert one.split("organisation")["GM0363"].tolist() == [2, 0, 0, 0]
    assert one.split("organisation_kind")["national_agency"].tolist() == [0, 1, 0, 0]
    assert "UWV" not in one.split("municipality")  # a national agency without location has no municipality
    assert {k: v.tolist() for k, v in one.split("province").items()} == {"PV27": [2, 0, 0, 0]}
    assert one.split("policy_ref")["bwb:BWBR0015703"].sum() == 1
    assert activity.theme_totals["afval"].sum() == 2
    assert activity.organisation_kinds["UWV"] == "national_agency"
    for by in ("organisation", "organisation_kind"):
        assert sum(series for series in one.split(by).values()).tolist() == one.counts.tolist()


def test_window_pads_before_start_and_never_reads_past_last() -> None:
    builder = ActivityBuilder()
    for i in range(5):
        builder.add_count(date(2024, 1, 1) + timedelta(days=i), i + 1, cluster_id=0)
    activity = builder.build()
    series = activity.clusters[0].counts
    assert activity.window(series, date(2024, 1, 2), 4).tolist() == [0, 0, 1, 2]
    assert activity.window(series, date(2024, 1, 4), 2).tolist() == [3, 4]
    cut = builder.build(end=date(2024, 1, 3))
    assert cut.clusters[0].counts.tolist() == [1, 2, 3]


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        ActivityBuilder().build()
    with pytest.raises(InvalidInputError):
        ActivityBuilder().add_count(date(2024, 1, 1), -1)
    builder = ActivityBuilder()
    builder.add_count(date(2024, 1, 2), 1)
    with pytest.raises(InvalidInputError):
        builder.build(start=date(2024, 1, 3), end=date(2024, 1, 2))


def test_the_synthetic_rhythm_is_in_the_total() -> None:
    activity = SyntheticSystem(clusters=2, first=date(2024, 1, 1), last=date(2024, 12, 31)).activity()
    days = [activity.day(i) for i in range(activity.days)]
    weekday = np.mean([activity.total[i] for i, d in enumerate(days) if d.weekday() < 5 and d.month in (3, 4)])
    sunday = np.mean([activity.total[i] for i, d in enumerate(days) if d.weekday() == 6 and d.month in (3, 4)])
    summer = np.mean([activity.total[i] for i, d in enumerate(days) if d.weekday() < 5 and d.month == 8])
    assert sunday < 0.4 * weekday and summer < 0.8 * weekday
