# SPDX-License-Identifier: EUPL-1.2
"""Checksummed identifiers: the Dutch citizen service number (BSN, 11-proef), the Belgian national register number
(rijksregisternummer, mod-97 over the birth date and serial) and bank account numbers (IBAN, mod-97).

Only numbers that pass the checksum are reported, so a nine-digit article number that fails the 11-proef stays.
The one exception is a number right after "BSN"/"burgerservicenummer"/"sofinummer": there the context says what it
is, so a mistyped BSN is removed too (not by the strict variant that the hub's re-scan guard uses).
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span, digit_runs

__all__ = ["IBAN_LENGTHS", "BsnDetector", "IbanDetector", "RrnDetector", "eleven_proof", "iban_valid", "rrn_valid"]

_BSN_CONTEXT = re.compile(
    r"(?i)\b(?:bsn|b\.s\.n\.?|burger\s?service\s?nummer|burgerservicenr|sofi[- ]?nummer|sofi[- ]?nr|sofi)\b[^\w\n]{0,6}"
    r"(?:(?:is|nr|nummer|van|:)\W{0,3}){0,2}$"
)


# How people write a BSN: plain, "1234.56.782", "123 456 782", "12.34.56.782" (8 digits only after "BSN").
_BSN_GROUPINGS = frozenset({(9,), (8,), (4, 2, 3), (3, 3, 3), (2, 3, 4), (3, 2, 4), (2, 2, 2, 3), (3, 2, 2, 2)})


def eleven_proof(digits: str) -> bool:
    """True when an 8- or 9-digit string passes the BSN 11-proef (8 digits are read with a leading zero)."""
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


class BsnDetector:
    """Burgerservicenummers with or without separators (``123456782``, ``1234.56.782``, ``123 456 782``)."""

    name = "bsn"
    placeholder = "BSN"
    priority = 50

    def __init__(self, *, strict: bool = False) -> None:
        # strict: only checksummed nine-digit numbers, no context rule (the hub's high-precision guard).
        self.strict = strict

    def _in_context(self, text: str, start: int) -> bool:
        return not self.strict and _BSN_CONTEXT.search(text, max(0, start - 40), start) is not None

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        spans: list[Span] = []
        for _, _, groups in digit_runs(text):
            n = len(groups)
            for i in range(n):
                # Never start inside a dash/dot-joined number such as a date ("9-1-2025 2212").
                if i and groups[i].start - groups[i - 1].end <= 1:
                    continue
                digits = ""
                sizes: list[int] = []
                seps: set[str] = set()
                for j in range(i, min(n, i + 4)):
                    if j > i:
                        sep = text[groups[j - 1].end : groups[j].start]
                        if len(sep) != 1:
                            break
                        seps.add(sep)
                    digits += groups[j].digits
                    sizes.append(len(groups[j].digits))
                    if len(digits) > 9 or len(seps) > 1:
                        break
                    end_ok = j + 1 == n or groups[j + 1].start - groups[j].end > 1
                    if not end_ok or tuple(sizes) not in _BSN_GROUPINGS:
                        continue
                    ok = (len(digits) == 9 and eleven_proof(digits)) or self._in_context(text, groups[i].start)
                    if ok:
                        spans.append(Span(groups[i].start, groups[j].end, self.placeholder, self.priority))
        return spans


# How people write a rijksregisternummer: "85.07.30-033.28" (the notation on the identity card), "850730 033 28",
# "850730-033-28", "85073003328".
_RRN_GROUPINGS = frozenset({(11,), (6, 3, 2), (2, 2, 2, 3, 2), (6, 5)})


def rrn_valid(digits: str) -> bool:
    """True when an 11-digit string is a well-formed Belgian national register number (or bis number).

    The first six digits are the birth date YYMMDD (month 00 and day 00 when the date is unknown; bis numbers for
    people outside the register add 20 or 40 to the month), then a serial of three digits (001–998), then the
    check: 97 minus the first nine digits modulo 97 for births before 2000, and the same over "2" and those nine
    digits for births from 2000 on. Either check is accepted, since the century is not written.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    month, day, serial = int(digits[2:4]), int(digits[4:6]), int(digits[6:9])
    if month > 52 or month % 20 > 12 or day > 31 or serial in (0, 999):
        return False
    check = int(digits[9:])
    return check in (97 - int(digits[:9]) % 97, 97 - int("2" + digits[:9]) % 97)


class RrnDetector:
    """Belgian rijksregisternummers (``85.07.30-033.28``, ``850730 033 28``, ``85073003328``), checksum-validated.

    No context rule: only numbers that pass the mod-97 check and hold a possible birth date are reported, so the
    detector is as strict as the hub's guard needs (``strict`` is always true).
    """

    name = "rrn"
    placeholder = "RRN"
    priority = 50
    strict = True

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        spans: list[Span] = []
        for run_start, _, groups in digit_runs(text):
            if text[run_start] == "+":
                continue  # an international phone number ("+32 471 ...")
            n = len(groups)
            for i in range(n):
                if i and groups[i].start - groups[i - 1].end <= 1:
                    continue  # never start inside a dash/dot-joined number
                digits = ""
                sizes: list[int] = []
                for j in range(i, min(n, i + 5)):
                    if j > i and groups[j].start - groups[j - 1].end != 1:
                        break  # one separator between the groups
                    digits += groups[j].digits
                    sizes.append(len(groups[j].digits))
                    if len(digits) >= 11:
                        break
                end = i + len(sizes) - 1
                end_ok = end + 1 == n or groups[end + 1].start - groups[end].end > 1
                if end_ok and tuple(sizes) in _RRN_GROUPINGS and rrn_valid(digits):
                    spans.append(Span(groups[i].start, groups[end].end, self.placeholder, self.priority))
        return spans


#: Length of the IBAN per country (ISO 13616 registry, the countries a Dutch or Flemish agency meets most).
IBAN_LENGTHS: dict[str, int] = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "ES": 24, "PT": 25, "IT": 27, "AT": 20, "CH": 21,
    "PL": 28, "RO": 24, "BG": 22, "TR": 26, "IE": 22, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "CZ": 24, "SK": 24,
    "HU": 28, "GR": 27, "HR": 21, "SI": 19, "LT": 20, "LV": 21, "EE": 20, "CY": 28, "MT": 31, "MA": 28,
    "UA": 29, "RS": 22, "AL": 28, "BA": 20, "MK": 19, "ME": 22, "IS": 26, "LI": 21, "MC": 27, "SM": 27, "AD": 24,
    "GI": 23, "SA": 24, "AE": 23, "IL": 23, "JO": 30, "LB": 28, "TN": 24, "EG": 29, "BR": 29,
}  # fmt: skip

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){10,32}")


def iban_valid(iban: str) -> bool:
    """True when ``iban`` (spaces allowed, any case) has a known length for its country and passes mod-97."""
    compact = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


class IbanDetector:
    """IBANs of any listed country, compact or in groups of four, validated with mod-97."""

    name = "iban"
    placeholder = "IBAN"
    priority = 60

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for m in _IBAN.finditer(text):
            length = IBAN_LENGTHS.get(m.group()[:2].upper(), 0)
            if not length:
                continue
            # Take exactly `length` characters (skipping spaces): the greedy pattern may run into the next word.
            taken, end = 0, m.start()
            for k in range(m.start(), m.end()):
                if text[k] != " ":
                    taken += 1
                    if taken == length:
                        end = k + 1
                        break
            if taken != length or (end < len(text) and text[end].isalnum()):
                continue
            if iban_valid(text[m.start() : end]):
                spans.append(Span(m.start(), end, self.placeholder, self.priority))
        return spans
