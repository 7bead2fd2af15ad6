# SPDX-License-Identifier: EUPL-1.2
"""FastAPI dependencies as ``Annotated`` aliases: the services of this app, and who is asking."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Protocol, cast

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from hub.agency_auth import AgencyAuthError, authenticate_agency
from hub.auth import authenticate
from hub.problems import ProblemError
from hub.roles import Principal, Role
from hub.services import HubServices
from hub.sessions import csrf_matches, session_of

__all__ = [
    "AdminActor",
    "AgencyCaller",
    "Analist",
    "Beheerder",
    "CsrfProtected",
    "RoleGuard",
    "Services",
    "Werkgroep",
    "require",
]


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


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _csrf(request: Request, services: Services) -> None:
    """Refuse (403 ``csrf-invalid``) a state-changing request that the dashboard's session cookie authenticates
    unless it carries the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).

    A bearer-token request needs none: a browser never adds an Authorization header on its own, so another site
    cannot make one. Without a live session the request is left to authentication (401) or to the route.
    """
    if request.method in _SAFE_METHODS or "authorization" in request.headers:
        return
    session = await run_in_threadpool(session_of, request, services)
    if session is None:
        return
    submitted: object = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if submitted is None and content_type in _FORM_TYPES:
        submitted = (await request.form()).get("csrf_token")  # Starlette keeps the parsed form for the route
    if not csrf_matches(session, submitted):
        raise ProblemError("csrf-invalid", "this form needs the session's CSRF token (field csrf_token)")


CsrfProtected = Annotated[None, Depends(_csrf)]


class RoleGuard(Protocol):
    """The dependency :func:`require` returns; ``roles`` says who gets through (read by tests and docs)."""

    roles: frozenset[Role]

    def __call__(self, request: Request, services: HubServices, _csrf: None) -> Principal: ...


def require(*roles: Role) -> RoleGuard:
    """A dependency that authenticates the caller and lets through those holding at least one of ``roles``; a
    state-changing request on a dashboard session must also carry its CSRF token (:data:`CsrfProtected`)."""
    names = " or ".join(r.value for r in roles)

    def dependency(request: Request, services: Services, _csrf: CsrfProtected) -> Principal:
        principal = authenticate(request, services)
        if not any(principal.has(role) for role in roles):
            raise ProblemError("forbidden", f"this needs the role {names}")
        request.state.principal = principal
        return principal

    guard = cast(RoleGuard, dependency)
    guard.roles = frozenset(roles)
    return guard


Analist = Annotated[Principal, Depends(require(Role.ANALIST))]
Beheerder = Annotated[Principal, Depends(require(Role.BEHEERDER))]
Werkgroep = Annotated[Principal, Depends(require(Role.WERKGROEP))]
