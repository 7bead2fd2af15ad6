# SPDX-License-Identifier: EUPL-1.2
"""How well matching finds what a scenario planted: recall, precision and detection delay of its alerts.

:func:`load_into_hub` puts a scenario into a hub data folder the operator's way (agencies registered, signals
scrubbed and imported day by day, every organisation in turn, so the hub's order follows event time as in life).
:func:`match` runs the real matching pipeline over it with the scenario's policies declared. :func:`score`
compares the alerts with the planted patterns:

- an alert is *about* a planted pattern when most of the signals behind it (its ``signal_ids``: the cluster's
  members from the onset to the alert day, as assigned when it was raised) are that pattern's planted signals;
  cluster ids change as patterns merge and split, the signals do not;
- a ``cross_org`` pattern is *found* when a ``cross_org`` alert about it is raised between its onset and
  ``max_delay`` days later; the delay is measured in event-time days; its *clusters* (for the report) are the final
  clusters where most members are its planted signals, or that hold at least a fifth of them;
- a ``cross_org`` alert is *true* when it is about a planted cross-organisation pattern during its surge (up to
  ``max_delay`` days after its end), *seasonal* when it is about a seasonal pattern (the first year of a yearly
  rhythm is a real rise to the detectors, see docs/matching.md), and *false* otherwise;
- a local pattern must never be called ``landelijk``.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hartslag.demo.model import Planted, Scenario
from matching.detector import Alert

__all__ = ["PatternResult", "ScenarioScore", "load_into_hub", "match", "score"]


@dataclass(frozen=True)
class PatternResult:
    """What matching made of one planted pattern."""

    name: str
    kind: str
    onset: date
    clusters: tuple[int, ...]
    found_on: date | None
    scopes: tuple[str, ...]

    @property
    def delay(self) -> int | None:
        """Event-time days from onset to the first qualifying alert."""
        return None if self.found_on is None else (self.found_on - self.onset).days


@dataclass(frozen=True)
class ScenarioScore:
    """Recall, precision and delays of ``cross_org`` alerts, and the local patterns' scopes."""

    patterns: tuple[PatternResult, ...]
    true_alerts: int
    seasonal_alerts: int
    false_alerts: int
    local_called_national: int
    alerts_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        """Share of planted cross-organisation patterns found within the delay."""
        planted = [p for p in self.patterns if p.kind == "cross_org"]
        return sum(p.found_on is not None for p in planted) / len(planted) if planted else 1.0

    @property
    def precision(self) -> float:
        """Share of non-seasonal ``cross_org`` alerts that are true."""
        judged = self.true_alerts + self.false_alerts
        return self.true_alerts / judged if judged else 1.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for reports."""
        return {
            "recall": round(self.recall, 3),
            "precision": round(self.precision, 3),
            "true_alerts": self.true_alerts,
            "seasonal_alerts": self.seasonal_alerts,
            "false_alerts": self.false_alerts,
            "local_called_national": self.local_called_national,
            "alerts_by_kind": self.alerts_by_kind,
            "patterns": [
                {"name": p.name, "kind": p.kind, "onset": p.onset.isoformat(), "clusters": list(p.clusters),
                 "found_on": p.found_on.isoformat() if p.found_on else None, "delay_days": p.delay,
                 "scopes": list(p.scopes)}
                for p in self.patterns
            ],
        }  # fmt: skip


def load_into_hub(scenario: Scenario, data: Path, *, actor: str = "scenario") -> int:
    """Register the scenario's organisations and import its signals (scrubbed) day by day; returns the count."""
    from connectors.anonymiser import Anonymiser
    from connectors.keys import generate_private_key, public_jwk
    from hub.ingest import Ingest
    from hub.registry import Registry
    from hub.storage import open_storage

    storage = open_storage(data)
    try:
        registry = Registry(storage)
        for organisation in scenario.organisations:
            if storage.get_agency(organisation.code) is None:
                jwks = {"keys": [public_jwk(generate_private_key())]}
                registry.add_agency(organisation.code, organisation.name, organisation.kind, jwks, actor)
        anonymiser = Anonymiser()
        ingest = Ingest(storage, "import")
        accepted = 0
        # Day by day, every organisation in turn: signals reach a hub in about event-time order, and matching judges
        # a day once the stream has moved past it, so an organisation sent a week late would be late to detection.
        days: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for signal in scenario.signals:
            code = signal["source"]["organisation"]
            days.setdefault(signal["observed_at"][:10], {}).setdefault(code, []).append(signal)
        for day in sorted(days):
            for code, signals in sorted(days[day].items()):
                receipt = ingest.import_signals(code, signals, actor, "scenario", lambda t: anonymiser.scrub(t).text)
                accepted += receipt.accepted
        return accepted
    finally:
        storage.close()


