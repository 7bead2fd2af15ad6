# SPDX-License-Identifier: EUPL-1.2
"""Alerts out: webhook subscriptions, the CloudEvents they receive, Standard Webhooks signatures, and the retry plan.

A :class:`Subscription` names an ``http(s)`` URL and a :class:`WebhookFilter` (themes, scopes, organisation kinds,
alert kinds; an empty set lets everything through, several sets must all match). Each alert matching's detectors
store becomes one CloudEvent 1.0 in structured JSON mode (:func:`alert_event`)::

    {"specversion": "1.0", "type": "nl.hartslag.alert.v1", "source": "urn:hartslag:hub:<hub id>",
     "id": "alert:cross_org:17:2026-03-09", "time": "...", "subject": "17", "datacontenttype": "application/json",
     "data": {"alert_kind": "cross_org", "pattern_id": 17, "label": "...", "scope": "regionaal",
              "explanation": "...", "score": 7.5, "detected_on": "2026-03-09", "themes": [...],
              "organisation_kinds": [...]}}

The ``id`` is the alert's own key (kind, pattern, day), so every retry and every replay of an alert carries the same
id, and so does the ``webhook-id`` header: receivers recognise what they saw before. The data holds no signal text
and no count below the hub's disclosure threshold: the explanation is the read API's (:func:`public_explanation`),
small counts read "minder dan 10" and the expected number goes with them. Requests are signed per the Standard
Webhooks specification (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<HMAC-SHA256>``) with the subscription's ``whsec_`` secret, through the
``standardwebhooks`` package (:func:`signed_headers`). Failed deliveries are retried on the :class:`RetryPolicy`'s
exponential schedule with jitter.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from governance.errors import InvalidInputError, NotFoundError
from governance.standard import codelist_codes
from hub.disclosure import MIN_THRESHOLD
from hub.insights_alerts import safe_explanation

__all__ = [
    "ALERT_EVENT_TYPE",
    "CONTENT_TYPE",
    "SCOPES",
    "TEST_EVENT_TYPE",
    "AlertView",
    "InvalidWebhookFilterError",
    "InvalidWebhookUrlError",
    "RetryPolicy",
    "Subscription",
    "UnknownWebhookError",
    "WebhookFilter",
    "alert_event",
    "check_url",
    "encode_event",
    "hub_source",
    "new_secret",
    "probe_event",
    "public_explanation",
    "signed_headers",
]

ALERT_EVENT_TYPE = "nl.hartslag.alert.v1"
TEST_EVENT_TYPE = "nl.hartslag.webhook.test.v1"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SCOPES = ("lokaal", "regionaal", "landelijk")


class InvalidWebhookUrlError(InvalidInputError):
    """A subscription URL that is not an absolute http(s) URL."""

    code = "invalid-webhook-url"


class InvalidWebhookFilterError(InvalidInputError):
    """A filter naming an unknown theme, scope, organisation kind or alert kind."""

    code = "invalid-webhook-filter"


class UnknownWebhookError(NotFoundError):
    """No subscription with this id."""

    code = "webhook-not-found"


def check_url(url: str) -> str:
    """``url`` when it is an absolute ``http``/``https`` URL with a host (no user info); else refused."""
    text = url.strip() if isinstance(url, str) else ""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise InvalidWebhookUrlError("the webhook URL cannot be parsed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrlError("a webhook URL must be an absolute http or https URL")
    if parts.username or parts.password:
        raise InvalidWebhookUrlError("a webhook URL must not hold a user name or password")
    if len(text) > 2000 or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidWebhookUrlError("a webhook URL must be at most 2000 printable characters without spaces")
    return text


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64 (the Standard Webhooks form)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def hub_source(hub_id: str) -> str:
    """The CloudEvents ``source`` of this hub's events."""
    return f"urn:hartslag:hub:{hub_id}"


@dataclass(frozen=True)
class AlertView:
    """An alert as it may leave the hub: the alert's key, its pattern's label, scope, themes and organisation kinds,
    the (already public) explanation and the score. No signal text, no counts."""

    kind: str
    pattern_id: int
    detected_on: date
    label: str
    scope: str
    explanation: str
    score: float
    themes: tuple[str, ...] = ()
    organisation_kinds: tuple[str, ...] = ()

    @property
    def event_id(self) -> str:
        """The stable id of this alert's event (and of every delivery and retry of it)."""
        return f"alert:{self.kind}:{self.pattern_id}:{self.detected_on.isoformat()}"


def _alert_kinds() -> frozenset[str]:
    from matching.detector import detector_names

    return frozenset(detector_names())


