# SPDX-License-Identifier: EUPL-1.2
"""The hub's personal-data guard: the connector's fast, high-precision detectors re-scan every text.

Only the checksummed and well-formed identifiers (BSN, Belgian RRN, IBAN, phone, e-mail, postcode with house number,
licence plate) run here, not the name detection, so the guard never caps ingest. It reports types, never the values
it found.

Most arriving texts are clean, so a pre-filter decides first whether any guard detector *could* report something:
one pattern anchored on a digit covers what BSN, RRN, phone, IBAN and postcode need at the least (nine digits with gaps
of at most four characters, two letters and two digits, four digits + two letters + a house number), ``@`` covers
e-mail and ``-xx-`` covers the dashed plate. Each part is a necessary condition of its detector's own patterns, so
skipping the detectors when none matches gives exactly the verdict of
:func:`connectors.anonymiser.contains_personal_data` (a test compares both). The pre-filter is only used when the
guard's detectors are the ones it was written for; otherwise every text gets the full scan.
"""

from __future__ import annotations

import re

from connectors.anonymiser import contains_personal_data, fast_guard
from connectors.detectors import (
    BsnDetector,
    EmailDetector,
    IbanDetector,
    LicencePlateDetector,
    PhoneDetector,
    PostcodeDetector,
    RrnDetector,
)

__all__ = ["PersonalDataGuard", "could_hold_personal_data"]

# Anchored on a digit so that the regex engine scans for digits only (its fast charset prefix):
# - BSN (strict: nine checksummed digits, one separator at most between groups) and phone (nine to fifteen digits of
#   one digit run, where ``connectors.detectors.base._RUN`` allows at most four characters between two digits,
#   as in " - (") both need nine digits with gaps of at most four non-digits, and so does the Belgian national
#   register number (eleven checksummed digits with one-character gaps);
# - IBAN needs two letters and two check digits ("NL91");
# - postcode with house number needs "[1-9]ddd", an optional space, two letters, no word character, then a number.
# Written so that the engine tries as little as it can at each digit (about 7 per text), with the same matches:
# the postcode part is tried first (it fails at the second digit of most numbers); the other two only where a run
# of digits starts, ``(?<!\d\d)``: IBAN's lookbehind needs letters before the first digit anyway, and nine digits
# with short gaps from any digit are also nine from the first digit of its run (that run's digits have no gaps).
# ``\D{0,4}+`` never gives characters back: a shorter run of non-digits is followed by a non-digit, never a digit.
_DIGIT_PATTERN = (
    r"\d(?:"
    r"(?<=[1-9])\d{3}\s?[A-Za-z]{2}(?!\w),?\s(?:nr\.?\s?)?\d"
    r"|(?<!\d\d)(?:(?<=[A-Za-z]{2}\d)\d|" + r"\D{0,4}+\d" * 8 + ")"
    r")"
)
_DIGIT_CANDIDATE = re.compile(_DIGIT_PATTERN)
# The same for a text of ASCII characters only, where ``\d`` (any Unicode decimal digit) is ``[0-9]``: the engine
# tests a character range much faster than a Unicode category, and most texts are ASCII.
_ASCII_DIGIT_CANDIDATE = re.compile(_DIGIT_PATTERN.replace(r"\d", "[0-9]").replace(r"\D", "[^0-9]"))
# The strict plate detector only knows the dashed form: three groups, the middle one of two or three characters.
_PLATE_CANDIDATE = re.compile(r"-[A-Za-z\d]{2,3}-")


def could_hold_personal_data(text: str) -> bool:
    """False only when no detector of the hub's guard can report anything in ``text`` (a necessary condition)."""
    return (
        "@" in text
        or ("-" in text and _PLATE_CANDIDATE.search(text) is not None)
        or (_ASCII_DIGIT_CANDIDATE if text.isascii() else _DIGIT_CANDIDATE).search(text) is not None
    )


def _prefilter_applies() -> bool:
    """Whether the guard's detectors are exactly those (and in the strict forms) the pre-filter was derived from."""
    detectors = fast_guard().detectors
    kinds = {type(d) for d in detectors}
    expected = {
        BsnDetector,
        RrnDetector,
        IbanDetector,
        PhoneDetector,
        EmailDetector,
        PostcodeDetector,
        LicencePlateDetector,
    }
    if kinds != expected or len(detectors) != len(expected):
        return False
    for d in detectors:
        if isinstance(d, BsnDetector | LicencePlateDetector) and not d.strict:
            return False
        if isinstance(d, PostcodeDetector) and not d.require_house_number:
            return False
    return True


class PersonalDataGuard:
    """:class:`hub.ingest.Guard` on the connector's fast detectors, behind an exact pre-filter."""

    def __init__(self) -> None:
        self.prefilter = _prefilter_applies()

    def find(self, text: str) -> list[str]:
        """The placeholder types of the personal data still in ``text`` (empty when clean)."""
        if self.prefilter and not could_hold_personal_data(text):
            return []
        return list(contains_personal_data(text))
