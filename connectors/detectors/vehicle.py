# SPDX-License-Identifier: EUPL-1.2
"""Dutch licence plates (kentekens) in all fourteen side-codes.

With dashes (``12-ABC-3``, ``ab-123-c``) a plate is unambiguous in any case. Without dashes (``12ABC3``) only
upper case counts, and side-code 2 (``1234AB``) is left to the postcode detector because it looks the same.
After a word such as "kenteken" spaces may stand in for the dashes and lower case is accepted.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span

__all__ = ["SIDE_CODES", "LicencePlateDetector"]

#: The RDW side-codes 1–14 as letter (L) / digit (D) group lengths.
SIDE_CODES: dict[int, tuple[str, str, str]] = {
    1: ("LL", "DD", "DD"), 2: ("DD", "DD", "LL"), 3: ("DD", "LL", "DD"), 4: ("LL", "DD", "LL"),
    5: ("LL", "LL", "DD"), 6: ("DD", "LL", "LL"), 7: ("DD", "LLL", "D"), 8: ("D", "LLL", "DD"),
    9: ("LL", "DDD", "L"), 10: ("L", "DDD", "LL"), 11: ("LLL", "DD", "L"), 12: ("L", "DD", "LLL"),
    13: ("D", "LL", "DDD"), 14: ("DDD", "LL", "D"),
}  # fmt: skip


def _group(spec: str, letters: str) -> str:
    return f"{letters}{{{len(spec)}}}" if spec[0] == "L" else rf"\d{{{len(spec)}}}"


def _pattern(sep: str, letters: str, codes: list[int]) -> str:
    alts = [sep.join(_group(g, letters) for g in SIDE_CODES[c]) for c in codes]
    return "(?:" + "|".join(alts) + ")"


_ALL = list(SIDE_CODES)
_DASHED_FULL = re.compile(_pattern("-", "[A-Za-z]", _ALL))
_COMPACT_FULL = re.compile(_pattern("", "[A-Z]", [c for c in _ALL if c != 2]))
_DIGITS = re.compile(r"\d+")
_CONTEXT_WORDS = ("kenteken", "plaat", "auto", "wagen", "voertuig", "bus", "motor", "scooter", "brommer", "camper",
                  "aanhanger", "caravan")  # fmt: skip
_CONTEXT = re.compile(
    r"(?i)\b(?:kenteken(?:nummer|plaat)?|nummerplaat|nr\.?\s?plaat|auto|wagen|voertuig|bus|busje|bestelbus|"
    r"vrachtwagen|camper|motor|scooter|brommer|aanhanger|caravan)(?:\s+(?:met|is|was|van))?\W{0,4}"
)
_SPACED = re.compile("(?i)(?:" + "|".join(_pattern(sep, "[A-Z]", _ALL) for sep in ("-", " ", "")) + r")(?![\w-])")


class LicencePlateDetector:
    """Dutch licence plates. ``strict`` (the hub's guard) accepts only the dashed form."""

    name = "licence_plate"
    placeholder = "KENTEKEN"
    priority = 30

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        n = len(text)
        last_end = -1
        for d in _DIGITS.finditer(text):
            start, end = d.start(), d.end()
            if start < last_end:
                continue
            # The whole dash-joined code around the digits, e.g. "12-ABC-3".
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
                start -= 1
            while end < n and (text[end].isalnum() or text[end] == "-"):
                end += 1
            last_end = end
            if not 6 <= end - start <= 8:
                continue
            code = text[start:end]
            if _DASHED_FULL.fullmatch(code) or (not self.strict and _COMPACT_FULL.fullmatch(code)):
                spans.append(Span(start, end, self.placeholder, self.priority))
        if not self.strict and any(word in text.lower() for word in _CONTEXT_WORDS):
            for ctx in _CONTEXT.finditer(text):
                m = _SPACED.match(text, ctx.end())
                if m:
                    spans.append(Span(m.start(), m.end(), self.placeholder, self.priority + 1))
        return spans
