# SPDX-License-Identifier: EUPL-1.2
"""Casework on a pattern ("verdiepen en verbeteren"): its status, owner organisation, notes and actions.

A pattern's case starts as ``nieuw`` without an owner; nothing is stored until someone changes it. The status follows
the explicit table :data:`TRANSITIONS`:

===================  =============================================  ==============================================
from                 to                                             why
===================  =============================================  ==============================================
nieuw                in onderzoek, genegeerd                        start looking, or decide it is noise
in onderzoek         bevestigd, genegeerd                           the problem is real, or it is not
bevestigd            actie ondernomen, genegeerd, in onderzoek      act; drop it; the confirmation does not hold
actie ondernomen     afgesloten, in onderzoek                       the action worked; it did not help
afgesloten           in onderzoek                                   the problem returns
genegeerd            in onderzoek                                   it turns out to matter after all
===================  =============================================  ==============================================

The rule behind it: forward one step at a time along nieuw → in onderzoek → bevestigd → actie ondernomen →
afgesloten; ``genegeerd`` from every status before an action was taken (after one, the honest ending is
``afgesloten``); back to ``in onderzoek`` from every status after it, so a case can always be reopened. Nothing
returns to ``nieuw`` (someone has looked), a status never "changes" to itself, and no step is skipped. Notes and
actions can be added in every status; an action does not change the status by itself.

Every change is stored with who (the :class:`~hub.roles.Principal`'s name) and when in the case's history, in the
same transaction as the change, and then appended to the audit log as ``pattern.status-changed``,
``pattern.owner-changed``, ``pattern.note-added`` or ``pattern.action-added`` (ids and codes only, never the texts).
Notes and action descriptions are written by analysts, not taken from signals, but they pass the hub's
personal-data guard all the same: a text holding personal data is refused before it reaches storage.

Use :class:`Casework`: in the app, ``casework_for(request.app.state, services)`` gives the one instance of that app
(closed by the app's lifespan); elsewhere ``Casework.open(data_folder, audit=...)``. The storage behind it is a
:class:`CaseStore` (:mod:`hub.casework_sqlite` in the embedded default).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from governance.audit import AuditSink
from governance.errors import InvalidInputError, NotFoundError
from governance.standard import codelist_codes

if TYPE_CHECKING:
    from hub.services import HubServices
    from matching.state import MatchingState

__all__ = [
    "TRANSITIONS",
    "Case",
    "CaseAction",
    "CaseChange",
    "CaseStatus",
    "CaseStore",
    "CaseTextError",
    "Casework",
    "MatchingPatterns",
    "Note",
    "PatternLookup",
    "PersonalDataInTextError",
    "TextGuard",
    "TransitionNotAllowedError",
    "UnknownCaseStatusError",
    "UnknownOrganisationError",
    "UnknownPatternError",
    "allowed_next",
    "casework_for",
    "close_casework",
    "parse_status",
]

NOTE_MAX = 4000
ACTION_MAX = 1000


class CaseStatus(StrEnum):
    """A pattern's status; the values are codes, :attr:`label` is the Dutch text for people."""

    NIEUW = "nieuw"
    IN_ONDERZOEK = "in_onderzoek"
    BEVESTIGD = "bevestigd"
    ACTIE_ONDERNOMEN = "actie_ondernomen"
    AFGESLOTEN = "afgesloten"
    GENEGEERD = "genegeerd"

    @property
    def label(self) -> str:
        """The Dutch label: ``"in onderzoek"``, ``"actie ondernomen"``, ..."""
        return self.value.replace("_", " ")


_S = CaseStatus
#: The allowed status changes (see the module docstring for the reasons); everything else is refused.
TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        _S.NIEUW: frozenset({_S.IN_ONDERZOEK, _S.GENEGEERD}),
        _S.IN_ONDERZOEK: frozenset({_S.BEVESTIGD, _S.GENEGEERD}),
        _S.BEVESTIGD: frozenset({_S.ACTIE_ONDERNOMEN, _S.GENEGEERD, _S.IN_ONDERZOEK}),
        _S.ACTIE_ONDERNOMEN: frozenset({_S.AFGESLOTEN, _S.IN_ONDERZOEK}),
        _S.AFGESLOTEN: frozenset({_S.IN_ONDERZOEK}),
        _S.GENEGEERD: frozenset({_S.IN_ONDERZOEK}),
    }
)
_ORDER = list(CaseStatus)


