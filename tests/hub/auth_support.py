# SPDX-License-Identifier: EUPL-1.2
"""Helpers for the tests of who the user is: a probe route guarded by a role, cheap Argon2 parameters, and a
dashboard login through the real form (pre-session cookie, CSRF token, session cookie)."""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI, Request

from hub.deps import Analist
from hub.roles import Role
from hub.sessions import csrf_token
from tests.hub.support import Hub, Response

__all__ = ["FAST", "PASSWORD", "PROBE", "add_account", "csrf_of", "install_probe", "login", "session_csrf"]

PASSWORD = "correct horse battery staple"
#: Cheap parameters: the production default costs 64 MiB and tens of milliseconds per hash.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PROBE = "/test-only/wie"
CSRF_PROBE = "/test-only/csrf"


def install_probe(app: FastAPI) -> None:
    """``GET``/``POST`` :data:`PROBE`: needs ``analist``, answers who asked (routes may be added to a running app)."""

    def whoami(principal: Analist) -> dict[str, Any]:
        roles = sorted(r.value for r in principal.roles)
        return {"name": principal.name, "via": principal.via, "roles": roles, "org": principal.organisation}

    def csrf(request: Request) -> dict[str, str]:
        return {"csrf_token": csrf_token(request)}

    app.add_api_route(PROBE, whoami, methods=["GET", "POST"])
    app.add_api_route(CSRF_PROBE, csrf, methods=["GET"])


def add_account(hub: Hub, name: str, *roles: Role, organisation: str | None = None) -> None:
    """A local account with :data:`PASSWORD`, hashed with :data:`FAST`."""
    hub.services.accounts.hasher = FAST
    hub.services.accounts.add(name, frozenset(roles), PASSWORD, "test", organisation)


def csrf_of(page: Response) -> str:
    """The hidden ``csrf_token`` field of a rendered form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(hub: Hub, name: str, password: str = PASSWORD, next_path: str = "/") -> Response:
    """Log in through ``GET``/``POST /inloggen`` with the form's CSRF token; the client keeps the cookies."""
    form = hub.client.get("/inloggen", params={"next": next_path})
    assert form.status_code == 200, form.text
    data = {"naam": name, "wachtwoord": password, "csrf_token": csrf_of(form), "next": next_path}
    return hub.client.post("/inloggen", data=data, follow_redirects=False)


def session_csrf(hub: Hub) -> str:
    """The CSRF token the forms of the current page get (:func:`hub.sessions.csrf_token`, as templates read it)."""
    token = hub.client.get(CSRF_PROBE).json()["csrf_token"]
    assert isinstance(token, str) and token
    return token
