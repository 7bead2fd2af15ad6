# SPDX-License-Identifier: EUPL-1.2
"""The anonymiser pipeline, the hub's fast guard, and the aggregate leak/keep check on the synthetic corpus."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from connectors.anonymiser import (
    ANONYMISER_NAME,
    ANONYMISER_VERSION,
    ANONYMISERS,
    DETECTORS,
    GUARD_DETECTORS,
    PLACEHOLDERS,
    Anonymiser,
    Detector,
    ScrubResult,
    Span,
    UnknownDetectorError,
    contains_personal_data,
    fast_guard,
    resolve,
)

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str, filename: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


corpus_module = _load("scrub_corpus", "scrub_corpus.py")
bench_module = _load("bench_anonymiser", "anonymiser.py")


@pytest.fixture(scope="module")
def anonymiser() -> Anonymiser:
    return Anonymiser()


@pytest.fixture(scope="module")
def corpus() -> list[Any]:
    return corpus_module.generate(300, corpus_module.DEFAULT_SEED)


@pytest.fixture(scope="module")
def report(corpus: list[Any], anonymiser: Anonymiser) -> dict[str, Any]:
    return bench_module.evaluate(corpus, anonymiser.scrub)


# --- pipeline -------------------------------------------------------------------------------------------------
def test_name_version_and_placeholders_are_exposed() -> None:
    assert Anonymiser.name == ANONYMISER_NAME == "hartslag-scrub"
    assert ANONYMISER_VERSION.count(".") == 2
    assert set(ANONYMISERS) == {ANONYMISER_NAME, "fast-guard"}
    assert len(set(PLACEHOLDERS)) == len(PLACEHOLDERS) == 14


def test_every_factory_builds_a_detector_with_its_name() -> None:
    for name, factory in {**DETECTORS, **GUARD_DETECTORS}.items():
        detector = factory()
        assert isinstance(detector, Detector)
        assert detector.name == name
        assert detector.placeholder in PLACEHOLDERS


def test_scrub_replaces_every_type_and_keeps_the_topic(anonymiser: Anonymiser) -> None:
    text = (
        "Klant belt ivm toeslag. Mijn naam is Jan de Vries, geboren op 12-03-1985, bsn 111222333, tel 06-12345678, "
        "mail jan@example.nl, IBAN NL91 ABNA 0417 1643 00, Kerkstraat 12a, 3011 AB Rotterdam, auto 12-ABC-3, "
        "klantnummer 1234567, ons kenmerk Z-2024-12345, zie facebook.com/jan.devries of @jantje85, rijksregisternummer "
        "85.07.30-033.28. Sinds 1 januari "
        "krijg ik € 1.250,00 te weinig van het UWV volgens artikel 4:17 Awb; om 10.30 uur op de Coolsingel."
    )
    result = anonymiser.scrub(text)
    assert isinstance(result, ScrubResult)
    for placeholder in PLACEHOLDERS:
        assert f"[{placeholder}]" in result.text, placeholder
    assert result.counts == {p: result.text.count(f"[{p}]") for p in PLACEHOLDERS}
    kept_words = ["Klant belt ivm toeslag", "Rotterdam", "Sinds 1 januari", "€ 1.250,00", "UWV", "artikel 4:17 Awb"]
    kept_words += ["om 10.30 uur", "op de Coolsingel", "Mijn naam is", "geboren op", "klantnummer", "ons kenmerk"]
    for kept in kept_words:
        assert kept in result.text, kept


def test_clean_text_is_returned_unchanged(anonymiser: Anonymiser) -> None:
    text = "Bij de bakker op de Coolsingel ligt sinds 1 januari afval; de A12 staat vast. Zie www.rotterdam.nl/afval."
    assert anonymiser.scrub(text) == ScrubResult(text, {})


def test_scrubbing_is_idempotent(anonymiser: Anonymiser, corpus: list[Any]) -> None:
    for item in corpus[:100]:
        once = anonymiser.scrub(item.text).text
        twice = anonymiser.scrub(once)
        assert twice.text == once
        assert twice.counts == {}


def test_resolve_prefers_longer_then_higher_priority() -> None:
    spans = [
        Span(0, 10, "TELEFOON", 50),
        Span(0, 22, "IBAN", 60),
        Span(30, 39, "BSN", 50),
        Span(30, 39, "KLANTNUMMER", 80),
    ]
    assert resolve(spans) == [Span(0, 22, "IBAN", 60), Span(30, 39, "KLANTNUMMER", 80)]
    assert resolve([Span(5, 5, "NAAM")]) == []


def test_substitution_right_to_left_keeps_offsets() -> None:
    class Fixed:
        name = "fixed"
        placeholder = "NAAM"

        def find(self, text: str) -> list[Span]:
            return [Span(0, 3, "NAAM"), Span(8, 11, "NAAM"), Span(4, 7, "BSN")]

    assert Anonymiser([Fixed()]).scrub("abc def ghi!") == ScrubResult("[NAAM] [BSN] [NAAM]!", {"NAAM": 2, "BSN": 1})


def test_detectors_chosen_by_name() -> None:
    only_phone = Anonymiser(["phone"])
    assert only_phone.scrub("Jan, 0612345678").text == "Jan, [TELEFOON]"
    with pytest.raises(UnknownDetectorError) as info:
        Anonymiser(["phone", "no-such-detector"])
    assert info.value.code == "unknown-detector"


# --- the hub's guard ------------------------------------------------------------------------------------------
def test_fast_guard_uses_only_well_formed_detectors() -> None:
    guard = fast_guard()
    assert {d.name for d in guard.detectors} == {"bsn", "rrn", "iban", "phone", "email", "postcode", "licence_plate"}
    text = "Jan de Vries, geboren 12-03-1985, klantnummer 1234567, bsn 123456789, 3011 AB Rotterdam, AB123C"
    assert contains_personal_data(text) == []  # names, dates, references, context-only BSN, bare postcode: not guarded


def test_contains_personal_data_reports_types_only() -> None:
    text = "bsn 111222333, 06-12345678, a@b.nl, NL91ABNA0417164300, 3011 AB 12, 12-ABC-3"
    assert contains_personal_data(text) == sorted(["BSN", "TELEFOON", "E-MAIL", "IBAN", "POSTCODE", "KENTEKEN"])
    assert contains_personal_data("Op de Coolsingel ligt afval sinds 1 januari.") == []
    assert contains_personal_data("Rijksregisternummer 85.07.30-033.28 graag nakijken") == ["RRN"]


# --- corpus generator -----------------------------------------------------------------------------------------
def test_generator_is_deterministic_and_checksums_are_valid() -> None:
    a = corpus_module.generate(60, 3)
    b = corpus_module.generate(60, 3)
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.text for x in a] != [x.text for x in corpus_module.generate(60, 4)]
    for item in corpus_module.generate(600, 5):
        for kind, value in item.planted:
            assert value in item.text, (kind, value)
            digits = "".join(c for c in value if c.isdigit())
            if kind == "BSN":
                assert corpus_module.bsn_ok(digits)
            if kind == "IBAN":
                compact = value.replace(" ", "").upper()
                assert int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97 == 1
            if kind == "RRN":
                assert corpus_module.rrn_ok(digits)
        for category, value in item.keep:
            assert value in item.text, (category, value)
            if category == "decoy_number" and len(value) == 9:
                assert not corpus_module.bsn_ok(value)
            if category == "decoy_number" and len(value) == 11:
                assert not corpus_module.rrn_ok(value)
            if category == "decoy_number" and value.count(".") == 2:  # Belgian enterprise number, valid on purpose
                assert corpus_module.kbo_ok(value.replace(".", ""))


def test_generator_covers_every_type_and_category(corpus: list[Any]) -> None:
    kinds = {k for item in corpus for k, _ in item.planted}
    categories = {c for item in corpus for c, _ in item.keep}
    assert kinds == set(PLACEHOLDERS)
    assert {"topic", "place", "organisation", "event_date", "amount", "law_reference", "time", "quantity",
            "decoy_number", "url", "unlisted", "everyday"} <= categories  # fmt: skip
    assert any(item.sloppy for item in corpus)


# --- aggregate quality on the real corpus ---------------------------------------------------------------------
def test_overall_leak_at_most_one_percent(report: dict[str, Any]) -> None:
    assert report["leak_pct_overall"] <= 1.0, report["leak"]


def test_every_type_leaks_at_most_one_percent(report: dict[str, Any]) -> None:
    assert set(report["leak"]) == set(PLACEHOLDERS)
    for kind, row in report["leak"].items():
        assert row["leak_pct"] <= 1.0, (kind, row)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_goal_holds_on_seeds_one_to_five(seed: int, anonymiser: Anonymiser) -> None:
    # The goal of the issue, on the benchmark's own corpus size: at most 1 % of the planted values of every type
    # survive, and at least 98 % of every listed keep category stays (the unlisted places and organisations, which
    # no list knows, at least 90 %).
    result = bench_module.evaluate(corpus_module.generate(800, seed), anonymiser.scrub)
    for kind, row in result["leak"].items():
        assert row["leak_pct"] <= 1.0, (seed, kind, row)
    for category, row in result["keep"].items():
        assert row["keep_pct"] >= (90.0 if category == "unlisted" else 98.0), (seed, category, row)


def test_keep_words_kept(report: dict[str, Any]) -> None:
    assert report["keep_pct_overall"] >= 98.0
    for category, row in report["keep"].items():
        # "unlisted": places and organisations absent from the allow-list (the honest generalisation figure)
        limit = 90.0 if category == "unlisted" else 98.0
        assert row["keep_pct"] >= limit, (category, row)


def test_no_planted_value_survives_verbatim(corpus: list[Any], anonymiser: Anonymiser) -> None:
    survived: dict[str, int] = {}
    total: dict[str, int] = {}
    for item in corpus:
        out = anonymiser.scrub(item.text).text
        for kind, value in item.planted:
            total[kind] = total.get(kind, 0) + 1
            whole_word = re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", out) is not None
            if whole_word:
                survived[kind] = survived.get(kind, 0) + 1
    assert set(total) == set(PLACEHOLDERS)
    for kind in PLACEHOLDERS:
        if kind == "NAAM":  # unknown lower-case names without any context can survive; see docs/benchmarks.md
            assert survived.get(kind, 0) / total[kind] <= 0.01
        else:
            assert survived.get(kind, 0) == 0, kind


def test_throughput_is_far_from_quadratic(anonymiser: Anonymiser, corpus: list[Any]) -> None:
    texts = [item.text for item in corpus]
    rng = random.Random(1)
    rng.shuffle(texts)
    start = time.process_time()
    for text in texts:
        anonymiser.scrub(text)
    per_second = len(texts) / max(time.process_time() - start, 1e-9)
    assert per_second >= 500  # the benchmark measures ~4,000/s; this only catches gross regressions


def test_factory_texts_are_clean(anonymiser: Anonymiser) -> None:
    from tests.factories import make_signals

    for signal in make_signals(40):
        assert anonymiser.scrub(signal["text"]).text == signal["text"]
