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
from connectors.detectors.lexicon import TUSSENVOEGSELS, fold, lexicon

__all__ = ["AddressDetector", "PostcodeDetector", "STREET_SUFFIXES"]

#: Endings of Dutch and Flemish street names.
STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "dreef", "hof", "park", "pad", "steeg",
    "markt", "ring", "baan", "boulevard", "allee", "wal", "haven", "burgwal", "plantsoen", "erf", "veld", "hoek",
    "zijde", "kant", "poort", "brug", "straatweg", "steenweg", "vest", "lei", "dam", "hoven", "oord", "donk", "akker",
    "wetering", "vaart", "laantje", "pleintje", "kwartier", "sloot", "berg",
)  # fmt: skip

_L = r"[^\W\d_]"
_SUF = "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True))
_PREFIX_WORD = rf"(?:[A-ZÀ-Þ]{_L}*\.?|\d{{1,2}}e|(?i:van|de|der|den|het|'t|ter|ten|te|la|le|du|des)(?=\s+[A-Za-z]))"
_UNITS = (
    r"keer|maal|x|minuten|minuut|min|uur|uren|dagen|dag|weken|week|maanden|maand|jaar|jaren|euro|eur|km|meter|m|cm|"
    r"procent|%|personen|mensen|kinderen|auto'?s|bussen|stuks|kilo|kg|liter|woningen|huizen|bomen|containers|jaar"
)
_HOUSE_NUMBER = (
    rf"(?:nr\.?\s?|nummer\s)?\d{{1,5}}(?![\d,.:]\d)(?!\s*(?:{_UNITS})\b)(?!-\d{{2}}-)"
    r"(?:(?:\s?-\s?|/|\s)(?:bis\b|hs\b|huis\b|bg\b|bov\b|boven\b|zw\b|rd\b|[IVX]{1,4}\b|[1-9]\d{0,2}(?:e|ste|de)?\s?(?:hoog|etage|verdieping)\b)"
    r"|-?[A-Za-z]{1,2}\b|-\d{1,3}\b|\s[A-Z]\b)?"
)
_STREET_NUMBER = re.compile(
    rf"(?:{_PREFIX_WORD}\s+){{0,4}}"  # leading words of the street name ("Burgemeester de", "Van der")
    rf"\b{_L}*(?i:{_SUF})\b\.?,?\s?{_HOUSE_NUMBER}"
)
_LAAN_VAN = re.compile(
    rf"(?i)\b(?:laan|weg|plein|kade|dreef|singel|straat|hof|park)\s+(?:van|der|de|den|ten|ter|op)"
    rf"(?:\s+(?:der|de|den|het|'t))?\s+{_L}+(?:[-\s]{_L}+)?\s{_HOUSE_NUMBER}"
)

_LEADING_WORD = re.compile(r"([^\W_][\w'.]*)\s+")


class AddressDetector:
    """Street name plus house number (and addition). Reports ``ADRES``."""

    name = "address"
    placeholder = "ADRES"
    priority = 20

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        spans: list[Span] = []
        common = lexicon().common
        for pattern in (_STREET_NUMBER, _LAAN_VAN):
            for m in pattern.finditer(text):
                start = m.start()
                # Leading words belong to the street name only from the first capitalised, non-everyday word on:
                # "Ik woon aan de Prins Hendrikkade 1" -> "Prins Hendrikkade 1".
                while True:
                    word = _LEADING_WORD.match(text, start, m.end())
                    if not word or word.end() >= m.end():
                        break
                    w = word.group(1)
                    if w[0].isdigit() or fold(w).endswith(STREET_SUFFIXES) or (w[0].isupper() and (fold(w) not in common or fold(w) in TUSSENVOEGSELS)):
                        break
                    start = word.end()
                spans.append(Span(start, m.end(), self.placeholder, self.priority))
        return spans


_POSTCODE = re.compile(
    r"(?<![\w€.,])([1-9]\d{3})(\s?)([A-Za-z]{2})(?![\w])"
    r"(?P<nr>,?\s(?:nr\.?\s?)?\d{1,5}(?![\d,.:]\d)(?:-?[A-Za-z]{1,2}\b|-\d{1,3}\b|-[IVX]{1,4}\b)?)?"
)
_NOT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_UNIT_LETTERS = frozenset(
    "mb kb gb tb km pk kw cm mm ml cc bv nv hz ah ns eu uk us tv pc cv ov id mg kg is op in en na om al er te ik je we "
    "ze of zo nu ja uw el la le de".split()
)
_POSTCODE_CONTEXT = re.compile(r"(?i)(?:postcode|postcode:|pc|adres|woon\w*|wonend)\W{0,3}$")


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
        spans: list[Span] = []
        for m in _POSTCODE.finditer(text):
            letters = m.group(3)
            if letters.upper() in _NOT_POSTCODE_LETTERS:
                continue
            has_number = m.group("nr") is not None
            if self.require_house_number and not has_number:
                continue
            context = _POSTCODE_CONTEXT.search(text, max(0, m.start() - 12), m.start()) is not None
            if not (has_number or context):
                # Upper case "3011 AB" or compact "3011ab" read as a postcode; "2019 op" does not.
                if letters.isupper():
                    if letters.lower() in _UNIT_LETTERS and m.group(2):
                        continue
                elif m.group(2) or letters.lower() in _UNIT_LETTERS:
                    continue
            elif has_number and not context and letters.lower() in _UNIT_LETTERS and not letters.isupper():
                continue
            spans.append(Span(m.start(), m.end(), self.placeholder, self.priority))
        return spans
