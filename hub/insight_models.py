# SPDX-License-Identifier: EUPL-1.2
"""What the read side shows policy analysts: the filters they ask with and the models they get back.

Shared by the ``/v1`` read routes (response models, OpenAPI) and the dashboard (which renders them). Every count is
a :class:`Count`: a value, or a suppression with its reason, never a raw number below the disclosure threshold.
Weeks are ISO weeks written ``"2025-W23"``; days are Europe/Amsterdam event-time days; times ISO 8601 UTC.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from hub.disclosure import Shown

__all__ = [
    "SPLITS",
    "AlertRow",
    "Count",
    "DayCount",
    "Filters",
    "KeyCount",
    "Overview",
    "Page",
    "PatternDetail",
    "PatternSummary",
    "PolicyDetail",
    "PolicyEffectRow",
    "PolicyRow",
    "RepresentativeTexts",
    "SearchHit",
    "Series",
    "SeriesLine",
    "SeriesPoint",
    "SimilarPattern",
    "ThemeRow",
    "WeekCount",
]

#: How a pattern's series may be split (``totaal``: one line).
SPLITS = ("totaal", "organisation_kind", "organisation", "province")
Split = Literal["totaal", "organisation_kind", "organisation", "province"]
Suppression = Literal["klein", "aanvullend"]
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """What an analyst narrows the read side down to; ``None`` means no narrowing.

    ``period_from``/``period_to`` are event-time days (both inclusive), answered at week granularity: a pattern's
    counts cover the ISO weeks that hold those days. Theme, scope and municipality select patterns (their majority
    themes, reach and member municipalities); organisation kind, organisation and province select patterns with
    members there and narrow their counts to those cells of the pattern's release. Validated by
    :func:`hub.insights.check_filters`.
    """

    period_from: date | None = None
    period_to: date | None = None
    theme: str | None = None
    organisation_kind: str | None = None
    organisation: str | None = None
    province: str | None = None
    municipality: str | None = None
    scope: str | None = None

    def as_query(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links and exports)."""
        out: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None:
                out[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Count(_Model):
    """One published count: ``value`` when it may be shown, else ``None`` with the reason it is suppressed
    (``klein``: fewer signals than the threshold; ``aanvullend``: hidden so no other number reveals a small one).
    ``display`` is the Dutch text to show (``"1.234"``, ``"< 10"``, ``"×"``)."""

    value: int | None
    suppressed: Suppression | None = None
    display: str

    @classmethod
    def of(cls, shown: Shown, threshold: int) -> Count:
        """The model of a :class:`hub.disclosure.Shown` under ``threshold``."""
        reason: Suppression | None = "klein" if shown.suppressed == "klein" else None
        if shown.value is None and reason is None:
            reason = "aanvullend"
        return cls(value=shown.value, suppressed=reason, display=shown.display(threshold))

    @classmethod
    def hidden(cls) -> Count:
        """A count that cannot be given without revealing a suppressed cell (no published view answers it)."""
        return cls(value=None, suppressed="aanvullend", display="×")


class KeyCount(_Model):
    """A count for one value of a dimension (an organisation, a province, an organisation kind)."""

    key: str
    label: str
    count: Count


class DayCount(_Model):
    """A count for one event-time day."""

    day: date
    count: Count


class WeekCount(_Model):
    """A count for one ISO week (``"2025-W23"``)."""

    week: str
    count: Count


class SeriesPoint(_Model):
    """One week of a series line."""

    week: str
    count: Count


class SeriesLine(_Model):
    """One line of a series: the total, or one value of the split dimension."""

    key: str
    label: str
    points: list[SeriesPoint]


class Series(_Model):
    """A pattern's weekly counts, split as asked; every line has a point for every week in ``weeks``."""

    pattern_id: int
    split: Split
    weeks: list[str]
    lines: list[SeriesLine]


class PatternSummary(_Model):
    """A row of the pattern list. ``signals`` is the pattern's count under the filters (from its release)."""

    id: int
    label: str
    keywords: list[str]
    scope: str
    status: str
    themes: list[str]
    organisation_kinds: list[str]
    provinces: list[str]
    organisations: int = Field(description="How many organisations report it (not a signal count).")
    first_seen: str = Field(description="Event-time day (YYYY-MM-DD) of its first signal; never an exact time.")
    last_seen: str = Field(description="Event-time day (YYYY-MM-DD) of its latest signal.")
    signals: Count
    alerts: int = Field(description="How many alerts were raised on it.")
    latest_alert: str | None = Field(default=None, description="Kind of its most recent alert.")


class AlertRow(_Model):
    """One alert: what matching raised on a pattern, with its Dutch explanation (small counts suppressed)."""

    kind: str
    pattern_id: int
    pattern_label: str
    detected_on: date
    score: float
    scope: str | None
    explanation: str
    details: dict[str, Any] = Field(description="The alert's facts without counts (onset, ratio, reach, effects).")


class SimilarPattern(_Model):
    """A listed pattern whose centroid is close to this one's."""

    id: int
    label: str
    similarity: float


class RepresentativeTexts(_Model):
    """Anonymised example texts, or none with the reason (``te-klein``, ``een-organisatie``, ``niet-bewaard``)."""

    texts: list[str]
    reason: str | None = None


class PatternDetail(_Model):
    """Everything about one pattern an analyst may see."""

    summary: PatternSummary
    total: Count
    organisations: list[KeyCount]
    organisation_kinds: list[KeyCount]
    provinces: list[KeyCount]
    alerts: list[AlertRow]
    similar: list[SimilarPattern]
    representatives: RepresentativeTexts


class ThemeRow(_Model):
    """A theme with its listed patterns and their signals (the theme's national count from the overview release
    is not kept per theme; ``signals`` sums the patterns' published totals, exact when every one is shown and
    suppressed if any is, with the sum of the shown ones as ``signals_at_least``)."""

    theme: str
    label: str
    patterns: int
    signals: Count
    rising: int = Field(description="How many of its patterns have a recent rising alert.")
    signals_at_least: int | None = Field(
        default=None,
        description="When `signals` is hidden because some pattern's count is: the sum of the shown pattern counts "
        "(published numbers only), a lower bound of the theme's signals.",
    )
    hidden_patterns: int = Field(default=0, description="How many of its patterns have a hidden count.")


class SearchHit(_Model):
    """A signal like the one searched for: where it sits, never who sent it beyond the organisation."""

    signal_id: str = Field(description="The signal's id (as its source assigned it): search on with `signal=`.")
    pattern_id: int | None
    organisation: str
    week: str
    similarity: float
    text: str | None = Field(description="The anonymised text, only when its pattern passes the text rule.")


class PolicyRow(_Model):
    """A declared policy and how many effects were measured."""

    name: str
    date: _dt.date
    refs: list[str]
    effects: int
    evaluated_through: _dt.date | None


class PolicyEffectRow(_Model):
    """A measured effect of a policy on one pattern (a stored ``policy_effect`` alert)."""

    pattern_id: int
    pattern_label: str
    detected_on: date
    weeks_after: int
    level: float
    level_ci: tuple[float, float]
    trend: float
    trend_ci: tuple[float, float]
    carries_refs: bool
    emerged: bool = Field(
        default=False, description="A topic that (nearly) began with the policy: level from rates, no trend."
    )
    merged: bool = Field(
        default=False,
        description="Measured on a pattern that was later merged into this one: level and trend are that part's, "
        "`before` and `after` this pattern's.",
    )
    explanation: str
    before: Count
    after: Count


class PolicyDetail(_Model):
    """A policy with its measured effects (largest change first) and weekly before/after series."""

    policy: PolicyRow
    effects: list[PolicyEffectRow]
    series: list[Series]


class Overview(_Model):
    """The national heartbeat: signals per day (all organisations, from the hub's storage), rising patterns and
    open alerts."""

    period_from: date | None
    period_to: date | None
    total: Count
    per_day: list[DayCount]
    per_kind: list[KeyCount]
    rising: list[PatternSummary]
    open_alerts: list[AlertRow]
    threshold: int


class Page(_Model, Generic[T]):
    """One page of rows; ``total`` is the number of rows (not signals) over all pages."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))
