# SPDX-License-Identifier: EUPL-1.2
"""Short-lived bearer tokens the hub issues to its local accounts (``hartslag hub token NAME``).

A token is a JWT signed with the hub key (Ed25519, ``DATA/hub-key.pem``; the same key signs audit checkpoints):
``iss`` the hub id, ``aud`` :data:`TOKEN_AUDIENCE`, ``sub`` the account name, ``roles`` the granted roles, ``iat`` and
``exp`` (at most :data:`MAX_LIFETIME` seconds apart). Nothing is stored: the hub checks the signature and the claims,
and whoever holds the account file can revoke by disabling the account (checked on every request by the caller).
"""

from __future__ import annotations

import time
import uuid

import jwt

from governance.errors import HartslagError, InvalidInputError
from governance.hub_key import HubKey
from hub.roles import Principal, Role, UnknownRoleError, parse_roles

__all__ = ["DEFAULT_LIFETIME", "MAX_LIFETIME", "TOKEN_AUDIENCE", "TokenError", "issue_token", "verify_token"]

TOKEN_AUDIENCE = "hartslag-api"
DEFAULT_LIFETIME = 3600
MAX_LIFETIME = 12 * 3600


class TokenError(HartslagError):
    """A bearer token the hub did not issue, or no longer accepts."""

    code = "unauthorized"


def issue_token(
    key: HubKey,
    issuer: str,
    name: str,
    roles: frozenset[Role],
    *,
    lifetime: int = DEFAULT_LIFETIME,
    organisation: str | None = None,
    now: float | None = None,
) -> str:
    """A signed bearer token for account ``name`` with ``roles``, valid ``lifetime`` seconds."""
    if not 0 < lifetime <= MAX_LIFETIME:
        raise InvalidInputError(f"a token lives between 1 and {MAX_LIFETIME} seconds")
    issued = int(time.time() if now is None else now)
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": TOKEN_AUDIENCE,
        "sub": name,
        "roles": sorted(r.value for r in roles),
        "iat": issued,
        "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
    }
    if organisation:
        claims["org"] = organisation
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid, "typ": "at+jwt"})


def verify_token(key: HubKey, issuer: str, token: str, *, now: float | None = None) -> Principal:
    """The principal a hub-issued token proves, or :class:`TokenError` (never echoing the token)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenError("the bearer token is not a JWT") from None
    if header.get("alg") != "EdDSA" or header.get("kid") != key.kid:
        raise TokenError("the bearer token was not issued by this hub")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=["EdDSA"],
            audience=TOKEN_AUDIENCE,
            issuer=issuer,
            options={"require": ["iss", "aud", "sub", "iat", "exp"], "verify_iat": False},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise TokenError(f"the bearer token is not valid ({type(exc).__name__})") from None
    at = time.time() if now is None else now
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME or int(claims["exp"]) <= at - 30:
        raise TokenError("the bearer token has expired")
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenError("the bearer token names no roles")
    try:
        granted = parse_roles(roles)
    except UnknownRoleError:
        raise TokenError("the bearer token names an unknown role") from None
    org = claims.get("org")
    return Principal(str(claims["sub"]), granted, "token", org if isinstance(org, str) else None)
