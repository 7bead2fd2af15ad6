# SPDX-License-Identifier: EUPL-1.2
"""Tests for hub.disclosure: primary and complementary suppression, and the subtraction attack that must fail.

The attacker here is written independently of the module: it sees only what ``Release.table()`` and
``Release.total()`` publish (plus, to be strong, which atoms exist) and runs its own LPs with scipy.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from governance.errors import InvalidInputError
from hub import disclosure, disclosure_audit
from hub.disclosure import MIN_THRESHOLD, Atom, Release, Shown, ThresholdError

T = MIN_THRESHOLD
FOUR_DIMS = ("week", "organisation", "organisation_kind", "province")
VIEWS: list[tuple[str, ...]] = [
    (),
    ("week",),
    ("organisation",),
    ("organisation_kind",),
    ("province",),
    ("week", "organisation_kind"),
    ("week", "organisation"),
    ("week", "province"),
]


class PrimaryOnly(Release):
    """A release without complementary suppression: only here to prove that the attack test has teeth."""

    def _complement(self, status: list[int]) -> None:
        return None


def grid(counts: dict[tuple[str, str], int], kinds: dict[str, str], provinces: dict[str, str]) -> list[Atom]:
    """Atoms from (week, organisation) counts; kind and province follow from the organisation."""
    return [
        Atom({"week": w, "organisation": o, "organisation_kind": kinds[o], "province": provinces[o]}, n)
        for (w, o), n in counts.items()
    ]


def skewed_release_atoms(seed: int, weeks: int, organisations: int) -> list[Atom]:
    """Realistic skew: a few big organisations, many small ones, many cells below the threshold and some empty."""
    rnd = random.Random(seed)
    kinds = {f"GM{i:04d}": rnd.choice(["municipality", "national_agency", "water_board"]) for i in range(organisations)}
    provinces = {o: rnd.choice(["PV20", "PV21", "PV22", "PV23"]) for o in kinds}
    means = {o: rnd.lognormvariate(1.0, 1.4) for o in kinds}
    counts = {}
    for w in range(weeks):
        for o, mean in means.items():
            n = int(rnd.gammavariate(1.5, mean / 1.5))
            if n:
                counts[(f"2025-W{w + 1:02d}", o)] = n
    return grid(counts, kinds, provinces)


# -- the independent attacker ---------------------------------------------------------------------------------


def _group(atoms: Sequence[Atom], dims: Sequence[str]) -> tuple[list[tuple[str, ...]], np.ndarray]:
    keys = sorted({tuple(a.coords[d] for d in dims) for a in atoms if a.count})
    truth = np.zeros(len(keys))
    for a in atoms:
        truth[keys.index(tuple(a.coords[d] for d in dims))] += a.count
    return keys, truth


def _members(keys: list[tuple[str, ...]], dims: Sequence[str], coords: dict[str, str]) -> np.ndarray:
    return np.array([all(k[dims.index(d)] == v for d, v in coords.items()) for k in keys], dtype=float)


def attack(
    release: Release,
    atoms: Sequence[Atom],
    views: Sequence[tuple[str, ...]],
    totals: Iterable[dict[str, str | list[str]]] = (),
) -> list[tuple[tuple[str, ...], dict[str, str], float, float, float]]:
    """Least and most of every hidden cell from what the release publishes. Knows which atoms exist, every visible
    value, klein in [1, T-1], aanvullend cells ≥ T (complements are never small), atoms ≥ 0. Filtered totals add
    their exact values, or [1, T-1] when labelled klein (their aanvullend label claims nothing)."""
    dims = sorted(set().union(*views))
    keys, truth = _group(atoms, dims)
    eq, eq_b, ub, ub_b, targets = [], [], [], [], []
    for view in views:
        for coords, shown in release.table(view):
            row = _members(keys, dims, coords)
            assert row.any(), "a published row covers existing atoms"
            if shown.value is not None:
                eq.append(row)
                eq_b.append(shown.value)
                continue
            ub.append(-row)
            ub_b.append(-(1.0 if shown.suppressed == "klein" else float(T)))
            if shown.suppressed == "klein":
                ub.append(row)
                ub_b.append(T - 1.0)
            targets.append((view, coords, row))
    for filters in totals:
        shown = release.total(**filters)
        wanted = {d: {v} if isinstance(v, str) else set(v) for d, v in filters.items()}
        row = np.array([all(k[dims.index(d)] in vs for d, vs in wanted.items()) for k in keys], dtype=float)
        if shown.value is not None:
            eq.append(row)
            eq_b.append(shown.value)
        elif shown.suppressed == "klein":
            ub.extend([row, -row])
            ub_b.extend([T - 1.0, -1.0])
    results = []
    for view, coords, row in targets:
        low = _solve(row, eq, eq_b, ub, ub_b)
        high = -_solve(-row, eq, eq_b, ub, ub_b)
        results.append((view, coords, low, high, float(row @ truth)))
    return results


def _solve(objective: np.ndarray, eq: list, eq_b: list, ub: list, ub_b: list) -> float:
    result = linprog(
        objective,
        A_eq=np.array(eq) if eq else None,
        b_eq=np.array(eq_b, dtype=float) if eq else None,
        A_ub=np.array(ub) if ub else None,
        b_ub=np.array(ub_b) if ub else None,
        bounds=(0, None),
        method="highs",
    )
    if result.status == 3:
        return -np.inf
    assert result.status == 0, result.message
    return float(result.fun)


def shape_width(atoms: Sequence[Atom], views: Sequence[tuple[str, ...]], cell: np.ndarray) -> float:
    """The width a cell keeps if every cell were hidden: what the data's shape alone allows (rows are public)."""
    dims = sorted(set().union(*views))
    keys, truth = _group(atoms, dims)
    ub, ub_b = [], []
    for view in views:
        for group in sorted({tuple(k[dims.index(d)] for d in view) for k in keys}):
            row = _members(keys, dims, dict(zip(view, group, strict=True)))
            value = row @ truth
            ub.append(-row)
            ub_b.append(-(1.0 if value < T else float(T)))
            if value < T:
                ub.append(row)
                ub_b.append(T - 1.0)
    return -_solve(-cell, [], [], ub, ub_b) - _solve(cell, [], [], ub, ub_b)


