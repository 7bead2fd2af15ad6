# SPDX-License-Identifier: EUPL-1.2
"""Street + house number and postcode detectors."""

from __future__ import annotations

import pytest

from connectors.detectors.address import AddressDetector, PostcodeDetector


def _found(detector: AddressDetector | PostcodeDetector, text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ik woon op de Kerkstraat 12a in Rotterdam.", "Kerkstraat 12a"),
        ("Adres: Van der Helststraat 4-II, Amsterdam", "Van der Helststraat 4-II"),
        ("adres: Laan van Meerdervoort 102 bis, Den Haag", "Laan van Meerdervoort 102 bis"),
        ("Willem de Zwijgerlaan 7 hs", "Willem de Zwijgerlaan 7 hs"),
        ("Burgemeester de Vlugtlaan 123, 1063 BJ", "Burgemeester de Vlugtlaan 123"),
        ("aan de Prins Hendrikkade 99-1", "Prins Hendrikkade 99-1"),
        ("1e Oosterparkstraat 3 III", "1e Oosterparkstraat 3 III"),
        ("ik woon op kerkstraat 12 te utrecht", "kerkstraat 12"),
        ("Hoofdweg 12 B", "Hoofdweg 12 B"),
        ("Coolsingel 40", "Coolsingel 40"),
        ("Julianalaan 192 3 hoog.", "Julianalaan 192 3 hoog"),
    ],
)
def test_addresses(text: str, expected: str) -> None:
    assert _found(AddressDetector(), text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Het afval ligt op de Coolsingel.",  # a street without a number is a place
        "Ik reed 2 keer over de snelweg 3 keer per dag",
        "in Rotterdam 3 keer gebeld",
        "de A12 bij Rotterdam, artikel 4:17 Awb, € 1.250,00",
        "In Rotterdam 2024 was het druk.",  # a place name, not a street
        "Ik woon in Amsterdam 12 jaar",
        "Kerkstraat 12 jaar geleden",
    ],
)
def test_address_decoys_are_kept(text: str) -> None:
    assert _found(AddressDetector(), text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3011 AB Rotterdam", "3011 AB"),
        ("postcode 3011ab", "3011ab"),
        ("Postcode en huisnummer: 3011 ab 12.", "3011 ab 12"),
        ("1234AB 5, Ergens", "1234AB 5"),
        ("Kerkstraat 12, 1012 mt amsterdam", "1012 mt"),
        ("ik woon aan de kerkstraat 12, 1176el lelystad", "1176el"),  # word letters against the digits
        ("ik woon aan de kerkstraat 12, 7645 na eindhoven", "7645 na"),  # word letters before a known place
    ],
)
def test_postcodes(text: str, expected: str) -> None:
    assert _found(PostcodeDetector(), text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "in 2019 op 3 maart",
        "sinds 2020 is het erger",
        "Ik woon sinds 2012 in Nieuw-West",
        "1200 MB aan data",
        "€ 1250 en 4000 PK",
        "SA 1234 SS 9999SD",
        "geboren in 1985 te Rotterdam",
        "sinds 2012 in Rotterdam en 2019 en Breda",
    ],
)
def test_postcode_decoys_are_kept(text: str) -> None:
    assert _found(PostcodeDetector(), text) == []


def test_postcode_with_house_number_only() -> None:
    strict = PostcodeDetector(require_house_number=True)
    assert _found(strict, "3011 AB Rotterdam") == []
    assert _found(strict, "3011 AB 12 Rotterdam") == ["3011 AB 12"]
