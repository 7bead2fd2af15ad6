# SPDX-License-Identifier: EUPL-1.2
"""The cleaning step: strip what the channel wrapped around a signal, so patterns form around the topic.

A call-centre note ("Klant belt ivm ... Doorverbonden met backoffice."), an e-mail ("Geachte heer/mevrouw, ... Met
vriendelijke groet, Jan"), a survey answer ("Wat kunnen we verbeteren? ...") or an app message with emoji all say
something about the channel that the embedding would otherwise weigh as heavily as the problem itself: measured on
the demo year, call notes about gas cylinders, study finance and benefits fell into one "beller, doorverbonden"
cluster. :class:`ChannelCleaner` removes, in Dutch and Flemish (and the common English forms):

- opening greetings and salutations, and closing formulas with what follows them when that is short (a signature);
- call-centre framing: who called ("Klant belt ivm", "Mw geeft aan:", "Beller vraagt of") and the agent's
  administrative sentences ("Doorverbonden met ...", "Ticket aangemaakt", "Wil teruggebeld worden");
- survey and form labels ("Wat kunnen we verbeteren?", "Toelichting:", "Opmerking:");
- emoji, repeated punctuation and surrounding white space.

It only removes; it never rewrites words, and when too little would be left it returns the text unchanged. The
cleaned text is what is embedded and labelled; the stored signal keeps its text as received.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["CLEANERS", "ChannelCleaner", "Cleaner", "NoCleaner", "make_cleaner"]

_I = re.IGNORECASE
_GREETING = re.compile(
    r"^\s*(?:geachte\s+(?:heer|mevrouw|heer/mevrouw|heer\s+of\s+mevrouw|dames\s+en\s+heren)|beste\s+\w+(?:\s+\w+)?"
    r"|hallo|hoi|hey|dag|goede(?:morgen|middag|navond)|dear\s+\w+(?:\s+\w+)?|hello|hi)\b[^\n,.!:]{0,40}[,.!:\n]\s*",
    _I,
)
_CLOSING = re.compile(
    r"(?:met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groet(?:en)?|mvg|m\.v\.g\.|groetjes|groet(?:en)?|"
    r"hoogachtend|alvast\s+bedankt|bij\s+voorbaat\s+dank|dank\s+u\s+wel|kind\s+regards|best\s+regards|regards"
    r"|met\s+vriendelijke\s+groeten)\b[\s\S]*$",
    _I,
)
_CALLER = (
    r"(?:klant|klante|beller|burger|inwoner|melder|cliënt|client|mw|mevr|mevrouw|dhr|meneer|mr|student|ouder"
    r"|werkgever|werknemer|aanvrager|betrokkene)\.?"
)
_CALL_OPENING = re.compile(
    rf"^\s*(?:tel(?:efoon)?notitie:?\s*)?{_CALLER}\s+(?:belt|belde|heeft\s+gebeld|geeft\s+aan|gaf\s+aan|meldt|meldde"
    r"|vraagt|vroeg|wil\s+weten|informeert|mailt|komt\s+aan\s+de\s+balie)"
    r"(?:\s+(?:ivm|i\.v\.m\.|over|m\.b\.t\.|mbt|omtrent|naar|na\s+over))?(?:\s+(?:dat|of|wanneer|hoe|waarom))?\s*[:,-]?\s*",
    _I,
)
_ADMIN_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?]))\s*(?:doorverbonden|doorgezet|doorgestuurd|ticket\s+aangemaakt|melding\s+aangemaakt|zaak\s+aangemaakt"
    r"|terugbelverzoek|wil\s+(?:graag\s+)?teruggebeld\s+worden|uitleg\s+gegeven|uitgelegd|verwezen\s+naar"
    r"|klant\s+tevreden|afgehandeld|notitie\s+gemaakt|gesprek\s+beëindigd)[^.!?]*[.!?]?",
    _I,
)
_LABEL = re.compile(
    r"(?:wat\s+kunnen\s+we\s+(?:nog\s+)?(?:beter\s+doen|verbeteren)\??|wat\s+ging\s+er\s+goed\??|"
    r"heeft\s+u\s+nog\s+opmerkingen\??|toelichting|opmerking(?:en)?|antwoord|vraag|onderwerp|omschrijving|"
    r"melding|categorie)\s*[:?]\s*",
    _I,
)
_ABBREVIATION = re.compile(r"\b(?:ivm|i\.v\.m\.|mbt|m\.b\.t\.)\s+", _I)
_EMOJI = re.compile("[\U0001f000-\U0001faff\U00002600-\U000027bf\U0000fe0f\U0000200d]+")
_PUNCT = re.compile(r"([!?.])(?:\s*[!?.])+")
_SPACE = re.compile(r"\s+")
_MIN_WORDS = 2


@runtime_checkable
class Cleaner(Protocol):
    """A text in, the part that carries its topic out (never longer, never rewritten)."""

    def clean(self, text: str) -> str:
        """The cleaned text."""
        ...


class NoCleaner:
    """Leaves texts as they are (for comparisons)."""

    def clean(self, text: str) -> str:
        """``text`` unchanged."""
        return text


class ChannelCleaner:
    """Removes greetings, signatures, call-centre framing, form labels and emoji (see the module docstring)."""

    def __init__(self, *, signature_words: int = 8) -> None:
        self.signature_words = signature_words

    def clean(self, text: str) -> str:
        """The topic-bearing part of ``text``; ``text`` itself when fewer than two words would remain."""
        cleaned = _EMOJI.sub(" ", text)
        cleaned = _GREETING.sub("", cleaned, count=1)
        closing = _CLOSING.search(cleaned)
        if closing is not None and closing.start() > 0:
            tail = cleaned[closing.end() :] if closing.end() < len(cleaned) else ""
            signature = cleaned[closing.start() :]
            if len(signature.split()) <= self.signature_words + 4 or not tail.strip():
                cleaned = cleaned[: closing.start()]
        cleaned = _LABEL.sub(" ", cleaned)
        cleaned = _CALL_OPENING.sub("", cleaned, count=1)
        cleaned = _ADMIN_SENTENCE.sub(" ", cleaned)
        cleaned = _ABBREVIATION.sub("", cleaned)
        cleaned = _PUNCT.sub(r"\1", cleaned)
        cleaned = _SPACE.sub(" ", cleaned).strip(" ,;:-")
        return cleaned if len(cleaned.split()) >= _MIN_WORDS else text.strip()


#: Name → factory of the cleaning step.
CLEANERS: dict[str, Callable[..., Cleaner]] = {"channel-nl": ChannelCleaner, "none": NoCleaner}


def make_cleaner(name: str = "channel-nl", **options: object) -> Cleaner:
    """The cleaner registered as ``name``."""
    from governance.errors import InvalidInputError

    try:
        factory = CLEANERS[name]
    except KeyError:
        raise InvalidInputError(f"unknown cleaner {name!r}; choose one of: {', '.join(sorted(CLEANERS))}") from None
    return factory(**options)
