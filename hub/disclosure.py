# SPDX-License-Identifier: EUPL-1.2
"""Privacy-safe publication of counts: what a release shows, with primary and complementary cell suppression.

A :class:`Release` holds the atoms of one read (non-negative counts on coordinates such as week and organisation) and
the views it publishes (group-by sums over dimension tuples; the grand total ``()`` always among them). Before anything
is shown it decides which cells to hide:

1. *Primary* suppression (``"klein"``): every cell with 1 ≤ value < threshold. Empty groups are no rows at all; an
   attacker may know they are 0.
2. *Complementary* suppression (``"aanvullend"``): more cells are hidden until no combination of the visible cells of
   all views (totals, margins, finer tables, nested views) lets anyone subtract their way to a hidden one. How, is
   :mod:`hub.disclosure_audit`'s business: a line rule, then an LP audit (HiGHS) of every hidden cell against what an
   attacker knows: every visible cell exactly, ``"klein"`` cells in [1, threshold-1], ``"aanvullend"`` cells ≥
   threshold, atoms ≥ 0, and which atoms exist.

What the audit guarantees: for every hidden cell, max − min of the *relaxed* LP over everything :meth:`Release.table`
and :meth:`Release.total` publish is at least ``min(PROTECTION, the width it would have if every cell were hidden)``.
The second term is below 2 only when the shape of the data alone pins it (a ``"klein"`` week of 9 with nine non-empty
organisations is 9: rows are shown, so their number is public); no suppression can help there, and
:attr:`Release.pinned_count` counts such cells. The relaxation is an outer bound of what an integer attacker learns,
so for tables whose constraints are not totally unimodular (three or more crossed dimensions) an integer attacker
could in theory know more. The result depends only on the atoms: everything is sorted, nothing is random.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from governance.errors import InvalidInputError
from hub.disclosure_audit import COMPLEMENT, PROTECTION, SMALL, VISIBLE, Audit, Incidence, Line, Polytope

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

_LABELS = {SMALL: KLEIN, COMPLEMENT: AANVULLEND}
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
    """The cells of several views over the same atoms, with suppression decided once (lazily) for all of them."""

    # The audit's LP engine; a subclass may swap it (bench/disclosure.py's linprog baseline does).
    _polytope: ClassVar[type[Polytope]] = Polytope

    def __init__(self, atoms: Sequence[Atom], views: Sequence[tuple[str, ...]], threshold: int = MIN_THRESHOLD) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < MIN_THRESHOLD:
            raise ThresholdError(f"the suppression threshold must be a whole number of at least {MIN_THRESHOLD}")
        self.threshold = threshold
        self._views: dict[frozenset[str], tuple[str, ...]] = {frozenset(): ()}
        for view in views:
            if not all(isinstance(dim, str) for dim in view) or len(set(view)) != len(view):
                raise InvalidInputError("a view is a tuple of distinct dimension names")
            self._views.setdefault(frozenset(view), tuple(view))
        self._dims = tuple(sorted(set().union(*self._views)))
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
            if atom.count:  # empty groups are no rows: an attacker may know they are 0
                key = tuple(str(atom.coords[dim]) for dim in self._dims)
                merged[key] = merged.get(key, 0) + atom.count
        self._atom_keys = sorted(merged)
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
        self._values = self._incidence.totals([merged[k] for k in self._atom_keys])
        self._grand = self._cells[frozenset()].get((), -1)

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
        return Audit(self._incidence, self._values, self.threshold, self._lines, self._grand, self._polytope)

    @cached_property
    def _status(self) -> list[int]:
        """Per class: visible, klein or aanvullend. Computed on first use and kept: a release never changes."""
        status = [SMALL if v < self.threshold else VISIBLE for v in self._values]
        self._pinned: list[int] = []
        # No small cell: nothing to protect. Grand total small: every cell is small, nothing is shown.
        if SMALL in status and VISIBLE in status:
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
        """One row per non-empty group of a published view, sorted by its coordinates in the order of ``view``."""
        key = self._view(view)
        order = tuple(view) if tuple(view) else self._views[key]
        canonical = sorted(key)
        rows = []
        for cell, c in self._cells[key].items():
            coords = dict(zip(canonical, cell, strict=True))
            rows.append((tuple(coords[d] for d in order), {d: coords[d] for d in order}, self._shown(c)))
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
        """Hidden cells (classes of identical cells) that the data's shape alone pins to a range narrower than 1,
        whatever else is hidden (see the module docstring); normally 0."""
        _ = self._status
        return len(self._pinned)
