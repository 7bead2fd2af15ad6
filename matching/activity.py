# SPDX-License-Identifier: EUPL-1.2
"""The detectors' input: daily signal counts per cluster, split by organisation, kind, municipality and province.

Days are *event-time* days: the calendar day of ``observed_at`` in Europe/Amsterdam, never the wall clock, so
replaying last year's signals gives the same counts as living through it. Besides the per-cluster counts an
:class:`Activity` holds the total daily volume of all signals (clustered or not): the system's own rhythm of
weekdays, holidays and summer, which detectors use as exposure so those dips cancel out.

The input is ``(cluster_id, record)`` pairs. ``matching.state`` did not exist when this was written, so records are
typed by the structural :class:`ActivityRecord` protocol, which ``matching.state.SignalRecord`` satisfies. A
``cluster_id`` of ``None`` or below zero (noise) counts only towards the total volume. A record's optional
``policy_refs`` (not part of the protocol) are counted too, as ``"scheme:id"`` keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInputError
from matching.policies import ref_key

__all__ = [
    "AMSTERDAM",
    "DIMENSIONS",
    "Activity",
    "ActivityBuilder",
    "ActivityRecord",
    "ClusterActivity",
    "Counts",
    "build_activity",
    "event_day",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Counts = npt.NDArray[np.int64]
# The breakdowns kept per cluster; the names are the ``by`` argument of :meth:`ClusterActivity.split`.
DIMENSIONS = ("organisation", "organisation_kind", "municipality", "province", "theme", "policy_ref")


class ActivityRecord(Protocol):
    """What activity needs of a signal (``matching.state.SignalRecord`` has these fields)."""

    @property
    def agency(self) -> str: ...
    @property
    def organisation_kind(self) -> str: ...
    @property
    def municipality(self) -> str | None: ...
    @property
    def province(self) -> str | None: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def themes(self) -> Sequence[str]: ...


def event_day(moment: datetime) -> date:
    """The Europe/Amsterdam calendar day of an aware datetime (naive ones are refused: their day is ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError("observed_at must be timezone-aware")
    return moment.astimezone(AMSTERDAM).date()


@dataclass(frozen=True)
class ClusterActivity:
    """One cluster's daily counts (aligned with :attr:`Activity.start`) and their breakdowns."""

    cluster_id: int
    counts: Counts
    breakdown: dict[str, dict[str, Counts]] = field(default_factory=dict)

    def split(self, by: str) -> dict[str, Counts]:
        """Daily counts per value of one dimension (``organisation``, ``province``, ...)."""
        return self.breakdown.get(by, {})


@dataclass(frozen=True)
class Activity:
    """Daily counts from :attr:`start` for :attr:`days` days; every array has length ``days``."""

    start: date
    days: int
    total: Counts
    clusters: dict[int, ClusterActivity]
    organisation_kinds: dict[str, str]
    theme_totals: dict[str, Counts] = field(default_factory=dict)

    @property
    def end(self) -> date:
        """The last day covered."""
        return self.start + timedelta(days=self.days - 1)

    def index(self, day: date) -> int:
        """Position of ``day`` in the arrays (may fall outside ``0..days-1``)."""
        return (day - self.start).days

    def day(self, index: int) -> date:
        """The day at array position ``index``."""
        return self.start + timedelta(days=index)

    def window(self, series: Counts, last: date, length: int) -> Counts:
        """The ``length`` days of ``series`` ending with ``last``: zeros before :attr:`start`, never past ``last``."""
        out = np.zeros(length, dtype=np.int64)
        stop = self.index(last) + 1
        lo, hi = max(stop - length, 0), min(stop, self.days)
        if hi > lo:
            out[length - (stop - lo) : length - (stop - hi)] = series[lo:hi]
        return out


class ActivityBuilder:
    """Accumulates counts from records (or pre-aggregated counts) and freezes them into an :class:`Activity`."""

    def __init__(self) -> None:
        self._total: dict[date, int] = defaultdict(int)
        self._cluster: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        self._split: dict[tuple[int, str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
        self._themes: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        self._kinds: dict[str, str] = {}

    def add(self, cluster_id: int | None, record: ActivityRecord, *, counted: bool = False) -> None:
        """Count one signal of ``cluster_id`` (``None`` or negative: unclustered) on its event-time day
        (``counted``: it was counted before as unclustered, see :meth:`add_count`)."""
        self.add_count(
            event_day(record.observed_at),
            1,
            cluster_id=cluster_id,
            organisation=record.agency,
            organisation_kind=record.organisation_kind,
            municipality=record.municipality,
            province=record.province,
            themes=tuple(record.themes or ()),
            policy_refs=tuple(ref_key(ref) for ref in getattr(record, "policy_refs", None) or ()),
            counted=counted,
        )

    def add_count(
        self,
        day: date,
        n: int,
        *,
        cluster_id: int | None = None,
        organisation: str = "other",
        organisation_kind: str = "other",
        municipality: str | None = None,
        province: str | None = None,
        themes: Sequence[str] = (),
        policy_refs: Sequence[str] = (),
        counted: bool = False,
    ) -> None:
        """Count ``n`` signals with the same attributes at once (aggregated sources and synthetic streams).

        ``counted``: the signals were counted before while unclustered and now joined ``cluster_id``; only the
        cluster's counts change, not the totals.
        """
        if n < 0:
            raise InvalidInputError("a count must not be negative")
        if n == 0:
            return
        if not counted:
            self._total[day] += n
            self._kinds.setdefault(organisation, organisation_kind)
            for theme in themes:
                self._themes[theme][day] += n
        if cluster_id is None or cluster_id < 0:
            return
        self._cluster[cluster_id][day] += n
        values = (organisation, organisation_kind, municipality, province)
        for dim, value in zip(DIMENSIONS[:4], values, strict=True):
            if value is not None:
                self._split[(cluster_id, dim, value)][day] += n
        for theme in themes:
            self._split[(cluster_id, "theme", theme)][day] += n
        for ref in policy_refs:
            self._split[(cluster_id, "policy_ref", ref)][day] += n

    def build(self, start: date | None = None, end: date | None = None) -> Activity:
        """Freeze the counts of days ``start..end`` (default: first to last day seen); later days are left out."""
        seen = list(self._total)
        if not seen and (start is None or end is None):
            raise InvalidInputError("no signals to build activity from; give start and end")
        first = start if start is not None else min(seen)
        last = end if end is not None else max(seen)
        if last < first:
            raise InvalidInputError("end lies before start")
        days = (last - first).days + 1

        def array(per_day: dict[date, int]) -> Counts:
            out = np.zeros(days, dtype=np.int64)
            for day, n in per_day.items():
                i = (day - first).days
                if 0 <= i < days:
                    out[i] = n
            return out

        breakdowns: dict[int, dict[str, dict[str, Counts]]] = defaultdict(lambda: defaultdict(dict))
        for (cluster_id, dim, value), per_day in self._split.items():
            breakdowns[cluster_id][dim][value] = array(per_day)
        clusters = {
            cid: ClusterActivity(cid, array(per_day), {k: dict(v) for k, v in breakdowns[cid].items()})
            for cid, per_day in sorted(self._cluster.items())
        }
        return Activity(
            start=first,
            days=days,
            total=array(self._total),
            clusters=clusters,
            organisation_kinds=dict(self._kinds),
            theme_totals={theme: array(per_day) for theme, per_day in sorted(self._themes.items())},
        )


def build_activity(
    pairs: Iterable[tuple[int | None, ActivityRecord]], *, start: date | None = None, end: date | None = None
) -> Activity:
    """Build an :class:`Activity` from ``(cluster_id, record)`` pairs."""
    builder = ActivityBuilder()
    for cluster_id, record in pairs:
        builder.add(cluster_id, record)
    return builder.build(start, end)
