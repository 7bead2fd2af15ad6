# SPDX-License-Identifier: EUPL-1.2
"""Personal names in Dutch free text.

Two sources of evidence, both cheap:

* **Context.** A title or form of address ("mevrouw", "dhr.", "de heer", "dr.", "fam."), a role word ("buurman",
  "klant", "mijn dochter"), an introduction ("mijn naam is", "ik heet", "namens", "t.a.v.", "Naam:"), a greeting at
  the start of a line ("Beste", "Geachte", "Hoi") or a closing ("Met vriendelijke groet,", "mvg", "Groeten,") says
  that a name follows, whatever its origin and even in lower case.
* **Lexicons** (``connectors/data``). A known given name, a known surname, initials (``J.P.``) or a particle chain
  (``van der``, ``el``, ``ben``) next to capitalised words marks a name without any title.

A name is parsed as ``[initials] [given names] [particles] surname [-second surname]``. The title itself stays in
the text ("mevrouw [NAAM]"). Words on the allow-list (places, organisations: "Rotterdam", "Albert Heijn"), everyday
words ("Klant", "Gemeente"), acronyms ("UWV") and street names ("Kerkstraat") are never taken for a name.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span
from connectors.detectors.lexicon import TUSSENVOEGSELS, Lexicon, lexicon
from connectors.detectors.name_triggers import GAP_AFTER_TRIGGER, TRIGGER_WORDS, TRIGGERS, match_trigger
from connectors.detectors.name_words import (
    ABBREVIATIONS,
    ARTICLE_BOUND,
    ARTICLES,
    FUNCTION_WORDS,
    MONTHS,
    NAME_STREET_SUFFIXES,
    NOUN_HEADS,
    PREPOSITIONS,
    Tok,
    fold_cached,
    tokenize,
    word_after,
    word_before,
)

__all__ = ["NameDetector"]

_SIGNATURE_LINE = re.compile(r"[^\W\d_][\w .'’-]*")


class NameDetector:
    """Personal names from context and lexicons. Reports ``NAAM``."""

    name = "name"
    placeholder = "NAAM"
    priority = 10

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex = lex or lexicon()
        self._ambiguous = lex.ambiguous_first_names
        # Lower-case everyday words that can be no part of a name or trigger: not worth a token (speed).
        phrase_words = {w for phrases in lex.allow_phrases.values() for p in phrases for w in p}
        self._skip = frozenset(
            lex.common - lex.first_names - lex.surnames - TUSSENVOEGSELS - TRIGGER_WORDS - phrase_words
        )

    # -- word tests ----------------------------------------------------------------------------------------
    def _is_street(self, t: Tok) -> bool:
        return len(t.key) > 4 and t.key.endswith(NAME_STREET_SUFFIXES) and t.key not in self.lex.surnames

    def _known(self, t: Tok) -> bool:
        return t.key in self.lex.first_names or t.key in self.lex.surnames

    @staticmethod
    def _verb_like(key: str) -> bool:
        """Past tenses and abstract nouns ("belde", "regelde", "gezondheid"): no names, even when unknown."""
        return (
            len(key) > 3
            and "-" not in key
            and key.endswith(("de", "te", "heid", "lijk", "isch", "baar", "tie", "eren"))
        )

    def _name_part(self, t: Tok, mode: str, after_particle: bool, sloppy: bool) -> bool:
        """Whether ``t`` can be a given name or surname here."""
        if t.initial or t.glued or self._is_street(t) or (t.allow and mode != "title"):
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
        if (mode in ("title", "strong", "close") or sloppy) and not common:
            return len(t.key) > 2 and not self._verb_like(t.key)
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

    # -- parsing -------------------------------------------------------------------------------------------
    def _parse(self, text: str, toks: list[Tok], i: int, mode: str, sloppy: bool) -> int:
        """End index (exclusive) of a name starting at token ``i``, or ``i`` when there is none."""
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
            if t.key in TUSSENVOEGSELS and not (t.cap and real == 0 and initials == 0 and mode == "lexicon"):
                k = self._particles(toks, j, text)
                if k < n and k > j and not toks[k].used and self._gap_ok(text, toks[k - 1], toks[k]):
                    nxt = toks[k]
                    if self._name_part(nxt, mode, True, sloppy) or (
                        # "h. van 't hof", "mw. j. de boer": after a name part, a particle marks a surname
                        (real or initials)
                        and mode != "lexicon"
                        and not (nxt.cap or nxt.allow or nxt.glued)
                        and len(nxt.key) > 2
                        and nxt.key not in FUNCTION_WORDS
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

    # -- detection -----------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Span]:
        """The names in ``text``: first those announced by a trigger, then those the lexicons recognise."""
        toks, mid_cap = tokenize(text, self.lex, self._skip)
        if not toks:
            return []
        # Sloppy text: nobody capitalises anything mid-sentence, so lower case is no evidence against a name.
        sloppy = not mid_cap
        spans: list[Span] = []
        by_start = {t.start: k for k, t in enumerate(toks)}
        for k0, t0 in enumerate(toks):
            if t0.key not in TRIGGERS:
                continue
            hit = match_trigger(text, toks, k0)
            if hit is None:
                continue
            mode, pos = hit
            gap = GAP_AFTER_TRIGGER[mode].match(text, pos)
            if gap is None:
                continue
            k = by_start.get(gap.end())
            if k is None or toks[k].used:
                continue
            end = self._signature(text, toks, k) if mode == "close" else k
            if end == k and self._trigger_accepts(text, toks, k, mode, sloppy):
                end = self._parse(text, toks, k, mode, sloppy)
            if end > k:
                self._take(toks, k, end, spans)
        common = self.lex.common
        for k, t in enumerate(toks):
            if t.used or t.allow or (not t.cap and t.key in common and t.key not in TUSSENVOEGSELS):
                continue
            end = self._lexicon_name(text, toks, k, sloppy)
            if end > k:
                self._take(toks, self._extend_left(text, toks, k, sloppy), end, spans)
        return spans

    def _take(self, toks: list[Tok], k: int, end: int, spans: list[Span]) -> None:
        for t in toks[k:end]:
            t.used = True
        spans.append(Span(toks[k].start, toks[end - 1].end, self.placeholder, self.priority))

    def _signature(self, text: str, toks: list[Tok], k: int) -> int:
        """After a closing ("Met vriendelijke groet,"): a line of one to four name words is a signature."""
        line_end = text.find("\n", toks[k].start)
        line_end = len(text) if line_end < 0 else line_end
        end = k
        while end < len(toks) and toks[end].start < line_end:
            end += 1
        line = text[toks[k].start : line_end].strip()
        if not 0 < end - k <= 4 or not _SIGNATURE_LINE.fullmatch(line):
            return k
        words = toks[k:end]
        lex = self.lex
        if len(line.split()) > 4 or any(fold_cached(w.strip(",.;:!")) in self._skip for w in line.split()):
            return k
        for i, t in enumerate(words):
            if t.allow or t.glued or t.acronym or self._is_street(t):
                return k
            after_particle = i > 0 and words[i - 1].key in TUSSENVOEGSELS
            if t.key in lex.common and t.key not in TUSSENVOEGSELS and not self._known(t) and not after_particle:
                return k
        if all(t.key in TUSSENVOEGSELS or t.initial for t in words):
            return k
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

    def _trigger_accepts(self, text: str, toks: list[Tok], k: int, mode: str, sloppy: bool) -> bool:
        """Whether the word ``toks[k]`` right after a trigger may start a name."""
        lex = self.lex
        t = toks[k]
        if t.initial or t.key in TUSSENVOEGSELS:
            return mode in ("title", "strong", "close", "role", "role_colon", "role_verb") or t.cap
        if mode == "weak":  # "ik ben ...": only a given name, or a capitalised unknown word in tidy text
            return (t.key in lex.first_names and t.key not in self._ambiguous) or (
                t.cap and not sloppy and t.key not in lex.common and not t.allow and not t.acronym
            )
        if mode in ("role", "role_colon", "role_verb", "greet") and not t.cap:
            if self._known(t) and t.key not in lex.common:
                return True
            if not sloppy or t.key in lex.common or len(t.key) < 3 or self._verb_like(t.key):
                return False
            if mode == "greet":  # "beste bauke," on its own line
                return text[t.end : t.end + 1] in (",", "\n", "")
            # "volgens bauke de boer": an unknown word counts when a particle or known surname follows; right after
            # a role word ("mijn buurman dorcas parkeert") also when an everyday word or the end of a clause follows.
            nxt = toks[k + 1] if k + 1 < len(toks) and self._gap_ok(text, t, toks[k + 1]) else None
            if nxt is not None and (nxt.key in TUSSENVOEGSELS or nxt.key in lex.surnames):
                return True
            if mode != "role":
                return False
            after = word_after(text, t.end)
            return after == "" or fold_cached(after) in lex.common
        return self._name_part(t, mode, False, sloppy)

    def _lexicon_name(self, text: str, toks: list[Tok], k: int, sloppy: bool) -> int:
        """End of a name found through the lexicons (no trigger) starting at token ``k``; ``k`` when none."""
        lex = self.lex
        t = toks[k]
        n = len(toks)
        nxt = toks[k + 1] if k + 1 < n and self._gap_ok(text, t, toks[k + 1]) else None
        if t.initial and k > 0 and toks[k - 1].initial and toks[k - 1].end == t.start - 1:
            return k  # inside "i.v.m." or "J.P.": only the first letter starts a name
        if t.initial and (t.cap or sloppy) and nxt is not None:  # "J.P. de Vries", "A. Yilmaz", "d. hofstra"
            end = self._parse(text, toks, k, "lexicon" if t.cap else "strong", sloppy)
            return end if end > k + 1 and not toks[end - 1].initial else k
        if t.acronym or t.initial or t.glued or self._is_street(t):
            return k
        key = t.key
        common = key in lex.common
        # "1 jan 2024", "3 mei": a month after a day number, not a given name
        after_digit = key in MONTHS and t.start >= 2 and text[t.start - 1] == " " and text[t.start - 2].isdigit()
        if key in lex.first_names and not after_digit and (t.cap or (not common and len(key) > 2)):
            # "Jan", "Zeynep Kaya", "jan de vries"; an ambiguous given name ("Ben") only with a surname
            end = self._parse(text, toks, k, "lexicon", sloppy)
            if end > k + 1 or (end == k + 1 and key not in self._ambiguous and not common):
                return end
            return k
        if key in lex.surnames and not common and (t.cap or (sloppy and len(key) > 3)):  # "Yilmaz belde"
            if word_before(text, t.start) in ARTICLES:
                return k  # "bij de Zeeman": an article before a lone surname makes it a shop or place
            end = self._parse(text, toks, k, "lexicon", sloppy)
            if not t.cap and end == k + 1 and self._extend_left(text, toks, k, sloppy) == k:
                return k  # a lone lower-case surname ("erg donker") is no evidence; "nurhan yilmaz" is
            return end
        if key in TUSSENVOEGSELS and nxt is not None:  # "van Dijk", "De Vries", "el Amrani"
            j = self._particles(toks, k, text)
            if k < j < n and self._gap_ok(text, toks[j - 1], toks[j]):
                s = toks[j]
                if s.key in lex.surnames and not s.used and not s.allow and not s.glued and not self._is_street(s):
                    # "bij de Zeeman", "op de Markt": after a preposition a lower-case article names a place or shop
                    after_preposition = not t.cap and j - k == 1 and word_before(text, t.start) in PREPOSITIONS
                    if s.cap and not after_preposition:
                        return j + 1
                    if sloppy and not s.cap and s.key not in lex.common and len(s.key) > 3:
                        return j + 1
            return k
        if t.cap and not common and not t.allow and nxt is not None and self._proper_noun_pair(t, nxt):
            # Two capitalised words that are no everyday word, place or organisation: "Ngozi Okafor",
            # "Sharmila Sewnarain". In tidy Dutch only proper nouns are capitalised mid-sentence.
            end = self._parse(text, toks, k, "lexicon", sloppy)
            return end if end > k + 1 else k
        return k

    def _proper_noun_pair(self, t: Tok, nxt: Tok) -> bool:
        """Whether ``nxt`` can follow the capitalised unknown word ``t`` as the second half of a name."""
        if not nxt.cap or nxt.allow or nxt.acronym or nxt.glued or nxt.initial or self._is_street(nxt):
            return False
        if nxt.key in self.lex.common and nxt.key not in self.lex.surnames:
            return False
        return not (t.key.endswith(NOUN_HEADS) or nxt.key.endswith(NOUN_HEADS))
