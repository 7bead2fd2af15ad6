# SPDX-License-Identifier: EUPL-1.2
"""Reading a document of any accepted version as the newest version of one major (upcasting).

Within a major, an older minor or patch is read as the newest accepted version: ``schema_version`` is relabelled and
the members the newer version added that have a JSON Schema ``default`` are filled in when absent (members of the
top level and of nested objects that are present; arrays are left as they are). Nothing else changes, because a
minor only widens the standard. Across majors the declared migrations (:mod:`governance.migrations`) are applied in
sequence, each from the newest minor of its major, and the result is upcast within the target major. Reading a
newer major as an older one uses the migrations' declared ``down`` operations, after which members the older
version does not declare are dropped. A document already at the target version is returned as it is (the ingest
path: a dictionary lookup and a comparison); every plan is computed once per pair of versions. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from governance.errors import SchemaError, UnknownSchemaError
from governance.migrations import Migration, MigrationApplyError, copy_json, parse_migration
from governance.registry_model import parse_version, version_key

__all__ = ["Catalog", "UpcastError", "Upcaster"]

Step = Callable[[dict[str, Any]], dict[str, Any]]


class UpcastError(SchemaError):
    """A document cannot be read as the target version (unknown version, no migration, newer than the target)."""

    code = "upcast-failed"


class Catalog(Protocol):
    """What the upcaster needs of a :class:`governance.schema_catalog.SchemaCatalog`."""

    def document(self, name: str, version: str) -> dict[str, Any] | None: ...

    def accepted(self, name: str) -> list[str]: ...

    def current(self, name: str, major: int | None = None) -> str | None: ...

    def migration(self, name: str, version: str) -> dict[str, Any] | None: ...


class Upcaster:
    """Reads documents as the newest accepted version of a major, over one immutable catalog snapshot."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._targets: dict[tuple[str, int | None], str] = {}
        self._plans: dict[tuple[str, str, str], Step] = {}

    def read(self, document: dict[str, Any], name: str = "signal", target_major: int | None = None) -> dict[str, Any]:
        """``document`` as the newest accepted version of ``target_major`` (default: of the current major).

        The input is never changed; the same object comes back when it already has the target version.
        """
        key = (name, target_major)
        target = self._targets.get(key) or self._target(name, target_major)
        version = document.get("schema_version")
        if version == target:
            return document
        plan = self._plans.get((name, version, target)) if isinstance(version, str) else None
        if plan is None:
            plan = self._plan(name, version, target)
        return plan(document)

    def target(self, name: str = "signal", target_major: int | None = None) -> str:
        """The version :meth:`read` produces for ``name`` and ``target_major``."""
        return self._targets.get((name, target_major)) or self._target(name, target_major)

    # planning ----------------------------------------------------------------------------------------------------
    def _target(self, name: str, requested: int | None) -> str:
        major = requested
        if major is None:
            newest = self.catalog.current(name)
            major = parse_version(newest)[0] if newest else None
        found = self.catalog.current(name, major) if major is not None else None
        if found is None:
            raise UpcastError(f"'{name}' has no accepted version of major {major}", code="no-accepted-version")
        self._targets[(name, requested)] = found
        return found

    def _plan(self, name: str, version: Any, target: str) -> Step:
        if not isinstance(version, str):
            raise UpcastError("the document's schema_version is missing or not a string", code="schema-version-missing")
        try:
            source = parse_version(version)
        except Exception:
            raise UpcastError(
                "the document's schema_version is not MAJOR.MINOR.PATCH", code="version-invalid"
            ) from None
        if self.catalog.document(name, version) is None:
            raise UnknownSchemaError(f"'{name}' has no version {version}", code="schema-version-unknown")
        goal = parse_version(target)
        steps: list[Step] = []
        if source[0] == goal[0]:
            if source > goal:
                message = f"'{name}' {version} is newer than {target}, the newest accepted version of its major"
                raise UpcastError(message, code="schema-version-newer")
            steps.append(self._within(name, version, target))
        elif source[0] < goal[0]:
            steps += self._upward(name, version, source[0], goal[0], target)
        else:
            steps += self._downward(name, version, source[0], goal[0], target)
        plan = _chain(steps)
        self._plans[(name, version, target)] = plan
        return plan

    def _within(self, name: str, version: str, target: str) -> Step:
        """Minor upcasting: relabel and fill the defaults of members ``target`` added since ``version``."""
        if version == target:
            return _same
        older, newer = self.catalog.document(name, version), self.catalog.document(name, target)
        if older is None or newer is None:
            raise UnknownSchemaError(f"'{name}' has no version {version if older is None else target}")
        fills = tuple(_added_defaults(older, newer, ()))
        return lambda document: _relabelled(document, target, fills)

    def _migration_into(self, name: str, major: int) -> tuple[str, Migration]:
        """The declared migration that leads into ``major``, with the version that carries it."""
        versions = [v for v in self.catalog.accepted(name) if version_key(v)[0] == major]
        for version in dict.fromkeys([f"{major}.0.0", *versions]):
            declared = self.catalog.migration(name, version)
            if declared is not None:
                return version, parse_migration(declared)
        raise UpcastError(f"'{name}' declares no migration into major {major}", code="migration-missing")

    def _chain_of(self, name: str, low: int, high: int) -> list[tuple[str, Migration]]:
        """The migrations from major ``low`` up to ``high``, lowest first (a migration may skip a major)."""
        chain: list[tuple[str, Migration]] = []
        major = high
        while major > low:
            version, migration = self._migration_into(name, major)
            if migration.source < low:
                raise UpcastError(f"no migration path from '{name}' major {low} to {high}", code="migration-missing")
            chain.append((version, migration))
            major = migration.source
        return chain[::-1]

    def _upward(self, name: str, version: str, low: int, high: int, target: str) -> list[Step]:
        steps: list[Step] = []
        current = version
        for carrier, migration in self._chain_of(name, low, high):
            newest = self.catalog.current(name, migration.source)
            if newest is not None and version_key(newest) > version_key(current):
                steps.append(self._within(name, current, newest))
            steps.append(_migrating(migration.upgrade, carrier))
            current = carrier
        steps.append(self._within(name, current, target))
        return steps

    def _downward(self, name: str, version: str, high: int, low: int, target: str) -> list[Step]:
        steps: list[Step] = []
        for _carrier, migration in reversed(self._chain_of(name, low, high)):
            older = self.catalog.current(name, migration.source)
            if older is None:
                raise UpcastError(
                    f"'{name}' has no accepted version of major {migration.source}", code="no-accepted-version"
                )
            steps.append(_migrating(migration.downgrade, older))
            steps.append(_pruning(self.catalog.document(name, older) or {}))
        steps.append(self._within(name, self.catalog.current(name, low) or target, target))
        return steps


