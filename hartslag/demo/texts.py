# SPDX-License-Identifier: EUPL-1.2
"""One signal's text: the topic's parts recombined for its kind, slipped, given personal data and a channel wrapper.

A report is an optional opening, the situation, an optional detail, consequence and request, or just a few words;
a question, compliment, suggestion or objection uses the topic's own sentences for that kind; a survey answer is
good, middling or bad according to the respondent's mark. :mod:`hartslag.demo.wrappers` then dresses the text as
the channel does (call-centre note, e-mail, chat, post, survey answer).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from hartslag.demo.phrasebank import Language, Phrases, Topic, language
from hartslag.demo.slips import slip
from hartslag.demo.wrappers import Personal, plant, wrap

__all__ = ["Request", "Writer", "compose", "writable_kinds"]

_SLOT = re.compile(r"\{(\w+)\}")
# The part a kind needs (any one of them).
_NEEDS = {
    "report": ("core", "short"), "complaint": ("core", "short"), "question": ("question",), "compliment": ("praise",),
    "suggestion": ("idea",), "objection": ("objection",), "professional_signal": ("pro", "core"),
    "survey_answer": ("praise", "core", "neutral"),
}  # fmt: skip


@dataclass(frozen=True)
class Request:
    """What to write: topic, kind, channel and language, and how."""

    topic: Topic
    kind: str
    channel: str
    language: str = "nl"
    variant: str | None = None  # a planted process's variant of the topic's texts
    sentiment: str | None = None  # survey answers: negative | neutral | positive
    answer: str = "explain"  # survey answers: "explain" (the mark) or "improve" (what could be better)
    plain_survey: bool = False  # KTO exports: the question is the column header, the text only the answer
    handle: str | None = None  # the organisation's social-media handle
    personal: tuple[str, ...] = ()  # personal value types to plant: name, phone, email, bsn, iban, address
    country: str = "NL"
    postcodes: tuple[tuple[int, int], ...] = ()


class Writer:
    """Picks and fills the sentences of one topic in one language."""

    def __init__(self, rng: random.Random, lang: Language, phrases: Phrases) -> None:
        self.rng, self.lang, self.phrases = rng, lang, phrases

    def has(self, part: str) -> bool:
        """Whether the topic has sentences of ``part``."""
        return part in self.phrases.parts

    def fill(self, template: str) -> str:
        """``template`` with each ``{slot}`` replaced by a value from the topic's or the language's slots."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "subject" and self.has("subject"):
                return self.rng.choice(self.phrases.parts["subject"])
            options = self.phrases.slots.get(name) or self.lang.slots.get(name)
            if not options:
                raise ValueError(f"no values for slot {{{name}}} in {self.lang.code}")
            return self.rng.choice(options)

        return _SLOT.sub(value, template)

    def pick(self, part: str) -> str:
        """A filled sentence of the topic's ``part`` (KeyError when it has none)."""
        return self.fill(self.rng.choice(self.phrases.parts[part]))

    def generic(self, part: str) -> str:
        """A filled generic sentence of the language."""
        return self.fill(self.rng.choice(self.lang.generic[part]))

    def either(self, part: str, generic: str, topic_share: float = 0.75) -> str:
        """The topic's ``part`` most of the time, else the language's generic one."""
        if self.has(part) and (generic not in self.lang.generic or self.rng.random() < topic_share):
            return self.pick(part)
        return self.generic(generic)


def writable_kinds(language_code: str, topic: str, variant: str | None = None) -> frozenset[str]:
    """The kinds of signal the texts of ``topic`` in that language can be written as."""
    phrases = language(language_code).topics.get(topic)
    if phrases is None:
        return frozenset()
    parts = phrases.variant(variant).parts
    return frozenset(kind for kind, needs in _NEEDS.items() if any(p in parts for p in needs))


