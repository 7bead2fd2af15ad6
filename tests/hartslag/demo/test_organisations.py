# SPDX-License-Identifier: EUPL-1.2
"""The demo organisations: real codes, consistent categories, an export style for every tabular export."""

from __future__ import annotations

from connectors.mapping import known_codes
from hartslag.demo.export_styles import STYLES
from hartslag.demo.organisations import PROFILES, slug
from hartslag.demo.phrasebank import catalogue


def test_codes_channels_and_topics_are_known() -> None:
    channels = known_codes("channel") or frozenset()
    organisations = known_codes("organisation") or frozenset()
    topics = catalogue()
    for profile in PROFILES:
        assert profile.code in organisations
        assert set(profile.channels) <= channels and abs(sum(profile.channels.values()) - 1) < 1e-9
        assert set(profile.topics) <= set(topics)
        assert profile.rate > 0 and abs(sum(profile.languages.values()) - 1) < 1e-9


def test_categories_are_unique_per_organisation() -> None:
    topics = list(catalogue().values())
    for profile in PROFILES:
        codes = [profile.category(t)["code"] for t in topics]
        assert len(codes) == len(set(codes)), profile.code


def test_tabular_exports_have_a_style_with_every_channel_and_kind_they_need() -> None:
    topics = catalogue()
    for profile in PROFILES:
        if profile.org.export_format not in ("csv", "jsonl"):
            continue
        table = STYLES[profile.code]
        assert set(profile.channels) <= set(table.channels)
        kinds = {k for t in profile.topics for k in topics[t].kinds if k not in ("survey_answer",)}
        if "professional_observation" not in profile.channels:
            kinds.discard("professional_signal")
        assert kinds - {"report"} <= set(table.kinds), profile.code


def test_slug() -> None:
    assert slug("Wegen, verkeer, straatmeubilair") == "wegen-verkeer-straatmeubilair"
    assert slug("Boom of tak (stormschade)") == "boom-of-tak-stormschade"
