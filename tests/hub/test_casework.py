# SPDX-License-Identifier: EUPL-1.2
"""Casework on patterns: the status table pair by pair, history and audit, the guard, the owner, the SQLite store."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from governance.audit import AuditLog
from hub.casework import (
    CaseStatus,
    CaseTextError,
    Casework,
    MatchingPatterns,
    PersonalDataInTextError,
    TransitionNotAllowedError,
    UnknownCaseStatusError,
    UnknownOrganisationError,
    UnknownPatternError,
    parse_status,
)
from hub.casework_sqlite import SQLiteCaseStore
from tests.hub.matching_fixtures import add_pattern, matching_state

# The table as agreed (issue 7, "Acting on a pattern"), written out by hand rather than read from the code:
# the chain one step at a time, "genegeerd" before any action, reopening to "in onderzoek" after it.
ALLOWED = {
    ("nieuw", "in_onderzoek"),
    ("nieuw", "genegeerd"),
    ("in_onderzoek", "bevestigd"),
    ("in_onderzoek", "genegeerd"),
    ("bevestigd", "actie_ondernomen"),
    ("bevestigd", "genegeerd"),
    ("bevestigd", "in_onderzoek"),
    ("actie_ondernomen", "afgesloten"),
    ("actie_ondernomen", "in_onderzoek"),
    ("afgesloten", "in_onderzoek"),
    ("genegeerd", "in_onderzoek"),
}
# How a fresh case reaches each status (through allowed steps only).
PATH = {
    "nieuw": [],
    "in_onderzoek": ["in_onderzoek"],
    "bevestigd": ["in_onderzoek", "bevestigd"],
    "actie_ondernomen": ["in_onderzoek", "bevestigd", "actie_ondernomen"],
    "afgesloten": ["in_onderzoek", "bevestigd", "actie_ondernomen", "afgesloten"],
    "genegeerd": ["genegeerd"],
}
BSN = "111222333"  # passes the eleven test


class Patterns:
    """A pattern lookup that knows a fixed set of ids."""

    def __init__(self, *ids: int) -> None:
        self.ids = set(ids)

    def exists(self, pattern_id: int) -> bool:
        return pattern_id in self.ids


class Sink:
    """An audit sink that keeps what it is told."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, dict[str, Any]]] = []

    def record(self, actor: str, action: str, subject: str, details: Mapping[str, Any] | None = None) -> None:
        self.entries.append((actor, action, subject, dict(details or {})))


