# SPDX-License-Identifier: EUPL-1.2
"""Contact details: telephone numbers, e-mail addresses, personal URLs and social-media handles.

Phone numbers are recognised by their digit count, not by one fixed layout: Dutch numbers have ten digits from
the leading 0 (``06-12345678``, ``(020) 123 45 67``, ``010 - 123 4567``), and so do Belgian mobiles
(``0471 23 45 67``, ``0471/23.45.67``); Belgian landlines have nine, in the groups people use for them
(``09 123 45 67``, ``09/123.45.67``, ``051 12 34 56``, ``09 2345678``, ``051/123456``); international ones start
with ``+`` or ``00`` (``+31 (0)6 ...``, ``0031 6 ...``, ``+32 471 ...``, ``0032 9 ...``). Information numbers
(0800, 0900, 0906, 0909) belong to organisations and are kept, and so are Belgian enterprise numbers
(``0412.345.614``, mod-97 checked). URLs are removed only when they point at a person: a social-media profile, an
id in the query or path, or a ``firstname.lastname`` segment. ``www.rotterdam.nl/afval`` stays.
"""

from __future__ import annotations

import re

from connectors.detectors.base import DigitGroup, Span, digit_runs
from connectors.detectors.lexicon import fold, lexicon

__all__ = ["EmailDetector", "HandleDetector", "PhoneDetector", "UrlDetector"]

_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909", "0880")
# Belgian nine-digit landlines: zone 02/03/04/09 plus seven digits, or a two-digit zone (051, 011 ...) plus six.
# Compact nine digits and "051 123 456" are left alone: a BSN with a leading zero is written the same way.
_BELGIAN_GROUPINGS = {(2, 3, 2, 2), (3, 2, 2, 2), (2, 7), (3, 6)}


class PhoneDetector:
    """Dutch (ten digits), Belgian (nine digits, grouped) and international (``+``/``00``) telephone numbers."""

    name = "phone"
    placeholder = "TELEFOON"
    priority = 50

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for run_start, _, groups in digit_runs(text):
            i = 0
            while i < len(groups):
                end = self._match_from(text, run_start, groups, i)
                if end is None:
                    i += 1
                    continue
                start = groups[i].start
                if i == 0 and run_start < start:  # keep a leading "+" or "(" inside the span
                    start = run_start
                elif start and text[start - 1] in "+(":
                    start -= 1
                stop = groups[end].end
                if stop < len(text) and text[stop] == ")":
                    stop += 1
                spans.append(Span(start, stop, self.placeholder, self.priority))
                i = end + 1
        return spans

    @staticmethod
    def _match_from(text: str, run_start: int, groups: list[DigitGroup], i: int) -> int | None:
        """Index of the last group of a phone number starting at group ``i``, or None."""
        first = groups[i].digits
        s = groups[i].start
        plus = text[max(0, s - 1) : s] == "+" or text[max(0, s - 2) : s] == "+("
        if plus or first.startswith("00"):
            digits = ""
            best: int | None = None
            for j in range(i, min(len(groups), i + 7)):
                digits += groups[j].digits[2:] if j == i and not plus else groups[j].digits
                if digits.startswith("31"):
                    rest = digits[2:]
                    if rest.startswith("0"):  # "+31 (0)6" and "+31 06" both drop the trunk zero
                        rest = rest[1:]
                    if len(rest) == 9:
                        return j
                    if len(rest) > 9:
                        return None
                elif 9 <= len(digits) <= 15:
                    best = j
                elif len(digits) > 15:
                    break
            return best
        if not first.startswith("0") or first.startswith("00"):
            return None
        digits = ""
        sizes: list[int] = []
        for j in range(i, min(len(groups), i + 6)):
            digits += groups[j].digits
            sizes.append(len(groups[j].digits))
            if digits.startswith(_SERVICE_PREFIXES):
                return None
            if len(digits) == 10 and digits[1] != "0":
                return None if _enterprise_number(text, groups, i, j, digits) else j
            if len(digits) == 9 and (j + 1 == len(groups) or len(digits + groups[j + 1].digits) > 10):
                sep = text[groups[i].end : groups[i + 1].start] if j > i else ""
                if tuple(sizes) in _BELGIAN_GROUPINGS and (sep.strip() in ("/", "-", "") or len(sizes) == 4):
                    return j
            if len(digits) > 10:
                return None
        return None


