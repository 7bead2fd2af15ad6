# SPDX-License-Identifier: EUPL-1.2
"""Licence plates in every Dutch side-code."""

from __future__ import annotations

import pytest

from connectors.detectors.vehicle import SIDE_CODES, LicencePlateDetector


def _found(detector: LicencePlateDetector, text: str) -> list[str]:
    return sorted({text[s.start : s.end] for s in detector.find(text)})


def _plate(code: tuple[str, str, str], sep: str) -> str:
    letters, digits = iter("GHJKLNPRSTXZBD" * 2), iter("1234567890" * 2)
    return sep.join("".join(next(letters) if c == "L" else next(digits) for c in group) for group in code)


@pytest.mark.parametrize("side_code", sorted(SIDE_CODES))
def test_every_side_code_dashed(side_code: int) -> None:
    plate = _plate(SIDE_CODES[side_code], "-")
    assert _found(LicencePlateDetector(), f"De auto {plate} staat er al weken.") == [plate]
    assert _found(LicencePlateDetector(), f"de auto {plate.lower()} staat er") == [plate.lower()]


@pytest.mark.parametrize("side_code", [c for c in sorted(SIDE_CODES) if c != 2])
def test_every_side_code_compact_upper_case(side_code: int) -> None:
    plate = _plate(SIDE_CODES[side_code], "")
    assert _found(LicencePlateDetector(), f"Het gaat om {plate} op de stoep.") == [plate]


def test_spaced_and_lower_case_plates_after_a_vehicle_word() -> None:
    assert _found(LicencePlateDetector(), "kenteken 12 abc 3 staat fout") == ["12 abc 3"]
    assert _found(LicencePlateDetector(), "kenteken: xy12zz") == ["xy12zz"]


@pytest.mark.parametrize(
    "text",
    [
        "de A12 en de N201",
        "postcode 1234AB",
        "geboren 12-03-1985",
        "e-mail en t-shirt",
        "artikel 4:17 Awb",
        "ABC123DEF",
    ],
)
def test_plate_decoys_are_kept(text: str) -> None:
    assert _found(LicencePlateDetector(), text) == []


def test_words_after_a_vehicle_word_are_no_plate() -> None:
    assert _found(LicencePlateDetector(), "de bus van lijn 15 rijdt nooit op tijd") == []
    assert _found(LicencePlateDetector(), "mijn auto is kapot, al 12 dagen") == []


def test_strict_plates_are_dashed_only() -> None:
    strict = LicencePlateDetector(strict=True)
    assert _found(strict, "AB123C en 12-ABC-3") == ["12-ABC-3"]
