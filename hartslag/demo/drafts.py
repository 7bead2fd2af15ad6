# SPDX-License-Identifier: EUPL-1.2
"""Drafting signals: channel, kind, language, moment, text and personal data for one signal, and the background.

A :class:`Draft` is a signal before it has its record id (given in time order per organisation when the scenario
is assembled). The background draws, for every day, organisation and channel, an over-dispersed count around
the organisation's rate times the day's rhythm, and a topic for each by the organisation's weights and the
topic's month profile. Planted processes (:mod:`hartslag.demo.planted`) draft their extra signals the same way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from hartslag.demo.organisations import PROFILES, Profile
from hartslag.demo.phrasebank import Topic, catalogue, language
from hartslag.demo.rhythm import day_factor, day_noise, local_moment, poisson
from hartslag.demo.texts import Request, compose, writable_kinds

__all__ = ["PERSONAL_RATE", "Draft", "Drafter", "background"]

#: Share of texts that carry personal data.
PERSONAL_RATE = 0.04
_WRITTEN = frozenset({"web_form", "email", "app", "social_media", "chat"})  # where people write their own language
_SENTIMENTS = {"positive": 0.42, "neutral": 0.25, "negative": 0.33}


@dataclass
class Draft:
    """One signal before assembly."""

    profile: Profile
    topic: Topic
    kind: str
    channel: str
    language: str
    moment: datetime
    text: str
    personal: tuple[str, ...]
    seq: int
    sentiment: str | None = None
    planted: str | None = None  # the planted process that added it
    policy: bool = False  # carries the planted policy's reference
    respondent: int | None = None  # KTO: the respondent (row) the answer belongs to
    answer: int = 0  # KTO: which answer column
    signal_id: str = ""  # given when the scenario is assembled


@cache
def _kinds(topic: str, language_code: str, variant: str | None) -> frozenset[str]:
    return writable_kinds(language_code, topic, variant)


class Drafter:
    """Drafts signals with one seeded random generator, so a seed always gives the same scenario."""

    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng, self.scale, self.seq = rng, scale, 0
        self.topics = catalogue()

    def count(self, mean: float) -> int:
        """A Poisson count around ``mean`` times the scale."""
        return poisson(self.rng, mean * self.scale)

    def channel(
        self, profile: Profile, day: date, topic: Topic, boost: Mapping[str, float] | None = None
    ) -> str | None:
        """A channel of ``profile`` for ``topic`` on ``day`` (open channels are likelier), None when none fits."""
        options = [
            (c, share * day_factor(day, c, profile.country) * (boost or {}).get(c, 1.0))
            for c, share in profile.channels.items()
            if topic.allows(c)
        ]
        options = [(c, w) for c, w in options if w > 0]
        if not options:
            return None
        return self.rng.choices([c for c, _ in options], [w for _, w in options])[0]

    def _language(self, profile: Profile, topic: Topic, channel: str, variant: str | None) -> str:
        codes = list(profile.languages)
        chosen = self.rng.choices(codes, list(profile.languages.values()))[0] if len(codes) > 1 else codes[0]
        if chosen != codes[0] and (channel not in _WRITTEN or topic.key not in language(chosen).topics):
            return codes[0]
        return chosen

    def _kind(self, profile: Profile, topic: Topic, channel: str, lang: str, variant: str | None) -> str | None:
        writable = _kinds(topic.key, lang, variant)
        if channel == "customer_survey":
            return "survey_answer" if "survey_answer" in writable and profile.allows("survey_answer") else None
        if channel == "professional_observation":
            wanted = "professional_signal" if profile.allows("professional_signal") else "report"
            return wanted if wanted in writable else None
        options = [
            (k, w)
            for k, w in topic.kinds.items()
            if k not in ("survey_answer", "professional_signal") and profile.allows(k) and k in writable
        ]
        return self.rng.choices([k for k, _ in options], [w for _, w in options])[0] if options else None

    def _personal(self, profile: Profile) -> tuple[str, ...]:
        if self.rng.random() >= PERSONAL_RATE:
            return ()
        types, weights = list(profile.personal), list(profile.personal.values())
        wanted = self.rng.choices((1, 2, 3), (0.72, 0.24, 0.04))[0]
        chosen: list[str] = []
        while len(chosen) < min(wanted, len(types)):
            pick = self.rng.choices(types, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        return tuple(chosen)

    def draft(
        self,
        profile: Profile,
        day: date,
        topic_key: str,
        *,
        channel: str | None = None,
        variant: str | None = None,
        planted: str | None = None,
        boost: Mapping[str, float] | None = None,
        answer: int = 0,
        sentiment: str | None = None,
        moment: datetime | None = None,
    ) -> Draft | None:
        """One drafted signal of ``profile`` about ``topic_key`` on ``day`` (None when no channel or kind fits)."""
        rng, topic = self.rng, self.topics[topic_key]
        channel = channel or self.channel(profile, day, topic, boost)
        if channel is None:
            return None
        lang = self._language(profile, topic, channel, variant)
        kind = self._kind(profile, topic, channel, lang, variant)
        if kind is None:
            return None
        if kind == "survey_answer" and sentiment is None:
            sentiment = rng.choices(list(_SENTIMENTS), list(_SENTIMENTS.values()))[0]
        if moment is None:
            seconds = profile.org.export_format not in ("csv", "kto")  # CSV exports keep minutes only
            moment = local_moment(rng, day, channel, profile.zone, night=topic.night, seconds=seconds)
        request = Request(
            topic=topic,
            kind=kind,
            channel=channel,
            language=lang,
            variant=variant,
            sentiment=sentiment,
            answer="improve" if answer == 1 else "explain",
            plain_survey=profile.org.export_format == "kto",
            handle=profile.handle,
            personal=self._personal(profile),
            country=profile.country,
            postcodes=profile.postcodes,
        )
        text, values = compose(rng, request)
        self.seq += 1
        return Draft(profile, topic, kind, channel, lang, moment, text, values, self.seq, sentiment, planted, False,
                     None, answer)  # fmt: skip


def _topic_table(profile: Profile, channel: str, month: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The background topics of ``profile`` through ``channel`` and their weights in ``month``."""
    topics = catalogue()
    pairs = [
        (key, weight * topics[key].months[month - 1])
        for key, weight in profile.topics.items()
        if weight > 0 and topics[key].allows(channel)
    ]
    return tuple(k for k, _ in pairs), tuple(w for _, w in pairs)


