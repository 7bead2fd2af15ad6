# SPDX-License-Identifier: EUPL-1.2
"""What may follow a trigger: the context rules of name detection.

:class:`NameContext` decides whether the word right after a trigger (see :mod:`connectors.detectors.name_triggers`)
starts a name: after a title or role word, an introduction ("ik ben", "mijn naam is", "hier is"), a greeting or a
closing (a signature line). :class:`~connectors.detectors.names.NameDetector` runs the triggers and the lexicons.
"""

from __future__ import annotations

import re

from connectors.detectors.lexicon import TUSSENVOEGSELS
from connectors.detectors.name_parse import NameParser
from connectors.detectors.name_shapes import looks_like_word
from connectors.detectors.name_triggers import TRIGGER_WORDS
from connectors.detectors.name_words import (
    ARTICLES,
    DETERMINERS,
    FUNCTION_WORDS,
    PREPOSITIONS,
    Tok,
    fold_cached,
    word_after,
)

__all__ = ["FORCE", "NO", "PARSE", "SHORT_WORD", "NameContext"]

_SIGNATURE_LINE = re.compile(r"[^\W\d_][\w .'’-]*")
# Verdicts on the word after a trigger: no name, parse it as usual, or take it as a given name and parse on.
NO, PARSE, FORCE = 0, 1, 2
#: Words that may follow a lone given name right after an introduction: "ik ben wei en ...", "ik ben Na, ...".
_NAME_END_WORDS = frozenset({"en", "van", "uit", "maar", "want", "hier", "namens", "bij"})
_NEVER_GIVEN = DETERMINERS | FUNCTION_WORDS | PREPOSITIONS | ARTICLES
# A word of one to three letters and the space after it (a short given name the tokeniser skipped as a word).
SHORT_WORD = re.compile(r"([^\W\d_]{1,3}) (?=[^\W\d_])")


class NameContext(NameParser):
    """The context rules: which word after a trigger starts a name, and signature lines after a closing."""

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
        """Whether the word ``toks[k]`` right after a trigger may start a name: ``NO``, ``PARSE`` or ``FORCE``."""
        lex = self.lex
        t = toks[k]
        if t.initial or t.key in TUSSENVOEGSELS:
            if mode in ("role_verb", "role_have") and not t.cap and not t.initial:
                # "volgens de vries" but not "ik heb de schimmelplekken": a known surname must follow the particles
                j = self._particles(toks, k, text)
                ok = j > k and j < len(toks) and toks[j].key in lex.surnames and self._plain(toks[j])
                return PARSE if ok else NO
            strict = mode in ("weak", "here", "greet")
            return PARSE if t.cap or not strict else NO
        if mode in ("weak", "here"):
            return FORCE if self._intro_accepts(text, toks, k, mode, sloppy) else NO
        if mode == "naming" and not self._name_part(t, mode, False, sloppy):
            return FORCE if self._intro_accepts(text, toks, k, mode, sloppy) else NO
        nxt = self._next(text, toks, k)
        if (
            t.key in self._ambiguous
            and nxt is not None
            and nxt.key in lex.surnames
            and nxt.key not in lex.common
            and self._plain(nxt)
        ):
            return FORCE  # "mijn dochter wei zhou": a given name that is also a word, before a known surname
        if mode == "greet" and t.cap and t.key in lex.common and len(t.key) <= 3:
            # "Beste Na,": a short capitalised word alone after a greeting (short everyday words are function words)
            alone = text[t.end : t.end + 1] in (",", "\n", "")
            ok = alone and t.key not in _NEVER_GIVEN and t.key not in TRIGGER_WORDS and self._plain(t)
            return FORCE if ok else NO
        if mode in ("role", "role_colon", "role_verb", "role_have", "greet") and not t.cap:
            if self._known(t) and t.key not in lex.common:
                return PARSE
            alone = mode == "greet" and text[t.end : t.end + 1] in (",", "\n", "")
            if not sloppy or t.key in lex.common or len(t.key) < (2 if alone else 3) or not self._plain(t):
                return NO
            # Right after "volgens", "terugbellen naar" or "beste" no verb form can follow, so "jorinde" keeps its
            # chance; after a role word it can ("mijn buurman parkeerde").
            if self._compound(t.key) or looks_like_word(t.key, inflected=mode == "role"):
                return NO
            if mode == "greet":  # "beste bauke," "beste li," on its own line
                return FORCE if alone else NO
            # "volgens bauke de boer", "mijn dochter tuğba doğru": an unknown word counts when a particle, a known
            # surname or a second name-like word follows; right after a role word ("mijn buurman dorcas parkeert")
            # also when an everyday word or the end of a clause follows.
            if nxt is not None and (nxt.key in lex.surnames or self._surname_like(nxt, after_known=False)):
                return FORCE
            if nxt is not None and nxt.key in TUSSENVOEGSELS:
                # after "ik heb" only a surname chain counts: "ik heb priyanka van den berg", not "hoofdpijn van het"
                j = self._particles(toks, k + 1, text)
                if mode != "role_have" or (
                    k + 1 < j < len(toks) and (toks[j].key in lex.surnames or toks[j - 1].key in ("der", "den", "'t"))
                ):
                    return FORCE
            if mode == "role_verb" and (
                self._name_end(text, t.end) or fold_cached(word_after(text, t.end)) in ("op", "via", "om")
            ):
                return FORCE  # "niemand belde terug naar lander.", "graag terugbellen naar dorcas op ..."
            if mode != "role":
                return NO
            after = word_after(text, t.end)
            return FORCE if after == "" or fold_cached(after) in lex.common else NO
        if self._name_part(t, mode, False, sloppy):
            return PARSE
        # "gesproken met jorinde scholten-de wit": a given name with a word-like ending ("-de") before a double or
        # known surname
        rescue = mode == "strong" and not t.cap and nxt is not None and t.key not in lex.common and self._plain(t)
        if rescue and nxt is not None and ("-" in nxt.key or nxt.key in lex.surnames) and self._surname_like(nxt):
            return FORCE
        return NO

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
        if self._known(t) and key not in lex.common:
            return True  # "ik ben ayoub", "hier is cheung li"
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

    def _bridge(self, text: str, toks: list[Tok], pos: int, by_start: dict[int, int], sloppy: bool) -> int:
        """After a trigger: a given name that is also a short everyday word, which the tokeniser skipped, before
        a known surname ("de heer na azarkan", "t.n.v. na chen"). Returns the token index where the name ends
        (exclusive), or -1."""
        m = SHORT_WORD.match(text, pos)
        if m is None:
            return -1
        key = fold_cached(m.group(1))
        lex = self.lex
        if key not in lex.common or key in _NEVER_GIVEN or key in lex.after_introduction or key in TRIGGER_WORDS:
            return -1
        k = by_start.get(m.end())
        if k is None:
            return -1
        t = toks[k]
        if not self._plain(t) or t.key not in lex.surnames or t.key in lex.common:
            return -1
        return self._parse(text, toks, k, "next", sloppy, first_ok=True)
