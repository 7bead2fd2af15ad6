# SPDX-License-Identifier: EUPL-1.2
"""Retention rules: how many months a signal's text, and the signal itself, are kept, per organisation kind.

The rules live in ``DATA/retention.toml``; without that file :data:`DEFAULT_RULES` apply. One table per
organisation kind of the standard's code list (``municipality``, ``national_agency``, ``flemish_local_government``,
``province``, ``water_board``, ``other``) and a ``[default]`` table for the kinds not named; each holds up to two
fields, whole months counted back from the reference date on the signal's own time (``observed_at``):

- ``text``: after this the text leaves the stored signal, the embedding cache and the vector index; the signal
  itself stays, counted in its pattern and in every aggregate;
- ``signal``: after this the whole signal goes, as if withdrawn (a tombstone with cause ``retention`` stays).

A kind's table inherits the fields it leaves out from ``[default]``, and ``[default]`` from :data:`DEFAULT_RULES`.
Each period is a positive whole number of months and a text is never kept longer than its signal. Anything else
(an unknown kind or field, a zero, a fraction, ``text`` above ``signal``) is refused with :class:`RetentionRulesError`
naming the table and field.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import rfc8785

from governance.errors import InvalidInputError
from governance.standard import codelist_codes

__all__ = [
    "DEFAULT_RULES",
    "FIELDS",
    "RULES_FILENAME",
    "Period",
    "RetentionRules",
    "RetentionRulesError",
    "load_rules",
    "months_before",
    "parse_rules",
]

RULES_FILENAME = "retention.toml"
FIELDS = ("text", "signal")
DEFAULT = "default"


class RetentionRulesError(InvalidInputError):
    """The retention rules cannot be used; the message names the table and field."""

    code = "retention-rules-invalid"


@dataclass(frozen=True)
class Period:
    """Months a signal's text and the signal itself are kept (text ≤ signal)."""

    text: int
    signal: int


#: Without ``DATA/retention.toml``: texts two years, signals seven years, for every kind.
DEFAULT_RULES = Period(text=24, signal=84)


@dataclass(frozen=True)
class RetentionRules:
    """The effective rules: a :class:`Period` for every organisation kind, and where they came from."""

    default: Period
    kinds: dict[str, Period]
    source: str  # the rules file, or "defaults"

    def period(self, kind: str) -> Period:
        """The period of organisation kind ``kind`` (``[default]`` for a kind outside the code list)."""
        return self.kinds.get(kind, self.default)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Every kind's effective months, ``default`` included (what ``retention show`` prints)."""
        table = {DEFAULT: self.default, **self.kinds}
        return {kind: {"text": p.text, "signal": p.signal} for kind, p in sorted(table.items())}

    @property
    def sha256(self) -> str:
        """SHA-256 of the effective rules as canonical JSON (RFC 8785): the audit log names the rules by it."""
        return hashlib.sha256(rfc8785.dumps(self.as_dict())).hexdigest()


def _kinds() -> list[str]:
    return sorted(codelist_codes("organisation-kinds"))


def _months(table: str, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RetentionRulesError(f"[{table}] {field}: must be a positive whole number of months")
    if value > 1200:
        raise RetentionRulesError(f"[{table}] {field}: more than 100 years is not a retention period")
    return value


def _period(table: str, values: Any, base: Period) -> Period:
    if not isinstance(values, dict):
        raise RetentionRulesError(f"[{table}]: must be a table with 'text' and/or 'signal' months")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise RetentionRulesError(f"[{table}]: unknown field(s) {', '.join(unknown)[:200]} (use text, signal)")
    text = _months(table, "text", values.get("text", base.text))
    signal = _months(table, "signal", values.get("signal", base.signal))
    if text > signal:
        raise RetentionRulesError(f"[{table}] text: {text} months is longer than the signal's {signal} months")
    return Period(text, signal)


def parse_rules(document: dict[str, Any], source: str) -> RetentionRules:
    """The effective rules of a parsed TOML document (see the module docstring)."""
    kinds = _kinds()
    unknown = sorted(set(document) - {DEFAULT, *kinds})
    if unknown:
        raise RetentionRulesError(
            f"unknown organisation kind(s) {', '.join(unknown)[:200]} (use default or {', '.join(kinds)})"
        )
    default = _period(DEFAULT, document.get(DEFAULT, {}), DEFAULT_RULES)
    periods = {kind: _period(kind, document.get(kind, {}), default) for kind in kinds}
    return RetentionRules(default, periods, source)


def load_rules(data: Path) -> RetentionRules:
    """The rules of data folder ``data``: ``DATA/retention.toml``, or the defaults when it does not exist."""
    path = data / RULES_FILENAME
    if not path.exists():
        return parse_rules({}, "defaults")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RetentionRulesError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RetentionRulesError(f"{path}: not valid TOML ({exc})") from None
    return parse_rules(document, str(path))


def months_before(day: date, months: int) -> datetime:
    """Midnight UTC at the start of the day ``months`` calendar months before ``day`` (the 31st of a shorter
    month becomes its last day): a signal observed before this moment is older than ``months`` months."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime(year, month, min(day.day, last), tzinfo=UTC)
        except ValueError:
            continue
    raise AssertionError("unreachable")
