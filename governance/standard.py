# SPDX-License-Identifier: EUPL-1.2
"""The Hartslag standard's files: where they are, what they hold, and validation against them.

The language-neutral files under the top-level ``schema/`` folder are the source of truth. In a source checkout
(and an editable install) they are read from there; an installed wheel carries them as ``hartslag/_schema``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from governance.errors import SchemaError, UnknownSchemaError

__all__ = [
    "BASE_URI",
    "CURRENT_VERSION",
    "SchemaInfo",
    "ValidationIssue",
    "codelist",
    "codelist_codes",
    "conforms",
    "list_schemas",
    "load_schema",
    "schema_root",
    "subject_of",
    "validate",
    "validator_for",
]

BASE_URI = "https://standaard.hartslag.nl/schema/"
CURRENT_VERSION = "1.0.0"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def schema_root() -> Path:
    """The folder that holds the standard's files (``signal/``, ``batch/``, ``codelists/``, ``examples/``)."""
    installed = _PACKAGE_DIR.parent / "hartslag" / "_schema"
    source = _PACKAGE_DIR.parent / "schema"
    for candidate in (installed, source):
        if (candidate / "signal").is_dir():
            return candidate
    raise UnknownSchemaError("the Hartslag standard's schema files are not installed")  # pragma: no cover


@dataclass(frozen=True)
class SchemaInfo:
    """One document of the standard: a subject (``signal``, ``batch`` or a code list) at one version."""

    name: str
    version: str
    path: Path
    kind: str  # "schema" or "codelist"
    title: str


