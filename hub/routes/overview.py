# SPDX-License-Identifier: EUPL-1.2
"""``/v1/overview``: the national heartbeat (role ``analist``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from hub.deps import Analist, Services
from hub.exports import EXPORT_RESPONSES, ExportFormat, FiltersQuery, export_format, export_response, table_of
from hub.insight_models import Overview
from hub.routes.patterns import READ_ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/v1/overview", tags=["inzicht"], responses=READ_ERRORS)


@router.get("", response_model=Overview, responses=EXPORT_RESPONSES)
def get_overview(
    request: Request, principal: Analist, services: Services, filters: FiltersQuery, fmt: ExportFormat = None
) -> Any:
    """Signals per day from every organisation (default: the last twelve weeks with signals), per organisation
    kind, the rising patterns and the open alerts. The export holds the signals per day."""
    overview = services.insights.overview(filters)
    wanted = export_format(request, fmt)
    return export_response(table_of(overview, "overzicht"), wanted) if wanted else overview
