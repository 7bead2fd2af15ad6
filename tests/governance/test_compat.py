# SPDX-License-Identifier: EUPL-1.2
"""The schema compatibility check: one small OLD/NEW pair per rule, checked three ways.

Every case names the changes it must produce and the verdict per direction. Each case is then checked against real
validation: over a pool of JSON values, a direction judged compatible must never refuse a value the other schema
accepts, and (for the exact rules) a direction judged broken must have a witness in the pool. Comparing NEW with
OLD must mirror the verdicts (BACKWARD one way is FORWARD the other way). The standard's own files close the file.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema_rs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from governance.compat import ChangeType, Level, check_files, diff_schemas, parse_level
from governance.compat_rules import BACKWARD, FORWARD
from governance.compiled import registry
from governance.errors import InvalidInputError
from tests.factories import make_signal

ROOT = Path(__file__).resolve().parents[2]
SIGNAL = ROOT / "schema" / "signal" / "1.0.0.json"
CHANNELS = "https://standaard.hartslag.nl/schema/codelists/channels.json"
D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"


class Case(NamedTuple):
    name: str
    old: Any
    new: Any
    changes: list[tuple[str, str]]  # (change type, pointer), in any order
    backward: bool  # NEW accepts everything OLD accepted
    forward: bool  # OLD accepts everything NEW accepts
    exact: bool = True  # a broken direction has a witness in the value pool (False: the rule is conservative)
    pool: bool = True  # check against real validation (False when the case deviates from it on purpose)


def obj(props: dict[str, Any], *, required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """An object schema with ``props``; ``extra`` adds keywords (``additionalProperties=False`` closes it)."""
    out: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = list(required)
    return out


INT, STR, NUM = {"type": "integer"}, {"type": "string"}, {"type": "number"}
PARTIAL = {"patternProperties": {"^x_": STR}, "additionalProperties": False}


def bounds(keyword: str, base: dict[str, Any], small: int, large: int) -> list[Case]:
    """The four cases of one numeric bound: added, removed, raised and lowered."""
    upper = keyword.startswith(("max", "exclusiveMax"))
    prefix = "".join("_" + c if c.isupper() else c.upper() for c in keyword)  # maxLength: MAX_LENGTH
    bound = large if upper else small
    at = f"/{keyword}"
    return [
        Case(f"{keyword}-added", base, {**base, keyword: bound}, [(f"{prefix}_ADDED", at)], False, True),
        Case(f"{keyword}-removed", {**base, keyword: bound}, base, [(f"{prefix}_REMOVED", at)], True, False),
        Case(f"{keyword}-raised", {**base, keyword: small}, {**base, keyword: large}, [(f"{prefix}_INCREASED", at)],
             upper, not upper),
        Case(f"{keyword}-lowered", {**base, keyword: large}, {**base, keyword: small}, [(f"{prefix}_DECREASED", at)],
             not upper, upper),
    ]  # fmt: skip


ARRAY, OBJECT = {"type": "array"}, {"type": "object"}
TUPLE = [INT]
CASES: list[Case] = [
    # Annotations change no verdict.
    Case("title", {**STR, "title": "A"}, {**STR, "title": "B"}, [("TITLE_CHANGED", "/title")], True, True),
    Case("description", {**STR, "description": "a"}, STR, [("DESCRIPTION_CHANGED", "/description")], True, True),
    Case("default", {**STR, "default": "a"}, {**STR, "default": "b"}, [("DEFAULT_CHANGED", "/default")], True, True),
    Case("id", {"$id": "https://example.org/s/1.json", **STR}, {"$id": "https://example.org/s/2.json", **STR},
         [("ID_CHANGED", "/$id")], True, True),
    Case("schema-version-at-root", obj({"schema_version": {"const": "1.0.0"}}, required=("schema_version",)),
         obj({"schema_version": {"const": "1.1.0"}}, required=("schema_version",)),
         [("SCHEMA_VERSION_CHANGED", "/properties/schema_version/const")], True, True, pool=False),
    Case("schema-version-nested-is-a-const", obj({"m": obj({"schema_version": {"const": "1.0.0"}})}),
         obj({"m": obj({"schema_version": {"const": "1.1.0"}})}),
         [("CONST_CHANGED", "/properties/m/properties/schema_version/const")], False, False, exact=False),
    # The schema as a whole, types, enum and const.
    Case("false-schema", obj({"a": {}}), obj({"a": False}), [("SCHEMA_REPLACED_BY_FALSE", "/properties/a")],
         False, True),
    Case("false-schema-opened", obj({"a": False}), obj({"a": INT}), [("FALSE_SCHEMA_REPLACED", "/properties/a")],
         True, False),
    Case("integer-to-number", INT, NUM, [("TYPE_EXTENDED", "/type")], True, False),
    Case("number-to-integer", NUM, INT, [("TYPE_NARROWED", "/type")], False, True),
    Case("type-nullable", STR, {"type": ["string", "null"]}, [("TYPE_EXTENDED", "/type")], True, False),
    Case("type-added", {}, STR, [("TYPE_NARROWED", "/type")], False, True),
    Case("type-changed", STR, INT, [("TYPE_CHANGED", "/type")], False, False),
    Case("type-changed-hides-string-rules", {**STR, "maxLength": 3}, {**INT, "maxLength": 10},
         [("TYPE_CHANGED", "/type")], False, False),
    Case("enum-added", STR, {**STR, "enum": ["low", "high"]}, [("ENUM_ADDED", "/enum")], False, True),
    Case("enum-removed", {**STR, "enum": ["low", "high"]}, STR, [("ENUM_REMOVED", "/enum")], True, False),
    Case("enum-extended", {"enum": ["low"]}, {"enum": ["low", "high"]}, [("ENUM_ARRAY_EXTENDED", "/enum")],
         True, False),
    Case("enum-narrowed", {"enum": ["low", "high"]}, {"enum": ["low"]}, [("ENUM_ARRAY_NARROWED", "/enum")],
         False, True),
    Case("enum-changed", {"enum": ["low", "high"]}, {"enum": ["low", "mid"]}, [("ENUM_ARRAY_CHANGED", "/enum")],
         False, False),
    Case("enum-same-values-other-order", {"enum": ["low", 1]}, {"enum": [1.0, "low"]}, [], True, True),
    Case("const-added", STR, {**STR, "const": "low"}, [("CONST_ADDED", "/const")], False, True),
    Case("const-removed", {**STR, "const": "low"}, STR, [("CONST_REMOVED", "/const")], True, False),
    Case("const-changed", {"const": "low"}, {"const": "high"}, [("CONST_CHANGED", "/const")], False, False),
    Case("const-to-enum", {"const": "low"}, {"enum": ["low", "high"]}, [("ENUM_ARRAY_EXTENDED", "/enum")],
         True, False),
    # Strings and numbers: bounds, pattern, format, multipleOf.
    *bounds("maxLength", STR, 3, 10),
    *bounds("minLength", STR, 1, 3),
    Case("pattern-added", STR, {**STR, "pattern": "^a"}, [("PATTERN_ADDED", "/pattern")], False, True),
    Case("pattern-removed", {**STR, "pattern": "^a"}, STR, [("PATTERN_REMOVED", "/pattern")], True, False),
    Case("pattern-changed", {**STR, "pattern": "^a"}, {**STR, "pattern": "^b"}, [("PATTERN_CHANGED", "/pattern")],
         False, False),
    Case("pattern-loosened-is-still-a-change", {**STR, "pattern": "^ab"}, {**STR, "pattern": "^a"},
         [("PATTERN_CHANGED", "/pattern")], False, False, exact=False),
    Case("format-added", STR, {**STR, "format": "date"}, [("FORMAT_ADDED", "/format")], False, True),
    Case("format-removed", {**STR, "format": "date"}, STR, [("FORMAT_REMOVED", "/format")], True, False),
    Case("format-changed", {**STR, "format": "date"}, {**STR, "format": "email"}, [("FORMAT_CHANGED", "/format")],
         False, False),
    *bounds("maximum", NUM, 5, 10),
    *bounds("minimum", NUM, 1, 3),
    *bounds("exclusiveMaximum", NUM, 5, 10),
    *bounds("exclusiveMinimum", NUM, 1, 3),
    Case("draft4-exclusive-flag", {"$schema": D4, **NUM, "maximum": 5, "exclusiveMaximum": True},
         {**NUM, "exclusiveMaximum": 5}, [], True, True),
    Case("multipleOf-added", NUM, {**NUM, "multipleOf": 2}, [("MULTIPLE_OF_ADDED", "/multipleOf")], False, True),
    Case("multipleOf-removed", {**NUM, "multipleOf": 2}, NUM, [("MULTIPLE_OF_REMOVED", "/multipleOf")], True, False),
    Case("multipleOf-expanded", {**NUM, "multipleOf": 2}, {**NUM, "multipleOf": 4},
         [("MULTIPLE_OF_EXPANDED", "/multipleOf")], False, True),
    Case("multipleOf-reduced", {**NUM, "multipleOf": 0.5}, {**NUM, "multipleOf": 0.25},
         [("MULTIPLE_OF_REDUCED", "/multipleOf")], True, False),
    Case("multipleOf-changed", {**NUM, "multipleOf": 2}, {**NUM, "multipleOf": 3},
         [("MULTIPLE_OF_CHANGED", "/multipleOf")], False, False),
    # Objects: required fields.
    Case("required-added", obj({"a": INT}, additionalProperties=False),
         obj({"a": INT}, required=("a",), additionalProperties=False),
         [("REQUIRED_ATTRIBUTE_ADDED", "/properties/a")], False, True),
    Case("required-removed", obj({"a": INT}, required=("a",)), obj({"a": INT}),
         [("REQUIRED_ATTRIBUTE_REMOVED", "/properties/a")], True, False),
    Case("required-undeclared-added", OBJECT, {**OBJECT, "required": ["b"]},
         [("REQUIRED_ATTRIBUTE_ADDED", "/properties/b")], False, True),
    # Objects: properties added to and removed from open, closed and partially open content models.
    Case("open-required-added", obj({"a": INT}), obj({"a": INT, "b": INT}, required=("b",)),
         [("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")], False, True),
    Case("open-optional-added", obj({"a": INT}), obj({"a": INT, "b": INT}),
         [("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")], False, True),
    Case("open-anything-added", obj({"a": INT}), obj({"a": INT, "b": {}}),
         [("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")], True, True),
    Case("closed-required-added", obj({"a": INT}, additionalProperties=False),
         obj({"a": INT, "b": INT}, required=("b",), additionalProperties=False),
         [("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/b"),
          ("PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL", "/properties/b")], False, False),
    Case("closed-optional-added", obj({"a": INT}, additionalProperties=False),
         obj({"a": INT, "b": INT}, additionalProperties=False),
         [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/b"),
          ("PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL", "/properties/b")], True, False),
    Case("closed-false-added", obj({"a": INT}, additionalProperties=False),
         obj({"a": INT, "b": False}, additionalProperties=False),
         [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/b"),
          ("PROPERTY_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL", "/properties/b")], True, True),
    Case("partial-pattern-added", obj({"a": INT}, **PARTIAL),
         obj({"a": INT, "x_a": {**STR, "maxLength": 3}}, **PARTIAL),
         [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/x_a"),
          ("PROPERTY_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL", "/properties/x_a"),
          ("MAX_LENGTH_ADDED", "/properties/x_a/maxLength")], False, True),
    Case("partial-additional-added", obj({"a": INT}, additionalProperties=STR),
         obj({"a": INT, "b": {"type": ["string", "integer"]}}, additionalProperties=STR),
         [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/b"),
          ("PROPERTY_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL", "/properties/b"),
          ("TYPE_EXTENDED", "/properties/b/type")], True, False),
    Case("open-removed", obj({"a": INT, "b": INT}), obj({"a": INT}),
         [("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "/properties/b")], True, False),
    Case("open-anything-removed", obj({"a": INT, "b": {}}), obj({"a": INT}),
         [("PROPERTY_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL", "/properties/b")], True, True),
    Case("closed-removed", obj({"a": INT, "b": INT}, additionalProperties=False),
         obj({"a": INT}, additionalProperties=False),
         [("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")], False, True),
    Case("closed-false-removed", obj({"a": INT, "b": False}, additionalProperties=False),
         obj({"a": INT}, additionalProperties=False),
         [("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")], True, True),
    Case("partial-removed", obj({"a": INT, "x_a": {**STR, "maxLength": 3}}, **PARTIAL), obj({"a": INT}, **PARTIAL),
         [("PROPERTY_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL", "/properties/x_a"),
          ("MAX_LENGTH_REMOVED", "/properties/x_a/maxLength")], True, False),
    Case("additional-allowed", obj({"a": INT}, additionalProperties=False), obj({"a": INT}),
         [("ADDITIONAL_PROPERTIES_ADDED", "/additionalProperties")], True, False),
    Case("additional-forbidden", obj({"a": INT}), obj({"a": INT}, additionalProperties=False),
         [("ADDITIONAL_PROPERTIES_REMOVED", "/additionalProperties")], False, True),
    Case("additional-any-form", obj({"a": INT}, additionalProperties=INT), obj({"a": INT}),
         [("ADDITIONAL_PROPERTIES_EXTENDED", "/additionalProperties")], True, False),
    Case("additional-schema-set", obj({"a": INT}), obj({"a": INT}, additionalProperties=INT),
         [("ADDITIONAL_PROPERTIES_NARROWED", "/additionalProperties")], False, True),
    Case("additional-schema-widened", obj({}, additionalProperties=INT), obj({}, additionalProperties=NUM),
         [("TYPE_EXTENDED", "/additionalProperties/type")], True, False),
    Case("pattern-property-added-closed", obj({"a": INT}, additionalProperties=False), obj({"a": INT}, **PARTIAL),
         [("PATTERN_PROPERTY_ADDED", "/patternProperties/^x_"), ("FALSE_SCHEMA_REPLACED", "/patternProperties/^x_")],
         True, False),
    Case("pattern-property-added-open", obj({"a": INT}), obj({"a": INT}, patternProperties={"^x_": STR}),
         [("PATTERN_PROPERTY_ADDED", "/patternProperties/^x_"), ("TYPE_NARROWED", "/patternProperties/^x_/type")],
         False, True),
    Case("pattern-property-removed", obj({"a": INT}, **PARTIAL), obj({"a": INT}, additionalProperties=False),
         [("PATTERN_PROPERTY_REMOVED", "/patternProperties/^x_"),
          ("SCHEMA_REPLACED_BY_FALSE", "/patternProperties/^x_")], False, True),
    Case("property-names-added", OBJECT, {**OBJECT, "propertyNames": {"maxLength": 1}},
         [("MAX_LENGTH_ADDED", "/propertyNames/maxLength")], False, True),
    *bounds("maxProperties", OBJECT, 1, 2),
    *bounds("minProperties", OBJECT, 1, 2),
    Case("dependent-added", OBJECT, {**OBJECT, "dependentRequired": {"a": ["b"]}},
         [("DEPENDENCY_ARRAY_ADDED", "/dependentRequired/a")], False, True),
    Case("dependent-removed", {**OBJECT, "dependentRequired": {"a": ["b"]}}, OBJECT,
         [("DEPENDENCY_ARRAY_REMOVED", "/dependentRequired/a")], True, False),
    Case("dependent-extended", {**OBJECT, "dependentRequired": {"a": ["b"]}},
         {**OBJECT, "dependentRequired": {"a": ["b", "x"]}}, [("DEPENDENCY_ARRAY_EXTENDED", "/dependentRequired/a")],
         False, True),
    Case("dependent-narrowed", {**OBJECT, "dependentRequired": {"a": ["b", "x"]}},
         {**OBJECT, "dependentRequired": {"a": ["b"]}}, [("DEPENDENCY_ARRAY_NARROWED", "/dependentRequired/a")],
         True, False),
    Case("dependent-changed", {**OBJECT, "dependentRequired": {"a": ["b"]}},
         {**OBJECT, "dependentRequired": {"a": ["x"]}}, [("DEPENDENCY_ARRAY_CHANGED", "/dependentRequired/a")],
         False, False),
    Case("draft7-dependencies", {"$schema": D7, **OBJECT, "dependencies": {"a": ["b"]}},
         {**OBJECT, "dependentRequired": {"a": ["b"]}}, [], True, True),
    Case("dependent-schema-added", OBJECT, {**OBJECT, "dependentSchemas": {"a": {"required": ["b"]}}},
         [("DEPENDENCY_SCHEMA_ADDED", "/dependentSchemas/a")], False, True),
    Case("dependent-schema-removed", {**OBJECT, "dependentSchemas": {"a": {"required": ["b"]}}}, OBJECT,
         [("DEPENDENCY_SCHEMA_REMOVED", "/dependentSchemas/a")], True, False),
    Case("dependent-schema-changed", {**OBJECT, "dependentSchemas": {"a": obj({"b": INT})}},
         {**OBJECT, "dependentSchemas": {"a": obj({"b": NUM})}},
         [("TYPE_EXTENDED", "/dependentSchemas/a/properties/b/type")], True, False),
    # Arrays: items, bounds, uniqueness and tuples with their content model.
    Case("items-widened", {**ARRAY, "items": INT}, {**ARRAY, "items": NUM}, [("TYPE_EXTENDED", "/items/type")],
         True, False),
    Case("items-set", ARRAY, {**ARRAY, "items": INT}, [("TYPE_NARROWED", "/items/type")], False, True),
    *bounds("maxItems", ARRAY, 1, 3),
    *bounds("minItems", ARRAY, 1, 2),
    Case("unique-added", ARRAY, {**ARRAY, "uniqueItems": True}, [("UNIQUE_ITEMS_ADDED", "/uniqueItems")], False, True),
    Case("unique-removed", {**ARRAY, "uniqueItems": True}, {**ARRAY, "uniqueItems": False},
         [("UNIQUE_ITEMS_REMOVED", "/uniqueItems")], True, False),
    Case("tuple-closed-added", {**ARRAY, "prefixItems": TUPLE, "items": False},
         {**ARRAY, "prefixItems": [INT, STR], "items": False},
         [("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "/prefixItems/1")], True, False),
    Case("tuple-closed-false-added", {**ARRAY, "prefixItems": TUPLE, "items": False},
         {**ARRAY, "prefixItems": [INT, False], "items": False},
         [("ITEM_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL", "/prefixItems/1")], True, True),
    Case("tuple-open-added", {**ARRAY, "prefixItems": TUPLE}, {**ARRAY, "prefixItems": [INT, STR]},
         [("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "/prefixItems/1")], False, True),
    Case("tuple-open-anything-added", {**ARRAY, "prefixItems": TUPLE}, {**ARRAY, "prefixItems": [INT, {}]},
         [("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "/prefixItems/1")], True, True),
    Case("tuple-partial-added", {**ARRAY, "prefixItems": TUPLE, "items": INT},
         {**ARRAY, "prefixItems": [INT, {**INT, "maximum": 5}], "items": INT},
         [("ITEM_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL", "/prefixItems/1"),
          ("MAXIMUM_ADDED", "/prefixItems/1/maximum")], False, True),
    Case("tuple-open-removed", {**ARRAY, "prefixItems": [INT, STR]}, {**ARRAY, "prefixItems": TUPLE},
         [("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", "/prefixItems/1")], True, False),
    Case("tuple-open-anything-removed", {**ARRAY, "prefixItems": [INT, {}]}, {**ARRAY, "prefixItems": TUPLE},
         [("ITEM_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL", "/prefixItems/1")], True, True),
    Case("tuple-closed-removed", {**ARRAY, "prefixItems": [INT, STR], "items": False},
         {**ARRAY, "prefixItems": TUPLE, "items": False},
         [("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/prefixItems/1")], False, True),
    Case("tuple-closed-false-removed", {**ARRAY, "prefixItems": [INT, False], "items": False},
         {**ARRAY, "prefixItems": TUPLE, "items": False},
         [("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/prefixItems/1")], True, True),
    Case("tuple-partial-removed", {**ARRAY, "prefixItems": [INT, {**INT, "maximum": 5}], "items": INT},
         {**ARRAY, "prefixItems": TUPLE, "items": INT},
         [("ITEM_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL", "/prefixItems/1"),
          ("MAXIMUM_REMOVED", "/prefixItems/1/maximum")], True, False),
    Case("tuple-rest-allowed", {**ARRAY, "prefixItems": TUPLE, "items": False}, {**ARRAY, "prefixItems": TUPLE},
         [("ADDITIONAL_ITEMS_ADDED", "/items")], True, False),
    Case("tuple-rest-forbidden", {**ARRAY, "prefixItems": TUPLE}, {**ARRAY, "prefixItems": TUPLE, "items": False},
         [("ADDITIONAL_ITEMS_REMOVED", "/items")], False, True),
    Case("tuple-rest-any-form", {**ARRAY, "prefixItems": TUPLE, "items": INT}, {**ARRAY, "prefixItems": TUPLE},
         [("ADDITIONAL_ITEMS_EXTENDED", "/items")], True, False),
    Case("tuple-rest-schema-set", {**ARRAY, "prefixItems": TUPLE}, {**ARRAY, "prefixItems": TUPLE, "items": INT},
         [("ADDITIONAL_ITEMS_NARROWED", "/items")], False, True),
    Case("draft7-tuple", {"$schema": D7, **ARRAY, "items": TUPLE, "additionalItems": False},
         {**ARRAY, "prefixItems": TUPLE, "items": False}, [], True, True),
    # Combinations: anyOf/oneOf (sums), allOf (products), a switch between them, not, if/then/else.
    Case("anyOf-branch-added", {"anyOf": [INT, STR]}, {"anyOf": [INT, STR, {"type": "null"}]},
         [("SUM_TYPE_EXTENDED", "/anyOf/2")], True, False),
    Case("anyOf-branch-removed", {"anyOf": [INT, STR, {"type": "null"}]}, {"anyOf": [INT, STR]},
         [("SUM_TYPE_NARROWED", "/anyOf/2")], False, True),
    Case("oneOf-branch-added", {"oneOf": [INT, STR]}, {"oneOf": [STR, INT, {"type": "null"}]},
         [("SUM_TYPE_EXTENDED", "/oneOf/2")], True, False),
    Case("anyOf-branch-widened", {"anyOf": [{**STR, "maxLength": 3}, INT]}, {"anyOf": [{**STR, "maxLength": 10}, INT]},
         [("MAX_LENGTH_INCREASED", "/anyOf/0/maxLength")], True, False),
    Case("made-nullable-with-anyOf", STR, {"anyOf": [STR, {"type": "null"}]}, [("SUM_TYPE_EXTENDED", "/anyOf/1")],
         True, False),
    Case("nullable-anyOf-dropped", {"anyOf": [STR, {"type": "null"}]}, STR, [("SUM_TYPE_NARROWED", "/anyOf/1")],
         False, True),
    Case("anyOf-added", STR, {**STR, "anyOf": [{"maxLength": 3}, {"pattern": "^a"}]},
         [("SUM_TYPE_ADDED", "/anyOf")], False, True),
    Case("anyOf-added-to-anything", {}, {"anyOf": [INT, STR]}, [("SUM_TYPE_ADDED", "/anyOf")], False, True),
    Case("anyOf-removed", {**STR, "anyOf": [{"maxLength": 3}, {"pattern": "^a"}]}, STR,
         [("SUM_TYPE_REMOVED", "/anyOf")], True, False),
    Case("allOf-part-added", {**STR, "allOf": [{"minLength": 1}, {"maxLength": 10}]},
         {**STR, "allOf": [{"minLength": 1}, {"maxLength": 10}, {"pattern": "^a"}]},
         [("PRODUCT_TYPE_EXTENDED", "/allOf/2")], False, True),
    Case("allOf-part-removed", {**STR, "allOf": [{"minLength": 1}, {"maxLength": 10}, {"pattern": "^a"}]},
         {**STR, "allOf": [{"minLength": 1}, {"maxLength": 10}]}, [("PRODUCT_TYPE_NARROWED", "/allOf/2")], True, False),
    Case("allOf-added", STR, {**STR, "allOf": [{"maxLength": 3}, {"minLength": 1}]},
         [("PRODUCT_TYPE_EXTENDED", "/allOf/0"), ("PRODUCT_TYPE_EXTENDED", "/allOf/1")], False, True),
    Case("one-element-allOf-is-its-element", {**STR, "maxLength": 3}, {**STR, "allOf": [{"maxLength": 3}]},
         [], True, True),
    Case("oneOf-to-anyOf", {"oneOf": [INT, {**NUM, "minimum": 5}]}, {"anyOf": [INT, {**NUM, "minimum": 5}]},
         [("COMBINED_TYPE_EXTENDED", "/anyOf")], True, False),
    Case("anyOf-to-oneOf", {"anyOf": [INT, {**NUM, "minimum": 5}]}, {"oneOf": [INT, {**NUM, "minimum": 5}]},
         [("COMBINED_TYPE_NARROWED", "/oneOf")], False, True),
    Case("anyOf-to-allOf", {"anyOf": [INT, {**NUM, "minimum": 5}]}, {"allOf": [INT, {**NUM, "minimum": 5}]},
         [("COMBINED_TYPE_NARROWED", "/allOf")], False, True),
    Case("allOf-to-oneOf", {"allOf": [INT, {**NUM, "minimum": 5}]}, {"oneOf": [INT, {**NUM, "minimum": 5}]},
         [("COMBINED_TYPE_CHANGED", "/oneOf")], False, False),
    Case("not-added", STR, {**STR, "not": {"pattern": "^a"}}, [("NOT_ADDED", "/not")], False, True),
    Case("not-removed", {**STR, "not": {"pattern": "^a"}}, STR, [("NOT_REMOVED", "/not")], True, False),
    Case("not-inner-narrowed", {**STR, "not": {"enum": ["a", "ab"]}}, {**STR, "not": {"enum": ["a"]}},
         [("NOT_TYPE_NARROWED", "/not")], True, False),
    Case("not-inner-extended", {**STR, "not": {"enum": ["a"]}}, {**STR, "not": {"enum": ["a", "ab"]}},
         [("NOT_TYPE_EXTENDED", "/not")], False, True),
    Case("not-inner-changed", {**STR, "not": {"enum": ["a"]}}, {**STR, "not": {"enum": ["ab"]}},
         [("NOT_TYPE_CHANGED", "/not")], False, False),
    Case("condition-added", OBJECT,
         {**OBJECT, "if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b"]}},
         [("CONDITION_ADDED", "/if")], False, True),
    Case("condition-removed",
         {**OBJECT, "if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b"]}},
         OBJECT, [("CONDITION_REMOVED", "/if")], True, False),
    Case("condition-changed",
         {**OBJECT, "if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b"]}},
         {**OBJECT, "if": {"properties": {"a": {"const": "s"}}, "required": ["a"]}, "then": {"required": ["b"]}},
         [("CONDITION_CHANGED", "/if")], False, False),
    Case("condition-then-stricter",
         {**OBJECT, "if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b"]}},
         {**OBJECT, "if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b", "x"]}},
         [("REQUIRED_ATTRIBUTE_ADDED", "/then/properties/x")], False, True),
    Case("unknown-keyword-changed", {**ARRAY, "contains": INT}, {**ARRAY, "contains": STR},
         [("KEYWORD_CHANGED", "/contains")], False, False),
    # References: followed wherever they point, so that only what they mean is compared.
    Case("local-def-tightened", {"$defs": {"s": {**STR, "maxLength": 10}}, **obj({"a": {"$ref": "#/$defs/s"}})},
         {"$defs": {"s": {**STR, "maxLength": 3}}, **obj({"a": {"$ref": "#/$defs/s"}})},
         [("MAX_LENGTH_DECREASED", "/properties/a/maxLength")], False, True),
    Case("draft7-definition-inlined",
         {"$schema": D7, "definitions": {"s": STR}, **obj({"a": {"$ref": "#/definitions/s"}})},
         obj({"a": STR}), [], True, True),
    Case("code-list-ref-vs-enum", {"$ref": CHANNELS}, {"type": "string", "enum": ["phone", "web_form"]},
         [("ENUM_ARRAY_NARROWED", "/enum"), ("TITLE_CHANGED", "/title"), ("DESCRIPTION_CHANGED", "/description")],
         False, True, pool=False),
    Case("relative-code-list-ref", {"$ref": CHANNELS}, {"$ref": "../codelists/channels.json"}, [], True, True,
         pool=False),
    Case("recursive-tree",
         {"$defs": {"n": obj({"a": STR, "b": {**ARRAY, "items": {"$ref": "#/$defs/n"}}})}, "$ref": "#/$defs/n"},
         {"$defs": {"n": obj({"a": {**STR, "maxLength": 3}, "b": {**ARRAY, "items": {"$ref": "#/$defs/n"}}})},
          "$ref": "#/$defs/n"},
         [("MAX_LENGTH_ADDED", "/properties/a/maxLength")], False, True),
]  # fmt: skip


def _breaks(changes: list[Any]) -> set[str]:
    return {direction for change in changes for direction in change.type.breaks}


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES])
def test_rule(case: Case) -> None:
    changes = diff_schemas(case.old, case.new)
    assert sorted((c.type.name, c.pointer) for c in changes) == sorted(case.changes)
    broken = _breaks(changes)
    assert (BACKWARD not in broken, FORWARD not in broken) == (case.backward, case.forward)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES])
def test_reverse_comparison_mirrors_the_verdict(case: Case) -> None:
    broken = _breaks(diff_schemas(case.new, case.old))
    assert (BACKWARD not in broken, FORWARD not in broken) == (case.forward, case.backward)


def _pool() -> list[Any]:
    scalars = [None, True, False, -1, 0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 100, 0.5, 0.75, 1.5, 2.5, 5.5]
    strings = ["", "a", "ab", "abc", "abcd", "abcdefghijk", "b", "A", "2026-01-01", "a@b.nl", "low", "high", "mid"]
    arrays = [[], [1], [1, 2], [1, 1], [1, 10], ["a"], ["a", "b"], ["a", "a"], [1, "a"], ["a", 1], [1, 2, 3], [6]]
    arrays += [[1, None], [1.5], [1, 2, 3, 4, 5, 6]]
    objects: list[Any] = []
    for size in range(4):
        for keys in itertools.combinations(["a", "b", "x", "x_a"], size):
            for values in itertools.product([1, 1.5, "s", None, "abcd"], repeat=size):
                objects.append(dict(zip(keys, values, strict=True)))
    return [*scalars, *strings, *arrays, *objects]


POOL = _pool()


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES if case.pool])
def test_verdict_holds_for_real_documents(case: Case) -> None:
    old = jsonschema_rs.validator_for(case.old, validate_formats=True)
    new = jsonschema_rs.validator_for(case.new, validate_formats=True)
    refused_by_new = [v for v in POOL if old.is_valid(v) and not new.is_valid(v)]
    refused_by_old = [v for v in POOL if new.is_valid(v) and not old.is_valid(v)]
    broken = _breaks(diff_schemas(case.old, case.new))
    if BACKWARD not in broken:
        assert refused_by_new == [], "judged BACKWARD compatible, yet NEW refuses what OLD accepted"
    elif case.exact:
        assert refused_by_new, "judged BACKWARD incompatible without a document that shows it"
    if FORWARD not in broken:
        assert refused_by_old == [], "judged FORWARD compatible, yet OLD refuses what NEW accepts"
    elif case.exact:
        assert refused_by_old, "judged FORWARD incompatible without a document that shows it"


def _schemas() -> st.SearchStrategy[Any]:
    """Small random schemas over the pool's property names, built from the keywords the check compares."""
    leaves = st.sampled_from([{}, False, INT, STR, NUM, {"const": 1}, {"enum": ["a", "s", 1]}, {"format": "date"}])
    names = st.sampled_from(["a", "b", "x", "x_a"])

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["string", "integer", "number", "object", "array", ["string", "null"]]),
                "maxLength": st.sampled_from([1, 3]),
                "minimum": st.sampled_from([0, 2]),
                "exclusiveMaximum": st.sampled_from([5, 10]),
                "multipleOf": st.sampled_from([0.5, 2]),
                "pattern": st.sampled_from(["^a", "b"]),
                "enum": st.sampled_from([["a", "s"], [1, "s", None]]),
                "properties": st.dictionaries(names, inner, max_size=3),
                "required": st.lists(names, min_size=1, max_size=2, unique=True),
                "additionalProperties": st.one_of(st.booleans(), inner),
                "patternProperties": st.fixed_dictionaries({"^x_": inner}),
                "maxProperties": st.sampled_from([1, 2]),
                "items": inner,
                "prefixItems": st.lists(inner, min_size=1, max_size=2),
                "maxItems": st.sampled_from([1, 2]),
                "uniqueItems": st.just(True),
                "anyOf": st.lists(inner, min_size=1, max_size=3),
                "allOf": st.lists(inner, min_size=1, max_size=2),
                "not": inner,
                "dependentRequired": st.fixed_dictionaries({"a": st.lists(names, min_size=1, max_size=2, unique=True)}),
            },
        )

    return st.recursive(leaves, extend, max_leaves=6)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.data())
