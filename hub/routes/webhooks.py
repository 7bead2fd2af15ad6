# SPDX-License-Identifier: EUPL-1.2
"""``/v1/webhooks``: subscriptions to alerts, delivered as signed CloudEvents (role ``beheerder``).

A subscription's secret (``whsec_…``, Standard Webhooks) is returned once, by the call that creates it. Deliveries are
retried with exponential backoff; ``GET /v1/webhooks/{id}/deliveries`` is the log of every attempt, and
``POST /v1/webhooks/{id}/test`` sends a test event right away and answers with its outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hub.deps import Beheerder, Services
from hub.schemas import problem_doc
from hub.webhook_dispatcher import WebhookDispatcher, dispatcher_for
from hub.webhook_store import Delivery
from hub.webhooks import Subscription, WebhookFilter

__all__ = ["DeliveryPublic", "WebhookCreated", "WebhookIn", "WebhookPublic", "router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A body that is not JSON"),
    401: problem_doc("No or an invalid bearer token"),
    403: problem_doc("The caller lacks the role beheerder"),
    404: problem_doc("No subscription with this id"),
    422: problem_doc("A URL that is not http(s), an unknown filter value, or a body of the wrong form"),
}
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=_ERRORS)


def _dispatcher(request: Request, services: Services) -> WebhookDispatcher:
    return dispatcher_for(request.app.state, services)


Dispatcher = Annotated[WebhookDispatcher, Depends(_dispatcher)]


class WebhookIn(BaseModel):
    """A new subscription: where to deliver, and which alerts (an empty list means any)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, examples=["https://signalen.example.nl/hartslag"])
    themes: list[str] = Field(default_factory=list, max_length=50, examples=[["afval"]])
    scopes: list[str] = Field(default_factory=list, max_length=3, examples=[["regionaal", "landelijk"]])
    organisation_kinds: list[str] = Field(default_factory=list, max_length=10, examples=[["municipality"]])
    alert_kinds: list[str] = Field(default_factory=list, max_length=10, examples=[["cross_org"]])


class WebhookPublic(BaseModel):
    """A subscription (without its secret)."""

    id: str
    url: str
    themes: list[str]
    scopes: list[str]
    organisation_kinds: list[str]
    alert_kinds: list[str]
    active: bool
    disabled_reason: str | None = Field(description="Why deliveries stopped (`gone`: the receiver answered 410).")
    created_at: dt.datetime
    created_by: str


class WebhookCreated(WebhookPublic):
    """A new subscription with its signing secret: store it now, it is not shown again."""

    secret: str = Field(examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])


class AttemptPublic(BaseModel):
    """One delivery attempt."""

    attempt: int
    at: dt.datetime
    status_code: int | None
    error: str | None = Field(description="The error's type when no HTTP answer came (`ConnectError`, ...).")
    duration_ms: float


class DeliveryPublic(BaseModel):
    """One event for one subscription, with every attempt."""

    id: int
    event_id: str
    event_type: str
    status: str = Field(examples=["delivered"], description="`pending`, `delivered` or `failed`")
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    finished_at: dt.datetime | None
    log: list[AttemptPublic]


def _public(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        **subscription.filter.as_json(),
        "active": subscription.active,
        "disabled_reason": subscription.disabled_reason,
        "created_at": subscription.created_at,
        "created_by": subscription.created_by,
    }


def _delivery(delivery: Delivery) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        finished_at=delivery.finished_at,
        log=[
            AttemptPublic(
                attempt=a.number, at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
            )
            for a in delivery.log
        ],
    )


@router.post("", status_code=201, response_model=WebhookCreated)
def create_webhook(body: WebhookIn, principal: Beheerder, dispatcher: Dispatcher) -> WebhookCreated:
    """Subscribe a URL to alerts (those stored from now on) matching the filter; the answer holds the secret that
    signs the deliveries, shown only this once."""
    chosen = WebhookFilter.of(body.themes, body.scopes, body.organisation_kinds, body.alert_kinds)
    subscription = dispatcher.subscribe(body.url, chosen, principal.name)
    return WebhookCreated(**_public(subscription), secret=subscription.secret)


@router.get("", response_model=list[WebhookPublic])
def list_webhooks(principal: Beheerder, dispatcher: Dispatcher) -> list[WebhookPublic]:
    """Every subscription, oldest first (without secrets)."""
    return [WebhookPublic(**_public(s)) for s in dispatcher.subscriptions()]


@router.get("/{webhook_id}", response_model=WebhookPublic)
def get_webhook(webhook_id: str, principal: Beheerder, dispatcher: Dispatcher) -> WebhookPublic:
    """One subscription (without its secret)."""
    return WebhookPublic(**_public(dispatcher.subscription(webhook_id)))


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(webhook_id: str, principal: Beheerder, dispatcher: Dispatcher) -> Response:
    """Delete a subscription, its pending deliveries and its delivery log."""
    dispatcher.unsubscribe(webhook_id, principal.name)
    return Response(status_code=204)


@router.post("/{webhook_id}/test", response_model=DeliveryPublic)
def test_webhook(webhook_id: str, principal: Beheerder, dispatcher: Dispatcher) -> DeliveryPublic:
    """Send a test event (`nl.hartslag.webhook.test.v1`) now, once, and answer with the outcome."""
    return _delivery(dispatcher.send_test(webhook_id, principal.name))


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(
    webhook_id: str,
    principal: Beheerder,
    dispatcher: Dispatcher,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryPublic]:
    """The delivery log: the latest deliveries (newest first), each with its attempts, status codes and the time
    of the next attempt."""
    return [_delivery(d) for d in dispatcher.deliveries(webhook_id, limit)]
