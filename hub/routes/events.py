# SPDX-License-Identifier: EUPL-1.2
"""``/v1/events``: batches as CloudEvents 1.0 (structured, binary and batch mode), following the NL GOV profile.

The event's data is the batch's compact JWS (``datacontenttype: application/jose``) and it takes the same acceptance
path as ``/v1/batches``. Event type: ``nl.hartslag.batch.published``; ``source`` identifies the agency's connector
(for example ``urn:nld:oin:<OIN>:hartslag-connector``).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub.deps import Services
from hub.problems import PROBLEMS, ProblemError
from hub.routes.batches import REFUSALS, WEB_REFUSALS, read_body, refuse, submit
from hub.schemas import problem_doc
from hub.services import HubServices

__all__ = ["EVENT_TYPE", "router"]

router = APIRouter(prefix="/v1/events", tags=["batches"])

EVENT_TYPE = "nl.hartslag.batch.published"
_REQUIRED = ("specversion", "id", "source", "type")


def _token_of(event: dict[str, Any]) -> bytes:
    """Check a structured event's attributes and return its JWS bytes."""
    missing = [name for name in _REQUIRED if not isinstance(event.get(name), str) or not event.get(name)]
    if missing:
        raise ProblemError("invalid-cloudevent", "missing context attributes: " + ", ".join(missing))
    if event["specversion"] != "1.0":
        raise ProblemError("invalid-cloudevent", "only CloudEvents specversion 1.0 is accepted")
    if event["type"] != EVENT_TYPE:
        raise ProblemError("invalid-cloudevent", f"type must be {EVENT_TYPE}")
    if event.get("datacontenttype") != "application/jose":
        raise ProblemError("invalid-cloudevent", "datacontenttype must be application/jose")
    if isinstance(event.get("data"), str):
        return str(event["data"]).strip().encode("ascii", "replace")
    if isinstance(event.get("data_base64"), str):
        try:
            return base64.b64decode(event["data_base64"], validate=True).strip()
        except binascii.Error:
            raise ProblemError("invalid-cloudevent", "data_base64 is not base64") from None
    raise ProblemError("invalid-cloudevent", "the event carries no data (the compact JWS)")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise ProblemError("invalid-cloudevent", "the body is not JSON") from None


@router.post(
    "",
    status_code=202,
    responses={
        200: {"description": "Replay"},
        207: {"description": "Batch mode: one result per event"},
        **REFUSALS,  # the same acceptance path, so the same refusals
        400: problem_doc("Invalid CloudEvent, or the batch refusals of /v1/batches with status 400"),
        415: problem_doc("Not a CloudEvent in structured, binary or batch mode"),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/cloudevents+json": {"schema": {"type": "object"}},
                "application/cloudevents-batch+json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/jose": {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_event(request: Request, services: Services) -> JSONResponse:
    """Deliver signed batches as CloudEvents: structured (`application/cloudevents+json`), binary (`ce-*` headers
    with `Content-Type: application/jose`) or batch mode (`application/cloudevents-batch+json`, answered with one
    result per event)."""
    try:
        return await _dispatch(request, services)
    except ProblemError as exc:
        if exc.code in WEB_REFUSALS:  # refused before the acceptance path, which counts its own refusals
            raise refuse(services, exc.code, exc.message, "cloudevents") from None
        raise


async def _dispatch(request: Request, services: HubServices) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, services.settings.max_body_bytes)
    if media == "application/cloudevents+json":
        event = _json(body)
        if not isinstance(event, dict):
            raise ProblemError("invalid-cloudevent", "a structured event is a JSON object")
        return await submit(services, _token_of(event), "cloudevents")
    if media == "application/cloudevents-batch+json":
        events = _json(body)
        if not isinstance(events, list) or not events:
            raise ProblemError("invalid-cloudevent", "batch mode carries a non-empty JSON array of events")
        results = []
        for event in events:
            event_id = event.get("id") if isinstance(event, dict) else None
            try:
                if not isinstance(event, dict):
                    raise ProblemError("invalid-cloudevent", "each event is a JSON object")
                response = await submit(services, _token_of(event), "cloudevents")
                results.append(
                    {"id": event_id, "status": response.status_code, "receipt": json.loads(bytes(response.body))}
                )
            except ProblemError as exc:
                if exc.code in WEB_REFUSALS:
                    refuse(services, exc.code, exc.message, "cloudevents")
                status = PROBLEMS.get(exc.code, PROBLEMS["invalid-input"])[0]
                results.append({"id": event_id, "status": status, "problem": {"code": exc.code, "detail": exc.message}})
        return JSONResponse(results, status_code=207)
    if "ce-specversion" in request.headers:
        attributes = {name[3:]: value for name, value in request.headers.items() if name.startswith("ce-")}
        attributes["datacontenttype"] = media
        attributes["data"] = body.decode("ascii", "replace").strip().strip('"')
        return await submit(services, _token_of(attributes), "cloudevents")
    raise ProblemError("unsupported-media-type", "send a CloudEvent in structured, binary or batch mode")
