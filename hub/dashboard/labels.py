# SPDX-License-Identifier: EUPL-1.2
"""Dutch words for the codes the dashboard shows, and the filters of its lists read from the query string.

Labels come from the standard's code lists (themes, organisation kinds, provinces, municipalities, national
agencies) and from the agency registry (an organisation's registered name); a code nobody knows is shown as itself.
Filters are a :class:`hub.insight_models.Filters`; a value that is no code of its list is dropped with a message
(the page still shows, unfiltered on that field), so a hand-edited link never ends in an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from governance.standard import codelist_codes
from hub.insight_models import Filters

__all__ = [
    "ALERT_KINDS",
    "FILTER_FIELDS",
    "KIND_PLURALS",
    "SCOPES",
    "FilterForm",
    "Option",
    "alert_kind_label",
    "codelist_options",
    "kind_plural",
    "label_of",
    "parse_filters",
    "scope_label",
]

#: Reach of a pattern (matching.scope.LEVELS) with the Dutch label.
SCOPES: Mapping[str, str] = {"lokaal": "Lokaal", "regionaal": "Regionaal", "landelijk": "Landelijk"}

#: What matching raises, in words an analyst uses.
ALERT_KINDS: Mapping[str, str] = {
    "cross_org": "Bij meerdere organisaties tegelijk",
    "emerging": "Nieuw en groeiend",
    "policy_effect": "Verandering na beleid",
}

#: Each organisation kind of the code list in the plural, as in "signalen van gemeenten" (the code list holds
#: the singular titles only; a test checks that every kind has its plural here).
KIND_PLURALS: Mapping[str, str] = {
    "municipality": "gemeenten",
    "national_agency": "rijksorganisaties",
    "flemish_local_government": "Vlaamse lokale besturen",
    "province": "provincies",
    "water_board": "waterschappen",
    "other": "overige organisaties",
}

#: The query-string names of the filters, in the order of the form.
FILTER_FIELDS = (
    "period_from",
    "period_to",
    "theme",
    "organisation_kind",
    "organisation",
    "province",
    "municipality",
    "scope",
)


@dataclass(frozen=True)
class Option:
    """One choice of a select: its code and Dutch label."""

    value: str
    label: str


@cache
def codelist_options(name: str) -> tuple[Option, ...]:
    """The codes of a code list as options, sorted by label (Dutch collation is close enough to casefold)."""
    entries = codelist_codes(name)
    return tuple(sorted((Option(code, str(e.get("title", code))) for code, e in entries.items()), key=_by_label))


def _by_label(option: Option) -> str:
    return option.label.casefold()


@cache
def _labels(name: str) -> dict[str, str]:
    return {code: str(entry.get("title", code)) for code, entry in codelist_codes(name).items()}


def label_of(kind: str, code: str | None) -> str:
    """The Dutch label of ``code`` in code list ``kind`` (``themes``, ``provinces``, ...); the code when unknown.

    ``organisations`` looks in the municipalities' and national agencies' lists."""
    if code is None:
        return "–"
    if kind == "organisations":
        return _labels("municipalities").get(code) or _labels("national-agencies").get(code) or code
    return _labels(kind).get(code, code)


def kind_plural(kind: str) -> str:
    """``municipality`` → ``gemeenten``; an unknown kind as its code list label (or itself)."""
    return KIND_PLURALS.get(kind) or label_of("organisation-kinds", kind)


def scope_label(scope: str | None) -> str:
    """``landelijk`` → ``Landelijk``; unknown reaches as themselves."""
    return SCOPES.get(scope or "", scope or "–")


def alert_kind_label(kind: str) -> str:
    """The Dutch description of an alert kind."""
    return ALERT_KINDS.get(kind, kind)


@dataclass(frozen=True)
class FilterForm:
    """The filters read from a query string, what was set (for the form's values) and what was dropped."""

    filters: Filters
    values: Mapping[str, str]
    problems: tuple[str, ...]

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.filters.as_query())


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _municipality(text: str) -> str | None:
    """A municipality's code from its code or its name (``GM0363`` or ``Amsterdam``, any case)."""
    if text in _labels("municipalities"):
        return text
    wanted = text.casefold()
    return next((code for code, name in _labels("municipalities").items() if name.casefold() == wanted), None)


def parse_filters(query: Mapping[str, str], organisations: Mapping[str, str]) -> FilterForm:
    """Filters from a query string; ``organisations`` are the registered ones (code → name) the form offers."""
    values = {name: query.get(name, "").strip() for name in FILTER_FIELDS}
    problems: list[str] = []
    days: dict[str, date] = {}
    codes: dict[str, str] = {}
    allowed: dict[str, Mapping[str, object]] = {
        "theme": codelist_codes("themes"),
        "organisation_kind": codelist_codes("organisation-kinds"),
        "province": codelist_codes("provinces"),
        "scope": SCOPES,
    }
    known_organisations = {*organisations, *_labels("municipalities"), *_labels("national-agencies")}
    for name, text in values.items():
        if not text:
            continue
        if name.startswith("period_"):
            day = _day(text)
            if day is None:
                problems.append(f"De datum '{text}' is niet geldig (gebruik jjjj-mm-dd); dit filter is weggelaten.")
            else:
                days[name] = day
        elif name == "municipality":
            code = _municipality(text)
            if code is None:
                problems.append(f"De gemeente '{text}' is onbekend; dit filter is weggelaten.")
            else:
                codes[name] = code
        elif name == "organisation":
            if text in known_organisations:
                codes[name] = text
            else:
                problems.append(f"De organisatie '{text}' is onbekend; dit filter is weggelaten.")
        elif text in allowed[name]:
            codes[name] = text
        else:
            problems.append(f"De waarde '{text}' bestaat niet voor dit filter; het is weggelaten.")
    start, end = days.get("period_from"), days.get("period_to")
    if start is not None and end is not None and start > end:
        problems.append("De begindatum ligt na de einddatum; de periode is omgedraaid.")
        days["period_from"], days["period_to"] = end, start
    filters = Filters(
        period_from=days.get("period_from"),
        period_to=days.get("period_to"),
        theme=codes.get("theme"),
        organisation_kind=codes.get("organisation_kind"),
        organisation=codes.get("organisation"),
        province=codes.get("province"),
        municipality=codes.get("municipality"),
        scope=codes.get("scope"),
    )
    shown = {name: str(days.get(name) or codes.get(name) or "") for name in FILTER_FIELDS}
    return FilterForm(filters, shown, tuple(problems))
