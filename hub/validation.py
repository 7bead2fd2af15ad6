# SPDX-License-Identifier: EUPL-1.2
"""The ingest fast path of schema validation: compiled validators (jsonschema-rs) of the catalog's documents.

The validator works on one :class:`~governance.schema_catalog.SchemaCatalog` (by default the files of ``schema/``;
the hub passes the registry's current one): the versions it supports are the catalog's accepted ones
(gepubliceerd, uitgefaseerd), and the documents, code lists included, are the catalog's, compiled once per catalog
stamp (:func:`governance.compiled.compiled_for`). A test runs every example and mutated documents through this and
through the reference validator (:func:`governance.standard.validate`) and requires the same verdicts. The verdict
comes from the documents with their code lists written as ``enum`` lists (:mod:`governance.schema_enums`, an
equivalent form, about four times faster); the location of a violation comes from the documents as written.

Most batches are entirely valid, so the ingest path first asks one question of the whole batch document: does it
conform to its batch schema *and* does every signal conform to the signal schema version the first one declares
(:meth:`SignalValidator.batch_valid`)? One call into the compiled validator answers both; only when the answer is
no does each signal get its own verdict and, for the invalid ones, a location. The combined schema only adds
constraints to the batch schema (the batch schema checks each signal's ``id`` and ``schema_version``, which the
signal schema checks as well), so "yes" implies every separate verdict is "valid".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from governance.compiled import compiled_for
from governance.schema_catalog import SchemaCatalog

__all__ = ["SignalValidator"]


class SignalValidator:
    """Validates documents against the version they declare in ``catalog``; versions the catalog does not accept
    are reported as a problem at ``/schema_version``, not raised."""

    def __init__(self, catalog: SchemaCatalog | None = None) -> None:
        self.catalog = catalog if catalog is not None else SchemaCatalog.from_files()
        self._schemas = compiled_for(self.catalog)

    def supported(self, name: str, version: str) -> bool:
        """Whether the catalog accepts documents of ``name`` at ``version``."""
        return self._schemas.supported(name, version)

    def is_valid(self, document: Any, name: str = "signal") -> bool:
        """True when ``document`` conforms to the version of ``name`` it declares."""
        version = document.get("schema_version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not self.supported(name, version):
            return False
        return bool(self._schemas.fast(name, version).is_valid(document))

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
        if (
            not isinstance(declared, str)
            or not self.supported("batch", version)
            or not self.supported("signal", declared)
        ):
            return False
        return bool(self._schemas.batch(version, declared).is_valid(document))

    def first_problems(self, documents: Sequence[Any], name: str = "signal") -> list[str | None]:
        """:meth:`first_problem` of each document, with the per-document overhead taken out of the ingest loop."""
        if name == "signal" and documents and isinstance(documents[0], dict):
            declared = documents[0].get("schema_version")
            # The common case, all valid and of one version, in one call.
            if (
                isinstance(declared, str)
                and self.supported(name, declared)
                and self._schemas.signals(declared).is_valid(
                    documents if isinstance(documents, list) else list(documents)
                )
            ):
                return [None] * len(documents)
        checks: dict[str, Callable[[Any], bool]] = {}
        problems: list[str | None] = []
        for document in documents:
            version = document.get("schema_version") if isinstance(document, dict) else None
            check = checks.get(version) if isinstance(version, str) else None
            if check is None and isinstance(version, str) and self.supported(name, version):
                check = checks[version] = self._schemas.fast(name, version).is_valid
            problems.append(None if check is not None and check(document) else self.first_problem(document, name))
        return problems

    def first_problem(self, document: Any, name: str = "signal") -> str | None:
        """The JSON pointer of the first violation (no value is echoed), or None when valid."""
        if self.is_valid(document, name):
            return None
        version = document.get("schema_version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not self.supported(name, version):
            return "/schema_version"
        for error in self._schemas.compiled(name, version).iter_errors(document):
            return "/" + "/".join(str(p) for p in error.instance_path)
        return "/"
