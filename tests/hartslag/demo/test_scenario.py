# SPDX-License-Identifier: EUPL-1.2
"""The generated scenario: deterministic, the right size, valid signals, every organisation, channel and kind."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from governance.standard import codelist_codes, validate
from hartslag.demo import generate
from hartslag.demo.scenario import PRIVACY_PLACEHOLDER
from tests.hartslag.demo.support import day_of, planted_ids, year


def test_the_same_seed_gives_the_same_scenario() -> None:
    first = generate(seed=3, days=40, scale=0.3)
    again = generate(seed=3, days=40, scale=0.3)
    other = generate(seed=4, days=40, scale=0.3)
    assert first.signals == again.signals
    assert first.planted == again.planted and first.personal_values == again.personal_values
    ids, other_ids = {s["id"] for s in first.signals}, {s["id"] for s in other.signals}
    assert len(ids & other_ids) < 0.05 * len(ids)  # another seed numbers its records elsewhere
    assert [s["text"] for s in first.signals[:50]] != [s["text"] for s in other.signals[:50]]


def test_a_test_scale_year_has_thousands_of_signals() -> None:
    scenario = year()
    assert 6_000 <= len(scenario.signals) <= 11_000
    assert scenario.start == date(2025, 1, 1) and scenario.days == 365
    assert {day_of(s) for s in scenario.signals} <= {date(2025, 1, 1) + timedelta(days=i) for i in range(365)}


@pytest.mark.slow
def test_a_full_year_at_scale_one_is_sized_for_the_demo() -> None:
    # How long generating takes is the demo's benchmark (docs/benchmarks.md), not a timed test on a shared machine.
    scenario = generate()
    assert 30_000 <= len(scenario.signals) <= 50_000
    per_org = Counter(s["source"]["organisation"] for s in scenario.signals)
    assert per_org["GM0363"] > 10 * per_org["GM0147"]  # a big city and a small town


def test_every_signal_conforms_to_the_standard() -> None:
    problems = {s["id"]: validate(s) for s in year().signals}
    assert {k: v for k, v in problems.items() if v} == {}


def test_ids_are_unique_uuids_and_signals_are_in_time_order() -> None:
    signals = year().signals
    ids = [s["id"] for s in signals]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i) for i in ids)
    moments = [datetime.fromisoformat(s["observed_at"]) for s in signals]
    assert moments == sorted(moments)


def test_moments_carry_the_local_offset_and_publication_follows() -> None:
    for signal in year().signals:
        observed = datetime.fromisoformat(signal["observed_at"])
        zone = ZoneInfo("Europe/Brussels" if signal["source"]["organisation"].startswith("NIS") else "Europe/Amsterdam")
        assert signal["observed_at"][-6:] in ("+01:00", "+02:00")
        assert observed.utcoffset() == observed.astimezone(zone).utcoffset()
        published = datetime.fromisoformat(signal["published_at"])
        assert timedelta(0) < published - observed < timedelta(days=2)
        assert signal["privacy"] == PRIVACY_PLACEHOLDER


def test_organisations_span_provinces_kinds_and_export_formats() -> None:
    scenario = year()
    municipalities = codelist_codes("municipalities")
    agencies = codelist_codes("national-agencies")
    assert len(scenario.organisations) >= 12
    for org in scenario.organisations:
        if org.kind == "national_agency":
            assert org.code in agencies and org.province is None
        else:
            assert municipalities[org.code]["x-province"] == org.province
    provinces = {o.province for o in scenario.organisations if o.kind == "municipality"}
    assert len(provinces) >= 5
    assert {o.kind for o in scenario.organisations} == {"municipality", "national_agency", "flemish_local_government"}
    assert {o.export_format for o in scenario.organisations} == {"csv", "signalen", "open311", "kto", "jsonl"}
    sent = {s["source"]["organisation"] for s in scenario.signals}
    assert sent == {o.code for o in scenario.organisations}


def test_every_channel_kind_and_language_occurs() -> None:
    signals = year().signals
    assert {s["source"]["channel"] for s in signals} == set(codelist_codes("channels"))
    kinds = Counter(s["kind"] for s in signals)
    assert set(kinds) == set(codelist_codes("signal-kinds"))
    assert kinds["compliment"] >= 0.005 * len(signals)  # compliments among the complaints
    languages = Counter(s["language"] for s in signals)
    assert {"nl", "nl-BE", "en"} <= set(languages)
    assert all(s["language"] == "nl-BE" for s in signals if s["source"]["organisation"] == "NIS44021")


def test_a_category_always_means_the_same_themes() -> None:
    themes: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for signal in year().signals:
        key = (signal["source"]["organisation"], signal["category"]["code"])
        themes.setdefault(key, set()).add(tuple(signal["themes"]))
    assert all(len(t) == 1 for t in themes.values())


def test_weekends_are_quiet_except_online() -> None:
    background = [s for s in year().signals if s["id"] not in planted_ids(year())]

    def weekend_share(channels: set[str]) -> float:
        days = [day_of(s).weekday() for s in background if s["source"]["channel"] in channels]
        weekday, weekend = sum(d < 5 for d in days) / 5, sum(d >= 5 for d in days) / 2
        return weekend / weekday

    assert weekend_share({"phone", "counter", "letter"}) < 0.25
    assert weekend_share({"app", "web_form"}) > 0.6


def test_holidays_and_summer_are_quieter() -> None:
    background = [s for s in year().signals if s["id"] not in planted_ids(year())]
    per_day = Counter(day_of(s) for s in background)
    mondays = [per_day[d] for d in per_day if d.weekday() == 0]
    for holiday in (date(2025, 4, 21), date(2025, 6, 9)):  # Easter Monday, Whit Monday
        assert per_day[holiday] < 0.6 * mean(mondays)
    weekdays = [d for d in per_day if d.weekday() < 5 and d not in (date(2025, 5, 29),)]
    summer = mean(per_day[d] for d in weekdays if date(2025, 7, 21) <= d <= date(2025, 8, 22))
    spring = mean(per_day[d] for d in weekdays if date(2025, 3, 3) <= d <= date(2025, 4, 11))
    assert summer < 0.9 * spring


def test_about_four_percent_of_texts_hold_planted_personal_data() -> None:
    scenario = year()
    values = scenario.personal_values
    holding = [s for s in scenario.signals if any(v in s["text"] for v in values)]
    assert 0.03 <= len(holding) / len(scenario.signals) <= 0.05
    assert all(any(v in s["text"] for s in holding) for v in values)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate(days=0)
    with pytest.raises(ValueError):
        generate(scale=-1)
