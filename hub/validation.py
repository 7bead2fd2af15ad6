# SPDX-License-Identifier: EUPL-1.2
"""The ingest fast path of schema validation: a compiled validator (jsonschema-rs) of the schema files themselves.

The schema files stay the only source of truth: the same files, the same registry of code lists, compiled. A test
runs every example and mutated documents through this and through the reference validator
(:func:`governance.standard.validate`) and requires the same verdicts. The verdict comes from the files with their
code lists written as ``enum`` lists (:mod:`governance.schema_enums`, an equivalent form, about four times faster);
the location of a violation comes from the files as written.

Most batches are entirely valid, so the ingest path first asks one question of the whole batch document: does it
conform to its batch schema *and* does every signal conform to the signal schema version the first one declares
(:meth:`SignalValidator.batch_valid`)? One call into the compiled validator answers both; only when the answer is
no does each signal get its own verdict and, for the invalid ones, a location. The combined schema only adds
constraints to the batch schema (the batch schema checks each signal's ``id`` and ``schema_version``, which the
signal schema checks as well), so "yes" implies every separate verdict is "valid".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import jsonschema_rs

from governance.compiled import compiled as _compiled
from governance.compiled import fast as _fast
from governance.compiled import registry as _registry
from governance.standard import list_schemas, load_schema

__all__ = ["SignalValidator"]


_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _signal_of_version(version: str) -> dict[str, Any]:
    """A signal declaring exactly ``version`` and conforming to that version's schema."""
    return {"properties": {"schema_version": {"const": version}}, "$ref": load_schema("signal", version)["$id"]}


@cache
def _all_signals(version: str) -> Any:
    """The verdict on a list of signals at once: each declares ``version`` and conforms to it."""
    schema = {"$schema": _DRAFT, "type": "array", "items": _signal_of_version(version)}
    return jsonschema_rs.validator_for(schema, registry=_registry(enums=True), validate_formats=True)


@cache
def _batch_with_signals(batch_version: str, signal_version: str) -> Any:
    """The verdict on a batch document at once: the batch schema, and every signal declares ``signal_version`` and
    conforms to it."""
    schema = {
        "$schema": _DRAFT,
        "allOf": [
            {"$ref": load_schema("batch", batch_version)["$id"]},
            {"properties": {"signals": {"items": _signal_of_version(signal_version)}}},
        ],
    }
    return jsonschema_rs.validator_for(schema, registry=_registry(enums=True), validate_formats=True)


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

    def batch_valid(self, document: Any) -> bool:
        """True only when the batch ``document`` conforms to the batch schema version it declares and every one of its
        signals to the signal schema version the first signal declares (one call; False says nothing more)."""
        if not isinstance(document, dict):
            return False
        version, signals = document.get("schema_version"), document.get("signals")
        if not isinstance(version, str) or not isinstance(signals, list) or not signals:
            return False
        first = signals[0]
        declared = first.get("schema_version") if isinstance(first, dict) else None
        if not isinstance(declared, str) or not _supported("batch", version) or not _supported("signal", declared):
            return False
        return bool(_batch_with_signals(version, declared).is_valid(document))

    def first_problems(self, documents: Sequence[Any], name: str = "signal") -> list[str | None]:
        """:meth:`first_problem` of each document, with the per-document overhead taken out of the ingest loop."""
        if name == "signal" and documents and isinstance(documents[0], dict):
            declared = documents[0].get("schema_version")
            # The common case, all valid and of one version, in one call.
            if (
                isinstance(declared, str)
                and _supported(name, declared)
                and _all_signals(declared).is_valid(documents if isinstance(documents, list) else list(documents))
            ):
                return [None] * len(documents)
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
