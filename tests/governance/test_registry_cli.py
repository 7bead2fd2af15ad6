# SPDX-License-Identifier: EUPL-1.2
"""``hartslag governance …`` for the registry, end to end with real key files: exit codes 0/1/2, JSON and audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from governance.audit import AuditLog
from hartslag.cli import app
from tests.factories import make_keypair
from tests.governance.registry_support import longer_texts, signal_schema, stricter_texts
from tests.governance.versions_support import RELABEL_2

runner = CliRunner()


def gov(*args: str | Path) -> Result:
    return runner.invoke(app, ["governance", *map(str, args)])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def refused(result: Result, code: str, exit_code: int = 1) -> None:
    """A one-line readable error on standard error naming the code, nothing on standard output, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error:") and code in result.stderr and "Traceback" not in result.output


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A data folder, three members' key pairs made by the connectors' key tooling, and two proposals' files."""
    data = tmp_path / "data"
    data.mkdir()
    paths = {"data": data}
    for name, kind, organisation in (
        ("anna", "municipality", "GM0363"), ("bert", "national_agency", "UWV"), ("cees", "province", "PV27"),
    ):  # fmt: skip
        pair = make_keypair(tmp_path / "keys", name)
        paths[name] = pair.private_pem
        ok(
            gov(
                "member",
                "add",
                name,
                "--organisation",
                organisation,
                "--kind",
                kind,
                "--jwk",
                pair.jwks,
                "--data",
                data,
            )
        )
    for version, change in (("1.1.0", longer_texts(5000)), ("2.0.0", stricter_texts)):
        path = tmp_path / f"signal-{version}.json"
        path.write_text(json.dumps(signal_schema(version, change)), encoding="utf-8")
        paths[version] = path
    paths["migration"] = tmp_path / "migration-2.0.0.json"
    paths["migration"].write_text(json.dumps(RELABEL_2), encoding="utf-8")
    return paths


def test_propose_approve_twice_publish_deprecate_retire(world: dict[str, Path]) -> None:
    data = world["data"]
    proposed = ok(gov("propose", "signal", world["1.1.0"], "--version", "1.1.0", "--rationale", "langere teksten",
                      "--actor", "anna", "--data", data, "--json"))  # fmt: skip
    report = json.loads(proposed.stdout)
    assert report["status"] == "voorgesteld" and report["change"] == "minor"
    assert [r["old_versions"] for r in report["compat"]] == [["1.0.0"]] and report["compat"][0]["compatible"]

    first = ok(gov("approve", "signal", "1.1.0", "--member", "anna", "--key", world["anna"], "--data", data))
    assert "voorgesteld" in first.stdout and "national_agency" in first.stdout
    second = ok(gov("approve", "signal", "1.1.0", "--member", "bert", "--key", world["bert"], "--data", data, "--json"))
    standing = json.loads(second.stdout)
    assert standing["status"] == "goedgekeurd" and standing["quorum"]["reached"]
    assert [(v["member"], v["decision"], v["valid"]) for v in standing["votes"]] == [
        ("anna", "approve", True), ("bert", "approve", True),
    ]  # fmt: skip

    ok(gov("publish", "signal", "1.1.0", "--data", data, "--actor", "voorzitter"))
    today = datetime.now(UTC).date()
    ok(gov("deprecate", "signal", "1.0.0", "--sunset", today.isoformat(), "--data", data, "--actor", "voorzitter"))
    ok(gov("retire", "signal", "1.0.0", "--data", data, "--actor", "voorzitter"))

    versions = json.loads(ok(gov("versions", "signal", "--data", data, "--json")).stdout)
    assert [(v["version"], v["status"], v["sunset"]) for v in versions] == [
        ("1.0.0", "ingetrokken", today.isoformat()), ("1.1.0", "gepubliceerd", None),
    ]  # fmt: skip
    with AuditLog.in_folder(data) as log:
        actions = [entry.action for entry in log.entries()]
    assert actions.count("working-group.member-added") == 3
    assert actions[-4:] == [
        "schema-version.approved", "schema-version.published", "schema-version.deprecated", "schema-version.retired",
    ]  # fmt: skip


