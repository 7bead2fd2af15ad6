# SPDX-License-Identifier: EUPL-1.2
"""The ingest fast path of schema validation: a compiled validator (jsonschema-rs) of the schema files themselves.

The schema files stay the only source of truth: the same files, the same registry of code lists, compiled. A test
runs every example and mutated documents through this and through the reference validator
(:func:`governance.standard.validate`) and requires the same verdicts. The verdict comes from the files with their
code lists written as ``enum`` lists (:mod:`hub.schema_enums`, an equivalent form that is about four times faster);
the location of a violation comes from the files as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import jsonschema_rs

from governance.standard import list_schemas, load_schema
from hub.schema_enums import codelists_as_enums

__all__ = ["SignalValidator"]


@cache
def _registry(enums: bool = False) -> jsonschema_rs.Registry:
    resources = []
    for info in list_schemas():
        document = load_schema(info.name, info.version)
        if "$id" in document:
            resources.append((document["$id"], codelists_as_enums(document) if enums else document))
    return jsonschema_rs.Registry(resources)


@cache
def _compiled(name: str, version: str) -> Any:
    return jsonschema_rs.validator_for(load_schema(name, version), registry=_registry(), validate_formats=True)


@cache
def _fast(name: str, version: str) -> Any:
    """The verdict-only form: the same files with code lists as ``enum`` lists (see :mod:`hub.schema_enums`)."""
    document = codelists_as_enums(load_schema(name, version))
    return jsonschema_rs.validator_for(document, registry=_registry(enums=True), validate_formats=True)


@cache
def _supported(name: str, version: str) -> bool:
    return any(s.name == name and s.version == version for s in list_schemas())


class SignalValidator:
    """Validates documents against the schema version they declare; unknown versions are reported, not raised."""

    def supported(self, name: str, version: str) -> bool:
        """Whether the standard defines ``name`` at ``version``."""
        return _supported(name, version)

    def is_valid(self, document: Any, name: str = "signal") -> bool:
        """True when ``document`` conforms to the version of ``name`` it declares."""
        version = document.get("schema_version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not self.supported(name, version):
            return False
        return bool(_fast(name, version).is_valid(document))

    def first_problems(self, documents: Sequence[Any], name: str = "signal") -> list[str | None]:
        """:meth:`first_problem` of each document, with the per-document overhead taken out of the ingest loop."""
        checks: dict[str, Callable[[Any], bool]] = {}
        problems: list[str | None] = []
        for document in documents:
            version = document.get("schema_version") if isinstance(document, dict) else None
            check = checks.get(version) if isinstance(version, str) else None
            if check is None and isinstance(version, str) and _supported(name, version):
                check = checks[version] = _fast(name, version).is_valid
            problems.append(None if check is not None and check(document) else self.first_problem(document, name))
        return problems

    def first_problem(self, document: Any, name: str = "signal") -> str | None:
        """The JSON pointer of the first violation (no value is echoed), or None when valid."""
        if self.is_valid(document, name):
            return None
        version = document.get("schema_version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not self.supported(name, version):
            return "/schema_version"
        for error in _compiled(name, version).iter_errors(document):
            return "/" + "/".join(str(p) for p in error.instance_path)
        return "/"
