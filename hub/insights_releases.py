# SPDX-License-Identifier: EUPL-1.2
"""The releases behind every number the read side shows, and how filters are answered from their cells.

One :class:`hub.disclosure.Release` per pattern (atoms: ISO week, organisation, organisation kind, province of its
members; ``onbekend`` when a member has no province) with the views of :data:`PATTERN_VIEWS`, cached per (pattern,
size, last seen, threshold) so list pages stay fast. Its weeks are dense: every week from the pattern's first to its
last (:func:`pattern_days`, public anyway) is a category, so every weekly view has a row per week (and organisation,
kind or province) and an empty one reads "< 10" like any small one; list filters select by that same grid, never by
which weeks hold signals. One release for the national volume (atoms: event-time day and
organisation kind of every stored signal, counted incrementally from the hub's storage). A filter never re-counts
a subset: it picks or sums published cells, and a sum over a suppressed cell is suppressed itself.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from hub.disclosure import Atom, Release, Shown
from hub.insight_models import Filters
from hub.storage import Storage
from matching.activity import AMSTERDAM, event_day
from matching.patterns import Pattern
from matching.state import MatchingState

__all__ = [
    "DAY_VIEWS",
    "PATTERN_VIEWS",
    "UNKNOWN_PROVINCE",
    "NationalVolume",
    "PatternReleases",
    "count_dimension",
    "filtered_total",
    "iso_week",
    "pattern_days",
    "sum_shown",
    "week_range",
    "weeks_of",
]

UNKNOWN_PROVINCE = "onbekend"
PATTERN_VIEWS: tuple[tuple[str, ...], ...] = (
    (),
    ("week",),
    ("organisation",),
    ("organisation_kind",),
    ("province",),
    ("week", "organisation_kind"),
    ("week", "organisation"),
    ("week", "province"),
)
#: The national volume's views. The weekly ones answer a period's totals: a period of whole weeks is a sum of
#: published week cells (mostly far above the threshold nationally), where a sum of day cells would be suppressed
#: as soon as one quiet Sunday is.
DAY_VIEWS: tuple[tuple[str, ...], ...] = (
    (),
    ("day",),
    ("week",),
    ("organisation_kind",),
    ("day", "organisation_kind"),
    ("week", "organisation_kind"),
)
_CHUNK = 500
_HOUR_US = 3_600_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_week(day: date) -> str:
    """``"2025-W23"``: the ISO week of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_range(first: date, last: date) -> list[str]:
    """Every ISO week from the week of ``first`` to the week of ``last``, in order."""
    out, monday = [], _monday(first)
    while monday <= last:
        out.append(iso_week(monday))
        monday += timedelta(days=7)
    return out


def pattern_days(pattern: Pattern) -> tuple[date, date]:
    """The first and last day of a pattern's range, read both as UTC and as Europe/Amsterdam days (the earlier first,
    the later last), so that its weeks hold every member whichever way a day is read."""
    first, last = datetime.fromisoformat(pattern.first_seen), datetime.fromisoformat(pattern.last_seen)
    firsts = (date.fromisoformat(pattern.first_seen[:10]), event_day(first))
    lasts = (date.fromisoformat(pattern.last_seen[:10]), event_day(last))
    return min(firsts), max(lasts)


def _week_domain(pattern: Pattern, counted: Counter[tuple[str, ...]]) -> list[str]:
    """Every ISO week of the pattern's range (widened, should a member lie outside it), in order."""
    first, last = pattern_days(pattern)
    mondays = [date.fromisocalendar(int(week[:4]), int(week[6:]), 1) for week, *_ in counted]
    return week_range(min([first, *mondays]), max([last, *mondays]))


def weeks_of(filters: Filters) -> set[str] | None:
    """The ISO weeks a filter's period covers (``None``: no period asked). An open end runs ten years out."""
    if filters.period_from is None and filters.period_to is None:
        return None
    first = filters.period_from or (filters.period_to or date.today()) - timedelta(days=3650)
    last = filters.period_to or first + timedelta(days=3650)
    return set(week_range(first, last))


