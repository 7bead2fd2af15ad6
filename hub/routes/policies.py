# SPDX-License-Identifier: EUPL-1.2
"""``/v1/policies``: declared policies and their measured effects (role ``analist``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from hub.deps import Analist, Services
from hub.exports import EXPORT_RESPONSES, ExportFormat, export_format, export_response, table_of
from hub.insight_models import PolicyDetail, PolicyRow
from hub.routes.patterns import READ_ERRORS
from hub.schemas import problem_doc

__all__ = ["router"]

router = APIRouter(prefix="/v1/policies", tags=["inzicht"], responses=READ_ERRORS)


@router.get("", response_model=list[PolicyRow], responses=EXPORT_RESPONSES)
def list_policies(request: Request, principal: Analist, services: Services, fmt: ExportFormat = None) -> Any:
    """The declared policies, newest first, with how many effects were measured."""
    rows = services.insights.policies()
    wanted = export_format(request, fmt)
    return export_response(table_of(rows, "beleid", PolicyRow), wanted) if wanted else rows


@router.get(
    "/{name}",
    response_model=PolicyDetail,
    responses={**EXPORT_RESPONSES, 404: problem_doc("No declared policy with this name")},
)
def get_policy(request: Request, name: str, principal: Analist, services: Services, fmt: ExportFormat = None) -> Any:
    """A policy's measured effects per pattern (largest change first) with the volume in the weeks before and
    after, and weekly series of the patterns that changed most. The export holds the effects."""
    detail = services.insights.policy(name)
    wanted = export_format(request, fmt)
    return export_response(table_of(detail, "beleid-effecten"), wanted) if wanted else detail
