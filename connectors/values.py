# SPDX-License-Identifier: EUPL-1.2
"""Reading single values of a source record: date-times, postcode areas, code look-ups, and safe reasons.

Every failure is a :class:`RecordError` whose message names the field and, at most, a value that looks like a code
(:func:`safe_code`), so a reason can be logged and shown without leaking personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from datetime import datetime, timedelta

from connectors.mapping import Mapping
from governance.errors import InvalidInputError

__all__ = ["RecordError", "lookup", "parse_observed_at", "postcode_area", "safe_code"]

# A whole value that is a postcode (NL "1234 AB", BE "1234"); else a NL postcode or a BE "1234 Gent" in an address.
_POSTCODE_ONLY = re.compile(r"^\s*([1-9]\d{3})(?:\s?[A-Za-z]{2})?\s*$")
_POSTCODE_IN_ADDRESS = re.compile(r"(?<![\dA-Za-z])([1-9]\d{3})(?:\s?[A-Z]{2}(?![\dA-Za-z])|\s+(?=[A-Z][a-z]))")
_CODE_LIKE = re.compile(r"^[\w .,&()/+'-]{1,60}$")
_LONG_NUMBER = re.compile(r"\d{5,}")
_FUTURE_SLACK = timedelta(days=1)


class RecordError(InvalidInputError):
    """One record cannot become a signal. The message is the reason: fields and codes, never values."""

    code = "record-invalid"


def safe_code(value: str) -> str:
    """``value`` quoted when it looks like a code, else a stand-in, so a reason never leaks a misplaced text."""
    if _CODE_LIKE.match(value) and not _LONG_NUMBER.search(value) and "@" not in value:
        return f"'{value}'"
    return "(value withheld)"


def lookup(table: MappingABC[str, str], value: str) -> str | None:
    """``value`` looked up exactly, then case-insensitively, then by its head before a dash ('Telefoon – ASC')."""
    if value in table:
        return table[value]
    folded = {k.casefold().strip(): v for k, v in table.items()}
    key = value.casefold().strip()
    if key in folded:
        return folded[key]
    head = re.split(r"\s[-–—]\s", key, maxsplit=1)[0].strip()
    return folded.get(head)


def parse_observed_at(value: str | datetime | None, mapping: Mapping, now: datetime) -> datetime:
    """The record's moment as an aware datetime; naive values are read in the mapping's time zone."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RecordError("observed_at is empty")
    if isinstance(value, datetime):
        moment = value
    else:
        raw = value.strip()
        try:
            fmt = mapping.date_format
            moment = datetime.strptime(raw, fmt) if fmt else datetime.fromisoformat(raw)
        except ValueError:
            expected = f"the date_format {mapping.date_format!r}" if mapping.date_format else "ISO 8601"
            raise RecordError(f"observed_at is not a date-time in {expected}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=mapping.source.zone())
    if moment - now > _FUTURE_SLACK:
        raise RecordError("observed_at lies in the future")
    return moment


def postcode_area(value: str | None) -> str | None:
    """The 4-digit postcode area of a Dutch (1234 AB) or Belgian (1234) postcode, or of one in an address line."""
    if not value:
        return None
    match = _POSTCODE_ONLY.match(value) or _POSTCODE_IN_ADDRESS.search(value)
    return match.group(1) if match else None
