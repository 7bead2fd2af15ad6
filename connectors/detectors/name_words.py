# SPDX-License-Identifier: EUPL-1.2
"""Word level of name detection: the tokeniser, the features of each token and the small word lists it needs.

A token is a run of letters (with inner hyphens and apostrophes, plus ``'t``/``'s``). Lower-case everyday words
that can be no part of a name or a trigger are not turned into tokens at all: that keeps the detector fast, and
since adjacency is checked on the text between two tokens, a skipped word still separates its neighbours.
"""

from __future__ import annotations

import re

from connectors.detectors.lexicon import TUSSENVOEGSELS, Lexicon, fold

__all__ = [
    "ABBREVIATIONS",
    "ARTICLES",
    "ARTICLE_BOUND",
    "DETERMINERS",
    "FUNCTION_WORDS",
    "MONTHS",
    "NAME_STREET_SUFFIXES",
    "NOUN_HEADS",
    "PREPOSITIONS",
    "SUBJECT_VERBS",
    "Tok",
    "compound_noun",
    "fold_cached",
    "tokenize",
    "word_after",
    "word_before",
]

_TOKEN = re.compile(r"['’][ts](?![^\W\d_])|[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Letter sequences that look like initials but abbreviate words ("i.v.m.", "t.a.v.", "N.B.").
ABBREVIATIONS = frozenset(
    _words(
        "nb ps as zoz tav ivm ed bv nv vof cq oa ca dwz mbt nav zsm evt bijv aub svp ovv iom tz wo ipv ihkv etc vs mvg"
    )
)
#: Street endings that no common surname has ("Groeneveld" and "Steenbergen" are names; "Kerkstraat" is not).
NAME_STREET_SUFFIXES = _words(
    "straat laan weg plein gracht kade singel dreef steeg plantsoen boulevard allee burgwal straatweg steenweg park "
    "markt pad"
)
#: Heads of Dutch compound nouns: "Buurtteam Noord", "Wijkcentrum Oost" are organisations, not people.
NOUN_HEADS = _words(
    "team centrum huis hal school zorg groep dienst punt winkel kantoor bureau wijk buurt noord oost zuid west "
    "boerderij theek stichting vereniging museum kerk kliniek praktijk apotheek bank fonds raad loket net plaza land"
)
#: Month names and abbreviations: "1 jan 2024" holds no given name.
MONTHS = frozenset(
    _words("jan januari feb februari maart mrt april apr mei juni jun juli jul aug augustus sep sept okt nov dec")
)
#: Words that never belong to a name, even capitalised after a title or role word ("Mijn vrouw Is ziek").
FUNCTION_WORDS = frozenset(
    _words(
        "de het een en of is was zijn heeft had wil kan moet gaat om met voor aan in op ook zegt belt komt wordt "
        "werd niet wel nog al"
    )
)
PREPOSITIONS = frozenset(_words("bij op naar van in aan met voor door over uit via om tot langs achter onder"))
#: Words that never start a name, even with a known surname after them ("uw collega Jansen", "alle Jansens").
DETERMINERS = frozenset(
    _words(
        "mijn m'n uw je jouw zijn z'n haar ons onze hun jullie deze die dit dat een alle elke iedere geen welke "
        "sommige veel weinig beide enkele andere zo"
    )
)
#: Finite verbs that follow the subject of a sentence: "nurhan oztoprak heeft ...", "chen li is geboren ...".
SUBJECT_VERBS = frozenset(
    _words(
        "heeft had hadden is was zijn waren wordt werd belt belde kreeg krijgt woont woonde wil wilde zegt zei "
        "vraagt vroeg meldt meldde klaagt klaagde stuurt stuurde kwam komt gaat ging ontving ontvangt zit zat "
        "staat stond werkt werkte moet moest kan kon mag mocht zou gaf geeft mailt mailde schreef schrijft "
        "vindt vond weet wist liet laat heb ben overleed verhuisde verhuist parkeert parkeerde rijdt reed"
    )
)
#: Particles that only count in front of an article: "op de Weg", "in 't Veld".
ARTICLE_BOUND = frozenset({"op", "in", "uit", "te"})
ARTICLES = frozenset({"de", "den", "der", "het", "'t", "ten", "ter"})


def compound_noun(key: str) -> bool:
    """Whether ``key`` is a compound on a noun head ("buurtteam", "wijkcentrum"); "Jagroep" is too short for one."""
    return key.endswith(NOUN_HEADS) and any(
        key == head or (key.endswith(head) and len(key) - len(head) >= 3) for head in NOUN_HEADS
    )


_INITIAL_WORDS = frozenset({"th", "chr", "ph", "joh", "wm", "jac", "fr", "corn", "hk", "ij"})


class Tok:
    """A word token with the features name detection looks at; ``used`` once it is part of a reported name."""

    __slots__ = ("acronym", "allow", "cap", "end", "glued", "initial", "key", "start", "text", "used")

    def __init__(
        self, start: int, end: int, text: str, key: str, cap: bool, acronym: bool, initial: bool, glued: bool
    ) -> None:
        self.start, self.end, self.text, self.key = start, end, text, key
        self.cap, self.acronym, self.initial, self.glued = cap, acronym, initial, glued
        self.allow = False
        self.used = False


_FOLDED: dict[str, str] = {}


def fold_cached(word: str) -> str:
    """:func:`~connectors.detectors.lexicon.fold` with a bounded memo (the same words come back all the time)."""
    key = _FOLDED.get(word)
    if key is None:
        if len(_FOLDED) > 100_000:  # bound the memo on endless streams of new words
            _FOLDED.clear()
        key = _FOLDED[word] = fold(word)
    return key


def word_before(text: str, pos: int) -> str:
    """The lower-case word right before ``pos`` (skipping spaces), or "" at a punctuation mark or the start."""
    end = pos
    while end > 0 and text[end - 1] == " ":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:end].lower()


