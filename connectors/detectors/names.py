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
from connectors.detectors.lexicon import TUSSENVOEGSELS, Lexicon, fold, lexicon

__all__ = ["NameDetector"]

_TOKEN = re.compile(r"['’][ts](?![^\W\d_])|[^\W\d_]+(?:['’-][^\W\d_]+)*")
_ABBREVIATIONS = frozenset(
    [
        "nb",
        "ps",
        "as",
        "zoz",
        "tav",
        "ivm",
        "ed",
        "bv",
        "nv",
        "vof",
        "cq",
        "oa",
        "ca",
        "ad",
        "dwz",
        "mbt",
        "nav",
        "zsm",
        "evt",
        "bijv",
        "aub",
        "svp",
        "ovv",
        "iom",
        "tz",
        "wo",
        "ipv",
        "ihkv",
        "etc",
        "vs",
        "mvg",
    ]
)
# Street endings that no common surname has ("Groeneveld" and "Steenbergen" are names; "Kerkstraat" is not).
_NAME_STREET_SUFFIXES = (
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "singel",
    "dreef",
    "steeg",
    "plantsoen",
    "boulevard",
    "allee",
    "burgwal",
    "straatweg",
    "steenweg",
    "park",
    "markt",
    "pad",
)
_SIGNATURE_LINE = re.compile(r"[^\W\d_][\w .'’-]*")
# Heads of Dutch compound nouns: "Buurtteam Noord", "Wijkcentrum Oost" are organisations, not people.
_NOUN_HEADS = (
    "team",
    "centrum",
    "huis",
    "hal",
    "school",
    "zorg",
    "groep",
    "dienst",
    "punt",
    "winkel",
    "kantoor",
    "bureau",
    "wijk",
    "buurt",
    "noord",
    "oost",
    "zuid",
    "west",
    "boerderij",
    "theek",
    "stichting",
    "vereniging",
    "museum",
    "kerk",
    "kliniek",
    "praktijk",
    "apotheek",
    "bank",
    "fonds",
    "raad",
    "loket",
    "net",
    "plaza",
    "land",
)
_FUNCTION_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "is",
        "was",
        "zijn",
        "heeft",
        "had",
        "wil",
        "kan",
        "moet",
        "gaat",
        "om",
        "met",
        "voor",
        "aan",
        "in",
        "op",
        "ook",
        "zegt",
        "belt",
        "komt",
        "wordt",
        "werd",
        "niet",
        "wel",
        "nog",
        "al",
    ]
)
_PREPOSITIONS = frozenset(
    [
        "bij",
        "op",
        "naar",
        "van",
        "in",
        "aan",
        "met",
        "voor",
        "door",
        "over",
        "uit",
        "via",
        "om",
        "tot",
        "langs",
        "achter",
        "onder",
    ]
)
_ARTICLE_BOUND = frozenset({"op", "in", "uit", "te"})
_ARTICLES = frozenset({"de", "den", "der", "het", "'t", "ten", "ter"})
_INITIAL_WORDS = frozenset({"th", "chr", "ph", "joh", "wm", "jac", "fr", "corn", "hk", "ij"})

