# SPDX-License-Identifier: EUPL-1.2
"""Birth dates are removed; event dates stay."""

from __future__ import annotations

import pytest

from connectors.detectors.dates import BirthDateDetector


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in BirthDateDetector(this_year=2025).find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("geboren op 12-03-1985 te Rotterdam", "12-03-1985"),
        ("geb. 12 maart 1985", "12 maart 1985"),
        ("Geboortedatum: 1985-03-12", "1985-03-12"),
        ("geboortejaar 1985", "1985"),
        ("Geboren: 03/04/85.", "03/04/85"),
        ("ik ben jarig op 3 mei", "3 mei"),
        ("Jan (12 mrt 1962) woont hier", "12 mrt 1962"),  # plausible birth year, no event word
        ("mijn zoon, geb. 1-2-2001", "1-2-2001"),
    ],
)
def test_birth_dates(text: str, expected: str) -> None:
    assert _found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "sinds 1 januari krijg ik niets",
        "op 3 maart heb ik gebeld",
        "sinds 1 januari 2005 woon ik hier",  # old, but an event word stands before it
        "per 1-7-2024 gestopt",
        "op 12-03-2024 om 10.30 uur",
        "in 2019 verhuisd, artikel 4:17 Awb",
        "Geboren op 1-2-1980. Sinds 3 maart 2024 is alles anders",  # only the first date after the birth word
    ],
)
def test_event_dates_are_kept(text: str) -> None:
    found = _found(text)
    assert found in ([], ["1-2-1980"])
    assert "3 maart 2024" not in found and "sinds" not in " ".join(found)


def test_birth_context_does_not_cross_a_sentence() -> None:
    assert _found("Ik ben geboren in Gouda. Op 3 maart 2024 belde ik.") == []
