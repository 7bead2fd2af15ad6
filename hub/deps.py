# SPDX-License-Identifier: EUPL-1.2
"""FastAPI dependencies as ``Annotated`` aliases: the services of this app, and who is asking."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from hub.agency_auth import AgencyAuthError, authenticate_agency
from hub.auth import authenticate
from hub.problems import ProblemError
from hub.roles import Principal, Role
from hub.services import HubServices

__all__ = ["AdminActor", "AgencyCaller", "Analist", "Beheerder", "Services", "Werkgroep", "require"]


def _services(request: Request) -> HubServices:
    services: HubServices = request.app.state.services
    return services


Services = Annotated[HubServices, Depends(_services)]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ProblemError("unauthorized", "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    return token.strip()


def _admin(request: Request, services: Services) -> str:
    token = _bearer(request)
    expected = services.settings.admin_token
    if expected is None or not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
        raise ProblemError("forbidden", "the admin API needs the hub's admin token")
    return "admin-api"


AdminActor = Annotated[str, Depends(_admin)]


def _agency(request: Request, services: Services) -> str:
    token = _bearer(request)
    try:
        return authenticate_agency(token, services.ingest.key_lookup, services.settings.hub_id, datetime.now(UTC))
    except AgencyAuthError as exc:
        raise ProblemError("unauthorized", exc.message, {"WWW-Authenticate": "Bearer"}) from None


AgencyCaller = Annotated[str, Depends(_agency)]


def require(*roles: Role) -> Callable[[Request, HubServices], Principal]:
    """A dependency that authenticates the caller and lets through those holding at least one of ``roles``."""
    names = " or ".join(r.value for r in roles)

    def dependency(request: Request, services: Services) -> Principal:
        principal = authenticate(request, services)
        if not any(principal.has(role) for role in roles):
            raise ProblemError("forbidden", f"this needs the role {names}")
        request.state.principal = principal
        return principal

    return dependency


Analist = Annotated[Principal, Depends(require(Role.ANALIST))]
Beheerder = Annotated[Principal, Depends(require(Role.BEHEERDER))]
Werkgroep = Annotated[Principal, Depends(require(Role.WERKGROEP))]