def allowed_next(status: CaseStatus) -> list[CaseStatus]:
    """The statuses a case in ``status`` may change to, in the order of the chain."""
    return sorted(TRANSITIONS[status], key=_ORDER.index)


# --- errors --------------------------------------------------------------------------------------------------------


class UnknownPatternError(NotFoundError):
    """Matching knows no pattern with this id."""

    code = "pattern-not-found"


class UnknownCaseStatusError(InvalidInputError):
    """A status that is not one of :class:`CaseStatus`."""

    code = "unknown-case-status"


class TransitionNotAllowedError(InvalidInputError):
    """The table does not allow this status change; :attr:`allowed` lists what is allowed from :attr:`current`."""

    code = "transition-not-allowed"

    def __init__(self, current: CaseStatus, requested: CaseStatus) -> None:
        self.current = current
        self.requested = requested
        self.allowed = allowed_next(current)
        names = ", ".join(s.label for s in self.allowed)
        super().__init__(f"a pattern cannot go from '{current.label}' to '{requested.label}'; allowed: {names}")


class CaseTextError(InvalidInputError):
    """A note or action text that is empty, too long or holds control characters."""

    code = "case-text-invalid"


class PersonalDataInTextError(InvalidInputError):
    """The hub's guard found personal data in a note or action text; :attr:`types` names the kinds, not values."""

    code = "personal-data-in-text"

    def __init__(self, what: str, types: Sequence[str]) -> None:
        self.types = sorted(set(types))
        super().__init__(f"the {what} holds personal data ({', '.join(self.types)}); remove it and try again")


class UnknownOrganisationError(InvalidInputError):
    """An owner that is no organisation code of the standard's code lists."""

    code = "unknown-organisation"


def parse_status(value: str | CaseStatus) -> CaseStatus:
    """The status with code ``value`` (``"in_onderzoek"``) or Dutch label (``"in onderzoek"``)."""
    try:
        return CaseStatus(str(value).strip().replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value for s in CaseStatus)
        raise UnknownCaseStatusError(f"unknown status; the statuses are {known}") from None


# --- values --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A note on a pattern, by whom and when."""

    id: int
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class CaseAction:
    """Something done (or planned) about a pattern on ``day``, recorded by ``author`` at ``at``."""

    id: int
    day: date
    description: str
    author: str
    at: datetime


@dataclass(frozen=True)
class CaseChange:
    """One entry of a case's history: ``event`` is ``status_changed``, ``owner_changed``, ``note_added`` or
    ``action_added``; ``details`` holds codes and ids (``from``, ``to``, ``owner``, ``note_id``, ``action_id``)."""

    at: datetime
    actor: str
    event: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """Everything known about acting on one pattern; history oldest first."""

    pattern_id: int
    status: CaseStatus = CaseStatus.NIEUW
    owner: str | None = None
    notes: list[Note] = field(default_factory=list)
    actions: list[CaseAction] = field(default_factory=list)
    history: list[CaseChange] = field(default_factory=list)

    @property
    def allowed_next(self) -> list[CaseStatus]:
        """The statuses this case may change to now."""
        return allowed_next(self.status)


# --- steps ---------------------------------------------------------------------------------------------------------


class CaseStore(Protocol):
    """Where cases live. Each method is one transaction that writes the change and its history entry together."""

    def case(self, pattern_id: int) -> Case:
        """The case of ``pattern_id`` (a fresh ``nieuw`` case when nothing was stored)."""
        ...

    def statuses(self, pattern_ids: Sequence[int] | None = None) -> dict[int, CaseStatus]:
        """The stored status per pattern (of these patterns); patterns without a stored case are left out."""
        ...

    def set_status(
        self, pattern_id: int, expected: CaseStatus, status: CaseStatus, change: CaseChange, note: str | None
    ) -> bool:
        """Set the status when it is still ``expected`` (with ``note`` as a note, whose id the history entry's details
        get as ``note_id``); False, and nothing written, when the status was no longer ``expected``."""
        ...

    def set_owner(self, pattern_id: int, owner: str, change: CaseChange) -> None:
        """Set the owner organisation."""
        ...

    def add_note(self, pattern_id: int, text: str, change: CaseChange) -> Note:
        """Add a note (the history entry's details get its id as ``note_id``)."""
        ...

    def add_action(self, pattern_id: int, day: date, description: str, change: CaseChange) -> CaseAction:
        """Add an action (the history entry's details get its id as ``action_id``)."""
        ...

    def close(self) -> None:
        """Release the storage."""
        ...


