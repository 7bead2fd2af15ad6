# SPDX-License-Identifier: EUPL-1.2
"""Local user accounts of the embedded default: names, roles and Argon2 password hashes.

An :class:`Account` is who may log in to the dashboard (``/inloggen``) or get a short-lived bearer token
(``hartslag hub token NAME``). :class:`Accounts` is the one place that changes them: it checks the input, hashes
passwords with Argon2id (``argon2-cffi``; a hash made with older parameters is replaced at the next good login) and
records every change in the audit log (``user.added``, ``user.disabled``, ``user.token-issued``) with the account's
name and roles, never a password or a token. The rows live behind :class:`AccountStore`; the SQLite implementation
(:mod:`hub.sqlite_users`) is chosen from :data:`ACCOUNT_STORES`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from governance.audit import AuditSink
from governance.errors import HartslagError, InvalidInputError, NotFoundError
from hub.roles import Role

__all__ = [
    "ACCOUNTS_FILE",
    "ACCOUNT_STORES",
    "Account",
    "AccountDisabledError",
    "AccountExistsError",
    "AccountStore",
    "Accounts",
    "InvalidAccountError",
    "LoginFailedError",
    "UnknownAccountError",
    "open_accounts",
]

#: The SQLite file (in the data folder) that holds the accounts and the dashboard's sessions.
ACCOUNTS_FILE = "accounts.sqlite3"
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_ORGANISATION = re.compile(r"^[A-Z][A-Z0-9-]{1,29}$")


class InvalidAccountError(InvalidInputError):
    """An account that cannot be made as asked (bad name, no role, too short a password, ...)."""

    code = "invalid-account"


class AccountExistsError(InvalidInputError):
    """An account with this name exists already."""

    code = "account-exists"


class UnknownAccountError(NotFoundError):
    """No account with this name."""

    code = "unknown-account"


class AccountDisabledError(InvalidInputError):
    """The account is disabled: no login, no token."""

    code = "account-disabled"


class LoginFailedError(HartslagError):
    """A name and password that do not open an enabled account (which of the three is never said)."""

    code = "login-failed"


@dataclass(frozen=True)
class Account:
    """A local user: name, granted roles, the organisation they work for (a code, if any) and whether disabled."""

    name: str
    roles: frozenset[Role]
    organisation: str | None
    disabled: bool
    created_at: datetime


class AccountStore(Protocol):
    """Where accounts are kept. Each method is one transaction; :class:`AccountExistsError` on a duplicate insert."""

    def insert(self, account: Account, password_hash: str) -> None: ...
    def get(self, name: str) -> Account | None: ...
    def all(self) -> list[Account]: ...
    def password_hash(self, name: str) -> str | None: ...
    def set_password_hash(self, name: str, password_hash: str) -> None: ...
    def set_disabled(self, name: str, disabled: bool) -> None: ...
    def close(self) -> None: ...


class Accounts:
    """The accounts of one hub: add, list, disable, check a login; every change goes to ``audit`` when given."""

    def __init__(
        self,
        store: AccountStore,
        audit: AuditSink | None = None,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.audit = audit
        self.hasher = hasher or PasswordHasher()  # Argon2id, RFC 9106 "low memory" parameters
        self.clock = clock
        self._dummy_hash: str | None = None

    def add(
        self, name: str, roles: frozenset[Role], password: str, actor: str, organisation: str | None = None
    ) -> Account:
        """Make an enabled account; the password is kept only as its Argon2 hash."""
        if not _NAME.match(name):
            raise InvalidAccountError("a name is 1 to 100 letters, digits or . _ @ - (starting with a letter or digit)")
        if not roles:
            raise InvalidAccountError("an account needs at least one role")
        if organisation is not None and not _ORGANISATION.match(organisation):
            raise InvalidAccountError("the organisation must be an organisation code such as GM0363 or UWV")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or not password.strip():
            raise InvalidAccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        if self.store.get(name) is not None:
            raise AccountExistsError(f"account '{name}' exists already")
        account = Account(name, frozenset(roles), organisation, False, self.clock())
        self.store.insert(account, self.hasher.hash(password))
        self._record(actor, "user.added", name, roles=sorted(r.value for r in roles), organisation=organisation)
        return account

    def get(self, name: str) -> Account:
        """The account ``name``, or :class:`UnknownAccountError`."""
        found = self.store.get(name)
        if found is None:
            raise UnknownAccountError(f"no account '{name}'")
        return found

    def active(self, name: str) -> Account | None:
        """The account ``name`` when it exists and is enabled, else None (checked on every request)."""
        found = self.store.get(name)
        return None if found is None or found.disabled else found

    def list_accounts(self) -> list[Account]:
        """Every account, by name."""
        return self.store.all()

    def disable(self, name: str, actor: str) -> Account:
        """Disable ``name``: its logins, sessions and tokens stop working at once (disabling again changes nothing)."""
        account = self.get(name)
        if not account.disabled:
            self.store.set_disabled(name, True)
            self._record(actor, "user.disabled", name, roles=sorted(r.value for r in account.roles))
        return self.get(name)

    def usable(self, name: str) -> Account:
        """The account ``name`` when it may get a token: it exists and is enabled."""
        account = self.get(name)
        if account.disabled:
            raise AccountDisabledError(f"account '{name}' is disabled")
        return account

    def token_issued(self, name: str, actor: str, lifetime: int) -> None:
        """Record that a bearer token was handed out for ``name`` (its lifetime, never the token)."""
        self._record(actor, "user.token-issued", name, lifetime=lifetime)

    def login(self, name: str, password: str) -> Account:
        """The enabled account that ``password`` opens, or :class:`LoginFailedError` (same message, same work, for
        an unknown name, a wrong password and a disabled account)."""
        if len(password) > MAX_PASSWORD:
            raise LoginFailedError("unknown name or wrong password")
        stored = self.store.password_hash(name) if _NAME.match(name) else None
        try:
            self.hasher.verify(stored or self._dummy(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise LoginFailedError("unknown name or wrong password") from None
        account = self.store.get(name) if stored else None
        if account is None or account.disabled:
            raise LoginFailedError("unknown name or wrong password")
        if stored and self.hasher.check_needs_rehash(stored):
            self.store.set_password_hash(name, self.hasher.hash(password))
        return account

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def _dummy(self) -> str:
        # An unknown name still costs one Argon2 verification, so timing does not tell which names exist.
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _record(self, actor: str, action: str, subject: str, **details: object) -> None:
        if self.audit is not None:
            self.audit.record(actor, action, subject, details)


def _sqlite(data: Path) -> AccountStore:
    from hub.sqlite_users import SQLiteAccountStore

    return SQLiteAccountStore(data / ACCOUNTS_FILE)


ACCOUNT_STORES: dict[str, Callable[[Path], AccountStore]] = {"sqlite": _sqlite}


def open_accounts(data: Path, audit: AuditSink | None = None, kind: str = "sqlite") -> Accounts:
    """The accounts of a data folder (created when missing), recording changes in ``audit``."""
    data.mkdir(parents=True, exist_ok=True)
    return Accounts(ACCOUNT_STORES[kind](data), audit)
