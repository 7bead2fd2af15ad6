# SPDX-License-Identifier: EUPL-1.2
"""The shared step of every reader: one mapped source record becomes one standard signal dict.

A reader only finds the fields of a record (:class:`SourceRecord`); :func:`build_signal` applies the mapping:

* ``id``: a UUID assigned here, at the source, and stable: uuid5 over Hartslag's namespace, the organisation code,
  the id scope (``[source].id_scope``, default the ``system``) and the record's own id. Reading the same export
  again gives the same ids, so a re-read never duplicates a signal.
* ``observed_at``: naive source times are read in the mapping's time zone; written in ISO 8601 with offset.
* ``text``: scrubbed by the injected anonymiser *before* the signal dict exists (the raw text is never put in it),
  then trimmed to 4000 characters; ``privacy`` records the anonymiser, its version and the placeholder counts.
* ``location``: coarse only (municipality code, 4-digit postcode area, CBS neighbourhood code); street addresses
  and coordinates never get this far: readers do not even copy them into a :class:`SourceRecord`.

A record that cannot be mapped raises :class:`RecordError`, whose reason names fields and codes, never values.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from connectors.mapping import CategoryRule, Mapping, known_codes
from connectors.values import RecordError, lookup, parse_observed_at, postcode_area, safe_code

__all__ = [
    "MAX_TEXT",
    "NAMESPACE",
    "Anonymiser",
    "ReaderDefaults",
    "RecordError",
    "ScrubResult",
    "SourceRecord",
    "build_signal",
    "privacy_block",
    "scrub_text",
    "stable_id",
]

MAX_TEXT = 4000
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://standaard.hartslag.nl/signal-id")
_MUNICIPALITY = re.compile(r"^(GM\d{4}|NIS\d{5})$")
_NEIGHBOURHOOD = re.compile(r"^BU\d{8}$")


class ScrubResult(Protocol):
    """What an anonymiser returns: the scrubbed text and the count of each placeholder type it put in."""

    @property
    def text(self) -> str: ...

    @property
    def counts(self) -> MappingABC[str, int]: ...


class Anonymiser(Protocol):
    """The scrubbing step (``connectors.anonymiser.Anonymiser``); ``name``/``version`` are read when present."""

    def scrub(self, text: str) -> ScrubResult: ...


@dataclass(frozen=True)
class ReaderDefaults:
    """What a reader knows about its format: fallback kind/channel and built-in value tables under the mapping's."""

    kind: str | None = None
    channel: str | None = None
    kinds: MappingABC[str, str] = field(default_factory=dict)
    channels: MappingABC[str, str] = field(default_factory=dict)
    category_scheme: str = "local"


@dataclass
class SourceRecord:
    """The fields a reader found in one record of an export, before mapping. Every value is the export's own.

    ``text`` is the raw text: it is kept out of ``repr`` so it cannot end up in a log line by accident.
    """

    file: str
    line: int
    source_id: str
    text: str = field(repr=False)
    observed_at: str | datetime | None = None
    category: str | None = None
    category_fallbacks: tuple[str, ...] = ()  # coarser codes to try in [categories] (e.g. the main category)
    category_label: str | None = None
    channel: str | None = None
    kind: str | None = None
    language: str | None = None
    postcode: str | None = None
    municipality: str | None = None
    neighbourhood: str | None = None
    score: str | None = None
    sentiment: str | None = None


def stable_id(organisation: str, scope: str, source_id: str) -> str:
    """The signal id: the same organisation, scope and source record id always give the same UUID."""
    return str(uuid.uuid5(NAMESPACE, json.dumps([organisation, scope, source_id], ensure_ascii=False)))


def scrub_text(raw: str, anonymiser: Anonymiser) -> tuple[str, dict[str, int]]:
    """The anonymised text (trimmed to 4000 characters) and the placeholder counts; the raw text stays here."""
    if not raw or not raw.strip():
        raise RecordError("text is empty")
    result = anonymiser.scrub(raw.strip())
    text = result.text.strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1].rstrip() + "…"
    if not text:
        raise RecordError("text is empty after anonymisation")
    counts = {str(k): int(v) for k, v in dict(result.counts).items() if int(v) > 0}
    return text, counts


def privacy_block(anonymiser: Anonymiser, counts: MappingABC[str, int]) -> dict[str, Any]:
    """The signal's ``privacy`` object: which anonymiser (name, semver version) and what it replaced."""
    name = getattr(anonymiser, "name", None) or type(anonymiser).__name__
    release = getattr(anonymiser, "version", None)
    if not isinstance(release, str):
        try:
            release = version("hartslag")
        except PackageNotFoundError:  # a source tree that was never installed
            release = "0.0.0"
    block: dict[str, Any] = {"anonymiser": str(name), "version": release}
    if counts:
        block["placeholders"] = dict(sorted(counts.items()))
    return block


