# SPDX-License-Identifier: EUPL-1.2
"""Source readers: the ``Reader`` protocol, the name → factory table ``READERS`` and :func:`read_signals`.

One reader per export format (each in its own module, imported only when chosen):

========== ============================================ ===============================
name       what it reads                                module
========== ============================================ ===============================
csv        a CSV export with a mapping                  :mod:`connectors.csv_reader`
jsonl      JSON Lines with a mapping                    :mod:`connectors.csv_reader`
signalen   a Signalen (signals API) JSON export         :mod:`connectors.signalen_reader`
open311    Open311 GeoReport v2 service requests JSON   :mod:`connectors.open311_reader`
kto        customer-survey (KTO) answers in CSV         :mod:`connectors.kto_reader`
========== ============================================ ===============================

JSON Lines *without* a mapping are taken to be signals in the standard's shape already
(:mod:`connectors.standard_reader`); their text is scrubbed again all the same.

A record that cannot be read or mapped becomes a :class:`ReadIssue` (file, line, reason; never the text), is
counted in the :class:`ReadReport` and skipped; it never stops the rest of the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from connectors.mapping import FORMATS, Mapping, load_mapping
from connectors.records import Anonymiser, ReaderDefaults, RecordError, SourceRecord, build_signal
from governance.errors import InvalidInputError

__all__ = [
    "READERS",
    "ReadIssue",
    "ReadReport",
    "ReadResult",
    "Reader",
    "choose_format",
    "iter_read",
    "read_signals",
]


@dataclass(frozen=True)
class ReadIssue:
    """One record that was skipped: where it is and why (the reason names fields and codes, never values)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ReadResult:
    """One signal that would leave, with the raw text it was made from (for the operator's preview only)."""

    file: str
    line: int
    original: str = field(repr=False)
    signal: dict[str, Any] = field(repr=False)


@dataclass
class ReadReport:
    """What a read did: how many records were seen, became signals or were skipped, and each skip's issue."""

    records: int = 0
    signals: int = 0
    skipped: int = 0
    issues: list[ReadIssue] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def skip(self, issue: ReadIssue) -> None:
        """Count and keep one skipped record."""
        self.skipped += 1
        self.issues.append(issue)
        self.reasons[issue.reason] += 1

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "records": self.records,
            "signals": self.signals,
            "skipped": self.skipped,
            "issues": [{"file": i.file, "line": i.line, "reason": i.reason} for i in self.issues],
        }


class Reader(Protocol):
    """Finds the records of one export format; the mapping step (:func:`build_signal`) is shared."""

    name: str
    defaults: ReaderDefaults

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """Each record of the file, or an issue for each record (or rest of file) that cannot be read."""
        ...


def _csv() -> Reader:
    from connectors.csv_reader import CsvReader

    return CsvReader()


def _jsonl() -> Reader:
    from connectors.csv_reader import JsonlReader

    return JsonlReader()


def _signalen() -> Reader:
    from connectors.signalen_reader import SignalenReader

    return SignalenReader()


def _open311() -> Reader:
    from connectors.open311_reader import Open311Reader

    return Open311Reader()


def _kto() -> Reader:
    from connectors.kto_reader import KtoReader

    return KtoReader()


# Factories import their module when called, so choosing one reader never loads the others.
READERS: dict[str, Callable[[], Reader]] = {
    "csv": _csv,
    "jsonl": _jsonl,
    "signalen": _signalen,
    "open311": _open311,
    "kto": _kto,
}