def _same(document: dict[str, Any]) -> dict[str, Any]:
    return document


def _chain(steps: list[Step]) -> Step:
    def run(document: dict[str, Any]) -> dict[str, Any]:
        for step in steps:
            document = step(document)
        return document

    return steps[0] if len(steps) == 1 else run


def _migrating(convert: Step, version: str) -> Step:
    def run(document: dict[str, Any]) -> dict[str, Any]:
        try:
            result = convert(document)
        except MigrationApplyError as exc:
            raise UpcastError(exc.message, code=exc.code) from None
        result["schema_version"] = version
        return result

    return run


Fill = tuple[tuple[str, ...], str, Any]  # (path of the parent object, member, default)


def _properties(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    """The ``properties`` of an object schema, following one local ``#/$defs/…`` reference."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/$defs/"):
        schema = root.get("$defs", {}).get(schema["$ref"][len("#/$defs/") :], {})
    found = schema.get("properties") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def _added_defaults(older: dict[str, Any], newer: dict[str, Any], path: tuple[str, ...]) -> Iterable[Fill]:
    """Members ``newer`` declares with a ``default`` that ``older`` does not declare, at each level of objects."""

    def walk(old: Any, new: Any, where: tuple[str, ...]) -> Iterable[Fill]:
        old_props, new_props = _properties(old, older), _properties(new, newer)
        for member, schema in new_props.items():
            if member not in old_props:
                if isinstance(schema, dict) and "default" in schema:
                    yield where, member, schema["default"]
            else:
                yield from walk(old_props[member], schema, (*where, member))

    return walk(older, newer, path)


def _relabelled(document: dict[str, Any], version: str, fills: tuple[Fill, ...]) -> dict[str, Any]:
    # Copy only the objects that change: the rest of the document is shared with the input, which stays untouched.
    result = dict(document)
    result["schema_version"] = version
    for where, member, default in fills:
        node: Any = result
        for step in where:
            child = node.get(step) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                node = None
                break
            copied = dict(child)
            node[step] = copied
            node = copied
        if isinstance(node, dict) and member not in node:
            node[member] = copy_json(default)
    return result


def _pruning(schema: dict[str, Any]) -> Step:
    """A step that drops the members closed objects of ``schema`` do not declare (after a way down: a later minor
    of the newer major may carry members the declared ``down`` operations never heard of)."""
    return lambda document: _pruned(document, schema)


def _pruned(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:

    def walk(node: Any, part: Any) -> None:
        if not isinstance(node, dict):
            return
        props = _properties(part, schema)
        closed = isinstance(part, dict) and part.get("additionalProperties") is False
        for member in list(node):
            if member in props:
                walk(node[member], props[member])
            elif closed:
                del node[member]

    walk(document, schema)
    return document
