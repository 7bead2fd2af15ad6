# SPDX-License-Identifier: EUPL-1.2
"""Realistic later versions of the signal schema for the upcasting and migration tests, built from the real 1.0.0.

- ``1.1.0`` (minor) adds two optional members with a default: ``urgency`` at the top level (``normal``) and
  ``privacy.review`` (``automatic``), and one without a default: ``source.department``.
- ``2.0.0`` (major, from 1.1.0) renames ``observed_at`` to ``occurred_at``, renames two kinds
  (``survey_answer`` → ``survey_response``, ``professional_signal`` → ``professional_observation``) and the policy
  scheme ``hartslag-policy`` → ``hartslag``, requires ``privacy.method`` and drops ``source.system``; ``MIGRATION_2``
  declares the way there and back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from governance.registry_model import ChangeKind, SchemaVersion, schema_sha256
from governance.registry_status import Status
from governance.schema_catalog import SchemaCatalog
from governance.standard import codelist_codes, load_schema, schema_root, subject_of
from tests.governance.registry_support import signal_schema

__all__ = [
    "MIGRATION_2",
    "ONE_WAY_2",
    "RELABEL_2",
    "catalog",
    "record",
    "signal_v1_1",
    "signal_v2",
    "valid_signal_examples",
]

KIND_RENAMES = {"survey_answer": "survey_response", "professional_signal": "professional_observation"}
SCHEME_RENAMES = {"hartslag-policy": "hartslag"}

MIGRATION_2: dict[str, Any] = {
    "format": "1.0.0",
    "subject": "signal",
    "from": 1,
    "to": 2,
    "description": "observed_at heet occurred_at; nieuwe codes voor twee soorten en het eigen beleidsschema.",
    "up": [
        {"op": "rename", "from": "/observed_at", "path": "/occurred_at"},
        {"op": "map", "path": "/kind", "values": KIND_RENAMES},
        {"op": "map", "path": "/policy_refs/*/scheme", "values": SCHEME_RENAMES},
        {"op": "set", "path": "/privacy/method", "value": "placeholders"},
        {"op": "remove", "path": "/source/system"},
    ],
    "down": [
        {"op": "rename", "from": "/occurred_at", "path": "/observed_at"},
        {"op": "map", "path": "/kind", "values": {new: old for old, new in KIND_RENAMES.items()}},
        {"op": "map", "path": "/policy_refs/*/scheme", "values": {new: old for old, new in SCHEME_RENAMES.items()}},
        {"op": "remove", "path": "/privacy/method"},
    ],
}

RELABEL_2: dict[str, Any] = {"format": "1.0.0", "subject": "signal", "from": 1, "to": 2, "up": [], "down": []}
"""A migration that only relabels: enough for a major that merely tightens a bound the examples already meet."""

ONE_WAY_2: dict[str, Any] = {key: value for key, value in RELABEL_2.items() if key != "down"}
"""The same without a way down (the format allows it; the registry does not)."""


def signal_v1_1(version: str = "1.1.0") -> dict[str, Any]:
    """The signal schema 1.1.0: 1.0.0 plus optional members, two of them with a default."""

    def change(document: dict[str, Any]) -> None:
        properties = document["properties"]
        properties["urgency"] = {"enum": ["normal", "urgent"], "default": "normal", "description": "Spoed."}
        properties["privacy"]["properties"]["review"] = {"enum": ["automatic", "manual"], "default": "automatic"}
        properties["source"]["properties"]["department"] = {"type": "string", "maxLength": 100}

    return signal_schema(version, change)


def signal_v2(version: str = "2.0.0") -> dict[str, Any]:
    """The signal schema 2.0.0, derived from 1.1.0 as :data:`MIGRATION_2` describes."""
    document = signal_v1_1(version)
    properties = document["properties"]
    properties["occurred_at"] = properties.pop("observed_at")
    document["required"] = ["occurred_at" if name == "observed_at" else name for name in document["required"]]
    kinds = [KIND_RENAMES.get(code, code) for code in codelist_codes("signal-kinds")]
    properties["kind"] = {"enum": kinds, "description": properties["kind"]["description"]}
    scheme = properties["policy_refs"]["items"]["properties"]
    schemes = [SCHEME_RENAMES.get(code, code) for code in codelist_codes("policy-ref-schemes")]
    scheme["scheme"] = {"enum": schemes}
    privacy = properties["privacy"]
    privacy["properties"]["method"] = {"enum": ["placeholders", "redaction"]}
    privacy["required"] = [*privacy["required"], "method"]
    del properties["source"]["properties"]["system"]
    return document


def record(
    version: str, document: dict[str, Any], status: Status = Status.GEPUBLICEERD, migration: Any = None
) -> SchemaVersion:
    """A registry record of a signal version (for :class:`governance.upcasting.RecordCatalog`)."""
    change = ChangeKind.MAJOR if migration is not None else ChangeKind.MINOR
    return SchemaVersion(
        "signal", version, status, document, schema_sha256(document), "test", "anna", "2026-11-27T09:00:00Z", change,
        migration=copy.deepcopy(migration),
    )  # fmt: skip


def catalog(*records: SchemaVersion) -> SchemaCatalog:
    """The real catalog over 1.0.0 (from the files) and the given records."""
    return SchemaCatalog([record("1.0.0", load_schema("signal", "1.0.0")), *records])


def valid_signal_examples() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every valid 1.0.0 signal example of the standard (batches unpacked), by name."""
    for path in sorted((schema_root() / "examples" / "1.0.0" / "valid").glob("*.json")):
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if subject_of(document) == "batch":
            for index, signal in enumerate(document["signals"]):
                yield f"{path.stem}[{index}]", signal
        else:
            yield path.stem, document
