# SPDX-License-Identifier: EUPL-1.2
"""Schemas made ready for comparison: read from files, every ``$ref`` followed, equivalent forms written one way.

The compatibility walk compares two trees keyword by keyword, so both must say the same thing the same way:

* ``$ref`` is replaced by what it points at (local ``#/$defs/…`` and ``#/definitions/…`` pointers, the standard's
  documents by ``$id`` — also when reached through a relative path such as ``../codelists/channels.json`` — and
  other files next to the schema file). A reference to something already being expanded (a recursive schema) stays
  a ``$ref`` with its absolute address.
* A one-element ``allOf``/``anyOf``/``oneOf``, and a ``$ref`` with sibling keywords, are folded into their node when
  that cannot change the meaning (no keyword set twice, no keyword split from the keywords it works with).
* Code lists (``oneOf`` of constants with labels) become ``enum`` lists (:mod:`governance.schema_enums`); draft-07
  tuple ``items``/``additionalItems`` and ``dependencies`` become ``prefixItems``/``items``, ``dependentRequired``
  and ``dependentSchemas``; ``true`` becomes ``{}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

from governance.errors import InvalidInputError
from governance.schema_enums import codelists_as_enums

__all__ = ["ANNOTATIONS", "LoadedSchema", "canonical", "is_annotation", "is_empty", "load_schema_file", "normalise"]

# Keywords that never change whether a value is valid (plus every ``x-…`` extension keyword).
ANNOTATIONS = frozenset(
    {
        "title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
        "$schema", "$id", "$anchor", "$dynamicAnchor", "$defs", "definitions", "$vocabulary",
        "contentEncoding", "contentMediaType", "contentSchema",
    }
)  # fmt: skip
# Keywords that only work together: folding must not take one of a group from each side.
_GROUPS = (
    frozenset({"properties", "patternProperties", "additionalProperties"}),
    frozenset({"prefixItems", "items"}),
    frozenset({"if", "then", "else"}),
    frozenset({"contains", "minContains", "maxContains"}),
)
_SCHEMA_VALUED = ("additionalProperties", "propertyNames", "items", "not", "if", "then", "else", "contains")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_UNEVALUATED = ("unevaluatedProperties", "unevaluatedItems")


def is_annotation(keyword: str) -> bool:
    """Whether a keyword is an annotation (it never changes a verdict)."""
    return keyword in ANNOTATIONS or keyword.startswith("x-")


def is_empty(schema: Any) -> bool:
    """Whether a schema accepts every value (``{}``, ``true``, or annotations only)."""
    return isinstance(schema, dict) and all(is_annotation(key) for key in schema)


def canonical(value: Any) -> str:
    """A text equal for equal JSON values (1 and 1.0 are one number; key order does not matter)."""
    return json.dumps(_integral(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


@dataclass(frozen=True)
class LoadedSchema:
    """A schema file ready for comparison: its normalised tree, its ``$id`` and a version label."""

    path: Path
    tree: dict[str, Any] | bool
    id: str | None
    version: str


@dataclass(frozen=True)
class _Resource:
    root: Any
    base: str  # absolute URI without fragment
    folder: Path | None  # where relative file references are looked for


_SEMVER = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$")


def load_schema_file(path: Path) -> LoadedSchema:
    """Read, check and normalise one JSON Schema file; :class:`InvalidInputError` when it cannot be used."""
    import jsonschema

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot be read ({type(exc).__name__})", code="unreadable-file") from None
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: is not JSON (line {exc.lineno})", code="not-json") from None
    if not isinstance(document, dict):
        raise InvalidInputError(f"{path}: is not a JSON Schema object", code="not-a-schema")
    cls = jsonschema.validators.validator_for(document, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(document)
    except jsonschema.SchemaError as exc:
        where = "/" + "/".join(str(p) for p in exc.path)
        raise InvalidInputError(f"{path}: is not a valid JSON Schema (at {where})", code="not-a-schema") from None
    schema_id = document.get("$id") if isinstance(document.get("$id"), str) else None
    base = urldefrag(urljoin(path.resolve().as_uri(), schema_id or ""))[0]
    tree = normalise(document, base, path.resolve().parent)
    return LoadedSchema(path, tree, schema_id, _version_label(path, schema_id))


def _version_label(path: Path, schema_id: str | None) -> str:
    for candidate in (Path(urlsplit(schema_id).path).stem if schema_id else "", path.stem):
        if _SEMVER.match(candidate):
            return candidate
    return str(path)


def normalise(document: Any, base: str, folder: Path | None = None) -> dict[str, Any] | bool:
    """The comparison form of ``document`` whose references resolve against ``base`` (and files in ``folder``)."""
    resource = _Resource(codelists_as_enums(document), base, folder)
    return _Inliner().node(resource.root, resource)


@cache
def _registry() -> dict[str, tuple[Any, Path]]:
    """The standard's documents by ``$id`` (code lists already as ``enum`` lists)."""
    from governance.standard import list_schemas, load_schema

    found: dict[str, tuple[Any, Path]] = {}
    for info in list_schemas():
        document = load_schema(info.name, info.version)
        if isinstance(document.get("$id"), str):
            found[document["$id"]] = (codelists_as_enums(document), info.path)
    return found


