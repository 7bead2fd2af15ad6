# SPDX-License-Identifier: EUPL-1.2
"""``hartslag hub retention show|run``: the effective rules, counts per organisation kind, refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from governance.audit import AuditLog
from hartslag.cli import app
from hub.storage import open_storage
from tests.hub.support import open_hub


def _hartslag(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A hub data folder with 6 municipal and 4 national signals, observed between March and August 2026."""
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        for code, n in (("GM0363", 6), ("UWV", 4)):
            assert hub.post(hub.token(n, code)).status_code == 202
    return tmp_path / "data"


def _actions(data: Path) -> list[str]:
    with AuditLog.in_folder(data) as audit:
        return [entry.action for entry in audit.entries()]


def test_show_prints_the_effective_rules(data: Path) -> None:
    shown = _hartslag("hub", "retention", "show", "--data", data, "--json")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["source"] == "defaults" and len(document["sha256"]) == 64
    assert document["rules"]["municipality"] == {"text": 24, "signal": 84}
    (data / "retention.toml").write_text("[municipality]\ntext = 3\n", encoding="utf-8")
    table = _hartslag("hub", "retention", "show", "--data", data)
    assert table.exit_code == 0 and "municipality" in table.stdout and "retention.toml" in table.stdout


def test_run_removes_what_is_due_once_and_records_it(data: Path) -> None:
    (data / "retention.toml").write_text("[national_agency]\ntext = 1\nsignal = 2\n", encoding="utf-8")
    before = _actions(data)
    dry = _hartslag("hub", "retention", "run", "--data", data, "--as-of", "2027-01-01", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    counted = json.loads(dry.stdout)
    assert counted["dry_run"] is True and counted["removed"] == {"national_agency": {"text": 0, "signal": 4}}
    assert _actions(data) == before  # a dry run is not recorded

    run = _hartslag("hub", "retention", "run", "--data", data, "--as-of", "2029-01-01", "--json", "--actor", "ops")
    assert run.exit_code == 0, run.output
    done = json.loads(run.stdout)
    assert done["removed"] == {"municipality": {"text": 6, "signal": 0}, "national_agency": {"text": 0, "signal": 4}}
    assert (done["texts_removed"], done["signals_removed"], done["as_of"]) == (6, 4, "2029-01-01")
    storage = open_storage(data)
    try:
        assert storage.count_signals() == 6 and len(storage.tombstones()) == 4
        assert all("text" not in signal.document for _, signal in storage.signals_after(0, 100))
    finally:
        storage.close()

    again = _hartslag("hub", "retention", "run", "--data", data, "--as-of", "2029-01-01")
    assert again.exit_code == 0 and "removed 0 text(s) and 0 signal(s)" in again.stdout
    assert _actions(data)[len(before) :] == ["retention.run", "retention.run"]
    with AuditLog.in_folder(data) as audit:
        entry = audit.entries()[-2]
    assert entry.actor == "ops" and entry.details["removed"] == done["removed"] and "dry_run" not in entry.details
    verified = _hartslag("governance", "audit", "verify", "--data", data)
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize(
    ("rules", "args", "message"),
    [
        ("[default]\ntext = 90\n", (), "[default] text"),
        ("[gemeenten]\ntext = 1\n", (), "gemeenten"),
        (None, ("--as-of", "1 januari"), "--as-of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(data: Path, rules: str | None, args: tuple[str, ...], message: str) -> None:
    if rules is not None:
        (data / "retention.toml").write_text(rules, encoding="utf-8")
    for command in ("run", "show"):
        if command == "show" and args:
            continue
        result = _hartslag("hub", "retention", command, "--data", data, *args)
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    assert open_storage(data).count_signals() == 10


def test_a_folder_without_a_hub_is_refused(tmp_path: Path) -> None:
    result = _hartslag("hub", "retention", "run", "--data", tmp_path / "nothing")
    assert result.exit_code == 2 and "hartslag.db" in result.output
    assert not (tmp_path / "nothing").exists()