def test_verdicts_hold_for_random_related_schemas(data: st.DataObject) -> None:
    """A NEW made from OLD by dropping and adding keywords: a direction judged compatible never refuses a value."""
    old = data.draw(_schemas())
    assume(isinstance(old, dict))
    dropped = data.draw(st.sets(st.sampled_from(sorted(old)))) if old else set()
    added = data.draw(_schemas())
    new = {key: value for key, value in old.items() if key not in dropped} | (added if isinstance(added, dict) else {})
    broken = _breaks(diff_schemas(old, new))
    validators = [jsonschema_rs.validator_for(schema, validate_formats=True) for schema in (old, new)]
    for direction, (reader, writer) in ((BACKWARD, (1, 0)), (FORWARD, (0, 1))):
        if direction not in broken:
            refused = [v for v in POOL if validators[writer].is_valid(v) and not validators[reader].is_valid(v)]
            assert refused == [], f"judged {direction} compatible, yet a value is refused"


def test_every_change_type_has_a_case_and_one_fixed_direction() -> None:
    covered = {name for case in CASES for name, _ in case.changes}
    assert covered == {change.name for change in ChangeType}
    assert len(ChangeType) == len(ChangeType.__members__)  # no two rules collapsed into one
    for change in ChangeType:
        assert change.breaks <= {BACKWARD, FORWARD} and change.summary


