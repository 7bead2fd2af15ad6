# SPDX-License-Identifier: EUPL-1.2
"""Synthetic signal streams for the matching tests: topics with their own words, spread over weeks of event time.

Each topic has a handful of words of its own; a text draws several of them plus common filler, so the hashing
embedder (unit tests) puts texts of one topic close together and texts of different topics far apart. Times,
agencies and the order of topics come from a seeded generator, so every test sees the same stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from matching.state import SignalRecord

__all__ = ["TOPICS", "ListSource", "make_stream"]

TOPICS: dict[str, tuple[str, ...]] = {
    "afval": ("container", "vuilnis", "restafval", "geleegd", "ophaaldienst", "grofvuil", "stank", "zakken"),
    "parkeren": ("parkeervergunning", "parkeerplaats", "bekeuring", "parkeermeter", "vergunninghouder", "garage"),
    "digid": ("digid", "inloggen", "sms-code", "machtiging", "wachtwoord", "app-koppeling", "foutmelding"),
    "toeslagen": ("zorgtoeslag", "huurtoeslag", "terugvordering", "voorschot", "toeslag", "jaarafrekening"),
    "geluid": ("herrie", "muziek", "buren", "nachtrust", "bouwlawaai", "bladblazer", "geluidsoverlast"),
    "bus": ("bushalte", "buslijn", "dienstregeling", "chauffeur", "vertraging", "ov-chipkaart", "abri"),
}
_FILLER = ("graag", "snel", "opgelost", "al", "weken", "vandaag", "opnieuw", "echt", "gemeente")
_AGENCIES = (
    ("GM0363", "municipality"),
    ("GM0599", "municipality"),
    ("UWV", "national_agency"),
    ("BD", "national_agency"),
)
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
#: (code, kind, province) of organisations for tests that count by reach: four municipalities in four provinces
#: and two national agencies.
ORGANISATIONS = (
    ("GM0363", "municipality", "PV27"),
    ("GM0599", "municipality", "PV28"),
    ("GM0344", "municipality", "PV26"),
    ("GM0014", "municipality", "PV20"),
    ("UWV", "national_agency", None),
    ("CJIB", "national_agency", None),
)


@dataclass
class ListSource:
    """A :class:`matching.state.SignalSource` over a list, optionally cut off after ``until_seq``."""

    records: list[SignalRecord]
    until_seq: int | None = None
    calls: list[tuple[int, int]] = field(default_factory=list)

    def records_after(self, seq: int, limit: int) -> list[SignalRecord]:
        self.calls.append((seq, limit))
        upper = self.until_seq if self.until_seq is not None else 2**62
        return [r for r in self.records if seq < r.seq <= upper][:limit]


def make_stream(
    weeks: int = 5,
    per_week: int = 40,
    *,
    topics: tuple[str, ...] = tuple(TOPICS),
    seed: int = 11,
    start: datetime = START,
    themed_every: int = 3,
) -> list[SignalRecord]:
    """``weeks × per_week`` records in ``seq`` order, observed (roughly) in order across the weeks.

    Every ``themed_every``-th record carries its source's theme (only for topics that map onto a theme code).
    Times jitter by up to a day, so a few records arrive slightly out of event-time order, as in life.
    """
    rng = random.Random(seed)
    theme_of = {"afval": "afval", "parkeren": "parkeren", "digid": "digitale-overheid", "toeslagen": "toeslagen"}
    theme_of |= {"geluid": "geluid", "bus": "openbaar-vervoer"}
    records: list[SignalRecord] = []
    for week in range(weeks):
        for i in range(per_week):
            topic = topics[rng.randrange(len(topics))]
            words = rng.sample(TOPICS[topic], 4) + rng.sample(_FILLER, 2)
            rng.shuffle(words)
            moment = start + timedelta(days=7 * week, hours=(i * 168) // per_week) + timedelta(hours=rng.randrange(24))
            agency, kind = _AGENCIES[rng.randrange(len(_AGENCIES))]
            seq = len(records) + 1
            records.append(
                SignalRecord(
                    seq=seq,
                    id=f"00000000-0000-4000-8000-{seq:012d}",
                    agency=agency,
                    organisation_kind=kind,
                    municipality=agency if kind == "municipality" else None,
                    province="PV27" if kind == "municipality" else None,
                    observed_at=moment,
                    text=" ".join(words).capitalize() + ".",
                    themes=(theme_of[topic],) if seq % themed_every == 0 else (),
                    kind="complaint",
                )
            )
    return records
