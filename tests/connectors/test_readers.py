# SPDX-License-Identifier: EUPL-1.2
"""Choosing a reader, the READERS table, whole-file errors, and JSON Lines already in the standard's shape."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from connectors.mapping import FORMATS, parse_mapping
from connectors.readers import READERS, ReadIssue, ReadReport, choose_format, iter_read, read_signals
from governance.errors import InvalidInputError
from governance.standard import validate
from tests.connectors.reader_support import DATA, PERSONAL_DATA, SAMPLES, line_of, read_sample, scrubber, serialised
from tests.factories import make_signal, make_signals, write_jsonl

STANDARD = DATA / "standard-signals.jsonl"


def test_every_format_has_a_reader() -> None:
    assert set(READERS) == set(FORMATS)
    for name, factory in READERS.items():
        reader = factory()
        assert reader.name == name
        assert callable(reader.records)


@pytest.mark.parametrize(
    ("file", "expected"),
    [("a.csv", "csv"), ("a.TSV", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl")],
)
def test_format_from_the_extension(file: str, expected: str) -> None:
    assert choose_format(Path(file), None) == expected


def test_format_order_flag_then_mapping_then_extension() -> None:
    with (DATA / "kto-uwv.mapping.toml").open("rb") as handle:
        mapping = parse_mapping(tomllib.load(handle))
    assert choose_format(Path("x.csv"), mapping) == "kto"
    assert choose_format(Path("x.csv"), mapping, "csv") == "csv"
    with pytest.raises(InvalidInputError, match="unknown format 'xlsx'"):
        choose_format(Path("x.csv"), None, "xlsx")
    with pytest.raises(InvalidInputError, match="cannot tell the format"):
        choose_format(Path("x.txt"), None)


def test_json_exports_are_recognised_by_their_fields(tmp_path: Path) -> None:
    assert choose_format(DATA / "signalen-export.json", None) == "signalen"
    assert choose_format(DATA / "open311-requests.json", None) == "open311"
    other = tmp_path / "other.json"
    other.write_text('[{"foo": 1}]', encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        choose_format(other, None)
    assert info.value.code == "unknown-format"


def test_whole_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as missing:
        read_signals(tmp_path / "nope.csv", DATA / "gemeente-utrecht.mapping.toml", scrubber())
    assert missing.value.code == "file-not-found"
    with pytest.raises(InvalidInputError) as no_mapping:
        read_signals(DATA / "gemeente-utrecht.csv", None, scrubber())
    assert no_mapping.value.code == "mapping-missing"


def test_every_sample_record_is_either_a_valid_signal_or_an_issue() -> None:
    for reader, (export, _) in SAMPLES.items():
        signals, report = read_sample(reader)
        assert report.records == report.signals + report.skipped, reader
        assert len(signals) == report.signals and len(report.issues) == report.skipped
        assert all(validate(s) == [] for s in signals), reader
        assert all(issue.file == export for issue in report.issues)
        assert [p for p in PERSONAL_DATA[export] if p in serialised(signals)] == [], reader


def test_report_as_dict() -> None:
    report = ReadReport()
    report.records = 2
    report.signals = 1
    report.skip(ReadIssue("a.csv", 3, "text is empty"))
    assert report.as_dict() == {
        "records": 2,
        "signals": 1,
        "skipped": 1,
        "issues": [{"file": "a.csv", "line": 3, "reason": "text is empty"}],
    }
    assert str(report.issues[0]) == "a.csv:3: text is empty"


def test_standard_jsonl_is_scrubbed_again_and_validated() -> None:
    signals, report = read_sample("standard")
    assert (report.records, report.signals, report.skipped) == (16, 12, 4)
    assert set(report.issues) == {
        ReadIssue(STANDARD.name, 4, report.issues[0].reason),
        ReadIssue(STANDARD.name, 8, "does not conform to the standard: /: missing required field 'kind'"),
        ReadIssue(
            STANDARD.name,
            9,
            "does not conform to the standard: /location: unexpected field 'address', 'lat', 'lon' "
            "(not allowed by the standard)",
        ),
        ReadIssue(STANDARD.name, 11, "text is empty"),
    }
    assert report.issues[0].reason.startswith("not valid JSON (Unterminated string")
    originals = [json.loads(line) for line in STANDARD.read_text(encoding="utf-8").splitlines()[:3]]
    for original, signal in zip(originals, signals, strict=False):
        assert signal["id"] == original["id"]  # ids assigned at the source are kept
        assert signal["published_at"] == original["published_at"]
        assert signal["category"] == original["category"]
    assert "[" in signals[0]["text"] and "els.peeters@telenet.be" not in signals[0]["text"]
    assert signals[0]["privacy"]["anonymiser"] != "gent-scrubber"
    assert [p for p in PERSONAL_DATA[STANDARD.name] if p in serialised(signals)] == []
    assert line_of(STANDARD, '"Afgebroken regel') == 4


def test_standard_jsonl_keeps_earlier_placeholder_counts(tmp_path: Path) -> None:
    earlier = make_signal(text="Gesprek met [NAAM] over de lantaarnpaal.")
    earlier["privacy"] = {"anonymiser": "eigen", "version": "1.0.0", "placeholders": {"NAAM": 1}}
    unpublished = make_signal()
    del unpublished["published_at"]
    path = write_jsonl(tmp_path / "signals.jsonl", [earlier, unpublished, *make_signals(3)])
    signals, report = read_signals(path, None, scrubber())
    assert report.skipped == 0 and len(signals) == 5
    assert signals[0]["privacy"]["placeholders"]["NAAM"] >= 1
    assert signals[1]["published_at"].endswith("+00:00")


def test_iter_read_streams_results_with_their_originals() -> None:
    report = ReadReport()
    results = list(
        iter_read(DATA / "gemeente-utrecht.csv", DATA / "gemeente-utrecht.mapping.toml", scrubber(), report=report)
    )
    assert len(results) == report.signals == 27
    first = results[0]
    assert "06-12345678" in first.original and "06-12345678" not in first.signal["text"]
    assert "06-12345678" not in repr(first)
    assert first.line == 2 and first.file == "gemeente-utrecht.csv"
