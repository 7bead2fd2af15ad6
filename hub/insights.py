# SPDX-License-Identifier: EUPL-1.2
"""The read model for policy analysts: privacy-safe views of patterns, themes, policies, alerts and search.

``Insights(services)`` is what the ``/v1`` read routes and the dashboard call (``services.insights`` holds one per
hub). Every count it returns is a :class:`hub.insight_models.Count` made from a :class:`hub.disclosure.Release`:
one release per pattern (atoms: ISO week, organisation, organisation kind, province) and one for the national
volume (atoms: day, organisation kind); see :mod:`hub.insights_releases`. Filters pick or sum a release's published
cells, never re-count a subset. Patterns with fewer signals than the threshold are not shown anywhere (asking for
one is "not found"). Before matching ever ran every list is empty. Policies live in :mod:`hub.insights_policies`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache

import numpy as np

from governance.errors import InvalidInputError
from governance.standard import codelist_codes
from hub.disclosure import Release, Shown
from hub.insight_models import (
    SPLITS,
    AlertRow,
    Count,
    Filters,
    KeyCount,
    Overview,
    Page,
    PatternDetail,
    PatternSummary,
    PolicyDetail,
    PolicyRow,
    SearchHit,
    Series,
    SimilarPattern,
    ThemeRow,
)
from hub.insights_alerts import alert_rows, code_names
from hub.insights_base import InsightsBase, labels
from hub.insights_releases import UNKNOWN_PROVINCE, count_dimension, iso_week, sum_shown, weeks_of
from hub.insights_series import pattern_series, volume_around
from matching.activity import event_day
from matching.patterns import Pattern

__all__ = ["SORTS", "Filters", "Insights", "InvalidFilterError", "check_filters"]

#: Orders of the pattern list: alerts first (default), most signals, most recent, by label.
SORTS = ("alerts", "signals", "recent", "label")
SCOPES = ("lokaal", "regionaal", "landelijk")
_ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")


class InvalidFilterError(InvalidInputError):
    """A filter or query parameter with a value the read side does not know; ``parameter`` names it."""

    code = "invalid-filter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@cache
def _codes(name: str) -> frozenset[str]:
    return frozenset(codelist_codes(name))


#: The days a period filter may name: signals carry RFC 3339 times, and a day at the calendar's edge would overflow
#: the week and day arithmetic behind every view.
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def check_filters(filters: Filters) -> Filters:
    """``filters`` when every value is known; else :class:`InvalidFilterError` naming the parameter."""
    known = {
        "theme": _codes("themes"),
        "organisation_kind": _codes("organisation-kinds"),
        "province": _codes("provinces") | {UNKNOWN_PROVINCE},
        "municipality": _codes("municipalities"),
        "scope": frozenset(SCOPES),
    }
    for name, codes in known.items():
        value = getattr(filters, name)
        if value is not None and value not in codes:
            raise InvalidFilterError(name, "not a known code")
    if filters.organisation is not None and not _ORGANISATION.match(filters.organisation):
        raise InvalidFilterError("organisation", "not an organisation code")
    for name in ("period_from", "period_to"):
        day = getattr(filters, name)
        if day is not None and not _FIRST_DAY <= day <= _LAST_DAY:
            raise InvalidFilterError(name, f"lies outside {_FIRST_DAY.isoformat()}..{_LAST_DAY.isoformat()}")
    if filters.period_from and filters.period_to and filters.period_from > filters.period_to:
        raise InvalidFilterError("period_from", "lies after period_to")
    return filters


class Insights(InsightsBase):
    """The analysts' read model over the hub's storage and the matching state in ``DATA/matching``.

    Methods return the models of :mod:`hub.insight_models`; unknown or unlisted patterns raise
    :class:`matching.patterns.PatternNotFoundError`, unknown policies
    :class:`hub.insights_policies.PolicyNotFoundError`, bad filters :class:`InvalidFilterError`.
    """

    # --- overview and policies -----------------------------------------------------------------------------------

    def overview(self, filters: Filters = Filters()) -> Overview:
        """The national heartbeat: signals per day from the hub's storage (all organisations, matched or not),
        per organisation kind, rising patterns and open alerts. Honours the period (default: the last twelve weeks
        with signals) and organisation kind; theme, scope, organisation, province and municipality narrow the
        rising patterns and open alerts."""
        from hub.insights_overview import overview

        return overview(self, check_filters(filters))

    def policies(self) -> list[PolicyRow]:
        """The declared policies, newest first, with how many effects were measured on listed patterns."""
        from hub.insights_policies import policies

        return policies(self)

    def policy(self, name: str) -> PolicyDetail:
        """One policy: measured effects (stored ``policy_effect`` alerts on listed patterns, largest change first)
        with each pattern's volume in the weeks before and after, and weekly series of those that changed most."""
        from hub.insights_policies import policy

        return policy(self, name)

    # --- patterns ------------------------------------------------------------------------------------------------

    def patterns(
        self, filters: Filters = Filters(), page: int = 1, per_page: int = 50, sort: str = "alerts"
    ) -> Page[PatternSummary]:
        """The listed patterns (at least ``threshold`` signals) matching ``filters``, ``per_page`` at a time.

        ``sort``: one of :data:`SORTS`. ``signals`` orders by the filtered count; suppressed counts come last.
        """
        check_filters(filters)
        if sort not in SORTS:
            raise InvalidFilterError("sort", f"one of {', '.join(SORTS)}")
        if page < 1 or not 1 <= per_page <= 200:
            raise InvalidFilterError("page" if page < 1 else "per_page", "out of range")
        rows = self.summaries(filters)
        if sort == "signals":
            rows.sort(key=lambda r: (r.signals.value is None, -(r.signals.value or 0), r.id))
        elif sort == "recent":
            rows.sort(key=lambda r: (r.last_seen, -r.id), reverse=True)
        elif sort == "label":
            rows.sort(key=lambda r: (r.label.casefold(), r.id))
        start = (page - 1) * per_page
        return Page[PatternSummary](items=rows[start : start + per_page], page=page, per_page=per_page, total=len(rows))

    def summaries(self, filters: Filters = Filters()) -> list[PatternSummary]:
        """Every listed pattern matching ``filters`` as a list row, in the default order (alerts first)."""
        listed = self.listed()
        releases = self.releases(listed)
        return [self._summary(p, releases[p.id], filters) for p in listed if self._selected(p, releases[p.id], filters)]

    def pattern(self, pattern_id: int) -> PatternDetail:
        """One listed pattern: counts per organisation, kind and province, alerts, similar patterns and
        representative texts (only for patterns with at least ``threshold`` signals from two organisations)."""
        found = self.find(pattern_id)
        release = self.releases([found])[found.id]
        everything = Filters()

        def keyed(name: str, labels: dict[str, str]) -> list[KeyCount]:
            rows = [
                KeyCount(key=key, label=labels.get(key, key), count=self.count(shown))
                for key, shown in count_dimension(release, name, everything)
            ]
            return sorted(rows, key=by_count)

        return PatternDetail(
            summary=self._summary(found, release, everything),
            total=self.count(release.total()),
            organisations=keyed("organisation", {**code_names(), **self.organisation_names()}),
            organisation_kinds=keyed("organisation_kind", labels("organisation-kinds")),
            provinces=keyed("province", {**labels("provinces"), UNKNOWN_PROVINCE: "Onbekend"}),
            alerts=alert_rows(found, self.threshold),
            similar=self.similar(found),
            representatives=self.representatives(found, release),
        )

    def pattern_series(self, pattern_id: int, split: str = "totaal", filters: Filters = Filters()) -> Series:
        """A pattern's weekly counts: one line (``totaal``) or one per organisation kind, organisation or province.

        A filter on the split's own dimension keeps only that line; with ``totaal`` one of organisation kind,
        organisation or province narrows the line to that cell; other combinations are :class:`InvalidFilterError`.
        """
        check_filters(filters)
        if split not in SPLITS:
            raise InvalidFilterError("split", f"one of {', '.join(SPLITS)}")
        found = self.find(pattern_id)
        return pattern_series(self, found, self.releases([found])[found.id], split, filters)

    def volume_around(self, pattern_id: int, day: date, weeks: int = 4) -> tuple[Count, Count]:
        """A pattern's signals in the ``weeks`` ISO weeks before the week of ``day``, and in the ``weeks`` weeks
        from it (the week of an action counts as after), from its release's weekly cells."""
        found = self.find(pattern_id)
        before, after = volume_around(self.releases([found])[found.id], day, weeks)
        return self.count(before), self.count(after)

    # --- themes, alerts, search --------------------------------------------------------------------------------

    def themes(self, filters: Filters = Filters()) -> list[ThemeRow]:
        """Themes with listed patterns matching ``filters``: how many, their signals (the sum of the patterns'
        published counts, suppressed when one is) and how many are rising; most patterns first."""
        rows = self.summaries(check_filters(filters))
        names = labels("themes")
        out = []
        for theme in sorted({t for r in rows for t in r.themes}):
            members = [r for r in rows if theme in r.themes]
            # Each pattern's total is a published cell of its own release, so their sum adds nothing to what is
            # shown. A hidden one cannot be added; the sum of the shown ones is then a lower bound, itself a sum of
            # published numbers only.
            total = sum_shown(Shown(r.signals.value, r.signals.suppressed) for r in members)
            shown = [r.signals.value for r in members if r.signals.value is not None]
            hidden = len(members) - len(shown)
            rising = sum(1 for r in members if r.latest_alert in {"emerging", "cross_org"})
            out.append(
                ThemeRow(
                    theme=theme, label=names.get(theme, theme), patterns=len(members),
                    signals=self.count(total), rising=rising, hidden_patterns=hidden,
                    signals_at_least=sum(shown) if hidden and shown else None,
                )
            )  # fmt: skip
        return sorted(out, key=lambda r: (-r.patterns, r.theme))

    def alerts(self, filters: Filters = Filters(), page: int = 1, per_page: int = 50) -> Page[AlertRow]:
        """Alerts on listed patterns matching ``filters`` (the period selects the day raised), newest first."""
        check_filters(filters)
        if page < 1 or not 1 <= per_page <= 200:
            raise InvalidFilterError("page" if page < 1 else "per_page", "out of range")
        rows = self.alert_rows(filters)
        start = (page - 1) * per_page
        return Page[AlertRow](items=rows[start : start + per_page], page=page, per_page=per_page, total=len(rows))

    def alert_rows(self, filters: Filters = Filters()) -> list[AlertRow]:
        """Every alert on a listed pattern matching ``filters``, newest first."""
        listed = self.listed()
        releases = self.releases(listed)
        wanted = Filters(**{**filters.__dict__, "period_from": None, "period_to": None})
        rows = [
            row for p in listed if self._selected(p, releases[p.id], wanted) for row in alert_rows(p, self.threshold)
        ]
        rows = [
            r
            for r in rows
            if (filters.period_from is None or r.detected_on >= filters.period_from)
            and (filters.period_to is None or r.detected_on <= filters.period_to)
        ]
        return sorted(rows, key=lambda r: (r.detected_on, r.score), reverse=True)

    def search(self, text: str | None = None, signal_id: str | None = None, k: int = 20) -> list[SearchHit]:
        """Signalen zoals deze, by free ``text`` or by the hub id of a signal (exactly one of them), ``k`` hits.

        A hit names its pattern only when that pattern is listed, and carries its anonymised text only when the
        pattern passes the text rule. Raises :class:`hub.insights_search.MatchingNotRunError` before matching ran
        and :class:`hub.insights_search.SearchUnavailableError` without the matching extra or model.
        """
        from matching.patterns import describe_signals

        if (text is None) == (signal_id is None):
            raise InvalidFilterError("q", "give either a text (q) or a signal id (signal)")
        if text is not None and not text.strip():
            raise InvalidFilterError("q", "empty")
        if not 1 <= k <= 100:
            raise InvalidFilterError("k", "out of range")
        searcher = self.searcher()
        hits = searcher.by_text(text, k) if text is not None else searcher.by_signal(str(signal_id), k)
        rows = describe_signals(searcher.engine().state, hits)
        listed = {p.id: p for p in self.listed()}
        releases = self.releases(list(listed.values()))
        speakable = {pid for pid, p in listed.items() if self.texts_allowed(p, releases[pid])}
        missing = [int(r["seq"]) for r in rows if r["text"] is None and r["pattern"] in speakable]
        stored = self.stored_texts(missing)
        out = []
        for row in rows:
            pattern = row["pattern"] if row["pattern"] in listed else None
            shown = pattern in speakable
            text_out = (row["text"] if row["text"] is not None else stored.get(int(row["seq"]))) if shown else None
            out.append(
                SearchHit(
                    signal_id=str(row["id"]), pattern_id=pattern, organisation=str(row["organisation"]),
                    week=iso_week(date.fromisoformat(str(row["observed_at"])[:10])),
                    similarity=float(row["similarity"]), text=text_out,
                )
            )  # fmt: skip
        return out

    # --- helpers -------------------------------------------------------------------------------------------------

    def _summary(self, pattern: Pattern, release: Release, filters: Filters) -> PatternSummary:
        latest = max(pattern.alerts, key=lambda a: str(a["detected_at"]), default=None)
        return PatternSummary(
            id=pattern.id, label=pattern.label, keywords=list(pattern.keywords), scope=pattern.scope,
            status=pattern.status, themes=list(pattern.themes), organisation_kinds=list(pattern.organisation_kinds),
            provinces=list(pattern.provinces), organisations=len(pattern.organisations),
            first_seen=_day(pattern.first_seen), last_seen=_day(pattern.last_seen),
            signals=self.count(self.pattern_releases.total(pattern.id, release, filters)), alerts=len(pattern.alerts),
            latest_alert=None if latest is None else str(latest["kind"]),
        )  # fmt: skip

    def _selected(self, pattern: Pattern, release: Release, filters: Filters) -> bool:
        """Whether ``pattern`` matches ``filters`` (membership only; never a count)."""
        if filters.theme is not None and filters.theme not in pattern.themes:
            return False
        if filters.scope is not None and filters.scope != pattern.scope:
            return False
        if filters.municipality is not None and filters.municipality not in pattern.municipalities:
            return False
        weeks = weeks_of(filters)
        wanted = (weeks, filters.organisation, filters.organisation_kind, filters.province)
        if wanted == (None, None, None, None):
            return True
        for week, organisation, kind, province in self.pattern_releases.cells(pattern.id):
            if (
                (weeks is None or week in weeks)
                and filters.organisation in (None, organisation)
                and filters.organisation_kind in (None, kind)
                and filters.province in (None, province)
            ):
                return True
        return False

    def similar(self, pattern: Pattern, top: int = 5, minimum: float = 0.3) -> list[SimilarPattern]:
        """Listed patterns whose centroids are closest to ``pattern``'s (cosine at least ``minimum``)."""
        state = self.state()
        if state is None:
            return []
        listed = {p.id: p for p in self.listed()}
        rows = {row.id: row for row in state.clusters(ids=list(listed))}
        own = rows.get(pattern.id)
        if own is None:
            return []
        others = [cid for cid in rows if cid != pattern.id]
        if not others:
            return []
        matrix = np.stack([np.asarray(rows[c].centroid, dtype=np.float32) for c in others])
        scores = matrix @ np.asarray(own.centroid, dtype=np.float32)
        order = np.argsort(-scores)[:top]
        return [
            SimilarPattern(id=others[i], label=listed[others[i]].label, similarity=round(float(scores[i]), 4))
            for i in order
            if scores[i] >= minimum
        ]


def by_count(row: KeyCount) -> tuple[bool, int, str, str]:
    """Sort key of counted rows: shown counts largest first, hidden ones after them, ties and hidden ones by name.

    Hidden rows are ordered by name only: ranking them by their (unknown) size would tell it."""
    hidden = row.count.value is None
    return hidden, -(row.count.value or 0), row.label.casefold(), row.key


def _day(moment: str) -> str:
    """The Europe/Amsterdam event-time day of an ISO 8601 time (a pattern's dates never show an exact time)."""
    return event_day(datetime.fromisoformat(moment)).isoformat()
