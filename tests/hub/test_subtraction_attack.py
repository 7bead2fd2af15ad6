# SPDX-License-Identifier: EUPL-1.2
"""The subtraction attack on the read API: an attacker collects every number the API publishes about the patterns
(list under every filter, detail, series split every way and filtered, exports, a policy's before/after) and uses
linear programming to squeeze each suppressed count. It must not pin any of them.

The attacker is written here, independently of :mod:`hub.disclosure`, from what the API shows: its unknowns are the
counts per (pattern, week, organisation) of every point the organisation series shows (every week of the pattern's
range for every organisation involved, empty or not: ≥ 0; organisations' kinds and provinces are public code-list
facts). A shown count is an equality; ``"< 10"`` is 1..9 for a row of the detail's organisations, kinds and
provinces (only those involved are listed) and 0..9 anywhere else; ``"×"`` in a table is at least the threshold
(complements are never small; the label says so) except on a cell holding more than threshold − 3 listed
organisations, where the documented crowding rule makes it claim nothing. It also knows what the lists tell: a
listed pattern has at least the threshold of signals, and its first and last week (first and last seen) hold one at
least. The data is skewed and random with many small cells. A control run hands the attacker the true value of every
``"×"`` cell (as if there were no complementary suppression) and must then pin some ``"< 10"`` cell: the attacker
is real.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.optimize import linprog

from matching.state import MatchingState
from tests.hub.support import Hub, open_hub
from tests.hub.test_insights import ORGANISATIONS, START, World, seed_world

THRESHOLD = 10
CROWDED = THRESHOLD - 3  # a "×" on a cell with more listed organisations than this claims nothing (hub.disclosure)
KIND = {code: kind for code, kind, _ in ORGANISATIONS}
PROVINCE = {code: province or "onbekend" for code, _, province in ORGANISATIONS}
Key = tuple[int, str, str]  # (pattern, ISO week, organisation)


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Observation:
    """One published number: the atoms it sums, what it shows, and whether it is a table cell."""

    atoms: frozenset[Key]
    value: int | None
    suppressed: str | None
    table_cell: bool
    where: str
    floor: int = 0  # what the row's mere listing proves: 1 for a listed organisation, kind or province


@dataclass
class Attacker:
    """Collects published numbers through the API and squeezes the suppressed ones."""

    hub: Hub
    weeks: list[str]
    candidates: set[Key] = field(default_factory=set)
    seen: list[Observation] = field(default_factory=list)
    organisations: dict[int, list[str]] = field(default_factory=dict)  # listed per pattern

    def get(self, path: str, **params: Any) -> Any:
        response = self.hub.client.get(path, params=params, headers=self.hub.bearer("analist"))
        assert response.status_code == 200, (path, params, response.text)
        return response.json() if "format" not in params else response.text

    def note(self, atoms: set[Key], count: dict[str, Any], table_cell: bool, where: str, floor: int = 0) -> None:
        self.seen.append(Observation(frozenset(atoms), count["value"], count["suppressed"], table_cell, where, floor))

    def select(self, pattern: int, *, weeks: set[str] | None = None, **where: str) -> set[Key]:
        """The candidate atoms of ``pattern`` a filter covers."""
        out = set()
        for p, week, org in self.candidates:
            if p != pattern or (weeks is not None and week not in weeks):
                continue
            if where.get("organisation") not in (None, org) or where.get("organisation_kind") not in (None, KIND[org]):
                continue
            if where.get("province") not in (None, PROVINCE[org]):
                continue
            out.add((p, week, org))
        return out

    # -- collecting ---------------------------------------------------------------------------------------------

    def collect(self, patterns: list[int], rng: random.Random) -> None:
        for p in patterns:
            for line in self.get(f"/v1/patterns/{p}/series", split="organisation")["lines"]:
                for point in line["points"]:
                    if point["count"]["value"] != 0:  # a plain 0 lies outside the pattern's (public) range
                        self.candidates.add((p, point["week"], line["key"]))
        for p in patterns:
            self._pattern(p, rng)
        self._lists(patterns, rng)
        self._exports(patterns)
        policy = self.get("/v1/policies/Verbod op lachgas")
        start = date.fromisoformat(policy["policy"]["date"])
        monday = start - timedelta(days=start.weekday())
        for effect in policy["effects"]:
            weeks_after = effect["weeks_after"]
            before = {_week(monday - timedelta(days=7 * k)) for k in range(1, weeks_after + 1)}
            after = {_week(monday + timedelta(days=7 * k)) for k in range(weeks_after)}
            self.note(self.select(effect["pattern_id"], weeks=before), effect["before"], False, "policy before")
            self.note(self.select(effect["pattern_id"], weeks=after), effect["after"], False, "policy after")

    def _pattern(self, p: int, rng: random.Random) -> None:
        detail = self.get(f"/v1/patterns/{p}")
        self.note(self.select(p), detail["total"], True, f"{p} total")
        # Listed: at least the threshold in all, at least one signal in the first and in the last week.
        self.note(self.select(p), {"value": None, "suppressed": "listed"}, False, f"{p} listed", THRESHOLD)
        for end in ("first_seen", "last_seen"):
            week = {_week(date.fromisoformat(detail["summary"][end]))}
            self.note(self.select(p, weeks=week), {"value": None, "suppressed": "listed"}, False, f"{p} {end}", 1)
        self.organisations[p] = [row["key"] for row in detail["organisations"]]
        for dim, rows in (
            ("organisation", detail["organisations"]),
            ("organisation_kind", detail["organisation_kinds"]),
            ("province", detail["provinces"]),
        ):
            for row in rows:
                atoms = self.select(p, **{dim: row["key"]})
                self.note(atoms, row["count"], True, f"{p} {dim} {row['key']}", floor=1)
        for split in ("totaal", "organisation_kind", "organisation", "province"):
            for line in self.get(f"/v1/patterns/{p}/series", split=split)["lines"]:
                where = {} if split == "totaal" else {split: line["key"]}
                for point in line["points"]:
                    atoms = self.select(p, weeks={point["week"]}, **where)
                    self.note(atoms, point["count"], True, f"{p} series {split} {line['key']} {point['week']}")
        for org in sorted({o for q, _, o in self.candidates if q == p}):
            series = self.get(f"/v1/patterns/{p}/series", split="totaal", organisation=org)
            for point in series["lines"][0]["points"]:
                atoms = self.select(p, weeks={point["week"]}, organisation=org)
                self.note(atoms, point["count"], True, f"{p} series org={org} {point['week']}")
        first = START.date()
        for _ in range(2):
            lo, hi = sorted(rng.sample(range(len(self.weeks)), 2))
            period = {"period_from": (first + timedelta(days=7 * lo)).isoformat()}
            period["period_to"] = (first + timedelta(days=7 * hi + 6)).isoformat()
            series = self.get(f"/v1/patterns/{p}/series", split="province", **period)
            for line in series["lines"]:
                for point in line["points"]:
                    atoms = self.select(p, weeks={point["week"]}, province=line["key"])
                    self.note(atoms, point["count"], True, f"{p} series province {period}")

    def _lists(self, patterns: list[int], rng: random.Random) -> None:
        first = START.date()
        filters: list[dict[str, str]] = [{}]
        filters += [{"organisation": code} for code, _, _ in ORGANISATIONS]
        filters += [{"organisation_kind": kind} for kind in sorted(set(KIND.values()))]
        filters += [{"province": province} for province in sorted(set(PROVINCE.values()))]
        for k in range(len(self.weeks)):
            day = first + timedelta(days=7 * k)
            filters.append({"period_from": day.isoformat(), "period_to": (day + timedelta(days=6)).isoformat()})
        for _ in range(6):
            lo, hi = sorted(rng.sample(range(len(self.weeks)), 2))
            period = {"period_from": (first + timedelta(days=7 * lo)).isoformat()}
            period["period_to"] = (first + timedelta(days=7 * hi + 6)).isoformat()
            filters.append(period)
            code = ORGANISATIONS[rng.randrange(len(ORGANISATIONS))][0]
            filters.append({**period, "organisation": code})
            filters.append({**period, "province": PROVINCE[code]})
        for query in filters:
            weeks = None
            if "period_from" in query:
                lo, hi = date.fromisoformat(query["period_from"]), date.fromisoformat(query["period_to"])
                weeks = {_week(lo + timedelta(days=d)) for d in range((hi - lo).days + 1)}
            where = {k: v for k, v in query.items() if not k.startswith("period")}
            for row in self.get("/v1/patterns", per_page=200, **query)["items"]:
                if row["id"] in patterns:
                    atoms = self.select(row["id"], weeks=weeks, **where)
                    self.note(atoms, row["signals"], False, f"list {query}")

    def _exports(self, patterns: list[int]) -> None:
        for row in csv.DictReader(io.StringIO(self.get("/v1/patterns", per_page=200, format="csv"))):
            if int(row["id"]) in patterns:
                text = row["signals"]
                count = {"value": None, "suppressed": "klein"} if text == "< 10" else None
                count = count or ({"value": None, "suppressed": "aanvullend"} if text == "×" else None)
                self.note(self.select(int(row["id"])), count or {"value": int(text), "suppressed": None}, False, "csv")

    # -- squeezing ----------------------------------------------------------------------------------------------

    def crowded(self, obs: Observation) -> bool:
        """Whether a cell holds more listed organisations than :data:`CROWDED` (its "×" then claims nothing)."""
        patterns = {p for p, _, _ in obs.atoms}
        inside = sum(
            1
            for p in patterns
            for org in self.organisations.get(p, [])
            if (atoms := self.select(p, organisation=org)) and atoms <= obs.atoms
        )
        return inside > CROWDED

    def squeeze(
        self, truth: dict[Key, int] | None = None, *, tables_only: bool = False, only: frozenset[Key] | None = None
    ) -> list[tuple[Observation, float, float]]:
        """Least and most of every suppressed observation; with ``truth``, "×" cells are given away exactly; with
        ``tables_only`` the attacker knows only the cells of the detail and series tables, not the filtered totals."""
        index = {key: i for i, key in enumerate(sorted(self.candidates))}
        eq_rows, eq_values, ub_rows, ub_values = [], [], [], []

        def row(atoms: frozenset[Key]) -> np.ndarray:
            vector = np.zeros(len(index))
            for key in atoms:
                vector[index[key]] = 1.0
            return vector

        suppressed = []
        for obs in self.seen:
            if obs.suppressed == "listed":  # what the lists and summaries tell, in every run
                ub_rows.append(-row(obs.atoms))
                ub_values.append(-obs.floor)
                continue
            if tables_only and not obs.table_cell:
                continue
            if obs.value is not None:
                eq_rows.append(row(obs.atoms))
                eq_values.append(obs.value)
            elif obs.suppressed == "klein":
                ub_rows += [row(obs.atoms), -row(obs.atoms)]
                ub_values += [THRESHOLD - 1, -obs.floor]
                suppressed.append(obs)
            elif truth is not None and obs.table_cell:
                eq_rows.append(row(obs.atoms))
                eq_values.append(sum(truth.get(k, 0) for k in obs.atoms))
            else:
                if obs.table_cell:
                    ub_rows.append(-row(obs.atoms))
                    ub_values.append(-obs.floor if self.crowded(obs) else -THRESHOLD)
                suppressed.append(obs)
        unique = {obs.atoms: obs for obs in suppressed}
        results = []
        bounds = [(0, None)] * len(index)  # every point of a series, empty or not
        for atoms, obs in unique.items():
            if only is not None and atoms != only:
                continue
            objective = row(atoms)
            ends = []
            for sign in (1.0, -1.0):
                result = linprog(
                    sign * objective, A_ub=np.array(ub_rows) if ub_rows else None, b_ub=ub_values or None,
                    A_eq=np.array(eq_rows), b_eq=eq_values, bounds=bounds, method="highs",
                )  # fmt: skip
                assert result.status in (0, 3), result.message  # the published numbers are consistent
                ends.append(sign * result.fun if result.status == 0 else float("inf") * sign)
            results.append((obs, ends[0], ends[1]))
        return results


@pytest.fixture
def attacked(tmp_path: Path) -> Iterator[tuple[Attacker, World]]:
    with open_hub(tmp_path, agencies=("GM0363",)) as hub:
        state = MatchingState(hub.settings.data / "matching")
        try:
            world = seed_world(state, patterns=10, seed=23, weeks=8)
        finally:
            state.close()
        weeks = [_week(START.date() + timedelta(days=7 * k)) for k in range(8)]
        attacker = Attacker(hub, weeks)
        listed = sorted(p for p, members in world.members.items() if len(members) >= THRESHOLD)
        attacker.collect(listed, random.Random(5))
        yield attacker, world


def _truth(world: World) -> dict[Key, int]:
    counts: dict[Key, int] = {}
    for p, members in world.members.items():
        for org, _, _, at in members:
            key = (p, _week(at.date()), org)
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_no_suppressed_count_can_be_pinned_from_everything_the_api_publishes(attacked: tuple[Attacker, World]) -> None:
    """Every hidden cell of the tables keeps a range of at least one whole value, whatever else the attacker read,
    with no exception for cells the data's shape would pin (weeks are dense, crowded cells claim nothing); a filtered
    total (a sum over several cells, never itself a cell) that is pinned is pinned by the tables alone, so the
    filters, list pages and exports tell nothing the tables do not (a sum like "total 19, first week 10" gives "the
    other weeks: 9" in any publication of those two numbers)."""
    attacker, world = attacked
    truth = _truth(world)
    patterns = {p for p, _, _ in attacker.candidates}
    assert {k for k in truth if k[0] in patterns} < attacker.candidates, "dense: empty weeks are points too"
    small = [o for o in attacker.seen if o.suppressed == "klein"]
    assert len(small) >= 30, "the data must have many small cells to attack"
    results = attacker.squeeze()
    tables = {obs.atoms: (least, most) for obs, least, most in attacker.squeeze(tables_only=True)}
    for obs, least, most in results:
        real = sum(truth.get(k, 0) for k in obs.atoms)
        assert least - 1e-6 <= real <= most + 1e-6, obs.where  # the attacker's model is sound
        if obs.table_cell:
            assert most - least >= 1 - 1e-6, f"pinned: {obs.where} is {real} (range {least}..{most})"
        elif most - least < 1 - 1e-6:
            from_tables = _range_from_tables(attacker, obs, tables)
            assert from_tables[1] - from_tables[0] < 1 - 1e-6, f"the filters pinned {obs.where}"


def _range_from_tables(
    attacker: Attacker, obs: Observation, known: dict[frozenset[Key], tuple[float, float]]
) -> tuple[float, float]:
    """The range of a filtered total when the attacker reads only the tables."""
    if obs.atoms in known:
        return known[obs.atoms]
    kept = [o for o in attacker.seen if o.table_cell or o.suppressed == "listed"]
    probe = Attacker(attacker.hub, attacker.weeks, attacker.candidates, kept, attacker.organisations)
    probe.seen.append(Observation(obs.atoms, None, "aanvullend", False, obs.where))
    found = {o.atoms: (least, most) for o, least, most in probe.squeeze(only=obs.atoms)}
    return found[obs.atoms]


def test_the_attacker_pins_small_cells_when_complements_are_given_away(attacked: tuple[Attacker, World]) -> None:
    attacker, world = attacked
    assert any(o.suppressed == "aanvullend" and o.table_cell for o in attacker.seen)
    results = attacker.squeeze(truth=_truth(world))
    pinned = [obs for obs, least, most in results if obs.suppressed == "klein" and most - least < 1 - 1e-6]
    assert pinned, "without complementary suppression the subtraction attack must succeed"
