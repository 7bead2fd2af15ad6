# SPDX-License-Identifier: EUPL-1.2
"""Alerts as the read side shows them: explanations without small counts, details without counts at all.

Matching's explanations name how many signals a surge had (``"7 signalen van 3 tot en met 5 juni"``). Those are
counts over days, outside every release, so a number below the threshold is replaced by ``"minder dan 10"``; the
alert's ``details`` are reduced to facts that are not counts (onset, ratio, reach, measured effects).

Matching writes organisations, municipalities and provinces as codes (``GM0363``, ``CJIB``, ``PV27``); an analyst
reads names, so :func:`safe_explanation` also puts the code lists' Dutch names in their place (within brackets an
agency keeps the abbreviation its name ends in, ``"(UWV)"``). Doing it here, once,
makes the read API, the dashboard and the webhooks (:func:`hub.webhooks.public_explanation`) say the same.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from governance.standard import codelist_codes
from hub.insight_models import AlertRow
from matching.patterns import Pattern
from matching.related import for_pattern

__all__ = ["RISING_KINDS", "alert_rows", "code_names", "named", "safe_details", "safe_explanation"]

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
# A code as matching writes it: capitals, digits and hyphens (GM0363, NIS44021, PV27, BE-VAN, BD-TOESLAGEN).
_CODE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")
# The abbreviation a name ends in: "Centraal Justitieel Incassobureau (CJIB)".
_SHORT = re.compile(r"\(([^()]+)\)$")
# A quoted part (a policy's own name, ``'Wet BD'``) is kept as written.
_QUOTED = re.compile(r"('[^']*')")


@cache
def code_names() -> dict[str, str]:
    """Dutch names of the codes an explanation may hold: municipalities (and Flemish local governments), national
    agencies and provinces."""
    names: dict[str, str] = {}
    for codelist in ("provinces", "national-agencies", "municipalities"):
        names.update({code: str(entry.get("title", code)) for code, entry in codelist_codes(codelist).items()})
    return names


def named(text: str) -> str:
    """``text`` with every known organisation, municipality or province code replaced by its Dutch name; quoted
    parts and unknown codes stay as they are."""
    names = code_names()

    def name(match: re.Match[str]) -> str:
        found = names.get(match.group(0), match.group(0))
        text, start, end = match.string, match.start(), match.end()
        short = _SHORT.search(found)
        # Within brackets an agency goes by the abbreviation its name ends in ("1 organisatie (UWV)"): the full name
        # would nest brackets ("(... Werknemersverzekeringen (UWV))"); this also leaves a named text unchanged.
        if short and text[start - 1 : start] == "(" and text[end : end + 1] == ")":
            return short.group(1)
        return found

    return "".join(part if part.startswith("'") else _CODE.sub(name, part) for part in _QUOTED.split(text))


def safe_explanation(text: str, threshold: int) -> str:
    """``text`` with every signal count below ``threshold`` replaced by ``"minder dan <threshold>"`` and codes by
    names (:func:`named`)."""

    def replace(match: re.Match[str]) -> str:
        value = int(match.group(1).replace(".", ""))
        return match.group(0) if value >= threshold else f"minder dan {threshold}{match.group(2)}"

    safe = _COUNTED.sub(replace, text)
    if safe != text:
        safe = _EXPECTED[1].sub(")", _EXPECTED[0].sub("waar minder verwacht werd", safe))
    return named(safe)


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
            explanation=safe_explanation(for_pattern(str(alert["explanation"]), pattern.id), threshold),
            details=safe_details(dict(alert["details"])),
        )
        for alert in pattern.alerts
    ]
    return sorted(rows, key=lambda r: (r.detected_on, r.score), reverse=True)
