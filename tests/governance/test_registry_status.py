# SPDX-License-Identifier: EUPL-1.2
"""The status table: every pair of statuses is allowed or refused exactly as the table says."""

from __future__ import annotations

import itertools

import pytest

from governance.registry_status import (
    ACCEPTED,
    FINAL,
    TRANSITIONS,
    RefusedError,
    Status,
    TransitionRefusedError,
    allowed_next,
    check_transition,
)

# The agreed workflow, written out independently of the table in the module.
EXPECTED = {
    ("concept", "voorgesteld"),
    ("concept", "teruggetrokken"),
    ("voorgesteld", "goedgekeurd"),
    ("voorgesteld", "afgewezen"),
    ("voorgesteld", "teruggetrokken"),
    ("goedgekeurd", "gepubliceerd"),
    ("gepubliceerd", "uitgefaseerd"),
    ("uitgefaseerd", "ingetrokken"),
}
PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair_is_allowed_or_refused_per_the_table(current: Status, target: Status) -> None:
    if (current.value, target.value) in EXPECTED:
        check_transition("signal 1.1.0", current, target)
        return
    with pytest.raises(TransitionRefusedError) as refused:
        check_transition("signal 1.1.0", current, target)
    error = refused.value
    assert isinstance(error, RefusedError)
    assert error.code == "status-transition-refused"
    assert (error.current, error.target) == (current, target)
    assert set(error.allowed) == {Status(b) for a, b in EXPECTED if a == current.value}
    for allowed in error.allowed:  # the message names what would have been possible
        assert allowed.value in error.message
    if not error.allowed:
        assert "final" in error.message


def test_the_table_covers_every_status_and_names_the_final_ones() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED
    assert {s.value for s in FINAL} == {"ingetrokken", "afgewezen", "teruggetrokken"}
    assert {s.value for s in ACCEPTED} == {"gepubliceerd", "uitgefaseerd"}


def test_allowed_next_follows_the_main_line_order() -> None:
    assert allowed_next(Status.VOORGESTELD) == (Status.GOEDGEKEURD, Status.AFGEWEZEN, Status.TERUGGETROKKEN)
    assert allowed_next(Status.INGETROKKEN) == ()
