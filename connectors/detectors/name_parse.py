# SPDX-License-Identifier: EUPL-1.2
"""Parsing one name once its first word is found: the word tests and ``[initials] [given] [particles] surname``.

:class:`NameParser` holds what every route to a name shares: whether a token can be part of a name in a given
context (*mode*, see :mod:`connectors.detectors.name_triggers`), particle chains ("van der", "op 't") and the
parse itself. :class:`~connectors.detectors.names.NameDetector` decides where names start.
"""

from __future__ import annotations

from connectors.detectors.lexicon import TUSSENVOEGSELS, Lexicon, lexicon
from connectors.detectors.name_shapes import looks_like_word
from connectors.detectors.name_triggers import TRIGGER_WORDS
from connectors.detectors.name_words import (
    ABBREVIATIONS,
    ARTICLE_BOUND,
    ARTICLES,
    FUNCTION_WORDS,
    NAME_STREET_SUFFIXES,
    Tok,
    compound_noun,
)

__all__ = ["NameParser"]

# A particle chain with one of these is a surname's ("van der", "van 't", "ter"), never "from the" ("van de").
_SURNAME_CHAIN = frozenset({"der", "den", "'t", "ter", "ten", "'s"})


class NameParser:
    """Word tests and the name parse shared by the name detector's passes."""

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex = lex or lexicon()
        self._ambiguous = lex.ambiguous_first_names
        # Lower-case everyday words that can be no part of a name or trigger: not worth a token (speed).
        phrase_words = {w for phrases in lex.allow_phrases.values() for p in phrases for w in p}
        self._skip = frozenset(
            lex.common - lex.first_names - lex.surnames - TUSSENVOEGSELS - TRIGGER_WORDS - phrase_words
        )
        # Everyday words long enough to be the head of a compound ("afval" in "zwerfafval").
        self._heads = frozenset(w for w in lex.common if len(w) >= 5)

    # -- word tests ----------------------------------------------------------------------------------------
    def _is_street(self, t: Tok) -> bool:
        return len(t.key) > 4 and t.key.endswith(NAME_STREET_SUFFIXES) and t.key not in self.lex.surnames

    def _known(self, t: Tok) -> bool:
        return t.key in self.lex.first_names or t.key in self.lex.surnames

    def _plain(self, t: Tok) -> bool:
        """Not used yet, and no initial, acronym, glued code, allow-listed word or street name."""
        return not (t.used or t.initial or t.acronym or t.glued or t.allow or self._is_street(t))

    def _compound(self, key: str) -> bool:
        """A Dutch compound: a noun head ("buurtteam") or an everyday word of five letters or more after at least
        three letters ("zwerfafval", "huurachterstand", "buschauffeur"). Given names hardly ever end in one."""
        if compound_noun(key):
            return True
        common = self._heads
        return any(key[i:] in common for i in range(3, len(key) - 4))

    def _given_like(self, t: Tok, *, inflected: bool = True) -> bool:
        """An unknown lower-case word that can be a given name: no everyday word by list, compound or shape."""
        key = t.key
        return (
            len(key) > 2
            and key not in self.lex.common
            and key not in TUSSENVOEGSELS
            and not self._compound(key)
            and not looks_like_word(key, inflected=inflected)
        )

    def _surname_like(self, t: Tok, min_len: int = 3, *, after_known: bool = True) -> bool:
        """Whether ``t`` can be the surname after a given name: a known surname, or an unknown non-word.

        ``after_known=False``: the given name before is unknown too, so the pair needs more care; a participle
        ("ik heb huurachterstand opgebouwd") or a compound is then no surname.
        """
        if not self._plain(t):
            return False
        key = t.key
        if key in self.lex.surnames:
            return True
        if key in self.lex.common or key in TUSSENVOEGSELS or len(key) < min_len or compound_noun(key):
            return False
        if not after_known and self._compound(key):
            return False  # "ik heb schimmelplekken gevonden", not "... tuğba doğru"
        return not looks_like_word(key, surname=after_known, inflected=False)

    def _everyday_hyphenated(self, key: str) -> bool:
        """ "huishoudelijke-hulp", "ov-kaart": every part an everyday word and no surname ("smit-jansen" is a name)."""
        lex = self.lex
        return "-" in key and all(p in lex.common and p not in lex.surnames for p in key.split("-"))

    def _name_part(self, t: Tok, mode: str, after_particle: bool, sloppy: bool) -> bool:
        """Whether ``t`` can be a given name or surname here."""
        if t.initial or t.glued or self._is_street(t) or (t.allow and mode != "title"):
            return False
        if self._everyday_hyphenated(t.key):
            return False
        common = t.key in self.lex.common
        if t.acronym:
            return mode == "title" and not common and not t.allow and len(t.key) > 1
        if t.cap:
            # After a title or a role word ("dr. Na", "mijn buurman Roos") a capital is enough.
            return (
                not common
                or after_particle
                or self._known(t)
                or (mode in ("title", "role") and t.key not in FUNCTION_WORDS)
            )
        # lower case: a known name; in context even one that is also a word ("jan bakker", "mw. visser")
        if self._known(t) and (not common or after_particle or mode not in ("lexicon", "weak", "greet")):
            return True
        if (mode in ("title", "strong", "naming", "close") or sloppy) and not common:
            # "buurtteam", "gezondheid", "belde": everyday words by their shape, even when no list has them; in the
            # place of a surname only the shapes no surname has ("jan verstraete", "nurhan vanhoutte")
            surname = mode == "next" or after_particle
            return len(t.key) > 2 and not compound_noun(t.key) and not looks_like_word(t.key, surname=surname)
        return False

    @staticmethod
    def _gap_ok(text: str, a: Tok, b: Tok) -> bool:
        gap = text[a.end : b.start]
        if a.initial:
            return gap in (".", ". ", ".  ")
        return gap in (" ", "  ") or (gap == "\t")

    @staticmethod
    def _particles(toks: list[Tok], j: int, text: str) -> int:
        """End of a particle chain starting at ``j`` ("van der", "op 't", "el"); ``j`` when there is none."""
        n = len(toks)
        k = j
        while k < n and toks[k].key in TUSSENVOEGSELS and k - j < 3:
            if k > j and text[toks[k - 1].end : toks[k].start] != " ":
                break
            k += 1
        # "op", "in", "uit" are particles only in front of an article: "op de Weg", "in 't Veld"; "het" and "der"
        # never start a chain ("Het KvK-nummer").
        if k > j and toks[j].key in ARTICLE_BOUND and (k - j == 1 or toks[j + 1].key not in ARTICLES):
            return j
        if k > j and toks[j].key in ("het", "der"):
            return j
        return k

    def _surname_after_chain(self, toks: list[Tok], j: int, k: int, mode: str, named: bool) -> bool:
        """Whether the everyday word ``toks[k]`` is a surname after the particles ``toks[j:k]``.

        After a name part ("h. van 't hof", "mw. j. de boer", "daan van der meer"), or right after a title with a
        surname chain ("ir. van 't hof"), a particle marks a surname even when the word is an everyday one; but not
        an organisation word ("nurhan van het wijkteam") or a word that follows introductions ("van de klantenservice").
        """
        nxt = toks[k]
        if nxt.cap or nxt.allow or nxt.glued or len(nxt.key) < 3 or nxt.key in FUNCTION_WORDS:
            return False
        chain = {t.key for t in toks[j:k]}
        marked = bool(chain & _SURNAME_CHAIN)
        if not (named and (mode != "lexicon" or marked)) and not (mode == "title" and marked):
            return False
        if marked or nxt.key in self.lex.surnames:
            return not compound_noun(nxt.key) or nxt.key in self.lex.surnames
        return not compound_noun(nxt.key) and nxt.key not in self.lex.after_introduction

    # -- parsing -------------------------------------------------------------------------------------------
    def _parse(self, text: str, toks: list[Tok], i: int, mode: str, sloppy: bool, first_ok: bool = False) -> int:
        """End index (exclusive) of a name starting at token ``i``, or ``i`` when there is none.

        ``first_ok``: the caller has vetted ``toks[i]`` as a given name already (an unknown word after "ik ben").
        """
        n = len(toks)
        j = i
        # Initials: "J.P." / "J. P." / "j.p." (lower case only when a name follows, see below)
        while j < n and toks[j].initial and (j == i or self._gap_ok(text, toks[j - 1], toks[j])):
            if not (toks[j].cap or sloppy or mode != "lexicon"):
                break
            j += 1
        initials = j - i
        if initials and mode in ("lexicon", "next") and "".join(t.key for t in toks[i:j]) in ABBREVIATIONS:
            return i
        real = 0
        end = j
        while j < n and real < 5:
            if j > i and not self._gap_ok(text, toks[j - 1], toks[j]):
                break
            t = toks[j]
            if t.used:
                break
            if first_ok and j == i:
                real += 1
                j = end = j + 1
                continue
            if t.key in TUSSENVOEGSELS and not (t.cap and real == 0 and initials == 0 and mode == "lexicon"):
                k = self._particles(toks, j, text)
                if k < n and k > j and not toks[k].used and self._gap_ok(text, toks[k - 1], toks[k]):
                    if (
                        mode in ("weak", "here")
                        and not toks[k].cap
                        and toks[k].key not in self.lex.surnames
                        and k - j > 1
                        and toks[j].key == "van"
                        and toks[j + 1].key in ("de", "het")
                    ):
                        break  # "ik ben nurhan van de vdab": after an introduction "van de" names the employer
                    if self._name_part(toks[k], mode, True, sloppy) or self._surname_after_chain(
                        toks, j, k, mode, bool(real or initials)
                    ):
                        if self._is_street(toks[k]):
                            break
                        j = end = k + 1
                        real += 1
                        continue
                break
            # The first word after a trigger was vetted by _trigger_accepts; after a lexicon hit, later words may be
            # lower case in sloppy text.
            first = j == i + initials
            if self._name_part(t, mode if first else "next", False, sloppy and (j > i or mode != "lexicon")):
                real += 1
                j = end = j + 1
                continue
            break
        if real == 0:
            return i
        # "Willem de Zwijgerlaan", "Jan Steenstraat": the words belong to a street name.
        k = end
        while k < n and toks[k].key in TUSSENVOEGSELS and self._gap_ok(text, toks[k - 1], toks[k]):
            k += 1
        if k < n and self._gap_ok(text, toks[k - 1], toks[k]) and self._is_street(toks[k]):
            return i
        if text.startswith(" [ADRES]", toks[k - 1].end):
            return i  # the same, after an earlier pass ("pieter [ADRES]"): scrubbing twice changes nothing
        return end

    def _extend_left(self, text: str, toks: list[Tok], k: int, sloppy: bool) -> int:
        """Take in up to two unknown given names before a name found at ``k`` ("Nouhaila El Idrissi")."""
        j = k
        while j > 0 and k - j < 2:
            p = toks[j - 1]
            if p.used or p.allow or p.acronym or p.glued or p.initial or self._is_street(p):
                break
            if not self._gap_ok(text, p, toks[j]) or p.key in self.lex.common or p.key in TUSSENVOEGSELS:
                break
            if not (p.cap or (sloppy and len(p.key) > 1)):
                break
            j -= 1
        return j