class PatternLookup(Protocol):
    """Whether matching knows a pattern."""

    def exists(self, pattern_id: int) -> bool:
        """True when ``pattern_id`` is a pattern (cluster) of matching's state."""
        ...


class TextGuard(Protocol):
    """The hub's personal-data guard (:class:`hub.guard.PersonalDataGuard`)."""

    def find(self, text: str) -> list[str]:
        """The kinds of personal data in ``text`` (empty when clean)."""
        ...


class MatchingPatterns:
    """:class:`PatternLookup` over matching's state in ``folder`` (``DATA/matching``); no state yet means no
    patterns, and the state is not created by looking."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._state: MatchingState | None = None
        self._lock = threading.Lock()

    def exists(self, pattern_id: int) -> bool:
        """True when the state holds a cluster with this id (whatever its status)."""
        state = self._open()
        return state is not None and state.cluster(pattern_id) is not None

    def _open(self) -> MatchingState | None:
        with self._lock:
            if self._state is None:
                from matching.state import STATE_FILENAME, MatchingState

                if not (self.folder / STATE_FILENAME).is_file():
                    return None
                self._state = MatchingState(self.folder)
            return self._state

    def close(self) -> None:
        """Release the state's database."""
        with self._lock:
            if self._state is not None:
                self._state.close()
                self._state = None


def _organisations() -> frozenset[str]:
    return frozenset(
        codelist_codes("national-agencies") | codelist_codes("municipalities") | codelist_codes("provinces")
    )


def _clean_text(text: str, what: str, limit: int, guard: TextGuard) -> str:
    """``text`` stripped, checked for length and control characters, and cleared by the guard."""
    if not isinstance(text, str) or not text.strip():
        raise CaseTextError(f"the {what} is empty")
    text = text.strip()
    if len(text) > limit:
        raise CaseTextError(f"the {what} is longer than {limit} characters")
    if any(not (c.isprintable() or c in "\n\t") for c in text):
        raise CaseTextError(f"the {what} holds control characters")
    found = guard.find(text)
    if found:
        raise PersonalDataInTextError(what, found)
    return text


