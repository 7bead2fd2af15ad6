# SPDX-License-Identifier: EUPL-1.2
"""What the charts and the province tile map draw, made from the read model's counts.

A chart is a plain dict that the page embeds as JSON and ``static/hartslag.js`` hands to uPlot: x positions in
unix seconds, one list of values per line, ``null`` for a suppressed count (a gap, never a zero), and optional
markers (a policy's date, an action's date). Every chart also has a table alternative in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from governance.standard import codelist_codes
from hub.insight_models import Count, DayCount, KeyCount, Series

__all__ = ["Tile", "day_chart", "monday_of", "series_chart", "tile_map", "unix_day"]


def unix_day(day: date) -> int:
    """Midnight UTC of ``day`` in unix seconds (uPlot's time axis)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def monday_of(week: str) -> date:
    """The Monday of an ISO week written ``"2025-W23"``."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def _value(count: Count) -> int | None:
    return count.value if count.suppressed is None else None


def day_chart(per_day: Sequence[DayCount], label: str = "Signalen per dag") -> dict[str, Any]:
    """One line of signals per day."""
    return {
        "kind": "line",
        "x": [unix_day(d.day) for d in per_day],
        "series": [{"label": label, "values": [_value(d.count) for d in per_day]}],
        "empty": "Nog geen signalen in deze periode.",
    }


def series_chart(series: Series, markers: Sequence[tuple[date, str]] = ()) -> dict[str, Any]:
    """A pattern's weekly lines (one per organisation kind, organisation or province, or the total)."""
    return {
        "kind": "line",
        "xlabel": "Week van",
        "x": [unix_day(monday_of(w)) for w in series.weeks],
        "series": [{"label": line.label, "values": [_value(p.count) for p in line.points]} for line in series.lines],
        "markers": [{"x": unix_day(day), "label": text} for day, text in markers],
        "legend": True,
        "empty": "Nog geen weken met genoeg signalen om te tonen.",
    }


@dataclass(frozen=True)
class Tile:
    """One province on the tile map: code, name, the count as shown, and its shade (0 lightest .. 4 darkest;
    ``hidden`` for a suppressed count, drawn hatched)."""

    code: str
    name: str
    country: str
    display: str
    level: int
    hidden: bool


def tile_map(provinces: Sequence[KeyCount]) -> list[Tile]:
    """All 17 provinces (12 Dutch, 5 Flemish) with this pattern's counts; a province without signals shows "0"
    only when the read model listed it, else "–" (not reported)."""
    by_code = {row.key: row.count for row in provinces}
    shown = [c.value for c in by_code.values() if c.suppressed is None and c.value]
    top = max(shown, default=0)
    tiles = []
    for code, entry in codelist_codes("provinces").items():
        count = by_code.get(code)
        if count is None:
            tiles.append(Tile(code, str(entry["title"]), str(entry.get("x-country", "NL")), "–", 0, False))
            continue
        hidden = count.suppressed is not None
        value = count.value or 0
        # Four shades above zero, relative to the largest shown province: enough to see where it is concentrated.
        level = 0 if hidden or not value or not top else min(4, 1 + int(3.999 * value / top))
        tiles.append(Tile(code, str(entry["title"]), str(entry.get("x-country", "NL")), count.display, level, hidden))
    return tiles
