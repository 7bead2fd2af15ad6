# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of complementary cell suppression (:mod:`hub.disclosure`, issue 7): protection time of a realistic release.

A release as the hub's insights make one per pattern: 30 ISO weeks × 14 organisations, four dimensions (week,
organisation, organisation kind, province; kind and province follow from the organisation) and the eight views the
read API publishes: (), (week), (organisation), (organisation_kind), (province), (week, organisation_kind),
(week, organisation), (week, province), weeks dense over the whole range (every week a row, empty or not, as the
insights publish them). Counts are skewed like real signal counts, the recipe of
``tests/hub/test_disclosure.py``: a few big organisations (log-normal means), gamma-distributed weekly counts, so many
cells fall below the threshold of 10 and some are empty. Several seeds, each a different release.

Per seed, two ways of protecting the same atoms, taking turns (the order alternating per repeat, so the shared
machine's busy moments fall on both alike), each on a fresh :class:`hub.disclosure.Release`:

- *highspy*: the module as shipped: one HiGHS model per audit round (``highspy.Highs``), each further LP a warm
  re-solve after changing the costs;
- *linprog* (the baseline): the very same audit with every LP solved from scratch by scipy's public
  ``scipy.optimize.linprog(method="highs")``, which builds and solves a new model per call.

Timed: the protection alone (the first ``suppressed_count``: line rule, LP audit, complements), wall clock and process
CPU time, the median over the repeats. Reported per seed: published cells (rows over all views), how many are
``"klein"`` and ``"aanvullend"`` (by both ways), the LPs the audit solved (counted in an extra, untimed run),
whether both ways hide the same cells (a cold solve may end at another optimal vertex, whose duals point at other
complements), and for both the narrowest range an attacker gets for a hidden cell (least to most by LP over
everything the tables publish: its unknowns every week × organisation of the release, ≥ 0, listed rows holding a
signal, ``"klein"`` in [floor, 9], ``"aanvullend"`` ≥ 10 except on crowded cells; computed afterwards with linprog
from ``Release.table`` alone, not timed), with the cells narrower than :data:`hub.disclosure.PROTECTION` and those
pinned (narrower than 1). Exit 1 if a hidden cell is narrower than PROTECTION.

    .venv/bin/python bench/disclosure.py                 # 5 seeds, 3 repeats, table
    .venv/bin/python bench/disclosure.py --seeds 1 2 --repeats 1 --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

from hub.disclosure import MIN_THRESHOLD, Atom, Release
from hub.disclosure_audit import PROTECTION, Extreme, Incidence, Polytope, Vector
from hub.insights_releases import PATTERN_VIEWS

__all__ = [
    "VIEWS",
    "CountingRelease",
    "LinprogRelease",
    "attacker_ranges",
    "main",
    "measure_seed",
    "skewed_atoms",
    "weeks_of",
]

# The views the read model publishes for every pattern: the bench measures exactly what the hub protects.
VIEWS = PATTERN_VIEWS
DENSE = "week"


def skewed_atoms(seed: int, weeks: int = 30, organisations: int = 14) -> list[Atom]:
    """Weekly counts per organisation: a few big organisations, many small ones, many cells below 10, some empty."""
    rnd = random.Random(seed)
    kinds = {f"GM{i:04d}": rnd.choice(["municipality", "national_agency", "water_board"]) for i in range(organisations)}
    provinces = {o: rnd.choice(["PV20", "PV21", "PV22", "PV23"]) for o in kinds}
    means = {o: rnd.lognormvariate(1.0, 1.4) for o in kinds}
    atoms = []
    for w in range(weeks):
        for o, mean in means.items():
            n = int(rnd.gammavariate(1.5, mean / 1.5))
            if n:
                coords = {"week": f"2025-W{w + 1:02d}", "organisation": o}
                atoms.append(Atom({**coords, "organisation_kind": kinds[o], "province": provinces[o]}, n))
    return atoms


class CountingPolytope(Polytope):
    """The shipped polytope, counting its LPs (an untimed run only)."""

    solves: ClassVar[int] = 0

    def minimise(self, objective: Vector) -> Extreme:
        CountingPolytope.solves += 1
        return super().minimise(objective)


class CountingRelease(Release):
    """A shipped release that counts its LPs."""

    _polytope = CountingPolytope


class LinprogPolytope(Polytope):
    """The audit's polytope with every LP solved from scratch by scipy's public ``linprog`` (the baseline)."""

    solves: ClassVar[int] = 0

    def __init__(self, incidence: Incidence, values: Any, status: list[int], threshold: int, floors: Vector) -> None:
        super().__init__(incidence, values, status, threshold, floors)
        ones = np.ones(len(incidence.rows))
        self._matrix = sparse.csr_matrix((ones, (incidence.rows, incidence.cols)), shape=incidence.shape)

    def minimise(self, objective: Vector) -> Extreme:
        LinprogPolytope.solves += 1
        hidden = self.lower < self.upper
        hidden_up, hidden_down = np.flatnonzero(hidden & np.isfinite(self.upper)), np.flatnonzero(hidden)
        result = linprog(
            objective,
            A_ub=sparse.vstack([self._matrix[hidden_up], -self._matrix[hidden_down]], format="csr"),
            b_ub=np.concatenate([self.upper[hidden_up], -self.lower[hidden_down]]),
            A_eq=self._matrix[self.visible] if len(self.visible) else None,
            b_eq=self.lower[self.visible] if len(self.visible) else None,
            bounds=(0, None),
            method="highs",
        )
        if result.status == 3:
            return Extreme(-np.inf, None, None)
        if result.status != 0:
            raise RuntimeError(f"disclosure audit LP failed: {result.message}")
        duals = np.zeros(self._matrix.shape[0])
        if len(self.visible):
            duals[self.visible] = result.eqlin.marginals
        return Extreme(float(result.fun), result.x, duals)


class LinprogRelease(Release):
    """A release whose audit solves its LPs with :class:`LinprogPolytope`."""

    _polytope = LinprogPolytope


def weeks_of(weeks: int) -> list[str]:
    """The week domain of a benchmark release: every week of its range, in order."""
    return [f"2025-W{w + 1:02d}" for w in range(weeks)]


def attacker_ranges(release: Release, atoms: list[Atom]) -> list[float]:
    """Per distinct hidden cell: its width (most − least) for an attacker who reads every published table and knows
    the public facts: the unknowns are every (week, organisation) of the release (weeks from the (week,) table,
    organisations from the (organisation,) table), each ≥ 0; ``"klein"`` is in [1, 9] in a view without weeks
    (its rows are organisations, kinds or provinces that occur) and [0, 9] in one with weeks; ``"aanvullend"`` is
    ≥ threshold, except on a cell holding more than threshold − 1 − PROTECTION listed rows, where it claims nothing
    (the documented crowding rule)."""
    facts = {a.coords["organisation"]: a.coords for a in atoms}
    weeks = [c["week"] for c, _ in release.table(("week",))]
    organisations = [c["organisation"] for c, _ in release.table(("organisation",))]
    unknowns = [{**facts[o], "week": w} for o in organisations for w in weeks]
    eq: dict[tuple[int, ...], int] = {}
    hidden: dict[tuple[int, ...], tuple[float, float]] = {}
    listed: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
    rows = []
    for view in VIEWS:
        for coords, shown in release.table(view):
            members = tuple(i for i, u in enumerate(unknowns) if all(u[d] == v for d, v in coords.items()))
            rows.append((view, members, shown))
            if DENSE not in view:
                listed.append((view, members))
    for view, members, shown in rows:
        floor = 0.0 if DENSE in view else 1.0
        if shown.value is not None:
            eq[members] = shown.value
        elif shown.suppressed == "klein":
            hidden[members] = (floor, release.threshold - 1.0)
        else:
            inside: dict[tuple[str, ...], int] = {}
            for other, cell in listed:
                if set(cell) <= set(members):
                    inside[other] = inside.get(other, 0) + 1
            crowded = max(inside.values(), default=0) > release.threshold - 1 - PROTECTION
            hidden[members] = (floor if crowded else float(release.threshold), np.inf)

    def matrix(sets: list[tuple[int, ...]]) -> Any:
        entries = [(r, i) for r, members in enumerate(sets) for i in members]
        data = (np.ones(len(entries)), ([r for r, _ in entries], [i for _, i in entries]))
        return sparse.csr_matrix(data, shape=(len(sets), len(unknowns)))

    lows = list(hidden)
    highs = [m for m, (_, most) in hidden.items() if np.isfinite(most)]
    a_ub = sparse.vstack([-matrix(lows), matrix(highs)], format="csr")
    b_ub = np.array([-hidden[m][0] for m in lows] + [hidden[m][1] for m in highs])
    a_eq, b_eq = matrix(list(eq)), np.array(list(eq.values()), dtype=float)
    widths = []
    for members in hidden:
        objective = np.zeros(len(unknowns))
        objective[list(members)] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
            ends.append(-np.inf if result.status == 3 else sign * float(result.fun))
        widths.append(ends[1] - ends[0])
    return widths


def _protect(release: Release) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    release.suppressed_count  # noqa: B018 - the first read decides the suppression: this is what is timed
    return time.perf_counter() - wall, time.process_time() - cpu


def _status(release: Release) -> list[list[str | None]]:
    return [[shown.suppressed for _, shown in release.table(view)] for view in VIEWS]


def measure_seed(seed: int, weeks: int, organisations: int, repeats: int) -> dict[str, Any]:
    """Both ways of protecting one seed's release, ``repeats`` times each, taking turns."""
    atoms = skewed_atoms(seed, weeks, organisations)
    domains = {"week": weeks_of(weeks)}
    times: dict[str, dict[str, list[float]]] = {way: {"wall": [], "cpu": []} for way in ("highspy", "linprog")}
    releases: dict[str, Release] = {}
    lps = 0
    for repeat in range(repeats):
        ways = ["highspy", "linprog"] if (seed + repeat) % 2 == 0 else ["linprog", "highspy"]
        for way in ways:
            LinprogPolytope.solves = 0
            kind = Release if way == "highspy" else LinprogRelease
            release = kind(atoms, VIEWS, domains=domains)
            wall, cpu = _protect(release)
            times[way]["wall"].append(wall)
            times[way]["cpu"].append(cpu)
            if way == "linprog":
                lps = LinprogPolytope.solves
            releases[way] = release
    new, old = releases["highspy"], releases["linprog"]
    CountingPolytope.solves = 0
    counted = CountingRelease(atoms, VIEWS, domains=domains)
    assert _status(counted) == _status(new), "counting the LPs changes nothing"
    labels = [label for row in _status(new) for label in row]
    ranges, ranges_old = attacker_ranges(new, atoms), attacker_ranges(old, atoms)
    report: dict[str, Any] = {
        "seed": seed,
        "atoms": len(atoms),
        "cells": len(labels),
        "klein": labels.count("klein"),
        "aanvullend": labels.count("aanvullend"),
        "lps": {"highspy": CountingPolytope.solves, "linprog": lps},
        "aanvullend_linprog": sum(row.count("aanvullend") for row in _status(old)),
        "same_cells_hidden": _status(new) == _status(old),
        "pinned": new.pinned_count,
        "narrowest_range": round(min(ranges), 3) if ranges else None,
        "narrowest_range_linprog": round(min(ranges_old), 3) if ranges_old else None,
        # Hidden cells an attacker narrows below PROTECTION (must be 0), and pins (narrower than 1; must be 0).
        "below_protection": sum(1 for w in ranges if w < PROTECTION - 1e-6),
        "below_protection_linprog": sum(1 for w in ranges_old if w < PROTECTION - 1e-6),
        "attacker_pinned": sum(1 for w in ranges if w < 1 - 1e-6),
    }
    for way, measured in times.items():
        report[way] = {f"{kind}_s": round(statistics.median(values), 4) for kind, values in measured.items()}
    report["ratio_wall"] = round(report["linprog"]["wall_s"] / report["highspy"]["wall_s"], 2)
    report["ratio_cpu"] = round(report["linprog"]["cpu_s"] / report["highspy"]["cpu_s"], 2)
    return report


def _print(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"{m['date']}  {m['cpu']}, {m['cores']} cores, load {m['loadavg_1m']} (end {report['load_end']})")
    print(f"Python {m['python']}, highspy {m['highspy']}, scipy {m['scipy']}")
    release = f"{m['weeks']} weeks × {m['organisations']} organisations, {len(VIEWS)} views, threshold {MIN_THRESHOLD}"
    print(f"{release}, median of {m['repeats']} repeats\n")
    print("LPs, aanvullend and narrowest range: highspy / linprog")
    print(
        "seed  cells  klein  aanvullend  LPs        same  narrowest  < 2  highspy wall/cpu s  linprog wall/cpu s  ratio"
    )
    for r in report["seeds"]:
        new, old = r["highspy"], r["linprog"]
        print(
            f"{r['seed']:>4}  {r['cells']:>5}  {r['klein']:>5}  {r['aanvullend']:>4} / {r['aanvullend_linprog']:<3}  "
            f"{r['lps']['highspy']:>3} / {r['lps']['linprog']:<3}  "
            f"{'yes' if r['same_cells_hidden'] else 'no':>4}  "
            f"{r['narrowest_range']:>4} / {r['narrowest_range_linprog']:<4} {r['below_protection']:>3}  "
            f"{new['wall_s']:>8.3f} / {new['cpu_s']:<8.3f} {old['wall_s']:>8.3f} / {old['cpu_s']:<8.3f}  "
            f"{r['ratio_wall']:>5.1f}x / {r['ratio_cpu']:.1f}x"
        )
    s = report["summary"]
    print("< 2: hidden cells an attacker narrows below PROTECTION (2); in all: ", end="")
    print(f"{s['below_protection']} (linprog baseline {s['below_protection_linprog']}), pinned: {s['pinned']}")
    print(f"\nmedian ratio linprog / highspy: wall {s['median_ratio_wall']}x, CPU {s['median_ratio_cpu']}x")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; exit 1 if a hidden cell is narrower than PROTECTION."""
    parser = argparse.ArgumentParser(description="Protection time of complementary suppression, highspy vs linprog.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="one release per seed")
    parser.add_argument("--weeks", type=int, default=30)
    parser.add_argument("--organisations", type=int, default=14)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per way and seed (median)")
    parser.add_argument("--json", action="store_true", help="machine output on stdout")
    args = parser.parse_args(argv)
    machine = machine_info(
        highspy=version("highspy"),
        scipy=version("scipy"),
        weeks=args.weeks,
        organisations=args.organisations,
        repeats=args.repeats,
    )
    seeds = [measure_seed(seed, args.weeks, args.organisations, args.repeats) for seed in args.seeds]
    summary = {
        "median_ratio_wall": round(statistics.median(r["ratio_wall"] for r in seeds), 2),
        "median_ratio_cpu": round(statistics.median(r["ratio_cpu"] for r in seeds), 2),
        "below_protection": sum(r["below_protection"] for r in seeds),
        "below_protection_linprog": sum(r["below_protection_linprog"] for r in seeds),
        "pinned": sum(r["attacker_pinned"] + r["pinned"] for r in seeds),
    }
    report = {"machine": machine, "load_end": round(os.getloadavg()[0], 2), "seeds": seeds, "summary": summary}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0 if summary["below_protection"] == summary["pinned"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