# Words that announce a name, per "mode" (how lenient the first word of the name may be). A trailing ":" or
# "." must follow the last word; "*" is any one word ("naam klant:"). Matched on tokens, so case-insensitive.
_TRIGGER_SPECS: dict[str, str] = {
    "title": "mevrouw|mevr|mw|meneer|mnr|mijnheer|dhr|de heer|heer|hr .|dr|drs|ir|ing .|prof|mr|mrs|ms|miss|fam|"
    "familie|juffrouw|mejuffrouw|mej .|juf|meester|zuster|broeder|dominee|ds .|pastoor|imam|wethouder|burgemeester|"
    "dokter|sir|madame|monsieur|herr|frau|pani|bayan",
    "role": "klant|cliënt|client|melder|bewoner|bewoonster|buurman|buurvrouw|aanvrager|aanvraagster|bezwaarmaker|"
    "collega|medewerker|medewerkster|behandelaar|consulent|casemanager|contactpersoon|zoon|dochter|man|vrouw|"
    "moeder|vader|opa|oma|broer|zus|oom|tante|neef|nicht|echtgenoot|echtgenote|partner|vriend|vriendin|huisbaas|"
    "verhuurder|huurder|wijkagent|agent|leerling|student|patiënt|patient|schoonmoeder|schoonvader|kleinzoon|"
    "kleindochter|stiefvader|stiefmoeder|mantelzorger|overbuurman|overbuurvrouw|bovenbuurman|bovenbuurvrouw|"
    "onderbuurman|onderbuurvrouw|ex|baas|leidinggevende|begeleider|coach|hulpverlener|advocaat|notaris|huisarts|"
    "kind|zoontje|dochtertje|baby|volgens|bellen naar|terugbellen naar|mailen naar|doorverbonden met|ik heb|"
    "heb ik|overleg met|afspraak met|samen met|en haar man|en zijn vrouw",
    "strong": "mijn naam is|naam is|ik heet|heet|genaamd|naam :|naam * :|contactpersoon :|van :|aan :|cc :|"
    "afzender :|ondertekend|ondertekend door|spreekt met|spreek met|sprak met|sprak ik|gesproken met|gebeld door|"
    "contact met|namens|t a v|tav|ter attentie van|i o v|in opdracht van|my name is|this is|contact :|"
    "het gaat om|t n v|tnv|ten name van|op naam van|welke door",
    "role_colon": "klant :|melder :|aanvrager :|cliënt :|client :|bewoner :",
    "weak": "ik ben",
    "greet": "beste|geachte|hoi|hallo|hey|hee|hi|dag|lieve|goedemorgen|goedemiddag|goedenavond|dear|hello",
    "close": "met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|vriendelijke groeten|"
    "met hartelijke groet|hartelijke groet|hartelijke groeten|groet|groeten|groetjes|mvg|m v g|gr .|hoogachtend|"
    "regards|cheers|liefs|met dank|alvast bedankt|bedankt|dank je wel|dank u wel",
}


def _compile_triggers() -> dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]:
    """First word -> (words, mode, required punctuation), longest first."""
    table: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for mode, specs in _TRIGGER_SPECS.items():
        for spec in specs.split("|"):
            parts = spec.split()
            punct = parts.pop() if parts[-1] in (":", ".") else ""
            table.setdefault(parts[0], []).append((tuple(parts), mode, punct))
    return {k: tuple(sorted(v, key=lambda e: -2 * len(e[0]) - bool(e[2]))) for k, v in table.items()}


_TRIGGERS = _compile_triggers()
_GAP_AFTER_TRIGGER = {
    "title": re.compile(r"[ \t]{1,3}"),
    "role": re.compile(r"[ \t]{1,2}|[ \t]?,[ \t]?"),
    "role_colon": re.compile(r"[ \t]{1,2}"),
    "strong": re.compile(r"[ \t]*[:,]?[ \t]*(?:de\s+heer\s+|mevrouw\s+)?"),
    "weak": re.compile(r"[ \t]{1,2}"),
    "greet": re.compile(r"[ \t]{1,2}"),
    "close": re.compile(r"[ \t]*[,.!:;-]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
}


def _word_before(text: str, pos: int) -> str:
    """The folded word right before ``pos`` (skipping spaces), or "" at a punctuation mark or the start."""
    end = pos
    while end > 0 and text[end - 1] == " ":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:end].lower()


def _word_after(text: str, pos: int) -> str:
    """The word right after ``pos`` when only one space separates them; "" at punctuation or the end."""
    if text[pos : pos + 1] != " ":
        return ""
    end = pos + 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[pos + 1 : end]


