# SPDX-License-Identifier: EUPL-1.2
"""The webhook dispatcher: queues matching's new alerts for the subscriptions that want them, and delivers them.

A background thread (started by the app's lifespan when the hub setting ``webhooks`` is on) does, every
``poll_seconds``:

1. **scan**: read the alerts matching stored after the store's alert cursor (the ``rowid`` order of matching's
   ``alerts`` table, which is the order they were stored in), build each alert's CloudEvent once, and queue one
   delivery per active subscription whose filter matches and that existed before the alert was stored. The
   deliveries and the new cursor are written in one transaction: after a restart nothing is queued twice or lost.
2. **deliver**: send each due delivery (POST, signed per Standard Webhooks, timeouts, no redirects followed); a 2xx
   answer delivers it; ``410 Gone`` disables the subscription; anything else is retried on the
   :class:`~hub.webhooks.RetryPolicy`'s schedule until it gives up. Every attempt is in the delivery log.

Delivery is at least once: a hub that stops between sending and recording sends again after the restart, with the same
``webhook-id``, so receivers can drop what they already have. Log lines name subscription and delivery ids, status
codes and error types, never URLs (they may carry tokens) or secrets.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx

from governance.audit import AuditSink
from hub.alert_feed import AlertFeed
from hub.disclosure import MIN_THRESHOLD
from hub.webhook_store import Attempt, Delivery, Queued, WebhookStore
from hub.webhooks import (
    ALERT_EVENT_TYPE,
    TEST_EVENT_TYPE,
    RetryPolicy,
    Subscription,
    UnknownWebhookError,
    WebhookFilter,
    alert_event,
    check_url,
    encode_event,
    hub_source,
    new_secret,
    probe_event,
    signed_headers,
)

if TYPE_CHECKING:
    from hub.services import HubServices

__all__ = ["HttpSender", "SendResult", "Sender", "WebhookDispatcher", "close_dispatcher", "dispatcher_for"]

log = logging.getLogger("hartslag.hub.webhooks")


@dataclass(frozen=True)
class SendResult:
    """What one POST gave: the HTTP status (None when no answer came), the error's type, and how long it took."""

    status_code: int | None
    error: str | None
    duration_ms: float


class Sender(Protocol):
    """Sends one signed request."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST ``body`` with ``headers`` to ``url``; never raises for network trouble."""
        ...


