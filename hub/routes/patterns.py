# SPDX-License-Identifier: EUPL-1.2
"""``/v1/patterns``: the patterns matching found, as privacy-safe aggregates (role ``analist``).

Only patterns with at least the disclosure threshold of signals exist here; a smaller one is "not found" like an
unknown one. Every count is a published cell of the pattern's one release (``value``, or ``suppressed`` with
``display`` ``"< 10"`` or ``"×"``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

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
from hub.insight_models import Page, PatternDetail, PatternSummary, Series
from hub.schemas import problem_doc

__all__ = ["READ_ERRORS", "router"]

#: Problems every read route can answer with.
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem_doc("No bearer token or session"),
    403: problem_doc("The caller lacks the role analist"),
    422: problem_doc("A filter or parameter with an unknown value (the problem's `parameter` names it)"),
}
router = APIRouter(prefix="/v1/patterns", tags=["inzicht"], responses=READ_ERRORS)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **EXPORT_RESPONSES,
    404: problem_doc("No listed pattern with this id (unknown, merged, or below the threshold)"),
}
#: SQLite integers are 64-bit: a larger id cannot name a pattern, and is refused as a bad parameter (422).
PatternId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The pattern's id.")]


@router.get("", response_model=Page[PatternSummary], responses=EXPORT_RESPONSES)
def list_patterns(
    request: Request,
    response: Response,
    principal: Analist,
    services: Services,
    filters: FiltersQuery,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    sort: Annotated[Literal["alerts", "signals", "recent", "label"], Query()] = "alerts",
    fmt: ExportFormat = None,
) -> Any:
    """The patterns with at least the threshold of signals that match the filters; `signals` is each pattern's
    count under the filters. Paginated (`Link`, `X-Total-Count`); an export holds the page asked for."""
    result = services.insights.patterns(filters, page, per_page, sort)
    page_headers(request, response, result)
    wanted = export_format(request, fmt)
    if wanted:
        exported = export_response(table_of(result, "patronen", PatternSummary), wanted)
        exported.headers.update({k: response.headers[k] for k in ("Link", "X-Total-Count")})
        return exported
    return result


@router.get("/{pattern_id}", response_model=PatternDetail, responses=_NOT_FOUND)
def get_pattern(
    request: Request, pattern_id: PatternId, principal: Analist, services: Services, fmt: ExportFormat = None
) -> Any:
    """One pattern: counts per organisation, organisation kind and province, alerts with their explanations,
    similar patterns and representative texts (only for patterns with enough signals from two organisations)."""
    detail = services.insights.pattern(pattern_id)
    wanted = export_format(request, fmt)
    return export_response(table_of(detail, f"patroon-{pattern_id}"), wanted) if wanted else detail


@router.get("/{pattern_id}/series", response_model=Series, responses=_NOT_FOUND)
def get_series(
    request: Request,
    pattern_id: PatternId,
    principal: Analist,
    services: Services,
    filters: FiltersQuery,
    split: Annotated[Literal["totaal", "organisation_kind", "organisation", "province"], Query()] = "totaal",
    fmt: ExportFormat = None,
) -> Any:
    """The pattern's signals per ISO week, in one line or split by organisation kind, organisation or province."""
    series = services.insights.pattern_series(pattern_id, split, filters)
    wanted = export_format(request, fmt)
    return export_response(table_of(series, f"patroon-{pattern_id}-{split}"), wanted) if wanted else series