def _enterprise_number(text: str, groups: list[DigitGroup], i: int, j: int, digits: str) -> bool:
    """A Belgian enterprise number (ondernemingsnummer, KBO) as on invoices: ``0412.345.614``, mod-97 checked.

    It has ten digits from a leading 0 like a phone number, but its dotted 4-3-3 layout and its check digits
    (97 minus the first eight digits modulo 97) tell it apart; it belongs to an organisation and stays.
    """
    if [len(g.digits) for g in groups[i : j + 1]] != [4, 3, 3]:
        return False
    if any(text[groups[k].end : groups[k + 1].start] != "." for k in range(i, j)):
        return False
    return int(digits[8:]) == 97 - int(digits[:8]) % 97


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


class EmailDetector:
    """E-mail addresses (any case, any top-level domain)."""

    name = "email"
    placeholder = "E-MAIL"
    priority = 70

    def find(self, text: str) -> list[Span]:
        if "@" not in text:
            return []
        return [Span(m.start(), m.end(), self.placeholder, self.priority) for m in _EMAIL.finditer(text)]


_URL = re.compile(
    r"(?i)(?<![\w@.])(?:https?://|www\.|(?:[a-z0-9-]+\.)+(?:nl|com|be|org|net|eu|info|io|me|de|tv|app|social)/)"
    r"[^\s<>\"'()\[\]]*"
)
_SOCIAL = re.compile(
    r"(?i)^(?:https?://)?(?:www\.|m\.|nl\.|mobile\.)?(?:facebook\.com|fb\.com|fb\.me|instagram\.com|twitter\.com|x\.com|"
    r"linkedin\.com|tiktok\.com|youtube\.com|snapchat\.com|threads\.net|pinterest\.com|github\.com|wa\.me|t\.me|"
    r"mastodon\.social|bsky\.app|reddit\.com|vk\.com)/(?!\s*$)(?!(?:home|login|help|about|policies|privacy)\b)\S+"
)
_ID_IN_URL = re.compile(
    r"(?i)[?&;](?:id|uid|user|userid|user_id|profile|profile_id|klant|klantnummer|bsn|email|e-mail|mail|naam|name|"
    r"dossier|zaak|ref|token)=[^&\s]+|/\d{5,}(?:[/?#]|$)|/(?:u|user|users|profiel|profile|people|in|pub)/[^/\s?#]+"
)
_NAME_SEGMENT = re.compile(r"/([A-Za-z]+)[._-]([A-Za-z]+)(?:[/?#]|$)")
_TRAILING = ".,;:!?"


class UrlDetector:
    """URLs that identify a person: profile pages, ids, names in the path. Plain information URLs stay."""

    name = "url"
    placeholder = "URL"
    priority = 70

    def find(self, text: str) -> list[Span]:
        if "/" not in text and "www" not in text.lower():
            return []
        spans: list[Span] = []
        first_names = lexicon().first_names
        for m in _URL.finditer(text):
            url = m.group().rstrip(_TRAILING)
            personal = bool(_SOCIAL.match(url) or _ID_IN_URL.search(url))
            if not personal:
                seg = _NAME_SEGMENT.search(url)
                personal = seg is not None and fold(seg.group(1)) in first_names
            if personal:
                spans.append(Span(m.start(), m.start() + len(url), self.placeholder, self.priority))
        return spans


_HANDLE = re.compile(r"(?<![\w.@/+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
_ORG_HANDLE_PREFIXES = ("gemeente", "politie", "provincie", "rijksoverheid", "belastingdienst", "waterschap")


class HandleDetector:
    """Social-media handles (``@jan_jansen``). Handles of organisations on the allow-list stay (``@UWV``)."""

    name = "handle"
    placeholder = "HANDLE"
    priority = 60

    def find(self, text: str) -> list[Span]:
        if "@" not in text:
            return []
        allow = lexicon().allow_words
        spans: list[Span] = []
        for m in _HANDLE.finditer(text):
            key = fold(m.group()[1:])
            if key in allow or key.startswith(_ORG_HANDLE_PREFIXES):
                continue
            spans.append(Span(m.start(), m.end(), self.placeholder, self.priority))
        return spans
