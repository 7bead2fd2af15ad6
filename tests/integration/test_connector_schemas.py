# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector schemas`` and ``push`` against a real ``hartslag hub serve`` process while the working
group changes the standard from another process (this test's own registry connection): the hub picks up each
publication, deprecation and retirement without a restart, and the connector sees it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from governance.schema_registry import SchemaRegistry
from hartslag.cli import app
from tests.factories import make_keypair, make_signals, write_jsonl
from tests.governance.registry_support import publish_signal, working_group
from tests.governance.versions_support import signal_v1_1
from tests.integration.processes import HubProcess, hartslag, run_all
from tests.receivers import free_port

pytestmark = pytest.mark.integration

runner = CliRunner()
HUB_ID = "hub-schemas"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[HubProcess, Path, Path]]:
    """A hub process with GM0363 registered; (hub, data folder, the agency's private key)."""
    data = tmp_path / "data"
    pair = make_keypair(tmp_path / "keys", "GM0363")
    add = ["hub", "agency", "add", "GM0363", "--name", "Amsterdam", "--kind", "municipality"]
    run_all([[*hartslag(), *add, "--jwks", str(pair.jwks), "--data", str(data)]])
    port = free_port()
    serve = [*hartslag(), "hub", "serve", "--data", str(data), "--port", str(port), "--hub-id", HUB_ID]
    hub = HubProcess(serve, port, tmp_path / "hub.log")
    hub.start()
    try:
        hub.wait_healthy(60.0)
        yield hub, data, pair.private_pem
    finally:
        hub.kill()


def schemas(hub: HubProcess) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, ["connector", "schemas", "--hub", hub.url, "--json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def own(doc: dict[str, Any], subject: str = "signal") -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in doc["own"] if o["subject"] == subject)
    return found


def test_the_connector_follows_the_hubs_versions(served: tuple[HubProcess, Path, Path], tmp_path: Path) -> None:
    hub, data, key = served
    code, doc, err = schemas(hub)
    assert code == 0 and not err.strip()
    assert own(doc)["accepted"] and own(doc)["status"] == "gepubliceerd" and doc["warnings"] == []
    assert {"signal", "batch", "codelist/themes"} <= {s["subject"] for s in doc["subjects"]}
    human = runner.invoke(app, ["connector", "schemas", "--hub", hub.url])
    assert human.exit_code == 0 and "codelist/themes" in human.stdout

    registry = SchemaRegistry.open(data)  # the working group, in another process than the hub
    try:
        publish_signal(registry, working_group(registry), "1.1.0", signal_v1_1())
        sunset = date.today() + timedelta(days=45)
        registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter")

        code, doc, err = schemas(hub)
        assert code == 0  # still accepted: a warning, not a failure
        assert own(doc)["status"] == "uitgefaseerd" and own(doc)["sunset"] == sunset.isoformat()
        assert own(doc)["current"] == "1.1.0"
        assert "deprecated" in err and sunset.isoformat() in err and "1.1.0" in err

        registry.retire("signal", "1.0.0", actor="voorzitter", force=True, reason="vervroegd ingetrokken")
    finally:
        registry.close()

    code, doc, err = schemas(hub)
    assert code == 1 and not own(doc)["accepted"] and "retired" in err and sunset.isoformat() in err

    # The connector still writes 1.0.0: the hub refuses the batch, and the connector sets it aside with the code.
    export = write_jsonl(tmp_path / "signals.jsonl", make_signals(3))
    state = tmp_path / "state"
    push = [
        *("connector", "push", str(export), "--hub", hub.url, "--agency", "GM0363", "--key", str(key)),
        *("--aud", HUB_ID, "--state", str(state), "--timeout", "20"),
    ]
    pushed = runner.invoke(app, push)
    assert pushed.exit_code == 1 and "schema-version-retired" in pushed.output
    status = runner.invoke(app, ["connector", "status", "--state", str(state), "--json"])
    assert json.loads(status.stdout)["set_aside_reasons"] == {"schema-version-retired": 3}


def test_an_address_that_is_not_http_is_bad_input() -> None:
    result = runner.invoke(app, ["connector", "schemas", "--hub", "ftp://hub.example"])
    assert result.exit_code == 2 and "hub-url-invalid" in result.stderr
