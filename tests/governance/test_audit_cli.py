# SPDX-License-Identifier: EUPL-1.2
"""``hartslag governance audit …`` through the real command line app: exit codes 0/1/2, messages and JSON."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner, Result

from governance.audit import AuditLog
from governance.hub_key import HubKey, hub_key_path
from hartslag.cli import app

runner = CliRunner()
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder whose log holds 10 entries and, at one every 4, 2 checkpoints."""
    folder = tmp_path / "data"
    moments = iter(T0 + timedelta(minutes=i) for i in range(100))
    with AuditLog.in_folder(folder, checkpoint_every=4, clock=lambda: next(moments)) as log:
        for i in range(10):
            log.append(f"beheerder-{i % 2}", "key.added", "GM0363", {"kid": f"kid-{i}"})
    return folder


def audit(*args: str | Path) -> Result:
    return runner.invoke(app, ["governance", "audit", *map(str, args)])


def bad_input(result: Result) -> str:
    """Exit 2 with one readable line on standard error, nothing on standard output, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.strip().startswith("error:") and "Traceback" not in result.output
    return result.stderr


def tamper(data: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    conn = sqlite3.connect(data / "audit.sqlite3")
    try:
        for trigger in ("entries_no_update", "entries_no_delete", "checkpoints_no_update", "checkpoints_no_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS audit_{trigger}")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


# verify ----------------------------------------------------------------------------------------------------------
def test_an_intact_log_exits_0(data: Path) -> None:
    result = audit("verify", "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "intact: 10 entries, 2 checkpoints"


def test_json_output_is_only_json_on_stdout(data: Path) -> None:
    result = audit("verify", "--data", data, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["intact"], report["entries"], report["checkpoints"], report["problems"]) == (True, 10, 2, [])
    with AuditLog.in_folder(data) as log:
        assert report["head"] == log.head()[1]


def test_a_modified_entry_exits_1_naming_it(data: Path) -> None:
    tamper(data, "UPDATE audit_entries SET actor = 'iemand-anders' WHERE seq = 7")
    result = audit("verify", "--data", data)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("tampered: entry 7: its hash does not match its content")


def test_a_deleted_entry_exits_1_and_json_lists_the_problems(data: Path) -> None:
    tamper(data, "DELETE FROM audit_entries WHERE seq = 3")
    result = audit("verify", "--data", data, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["intact"] is False
    assert report["problems"][0] == {
        "code": "entry-missing",
        "message": "entry 3 is missing (the next entry is 4): it was deleted or renumbered",
        "seq": 3,
        "checkpoint": None,
    }
    assert "entry 3 is missing" in result.stderr


def test_a_truncated_log_exits_1_naming_the_checkpoint(data: Path) -> None:
    tamper(data, "DELETE FROM audit_entries WHERE seq > 5")
    result = audit("verify", "--data", data)
    assert result.exit_code == 1
    assert "checkpoint 2 covers 8 entries but the log holds 5" in result.stderr


@pytest.mark.parametrize("where", ["missing", "empty-folder", "not-a-database"])
def test_no_log_exits_2(tmp_path: Path, where: str) -> None:
    folder = tmp_path / "data"
    if where != "missing":
        folder.mkdir()
    if where == "not-a-database":
        (folder / "audit.sqlite3").write_text("dit is geen database\n", encoding="utf-8")
    message = bad_input(audit("verify", "--data", folder))
    assert str(folder) in message or "audit log" in message
    if where == "empty-folder":
        assert list(folder.iterdir()) == []  # verifying creates nothing


def test_checkpoints_without_a_key_exit_2(data: Path) -> None:
    hub_key_path(data).unlink()
    assert "--public-key" in bad_input(audit("verify", "--data", data))


# the outsider's checks -------------------------------------------------------------------------------------------
def test_the_published_key_and_checkpoint_verify(tmp_path: Path, data: Path) -> None:
    key = audit("key", "--data", data)
    assert key.exit_code == 0
    jwks = json.loads(key.stdout)
    (tmp_path / "hub.jwks.json").write_text(key.stdout, encoding="utf-8")
    made = audit("checkpoint", "--data", data)
    assert made.exit_code == 0, made.output
    checkpoint = json.loads(made.stdout)
    assert (checkpoint["id"], checkpoint["size"], checkpoint["kid"]) == (3, 10, jwks["keys"][0]["kid"])
    assert "checkpoint 3: 10 entries" in made.stderr
    (tmp_path / "cp.json").write_text(made.stdout, encoding="utf-8")
    (tmp_path / "cp.jws").write_text(checkpoint["jws"] + "\n", encoding="utf-8")

    args = ("--public-key", tmp_path / "hub.jwks.json", "--checkpoint", tmp_path / "cp.json")
    result = audit("verify", "--data", data, *args, "--checkpoint", tmp_path / "cp.jws")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "intact: 10 entries, 3 checkpoints, 2 published checkpoint(s)"

    # Removing the last entry and the stored checkpoint that covers it fools the local check, not the outsider's.
    tamper(data, "DELETE FROM audit_entries WHERE seq = 10")
    tamper(data, "DELETE FROM audit_checkpoints WHERE id = 3")
    assert audit("verify", "--data", data).exit_code == 0
    later = audit("verify", "--data", data, *args)
    assert later.exit_code == 1
    assert later.stderr.startswith("tampered: published checkpoint 1 covers 10 entries but the log holds 9")


def test_another_public_key_exits_1(tmp_path: Path, data: Path) -> None:
    other = HubKey.of(ed25519.Ed25519PrivateKey.generate())
    (tmp_path / "other.jwks.json").write_text(json.dumps(other.jwks()), encoding="utf-8")
    result = audit("verify", "--data", data, "--public-key", tmp_path / "other.jwks.json")
    assert result.exit_code == 1
    assert result.stderr.startswith("tampered: checkpoint 1: signed by key")
    assert "(and 1 more problem(s)" in result.stderr


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"keys": []}', '{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "AAAA"}', '{"kty": "RSA"}'],
)
def test_an_unusable_public_key_file_exits_2(tmp_path: Path, data: Path, content: str) -> None:
    (tmp_path / "key.json").write_text(content, encoding="utf-8")
    bad_input(audit("verify", "--data", data, "--public-key", tmp_path / "key.json"))


def test_an_unreadable_published_checkpoint_exits_2(tmp_path: Path, data: Path) -> None:
    bad_input(audit("verify", "--data", data, "--checkpoint", tmp_path / "nowhere.json"))
    (tmp_path / "cp.json").write_text('{"size": 3}', encoding="utf-8")
    assert "'jws'" in bad_input(audit("verify", "--data", data, "--checkpoint", tmp_path / "cp.json"))


# show, checkpoint, key -------------------------------------------------------------------------------------------
def test_show_lists_the_newest_entries_oldest_first(data: Path) -> None:
    result = audit("show", "--data", data, "--json", "--limit", "3")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert [e["seq"] for e in entries] == [8, 9, 10]
    assert [e["details"] for e in entries] == [{"kid": "kid-7"}, {"kid": "kid-8"}, {"kid": "kid-9"}]
    assert set(entries[0]) == {"seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash"}
    table = runner.invoke(app, ["governance", "audit", "show", "--data", str(data)], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert all(
        text in table.stdout for text in ("key.added", "beheerder-1", '{"kid":"kid-0"}', entries[2]["hash"][:12])
    )


def test_show_and_checkpoint_without_a_log_exit_2(tmp_path: Path) -> None:
    bad_input(audit("show", "--data", tmp_path / "nowhere"))
    bad_input(audit("checkpoint", "--data", tmp_path / "nowhere"))
    bad_input(audit("key", "--data", tmp_path / "nowhere"))
    assert audit("show", "--data", tmp_path, "--limit", "0").exit_code == 2


def test_a_checkpoint_of_an_empty_log_exits_2(tmp_path: Path) -> None:
    AuditLog.in_folder(tmp_path / "data").close()
    assert "empty" in bad_input(audit("checkpoint", "--data", tmp_path / "data"))


def test_the_key_is_made_once_with_owner_only_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    first, second = audit("key", "--data", folder), audit("key", "--data", folder)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    (jwk,) = json.loads(first.stdout)["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], "d" in jwk) == ("OKP", "Ed25519", "EdDSA", False)
    assert hub_key_path(folder).stat().st_mode & 0o777 == 0o600