def test_the_documented_table_is_the_table() -> None:
    """docs/standard/versioning.md lists every change type with the directions it breaks."""
    text = (ROOT / "docs" / "standard" / "versioning.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([A-Z, —]+) \|", text.split("## Compatibility", 1)[1], flags=re.MULTILINE)
    documented = {name: set(breaks.split(", ")) - {"—"} for name, breaks in rows}
    assert documented == {change.name: set(change.breaks) for change in ChangeType}


@pytest.mark.parametrize(
    ("level", "directions", "transitive"),
    [
        ("backward", {BACKWARD}, False),
        ("FORWARD", {FORWARD}, False),
        ("Full", {BACKWARD, FORWARD}, False),
        ("BACKWARD_TRANSITIVE", {BACKWARD}, True),
        ("forward_transitive", {FORWARD}, True),
        ("FULL_TRANSITIVE", {BACKWARD, FORWARD}, True),
    ],
)
def test_levels(level: str, directions: set[str], transitive: bool) -> None:
    parsed = parse_level(level)
    assert parsed.directions == directions and parsed.transitive is transitive


def test_unknown_level_and_unresolvable_reference_are_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="unknown compatibility level"):
        parse_level("SIDEWAYS")
    with pytest.raises(InvalidInputError) as caught:
        diff_schemas(obj({"a": {"$ref": "#/$defs/missing"}}), OBJECT)
    assert caught.value.code == "unresolvable-ref"


