# SPDX-License-Identifier: EUPL-1.2
"""Spelling slips: what hurried people do to a text on a phone or in a web form.

One to three slips per text, each small: everything in lower case, the final full stop gone, a letter dropped or
two letters swapped in one longer word, commas left out, a d/t mistake, abbreviations ("ivm", "aub"), no space
after a full stop, or a shouted ending. Slips are applied before personal data goes in, so planted values stay
exactly as they are listed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

__all__ = ["SLIP_RATE", "slip"]

#: How likely a text through each channel has slips at all.
SLIP_RATE = {
    "app": 0.55, "social_media": 0.55, "chat": 0.5, "web_form": 0.3, "email": 0.18, "phone": 0.25, "counter": 0.2,
    "customer_survey": 0.3, "professional_observation": 0.12, "letter": 0.04,
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{7,}")
_ABBREVIATIONS = (
    ("in verband met", "ivm"), ("met betrekking tot", "mbt"), ("alsjeblieft", "aub"), ("alstublieft", "aub"),
    ("bijvoorbeeld", "bv"), ("ongeveer", "ong."), ("telefoon", "tel"), ("gemeente", "gem."), ("please", "pls"),
    ("because", "bc"), ("you", "u"),
)  # fmt: skip
_DT = (("wordt ", "word "), ("vindt ", "vind "), ("gebeurd", "gebeurt"), ("gebeurt", "gebeurd"))


def _lower(text: str, rng: random.Random) -> str:
    return text.lower()


def _no_stop(text: str, rng: random.Random) -> str:
    return text.rstrip(".!").rstrip() or text


def _one_word(text: str, rng: random.Random, change: Callable[[str, int], str]) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word = match.group()
    position = rng.randrange(1, len(word) - 2)
    return text[: match.start()] + change(word, position) + text[match.end() :]


def _drop_letter(text: str, rng: random.Random) -> str:
    return _one_word(text, rng, lambda w, i: w[:i] + w[i + 1 :])


def _swap_letters(text: str, rng: random.Random) -> str:
    return _one_word(text, rng, lambda w, i: w[:i] + w[i + 1] + w[i] + w[i + 2 :])


def _no_commas(text: str, rng: random.Random) -> str:
    return text.replace(",", "")


def _dt(text: str, rng: random.Random) -> str:
    for right, wrong in rng.sample(_DT, len(_DT)):
        if right in text:
            return text.replace(right, wrong, 1)
    return text


def _abbreviate(text: str, rng: random.Random) -> str:
    for full, short in _ABBREVIATIONS:
        if re.search(rf"\b{full}\b", text):
            return re.sub(rf"\b{full}\b", short, text, count=1)
    return text


def _no_space(text: str, rng: random.Random) -> str:
    return re.sub(r"([.!?]) (\w)", r"\1\2", text, count=1)


def _shout(text: str, rng: random.Random) -> str:
    return text.rstrip(".!") + rng.choice(("!!", "!!!", "??", " !!"))


_SLIPS: tuple[tuple[Callable[[str, random.Random], str], float], ...] = (
    (_lower, 3), (_no_stop, 3), (_drop_letter, 3), (_swap_letters, 1.5), (_no_commas, 1), (_dt, 1),
    (_abbreviate, 2), (_no_space, 1.5), (_shout, 1),
)  # fmt: skip


def slip(text: str, rng: random.Random, channel: str) -> str:
    """``text`` with a few slips, as likely as the channel makes them (often none)."""
    if rng.random() >= SLIP_RATE.get(channel, 0.2):
        return text
    functions, weights = zip(*_SLIPS, strict=True)
    for function in rng.choices(functions, weights, k=rng.choice((1, 1, 2, 2, 3))):
        text = function(text, rng)
    return text
