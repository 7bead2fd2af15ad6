# SPDX-License-Identifier: EUPL-1.2
"""Alerts as the read side shows them: explanations without small counts, details without counts at all.

Matching's explanations name how many signals a surge had (``"7 signalen van 3 tot en met 5 juni"``). Those are
counts over days, outside every release, so a number below the threshold is replaced by ``"minder dan 10"``; the
alert's ``details`` are reduced to facts that are not counts (onset, ratio, reach, measured effects).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hub.insight_models import AlertRow
from matching.patterns import Pattern

__all__ = ["RISING_KINDS", "alert_rows", "safe_details", "safe_explanation"]

#: Alert kinds that mean a pattern is rising.
RISING_KINDS = frozenset({"emerging", "cross_org"})
_SHOWN_DETAILS = frozenset(
    {
        "onset", "ratio", "scope", "organisations", "organisation_kinds_present", "provinces",
        "policy", "policy_date", "weeks_after", "level", "level_ci", "trend", "trend_ci", "carries_refs",
    }
)  # fmt: skip
_COUNTED = re.compile(r"\b(\d{1,3}(?:\.\d{3})*|\d+)(\s+(?:signalen|signaal)\b)")
# With the ratio, the expected number would give the hidden count back (observed = ratio × expected).
_EXPECTED = (re.compile(r"waar [\d.,]+ verwacht werd"), re.compile(r",\s*[\d.,]+ verwacht\)"))


def safe_explanation(text: str, threshold: int) -> str:
    """``text`` with every signal count below ``threshold`` replaced by ``"minder dan <threshold>"``."""

    def replace(match: re.Match[str]) -> str:
        value = int(match.group(1).replace(".", ""))
        return match.group(0) if value >= threshold else f"minder dan {threshold}{match.group(2)}"

    safe = _COUNTED.sub(replace, text)
    if safe != text:
        safe = _EXPECTED[1].sub(")", _EXPECTED[0].sub("waar minder verwacht werd", safe))
    return safe


def safe_details(details: dict[str, Any]) -> dict[str, Any]:
    """The alert's details that are not counts: no ``observed``, no ``expected`` (with the ratio it gives the count
    back); ``organisation_kinds`` counts organisations per kind, so only the kinds are kept."""
    out = {key: value for key, value in details.items() if key in _SHOWN_DETAILS}
    kinds = details.get("organisation_kinds")
    if isinstance(kinds, dict):
        out["organisation_kinds_present"] = sorted(str(k) for k in kinds)
    return out


def alert_rows(pattern: Pattern, threshold: int) -> list[AlertRow]:
    """The alerts of one listed pattern as rows, newest first."""
    rows = [
        AlertRow(
            kind=str(alert["kind"]),
            pattern_id=pattern.id,
            pattern_label=pattern.label,
            detected_on=date.fromisoformat(str(alert["detected_at"])[:10]),
            score=float(alert["score"]),
            scope=alert["details"].get("scope"),
            explanation=safe_explanation(str(alert["explanation"]), threshold),
            details=safe_details(dict(alert["details"])),
        )
        for alert in pattern.alerts
    ]
    return sorted(rows, key=lambda r: (r.detected_on, r.score), reverse=True)
