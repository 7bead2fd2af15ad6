# SPDX-License-Identifier: EUPL-1.2
"""The hub's registry changes and operator imports land in the data folder's audit log, with the actor and without
any signal text: through the registry, the admin API, and the ``hartslag hub`` commands."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from connectors.keys import write_keypair
from governance.audit import AuditEntry, AuditLog
from governance.audit_verify import verify_log
from hartslag.cli import app
from hub.registry import AgencyExistsError, Registry
from hub.services import HubServices
from hub.settings import Settings
from hub.storage import open_storage
from tests.factories import make_agency, make_signal, make_signals, write_jsonl
from tests.hub.support import open_hub

PLANTED = "06-12345678"
runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def jwks(tmp_path: Path, name: str) -> dict[str, Any]:
    pair = write_keypair("GM0363", tmp_path / "keys" / name)
    loaded: dict[str, Any] = json.loads(pair.jwks.read_text(encoding="utf-8"))
    return loaded


def audit_entries(data: Path) -> list[AuditEntry]:
    """The log's entries, after checking that it is intact."""
    with AuditLog.in_folder(data, create=False) as log:
        assert verify_log(log).intact
        return log.entries()


@pytest.fixture
def registry(data: Path) -> Iterator[Registry]:
    storage = open_storage(data)
    with AuditLog.in_folder(data) as log:
        yield Registry(storage, audit=log)
    storage.close()


# the registry ----------------------------------------------------------------------------------------------------
def test_every_registry_change_is_audited_with_its_actor(tmp_path: Path, data: Path, registry: Registry) -> None:
    first, second, third = jwks(tmp_path, "1"), jwks(tmp_path, "2"), jwks(tmp_path, "3")
    both = {"keys": first["keys"] + second["keys"]}
    registry.add_agency("GM0363", "Gemeente Amsterdam", "municipality", both, "beheerder-1")
    registry.add_keys("GM0363", third, "beheerder-2")
    kid1, kid2, kid3 = (k["keys"][0]["kid"] for k in (first, second, third))
    registry.retire_key("GM0363", kid1, "beheerder-2")
    registry.revoke_key("GM0363", kid2, "beheerder-3")
    registry.revoke_key("GM0363", kid2, "beheerder-3")  # revoking again changes nothing, so nothing is recorded
    registry.suspend("GM0363", "beheerder-1")
    registry.resume("GM0363", "beheerder-1")

    entries = audit_entries(data)
    assert [(e.action, e.actor, e.subject, e.details) for e in entries] == [
        ("agency.added", "beheerder-1", "GM0363", {"name": "Gemeente Amsterdam", "kind": "municipality"}),
        ("key.added", "beheerder-1", "GM0363", {"kid": kid1}),
        ("key.added", "beheerder-1", "GM0363", {"kid": kid2}),
        ("key.added", "beheerder-2", "GM0363", {"kid": kid3}),
        ("key.retired", "beheerder-2", "GM0363", {"kid": kid1}),
        ("key.revoked", "beheerder-3", "GM0363", {"kid": kid2}),
        ("agency.suspended", "beheerder-1", "GM0363", {}),
        ("agency.resumed", "beheerder-1", "GM0363", {}),
    ]
    # The audit log and the registry's own history tell the same story.
    history = registry.storage.registry_changes("GM0363")
    assert [c.event.replace("_", ".", 1) for c in history] == [e.action for e in entries]


def test_a_refused_change_is_not_audited(tmp_path: Path, data: Path, registry: Registry) -> None:
    registry.add_agency("GM0363", "Gemeente Amsterdam", "municipality", jwks(tmp_path, "1"), "op")
    with pytest.raises(AgencyExistsError):
        registry.add_agency("GM0363", "Gemeente Amsterdam", "municipality", jwks(tmp_path, "2"), "op")
    with pytest.raises(Exception, match="not an organisation code"):
        registry.add_agency("GM9999", "Nergens", "municipality", jwks(tmp_path, "3"), "op")
    assert [e.action for e in audit_entries(data)] == ["agency.added", "key.added"]


def test_the_hub_services_audit_into_the_data_folder(tmp_path: Path, data: Path) -> None:
    services = HubServices.build(Settings(data=data))
    try:
        assert services.registry.audit is services.audit
        services.registry.add_agency("UWV", "UWV", "national_agency", jwks(tmp_path, "1"), "op")
    finally:
        services.close()
    assert [e.action for e in audit_entries(data)] == ["agency.added", "key.added"]


