# SPDX-License-Identifier: EUPL-1.2
"""The word lists behind name detection, loaded once from ``connectors/data`` (package data).

Every list is folded to lower case; names also get an accent-free twin (``Öztürk`` → ``ozturk``) so that a
sloppy spelling still hits. Lookups go through :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["TUSSENVOEGSELS", "Lexicon", "fold", "lexicon", "tokens_of"]

#: Name particles that may stand between given name and surname ("van der", "el", "ben", "dos" ...).
TUSSENVOEGSELS: frozenset[str] = frozenset(
    [
        "van",
        "de",
        "der",
        "den",
        "het",
        "'t",
        "'s",
        "ter",
        "ten",
        "te",
        "in",
        "op",
        "uit",
        "la",
        "le",
        "du",
        "da",
        "di",
        "del",
        "della",
        "dos",
        "das",
        "do",
        "von",
        "zu",
        "vom",
        "el",
        "al",
        "ben",
        "bin",
        "ibn",
        "abu",
        "ait",
        "ou",
        "bou",
        "mac",
        "mc",
    ]
)

_TOKEN = re.compile(r"['’][ts](?![^\W\d_])|[^\W\d_]+(?:['’-][^\W\d_]+)*")


def tokens_of(text: str) -> list[str]:
    """The word tokens of ``text`` as name detection sees them (letters, inner hyphens/apostrophes, ``'t``/``'s``)."""
    return _TOKEN.findall(text)


def fold(word: str) -> str:
    """Lower case without diacritics: the key for every lexicon lookup."""
    low = word.lower().replace("’", "'")
    if low.isascii():
        return low
    return "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c)).replace("ı", "i")


def _read(name: str) -> list[str]:
    raw = resources.files("connectors").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Folded word sets. ``allow_phrases`` maps a first folded token to the token tuples of multi-word entries."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    common: frozenset[str]
    allow_words: frozenset[str]
    allow_phrases: dict[str, tuple[tuple[str, ...], ...]]
    #: Words that follow an introduction ("ik ben boos") and are no name there; also part of ``common``.
    after_introduction: frozenset[str] = frozenset()

    @property
    def ambiguous_first_names(self) -> frozenset[str]:
        """Given names that are also everyday words ("Ben", "Will"): they need a surname or a title to count."""
        return self.first_names & self.common


@cache
def lexicon() -> Lexicon:
    """The lexicon, read from package data on first use and shared afterwards."""
    allow_words: set[str] = set()
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for entry in _read("allow_list.txt"):
        toks = tuple(fold(t) for t in tokens_of(entry))
        if len(toks) == 1:
            allow_words.add(toks[0])
        elif toks:
            phrases.setdefault(toks[0], []).append(toks)
    after_introduction = frozenset(fold(w) for w in _read("after_introduction.txt"))
    return Lexicon(
        first_names=frozenset(fold(n) for n in _read("first_names.txt")),
        surnames=frozenset(fold(n) for n in _read("surnames.txt")),
        common=frozenset(fold(w) for w in _read("common_words.txt")) | after_introduction,
        allow_words=frozenset(allow_words),
        allow_phrases={k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()},
        after_introduction=after_introduction,
    )
