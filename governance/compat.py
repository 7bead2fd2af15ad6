# SPDX-License-Identifier: EUPL-1.2
"""Schema compatibility: is a NEW JSON Schema compatible with one or more OLD ones, and which changes decide it.

The levels and their meaning follow Confluent Schema Registry:

* ``BACKWARD`` (the default): readers using NEW can read data written with OLD — NEW accepts everything OLD accepted;
* ``FORWARD``: readers still using OLD can read data written with NEW — OLD accepts everything NEW accepts;
* ``FULL``: both; the ``*_TRANSITIVE`` levels check NEW against every old version given, the others against one.

The check walks both schemas side by side (:mod:`governance.compat_walk`) and lists every change it finds, each
with a type from the table in :mod:`governance.compat_rules` that fixes which direction it breaks. NEW is
compatible at a level when no change breaks a direction the level checks. The check is conservative: when it
cannot prove that a change keeps documents valid (a changed regular expression, a keyword it does not compare),
the change counts as breaking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from governance.compat_rules import ChangeType, Level
from governance.compat_schema import LoadedSchema, load_schema_file, normalise
from governance.compat_walk import Change, Walk
from governance.errors import InvalidInputError

__all__ = [
    "Change",
    "ChangeType",
    "CompatReport",
    "Finding",
    "Level",
    "check_files",
    "check_schemas",
    "diff_schemas",
    "parse_level",
]

_IN_MEMORY = "https://compat.invalid/schema.json"  # base for documents that are not read from a file


@dataclass(frozen=True)
class Finding:
    """A change found between one old version and NEW."""

    change: Change
    old_version: str

    def breaking(self, level: Level) -> bool:
        """Whether this change breaks ``level``."""
        return bool(self.change.type.breaks & level.directions)

    def as_dict(self, level: Level) -> dict[str, Any]:
        """The change as the CLI prints it."""
        return {
            "type": self.change.type.name,
            "pointer": self.change.pointer,
            "breaks": sorted(self.change.type.breaks),
            "breaking": self.breaking(level),
            "old_version": self.old_version,
            "description": self.change.description,
        }


@dataclass(frozen=True)
class CompatReport:
    """The verdict at one level, with every change found against each old version."""

    level: Level
    new_version: str
    old_versions: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def compatible(self) -> bool:
        """Whether no change breaks the level."""
        return not any(finding.breaking(self.level) for finding in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The report as the CLI prints it (JSON-ready)."""
        return {
            "level": self.level.value,
            "compatible": self.compatible,
            "new_version": self.new_version,
            "old_versions": list(self.old_versions),
            "changes": [finding.as_dict(self.level) for finding in self.findings],
        }


def parse_level(text: str) -> Level:
    """The level named by ``text`` (any case); :class:`InvalidInputError` for an unknown name."""
    try:
        return Level(text.strip().upper())
    except ValueError:
        known = ", ".join(level.value for level in Level)
        message = f"unknown compatibility level '{text}' (known: {known})"
        raise InvalidInputError(message, code="unknown-level") from None


def _walk(old: Any, new: Any, old_id: str | None, new_id: str | None) -> list[Change]:
    walk = Walk()
    if old_id != new_id:
        walk.emit(ChangeType.ID_CHANGED, "/$id", f"{old_id} → {new_id}")
    walk.diff(old, new, "")
    return walk.changes


def diff_schemas(old: Any, new: Any, *, folder: Path | None = None) -> list[Change]:
    """Every change from the schema document ``old`` to ``new`` (relative references resolve in ``folder``)."""
    trees = []
    for document in (old, new):
        own = document.get("$id") if isinstance(document, dict) else None
        trees.append(normalise(document, urljoin(_IN_MEMORY, own if isinstance(own, str) else ""), folder))
    ids = [document.get("$id") if isinstance(document, dict) else None for document in (old, new)]
    return _walk(trees[0], trees[1], ids[0], ids[1])


def check_schemas(olds: Sequence[LoadedSchema], new: LoadedSchema, level: Level) -> CompatReport:
    """Check NEW against each old schema (several only for a transitive level)."""
    if not olds:
        raise InvalidInputError("give at least one old schema and the new schema", code="compat-arguments")
    if len(olds) > 1 and not level.transitive:
        raise InvalidInputError(
            f"{level.value} compares NEW with one old schema; use {level.value}_TRANSITIVE for several",
            code="compat-arguments",
        )
    findings = [Finding(change, old.version) for old in olds for change in _walk(old.tree, new.tree, old.id, new.id)]
    return CompatReport(level, new.version, tuple(old.version for old in olds), tuple(findings))


def check_files(paths: Sequence[Path], level: Level) -> CompatReport:
    """Check the last file (NEW) against the others (OLD, oldest first); :class:`InvalidInputError` on bad input."""
    if len(paths) < 2:
        raise InvalidInputError("give at least one old schema and the new schema", code="compat-arguments")
    if len(paths) > 2 and not level.transitive:  # before reading: the arguments alone are wrong
        raise InvalidInputError(
            f"{level.value} compares NEW with one old schema; use {level.value}_TRANSITIVE for several",
            code="compat-arguments",
        )
    loaded = [load_schema_file(path) for path in paths]
    return check_schemas(loaded[:-1], loaded[-1], level)
