# SPDX-License-Identifier: EUPL-1.2
"""``/v1/themes``: themes with their patterns (role ``analist``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from hub.deps import Analist, Services
from hub.exports import EXPORT_RESPONSES, ExportFormat, FiltersQuery, export_format, export_response, table_of
from hub.insight_models import ThemeRow
from hub.routes.patterns import READ_ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/v1/themes", tags=["inzicht"], responses=READ_ERRORS)


@router.get("", response_model=list[ThemeRow], responses=EXPORT_RESPONSES)
def list_themes(
    request: Request, principal: Analist, services: Services, filters: FiltersQuery, fmt: ExportFormat = None
) -> Any:
    """Themes of the listed patterns matching the filters: how many patterns, their signals, how many rise."""
    rows = services.insights.themes(filters)
    wanted = export_format(request, fmt)
    return export_response(table_of(rows, "themas", ThemeRow), wanted) if wanted else rows
