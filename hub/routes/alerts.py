# SPDX-License-Identifier: EUPL-1.2
"""``/v1/alerts``: what matching raised on listed patterns (role ``analist``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from hub.deps import Analist, Services
from hub.exports import (
    EXPORT_RESPONSES,
    ExportFormat,
    FiltersQuery,
    export_format,
    export_response,
    page_headers,
    table_of,
)
from hub.insight_models import AlertRow, Page
from hub.routes.patterns import READ_ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/v1/alerts", tags=["inzicht"], responses=READ_ERRORS)


@router.get("", response_model=Page[AlertRow], responses=EXPORT_RESPONSES)
def list_alerts(
    request: Request,
    response: Response,
    principal: Analist,
    services: Services,
    filters: FiltersQuery,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    fmt: ExportFormat = None,
) -> Any:
    """Alerts on the listed patterns matching the filters (the period selects the day raised), newest first; the
    explanations never name a count below the threshold. Paginated (`Link`, `X-Total-Count`)."""
    result = services.insights.alerts(filters, page, per_page)
    page_headers(request, response, result)
    wanted = export_format(request, fmt)
    if wanted:
        exported = export_response(table_of(result, "meldingen", AlertRow), wanted)
        exported.headers.update({k: response.headers[k] for k in ("Link", "X-Total-Count")})
        return exported
    return result
