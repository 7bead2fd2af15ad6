# SPDX-License-Identifier: EUPL-1.2
"""Texts: many phrasings, channel wrappers that do not drown the topic, slips, mixed lengths, personal data."""

from __future__ import annotations

import random
from collections import Counter

from hartslag.demo.phrasebank import catalogue
from hartslag.demo.texts import Request, compose
from tests.hartslag.demo.support import year

TOPICS = catalogue()


def _texts(request: Request, n: int = 200, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [compose(rng, request)[0] for _ in range(n)]


def test_one_situation_has_many_phrasings() -> None:
    texts = _texts(Request(TOPICS["grofvuil"], "report", "web_form"))
    assert len(set(texts)) >= 150


def test_call_centre_notes_read_like_notes() -> None:
    texts = _texts(Request(TOPICS["grofvuil"], "report", "phone"))
    notes = [t for t in texts if " belt " in t or "belt:" in t or "geeft aan" in t.lower() or t.startswith("Meldt")]
    assert len(notes) >= 0.8 * len(texts)
    words = ("grofvu", "bank", "matras", "kast", "koelkast", "wasmachine", "planken", "tapijt", "stoel", "tv", "bed")
    assert sum(any(w in t.lower() for w in words) for t in texts) >= 0.95 * len(texts)


def test_emails_have_greetings_and_closings_and_the_topic_in_between() -> None:
    texts = _texts(Request(TOPICS["straatverlichting"], "report", "email"))
    greeted = [t for t in texts if "\n\n" in t]
    assert len(greeted) >= 0.5 * len(texts)
    body = [t.split("\n\n")[1] for t in greeted]
    words = ("lantaarn", "lamp", "verlichting", "donker", "licht")
    assert sum(any(w in b.lower() for w in words) for b in body) >= 0.9 * len(body)


def test_survey_wrappers_and_social_media_style() -> None:
    survey = _texts(Request(TOPICS["paspoort"], "survey_answer", "customer_survey", sentiment="negative"))
    assert sum(t.startswith(("Wat kunnen", "Toelichting", "Waarom", "Tips")) for t in survey) >= 0.5 * len(survey)
    social = _texts(Request(TOPICS["zwerfafval"], "complaint", "social_media", handle="@gemeenteutrecht"))
    assert sum(t.startswith("@gemeenteutrecht") for t in social) >= 0.5 * len(social)
    assert any(ord(c) > 0x2000 for t in social for c in t)  # an emoji now and then


def test_the_topic_carries_the_meaning_through_every_wrapper() -> None:
    signals = [s for s in year().signals if s["category"]["label"] == "Lachgas"]
    words = ("lachga", "cilind", "fles", "tank", "patron", "nitrous", "laughing", "gas", "canister", "bottle")
    topical = [s for s in signals if any(w in s["text"].lower() for w in words)]
    assert len(topical) >= 0.95 * len(signals)


def test_lengths_slips_and_languages_vary() -> None:
    signals = year().signals
    words = [len(s["text"].split()) for s in signals]
    assert min(words) <= 5 and max(words) >= 40
    texts = [s["text"] for s in signals]
    assert sum(t == t.lower() for t in texts) >= 0.03 * len(texts)  # typed without capitals
    assert sum(not t.rstrip().endswith((".", "!", "?")) for t in texts) >= 0.1 * len(texts)
    english = [s["text"] for s in signals if s["language"] == "en"]
    assert english and all(" de " not in t for t in english)
    flemish = " ".join(s["text"] for s in signals if s["language"] == "nl-BE").lower()
    assert any(w in flemish for w in ("voetpad", "gelieve", "sluikstort", "kasseien"))


def test_personal_values_are_in_the_text_verbatim() -> None:
    rng = random.Random(5)
    kinds: Counter[str] = Counter()
    for channel in ("email", "phone", "web_form", "counter", "letter", "chat", "app"):
        for kind in ("name", "phone", "email", "bsn", "iban", "address"):
            request = Request(TOPICS["bijstand"], "question", channel, personal=(kind,), postcodes=((3511, 3585),))
            text, values = compose(rng, request)
            assert len(values) == 1 and values[0] in text, (channel, kind, text)
            kinds[kind] += 1
    assert len(kinds) == 6