def recovered(results: list, atoms: Sequence[Atom], views: Sequence[tuple[str, ...]]) -> list:
    """Hidden cells the attacker pins (range < 1) that the data's shape did not already pin."""
    dims = sorted(set().union(*views))
    keys, _ = _group(atoms, dims)
    pinned = [r for r in results if r[3] - r[2] < 1 - 1e-6]
    return [r for r in pinned if shape_width(atoms, views, _members(keys, dims, r[1])) >= 1 - 1e-6]


# -- basics ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0, 5, 9, -10])
def test_threshold_below_ten_is_refused(threshold: int) -> None:
    with pytest.raises(ThresholdError) as info:
        Release([], [()], threshold=threshold)
    assert info.value.code == "threshold-too-low"
    assert isinstance(info.value, InvalidInputError)


def test_threshold_ten_or_more_is_accepted_and_used() -> None:
    atoms = [Atom({"week": "W1"}, 12), Atom({"week": "W2"}, 30)]
    assert Release(atoms, [("week",)], threshold=10).table(("week",))[0][1] == Shown(12, None)
    assert Release(atoms, [("week",)], threshold=15).table(("week",))[0][1].suppressed == "klein"


def test_display_strings_and_json() -> None:
    assert Shown(1234, None).display() == "1.234"
    assert Shown(1234567, None).display() == "1.234.567"
    assert Shown(12, None).display() == "12"
    assert Shown(None, "klein").display() == "< 10"
    assert Shown(None, "klein").display(threshold=20) == "< 20"
    assert Shown(None, "aanvullend").display() == "×"
    assert Shown(42, None).as_json() == {"value": 42, "suppressed": None}
    assert Shown(None, "klein").as_json() == {"value": None, "suppressed": "klein"}
    with pytest.raises(ValueError):
        Shown(None, None)
    with pytest.raises(ValueError):
        Shown(3, "klein")


