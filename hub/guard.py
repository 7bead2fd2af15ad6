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

A batch's texts are pre-filtered together (:meth:`PersonalDataGuard.find_many`): joined, each character replaced by
its class (digit, white space, letter, ...) in one bytes translation, and scanned by a pattern that starts with one
literal byte, which the regular expression engine finds with a tight loop instead of testing a character set at
every position (about three times faster than the per-text scan, see :func:`_candidates`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, repeat
from operator import add

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


# The batch form of the pre-filter works on the texts' characters replaced by their classes, one byte each: an ASCII
# digit becomes "0", white space " ", a letter "a" (but "n" and "r" stay, for "nr"), and "_", ",", ".", "-" and "@"
# stay; everything else becomes "#", and so does every character beyond ASCII (see _candidates for why that is safe).
# The table asks the engine itself what \d and \s are (for str patterns); \w is then the letters, digits and "_".
def _class_table() -> bytes:
    table = bytearray(b"#" * 256)
    for code in range(128):
        char = chr(code)
        if re.fullmatch(r"\d", char):
            table[code] = ord("0")
        elif re.fullmatch(r"\s", char):
            table[code] = ord(" ")
        elif char in "nr_,.-@":
            table[code] = code
        elif re.fullmatch(r"[A-Za-z]", char):
            table[code] = ord("a")
    return bytes(table)


_CLASSES = _class_table()
# _DIGIT_PATTERN on the classes, with one relaxation: the postcode's first digit may be any digit, not only 1-9 (the
# classes cannot tell; a wider pre-filter only lets a few more texts through to the detectors). Its first byte is a
# literal, so the engine jumps from digit to digit.
_CLASS_DIGIT_CANDIDATE = re.compile(
    rb"0(?:"
    rb"000 ?[anr]{2}(?![anr0_]),? (?:nr\.? ?)?0"
    rb"|(?<!00)(?:(?<=[anr]{2}0)0|" + rb"[^0]{0,4}+0" * 8 + rb")"
    rb")"
)
_CLASS_PLATE_CANDIDATE = re.compile(rb"-[anr0]{2,3}-")
# Between two texts: five characters of the class "#", so that no candidate spans two texts. Every part of the
# patterns needs a digit, white space, a letter, a comma or a full stop at most four characters away, or "-" or "@".
_SEPARATOR = "\x00" * 5


def _candidates(texts: Sequence[str]) -> set[int] | None:
    r"""The positions of the texts that :func:`could_hold_personal_data` (and perhaps a few more), or None when this
    form cannot tell because a character beyond ASCII is a digit or white space; then each text needs the per-text
    pre-filter.

    Why the classes give at least the same candidates: each ASCII character gets the class the patterns see in it.
    Each character beyond ASCII becomes one "#" (one "?" first, so that every gap keeps its length), which is what
    the patterns see in it as well once it is no digit and no white space (checked): no ASCII letter, not "-", "@",
    "," or ".". The one difference: ``(?!\w)`` after a postcode's letters fails on a letter such as "é" but passes
    on "#", which lets more texts through, never fewer.
    """
    joined = _SEPARATOR.join(texts)
    replaced = joined.encode("ascii", "replace")  # one "?" for each character beyond ASCII
    if not joined.isascii():
        at = replaced.find(b"?")
        while at >= 0:  # a few hundred characters per batch at most, usually
            char = joined[at]
            if char.isdecimal() or char.isspace():  # \d and \s of the engine ("?" itself is neither)
                return None
            at = replaced.find(b"?", at + 1)
    classes = replaced.translate(_CLASSES)
    starts = list(accumulate(map(add, map(len, texts[:-1]), repeat(len(_SEPARATOR))), initial=0))
    found: set[int] = set()
    for pattern in (_CLASS_DIGIT_CANDIDATE, _CLASS_PLATE_CANDIDATE):
        found.update(bisect_right(starts, match.start()) - 1 for match in pattern.finditer(classes))
    at = classes.find(b"@")
    while at >= 0:
        found.add(bisect_right(starts, at) - 1)
        at = classes.find(b"@", at + 1)
    return found


class PersonalDataGuard:
    """:class:`hub.ingest.Guard` on the connector's fast detectors, behind an exact pre-filter."""

    def __init__(self) -> None:
        self.prefilter = _prefilter_applies()

    def find(self, text: str) -> list[str]:
        """The placeholder types of the personal data still in ``text`` (empty when clean)."""
        if self.prefilter and not could_hold_personal_data(text):
            return []
        return list(contains_personal_data(text))

    def find_many(self, texts: Sequence[str]) -> dict[int, list[str]]:
        """:meth:`find` of each text, for the texts that hold personal data only (by position in ``texts``)."""
        candidates = _candidates(texts) if self.prefilter and texts else None
        if candidates is None:
            return {i: found for i, text in enumerate(texts) if (found := self.find(text))}
        return {i: found for i in sorted(candidates) if (found := list(contains_personal_data(texts[i])))}