def test_refusals_exit_1_and_bad_input_exits_2(world: dict[str, Path]) -> None:
    data = world["data"]
    ok(gov("propose", "signal", world["1.1.0"], "--version", "1.1.0", "--rationale", "r", "--actor", "anna",
           "--data", data))  # fmt: skip
    refused(
        gov("approve", "signal", "1.1.0", "--member", "anna", "--key", world["bert"], "--data", data), "vote-wrong-key"
    )
    refused(gov("publish", "signal", "1.1.0", "--data", data), "status-transition-refused")
    ok(gov("approve", "signal", "1.1.0", "--member", "anna", "--key", world["anna"], "--data", data))
    refused(
        gov("approve", "signal", "1.1.0", "--member", "anna", "--key", world["anna"], "--data", data), "already-voted"
    )
    refused(gov("propose", "signal", world["2.0.0"], "--version", "1.2.0", "--rationale", "r", "--actor", "anna",
                "--data", data), "schema-version-mismatch", exit_code=2)  # fmt: skip
    refused(gov("reject", "signal", "1.1.0", "--member", "cees", "--key", world["cees"], "--reason", " ",
                "--data", data), "reason", exit_code=2)  # fmt: skip
    refused(gov("deprecate", "signal", "1.0.0", "--sunset", "morgen", "--data", data), "YYYY-MM-DD", exit_code=2)
    refused(gov("review", "signal", "9.9.9", "--data", data), "schema-version-not-found", exit_code=2)
    refused(gov("versions", "signal", "--data", data.parent / "nowhere"), "no data folder", exit_code=2)
    refused(gov("approve", "signal", "1.1.0", "--member", "anna", "--key", world["1.1.0"], "--data", data),
            "key-invalid", exit_code=2)  # fmt: skip


def test_a_major_proposal_is_rejected_with_a_signed_reason(world: dict[str, Path]) -> None:
    data = world["data"]
    ok(gov("propose", "signal", world["2.0.0"], "--version", "2.0.0", "--rationale", "kortere teksten",
           "--actor", "anna", "--data", data, "--migration", world["migration"]))  # fmt: skip
    review = ok(gov("review", "signal", "2.0.0", "--data", data))
    assert "NOT compatible" in review.stdout and "MAX_LENGTH_DECREASED" in review.stdout
    result = ok(gov("reject", "signal", "2.0.0", "--member", "bert", "--key", world["bert"], "--reason",
                    "breekt alle connectoren", "--data", data, "--json"))  # fmt: skip
    standing = json.loads(result.stdout)
    assert standing["status"] == "afgewezen" and standing["votes"][0]["reason"] == "breekt alle connectoren"


def test_forced_retirement_and_diff(world: dict[str, Path]) -> None:
    data = world["data"]
    ok(gov("propose", "signal", world["1.1.0"], "--version", "1.1.0", "--rationale", "r", "--actor", "anna",
           "--data", data))  # fmt: skip
    for name in ("anna", "bert"):
        ok(gov("approve", "signal", "1.1.0", "--member", name, "--key", world[name], "--data", data))
    ok(gov("publish", "signal", "1.1.0", "--data", data))
    sunset = (datetime.now(UTC).date() + timedelta(days=180)).isoformat()
    ok(gov("deprecate", "signal", "1.0.0", "--sunset", sunset, "--data", data))
    refused(gov("retire", "signal", "1.0.0", "--data", data), "sunset-not-reached")
    ok(gov("retire", "signal", "1.0.0", "--force", "--reason", "beveiligingslek", "--data", data))
    diff = json.loads(ok(gov("diff", "signal", "1.0.0", "1.1.0", "--data", data, "--json")).stdout)
    assert diff["compatible"] and ("MAX_LENGTH_INCREASED", "/properties/text/maxLength") in {
        (c["type"], c["pointer"]) for c in diff["changes"]
    }
    shown = ok(gov("diff", "signal", "1.0.0", "1.1.0", "--data", data))
    assert "1.0.0 → 1.1.0" in shown.stdout and "compatible" in shown.stdout


def test_a_major_proposal_needs_its_migration_and_the_review_shows_it(world: dict[str, Path], tmp_path: Path) -> None:
    data = world["data"]
    propose = ("propose", "signal", world["2.0.0"], "--version", "2.0.0", "--rationale", "kortere teksten",
               "--actor", "anna", "--data", data)  # fmt: skip
    refused(gov(*propose), "migration-required")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(RELABEL_2 | {"up": [{"op": "rename", "path": "/x"}]}), encoding="utf-8")
    refused(gov(*propose, "--migration", broken), "migration-malformed", exit_code=2)
    refused(gov(*propose, "--migration", tmp_path / "missing.json"), "FileNotFoundError", exit_code=2)
    proposed = json.loads(ok(gov(*propose, "--migration", world["migration"], "--json")).stdout)
    assert proposed["migration"] == RELABEL_2 and len(proposed["migration_sha256"]) == 64
    review = ok(gov("review", "signal", "2.0.0", "--data", data))
    assert "migration 1 → 2 (with a way down)" in review.stdout and proposed["migration_sha256"][:16] in review.stdout
    with AuditLog.in_folder(data) as log:
        drafted = [entry for entry in log.entries() if entry.action == "schema-version.drafted"]
    assert drafted[-1].details["migration_sha256"] == proposed["migration_sha256"]
