# SPDX-License-Identifier: EUPL-1.2
"""How each channel dresses a text, and where planted personal data goes.

Call-centre and counter notes are telegraphic third-person lines ("Klant belt ivm grofvuil. Bank staat al een
week buiten. Doorgezet naar de vakafdeling."); e-mails and letters get a greeting and a closing, sometimes a
signature; chats a short hello; social media the organisation's handle, an emoji or a hashtag; app texts an
emoji now and then; survey answers the question they answer. Wrappers stay short so the topic's words carry the
meaning. Names go where people put them (signature, "Mijn naam is …", "Melder: …"); numbers and addresses at the
end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hartslag.demo import personal as pd
from hartslag.demo.phrasebank import Language

if TYPE_CHECKING:
    from hartslag.demo.texts import Request, Writer

__all__ = ["Personal", "plant", "wrap"]


@dataclass(frozen=True)
class Personal:
    """Personal data for one text: an opening sentence, a signature, closing sentences, and the planted values."""

    intro: str = ""
    signature: str = ""
    tail: tuple[str, ...] = ()
    values: tuple[str, ...] = field(default=())


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def plant(rng: random.Random, lang: Language, request: Request) -> Personal:
    """The personal data of ``request.personal`` placed the way the channel would carry it."""
    if not request.personal:
        return Personal()
    first, surname, full = pd.person(rng, request.country)
    templates = lang.personal
    intro, signature, tail, values = "", "", [], []
    for kind in request.personal:
        if kind == "name":
            if request.channel in ("email", "letter"):
                signature = full
                values.append(full)
            elif request.channel in ("phone", "counter") and rng.random() < 0.5:
                titled = surname[0].upper() + surname[1:]  # "mevrouw De Vries": the particle is capitalised alone
                tail.append(_fill(rng.choice(templates["name_title"]), surname=titled))
                values.append(titled)
            elif request.channel in ("phone", "counter"):
                tail.append(_fill(rng.choice(templates["name_note"]), name=full))
                values.append(full)
            else:
                intro = _fill(rng.choice(templates["name_intro"]), name=full)
                values.append(full)
            continue
        value = {
            "phone": lambda: pd.phone(rng, request.country),
            "email": lambda: pd.email(rng, first, surname, request.country),
            "bsn": lambda: pd.bsn(rng),
            "iban": lambda: pd.iban(rng, request.country),
            "address": lambda: pd.postcode(rng, request.postcodes),
        }[kind]()
        tail.append(_fill(rng.choice(templates[kind]), **{kind: value}))
        values.append(value)
    return Personal(intro, signature, tuple(tail), tuple(values))


def _sentence(text: str, capital: bool = False) -> str:
    text = text[:1].upper() + text[1:] if capital else text
    return text if text.endswith((".", "!", "?")) else text + "."


_MOODS = {"compliment": "emoji_good", "question": "emoji_neutral", "suggestion": "emoji_neutral"}


def _emoji(writer: Writer, kind: str) -> str:
    return writer.generic(_MOODS.get(kind, "emoji_bad"))


def _note(writer: Writer, request: Request, content: str, personal: Personal, parts: dict[str, tuple[str, ...]]) -> str:
    rng = writer.rng
    if request.kind in ("report", "complaint", "question") and writer.has("note") and rng.random() < 0.7:
        text = f"{writer.fill(rng.choice(parts['lead']))} {_sentence(writer.pick('note'), capital=True)}"
    elif "say" in parts and rng.random() < 0.5:
        says = [s for s in parts["say"] if not (s.endswith("dat") and content.endswith("?"))] or parts["say"]
        say = rng.choice(says)  # "Beller geeft aan dat" does not take a question
        text = f"{say} {content[:1].lower() + content[1:] if say.endswith('dat') else content}"
    else:
        text = f"{writer.fill(rng.choice(parts['lead']))} {content}"
    extra = [s for s in (personal.intro, *personal.tail) if s]
    if extra:
        text = f"{_sentence(text)} {' '.join(extra)}"
    if "action" in parts and rng.random() < 0.55:
        text = f"{_sentence(text)} {rng.choice(parts['action'])}"
    return text


def _mail(writer: Writer, request: Request, body: str, personal: Personal, parts: dict[str, tuple[str, ...]]) -> str:
    rng = writer.rng
    if not personal.signature and rng.random() < 0.3:
        return body  # many people just type the message
    if request.channel == "letter" and "lead" in parts and rng.random() < 0.6:
        body = f"{writer.fill(rng.choice(parts['lead']))} {body}"
    closing = rng.choice(parts["close"])
    sign = personal.signature or (rng.choice(parts["unsigned"]) if "unsigned" in parts and rng.random() < 0.2 else "")
    return f"{rng.choice(parts['greet'])}\n\n{body}\n\n{closing}" + (f"\n{sign}" if sign else "")


def wrap(writer: Writer, request: Request, content: str, personal: Personal) -> str:
    """``content`` dressed as ``request.channel`` dresses it, with the personal data in place."""
    rng, channel = writer.rng, request.channel
    parts = dict(writer.lang.wrappers.get(channel, {}))
    if channel in ("phone", "counter") and parts:
        return _note(writer, request, content, personal, parts)
    body = " ".join(s for s in (personal.intro, content, *personal.tail) if s)
    if channel in ("email", "letter") and parts:
        return _mail(writer, request, body, personal, parts)
    if channel == "chat" and parts:
        lead = f"{rng.choice(parts['lead'])} " if rng.random() < 0.55 else ""
        return lead + body + (f" {rng.choice(parts['close'])}" if rng.random() < 0.35 else "")
    if channel == "social_media":
        text = f"{request.handle} {body}" if request.handle and rng.random() < 0.7 else body
        text += f" {_emoji(writer, request.kind)}" if rng.random() < 0.4 else ""
        return text + (f" #{request.topic.key.replace('-', '')}" if rng.random() < 0.2 else "")
    if channel == "app":
        return body + (f" {_emoji(writer, request.kind)}" if rng.random() < 0.3 else "")
    if channel == "customer_survey" and parts and not request.plain_survey and rng.random() < 0.75:
        question = parts["improve" if request.answer == "improve" else "explain"]
        return f"{rng.choice(question)} {body}"
    pro_text = request.kind == "professional_signal" and writer.has("pro")  # a professional names their role
    if channel == "professional_observation" and parts and not pro_text:
        return f"{rng.choice(parts['lead'])} {body}"
    return body