# The standard's own schemas.


def _derived(tmp_path: Path, change: Any, *, name: str = "1.1.0.json") -> Path:
    """A copy of signal 1.0.0 as version 1.1.0 with ``change`` applied to it."""
    document = json.loads(SIGNAL.read_text(encoding="utf-8"))
    document["$id"] = document["$id"].replace("1.0.0", "1.1.0")
    document["title"] = document["title"].replace("1.0.0", "1.1.0")
    document["properties"]["schema_version"]["const"] = "1.1.0"
    change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _as_validator(path: Path) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, registry=registry(), validate_formats=True)


@pytest.mark.parametrize("level", list(Level))
def test_signal_compared_with_itself_is_compatible_at_every_level(level: Level) -> None:
    paths = [SIGNAL, SIGNAL, SIGNAL] if level.transitive else [SIGNAL, SIGNAL]
    report = check_files(paths, level)
    assert report.compatible and report.findings == ()
    assert report.old_versions == ("1.0.0",) * (len(paths) - 1) and report.new_version == "1.0.0"


def test_batch_compared_with_itself_has_no_changes() -> None:
    batch = ROOT / "schema" / "batch" / "1.0.0.json"
    assert check_files([batch, batch], Level.FULL).findings == ()


def test_a_minor_that_adds_an_optional_field_is_backward_compatible(tmp_path: Path) -> None:
    def add_urgency(document: dict[str, Any]) -> None:
        document["properties"]["urgency"] = {"type": "string", "enum": ["low", "high"]}

    new = _derived(tmp_path, add_urgency)
    report = check_files([SIGNAL, new], Level.BACKWARD)
    assert report.compatible
    found = {(f.change.type.name, f.change.pointer) for f in report.findings}
    assert found == {
        ("ID_CHANGED", "/$id"),
        ("TITLE_CHANGED", "/title"),
        ("SCHEMA_VERSION_CHANGED", "/properties/schema_version/const"),
        ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/urgency"),
        ("PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL", "/properties/urgency"),
    }
    assert not check_files([SIGNAL, new], Level.FORWARD).compatible  # 1.0.0 readers refuse the new field
    assert not check_files([SIGNAL, new], Level.FULL).compatible
    # What BACKWARD promises, shown on real documents: every valid 1.0.0 example is valid 1.1.0 (apart from its
    # schema_version), the factory's signals too.
    validator = _as_validator(new)
    files = sorted((ROOT / "schema" / "examples" / "1.0.0" / "valid").glob("*.json"))
    examples = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    signals = [e for e in examples if "signals" not in e] + [make_signal() for _ in range(20)]
    assert len(signals) > 20
    for signal in signals:
        assert validator.is_valid({**signal, "schema_version": "1.1.0"})


