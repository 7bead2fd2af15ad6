# SPDX-License-Identifier: EUPL-1.2
"""The registry's use of the compatibility checker: a proposal against every published version, and diffs.

Each published (or deprecated but not yet retired) version of the subject is compared with the proposal on its
own at the subject's level (:func:`governance.compat.check_schemas`), so the report says which version a change
breaks. A proposal incompatible with any of them is a *major* change. References in stored documents resolve like
those in files: the standard's documents by ``$id``, relative paths against the subject's folder in ``schema/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from governance.compat import Level, check_schemas, diff_schemas
from governance.compat_schema import LoadedSchema, normalise
from governance.registry_model import ChangeKind, SchemaVersion
from governance.standard import schema_root

__all__ = ["change_kind", "compat_reports", "diff_documents"]


def _folder(subject: str) -> Path:
    """Where relative references of a subject's documents resolve (``schema/signal``, ``schema/codelists``, ...)."""
    return schema_root() / ("codelists" if subject.startswith("codelist/") else subject)


def _loaded(subject: str, version: str, document: dict[str, Any]) -> LoadedSchema:
    own = document.get("$id")
    base = own if isinstance(own, str) else f"https://registry.invalid/{subject}/{version}.json"
    label = Path(f"{subject}/{version}.json")
    return LoadedSchema(
        label, normalise(document, base, _folder(subject)), own if isinstance(own, str) else None, version
    )


def compat_reports(
    subject: str, version: str, document: dict[str, Any], published: Sequence[SchemaVersion], level: Level
) -> list[dict[str, Any]]:
    """One report (``CompatReport.as_dict()``) per published version, oldest first."""
    new = _loaded(subject, version, document)
    reports = []
    for old in published:
        report = check_schemas([_loaded(subject, old.version, old.document)], new, level)
        reports.append(report.as_dict())
    return reports


def change_kind(reports: Sequence[dict[str, Any]]) -> ChangeKind:
    """``initial`` without published versions, ``major`` when any report is incompatible, else ``minor``."""
    if not reports:
        return ChangeKind.INITIAL
    return ChangeKind.MINOR if all(report["compatible"] for report in reports) else ChangeKind.MAJOR


def diff_documents(old: SchemaVersion, new: SchemaVersion, level: Level) -> dict[str, Any]:
    """Every change from ``old`` to ``new``, with whether it breaks ``level`` (for ``hartslag governance diff``)."""
    changes = diff_schemas(old.document, new.document, folder=_folder(new.subject))
    listed = [
        {
            "type": change.type.name,
            "pointer": change.pointer,
            "breaks": sorted(change.type.breaks),
            "breaking": bool(change.type.breaks & level.directions),
            "description": change.description,
        }
        for change in changes
    ]
    return {
        "subject": new.subject,
        "old": old.version,
        "new": new.version,
        "level": level.value,
        "compatible": not any(item["breaking"] for item in listed),
        "changes": listed,
    }