@dataclass(frozen=True)
class ValidationIssue:
    """One reason a document breaks the standard: where (JSON pointer) and what, in plain words."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@cache
def list_schemas() -> tuple[SchemaInfo, ...]:
    """Every document of the standard, sorted by name and version."""
    root = schema_root()
    found: list[SchemaInfo] = []
    for subject_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in {"codelists", "examples"}):
        for path in subject_dir.glob("*.json"):
            if _VERSION.match(path.stem):
                title = json.loads(path.read_text(encoding="utf-8")).get("title", subject_dir.name)
                found.append(SchemaInfo(subject_dir.name, path.stem, path, "schema", title))
    for path in sorted((root / "codelists").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        found.append(SchemaInfo(path.stem, str(doc.get("x-version", "1.0.0")), path, "codelist", doc.get("title", "")))
    return tuple(sorted(found, key=lambda s: (s.kind != "schema", s.name, _version_key(s.version))))


def _find(name: str, version: str | None = None) -> SchemaInfo:
    candidates = [s for s in list_schemas() if s.name == name]
    if not candidates:
        known = ", ".join(sorted({s.name for s in list_schemas()}))
        raise UnknownSchemaError(f"no schema or code list named '{name}' (known: {known})")
    if version is None:
        return candidates[-1]
    for info in candidates:
        if info.version == version:
            return info
    versions = ", ".join(s.version for s in candidates)
    raise UnknownSchemaError(f"'{name}' has no version {version} (known: {versions})")


def load_schema(name: str, version: str | None = None) -> dict[str, Any]:
    """The parsed JSON of a schema or code list; the newest version when ``version`` is None."""
    return _load_json(_find(name, version).path)


@cache
def _load_json(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def codelist(name: str) -> dict[str, Any]:
    """A code list document (a JSON Schema whose ``oneOf`` lists each code as a ``const`` with a Dutch ``title``)."""
    return load_schema(name)


@cache
def codelist_codes(name: str) -> dict[str, dict[str, Any]]:
    """The codes of a code list, each mapped to its entry (``title`` is the Dutch label, ``x-…`` extra facts)."""
    entries = codelist(name).get("oneOf", [])
    return {entry["const"]: entry for entry in entries}


@cache
def _registry() -> Registry:
    resources = [
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
        for doc in (_load_json(info.path) for info in list_schemas())
        if "$id" in doc
    ]
    return Registry().with_resources(resources)


@cache
def validator_for(name: str, version: str | None = None) -> Validator:
    """A cached draft 2020-12 validator (formats checked) for one schema version."""
    schema = load_schema(name, version)
    cls = jsonschema.validators.validator_for(schema)
    validator: Validator = cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)
    return validator


def _declared(document: Any, name: str) -> str | None:
    version = document.get("schema_version") if isinstance(document, dict) else None
    if isinstance(version, str) and any(s.name == name and s.version == version for s in list_schemas()):
        return version
    return None


def conforms(document: Any, name: str | None = None) -> bool:
    """Whether ``document`` conforms to the version of the standard it declares (fast, compiled; no messages)."""
    name = name or subject_of(document)
    version = _declared(document, name)
    from governance.compiled import fast  # compiled from this module's files; imported late to avoid a cycle

    return version is not None and bool(fast(name, version).is_valid(document))


def subject_of(document: Any) -> str:
    """Which schema a document claims to follow: a batch carries ``signals``, anything else is a signal."""
    return "batch" if isinstance(document, dict) and "signals" in document else "signal"


def validate(document: Any, name: str | None = None) -> list[ValidationIssue]:
    """Every way ``document`` breaks the version of the standard it declares (empty when it conforms).

    The declared ``schema_version`` picks the schema; an unknown version is itself an issue. Messages never repeat
    the offending value, because a value can hold personal data.
    """
    name = name or subject_of(document)
    declared = document.get("schema_version") if isinstance(document, dict) else None
    if not isinstance(declared, str):
        return [ValidationIssue("/schema_version", "is missing or not a string")]
    if _declared(document, name) is None:
        return [ValidationIssue("/schema_version", f"version {declared!r} of '{name}' is not part of the standard")]
    if conforms(document, name):  # the compiled validator answers the common case in microseconds
        return []
    issues = [_issue(error) for error in validator_for(name, declared).iter_errors(document)]
    if not issues:
        from governance.compiled import compiled

        # The compiled validator follows ECMA-262 regular expressions, where `$` ends the input; Python's `re` also
        # lets `$` match before a final newline. The stricter verdict stands, with its pointers.
        issues = [
            ValidationIssue(_pointer(error.instance_path), "does not have the required form")
            for error in compiled(name, declared).iter_errors(document)
        ]
    return sorted(issues, key=lambda i: i.pointer)


def check(document: Any, name: str | None = None) -> None:
    """Raise :class:`SchemaError` listing every issue when ``document`` does not conform."""
    issues = validate(document, name)
    if issues:
        raise SchemaError("; ".join(str(i) for i in issues))


def _pointer(path: Iterator[Any] | Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _issue(error: jsonschema.ValidationError) -> ValidationIssue:
    return ValidationIssue(_pointer(error.absolute_path), _plain_message(error))


def _plain_message(error: jsonschema.ValidationError) -> str:
    """A message in plain words that names rules, never the offending value."""
    keyword = error.validator
    value = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "required":
        missing = [p for p in value if isinstance(error.instance, dict) and p not in error.instance]
        return "missing required field " + ", ".join(f"'{p}'" for p in missing)
    if keyword == "additionalProperties" or keyword == "unevaluatedProperties":
        extra = (
            sorted(set(error.instance) - set(schema.get("properties", {}))) if isinstance(error.instance, dict) else []
        )
        return "unexpected field " + ", ".join(f"'{p}'" for p in extra) + " (not allowed by the standard)"
    if keyword in {"oneOf", "anyOf"} and schema.get("x-codelist"):
        return f"is not a code of the code list '{schema['x-codelist']}'"
    if keyword == "enum" or keyword == "const":
        return "is not one of the allowed values"
    if keyword == "type":
        return f"must be of type {value}"
    if keyword == "format":
        return f"is not a valid {value}"
    if keyword == "pattern":
        return f"does not have the required form ({schema.get('description') or value})"
    messages = {
        "maxLength": f"is longer than {value} characters",
        "minLength": f"is shorter than {value} characters",
        "maxItems": f"has more than {value} items",
        "minItems": f"has fewer than {value} items",
        "uniqueItems": "has duplicate items",
        "maximum": f"is above the maximum {value}",
        "minimum": f"is below the minimum {value}",
        "propertyNames": "has a field name that is not allowed",
        "not": "has a form the standard forbids",
    }
    if keyword in messages:
        return messages[keyword]
    if schema.get("description"):
        return f"breaks the rule: {schema['description']}"
    return f"breaks the '{keyword}' rule"