def sum_shown(cells: Iterable[Shown]) -> Shown:
    """The sum of published cells: exact when all are shown, suppressed (``aanvullend``) when one is not; one cell
    is returned as it is, no cell is zero."""
    values = list(cells)
    if len(values) == 1:
        return values[0]
    if any(v.value is None for v in values):
        return Shown(None, "aanvullend")
    return Shown(sum(int(v.value or 0) for v in values), None)


def _dimension(filters: Filters) -> tuple[str, str] | bool | None:
    """The one cell dimension a filter narrows counts to; ``None``: none; ``False``: more than one (no view)."""
    dims = []
    if filters.organisation is not None:
        dims.append(("organisation", filters.organisation))  # an organisation has one kind: it answers both
    elif filters.organisation_kind is not None:
        dims.append(("organisation_kind", filters.organisation_kind))
    if filters.province is not None:
        dims.append(("province", filters.province))
    if len(dims) > 1:
        return False
    return dims[0] if dims else None


def filtered_total(release: Release, filters: Filters) -> Shown:
    """A pattern's count under ``filters``: :meth:`Release.total` over the matching cells of the coarsest view
    with the filtered dimensions (a period is the set of its ISO weeks)."""
    dim = _dimension(filters)
    if dim is False:
        return Shown(None, "aanvullend")  # no published view crosses two of these dimensions
    wanted: dict[str, str | set[str]] = {}
    weeks = weeks_of(filters)
    if weeks is not None:
        wanted["week"] = weeks
    if isinstance(dim, tuple):
        wanted[dim[0]] = dim[1]
    return release.total(**wanted)


def count_dimension(release: Release, name: str, filters: Filters) -> list[tuple[str, Shown]]:
    """Per value of ``name`` (organisation, organisation_kind, province): its count, over the filter's period."""
    weeks = weeks_of(filters)
    if weeks is None:
        return sorted(((cell[name], shown) for cell, shown in release.table((name,))), key=lambda item: item[0])
    keys = sorted({cell[name] for cell, _ in release.table(("week", name)) if cell["week"] in weeks})
    return [(key, release.total(week=weeks, **{name: key})) for key in keys]


