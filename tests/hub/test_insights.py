# SPDX-License-Identifier: EUPL-1.2
"""The analysts' read model: every count a published cell, filters answered from a pattern's one release, small
patterns and texts withheld, and empty answers before matching ever ran."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hub.disclosure import Shown
from hub.insight_models import Count, Filters
from hub.insights import Insights, InvalidFilterError
from hub.insights_alerts import safe_details, safe_explanation
from hub.insights_policies import PolicyNotFoundError
from hub.insights_releases import iso_week
from hub.insights_search import MatchingNotRunError
from matching.detector import Alert
from matching.findings import Findings
from matching.patterns import PatternNotFoundError
from matching.policies import Policy
from matching.state import ClusterRow, MatchingState, SignalRecord, StoredSignal
from tests.hub.support import Hub, open_hub

__all__ = ["ORGANISATIONS", "World", "seed_world"]

#: (code, kind, province or None) of the organisations members come from.
ORGANISATIONS = (
    ("GM0363", "municipality", "PV27"),
    ("GM0599", "municipality", "PV28"),
    ("GM0344", "municipality", "PV26"),
    ("GM0518", "municipality", "PV28"),
    ("GM0014", "municipality", "PV20"),
    ("UWV", "national_agency", None),
    ("BD", "national_agency", None),
    ("SVB", "national_agency", None),
    ("NIS44021", "flemish_local_government", "BE-VOV"),
    ("NIS11002", "flemish_local_government", "BE-VAN"),
)
START = datetime(2025, 6, 2, 8, tzinfo=UTC)  # a Monday: ISO week 2025-W23
_DIMENSION = 16
_THEMES = ("afval", "parkeren", "toeslagen", "verkeer")


@dataclass
class World:
    """What :func:`seed_world` stored: per pattern its members as (organisation, kind, province, observed_at)."""

    members: dict[int, list[tuple[str, str, str | None, datetime]]] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)
    themes: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def count(self, pattern_id: int, **where: Any) -> int:
        """The true number of members matching ``where`` (organisation=, kind=, province=, weeks=)."""
        n = 0
        for organisation, kind, province, at in self.members[pattern_id]:
            week = iso_week(at.date())
            if where.get("organisation") not in (None, organisation) or where.get("kind") not in (None, kind):
                continue
            if where.get("province") not in (None, province or "onbekend"):
                continue
            if where.get("weeks") is not None and week not in where["weeks"]:
                continue
            n += 1
        return n


def seed_world(
    state: MatchingState, *, patterns: int = 12, seed: int = 7, weeks: int = 8, small: int = 2, alerts: bool = True
) -> World:
    """Store ``patterns`` skewed patterns (sizes 10..200, organisations Zipf-like, many small cells) plus ``small``
    patterns below the threshold, with alerts and a policy with a measured effect."""
    rng = random.Random(seed)
    world = World()
    seq = max(state.assignments(), default=0)
    weights = [1 / (rank + 1) ** 1.2 for rank in range(len(ORGANISATIONS))]
    clusters: list[ClusterRow] = []
    for pid in range(1, patterns + small + 1):
        size = rng.randint(3, 9) if pid > patterns else int(min(200, 10 + rng.paretovariate(1.1) * 8))
        reach = rng.sample(range(len(ORGANISATIONS)), rng.randint(1, 6))
        if pid == 1:
            reach = [0]  # one organisation: no texts
        signals = []
        moments = []
        for i in range(size):
            org = ORGANISATIONS[rng.choices(reach, weights=[weights[r] for r in reach])[0]]
            at = START + timedelta(days=min(weeks * 7 - 1, int(rng.expovariate(1 / 12))), hours=rng.randint(0, 9))
            seq += 1
            text = f"Anonieme melding {pid}-{i} over de [NAAM] bij het loket."
            record = SignalRecord(
                seq=seq, id=str(uuid.uuid4()), agency=org[0], organisation_kind=org[1],
                municipality=org[0] if org[1] == "municipality" else None, province=org[2], observed_at=at,
                text=text, themes=(_THEMES[pid % len(_THEMES)],), kind="complaint",
            )  # fmt: skip
            vector = np.random.default_rng(pid).standard_normal(_DIMENSION).astype(np.float32)
            signals.append(StoredSignal(record, vector / np.linalg.norm(vector), pid, 0.9))
            world.members.setdefault(pid, []).append((org[0], org[1], org[2], at))
            world.texts.setdefault(pid, []).append(text)
            moments.append(at)
        state.add_signals(signals)
        centroid = np.random.default_rng(pid).standard_normal(_DIMENSION).astype(np.float32)
        clusters.append(
            ClusterRow(
                id=pid, centroid=centroid / np.linalg.norm(centroid), size=size, first_seen=min(moments),
                last_seen=max(moments), status="active", updated_at=max(moments), label=f"onderwerp {pid}",
                keywords=(f"woord{pid}", "loket"), representatives=tuple(s.record.seq for s in signals[:3]),
                themes=((_THEMES[pid % len(_THEMES)], 0.9),),
            )
        )  # fmt: skip
        world.themes[pid] = (_THEMES[pid % len(_THEMES)],)
    state.put_clusters(clusters)
    state.set_meta("watermark", str(seq))
    findings = Findings(state)
    if alerts:
        last = START.date() + timedelta(days=weeks * 7 - 1)
        findings.put_alerts(
            [
                Alert("emerging", 2, last, 5.0, "Plotselinge toename: 7 signalen op 3 juni, waar 1,2 verwacht werd "
                      "op basis van weekdag en seizoen (5,8× het normale niveau). Gemeld bij 2 organisaties.",
                      {"onset": "2025-06-03", "observed": 7, "expected": 1.2, "ratio": 5.8, "scope": "regionaal",
                       "organisations": ["GM0363", "GM0599"]}),
                Alert("cross_org", 3, last - timedelta(days=3), 9.0, "Gemeld bij 3 organisaties; 4× het normale "
                      "niveau sinds 1 juni (40 signalen, 10 verwacht). Reikwijdte: landelijk.",
                      {"observed": 40, "expected": 10.0, "ratio": 4.0, "scope": "landelijk",
                       "organisation_kinds": {"municipality": 2, "national_agency": 1}}),
                Alert("emerging", patterns + 1, last, 3.0, "Plotselinge toename: 5 signalen.", {"observed": 5}),
            ]
        )  # fmt: skip
        findings.add_policy(Policy("Verbod op lachgas", START.date() + timedelta(days=28), ("bwb:BWBR0001941",)))
        findings.put_alerts(
            [
                Alert("policy_effect", 3, START.date() + timedelta(days=55), 4.0, "Na 'Verbod op lachgas': −40 %.",
                      {"policy": "Verbod op lachgas", "weeks_after": 4, "level": -0.4, "level_ci": [-0.6, -0.1],
                       "trend": 0.01, "trend_ci": [-0.05, 0.07], "carries_refs": True}),
            ]
        )  # fmt: skip
    return world


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        yield hub


@pytest.fixture
def seeded(hub: Hub) -> tuple[Hub, World]:
    state = MatchingState(hub.settings.data / "matching")
    try:
        world = seed_world(state)
    finally:
        state.close()
    return hub, world


def _value(count: Count) -> int | None:
    return count.value


def test_before_matching_ran_everything_is_empty_not_an_error(hub: Hub) -> None:
    insights = hub.services.insights
    assert insights.patterns().items == [] and insights.patterns().total == 0
    assert insights.themes() == [] and insights.policies() == [] and insights.alerts().items == []
    overview = insights.overview()
    assert overview.per_day == [] and overview.total.value == 0 and overview.rising == []
    with pytest.raises(PatternNotFoundError):
        insights.pattern(1)
    with pytest.raises(MatchingNotRunError):
        insights.search(text="container niet geleegd")
    assert not (hub.settings.data / "matching").exists()  # reading never creates matching's state


def test_the_list_shows_only_patterns_at_the_threshold_with_their_true_totals(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    page = hub.services.insights.patterns(per_page=200)
    listed = {row.id: row for row in page.items}
    assert set(listed) == {pid for pid, members in world.members.items() if len(members) >= 10}
    assert page.total == len(listed) == 12
    for pid, row in listed.items():
        # A grand total is never small, but may be hidden as a complement when every cell below it is small.
        assert row.signals.value in (None, len(world.members[pid])) and row.signals.suppressed != "klein"
        assert row.organisations == len({m[0] for m in world.members[pid]})
    assert page.items[0].alerts >= 1  # alerts first
    small = max(world.members)
    with pytest.raises(PatternNotFoundError):
        hub.services.insights.pattern(small)  # a small pattern is as missing as an unknown one


def test_filtered_counts_are_cells_of_the_release_and_never_small(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    for organisation in ("GM0363", "UWV", "NIS44021"):
        rows = insights.patterns(Filters(organisation=organisation), per_page=200).items
        assert {r.id for r in rows} == {
            pid
            for pid in world.members
            if len(world.members[pid]) >= 10 and world.count(pid, organisation=organisation)
        }
        for row in rows:
            truth = world.count(row.id, organisation=organisation)
            if row.signals.value is not None:
                assert row.signals.value == truth >= 10
            else:
                assert row.signals.display in ("< 10", "×")
                assert row.signals.suppressed != "klein" or truth < 10
    weeks = {iso_week(START.date()), iso_week(START.date() + timedelta(days=7))}
    period = Filters(period_from=START.date(), period_to=START.date() + timedelta(days=13))
    for row in insights.patterns(period, per_page=200).items:
        truth = world.count(row.id, weeks=weeks)
        assert row.signals.value in (None, truth)
        assert row.signals.value is None or row.signals.value >= 10


def test_detail_series_and_volume_agree_with_the_members(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    biggest = max((p for p in world.members if len(world.members[p]) >= 10), key=lambda p: len(world.members[p]))
    detail = insights.pattern(biggest)
    assert detail.total.value in (None, len(world.members[biggest]))
    for row in detail.organisations:
        truth = world.count(biggest, organisation=row.key)
        assert row.count.value in (None, truth) and (row.count.value is None or truth >= 10)
        assert row.count.suppressed != "klein" or truth < 10
    assert {row.key for row in detail.provinces} == {m[2] or "onbekend" for m in world.members[biggest]}
    series = insights.pattern_series(biggest, "organisation_kind")
    assert all(len(line.points) == len(series.weeks) for line in series.lines)
    assert {line.key for line in series.lines} == {m[1] for m in world.members[biggest]}
    totaal = insights.pattern_series(biggest)
    shown = [p.count.value for p in totaal.lines[0].points]
    assert all(v is None or v == 0 or v >= 10 for v in shown)
    before, after = insights.volume_around(biggest, START.date() + timedelta(days=14), weeks=2)
    truth_after = world.count(biggest, weeks={iso_week(START.date() + timedelta(days=14 + 7 * k)) for k in range(2)})
    assert after.value in (None, truth_after)
    assert before.value in (
        None,
        world.count(biggest, weeks={iso_week(START.date() + timedelta(days=7 * k)) for k in range(2)}),
    )
    with pytest.raises(InvalidFilterError) as caught:
        insights.pattern_series(biggest, "province", Filters(organisation="GM0363"))
    assert caught.value.parameter == "organisation"


def test_texts_only_for_patterns_from_two_organisations_and_only_anonymised(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    assert insights.pattern(1).representatives.texts == []
    assert insights.pattern(1).representatives.reason == "een-organisatie"
    several = next(
        p for p in world.members if p > 1 and len(world.members[p]) >= 10 and len({m[0] for m in world.members[p]}) > 1
    )
    texts = insights.pattern(several).representatives.texts
    assert texts and set(texts) <= set(world.texts[several])


def test_alerts_lose_small_counts_and_the_numbers_that_give_them_back(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    rows = hub.services.insights.alerts().items
    assert {r.pattern_id for r in rows} <= {p.id for p in hub.services.insights.patterns(per_page=200).items}
    emerging = next(r for r in rows if r.kind == "emerging")
    assert "7 signalen" not in emerging.explanation and "minder dan 10 signalen" in emerging.explanation
    assert (
        "1,2" not in emerging.explanation and "observed" not in emerging.details and "expected" not in emerging.details
    )
    cross = next(r for r in rows if r.kind == "cross_org")
    assert "40 signalen" in cross.explanation and cross.details["organisation_kinds_present"] == [
        "municipality",
        "national_agency",
    ]
    assert safe_explanation("Gemeld bij 3 organisaties (12 signalen, 3,1 verwacht).", 10).endswith(
        "(12 signalen, 3,1 verwacht)."
    )
    assert safe_explanation("(3 signalen, 1,5 verwacht).", 10) == "(minder dan 10 signalen)."
    assert safe_details({"observed": 3, "ratio": 2.0}) == {"ratio": 2.0}


def _post_on(hub: Hub, code: str, n: int, day: date) -> None:
    signals = hub.signals(n, code)
    for i, signal in enumerate(signals):
        moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=i)
        signal["observed_at"], signal["published_at"] = moment.isoformat(), (moment + timedelta(hours=1)).isoformat()
    assert hub.post(hub.signers[code].sign(signals).token).status_code == 202


def test_overview_counts_the_hubs_storage_per_day(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    days = [date(2026, 3, 2) + timedelta(days=k) for k in range(3)]
    for day in days:
        _post_on(hub, "GM0363", 15, day)
    _post_on(hub, "UWV", 12, days[0])
    _post_on(hub, "UWV", 3, days[1])  # a small cell: per kind and day it is suppressed
    everything = Filters(period_from=date(2000, 1, 1), period_to=date(2100, 1, 1))
    overview = hub.services.insights.overview(everything)
    assert overview.total.value == 60 and [d.day for d in overview.per_day] == days
    assert [d.count.value for d in overview.per_day] == [27, 18, 15]
    kinds = {k.key: k.count for k in overview.per_kind}
    assert kinds["municipality"].value == 45 and kinds["national_agency"].value == 15
    uwv = hub.services.insights.overview(Filters(organisation_kind="national_agency"))
    # 3 on the second day is small; with the kind's total of 15 visible, the 12 of the first day must hide too.
    assert uwv.per_day[1].count.suppressed == "klein" and uwv.per_day[1].count.display == "< 10"
    assert uwv.per_day[0].count.suppressed == "aanvullend" and uwv.per_day[0].count.display == "×"
    assert [p.id for p in overview.rising][:1] == [3] and overview.open_alerts
    recent = hub.services.insights.overview()
    assert recent.per_day[-1].day == days[-1]


def test_a_period_of_whole_weeks_totals_its_weeks_so_one_quiet_day_hides_nothing(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    monday = date(2026, 3, 2)
    for offset in range(14):  # two weeks of a municipality: 12 a weekday, 2 on weekend days
        _post_on(hub, "GM0363", 2 if offset % 7 >= 5 else 12, monday + timedelta(days=offset))
    two_weeks = Filters(period_from=monday, period_to=monday + timedelta(days=13))
    shown = hub.services.insights.overview(two_weeks)
    assert shown.per_day[5].count.display == "< 10"  # the quiet Saturday stays hidden ...
    assert shown.total.value == 2 * (5 * 12 + 2 * 2)  # ... while the total of its whole weeks is exact
    assert {k.key: k.count.value for k in shown.per_kind} == {"municipality": 128}
    ragged = hub.services.insights.overview(Filters(period_from=monday, period_to=monday + timedelta(days=12)))
    assert ragged.total.value is None  # ends on a Saturday: a sum of day cells, one of them hidden


def test_themes_policies_and_similar_patterns(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    themes = {row.theme: row for row in insights.themes()}
    listed = [p for p in world.members if len(world.members[p]) >= 10]
    assert sum(row.patterns for row in themes.values()) == len(listed)
    policies = insights.policies()
    assert [p.name for p in policies] == ["Verbod op lachgas"] and policies[0].effects == 1
    detail = insights.policy("Verbod op lachgas")
    assert detail.effects[0].pattern_id == 3 and detail.effects[0].level == -0.4
    assert detail.series and detail.series[0].pattern_id == 3
    with pytest.raises(PolicyNotFoundError):
        insights.policy("onbekend beleid")
    similar = insights.pattern(listed[0]).similar
    assert all(s.id in listed and s.id != listed[0] for s in similar)


def test_an_effect_measured_on_a_part_merged_later_says_so(hub: Hub) -> None:
    state = MatchingState(hub.settings.data / "matching")
    try:
        seed_world(state)
        row = state.clusters(("active",))[0]
        # Cluster 99 had its own policy effect, then the weekly re-clustering merged it into pattern 4.
        state.put_clusters([replace(row, id=99, status="merged", merged_into=4, size=0)])
        Findings(state).put_alerts(
            [
                Alert("policy_effect", 99, START.date() + timedelta(days=55), 6.0, "Na 'Verbod op lachgas': nieuw.",
                      {"policy": "Verbod op lachgas", "weeks_after": 4, "level": 12.0, "level_ci": [4.0, 12.0],
                       "trend": 0.0, "trend_ci": [0.0, 0.0], "carries_refs": True, "emerged": True}),
            ]
        )  # fmt: skip
    finally:
        state.close()
    effects = {e.pattern_id: e for e in hub.services.insights.policy("Verbod op lachgas").effects}
    assert effects[4].merged and effects[4].emerged
    assert not effects[3].merged


def test_bad_filters_name_their_parameter(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    insights = hub.services.insights
    for filters, parameter in (
        (Filters(province="PV99"), "province"),
        (Filters(theme="geen-thema"), "theme"),
        (Filters(organisation_kind="bakery"), "organisation_kind"),
        (Filters(scope="heelal"), "scope"),
        (Filters(period_from=date(2025, 7, 1), period_to=date(2025, 6, 1)), "period_from"),
        (Filters(organisation="<script>"), "organisation"),
    ):
        with pytest.raises(InvalidFilterError) as caught:
            insights.patterns(filters)
        assert caught.value.parameter == parameter
    with pytest.raises(InvalidFilterError):
        insights.patterns(sort="random")


def test_a_cached_release_is_rebuilt_when_the_pattern_grows(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights: Insights = hub.services.insights
    first = insights.patterns(per_page=200)
    assert insights.patterns(per_page=200) == first
    state = insights.state()
    assert state is not None
    row = state.cluster(1)
    assert row is not None
    extra = SignalRecord(
        seq=10_000, id=str(uuid.uuid4()), agency="GM0363", organisation_kind="municipality", municipality="GM0363",
        province="PV27", observed_at=START, text="x", themes=(), kind="complaint",
    )  # fmt: skip
    state.add_signals([StoredSignal(extra, np.full(_DIMENSION, 0.25, dtype=np.float32), 1, 0.9)])
    state.bump_clusters({1: (1, START, START)})
    again = {r.id: r for r in insights.patterns(per_page=200).items}
    assert again[1].signals.value == len(world.members[1]) + 1


def test_shown_counts_convert_to_the_response_model() -> None:
    assert Count.of(Shown(1234, None), 10).display == "1.234"
    assert Count.of(Shown(None, "klein"), 15).display == "< 15"
    assert Count.of(Shown(None, "aanvullend"), 10).model_dump() == {
        "value": None,
        "suppressed": "aanvullend",
        "display": "×",
    }


# --- review findings ---------------------------------------------------------------------------------------------


def _store(hub: Hub, *alerts: Alert, clusters: tuple[ClusterRow, ...] = ()) -> None:
    state = MatchingState(hub.settings.data / "matching")
    try:
        if clusters:
            state.put_clusters(list(clusters))
        Findings(state).put_alerts(list(alerts))
    finally:
        state.close()


def test_alert_explanations_name_organisations_and_provinces_as_api_dashboard_and_webhooks_show_them(
    seeded: tuple[Hub, World],
) -> None:
    from hub.insights_base import labels
    from hub.webhooks import public_explanation

    hub, _ = seeded
    last = START.date() + timedelta(days=55)
    text = (
        "Gemeld bij 1 organisatie (GM0855) in provincie PV30, vooral in gemeente GM0855; 3× het normale niveau "
        "sinds 1 juli (40 signalen, 13,3 verwacht). Na 'Wet BD': grootste verandering bij GM0147, CJIB, GM0050."
    )
    _store(hub, Alert("cross_org", 4, last, 8.0, text, {"scope": "lokaal"}))
    rows = [r for r in hub.services.insights.alert_rows() if r.pattern_id == 4 and r.score == 8.0]
    (row,) = rows
    municipalities, agencies, provinces = labels("municipalities"), labels("national-agencies"), labels("provinces")
    for code in ("GM0855", "GM0147", "GM0050", "PV30", "CJIB"):
        assert code not in row.explanation.replace("(CJIB)", ""), code
    assert f"Gemeld bij 1 organisatie ({municipalities['GM0855']}) in provincie {provinces['PV30']}" in row.explanation
    assert f"bij {municipalities['GM0147']}, {agencies['CJIB']}, {municipalities['GM0050']}." in row.explanation
    assert "'Wet BD'" in row.explanation  # a quoted policy name is kept as written
    assert public_explanation(text) == row.explanation  # webhooks say what the API says
    assert safe_explanation(row.explanation, 10) == row.explanation  # naming twice changes nothing
    # Within brackets an agency goes by its abbreviation, never nested brackets; an agency without one by its name.
    assert safe_explanation("1 organisatie (UWV).", 10) == "1 organisatie (UWV)."
    assert safe_explanation("bij BD-TOESLAGEN.", 10) == f"bij {agencies['BD-TOESLAGEN']}."


def test_an_alert_moved_into_the_pattern_it_named_never_names_that_pattern(seeded: tuple[Hub, World]) -> None:
    from matching.related import related_sentence

    hub, _ = seeded
    last = START.date() + timedelta(days=55)
    # Raised on a young cluster 90 counted with patterns 4 and 6; the re-clustering then merged 90 into 4.
    text = "Gemeld bij 3 organisaties; 2× het normale niveau sinds 1 juli (30 signalen, 15 verwacht)."
    text += related_sentence([(4, 0.81), (6, 0.66)], 90) + " Reikwijdte: regionaal."
    merged = ClusterRow(
        id=90, centroid=np.ones(_DIMENSION, dtype=np.float32) / np.sqrt(_DIMENSION), size=0,
        first_seen=START, last_seen=START, status="merged", updated_at=START, merged_into=4,
    )  # fmt: skip
    _store(hub, Alert("cross_org", 90, last, 7.5, text, {"scope": "regionaal"}), clusters=(merged,))
    (row,) = [r for r in hub.services.insights.pattern(4).alerts if r.score == 7.5]
    assert "patroon 4 " not in row.explanation and "4 (gelijkenis" not in row.explanation
    assert "Samen geteld met het verwante patroon 6 (gelijkenis 0,66)" in row.explanation


def test_a_surge_over_next_to_nothing_keeps_its_words_and_loses_its_small_count() -> None:
    text = (
        "Plotselinge toename: 7 signalen op 3 juni, waar vrijwel geen verwacht werden op basis van weekdag en "
        "seizoen. Gemeld bij 2 organisaties; reikwijdte: regionaal."
    )
    safe = safe_explanation(text, 10)
    assert "7 signalen" not in safe and "minder dan 10 signalen op 3 juni, waar vrijwel geen verwacht werden" in safe
    assert safe_details({"observed": 7, "expected": 0.01, "ratio": 700.0}) == {"ratio": 700.0}


def test_organisations_are_listed_by_count_with_hidden_ones_last_by_name(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    checked = 0
    for pid in (p for p in world.members if len(world.members[p]) >= 10):
        rows = insights.pattern(pid).organisations
        shown_values = [r.count.value for r in rows if r.count.value is not None]
        hidden = [r for r in rows if r.count.value is None]
        assert shown_values == sorted(shown_values, reverse=True)
        assert rows[len(shown_values) :] == hidden  # every hidden row after every shown one
        assert [r.label.casefold() for r in hidden] == sorted(r.label.casefold() for r in hidden)
        checked += len(rows) > 1
    assert checked  # the world has patterns with several organisations


def test_a_themes_signals_are_the_sum_of_its_patterns_published_totals(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    insights = hub.services.insights
    totals = {s.id: s.signals for s in insights.summaries()}
    for row in insights.themes():
        members = [pid for pid, themes in world.themes.items() if row.theme in themes and pid in totals]
        assert row.patterns == len(members)
        if all(totals[pid].value is not None for pid in members):
            assert row.signals.value == sum(len(world.members[pid]) for pid in members)
            assert row.signals_at_least is None and row.hidden_patterns == 0
        else:
            visible = [value for pid in members if (value := totals[pid].value) is not None]
            assert row.signals.value is None and row.signals_at_least == (sum(visible) or None)


def test_a_policys_chart_starts_at_the_patterns_first_week(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    detail = hub.services.insights.policy("Verbod op lachgas")
    first = min(at for *_, at in world.members[3])
    (series,) = [s for s in detail.series if s.pattern_id == 3]
    assert series.weeks[0] == iso_week(first.date())  # not 26 weeks of zeros before the topic existed
