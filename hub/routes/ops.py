# SPDX-License-Identifier: EUPL-1.2
"""Operating the hub: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from hub.deps import Services
from hub.metrics import CONTENT_TYPE
from hub.schemas import problem_doc

__all__ = ["router"]

router = APIRouter(tags=["beheer"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/ready", responses={503: problem_doc("The storage does not answer")})
def ready(services: Services) -> JSONResponse:
    """The hub can reach its storage and take batches."""
    if services.storage.ping():
        return JSONResponse({"status": "ready"})
    body = {
        "type": "https://standaard.hartslag.nl/problemen/storage-error",
        "title": "The hub's storage is unavailable; retry later",
        "status": 503,
        "detail": "storage does not answer",
        "code": "storage-error",
    }
    return JSONResponse(body, status_code=503, media_type="application/problem+json")


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
def metrics(services: Services) -> Response:
    """Prometheus metrics: batches and signals accepted and refused by reason, latency histograms."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