class Clock:
    """A clock that moves one minute per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def casework(tmp_path: Path, sink: Sink) -> Iterator[Casework]:
    work = Casework(SQLiteCaseStore(tmp_path / "casework.db"), Patterns(1, 2, 3), audit=sink, clock=Clock())
    yield work
    work.close()


def test_statuses_have_dutch_labels() -> None:
    labels = [s.label for s in CaseStatus]
    assert labels == ["nieuw", "in onderzoek", "bevestigd", "actie ondernomen", "afgesloten", "genegeerd"]
    assert parse_status("in onderzoek") is CaseStatus.IN_ONDERZOEK
    assert parse_status("actie_ondernomen") is CaseStatus.ACTIE_ONDERNOMEN
    with pytest.raises(UnknownCaseStatusError):
        parse_status("gesloten")


@pytest.mark.parametrize(("start", "target"), list(itertools.product(PATH, PATH)))
def test_every_pair_is_allowed_or_refused_as_the_table_says(tmp_path: Path, start: str, target: str) -> None:
    work = Casework(SQLiteCaseStore(tmp_path / "casework.db"), Patterns(7), audit=Sink(), clock=Clock())
    for step in PATH[start]:
        work.change_status(7, step, "anna")
    assert work.case(7).status == start
    if (start, target) in ALLOWED:
        case = work.change_status(7, target, "anna")
        assert case.status == target
        assert case.history[-1].details == {"from": start, "to": target}
    else:
        with pytest.raises(TransitionNotAllowedError) as refused:
            work.change_status(7, target, "anna")
        error = refused.value
        assert error.code == "transition-not-allowed"
        assert {s.value for s in error.allowed} == {b for a, b in ALLOWED if a == start}
        assert work.case(7).status == start  # nothing changed
        assert len(work.case(7).history) == len(PATH[start])
    work.close()


def test_a_fresh_case_is_new_and_lists_what_may_follow(casework: Casework) -> None:
    case = casework.case(1)
    assert case.status is CaseStatus.NIEUW
    assert case.owner is None and case.notes == [] and case.actions == [] and case.history == []
    assert case.allowed_next == [CaseStatus.IN_ONDERZOEK, CaseStatus.GENEGEERD]
    assert casework.statuses([1, 2]) == {1: CaseStatus.NIEUW, 2: CaseStatus.NIEUW}


def test_every_change_is_in_the_history_and_the_audit_log(casework: Casework, sink: Sink) -> None:
    casework.change_status(1, "in_onderzoek", "anna", note="We kijken of dit landelijk speelt.")
    casework.set_owner(1, "UWV", "bert")
    note = casework.add_note(1, "Afgestemd met de ketenpartners.", "anna")
    action = casework.add_action(1, date(2026, 4, 2), "Brief aangepast.", "bert")
    case = casework.case(1)
    assert case.status is CaseStatus.IN_ONDERZOEK and case.owner == "UWV"
    assert [n.text for n in case.notes] == ["We kijken of dit landelijk speelt.", "Afgestemd met de ketenpartners."]
    assert case.notes[1] == note and case.actions == [action]
    assert action.day == date(2026, 4, 2) and action.author == "bert"
    events = [(c.event, c.actor) for c in case.history]
    assert events == [
        ("status_changed", "anna"),
        ("owner_changed", "bert"),
        ("note_added", "anna"),
        ("action_added", "bert"),
    ]
    times = [c.at for c in case.history]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    assert case.history[0].details["note_id"] == case.notes[0].id
    assert case.history[2].details == {"note_id": note.id}
    assert case.history[3].details == {"action_id": action.id, "day": "2026-04-02"}
    actions = [(actor, action, subject) for actor, action, subject, _ in sink.entries]
    assert actions == [
        ("anna", "pattern.status-changed", "pattern:1"),
        ("bert", "pattern.owner-changed", "pattern:1"),
        ("anna", "pattern.note-added", "pattern:1"),
        ("bert", "pattern.action-added", "pattern:1"),
    ]
    assert sink.entries[0][3] == {"from": "nieuw", "to": "in_onderzoek", "with_note": True}
    assert "landelijk" not in repr(sink.entries) and "Brief" not in repr(sink.entries)  # no texts in the audit log
    assert casework.statuses([1, 2]) == {1: CaseStatus.IN_ONDERZOEK, 2: CaseStatus.NIEUW}


def test_changes_reach_a_real_audit_log(tmp_path: Path) -> None:
    with AuditLog.in_folder(tmp_path) as audit:
        work = Casework(SQLiteCaseStore(tmp_path / "casework.db"), Patterns(5), audit=audit)
        work.change_status(5, "genegeerd", "carla")
        entry = audit.entries()[-1]
        assert (entry.actor, entry.action, entry.subject) == ("carla", "pattern.status-changed", "pattern:5")
        work.close()


@pytest.mark.parametrize(
    ("text", "kinds"),
    [(f"Melder met BSN {BSN} belde opnieuw.", "BSN"), ("Mail jan.jansen@example.nl terug.", "E-MAIL")],
)
def test_texts_with_personal_data_never_reach_storage(casework: Casework, sink: Sink, text: str, kinds: str) -> None:
    for attempt in (
        lambda: casework.add_note(1, text, "anna"),
        lambda: casework.add_action(1, date(2026, 4, 2), text, "anna"),
        lambda: casework.change_status(1, "in_onderzoek", "anna", note=text),
    ):
        with pytest.raises(PersonalDataInTextError) as refused:
            attempt()
        assert refused.value.code == "personal-data-in-text"
        assert kinds in refused.value.types
        assert text not in refused.value.message and BSN not in refused.value.message
    case = casework.case(1)
    assert case.status is CaseStatus.NIEUW and case.notes == [] and case.actions == [] and case.history == []
    assert sink.entries == []
    store_bytes = b"".join(p.read_bytes() for p in Path(casework.store.path).parent.glob("casework.db*"))  # type: ignore[attr-defined]
    assert BSN.encode() not in store_bytes and b"example.nl" not in store_bytes


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001, "bel\x07me"])
def test_bad_note_texts_are_refused(casework: Casework, text: str) -> None:
    with pytest.raises(CaseTextError):
        casework.add_note(1, text, "anna")
    assert casework.case(1).notes == []


def test_unknown_patterns_are_not_found(casework: Casework) -> None:
    for attempt in (
        lambda: casework.case(99),
        lambda: casework.change_status(99, "in_onderzoek", "anna"),
        lambda: casework.set_owner(99, "UWV", "anna"),
        lambda: casework.add_note(99, "Tekst.", "anna"),
        lambda: casework.add_action(99, date(2026, 4, 2), "Tekst.", "anna"),
    ):
        with pytest.raises(UnknownPatternError):
            attempt()


@pytest.mark.parametrize("code", ["GM0363", "UWV", "PV27", "BD-TOESLAGEN"])
def test_owners_are_organisations_of_the_standard(casework: Casework, code: str) -> None:
    assert casework.set_owner(2, code, "anna").owner == code


@pytest.mark.parametrize("code", ["", "gm0363", "Gemeente Amsterdam", "GM9999"])
def test_unknown_owners_are_refused(casework: Casework, code: str) -> None:
    with pytest.raises(UnknownOrganisationError):
        casework.set_owner(2, code, "anna")
    assert casework.case(2).owner is None


def test_racing_analysts_cannot_both_take_the_same_step(casework: Casework, sink: Sink) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            casework.change_status(3, "in_onderzoek", name)
            outcomes.append("ok")
        except TransitionNotAllowedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(f"analist-{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    assert len(casework.case(3).history) == 1 and len(sink.entries) == 1


def test_cases_survive_a_restart(tmp_path: Path) -> None:
    first = Casework(SQLiteCaseStore(tmp_path / "c.db"), Patterns(4), clock=Clock())
    first.change_status(4, "in_onderzoek", "anna")
    first.add_note(4, "Eerste notitie.", "anna")
    first.close()
    again = Casework(SQLiteCaseStore(tmp_path / "c.db"), Patterns(4))
    case = again.case(4)
    assert case.status is CaseStatus.IN_ONDERZOEK and [n.text for n in case.notes] == ["Eerste notitie."]
    again.close()


def test_matching_patterns_reads_the_state_without_creating_it(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "matching"
    lookup = MatchingPatterns(folder)
    assert not lookup.exists(1)
    assert not folder.exists()  # looking creates nothing
    state = matching_state(tmp_path / "data")
    add_pattern(state, 11)
    state.close()
    assert lookup.exists(11) and not lookup.exists(12)
    lookup.close()
