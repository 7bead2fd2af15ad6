# SPDX-License-Identifier: EUPL-1.2
"""The LP audit behind complementary suppression: what an attacker can derive, and which cell to hide next.

:class:`hub.disclosure.Release` keeps the cells; this module decides which visible ones to hide as well. First a
cheap rule (a *line*, a cell with the cells of a finer view that add up to it, must never hide exactly one cell), then
an audit: for every hidden cell, linear programming finds the least and most it can be given what an attacker knows
(:class:`Polytope`). A hidden cell whose range is narrower than :data:`PROTECTION` gets another complement: the LP's
dual solution names the visible cells its bound rests on, and the one :meth:`Audit.rank` puts first is hidden.
What a hidden cell's label tells the attacker is its state: :data:`SMALL` (``"klein"``) lies in [floor,
threshold-1], where the floor is 1 for a cell whose mere listing says it is not empty and 0 for a cell of a dense
view; :data:`COMPLEMENT` is at least the threshold; :data:`OPEN` (a *crowded* cell, see :mod:`hub.disclosure`)
claims nothing beyond its floor.

The LPs are solved by HiGHS through its own Python bindings (``highspy``, public API only); this is the only module
that imports it. One model per audit round: every further objective only changes the costs and re-solves from the
last basis (a warm start), about five times faster than solving each LP from scratch with ``scipy.optimize.linprog``
(``bench/disclosure.py``). There is no fallback: the hub extra brings highspy.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from governance.errors import MissingExtraError

try:
    import highspy
    import numpy as np
    import numpy.typing as npt
except ImportError as exc:  # pragma: no cover - the hub extra brings highspy (and numpy with it)
    raise MissingExtraError("hub", "highspy") from exc

__all__ = [
    "COMPLEMENT",
    "OPEN",
    "PROTECTION",
    "SMALL",
    "VISIBLE",
    "Audit",
    "Extreme",
    "Incidence",
    "Line",
    "Polytope",
    "Vector",
]

PROTECTION = 2.0
"""The least width of an attacker's LP range for a hidden cell (where the data's shape allows it)."""
VISIBLE, SMALL, COMPLEMENT, OPEN = 0, 1, 2, 3
"""A cell class's state: shown, hidden as small (``"klein"``), hidden as a complement (``"aanvullend"``, at least
the threshold), hidden without any claim on its size (``"aanvullend"`` on a crowded cell, small or not)."""
# HiGHS works in floating point: a dual below this is zero, a width this much below PROTECTION still passes.
_EPS = 1e-7

Vector = npt.NDArray[np.float64]
Line = tuple[int, tuple[int, ...]]
"""A cell class and the classes of a finer view that add up to it."""


class Incidence:
    """Which atoms each cell class adds up: a 0/1 matrix (classes × atoms) kept as its entries, class by class."""

    def __init__(self, class_atoms: Sequence[Sequence[int]], atom_count: int) -> None:
        self.rows = np.array([c for c, members in enumerate(class_atoms) for _ in members], dtype=np.int64)
        self.cols = np.array([i for members in class_atoms for i in members], dtype=np.int64)
        self.shape = (len(class_atoms), atom_count)

    def totals(self, counts: Sequence[int]) -> npt.NDArray[np.int_]:
        """Every class's sum of the atoms' whole counts."""
        return np.rint(self.cells(np.asarray(counts, dtype=float))).astype(int)

    def cells(self, atoms: Vector) -> Vector:
        """Every class's sum at these atom values (the matrix times ``atoms``)."""
        # bincount with weights sums in float64 (its stubs say integers), class by class in atom order
        return np.asarray(np.bincount(self.rows, weights=atoms[self.cols], minlength=self.shape[0]), dtype=np.float64)

    def atoms(self, weights: Vector) -> Vector:
        """Weights on classes as weights on atoms (the transposed matrix times ``weights``)."""
        return np.asarray(np.bincount(self.cols, weights=weights[self.rows], minlength=self.shape[1]), dtype=np.float64)

    def sum_of(self, classes: Sequence[int]) -> Vector:
        """The atom weights of the sum of some (distinct) classes."""
        weights = np.zeros(self.shape[0])
        weights[list(classes)] = 1.0
        return self.atoms(weights)


@dataclass(frozen=True)
class Extreme:
    """One side of an LP audit: the optimum (``-inf`` when unbounded), the optimal atoms and the row duals."""

    bound: float
    atoms: Vector | None
    duals: Vector | None

    def widen(self, incidence: Incidence, lowest: Vector, highest: Vector) -> tuple[Vector, Vector]:
        """The cells' least and most seen over feasible points, this one added."""
        if self.atoms is None:
            return lowest, highest
        seen = incidence.cells(self.atoms)
        return np.minimum(lowest, seen), np.maximum(highest, seen)