class _Inliner:
    """Follows references depth-first; the stack of references being expanded stops recursion."""

    def __init__(self) -> None:
        self._expanding: list[str] = []
        self._files: dict[str, _Resource] = {}

    def node(self, schema: Any, res: _Resource) -> dict[str, Any] | bool:
        if schema is True:
            return {}
        if not isinstance(schema, dict):
            return False if schema is False else {}
        if "$ref" in schema and isinstance(schema["$ref"], str):
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return _conjoin(self.node(rest, res), self._follow(schema["$ref"], res))
        out: dict[str, Any] = {}
        for key, value in _modernised(schema).items():
            if key in ("$defs", "definitions", "$id", "$schema"):
                continue  # definitions are reached through references; identity is reported from the file
            if key in _SCHEMA_VALUED or key in _UNEVALUATED:
                out[key] = self.node(value, res)
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.node(sub, res) for name, sub in value.items()}
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.node(sub, res) for sub in value]
            else:
                out[key] = value
        return _fold_singletons(out)

    def _follow(self, ref: str, res: _Resource) -> dict[str, Any] | bool:
        uri, fragment = urldefrag(urljoin(res.base, ref))
        target_res = res if uri in ("", res.base) else self._resource(uri, ref, res)
        address = f"{target_res.base}#{fragment}"
        if address in self._expanding:
            return {"$ref": address}  # recursive: compared by address only
        target = _pointer(target_res.root, fragment, ref)
        self._expanding.append(address)
        try:
            return self.node(target, target_res)
        finally:
            self._expanding.pop()

    def _resource(self, uri: str, ref: str, res: _Resource) -> _Resource:
        if uri in self._files:
            return self._files[uri]
        registry = _registry()
        found: tuple[Any, Path] | None = registry.get(uri)
        candidates: list[Path] = []
        if uri.startswith("file:"):
            candidates.append(Path(url2pathname(urlsplit(uri).path)))
        relative = urldefrag(ref)[0]
        if res.folder is not None and relative and not urlsplit(relative).scheme:
            candidates.append((res.folder / unquote(relative)).resolve())
        for candidate in candidates:
            if found is None and candidate.is_file():
                found = (codelists_as_enums(_read_json(candidate, ref)), candidate)
        if found is None:  # e.g. ../codelists/channels.json from a copy of a schema outside schema/
            tail = "/".join(urlsplit(uri).path.rstrip("/").split("/")[-2:])
            found = next((doc for key, doc in registry.items() if key.endswith("/" + tail)), None)
        if found is None:
            raise InvalidInputError(f"cannot resolve $ref '{ref}'", code="unresolvable-ref")
        document, path = found
        own = document.get("$id") if isinstance(document, dict) else None
        resource = _Resource(document, urljoin(uri, own) if isinstance(own, str) else uri, path.parent)
        self._files[uri] = resource
        return resource


