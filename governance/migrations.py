# SPDX-License-Identifier: EUPL-1.2
"""Declared migrations between major versions: a small, language-neutral JSON format and its interpreter.

A migration (format: ``schema/meta/migration/1.0.0.json``) turns a document of major ``from`` of a subject into a
document of major ``to`` by a list of operations on JSON Pointers (RFC 6901), and may declare the way ``down``::

    {"format": "1.0.0", "subject": "signal", "from": 1, "to": 2,
     "up": [{"op": "rename", "from": "/observed_at", "path": "/occurred_at"},
            {"op": "map", "path": "/kind", "values": {"survey_answer": "survey_response"}},
            {"op": "set", "path": "/privacy/method", "value": "placeholders"},
            {"op": "remove", "path": "/source/system"}]}

Operations address members of objects; a path segment ``*`` stands for every item of an array. Every operation
leaves an absent member alone (optional fields need no care): ``rename`` moves a present member (the target's parent
object must exist and the target be free), ``set`` writes a constant where the parent object exists, ``map`` renames
a code (or each code of an array, dropping duplicates) by a table, ``remove`` drops a member. ``schema_version`` is
not the migration's business: the reader (:mod:`governance.upcasting`) relabels the document. Because the format is
data, other languages implement the same few rules; this module is the reference interpreter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from governance.errors import InvalidInputError, SchemaError
from governance.standard import schema_root

__all__ = [
    "FORMAT_VERSION",
    "Migration",
    "MigrationApplyError",
    "MigrationError",
    "Operation",
    "copy_json",
    "file_migration",
    "format_schema",
    "parse_migration",
    "parse_pointer",
]

FORMAT_VERSION = "1.0.0"
_TILDE = re.compile(r"~(?![01])")


class MigrationError(InvalidInputError):
    """A migration document that does not follow the format; the message names the place (JSON Pointer)."""

    code = "migration-malformed"


class MigrationApplyError(SchemaError):
    """A migration cannot be applied to one document (a target taken, a parent missing); names operation and path."""

    code = "migration-failed"


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """The reference tokens of a JSON Pointer to a member (not the root); :class:`MigrationError` when malformed."""
    if not pointer.startswith("/") or _TILDE.search(pointer):
        raise MigrationError(f"{pointer!r} is not a JSON Pointer to a member (RFC 6901)", code="migration-pointer")
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/"))


@dataclass(frozen=True)
class Operation:
    """One step of a migration: ``op`` on ``path`` (``source`` for a rename, ``value``/``values`` as declared)."""

    op: str
    path: tuple[str, ...]
    pointer: str
    source: tuple[str, ...] = ()
    value: Any = None
    values: tuple[tuple[str, str], ...] = ()

    def apply(self, document: dict[str, Any], where: str) -> None:
        """Apply to ``document`` in place (a copy the caller owns); ``where`` names the step in errors."""
        if self.op == "rename":
            for parent, key, indices in _members(document, self.source):
                if key not in parent:
                    continue
                target, name = _target(document, self.path, indices, where)
                if name in target:
                    raise MigrationApplyError(f"{where}: {self.pointer} is already present", code="migration-conflict")
                target[name] = parent.pop(key)
        elif self.op == "set":
            for parent, key, _ in _members(document, self.path):
                parent[key] = copy_json(self.value)
        elif self.op == "map":
            table = dict(self.values)
            for parent, key, _ in _members(document, self.path):
                if key in parent:
                    parent[key] = _mapped(parent[key], table)
        else:  # remove
            for parent, key, _ in _members(document, self.path):
                parent.pop(key, None)


@dataclass(frozen=True)
class Migration:
    """A parsed, checked migration of ``subject`` from major ``source`` to major ``target``."""

    subject: str
    source: int
    target: int
    up: tuple[Operation, ...]
    down: tuple[Operation, ...] | None
    document: dict[str, Any]

    def upgrade(self, document: dict[str, Any]) -> dict[str, Any]:
        """A new document: ``document`` (major ``source``) with the ``up`` operations applied."""
        return _run(self.up, document, "up")

    def downgrade(self, document: dict[str, Any]) -> dict[str, Any]:
        """A new document: ``document`` (major ``target``) with the ``down`` operations applied."""
        if self.down is None:
            message = f"the migration {self.subject} {self.source} → {self.target} declares no way down"
            raise MigrationApplyError(message, code="downcast-unavailable")
        return _run(self.down, document, "down")


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON (dicts, lists, scalars): several times faster than :func:`copy.deepcopy`."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def parse_migration(document: Any) -> Migration:
    """Check a migration document against the format and its rules; :class:`MigrationError` names the first fault."""
    validator = _format_validator()
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "".join(f"/{part}" for part in error.absolute_path) or "/"
        raise MigrationError(f"the migration breaks the format at {where} ('{error.validator}' rule)")
    if document["to"] <= document["from"]:
        raise MigrationError("the migration's 'to' must be a higher major than its 'from'", code="migration-direction")
    up = _operations(document["up"], "/up")
    down = _operations(document["down"], "/down") if "down" in document else None
    return Migration(document["subject"], document["from"], document["to"], up, down, document)


def format_schema() -> dict[str, Any]:
    """The JSON Schema of the migration format (``schema/meta/migration/1.0.0.json``)."""
    return _load(schema_root() / "meta" / "migration" / f"{FORMAT_VERSION}.json")


def file_migration(subject: str, version: str) -> dict[str, Any] | None:
    """The migration the standard's files declare into ``version`` (``schema/migrations/<subject>/<version>.json``)."""
    path = schema_root() / "migrations" / subject / f"{version}.json"
    return _load(path) if path.is_file() else None


