# SPDX-License-Identifier: EUPL-1.2
"""Agencies authenticate read-backs (their own receipts) with a short-lived JWT signed by their own key.

No shared secrets: the token's ``kid`` names a registered key, ``iss`` the agency that owns it, ``aud`` this hub;
it lives at most five minutes. Same algorithm allow-list as batches (EdDSA, ES256).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import jwt

from connectors.envelope import ALLOWED_ALGORITHMS
from connectors.keys import TrustedKey
from governance.errors import HartslagError

__all__ = ["MAX_TOKEN_LIFETIME", "AgencyAuthError", "authenticate_agency"]

MAX_TOKEN_LIFETIME = 300


class AgencyAuthError(HartslagError):
    """The bearer token does not prove which agency is asking."""

    code = "unauthorized"


def authenticate_agency(
    token: str, key_lookup: Callable[[str], TrustedKey | None], audience: str, now: datetime
) -> str:
    """The agency code the token proves, or :class:`AgencyAuthError`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AgencyAuthError("the bearer token is not a JWT") from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALLOWED_ALGORITHMS or not isinstance(kid, str):
        raise AgencyAuthError("the bearer token must be signed with EdDSA or ES256 and name its kid")
    key = key_lookup(kid)
    if key is None or key.alg != alg:
        raise AgencyAuthError("the bearer token's key is not registered")
    at = now.timestamp()
    if key.revoked or (key.revoked_at is not None and at >= key.revoked_at.timestamp()):
        raise AgencyAuthError("the bearer token's key is revoked")
    # The same validity window as for batches: a key not valid yet (or past its end) proves nothing either.
    if (key.not_before is not None and at < key.not_before.timestamp()) or (
        key.not_after is not None and at >= key.not_after.timestamp()
    ):
        raise AgencyAuthError("the bearer token's key is not valid at this moment")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[alg],
            audience=audience,
            options={"require": ["iss", "aud", "iat", "exp"], "verify_iat": False},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise AgencyAuthError(f"the bearer token is not valid ({type(exc).__name__})") from None
    iat = claims["iat"]
    if not isinstance(iat, int | float) or isinstance(iat, bool) or not math.isfinite(iat):
        # pyjwt checks iat only when verify_iat is on; a signed token with a text iat must not reach int() below.
        raise AgencyAuthError("the bearer token's iat must be a number of seconds")
    if claims["iss"] != key.agency:
        raise AgencyAuthError("the bearer token's issuer does not own its key")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_LIFETIME or int(claims["iat"]) > at + 60:
        raise AgencyAuthError(f"the bearer token must live at most {MAX_TOKEN_LIFETIME} s")
    return str(claims["iss"])
