# SPDX-License-Identifier: EUPL-1.2
"""The recursive walk that compares an OLD and a NEW schema and lists every change as a typed :class:`Change`.

Both schemas come in the form of :mod:`governance.compat_schema` (references followed, equivalent forms written
one way). The walk goes keyword by keyword; what a change breaks is never decided here but looked up in the table
of :mod:`governance.compat_rules`. Keywords of a JSON type are compared only when both schemas accept that type:
a ``maxLength`` does not matter once strings are refused, and the type change already says so. Objects and arrays
(content models) are compared in :mod:`governance.compat_objects`, combinations in :mod:`governance.compat_logic`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from governance import compat_logic, compat_objects
from governance.compat_rules import ChangeType
from governance.compat_schema import canonical, is_annotation

__all__ = ["Change", "Walk"]

_ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
_BOUNDS = {
    "maxLength": "MAX_LENGTH", "minLength": "MIN_LENGTH", "maximum": "MAXIMUM", "minimum": "MINIMUM",
    "exclusiveMaximum": "EXCLUSIVE_MAXIMUM", "exclusiveMinimum": "EXCLUSIVE_MINIMUM",
    "maxProperties": "MAX_PROPERTIES", "minProperties": "MIN_PROPERTIES",
    "maxItems": "MAX_ITEMS", "minItems": "MIN_ITEMS",
}  # fmt: skip
_HANDLED = frozenset(
    {
        "type", "enum", "const", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "required", "additionalProperties",
        "patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired",
        "dependentSchemas", "prefixItems", "items", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf",
        "not", "if", "then", "else",
    }
)  # fmt: skip
_ANNOTATION_CHANGES = {
    "title": ChangeType.TITLE_CHANGED,
    "description": ChangeType.DESCRIPTION_CHANGED,
    "default": ChangeType.DEFAULT_CHANGED,
}


@dataclass(frozen=True)
class Change:
    """One change from OLD to NEW: its type, where (a JSON pointer into the schema, references followed) and details."""

    type: ChangeType
    pointer: str
    detail: str = ""

    @property
    def description(self) -> str:
        """The change in plain words: the type's summary and, where known, the values involved."""
        return f"{self.type.summary} ({self.detail})" if self.detail else self.type.summary


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else None
    if names is None:
        return _ALL_TYPES
    found = {name for name in names if name in _ALL_TYPES}
    return frozenset(found | {"integer"} if "number" in found else found)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Walk:
    """Collects the changes between two schema trees; :meth:`diff` is the recursive step."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def emit(self, change: ChangeType, pointer: str, detail: str = "") -> None:
        """Record one change."""
        self.changes.append(Change(change, pointer, detail))

    def trial(self, old: Any, new: Any, pointer: str) -> list[Change]:
        """The changes between two subschemas, without recording them (to choose between candidate pairs)."""
        walk = Walk()
        walk.diff(old, new, pointer)
        return walk.changes

    def adopt(self, changes: list[Change]) -> None:
        """Record changes found by :meth:`trial`."""
        self.changes.extend(changes)

    def diff(self, old: Any, new: Any, pointer: str) -> None:
        """Compare two (normalised) schemas found at ``pointer``."""
        if old is False or new is False:
            if old is not new:
                opened = old is False
                self.emit(ChangeType.FALSE_SCHEMA_REPLACED if opened else ChangeType.SCHEMA_REPLACED_BY_FALSE, pointer)
            return
        if not isinstance(old, dict) or not isinstance(new, dict) or canonical(old) == canonical(new):
            return
        for keyword, change in _ANNOTATION_CHANGES.items():
            if (keyword in old or keyword in new) and canonical(old.get(keyword)) != canonical(new.get(keyword)):
                self.emit(change, f"{pointer}/{keyword}")
        if compat_logic.lift_union(self, old, new, pointer):
            return
        types_old, types_new = _types(old), _types(new)
        self._type(types_old, types_new, pointer)
        shared = types_old & types_new
        self._values(old, new, pointer)
        if "string" in shared:
            for keyword in ("maxLength", "minLength"):
                self.bound(old, new, keyword, pointer)
            self._text_rule(old, new, "pattern", "PATTERN", pointer)
            self._text_rule(old, new, "format", "FORMAT", pointer)
        if shared & {"number", "integer"}:
            for keyword in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
                self.bound(old, new, keyword, pointer)
            self._multiple_of(old, new, pointer)
        if "object" in shared:
            compat_objects.compare_objects(self, old, new, pointer)
        if "array" in shared:
            compat_objects.compare_arrays(self, old, new, pointer)
        compat_logic.compare_combinations(self, old, new, pointer)
        compat_logic.compare_not(self, old, new, pointer)
        compat_logic.compare_conditions(self, old, new, pointer)
        for keyword in sorted((set(old) | set(new)) - _HANDLED):
            if not is_annotation(keyword) and canonical(old.get(keyword)) != canonical(new.get(keyword)):
                self.emit(ChangeType.KEYWORD_CHANGED, f"{pointer}/{keyword}", f"'{keyword}'")

    def _type(self, old: frozenset[str], new: frozenset[str], pointer: str) -> None:
        if old == new:
            return
        if new > old:
            change = ChangeType.TYPE_EXTENDED
        else:
            change = ChangeType.TYPE_NARROWED if new < old else ChangeType.TYPE_CHANGED
        self.emit(change, f"{pointer}/type", f"{_type_names(old)} → {_type_names(new)}")

    def _values(self, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        values_old, values_new = _allowed_values(old), _allowed_values(new)
        keyword = "const" if "const" in new or ("const" in old and "enum" not in new) else "enum"
        at = f"{pointer}/{keyword}"
        if values_old is None and values_new is None:
            return
        if values_old is None:
            self.emit(ChangeType.CONST_ADDED if keyword == "const" else ChangeType.ENUM_ADDED, at)
        elif values_new is None:
            self.emit(ChangeType.CONST_REMOVED if keyword == "const" else ChangeType.ENUM_REMOVED, at)
        elif set(values_old) != set(values_new):
            added, removed = set(values_new) - set(values_old), set(values_old) - set(values_new)
            detail = _listing("added", added, values_new) + _listing("removed", removed, values_old)
            if "const" in old and "const" in new and "enum" not in old and "enum" not in new:
                change = ChangeType.CONST_CHANGED
            elif not removed:
                change = ChangeType.ENUM_ARRAY_EXTENDED
            elif not added:
                change = ChangeType.ENUM_ARRAY_NARROWED
            else:
                change = ChangeType.ENUM_ARRAY_CHANGED
            self.emit(change, at, detail.strip("; "))

    def bound(self, old: dict[str, Any], new: dict[str, Any], keyword: str, pointer: str) -> None:
        """Compare one numeric bound: added, removed, raised or lowered (directions from the table)."""
        value_old, value_new = old.get(keyword), new.get(keyword)
        if value_old is None and value_new is None:
            return
        prefix, at = _BOUNDS[keyword], f"{pointer}/{keyword}"
        if value_old is None or value_new is None:
            suffix = "ADDED" if value_old is None else "REMOVED"
            self.emit(ChangeType[f"{prefix}_{suffix}"], at, f"{value_new if value_old is None else value_old}")
        elif not (_number(value_old) and _number(value_new)):
            if canonical(value_old) != canonical(value_new):
                self.emit(ChangeType.KEYWORD_CHANGED, at, f"'{keyword}'")
        elif value_old != value_new:
            suffix = "INCREASED" if value_new > value_old else "DECREASED"
            self.emit(ChangeType[f"{prefix}_{suffix}"], at, f"{value_old} → {value_new}")

    def _text_rule(self, old: dict[str, Any], new: dict[str, Any], keyword: str, prefix: str, pointer: str) -> None:
        value_old, value_new = old.get(keyword), new.get(keyword)
        if value_old == value_new:
            return
        suffix = "ADDED" if value_old is None else "REMOVED" if value_new is None else "CHANGED"
        shown = " → ".join(repr(v) for v in (value_old, value_new) if v is not None)
        self.emit(ChangeType[f"{prefix}_{suffix}"], f"{pointer}/{keyword}", shown)

    def _multiple_of(self, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        value_old, value_new = old.get("multipleOf"), new.get("multipleOf")
        at = f"{pointer}/multipleOf"
        if value_old == value_new:
            return
        if value_old is None or value_new is None:
            change = ChangeType.MULTIPLE_OF_ADDED if value_old is None else ChangeType.MULTIPLE_OF_REMOVED
            self.emit(change, at, str(value_new if value_old is None else value_old))
            return
        if not (_number(value_old) and _number(value_new)) or value_old <= 0 or value_new <= 0:
            self.emit(ChangeType.KEYWORD_CHANGED, at, "'multipleOf'")
            return
        # Exact arithmetic: 0.1 is not a float multiple of 0.01, but it is a decimal one.
        ratio = Fraction(str(value_new)) / Fraction(str(value_old))
        if ratio.denominator == 1:
            change = ChangeType.MULTIPLE_OF_EXPANDED  # every new multiple is an old one, not the reverse
        elif ratio.numerator == 1:
            change = ChangeType.MULTIPLE_OF_REDUCED
        else:
            change = ChangeType.MULTIPLE_OF_CHANGED
        self.emit(change, at, f"{value_old} → {value_new}")


def _type_names(types: frozenset[str]) -> str:
    if types == _ALL_TYPES:
        return "any type"
    shown = types - {"integer"} if "number" in types else types
    return ", ".join(sorted(shown)) or "no type"


def _allowed_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The values a schema's ``enum``/``const`` allow, by canonical text; None when it has neither."""
    found: dict[str, Any] | None = None
    if isinstance(schema.get("enum"), list):
        found = {canonical(value): value for value in schema["enum"]}
    if "const" in schema:
        const = {canonical(schema["const"]): schema["const"]}
        found = const if found is None else {key: value for key, value in const.items() if key in found}
    return found


def _listing(label: str, keys: set[str], values: dict[str, Any]) -> str:
    if not keys:
        return ""
    shown = sorted(keys)
    more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
    return f"{label}: {', '.join(shown[:10])}{more}; "
