# SPDX-License-Identifier: EUPL-1.2
"""The standard's files compiled by jsonschema-rs: the fast verdicts on hot paths (readers, CLI, hub ingest).

Two forms of the same files: :func:`compiled` as written (for the locations of violations) and :func:`fast`, with
code lists as ``enum`` lists (:mod:`governance.schema_enums`: an equivalent form, about four times faster), for
yes/no verdicts. The reference validator with readable messages is :func:`governance.standard.validate`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs

from governance.schema_enums import codelists_as_enums
from governance.standard import list_schemas, load_schema

__all__ = ["compiled", "fast", "registry"]


@cache
def registry(enums: bool = False) -> jsonschema_rs.Registry:
    """Every document of the standard by its ``$id`` (code lists as ``enum`` lists when ``enums``)."""
    resources = []
    for info in list_schemas():
        document = load_schema(info.name, info.version)
        if "$id" in document:
            resources.append((document["$id"], codelists_as_enums(document) if enums else document))
    return jsonschema_rs.Registry(resources)


@cache
def compiled(name: str, version: str) -> Any:
    """The schema ``name`` at ``version`` as written, compiled (formats checked)."""
    return jsonschema_rs.validator_for(load_schema(name, version), registry=registry(), validate_formats=True)


@cache
def fast(name: str, version: str) -> Any:
    """The verdict-only form of :func:`compiled`: the same acceptance, code lists as ``enum`` lists."""
    document = codelists_as_enums(load_schema(name, version))
    return jsonschema_rs.validator_for(document, registry=registry(enums=True), validate_formats=True)
