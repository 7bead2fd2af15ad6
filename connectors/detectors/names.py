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

from connectors.detectors.base import Span
from connectors.detectors.lexicon import TUSSENVOEGSELS
from connectors.detectors.name_context import FORCE, NO, SHORT_WORD, NameContext
from connectors.detectors.name_triggers import GAP_AFTER_TRIGGER, TRIGGERS, match_trigger
from connectors.detectors.name_words import (
    ABBREVIATIONS,
    ARTICLES,
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


class NameDetector(NameContext):
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
            if k is None:
                end = self._bridge(text, toks, gap.end(), by_start, sloppy)
                if end > 0:
                    first = by_start[SHORT_WORD.match(text, gap.end()).end()]  # type: ignore[union-attr]
                    for x in toks[first:end]:
                        x.used = True
                    spans.append(Span(gap.end(), toks[end - 1].end, self.placeholder, self.priority))
                continue
            if toks[k].used:
                continue
            end = self._signature(text, toks, k) if mode == "close" else k
            if end == k:
                verdict = self._trigger_accepts(text, toks, k, mode, sloppy)
                if verdict != NO:
                    end = self._parse(text, toks, k, mode, sloppy, first_ok=verdict == FORCE)
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

    def _subject_pair(self, text: str, toks: list[Tok], k: int) -> int:
        """Text without capitals: two name words that open a sentence before its verb ("nurhan oztoprak heeft").

        The first word is a known name or an unknown word that is no everyday word; the second (after optional
        particles) a surname or another such word; then comes a finite verb or a bracket ("chen li (12-03-1985)").
        Two such words alone in brackets count too ("(tine maes)").
        """
        t = toks[k]
        if t.cap or not self._plain(t):
            return k
        before = text[: t.start].rstrip(" \t")
        bracket = before.endswith("(")
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
        if bracket and after.startswith(")"):
            return j + 1  # "rijksregisternr. 850730 033 28 (tine maes)"
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
        after_ik = key == "ben" and word_before(text, t.start) == "ik"  # "ik ben ...": the verb, not the particle
        if key in TUSSENVOEGSELS and nxt is not None and not after_ik:  # "van Dijk", "De Vries", "el Amrani"
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
        if t.cap and not common and not t.allow and nxt is not None and nxt.key in TUSSENVOEGSELS:
            return self._particle_surname(text, toks, k)
        return k

    def _particle_surname(self, text: str, toks: list[Tok], k: int) -> int:
        """A capitalised unknown word, particles and a capitalised surname: "Bożena van 't Hof", "Kobe De Clercq".

        The surname is known, or no everyday word, or follows a surname chain ("van 't", "van der"); the first word
        is no compound ("Kinderboerderij De Vlinder", "Sporthal De Boog" are places).
        """
        t = toks[k]
        j = self._particles(toks, k + 1, text)
        if self._compound(t.key) or not k + 1 < j < len(toks) or not self._gap_ok(text, toks[j - 1], toks[j]):
            return k
        s = toks[j]
        if not s.cap or s.acronym or not self._plain(s) or self._compound(s.key):
            return k
        lex = self.lex
        marked = any(x.key in ("der", "den", "'t", "ter", "ten") for x in toks[k + 1 : j])
        if s.key in lex.surnames or s.key not in lex.common or marked:
            return j + 1
        return k

    def _proper_noun_pair(self, t: Tok, nxt: Tok) -> bool:
        """Whether ``nxt`` can follow the capitalised unknown word ``t`` as the second half of a name."""
        if not nxt.cap or nxt.allow or nxt.acronym or nxt.glued or nxt.initial or self._is_street(nxt):
            return False
        if nxt.key in self.lex.common and nxt.key not in self.lex.surnames:
            return False
        return not (compound_noun(t.key) or compound_noun(nxt.key))
