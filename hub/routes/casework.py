# SPDX-License-Identifier: EUPL-1.2
"""``/v1/patterns/{id}/…``: acting on a pattern (status, owner, notes, actions), for the role ``analist``.

Every change is recorded with who and when (the case's history and the hub's audit log). The allowed status changes
are the table of :mod:`hub.casework`; a refused change is a 409 ``transition-not-allowed`` problem that lists the
statuses allowed from the current one. Notes and action texts holding personal data are refused (422).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hub.casework import (
    ACTION_MAX,
    NOTE_MAX,
    Case,
    CaseAction,
    CaseStatus,
    Casework,
    Note,
    TransitionNotAllowedError,
    casework_for,
)
from hub.deps import Analist, Services
from hub.problems import ProblemError
from hub.routes.patterns import PatternId
from hub.schemas import problem_doc

__all__ = ["ActionPublic", "CasePublic", "CaseworkService", "NotePublic", "router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A body that is not JSON"),
    401: problem_doc("No or an invalid bearer token"),
    403: problem_doc("The caller lacks the role analist"),
    404: problem_doc("Matching knows no pattern with this id"),
    422: problem_doc("A body of the wrong form, an unknown organisation, or a text holding personal data"),
}
router = APIRouter(prefix="/v1/patterns", tags=["casework"], responses=_ERRORS)


def _casework(request: Request, services: Services) -> Casework:
    return casework_for(request.app.state, services)


CaseworkService = Annotated[Casework, Depends(_casework)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusIn(_In):
    """A status change, optionally explained in a note."""

    status: CaseStatus = Field(examples=["in_onderzoek"])
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class OwnerIn(_In):
    """The organisation that owns the pattern (a code of the standard: ``GM0363``, ``UWV``, ``PV27``)."""

    organisation: str = Field(min_length=1, max_length=20, examples=["GM0363"])


class NoteIn(_In):
    """A note by an analyst (no personal data)."""

    text: str = Field(min_length=1, max_length=NOTE_MAX)


class ActionIn(_In):
    """An action taken (or planned) on a date."""

    date: dt.date
    description: str = Field(min_length=1, max_length=ACTION_MAX)


class StatusPublic(BaseModel):
    """A status with its Dutch label."""

    status: CaseStatus
    label: str


class NotePublic(BaseModel):
    """A note, by whom and when."""

    id: int
    text: str
    author: str
    at: dt.datetime


class ActionPublic(BaseModel):
    """An action, its date, and who recorded it when."""

    id: int
    date: dt.date
    description: str
    author: str
    at: dt.datetime


class ChangePublic(BaseModel):
    """One entry of the case's history."""

    at: dt.datetime
    actor: str
    event: str = Field(examples=["status_changed"])
    details: dict[str, Any]


class CasePublic(BaseModel):
    """The case of a pattern: status (with what it may change to), owner, notes, actions and history."""

    pattern_id: int
    status: CaseStatus
    label: str
    allowed_next: list[StatusPublic]
    owner: str | None
    notes: list[NotePublic]
    actions: list[ActionPublic]
    history: list[ChangePublic]


def _status(status: CaseStatus) -> StatusPublic:
    return StatusPublic(status=status, label=status.label)


def _note(note: Note) -> NotePublic:
    return NotePublic(id=note.id, text=note.text, author=note.author, at=note.at)


def _action(action: CaseAction) -> ActionPublic:
    return ActionPublic(
        id=action.id, date=action.day, description=action.description, author=action.author, at=action.at
    )


def _case(case: Case) -> CasePublic:
    return CasePublic(
        pattern_id=case.pattern_id,
        status=case.status,
        label=case.status.label,
        allowed_next=[_status(s) for s in case.allowed_next],
        owner=case.owner,
        notes=[_note(n) for n in case.notes],
        actions=[_action(a) for a in case.actions],
        history=[ChangePublic(at=c.at, actor=c.actor, event=c.event, details=c.details) for c in case.history],
    )


@router.get("/{pattern_id}/case", response_model=CasePublic)
def get_case(pattern_id: PatternId, principal: Analist, casework: CaseworkService) -> CasePublic:
    """The pattern's case: status and the statuses it may change to, owner, notes, actions and history."""
    return _case(casework.case(pattern_id))


@router.post(
    "/{pattern_id}/status",
    response_model=CasePublic,
    responses={409: problem_doc("The status table does not allow this change (the problem lists `allowed`)")},
)
def change_status(pattern_id: PatternId, body: StatusIn, principal: Analist, casework: CaseworkService) -> CasePublic:
    """Change the pattern's status (nieuw → in onderzoek → bevestigd → actie ondernomen → afgesloten, genegeerd),
    with an optional note."""
    try:
        case = casework.change_status(pattern_id, body.status, principal.name, body.note)
    except TransitionNotAllowedError as exc:
        raise ProblemError(
            exc.code, exc.message, current=exc.current.value, allowed=[s.value for s in exc.allowed]
        ) from None
    return _case(case)


@router.put("/{pattern_id}/owner", response_model=CasePublic)
def set_owner(pattern_id: PatternId, body: OwnerIn, principal: Analist, casework: CaseworkService) -> CasePublic:
    """Make an organisation the pattern's owner."""
    return _case(casework.set_owner(pattern_id, body.organisation, principal.name))


@router.post("/{pattern_id}/notes", status_code=201, response_model=NotePublic)
def add_note(pattern_id: PatternId, body: NoteIn, principal: Analist, casework: CaseworkService) -> NotePublic:
    """Add a note to the pattern (refused when it holds personal data)."""
    return _note(casework.add_note(pattern_id, body.text, principal.name))


@router.post("/{pattern_id}/actions", status_code=201, response_model=ActionPublic)
def add_action(pattern_id: PatternId, body: ActionIn, principal: Analist, casework: CaseworkService) -> ActionPublic:
    """Record an action taken (or planned) on a date (refused when its description holds personal data)."""
    return _action(casework.add_action(pattern_id, body.date, body.description, principal.name))
