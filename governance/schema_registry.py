# SPDX-License-Identifier: EUPL-1.2
"""The schema registry's workflow: propose, vote, publish, deprecate and retire versions of the standard.

:class:`SchemaRegistry` enforces the rules; the records live in a :class:`~governance.registry_store.RegistryStore`
and every decision is appended to the audit log (an :class:`~governance.audit.AuditSink`) after it is stored, as
``schema-version.<verb>`` with the version, its schema's SHA-256 and the statuses (free text such as a rationale
enters the log only as its SHA-256; the text stays in the registry). Members, votes and reviews are handled in
:mod:`governance.registry_voting`; this class offers them as methods. The hub reads versions through
:meth:`accepted_versions`, :meth:`status_of` and :meth:`sunset_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from governance import registry_proposals, registry_voting
from governance.audit import AuditSink, utc_text
from governance.errors import InvalidInputError, NotFoundError
from governance.registry_compat import diff_documents
from governance.registry_model import (
    ChangeKind,
    Member,
    SchemaVersion,
    StatusChange,
    parse_subject,
    schema_sha256,
    text_hash,
)
from governance.registry_quorum import DEFAULT_POLICY, QuorumPolicy
from governance.registry_status import ACCEPTED, RefusedError, Status, check_transition
from governance.registry_store import RegistryStore

__all__ = ["Event", "SchemaRegistry", "UnknownVersionError", "standard_subject"]

Event = tuple[str, str, str, dict[str, Any]]  # (actor, action, audit subject, details)


class UnknownVersionError(NotFoundError):
    """No such version of the subject in the registry."""

    code = "schema-version-not-found"


def standard_subject(name: str, kind: str) -> str:
    """The registry subject of a document of ``schema/``: ``signal``, ``batch`` or ``codelist/<name>``."""
    return f"codelist/{name}" if kind == "codelist" else name


class SchemaRegistry:
    """The registry's rules over a store; ``audit`` receives every decision, ``clock`` gives the (aware) time."""

    def __init__(
        self,
        store: RegistryStore,
        audit: AuditSink | None = None,
        *,
        policy: QuorumPolicy = DEFAULT_POLICY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.audit = audit
        self.policy = policy
        self.clock = clock

    @classmethod
    def open(cls, data: Path, **options: Any) -> SchemaRegistry:
        """The registry of a data folder (``DATA/registry.sqlite3``, policy from ``DATA/registry.toml``, audit log
        ``DATA/audit.sqlite3``), seeded from ``schema/`` on first use."""
        from governance.audit import AuditLog
        from governance.registry_quorum import load_policy
        from governance.registry_sqlite import SqliteRegistryStore

        options.setdefault("policy", load_policy(data))
        registry = cls(
            SqliteRegistryStore.in_folder(data), options.pop("audit", None) or AuditLog.in_folder(data), **options
        )
        registry.seed()
        return registry

    def close(self) -> None:
        """Release the store (and the audit log, when the registry opened it)."""
        self.store.close()
        close = getattr(self.audit, "close", None)
        if callable(close):
            close()

    # plumbing ----------------------------------------------------------------------------------------------------
    def now(self) -> str:
        """The time as the registry writes it (RFC 3339, UTC)."""
        return utc_text(self.clock())

    def today(self) -> date:
        """Today's date in UTC: sunset dates are UTC calendar days."""
        return self.clock().astimezone(UTC).date()

    @contextmanager
    def operation(self) -> Iterator[list[Event]]:
        """One transaction; the audit events collected in it are appended once it is committed."""
        events: list[Event] = []
        with self.store.transaction():
            yield events
        if self.audit is not None:
            for actor, action, subject, details in events:
                self.audit.record(actor, action, subject, details)

    def move(
        self, record: SchemaVersion, target: Status, actor: str, events: list[Event], reason: str = "", **changes: Any
    ) -> SchemaVersion:
        """Change a version's status (refused unless the table allows it), with history and an audit event."""
        check_transition(f"{record.subject} {record.version}", record.status, target)
        updated = replace(record, status=target, **changes)
        self.store.update_version(updated)
        self.store.add_change(
            StatusChange(record.subject, record.version, record.status, target, actor, self.now(), reason)
        )
        details: dict[str, Any] = {"subject": record.subject, "version": record.version, "sha256": updated.sha256}
        details |= {"from": record.status.value, "to": target.value}
        if reason:
            details["reason_sha256"] = text_hash(reason)
        if updated.sunset is not None:
            details["sunset"] = updated.sunset.isoformat()
        events.append((actor, f"schema-version.{_VERBS[target]}", updated.label, details))
        return updated

    # reading -----------------------------------------------------------------------------------------------------
    def seed(self, actor: str = "hartslag") -> int:
        """On first use, record every version in ``schema/`` as gepubliceerd; returns how many were added."""
        from governance.migrations import file_migration
        from governance.standard import list_schemas, load_schema

        with self.operation() as events:
            if self.store.versions():
                return 0
            for info in list_schemas():
                document = load_schema(info.name, info.version)
                record = SchemaVersion(
                    standard_subject(info.name, info.kind), info.version, Status.GEPUBLICEERD, document,
                    schema_sha256(document), "the standard as shipped in schema/", actor, self.now(),
                    ChangeKind.INITIAL, migration=file_migration(info.name, info.version),
                )  # fmt: skip
                self.store.insert_version(record)
                self.store.add_change(
                    StatusChange(record.subject, record.version, None, record.status, actor, self.now())
                )
            count = len(list_schemas())
            events.append((actor, "registry.seeded", "registry", {"versions": count}))
        return count

    def subjects(self) -> list[str]:
        """Every subject with at least one version."""
        return sorted({record.subject for record in self.store.versions()})

    def versions(self, subject: str) -> list[SchemaVersion]:
        """A subject's versions in semver order; :class:`UnknownVersionError` for a subject without any."""
        found = self.store.versions(parse_subject(subject))
        if not found:
            raise UnknownVersionError(f"no versions of '{subject}' (subjects: {', '.join(self.subjects())})")
        return found

    def get(self, subject: str, version: str) -> SchemaVersion:
        """One version of a subject."""
        record = self.store.version(parse_subject(subject), version)
        if record is None:
            known = ", ".join(v.version for v in self.store.versions(subject)) or "none"
            raise UnknownVersionError(f"'{subject}' has no version {version} (versions: {known})")
        return record

    def status_of(self, subject: str, version: str) -> Status:
        """A version's status."""
        return self.get(subject, version).status

    def sunset_of(self, subject: str, version: str) -> date | None:
        """A deprecated or retired version's sunset date (None for others)."""
        return self.get(subject, version).sunset

    def accepted_versions(self, subject: str) -> list[str]:
        """The versions whose documents the hub accepts (gepubliceerd or uitgefaseerd), oldest first."""
        return [record.version for record in self.store.versions(subject) if record.status in ACCEPTED]

    def diff(self, subject: str, old: str, new: str) -> dict[str, Any]:
        """Every change between two versions of a subject, at the subject's level."""
        return diff_documents(self.get(subject, old), self.get(subject, new), self.policy.level_of(subject))

    # proposing ---------------------------------------------------------------------------------------------------
    def propose(
        self, subject: str, version: str, document: Any, *, rationale: str, actor: str, concept: bool = False,
        migration: dict[str, Any] | None = None,
    ) -> SchemaVersion:  # fmt: skip
        """Record a new version (voorgesteld, or concept when ``concept``) with its compatibility reports; a new major
        of the signal or the batch needs its declared ``migration`` (:mod:`governance.migrations`)."""
        return registry_proposals.propose(
            self, subject, version, document, rationale=rationale, actor=actor, concept=concept, migration=migration
        )

    def submit(self, subject: str, version: str, *, actor: str) -> SchemaVersion:
        """concept → voorgesteld: open the version for votes."""
        with self.operation() as events:
            return self.move(self.get(subject, version), Status.VOORGESTELD, actor, events)

    def amend(self, subject: str, version: str, document: Any, *, actor: str, rationale: str = "") -> SchemaVersion:
        """Replace the schema of a concept or voorgesteld version; votes cast on the earlier text become void."""
        return registry_proposals.amend(self, subject, version, document, actor=actor, rationale=rationale)

    def withdraw(self, subject: str, version: str, *, actor: str, reason: str = "") -> SchemaVersion:
        """concept or voorgesteld → teruggetrokken: the author drops the proposal."""
        with self.operation() as events:
            return self.move(self.get(subject, version), Status.TERUGGETROKKEN, actor, events, reason)

    # the working group -----------------------------------------------------------------------------------------
    def add_member(self, name: str, *, organisation: str, kind: str, jwk: dict[str, Any], actor: str) -> Member:
        """Register a working-group member with their Ed25519 public key (a JWK or a one-key JWK set)."""
        return registry_voting.add_member(self, name, organisation=organisation, kind=kind, jwk=jwk, actor=actor)

    def members(self) -> list[Member]:
        """The working group, by name."""
        return self.store.members()

    def vote(self, subject: str, version: str, *, member: str, statement: str) -> registry_voting.Review:
        """Count a member's signed statement; the version moves on when the quorum is reached or out of reach."""
        return registry_voting.cast_vote(self, subject, version, member=member, statement=statement)

    def review(self, subject: str, version: str) -> registry_voting.Review:
        """A version with its compatibility reports, its votes (valid or void) and where the quorum stands."""
        return registry_voting.review(self, self.get(subject, version))

    # after approval ----------------------------------------------------------------------------------------------
    def publish(self, subject: str, version: str, *, actor: str) -> SchemaVersion:
        """goedgekeurd → gepubliceerd. The report is made again first: a version approved as a minor change that has
        become incompatible (another version was published meanwhile) is refused."""
        with self.operation() as events:
            record = self.get(subject, version)
            check_transition(f"{subject} {version}", record.status, Status.GEPUBLICEERD)
            reports, kind = registry_proposals.assess(self, subject, version, record.document)
            if kind is ChangeKind.MAJOR and record.change is ChangeKind.MINOR:
                raise RefusedError(
                    f"{subject} {version} was approved as compatible but is no longer (another version was published"
                    " since); propose it again",
                    code="compat-changed-since-approval",
                )
            if record.migration is not None:  # a minor of the previous major published since must migrate too
                registry_proposals.check_migration(self, subject, version, record.document, record.migration)
            return self.move(record, Status.GEPUBLICEERD, actor, events, compat=reports)

    def deprecate(self, subject: str, version: str, *, sunset: date, actor: str, reason: str = "") -> SchemaVersion:
        """gepubliceerd → uitgefaseerd, with the date from which the hub refuses it (not in the past). The last
        published version of a subject cannot be deprecated: publish its successor first."""
        with self.operation() as events:
            record = self.get(subject, version)
            check_transition(f"{subject} {version}", record.status, Status.UITGEFASEERD)
            if sunset < self.today():
                raise RefusedError(f"the sunset date {sunset.isoformat()} is in the past", code="sunset-in-past")
            others = [
                v for v in self.store.versions(subject) if v.status is Status.GEPUBLICEERD and v.version != version
            ]
            if not others:
                raise RefusedError(
                    f"{subject} {version} is the last published version; publish its successor first",
                    code="last-published-version",
                )
            return self.move(record, Status.UITGEFASEERD, actor, events, reason, sunset=sunset)

    def retire(self, subject: str, version: str, *, actor: str, force: bool = False, reason: str = "") -> SchemaVersion:
        """uitgefaseerd → ingetrokken, on or after the sunset date; earlier only with ``force`` and a reason."""
        with self.operation() as events:
            record = self.get(subject, version)
            check_transition(f"{subject} {version}", record.status, Status.INGETROKKEN)
            if record.sunset is not None and self.today() < record.sunset:
                if not force:
                    raise RefusedError(
                        f"{subject} {version} has its sunset on {record.sunset.isoformat()}; retiring it earlier needs"
                        " force and a reason",
                        code="sunset-not-reached",
                    )
                if not reason.strip():
                    raise InvalidInputError("retiring before the sunset date needs a reason", code="reason-required")
            return self.move(record, Status.INGETROKKEN, actor, events, reason)


_VERBS = {
    Status.CONCEPT: "drafted",
    Status.VOORGESTELD: "proposed",
    Status.GOEDGEKEURD: "approved",
    Status.GEPUBLICEERD: "published",
    Status.UITGEFASEERD: "deprecated",
    Status.INGETROKKEN: "retired",
    Status.AFGEWEZEN: "rejected",
    Status.TERUGGETROKKEN: "withdrawn",
}
