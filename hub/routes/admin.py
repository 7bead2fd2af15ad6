# SPDX-License-Identifier: EUPL-1.2
"""``/v1/admin``: the operator's registry of agencies and keys (admin token required)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.deps import AdminActor, Services
from hub.records import Agency
from hub.registry import Registry
from hub.schemas import AgencyIn, AgencyPublic, AgencyStatusIn, KeyPublic, KeysIn, KeyStatusIn, StatsPublic, problem_doc

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A registration the hub cannot accept (code, kind or key set)"),
    401: problem_doc("No bearer token"),
    403: problem_doc("Not the admin token, or no admin token configured"),
    404: problem_doc("No such agency or key"),
    422: problem_doc("Parameters or body of the wrong form"),
}
router = APIRouter(prefix="/v1/admin", tags=["beheer"], responses=_ERRORS)


def _public(registry: Registry, agency: Agency) -> AgencyPublic:
    keys = [
        KeyPublic(kid=k.kid, status=k.status.value, not_before=k.not_before, revoked_at=k.revoked_at)
        for k in registry.storage.keys_of(agency.code)
    ]
    return AgencyPublic(code=agency.code, name=agency.name, kind=agency.kind, status=agency.status.value, keys=keys)


@router.get("/agencies", response_model=list[AgencyPublic])
def list_agencies(actor: AdminActor, services: Services) -> list[AgencyPublic]:
    """Every registered agency with its keys' status."""
    return [_public(services.registry, a) for a in services.storage.list_agencies()]


@router.post("/agencies", status_code=201, response_model=AgencyPublic)
def add_agency(body: AgencyIn, actor: AdminActor, services: Services) -> AgencyPublic:
    """Register an agency with its first public keys (a JWK set)."""
    agency = services.registry.add_agency(body.code, body.name, body.kind, body.jwks.model_dump(), actor)
    return _public(services.registry, agency)


@router.get("/agencies/{code}", response_model=AgencyPublic)
def get_agency(code: str, actor: AdminActor, services: Services) -> AgencyPublic:
    """One agency with its keys."""
    return _public(services.registry, services.registry.agency(code))


@router.patch("/agencies/{code}", response_model=AgencyPublic)
def set_agency_status(code: str, body: AgencyStatusIn, actor: AdminActor, services: Services) -> AgencyPublic:
    """Suspend (`suspended`) or resume (`active`) an agency."""
    if body.status == "suspended":
        services.registry.suspend(code, actor)
    else:
        services.registry.resume(code, actor)
    return _public(services.registry, services.registry.agency(code))


@router.post("/agencies/{code}/keys", status_code=201, response_model=AgencyPublic)
def add_keys(code: str, body: KeysIn, actor: AdminActor, services: Services) -> AgencyPublic:
    """Add public keys; existing keys stay active so the agency can rotate without downtime."""
    services.registry.add_keys(code, body.model_dump(), actor)
    return _public(services.registry, services.registry.agency(code))


@router.patch("/agencies/{code}/keys/{kid}", response_model=AgencyPublic)
def set_key_status(code: str, kid: str, body: KeyStatusIn, actor: AdminActor, services: Services) -> AgencyPublic:
    """Retire (`retiring`) or revoke (`revoked`) a key; a revoked key is refused from this moment."""
    if body.status == "revoked":
        services.registry.revoke_key(code, kid, actor)
    else:
        services.registry.retire_key(code, kid, actor)
    return _public(services.registry, services.registry.agency(code))


@router.get("/stats", response_model=StatsPublic)
def stats(actor: AdminActor, services: Services) -> StatsPublic:
    """Counts of agencies, batches, signals and refusals by reason."""
    return StatsPublic(**services.storage.stats())