class Polytope:
    """What an attacker knows, as linear constraints over the atoms (≥ 0): one row per cell class, its bounds set by
    its state (visible: its value exactly; small: floor..threshold-1; complement: at least the threshold, since a
    complement is a visible-sized cell and its label says so; open: at least its floor). ``floors`` per class: 1
    where the cell's listing alone says it holds a signal, else 0."""

    def __init__(
        self, incidence: Incidence, values: npt.NDArray[np.int_], status: list[int], threshold: int, floors: Vector
    ) -> None:
        state = np.asarray(status)
        self.incidence = incidence
        self.visible = np.flatnonzero(state == VISIBLE)
        small, visible, complement = state == SMALL, state == VISIBLE, state == COMPLEMENT
        lower = np.where(complement, float(threshold), floors)
        self.lower = np.where(visible, values, lower).astype(float)
        self.upper = np.where(visible, values, np.where(small, threshold - 1.0, np.inf)).astype(float)
        self._highs: highspy.Highs | None = None

    def extremes(self, objective: Vector) -> tuple[Extreme, Extreme]:
        """The least and the most the objective (weights on atoms) can be."""
        low = self.minimise(objective)
        high = self.minimise(-objective)
        return low, Extreme(-high.bound, high.atoms, high.duals)

    def minimise(self, objective: Vector) -> Extreme:
        """The least of the objective; ``-inf`` when unbounded. Row duals are per class (zero where not binding)."""
        if self._highs is None:
            self._highs = _model(self.incidence, self.lower, self.upper)
        highs = self._highs
        # The same model for every objective: HiGHS starts from the last optimal basis, which stays primal feasible.
        n = len(objective)
        highs.changeColsCost(n, np.arange(n, dtype=np.int32), objective.astype(float))
        highs.run()
        state = highs.getModelStatus()
        if state in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return Extreme(-math.inf, None, None)
        if state != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"disclosure audit LP failed: {highs.modelStatusToString(state)}")
        solution = highs.getSolution()
        value = float(highs.getInfo().objective_function_value)
        return Extreme(value, np.array(solution.col_value), np.array(solution.row_dual))

    def binding(self, extreme: Extreme) -> list[int]:
        """The visible cells whose exact value the optimum relies on (non-zero dual)."""
        if extreme.duals is None:
            return []
        return [int(c) for c in self.visible[np.abs(extreme.duals[self.visible]) > _EPS]]


class _QuietHighs(highspy.Highs):
    """A ``highspy.Highs`` that never prints: its constructor calls :meth:`enableCallbacks`, and HiGHS writes its
    banner to standard output on the first call made while ``output_flag`` is still on (``--json`` output must stay
    clean), so the flag goes off first."""

    def enableCallbacks(self) -> None:  # highspy's method name
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()


def _model(incidence: Incidence, lower: Vector, upper: Vector) -> highspy.Highs:
    """A HiGHS model over the atoms (≥ 0) with one row per cell class; presolve off so re-solves start warm."""
    highs = _QuietHighs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")
    n_rows, n_cols = incidence.shape
    order = np.argsort(incidence.cols, kind="stable")  # column-wise, rows ascending within a column
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.zeros(n_cols)
    lp.col_lower_, lp.col_upper_ = np.zeros(n_cols), np.full(n_cols, highspy.kHighsInf)
    lp.row_lower_, lp.row_upper_ = lower, np.where(np.isfinite(upper), upper, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
    per_column = np.bincount(incidence.cols, minlength=n_cols)
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(per_column)]).astype(np.int32)
    lp.a_matrix_.index_ = incidence.rows[order].astype(np.int32)
    lp.a_matrix_.value_ = np.ones(len(order))
    highs.passModel(lp)
    return highs


def _mixes(hidden: list[int], n: int) -> list[Vector]:
    """Weight vectors over the hidden cells: all ones, then fixed low-discrepancy mixes of signs and sizes."""
    mixes = []
    for step in (0.0, 0.6180339887498949, 0.4142135623730951, 0.7320508075688772):
        weights = np.zeros(n)
        weights[hidden] = 1.0 if step == 0 else (np.asarray(hidden) * step) % 1.0 - 0.5
        mixes.append(weights)
    return mixes


