# SPDX-License-Identifier: EUPL-1.2
"""Birth dates, and only birth dates: event dates ("sinds 1 januari", "op 3 maart 2024") carry the topic and stay.

A date is taken for a birth date when a birth word stands shortly before it ("geboren", "geb.", "geboortedatum",
"jarig", "date of birth") or when it is a full date whose year lies far enough back to be a birth year (at least
15 years ago) and no event word ("sinds", "vanaf", "per", "t/m") precedes it. In a birth context a lone year
("geboortejaar 1985") and a date without a year count too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from connectors.detectors.base import Span

__all__ = ["MONTHS", "BirthDateDetector"]

#: Dutch and English month names and their usual abbreviations, mapped to their number.
MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "febr": 2, "maart": 3, "mrt": 3, "mar": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
}  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?i)(?<![\w/.-])(?:"
    r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4}|\d{2})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    rf"|(?P<wd>\d{{1,2}})(?:e|ste|de)?\s+(?P<wm>{_MONTH})\.?(?:\s+(?P<wy>\d{{4}}|'\d{{2}}))?"
    r"|(?P<ly>(?:19|20)\d{2})"
    r")(?![\w-]|[/.]\d)"
)
_BIRTH = re.compile(
    r"(?i)\b(?:geboren|geb\.?|geboortedatum|geboorte\s?datum|geb\.?\s?datum|gebdat|geboortejaar|geboortejaar|"
    r"date of birth|dob|d\.o\.b\.?|born|jarig|verjaardag|bouwjaar van mij)\b"
)
_DIGITS = re.compile(r"\d+")
_BIRTH_HINTS = ("geb", "dob", "d.o.b", "birth", "born", "jarig", "verjaardag")
_SENTENCE_END = re.compile(r"[.!?;]\s|\n")
_EVENT = re.compile(
    r"(?i)\b(?:sinds|sedert|vanaf|per|tot|t/m|tot en met|ingaande|met ingang van|m\.i\.v\.|na|voor|tussen)\s+$"
)


class BirthDateDetector:
    """Birth dates, numeric (``12-03-1985``, ``1985-03-12``) or written (``12 maart 1985``).

    Reports ``GEBOORTEDATUM``.
    """

    name = "birth_date"
    placeholder = "GEBOORTEDATUM"
    priority = 40

    def __init__(self, *, this_year: int | None = None, min_age: int = 15, window: int = 40) -> None:
        self.latest_birth_year = (this_year or datetime.now(UTC).year) - min_age
        self.window = window

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        low = text.lower()
        births = [m.end() for m in _BIRTH.finditer(text)] if any(w in low for w in _BIRTH_HINTS) else []
        spans: list[Span] = []
        for d in _DIGITS.finditer(text):
            if spans and d.start() < spans[-1].end:
                continue
            m = _DATE.match(text, d.start())
            if m is None:
                continue
            parsed = self._parse(m)
            if parsed is None:
                continue
            day, _, year = parsed
            # A birth word covers the first date after it in the same sentence ("geboren op X. Sinds Y" keeps Y).
            in_context = False
            for b in births:
                if 0 <= m.start() - b <= self.window and not _SENTENCE_END.search(text, b, m.start()):
                    in_context = not any(b <= s.start < m.start() for s in spans)
            if in_context or (
                day and year and 1900 <= year <= self.latest_birth_year and not self._event_before(text, m.start())
            ):
                spans.append(Span(m.start(), m.end(), self.placeholder, self.priority))
        return spans

    @staticmethod
    def _event_before(text: str, start: int) -> bool:
        return _EVENT.search(text, max(0, start - 20), start) is not None

    @staticmethod
    def _parse(m: re.Match[str]) -> tuple[int, int, int] | None:
        """(day, month, year) with 0 for a missing part, or None when the numbers are no date."""
        g = m.groupdict()
        if g["ly"]:
            return 0, 0, int(g["ly"])
        if g["wd"]:
            day, month = int(g["wd"]), MONTHS[g["wm"].lower()]
            raw = g["wy"] or ""
            year = int(raw) if len(raw) == 4 else (1900 + int(raw[1:]) if raw else 0)
        elif g["iy"]:
            day, month, year = int(g["id"]), int(g["im"]), int(g["iy"])
        else:
            day, month, raw = int(g["d"]), int(g["m"]), g["y"]
            year = int(raw) if len(raw) == 4 else 1900 + int(raw)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return None
        return day, month, year
