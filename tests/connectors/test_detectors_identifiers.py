# SPDX-License-Identifier: EUPL-1.2
"""BSN (11-proef), rijksregisternummer and IBAN (mod-97) detectors: positives in every notation, decoys that fail
the checksum."""

from __future__ import annotations

import random

import pytest

from connectors.detectors.identifiers import BsnDetector, IbanDetector, RrnDetector, eleven_proof, iban_valid, rrn_valid


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


# --- rijksregisternummer ----------------------------------------------------------------------------------------
def _rrn(yymmdd: str, serial: str, born_2000: bool) -> str:
    """A rijksregisternummer, check digits computed here: 97 - (["2"] + first nine digits) mod 97."""
    body = yymmdd + serial
    return body + f"{97 - int(('2' if born_2000 else '') + body) % 97:02d}"


def _rrn_found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in RrnDetector().find(text)]


def test_rrn_checksum_before_and_after_2000() -> None:
    before, after = _rrn("850730", "033", False), _rrn("050312", "124", True)
    assert before == "85073003328"  # the number on the sample identity card
    assert rrn_valid(before) and rrn_valid(after)
    assert not rrn_valid(before[:9] + f"{(int(before[9:]) % 97) + 1:02d}")  # other check digits
    assert not rrn_valid(_rrn("851330", "033", False))  # month 13
    assert not rrn_valid(_rrn("850732", "033", False))  # day 32
    assert not rrn_valid(_rrn("850730", "000", False))  # serial 000
    assert rrn_valid(_rrn("852730", "033", False))  # bis number: month + 20
    assert not rrn_valid("8507300332")


@pytest.mark.parametrize(
    "notation",
    ["{0}{1}.{2}{3}.{4}{5}-{6}{7}{8}.{9}{10}", "{0}{1}{2}{3}{4}{5} {6}{7}{8} {9}{10}",
     "{0}{1}{2}{3}{4}{5}{6}{7}{8}{9}{10}", "{0}{1}{2}{3}{4}{5}-{6}{7}{8}-{9}{10}"],
)  # fmt: skip
@pytest.mark.parametrize("born_2000", [False, True])
def test_rrn_positives(notation: str, born_2000: bool) -> None:
    rng = random.Random(7)
    for _ in range(25):
        digits = _rrn(f"{rng.randrange(100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}",
                      f"{rng.randrange(1, 998):03d}", born_2000)  # fmt: skip
        value = notation.format(*digits)
        assert _rrn_found(f"Mijn rijksregisternummer is {value}, graag aanpassen.") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Bestelnummer 85073003329 is nooit geleverd.",  # check digits off by one
        "Ondernemingsnummer 0412.345.614 van de aannemer.",  # ten digits
        "Bel +32 850 73 00 33 28 of 0032 471 23 45 67.",  # phone numbers
        "Op 30-07-1985 om 10.30 uur, € 1.250,00.",
        "IBAN BE68539007547034",
        "Het pakket 8507300332 8 ligt er nog.",  # wrong grouping
    ],
)
def test_rrn_decoys_are_kept(text: str) -> None:
    assert _rrn_found(text) == []


def test_rrn_is_strict_and_placed() -> None:
    detector = RrnDetector()
    assert detector.strict and detector.placeholder == "RRN" and detector.name == "rrn"