def test_primary_suppression_hides_one_to_nine_and_omits_empty_groups() -> None:
    counts = {"W1": 1, "W2": 9, "W3": 10, "W4": 500}
    atoms = [Atom({"week": w}, n) for w, n in counts.items()] + [Atom({"week": "W5"}, 0)]
    rows = dict((c["week"], s) for c, s in Release(atoms, [("week",)]).table(("week",)))
    assert set(rows) == {"W1", "W2", "W3", "W4"}  # the empty week is no row
    assert rows["W1"] == rows["W2"] == Shown(None, "klein")
    assert rows["W4"] == Shown(500, None)


def test_no_small_cell_means_no_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no LP needed without small cells")

    monkeypatch.setattr(disclosure_audit.Polytope, "minimise", refuse)
    atoms = [Atom({"week": w, "organisation": o}, 10 + i) for i, (w, o) in enumerate([("W1", "A"), ("W1", "B")])]
    release = Release(atoms, [("week",), ("week", "organisation")])
    assert release.suppressed_count == 0
    assert release.total() == Shown(21, None)


def test_grand_total_below_threshold_hides_everything() -> None:
    atoms = [Atom({"week": "W1", "organisation": "A"}, 4), Atom({"week": "W2", "organisation": "B"}, 5)]
    release = Release(atoms, [("week",), ("organisation",), ("week", "organisation")])
    for view in [(), ("week",), ("organisation",), ("week", "organisation")]:
        assert all(shown.suppressed == "klein" for _, shown in release.table(view))
    assert release.total() == Shown(None, "klein")


def test_views_are_order_insensitive_and_unknown_ones_refused() -> None:
    atoms = [Atom({"week": "W2", "organisation": "A"}, 20), Atom({"week": "W1", "organisation": "B"}, 30)]
    release = Release(atoms, [("week", "organisation")])
    rows = release.table(("organisation", "week"))
    assert [c for c, _ in rows] == [{"organisation": "A", "week": "W2"}, {"organisation": "B", "week": "W1"}]
    assert release.table(("week", "organisation"))[0][0] == {"week": "W1", "organisation": "B"}
    with pytest.raises(InvalidInputError):
        release.table(("week",))
    with pytest.raises(InvalidInputError):
        release.total(province="PV27")


def test_protection_is_deterministic_whatever_the_atom_order() -> None:
    atoms = skewed_release_atoms(3, weeks=6, organisations=6)
    shuffled = list(atoms)
    random.Random(1).shuffle(shuffled)
    first, second = Release(atoms, VIEWS), Release(shuffled, VIEWS)
    for view in VIEWS:
        assert first.table(view) == second.table(view)
    assert first.suppressed_count == second.suppressed_count > 0


# -- complementary suppression --------------------------------------------------------------------------------


def test_a_line_with_one_small_cell_gets_a_complement_but_not_the_grand_total() -> None:
    atoms = [Atom({"week": w}, n) for w, n in {"W1": 3, "W2": 50, "W3": 60, "W4": 70}.items()]
    release = Release(atoms, [("week",)])
    rows = dict((c["week"], s) for c, s in release.table(("week",)))
    assert rows["W1"] == Shown(None, "klein")
    assert sum(1 for s in rows.values() if s.suppressed == "aanvullend") == 1
    assert release.total() == Shown(183, None)
    assert recovered(attack(release, atoms, [(), ("week",)]), atoms, [(), ("week",)]) == []
    # Without complements the week is simply the total minus the others.
    leaked = attack(PrimaryOnly(atoms, [("week",)]), atoms, [(), ("week",)])
    assert [(r[1], round(r[2]), round(r[3])) for r in leaked] == [({"week": "W1"}, 3, 3)]


