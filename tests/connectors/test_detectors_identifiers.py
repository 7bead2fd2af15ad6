# SPDX-License-Identifier: EUPL-1.2
"""BSN (11-proef) and IBAN (mod-97) detectors: positives in every notation, decoys that fail the checksum."""

from __future__ import annotations

import random

import pytest

from connectors.detectors.identifiers import BsnDetector, IbanDetector, eleven_proof, iban_valid


def _found(detector: BsnDetector | IbanDetector, text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.find(text)]


def _valid_bsn(rng: random.Random) -> str:
    """A random BSN, checksum computed here (weights 9..2, minus the last digit)."""
    while True:
        head = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(head, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, head)) + str(check)


def test_eleven_proof_accepts_valid_and_rejects_altered_numbers() -> None:
    rng = random.Random(4)
    for _ in range(200):
        bsn = _valid_bsn(rng)
        assert eleven_proof(bsn)
        altered = bsn[:8] + str((int(bsn[8]) + 1) % 10)
        assert not eleven_proof(altered)
    assert not eleven_proof("000000000")
    assert not eleven_proof("12345")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mijn BSN is 111222333.", "111222333"),
        ("bsn: 1234.56.782", "1234.56.782"),
        ("burgerservicenummer 123 456 782 graag aanpassen", "123 456 782"),
        ("nummer 123-456-782", "123-456-782"),
        ("sofinummer 12345678 (acht cijfers)", "12345678"),  # leading zero dropped, after a BSN word
        ("BSN 012345672 klopt niet", "012345672"),
        ("bsn 123456789", "123456789"),  # mistyped, but the context says BSN
    ],
)
def test_bsn_positives(text: str, expected: str) -> None:
    assert _found(BsnDetector(), text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Artikelnummer 123456789 is niet geleverd.",  # fails the 11-proef, no BSN word
        "Het KvK-nummer is 12345678.",  # eight digits without a BSN word
        "Bel 0612345678 of 020-1234567.",  # ten-digit phone numbers
        "Op 9-1-2025 2212 euro terugbetaald",  # date followed by an amount
        "IBAN NL91ABNA0417164300",
    ],
)
def test_bsn_decoys_are_kept(text: str) -> None:
    assert _found(BsnDetector(), text) == []


def test_strict_bsn_ignores_context_rule() -> None:
    assert _found(BsnDetector(strict=True), "bsn 123456789") == []
    assert _found(BsnDetector(strict=True), "bsn 111222333") == ["111222333"]


@pytest.mark.parametrize(
    "iban",
    ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "BE68539007547034", "DE89370400440532013000",
     "GB82 WEST 1234 5698 7654 32"],
)  # fmt: skip
def test_iban_positives(iban: str) -> None:
    assert iban_valid(iban)
    text = f"Graag terugstorten op {iban} t.n.v. mij."
    assert _found(IbanDetector(), text) == [iban]


@pytest.mark.parametrize(
    "text",
    [
        "NL91ABNA0417164301 (één cijfer anders)",
        "NL91 ABNA 0417 1643 0",  # too short for NL
        "code XX12345678901234",  # unknown country
        "Ik woon in NL en bel 0612345678",
    ],
)
def test_iban_decoys_are_kept(text: str) -> None:
    assert _found(IbanDetector(), text) == []


def test_iban_stops_at_its_country_length() -> None:
    text = "NL91 ABNA 0417 1643 00 EN DAN"
    assert _found(IbanDetector(), text) == ["NL91 ABNA 0417 1643 00"]
