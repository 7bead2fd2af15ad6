# SPDX-License-Identifier: EUPL-1.2
"""Readers for CSV and JSON Lines exports, with a mapping's ``[columns]`` naming where each field is.

CSV: the first line is the header; ``[columns]`` names header columns. The delimiter is ``[csv].delimiter`` or
sniffed from the header (``,`` ``;`` tab ``|``); quoted fields may span lines and a record's line is where it
starts. JSON Lines: one object per line; ``[columns]`` names keys, or dotted paths into nested objects
(``melding.omschrijving``). Blank lines are skipped; a line that is not a JSON object is reported and skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from connectors.json_export import json_lines
from connectors.mapping import Columns, CsvOptions, Mapping, MappingError
from connectors.readers import ReadIssue
from connectors.records import ReaderDefaults, SourceRecord

__all__ = ["CsvReader", "JsonlReader", "iter_csv_rows", "record_from", "referenced_columns"]

_DELIMITERS = ",;\t|"
# Fields of SourceRecord that come straight from one column each.
_SIMPLE_FIELDS = (
    "observed_at", "category", "category_label", "channel", "kind", "language", "postcode", "municipality",
    "neighbourhood", "score", "sentiment",
)  # fmt: skip


def referenced_columns(columns: Columns) -> list[str]:
    """Every column name the mapping's ``[columns]`` refers to."""
    names = [getattr(columns, f) for f in ("id", *_SIMPLE_FIELDS)]
    names += columns.text_columns() + list(columns.answers or [])
    return [n for n in names if n]


def _delimiter(header: str, options: CsvOptions) -> str:
    if options.delimiter:
        return options.delimiter
    return max(_DELIMITERS, key=header.count)


def _decode(path: Path, encoding: str) -> tuple[str, set[int]]:
    """The file's text, and the lines that are not valid in ``encoding`` (decoded with U+FFFD so the rest reads)."""
    data = path.read_bytes()
    try:
        return data.decode(encoding), set()
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
    lines = io.StringIO(text, newline="")
    return text, {number for number, line in enumerate(lines, start=1) if "\ufffd" in line}


def iter_csv_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]] | ReadIssue]:
    """Each data row of a CSV file with the line it starts on, keyed by header; issues for malformed rows.

    A row on a line that is not valid in ``[csv].encoding`` is reported and skipped; the other rows still come.
    Raises :class:`MappingError` (code ``column-missing``) when a column named in ``[columns]`` is not in the header.
    """
    options = mapping.csv
    text, bad_lines = _decode(path, options.encoding)
    handle = io.StringIO(text, newline="")
    header_line = handle.readline()
    handle.seek(0)
    rows = csv.reader(handle, delimiter=_delimiter(header_line, options), quotechar=options.quotechar)
    header = [h.strip() for h in next(rows, [])]
    missing = [c for c in referenced_columns(mapping.columns) if c not in header]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise MappingError(
            f"{path.name}: column {names} named in [columns] is not in the header", code="column-missing"
        )
    line = rows.line_num + 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:  # the parser resets itself: report this record and go on with the next line
            start, line = line, rows.line_num + 1
            yield ReadIssue(path.name, start, f"malformed CSV ({exc})")
            continue
        start, line = line, rows.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if bad_lines.intersection(range(start, line)):
            yield ReadIssue(path.name, start, f"not valid {options.encoding} text (set [csv].encoding)")
        elif len(row) != len(header):
            yield ReadIssue(path.name, start, f"row has {len(row)} fields, the header has {len(header)}")
        else:
            yield start, dict(zip(header, row, strict=True))


def _dotted(data: dict[str, Any], path: str) -> Any:
    if path in data:
        return data[path]
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _getter(data: dict[str, Any]) -> Callable[[str], str | None]:
    def get(key: str) -> str | None:
        return _text(_dotted(data, key))

    return get


def record_from(
    file: str, line: int, get: Callable[[str], str | None], columns: Columns, *, text: str | None = None
) -> SourceRecord:
    """A :class:`SourceRecord` from one row; ``get`` returns a column's value (None when absent)."""

    def col(name: str | None) -> str | None:
        return get(name) if name else None

    if text is None:
        parts = [get(c) for c in columns.text_columns()]
        text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    return SourceRecord(
        file=file,
        line=line,
        source_id=col(columns.id) or "",
        text=text,
        observed_at=col(columns.observed_at),
        category=col(columns.category),
        category_label=col(columns.category_label),
        channel=col(columns.channel),
        kind=col(columns.kind),
        language=col(columns.language),
        postcode=col(columns.postcode),
        municipality=col(columns.municipality),
        neighbourhood=col(columns.neighbourhood),
        score=col(columns.score),
        sentiment=col(columns.sentiment),
    )


class CsvReader:
    """The ``csv`` reader: one record per CSV row, fields found by ``[columns]``."""

    name = "csv"
    defaults = ReaderDefaults(category_scheme="csv")

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """Each row of the CSV file as a source record (or an issue for a malformed row)."""
        mapping.require_columns(self.name, "id", "text", "observed_at")
        for item in iter_csv_rows(path, mapping):
            if isinstance(item, ReadIssue):
                yield item
                continue
            line, row = item
            yield record_from(path.name, line, row.get, mapping.columns)


class JsonlReader:
    """The ``jsonl`` reader with a mapping: one JSON object per line, fields found by key or dotted path."""

    name = "jsonl"
    defaults = ReaderDefaults(category_scheme="jsonl")

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """Each line of the file as a source record (or an issue for a line that is not a JSON object)."""
        mapping.require_columns(self.name, "id", "text", "observed_at")
        for line in json_lines(path):
            if isinstance(line, ReadIssue):
                yield line
                continue
            number, data = line
            yield record_from(path.name, number, _getter(data), mapping.columns)
