# SPDX-License-Identifier: EUPL-1.2
"""The CSV and JSON Lines readers on the Utrecht and DUO samples, and on small files made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.csv_reader import CsvReader, JsonlReader
from connectors.mapping import MappingError, load_mapping
from connectors.readers import ReadIssue, read_signals
from governance.standard import validate
from tests.connectors.reader_support import (
    DATA,
    PERSONAL_DATA,
    StandIn,
    line_of,
    make_mapping,
    read_sample,
    scrubber,
    serialised,
)

UTRECHT = DATA / "gemeente-utrecht.csv"
DUO = DATA / "klachten-duo.jsonl"


def test_utrecht_every_good_row_becomes_a_valid_signal() -> None:
    signals, report = read_sample("csv")
    assert report.records == 33 and report.signals == 27 and report.skipped == 6
    assert len(signals) == 27
    for signal in signals:
        assert validate(signal) == [], signal["id"]
        assert signal["source"]["organisation"] == "GM0344"
        assert signal["source"]["system"] == "Meldingen openbare ruimte"
        assert signal["category"]["scheme"] == "utrecht-meldingen"
        assert signal["location"]["municipality"] == "GM0344"
        assert len(signal["location"]["postcode_area"]) == 4
    assert len({s["id"] for s in signals}) == 27


def test_utrecht_broken_rows_are_reported_with_file_line_and_reason() -> None:
    _, report = read_sample("csv")
    expected = {
        ReadIssue(UTRECHT.name, line_of(UTRECHT, "MLD-2026-004140"), "row has 4 fields, the header has 8"),
        ReadIssue(
            UTRECHT.name,
            line_of(UTRECHT, "MLD-2026-004114"),
            "observed_at is not a date-time in the date_format '%d-%m-%Y %H:%M'",
        ),
        ReadIssue(
            UTRECHT.name,
            line_of(UTRECHT, "MLD-2026-004115"),
            "category 'Vuurwerk' is not in the mapping's [categories]",
        ),
        ReadIssue(UTRECHT.name, line_of(UTRECHT, "MLD-2026-004116"), "text is empty"),
        ReadIssue(
            UTRECHT.name,
            line_of(UTRECHT, "MLD-2026-004128"),
            "observed_at is not a date-time in the date_format '%d-%m-%Y %H:%M'",
        ),
        ReadIssue(
            UTRECHT.name,
            line_of(UTRECHT, "MLD-2026-004131"),
            "channel value 'Postduif' is not in the mapping's [channels]",
        ),
    }
    assert set(report.issues) == expected
    assert report.reasons["text is empty"] == 1


def test_utrecht_mapping_applied() -> None:
    signals, _ = read_sample("csv")
    by_kind = {s["kind"] for s in signals}
    assert by_kind == {"report", "complaint", "question", "compliment", "suggestion"}
    channels = {s["source"]["channel"] for s in signals}
    assert channels == {"phone", "web_form", "email", "counter", "social_media", "app"}
    lachgas = [s for s in signals if s["category"]["code"] == "overlast-lachgas"]
    assert lachgas and all(s["themes"] == ["drugs", "overlast", "openbare-ruimte"] for s in lachgas)
    with_buurt = [s for s in signals if "neighbourhood" in s["location"]]
    assert {s["location"]["neighbourhood"] for s in with_buurt} >= {"BU03440001", "BU03440512"}
    # Winter and summer time both come out with the right offset.
    offsets = {s["observed_at"][-6:] for s in signals}
    assert offsets == {"+01:00", "+02:00"}


def test_utrecht_multiline_text_keeps_its_starting_line() -> None:
    reader = CsvReader()
    records = [r for r in reader.records(UTRECHT, load_mapping(DATA / "gemeente-utrecht.mapping.toml"))]
    janssen = next(r for r in records if not isinstance(r, ReadIssue) and r.source_id == "MLD-2026-004103")
    assert not isinstance(janssen, ReadIssue)
    assert janssen.line == line_of(UTRECHT, "MLD-2026-004103")
    assert janssen.text.count("\n") == 3
    after = next(r for r in records if not isinstance(r, ReadIssue) and r.source_id == "MLD-2026-004104")
    assert not isinstance(after, ReadIssue)
    assert after.line == janssen.line + 4


def test_ids_are_stable_across_reads() -> None:
    first, _ = read_sample("csv")
    second, _ = read_sample("csv")
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert [s["text"] for s in first] == [s["text"] for s in second]


@pytest.mark.parametrize("reader", ["csv", "jsonl"])
def test_no_planted_personal_data_leaves(reader: str) -> None:
    signals, _ = read_sample(reader)
    everything = serialised(signals)
    export = {"csv": UTRECHT, "jsonl": DUO}[reader]
    leaked = [p for p in PERSONAL_DATA[export.name] if p in everything]
    assert leaked == []
    assert any("[" in s["text"] for s in signals)  # the scrubbing did something


def _write(tmp_path: Path, content: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = (
        ["nr", "datum", "tekst"],
        ["1", "2026-03-01 10:00", "Stoeptegel los"],
        ["2", "2026-03-02 11:00", "Lamp kapot"],
    )
    path = _write(tmp_path, "\n".join(delimiter.join(r) for r in rows) + "\n")
    signals, report = read_signals(path, make_mapping(), scrubber(), "csv")
    assert report.skipped == 0
    assert [s["text"] for s in signals] == ["Stoeptegel los", "Lamp kapot"]


def test_several_text_columns_are_joined(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "nr;datum;kort;lang\n1;2026-03-01;Lamp kapot;Al twee weken donker\n2;2026-03-01;;Alleen lang\n"
    )
    mapping = make_mapping(columns={"text": ["kort", "lang"]})
    signals, _ = read_signals(path, mapping, StandIn(), "csv")  # about joining, not about scrubbing
    assert [s["text"] for s in signals] == ["Lamp kapot\n\nAl twee weken donker", "Alleen lang"]


def test_a_column_missing_from_the_header_stops_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "nr;datum;omschrijving\n1;2026-03-01;Lamp kapot\n")
    with pytest.raises(MappingError) as info:
        read_signals(path, make_mapping(), scrubber(), "csv")
    assert info.value.code == "column-missing"
    assert "'tekst'" in info.value.message


def test_csv_needs_id_text_and_observed_at_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "nr;datum;tekst\n1;2026-03-01;Lamp kapot\n")
    with pytest.raises(MappingError, match="needs \\[columns\\] id"):
        read_signals(path, make_mapping(columns={"id": None}), scrubber(), "csv")


def test_blank_lines_are_skipped_and_wrong_encoding_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "nr;datum;tekst\n\n1;2026-03-01;Lamp kapot\n;;\n2;2026-03-01;Gat in de weg\n")
    signals, report = read_signals(path, make_mapping(), scrubber(), "csv")
    assert len(signals) == 2 and report.skipped == 0
    latin = _write(
        tmp_path, "nr;datum;tekst\n1;2026-03-01;Lamp kapot\n2;2026-03-01;Café lawaai\n", "latin.csv", "cp1252"
    )
    signals, report = read_signals(latin, make_mapping(), scrubber(), "csv")
    assert len(signals) == 1
    assert report.issues == [ReadIssue("latin.csv", 3, "not valid utf-8-sig text (set [csv].encoding)")]
    fixed = make_mapping(csv={"encoding": "cp1252"})
    assert [s["text"] for s in read_signals(latin, fixed, scrubber(), "csv")[0]][1] == "Café lawaai"


def test_duplicate_record_ids_are_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, "nr;datum;tekst\n1;2026-03-01;Lamp kapot\n1;2026-03-02;Nog steeds kapot\n")
    signals, report = read_signals(path, make_mapping(), scrubber(), "csv")
    assert len(signals) == 1
    assert report.issues == [ReadIssue("export.csv", 3, "duplicate record id (first read at line 2)")]


def test_duo_jsonl_with_dotted_paths() -> None:
    signals, report = read_sample("jsonl")
    broken = DUO.read_text(encoding="utf-8").splitlines()[line_of(DUO, "DUO-K-2026-0099") - 1]
    end = len(broken) + 1  # the object is cut off: the decoder expects more right after the last character
    assert report.records == 13 and report.signals == 10
    assert set(report.issues) == {
        ReadIssue(DUO.name, line_of(DUO, "DUO-K-2026-0006"), "observed_at is not a date-time in ISO 8601"),
        ReadIssue(
            DUO.name, line_of(DUO, "DUO-K-2026-0099"), f"not valid JSON (Expecting ',' delimiter at column {end})"
        ),
        ReadIssue(
            DUO.name, line_of(DUO, "DUO-K-2026-0011"), "category 'ONBEKEND' is not in the mapping's [categories]"
        ),
    }
    for signal in signals:
        assert validate(signal) == []
        assert signal["kind"] == "complaint"
        assert signal["source"]["organisation_kind"] == "national_agency"
    labels = {s["category"]["code"]: s["category"]["label"] for s in signals}
    assert labels["SF-TERUGBETALING"] == "Terugbetaling studieschuld"
    assert {s["source"]["channel"] for s in signals} == {"phone", "web_form", "email", "letter", "chat"}


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = _write(tmp_path, '["nr", 1]\n{"nr": 2, "datum": "2026-03-01", "tekst": "Lamp kapot"}\n', "x.jsonl")
    records = list(JsonlReader().records(path, make_mapping()))
    assert records[0] == ReadIssue("x.jsonl", 1, "not a JSON object")
    assert not isinstance(records[1], ReadIssue) and records[1].source_id == "2"


def test_a_record_the_csv_parser_refuses_does_not_stop_the_rest(tmp_path: Path) -> None:
    huge = "x" * 200_000  # beyond the csv module's field limit
    rows = ["nr;datum;tekst", "1;2026-03-01;Lamp kapot", f"2;2026-03-01;{huge}", "3;2026-03-01;Gat in de weg"]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    signals, report = read_signals(path, make_mapping(), scrubber(), "csv")
    assert [s["text"] for s in signals] == ["Lamp kapot", "Gat in de weg"]
    assert report.issues == [ReadIssue("export.csv", 3, "malformed CSV (field larger than field limit (131072))")]
