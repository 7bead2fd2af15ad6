# SPDX-License-Identifier: EUPL-1.2
"""Local accounts: Argon2 hashes (rehashed when the parameters change), input checks, one answer for every failed
login, every change in the audit log without a password, and disabled or removed accounts' tokens refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from governance.audit import AuditLog
from governance.audit_verify import verify_log
from hub.accounts import (
    ACCOUNTS_FILE,
    AccountDisabledError,
    AccountExistsError,
    Accounts,
    InvalidAccountError,
    LoginFailedError,
    UnknownAccountError,
    open_accounts,
)
from hub.roles import Role
from hub.sqlite_users import SQLiteAccountStore
from hub.tokens import issue_token
from tests.hub.auth_support import FAST, PASSWORD, PROBE, add_account, install_probe
from tests.hub.support import assert_problem, open_hub

ANALIST = frozenset({Role.ANALIST})


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = AuditLog.in_folder(tmp_path)
    yield log
    log.close()


@pytest.fixture
def accounts(tmp_path: Path, audit: AuditLog) -> Iterator[Accounts]:
    opened = Accounts(SQLiteAccountStore(tmp_path / ACCOUNTS_FILE), audit, hasher=FAST)
    yield opened
    opened.close()


def stored_hash(tmp_path: Path, name: str) -> str:
    with sqlite3.connect(tmp_path / ACCOUNTS_FILE) as conn:
        return str(conn.execute("SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()[0])


def test_add_keeps_only_an_argon2id_hash(tmp_path: Path, accounts: Accounts) -> None:
    account = accounts.add("a.jansen", ANALIST, PASSWORD, "beheerder-1", organisation="GM0363")
    assert (account.name, account.roles, account.organisation) == ("a.jansen", ANALIST, "GM0363")
    assert not account.disabled
    assert account.created_at.tzinfo is not None
    hashed = stored_hash(tmp_path, "a.jansen")
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert PASSWORD.encode() not in (tmp_path / ACCOUNTS_FILE).read_bytes()
    assert accounts.get("a.jansen") == account
    assert accounts.list_accounts() == [account]


def test_the_accounts_database_and_its_log_are_the_owners_only(tmp_path: Path, accounts: Accounts) -> None:
    accounts.add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    files = [p for p in tmp_path.iterdir() if p.name.startswith(ACCOUNTS_FILE)]
    assert len(files) >= 2  # the database and its write-ahead log
    assert {p.name: p.stat().st_mode & 0o777 for p in files} == {p.name: 0o600 for p in files}


def test_login_opens_the_account_and_refuses_everything_else_alike(accounts: Accounts) -> None:
    accounts.add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    assert accounts.login("a.jansen", PASSWORD).name == "a.jansen"
    messages = set()
    for name, password in [("a.jansen", PASSWORD + "!"), ("b.de-vries", PASSWORD), ("", ""), ("a.jansen", "x" * 5000)]:
        with pytest.raises(LoginFailedError) as refused:
            accounts.login(name, password)
        messages.add(refused.value.message)
        assert password not in refused.value.message or not password
    accounts.disable("a.jansen", "beheerder-1")
    with pytest.raises(LoginFailedError) as refused:
        accounts.login("a.jansen", PASSWORD)
    messages.add(refused.value.message)
    assert messages == {"unknown name or wrong password"}  # the answer never tells which part was wrong


def test_a_hash_with_old_parameters_is_replaced_at_the_next_good_login(tmp_path: Path, audit: AuditLog) -> None:
    store = SQLiteAccountStore(tmp_path / ACCOUNTS_FILE)
    Accounts(store, audit, hasher=FAST).add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    old = stored_hash(tmp_path, "a.jansen")
    stronger = Accounts(store, audit, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    with pytest.raises(LoginFailedError):
        stronger.login("a.jansen", "wrong password here")
    assert stored_hash(tmp_path, "a.jansen") == old  # a failed login changes nothing
    stronger.login("a.jansen", PASSWORD)
    new = stored_hash(tmp_path, "a.jansen")
    assert new != old and "t=2" in new and "m=16" in new
    assert not stronger.hasher.check_needs_rehash(new)
    assert stronger.login("a.jansen", PASSWORD).name == "a.jansen"
    store.close()


def test_the_default_hasher_is_argon2id_with_rfc_9106_parameters(tmp_path: Path) -> None:
    opened = open_accounts(tmp_path / "data")
    opened.add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    hashed = stored_hash(tmp_path / "data", "a.jansen")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    opened.close()


@pytest.mark.parametrize(
    ("name", "roles", "password", "organisation"),
    [
        ("", ANALIST, PASSWORD, None),
        ("a jansen", ANALIST, PASSWORD, None),
        ("-start", ANALIST, PASSWORD, None),
        ("x" * 101, ANALIST, PASSWORD, None),
        ("a.jansen", frozenset(), PASSWORD, None),
        ("a.jansen", ANALIST, "too short", None),
        ("a.jansen", ANALIST, " " * 20, None),
        ("a.jansen", ANALIST, PASSWORD, "gemeente amsterdam"),
    ],
)
def test_bad_input_is_refused_without_echoing_the_password(
    accounts: Accounts, name: str, roles: frozenset[Role], password: str, organisation: str | None
) -> None:
    with pytest.raises(InvalidAccountError) as refused:
        accounts.add(name, roles, password, "beheerder-1", organisation)
    assert refused.value.code == "invalid-account"
    assert password.strip() == "" or password not in refused.value.message
    assert accounts.list_accounts() == []


def test_duplicates_unknown_and_disabled_accounts(accounts: Accounts) -> None:
    accounts.add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    with pytest.raises(AccountExistsError):
        accounts.add("a.jansen", ANALIST, PASSWORD, "beheerder-1")
    with pytest.raises(UnknownAccountError):
        accounts.disable("b.de-vries", "beheerder-1")
    assert accounts.usable("a.jansen").name == "a.jansen"
    assert accounts.disable("a.jansen", "beheerder-1").disabled
    assert accounts.disable("a.jansen", "beheerder-1").disabled  # again: no change, no second audit entry
    assert accounts.active("a.jansen") is None
    with pytest.raises(AccountDisabledError):
        accounts.usable("a.jansen")


def test_every_change_is_in_the_audit_log_without_the_password(accounts: Accounts, audit: AuditLog) -> None:
    accounts.add("a.jansen", frozenset({Role.ANALIST, Role.WERKGROEP}), PASSWORD, "beheerder-1", "GM0363")
    accounts.token_issued("a.jansen", "beheerder-1", 600)
    accounts.disable("a.jansen", "beheerder-2")
    accounts.disable("a.jansen", "beheerder-2")
    entries = [(e.actor, e.action, e.subject, e.details) for e in audit.entries()]
    assert entries == [
        ("beheerder-1", "user.added", "a.jansen", {"roles": ["analist", "werkgroep"], "organisation": "GM0363"}),
        ("beheerder-1", "user.token-issued", "a.jansen", {"lifetime": 600}),
        ("beheerder-2", "user.disabled", "a.jansen", {"roles": ["analist", "werkgroep"]}),
    ]
    assert all(PASSWORD not in str(e.as_dict()) for e in audit.entries())
    assert verify_log(audit).intact


def test_tokens_of_disabled_or_removed_accounts_are_refused(tmp_path: Path) -> None:
    with open_hub(tmp_path) as hub:
        install_probe(hub.app)
        add_account(hub, "a.jansen", Role.ANALIST, organisation="GM0363")
        token = issue_token(hub.services.hub_key, hub.settings.hub_id, "a.jansen", ANALIST, organisation="GM0363")
        ghost = issue_token(hub.services.hub_key, hub.settings.hub_id, "nobody", ANALIST)
        answer = hub.client.get(PROBE, headers={"Authorization": f"Bearer {token}"})
        assert answer.json() == {"name": "a.jansen", "via": "token", "roles": ["analist"], "org": "GM0363"}
        refused = hub.client.get(PROBE, headers={"Authorization": f"Bearer {ghost}"})
        assert_problem(refused, 401, "unauthorized", secrets=[ghost])
        hub.services.accounts.disable("a.jansen", "beheerder-1")
        refused = hub.client.get(PROBE, headers={"Authorization": f"Bearer {token}"})
        body = assert_problem(refused, 401, "unauthorized", secrets=[token])
        assert "disabled" in body["detail"]
