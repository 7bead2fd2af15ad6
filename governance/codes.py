# SPDX-License-Identifier: EUPL-1.2
"""The field types of the standard for the pydantic binding: codes from the code lists, forms from the schema.

Nothing here repeats the standard in Python. Codes are read once, at import, from the code list files through
:func:`governance.standard.codelist_codes`; string bounds and patterns are read from the signal and batch schema
files (:func:`field_rule`). Refreshing a code list or tightening a pattern in ``schema/`` is all it takes to change
what the models accept. Validation errors name the rule, never the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints

from governance.standard import codelist_codes, load_schema

__all__ = [
    "BOUND_VERSION",
    "SIGNAL_ID",
    "ChannelCode",
    "DateTime",
    "LanguageCode",
    "MunicipalityCode",
    "NationalAgencyCode",
    "OrganisationCode",
    "OrganisationKindCode",
    "PolicyRefSchemeCode",
    "SemVer",
    "SentimentCode",
    "SignalKindCode",
    "ThemeCode",
    "Uuid",
    "code_validator",
    "codes_of",
    "conforms",
    "field_rule",
    "json_integer",
    "matches",
    "string_constraints",
]

BOUND_VERSION = "1.0.0"
"""The version of the signal and batch schemas that the binding follows."""
SIGNAL_ID = f"https://standaard.hartslag.nl/schema/signal/{BOUND_VERSION}.json"

# --- codes from the code lists -------------------------------------------------------------------------------


def codes_of(*names: str) -> frozenset[str]:
    """Every code of the named code lists together."""
    return frozenset(code for name in names for code in codelist_codes(name))


def code_validator(*names: str, label: str | None = None) -> AfterValidator:
    """A pydantic validator that accepts only codes of the named code lists.

    ``label`` names the list in the error message when several lists are joined (the signal schema calls the
    union of municipalities and national agencies ``organisations``). The message never repeats the value.
    """
    allowed = codes_of(*names)
    shown = label or names[0]

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"is not a code of the code list '{shown}'")
        return value

    check.__name__ = f"in_codelist_{shown.replace('-', '_')}"
    return AfterValidator(check)


# JSON strings only: the schema's "type": "string" accepts no bytes, numbers or enum members.
_STRICT = StringConstraints(strict=True)

SignalKindCode = Annotated[str, _STRICT, code_validator("signal-kinds")]
ChannelCode = Annotated[str, _STRICT, code_validator("channels")]
OrganisationKindCode = Annotated[str, _STRICT, code_validator("organisation-kinds")]
SentimentCode = Annotated[str, _STRICT, code_validator("sentiments")]
LanguageCode = Annotated[str, _STRICT, code_validator("languages")]
ThemeCode = Annotated[str, _STRICT, code_validator("themes")]
MunicipalityCode = Annotated[str, _STRICT, code_validator("municipalities")]
NationalAgencyCode = Annotated[str, _STRICT, code_validator("national-agencies")]
OrganisationCode = Annotated[str, _STRICT, code_validator("municipalities", "national-agencies", label="organisations")]
PolicyRefSchemeCode = Annotated[str, _STRICT, code_validator("policy-ref-schemes")]

# --- forms and bounds from the schema files ------------------------------------------------------------------


@cache
def _docs() -> dict[str, dict[str, Any]]:
    """The signal and batch schemas of the bound version, by ``$id``."""
    docs = (load_schema("signal", BOUND_VERSION), load_schema("batch", BOUND_VERSION))
    return {doc["$id"]: doc for doc in docs}


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` within or between the two schemas; keywords beside the ``$ref`` win over the target's."""
    while "$ref" in node:
        base, _, fragment = node["$ref"].partition("#")
        if base and base not in _docs():
            return node  # a code list: checked through the code types above instead
        doc = _docs()[base] if base else doc
        target: Any = doc
        for part in fragment.strip("/").split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def field_rule(schema_id: str, *path: str) -> dict[str, Any]:
    """The schema of one field of the signal or batch schema with this ``$id``, its ``$ref`` followed.

    ``path`` names properties; ``"[]"`` steps into the items of an array.
    """
    doc = _docs()[schema_id]
    node = doc
    for step in path:
        node = _resolve(doc, node)
        node = node["items"] if step == "[]" else node["properties"][step]
    return _resolve(doc, node)


def string_constraints(node: dict[str, Any]) -> StringConstraints:
    """A schema node's string bounds and pattern as pydantic constraints (JSON strings only, no coercion).

    The models use pydantic's ``python-re`` engine, so a pattern means what it means to the reference validator.
    """
    patterns = [node["pattern"]] if "pattern" in node else []
    patterns += [sub["pattern"] for sub in node.get("allOf", []) if "pattern" in sub]
    if len(patterns) > 1:  # pragma: no cover - guards the schema's shape
        raise ValueError("one pattern per string field is supported")
    return StringConstraints(
        strict=True,
        min_length=node.get("minLength"),
        max_length=node.get("maxLength"),
        pattern=patterns[0] if patterns else None,
    )


def conforms(node: dict[str, Any], value: object) -> bool:
    """Whether ``value`` is a string within a schema node's length bounds and pattern."""
    if not isinstance(value, str):
        return False
    if len(value) < node.get("minLength", 0) or len(value) > node.get("maxLength", len(value)):
        return False
    return "pattern" not in node or re.search(node["pattern"], value) is not None


def matches(pattern: str) -> Callable[[str], bool]:
    """A predicate: does a string match this schema pattern (searched, as JSON Schema does)?"""
    form = re.compile(pattern)

    def applies(value: str) -> bool:
        return form.search(value) is not None

    return applies


def json_integer(value: object) -> int:
    """JSON Schema's integer: a whole number (``2.0`` too), never a boolean or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be of type integer")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be of type integer")
    return int(value)


_DATE_TIME_FORM = re.compile(field_rule(SIGNAL_ID, "observed_at")["pattern"])


def _wire_date_time(value: object) -> object:
    # Pydantic alone would also take numbers, a space for "T" and naive values: keep to the schema's form.
    if isinstance(value, datetime) or (isinstance(value, str) and _DATE_TIME_FORM.search(value)):
        return value
    raise ValueError("must be an RFC 3339 date-time with a UTC offset")


Uuid = Annotated[str, string_constraints(field_rule(SIGNAL_ID, "id"))]
"""A UUID in its 8-4-4-4-12 form (the schema's ``$defs/uuid``)."""
SemVer = Annotated[str, string_constraints(field_rule(SIGNAL_ID, "privacy", "version"))]
"""A semantic version (the schema's ``$defs/semver``)."""
DateTime = Annotated[AwareDatetime, BeforeValidator(_wire_date_time)]
"""An RFC 3339 date-time with offset on the wire, an aware ``datetime`` in Python (naive ones are refused)."""
