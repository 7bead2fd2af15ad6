# SPDX-License-Identifier: EUPL-1.2
"""The hub's personal-data guard: its pre-filter never changes the verdict of the connector's guard detectors.

:class:`hub.guard.PersonalDataGuard` skips the detectors when a text cannot hold anything they report. These tests
hold it to :func:`connectors.anonymiser.contains_personal_data` on the synthetic scrub corpus (every placeholder
type, written in many layouts), on identifiers in the layouts the detectors accept at their limits, and on texts
built by hypothesis around those limits (eight or nine digits, gaps of four or five characters, letters before
digits, dashes).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import connectors.anonymiser as anonymiser
import hub.guard as guard
from connectors.anonymiser import contains_personal_data
from connectors.detectors import BsnDetector, NameDetector
from hub.guard import PersonalDataGuard, could_hold_personal_data

GUARD = PersonalDataGuard()
BENCH = Path(__file__).resolve().parents[2] / "bench"


def _corpus_module() -> ModuleType:
    if "scrub_corpus" in sys.modules:
        return sys.modules["scrub_corpus"]
    spec = importlib.util.spec_from_file_location("scrub_corpus", BENCH / "scrub_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scrub_corpus"] = module
    spec.loader.exec_module(module)
    return module


def same(text: str) -> list[str]:
    found = contains_personal_data(text)
    assert GUARD.find(text) == found, text
    if found:
        assert could_hold_personal_data(text), text
    return found


def test_the_standard_guard_uses_the_pre_filter() -> None:
    assert GUARD.prefilter


def test_same_verdict_on_the_scrub_corpus() -> None:
    corpus = _corpus_module().generate(400, seed=11)
    found = [same(item.text) for item in corpus]
    skipped = [not could_hold_personal_data(item.text) for item in corpus]
    assert sum(map(bool, found)) > 100  # the corpus plants identifiers the guard knows ...
    assert any(skipped)  # ... and has texts the pre-filter lets through without a scan


@pytest.mark.parametrize(
    "text",
    [
        "Bel 06-12345678 of 06 12 34 56 78 of (06)12345678.",
        "Bel +31 (0)6 1234 5678 of 0031 6 12345678 of +32 471 12 34 56.",
        "Bel 020 - (123) 4567 terug.",  # four characters between two digits of one run
        "Belgisch: 0471/12.34.56 en 03 123 45 67.",
        "BSN 1234.56.782, 123 456 782, 12.34.56.782 en 123456782.",
        "IBAN NL91ABNA0417164300 en NL91 ABNA 0417 1643 00 en be68539007547034.",
        "Post naar 1012 AB 12, 1012AB, 3011 ab nr. 4 of 9999 ZZ,  7-II.",
        "Kentekens 12-ABC-3, ab-123-c, X-99-XXX en 12ABC3.",
        "Mail j.de.vries@example.nl of @jansen.",
        "Om 22.30 uur, € 123,45 op 14 maart 2025; lijn 18 naar de A12 (2 x).",
        "Nummers 12345678 en 1234 5678 9 en 1 2 3 4 5 6 7 8 9 en 1-2-3-4-5-6-7-8-9.",
        "Geen cijfers, wel een streepje - en een @ los.",
    ],
)
def test_same_verdict_at_the_limits_of_the_detectors(text: str) -> None:
    same(text)


def test_an_iban_with_only_its_check_digits_is_caught() -> None:
    # A bank account number of letters (valid for the mod-97 check) holds two digits only, far from nine.
    iban = _corpus_module().make_iban("GB", "WESTABCDEFGHIJKLMN")
    assert same(f"Rekening {iban} graag.") == ["IBAN"]
    assert same(f"Rekening {iban[:4].lower()}{iban[4:]}.") == ["IBAN"]


_SEPARATORS = ("", " ", "-", ".", "/", " - ", " (", ") ", " - (", "(", ")", "  ", "\t", "ab", " uur ", ",", "     ")
_TOKENS = (
    "06", "020", "0031", "+31", "+32", "(0)6", "1234", "5678", "12", "34", "567", "78", "9", "0", "111222333",
    "123456782", "NL91ABNA0417164300", "NL91", "ABNA", "0417", "1643", "00", "1012", "AB", "ab", "nr.", "X", "ABC",
    "12-ABC-3", "@", "jan@example.nl", "€", "straat", "2025", "BSN", "é", "٣",
)  # fmt: skip
_pieces = st.lists(st.tuples(st.sampled_from(_TOKENS), st.sampled_from(_SEPARATORS)), max_size=14)


@settings(max_examples=600, deadline=None)
@given(_pieces)
def test_same_verdict_on_texts_built_around_the_limits(pieces: list[tuple[str, str]]) -> None:
    same("".join(token + separator for token, separator in pieces))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 -./()+@,ABNLabxz", max_size=60))
def test_same_verdict_on_dense_random_texts(text: str) -> None:
    same(text)


def test_other_guard_detectors_switch_the_pre_filter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pre-filter is derived from the strict detectors; a laxer or an extra detector gets every text scanned.
    monkeypatch.setitem(anonymiser.GUARD_DETECTORS, "bsn", BsnDetector)
    assert not PersonalDataGuard().prefilter
    monkeypatch.undo()
    monkeypatch.setitem(anonymiser.GUARD_DETECTORS, "name", NameDetector)
    assert not PersonalDataGuard().prefilter


# The digit pre-filter as first written, one alternative per detector; the guard's form only tries less per digit.
_PLAIN_DIGIT_CANDIDATE = re.compile(
    r"\d(?:(?:\D{0,4}\d){8}|(?<=[A-Za-z]{2}\d)\d|(?<=[1-9])\d{3}\s?[A-Za-z]{2}(?!\w),?\s(?:nr\.?\s?)?\d)"
)
_DIGITS_AND_GAPS = "0123456789 -./()+,ABNLZabnrx\n\u00a0"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=_DIGITS_AND_GAPS + "\u0663\uff11é€", max_size=50))
def test_the_digit_pre_filter_matches_where_its_plain_form_does(text: str) -> None:
    plain = _PLAIN_DIGIT_CANDIDATE.search(text) is not None
    assert (guard._DIGIT_CANDIDATE.search(text) is not None) == plain
    if text.isascii():  # the faster form for ASCII texts, where \d is [0-9]
        assert (guard._ASCII_DIGIT_CANDIDATE.search(text) is not None) == plain


def test_digits_beyond_ascii_still_reach_the_detectors() -> None:
    text = "Bel \u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668 terug."  # Arabic-Indic digits
    assert guard._ASCII_DIGIT_CANDIDATE.search(text) is None
    assert could_hold_personal_data(text)
    same(text)


# --- a batch's texts at once -------------------------------------------------------------------------------------
def many(texts: list[str]) -> dict[int, list[str]]:
    """find_many must give exactly find() of each text (by position, the clean ones left out)."""
    found = GUARD.find_many(texts)
    assert found == {i: verdict for i, text in enumerate(texts) if (verdict := contains_personal_data(text))}
    candidates = guard._candidates(texts)
    if candidates is not None:  # never fewer than the per-text pre-filter lets through
        assert candidates >= {i for i, text in enumerate(texts) if could_hold_personal_data(text)}
    return found


def test_find_many_on_the_scrub_corpus() -> None:
    texts = [item.text for item in _corpus_module().generate(400, seed=12)]
    assert len(many(texts)) > 100
    assert many([]) == {} and many([""]) == {}


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces.map(lambda pieces: "".join(token + separator for token, separator in pieces)), max_size=8))
def test_find_many_gives_find_of_each_text_built_around_the_limits(texts: list[str]) -> None:
    many(texts)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_DIGITS_AND_GAPS + "@é€’🚲?#_\u00a0\u0663", max_size=40), max_size=6))
def test_find_many_gives_find_of_each_dense_random_text(texts: list[str]) -> None:
    many(texts)


@pytest.mark.parametrize(
    "texts",
    [
        ["Bel 0612", "345678 terug"],  # nine digits only when two texts are read as one
        ["Post naar 1012", "AB 12 graag"],
        ["Rekening NL", "91 en meer"],
        ["Kenteken 12-", "AB-3 gezien"],
        ["Tussen 1 2 3 4", "5 6 7 8 9 in"],
    ],
)
def test_no_candidate_spans_two_texts(texts: list[str]) -> None:
    assert not any(could_hold_personal_data(text) for text in texts)
    assert guard._candidates(texts) == set()
    assert many(texts) == {} and guard._candidates(["".join(texts)]) == {0}


def test_digits_or_white_space_beyond_ascii_send_every_text_to_the_per_text_filter() -> None:
    # The classes read a character beyond ASCII as "#"; for a digit or white space that would be wrong.
    for odd in ("\u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "1012 AB\u00a012"):
        texts = ["Schoon, met € 12,50 en café.", f"Post {odd} terug."]
        assert guard._candidates(texts) is None
        many(texts)
    assert many(["Schoon, met € 12,50.", "Post 1012 AB\u00a012 terug."]) == {1: ["POSTCODE"]}


def test_texts_with_lone_surrogates_and_astral_characters_are_read_per_character() -> None:
    texts = ["Fiets 🚲🚲 weg, bel 06-12345678", "kapot \ud800 teken", "🚲" * 5 + "06 1234 5678"]
    assert set(many(texts)) == {0, 2}
