# SPDX-License-Identifier: EUPL-1.2
"""``/v1/search``: "signalen zoals deze", by free text or by a signal (role ``analist``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hub.deps import Analist, Services
from hub.exports import EXPORT_RESPONSES, ExportFormat, export_format, export_response, table_of
from hub.insight_models import SearchHit
from hub.routes.patterns import READ_ERRORS
from hub.schemas import problem_doc

__all__ = ["router"]

router = APIRouter(prefix="/v1/search", tags=["inzicht"], responses=READ_ERRORS)
_ERRORS: dict[int | str, dict[str, Any]] = {
    **EXPORT_RESPONSES,
    404: problem_doc("No searchable signal with this id"),
    409: problem_doc("Matching has not run on this hub yet"),
    503: problem_doc("Search needs the matching extra and its model, which this hub lacks"),
}


@router.get("", response_model=list[SearchHit], responses=_ERRORS)
def search(
    request: Request,
    principal: Analist,
    services: Services,
    q: Annotated[
        str | None, Query(min_length=1, max_length=2000, description="Free text to find signals like.")
    ] = None,
    signal: Annotated[str | None, Query(min_length=1, max_length=100, description="A signal's id.")] = None,
    k: Annotated[int, Query(ge=1, le=100, description="How many signals.")] = 20,
    fmt: ExportFormat = None,
) -> Any:
    """The signals nearest in meaning to a text (`q`) or to a signal (`signal`); give exactly one. A hit names its
    pattern only when that pattern is listed, and carries its anonymised text only when the pattern has enough
    signals from at least two organisations."""
    hits = services.insights.search(text=q, signal_id=signal, k=k)
    wanted = export_format(request, fmt)
    return export_response(table_of(hits, "zoeken", SearchHit), wanted) if wanted else hits
