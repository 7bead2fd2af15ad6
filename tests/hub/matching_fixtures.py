# SPDX-License-Identifier: EUPL-1.2
"""Patterns and alerts written straight into matching's state, for hub tests that read them (casework, webhooks).

:func:`add_pattern` stores a cluster with members from the given organisations (so its organisation kinds and scope
follow from real member facts), :func:`make_alert` builds an :class:`~matching.detector.Alert` the way the detectors
word them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from matching.detector import Alert
from matching.state import ClusterRow, MatchingState, SignalRecord, StoredSignal

__all__ = ["add_pattern", "make_alert", "matching_state"]

_DIMENSION = 8
_START = datetime(2026, 3, 2, 9, tzinfo=UTC)
_KINDS = {"GM": "municipality", "NI": "flemish_local_government"}


def matching_state(data: Path) -> MatchingState:
    """The matching state of a hub data folder (``DATA/matching``)."""
    return MatchingState(data / "matching")


def add_pattern(
    state: MatchingState,
    pattern_id: int,
    *,
    label: str = "container, geleegd",
    themes: Sequence[str] = ("afval",),
    organisations: Sequence[str] = ("GM0363",),
    members: int = 12,
) -> None:
    """Store cluster ``pattern_id`` with ``members`` signals spread over ``organisations`` (no real text)."""
    moment = _START
    rows = []
    base = max(state.assignments(), default=0)
    for i in range(members):
        code = organisations[i % len(organisations)]
        record = SignalRecord(
            seq=base + i + 1,
            id=str(uuid.uuid4()),
            agency=code,
            organisation_kind=_KINDS.get(code[:2], "national_agency"),
            municipality=code if code.startswith("GM") else None,
            province="PV27" if code.startswith("GM") else None,
            observed_at=moment + timedelta(hours=i),
            text="geen echte tekst",
            themes=tuple(themes),
            kind="complaint",
        )
        vector = np.eye(1, _DIMENSION, pattern_id % _DIMENSION, dtype=np.float32)[0]
        rows.append(StoredSignal(record=record, vector=vector, cluster_id=pattern_id, similarity=0.9))
    state.add_signals(rows)
    state.put_clusters(
        [
            ClusterRow(
                id=pattern_id,
                centroid=np.eye(1, _DIMENSION, pattern_id % _DIMENSION, dtype=np.float32)[0],
                size=members,
                first_seen=moment,
                last_seen=moment + timedelta(hours=members),
                status="active",
                updated_at=moment,
                label=label,
                keywords=tuple(label.split(", ")),
                themes=tuple((t, 0.8) for t in themes),
            )
        ]
    )


def make_alert(
    pattern_id: int,
    *,
    kind: str = "cross_org",
    day: date = date(2026, 3, 9),
    observed: int = 42,
    scope: str = "regionaal",
    score: float = 7.5,
    **details: Any,
) -> Alert:
    """An alert on ``pattern_id`` worded as the cross-organisation detector words it."""
    explanation = (
        f"Gemeld bij 3 organisaties (3 gemeenten) in provincie PV27; 2,5× het normale niveau sinds 2 maart "
        f"({observed} signalen, 4,2 verwacht). Reikwijdte: {scope}."
    )
    return Alert(kind, pattern_id, day, score, explanation, {"scope": scope, "observed": observed, **details})
