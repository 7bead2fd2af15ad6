# SPDX-License-Identifier: EUPL-1.2
"""The table of schema changes: every change type the compatibility check reports, and which direction it breaks.

A change is found by walking the OLD and the NEW schema side by side (:mod:`governance.compat_walk`). Each change
type has one fixed meaning, read from OLD to NEW, and so one fixed set of directions it breaks:

* ``BACKWARD``: a reader using NEW must accept every document OLD accepted. A change that makes NEW refuse some of
  them (a tighter bound, a new required field, a removed enum value) breaks BACKWARD.
* ``FORWARD``: a reader still using OLD must accept every document NEW accepts. A change that lets NEW accept
  something OLD refuses (a looser bound, a new enum value, a property added to a closed model) breaks FORWARD.

The names follow Confluent Schema Registry's ``Difference.Type`` where one exists, so that teams who know it read
them the same way; where Confluent finds FORWARD problems only by running its BACKWARD check the other way round,
this table names the OLD-to-NEW change itself (``PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL``, the mirror of
Confluent's ``PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL``). This module is a leaf: it imports no sibling.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["BACKWARD", "FORWARD", "ChangeType", "Level"]

BACKWARD = "BACKWARD"
FORWARD = "FORWARD"
_N: frozenset[str] = frozenset()
_B = frozenset({BACKWARD})
_F = frozenset({FORWARD})
_BF = frozenset({BACKWARD, FORWARD})


class ChangeType(Enum):
    """One kind of change between two schemas: the directions it breaks and a one-line explanation."""

    breaks: frozenset[str]
    summary: str

    def __init__(self, breaks: frozenset[str], summary: str) -> None:
        self.breaks = breaks
        self.summary = summary

    # Annotations: they change no verdict.
    ID_CHANGED = (_N, "the $id changed")
    TITLE_CHANGED = (_N, "the title changed")
    DESCRIPTION_CHANGED = (_N, "the description changed")
    DEFAULT_CHANGED = (_N, "the default changed")
    SCHEMA_VERSION_CHANGED = (_N, "the document's schema_version constant names the new version (a minor may do this)")
    # The schema as a whole.
    SCHEMA_REPLACED_BY_FALSE = (_B, "the schema became false: nothing is accepted here any more")
    FALSE_SCHEMA_REPLACED = (_F, "the schema was false and now accepts values")
    TYPE_EXTENDED = (_F, "more JSON types are accepted")
    TYPE_NARROWED = (_B, "fewer JSON types are accepted")
    TYPE_CHANGED = (_BF, "the accepted JSON types changed")
    ENUM_ADDED = (_B, "an enum was added: only its values are accepted")
    ENUM_REMOVED = (_F, "the enum was removed: any value is accepted")
    ENUM_ARRAY_EXTENDED = (_F, "values were added to the enum")
    ENUM_ARRAY_NARROWED = (_B, "values were removed from the enum")
    ENUM_ARRAY_CHANGED = (_BF, "enum values were both added and removed")
    CONST_ADDED = (_B, "a const was added: only that value is accepted")
    CONST_REMOVED = (_F, "the const was removed")
    CONST_CHANGED = (_BF, "the const value changed")
    # Strings.
    MAX_LENGTH_ADDED = (_B, "a maximum length was added")
    MAX_LENGTH_REMOVED = (_F, "the maximum length was removed")
    MAX_LENGTH_INCREASED = (_F, "the maximum length was raised")
    MAX_LENGTH_DECREASED = (_B, "the maximum length was lowered")
    MIN_LENGTH_ADDED = (_B, "a minimum length was added")
    MIN_LENGTH_REMOVED = (_F, "the minimum length was removed")
    MIN_LENGTH_INCREASED = (_B, "the minimum length was raised")
    MIN_LENGTH_DECREASED = (_F, "the minimum length was lowered")
    PATTERN_ADDED = (_B, "a pattern was added")
    PATTERN_REMOVED = (_F, "the pattern was removed")
    PATTERN_CHANGED = (_BF, "the pattern changed (regular expressions are not compared for inclusion)")
    FORMAT_ADDED = (_B, "a format was added")
    FORMAT_REMOVED = (_F, "the format was removed")
    FORMAT_CHANGED = (_BF, "the format changed")
    # Numbers.
    MAXIMUM_ADDED = (_B, "a maximum was added")
    MAXIMUM_REMOVED = (_F, "the maximum was removed")
    MAXIMUM_INCREASED = (_F, "the maximum was raised")
    MAXIMUM_DECREASED = (_B, "the maximum was lowered")
    MINIMUM_ADDED = (_B, "a minimum was added")
    MINIMUM_REMOVED = (_F, "the minimum was removed")
    MINIMUM_INCREASED = (_B, "the minimum was raised")
    MINIMUM_DECREASED = (_F, "the minimum was lowered")
    EXCLUSIVE_MAXIMUM_ADDED = (_B, "an exclusive maximum was added")
    EXCLUSIVE_MAXIMUM_REMOVED = (_F, "the exclusive maximum was removed")
    EXCLUSIVE_MAXIMUM_INCREASED = (_F, "the exclusive maximum was raised")
    EXCLUSIVE_MAXIMUM_DECREASED = (_B, "the exclusive maximum was lowered")
    EXCLUSIVE_MINIMUM_ADDED = (_B, "an exclusive minimum was added")
    EXCLUSIVE_MINIMUM_REMOVED = (_F, "the exclusive minimum was removed")
    EXCLUSIVE_MINIMUM_INCREASED = (_B, "the exclusive minimum was raised")
    EXCLUSIVE_MINIMUM_DECREASED = (_F, "the exclusive minimum was lowered")
    MULTIPLE_OF_ADDED = (_B, "a multipleOf was added")
    MULTIPLE_OF_REMOVED = (_F, "the multipleOf was removed")
    MULTIPLE_OF_EXPANDED = (_B, "the new multipleOf is a multiple of the old one: fewer numbers are accepted")
    MULTIPLE_OF_REDUCED = (_F, "the old multipleOf is a multiple of the new one: more numbers are accepted")
    MULTIPLE_OF_CHANGED = (_BF, "the multipleOf changed to a value that neither divides nor is divided by the old one")
    # Objects: required fields.
    REQUIRED_ATTRIBUTE_ADDED = (_B, "an existing property became required")
    REQUIRED_ATTRIBUTE_REMOVED = (_F, "a property is no longer required")
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = (_B, "a required property was added to an open content model")
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = (
        _B,
        "an optional property was added to an open content model: old documents may carry it with another form",
    )
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = (_N, "a property that accepts anything was declared")
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        _B,
        "a required property was added to a closed or partially open content model: old documents lack it",
    )
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        _N,
        "an optional property was added to a closed or partially open content model",
    )
    # Objects: which properties are allowed at all (the content model).
    PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL = (
        _F,
        "a property was added where the old schema allowed no other properties: old readers refuse it",
    )
    PROPERTY_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL = (_N, "a forbidden (false) property was declared")
    PROPERTY_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL = (
        _N,
        "a property was declared that the old schema allowed through patternProperties or additionalProperties; "
        "the changes below it compare the two",
    )
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL = (
        _F,
        "a property was removed from an open content model: new documents may carry it in any form",
    )
    PROPERTY_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL = (
        _N,
        "a property that accepted anything is no longer declared",
    )
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL = (
        _B,
        "a property was removed from a closed content model: old documents that carry it are refused",
    )
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = (_N, "a forbidden (false) property is no longer declared")
    PROPERTY_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL = (
        _N,
        "a property was removed; patternProperties or additionalProperties of the new schema now govern it, and "
        "the changes below it compare the two",
    )
    ADDITIONAL_PROPERTIES_ADDED = (_F, "additional properties are now allowed")
    ADDITIONAL_PROPERTIES_REMOVED = (_B, "additional properties are no longer allowed")
    ADDITIONAL_PROPERTIES_EXTENDED = (_F, "additional properties may now have any form")
    ADDITIONAL_PROPERTIES_NARROWED = (_B, "additional properties must now follow a schema")
    PATTERN_PROPERTY_ADDED = (
        _N,
        "a patternProperties entry was added; the changes below it compare it with the old additionalProperties",
    )
    PATTERN_PROPERTY_REMOVED = (
        _N,
        "a patternProperties entry was removed; the changes below it compare it with the new additionalProperties",
    )
    MAX_PROPERTIES_ADDED = (_B, "a maximum number of properties was added")
    MAX_PROPERTIES_REMOVED = (_F, "the maximum number of properties was removed")
    MAX_PROPERTIES_INCREASED = (_F, "the maximum number of properties was raised")
    MAX_PROPERTIES_DECREASED = (_B, "the maximum number of properties was lowered")
    MIN_PROPERTIES_ADDED = (_B, "a minimum number of properties was added")
    MIN_PROPERTIES_REMOVED = (_F, "the minimum number of properties was removed")
    MIN_PROPERTIES_INCREASED = (_B, "the minimum number of properties was raised")
    MIN_PROPERTIES_DECREASED = (_F, "the minimum number of properties was lowered")
    DEPENDENCY_ARRAY_ADDED = (_B, "a dependentRequired entry was added")
    DEPENDENCY_ARRAY_REMOVED = (_F, "a dependentRequired entry was removed")
    DEPENDENCY_ARRAY_EXTENDED = (_B, "a dependentRequired entry requires more properties")
    DEPENDENCY_ARRAY_NARROWED = (_F, "a dependentRequired entry requires fewer properties")
    DEPENDENCY_ARRAY_CHANGED = (_BF, "a dependentRequired entry requires other properties")
    DEPENDENCY_SCHEMA_ADDED = (_B, "a dependentSchemas entry was added")
    DEPENDENCY_SCHEMA_REMOVED = (_F, "a dependentSchemas entry was removed")
    # Arrays.
    MAX_ITEMS_ADDED = (_B, "a maximum number of items was added")
    MAX_ITEMS_REMOVED = (_F, "the maximum number of items was removed")
    MAX_ITEMS_INCREASED = (_F, "the maximum number of items was raised")
    MAX_ITEMS_DECREASED = (_B, "the maximum number of items was lowered")
    MIN_ITEMS_ADDED = (_B, "a minimum number of items was added")
    MIN_ITEMS_REMOVED = (_F, "the minimum number of items was removed")
    MIN_ITEMS_INCREASED = (_B, "the minimum number of items was raised")
    MIN_ITEMS_DECREASED = (_F, "the minimum number of items was lowered")
    UNIQUE_ITEMS_ADDED = (_B, "items must now be unique")
    UNIQUE_ITEMS_REMOVED = (_F, "items no longer need to be unique")
    ADDITIONAL_ITEMS_ADDED = (_F, "items after the tuple are now allowed")
    ADDITIONAL_ITEMS_REMOVED = (_B, "items after the tuple are no longer allowed")
    ADDITIONAL_ITEMS_EXTENDED = (_F, "items after the tuple may now have any form")
    ADDITIONAL_ITEMS_NARROWED = (_B, "items after the tuple must now follow a schema")
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL = (_B, "a tuple position was constrained where any item was allowed")
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = (_N, "a tuple position that accepts anything was added")
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL = (_F, "a tuple position was added to a closed tuple: old readers refuse it")
    ITEM_WITH_FALSE_ADDED_TO_CLOSED_CONTENT_MODEL = (_N, "a forbidden (false) tuple position was added")
    ITEM_ADDED_TO_PARTIALLY_OPEN_CONTENT_MODEL = (
        _N,
        "a tuple position was added where the old items schema applied; the changes below it compare the two",
    )
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL = (_F, "a tuple position was removed: new documents may have any item there")
    ITEM_WITH_EMPTY_SCHEMA_REMOVED_FROM_OPEN_CONTENT_MODEL = (_N, "a tuple position that accepted anything was removed")
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL = (_B, "a tuple position was removed from a closed tuple")
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = (_N, "a forbidden (false) tuple position was removed")
    ITEM_REMOVED_FROM_PARTIALLY_OPEN_CONTENT_MODEL = (
        _N,
        "a tuple position was removed and the new items schema applies there; the changes below it compare the two",
    )
    # Combinations: anyOf/oneOf are sums (one branch must match), allOf a product (every part must match).
    SUM_TYPE_EXTENDED = (_F, "an anyOf/oneOf branch was added")
    SUM_TYPE_NARROWED = (_B, "an anyOf/oneOf branch was removed")
    SUM_TYPE_ADDED = (_B, "an anyOf/oneOf was added")
    SUM_TYPE_REMOVED = (_F, "an anyOf/oneOf was removed")
    PRODUCT_TYPE_EXTENDED = (_B, "an allOf part was added")
    PRODUCT_TYPE_NARROWED = (_F, "an allOf part was removed")
    COMBINED_TYPE_EXTENDED = (_F, "the combination became more permissive (allOf or oneOf became anyOf)")
    COMBINED_TYPE_NARROWED = (_B, "the combination became stricter (anyOf became oneOf or allOf)")
    COMBINED_TYPE_CHANGED = (_BF, "the combination changed between allOf and oneOf")
    NOT_ADDED = (_B, "a not was added")
    NOT_REMOVED = (_F, "the not was removed")
    NOT_TYPE_NARROWED = (_F, "the schema inside not accepts less, so more is accepted")
    NOT_TYPE_EXTENDED = (_B, "the schema inside not accepts more, so less is accepted")
    NOT_TYPE_CHANGED = (_BF, "the schema inside not changed both ways")
    CONDITION_ADDED = (_B, "an if/then/else was added")
    CONDITION_REMOVED = (_F, "the if/then/else was removed")
    CONDITION_CHANGED = (_BF, "the if condition changed")
    # Anything this check does not compare in depth: assumed to break both ways.
    KEYWORD_CHANGED = (_BF, "a keyword the check does not compare changed; assumed to break both ways")


class Level(Enum):
    """A compatibility level, as Confluent Schema Registry names them; transitive levels check every old version."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    FULL = "FULL"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def directions(self) -> frozenset[str]:
        """The directions this level checks: BACKWARD, FORWARD or both (FULL)."""
        base = self.value.removesuffix("_TRANSITIVE")
        return _BF if base == "FULL" else frozenset({base})

    @property
    def transitive(self) -> bool:
        """Whether NEW is checked against every old version given, not only the latest."""
        return self.value.endswith("_TRANSITIVE")
