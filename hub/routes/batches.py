# SPDX-License-Identifier: EUPL-1.2
"""``/v1/batches``: agencies deliver signed batches and read their receipts back."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from connectors.envelope import EnvelopeError
from hub.deps import AgencyCaller, Services
from hub.ingest import IngestRefusal
from hub.problems import PROBLEMS, ProblemError
from hub.routes.schemas import deprecation_headers
from hub.schemas import ReceiptPublic, jose_body, problem_doc
from hub.services import HubServices

__all__ = ["REFUSALS", "WEB_REFUSALS", "read_body", "refuse", "router", "submit"]

router = APIRouter(prefix="/v1/batches", tags=["batches"])

REFUSALS: dict[int | str, dict[str, Any]] = {
    code: problem_doc(title)
    for code, title in {
        400: "Malformed JWS, algorithm not allowed, wrong audience, lifetime or iat out of bounds",
        401: "Unknown, revoked or not yet valid key; bad signature; expired",
        403: "Key of another agency; agency suspended or unknown",
        409: "Same batch id with other content",
        413: "Body too large",
        415: "Not application/jose",
        422: "Unsupported or retired schema version (with `sunset`), batch schema invalid, too many signals",
        429: "Rate limit exceeded (see Retry-After)",
    }.items()
}


#: Refusals the web layer makes before the acceptance path runs (the acceptance path counts its own).
WEB_REFUSALS = frozenset({"body-too-large", "unsupported-media-type", "invalid-cloudevent"})


def refuse(services: HubServices, code: str, detail: str, via: str) -> ProblemError:
    """Count a refusal made in the web layer like every other refusal (storage and metrics), and return it to raise."""
    services.storage.count_refusal(code, None)
    services.metrics.batches.labels("refused", code, via).inc()
    return ProblemError(code, detail)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing with 413 as soon as it grows past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProblemError("body-too-large", f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProblemError("body-too-large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def submit(services: HubServices, token: bytes, via: str) -> JSONResponse:
    """Run the acceptance path off the event loop; map refusals to problems and count everything."""
    started = time.perf_counter()
    try:
        result = await run_in_threadpool(services.ingest.accept, token, via)
    except (EnvelopeError, IngestRefusal) as exc:
        services.metrics.batches.labels("refused", exc.code, via).inc()
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, IngestRefusal) and exc.retry_after else None
        code = exc.code if exc.code in PROBLEMS else "invalid-input"
        extra = exc.extra if isinstance(exc, IngestRefusal) else {}  # e.g. the retired version's sunset
        raise ProblemError(code, exc.message, headers, **extra) from None
    services.metrics.ingest_seconds.labels(via).observe(time.perf_counter() - started)
    receipt = result.receipt
    outcome = "replayed" if result.replayed else "accepted"
    services.metrics.batches.labels(outcome, "", via).inc()
    if not result.replayed:
        services.metrics.signals.labels("accepted", "").inc(receipt.accepted)
        services.metrics.signals.labels("duplicate", "").inc(receipt.duplicate)
        for rejection in receipt.rejected:
            services.metrics.signals.labels("rejected", rejection.reason).inc()
    # A deprecated schema version is still accepted; the headers tell the sender when it will not be (RFC 9745, 8594).
    headers = deprecation_headers(result.deprecated) if result.deprecated else None
    return JSONResponse(receipt.to_dict(), status_code=200 if result.replayed else 202, headers=headers)


@router.post(
    "",
    status_code=202,
    response_model=ReceiptPublic,
    responses={200: {"model": ReceiptPublic, "description": "Replay: the original receipt"}, **REFUSALS},
    openapi_extra=jose_body("batch"),
)
async def post_batch(request: Request, services: Services) -> JSONResponse:
    """Deliver one signed batch (compact JWS, `Content-Type: application/jose`).

    Returns 202 with the receipt: accepted, duplicate and rejected signals (with reasons). The same batch id with the
    same bytes returns the original receipt with 200; with other bytes it is refused with 409.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/jose":
        raise refuse(services, "unsupported-media-type", "send the compact JWS as application/jose", "http")
    try:
        body = await read_body(request, services.settings.max_body_bytes)
    except ProblemError as exc:
        raise refuse(services, exc.code, exc.message, "http") from None
    return await submit(services, body.strip(), "http")


@router.get(
    "/{batch_id}",
    response_model=ReceiptPublic,
    responses={401: problem_doc("No valid agency token"), 404: problem_doc("No such batch of the calling agency")},
)
def get_batch(batch_id: str, agency: AgencyCaller, services: Services) -> JSONResponse:
    """The receipt of one of the calling agency's own batches.

    Authenticate with a JWT of at most five minutes signed by the agency's own registered key (`iss` = agency code,
    `aud` = hub id). Another agency's batch is reported as not found.
    """
    stored = services.storage.find_batch(batch_id)
    if stored is None or stored.agency != agency:
        raise ProblemError("not-found", f"no batch {batch_id} of {agency}")
    # The stored wire form as it was sent (received_at with "+00:00"), not re-serialised through the model.
    return JSONResponse(stored.receipt)