def _short(w: Writer) -> str:
    """A few words, sometimes with where or since when ("container vol bij de speeltuin")."""
    text = w.pick("short")
    if "{" not in text and w.rng.random() < 0.45:
        slot = w.rng.choice(("place", "place", "since"))
        if slot in w.lang.slots:
            text = f"{text.rstrip('!. ')} {w.fill('{' + slot + '}')}"
    return text


# Channels whose wrapper already greets (no second "Hallo,"), and those where nobody writes just a few words.
_GREETED = frozenset({"email", "letter", "chat"})
_NO_SHORT = frozenset({"email", "letter", "professional_observation"})


def _report(w: Writer, kind: str, channel: str) -> str:
    short_share = 0.32 if channel in ("app", "social_media") else 0.0 if channel in _NO_SHORT else 0.12
    if w.has("short") and (not w.has("core") or w.rng.random() < short_share):
        return _short(w)
    out = [w.generic("open")] if channel not in _GREETED and w.rng.random() < 0.16 else []
    out.append(w.pick("core"))
    if w.has("detail") and w.rng.random() < 0.45:
        out.append(w.pick("detail"))
    if w.rng.random() < (0.55 if kind == "complaint" else 0.28):
        out.append(w.either("effect", "effect", 0.8))
    if w.rng.random() < 0.4:
        out.append(w.either("ask", "ask"))
    return " ".join(out)


def _survey(w: Writer, sentiment: str, answer: str) -> str:
    rng = w.rng
    if answer == "improve":
        if sentiment == "positive" and "survey_nothing" in w.lang.generic and rng.random() < 0.3:
            return w.generic("survey_nothing")
        text = w.either("idea", "survey_improve", 0.75)
        return f"{text} {w.generic('survey_improve')}" if rng.random() < 0.2 else text
    if sentiment == "positive":
        text = w.either("praise", "survey_good", 0.85)
        return f"{w.generic('survey_good')} {text}" if rng.random() < 0.25 else text
    if sentiment == "neutral":
        text = w.either("neutral", "survey_neutral", 0.7)
        return f"{text} {w.pick('core')}" if w.has("core") and rng.random() < 0.3 else text
    text = w.pick("core") if w.has("core") and rng.random() < 0.85 else w.generic("survey_bad")
    if w.has("effect") and rng.random() < 0.35:
        text = f"{text} {w.pick('effect')}"
    return f"{text} {w.generic('survey_bad')}" if rng.random() < 0.2 else text


def _content(w: Writer, request: Request) -> str:
    kind, rng = request.kind, w.rng
    if kind == "survey_answer":
        return _survey(w, request.sentiment or "neutral", request.answer)
    if kind == "question":
        out = [w.generic("question_open")] if request.channel not in _GREETED and rng.random() < 0.2 else []
        out.append(w.pick("question"))
        return " ".join(out + ([w.generic("question_close")] if rng.random() < 0.3 else []))
    if kind == "compliment":
        return w.pick("praise") + (f" {w.generic('praise_close')}" if rng.random() < 0.3 else "")
    if kind == "suggestion":
        return (f"{w.generic('idea_open')} " if rng.random() < 0.3 else "") + w.pick("idea")
    if kind == "objection":
        out = [w.generic("objection_open")] if rng.random() < 0.3 else []
        out.append(w.pick("objection"))
        return " ".join(out + ([w.generic("objection_close")] if rng.random() < 0.4 else []))
    if kind == "professional_signal" and w.has("pro"):
        return w.pick("pro")
    return _report(w, kind, request.channel)


def compose(rng: random.Random, request: Request) -> tuple[str, tuple[str, ...]]:
    """The text of one signal and the personal values planted in it."""
    lang = language(request.language)
    phrases = lang.topics[request.topic.key].variant(request.variant)
    writer = Writer(rng, lang, phrases)
    content = slip(_content(writer, request), rng, request.channel)
    personal: Personal = plant(rng, lang, request)
    text = wrap(writer, request, content, personal)
    return text.strip(), personal.values