@dataclass(frozen=True)
class WebhookFilter:
    """Which alerts a subscription receives; an empty set means "any", and every non-empty set must match."""

    themes: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    organisation_kinds: frozenset[str] = frozenset()
    alert_kinds: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        themes: Iterable[str] = (),
        scopes: Iterable[str] = (),
        organisation_kinds: Iterable[str] = (),
        alert_kinds: Iterable[str] = (),
    ) -> WebhookFilter:
        """A filter whose values are checked against the code lists, :data:`SCOPES` and the detectors' names."""
        made = cls(frozenset(themes), frozenset(scopes), frozenset(organisation_kinds), frozenset(alert_kinds))
        checks = (
            ("themes", made.themes, lambda: frozenset(codelist_codes("themes"))),
            ("scopes", made.scopes, lambda: frozenset(SCOPES)),
            ("organisation_kinds", made.organisation_kinds, lambda: frozenset(codelist_codes("organisation-kinds"))),
            ("alert_kinds", made.alert_kinds, _alert_kinds),
        )
        for name, values, known in checks:
            unknown = sorted(values - known()) if values else []
            if unknown:
                raise InvalidWebhookFilterError(f"{name}: unknown value(s) {', '.join(map(repr, unknown[:5]))}")
        return made

    def matches(self, alert: AlertView) -> bool:
        """True when ``alert`` passes every non-empty part of the filter."""
        return (
            (not self.themes or bool(self.themes & set(alert.themes)))
            and (not self.scopes or alert.scope in self.scopes)
            and (not self.organisation_kinds or bool(self.organisation_kinds & set(alert.organisation_kinds)))
            and (not self.alert_kinds or alert.kind in self.alert_kinds)
        )

    def as_json(self) -> dict[str, list[str]]:
        """The filter as sorted lists."""
        return {
            "themes": sorted(self.themes),
            "scopes": sorted(self.scopes),
            "organisation_kinds": sorted(self.organisation_kinds),
            "alert_kinds": sorted(self.alert_kinds),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Iterable[str]]) -> WebhookFilter:
        """The filter :meth:`as_json` wrote (not checked again)."""
        return cls(*(frozenset(value.get(k, ())) for k in ("themes", "scopes", "organisation_kinds", "alert_kinds")))


@dataclass(frozen=True)
class Subscription:
    """A webhook subscription. ``secret`` signs its deliveries and is shown once, when it is created."""

    id: str
    url: str
    filter: WebhookFilter
    created_at: datetime
    created_by: str
    secret: str = field(repr=False)
    active: bool = True
    disabled_reason: str | None = None


def public_explanation(text: str, threshold: int = MIN_THRESHOLD) -> str:
    """The explanation as the read API shows it (:func:`hub.insights_alerts.safe_explanation`): every signal count
    below the hub's disclosure threshold hidden, and the expected number with it (ratio × expected = count)."""
    return safe_explanation(text, threshold)


def alert_event(alert: AlertView, source: str, time: datetime, threshold: int = MIN_THRESHOLD) -> dict[str, Any]:
    """The CloudEvent (structured JSON) of ``alert``."""
    return {
        "specversion": "1.0",
        "type": ALERT_EVENT_TYPE,
        "source": source,
        "id": alert.event_id,
        "time": time.isoformat(),
        "subject": str(alert.pattern_id),
        "datacontenttype": "application/json",
        "data": {
            "alert_kind": alert.kind,
            "pattern_id": alert.pattern_id,
            "label": alert.label,
            "scope": alert.scope,
            "explanation": public_explanation(alert.explanation, threshold),
            "score": round(alert.score, 3),
            "detected_on": alert.detected_on.isoformat(),
            "themes": list(alert.themes),
            "organisation_kinds": list(alert.organisation_kinds),
        },
    }


def probe_event(subscription_id: str, source: str, time: datetime) -> dict[str, Any]:
    """A test CloudEvent for a subscription (a fresh id each time)."""
    return {
        "specversion": "1.0",
        "type": TEST_EVENT_TYPE,
        "source": source,
        "id": f"test:{secrets.token_hex(8)}",
        "time": time.isoformat(),
        "subject": subscription_id,
        "datacontenttype": "application/json",
        "data": {"message": "Testbericht van Hartslag: deze webhook werkt."},
    }


def encode_event(event: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(secret: str, message_id: str, timestamp: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (the timestamp is the attempt's, the id the event's)."""
    from standardwebhooks import Webhook

    signature = Webhook(secret).sign(message_id, timestamp, body.decode("utf-8"))
    return {
        "content-type": CONTENT_TYPE,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: attempt ``n`` failed → wait ``base × factor^(n-1)`` (at most ``max_delay``), shortened by
    up to ``jitter`` of itself at random so that receivers coming back are not hit by every hub at once; after
    ``max_attempts`` attempts the delivery is given up."""

    base: timedelta = timedelta(seconds=5)
    factor: float = 3.0
    max_delay: timedelta = timedelta(hours=6)
    max_attempts: int = 10
    jitter: float = 0.2

    def delay(self, attempts: int, rng: Callable[[], float]) -> timedelta:
        """The wait after ``attempts`` failed attempts (``rng()`` in [0, 1))."""
        nominal = min(self.max_delay.total_seconds(), self.base.total_seconds() * self.factor ** (attempts - 1))
        return timedelta(seconds=nominal * (1.0 - self.jitter * rng()))

    def gives_up(self, attempts: int) -> bool:
        """True when no attempt follows ``attempts`` failed ones."""
        return attempts >= self.max_attempts
