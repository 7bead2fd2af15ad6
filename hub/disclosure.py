# SPDX-License-Identifier: EUPL-1.2
"""Privacy-safe publication of counts: what a release shows, with primary and complementary cell suppression.

A :class:`Release` holds the atoms of one read (non-negative counts on coordinates such as week and organisation) and
the views it publishes (group-by sums over dimension tuples; the grand total ``()`` always among them). Which rows a
view has is public, so it must not tell more than the counts may:

- A dimension given a *domain* (``domains``: its categories in order, e.g. every ISO week of a pattern's range) is
  *dense*: the atoms are every category of every dense dimension crossed with every combination of the other
  (*listed*) dimensions that occurs, and each view has a row for every such combination, empty or not. A view with
  a dense dimension, e.g. (week, organisation) or (week,), thus has a row per week of the range and organisation of
  the release, and an empty cell looks like any other small one: ``"klein"``, ``"< 10"`` (true: 0 < 10). An
  attacker cannot tell which of its cells hold a signal, so a ``"klein"`` cell there lies in [0, threshold-1].
- A view of listed dimensions only, e.g. (organisation,), lists the categories that occur (the organisations
  involved in a pattern are meant to be shown); each such row is known to hold at least one signal, so its
  ``"klein"`` lies in [1, threshold-1]. Without domains every dimension is listed (the behaviour before domains).
  Give domains to dimensions that vary independently of the others (time); an attribute of another dimension (an
  organisation's kind or province) stays listed, or combinations that cannot occur would become rows.

Then it decides which cells to hide:

1. *Primary* suppression (``"klein"``): every cell below the threshold, empty cells of dense views included.
2. *Crowded* cells: a cell holding n disjoint listed rows is at least n. When n > threshold - 1 - PROTECTION (8 or
   more under a threshold of 10), "< 10" would fix it and its rows to within less than PROTECTION (a kind of
   organisations with nine organisations listed and "< 10" is 9, each organisation 1). Such a cell, when hidden, is
   labelled ``"aanvullend"`` whether it is small or a complement: the label claims nothing about its size, and the
   audit below keeps it from being derived like any other hidden cell. (Not listing the organisations instead would
   not help: the read side tells which organisations a pattern involves elsewhere too, in its list filters and
   summary; padding the listing with organisations that are not involved would be untrue and leak the same way.)
3. *Complementary* suppression (``"aanvullend"``): more cells are hidden until no combination of the visible cells of
   all views (totals, margins, finer tables, nested views) lets anyone subtract their way to a hidden one. How, is
   :mod:`hub.disclosure_audit`'s business: a line rule, then an LP audit (HiGHS) of every hidden cell against what an
   attacker knows: every visible cell exactly, ``"klein"`` cells in [floor, threshold-1], ``"aanvullend"`` cells at
   least the threshold (crowded ones: at least their floor), atoms ≥ 0, and which combinations occur.

What the audit guarantees: for every hidden cell, max − min of the *relaxed* LP over everything :meth:`Release.table`
and :meth:`Release.total` publish is at least ``min(PROTECTION, the width it would have if every cell were hidden)``,
and with dense views and crowded cells that second term is at least PROTECTION where one listed view refines the
others, as organisation does in a pattern's release (crowding counts the rows of one view at a time).
:attr:`Release.pinned_count` counts hidden cells the published rows alone would still pin (a safety net; 0 on every
release measured). The relaxation is an
outer bound of what an integer attacker learns, so for tables whose constraints are not totally unimodular (three or
more crossed dimensions) an integer attacker could in theory know more. The result depends only on the atoms and
domains: everything is sorted, nothing is random.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import Any, ClassVar

import numpy as np

from governance.errors import InvalidInputError
from hub.disclosure_audit import (
    COMPLEMENT,
    OPEN,
    PROTECTION,
    SMALL,
    VISIBLE,
    Audit,
    Incidence,
    Line,
    Polytope,
    Vector,
)

__all__ = [
    "AANVULLEND",
    "KLEIN",
    "MIN_THRESHOLD",
    "PROTECTION",
    "Atom",
    "Release",
    "Shown",
    "ThresholdError",
]

MIN_THRESHOLD = 10
"""The lowest threshold the hub accepts: counts based on fewer signals are never shown."""
KLEIN = "klein"
AANVULLEND = "aanvullend"

_LABELS = {SMALL: KLEIN, COMPLEMENT: AANVULLEND, OPEN: AANVULLEND}
# A sum whose LP range is narrower than this is fixed by what is published.
_EPS = 1e-7


class ThresholdError(InvalidInputError):
    """A suppression threshold below :data:`MIN_THRESHOLD`."""

    code = "threshold-too-low"


@dataclass(frozen=True)
class Shown:
    """One published number: a value, or why it is hidden (``"klein"``: fewer signals than the threshold;
    ``"aanvullend"``: hidden so that other cells cannot be derived from it)."""

    value: int | None
    suppressed: str | None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.suppressed is None) or self.suppressed not in (None, KLEIN, AANVULLEND):
            raise ValueError("a Shown has either a value or a suppression reason ('klein' or 'aanvullend')")

    def display(self, threshold: int = MIN_THRESHOLD) -> str:
        """For people: ``"1.234"`` (Dutch thousands separator), ``"< 10"`` for small, ``"×"`` for complementary."""
        if self.value is not None:
            return f"{self.value:,}".replace(",", ".")
        return f"< {threshold}" if self.suppressed == KLEIN else "×"

    def as_json(self) -> dict[str, Any]:
        """For machines: ``{"value": int | None, "suppressed": str | None}``."""
        return {"value": self.value, "suppressed": self.suppressed}


@dataclass(frozen=True)
class Atom:
    """The finest count a release is built from, e.g. signals of one organisation in one week."""

    coords: Mapping[str, str]
    count: int


class Release:
    """The cells of several views over the same atoms, with suppression decided once (lazily) for all of them.

    ``domains`` gives dense dimensions their categories in order (see the module docstring); an atom with a count
    outside its dimension's domain is refused. Without it every dimension lists the categories that occur."""

    # The audit's LP engine; a subclass may swap it (bench/disclosure.py's linprog baseline does).
    _polytope: ClassVar[type[Polytope]] = Polytope

    def __init__(
        self,
        atoms: Sequence[Atom],
        views: Sequence[tuple[str, ...]],
        threshold: int = MIN_THRESHOLD,
        domains: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < MIN_THRESHOLD:
            raise ThresholdError(f"the suppression threshold must be a whole number of at least {MIN_THRESHOLD}")
        self.threshold = threshold
        self._views: dict[frozenset[str], tuple[str, ...]] = {frozenset(): ()}
        for view in views:
            if not all(isinstance(dim, str) for dim in view) or len(set(view)) != len(view):
                raise InvalidInputError("a view is a tuple of distinct dimension names")
            self._views.setdefault(frozenset(view), tuple(view))
        self._dims = tuple(sorted(set().union(*self._views)))
        self._domains: dict[str, tuple[str, ...]] = {}
        for dim, categories in (domains or {}).items():
            if dim not in self._dims:
                raise InvalidInputError(f"a domain is given for {dim}, which no published view has")
            if isinstance(categories, str) or len(set(categories)) != len(categories):
                raise InvalidInputError(f"the domain of {dim} is a sequence of distinct categories")
            self._domains[dim] = tuple(str(c) for c in categories)
        self._build(atoms)

    def _build(self, atoms: Sequence[Atom]) -> None:
        """Index the atoms and every view's cells; identical cells of different views share one *class*."""
        merged: dict[tuple[str, ...], int] = {}
        for atom in atoms:
            if atom.count < 0:
                raise InvalidInputError("an atom's count is never negative")
            missing = [dim for dim in self._dims if dim not in atom.coords]
            if missing:
                raise InvalidInputError(f"an atom lacks the dimension(s) {', '.join(missing)} of a published view")
            if atom.count:
                key = tuple(str(atom.coords[dim]) for dim in self._dims)
                merged[key] = merged.get(key, 0) + atom.count
        dense = [p for p, dim in enumerate(self._dims) if dim in self._domains]
        listed = [p for p, dim in enumerate(self._dims) if dim not in self._domains]
        for p in dense:
            if any(key[p] not in self._domains[self._dims[p]] for key in merged):
                raise InvalidInputError(f"an atom's {self._dims[p]} lies outside the domain given for it")
        # Every category of the dense dimensions with every combination of the listed ones that occurs.
        combos = sorted({tuple(key[p] for p in listed) for key in merged})
        grid = list(product(*(self._domains[self._dims[p]] for p in dense)))
        keys: list[tuple[str, ...]] = []
        for combo in combos:
            for categories in grid:
                parts = [""] * len(self._dims)
                for positions, values in ((listed, combo), (dense, categories)):
                    for p, value in zip(positions, values, strict=True):
                        parts[p] = value
                keys.append(tuple(parts))
        self._atom_keys = sorted(keys)
        class_of: dict[tuple[int, ...], int] = {}
        class_atoms: list[tuple[int, ...]] = []
        self._cells: dict[frozenset[str], dict[tuple[str, ...], int]] = {}  # view -> canonical key -> class
        self._atom_class: dict[frozenset[str], list[int]] = {}  # view -> atom -> class
        for view in self._views:
            positions = [self._dims.index(dim) for dim in sorted(view)]
            groups: dict[tuple[str, ...], list[int]] = {}
            for i, key in enumerate(self._atom_keys):
                groups.setdefault(tuple(key[p] for p in positions), []).append(i)
            cells: dict[tuple[str, ...], int] = {}
            owner = [0] * len(self._atom_keys)
            for key in sorted(groups):
                members = tuple(groups[key])
                cls = class_of.setdefault(members, len(class_of))
                if cls == len(class_atoms):
                    class_atoms.append(members)
                cells[key] = cls
                for i in members:
                    owner[i] = cls
            self._cells[view] = cells
            self._atom_class[view] = owner
        self._incidence = Incidence(class_atoms, len(self._atom_keys))
        self._values = self._incidence.totals([merged.get(k, 0) for k in self._atom_keys])
        self._grand = self._cells[frozenset()].get((), -1)
        # A row of a view without dense dimensions is an occurring combination: public proof of one signal.
        self._listed_views = [view for view in self._views if not view & set(self._domains)]
        self._floors: Vector = np.zeros(len(class_atoms))
        for view in self._listed_views:
            self._floors[list(self._cells[view].values())] = 1.0

    @cached_property
    def _crowded(self) -> frozenset[int]:
        """Classes holding more disjoint listed rows (each public proof of a signal) than a ``"klein"`` label could
        leave PROTECTION of room for: their label, when hidden, must claim nothing about their size."""
        most = [0] * len(self._floors)
        for coarse in self._atom_class.values():
            for view in self._listed_views:
                inside: dict[int, int] = {}  # a listed row -> the one coarse class holding all of it, or -1
                for row, cls in zip(self._atom_class[view], coarse, strict=True):
                    if inside.setdefault(row, cls) != cls:
                        inside[row] = -1
                counts: dict[int, int] = {}
                for cls in inside.values():
                    if cls >= 0:
                        counts[cls] = counts.get(cls, 0) + 1
                for cls, n in counts.items():
                    most[cls] = max(most[cls], n)
        return frozenset(c for c, n in enumerate(most) if n > self.threshold - 1 - PROTECTION + _EPS)

    @cached_property
    def _lines(self) -> list[Line]:
        """Every additive relation between views: a cell and the cells of a finer (nested) view that add up to it.
        Nesting is read from the data, so per-organisation within per-organisation-kind counts as nested too."""
        lines: set[Line] = set()
        for coarse, coarse_owner in self._atom_class.items():
            for fine, fine_owner in self._atom_class.items():
                if coarse == fine:
                    continue
                parent_of: dict[int, int] = {}
                nested = all(parent_of.setdefault(f, c) == c for f, c in zip(fine_owner, coarse_owner, strict=True))
                if not nested:
                    continue
                children: dict[int, set[int]] = {}
                for f, c in parent_of.items():
                    children.setdefault(c, set()).add(f)
                lines.update((c, tuple(sorted(fs))) for c, fs in children.items() if fs != {c})
        return sorted(lines)

    # -- protection ---------------------------------------------------------------------------------------------

    @cached_property
    def _audit(self) -> Audit:
        return Audit(
            incidence=self._incidence,
            values=self._values,
            threshold=self.threshold,
            lines=self._lines,
            grand=self._grand,
            floors=self._floors,
            crowded=self._crowded,
            polytope=self._polytope,
        )

    @cached_property
    def _status(self) -> list[int]:
        """Per class: visible, klein or aanvullend. Computed on first use and kept: a release never changes."""
        crowded = self._crowded
        status = [
            VISIBLE if v >= self.threshold else OPEN if c in crowded else SMALL for c, v in enumerate(self._values)
        ]
        self._pinned: list[int] = []
        # No small cell: nothing to protect. Grand total small: every cell is small, nothing is shown.
        if VISIBLE in status and any(status):
            self._complement(status)
        return status

    def _complement(self, status: list[int]) -> None:
        """Hide visible cells until no hidden cell can be derived (a test switches this off to show the attack)."""
        self._pinned = self._audit.protect(status)

    # -- reading ------------------------------------------------------------------------------------------------

    def _view(self, view: tuple[str, ...] | Collection[str]) -> frozenset[str]:
        key = frozenset(view)
        if key not in self._views:
            raise InvalidInputError(f"the view ({', '.join(sorted(key))}) is not published in this release")
        return key

    def _shown(self, c: int) -> Shown:
        state = self._status[c]
        return Shown(int(self._values[c]), None) if state == VISIBLE else Shown(None, _LABELS[state])

    def table(self, view: tuple[str, ...]) -> list[tuple[dict[str, str], Shown]]:
        """One row per group of a published view (every combination with a dense dimension, else every one that
        occurs), sorted by its coordinates in the order of ``view`` (a dense dimension in its domain's order)."""
        key = self._view(view)
        order = tuple(view) if tuple(view) else self._views[key]
        canonical = sorted(key)
        position = {dim: {c: i for i, c in enumerate(cats)} for dim, cats in self._domains.items()}
        rows = []
        for cell, c in self._cells[key].items():
            coords = dict(zip(canonical, cell, strict=True))
            sort = tuple((position[d][coords[d]], "") if d in position else (0, coords[d]) for d in order)
            rows.append((sort, {d: coords[d] for d in order}, self._shown(c)))
        rows.sort(key=lambda row: row[0])
        return [(coords, shown) for _, coords, shown in rows]

    def total(self, **filters: str | Collection[str]) -> Shown:
        """The sum over the cells of the coarsest published view with every filtered dimension that match the filters
        (a value, or any of several values). Exact when every matching cell is visible or the published cells fix the
        sum anyway (and it is not small); otherwise hidden: ``"klein"`` when the published cells already show it is
        below the threshold, else ``"aanvullend"``, which here claims nothing about its size (a label that followed
        the true sum would tell what the table hides)."""
        wanted = {dim: {value} if isinstance(value, str) else set(value) for dim, value in filters.items()}
        views = [v for v in self._views if v >= set(wanted)]
        if not views:
            raise InvalidInputError(f"no published view has the dimension(s) {', '.join(sorted(wanted))}")
        view = min(views, key=lambda v: (len(self._cells[v]), len(v), sorted(v)))
        canonical = sorted(view)
        matched = [
            c
            for cell, c in self._cells[view].items()
            if all(cell[canonical.index(dim)] in values for dim, values in wanted.items())
        ]
        status = self._status
        if all(status[c] == VISIBLE for c in matched):
            return Shown(int(sum(self._values[c] for c in matched)), None)
        if len(matched) == 1:
            return self._shown(matched[0])
        least, most = self._audit.range(status, matched)
        if most - least < _EPS and most >= self.threshold:
            return Shown(round(most), None)
        return Shown(None, KLEIN if most < self.threshold else AANVULLEND)

    @property
    def suppressed_count(self) -> int:
        """How many published cells (rows over all views) are hidden."""
        status = self._status
        return sum(1 for cells in self._cells.values() for c in cells.values() if status[c])

    @property
    def pinned_count(self) -> int:
        """Hidden cells (classes of identical cells) whose range the published rows alone (their number, their floors)
        narrow below 1, whatever else is hidden; dense views and crowded labels keep it 0 (a safety net)."""
        _ = self._status
        return len(self._pinned)
