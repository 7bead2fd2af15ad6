# SPDX-License-Identifier: EUPL-1.2
"""The topic catalogue and the phrase files: valid codes, complete texts, every slot filled."""

from __future__ import annotations

import random
import re

import pytest

from governance.standard import codelist_codes
from hartslag.demo.organisations import PROFILES
from hartslag.demo.phrasebank import LANGUAGES, catalogue, language
from hartslag.demo.texts import Writer, writable_kinds

PLANTED_TOPICS = {  # topic -> variants the planted processes use
    "lachgas": "verbod", "lachgasboete": None, "terugvordering": "mailing", "toeslagen-vraag": "brief",
    "schuldhulp": "toeslagen", "evenement-geluid": "festival", "vuurwerk": "oud", "bladeren": None, "storm": None,
    "studiefinanciering": "start",
}  # fmt: skip


def test_catalogue_codes_come_from_the_code_lists() -> None:
    themes, kinds, channels = codelist_codes("themes"), codelist_codes("signal-kinds"), codelist_codes("channels")
    for topic in catalogue().values():
        assert 1 <= len(topic.themes) <= 5 and set(topic.themes) <= set(themes), topic.key
        assert set(topic.kinds) <= set(kinds) and all(w > 0 for w in topic.kinds.values()), topic.key
        assert topic.channels is None or topic.channels <= set(channels), topic.key
        assert len(topic.months) == 12


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_template_fills(code: str) -> None:
    lang = language(code)
    rng = random.Random(0)
    templates: list[tuple[object, str]] = []
    for phrases in lang.topics.values():
        for variant in (None, *phrases.variants):
            chosen = phrases.variant(variant)
            templates += [(chosen, t) for part in chosen.parts.values() for t in part]
    templates += [(None, t) for part in (*lang.generic.values(), *lang.personal.values()) for t in part]
    for owner, template in templates:
        phrases = owner if owner is not None else next(iter(lang.topics.values()))
        filled = Writer(rng, lang, phrases).fill(re.sub(r"\{(name|surname|phone|email|bsn|iban|address)\}", "x",
                                                        template))  # fmt: skip
        assert "{" not in filled and "}" not in filled, template


def test_every_organisation_can_write_about_each_of_its_topics() -> None:
    for profile in PROFILES:
        primary = next(iter(profile.languages))
        for topic in profile.topics:
            kinds = writable_kinds(primary, topic)
            assert any(profile.allows(k) for k in kinds), (profile.code, topic)
            assert "subject" in language(primary).topics[topic].parts, (profile.code, topic)


def test_planted_variants_exist_in_every_language_that_writes_them() -> None:
    for topic, variant in PLANTED_TOPICS.items():
        assert topic in language("nl").topics
        if variant:
            assert variant in language("nl").topics[topic].variants, topic
            base = language("nl").topics[topic]
            assert base.variant(variant).parts != base.parts, topic
    for code in ("nl-BE", "en"):
        for topic, phrases in language(code).topics.items():
            for variant in phrases.variants:
                assert variant in language("nl").topics[topic].variants, (code, topic, variant)