class Casework:
    """Acting on patterns: read a case, change its status or owner, add notes and actions (thread-safe).

    ``actor`` is always the acting :class:`~hub.roles.Principal`'s ``name``. Unknown pattern ids raise
    :class:`UnknownPatternError` (404); refused changes raise the errors above, before anything is stored.
    """

    def __init__(
        self,
        store: CaseStore,
        patterns: PatternLookup,
        *,
        audit: AuditSink | None = None,
        guard: TextGuard | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if guard is None:
            from hub.guard import PersonalDataGuard

            guard = PersonalDataGuard()
        self.store = store
        self.patterns = patterns
        self.audit = audit
        self.guard = guard
        self.clock = clock
        self._organisations = _organisations()

    @classmethod
    def open(
        cls, data: Path, *, audit: AuditSink | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> Casework:
        """The casework of a hub data folder: ``DATA/casework.db``, patterns from ``DATA/matching``."""
        from hub.casework_sqlite import SQLiteCaseStore

        return cls(SQLiteCaseStore(data / "casework.db"), MatchingPatterns(data / "matching"), audit=audit, clock=clock)

    def close(self) -> None:
        """Release the store and matching's state."""
        self.store.close()
        closer = getattr(self.patterns, "close", None)
        if callable(closer):
            closer()

    # reading ----------------------------------------------------------------------------------------------------
    def _known(self, pattern_id: int) -> None:
        # An id beyond SQLite's 64-bit integers can name no pattern (and must not reach a query).
        if not 0 <= pattern_id < 2**63 or not self.patterns.exists(pattern_id):
            raise UnknownPatternError(f"no pattern with id {pattern_id}")

    def case(self, pattern_id: int) -> Case:
        """The case of a pattern: status, owner, notes, actions and history."""
        self._known(pattern_id)
        return self.store.case(pattern_id)

    def statuses(self, pattern_ids: Sequence[int]) -> dict[int, CaseStatus]:
        """The status of each of ``pattern_ids`` (``nieuw`` where nothing was stored), for lists and filters."""
        stored = self.store.statuses(pattern_ids)
        return {pid: stored.get(pid, CaseStatus.NIEUW) for pid in pattern_ids}

    # changing ---------------------------------------------------------------------------------------------------
    def change_status(self, pattern_id: int, status: str | CaseStatus, actor: str, note: str | None = None) -> Case:
        """Move a pattern to ``status`` (with an optional note) when :data:`TRANSITIONS` allows it from where it is."""
        wanted = parse_status(status)
        self._known(pattern_id)
        text = _clean_text(note, "note", NOTE_MAX, self.guard) if note is not None and note.strip() else None
        while True:  # compare-and-set: a concurrent change makes us judge the transition again
            current = self.store.case(pattern_id).status
            if wanted not in TRANSITIONS[current]:
                raise TransitionNotAllowedError(current, wanted)
            change = CaseChange(self.clock(), actor, "status_changed", {"from": current.value, "to": wanted.value})
            if self.store.set_status(pattern_id, current, wanted, change, text):
                break
        self._audit(actor, "pattern.status-changed", pattern_id, {**change.details, "with_note": text is not None})
        return self.store.case(pattern_id)

    def set_owner(self, pattern_id: int, organisation: str, actor: str) -> Case:
        """Make ``organisation`` (a code of the standard: ``GM0363``, ``UWV``, ``PV27``, ...) the pattern's owner."""
        code = organisation.strip() if isinstance(organisation, str) else ""
        if code not in self._organisations:
            raise UnknownOrganisationError("the owner must be an organisation code of the standard's code lists")
        self._known(pattern_id)
        change = CaseChange(self.clock(), actor, "owner_changed", {"owner": code})
        self.store.set_owner(pattern_id, code, change)
        self._audit(actor, "pattern.owner-changed", pattern_id, change.details)
        return self.store.case(pattern_id)

    def add_note(self, pattern_id: int, text: str, actor: str) -> Note:
        """Add a note (at most 4000 characters, no personal data)."""
        clean = _clean_text(text, "note", NOTE_MAX, self.guard)
        self._known(pattern_id)
        change = CaseChange(self.clock(), actor, "note_added")
        note = self.store.add_note(pattern_id, clean, change)
        self._audit(actor, "pattern.note-added", pattern_id, {"note_id": note.id})
        return note

    def add_action(self, pattern_id: int, day: date, description: str, actor: str) -> CaseAction:
        """Record an action taken (or planned) on ``day`` (at most 1000 characters, no personal data)."""
        if not isinstance(day, date) or isinstance(day, datetime):
            raise CaseTextError("an action needs a date (YYYY-MM-DD)")
        clean = _clean_text(description, "action description", ACTION_MAX, self.guard)
        self._known(pattern_id)
        change = CaseChange(self.clock(), actor, "action_added", {"day": day.isoformat()})
        action = self.store.add_action(pattern_id, day, clean, change)
        self._audit(actor, "pattern.action-added", pattern_id, {"action_id": action.id, "day": day.isoformat()})
        return action

    def _audit(self, actor: str, action: str, pattern_id: int, details: Mapping[str, Any]) -> None:
        """After the store committed: the audit log's copy (an audit failure surfaces; the change stays stored)."""
        if self.audit is not None:
            self.audit.record(actor, action, f"pattern:{pattern_id}", dict(details))


_ATTACH = threading.Lock()


def casework_for(holder: Any, services: HubServices) -> Casework:
    """The :class:`Casework` of an app, made on first use and kept on ``holder`` (the app's ``state``) as
    ``casework``; it records changes in the hub's audit log."""
    with _ATTACH:
        found: Casework | None = getattr(holder, "casework", None)
        if found is None:
            found = Casework.open(services.settings.data, audit=services.audit)
            holder.casework = found
        return found


def close_casework(holder: Any) -> None:
    """Close the casework :func:`casework_for` kept on ``holder``, if any."""
    with _ATTACH:
        found: Casework | None = getattr(holder, "casework", None)
        if found is not None:
            found.close()
            holder.casework = None
