# SPDX-License-Identifier: EUPL-1.2
"""``/v1/withdrawals``: an agency withdraws signals it published, with a withdrawal signed by its own key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from connectors.envelope import EnvelopeError
from hub.deps import Services
from hub.problems import PROBLEMS, ProblemError
from hub.routes.batches import read_body
from hub.schemas import jose_body, problem_doc
from hub.withdrawal import MAX_TOKEN_BYTES, WithdrawalRefusal, withdrawals_for

__all__ = ["WithdrawalReceipt", "router"]

router = APIRouter(prefix="/v1/withdrawals", tags=["batches"])


class WithdrawalReceipt(BaseModel):
    """What a withdrawal did: ids withdrawn now, withdrawn before, and unknown (never sent by this agency)."""

    withdrawal_id: str
    agency: str
    received_at: str
    withdrawn: list[str]
    already_withdrawn: list[str]
    unknown: list[str]
    reason: str | None = None


_REFUSALS: dict[int | str, dict[str, Any]] = {
    code: problem_doc(title)
    for code, title in {
        400: "Malformed JWS, algorithm not allowed, lifetime too long",
        401: "Unknown, revoked or not yet valid key; bad signature; expired",
        403: "Key of another agency; wrong audience",
        409: "Same withdrawal id with other content",
        413: "Body too large",
        415: "Not application/jose",
        422: "Claims invalid: signal_ids (1..1000 distinct UUIDs), jti, reason code, unknown claims",
    }.items()
}


@router.post(
    "",
    status_code=202,
    response_model=WithdrawalReceipt,
    responses={200: {"model": WithdrawalReceipt, "description": "Replay: the original receipt"}, **_REFUSALS},
    openapi_extra=jose_body("withdrawal"),
)
async def post_withdrawal(request: Request, services: Services) -> JSONResponse:
    """Withdraw signals the signing agency published (compact JWS, `typ` `hartslag-withdrawal+jwt`,
    `Content-Type: application/jose`; claims `iss`, `aud`, `iat`, `exp` ≤ 15 minutes later, `jti`, `signal_ids`,
    optional `reason` code).

    Returns 202 with the receipt. The hub removes each withdrawn signal from its storage (a tombstone stays), from
    matching (patterns, counts, search index, embedding cache) and records the withdrawal in the audit log. Ids of
    other agencies' signals are reported as unknown. The same bytes again return the receipt with 200; the same
    `jti` with other bytes is refused with 409.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/jose":
        raise ProblemError("unsupported-media-type", "send the compact JWS as application/jose")
    body = await read_body(request, min(services.settings.max_body_bytes, MAX_TOKEN_BYTES))
    withdrawals = withdrawals_for(services, request.app.state)
    try:
        result = await run_in_threadpool(withdrawals.accept, body.strip(), "http")
    except (EnvelopeError, WithdrawalRefusal) as exc:
        services.storage.count_refusal(f"withdrawal:{exc.code}", None)
        code = exc.code if exc.code in PROBLEMS else "invalid-input"
        raise ProblemError(code, exc.message) from None
    return JSONResponse(result.receipt, status_code=200 if result.replayed else 202)
