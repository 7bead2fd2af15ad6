# SPDX-License-Identifier: EUPL-1.2
"""Street addresses with a house number, and postcodes.

A street is a word ending in a street suffix (``Kerkstraat``, ``Coolsingel``, ``Willem de Zwijgerlaan``) or a
"Laan van ..." form, followed by a house number with an optional addition (``12a``, ``4-II``, ``102 bis``,
``7 hs``). Without a house number a street is a place, not an address, and stays ("op de Coolsingel").
A number followed by a unit ("de snelweg 2 keer") is no house number. Postcodes are ``1234 AB``/``1234AB``;
with a following house number they are removed together.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span
from connectors.detectors.lexicon import fold, lexicon, tokens_of

__all__ = ["STREET_SUFFIXES", "AddressDetector", "PostcodeDetector"]

#: Endings of Dutch and Flemish street names.
STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "dreef", "hof", "park", "pad", "steeg",
    "markt", "ring", "baan", "boulevard", "allee", "wal", "haven", "burgwal", "plantsoen", "erf", "veld", "hoek",
    "zijde", "kant", "poort", "brug", "straatweg", "steenweg", "vest", "lei", "dam", "hoven", "oord", "donk", "akker",
    "wetering", "vaart", "laantje", "pleintje", "kwartier", "sloot", "berg",
)  # fmt: skip

_L = r"[^\W\d_]"
_SUF = "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True))
_PREFIX_WORD = rf"(?:[A-ZÀ-Þ]{_L}*\.?|\d{{1,2}}e|(?i:van|de|der|den|het|'t|ter|ten|te|la|le|du|des))"
_UNITS = (
    r"keer|maal|x|minuten|minuut|min|uur|uren|dagen|dag|weken|week|maanden|maand|jaar|jaren|euro|eur|km|meter|m|cm|"
    r"procent|%|personen|mensen|kinderen|auto'?s|bussen|stuks|kilo|kg|liter|woningen|huizen|bomen|containers|jaar"
)
_HOUSE_NUMBER = (
    rf"(?:nr\.?\s?|nummer\s)?\d{{1,5}}(?!\d)(?![,.:]\d)(?!\s*(?:{_UNITS})\b)(?!-\d{{2}}-)"
    r"(?:(?:\s?-\s?|/|\s)(?:bis\b|hs\b|huis\b|bg\b|bov\b|boven\b|zw\b|rd\b|[IVX]{1,4}\b|[1-9]\d{0,2}(?:e|ste|de)?\s?(?:hoog|etage|verdieping)\b)"
    r"|-?[A-Za-z]{1,2}\b|-\d{1,3}\b|\s[A-Z]\b)?"
)
_NUMBER = re.compile(_HOUSE_NUMBER)
_CLEAR_STREET_SUFFIXES = ("straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dreef", "steeg")
_DIGITS = re.compile(r"\d+")
# Looked for right before a number (searched in a short window that ends at the number):
_PREFIX_WORDS = re.compile(rf"(?<![\w'’])(?:{_PREFIX_WORD}\s+){{1,4}}$")
_LAAN_VAN = re.compile(
    rf"(?i)(?<![\w'’])(?:laan|weg|plein|kade|dreef|singel|straat|hof|park)\s+(?:van|der|de|den|ten|ter|op)"
    rf"(?:\s+(?:der|de|den|het|'t))?\s+{_L}+(?:[-\s]{_L}+)?\s$"
)
_STREET_FIRST_WORDS = ("laan ", "weg ", "plein ", "kade ", "dreef ", "singel ", "straat ", "hof ", "park ")
_LEADING_WORD = re.compile(r"([^\W_][\w'.]*)\s+")


class AddressDetector:
    """Street name plus house number (and addition). Reports ``ADRES``."""

    name = "address"
    placeholder = "ADRES"
    priority = 20

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        last_end = -1
        for d in _DIGITS.finditer(text):
            start = d.start()
            if start <= last_end or (start and text[start - 1].isalnum()):
                continue
            begin = self._street_start(text, start)
            if begin is None:
                continue
            number = _NUMBER.match(text, start)
            if number is None:
                continue
            last_end = number.end()
            spans.append(Span(begin, number.end(), self.placeholder, self.priority))
        return spans

    def _street_start(self, text: str, number_start: int) -> int | None:
        """Where the street name before a house number begins, or None when no street name stands there."""
        window = max(0, number_start - 90)
        # The word right before the number (skipping "nr.", a comma, a dot and one space), scanned backwards.
        i = number_start
        head = text[max(0, i - 8) : i].lower()
        for filler in ("nummer ", "nr. ", "nr.", "nr "):
            if head.endswith(filler):
                i -= len(filler)
                break
        if i > 0 and text[i - 1] in " \t":
            i -= 1
        if i > 0 and text[i - 1] == ",":
            i -= 1
        if i > 0 and text[i - 1] == ".":
            i -= 1
        end = i
        while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’-"):
            i -= 1
        if i == end or not text[i].isalpha() or (i > 0 and text[i - 1].isalnum()):
            return None
        street = fold(text[i:end])
        if street in lexicon().allow_words and not street.endswith(_CLEAR_STREET_SUFFIXES):
            return None  # "in Rotterdam 2024", "Amsterdam 12 jaar": a place, not a street
        if not street.endswith(STREET_SUFFIXES):
            # "Laan van Meerdervoort 102": the street word comes first.
            low = text[window:number_start].lower()
            if any(w in low for w in _STREET_FIRST_WORDS):
                match = _LAAN_VAN.search(text, window, number_start)
                if match is not None:
                    return match.start()
            return None
        start = i
        prefix = _PREFIX_WORDS.search(text, window, start)
        if prefix is None:
            return start
        # Lower-case leading words are articles, not part of the name: "aan de Prins Hendrikkade 1" keeps "aan de".
        begin = prefix.start()
        while begin < start:
            lead = _LEADING_WORD.match(text, begin, start)
            if lead is None or not lead.group(1)[0].islower():
                break
            begin = lead.end()
        return begin


_POSTCODE = re.compile(
    r"(?<![\w€.,])([1-9]\d{3})(\s?)([A-Za-z]{2})(?![\w])"
    r"(?P<nr>,?\s(?:nr\.?\s?)?\d{1,5}(?!\d)(?![,.:]\d)(?:-?[A-Za-z]{1,2}\b|-\d{1,3}\b|-[IVX]{1,4}\b)?)?"
)
_NOT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
# Letter pairs after four digits that are no postcode letters without more evidence: upper-case units and
# abbreviations ("1200 MB", "2024 AH"), Dutch words after a year or amount ("2019 op", "1250 is"), lower-case units.
_ABBREVIATION_LETTERS = frozenset(
    "MB KB GB TB KM PK KW CM MM ML CC BV NV HZ AH NS EU UK US TV PC CV OV ID MG KG".split()  # noqa: SIM905
)
_WORD_LETTERS = frozenset(
    "is op in en na om al er te ik je we ze of zo nu ja uw el la le de".split()  # noqa: SIM905 - a word list
)
# Word letters that lead to a place in a sentence ("in 2012 in Rotterdam", "1985 te Gent", "2019 en Breda").
_PLACE_WORD_LETTERS = frozenset("in op te en om al is er".split())  # noqa: SIM905 - a word list
_UNIT_LETTERS = frozenset("mb kb gb tb km pk kw cm mm ml cc bv nv hz eu ns tv pc ah".split())  # noqa: SIM905
# A postcode word, or a house number (with its addition) and a comma right before: "Kerkstraat 50-zw, 4821 tv".
_POSTCODE_KEYWORD = re.compile(r"(?i)(?:postcode|pc|adres|huisnummer|woon\w*|wonend)\W{0,3}$")
_POSTCODE_CONTEXT = re.compile(r"(?i)(?:postcode|pc|adres|huisnummer|woon\w*|wonend|\d[^,\n]{0,10},)\W{0,3}$")
_PLACE_AFTER = re.compile(r"\s+((?:[^\W\d_']+[-\s]?){1,4})")


class PostcodeDetector:
    """Dutch postcodes, with the house number that follows when there is one. Reports ``POSTCODE``.

    ``require_house_number`` gives the high-precision form used by the hub's re-scan guard.
    """

    name = "postcode"
    placeholder = "POSTCODE"
    priority = 30

    def __init__(self, *, require_house_number: bool = False) -> None:
        self.require_house_number = require_house_number

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        spans: list[Span] = []
        for m in _POSTCODE.finditer(text):
            letters = m.group(3)
            if letters.upper() in _NOT_POSTCODE_LETTERS:
                continue
            has_number = m.group("nr") is not None
            if self.require_house_number and not has_number:
                continue
            if not self._plausible(text, m, has_number):
                continue
            spans.append(Span(m.start(), m.end(), self.placeholder, self.priority))
        return spans

    @staticmethod
    def _plausible(text: str, m: re.Match[str], has_number: bool) -> bool:
        """Whether a ``dddd LL`` match is a postcode and not a year or amount followed by a word or unit."""
        letters, spaced = m.group(3), bool(m.group(2))
        if letters.isupper():
            return has_number or not spaced or letters not in _ABBREVIATION_LETTERS or _context(text, m)
        if letters.lower() in _WORD_LETTERS:  # "sinds 2012 in Nieuw-West": only a postcode word makes it one
            # ... or the letters written against the digits ("1176el lelystad"), which no word after a year is, or
            # a known place after letters that do not lead to a place in a sentence ("7645 na eindhoven")
            if not spaced or _POSTCODE_KEYWORD.search(text, max(0, m.start() - 16), m.start()) is not None:
                return True
            return letters.lower() not in _PLACE_WORD_LETTERS and _context(text, m)
        if letters.lower() in _UNIT_LETTERS:  # "1200 mb", but "7928 cm leiden" after a house number
            return _context(text, m)
        return has_number or not spaced or _context(text, m)


def _context(text: str, m: re.Match[str]) -> bool:
    """A postcode keyword or a house number before, or a known place name right after."""
    if _POSTCODE_CONTEXT.search(text, max(0, m.start() - 16), m.start()):
        return True
    after = _PLACE_AFTER.match(text, m.end(3))
    if after is None:
        return False
    lex = lexicon()
    words = [fold(w) for w in tokens_of(after.group(1))]
    if words and words[0] in lex.allow_words:
        return True
    return any(tuple(words[: len(p)]) == p for p in lex.allow_phrases.get(words[0], ()) if words)
