# SPDX-License-Identifier: EUPL-1.2
"""Personal names in Dutch free text.

Two sources of evidence, both cheap:

* **Context.** A title or form of address ("mevrouw", "dhr.", "de heer", "dr.", "fam."), a role word ("buurman",
  "klant", "mijn dochter"), an introduction ("ik ben", "mijn naam is", "ik heet", "hier is", "namens", "t.a.v.",
  "Naam:"), a greeting at the start of a line ("Beste", "Geachte", "Hoi") or a closing ("Met vriendelijke groet,",
  "mvg", "Groeten,") says that a name follows, whatever its origin and even in lower case. Right after an
  introduction any word is taken for a name unless it is an everyday word: listed (``after_introduction.txt``:
  "ik ben boos", "ik ben woonachtig") or recognisable by its shape (:mod:`~connectors.detectors.name_shapes`:
  "ik ben slechthorend", "ik ben doorverwezen").
* **Lexicons** (``connectors/data``). A known given name, a known surname, initials (``J.P.``) or a particle chain
  (``van der``, ``el``, ``ben``) next to capitalised words marks a name without any title.
* **Sentence shape** in text without capitals: two name-like words that open a sentence before its verb
  ("nurhan oztoprak heeft ...", "chen li is geboren ...").

A name is parsed as ``[initials] [given names] [particles] surname [-second surname]``. The title itself stays in
the text ("mevrouw [NAAM]"). Words on the allow-list (places, organisations: "Rotterdam", "Albert Heijn"), everyday
words ("Klant", "Gemeente"), acronyms ("UWV") and street names ("Kerkstraat") are never taken for a name.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span
from connectors.detectors.lexicon import TUSSENVOEGSELS
from connectors.detectors.name_parse import NameParser
from connectors.detectors.name_shapes import looks_like_word
from connectors.detectors.name_triggers import GAP_AFTER_TRIGGER, TRIGGER_WORDS, TRIGGERS, match_trigger
from connectors.detectors.name_words import (
    ABBREVIATIONS,
    ARTICLES,
    DETERMINERS,
    FUNCTION_WORDS,
    MONTHS,
    PREPOSITIONS,
    SUBJECT_VERBS,
    Tok,
    compound_noun,
    fold_cached,
    tokenize,
    word_after,
    word_before,
)

__all__ = ["NameDetector"]

_SIGNATURE_LINE = re.compile(r"[^\W\d_][\w .'’-]*")
# Verdicts on the word after a trigger: no name, parse it as usual, or take it as a given name and parse on.
_NO, _PARSE, _FORCE = 0, 1, 2
#: Words that may follow a lone given name right after an introduction: "ik ben wei en ...", "ik ben Na, ...".
_NAME_END_WORDS = frozenset({"en", "van", "uit", "maar", "want", "hier", "namens", "bij"})
_NEVER_GIVEN = DETERMINERS | FUNCTION_WORDS | PREPOSITIONS | ARTICLES


class NameDetector(NameParser):
    """Personal names from context, lexicons and sentence shape. Reports ``NAAM``."""

    name = "name"
    placeholder = "NAAM"
    priority = 10

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
            if end == k:
                verdict = self._trigger_accepts(text, toks, k, mode, sloppy)
                if verdict != _NO:
                    end = self._parse(text, toks, k, mode, sloppy, first_ok=verdict == _FORCE)
            if end > k:
                self._take(toks, k, end, spans)
        common = self.lex.common
        for k, t in enumerate(toks):
            if t.used or t.allow or (not t.cap and t.key in common and t.key not in TUSSENVOEGSELS and not t.initial):
                continue
            end = self._lexicon_name(text, toks, k, sloppy)
            if end > k:
                self._take(toks, self._extend_left(text, toks, k, sloppy), end, spans)
            elif sloppy:
                end = self._subject_pair(text, toks, k)
                if end > k:
                    self._take(toks, k, end, spans)
        return spans

    def _take(self, toks: list[Tok], k: int, end: int, spans: list[Span]) -> None:
        for t in toks[k:end]:
            t.used = True
        spans.append(Span(toks[k].start, toks[end - 1].end, self.placeholder, self.priority))

    def _next(self, text: str, toks: list[Tok], k: int) -> Tok | None:
        """The token right after ``toks[k]`` when only a space separates them."""
        return toks[k + 1] if k + 1 < len(toks) and self._gap_ok(text, toks[k], toks[k + 1]) else None

    @staticmethod
    def _name_end(text: str, pos: int) -> bool:
        """Whether a lone name could end at ``pos``: punctuation, the end, or "en", "van", "uit" ... after it."""
        rest = text[pos : pos + 2]
        if rest.strip() == "" or rest[0] in ",.;:!?()\n" or rest == " (":
            return True
        return rest[0] == " " and fold_cached(word_after(text, pos)) in _NAME_END_WORDS

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

    def _trigger_accepts(self, text: str, toks: list[Tok], k: int, mode: str, sloppy: bool) -> int:
        """Whether the word ``toks[k]`` right after a trigger may start a name: ``_NO``, ``_PARSE`` or ``_FORCE``."""
        lex = self.lex
        t = toks[k]
        if t.initial or t.key in TUSSENVOEGSELS:
            if mode in ("role_verb", "role_have") and not t.cap and not t.initial:
                # "volgens de vries" but not "ik heb de schimmelplekken": a known surname must follow the particles
                j = self._particles(toks, k, text)
                ok = j > k and j < len(toks) and toks[j].key in lex.surnames and self._plain(toks[j])
                return _PARSE if ok else _NO
            strict = mode in ("weak", "here", "greet")
            return _PARSE if t.cap or not strict else _NO
        if mode in ("weak", "here"):
            return _FORCE if self._intro_accepts(text, toks, k, mode, sloppy) else _NO
        if mode == "naming" and not self._name_part(t, mode, False, sloppy):
            return _FORCE if self._intro_accepts(text, toks, k, mode, sloppy) else _NO
        nxt = self._next(text, toks, k)
        if (
            t.key in self._ambiguous
            and nxt is not None
            and nxt.key in lex.surnames
            and nxt.key not in lex.common
            and self._plain(nxt)
        ):
            return _FORCE  # "mijn dochter wei zhou": a given name that is also a word, before a known surname
        if mode == "greet" and t.cap and t.key in lex.common and len(t.key) <= 3:
            # "Beste Na,": a short capitalised word alone after a greeting (short everyday words are function words)
            alone = text[t.end : t.end + 1] in (",", "\n", "")
            ok = alone and t.key not in _NEVER_GIVEN and t.key not in TRIGGER_WORDS and self._plain(t)
            return _FORCE if ok else _NO
        if mode in ("role", "role_colon", "role_verb", "role_have", "greet") and not t.cap:
            if self._known(t) and t.key not in lex.common:
                return _PARSE
            alone = mode == "greet" and text[t.end : t.end + 1] in (",", "\n", "")
            if not sloppy or t.key in lex.common or len(t.key) < (2 if alone else 3) or not self._plain(t):
                return _NO
            if self._compound(t.key) or looks_like_word(t.key):
                return _NO
            if mode == "greet":  # "beste bauke," "beste li," on its own line
                return _FORCE if alone else _NO
            # "volgens bauke de boer", "mijn dochter tuğba doğru": an unknown word counts when a particle, a known
            # surname or a second name-like word follows; right after a role word ("mijn buurman dorcas parkeert")
            # also when an everyday word or the end of a clause follows.
            if nxt is not None and (nxt.key in lex.surnames or self._surname_like(nxt, after_known=False)):
                return _FORCE
            if nxt is not None and nxt.key in TUSSENVOEGSELS:
                # after "ik heb" only a surname chain counts: "ik heb priyanka van den berg", not "hoofdpijn van het"
                j = self._particles(toks, k + 1, text)
                if mode != "role_have" or (
                    k + 1 < j < len(toks) and (toks[j].key in lex.surnames or toks[j - 1].key in ("der", "den", "'t"))
                ):
                    return _FORCE
            if mode != "role":
                return _NO
            after = word_after(text, t.end)
            return _FORCE if after == "" or fold_cached(after) in lex.common else _NO
        if self._name_part(t, mode, False, sloppy):
            return _PARSE
        if mode == "strong" and not t.cap and nxt is not None and t.key not in lex.common and self._plain(t):
            # "gesproken met jorinde scholten-de wit": a given name with a word-like ending ("-de") before a
            # double or known surname
            if ("-" in nxt.key or nxt.key in lex.surnames) and self._surname_like(nxt):
                return _FORCE
        return _NO

    def _intro_accepts(self, text: str, toks: list[Tok], k: int, mode: str, sloppy: bool) -> bool:
        """Whether ``toks[k]`` is a given name right after an introduction ("ik ben", "mijn naam is", "hier is").

        Anything but an everyday word is: a known given name, a capitalised word ("Ik ben Na, ..."), and in text
        without capitals an unknown word ("ik ben nurhan en ..."). Everyday words are the common words and the
        words that follow introductions (``after_introduction.txt``: "boos", "woonachtig", "Marokkaans"), and
        words whose shape gives them away ("slechthorend", "doorverwezen"). After "hier is", which also opens
        "hier is wateroverlast", an unknown lower-case word needs the end of a clause or "van ..." after it.
        """
        lex = self.lex
        t = toks[k]
        key = t.key
        if not self._plain(t) or key in lex.after_introduction or key in _NEVER_GIVEN or key in TRIGGER_WORDS:
            return False  # "ik ben boos", "ik ben de ...", "ik ben klant", "ik ben moeder"
        if key in lex.first_names and key not in self._ambiguous:
            return True
        nxt = self._next(text, toks, k)
        if nxt is not None and nxt.key in lex.surnames and nxt.key not in lex.common and self._plain(nxt):
            return True  # "ik ben wei zhou"
        if key in lex.common:  # "ik ben wei en ...", "Ik ben Na, ..." but not "ik ben moe en ..."
            return (key in lex.first_names or t.cap) and self._name_end(text, t.end)
        if len(key) < 2 or self._compound(key) or looks_like_word(key, inflected=False):
            return False
        if t.cap:
            return True
        if mode == "here" or not (sloppy or mode == "naming"):
            # tidy text with a lower-case word ("Ik ben slechtziend en ..."): only as a lone word ending a clause
            return self._name_end(text, t.end)
        return True

    def _subject_pair(self, text: str, toks: list[Tok], k: int) -> int:
        """Text without capitals: two name words that open a sentence before its verb ("nurhan oztoprak heeft").

        The first word is a known name or an unknown word that is no everyday word; the second (after optional
        particles) a surname or another such word; then comes a finite verb or a bracket ("chen li (12-03-1985)").
        """
        t = toks[k]
        if t.cap or not self._plain(t):
            return k
        before = text[: t.start].rstrip(" \t")
        if before and before[-1] not in ".!?:;\n(":
            return k
        lex = self.lex
        known = (t.key in lex.first_names or t.key in lex.surnames) and t.key not in lex.common
        if not known and not self._given_like(t):
            return k
        j = k + 1
        if j >= len(toks) or not self._gap_ok(text, t, toks[j]):
            return k
        p = self._particles(toks, j, text)
        if p > j:
            if p >= len(toks) or not self._gap_ok(text, toks[p - 1], toks[p]):
                return k
            j = p
        s = toks[j]
        if s.cap or not self._surname_like(s, 2 if known else 3, after_known=known):
            return k
        after = text[s.end : s.end + 2]
        if after.startswith(("(", " (")) or fold_cached(word_after(text, s.end)) in SUBJECT_VERBS:
            return j + 1
        return k

    def _lexicon_name(self, text: str, toks: list[Tok], k: int, sloppy: bool) -> int:
        """End of a name found through the lexicons (no trigger) starting at token ``k``; ``k`` when none."""
        lex = self.lex
        t = toks[k]
        n = len(toks)
        nxt = toks[k + 1] if k + 1 < n and self._gap_ok(text, t, toks[k + 1]) else None
        if t.initial and k > 0 and toks[k - 1].initial and toks[k - 1].end == t.start - 1:
            return k  # inside "i.v.m." or "J.P.": only the first letter starts a name
        if t.initial and (t.cap or sloppy) and nxt is not None:  # "J.P. de Vries", "A. Yilmaz", "d. hofstra"
            j = k + 1
            while j < n and toks[j].initial and toks[j - 1].end == toks[j].start - 1:
                j += 1
            if "".join(x.key for x in toks[k:j]) in ABBREVIATIONS:
                return k  # "i.v.m. de drukte", "N.B. De wachttijd"
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
        if key in TUSSENVOEGSELS and nxt is not None and not (key == "ben" and word_before(text, t.start) == "ik"):  # "van Dijk", "De Vries", "el Amrani"
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
        return not (compound_noun(t.key) or compound_noun(nxt.key))
