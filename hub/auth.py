# SPDX-License-Identifier: EUPL-1.2
"""Who is asking: turns a request's credentials into a :class:`~hub.roles.Principal`, or refuses it.

Checked in this order: a bearer token (the hub's admin token, a hub-issued token of a local account, or, when an
OpenID Connect issuer is configured, that issuer's access token), then the dashboard's session cookie. A request
with none of them is 401; a principal without the role a route needs is 403 (:func:`hub.deps.require`).
"""

from __future__ import annotations

import hmac

import jwt
from fastapi import Request

from hub.problems import ProblemError
from hub.roles import Principal, Role
from hub.services import HubServices
from hub.sessions import session_of
from hub.tokens import TokenError, verify_token

__all__ = ["ADMIN_PRINCIPAL", "authenticate", "bearer_of", "current_principal"]

#: The hub's admin token acts as ``beheerder`` (agencies, keys, webhooks, users), nothing more.
ADMIN_PRINCIPAL = Principal("admin-api", frozenset({Role.BEHEERDER}), "admin-token")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def bearer_of(request: Request) -> str | None:
    """The bearer token of the Authorization header, None when there is none; a malformed header is 401."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError("unauthorized", "the Authorization header must be 'Bearer <token>'", _CHALLENGE)
    return token.strip()


def authenticate(request: Request, services: HubServices) -> Principal:
    """The principal behind ``request``; :class:`~hub.problems.ProblemError` 401 when nothing proves one (403 for
    an OIDC token that grants no Hartslag role)."""
    token = bearer_of(request)
    if token is not None:
        return _bearer_principal(token, services)
    principal = current_principal(request, services)
    if principal is not None:
        return principal
    raise ProblemError("unauthorized", "a bearer token or a dashboard session is required", _CHALLENGE)


def _bearer_principal(token: str, services: HubServices) -> Principal:
    expected = services.settings.admin_token
    if expected is not None and hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
        return ADMIN_PRINCIPAL
    oidc = services.oidc
    if oidc is not None and not _issued_by_hub(token, services):
        from hub.oidc import OidcNoRoleError, OidcTokenError

        try:
            return oidc.verify_access_token(token)
        except OidcTokenError as exc:
            raise ProblemError("unauthorized", exc.message, _CHALLENGE) from None
        except OidcNoRoleError as exc:
            raise ProblemError("forbidden", exc.message) from None
    try:
        principal = verify_token(services.hub_key, services.settings.hub_id, token)
    except TokenError as exc:
        raise ProblemError("unauthorized", exc.message, _CHALLENGE) from None
    # Tokens are not stored: disabling (or removing) the account is what revokes them, checked on every request.
    if services.accounts.active(principal.name) is None:
        raise ProblemError("unauthorized", "the bearer token's account is disabled or removed", _CHALLENGE)
    return principal


def _issued_by_hub(token: str, services: HubServices) -> bool:
    """True when the token names the hub key (then only the hub's own checks apply)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return header.get("kid") == services.hub_key.kid


def current_principal(request: Request, services: HubServices) -> Principal | None:
    """The user logged in to the dashboard (session cookie), None when nobody is; dashboard pages then redirect
    to ``/inloggen``. A local account that was disabled since the login is nobody."""
    session = session_of(request, services)
    if session is None or session.principal is None:
        return None
    if session.local and services.accounts.active(session.principal.name) is None:
        return None
    return session.principal
