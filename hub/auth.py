# SPDX-License-Identifier: EUPL-1.2
"""Who is asking: turns a request's credentials into a :class:`~hub.roles.Principal`, or refuses it.

Checked in this order: a bearer token (the hub's admin token, a hub-issued token of a local account, or, when an
OpenID Connect issuer is configured, that issuer's access token), then the dashboard's session cookie. A request
with none of them is 401; a principal without the role a route needs is 403 (:func:`hub.deps.require`).
"""

from __future__ import annotations

import hmac

from fastapi import Request

from hub.problems import ProblemError
from hub.roles import Principal, Role
from hub.services import HubServices
from hub.tokens import TokenError, verify_token

__all__ = ["ADMIN_PRINCIPAL", "authenticate", "bearer_of"]

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
    """The principal behind ``request``; :class:`~hub.problems.ProblemError` 401 when nothing proves one."""
    token = bearer_of(request)
    if token is not None:
        expected = services.settings.admin_token
        if expected is not None and hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
            return ADMIN_PRINCIPAL
        try:
            return verify_token(services.hub_key, services.settings.hub_id, token)
        except TokenError as exc:
            raise ProblemError("unauthorized", exc.message, _CHALLENGE) from None
    raise ProblemError("unauthorized", "a bearer token or a dashboard session is required", _CHALLENGE)
