# SPDX-License-Identifier: EUPL-1.2
"""The KTO reader on the UWV sample: one survey-answer signal per non-empty answer, the mark as sentiment."""

from __future__ import annotations

import csv
from pathlib import Path

from connectors.readers import ReadIssue, read_signals
from connectors.records import stable_id
from governance.standard import validate
from tests.connectors.reader_support import (
    DATA,
    PERSONAL_DATA,
    line_of,
    make_mapping,
    read_sample,
    scrubber,
    serialised,
)

EXPORT = DATA / "kto-uwv.csv"
ANSWERS = ("Toelichting op uw cijfer", "Wat kunnen we beter doen?")
BROKEN = {"R-26-000110", "R-26-000111", "R-26-000112", "R-26-000113", "R-26-000114"}


def _rows() -> list[dict[str, str]]:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _answer_id(respondent: str, column: str) -> str:
    return stable_id("UWV", "KTO klantcontact", f"{respondent}#{column}")


def test_one_signal_per_non_empty_answer() -> None:
    signals, report = read_sample("kto")
    good = [r for r in _rows() if r["RespondentID"] not in BROKEN]
    expected = {_answer_id(r["RespondentID"], c) for r in good for c in ANSWERS if r[c].strip()}
    assert {s["id"] for s in signals} == expected
    assert report.signals == len(expected) == 38
    for signal in signals:
        assert validate(signal) == [], signal["id"]
        assert signal["kind"] == "survey_answer"
        assert signal["source"]["channel"] == "customer_survey"
        assert signal["source"]["organisation_kind"] == "national_agency"
        assert "location" not in signal


def test_the_mark_becomes_the_sentiment_of_each_answer() -> None:
    signals, _ = read_sample("kto")
    by_id = {s["id"]: s for s in signals}
    for row in _rows():
        if row["RespondentID"] in BROKEN:
            continue
        mark = float(row["Rapportcijfer"].replace(",", "."))
        expected = "negative" if mark <= 5.5 else "positive" if mark >= 8 else "neutral"
        for column in ANSWERS:
            if row[column].strip():
                assert by_id[_answer_id(row["RespondentID"], column)]["sentiment"] == expected


def test_categories_and_dates() -> None:
    signals, _ = read_sample("kto")
    wia = next(s for s in signals if s["id"] == _answer_id("R-26-000103", ANSWERS[0]))
    assert wia["category"] == {
        "scheme": "uwv-kto-dienst",
        "code": "WIA",
        "label": "Wet werk en inkomen naar arbeidsvermogen (WIA)",
    }
    assert wia["themes"] == ["uitkeringen", "gezondheid"]
    assert wia["observed_at"] == "2026-01-09T00:00:00+01:00"


def test_broken_respondents_are_reported() -> None:
    _, report = read_sample("kto")
    assert set(report.issues) == {
        ReadIssue(EXPORT.name, line_of(EXPORT, "R-26-000110"), "score is not a number"),
        ReadIssue(EXPORT.name, line_of(EXPORT, "R-26-000111"), "score is outside the scale 1..10"),
        ReadIssue(
            EXPORT.name, line_of(EXPORT, "R-26-000112"), "observed_at is not a date-time in the date_format '%d-%m-%Y'"
        ),
        ReadIssue(EXPORT.name, line_of(EXPORT, "R-26-000113"), "text is empty in every answer column"),
        ReadIssue(
            EXPORT.name, line_of(EXPORT, "R-26-000114"), "category 'Toeslagen' is not in the mapping's [categories]"
        ),
    }


def test_no_planted_personal_data_leaves_and_ids_are_stable() -> None:
    first, _ = read_sample("kto")
    second, _ = read_sample("kto")
    assert [s["id"] for s in first] == [s["id"] for s in second]
    everything = serialised(first)
    assert [p for p in PERSONAL_DATA[EXPORT.name] if p in everything] == []


def test_kto_needs_answer_columns_and_may_set_its_own_channel(tmp_path: Path) -> None:
    path = tmp_path / "kto.csv"
    path.write_text("id,datum,cijfer,open\nA1,2026-05-01,9,Heel tevreden\n", encoding="utf-8")
    mapping = make_mapping(
        columns={"id": "id", "observed_at": "datum", "score": "cijfer", "answers": ["open"], "text": None},
        source={"channel": "phone"},
    )
    signals, _ = read_signals(path, mapping, scrubber(), "kto")
    assert signals[0]["source"]["channel"] == "phone" and signals[0]["sentiment"] == "positive"
    assert signals[0]["kind"] == "survey_answer"
