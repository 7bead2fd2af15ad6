# SPDX-License-Identifier: EUPL-1.2
"""Customer and case reference numbers."""

from __future__ import annotations

import pytest

from connectors.detectors.references import ReferenceDetector


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in ReferenceDetector().find(text)]


@pytest.mark.parametrize(
    "text, value, label",
    [
        ("klantnummer 1234567", "1234567", "KLANTNUMMER"),
        ("Klantnr: AB-123456.", "AB-123456", "KLANTNUMMER"),
        ("mijn klantnr. is 00973626.", "00973626", "KLANTNUMMER"),
        ("relatienummer is 98765432", "98765432", "KLANTNUMMER"),
        ("klant nr 1234567", "1234567", "KLANTNUMMER"),
        ("ons kenmerk: 2024/0012345", "2024/0012345", "REFERENTIE"),
        ("zaaknummer Z-2024-12345 ivm", "Z-2024-12345", "REFERENTIE"),
        ("dossier nr. 887766", "887766", "REFERENTIE"),
        ("uw kenmerk UIT/2024/77812", "UIT/2024/77812", "REFERENTIE"),
        ("Betalingskenmerk: 1234567890123456", "1234567890123456", "REFERENTIE"),
    ],
)
def test_references(text: str, value: str, label: str) -> None:
    assert _found(text) == [(value, label)]


@pytest.mark.parametrize(
    "text",
    ["kenmerk van de brief 12345", "zaak 12", "artikel 4:17 Awb", "De melding. 12345 mensen", "klantnummer onbekend"],
)
def test_reference_decoys_are_kept(text: str) -> None:
    assert _found(text) == []