_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _sniff_json(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(65536)
    if '"service_request_id"' in head:
        return "open311"
    if any(marker in head for marker in ('"signal_id"', '"id_display"', '"main_slug"', '"_embedded"')):
        return "signalen"
    raise InvalidInputError(f"{path.name}: cannot tell which JSON export this is; pass --format", code="unknown-format")


def choose_format(path: Path, mapping: Mapping | None, fmt: str | None = None) -> str:
    """The reader for ``path``: ``fmt`` if given, else the mapping's ``format``, else the file's extension."""
    chosen = fmt or (mapping.format if mapping else None)
    if chosen is None:
        suffix = path.suffix.lower()
        chosen = _EXTENSIONS.get(suffix) or (_sniff_json(path) if suffix == ".json" else None)
    if chosen is None:
        raise InvalidInputError(f"{path.name}: cannot tell the format; pass --format", code="unknown-format")
    if chosen not in FORMATS:
        raise InvalidInputError(f"unknown format '{chosen}' (known: {', '.join(FORMATS)})", code="unknown-format")
    return chosen


def _validate(signal: dict[str, Any]) -> str | None:
    from governance.standard import validate

    issues = validate(signal)
    return "does not conform to the standard: " + "; ".join(str(i) for i in issues) if issues else None


def iter_read(
    path: str | Path,
    mapping: str | Path | Mapping | None,
    anonymiser: Anonymiser,
    fmt: str | None = None,
    *,
    report: ReadReport | None = None,
    now: datetime | None = None,
) -> Iterator[ReadResult]:
    """Like :func:`read_signals`, but yields each signal with its raw text as it is read (for the preview)."""
    path = Path(path)
    report = report if report is not None else ReadReport()
    now = now or datetime.now(UTC)
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file", code="file-not-found")
    loaded = load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
    chosen = choose_format(path, loaded, fmt)
    if loaded is None:
        if chosen != "jsonl":
            raise InvalidInputError(f"format '{chosen}' needs a mapping (--mapping)", code="mapping-missing")
        from connectors.standard_reader import read_standard

        items: Iterator[ReadResult | ReadIssue] = read_standard(path, anonymiser, now=now)
    else:
        items = _mapped(READERS[chosen](), path, loaded, anonymiser, now)
    seen: dict[str, int] = {}
    for item in items:
        report.records += 1
        if isinstance(item, ReadIssue):
            report.skip(item)
            continue
        problem = _validate(item.signal)
        first = seen.get(item.signal["id"])
        if first is not None:
            problem = f"duplicate record id (first read at line {first})"
        if problem:
            report.skip(ReadIssue(item.file, item.line, problem))
            continue
        seen[item.signal["id"]] = item.line
        report.signals += 1
        yield item


def _mapped(
    reader: Reader, path: Path, mapping: Mapping, anonymiser: Anonymiser, now: datetime
) -> Iterator[ReadResult | ReadIssue]:
    for record in reader.records(path, mapping):
        if isinstance(record, ReadIssue):
            yield record
            continue
        try:
            signal = build_signal(record, mapping, anonymiser, reader.defaults, now=now)
        except RecordError as exc:
            yield ReadIssue(record.file, record.line, exc.message)
            continue
        yield ReadResult(record.file, record.line, record.text, signal)


def read_signals(
    path: str | Path,
    mapping_path: str | Path | Mapping | None,
    anonymiser: Anonymiser,
    fmt: str | None = None,
    *,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], ReadReport]:
    """Read one export into the standard signals that would leave, and a report of what was skipped and why.

    This is the entry point the ``preview``, ``pack`` and ``push`` commands share.

    * ``path``: the export file.
    * ``mapping_path``: the mapping TOML file (or an already loaded :class:`Mapping`); None only for JSON Lines
      already in the standard's shape.
    * ``anonymiser``: anything with ``scrub(text) -> result`` (``result.text``, ``result.counts``); every text is
      scrubbed before its signal exists.
    * ``fmt``: ``csv``, ``jsonl``, ``signalen``, ``open311`` or ``kto``; None takes the mapping's ``format`` key,
      else the file extension (a ``.json`` file is recognised by its fields).
    * ``now``: the ``published_at`` stamp (default: the current time in UTC).

    Every returned signal conforms to the standard (checked with :func:`governance.standard.validate`) and has a
    stable id, so reading the same export twice gives the same ids. A record that cannot be read, mapped or
    validated, or that repeats an id already read, is skipped and reported as a :class:`ReadIssue`; it never stops
    the rest. A file or mapping that cannot be used at all raises :class:`~governance.errors.InvalidInputError`
    (codes ``file-not-found``, ``unknown-format``, ``mapping-missing``, ``mapping-invalid``, ``column-missing``).
    """
    report = ReadReport()
    signals = [r.signal for r in iter_read(path, mapping_path, anonymiser, fmt, report=report, now=now)]
    return signals, report