def test_a_shorter_text_is_not_backward_compatible(tmp_path: Path) -> None:
    new = _derived(tmp_path, lambda document: document["properties"]["text"].update(maxLength=2000))
    report = check_files([SIGNAL, new], Level.BACKWARD)
    assert not report.compatible
    breaking = [f.change for f in report.findings if f.breaking(Level.BACKWARD)]
    assert [(c.type.name, c.pointer, c.detail) for c in breaking] == [
        ("MAX_LENGTH_DECREASED", "/properties/text/maxLength", "4000 → 2000")
    ]
    long_signal = make_signal(text="Lange melding over de openbare ruimte. " * 60)
    assert _as_validator(SIGNAL).is_valid(long_signal)
    assert not _as_validator(new).is_valid({**long_signal, "schema_version": "1.1.0"})


def test_a_code_list_next_to_the_schema_is_compared(tmp_path: Path) -> None:
    """A relative reference resolves against the schema file's folder: a code added is BACKWARD compatible."""
    (tmp_path / "codelists").mkdir()
    (tmp_path / "signal").mkdir()
    channels = json.loads((ROOT / "schema/codelists/channels.json").read_text(encoding="utf-8"))
    del channels["$id"]
    channels["oneOf"].append({"const": "carrier_pigeon", "title": "Postduif"})
    (tmp_path / "codelists" / "channels.json").write_text(json.dumps(channels), encoding="utf-8")

    def local_channels(document: dict[str, Any]) -> None:
        del document["$id"]
        document["properties"]["source"]["properties"]["channel"]["$ref"] = "../codelists/channels.json"

    new = _derived(tmp_path / "signal", local_channels)
    report = check_files([SIGNAL, new], Level.BACKWARD)
    extended = [f.change for f in report.findings if f.change.type is ChangeType.ENUM_ARRAY_EXTENDED]
    assert [(c.pointer, c.detail) for c in extended] == [
        ("/properties/source/properties/channel/enum", 'added: "carrier_pigeon"')
    ]
    assert report.compatible and not check_files([SIGNAL, new], Level.FORWARD).compatible


def test_a_relative_reference_without_a_file_falls_back_to_the_standard(tmp_path: Path) -> None:
    def relative(document: dict[str, Any]) -> None:
        del document["$id"]
        for name in ("kind", "language"):  # https://…/codelists/signal-kinds.json → ../codelists/signal-kinds.json
            file_name = document["properties"][name]["$ref"].rsplit("/", 1)[1]
            document["properties"][name]["$ref"] = f"../codelists/{file_name}"

    new = _derived(tmp_path, relative)
    report = check_files([SIGNAL, new], Level.FULL)
    assert report.compatible
    assert {f.change.type for f in report.findings} == {
        ChangeType.ID_CHANGED,
        ChangeType.TITLE_CHANGED,
        ChangeType.SCHEMA_VERSION_CHANGED,
    }
