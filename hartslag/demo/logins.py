# SPDX-License-Identifier: EUPL-1.2
"""The demo's logins: one account per role, made through ``hartslag hub user add`` as an operator would.

Each run makes fresh random passwords and writes them to ``logins`` in the demo folder (mode 0600), so a newcomer
can open the dashboard as a policy analyst (``analist``), an operator (``beheerder``) or a member of the standards
working group (``werkgroep``). Demo accounts are for a laptop on loopback only; a real hub's operator adds accounts
with their own passwords (docs/hub.md).
"""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from governance.errors import HartslagError

__all__ = ["DEMO_ROLES", "DemoLogin", "DemoLoginError", "analyst_token", "make_logins", "read_logins"]

#: (account name, role) of each demo login, in the order they are printed.
DEMO_ROLES: tuple[tuple[str, str], ...] = (
    ("analist", "analist"),
    ("beheerder", "beheerder"),
    ("werkgroep", "werkgroep"),
)


class DemoLoginError(HartslagError):
    """A demo account could not be made."""

    code = "demo-login-failed"


@dataclass(frozen=True)
class DemoLogin:
    """One demo account: its name, role and the password made for this run."""

    name: str
    role: str
    password: str


def make_logins(command: list[str], data: Path, file: Path) -> list[DemoLogin]:
    """Add one account per role to the hub's data folder ``data`` with ``command`` (the ``hartslag`` to call) and
    write the logins to ``file`` (mode 0600)."""
    logins = []
    for name, role in DEMO_ROLES:
        # 96 random bits, in characters that are easy to copy from a terminal.
        password = secrets.token_urlsafe(12)
        done = subprocess.run(
            [*command, "hub", "user", "add", name, "--role", role, "--password-stdin", "--data", str(data)],
            input=password + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            # The CLI's own one-line message names the problem; it never holds the password.
            message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
            raise DemoLoginError(f"could not add the demo account {name!r}: {message}")
        logins.append(DemoLogin(name, role, password))
    file.touch(mode=0o600)
    file.write_text("".join(f"{x.name}\t{x.role}\t{x.password}\n" for x in logins), encoding="utf-8")
    return logins


def read_logins(file: Path) -> list[DemoLogin]:
    """The logins :func:`make_logins` wrote to ``file`` (none when it is missing)."""
    if not file.is_file():
        return []
    rows = [line.split("\t") for line in file.read_text(encoding="utf-8").splitlines() if line]
    return [DemoLogin(name, role, password) for name, role, password in rows]


def analyst_token(command: list[str], data: Path) -> str:
    """A short-lived bearer token of the demo's ``analist`` account (``hartslag hub token``), for the demo's own
    calls to the read API."""
    done = subprocess.run(
        [*command, "hub", "token", DEMO_ROLES[0][0], "--data", str(data), "--lifetime", "3600"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise DemoLoginError(f"could not make a token for the demo's analist: {message}")
    return done.stdout.strip()
