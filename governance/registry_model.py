# SPDX-License-Identifier: EUPL-1.2
"""What the schema registry holds: subjects, versions of a subject, working-group members and their votes.

A *subject* is one document of the standard that evolves on its own: ``signal``, ``batch`` and each code list as
``codelist/<name>`` (``codelist/themes``). A *version* is one semver-numbered schema document of a subject with its
status (:mod:`governance.registry_status`), the SHA-256 of its canonical JSON, and, for a proposal, the rationale
and the compatibility report against every published version. These are plain records: the rules live in
:mod:`governance.schema_registry`, the storage in :mod:`governance.registry_store`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import rfc8785

from governance.errors import InvalidInputError
from governance.registry_status import Status

__all__ = [
    "ChangeKind",
    "Decision",
    "Member",
    "SchemaVersion",
    "StatusChange",
    "Vote",
    "parse_subject",
    "parse_version",
    "schema_sha256",
    "text_hash",
    "version_key",
]

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_SUBJECT = re.compile(r"^(signal|batch|codelist/[a-z0-9]+(-[a-z0-9]+)*)$")


class ChangeKind(StrEnum):
    """How a version changes the subject: ``major`` when incompatible with some published version, ``minor`` when
    compatible with all of them, ``initial`` for a subject's first version (nothing to compare with)."""

    INITIAL = "initial"
    MINOR = "minor"
    MAJOR = "major"


class Decision(StrEnum):
    """A member's vote."""

    APPROVE = "approve"
    REJECT = "reject"


def parse_version(text: str) -> tuple[int, int, int]:
    """``X.Y.Z`` as a tuple of numbers; :class:`InvalidInputError` (``version-invalid``) for anything else."""
    match = _SEMVER.match(text)
    if match is None:
        raise InvalidInputError(f"version {text!r} is not of the form MAJOR.MINOR.PATCH", code="version-invalid")
    return int(match[1]), int(match[2]), int(match[3])


def version_key(text: str) -> tuple[int, int, int]:
    """Sort key of a version text (semver order)."""
    return parse_version(text)


def parse_subject(text: str) -> str:
    """A subject name as the registry writes it: ``signal``, ``batch`` or ``codelist/<name>``."""
    if not _SUBJECT.match(text):
        raise InvalidInputError(
            f"subject {text!r} is not 'signal', 'batch' or 'codelist/<name>' (e.g. codelist/themes)",
            code="subject-invalid",
        )
    return text


def schema_sha256(document: Any) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of a schema: equal for equal documents, whatever the layout."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


@dataclass(frozen=True)
class SchemaVersion:
    """One version of a subject with everything the working group decides on."""

    subject: str
    version: str
    status: Status
    document: dict[str, Any]
    sha256: str
    rationale: str
    proposed_by: str
    created_at: str
    change: ChangeKind
    compat: list[dict[str, Any]] = field(default_factory=list)  # one CompatReport.as_dict() per published version
    sunset: date | None = None
    # The declared migration (governance/migrations.py) that leads a document of the previous major INTO this version;
    # only a major version after the first carries one.
    migration: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """``subject@version``: how audit entries and messages name the version."""
        return f"{self.subject}@{self.version}"

    @property
    def compatible(self) -> bool:
        """Whether every report found the version compatible."""
        return all(report.get("compatible", False) for report in self.compat)

    def summary(self) -> dict[str, Any]:
        """The version without its document (for lists and machine output)."""
        shown = {key: value for key, value in asdict(self).items() if key not in ("document", "compat", "migration")}
        shown["sunset"] = self.sunset.isoformat() if self.sunset else None
        shown["migration_sha256"] = schema_sha256(self.migration) if self.migration is not None else None
        shown["compatible"] = self.compatible
        return shown


@dataclass(frozen=True)
class Member:
    """A member of the standards working group, with the Ed25519 public key that verifies their votes."""

    name: str
    organisation: str
    kind: str  # a code of the organisation-kinds code list: municipality, national_agency, ...
    jwk: dict[str, str]
    kid: str
    added_at: str

    def public(self) -> dict[str, Any]:
        """The member as shown to others (the public key's id, not the key)."""
        return {"name": self.name, "organisation": self.organisation, "kind": self.kind, "kid": self.kid}


@dataclass(frozen=True)
class Vote:
    """A verified, signed vote of one member on one version, bound to the schema's hash at the time."""

    subject: str
    version: str
    member: str
    decision: Decision
    sha256: str
    iat: int
    jws: str
    reason: str
    at: str

    def public(self) -> dict[str, Any]:
        """The vote as shown in a review (the statement itself stays in the store)."""
        return {
            "member": self.member,
            "decision": self.decision.value,
            "sha256": self.sha256,
            "reason": self.reason,
            "at": self.at,
        }


@dataclass(frozen=True)
class StatusChange:
    """One step in a version's history: who moved it from which status to which, when, and why."""

    subject: str
    version: str
    before: Status | None
    after: Status
    actor: str
    at: str
    reason: str = ""


def text_hash(text: str) -> str:
    """SHA-256 (hex) of a free text: how the audit log refers to rationales and reasons (the text stays put)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
