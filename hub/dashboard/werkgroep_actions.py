# SPDX-License-Identifier: EUPL-1.2
"""The forms on a version's page: submit, withdraw, publish, deprecate, retire, and a member's signed vote.

Each form carries the session's CSRF token (:data:`hub.deps.CsrfProtected`) and answers with a redirect back to the
version's page (post/redirect/get): ``?gedaan=<form>`` when done, ``?fout=<code>`` with the registry's error code
when refused. The registry enforces the table of status changes and records every decision in the audit log with
the dashboard user as actor; the page offers only the forms the version's status allows.

A vote is a statement the member signed on their own machine (``hartslag governance sign …``): the private key never
reaches the hub. The page reads which member the statement names and hands it to
:meth:`~governance.schema_registry.SchemaRegistry.vote`, which verifies it against that member's registered key and
counts it exactly as ``hartslag governance approve|reject`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated

import jwt
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from governance.errors import HartslagError
from governance.registry_votes import VoteRefusedError
from governance.schema_registry import SchemaRegistry
from hub.dashboard.werkgroep_page import WorkingGroup, registry_of, version_or_404, version_url
from hub.deps import CsrfProtected

__all__ = ["router", "statement_member"]

router = APIRouter(include_in_schema=False)

_BASE = "/werkgroep/standaard/{subject:path}/{version}"


def statement_member(token: str) -> str:
    """The member a statement names, read without verifying it (the registry verifies it against that member's
    key); :class:`VoteRefusedError` (``vote-malformed``) when it is no readable compact JWS."""
    try:
        claims = json.loads(jwt.PyJWS().decode_complete(token, options={"verify_signature": False})["payload"])
    except (jwt.PyJWTError, ValueError):
        raise VoteRefusedError("the statement is not a readable compact JWS", code="vote-malformed") from None
    member = claims.get("member") if isinstance(claims, dict) else None
    if not isinstance(member, str) or not member:
        raise VoteRefusedError("the statement names no member", code="vote-malformed")
    return member


def _apply(
    request: Request, subject: str, version: str, done: str, change: Callable[[SchemaRegistry], object]
) -> RedirectResponse:
    """Run ``change`` on the registry; back to the version's page with what was done or the refusal's code."""
    registry = registry_of(request)
    version_or_404(registry, subject, version)  # an unknown version is the 404 page, not a refusal
    try:
        change(registry)
    except HartslagError as exc:
        return RedirectResponse(f"{version_url(subject, version)}?fout={exc.code}#melding", status_code=303)
    return RedirectResponse(f"{version_url(subject, version)}?gedaan={done}#melding", status_code=303)


@router.post(_BASE + "/indienen")
def indienen(request: Request, subject: str, version: str, user: WorkingGroup, csrf: CsrfProtected) -> RedirectResponse:
    """Submit a concept for votes (concept → voorgesteld)."""
    return _apply(request, subject, version, "indienen", lambda r: r.submit(subject, version, actor=user.name))


@router.post(_BASE + "/terugtrekken")
def terugtrekken(
    request: Request,
    subject: str,
    version: str,
    user: WorkingGroup,
    csrf: CsrfProtected,
    reden: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Withdraw a concept or a proposal (→ teruggetrokken)."""
    return _apply(
        request, subject, version, "terugtrekken",
        lambda r: r.withdraw(subject, version, actor=user.name, reason=reden.strip()),
    )  # fmt: skip


@router.post(_BASE + "/publiceren")
def publiceren(
    request: Request, subject: str, version: str, user: WorkingGroup, csrf: CsrfProtected
) -> RedirectResponse:
    """Publish an approved version (goedgekeurd → gepubliceerd): the hub accepts it from now on."""
    return _apply(request, subject, version, "publiceren", lambda r: r.publish(subject, version, actor=user.name))


@router.post(_BASE + "/uitfaseren")
def uitfaseren(
    request: Request,
    subject: str,
    version: str,
    user: WorkingGroup,
    csrf: CsrfProtected,
    datum: Annotated[str, Form(max_length=10)],
    reden: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Deprecate a published version with its sunset date (gepubliceerd → uitgefaseerd)."""
    try:
        sunset = date.fromisoformat(datum)
    except ValueError:
        return RedirectResponse(f"{version_url(subject, version)}?fout=invalid-date#melding", status_code=303)
    return _apply(
        request, subject, version, "uitfaseren",
        lambda r: r.deprecate(subject, version, sunset=sunset, actor=user.name, reason=reden.strip()),
    )  # fmt: skip


@router.post(_BASE + "/intrekken")
def intrekken(
    request: Request,
    subject: str,
    version: str,
    user: WorkingGroup,
    csrf: CsrfProtected,
    vervroegd: Annotated[str, Form(max_length=10)] = "",
    reden: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Retire a deprecated version (uitgefaseerd → ingetrokken); before its sunset only ``vervroegd`` with a reason."""
    return _apply(
        request, subject, version, "intrekken",
        lambda r: r.retire(subject, version, actor=user.name, force=bool(vervroegd), reason=reden.strip()),
    )  # fmt: skip


@router.post(_BASE + "/stemmen")
def stemmen(
    request: Request,
    subject: str,
    version: str,
    user: WorkingGroup,
    csrf: CsrfProtected,
    verklaring: Annotated[str, Form(max_length=8000)],
) -> RedirectResponse:
    """Count a member's signed statement (approve or reject); the quorum rule may move the version on."""
    token = "".join(verklaring.split())  # a statement pasted from a terminal may carry line breaks

    def vote(registry: SchemaRegistry) -> object:
        return registry.vote(subject, version, member=statement_member(token), statement=token)

    return _apply(request, subject, version, "stemmen", vote)
