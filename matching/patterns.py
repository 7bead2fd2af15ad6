# SPDX-License-Identifier: EUPL-1.2
"""Patterns as a policy analyst reads them: a cluster with who reports it, where, since when, and its alerts.

A :class:`Pattern` is read from the matching state (clusters, the coarse facts of their members) and the stored
alerts; it holds no signal text. Its ``scope`` is the reach of the latest alert that measured one (who carries the
*surge*), else the reach of its members: one organisation or one municipality is ``lokaal``; several organisations
within one province is ``regionaal``; organisations in several provinces, or a national agency among them, is
``landelijk``. Alerts of clusters that were merged into a pattern stay with it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from governance.errors import NotFoundError
from matching.detector import Alert
from matching.findings import Findings
from matching.state import ClusterRow, MatchingState, from_micros

__all__ = [
    "Pattern",
    "PatternNotFoundError",
    "describe_signals",
    "get_pattern",
    "list_patterns",
    "member_ids",
    "scope_of",
]

_LISTED = ("active", "dormant")
_NATIONAL_KINDS = frozenset({"national_agency"})


class PatternNotFoundError(NotFoundError):
    """No pattern with that id."""

    code = "pattern-not-found"


@dataclass(frozen=True)
class Pattern:
    """One pattern (cluster) with its reach and alerts; times ISO 8601 UTC."""

    id: int
    label: str
    keywords: list[str]
    scope: str
    organisations: list[str]
    organisation_kinds: list[str]
    municipalities: list[str]
    provinces: list[str]
    first_seen: str
    last_seen: str
    size: int
    status: str
    themes: list[str]
    alerts: list[dict[str, Any]]
    representatives: list[int]

    def as_json(self) -> dict[str, Any]:
        """The JSON object of ``hartslag patterns list --json``."""
        return asdict(self)


def scope_of(organisations: set[str], kinds: set[str], municipalities: set[str], provinces: set[str]) -> str:
    """The reach of a set of members (see the module docstring)."""
    if len(organisations) <= 1 or (len(municipalities) == 1 and not kinds & _NATIONAL_KINDS):
        return "lokaal"
    if len(provinces) > 1 or kinds & _NATIONAL_KINDS:
        return "landelijk"
    return "regionaal"


def _reach(state: MatchingState, ids: list[int]) -> dict[int, list[tuple[str, str, str | None, str | None]]]:
    """Per cluster: the distinct (organisation, kind, municipality, province) of its members."""
    out: dict[int, list[tuple[str, str, str | None, str | None]]] = {i: [] for i in ids}
    if not ids:
        return out
    with state.connection() as db:
        rows = db.execute(
            "SELECT DISTINCT cluster_id, agency, organisation_kind, municipality, province FROM signals"
            f" WHERE cluster_id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
    for cid, agency, kind, municipality, province in rows:
        out[int(cid)].append((str(agency), str(kind), municipality, province))
    return out


def _alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "detected_at": alert.detected_at.isoformat(),
        "score": round(alert.score, 3),
        "explanation": alert.explanation,
        "cluster_id": alert.cluster_id,
        "details": alert.details,
    }


def _build(rows: list[ClusterRow], state: MatchingState, findings: Findings) -> list[Pattern]:
    ids = [row.id for row in rows]
    reach = _reach(state, ids)
    merged_into = {row.id: row.merged_into for row in state.clusters(("merged",)) if row.merged_into is not None}

    def owner(cluster_id: int) -> int:
        seen = set()
        while cluster_id in merged_into and cluster_id not in seen:
            seen.add(cluster_id)
            cluster_id = merged_into[cluster_id]
        return cluster_id

    wanted = set(ids)
    alerts: dict[int, list[Alert]] = {i: [] for i in ids}
    for alert in findings.alerts():
        target = owner(alert.cluster_id)
        if target in wanted:
            alerts[target].append(alert)
    patterns = []
    for row in rows:
        members = reach[row.id]
        organisations = {m[0] for m in members}
        kinds = {m[1] for m in members}
        municipalities = {m[2] for m in members if m[2]}
        provinces = {m[3] for m in members if m[3]}
        own = alerts[row.id]
        scoped = [a for a in own if a.details.get("scope")]
        reach_scope = scope_of(organisations, kinds, municipalities, provinces)
        scope = str(scoped[-1].details["scope"]) if scoped else reach_scope
        patterns.append(
            Pattern(
                id=row.id, label=row.label, keywords=list(row.keywords), scope=scope,
                organisations=sorted(organisations), organisation_kinds=sorted(kinds),
                municipalities=sorted(municipalities), provinces=sorted(provinces),
                first_seen=row.first_seen.isoformat(), last_seen=row.last_seen.isoformat(), size=row.size,
                status=row.status, themes=[theme for theme, _ in row.themes],
                alerts=[_alert_json(a) for a in own], representatives=list(row.representatives),
            )
        )  # fmt: skip
    return patterns


def list_patterns(state: MatchingState, findings: Findings, *, min_size: int = 1) -> list[Pattern]:
    """Active and dormant patterns of at least ``min_size`` signals: those with alerts first, then by size."""
    rows = [row for row in state.clusters(_LISTED) if row.size >= min_size]
    patterns = _build(rows, state, findings)
    return sorted(patterns, key=lambda p: (not p.alerts, -p.size, p.id))


def get_pattern(state: MatchingState, findings: Findings, pattern_id: int) -> Pattern:
    """One pattern by id, whatever its status (a merged one names where it went in ``status``)."""
    row = state.cluster(pattern_id)
    if row is None:
        raise PatternNotFoundError(f"no pattern with id {pattern_id}")
    return _build([row], state, findings)[0]


def member_ids(state: MatchingState, pattern_id: int) -> list[str]:
    """The signal ids (the hub's ids, no text) of a pattern's members, in arrival order."""
    if state.cluster(pattern_id) is None:
        raise PatternNotFoundError(f"no pattern with id {pattern_id}")
    with state.connection() as db:
        rows = db.execute("SELECT id FROM signals WHERE cluster_id = ? ORDER BY seq", (pattern_id,)).fetchall()
    return [str(r[0]) for r in rows]


def describe_signals(state: MatchingState, hits: list[tuple[int, float]]) -> list[dict[str, Any]]:
    """Search hits ``(seq, similarity)`` as rows: id, pattern, organisation, event time and the anonymised text
    while the state still holds it (texts are kept for the re-clustering window only)."""
    seqs = [seq for seq, _ in hits]
    if not seqs:
        return []
    with state.connection() as db:
        rows = db.execute(
            "SELECT seq, id, cluster_id, agency, observed_us, text FROM signals"
            f" WHERE seq IN ({','.join('?' * len(seqs))})",
            seqs,
        ).fetchall()
    found = {int(r[0]): r for r in rows}
    out = []
    for seq, similarity in hits:
        row = found.get(seq)
        if row is None:
            continue
        out.append(
            {
                "seq": seq,
                "id": str(row[1]),
                "pattern": None if row[2] is None else int(row[2]),
                "organisation": str(row[3]),
                "observed_at": from_micros(int(row[4])).isoformat(),
                "similarity": round(similarity, 4),
                "text": row[5],
            }
        )
    return out
