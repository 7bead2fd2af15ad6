# SPDX-License-Identifier: EUPL-1.2
"""Hub test fixtures (a pytest plugin, see tests/conftest.py): a data folder with a registered agency and its real
signing key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connectors.envelope import BatchSigner
from connectors.keys import load_signing_key
from hub.ingest import Ingest
from hub.registry import Registry
from hub.storage import Storage, open_storage
from tests.factories import make_agency, make_keypair, make_signals

HUB_ID = "hub-test"


@dataclass
class HubWorld:
    """A hub's storage, registry and ingest path with agencies whose signers are ready."""

    storage: Storage
    registry: Registry
    ingest: Ingest
    signers: dict[str, BatchSigner]
    key_dir: Path

    def add_agency(self, code: str, name: str | None = None) -> BatchSigner:
        pair = make_keypair(self.key_dir, code)
        jwks: dict[str, Any] = json.loads(pair.jwks.read_text())
        self.registry.add_agency(code, name or code, make_agency(code).kind, jwks, "test")
        signer = BatchSigner(load_signing_key(pair.private_pem), issuer=code, audience=HUB_ID)
        self.signers[code] = signer
        return signer

    def signals(self, n: int, code: str = "GM0363", seed: int = 7) -> list[dict[str, Any]]:
        return make_signals(n, seed=seed, agency=make_agency(code))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HubWorld]:
    storage = open_storage(tmp_path / "data")
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    hub = HubWorld(storage, Registry(storage), Ingest(storage, HUB_ID), {}, key_dir)
    hub.add_agency("GM0363", "Gemeente Amsterdam")
    yield hub
    storage.close()
