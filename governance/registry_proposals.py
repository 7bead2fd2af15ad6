# SPDX-License-Identifier: EUPL-1.2
"""Proposals: a new version of a subject, checked and assessed before the working group votes on it.

A proposal is refused unless its document is a valid JSON Schema that declares the version it is proposed as
(``schema_version``'s ``const`` for the signal and the batch, ``x-version`` for a code list), its number is new and
higher than every version ever published, and an incompatible (major) change raises the major number. Its
compatibility reports against every accepted version (:mod:`governance.registry_compat`) and the kind of change
are stored with it. Until the vote is over its author may amend it; votes on the earlier text then become void.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from governance.errors import InvalidInputError
from governance.registry_compat import change_kind, compat_reports
from governance.registry_model import (
    ChangeKind,
    SchemaVersion,
    StatusChange,
    parse_subject,
    parse_version,
    schema_sha256,
    text_hash,
    version_key,
)
from governance.registry_status import ACCEPTED, RefusedError, Status
from governance.registry_store import DuplicateRecordError

if TYPE_CHECKING:
    from governance.schema_registry import SchemaRegistry

__all__ = ["amend", "assess", "check_document", "propose"]

_EVER_PUBLISHED = ACCEPTED | {Status.INGETROKKEN}


def check_document(subject: str, version: str, document: Any) -> None:
    """A proposal's document must be a valid JSON Schema that declares the version it is proposed as."""
    import jsonschema

    if not isinstance(document, dict):
        raise InvalidInputError("the schema must be a JSON object", code="not-a-schema")
    cls = jsonschema.validators.validator_for(document, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(document)
    except jsonschema.SchemaError as exc:
        where = "/" + "/".join(str(p) for p in exc.path)
        raise InvalidInputError(f"not a valid JSON Schema (at {where})", code="not-a-schema") from None
    if subject.startswith("codelist/"):
        what, stated = "x-version", document.get("x-version")
    else:
        declared = document.get("properties", {}).get("schema_version")
        what, stated = "schema_version const", declared.get("const") if isinstance(declared, dict) else None
    if stated is not None and stated != version:
        raise InvalidInputError(f"the schema's {what} is {stated!r}, not {version}", code="schema-version-mismatch")


def assess(
    registry: SchemaRegistry, subject: str, version: str, document: Any
) -> tuple[list[dict[str, Any]], ChangeKind]:
    """The compatibility reports against every accepted version, and what kind of change that makes."""
    check_document(subject, version, document)
    accepted = [v for v in registry.store.versions(subject) if v.status in ACCEPTED and v.version != version]
    reports = compat_reports(subject, version, document, accepted, registry.policy.level_of(subject))
    return reports, change_kind(reports)


def propose(
    registry: SchemaRegistry,
    subject: str,
    version: str,
    document: Any,
    *,
    rationale: str,
    actor: str,
    concept: bool = False,
) -> SchemaVersion:
    """Record a new version as concept and, unless ``concept``, move it on to voorgesteld (open for votes)."""
    parse_subject(subject)
    number = parse_version(version)
    if not rationale.strip():
        raise InvalidInputError("a proposal needs a rationale", code="rationale-required")
    with registry.operation() as events:
        existing = registry.store.versions(subject)
        if any(v.version == version for v in existing):
            message = f"{subject} {version} exists already; propose a new number"
            raise DuplicateRecordError(message, code="version-exists")
        reports, kind = assess(registry, subject, version, document)
        released = [version_key(v.version) for v in existing if v.status in _EVER_PUBLISHED]
        if released and number <= max(released):
            newest = ".".join(map(str, max(released)))
            raise RefusedError(f"{version} is not newer than published {newest}", code="version-not-newer")
        if kind is ChangeKind.MAJOR and released and number[0] <= max(released)[0]:
            raise RefusedError(
                f"{subject} {version} is incompatible with a published version: it needs major version "
                f"{max(released)[0] + 1}.0.0 or higher",
                code="major-version-required",
            )
        record = SchemaVersion(
            subject, version, Status.CONCEPT, document, schema_sha256(document), rationale, actor, registry.now(),
            kind, reports,
        )  # fmt: skip
        registry.store.insert_version(record)
        registry.store.add_change(StatusChange(subject, version, None, Status.CONCEPT, actor, registry.now()))
        details: dict[str, Any] = {"subject": subject, "version": version, "sha256": record.sha256}
        details |= {"change": kind.value, "compatible": record.compatible, "rationale_sha256": text_hash(rationale)}
        events.append((actor, "schema-version.drafted", record.label, details))
        if not concept:
            record = registry.move(record, Status.VOORGESTELD, actor, events)
    return record


def amend(
    registry: SchemaRegistry, subject: str, version: str, document: Any, *, actor: str, rationale: str = ""
) -> SchemaVersion:
    """Replace the schema of a concept or voorgesteld version (same number); votes on the earlier text become void.
    An amendment may not turn a compatible proposal into an incompatible one: that is a new major version."""
    with registry.operation() as events:
        record = registry.get(subject, version)
        if record.status not in (Status.CONCEPT, Status.VOORGESTELD):
            raise RefusedError(
                f"{subject} {version} is {record.status.value}; only concept and voorgesteld versions can change",
                code="version-frozen",
            )
        reports, kind = assess(registry, subject, version, document)
        if kind is ChangeKind.MAJOR and record.change is not ChangeKind.MAJOR:
            message = "the amended schema is incompatible: propose a new major version instead"
            raise RefusedError(message, code="major-version-required")
        updated = replace(
            record, document=document, sha256=schema_sha256(document), compat=reports, change=kind,
            rationale=rationale or record.rationale,
        )  # fmt: skip
        registry.store.update_version(updated)
        void = sum(1 for vote in registry.store.votes(subject, version) if vote.sha256 == record.sha256)
        details: dict[str, Any] = {"subject": subject, "version": version, "sha256": updated.sha256}
        details |= {"previous_sha256": record.sha256, "votes_void": void}
        events.append((actor, "schema-version.amended", record.label, details))
    return updated
