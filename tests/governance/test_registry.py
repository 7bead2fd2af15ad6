# SPDX-License-Identifier: EUPL-1.2
"""The schema registry's workflow over real SQLite and a real audit log: proposals, votes, publication, sunset."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from governance.audit import AuditLog
from governance.audit_verify import verify_log
from governance.errors import InvalidInputError
from governance.registry_model import ChangeKind, Decision, SchemaVersion, schema_sha256
from governance.registry_status import RefusedError, Status, TransitionRefusedError
from governance.registry_votes import VoteRefusedError
from governance.schema_registry import SchemaRegistry
from tests.governance.registry_support import (
    Clock,
    Group,
    longer_texts,
    open_registry,
    signal_schema,
    stricter_texts,
)
from tests.governance.versions_support import MIGRATION_2, ONE_WAY_2, RELABEL_2, signal_v1_1, signal_v2

Change = Callable[[dict[str, Any]], None]
RATIONALE = "Langere teksten voor klachten via de KTO"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> SchemaRegistry:
    return open_registry(tmp_path / "data", clock)


@pytest.fixture
def group(registry: SchemaRegistry) -> Group:
    """Three members: a municipality, a national agency and a province (minor: 2 of 3, major: 3 of 3)."""
    made = Group()
    made.add(registry, "anna", "municipality", "GM0363")
    made.add(registry, "bert", "national_agency", "UWV")
    made.add(registry, "cees", "province", "PV27")
    return made


def propose(
    registry: SchemaRegistry, version: str, change: Change | None = None, *, concept: bool = False,
    migration: dict[str, Any] | None = None,
) -> SchemaVersion:  # fmt: skip
    document = signal_schema(version, change or longer_texts(5000))
    return registry.propose(
        "signal", version, document, rationale=RATIONALE, actor="anna", concept=concept, migration=migration
    )


def approve_and_publish(registry: SchemaRegistry, group: Group, version: str) -> None:
    for name in ("anna", "bert"):
        group.vote(registry, name, "signal", version)
    registry.publish("signal", version, actor="voorzitter")


def test_seeded_from_the_standard_as_published(registry: SchemaRegistry) -> None:
    from governance.standard import list_schemas

    subjects = registry.subjects()
    assert {"signal", "batch", "codelist/themes", "codelist/channels"} <= set(subjects)
    assert len(subjects) == len(list_schemas())
    assert registry.status_of("signal", "1.0.0") is Status.GEPUBLICEERD
    assert registry.accepted_versions("codelist/themes") == ["1.0.0"]
    assert registry.seed() == 0  # only on first use


def test_a_proposal_carries_its_report_against_every_published_version(registry: SchemaRegistry, group: Group) -> None:
    first = propose(registry, "1.1.0")
    assert first.status is Status.VOORGESTELD and first.change is ChangeKind.MINOR
    approve_and_publish(registry, group, "1.1.0")
    second = registry.propose(
        "signal", "1.2.0", signal_schema("1.2.0", longer_texts(6000)), rationale=RATIONALE, actor="anna"
    )
    assert [report["old_versions"] for report in second.compat] == [["1.0.0"], ["1.1.0"]]
    assert all(report["level"] == "BACKWARD" and report["compatible"] for report in second.compat)
    raised = [c for r in second.compat for c in r["changes"] if c["type"] == "MAX_LENGTH_INCREASED"]
    assert [(c["old_version"], c["pointer"]) for c in raised] == [
        ("1.0.0", "/properties/text/maxLength"),
        ("1.1.0", "/properties/text/maxLength"),
    ]


def test_an_incompatible_change_is_major_and_needs_a_major_number(registry: SchemaRegistry) -> None:
    with pytest.raises(RefusedError) as refused:
        propose(registry, "1.1.0", stricter_texts)
    assert refused.value.code == "major-version-required" and "2.0.0" in refused.value.message
    major = propose(registry, "2.0.0", stricter_texts, migration=RELABEL_2)
    assert major.change is ChangeKind.MAJOR and not major.compatible
    breaking = [c for c in major.compat[0]["changes"] if c["breaking"]]
    assert [c["type"] for c in breaking] == ["MAX_LENGTH_DECREASED"]


@pytest.mark.parametrize(
    ("version", "document_version", "code"),
    [
        ("1.0.0", "1.0.0", "version-exists"),
        ("1.1.0", "1.2.0", "schema-version-mismatch"),
        ("1.1", "1.1", "version-invalid"),
    ],
)
def test_proposals_with_a_wrong_number_are_refused(
    registry: SchemaRegistry, version: str, document_version: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        registry.propose("signal", version, signal_schema(document_version), rationale=RATIONALE, actor="anna")
    assert refused.value.code == code


def test_quorum_approves_a_minor_change_and_publication_follows(registry: SchemaRegistry, group: Group) -> None:
    propose(registry, "1.1.0")
    first = group.vote(registry, "anna", "signal", "1.1.0")
    assert first.version.status is Status.VOORGESTELD and first.quorum.missing_kinds == ("national_agency",)
    with pytest.raises(TransitionRefusedError) as early:
        registry.publish("signal", "1.1.0", actor="voorzitter")
    assert early.value.allowed == (Status.GOEDGEKEURD, Status.AFGEWEZEN, Status.TERUGGETROKKEN)
    second = group.vote(registry, "bert", "signal", "1.1.0")
    assert second.version.status is Status.GOEDGEKEURD and second.quorum.reached
    registry.publish("signal", "1.1.0", actor="voorzitter")
    assert registry.accepted_versions("signal") == ["1.0.0", "1.1.0"]


def test_a_rejection_sinks_a_major_change(registry: SchemaRegistry, group: Group) -> None:
    propose(registry, "2.0.0", stricter_texts, migration=RELABEL_2)
    group.vote(registry, "anna", "signal", "2.0.0")
    rejected = group.vote(registry, "cees", "signal", "2.0.0", Decision.REJECT)
    assert rejected.version.status is Status.AFGEWEZEN and rejected.quorum.impossible
    assert [vote.reason for vote, _ in rejected.votes] == ["", "te streng"]
    with pytest.raises(VoteRefusedError) as closed:
        group.vote(registry, "bert", "signal", "2.0.0")
    assert closed.value.code == "voting-closed"


def test_votes_that_do_not_verify_are_refused(registry: SchemaRegistry, group: Group) -> None:
    propose(registry, "1.1.0")
    propose(registry, "1.2.0", longer_texts(6000))
    cases = {
        "vote-wrong-key": group.statement(registry, "anna", "signal", "1.1.0", key_of="bert"),
        "vote-signature": _tampered(group.statement(registry, "anna", "signal", "1.1.0")),
        "vote-mismatch": group.statement(registry, "anna", "signal", "1.2.0"),  # replayed for another version
        "vote-stale-schema": group.statement(registry, "anna", "signal", "1.1.0", sha256="0" * 64),
    }
    for code, statement in cases.items():
        with pytest.raises(VoteRefusedError) as refused:
            registry.vote("signal", "1.1.0", member="anna", statement=statement)
        assert refused.value.code == code, code
    # bert's own, valid statement presented as anna's vote: anna's key does not verify it
    with pytest.raises(VoteRefusedError) as other:
        registry.vote("signal", "1.1.0", member="anna", statement=group.statement(registry, "bert", "signal", "1.1.0"))
    assert other.value.code == "vote-wrong-key"
    assert registry.review("signal", "1.1.0").votes == ()


def test_a_member_votes_once_and_votes_on_a_changed_schema_are_void(registry: SchemaRegistry, group: Group) -> None:
    propose(registry, "1.1.0")
    old_statement = group.statement(registry, "bert", "signal", "1.1.0")
    group.vote(registry, "anna", "signal", "1.1.0")
    with pytest.raises(VoteRefusedError) as twice:
        group.vote(registry, "anna", "signal", "1.1.0")
    assert twice.value.code == "already-voted"
    registry.amend("signal", "1.1.0", signal_schema("1.1.0", longer_texts(4500)), actor="anna")
    standing = registry.review("signal", "1.1.0")
    assert [(vote.member, valid) for vote, valid in standing.votes] == [("anna", False)]
    assert standing.quorum.approvals == 0
    with pytest.raises(VoteRefusedError) as stale:
        registry.vote("signal", "1.1.0", member="bert", statement=old_statement)
    assert stale.value.code == "vote-stale-schema"
    group.vote(registry, "anna", "signal", "1.1.0")  # anna may vote again on the new text
    assert group.vote(registry, "bert", "signal", "1.1.0").version.status is Status.GOEDGEKEURD


def test_an_expired_statement_is_refused(registry: SchemaRegistry, group: Group, clock: Clock) -> None:
    propose(registry, "1.1.0")
    statement = group.statement(registry, "anna", "signal", "1.1.0")
    clock.now += timedelta(days=30)
    with pytest.raises(VoteRefusedError) as refused:
        registry.vote("signal", "1.1.0", member="anna", statement=statement)
    assert refused.value.code == "vote-expired"


def test_members_keys_are_unique(registry: SchemaRegistry, group: Group) -> None:
    from governance.hub_key import public_jwk

    jwk = public_jwk(group.keys["anna"].public_key())
    with pytest.raises(RefusedError) as reused:
        registry.add_member("dirk", organisation="DUO", kind="national_agency", jwk=jwk, actor="beheer")
    assert reused.value.code == "member-key-in-use"
    with pytest.raises(InvalidInputError) as kind:
        registry.add_member("dirk", organisation="DUO", kind="ministry", jwk=jwk, actor="beheer")
    assert kind.value.code == "member-invalid"


def test_deprecation_needs_a_future_sunset_and_a_successor(
    registry: SchemaRegistry, group: Group, clock: Clock
) -> None:
    today = clock.now.date()
    with pytest.raises(RefusedError) as last:
        registry.deprecate("signal", "1.0.0", sunset=today + timedelta(days=90), actor="voorzitter")
    assert last.value.code == "last-published-version"
    propose(registry, "1.1.0")
    approve_and_publish(registry, group, "1.1.0")
    with pytest.raises(RefusedError) as past:
        registry.deprecate("signal", "1.0.0", sunset=today - timedelta(days=1), actor="voorzitter")
    assert past.value.code == "sunset-in-past"
    sunset = today + timedelta(days=90)
    registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter")
    assert registry.sunset_of("signal", "1.0.0") == sunset
    assert registry.accepted_versions("signal") == ["1.0.0", "1.1.0"]  # still accepted until retired
    with pytest.raises(RefusedError) as early:
        registry.retire("signal", "1.0.0", actor="voorzitter")
    assert early.value.code == "sunset-not-reached" and sunset.isoformat() in early.value.message
    with pytest.raises(InvalidInputError) as no_reason:
        registry.retire("signal", "1.0.0", actor="voorzitter", force=True)
    assert no_reason.value.code == "reason-required"
    clock.now += timedelta(days=90)
    assert registry.retire("signal", "1.0.0", actor="voorzitter").status is Status.INGETROKKEN
    assert registry.accepted_versions("signal") == ["1.1.0"]


def test_forced_retirement_before_the_sunset(registry: SchemaRegistry, group: Group, clock: Clock) -> None:
    propose(registry, "1.1.0")
    approve_and_publish(registry, group, "1.1.0")
    registry.deprecate("signal", "1.0.0", sunset=date(2027, 6, 1), actor="voorzitter")
    retired = registry.retire("signal", "1.0.0", actor="voorzitter", force=True, reason="lek in de validatie")
    assert retired.status is Status.INGETROKKEN and retired.sunset == date(2027, 6, 1)
    history = [(step.before, step.after) for step in registry.review("signal", "1.0.0").history]
    assert history[-2:] == [(Status.GEPUBLICEERD, Status.UITGEFASEERD), (Status.UITGEFASEERD, Status.INGETROKKEN)]


def test_withdrawal_and_concepts(registry: SchemaRegistry, group: Group) -> None:
    draft = propose(registry, "1.1.0", concept=True)
    assert draft.status is Status.CONCEPT
    with pytest.raises(VoteRefusedError):
        group.vote(registry, "anna", "signal", "1.1.0")
    registry.submit("signal", "1.1.0", actor="anna")
    assert registry.withdraw("signal", "1.1.0", actor="anna").status is Status.TERUGGETROKKEN
    with pytest.raises(TransitionRefusedError) as final:
        registry.submit("signal", "1.1.0", actor="anna")
    assert final.value.allowed == ()


def test_every_decision_is_in_the_audit_log(tmp_path: Path, registry: SchemaRegistry, group: Group) -> None:
    propose(registry, "1.1.0")
    approve_and_publish(registry, group, "1.1.0")
    registry.close()
    with AuditLog.in_folder(tmp_path / "data") as log:
        entries = log.entries()
        assert verify_log(log).intact
    actions = [(entry.actor, entry.action, entry.subject) for entry in entries]
    assert actions[0] == ("hartslag", "registry.seeded", "registry")
    assert actions[4:] == [
        ("anna", "schema-version.drafted", "signal@1.1.0"),
        ("anna", "schema-version.proposed", "signal@1.1.0"),
        ("anna", "schema-version.approve-vote", "signal@1.1.0"),
        ("bert", "schema-version.approve-vote", "signal@1.1.0"),
        ("bert", "schema-version.approved", "signal@1.1.0"),
        ("voorzitter", "schema-version.published", "signal@1.1.0"),
    ]
    published = entries[-1].details
    assert published["from"] == "goedgekeurd" and published["to"] == "gepubliceerd"
    assert len(published["sha256"]) == 64
    vote = entries[-4].details
    assert vote["decision"] == "approve" and vote["kid"] and vote["member"] == "anna"
    text = json.dumps([entry.as_dict() for entry in entries])
    assert RATIONALE not in text and "BEGIN" not in text  # free text and keys stay out of the log


def _tampered(statement: str) -> str:
    """The same statement with its payload changed (approve → reject) and the signature kept."""
    import base64

    header, payload, signature = statement.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims |= {"decision": "reject", "reason": "anders"}
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


# migrations of a new major -------------------------------------------------------------------------------------------
def test_a_new_major_without_a_migration_is_refused(registry: SchemaRegistry) -> None:
    with pytest.raises(RefusedError) as refused:
        propose(registry, "2.0.0", stricter_texts)
    assert refused.value.code == "migration-required" and "major 1" in refused.value.message
    with pytest.raises(RefusedError) as minor:
        propose(registry, "1.1.0", migration=RELABEL_2)
    assert minor.value.code == "migration-unexpected"
    assert [v.version for v in registry.versions("signal")] == ["1.0.0"]


def test_a_migration_is_checked_on_every_example_of_the_previous_major(registry: SchemaRegistry, group: Group) -> None:
    registry.propose("signal", "1.1.0", signal_v1_1(), rationale=RATIONALE, actor="anna")
    approve_and_publish(registry, group, "1.1.0")
    forgetful = MIGRATION_2 | {"up": [op for op in MIGRATION_2["up"] if op["op"] != "set"]}
    with pytest.raises(RefusedError) as invalid:
        registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=forgetful)
    assert invalid.value.code == "migration-invalid"
    assert "example '1.0.0/" in invalid.value.message and "/privacy" in invalid.value.message
    bad_way_down = MIGRATION_2 | {"down": MIGRATION_2["down"][1:]}
    with pytest.raises(RefusedError) as down:
        registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=bad_way_down)
    assert down.value.code == "migration-invalid" and "way down" in down.value.message
    with pytest.raises(RefusedError) as mismatch:
        registry.propose(
            "signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=MIGRATION_2 | {"from": 2,
                                                                                                          "to": 3}
        )  # fmt: skip
    assert mismatch.value.code == "migration-mismatch"
    with pytest.raises(RefusedError) as one_way:
        registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=ONE_WAY_2)
    assert one_way.value.code == "migration-down-required"
    with pytest.raises(InvalidInputError) as malformed:
        registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration={"up": []})
    assert malformed.value.code == "migration-malformed"

    major = registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=MIGRATION_2)
    assert major.migration == MIGRATION_2 and registry.get("signal", "2.0.0").migration == MIGRATION_2
    assert registry.review("signal", "2.0.0").as_dict()["migration_sha256"] == schema_sha256(MIGRATION_2)
    registry.close()
    with AuditLog.in_folder(registry.store.path.parent) as log:
        drafted = [e for e in log.entries() if e.action == "schema-version.drafted" and e.subject == "signal@2.0.0"]
    assert drafted[0].details["migration_sha256"] == schema_sha256(MIGRATION_2)


def test_publication_checks_the_migration_again(registry: SchemaRegistry, group: Group) -> None:
    registry.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=MIGRATION_2)
    for name in ("anna", "bert", "cees"):
        group.vote(registry, name, "signal", "2.0.0")

    def with_a_member_v2_lacks(document: dict[str, Any]) -> None:
        document["properties"]["source"]["properties"]["team"] = {"type": "string", "default": "KCC"}

    # Meanwhile a minor of major 1 is published whose member the migration does not carry over.
    registry.propose("signal", "1.1.0", signal_schema("1.1.0", with_a_member_v2_lacks), rationale=RATIONALE,
                     actor="anna")  # fmt: skip
    approve_and_publish(registry, group, "1.1.0")
    with pytest.raises(RefusedError) as stale:
        registry.publish("signal", "2.0.0", actor="voorzitter")
    assert stale.value.code == "migration-invalid" and "/source" in stale.value.message


def test_a_registry_written_before_migrations_opens_and_gains_the_column(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "old"
    open_registry(data).close()
    with sqlite3.connect(data / "registry.sqlite3") as conn:
        conn.execute("ALTER TABLE versions DROP COLUMN migration")
    reopened = open_registry(data)
    assert reopened.get("signal", "1.0.0").migration is None
    reopened.propose("signal", "2.0.0", signal_v2(), rationale=RATIONALE, actor="anna", migration=MIGRATION_2)
    assert reopened.get("signal", "2.0.0").migration == MIGRATION_2
    reopened.close()