def _read_json(path: Path, ref: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        message = f"$ref '{ref}' points at a file that is not readable JSON"
        raise InvalidInputError(message, code="unresolvable-ref") from None


def _pointer(root: Any, fragment: str, ref: str) -> Any:
    if fragment and not fragment.startswith("/"):
        anchored = _anchor(root, fragment)
        if anchored is None:
            raise InvalidInputError(f"cannot resolve $ref '{ref}' (no $anchor '{fragment}')", code="unresolvable-ref")
        return anchored
    node = root
    for part in fragment.split("/")[1:] if fragment else []:
        key = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise InvalidInputError(f"cannot resolve $ref '{ref}' (no such location)", code="unresolvable-ref")
    return node


def _anchor(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        if node.get("$anchor") == name:
            return node
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _anchor(child, name)
        if found is not None:
            return found
    return None


def _modernised(schema: dict[str, Any]) -> dict[str, Any]:
    """Draft-04/07 spellings in their 2020-12 form, so that both sides use one vocabulary."""
    out = dict(schema)
    if isinstance(out.get("items"), list):
        out["prefixItems"] = out.pop("items")
        if "additionalItems" in out:
            out["items"] = out.pop("additionalItems")
    out.pop("additionalItems", None)  # without a tuple it has no effect
    dependencies = out.pop("dependencies", None)
    if isinstance(dependencies, dict):
        for name, value in dependencies.items():
            kind = "dependentRequired" if isinstance(value, list) else "dependentSchemas"
            out.setdefault(kind, {})[name] = value
    for bound in ("Maximum", "Minimum"):
        flag = out.get("exclusive" + bound)
        if isinstance(flag, bool):  # draft-04: a flag on maximum/minimum
            del out["exclusive" + bound]
            if flag and bound.lower() in out:
                out["exclusive" + bound] = out.pop(bound.lower())
    return out


def _validation_keys(schema: dict[str, Any]) -> set[str]:
    return {key for key in schema if not is_annotation(key)}


def _merge(outer: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any] | None:
    """``outer`` and ``inner`` as one node when that says exactly "both hold"; None when it would not."""
    mine, theirs = _validation_keys(outer), _validation_keys(inner)
    if (mine and any(k in theirs for k in _UNEVALUATED)) or (theirs and any(k in mine for k in _UNEVALUATED)):
        return None
    if any(group & mine and group & theirs for group in _GROUPS):
        return None
    merged = {k: v for k, v in inner.items() if is_annotation(k)} | dict(outer)
    for key in theirs:
        if key not in mine:
            merged[key] = inner[key]
        elif key == "required" and isinstance(outer[key], list) and isinstance(inner[key], list):
            merged[key] = list(dict.fromkeys([*outer[key], *inner[key]]))
        elif outer[key] != inner[key]:
            return None
    return merged


def _conjoin(outer: dict[str, Any] | bool, inner: dict[str, Any] | bool) -> dict[str, Any] | bool:
    """Both schemas hold: one folded node when possible, otherwise an ``allOf`` of the two."""
    if outer is False or inner is False:
        return False
    assert isinstance(outer, dict) and isinstance(inner, dict)
    merged = _merge(outer, inner)
    if merged is not None:
        return _fold_singletons(merged)
    annotations = {k: v for k, v in outer.items() if is_annotation(k)}
    rest = {k: v for k, v in outer.items() if not is_annotation(k)}
    return {**annotations, "allOf": [inner, rest]}


def _fold_singletons(schema: dict[str, Any]) -> dict[str, Any] | bool:
    """A one-element ``allOf``/``anyOf``/``oneOf`` means its element: fold it into the node when that is exact."""
    for keyword in ("allOf", "anyOf", "oneOf"):
        entries = schema.get(keyword)
        if isinstance(entries, list) and len(entries) == 1:
            rest = {k: v for k, v in schema.items() if k != keyword}
            if entries[0] is False:
                return False
            merged = _merge(rest, entries[0])
            if merged is not None:
                return _fold_singletons(merged)
    return schema
