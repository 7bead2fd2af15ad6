# SPDX-License-Identifier: EUPL-1.2
"""Policies and their measured effects as the read side shows them.

Effects are the stored ``policy_effect`` alerts (matching measures them at 4, 8, 13 and 26 weeks after a policy's
date); per pattern the latest checkpoint counts. Volumes before and after come from the pattern's release (the
same number of ISO weeks on each side of the policy's week), never from the raw counts the regression used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from governance.errors import NotFoundError
from hub.insight_models import Filters, PolicyDetail, PolicyEffectRow, PolicyRow, Series
from hub.insights_alerts import safe_explanation
from hub.insights_releases import pattern_days
from hub.insights_series import pattern_series, volume_around

if TYPE_CHECKING:
    from hub.insights import Insights
    from matching.patterns import Pattern
    from matching.policies import Policy

__all__ = ["SERIES_PATTERNS", "PolicyNotFoundError", "policies", "policy"]

#: Weekly series are drawn for this many of the patterns that changed most.
SERIES_PATTERNS = 5
_PRE_WEEKS = 26


class PolicyNotFoundError(NotFoundError):
    """No declared policy with that name."""

    code = "policy-not-found"


def _effects(listed: list[Pattern], name: str) -> list[tuple[Pattern, dict[str, object]]]:
    """Per listed pattern its latest ``policy_effect`` alert about ``name``."""
    out = []
    for pattern in listed:
        mine = [a for a in pattern.alerts if a["kind"] == "policy_effect" and a["details"].get("policy") == name]
        if mine:
            out.append((pattern, max(mine, key=lambda a: str(a["detected_at"]))))
    return out


def _row(insights: Insights, policy: Policy, effects: int) -> PolicyRow:
    findings = insights.findings()
    through = findings.evaluated_through(policy.name) if findings is not None else None
    return PolicyRow(
        name=policy.name, date=policy.date, refs=list(policy.refs), effects=effects, evaluated_through=through
    )


def policies(insights: Insights) -> list[PolicyRow]:
    """Every declared policy, newest first (see :meth:`hub.insights.Insights.policies`)."""
    findings = insights.findings()
    if findings is None:
        return []
    listed = insights.listed()
    rows = [_row(insights, p, len(_effects(listed, p.name))) for p in findings.policies()]
    return sorted(rows, key=lambda r: (r.date, r.name), reverse=True)


def policy(insights: Insights, name: str) -> PolicyDetail:
    """One policy (see :meth:`hub.insights.Insights.policy`)."""
    findings = insights.findings()
    found = [p for p in (findings.policies() if findings is not None else []) if p.name == name]
    if not found:
        raise PolicyNotFoundError("no declared policy with that name")
    declared = found[0]
    listed = insights.listed()
    effects = _effects(listed, name)
    releases = insights.releases([p for p, _ in effects])
    rows = []
    for pattern, alert in effects:
        details = alert["details"]
        assert isinstance(details, dict)
        weeks = max(1, int(details.get("weeks_after", 4)))
        before, after = volume_around(releases[pattern.id], declared.date, weeks)
        rows.append(
            PolicyEffectRow(
                pattern_id=pattern.id, pattern_label=pattern.label,
                detected_on=date.fromisoformat(str(alert["detected_at"])[:10]), weeks_after=weeks,
                level=float(details.get("level", 0.0)), level_ci=_pair(details.get("level_ci")),
                trend=float(details.get("trend", 0.0)), trend_ci=_pair(details.get("trend_ci")),
                carries_refs=bool(details.get("carries_refs", False)), emerged=bool(details.get("emerged", False)),
                merged=alert.get("cluster_id", pattern.id) != pattern.id,
                explanation=safe_explanation(str(alert["explanation"]), insights.threshold),
                before=insights.count(before), after=insights.count(after),
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (-abs(r.level), r.pattern_id))
    start = declared.date - timedelta(days=7 * _PRE_WEEKS)
    end = declared.date + timedelta(days=7 * max((r.weeks_after for r in rows), default=4))
    by_id = dict((p.id, p) for p, _ in effects)
    # A line starts at the pattern's first week: the weeks before it hold no signal by definition, and a run of
    # zeros there reads as "quiet before the policy" where the topic simply did not exist yet.
    series: list[Series] = [
        pattern_series(
            insights,
            by_id[r.pattern_id],
            releases[r.pattern_id],
            "totaal",
            Filters(period_from=max(start, pattern_days(by_id[r.pattern_id])[0]), period_to=end),
        )
        for r in rows[:SERIES_PATTERNS]
    ]
    return PolicyDetail(policy=_row(insights, declared, len(rows)), effects=rows, series=series)


def _pair(value: object) -> tuple[float, float]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return float(value[0]), float(value[1])
    return 0.0, 0.0