class HttpSender:
    """:class:`Sender` over httpx: connect and read timeouts, redirects not followed (a redirect is a failure)."""

    def __init__(self, timeout: float = 10.0, connect_timeout: float = 5.0) -> None:
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
            headers={"user-agent": "hartslag-hub"},
        )

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST and report the status code, or the error's type when no answer came."""
        started = time.perf_counter()
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            return SendResult(None, type(exc).__name__, (time.perf_counter() - started) * 1000)
        return SendResult(response.status_code, None, (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class WebhookDispatcher:
    """Subscriptions, the outbox and the background thread that fills and empties it (see the module docstring)."""

    def __init__(
        self,
        store: WebhookStore,
        feed: AlertFeed,
        *,
        source: str,
        sender: Sender | None = None,
        policy: RetryPolicy | None = None,
        audit: AuditSink | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: Callable[[], float] = random.random,
        poll_seconds: float = 2.0,
        batch_size: int = 200,
        threshold: int = MIN_THRESHOLD,
    ) -> None:
        self.threshold = threshold
        self.store = store
        self.feed = feed
        self.source = source
        self.sender = sender or HttpSender()
        self.policy = policy or RetryPolicy()
        self.audit = audit
        self.clock = clock
        self.rng = rng
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # subscriptions ----------------------------------------------------------------------------------------------
    def subscribe(self, url: str, filter: WebhookFilter, actor: str) -> Subscription:
        """Create a subscription for alerts stored from now on; the result holds the secret (shown only now)."""
        subscription = Subscription(
            id=uuid.uuid4().hex, url=check_url(url), filter=filter, created_at=self.clock(), created_by=actor,
            secret=new_secret(),
        )  # fmt: skip
        self.store.add_subscription(subscription, after_alert=self.feed.latest())
        host = urlsplit(subscription.url).hostname or ""
        self._audit(actor, "webhook.created", subscription.id, {"host": host, **subscription.filter.as_json()})
        return subscription

    def subscription(self, subscription_id: str) -> Subscription:
        """One subscription, or :class:`~hub.webhooks.UnknownWebhookError`."""
        found = self.store.subscription(subscription_id)
        if found is None:
            raise UnknownWebhookError(f"no webhook subscription '{subscription_id[:64]}'")
        return found

    def subscriptions(self) -> list[Subscription]:
        """Every subscription, oldest first."""
        return [s for s, _ in self.store.subscriptions()]

    def unsubscribe(self, subscription_id: str, actor: str) -> None:
        """Delete a subscription with its outbox and log."""
        if not self.store.delete_subscription(subscription_id):
            raise UnknownWebhookError(f"no webhook subscription '{subscription_id[:64]}'")
        self._audit(actor, "webhook.deleted", subscription_id, {})

    def deliveries(self, subscription_id: str, limit: int = 50) -> list[Delivery]:
        """The subscription's delivery log, newest first."""
        self.subscription(subscription_id)
        return self.store.deliveries(subscription_id, limit)

    def send_test(self, subscription_id: str, actor: str) -> Delivery:
        """Send a test event now (one attempt, not retried) and return its delivery with the outcome."""
        subscription = self.subscription(subscription_id)
        event = probe_event(subscription.id, self.source, self.clock())
        queued = Queued(subscription.id, event["id"], TEST_EVENT_TYPE, encode_event(event))
        (delivery_id,) = self.store.enqueue([queued], self.clock(), due=False)
        delivery = self.store.delivery(delivery_id)
        assert delivery is not None  # just written
        self._attempt(delivery, subscription, retry=False)
        self._audit(actor, "webhook.tested", subscription.id, {"delivery_id": delivery_id})
        done = self.store.delivery(delivery_id)
        assert done is not None
        return done

    # the outbox -------------------------------------------------------------------------------------------------
    def scan(self) -> int:
        """Queue the alerts stored since the last scan; returns how many deliveries were queued."""
        queued_total = 0
        while True:
            rows = self.feed.after(self.store.alert_cursor(), self.batch_size)
            if not rows:
                return queued_total
            subscriptions = self.store.subscriptions(active_only=True)
            at = self.clock()
            queued = []
            for position, alert in rows:
                body = encode_event(alert_event(alert, self.source, at, self.threshold))
                for subscription, after in subscriptions:
                    if position > after and subscription.filter.matches(alert):
                        queued.append(Queued(subscription.id, alert.event_id, ALERT_EVENT_TYPE, body))
            queued_total += len(self.store.enqueue(queued, at, cursor=rows[-1][0]))

    def deliver_due(self, limit: int = 50) -> int:
        """Make one attempt at each due delivery (at most ``limit``); returns how many were attempted."""
        due = self.store.due(self.clock(), limit)
        subscriptions = {s.id: s for s, _ in self.store.subscriptions(active_only=True)}
        attempted = 0
        for delivery in due:
            subscription = subscriptions.get(delivery.subscription_id)
            if subscription is None or not subscription.active:
                continue
            if self._attempt(delivery, subscription, retry=True) == "gone":
                subscriptions.pop(subscription.id)
            attempted += 1
        return attempted

    def _attempt(self, delivery: Delivery, subscription: Subscription, *, retry: bool) -> str:
        """One attempt; records it and returns the delivery's new status (or ``gone``)."""
        number = delivery.attempts + 1
        headers = signed_headers(subscription.secret, delivery.event_id, self.clock(), delivery.body)
        result = self.sender.send(subscription.url, delivery.body, headers)
        now = self.clock()
        attempt = Attempt(number, now, result.status_code, result.error, round(result.duration_ms, 2))
        code = result.status_code
        next_attempt = None
        if code is not None and 200 <= code < 300:
            status = "delivered"
        elif code == 410 or not retry or self.policy.gives_up(number):
            status = "failed"
        else:
            status = "pending"
            next_attempt = now + self.policy.delay(number, self.rng)
        self.store.record_attempt(delivery.id, attempt, status, next_attempt)
        outcome = {"subscription": subscription.id, "delivery": delivery.id, "attempt": number, "status": code}
        if status == "delivered":
            log.info("webhook delivered", extra=outcome)
        else:
            log.warning("webhook delivery failed", extra={**outcome, "error": result.error, "next": status})
        if code == 410:
            self.store.disable_subscription(subscription.id, "gone", now)
            self._audit("hartslag-hub", "webhook.disabled", subscription.id, {"status_code": 410})
            log.warning("webhook subscription disabled: 410 Gone", extra={"subscription": subscription.id})
            return "gone"
        return status

    # the thread -------------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """One round: scan, then deliver what is due."""
        self.scan()
        while self.deliver_due() and not self._stop.is_set():
            pass

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="hartslag-webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the attempt in hand, and wait for the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # keep the hub up; the next round starts from the store
                log.error("webhook round failed", extra={"error": type(exc).__name__})
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def close(self) -> None:
        """Stop the thread and release the store, the feed and the sender."""
        self.stop()
        self.store.close()
        self.feed.close()
        closer = getattr(self.sender, "close", None)
        if callable(closer):
            closer()

    def _audit(self, actor: str, action: str, subscription_id: str, details: Mapping[str, Any]) -> None:
        if self.audit is not None:
            self.audit.record(actor, action, f"webhook:{subscription_id}", dict(details))


_ATTACH = threading.Lock()


def dispatcher_for(holder: Any, services: HubServices) -> WebhookDispatcher:
    """The :class:`WebhookDispatcher` of an app, made on first use (not started) and kept on ``holder`` (the app's
    ``state``) as ``webhooks``: ``DATA/webhooks.db``, alerts from ``DATA/matching``, changes in the audit log."""
    with _ATTACH:
        found: WebhookDispatcher | None = getattr(holder, "webhooks", None)
        if found is None:
            data = services.settings.data
            found = WebhookDispatcher(
                WebhookStore(data / "webhooks.db"),
                AlertFeed(data / "matching"),
                source=hub_source(services.settings.hub_id),
                audit=services.audit,
                threshold=services.settings.disclosure_threshold,
            )
            holder.webhooks = found
        return found


def close_dispatcher(holder: Any) -> None:
    """Stop and close the dispatcher :func:`dispatcher_for` kept on ``holder``, if any."""
    with _ATTACH:
        found: WebhookDispatcher | None = getattr(holder, "webhooks", None)
        if found is not None:
            found.close()
            holder.webhooks = None
