# SPDX-License-Identifier: EUPL-1.2
"""Objects and arrays in the compatibility walk: properties, required fields, tuples and their content models.

A *content model* says what an object allows beyond its declared properties (or an array beyond its tuple):

* **open**: anything (``additionalProperties`` absent or ``true``; ``items`` absent after ``prefixItems``);
* **closed**: nothing (``additionalProperties: false``; ``items: false``);
* **partially open**: what a schema allows (``patternProperties`` matching the name, or ``additionalProperties`` /
  ``items`` as a schema).

Whether adding or removing a property breaks a reader depends on the model on the *other* side: a property added
where OLD was open may clash with what old documents carried under that name (BACKWARD), a property added where OLD
was closed is refused by old readers (FORWARD), and where OLD was partially open the two schemas are compared.
The model is taken per property name, so a name that no pattern of a partially open object matches counts as open
or closed by its ``additionalProperties``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from governance.compat_rules import ChangeType
from governance.compat_schema import is_empty

if TYPE_CHECKING:
    from governance.compat_walk import Walk

__all__ = ["compare_arrays", "compare_objects"]

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _implicit(schema: dict[str, Any], name: str) -> Any:
    """The schema a property ``name`` gets when ``schema`` does not declare it: its content model for that name."""
    matching = []
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        try:
            if re.search(pattern, name):
                matching.append(sub)
        except re.error:
            continue  # a pattern Python cannot read matches nothing here; the validators decide the rest
    if matching:
        return matching[0] if len(matching) == 1 else {"allOf": matching}
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if keyword in schema:
            return schema[keyword]
    return {}


def compare_objects(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    """Compare the object keywords of two schemas."""
    props_old, props_new = old.get("properties") or {}, new.get("properties") or {}
    required_old, required_new = set(old.get("required") or []), set(new.get("required") or [])
    for name in [*props_old, *(n for n in props_new if n not in props_old)]:
        at = f"{pointer}/properties/{_escape(name)}"
        if name in props_old and name in props_new:
            _both(walk, name, props_old[name], props_new[name], at, root=pointer == "")
        elif name in props_new:
            _added(walk, _implicit(old, name), props_new[name], name in required_new - required_old, at)
        else:
            _removed(walk, props_old[name], _implicit(new, name), at)
        if name in required_new - required_old and name in props_old:
            walk.emit(ChangeType.REQUIRED_ATTRIBUTE_ADDED, at)
        if name in required_old - required_new:
            walk.emit(ChangeType.REQUIRED_ATTRIBUTE_REMOVED, at)
    for name in sorted((required_old ^ required_new) - set(props_old) - set(props_new)):
        added = name in required_new
        change = ChangeType.REQUIRED_ATTRIBUTE_ADDED if added else ChangeType.REQUIRED_ATTRIBUTE_REMOVED
        walk.emit(change, f"{pointer}/properties/{_escape(name)}")
    extra_old, extra_new = old.get("additionalProperties", {}), new.get("additionalProperties", {})
    _additional(walk, "ADDITIONAL_PROPERTIES", extra_old, extra_new, f"{pointer}/additionalProperties")
    patterns_old, patterns_new = old.get("patternProperties") or {}, new.get("patternProperties") or {}
    for pattern in [*patterns_old, *(p for p in patterns_new if p not in patterns_old)]:
        at = f"{pointer}/patternProperties/{_escape(pattern)}"
        if pattern in patterns_old and pattern in patterns_new:
            walk.diff(patterns_old[pattern], patterns_new[pattern], at)
        elif pattern in patterns_new:
            walk.emit(ChangeType.PATTERN_PROPERTY_ADDED, at)
            walk.diff(extra_old, patterns_new[pattern], at)
        else:
            walk.emit(ChangeType.PATTERN_PROPERTY_REMOVED, at)
            walk.diff(patterns_old[pattern], extra_new, at)
    if "propertyNames" in old or "propertyNames" in new:
        walk.diff(old.get("propertyNames", {}), new.get("propertyNames", {}), f"{pointer}/propertyNames")
    for keyword in ("maxProperties", "minProperties"):
        walk.bound(old, new, keyword, pointer)
    _dependencies(walk, old, new, pointer)


def _both(walk: Walk, name: str, old: Any, new: Any, at: str, *, root: bool) -> None:
    """A property in both schemas; at the root, ``schema_version`` naming the new version is no break."""
    if root and name == "schema_version" and isinstance(old, dict) and isinstance(new, dict):
        before, after = old.get("const"), new.get("const")
        if isinstance(before, str) and isinstance(after, str) and before != after and _versions(before, after):
            walk.emit(ChangeType.SCHEMA_VERSION_CHANGED, f"{at}/const", f"{before} → {after}")
            old = {k: v for k, v in old.items() if k != "const"}
            new = {k: v for k, v in new.items() if k != "const"}
    walk.diff(old, new, at)


def _versions(*values: str) -> bool:
    return all(_SEMVER.match(value) for value in values)


def _added(walk: Walk, before: Any, schema: Any, newly_required: bool, at: str) -> None:
    """A property NEW declares and OLD did not; ``before`` is what OLD allowed under that name."""
    if is_empty(before):
        if newly_required:
            walk.emit(ChangeType.REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, at)
        elif is_empty(schema):
            walk.emit(ChangeType.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, at)
        else:
            walk.emit(ChangeType.OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, at)
        return
    # Confluent's BACKWARD view (is it required?) first, then what old readers make of it (the content model).
    if newly_required:
        walk.emit(ChangeType.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, at)
    else:
        walk.emit(ChangeType.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, at)
    if before is False:
        closed = ChangeType.PROPERTY_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL
        walk.emit(closed if schema is False else ChangeType.PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL, at)
    else:
        walk.emit(ChangeType.PROPERTY_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL, at)
        walk.diff(before, schema, at)


def _removed(walk: Walk, schema: Any, after: Any, at: str) -> None:
    """A property OLD declared and NEW does not; ``after`` is what NEW allows under that name."""
    if is_empty(after):
        empty = is_empty(schema)
        walk.emit(
            ChangeType.PROPERTY_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL
            if empty
            else ChangeType.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
            at,
        )
    elif after is False:
        closed = ChangeType.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
        walk.emit(closed if schema is False else ChangeType.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, at)
    else:
        walk.emit(ChangeType.PROPERTY_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL, at)
        walk.diff(schema, after, at)


def _additional(walk: Walk, prefix: str, old: Any, new: Any, at: str) -> None:
    """``additionalProperties`` or tuple ``items``: allowed or not, and under which schema."""
    if (old is False) != (new is False):
        walk.emit(ChangeType[f"{prefix}_{'REMOVED' if new is False else 'ADDED'}"], at)
    elif old is not False:
        if is_empty(old) and not is_empty(new):
            walk.emit(ChangeType[f"{prefix}_NARROWED"], at)
        elif is_empty(new) and not is_empty(old):
            walk.emit(ChangeType[f"{prefix}_EXTENDED"], at)
        elif not is_empty(old):
            walk.diff(old, new, at)


def _dependencies(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    required_old, required_new = old.get("dependentRequired") or {}, new.get("dependentRequired") or {}
    for name in sorted(set(required_old) | set(required_new)):
        at = f"{pointer}/dependentRequired/{_escape(name)}"
        before, after = set(required_old.get(name, [])), set(required_new.get(name, []))
        if name not in required_new:
            walk.emit(ChangeType.DEPENDENCY_ARRAY_REMOVED, at)
        elif name not in required_old:
            walk.emit(ChangeType.DEPENDENCY_ARRAY_ADDED, at)
        elif before != after:
            change = (
                ChangeType.DEPENDENCY_ARRAY_EXTENDED
                if after > before
                else ChangeType.DEPENDENCY_ARRAY_NARROWED
                if after < before
                else ChangeType.DEPENDENCY_ARRAY_CHANGED
            )
            walk.emit(change, at, f"{', '.join(sorted(before))} → {', '.join(sorted(after))}")
    schemas_old, schemas_new = old.get("dependentSchemas") or {}, new.get("dependentSchemas") or {}
    for name in sorted(set(schemas_old) | set(schemas_new)):
        at = f"{pointer}/dependentSchemas/{_escape(name)}"
        if name not in schemas_new:
            walk.emit(ChangeType.DEPENDENCY_SCHEMA_REMOVED, at)
        elif name not in schemas_old:
            walk.emit(ChangeType.DEPENDENCY_SCHEMA_ADDED, at)
        else:
            walk.diff(schemas_old[name], schemas_new[name], at)


def compare_arrays(walk: Walk, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
    """Compare the array keywords of two schemas: item schemas, tuples and their content model, bounds."""
    tuple_old, tuple_new = old.get("prefixItems"), new.get("prefixItems")
    items_old, items_new = old.get("items", {}), new.get("items", {})
    if tuple_old is None and tuple_new is None:
        if "items" in old or "items" in new:
            walk.diff(items_old, items_new, f"{pointer}/items")
    else:
        tuple_old, tuple_new = tuple_old or [], tuple_new or []
        for index in range(max(len(tuple_old), len(tuple_new))):
            at = f"{pointer}/prefixItems/{index}"
            if index < len(tuple_old) and index < len(tuple_new):
                walk.diff(tuple_old[index], tuple_new[index], at)
            elif index < len(tuple_new):
                _item_added(walk, items_old, tuple_new[index], at)
            else:
                _item_removed(walk, tuple_old[index], items_new, at)
        _additional(walk, "ADDITIONAL_ITEMS", items_old, items_new, f"{pointer}/items")
    for keyword in ("maxItems", "minItems"):
        walk.bound(old, new, keyword, pointer)
    if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
        unique = ChangeType.UNIQUE_ITEMS_ADDED if new.get("uniqueItems") else ChangeType.UNIQUE_ITEMS_REMOVED
        walk.emit(unique, f"{pointer}/uniqueItems")


def _item_added(walk: Walk, before: Any, schema: Any, at: str) -> None:
    if is_empty(before):
        empty = is_empty(schema)
        walk.emit(
            ChangeType.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            if empty
            else ChangeType.ITEM_ADDED_TO_OPEN_CONTENT_MODEL,
            at,
        )
    elif before is False:
        closed = ChangeType.ITEM_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL
        walk.emit(closed if schema is False else ChangeType.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, at)
    else:
        walk.emit(ChangeType.ITEM_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL, at)
        walk.diff(before, schema, at)


def _item_removed(walk: Walk, schema: Any, after: Any, at: str) -> None:
    if is_empty(after):
        empty = is_empty(schema)
        walk.emit(
            ChangeType.ITEM_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL
            if empty
            else ChangeType.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
            at,
        )
    elif after is False:
        closed = ChangeType.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
        walk.emit(closed if schema is False else ChangeType.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, at)
    else:
        walk.emit(ChangeType.ITEM_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL, at)
        walk.diff(schema, after, at)
