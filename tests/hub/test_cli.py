# SPDX-License-Identifier: EUPL-1.2
"""``hartslag hub …``: the operator's registry commands, stats and the bulk import, on a temporary data folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from connectors.keys import KeyPair, write_keypair
from hartslag.cli import app
from hub.storage import open_storage
from tests.factories import make_agency, make_signal, make_signals, write_jsonl

PLANTED = "06-12345678"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def hub(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, ["hub", *(str(a) for a in args)])


def keypair(tmp_path: Path, code: str, name: str = "keys") -> KeyPair:
    return write_keypair(code, tmp_path / name)


def readable_error(result: Result, exit_code: int = 2) -> str:
    """A one-line readable error on stderr with the right exit code, and no traceback."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip().startswith("error:")
    return result.stderr


def stored_documents(data: Path) -> list[str]:
    with sqlite3.connect(data / "hartslag.db") as conn:
        return [row[0] for row in conn.execute("SELECT document FROM signals")]


@pytest.fixture
def registered(runner: CliRunner, tmp_path: Path, data: Path) -> KeyPair:
    pair = keypair(tmp_path, "GM0363")
    result = hub(
        runner, "agency", "add", "GM0363", "--name", "Gemeente Amsterdam", "--kind", "municipality",
        "--jwks", pair.jwks, "--data", data, "--actor", "beheerder-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "GM0363" in result.stdout
    return pair


def agencies(runner: CliRunner, data: Path) -> list[dict[str, Any]]:
    result = hub(runner, "agency", "list", "--data", data, "--json")
    assert result.exit_code == 0, result.output
    listed: list[dict[str, Any]] = json.loads(result.stdout)
    return listed


# the registry ----------------------------------------------------------------------------------------------------
def test_add_and_list(runner: CliRunner, data: Path, registered: KeyPair) -> None:
    assert agencies(runner, data) == [
        {
            "code": "GM0363",
            "name": "Gemeente Amsterdam",
            "kind": "municipality",
            "status": "active",
            "keys": [{"kid": registered.kid, "status": "active"}],
        }
    ]
    table = hub(runner, "agency", "list", "--data", data)
    assert table.exit_code == 0 and "GM0363" in table.stdout


def test_key_add_retire_revoke_and_suspend_resume_are_recorded(
    runner: CliRunner, tmp_path: Path, data: Path, registered: KeyPair
) -> None:
    second = keypair(tmp_path, "GM0363", "second")
    steps = [
        ("agency", "key", "add", "GM0363", "--jwks", str(second.jwks)),
        ("agency", "key", "retire", "GM0363", registered.kid),
        ("agency", "key", "revoke", "GM0363", registered.kid),
        ("agency", "suspend", "GM0363"),
        ("agency", "resume", "GM0363"),
    ]
    for step in steps:
        result = hub(runner, *step, "--data", data, "--actor", "beheerder-2")
        assert result.exit_code == 0, (step, result.output)
    (listed,) = agencies(runner, data)
    assert listed["status"] == "active"
    assert {k["kid"]: k["status"] for k in listed["keys"]} == {registered.kid: "revoked", second.kid: "active"}
    storage = open_storage(data)
    try:
        changes = storage.registry_changes("GM0363")
    finally:
        storage.close()
    assert [(c.event, c.actor) for c in changes] == [
        ("agency_added", "beheerder-1"),
        ("key_added", "beheerder-1"),
        ("key_added", "beheerder-2"),
        ("key_retired", "beheerder-2"),
        ("key_revoked", "beheerder-2"),
        ("agency_suspended", "beheerder-2"),
        ("agency_resumed", "beheerder-2"),
    ]
    assert all(c.at.tzinfo is not None for c in changes)


def test_an_unknown_organisation_code_is_a_readable_error(runner: CliRunner, tmp_path: Path, data: Path) -> None:
    pair = keypair(tmp_path, "GM9999")
    result = hub(
        runner, "agency", "add", "GM9999", "--name", "Nergens", "--kind", "municipality", "--jwks", pair.jwks,
        "--data", data,
    )  # fmt: skip
    assert "GM9999" in readable_error(result)
    assert agencies(runner, data) == []


def test_a_missing_jwks_file_is_a_readable_error(runner: CliRunner, tmp_path: Path, data: Path) -> None:
    result = hub(
        runner, "agency", "add", "GM0363", "--name", "A", "--kind", "municipality",
        "--jwks", tmp_path / "missing.json", "--data", data,
    )  # fmt: skip
    assert "missing.json" in readable_error(result)


@pytest.mark.parametrize("content", ["{not json", "[1, 2, 3]", ""])
def test_a_jwks_file_that_is_not_a_json_object_is_a_readable_error(
    runner: CliRunner, tmp_path: Path, data: Path, content: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = hub(
        runner, "agency", "add", "GM0363", "--name", "A", "--kind", "municipality", "--jwks", bad, "--data", data
    )
    readable_error(result)


def test_a_private_key_in_the_jwks_is_a_readable_error_that_does_not_echo_it(
    runner: CliRunner, tmp_path: Path, data: Path
) -> None:
    pair = keypair(tmp_path, "GM0363")
    jwks = json.loads(pair.jwks.read_text(encoding="utf-8"))
    secret = "c2VjcmV0LXByaXZhdGUtcGFydC1kby1ub3QtZWNobw"
    jwks["keys"][0]["d"] = secret
    pair.jwks.write_text(json.dumps(jwks), encoding="utf-8")
    result = hub(
        runner, "agency", "add", "GM0363", "--name", "A", "--kind", "municipality", "--jwks", pair.jwks, "--data", data
    )
    assert secret not in readable_error(result)


def test_commands_on_an_unknown_agency_or_key_are_readable_errors(
    runner: CliRunner, data: Path, registered: KeyPair
) -> None:
    readable_error(hub(runner, "agency", "suspend", "UWV", "--data", data))
    readable_error(hub(runner, "agency", "key", "revoke", "GM0363", "no-such-kid", "--data", data))
    readable_error(hub(runner, "agency", "key", "retire", "UWV", registered.kid, "--data", data))


def test_a_duplicate_agency_is_a_readable_error(runner: CliRunner, data: Path, registered: KeyPair) -> None:
    result = hub(
        runner, "agency", "add", "GM0363", "--name", "B", "--kind", "municipality", "--jwks", registered.jwks,
        "--data", data,
    )  # fmt: skip
    assert "already registered" in readable_error(result)


# stats -----------------------------------------------------------------------------------------------------------
def test_stats_as_json(runner: CliRunner, data: Path, registered: KeyPair) -> None:
    result = hub(runner, "stats", "--data", data, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"agencies": 1, "batches": 0, "signals": 0, "refusals": {}}


# the import ------------------------------------------------------------------------------------------------------
def _import(runner: CliRunner, file: Path, data: Path, agency: str = "GM0363") -> Result:
    return hub(runner, "import", file, "--data", data, "--agency", agency, "--actor", "beheerder-3", "--json")


def test_import_is_recorded_and_a_reimport_is_all_duplicates(
    runner: CliRunner, tmp_path: Path, data: Path, registered: KeyPair
) -> None:
    file = write_jsonl(tmp_path / "backfill.jsonl", make_signals(12, seed=3, agency=make_agency("GM0363")))
    first = _import(runner, file, data)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"accepted": 12, "duplicate": 0, "rejected": 0, "reasons": {}}
    again = _import(runner, file, data)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {"accepted": 0, "duplicate": 12, "rejected": 0, "reasons": {}}

    storage = open_storage(data)
    try:
        imports = [c for c in storage.registry_changes("GM0363") if c.event == "signals_imported"]
        stats = storage.stats()
    finally:
        storage.close()
    assert [(c.actor, c.details["source"], c.details["accepted"]) for c in imports] == [
        ("beheerder-3", "backfill.jsonl", 12),
        ("beheerder-3", "backfill.jsonl", 0),
    ]
    assert (stats["signals"], stats["batches"]) == (12, 2)
    with sqlite3.connect(data / "hartslag.db") as conn:
        assert {row[0] for row in conn.execute("SELECT via FROM batches")} == {"import"}


def test_a_planted_phone_number_is_never_stored_verbatim(
    runner: CliRunner, tmp_path: Path, data: Path, registered: KeyPair
) -> None:
    signals = make_signals(4, seed=5, agency=make_agency("GM0363"))
    signals[1]["text"] = f"Meneer vraagt om terugbellen op {PLANTED} over de kapotte lantaarnpaal."
    file = write_jsonl(tmp_path / "with-phone.jsonl", signals)
    result = _import(runner, file, data)
    assert PLANTED not in result.output
    outcome = json.loads(result.stdout)
    assert outcome["accepted"] + outcome["rejected"] == 4
    documents = stored_documents(data)
    assert documents and not any(PLANTED in document for document in documents)
    with sqlite3.connect(data / "hartslag.db") as conn:
        everything = "\n".join(str(row) for table in ("signals", "batches", "registry_changes", "refusals")
                               for row in conn.execute(f"SELECT * FROM {table}"))  # fmt: skip
    assert PLANTED not in everything


def test_invalid_signals_are_rejected_by_reason_with_exit_code_1(
    runner: CliRunner, tmp_path: Path, data: Path, registered: KeyPair
) -> None:
    agency = make_agency("GM0363")
    signals = [*make_signals(2, seed=9, agency=agency), make_signal(agency=agency, kind="rant")]
    result = _import(runner, write_jsonl(tmp_path / "mixed.jsonl", signals), data)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {"accepted": 2, "duplicate": 0, "rejected": 1, "reasons": {"schema-invalid": 1}}


def test_import_errors_are_readable(runner: CliRunner, tmp_path: Path, data: Path, registered: KeyPair) -> None:
    readable_error(_import(runner, tmp_path / "nowhere.jsonl", data))
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(make_signal()) + "\n\n{not json\n", encoding="utf-8")
    assert "broken.jsonl:3" in readable_error(_import(runner, broken, data))
    file = write_jsonl(tmp_path / "ok.jsonl", make_signals(1))
    assert "UWV" in readable_error(_import(runner, file, data, agency="UWV"))
    assert stored_documents(data) == []


def test_serve_names_a_bad_setting_in_one_line(runner: CliRunner, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARTSLAG_DISCLOSURE_THRESHOLD", "9")  # below the floor of 10
    result = hub(runner, "serve", "--data", data, "--port", "8999")
    assert result.exit_code == 2
    assert "invalid setting: disclosure_threshold" in result.output and "Traceback" not in result.output