def match(scenario: Scenario, data: Path, *, config: Any = None) -> None:
    """Declare the scenario's policies and run the real matching pipeline over the hub data folder."""
    from hub.matching_source import open_hub_source
    from matching.findings import Findings, PolicyExistsError
    from matching.pipeline import INDEX_FILENAME, MatchingConfig, build_engine
    from matching.policies import Policy

    engine = build_engine(config or MatchingConfig(), data / "matching")
    try:
        findings = Findings(engine.state)
        for policy in scenario.policies:
            with contextlib.suppress(PolicyExistsError):
                findings.add_policy(Policy(policy.name, policy.date, policy.refs))
        with open_hub_source(data) as source:
            engine.run(source, batch_size=2000)
        engine.save_index(engine.state.folder / INDEX_FILENAME)
    finally:
        engine.state.close()


def score(scenario: Scenario, data: Path, *, max_delay: int = 2) -> ScenarioScore:
    """Score the alerts in ``data/matching`` against what ``scenario`` planted."""
    from matching.findings import Findings
    from matching.state import MatchingState

    state = MatchingState(data / "matching")
    try:
        with state.connection() as db:
            cluster_of = {str(i): c for i, c in db.execute("SELECT id, cluster_id FROM signals").fetchall()}
            sizes = Counter(c for c in cluster_of.values() if c is not None)
        alerts = Findings(state).alerts()
    finally:
        state.close()
    results = []
    for planted in scenario.planted:
        held = Counter(cluster_of[i] for i in planted.signal_ids if cluster_of.get(i) is not None)
        clusters = tuple(sorted(c for c, n in held.items() if n * 2 > sizes[c] or n * 5 >= len(planted.signal_ids)))
        on_pattern = [a for a in alerts if _about(a, planted)]
        found = [
            a.detected_at
            for a in on_pattern
            if a.kind == "cross_org" and planted.onset <= a.detected_at <= planted.onset + timedelta(days=max_delay)
        ]
        scopes = tuple(sorted({str(a.details.get("scope")) for a in on_pattern if a.details.get("scope")}))
        first = min(found, default=None)
        results.append(PatternResult(planted.name, planted.kind, planted.onset, clusters, first, scopes))
    true = seasonal = false = 0
    for alert in (a for a in alerts if a.kind == "cross_org"):
        verdict = _judge(alert, scenario.planted, max_delay)
        true += verdict == "true"
        seasonal += verdict == "seasonal"
        false += verdict == "false"
    local_national = sum(1 for r in results if r.kind == "local" and "landelijk" in r.scopes)
    return ScenarioScore(tuple(results), true, seasonal, false, local_national, dict(Counter(a.kind for a in alerts)))


def _about(alert: Alert, planted: Planted) -> bool:
    """Whether most signals behind ``alert`` (its ``signal_ids``: the cluster's members from onset to the alert
    day, as assigned when it was raised) are signals ``planted`` added."""
    ids = alert.details.get("signal_ids") or []
    return bool(ids) and sum(1 for i in ids if i in planted.signal_ids) * 2 > len(ids)


def _judge(alert: Alert, planted: Sequence[Planted], max_delay: int) -> str:
    about = [p for p in planted if _about(alert, p)]
    for pattern in about:
        during = pattern.onset <= alert.detected_at <= pattern.end + timedelta(days=max_delay)
        if pattern.kind == "cross_org" and during:
            return "true"
    if any(pattern.kind == "seasonal" for pattern in about):
        return "seasonal"
    return "false"