def _resolve(value: str | None, tables: list[MappingABC[str, str]], codelist: str, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    for table in tables:
        found = lookup(table, value)
        if found is not None:
            return found
    codes = known_codes(codelist) or frozenset()
    if value.strip() in codes:
        return value.strip()
    raise RecordError(f"{what} value {safe_code(value.strip())} is not in the mapping's [{what}s]")


def _category(
    record: SourceRecord, mapping: Mapping, defaults: ReaderDefaults
) -> tuple[dict[str, str] | None, CategoryRule | None]:
    if not record.category or not record.category.strip():
        return None, None
    local = record.category.strip()
    rule = None
    for candidate in (local, *record.category_fallbacks):
        rule = mapping.categories.get(candidate)
        if rule is not None:
            break
    if rule is None and mapping.categories and mapping.on_unknown_category == "report":
        raise RecordError(f"category {safe_code(local)} is not in the mapping's [categories]")
    scheme = mapping.source.category_scheme or defaults.category_scheme
    code = (rule.code if rule and rule.code else local)[:100]
    label = (rule.label if rule and rule.label else (record.category_label or "").strip() or local)[:200]
    return {"scheme": scheme, "code": code, "label": label}, rule


def _sentiment(record: SourceRecord, mapping: Mapping) -> str | None:
    rule = mapping.sentiment
    if record.sentiment and record.sentiment.strip():
        found = lookup(rule.values, record.sentiment)
        if found is None and record.sentiment.strip() in {"negative", "neutral", "positive"}:
            found = record.sentiment.strip()
        if found is None:
            raise RecordError(f"sentiment value {safe_code(record.sentiment.strip())} is not in [sentiment] values")
        return found
    if record.score is None or not record.score.strip():
        return None
    try:
        score = float(record.score.strip().replace(",", "."))
    except ValueError:
        raise RecordError("score is not a number") from None
    if not rule.scale_min <= score <= rule.scale_max:
        raise RecordError(f"score is outside the scale {rule.scale_min:g}..{rule.scale_max:g}")
    if score <= rule.negative_max:
        return "negative"
    return "positive" if score >= rule.positive_min else "neutral"


def _location(record: SourceRecord, mapping: Mapping) -> dict[str, str]:
    location: dict[str, str] = {}
    municipality = (record.municipality or "").strip().upper()
    if _MUNICIPALITY.match(municipality) and municipality in (known_codes("municipality") or {municipality}):
        location["municipality"] = municipality
    elif mapping.source.municipality:
        location["municipality"] = mapping.source.municipality
    area = postcode_area(record.postcode)
    if area:
        location["postcode_area"] = area
    neighbourhood = (record.neighbourhood or "").strip().upper()
    if _NEIGHBOURHOOD.match(neighbourhood):
        location["neighbourhood"] = neighbourhood
    return location


def build_signal(
    record: SourceRecord,
    mapping: Mapping,
    anonymiser: Anonymiser,
    defaults: ReaderDefaults | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The standard signal for one record; :class:`RecordError` when the record cannot be mapped.

    ``now`` (UTC) is the ``published_at`` stamp and the reference for "in the future"; the pack step may restamp it.
    """
    defaults = defaults or ReaderDefaults()
    now = now or datetime.now(UTC)
    if not record.source_id or not record.source_id.strip():
        raise RecordError("id is empty")
    observed = parse_observed_at(record.observed_at, mapping, now)
    category, rule = _category(record, mapping, defaults)
    kind = (
        _resolve(record.kind, [mapping.kinds, defaults.kinds], "kind", "kind")
        or (rule.kind if rule else None)
        or mapping.source.kind
        or defaults.kind
        or "report"
    )
    channel = (
        _resolve(record.channel, [mapping.channels, defaults.channels], "channel", "channel")
        or mapping.source.channel
        or defaults.channel
    )
    if channel is None:
        raise RecordError("no channel: map a channel column or set [source].channel")
    sentiment = _sentiment(record, mapping)
    language = (record.language or "").strip() or mapping.source.language
    location = _location(record, mapping)
    text, counts = scrub_text(record.text, anonymiser)

    source: dict[str, str] = {
        "organisation": mapping.source.organisation,
        "organisation_kind": mapping.source.organisation_kind,
        "channel": channel,
    }
    if mapping.source.system:
        source["system"] = mapping.source.system
    signal: dict[str, Any] = {
        "id": stable_id(mapping.source.organisation, mapping.source.scope, record.source_id.strip()),
        "schema_version": "1.0.0",
        "source": source,
        "kind": kind,
        "observed_at": observed.isoformat(timespec="seconds"),
        "published_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "text": text,
        "language": language,
    }
    if sentiment:
        signal["sentiment"] = sentiment
    if category:
        signal["category"] = category
    if rule and rule.themes:
        signal["themes"] = list(rule.themes)
    if rule and rule.policy_refs:
        signal["policy_refs"] = rule.policy_ref_objects()
    if location:
        signal["location"] = location
    signal["privacy"] = privacy_block(anonymiser, counts)
    return signal
