# SPDX-License-Identifier: EUPL-1.2
"""Phone, e-mail, URL and handle detectors."""

from __future__ import annotations

import pytest

from connectors.detectors.contact import EmailDetector, HandleDetector, PhoneDetector, UrlDetector


def _found(detector: object, text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.find(text)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "phone",
    [
        "06-12345678", "06 1234 5678", "0612345678", "06 12 34 56 78", "+31 6 12345678", "+31(0)6 12345678",
        "+31 (0)6-12345678", "0031 6 12345678", "+31612345678", "020-1234567", "(020) 123 45 67", "010 - 123 4567",
        "0341-123456", "(0341) 12 34 56", "+32 471 12 34 56", "+49 30 12345678", "02/123.45.67",
        # Flemish: mobiles, single- and two-digit zones, international forms
        "0471 23 45 67", "0471/23.45.67", "0471 234 567", "0471234567", "+32 (0)471 23 45 67", "0032 471 23 45 67",
        "09 123 45 67", "09/123.45.67", "09-123 45 67", "(09) 123 45 67", "09 2345678", "03 123 45 67",
        "051 12 34 56", "051/12.34.56", "051/123456", "+32 9 123 45 67", "0032 9 123 45 67",
    ],
)  # fmt: skip
def test_phone_notations(phone: str) -> None:
    assert _found(PhoneDetector(), f"Bel mij op {phone}, liefst na 17 uur.") == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "Ik belde 0800-1234 en 0900-1234567.",  # information numbers of organisations
        "€ 1.250,00 op 12-03-1985 om 10.30 uur",
        "artikel 4:17 Awb, de A12, 14 020",
        "ordernummer 1234567890123",
        "ondernemingsnummer 0412.345.614 en BE 0403.170.701",  # Belgian enterprise numbers (mod-97 valid)
        "BSN 012345672 klopt niet",  # a BSN with a leading zero, not a Belgian landline
    ],
)
def test_phone_decoys_are_kept(text: str) -> None:
    assert _found(PhoneDetector(), text) == []


def test_email() -> None:
    text = "Mail jan.de-vries+gemeente@ziggo.nl of INFO@Example.COM."
    assert _found(EmailDetector(), text) == ["jan.de-vries+gemeente@ziggo.nl", "INFO@Example.COM"]
    assert _found(EmailDetector(), "bij @UWV en op de Coolsingel") == []


@pytest.mark.parametrize(
    "url",
    [
        "facebook.com/jan.jansen",
        "https://www.facebook.com/profile.php?id=100012345678",
        "www.linkedin.com/in/fatima-el-amrani-1234",
        "instagram.com/sanne_b",
        "https://mijn.gemeente.nl/zaak?id=778812",
        "https://wa.me/31612345678",
        "mijnsite.nl/sanne-bakker/",
    ],
)
def test_personal_urls(url: str) -> None:
    assert _found(UrlDetector(), f"Zie {url}.") == [url]


@pytest.mark.parametrize(
    "text",
    ["Zie www.rotterdam.nl/afval.", "Op https://www.uwv.nl/particulieren staat het", "mijnoverheid.nl", "facebook.com"],
)
def test_information_urls_are_kept(text: str) -> None:
    assert _found(UrlDetector(), text) == []


def test_handles() -> None:
    text = "Stuur een bericht naar @jan_jansen85 of @sanne.b; @UWV en @gemeenterotterdam lezen mee. Mail a@b.nl"
    assert _found(HandleDetector(), text) == ["@jan_jansen85", "@sanne.b"]


def test_enterprise_number_needs_its_check_digits() -> None:
    # 0412.345.614 passes the mod-97 check of the KBO; with other check digits the same layout may be a phone.
    assert 97 - 4123456 % 97 == 14
    assert _found(PhoneDetector(), "bel 0412.345.679 terug") == ["0412.345.679"]