class _Tok:
    """A word token with the features name detection looks at."""

    __slots__ = ("acronym", "allow", "cap", "end", "glued", "initial", "key", "start", "text", "used")

    def __init__(
        self, start: int, end: int, text: str, key: str, cap: bool, acronym: bool, initial: bool, glued: bool
    ) -> None:
        self.start, self.end, self.text, self.key = start, end, text, key
        self.cap, self.acronym, self.initial, self.glued = cap, acronym, initial, glued
        self.allow = False
        self.used = False


_FOLDED: dict[str, str] = {}


def _fold_cached(word: str) -> str:
    key = _FOLDED.get(word)
    if key is None:
        if len(_FOLDED) > 100_000:  # bound the memo on endless streams of new words
            _FOLDED.clear()
        key = _FOLDED[word] = fold(word)
    return key


class NameDetector:
    """Personal names from context and lexicons. Reports ``NAAM``."""

    name = "name"
    placeholder = "NAAM"
    priority = 10

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex = lex or lexicon()
        self._ambiguous = lex.ambiguous_first_names
        # Lower-case everyday words that can be no part of a name or trigger: not worth a token (speed).
        trigger_words = {w for specs in _TRIGGER_SPECS.values() for spec in specs.split("|") for w in spec.split()}
        phrase_words = {w for phrases in lex.allow_phrases.values() for p in phrases for w in p}
        self._skip = frozenset(
            lex.common - lex.first_names - lex.surnames - TUSSENVOEGSELS - trigger_words - phrase_words
        )

    # -- tokens --------------------------------------------------------------------------------------------
    def _tokens(self, text: str) -> tuple[list[_Tok], bool]:
        """The tokens of ``text``, and whether any word is capitalised mid-sentence (tidy text)."""
        toks: list[_Tok] = []
        n = len(text)
        mid_cap = False
        fold_ = _fold_cached
        skip = self._skip
        for m in _TOKEN.finditer(text):
            s, e = m.span()
            word = m.group()
            key = fold_(word)
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
            toks.append(_Tok(s, e, word, key, cap, len(word) > 1 and word.isupper(), initial, glued))
        self._mark_allowed(toks)
        return toks, mid_cap

    def _mark_allowed(self, toks: list[_Tok]) -> None:
        lex = self.lex
        for i, t in enumerate(toks):
            if t.key in lex.allow_words:
                t.allow = True
            for phrase in lex.allow_phrases.get(t.key, ()):
                if tuple(x.key for x in toks[i : i + len(phrase)]) == phrase:
                    for x in toks[i : i + len(phrase)]:
                        x.allow = True
                    break

    # -- word tests ----------------------------------------------------------------------------------------
    def _is_street(self, t: _Tok) -> bool:
        return len(t.key) > 4 and t.key.endswith(_NAME_STREET_SUFFIXES) and t.key not in self.lex.surnames

    def _known(self, t: _Tok) -> bool:
        return t.key in self.lex.first_names or t.key in self.lex.surnames

    @staticmethod
    def _verb_like(key: str) -> bool:
        """Past tenses and abstract nouns ("belde", "regelde", "gezondheid"): no names, even when unknown."""
        return (
            len(key) > 3
            and "-" not in key
            and key.endswith(("de", "te", "heid", "lijk", "isch", "baar", "tie", "eren"))
        )

    def _name_part(self, t: _Tok, mode: str, after_particle: bool, sloppy: bool) -> bool:
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
                or (mode in ("title", "role") and t.key not in _FUNCTION_WORDS)
            )
        # lower case: a known name; in context even one that is also a word ("jan bakker", "mw. visser")
        if self._known(t) and (not common or after_particle or mode not in ("lexicon", "weak", "greet")):
            return True
        if (mode in ("title", "strong", "close") or sloppy) and not common:
            return len(t.key) > 2 and not self._verb_like(t.key)
        return False

    @staticmethod
    def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
        gap = text[a.end : b.start]
        if a.initial:
            return gap in (".", ". ", ".  ")
        return gap in (" ", "  ") or (gap == "\t")

    @staticmethod
    def _particles(toks: list[_Tok], j: int, text: str) -> int:
        """End of a particle chain starting at ``j`` ("van der", "op 't", "el"); ``j`` when there is none."""
        n = len(toks)
        k = j
        while k < n and toks[k].key in TUSSENVOEGSELS and k - j < 3:
            if k > j and text[toks[k - 1].end : toks[k].start] != " ":
                break
            k += 1
        # "op", "in", "uit" are particles only in front of an article: "op de Weg", "in 't Veld"; "het" and "der"
        # never start a chain ("Het KvK-nummer").
        if k > j and toks[j].key in _ARTICLE_BOUND and (k - j == 1 or toks[j + 1].key not in _ARTICLES):
            return j
        if k > j and toks[j].key in ("het", "der"):
            return j
        return k

    # -- parsing -------------------------------------------------------------------------------------------
    def _parse(self, text: str, toks: list[_Tok], i: int, mode: str, sloppy: bool) -> int:
        """End index (exclusive) of a name starting at token ``i``, or ``i`` when there is none."""
        n = len(toks)
        j = i
        # Initials: "J.P." / "J. P." / "j.p." (lower case only when a name follows, see below)
        while j < n and toks[j].initial and (j == i or self._gap_ok(text, toks[j - 1], toks[j])):
            if not (toks[j].cap or sloppy or mode != "lexicon"):
                break
            j += 1
        initials = j - i
        if initials and mode in ("lexicon", "next") and "".join(t.key for t in toks[i:j]) in _ABBREVIATIONS:
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
                        and nxt.key not in _FUNCTION_WORDS
                    ):
                        if self._is_street_follow(toks, k):
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
        return end

    def _is_street_follow(self, toks: list[_Tok], k: int) -> bool:
        return self._is_street(toks[k])

    # -- detection -----------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Span]:
        toks, mid_cap = self._tokens(text)
        if not toks:
            return []
        # Sloppy text: nobody capitalises anything mid-sentence, so lower case is no evidence against a name.
        sloppy = not mid_cap
        spans: list[Span] = []
        by_start = {t.start: k for k, t in enumerate(toks)}
        for k0, t0 in enumerate(toks):
            triggers = _TRIGGERS.get(t0.key)
            if triggers is None:
                continue
            hit = self._match_trigger(text, toks, k0, triggers)
            if hit is None:
                continue
            mode, pos = hit
            gap = _GAP_AFTER_TRIGGER[mode].match(text, pos)
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

    @staticmethod
    def _match_trigger(
        text: str, toks: list[_Tok], k: int, triggers: tuple[tuple[tuple[str, ...], str, str], ...]
    ) -> tuple[str, int] | None:
        """(mode, position after the trigger) for the longest trigger starting at token ``k``, or None."""
        n = len(toks)
        for words, mode, punct in triggers:
            last = k + len(words) - 1
            if last >= n:
                continue
            ok = True
            for i in range(1, len(words)):
                a, b = toks[k + i - 1], toks[k + i]
                if (words[i] != "*" and b.key != words[i]) or text[a.end : b.start].strip(". ") != "":
                    ok = False
                    break
            if not ok:
                continue
            pos = toks[last].end
            if mode == "title" and len(toks[k].text) > 1 and toks[k].text.isupper():
                continue  # "6194 MW Zoetermeer", "bij ING.": letters and acronyms, not "mw." or "ing."
            if punct:
                sep = text[pos : pos + 2]
                if not sep.startswith(punct) and sep != " " + punct:
                    continue
                pos += sep.index(punct) + 1
            elif mode == "title":
                if text[pos : pos + 1] == ".":
                    pos += 1
            elif mode in ("close", "strong") and text[pos : pos + 1] == ".":
                pos += 1  # "m.v.g." / "t.a.v."
            if mode == "greet":  # only at the start of a line or sentence
                before = text[: toks[k].start].rstrip(" \t")
                if before and before[-1] not in "\n.!?":
                    continue
            return mode, pos
        return None

    def _take(self, toks: list[_Tok], k: int, end: int, spans: list[Span]) -> None:
        for t in toks[k:end]:
            t.used = True
        spans.append(Span(toks[k].start, toks[end - 1].end, self.placeholder, self.priority))

    def _signature(self, text: str, toks: list[_Tok], k: int) -> int:
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
        if len(line.split()) > 4 or any(_fold_cached(w.strip(",.;:!")) in self._skip for w in line.split()):
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

    def _extend_left(self, text: str, toks: list[_Tok], k: int, sloppy: bool) -> int:
        """Take in up to two unknown given names before a name found at ``k`` ("Nouhaila El Idrissi")."""
        j = k
        while j > 0 and k - j < 2:
            p = toks[j - 1]
            if p.used or p.allow or p.acronym or p.glued or p.initial or self._is_street(p):
                break
            if not self._gap_ok(text, p, toks[j]) or p.key in self.lex.common or p.key in TUSSENVOEGSELS:
                break
            if not (p.cap or (sloppy and len(p.key) > 2 and not self._verb_like(p.key))):
                break
            j -= 1
        return j

    def _trigger_accepts(self, text: str, toks: list[_Tok], k: int, mode: str, sloppy: bool) -> bool:
        """Whether the word ``toks[k]`` right after a trigger may start a name."""
        lex = self.lex
        t = toks[k]
        if t.initial or t.key in TUSSENVOEGSELS:
            return mode in ("title", "strong", "close", "role", "role_colon") or t.cap
        if mode == "weak":  # "ik ben ...": only a given name, or a capitalised unknown word in tidy text
            return (t.key in lex.first_names and t.key not in self._ambiguous) or (
                t.cap and not sloppy and t.key not in lex.common and not t.allow and not t.acronym
            )
        if mode in ("role", "role_colon", "greet") and not t.cap:
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
            after = _word_after(text, t.end)
            return after == "" or _fold_cached(after) in lex.common
        return self._name_part(t, mode, False, sloppy)

    def _lexicon_name(self, text: str, toks: list[_Tok], k: int, sloppy: bool) -> int:
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
        after_digit = t.start >= 2 and text[t.start - 1] == " " and text[t.start - 2].isdigit()  # "1 jan 2024"
        if key in lex.first_names and not after_digit and (t.cap or (not common and len(key) > 2)):
            # "Jan", "Zeynep Kaya", "jan de vries"; an ambiguous given name ("Ben") only with a surname
            end = self._parse(text, toks, k, "lexicon", sloppy)
            if end > k + 1 or (end == k + 1 and key not in self._ambiguous and not common):
                return end
            return k
        if key in lex.surnames and not common and (t.cap or (sloppy and len(key) > 3)):  # "Yilmaz belde"
            if _word_before(text, t.start) in _ARTICLES:
                return k  # "bij de Zeeman": an article before a lone surname makes it a shop or place
            return self._parse(text, toks, k, "lexicon", sloppy)
        if key in TUSSENVOEGSELS and nxt is not None:  # "van Dijk", "De Vries", "el Amrani"
            j = self._particles(toks, k, text)
            if k < j < n and self._gap_ok(text, toks[j - 1], toks[j]):
                s = toks[j]
                if s.key in lex.surnames and not s.used and not s.allow and not s.glued and not self._is_street(s):
                    # "bij de Zeeman", "op de Markt": after a preposition a lower-case article names a place or shop
                    after_preposition = not t.cap and j - k == 1 and _word_before(text, t.start) in _PREPOSITIONS
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

    def _proper_noun_pair(self, t: _Tok, nxt: _Tok) -> bool:
        """Whether ``nxt`` can follow the capitalised unknown word ``t`` as the second half of a name."""
        if not nxt.cap or nxt.allow or nxt.acronym or nxt.glued or nxt.initial or self._is_street(nxt):
            return False
        if nxt.key in self.lex.common and nxt.key not in self.lex.surnames:
            return False
        return not (t.key.endswith(_NOUN_HEADS) or nxt.key.endswith(_NOUN_HEADS))