def _survey(drafter: Drafter, profile: Profile, day: date, topic: str) -> list[Draft]:
    """One KTO respondent: an explanation of the mark, what to improve, or both (one row, one mark)."""
    rng = drafter.rng
    answers = (0, 1) if rng.random() < 0.45 else ((0,) if rng.random() < 0.7 else (1,))
    sentiment = rng.choices(list(_SENTIMENTS), list(_SENTIMENTS.values()))[0]
    moment = local_moment(rng, day, "customer_survey", profile.zone, seconds=False)
    first = drafter.seq + 1
    drafts = [drafter.draft(profile, day, topic, answer=a, sentiment=sentiment, moment=moment) for a in answers]
    for d in drafts:
        if d is not None:
            d.respondent = first
    return [d for d in drafts if d is not None]


def background(drafter: Drafter, start: date, days: int, profiles: tuple[Profile, ...] = PROFILES) -> list[Draft]:
    """Every organisation's ordinary signals from ``start`` for ``days`` days."""
    drafts: list[Draft] = []
    rng = drafter.rng
    tables: dict[tuple[str, str, int], tuple[tuple[str, ...], tuple[float, ...]]] = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        for profile in profiles:
            noise = day_noise(rng)
            for channel, share in profile.channels.items():
                n = drafter.count(profile.rate * share * day_factor(day, channel, profile.country) * noise)
                key = (profile.code, channel, day.month)
                if key not in tables:
                    tables[key] = _topic_table(profile, channel, day.month)
                keys, weights = tables[key]
                for _ in range(n if keys else 0):
                    topic = rng.choices(keys, weights)[0]
                    if profile.org.export_format == "kto":
                        drafts.extend(_survey(drafter, profile, day, topic))
                        continue
                    draft = drafter.draft(profile, day, topic, channel=channel)
                    if draft is not None:
                        drafts.append(draft)
    return drafts
