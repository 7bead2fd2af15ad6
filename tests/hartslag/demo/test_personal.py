# SPDX-License-Identifier: EUPL-1.2
"""Planted personal data: well-formed values, and the default anonymiser removes every one of them."""

from __future__ import annotations

import random
import re

from connectors.anonymiser import Anonymiser
from hartslag.demo import personal
from tests.hartslag.demo.support import year


def test_bsns_pass_the_eleven_proof() -> None:
    rng = random.Random(1)
    numbers = [personal.bsn(rng) for _ in range(300)]
    assert all(personal.is_valid_bsn(n) for n in numbers)
    assert not personal.is_valid_bsn("123456789")
    assert any("." in n for n in numbers) and any(n.isdigit() for n in numbers)


def test_ibans_pass_mod_97_and_the_belgian_national_check() -> None:
    rng = random.Random(2)
    for country in ("NL", "BE"):
        for _ in range(200):
            value = personal.iban(rng, country)
            assert value.startswith(country) and personal.is_valid_iban(value)
            if country == "BE":  # the last two digits check the first ten (97 instead of 0)
                digits = value.replace(" ", "")[4:]
                assert (int(digits[:10]) % 97 or 97) == int(digits[10:])
    assert not personal.is_valid_iban("NL00ABNA0417164300")


def test_phone_numbers_email_and_postcodes_have_real_shapes() -> None:
    rng = random.Random(3)
    for _ in range(200):
        dutch = re.sub(r"[\s-]", "", personal.phone(rng, "NL"))
        assert re.fullmatch(r"(0[1-9]\d{8}|\+31[1-9]\d{8})", dutch), dutch
        belgian = re.sub(r"[\s/.]", "", personal.phone(rng, "BE"))
        assert re.fullmatch(r"(04\d{8}|\+324\d{8}|09\d{7})", belgian), belgian
        first, surname, full = personal.person(rng)
        assert full == f"{first} {surname}"
        assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}", personal.email(rng, first, surname))
        assert re.fullmatch(r"3[5-9]\d\d ?[A-Z]{2} \d{1,3}[ab]?", personal.postcode(rng, ((3511, 3999),)))


def test_the_default_anonymiser_leaves_none_of_the_planted_values() -> None:
    """Every personal value planted in a text is gone after scrubbing (the brief's privacy check)."""
    scenario = year()
    pattern = re.compile("|".join(re.escape(v) for v in sorted(scenario.personal_values, key=len, reverse=True)))
    anonymiser = Anonymiser()
    holding = [s["text"] for s in scenario.signals if pattern.search(s["text"])]
    assert holding
    leaks = {value for text in holding for value in pattern.findall(anonymiser.scrub(text).text)}
    assert leaks == set()


def test_every_kind_of_personal_value_is_planted() -> None:
    values = year().personal_values
    assert any(personal.is_valid_bsn(v) for v in values)
    assert any(re.fullmatch(r"(NL|BE)\d\d[A-Z0-9 ]+", v) and personal.is_valid_iban(v) for v in values)
    assert any("@" in v for v in values)
    assert any(re.fullmatch(r"(\+31|06|0\d\d)[\d\s-]+", v) for v in values)
    assert any(re.fullmatch(r"\d{4} ?[A-Z]{2} \d+[ab]?", v) for v in values)
    assert any(re.fullmatch(r"[A-Z][\w'-]+( [\w'-]+)+", v) and "@" not in v for v in values)  # names
