# SPDX-License-Identifier: EUPL-1.2
"""Helpers for the registry tests: schema versions derived from the real standard, members with real keys."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.audit import AuditLog
from governance.hub_key import public_jwk
from governance.registry_model import Decision
from governance.registry_quorum import DEFAULT_POLICY, QuorumPolicy
from governance.registry_sqlite import SqliteRegistryStore
from governance.registry_votes import sign_statement
from governance.schema_registry import SchemaRegistry
from governance.standard import load_schema

__all__ = [
    "T0",
    "Clock",
    "Group",
    "longer_texts",
    "open_registry",
    "publish_signal",
    "signal_schema",
    "stricter_texts",
    "working_group",
]

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A settable clock for the registry (moves on by a second per reading so history stays ordered)."""

    now: datetime = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def signal_schema(version: str, change: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The real signal schema 1.0.0 renumbered as ``version`` (``$id`` and ``schema_version``), then ``change``d."""
    document = copy.deepcopy(load_schema("signal", "1.0.0"))
    document["$id"] = document["$id"].replace("1.0.0", version)
    document["properties"]["schema_version"]["const"] = version
    if change is not None:
        change(document)
    return document


def longer_texts(limit: int) -> Callable[[dict[str, Any]], None]:
    """A compatible change: texts may be longer."""
    return lambda document: document["properties"]["text"].__setitem__("maxLength", limit)


def stricter_texts(document: dict[str, Any]) -> None:
    """An incompatible change: texts must be shorter."""
    document["properties"]["text"]["maxLength"] = 1000


@dataclass
class Group:
    """A working group: each member's private key by name."""

    keys: dict[str, ed25519.Ed25519PrivateKey] = field(default_factory=dict)

    def add(self, registry: SchemaRegistry, name: str, kind: str, organisation: str = "GM0363") -> None:
        key = ed25519.Ed25519PrivateKey.generate()
        self.keys[name] = key
        registry.add_member(
            name, organisation=organisation, kind=kind, jwk=public_jwk(key.public_key()), actor="beheer"
        )

    def statement(
        self, registry: SchemaRegistry, name: str, subject: str, version: str, decision: Decision = Decision.APPROVE,
        *, key_of: str | None = None, sha256: str | None = None, reason: str = "",
    ) -> str:  # fmt: skip
        """A statement by ``name`` (signed with ``key_of``'s key when given), dated by the registry's clock."""
        return sign_statement(
            self.keys[key_of or name], subject=subject, version=version, decision=decision,
            schema_sha256=sha256 or registry.get(subject, version).sha256, member=name,
            reason=reason or ("te streng" if decision is Decision.REJECT else ""),
            iat=int(registry.clock().timestamp()),
        )  # fmt: skip

    def vote(
        self, registry: SchemaRegistry, name: str, subject: str, version: str, decision: Decision = Decision.APPROVE
    ) -> Any:
        return registry.vote(
            subject, version, member=name, statement=self.statement(registry, name, subject, version, decision)
        )


def open_registry(data: Path, clock: Clock | None = None, policy: QuorumPolicy = DEFAULT_POLICY) -> SchemaRegistry:
    """A seeded registry over real SQLite and a real audit log in ``data``."""
    clock = clock or Clock()
    registry = SchemaRegistry(SqliteRegistryStore.in_folder(data), AuditLog.in_folder(data), policy=policy, clock=clock)
    registry.seed()
    return registry


def working_group(registry: SchemaRegistry) -> Group:
    """Three members with real keys: a municipality, a national agency and a province (minor: 2 of 3)."""
    made = Group()
    made.add(registry, "anna", "municipality", "GM0363")
    made.add(registry, "bert", "national_agency", "UWV")
    made.add(registry, "cees", "province", "PV27")
    return made


def publish_signal(registry: SchemaRegistry, group: Group, version: str, document: dict[str, Any]) -> None:
    """Propose a compatible signal version, approve it with two signed votes (anna, bert) and publish it."""
    registry.propose("signal", version, document, rationale="Spoed en herziening", actor="anna")
    for name in ("anna", "bert"):
        group.vote(registry, name, "signal", version)
    registry.publish("signal", version, actor="voorzitter")
