# SPDX-License-Identifier: EUPL-1.2
"""A pattern's weekly series and its volume around a date, read from the weekly views of its release.

Every line has a point for every week from the pattern's first to its last week (or the filter's period). Lines come
from the ``(week, dimension)`` views, the total from ``(week,)``; their weeks are dense, so a week without members
inside the pattern's range is a published cell and reads "< 10" like any small one (only weeks outside the range,
public through first and last seen, are plain zeros).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hub.disclosure import Release, Shown
from hub.insight_models import Filters, Series, SeriesLine, SeriesPoint
from hub.insights_releases import UNKNOWN_PROVINCE, iso_week, pattern_days, week_range

if TYPE_CHECKING:
    from hub.insights_base import InsightsBase
    from matching.patterns import Pattern

__all__ = ["pattern_series", "series_weeks", "volume_around"]

_ZERO = Shown(0, None)
_FILTER_OF_SPLIT = {"organisation_kind": "organisation_kind", "organisation": "organisation", "province": "province"}


def series_weeks(pattern: Pattern, filters: Filters) -> list[str]:
    """The weeks a series covers: the filter's period, else the pattern's first to last week."""
    first, last = pattern_days(pattern)
    return week_range(filters.period_from or first, filters.period_to or last)


def pattern_series(insights: InsightsBase, pattern: Pattern, release: Release, split: str, filters: Filters) -> Series:
    """The :class:`Series` of ``pattern`` (see :meth:`hub.insights.Insights.pattern_series`)."""
    from hub.insights import InvalidFilterError
    from hub.insights_base import labels

    weeks = series_weeks(pattern, filters)
    set_filters = {
        name: value
        for name, value in (
            ("organisation", filters.organisation),
            ("organisation_kind", filters.organisation_kind),
            ("province", filters.province),
        )
        if value is not None
    }
    if "organisation" in set_filters:
        set_filters.pop("organisation_kind", None)  # the organisation's kind is implied
    if split == "totaal":
        if len(set_filters) > 1:
            raise InvalidFilterError(next(iter(sorted(set_filters))), "combine at most one of these with a series")
        if set_filters:
            ((name, value),) = set_filters.items()
            cells = {c["week"]: s for c, s in release.table(("week", name)) if c[name] == value}
            line_key, line_label = value, value
        else:
            cells = {c["week"]: s for c, s in release.table(("week",))}
            line_key, line_label = "totaal", "Totaal"
        points = [SeriesPoint(week=w, count=insights.count(cells.get(w, _ZERO))) for w in weeks]
        return Series(
            pattern_id=pattern.id,
            split="totaal",
            weeks=weeks,
            lines=[SeriesLine(key=line_key, label=line_label, points=points)],
        )
    other = sorted(set(set_filters) - {split})
    if other:
        raise InvalidFilterError(other[0], f"cannot be combined with split={split}")
    per: dict[str, dict[str, Shown]] = {}
    for cell, shown in release.table(("week", split)):
        per.setdefault(cell[split], {})[cell["week"]] = shown
    keep = set_filters.get(split)
    names = {
        "organisation": insights.organisation_names(),
        "organisation_kind": labels("organisation-kinds"),
        "province": {**labels("provinces"), UNKNOWN_PROVINCE: "Onbekend"},
    }[split]
    lines = [
        SeriesLine(
            key=key,
            label=names.get(key, key),
            points=[SeriesPoint(week=w, count=insights.count(cells.get(w, _ZERO))) for w in weeks],
        )
        for key, cells in sorted(per.items())
        if keep is None or key == keep
    ]
    return Series(pattern_id=pattern.id, split=split, weeks=weeks, lines=lines)  # type: ignore[arg-type]


def volume_around(release: Release, day: date, weeks: int) -> tuple[Shown, Shown]:
    """Signals in the ``weeks`` weeks before the week of ``day``, and in the ``weeks`` weeks from it."""
    monday = day - timedelta(days=day.weekday())
    before = {iso_week(monday - timedelta(days=7 * k)) for k in range(1, weeks + 1)}
    after = {iso_week(monday + timedelta(days=7 * k)) for k in range(weeks)}
    return release.total(week=before), release.total(week=after)
