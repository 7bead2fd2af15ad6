# SPDX-License-Identifier: EUPL-1.2
"""The detector step: a :class:`Detector` turns an :class:`~matching.activity.Activity` into :class:`Alert` s.

Detectors run on event time: ``detect(activity, as_of)`` reads only days up to ``as_of`` and returns the alerts
*raised on* ``as_of``. Running them day by day while signals arrive therefore gives the same alerts as replaying a
finished year (see :func:`replay`). Implementations live in one module each and are chosen by name from
:data:`DETECTORS`; explanations are Dutch, for a policy analyst, and the helpers here keep their wording uniform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, runtime_checkable

from governance.errors import InvalidInputError
from matching.activity import Activity

__all__ = [
    "DETECTORS",
    "Alert",
    "Detector",
    "DetectorFactory",
    "UnknownDetectorError",
    "detector_names",
    "dutch_date",
    "dutch_number",
    "make_detector",
    "replay",
]

_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Alert:
    """One detected pattern.

    ``detected_at`` is the event-time day the alert was raised on; ``score`` orders alerts of one kind (higher is
    stronger; each detector documents its scale); ``details`` holds the numbers behind ``explanation`` (no signal
    text, no personal data) and always ``scope`` (``lokaal``/``regionaal``/``landelijk``) where it applies.
    """

    kind: str
    cluster_id: int
    detected_at: date
    score: float
    explanation: str
    details: dict[str, Any] = field(default_factory=dict, compare=False)


@runtime_checkable
class Detector(Protocol):
    """Finds one kind of pattern; reads days up to ``as_of`` only and returns the alerts raised on ``as_of``."""

    kind: str

    def detect(self, activity: Activity, as_of: date) -> list[Alert]:
        """Alerts raised on ``as_of``."""
        ...


DetectorFactory = Callable[..., Detector]


class UnknownDetectorError(InvalidInputError):
    """A configured detector name that :data:`DETECTORS` does not hold."""

    code = "unknown-detector"


def _cross_org(**options: Any) -> Detector:
    from matching.cross_org import CrossOrgDetector

    return CrossOrgDetector(**options)


def _emerging(**options: Any) -> Detector:
    from matching.emerging import EmergingDetector

    return EmergingDetector(**options)


def _policy_effect(**options: Any) -> Detector:
    from matching.policy_effect import PolicyEffectDetector

    return PolicyEffectDetector(**options)


# Name → factory. Imports are lazy: the detector modules import this one, and policy_effect loads statsmodels.
DETECTORS: dict[str, DetectorFactory] = {
    "cross_org": _cross_org,
    "emerging": _emerging,
    "policy_effect": _policy_effect,
}


def detector_names() -> list[str]:
    """The names :func:`make_detector` accepts, sorted."""
    return sorted(DETECTORS)


def make_detector(name: str, **options: Any) -> Detector:
    """Make the detector registered as ``name`` (``policy_effect`` needs ``policies=``)."""
    try:
        factory = DETECTORS[name]
    except KeyError:
        known = ", ".join(detector_names())
        raise UnknownDetectorError(f"unknown detector {name!r}; choose one of: {known}") from None
    return factory(**options)


def replay(detector: Detector, activity: Activity, first: date, last: date) -> list[Alert]:
    """Every alert ``detector`` raises on the days ``first..last``, in day order."""
    alerts: list[Alert] = []
    day = first
    while day <= last:
        alerts.extend(detector.detect(activity, day))
        day += timedelta(days=1)
    return alerts


def dutch_number(value: float, decimals: int = 1) -> str:
    """``3.14`` → ``"3,1"``: a decimal comma, as a Dutch reader expects."""
    return f"{value:.{decimals}f}".replace(".", ",")


def dutch_date(day: date, with_year: bool = False) -> str:
    """``date(2025, 3, 12)`` → ``"12 maart"`` (``"12 maart 2025"`` with the year)."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text
