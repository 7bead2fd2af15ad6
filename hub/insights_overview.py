# SPDX-License-Identifier: EUPL-1.2
"""The national overview: signals per day from the hub's storage, rising patterns and open alerts.

The day counts come from one release over everything stored (atoms: day, ISO week, organisation kind); a period is
answered by picking its day cells. The totals for a period are sums of published week cells when the period is made
of whole weeks (the default period is), else of its day cells; such a sum is suppressed when one of its cells is.
The reference day for "rising" and "open" is the newest event-time day matching has seen, not the wall clock, so a
replay of last year's signals reads the same.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hub.disclosure import Shown
from hub.insight_models import AlertRow, DayCount, Filters, KeyCount, Overview, PatternSummary
from hub.insights_alerts import RISING_KINDS

if TYPE_CHECKING:
    from hub.insights import Insights

__all__ = ["DEFAULT_WEEKS", "OPEN_DAYS", "RISING_DAYS", "overview"]

#: Without a period, the overview shows this many whole ISO weeks up to the newest day with signals: a year, so the
#: seasons and last spring's policy effects are in view, not only the last quarter.
DEFAULT_WEEKS = 53
#: A rising alert counts when raised this many days before the reference day, or later.
RISING_DAYS = 14
#: An alert is open for this many days after it was raised.
OPEN_DAYS = 28
_ZERO = Shown(0, None)


def overview(insights: Insights, filters: Filters) -> Overview:
    """The :class:`Overview` (see :meth:`hub.insights.Insights.overview`)."""
    from hub.insights_base import labels
    from hub.insights_releases import iso_week

    volume = insights.volume()
    release = volume.release()
    span = volume.days()
    rising, open_alerts = _rising_and_open(insights, filters)
    if span is None:
        empty = insights.count(_ZERO)
        return Overview(
            period_from=filters.period_from, period_to=filters.period_to, total=empty, per_day=[], per_kind=[],
            rising=rising, open_alerts=open_alerts, threshold=insights.threshold,
        )  # fmt: skip
    last = filters.period_to or span[1]
    monday = last - timedelta(days=last.weekday())
    first = filters.period_from or max(span[0], monday - timedelta(weeks=DEFAULT_WEEKS - 1))
    kind = filters.organisation_kind
    whole = first <= span[0] and last >= span[1]
    if kind is None:
        by_day = {c["day"]: s for c, s in release.table(("day",))}
    else:
        by_day = {c["day"]: s for c, s in release.table(("day", "organisation_kind")) if c["organisation_kind"] == kind}
    # Days outside the stored span are zero; listing them would only make long periods slow.
    shown_from, shown_to = max(first, span[0]), min(last, span[1])
    days = [shown_from + timedelta(days=i) for i in range((shown_to - shown_from).days + 1)]
    cells = [by_day.get(d.isoformat(), _ZERO) for d in days]
    if whole:
        total = release.total() if kind is None else release.total(organisation_kind=kind)
        per_kind = [(c["organisation_kind"], s) for c, s in release.table(("organisation_kind",))]
    else:
        # Whole weeks: the period starts on a Monday (or before the first signal) and ends on a Sunday (or after
        # the last one), so its weeks hold exactly its signals.
        whole_weeks = (first.weekday() == 0 or first <= span[0]) and (last.weekday() == 6 or last >= span[1])
        dim, wanted = ("week", {iso_week(d) for d in days}) if whole_weeks else ("day", {d.isoformat() for d in days})
        total = (
            release.total(**{dim: wanted}) if kind is None else release.total(**{dim: wanted}, organisation_kind=kind)
        )
        kinds = sorted({c["organisation_kind"] for c, _ in release.table(("organisation_kind",))})
        per_kind = [(k, release.total(**{dim: wanted}, organisation_kind=k)) for k in kinds]
    kind_labels = labels("organisation-kinds")
    return Overview(
        period_from=first, period_to=last, total=insights.count(total),
        per_day=[DayCount(day=d, count=insights.count(s)) for d, s in zip(days, cells, strict=True)],
        per_kind=[
            KeyCount(key=k, label=kind_labels.get(k, k), count=insights.count(s))
            for k, s in sorted(per_kind)
            if kind is None or k == kind
        ],
        rising=rising, open_alerts=open_alerts, threshold=insights.threshold,
    )  # fmt: skip


def _rising_and_open(insights: Insights, filters: Filters) -> tuple[list[PatternSummary], list[AlertRow]]:
    """Patterns with a rising alert in the last :data:`RISING_DAYS` days and alerts of the last :data:`OPEN_DAYS`."""
    selecting = Filters(
        theme=filters.theme, organisation_kind=filters.organisation_kind, organisation=filters.organisation,
        province=filters.province, municipality=filters.municipality, scope=filters.scope,
    )  # fmt: skip
    summaries = insights.summaries(selecting)
    if not summaries:
        return [], []
    reference = max(date.fromisoformat(s.last_seen[:10]) for s in summaries)
    alerts = insights.alert_rows(selecting)
    open_alerts = [a for a in alerts if a.detected_on >= reference - timedelta(days=OPEN_DAYS)]
    best: dict[int, float] = {}
    for alert in alerts:
        if alert.kind in RISING_KINDS and alert.detected_on >= reference - timedelta(days=RISING_DAYS):
            best[alert.pattern_id] = max(best.get(alert.pattern_id, 0.0), alert.score)
    rising = sorted((s for s in summaries if s.id in best), key=lambda s: (-best[s.id], s.id))
    return rising[:10], open_alerts[:20]