def test_admin_api_changes_are_audited_as_the_admin_api(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=()) as hub:
        _, keys = hub.new_key("GM0363")
        body = {"code": "GM0363", "name": "Gemeente Amsterdam", "kind": "municipality", "jwks": keys}
        assert hub.admin("POST", "/v1/admin/agencies", json=body).status_code == 201
        assert hub.admin("PATCH", "/v1/admin/agencies/GM0363", json={"status": "suspended"}).status_code == 200
    entries = audit_entries(tmp_path / "data")
    assert [(e.action, e.actor) for e in entries] == [
        ("agency.added", "admin-api"),
        ("key.added", "admin-api"),
        ("agency.suspended", "admin-api"),
    ]


# the command line ------------------------------------------------------------------------------------------------
def hub_cli(*args: str | Path) -> Result:
    return runner.invoke(app, ["hub", *map(str, args)])


@pytest.fixture
def registered(tmp_path: Path, data: Path) -> None:
    pair = write_keypair("GM0363", tmp_path / "cli-keys")
    result = hub_cli(
        "agency", "add", "GM0363", "--name", "Gemeente Amsterdam", "--kind", "municipality", "--jwks", pair.jwks,
        "--data", data, "--actor", "beheerder-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    suspended = hub_cli("agency", "suspend", "GM0363", "--data", data, "--actor", "beheerder-2")
    resumed = hub_cli("agency", "resume", "GM0363", "--data", data, "--actor", "beheerder-2")
    assert suspended.exit_code == resumed.exit_code == 0


def test_cli_registry_changes_are_audited(data: Path, registered: None) -> None:
    assert [(e.action, e.actor) for e in audit_entries(data)] == [
        ("agency.added", "beheerder-1"),
        ("key.added", "beheerder-1"),
        ("agency.suspended", "beheerder-2"),
        ("agency.resumed", "beheerder-2"),
    ]
    verified = runner.invoke(app, ["governance", "audit", "verify", "--data", str(data)])
    assert verified.exit_code == 0 and verified.stdout.strip() == "intact: 4 entries, 0 checkpoints"


def _import(file: Path, data: Path) -> Result:
    return hub_cli("import", file, "--data", data, "--agency", "GM0363", "--actor", "beheerder-3", "--json")


def test_an_import_is_audited_with_counts_and_no_signal_text(tmp_path: Path, data: Path, registered: None) -> None:
    agency = make_agency("GM0363")
    signals = [*make_signals(5, seed=11, agency=agency), make_signal(agency=agency, kind="rant")]
    signals[1]["text"] = f"Meneer vraagt om terugbellen op {PLANTED} over de kapotte lantaarnpaal."
    file = write_jsonl(tmp_path / "backfill.jsonl", signals)
    result = _import(file, data)
    assert result.exit_code == 1, result.output  # the "rant" signal is rejected
    outcome = json.loads(result.stdout)

    (entry,) = [e for e in audit_entries(data) if e.action == "signals.imported"]
    assert (entry.actor, entry.subject) == ("beheerder-3", "GM0363")
    assert entry.details["file_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
    assert {k: entry.details[k] for k in ("signals", "accepted", "duplicate", "rejected", "reasons")} == {
        "signals": 6,
        **outcome,
    }
    assert entry.details["complete"] is True and len(entry.details["batches"]) == 1

    # No text of any signal reached the log: not in its entries, not anywhere in its files.
    everything = json.dumps([e.as_dict() for e in audit_entries(data)], ensure_ascii=False)
    stored = b"".join(p.read_bytes() for p in data.glob("audit.sqlite3*"))
    for signal in signals:
        assert signal["text"] not in everything
        assert signal["text"].encode() not in stored
    assert PLANTED not in everything and PLANTED.encode() not in stored


def test_a_refused_import_is_not_audited(tmp_path: Path, data: Path, registered: None) -> None:
    file = write_jsonl(tmp_path / "uwv.jsonl", make_signals(2, agency=make_agency("UWV")))
    refused = hub_cli("import", file, "--data", data, "--agency", "UWV", "--actor", "beheerder-3")
    assert refused.exit_code == 2
    assert "signals.imported" not in [e.action for e in audit_entries(data)]
