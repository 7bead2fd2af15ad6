# SPDX-License-Identifier: EUPL-1.2
"""The life of a schema version in the registry: its statuses and the one table of allowed changes between them.

The main line is concept → voorgesteld → goedgekeurd → gepubliceerd → uitgefaseerd → ingetrokken:

===============  ==============================================  ============================================
status           next statuses                                   how
===============  ==============================================  ============================================
concept          voorgesteld, teruggetrokken                     submitted for review; dropped by its author
voorgesteld      goedgekeurd, afgewezen, teruggetrokken          quorum of approvals; quorum out of reach;
                                                                 withdrawn by its author
goedgekeurd      gepubliceerd                                    published (the hub accepts it)
gepubliceerd     uitgefaseerd                                    deprecated, always with a sunset date
uitgefaseerd     ingetrokken                                     retired (on or after the sunset date)
ingetrokken      (final)
afgewezen        (final)
teruggetrokken   (final)
===============  ==============================================  ============================================

``teruggetrokken`` (withdrawn) is kept apart from ``ingetrokken`` (retired): a withdrawn proposal never reached a
connector, a retired version did, and the hub refuses its signals naming the sunset date. A version number once
used stays used, whatever its end, so a number never means two different schemas.
"""

from __future__ import annotations

from enum import StrEnum

from governance.errors import InvalidInputError

__all__ = [
    "ACCEPTED",
    "FINAL",
    "TRANSITIONS",
    "RefusedError",
    "Status",
    "TransitionRefusedError",
    "allowed_next",
    "check_transition",
]


class Status(StrEnum):
    """The status of a schema version; the values are the Dutch words the working group uses."""

    CONCEPT = "concept"
    VOORGESTELD = "voorgesteld"
    GOEDGEKEURD = "goedgekeurd"
    GEPUBLICEERD = "gepubliceerd"
    UITGEFASEERD = "uitgefaseerd"
    INGETROKKEN = "ingetrokken"
    AFGEWEZEN = "afgewezen"
    TERUGGETROKKEN = "teruggetrokken"


#: Every allowed status change; anything not listed here is refused.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.CONCEPT: frozenset({Status.VOORGESTELD, Status.TERUGGETROKKEN}),
    Status.VOORGESTELD: frozenset({Status.GOEDGEKEURD, Status.AFGEWEZEN, Status.TERUGGETROKKEN}),
    Status.GOEDGEKEURD: frozenset({Status.GEPUBLICEERD}),
    Status.GEPUBLICEERD: frozenset({Status.UITGEFASEERD}),
    Status.UITGEFASEERD: frozenset({Status.INGETROKKEN}),
    Status.INGETROKKEN: frozenset(),
    Status.AFGEWEZEN: frozenset(),
    Status.TERUGGETROKKEN: frozenset(),
}

#: Statuses from which nothing moves on.
FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
#: Statuses whose documents the hub accepts (an uitgefaseerd version is accepted until it is retired).
ACCEPTED = frozenset({Status.GEPUBLICEERD, Status.UITGEFASEERD})


class RefusedError(InvalidInputError):
    """A well-formed request that a rule of the registry refuses (a status change, a vote, a version number, ...):
    the CLI exits 1 for these, and 2 for input it cannot read at all."""

    code = "registry-refused"


class TransitionRefusedError(RefusedError):
    """A status change the table does not allow. ``allowed`` lists the statuses the version may move to instead;
    the message names them, so the refusal says what would have been possible."""

    code = "status-transition-refused"

    def __init__(self, what: str, current: Status, target: Status) -> None:
        self.current = current
        self.target = target
        self.allowed = allowed_next(current)
        options = ", ".join(self.allowed) if self.allowed else f"none ({current.value} is final)"
        super().__init__(f"{what} is {current.value}; it cannot become {target.value} (allowed next: {options})")


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The statuses ``current`` may move to, in the order of the main line."""
    order = list(Status)
    return tuple(sorted(TRANSITIONS[current], key=order.index))


def check_transition(what: str, current: Status, target: Status) -> None:
    """Raise :class:`TransitionRefusedError` unless the table allows ``current`` → ``target``.

    ``what`` names the version in the message (e.g. ``signal 1.1.0``).
    """
    if target not in TRANSITIONS[current]:
        raise TransitionRefusedError(what, current, target)
