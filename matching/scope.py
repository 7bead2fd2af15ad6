# SPDX-License-Identifier: EUPL-1.2
"""Local versus national: who carries a surge, measured on the *excess* over the cluster's normal mix.

A cluster such as "geluidsoverlast" is reported all over the country every week; when one festival town sees a
spike, the cluster's window still holds signals from many provinces. What counts is who carries the *extra*
signals: per organisation, municipality and province, the excess is the observed count in the window minus that
value's usual share of the expected count. Values with a real excess (at least ``min_excess`` signals,
``min_share`` of the whole excess, and unlikely as noise: upper tail below ``alpha``) are the carriers. Then:

- ``lokaal``: one organisation, or one municipality, carries nearly all of it (``local_share``);
- ``landelijk``: several organisations in several provinces, or with a national agency among them;
- ``regionaal``: several organisations within one province.

A surge inside one organisation or municipality is therefore never reported as national.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from matching.activity import Activity, ClusterActivity
from matching.baseline import upper_tail

__all__ = ["KIND_LABELS", "LEVELS", "Scope", "carriers", "describe_organisations", "level_of", "surge_scope"]

LEVELS = ("lokaal", "regionaal", "landelijk")
_NOISE = 0.05  # over-dispersion assumed for one value's count: its own history is too thin to measure it
# organisation_kind → (singular, plural) in Dutch.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "municipality": ("gemeente", "gemeenten"),
    "national_agency": ("uitvoeringsorganisatie", "uitvoeringsorganisaties"),
    "flemish_local_government": ("Vlaams lokaal bestuur", "Vlaamse lokale besturen"),
    "province": ("provincie", "provincies"),
    "water_board": ("waterschap", "waterschappen"),
    "other": ("andere organisatie", "andere organisaties"),
}


@dataclass(frozen=True)
class Scope:
    """Who carries a surge and the resulting level."""

    level: str
    organisations: tuple[str, ...]
    kinds: dict[str, int]
    municipalities: tuple[str, ...]
    provinces: tuple[str, ...]

    def describe(self) -> str:
        """Dutch summary: ``"Gemeld bij 7 organisaties (4 gemeenten, 3 uitvoeringsorganisaties) in 5 provincies"``.

        The province count only covers carriers with a known province (national agencies often have none).
        """
        text = f"Gemeld bij {describe_organisations(self.organisations, self.kinds)}"
        if len(self.provinces) > 1:
            text += f" in {len(self.provinces)} provincies"
        elif len(self.provinces) == 1:
            text += f" in provincie {self.provinces[0]}"
        if self.level == "lokaal" and len(self.municipalities) == 1:
            text += f", vooral in gemeente {self.municipalities[0]}"
        return text


def describe_organisations(organisations: tuple[str, ...], kinds: dict[str, int]) -> str:
    """``"7 organisaties (4 gemeenten, 3 uitvoeringsorganisaties)"`` or ``"1 organisatie (UWV)"``."""
    if len(organisations) == 1:
        return f"1 organisatie ({organisations[0]})"
    parts = [
        f"{n} {KIND_LABELS.get(kind, KIND_LABELS['other'])[0 if n == 1 else 1]}"
        for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    ]
    return f"{len(organisations)} organisaties ({', '.join(parts)})"


def carriers(
    activity: Activity,
    cluster: ClusterActivity,
    by: str,
    first: date,
    last: date,
    history: int = 84,
    min_excess: float = 2.0,
    min_share: float = 0.1,
    alpha: float = 0.05,
) -> dict[str, float]:
    """Values of dimension ``by`` carrying the excess of ``first..last`` over their usual share, with their excess.

    The expected count per value is its share of the cluster in the ``history`` days before ``first``, applied to
    the cluster's expected total for the window (its history rate scaled by the system's volume in the window).
    """
    length = (last - first).days + 1
    hist_last = first - timedelta(days=1)
    y_h = float(activity.window(cluster.counts, hist_last, history).sum())
    e_h = float(activity.window(activity.total, hist_last, history).sum()) - y_h
    y_t = float(activity.window(cluster.counts, last, length).sum())
    e_t = float(activity.window(activity.total, last, length).sum()) - y_t
    expected_total = y_h / e_h * e_t if e_h > 0 else 0.0
    excess: dict[str, float] = {}
    surprising: set[str] = set()
    for value, series in cluster.split(by).items():
        observed = float(activity.window(series, last, length).sum())
        share = float(activity.window(series, hist_last, history).sum()) / y_h if y_h > 0 else 0.0
        excess[value] = observed - share * expected_total
        if float(upper_tail(observed, share * expected_total, _NOISE)) < alpha:
            surprising.add(value)
    positive = sum(x for x in excess.values() if x > 0)
    floor = max(min_excess, min_share * positive)
    return {value: x for value, x in sorted(excess.items()) if x >= floor and value in surprising}


def surge_scope(
    activity: Activity,
    cluster: ClusterActivity,
    first: date,
    last: date,
    history: int = 84,
    local_share: float = 0.8,
    *,
    thin: bool = False,
) -> Scope:
    """The :class:`Scope` of the surge in ``first..last`` against the ``history`` days before it.

    ``thin``: the surge is young and spread thinly (a few signals at each of many organisations), so no single
    value's excess can be surprising on its own; every value with at least one extra signal counts as a carrier.
    The level rules stay the same, so one organisation or municipality holding nearly all of it is still local.
    """
    rules = {"min_excess": 1.0, "min_share": 0.0, "alpha": 1.0} if thin else {}
    orgs = carriers(activity, cluster, "organisation", first, last, history, **rules)
    munis = carriers(activity, cluster, "municipality", first, last, history, **rules)
    provinces = carriers(activity, cluster, "province", first, last, history, **rules)
    kinds = Counter(activity.organisation_kinds.get(org, "other") for org in orgs)
    level = level_of(orgs, munis, len(provinces), kinds, local_share)
    return Scope(level, tuple(orgs), dict(kinds), tuple(munis), tuple(provinces))


def level_of(
    organisations: Mapping[str, float],
    municipalities: Mapping[str, float],
    provinces: int,
    kinds: Mapping[str, int],
    local_share: float = 0.8,
) -> str:
    """The level of a surge from what each carrier holds of it (excess or count) and the number of provinces.

    ``lokaal`` when one organisation carries it, or one organisation or municipality holds ``local_share`` of it;
    else ``landelijk`` with carriers in several provinces or a national agency among them; else ``regionaal``.
    """
    total = sum(organisations.values())
    top = max(max(municipalities.values(), default=0.0), max(organisations.values(), default=0.0))
    if len(organisations) <= 1 or (total > 0 and top >= local_share * total):
        return "lokaal"
    if provinces > 1 or kinds.get("national_agency", 0) > 0:
        return "landelijk"
    return "regionaal"
