# SPDX-License-Identifier: EUPL-1.2
"""Proposals: a new version of a subject, checked and assessed before the working group votes on it.

A proposal is refused unless its document is a valid JSON Schema that declares the version it is proposed as
(``schema_version``'s ``const`` for the signal and the batch, ``x-version`` for a code list), its number is new and
higher than every version ever published, and an incompatible (major) change raises the major number. Its
compatibility reports against every accepted version (:mod:`governance.registry_compat`) and the kind of change
are stored with it. Until the vote is over its author may amend it; votes on the earlier text then become void.

A new major of the signal or the batch comes with a declared migration (:mod:`governance.migrations`) from the
highest published major, so that patterns span versions. It is checked on the standard's own examples: every valid
example file of the subject (of any version the registry holds) is read as the newest version of the previous major
(:mod:`governance.upcasting`), migrated, and must then be valid under the proposed schema; the declared way down
(required, see ADR 0005) must bring it back to a valid document of the previous major. Registry-only versions have
no example files of their own, so the files of older versions stand in for them, carried forward by the same reader
the hub uses.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.errors import HartslagError, InvalidInputError
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
from governance.standard import ValidationIssue

if TYPE_CHECKING:
    from governance.schema_registry import SchemaRegistry

__all__ = ["amend", "assess", "check_document", "check_migration", "propose", "schema_issues"]

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
    migration: dict[str, Any] | None = None,
) -> SchemaVersion:
    """Record a new version as concept and, unless ``concept``, move it on to voorgesteld (open for votes).

    A new major of the signal or the batch needs ``migration`` (checked by :func:`check_migration`); a version
    inside a published major has none."""
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
        _require_migration(subject, version, number, released, migration)
        if migration is not None:
            check_migration(registry, subject, version, document, migration)
        record = SchemaVersion(
            subject, version, Status.CONCEPT, document, schema_sha256(document), rationale, actor, registry.now(),
            kind, reports, migration=migration,
        )  # fmt: skip
        registry.store.insert_version(record)
        registry.store.add_change(StatusChange(subject, version, None, Status.CONCEPT, actor, registry.now()))
        details: dict[str, Any] = {"subject": subject, "version": version, "sha256": record.sha256}
        details |= {"change": kind.value, "compatible": record.compatible, "rationale_sha256": text_hash(rationale)}
        if migration is not None:
            details["migration_sha256"] = schema_sha256(migration)
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
        if record.migration is not None:  # the declared migration must still lead into the amended schema
            check_migration(registry, subject, version, document, record.migration)
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


def _require_migration(
    subject: str, version: str, number: tuple[int, int, int], released: list[tuple[int, int, int]],
    migration: dict[str, Any] | None,
) -> None:  # fmt: skip
    """A new major of a document subject needs a migration; nothing else may carry one."""
    new_major = bool(released) and number[0] > max(released)[0] and not subject.startswith("codelist/")
    if new_major and migration is None:
        raise RefusedError(
            f"{subject} {version} starts a new major: it needs a declared migration from major {max(released)[0]}"
            " (--migration FILE, see docs/standard/versioning.md)",
            code="migration-required",
        )
    if not new_major and migration is not None:
        message = f"{subject} {version} does not start a new major of a document subject; it takes no migration"
        raise RefusedError(message, code="migration-unexpected")


def check_migration(
    registry: SchemaRegistry, subject: str, version: str, document: dict[str, Any], migration: dict[str, Any]
) -> int:
    """Check ``migration`` into ``subject`` ``version`` on the standard's examples; returns how many it converted.

    :class:`~governance.migrations.MigrationError` for a malformed migration, :class:`RefusedError` with
    ``migration-mismatch`` for one of other majors and ``migration-invalid`` naming the example and the pointer.
    """
    from governance.migrations import parse_migration
    from governance.schema_catalog import SchemaCatalog
    from governance.upcasting import Upcaster

    declared = parse_migration(migration)
    if declared.down is None:  # a hub whose code reads the previous major stores the new one read down (ADR 0005)
        message = "the migration declares no way down ('down'); a new major needs both ways"
        raise RefusedError(message, code="migration-down-required")
    records = [v for v in registry.store.versions(subject) if v.version != version]
    majors = [version_key(v.version)[0] for v in records if v.status in _EVER_PUBLISHED]
    previous = max((m for m in majors if m < version_key(version)[0]), default=None)
    wanted = (subject, previous, version_key(version)[0])
    if (declared.subject, declared.source, declared.target) != wanted:
        raise RefusedError(
            f"the migration leads {declared.subject} {declared.source} → {declared.target}; this proposal needs "
            f"{subject} {previous} → {wanted[2]}",
            code="migration-mismatch",
        )
    catalog = SchemaCatalog(records)
    upcaster, older = Upcaster(catalog), catalog.current(subject, previous)
    older_schema = catalog.document(subject, older) if older else None
    count = 0
    for path, example in _examples(subject):
        if catalog.document(subject, str(example.get("schema_version"))) is None:
            continue  # an example of a version this registry does not hold
        where = f"example '{path.parent.parent.name}/{path.name}'"
        try:
            moved = declared.upgrade(upcaster.read(example, subject, target_major=previous))
            moved["schema_version"] = version
            _refuse_issues(schema_issues(document, moved), f"the migration turns {where} into", f"{subject} {version}")
            if declared.down is not None and older is not None and older_schema is not None:
                back = declared.downgrade(moved)
                back["schema_version"] = older
                _refuse_issues(schema_issues(older_schema, back), f"the way down turns {where} into", f"{older}")
        except HartslagError as exc:
            if isinstance(exc, RefusedError):
                raise
            raise RefusedError(f"{where}: {exc.message}", code="migration-invalid") from None
        count += 1
    if not count:
        raise RefusedError(f"no example of {subject} to check the migration on", code="migration-untested")
    return count


def _refuse_issues(issues: list[ValidationIssue], what: str, target: str) -> None:
    if issues:
        first = issues[0]
        message = f"{what} an invalid {target} at {first.pointer or '/'}: {first.message}"
        raise RefusedError(message, code="migration-invalid")


def _examples(subject: str) -> list[tuple[Path, dict[str, Any]]]:
    """Every valid example file of the standard for ``subject``, oldest version first."""
    from governance.standard import schema_root, subject_of

    found = []
    for path in sorted((schema_root() / "examples").glob("*/valid/*.json")):
        example = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(example, dict) and subject_of(example) == subject:
            found.append((path, example))
    return sorted(found, key=lambda item: (version_key(item[0].parent.parent.name), item[0].name))


def schema_issues(schema: dict[str, Any], document: Any) -> list[ValidationIssue]:
    """Every way ``document`` breaks a (stored) ``schema``, references to the standard's files resolved; the
    messages name the rule, never the value."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator = cls(schema, registry=_references(), format_checker=cls.FORMAT_CHECKER)
    issues = [
        ValidationIssue("".join(f"/{part}" for part in error.absolute_path), f"breaks the '{error.validator}' rule")
        for error in validator.iter_errors(document)
    ]
    return sorted(issues, key=lambda issue: issue.pointer)


@cache
def _references() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from governance.standard import list_schemas, load_schema

    documents = [load_schema(info.name, info.version) for info in list_schemas()]
    return Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
        for doc in documents
        if "$id" in doc
    )
