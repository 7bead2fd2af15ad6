# SPDX-License-Identifier: EUPL-1.2
"""``hartslag hub user …`` and ``hartslag hub token``: accounts from the command line, passwords only on stdin,
readable one-line errors with exit code 2, and a token on stdout that the hub accepts until the account is disabled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from governance.audit import AuditLog
from governance.hub_key import hub_key_path, load_hub_key
from hartslag.cli import app
from hub.roles import Role
from hub.tokens import verify_token
from tests.hub.auth_support import PASSWORD, PROBE, install_probe
from tests.hub.support import HUB_ID, assert_problem, open_hub


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def hub(runner: CliRunner, *args: str | Path, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["hub", *(str(a) for a in args)], input=stdin)


def readable_error(result: Result, exit_code: int = 2) -> str:
    """A one-line readable error on stderr with the right exit code, no traceback and nothing on stdout."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip().startswith("error:")
    assert result.stdout == ""
    return result.stderr


def add(runner: CliRunner, data: Path, name: str, *options: str, password: str = PASSWORD) -> Result:
    return hub(runner, "user", "add", name, *options, "--password-stdin", "--data", data, stdin=password + "\n")


def users(runner: CliRunner, data: Path) -> list[dict[str, Any]]:
    result = hub(runner, "user", "list", "--data", data, "--json")
    assert result.exit_code == 0, result.output
    listed: list[dict[str, Any]] = json.loads(result.stdout)
    return listed


def test_add_list_and_disable_are_recorded(runner: CliRunner, data: Path) -> None:
    result = add(runner, data, "a.jansen", "--role", "analist", "--role", "werkgroep", "--organisation", "GM0363")
    assert result.exit_code == 0, result.output
    assert "a.jansen" in result.stdout and PASSWORD not in result.output
    assert add(runner, data, "b.de-vries", "--role", "beheerder").exit_code == 0
    listed = users(runner, data)
    assert [(u["name"], u["roles"], u["organisation"], u["disabled"]) for u in listed] == [
        ("a.jansen", ["analist", "werkgroep"], "GM0363", False),
        ("b.de-vries", ["beheerder"], None, False),
    ]
    assert all(u["created_at"].endswith("+00:00") for u in listed)
    result = hub(runner, "user", "disable", "a.jansen", "--data", data, "--actor", "beheerder-1")
    assert result.exit_code == 0, result.output
    assert [u["disabled"] for u in users(runner, data)] == [True, False]
    table = hub(runner, "user", "list", "--data", data)
    assert table.exit_code == 0 and "uitgeschakeld" in table.stdout and "b.de-vries" in table.stdout
    with AuditLog.in_folder(data) as log:
        actions = [(e.action, e.subject) for e in log.entries()]
        assert all(PASSWORD not in json.dumps(e.as_dict()) for e in log.entries())
    assert actions == [("user.added", "a.jansen"), ("user.added", "b.de-vries"), ("user.disabled", "a.jansen")]


def test_a_password_with_crlf_line_end_logs_in_without_it(runner: CliRunner, data: Path) -> None:
    assert add(runner, data, "a.jansen", "--role", "analist", password=PASSWORD + "\r").exit_code == 0
    from hub.accounts import open_accounts

    accounts = open_accounts(data)
    assert accounts.login("a.jansen", PASSWORD).name == "a.jansen"
    accounts.close()


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["a.jansen", "--role", "analist"], PASSWORD, "--password-stdin"),
        (["a.jansen", "--password-stdin"], PASSWORD, "--role"),
        (["a.jansen", "--role", "baas", "--password-stdin"], PASSWORD, "unknown role 'baas'"),
        (["a.jansen", "--role", "analist", "--password-stdin"], "kort", "12 to 1024 characters"),
        (["a.jansen", "--role", "analist", "--password-stdin"], "twee\nregels-wachtwoord", "single line"),
        (["a jansen", "--role", "analist", "--password-stdin"], PASSWORD, "a name is"),
        (["a.jansen", "--role", "analist", "--organisation", "amsterdam", "--password-stdin"], PASSWORD, "code"),
    ],
)
def test_bad_input_is_a_readable_error_that_never_echoes_the_password(
    runner: CliRunner, data: Path, args: list[str], stdin: str, says: str
) -> None:
    error = readable_error(hub(runner, "user", "add", *args, "--data", data, stdin=stdin + "\n"))
    assert says in error
    assert stdin not in error
    assert not (data / "accounts.sqlite3").exists() or users(runner, data) == []


def test_a_duplicate_and_an_unknown_account_are_readable_errors(runner: CliRunner, data: Path) -> None:
    assert add(runner, data, "a.jansen", "--role", "analist").exit_code == 0
    assert "exists already" in readable_error(add(runner, data, "a.jansen", "--role", "analist"))
    assert "no account 'nobody'" in readable_error(hub(runner, "user", "disable", "nobody", "--data", data))
    assert "no account 'nobody'" in readable_error(hub(runner, "token", "nobody", "--data", data))


def test_token_prints_only_a_token_that_the_hub_accepts_until_the_account_is_disabled(
    runner: CliRunner, tmp_path: Path, data: Path
) -> None:
    assert add(runner, data, "a.jansen", "--role", "analist", "--organisation", "GM0363").exit_code == 0
    result = hub(runner, "token", "a.jansen", "--data", data, "--hub-id", HUB_ID, "--lifetime", "600")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # only the token: scripts read it with $(...)
    key = load_hub_key(hub_key_path(data))
    assert key is not None
    principal = verify_token(key, HUB_ID, token)
    assert (principal.name, principal.roles, principal.organisation) == ("a.jansen", {Role.ANALIST}, "GM0363")
    with open_hub(tmp_path) as running:  # the same data folder, the same hub id
        install_probe(running.app)
        answer = running.client.get(PROBE, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["name"] == "a.jansen"
        assert hub(runner, "user", "disable", "a.jansen", "--data", data).exit_code == 0
        refused = running.client.get(PROBE, headers={"Authorization": f"Bearer {token}"})
        assert_problem(refused, 401, "unauthorized", secrets=[token])
    assert "is disabled" in readable_error(hub(runner, "token", "a.jansen", "--data", data))
    with AuditLog.in_folder(data) as log:
        issued = [e for e in log.entries() if e.action == "user.token-issued"]
    assert [(e.subject, e.details) for e in issued] == [("a.jansen", {"lifetime": 600})]
    assert token not in json.dumps([e.as_dict() for e in issued])


@pytest.mark.parametrize("lifetime", ["0", "-5", "43201"])
def test_a_lifetime_out_of_range_is_a_readable_error(runner: CliRunner, data: Path, lifetime: str) -> None:
    assert add(runner, data, "a.jansen", "--role", "analist").exit_code == 0
    assert "--lifetime" in readable_error(hub(runner, "token", "a.jansen", "--data", data, "--lifetime", lifetime))
