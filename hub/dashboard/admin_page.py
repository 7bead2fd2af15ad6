# SPDX-License-Identifier: EUPL-1.2
"""Beheer: the registered organisations and the status of their signing keys (role ``beheerder``).

Read-only: changes go through ``hartslag hub agency …`` or the admin API, which record who did what in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.dashboard.access import Manager
from hub.dashboard.context import services_of
from hub.dashboard.labels import label_of
from hub.dashboard.render import render
from hub.records import Agency, AgencyKey, KeyStatus

__all__ = ["AgencyRow", "router"]

router = APIRouter(include_in_schema=False)

_KEY_STATUS = {KeyStatus.ACTIVE: "actief", KeyStatus.RETIRING: "wordt uitgefaseerd", KeyStatus.REVOKED: "ingetrokken"}


@dataclass(frozen=True)
class AgencyRow:
    """An organisation with its keys, and counts of its keys by status."""

    agency: Agency
    kind_label: str
    keys: list[AgencyKey]
    active: int
    retiring: int
    revoked: int
    pending: int


def _row(agency: Agency, keys: list[AgencyKey], now: datetime) -> AgencyRow:
    pending = sum(1 for k in keys if k.status is not KeyStatus.REVOKED and k.not_before > now)
    return AgencyRow(
        agency,
        label_of("organisation-kinds", agency.kind),
        sorted(keys, key=lambda k: k.added_at, reverse=True),
        sum(1 for k in keys if k.status is KeyStatus.ACTIVE and k.not_before <= now),
        sum(1 for k in keys if k.status is KeyStatus.RETIRING),
        sum(1 for k in keys if k.status is KeyStatus.REVOKED),
        pending,
    )


@router.get("/beheer/organisaties", response_class=HTMLResponse)
def organisaties(request: Request, user: Manager) -> HTMLResponse:
    """Organisaties: who may deliver signals, and with which keys."""
    storage = services_of(request).storage
    now = datetime.now(UTC)
    rows = [_row(a, storage.keys_of(a.code), now) for a in sorted(storage.list_agencies(), key=lambda a: a.code)]
    return render(request, "organisaties.html", rows=rows, key_status=_KEY_STATUS, now=now)
