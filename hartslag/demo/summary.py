# SPDX-License-Identifier: EUPL-1.2
"""What the demo shows when it is ready: who delivered what, what the hub stored, and what matching found.

:func:`collect` gathers the numbers (the connectors' counts, the hub's admin statistics, the patterns and alerts
read from the matching state with :func:`matching.patterns.list_patterns`); :func:`render` prints them for people
and :meth:`DemoSummary.as_dict` gives them as data (written to ``summary.json`` in the demo folder). Patterns and
alerts hold codes, counts and explanations, never signal text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hartslag.demo.replay import DemoConnector

__all__ = ["DemoSummary", "TopPattern", "collect", "render"]

_TOP = 5
_STEPS = ("generation", "exports", "keys", "reading", "hub", "delivery")


@dataclass(frozen=True)
class TopPattern:
    """A pattern with a cross-organisation alert, as the summary shows it."""

    id: int
    label: str
    scope: str
    organisations: int
    size: int
    detected_at: str
    score: float
    explanation: str


@dataclass
class DemoSummary:
    """Everything the summary prints, as plain data."""

    organisations: list[dict[str, Any]]
    scenario_signals: int
    stored: int
    batches: int
    refusals: dict[str, int]
    patterns: int
    alerts_by_kind: dict[str, int]
    top: list[TopPattern]
    policies: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def collect(
    connectors: Sequence[DemoConnector], scenario_signals: int, stats: dict[str, Any], matching: Path
) -> DemoSummary:
    """The summary of a finished run; ``matching`` is the hub's ``DATA/matching`` folder."""
    from matching.findings import Findings
    from matching.patterns import list_patterns
    from matching.state import MatchingState

    state = MatchingState(matching)
    try:
        findings = Findings(state)
        patterns = list_patterns(state, findings)
        alerts = findings.alerts()
        policies = [f"{p.name} ({p.date.isoformat()})" for p in findings.policies()]
    finally:
        state.close()
    top: list[TopPattern] = []
    for pattern in patterns:
        cross = [a for a in pattern.alerts if a["kind"] == "cross_org"]
        if cross:
            best = max(cross, key=lambda a: a["score"])
            top.append(
                TopPattern(pattern.id, pattern.label, pattern.scope, len(pattern.organisations), pattern.size,
                           best["detected_at"], best["score"], best["explanation"])
            )  # fmt: skip
    top.sort(key=lambda p: -p.score)
    rows = [
        {"code": c.code, "name": c.organisation.name, "format": c.organisation.export_format, "read": c.read,
         "skipped": c.skipped, "scrubbed": c.scrubbed, "placeholders": c.placeholders, "delivered": c.delivered,
         "set_aside": c.set_aside, "set_aside_reasons": dict(c.reasons)}
        for c in connectors
    ]  # fmt: skip
    return DemoSummary(
        organisations=rows,
        scenario_signals=scenario_signals,
        stored=int(stats.get("signals", 0)),
        batches=int(stats.get("batches", 0)),
        refusals={str(k): int(v) for k, v in dict(stats.get("refusals", {})).items()},
        patterns=len(patterns),
        alerts_by_kind=dict(Counter(a.kind for a in alerts)),
        top=top[:_TOP],
        policies=policies,
    )


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def render(summary: DemoSummary, console: Console) -> None:
    """Print the summary for people."""
    table = Table(title="Organisations and their connectors", title_justify="left")
    for column in ("code", "organisation", "export", "signals read", "scrubbed", "delivered", "set aside"):
        table.add_column(column, justify="left" if column in {"code", "organisation", "export"} else "right")
    for row in summary.organisations:
        table.add_row(row["code"], escape(row["name"]), row["format"], str(row["read"]), str(row["scrubbed"]),
                      str(row["delivered"]), str(row["set_aside"]))  # fmt: skip
    delivered = sum(r["delivered"] for r in summary.organisations)
    table.add_row("", "total", "", str(sum(r["read"] for r in summary.organisations)),
                  str(sum(r["scrubbed"] for r in summary.organisations)), str(delivered),
                  str(sum(r["set_aside"] for r in summary.organisations)), style="bold")  # fmt: skip
    console.print(table)
    skipped = sum(r["skipped"] for r in summary.organisations)
    refused = ", ".join(f"{code}: {n}" for code, n in sorted(summary.refusals.items())) or "none"
    console.print(
        f"Scenario: {summary.scenario_signals} signals; {skipped} records skipped by the readers. "
        f"'Scrubbed': texts in which the connector replaced personal data by placeholders before signing."
    )
    console.print(f"Hub: {summary.stored} signals stored in {summary.batches} batches; refusals: {refused}.")
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary.alerts_by_kind.items())) or "none"
    console.print(f"Matching: {summary.patterns} patterns; alerts by kind: {kinds}.")
    if summary.policies:
        console.print(f"Declared policies: {escape('; '.join(summary.policies))}.")
    if summary.top:
        console.print("\n[bold]Top cross-organisation patterns[/]")
        for pattern in summary.top:
            console.print(
                f"[bold]#{pattern.id}[/] {escape(pattern.label)} ({pattern.scope}, {pattern.organisations} "
                f"organisations, {pattern.size} signals), since {pattern.detected_at}:\n  {escape(pattern.explanation)}"
            )
    else:
        console.print("No cross-organisation alerts were raised.")
    timings = summary.timings
    if timings:
        steps = ", ".join(f"{name} {_seconds(value)}" for name, value in timings.items() if name in _STEPS)
        if "matching" in timings and "delivery" in timings:  # matching runs in the hub while the connectors deliver
            steps += f"; matching done {_seconds(max(timings['matching'] - timings['delivery'], 0))} after the delivery"
        console.print(f"\nReady in {_seconds(timings.get('total', 0.0))} ({steps}).")