def test_two_small_cells_adding_up_to_a_visible_eighteen_are_not_both_nine() -> None:
    counts = {("W1", "A"): 9, ("W1", "B"): 9}
    counts.update({(w, o): 40 + i for i, (w, o) in enumerate((w, o) for w in ("W2", "W3") for o in "AB")})
    atoms = [Atom({"week": w, "organisation": o}, n) for (w, o), n in counts.items()]
    views = [(), ("week",), ("organisation",), ("week", "organisation")]
    # The trap: each is in [1, 9] and together they are 18, so each is 9.
    naive = attack(PrimaryOnly(atoms, views), atoms, views)
    assert any(r[2] == pytest.approx(9) and r[3] == pytest.approx(9) for r in naive)
    release = Release(atoms, views)
    results = attack(release, atoms, views)
    assert {tuple(r[1].values()) for r in results} >= {("W1", "A"), ("W1", "B")}
    assert recovered(results, atoms, views) == []
    assert all(r[3] - r[2] >= disclosure.PROTECTION - 1e-6 for r in results)


def test_nested_views_organisation_within_kind_are_protected() -> None:
    kinds = {"A": "municipality", "B": "municipality", "C": "municipality", "D": "water_board", "E": "water_board"}
    sizes = dict(zip("ABCDE", (3, 40, 50, 100, 120), strict=True))
    atoms = [Atom({"organisation": o, "organisation_kind": kinds[o]}, n) for o, n in sizes.items()]
    views = [(), ("organisation",), ("organisation_kind",)]
    # Without protection: municipality total 93 minus B and C gives A.
    assert [round(r[2]) for r in attack(PrimaryOnly(atoms, views), atoms, views)] == [3]
    release = Release(atoms, views)
    results = attack(release, atoms, views)
    assert recovered(results, atoms, views) == []
    kind_rows = dict((c["organisation_kind"], s) for c, s in release.table(("organisation_kind",)))
    assert kind_rows["water_board"] == Shown(220, None)  # the complement stays inside the municipalities
    assert release.total() == Shown(313, None)


def test_the_shape_of_the_data_can_pin_a_cell_and_is_reported() -> None:
    # Nine organisations with one signal each in W1: the week is < 10 and has nine rows, so it is 9 and each is 1.
    counts = {("W1", f"O{i}"): 1 for i in range(9)}
    counts.update({("W2", f"O{i}"): 30 + i for i in range(9)})
    atoms = [Atom({"week": w, "organisation": o}, n) for (w, o), n in counts.items()]
    views = [(), ("week",), ("week", "organisation")]
    release = Release(atoms, views)
    assert release.pinned_count >= 1
    visible = [s for v in views for _, s in release.table(v) if s.value is not None]
    assert visible, "a structural pin does not make the release hide everything"


# -- the subtraction attack -----------------------------------------------------------------------------------


@st.composite
def releases(draw: st.DrawFn) -> list[Atom]:
    weeks = [f"2025-W{w:02d}" for w in range(1, draw(st.integers(2, 5)) + 1)]
    organisations = [f"GM{i:04d}" for i in range(draw(st.integers(2, 5)))]
    kinds = {o: draw(st.sampled_from(["municipality", "national_agency"])) for o in organisations}
    provinces = {o: draw(st.sampled_from(["PV20", "PV21", "PV22"])) for o in organisations}
    small, big = st.integers(1, 9), st.integers(10, 80)
    count = st.one_of(st.just(0), small, small, big)  # skewed: mostly small or empty
    counts = {(w, o): draw(count) for w in weeks for o in organisations}
    return grid({k: n for k, n in counts.items() if n}, kinds, provinces)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(releases())