def word_after(text: str, pos: int) -> str:
    """The word or number right after ``pos`` when one space separates them; "" at punctuation or the end."""
    if text[pos : pos + 1] != " ":
        return ""
    end = pos + 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[pos + 1 : end]


def tokenize(text: str, lex: Lexicon, skip: frozenset[str]) -> tuple[list[Tok], bool]:
    """The tokens of ``text`` (without the ``skip`` words), and whether a word is capitalised mid-sentence."""
    toks: list[Tok] = []
    n = len(text)
    mid_cap = False
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        word = m.group()
        key = fold_cached(word)
        after = text[e] if e < n else " "
        cap = word[0].isupper()
        if (
            not cap
            and key in skip
            and after != "."
            and not (toks and toks[-1].end == s - 1 and toks[-1].key in TUSSENVOEGSELS)
        ):
            continue  # an everyday word, unless it follows a particle ("van 't hof")
        initial = after == "." and (len(word) == 1 or key in _INITIAL_WORDS)
        # Glued to "." "@" "/" "_": part of a domain, e-mail address, URL or abbreviation, not a name.
        # Glued to a digit before ("59A."): a house-number addition or code, not an initial.
        glued = (
            (after in ".@/_" and not initial and e + 1 < n and text[e + 1].isalnum())
            or (
                s > 0
                and text[s - 1] in "@/_."
                and not (s > 1 and text[s - 2] == " ")
                and not (toks and toks[-1].end == s - 1 and toks[-1].initial)  # "J.P."
            )
            or (s > 0 and text[s - 1].isdigit())
        )
        if glued:
            initial = False
        # A capital after a word and a space (not after ". " or a line break) is a mid-sentence capital.
        if cap and not mid_cap and s > 1 and text[s - 1] == " " and (text[s - 2].isalnum() or text[s - 2] == ","):
            mid_cap = True
        toks.append(Tok(s, e, word, key, cap, len(word) > 1 and word.isupper(), initial, glued))
    _mark_allowed(toks, lex)
    return toks, mid_cap


def _mark_allowed(toks: list[Tok], lex: Lexicon) -> None:
    """Flag the tokens of allow-listed words and phrases (places, organisations)."""
    for i, t in enumerate(toks):
        if t.key in lex.allow_words:
            t.allow = True
        for phrase in lex.allow_phrases.get(t.key, ()):
            if tuple(x.key for x in toks[i : i + len(phrase)]) == phrase:
                for x in toks[i : i + len(phrase)]:
                    x.allow = True
                break
