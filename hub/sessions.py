# SPDX-License-Identifier: EUPL-1.2
"""The dashboard's server-side sessions and their CSRF tokens (synchronizer pattern).

A browser holds only a random id in a cookie: ``hartslag_sessie`` once logged in, ``hartslag_login`` during a login
(the login form's CSRF token, or the OpenID Connect round trip's state, nonce, PKCE verifier and return path). Both
cookies are HttpOnly, SameSite=Lax, Secure when the request came over https, and expire with the session. The hub
keeps the session itself (who, roles, CSRF token, expiry) in SQLite under the SHA-256 of the id, so a copy of the
database opens no session. A new session id is made at every login (no session fixation) and forgotten at logout.

Every state-changing request that a session cookie authenticates must carry the session's CSRF token, as the form
field ``csrf_token`` or the header ``X-CSRF-Token`` (:data:`hub.deps.CsrfProtected`); templates get it from
:func:`csrf_token`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Request, Response

from hub.roles import Principal

if TYPE_CHECKING:
    from hub.services import HubServices

__all__ = [
    "LOGIN_COOKIE",
    "LOGIN_LIFETIME",
    "SESSION_COOKIE",
    "Session",
    "SessionStore",
    "csrf_matches",
    "csrf_token",
    "end_login",
    "end_session",
    "login_state_of",
    "open_sessions",
    "session_of",
    "start_login",
    "start_session",
]

SESSION_COOKIE = "hartslag_sessie"
LOGIN_COOKIE = "hartslag_login"
#: Seconds a login form (or an OIDC round trip) may take.
LOGIN_LIFETIME = 1800


@dataclass(frozen=True)
class Session:
    """One session. ``principal`` is None for a pre-session (a login in progress); ``local`` says the principal is
    a local account (checked on every request, so disabling it ends its sessions); ``pending`` holds an OIDC
    login's state, nonce, PKCE verifier and return path."""

    principal: Principal | None
    csrf: str
    created_at: datetime
    expires_at: datetime
    local: bool = False
    pending: Mapping[str, str] = field(default_factory=dict)


class SessionStore(Protocol):
    """Where sessions are kept, by the SHA-256 (hex) of their id."""

    def save(self, key_hash: str, session: Session) -> None: ...
    def load(self, key_hash: str) -> Session | None: ...
    def delete(self, key_hash: str) -> None: ...
    def delete_expired(self, now: datetime) -> int: ...
    def close(self) -> None: ...


def open_sessions(data: Path) -> SessionStore:
    """The sessions of a data folder (in the accounts database, :data:`hub.accounts.ACCOUNTS_FILE`)."""
    from hub.accounts import ACCOUNTS_FILE
    from hub.sqlite_users import SQLiteSessionStore

    data.mkdir(parents=True, exist_ok=True)
    return SQLiteSessionStore(data / ACCOUNTS_FILE)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _services(request: Request) -> HubServices:
    services: HubServices = request.app.state.services
    return services


def _load(request: Request, services: HubServices, cookie: str, logged_in: bool) -> Session | None:
    """The live session named by ``cookie`` (cached on the request), or None."""
    attribute = f"hartslag_{cookie}"
    if hasattr(request.state, attribute):
        cached: Session | None = getattr(request.state, attribute)
        return cached
    key = request.cookies.get(cookie)
    found = services.sessions.load(_hash(key)) if key and len(key) <= 100 else None
    if found is not None and (found.expires_at <= _now() or (found.principal is not None) != logged_in):
        found = None
    setattr(request.state, attribute, found)
    return found


def session_of(request: Request, services: HubServices | None = None) -> Session | None:
    """The logged-in session of ``request`` (cookie ``hartslag_sessie``), None when there is none or it expired."""
    return _load(request, services or _services(request), SESSION_COOKIE, logged_in=True)


def login_state_of(request: Request, services: HubServices | None = None) -> Session | None:
    """The login in progress of ``request`` (cookie ``hartslag_login``), None when there is none or it expired."""
    return _load(request, services or _services(request), LOGIN_COOKIE, logged_in=False)


def _set_cookie(request: Request, response: Response, name: str, key: str, max_age: int) -> None:
    response.set_cookie(
        name,
        key,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _forget(request: Request, response: Response | None, services: HubServices, cookie: str) -> None:
    """Drop the session named by ``cookie`` on the hub, and the cookie too when ``response`` is given."""
    key = request.cookies.get(cookie)
    if key and len(key) <= 100:
        services.sessions.delete(_hash(key))
    setattr(request.state, f"hartslag_{cookie}", None)
    if response is not None:
        response.delete_cookie(cookie, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")


def start_session(
    request: Request, response: Response, services: HubServices, principal: Principal, *, local: bool
) -> Session:
    """Log ``principal`` in: a new session id (the old session and the login in progress are dropped) in the
    cookie of ``response``, valid ``settings.session_lifetime`` seconds."""
    _forget(request, response, services, LOGIN_COOKIE)
    _forget(request, None, services, SESSION_COOKIE)  # the new cookie replaces it
    now = _now()
    services.sessions.delete_expired(now)
    lifetime = services.settings.session_lifetime
    held = Principal(principal.name, principal.roles, "session", principal.organisation)
    session = Session(held, secrets.token_urlsafe(32), now, now + timedelta(seconds=lifetime), local)
    key = secrets.token_urlsafe(32)
    services.sessions.save(_hash(key), session)
    _set_cookie(request, response, SESSION_COOKIE, key, lifetime)
    setattr(request.state, f"hartslag_{SESSION_COOKIE}", session)
    return session


def end_session(request: Request, response: Response, services: HubServices) -> None:
    """Log out: forget the session on the hub and in the browser."""
    _forget(request, response, services, SESSION_COOKIE)


def start_login(
    request: Request, response: Response, services: HubServices, pending: Mapping[str, str] | None = None
) -> Session:
    """A login in progress: keeps the current one (and its CSRF token) unless ``pending`` OIDC data is to be
    stored, which always gets a fresh id."""
    current = login_state_of(request, services)
    if current is not None and pending is None:
        return current
    _forget(request, None, services, LOGIN_COOKIE)
    now = _now()
    services.sessions.delete_expired(now)
    csrf = current.csrf if current is not None else secrets.token_urlsafe(32)
    session = Session(None, csrf, now, now + timedelta(seconds=LOGIN_LIFETIME), pending=dict(pending or {}))
    key = secrets.token_urlsafe(32)
    services.sessions.save(_hash(key), session)
    _set_cookie(request, response, LOGIN_COOKIE, key, LOGIN_LIFETIME)
    setattr(request.state, f"hartslag_{LOGIN_COOKIE}", session)
    return session


def end_login(request: Request, response: Response, services: HubServices) -> None:
    """Forget the login in progress (it is used once)."""
    _forget(request, response, services, LOGIN_COOKIE)


def csrf_token(request: Request) -> str:
    """The CSRF token for the forms of the page being rendered: the session's, else the login's ('' for neither)."""
    session = session_of(request) or login_state_of(request)
    return session.csrf if session is not None else ""


def csrf_matches(session: Session | None, submitted: Any) -> bool:
    """True when ``submitted`` is the CSRF token of ``session`` (compared in constant time)."""
    if session is None or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(submitted.encode("utf-8"), session.csrf.encode("utf-8"))