class PatternReleases:
    """Releases of patterns, built from the matching state's member facts and kept until the pattern changes."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._cache: dict[int, tuple[tuple[int, str], Release, frozenset[tuple[str, ...]]]] = {}
        self._totals: dict[tuple[int, tuple[int, str], Filters], Shown] = {}
        self._lock = threading.Lock()

    def releases(self, state: MatchingState, patterns: Sequence[Pattern]) -> dict[int, Release]:
        """The release of every pattern in ``patterns`` (built for those new or changed since last asked)."""
        out: dict[int, Release] = {}
        missing: list[Pattern] = []
        with self._lock:
            for pattern in patterns:
                cached = self._cache.get(pattern.id)
                if cached is not None and cached[0] == (pattern.size, pattern.last_seen):
                    out[pattern.id] = cached[1]
                else:
                    missing.append(pattern)
        if missing:
            atoms = _pattern_atoms(state, [p.id for p in missing])
            built = {}
            for pattern in missing:
                counted = atoms.get(pattern.id, Counter())
                weeks = _week_domain(pattern, counted)
                release = Release(
                    [Atom(dict(zip(_ATOM_DIMS, key, strict=True)), n) for key, n in sorted(counted.items())],
                    PATTERN_VIEWS,
                    threshold=self.threshold,
                    domains={"week": weeks},
                )
                # The grid the release publishes: selecting by the weeks that hold signals would tell empty cells.
                grid = frozenset((week, *rest) for _, *rest in counted for week in weeks)
                built[pattern.id] = ((pattern.size, pattern.last_seen), release, grid)
                out[pattern.id] = release
            with self._lock:
                self._cache.update(built)
        return out

    def total(self, pattern_id: int, release: Release, filters: Filters) -> Shown:
        """:func:`filtered_total`, remembered per pattern version and filters (a filtered total can take an LP)."""
        cached = self._cache.get(pattern_id)
        if cached is None or cached[1] is not release:
            return filtered_total(release, filters)
        key = (pattern_id, cached[0], filters)  # the release's own cache key: a rebuilt release misses
        found = self._totals.get(key)
        if found is None:
            found = filtered_total(release, filters)
            with self._lock:
                if len(self._totals) > 100_000:  # bounded: many distinct filters are rare
                    self._totals.clear()
                self._totals[key] = found
        return found

    def cells(self, pattern_id: int) -> frozenset[tuple[str, ...]]:
        """The (week, organisation, organisation kind, province) combinations a cached pattern's release publishes:
        every week of its range with every organisation it involves (to select patterns by filter; never shown)."""
        cached = self._cache.get(pattern_id)
        return cached[2] if cached is not None else frozenset()


_ATOM_DIMS = ("week", "organisation", "organisation_kind", "province")


def _pattern_atoms(state: MatchingState, ids: Sequence[int]) -> dict[int, Counter[tuple[str, ...]]]:
    """Member counts per pattern and atom. Grouped per UTC hour in SQL: an hour lies within one Amsterdam day."""
    out: dict[int, Counter[tuple[str, ...]]] = {i: Counter() for i in ids}
    weeks: dict[int, str] = {}
    with state.connection() as db:
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            rows = db.execute(
                f"SELECT cluster_id, observed_us / {_HOUR_US}, agency, organisation_kind, province, COUNT(*)"
                f" FROM signals WHERE cluster_id IN ({','.join('?' * len(chunk))}) GROUP BY 1, 2, 3, 4, 5",
                chunk,
            ).fetchall()
            for cid, hour, agency, kind, province, n in rows:
                week = weeks.get(hour)
                if week is None:
                    moment = _EPOCH + timedelta(hours=int(hour))
                    week = weeks[hour] = iso_week(moment.astimezone(AMSTERDAM).date())
                out[int(cid)][(week, str(agency), str(kind), str(province or UNKNOWN_PROVINCE))] += int(n)
    return out


class NationalVolume:
    """Signals per event-time day and organisation kind over everything the hub stored, counted incrementally
    (each stored signal is read once), and its release, rebuilt at most every ``refresh_seconds``."""

    def __init__(self, storage: Storage, threshold: int, *, refresh_seconds: float = 30.0, batch: int = 5000) -> None:
        self.storage = storage
        self.threshold = threshold
        self.refresh_seconds = refresh_seconds
        self.batch = batch
        self._counts: Counter[tuple[str, str]] = Counter()
        self._seq = 0
        self._release: Release | None = None
        self._built_at = 0.0
        self._lock = threading.Lock()

    def release(self) -> Release:
        """The current release (atoms: ``day`` ISO date, its ISO ``week``, ``organisation_kind``)."""
        with self._lock:
            fresh = time.monotonic() - self._built_at < self.refresh_seconds
            if self._release is not None and fresh:
                return self._release
            grew = self._catch_up()
            if self._release is None or grew:
                atoms = [
                    Atom({"day": d, "week": iso_week(date.fromisoformat(d)), "organisation_kind": k}, n)
                    for (d, k), n in sorted(self._counts.items())
                ]
                self._release = Release(atoms, DAY_VIEWS, threshold=self.threshold)
            self._built_at = time.monotonic()
            return self._release

    def days(self) -> tuple[date, date] | None:
        """The first and last day with signals (``None``: nothing stored yet)."""
        with self._lock:
            days = sorted({d for d, _ in self._counts})
        return (date.fromisoformat(days[0]), date.fromisoformat(days[-1])) if days else None

    def _catch_up(self) -> bool:
        grew = False
        while True:
            found = self.storage.signals_after(self._seq, self.batch)
            if not found:
                return grew
            for seq, signal in found:
                document: Mapping[str, object] = signal.document
                observed = datetime.fromisoformat(str(document["observed_at"]))
                source = document.get("source")
                kind = str(source.get("organisation_kind", "other")) if isinstance(source, Mapping) else "other"
                self._counts[(observed.astimezone(AMSTERDAM).date().isoformat(), kind)] += 1
                self._seq = max(self._seq, seq)
            grew = True
