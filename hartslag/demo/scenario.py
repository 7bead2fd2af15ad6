# SPDX-License-Identifier: EUPL-1.2
"""The demo scenario: a year of realistic synthetic signals from fourteen organisations, with planted patterns.

:func:`generate` is deterministic for a seed and needs only the standard library: the background
(:mod:`hartslag.demo.drafts`), the planted processes (:mod:`hartslag.demo.planted`) and then the assembly here,
which numbers each organisation's records in time order the way its own system would, and derives every signal
id from that record id exactly as a connector does (:func:`connectors.records.stable_id`). Signals written out
with :func:`hartslag.demo.exports.write_exports` and read back by the connector therefore keep their ids.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any

from connectors.records import stable_id
from hartslag.demo.drafts import Draft, Drafter, background
from hartslag.demo.model import DemoPolicy, Organisation, Planted, Scenario
from hartslag.demo.organisations import KTO_ANSWERS, PROFILES
from hartslag.demo.planted import Plan, plant_all

__all__ = ["PRIVACY_PLACEHOLDER", "DemoPolicy", "Organisation", "Planted", "Scenario", "generate"]

#: The ``privacy`` stamp of the unscrubbed documents; a connector's scrub step writes the real one.
PRIVACY_PLACEHOLDER = {"anonymiser": "unscrubbed-demo", "version": "0.0.0"}
_POLICY_REF = {"scheme": "bwb", "id": "BWBR0001941"}


def generate(*, seed: int = 7, start: date = date(2025, 1, 1), days: int = 365, scale: float = 1.0) -> Scenario:
    """A scenario of ``days`` days from ``start``; ``scale`` multiplies every rate (1.0: about 40,000 a year)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if scale < 0:
        raise ValueError("scale must not be negative")
    rng = random.Random(seed)
    first_numbers = {p.code: rng.randrange(10_000, 900_000) for p in PROFILES}
    drafter = Drafter(rng, scale)
    drafts = background(drafter, start, days)
    plans, policies = plant_all(drafter, start, days)
    for plan in plans:
        drafts.extend(plan.drafts)
    drafts.sort(key=lambda d: (d.moment.astimezone(UTC), d.profile.code, d.seq))
    source_ids = _number(drafts, first_numbers)
    signals = tuple(_document(rng, d) for d in drafts)
    values = dict.fromkeys(v for d in drafts for v in d.personal)
    return Scenario(
        start=start,
        days=days,
        organisations=tuple(p.org for p in PROFILES),
        signals=signals,
        planted=tuple(_planted(plan) for plan in plans),
        policies=tuple(policies),
        personal_values=tuple(values),
        source_ids=source_ids,
    )


def _number(drafts: Sequence[Draft], first_numbers: dict[str, int]) -> dict[str, str]:
    """Give every draft its record id (per organisation, in time order) and the signal id derived from it."""
    counters = dict(first_numbers)
    respondents: dict[int, str] = {}
    source_ids: dict[str, str] = {}
    for draft in drafts:
        profile, moment = draft.profile, draft.moment
        if draft.respondent is not None and draft.respondent in respondents:
            record = respondents[draft.respondent]
        else:
            counters[profile.code] += 1
            record = profile.record_id.format(n=counters[profile.code], year=moment.year, yy=f"{moment.year % 100:02d}")
            if draft.respondent is not None:
                respondents[draft.respondent] = record
        if draft.respondent is not None:
            record = f"{record}#{KTO_ANSWERS[draft.answer]}"
        draft.signal_id = stable_id(profile.code, profile.system, record)
        source_ids[draft.signal_id] = record
    return source_ids


def _document(rng: random.Random, draft: Draft) -> dict[str, Any]:
    """The standard signal document of one draft (text not yet scrubbed)."""
    profile = draft.profile
    published = draft.moment + timedelta(minutes=rng.randint(15, 36 * 60))
    doc: dict[str, Any] = {
        "id": draft.signal_id,
        "schema_version": "1.0.0",
        "source": {
            "organisation": profile.code,
            "organisation_kind": profile.org.kind,
            "channel": draft.channel,
            "system": profile.system,
        },
        "kind": draft.kind,
        "observed_at": draft.moment.isoformat(timespec="seconds"),
        "published_at": published.astimezone(UTC).isoformat(timespec="seconds"),
        "text": draft.text,
        "language": draft.language,
    }
    if draft.sentiment and profile.org.export_format == "kto":  # only a KTO export carries the mark it comes from
        doc["sentiment"] = draft.sentiment
    doc["category"] = profile.category(draft.topic)
    doc["themes"] = list(draft.topic.themes)
    if profile.municipality:
        doc["location"] = {"municipality": profile.municipality}
        if profile.postcodes:
            low, high = rng.choice(profile.postcodes)
            doc["location"]["postcode_area"] = str(rng.randint(low, high))
    if draft.policy:
        doc["policy_refs"] = [dict(_POLICY_REF)]
    doc["privacy"] = dict(PRIVACY_PLACEHOLDER)
    return doc


def _planted(plan: Plan) -> Planted:
    return Planted(
        name=plan.name,
        kind=plan.kind,
        onset=plan.onset,
        end=plan.end,
        organisations=plan.organisations,
        scope=plan.scope,
        signal_ids=frozenset(d.signal_id for d in plan.drafts),
    )