@dataclass(frozen=True)
class Audit:
    """Complementary suppression of one release's cell classes (``values`` per class, ``grand`` the grand total's
    class or -1, ``floors`` per class as in :class:`Polytope`, ``crowded`` the classes hidden as :data:`OPEN`
    rather than :data:`COMPLEMENT`). ``polytope`` is the LP engine; a subclass of :class:`Polytope` may swap the
    solver (the benchmark's baseline does)."""

    incidence: Incidence
    values: npt.NDArray[np.int_]
    threshold: int
    lines: Sequence[Line]
    grand: int
    floors: Vector
    crowded: frozenset[int]
    polytope: type[Polytope] = Polytope

    def model(self, status: list[int]) -> Polytope:
        """The attacker's polytope given what ``status`` shows."""
        return self.polytope(self.incidence, self.values, status, self.threshold, self.floors)

    def hide(self, status: list[int], c: int) -> None:
        """Hide the visible class ``c`` as a complement (open when crowded: its label must not tell its size)."""
        status[c] = OPEN if c in self.crowded else COMPLEMENT

    def protect(self, status: list[int]) -> list[int]:
        """Hide visible cells (in ``status``) until no hidden cell can be derived; return the classes the data's
        shape alone pins to a range narrower than 1."""
        pinned: list[int] = []
        self.close_lines(status, range(len(self.lines)))
        # Cells' least and most seen over feasible points (the true point first). A point feasible now stays feasible
        # when more is hidden (an equality becomes a bound it already meets), so a cell once seen to move by
        # PROTECTION is settled for good.
        lowest = highest = self.values.astype(float)
        settled: set[int] = set()
        while True:
            polytope = self.model(status)
            hidden = [c for c, s in enumerate(status) if s and c not in settled]
            # A few LPs that push all hidden cells at once, with fixed mixed weights so that two cells in one line
            # go opposite ways, usually settle most of them; only the rest need an LP of their own.
            for weights in _mixes(hidden, len(status)):
                for result in polytope.extremes(self.incidence.atoms(weights)):
                    lowest, highest = result.widen(self.incidence, lowest, highest)
            picked: set[int] = set()
            for c in hidden:
                if highest[c] - lowest[c] >= PROTECTION - _EPS:
                    settled.add(c)
                    continue
                low, high = polytope.extremes(self.incidence.sum_of([c]))
                for result in (low, high):
                    lowest, highest = result.widen(self.incidence, lowest, highest)
                if high.bound - low.bound >= PROTECTION - _EPS:
                    settled.add(c)
                    continue
                # The visible cells each bound rests on; a bound resting only on hidden cells' ranges is final.
                rests_on = sorted(set(polytope.binding(low)) | set(polytope.binding(high)))
                if not rests_on:
                    settled.add(c)
                    if high.bound - low.bound < 1 - _EPS:
                        pinned.append(c)
                    continue
                if picked.intersection(rests_on):
                    continue  # a neighbour was just hidden: audit again next round
                pick = min(rests_on, key=self.rank)
                self.hide(status, pick)
                picked.add(pick)
            if not picked:
                return pinned
            self.close_lines(status, [e for e, (p, cs) in enumerate(self.lines) if picked & {p, *cs}])

    def close_lines(self, status: list[int], todo: Sequence[int]) -> None:
        """Hide a second cell in every line that hides exactly one: its sum minus the visible rest gives it away."""
        by_class: dict[int, list[int]] = {}
        for e, (parent, children) in enumerate(self.lines):
            for c in (parent, *children):
                by_class.setdefault(c, []).append(e)
        queue, queued = deque(todo), set(todo)
        while queue:
            e = queue.popleft()
            queued.discard(e)
            parent, children = self.lines[e]
            if sum(1 for c in (parent, *children) if status[c]) != 1:
                continue
            # Never the parent: hiding a sibling keeps the margin (the more useful number) visible.
            pick = min((c for c in children if not status[c]), key=self.rank)
            self.hide(status, pick)
            for e2 in by_class[pick]:
                if e2 not in queued:
                    queue.append(e2)
                    queued.add(e2)

    def rank(self, c: int) -> tuple[bool, bool, int, int]:
        """Which visible cell to hide first: not the grand total; the smallest with room to move by PROTECTION above
        the threshold (a complement of exactly 10 is known to be ≥ 10, which all but pins its partner), else the
        largest."""
        value = int(self.values[c])
        roomy = value >= self.threshold + PROTECTION
        return (c == self.grand, not roomy, value if roomy else -value, c)

    def range(self, status: list[int], classes: Sequence[int]) -> tuple[float, float]:
        """The least and most the sum of some classes can be, given what ``status`` shows."""
        low, high = self.model(status).extremes(self.incidence.sum_of(classes))
        return low.bound, high.bound
