# SPDX-License-Identifier: EUPL-1.2
"""Matching's stored alerts, in the order they were stored, as the :class:`~hub.webhooks.AlertView` s that may leave
the hub (the webhook dispatcher's input).

Matching's ``alerts`` table keeps SQLite's ``rowid``, which grows with every insert: a reader that remembers the last
``rowid`` it handled (a cursor) sees each alert once, in storing order, also across restarts. Each alert is joined with
its pattern (label, themes, organisation kinds, scope) through :func:`matching.patterns.get_pattern`; the alert's own
``details`` (the numbers behind its explanation) stay inside.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.webhooks import AlertView

if TYPE_CHECKING:
    from matching.findings import Findings
    from matching.patterns import Pattern
    from matching.state import MatchingState

__all__ = ["AlertFeed"]


class AlertFeed:
    """Matching's stored alerts in the order they were stored, as :class:`~hub.webhooks.AlertView` s.

    Reads ``DATA/matching`` (needs the ``matching`` extra once alerts exist); before matching has run there is no
    state, there are no alerts, and nothing is created.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._opened: tuple[MatchingState, Findings] | None = None
        self._lock = threading.Lock()

    def _open(self) -> tuple[MatchingState, Findings] | None:
        with self._lock:
            if self._opened is None:
                from matching.findings import Findings
                from matching.state import STATE_FILENAME, MatchingState

                if not (self.folder / STATE_FILENAME).is_file():
                    return None
                state = MatchingState(self.folder)
                self._opened = (state, Findings(state))
            return self._opened

    def latest(self) -> int:
        """The position of the last stored alert (0 when there is none)."""
        opened = self._open()
        if opened is None:
            return 0
        with opened[0].connection() as db:
            row = db.execute("SELECT MAX(rowid) FROM alerts").fetchone()
        return int(row[0] or 0)

    def after(self, position: int, limit: int) -> list[tuple[int, AlertView]]:
        """Up to ``limit`` alerts stored after ``position``, with their positions, in storing order."""
        opened = self._open()
        if opened is None:
            return []
        state, findings = opened
        # matching's alerts table keeps SQLite's rowid, which grows with every insert: the storing order.
        with state.connection() as db:
            rows = db.execute(
                "SELECT rowid, kind, cluster_id, detected_on, score, explanation, details FROM alerts"
                " WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (position, limit),
            ).fetchall()
        patterns: dict[int, Pattern | None] = {}
        out = []
        for rowid, kind, cluster_id, day, score, explanation, details in rows:
            if cluster_id not in patterns:
                patterns[cluster_id] = self._pattern(state, findings, int(cluster_id))
            out.append(
                (int(rowid), _view(kind, int(cluster_id), day, score, explanation, details, patterns[cluster_id]))
            )
        return out

    @staticmethod
    def _pattern(state: MatchingState, findings: Findings, cluster_id: int) -> Pattern | None:
        from matching.patterns import PatternNotFoundError, get_pattern

        try:
            return get_pattern(state, findings, cluster_id)
        except PatternNotFoundError:
            return None

    def close(self) -> None:
        """Release matching's state."""
        with self._lock:
            if self._opened is not None:
                self._opened[0].close()
                self._opened = None


def _view(
    kind: str, cluster_id: int, day: str, score: float, explanation: str, details: str, pattern: Pattern | None
) -> AlertView:
    facts: dict[str, Any] = json.loads(details)
    scope = facts.get("scope") or (pattern.scope if pattern else "")
    return AlertView(
        kind=str(kind),
        pattern_id=cluster_id,
        detected_on=date.fromisoformat(day),
        label=pattern.label if pattern else "",
        scope=str(scope),
        explanation=str(explanation),
        score=float(score),
        themes=tuple(pattern.themes) if pattern else (),
        organisation_kinds=tuple(pattern.organisation_kinds) if pattern else (),
    )