@cache
def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def _format_validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(format_schema())


def _operations(items: Sequence[dict[str, Any]], where: str) -> tuple[Operation, ...]:
    found = []
    for index, item in enumerate(items):
        place = f"{where}/{index}"
        try:
            path = parse_pointer(item["path"])
            source = parse_pointer(item["from"]) if item["op"] == "rename" else ()
        except MigrationError as exc:
            raise MigrationError(f"{place}: {exc.message}", code=exc.code) from None
        if path == ("schema_version",) or source == ("schema_version",):
            raise MigrationError(f"{place}: schema_version is relabelled by the reader", code="migration-pointer")
        if item["op"] == "rename":
            _check_rename(source, path, place)
        values = tuple(sorted(item.get("values", {}).items()))
        found.append(Operation(item["op"], path, item["path"], source, item.get("value"), values))
    return tuple(found)


def _check_rename(source: tuple[str, ...], path: tuple[str, ...], place: str) -> None:
    # A member moves within each array item or outside all of them: every '*' of the target must match the source's
    # at the same place, so each item's member lands in the same item.
    if source == path or path[: len(source)] == source or source[: len(path)] == path:
        raise MigrationError(f"{place}: a member cannot be renamed into itself", code="migration-pointer")
    last = max((i for i, token in enumerate(path) if token == "*"), default=-1)
    if source.count("*") != path.count("*") or source[: last + 1] != path[: last + 1]:
        message = f"{place}: 'from' and 'path' must share their path up to the last '*'"
        raise MigrationError(message, code="migration-pointer")


def _run(operations: Sequence[Operation], document: dict[str, Any], direction: str) -> dict[str, Any]:
    result: dict[str, Any] = copy_json(document)
    for index, operation in enumerate(operations):
        operation.apply(result, f"{direction}/{index} ({operation.op} {operation.pointer})")
    return result


def _members(
    node: Any, tokens: tuple[str, ...], indices: tuple[int, ...] = ()
) -> Iterator[tuple[dict[str, Any], str, tuple[int, ...]]]:
    """Each existing parent object of ``tokens`` with the member's name and the array indices taken on the way."""
    if len(tokens) == 1:
        if isinstance(node, dict):
            yield node, tokens[0], indices
        return
    head, rest = tokens[0], tokens[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _members(item, rest, (*indices, index))
    elif isinstance(node, dict) and head in node:
        yield from _members(node[head], rest, indices)


def _target(
    document: dict[str, Any], tokens: tuple[str, ...], indices: tuple[int, ...], where: str
) -> tuple[dict[str, Any], str]:
    """The parent object of a rename's target, with ``*`` taken as the source's indices."""
    node: Any = document
    taken = iter(indices)
    for token in tokens[:-1]:
        if token == "*":
            node = node[next(taken)] if isinstance(node, list) else None
        else:
            node = node.get(token) if isinstance(node, dict) else None
        if node is None:
            break
    if not isinstance(node, dict):
        raise MigrationApplyError(f"{where}: the parent object of the target is missing", code="migration-conflict")
    return node, tokens[-1]


def _mapped(value: Any, table: dict[str, str]) -> Any:
    if isinstance(value, str):
        return table.get(value, value)
    if isinstance(value, list):
        seen: list[Any] = []
        for item in value:
            item = table.get(item, item) if isinstance(item, str) else item
            if item not in seen:
                seen.append(item)
        return seen
    return value