def test_subtraction_attack_fails_on_random_releases(atoms: list[Atom]) -> None:
    release = Release(atoms, VIEWS)
    results = attack(release, atoms, VIEWS)
    assert recovered(results, atoms, VIEWS) == []
    dims = sorted(FOUR_DIMS)
    keys, _ = _group(atoms, dims)
    for view, coords, low, high, truth in results:
        assert low - 1e-6 <= truth <= high + 1e-6
        # The stronger promise: two whole values of room wherever the data's shape allows it.
        allowed = min(disclosure.PROTECTION, shape_width(atoms, VIEWS, _members(keys, dims, coords)))
        assert high - low >= allowed - 1e-6, (view, coords)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_subtraction_attack_fails_on_larger_skewed_releases(seed: int) -> None:
    atoms = skewed_release_atoms(seed, weeks=8, organisations=8)
    release = Release(atoms, VIEWS)
    assert release.suppressed_count > 0
    assert recovered(attack(release, atoms, VIEWS), atoms, VIEWS) == []


def test_the_attack_has_teeth_without_complementary_suppression() -> None:
    leaks = 0
    for seed in (11, 12, 13):
        atoms = skewed_release_atoms(seed, weeks=8, organisations=8)
        leaks += len(recovered(attack(PrimaryOnly(atoms, VIEWS), atoms, VIEWS), atoms, VIEWS))
    assert leaks > 0


def test_filtered_totals_never_reveal_what_the_tables_hide() -> None:
    atoms = skewed_release_atoms(21, weeks=6, organisations=7)
    release = Release(atoms, VIEWS)
    organisations = sorted({a.coords["organisation"] for a in atoms})
    weeks = sorted({a.coords["week"] for a in atoms})
    kinds = sorted({a.coords["organisation_kind"] for a in atoms})
    totals: list[dict[str, str | list[str]]] = [{"organisation": o} for o in organisations]
    totals += [{"week": w} for w in weeks]
    totals += [{"week": weeks[:2]}, {"organisation": organisations[:3]}]
    totals += [{"organisation_kind": k, "week": w} for k in kinds for w in weeks]
    totals += [{"organisation": o, "week": weeks[:3]} for o in organisations]
    # A single-cell total is exactly that cell as the table shows it.
    for coords, shown in release.table(("organisation",)):
        assert release.total(organisation=coords["organisation"]) == shown
    assert release.total(organisation="GM9999") == Shown(0, None)
    assert recovered(attack(release, atoms, VIEWS, totals), atoms, VIEWS) == []


def test_a_filtered_total_is_exact_when_its_cells_are_visible_and_never_small() -> None:
    atoms = [Atom({"week": w, "organisation": o}, n) for (w, o), n in {("W1", "A"): 30, ("W2", "A"): 40}.items()]
    atoms += [Atom({"week": "W1", "organisation": "B"}, 4), Atom({"week": "W2", "organisation": "B"}, 60)]
    release = Release(atoms, [("week",), ("organisation",), ("week", "organisation")])
    assert release.total(week=["W1", "W2"]) == Shown(134, None)
    assert release.total(organisation="A", week=["W1", "W2"]) == Shown(70, None)
    for shown in (release.total(organisation="B", week=["W1", "W2"]), release.total(week="W1", organisation="B")):
        assert shown.value is None or shown.value >= T


def test_benchmark_sized_release_is_protected() -> None:
    # Its speed is measured by bench/disclosure.py, not here: a shared CI runner makes any time bound flaky.
    atoms = skewed_release_atoms(5, weeks=30, organisations=14)
    release = Release(atoms, VIEWS)
    assert release.suppressed_count > 0
    assert release.pinned_count == 0
    rows = [shown for view in VIEWS for _, shown in release.table(view)]
    assert {shown.suppressed for shown in rows} == {None, "klein", "aanvullend"}
    assert all(shown.value is None or shown.value >= T for shown in rows)


def test_the_solver_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # HiGHS writes a banner to standard output unless silenced first; that would spoil any --json output.
    atoms = skewed_release_atoms(12, weeks=4, organisations=4)
    release = Release(atoms, VIEWS)
    assert release.suppressed_count > 0
    assert release.total(week=["2025-W01", "2025-W02"]) is not None
    out, err = capfd.readouterr()
    assert out == err == ""
