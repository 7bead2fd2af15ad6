# SPDX-License-Identifier: EUPL-1.2
"""What matching found and was told, next to its state in ``matching.db``: alerts and declared policies.

- ``alerts``: one row per (kind, cluster, event-time day raised on), with score, the Dutch explanation and the
  numbers behind it (no signal text). Storing the same alert again changes nothing, so a replayed run is harmless.
- ``policies``: national policies whose effect the policy-effect detector measures, by unique name, with the day
  up to which their checkpoints have been evaluated (a policy declared after its checkpoints passed is caught up on
  the next run).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from governance.errors import InvalidInputError
from matching.detector import Alert
from matching.policies import Policy
from matching.state import MatchingState

__all__ = ["Findings", "PolicyExistsError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    kind        TEXT    NOT NULL,
    cluster_id  INTEGER NOT NULL,
    detected_on TEXT    NOT NULL,
    score       REAL    NOT NULL,
    explanation TEXT    NOT NULL,
    details     TEXT    NOT NULL,
    PRIMARY KEY (kind, cluster_id, detected_on)
);
CREATE INDEX IF NOT EXISTS alerts_cluster ON alerts (cluster_id);
CREATE TABLE IF NOT EXISTS episodes (
    kind        TEXT    NOT NULL,
    cluster_id  INTEGER NOT NULL,
    last_day    TEXT    NOT NULL,
    PRIMARY KEY (kind, cluster_id)
);
CREATE TABLE IF NOT EXISTS policies (
    name               TEXT PRIMARY KEY,
    effective          TEXT NOT NULL,
    refs               TEXT NOT NULL,
    evaluated_through  TEXT
);
"""


class PolicyExistsError(InvalidInputError):
    """A policy with that name was declared before."""

    code = "policy-exists"


class Findings:
    """Alerts and policies in the state's database."""

    def __init__(self, state: MatchingState) -> None:
        self.state = state
        with state.connection() as db:
            db.executescript(_SCHEMA)

    # --- policies ----------------------------------------------------------------------------------------------

    def add_policy(self, policy: Policy) -> None:
        """Declare ``policy``; a second policy with the same name is refused."""
        with self.state.connection() as db:
            if db.execute("SELECT 1 FROM policies WHERE name = ?", (policy.name,)).fetchone():
                raise PolicyExistsError(f"a policy named {policy.name!r} was declared before")
            db.execute(
                "INSERT INTO policies (name, effective, refs) VALUES (?, ?, ?)",
                (policy.name, policy.date.isoformat(), json.dumps(list(policy.refs))),
            )

    def policies(self) -> list[Policy]:
        """Every declared policy, by date then name."""
        with self.state.connection() as db:
            rows = db.execute("SELECT name, effective, refs FROM policies ORDER BY effective, name").fetchall()
        return [Policy(str(n), date.fromisoformat(d), tuple(json.loads(r))) for n, d, r in rows]

    def evaluated_through(self, name: str) -> date | None:
        """The last day whose checkpoints were evaluated for policy ``name`` (None: not yet)."""
        with self.state.connection() as db:
            row = db.execute("SELECT evaluated_through FROM policies WHERE name = ?", (name,)).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def set_evaluated_through(self, name: str, day: date) -> None:
        """Remember that the checkpoints of policy ``name`` were evaluated up to ``day``."""
        with self.state.connection() as db:
            db.execute("UPDATE policies SET evaluated_through = ? WHERE name = ?", (day.isoformat(), name))

    # --- episodes ----------------------------------------------------------------------------------------------

    def open_episode(self, kind: str, cluster_id: int, day: date, cooldown: int) -> bool:
        """Note that ``cluster_id`` qualified for ``kind`` on ``day``; True when this starts a new episode (no
        qualifying day of the same kind in the ``cooldown`` days before), i.e. when an alert should be raised."""
        with self.state.connection() as db:
            row = db.execute(
                "SELECT last_day FROM episodes WHERE kind = ? AND cluster_id = ?", (kind, cluster_id)
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO episodes (kind, cluster_id, last_day) VALUES (?, ?, ?)",
                (kind, cluster_id, day.isoformat()),
            )
        return row is None or (day - date.fromisoformat(row[0])).days > cooldown

    # --- alerts ------------------------------------------------------------------------------------------------

    def put_alerts(self, alerts: Sequence[Alert]) -> int:
        """Store alerts (an alert already stored is left as it is); returns how many were new."""
        rows = [
            (a.kind, a.cluster_id, a.detected_at.isoformat(), a.score, a.explanation, json.dumps(a.details))
            for a in alerts
        ]
        with self.state.connection() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO alerts (kind, cluster_id, detected_on, score, explanation, details)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            return int(db.total_changes - before)

    def alerts(self, cluster_ids: Sequence[int] | None = None, kind: str | None = None) -> list[Alert]:
        """Stored alerts (of these clusters, of this kind), by day, kind and cluster."""
        query = "SELECT kind, cluster_id, detected_on, score, explanation, details FROM alerts WHERE 1 = 1"
        args: list[str | int] = []
        if cluster_ids is not None:
            query += f" AND cluster_id IN ({','.join('?' * len(cluster_ids))})"
            args.extend(int(c) for c in cluster_ids)
        if kind is not None:
            query += " AND kind = ?"
            args.append(kind)
        with self.state.connection() as db:
            rows = db.execute(query + " ORDER BY detected_on, kind, cluster_id", args).fetchall()
        return [
            Alert(str(k), int(c), date.fromisoformat(d), float(s), str(e), json.loads(details))
            for k, c, d, s, e, details in rows
        ]
