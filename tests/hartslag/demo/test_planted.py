# SPDX-License-Identifier: EUPL-1.2
"""The planted patterns: where, when and how strong, and that their signal ids are exactly theirs."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import combinations

from hartslag.demo import Planted, Scenario, generate
from tests.hartslag.demo.support import Signal, daily, day_of, year


def _one(scenario: Scenario, name: str) -> Planted:
    (planted,) = scenario.planted_named(name)
    return planted


def _of(scenario: Scenario, planted: Planted) -> list[Signal]:
    return [s for s in scenario.signals if s["id"] in planted.signal_ids]


def test_planted_ids_are_signals_of_their_organisations_inside_their_window() -> None:
    scenario = year()
    by_id = {s["id"]: s for s in scenario.signals}
    for planted in scenario.planted:
        assert planted.signal_ids and planted.signal_ids <= by_id.keys()
        for signal_id in planted.signal_ids:
            signal = by_id[signal_id]
            assert signal["source"]["organisation"] in planted.organisations
            assert planted.onset <= day_of(signal) <= planted.end
    for a, b in combinations(scenario.planted, 2):
        assert a.signal_ids.isdisjoint(b.signal_ids)
    assert {p.name for p in scenario.planted} == {
        "lachgas", "terugvordering", "festival", "vuurwerk", "bladeren-storm", "studiefinanciering"
    }  # fmt: skip


def test_lachgas_surges_across_the_country_after_the_ban() -> None:
    scenario = year()
    (policy,) = scenario.policies
    planted = _one(scenario, "lachgas")
    assert (planted.kind, planted.scope) == ("cross_org", "landelijk")
    assert policy.refs == ("bwb:BWBR0001941",) and policy.name == "Verbod op lachgas"
    assert planted.onset == policy.date and 140 <= (policy.date - scenario.start).days <= 160
    provinces = {o.code: o.province for o in scenario.organisations}
    first_days = {
        s["source"]["organisation"]
        for s in _of(scenario, planted)
        if day_of(s) <= policy.date + timedelta(days=6) and s["source"]["organisation_kind"] == "municipality"
    }
    assert len(first_days) >= 6 and len({provinces[c] for c in first_days}) >= 3
    assert "CJIB" in planted.organisations
    lachgas = daily(scenario.signals, lambda s: s["category"]["label"] == "Lachgas")
    before = sum(n for d, n in lachgas.items() if d < policy.date) / (policy.date - scenario.start).days
    for week in range(6):
        first = policy.date + timedelta(days=7 * week)
        during = sum(lachgas[first + timedelta(days=i)] for i in range(7)) / 7
        assert during >= 4 * before, f"week {week + 1}: {during:.2f}/day against {before:.2f}/day before"
    cited = [s for s in _of(scenario, planted) if s.get("policy_refs")]
    assert cited and all(s["policy_refs"] == [{"scheme": "bwb", "id": "BWBR0001941"}] for s in cited)


def test_terugvordering_reaches_toeslagen_counters_and_debt_help_within_weeks() -> None:
    scenario = year()
    planted = _one(scenario, "terugvordering")
    assert (planted.kind, planted.scope) == ("cross_org", "landelijk")
    assert 230 <= (planted.onset - scenario.start).days <= 250 and (planted.end - planted.onset).days <= 24
    signals = _of(scenario, planted)
    kinds = {o.code: o.kind for o in scenario.organisations}
    assert "BD-TOESLAGEN" in planted.organisations
    assert sum(kinds[c] == "municipality" for c in planted.organisations) >= 2
    channels = Counter((kinds[s["source"]["organisation"]], s["source"]["channel"]) for s in signals)
    assert channels[("municipality", "counter")] > 0 and channels[("municipality", "professional_observation")] > 0
    assert any(s["kind"] == "professional_signal" for s in signals)
    early = sum(day_of(s) <= planted.onset + timedelta(days=13) for s in signals)
    assert early >= 0.7 * len(signals)
    topical = [s for s in signals if any(w in s["text"].lower() for w in ("terug", "brief", "toeslag", "schuld"))]
    assert len(topical) >= 0.95 * len(signals)


def test_the_festival_is_loud_in_one_city_for_one_weekend() -> None:
    scenario = year()
    planted = _one(scenario, "festival")
    assert (planted.kind, planted.scope) == ("local", "lokaal")
    assert len(planted.organisations) == 1 and planted.onset.weekday() == 4
    assert 3 <= (planted.end - planted.onset).days + 1 <= 4
    (city,) = planted.organisations
    noise = daily(
        scenario.signals,
        lambda s: s["source"]["organisation"] == city and "evenement" in s["category"]["label"].lower(),
    )
    weekend = sum(noise[planted.onset + timedelta(days=i)] for i in range(3)) / 3
    usual = sum(n for d, n in noise.items() if not planted.onset <= d <= planted.end) / 361
    assert weekend >= 15 * max(usual, 0.05)


def test_seasonal_patterns_come_at_their_time_of_year() -> None:
    scenario = year()
    seasonal = [p for p in scenario.planted if p.name in ("vuurwerk", "bladeren-storm", "studiefinanciering")]
    assert seasonal and all(p.kind == "seasonal" and p.scope == "" for p in seasonal)
    january, december = scenario.planted_named("vuurwerk")
    assert (january.onset, january.end) == (date(2025, 1, 1), date(2025, 1, 4))
    assert (december.onset, december.end) == (date(2025, 12, 26), date(2025, 12, 31))
    local = {o.code for o in scenario.organisations if o.kind != "national_agency"}
    assert len(set(january.organisations + december.organisations) & local) >= 7
    assert set(january.organisations + december.organisations) <= local

    autumn = _one(scenario, "bladeren-storm")
    assert (autumn.onset, autumn.end) == (date(2025, 10, 1), date(2025, 11, 30))
    storm = daily(_of(scenario, autumn), lambda s: "storm" in s["category"]["label"])
    assert max(storm) - min(storm) <= timedelta(days=2)  # one storm, over in three days
    per_day = sorted(daily(_of(scenario, autumn)).values())
    peak_day, _ = storm.most_common(1)[0]
    assert per_day[-1] >= 3 * per_day[len(per_day) // 2] and date(2025, 10, 20) <= peak_day <= date(2025, 11, 21)

    study = _one(scenario, "studiefinanciering")
    assert study.organisations == ("DUO",) and (study.onset, study.end) == (date(2025, 8, 18), date(2025, 9, 30))
    per_day = daily(_of(scenario, study))
    around_start = sum(per_day[date(2025, 8, 25) + timedelta(days=i)] for i in range(14))
    late = sum(per_day[date(2025, 9, 17) + timedelta(days=i)] for i in range(14))
    assert around_start > 1.5 * late


def test_short_periods_plant_only_what_falls_inside_them() -> None:
    winter = generate(start=date(2024, 12, 1), days=60, scale=0.3)
    assert [p.name for p in winter.planted] == ["vuurwerk"]
    assert (winter.planted[0].onset, winter.planted[0].end) == (date(2024, 12, 26), date(2025, 1, 4))
    assert winter.policies == ()
    spring = generate(start=date(2025, 3, 1), days=30, scale=0.3)
    assert spring.planted == () and spring.policies == ()
