# SPDX-License-Identifier: EUPL-1.2
"""The standard's documents compiled by jsonschema-rs: the fast verdicts on hot paths (readers, CLI, hub ingest).

:class:`CompiledSchemas` compiles the documents of one :class:`~governance.schema_catalog.SchemaCatalog`, each form
on first use. Two forms of the same documents: :meth:`~CompiledSchemas.compiled` as written (for the locations of
violations) and :meth:`~CompiledSchemas.fast`, with code lists as ``enum`` lists (:mod:`governance.schema_enums`: an
equivalent form, about four times faster), for yes/no verdicts; and the combined forms of the hub's ingest fast path
(:meth:`~CompiledSchemas.signals`, :meth:`~CompiledSchemas.batch`). :func:`compiled_for` keeps one per catalog
stamp, so a catalog taken again without a change reuses what was compiled. The module functions :func:`compiled`,
:func:`fast` and :func:`registry` are the files of ``schema/`` (connectors and the command line).
The reference validator with readable messages is :func:`governance.standard.validate`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs

from governance.errors import UnknownSchemaError
from governance.schema_catalog import SchemaCatalog
from governance.schema_enums import codelists_as_enums

__all__ = ["CompiledSchemas", "compiled", "compiled_for", "fast", "registry"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_KEPT = 8  # compiled catalogs kept: the current one and a few recent (a hub rarely sees more than one change a day)


class CompiledSchemas:
    """The documents of one catalog compiled on first use; ``supported`` versions are the accepted ones."""

    def __init__(self, catalog: SchemaCatalog) -> None:
        self.catalog = catalog
        self._forms: dict[tuple[Any, ...], Any] = {}

    def _form(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        # Two threads may both build a missing form; the second simply replaces the first (same verdicts).
        found = self._forms.get(key)
        if found is None:
            found = self._forms[key] = build()
        return found

    def supported(self, name: str, version: str) -> bool:
        """Whether documents of ``name`` at ``version`` are accepted (and so can be validated here)."""
        return self.catalog.is_accepted(name, version)

    def _document(self, name: str, version: str) -> dict[str, Any]:
        document = self.catalog.document(name, version) if self.supported(name, version) else None
        if document is None:
            raise UnknownSchemaError(f"'{name}' has no accepted version {version}")
        return document

    def registry(self, enums: bool = False) -> jsonschema_rs.Registry:
        """Every published document by its ``$id`` (code lists as ``enum`` lists when ``enums``)."""

        def build() -> jsonschema_rs.Registry:
            resources = self.catalog.resources()
            return jsonschema_rs.Registry([(uri, codelists_as_enums(d) if enums else d) for uri, d in resources])

        return self._form(("registry", enums), build)

    def _validator(self, schema: Any, enums: bool) -> Any:
        return jsonschema_rs.validator_for(schema, registry=self.registry(enums), validate_formats=True)

    def compiled(self, name: str, version: str) -> Any:
        """The schema ``name`` at ``version`` as written, compiled (formats checked)."""
        return self._form(("compiled", name, version), lambda: self._validator(self._document(name, version), False))

    def fast(self, name: str, version: str) -> Any:
        """The verdict-only form of :meth:`compiled`: the same acceptance, code lists as ``enum`` lists."""
        return self._form(
            ("fast", name, version), lambda: self._validator(codelists_as_enums(self._document(name, version)), True)
        )

    def _signal_of_version(self, version: str) -> dict[str, Any]:
        """A signal declaring exactly ``version`` and conforming to that version's schema."""
        return {"properties": {"schema_version": {"const": version}}, "$ref": self._document("signal", version)["$id"]}

    def signals(self, version: str) -> Any:
        """The verdict on a list of signals at once: each declares ``version`` and conforms to it."""

        def build() -> Any:
            schema = {"$schema": _DRAFT, "type": "array", "items": self._signal_of_version(version)}
            return self._validator(schema, True)

        return self._form(("signals", version), build)

    def batch(self, batch_version: str, signal_version: str) -> Any:
        """The verdict on a batch document at once: the batch schema, and every signal declares ``signal_version``
        and conforms to it."""

        def build() -> Any:
            schema = {
                "$schema": _DRAFT,
                "allOf": [
                    {"$ref": self._document("batch", batch_version)["$id"]},
                    {"properties": {"signals": {"items": self._signal_of_version(signal_version)}}},
                ],
            }
            return self._validator(schema, True)

        return self._form(("batch", batch_version, signal_version), build)


_BY_STAMP: OrderedDict[str, CompiledSchemas] = OrderedDict()
_BY_STAMP_LOCK = threading.Lock()


def compiled_for(catalog: SchemaCatalog) -> CompiledSchemas:
    """The compiled forms of ``catalog``: shared by every catalog with the same stamp (the last few kept, and always
    the files' own, which a registry that nobody changed equals)."""
    files = _files()
    if catalog.stamp == files.catalog.stamp:
        return files
    with _BY_STAMP_LOCK:
        found = _BY_STAMP.get(catalog.stamp)
        if found is None:
            found = _BY_STAMP[catalog.stamp] = CompiledSchemas(catalog)
            while len(_BY_STAMP) > _KEPT:
                _BY_STAMP.popitem(last=False)
        else:
            _BY_STAMP.move_to_end(catalog.stamp)
        return found


@cache
def _files() -> CompiledSchemas:
    return CompiledSchemas(SchemaCatalog.from_files())


@cache
def _subject(name: str) -> str:
    """The catalog's name of a file's subject: a code list's file name (``themes``) is ``codelist/themes``."""
    from governance.standard import list_schemas

    kinds = {info.name: info.kind for info in list_schemas()}
    return f"codelist/{name}" if kinds.get(name) == "codelist" else name


def registry(enums: bool = False) -> jsonschema_rs.Registry:
    """Every document of the standard's files by its ``$id`` (code lists as ``enum`` lists when ``enums``)."""
    return _files().registry(enums)


def compiled(name: str, version: str) -> Any:
    """The file ``name`` at ``version`` as written, compiled (formats checked)."""
    return _files().compiled(_subject(name), version)


def fast(name: str, version: str) -> Any:
    """The verdict-only form of :func:`compiled`: the same acceptance, code lists as ``enum`` lists."""
    return _files().fast(_subject(name), version)
