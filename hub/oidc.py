# SPDX-License-Identifier: EUPL-1.2
"""OpenID Connect: the issuer's access tokens for the API, and the dashboard's authorization-code login with PKCE.

With ``HARTSLAG_OIDC_ISSUER`` set, the hub reads the issuer's metadata (``/.well-known/openid-configuration``, whose
``issuer`` must be exactly the one configured) and its JWKS. An access token is accepted when its signature verifies
against that JWKS with an asymmetric algorithm, ``iss`` is the issuer, ``aud`` holds ``HARTSLAG_OIDC_AUDIENCE`` and it
has not expired; its role claim (``HARTSLAG_OIDC_ROLE_CLAIM``, a dotted path such as ``realm_access.roles``; a list
or a space-separated string) names the Hartslag roles. Unknown role names are ignored; no known role is a 403.

The dashboard login (:mod:`hub.routes.auth`) sends the browser to the authorization endpoint with ``state``,
``nonce`` and an S256 code challenge, exchanges the code at the token endpoint (httpx) with the verifier, and checks
the ID token (signature, issuer, audience = client id, expiry, nonce) before it takes the roles from it.
This module is the only one that talks to the issuer; tokens and secrets never enter a message or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from jwt import PyJWKClient, PyJWKClientConnectionError, PyJWKClientError

from governance.errors import HartslagError, InvalidInputError, RetriableError
from hub.roles import Principal, Role
from hub.settings import Settings

__all__ = [
    "ALGORITHMS",
    "OidcLoginError",
    "OidcNoRoleError",
    "OidcProvider",
    "OidcTokenError",
    "OidcUnavailableError",
    "pkce_pair",
]

#: Signature algorithms accepted from the issuer: asymmetric only (an HMAC "signature" keyed with a public key
#: would verify for anyone).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
_LEEWAY = 30
_METADATA_TTL = 3600.0
_ROLE_VALUES = {role.value: role for role in Role}


class OidcTokenError(HartslagError):
    """A token the configured issuer did not sign, not for us, or expired."""

    code = "unauthorized"


class OidcNoRoleError(HartslagError):
    """A valid token that grants no Hartslag role."""

    code = "forbidden"


class OidcUnavailableError(RetriableError):
    """The issuer cannot be reached (or the hub's OIDC settings are incomplete); retry later."""

    code = "oidc-unavailable"


class OidcLoginError(InvalidInputError):
    """A dashboard login that cannot be completed (state mismatch, code refused, bad ID token)."""

    code = "oidc-login-failed"


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


class OidcProvider:
    """One configured OpenID Connect issuer: metadata and keys (cached), token checks, the login's two calls."""

    def __init__(self, settings: Settings, http: httpx.Client | None = None, clock: Callable[[], float] = time.time):
        if not settings.oidc_issuer:
            raise OidcUnavailableError("no OpenID Connect issuer is configured")
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience or settings.oidc_client_id
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.role_claim = settings.oidc_role_claim
        self.name_claim = settings.oidc_name_claim
        self.organisation_claim = settings.oidc_organisation_claim
        self.scopes = settings.oidc_scopes
        self.http = http or httpx.Client(timeout=10.0, follow_redirects=False)
        self.clock = clock
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._fetched = 0.0
        self._jwks: PyJWKClient | None = None

    # issuer metadata and keys ------------------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document (cached an hour); its ``issuer`` must be the configured one."""
        with self._lock:
            if self._metadata is not None and self.clock() - self._fetched < _METADATA_TTL:
                return self._metadata
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = self.http.get(url)
                response.raise_for_status()
                found = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise OidcUnavailableError(f"the OIDC metadata is unavailable ({type(exc).__name__})") from None
            if not isinstance(found, dict) or found.get("issuer") != self.issuer:
                raise OidcUnavailableError("the OIDC issuer's metadata names another issuer")
            for member in ("jwks_uri", "authorization_endpoint", "token_endpoint"):
                if not isinstance(found.get(member), str):
                    raise OidcUnavailableError(f"the OIDC issuer's metadata has no {member}")
            if self._jwks is None or self._metadata is None or self._metadata["jwks_uri"] != found["jwks_uri"]:
                self._jwks = PyJWKClient(found["jwks_uri"], cache_keys=True, lifespan=300, timeout=10)
            self._metadata, self._fetched = found, self.clock()
            return found

    def _signing_key(self, token: str) -> tuple[Any, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcTokenError("the bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise OidcTokenError("the token's signature algorithm is not accepted")
        self.metadata()
        assert self._jwks is not None  # set by metadata()
        kid = header.get("kid")
        try:
            if isinstance(kid, str):
                return self._jwks.get_signing_key(kid).key, alg
            keys = self._jwks.get_signing_keys()
        except PyJWKClientConnectionError as exc:
            raise OidcUnavailableError(f"the OIDC issuer's keys are unavailable ({type(exc).__name__})") from None
        except PyJWKClientError:
            raise OidcTokenError("the token is not signed with a key of the configured issuer") from None
        if len(keys) != 1:  # without a kid only an issuer with one signing key is unambiguous
            raise OidcTokenError("the token names no key (kid) of the configured issuer")
        return keys[0].key, alg

    def _decode(self, token: str, audience: str, what: str) -> dict[str, Any]:
        key, alg = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "sub", "exp"], "verify_iat": False},
                leeway=_LEEWAY,
            )
        except jwt.ExpiredSignatureError:
            raise OidcTokenError(f"the {what} has expired") from None
        except jwt.PyJWTError as exc:
            raise OidcTokenError(f"the {what} is not valid ({type(exc).__name__})") from None
        return claims

    # bearer tokens -----------------------------------------------------------------------------------------------
    def verify_access_token(self, token: str) -> Principal:
        """The principal an access token of the issuer proves; :class:`OidcTokenError` or :class:`OidcNoRoleError`."""
        if not self.audience:
            raise OidcUnavailableError("HARTSLAG_OIDC_AUDIENCE (or HARTSLAG_OIDC_CLIENT_ID) is not configured")
        return self.principal(self._decode(token, self.audience, "bearer token"), "oidc")

    def principal(self, claims: Mapping[str, Any], via: str) -> Principal:
        """Name, roles and organisation from verified claims; unknown roles are ignored, none at all is refused."""
        value = _claim(claims, self.role_claim)
        names = value.replace(",", " ").split() if isinstance(value, str) else value
        roles = frozenset(
            _ROLE_VALUES[name] for name in (names if isinstance(names, list) else []) if name in _ROLE_VALUES
        )
        if not roles:
            raise OidcNoRoleError("the OIDC token grants no Hartslag role")
        name = _claim(claims, self.name_claim)
        organisation = _claim(claims, self.organisation_claim)
        return Principal(
            name if isinstance(name, str) and name else str(claims["sub"]),
            roles,
            via,
            organisation if isinstance(organisation, str) and organisation else None,
        )

    # the dashboard login -----------------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, state: str, nonce: str, challenge: str) -> str:
        """Where to send the browser: the authorization endpoint with the code flow's parameters."""
        if not self.client_id:
            raise OidcUnavailableError("HARTSLAG_OIDC_CLIENT_ID is not configured")
        endpoint = str(self.metadata()["authorization_endpoint"])
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)

    def finish_login(self, code: str, redirect_uri: str, verifier: str, nonce: str) -> Principal:
        """Exchange the authorization code (with the PKCE verifier) and check the ID token: the user who logged in."""
        if not self.client_id:
            raise OidcUnavailableError("HARTSLAG_OIDC_CLIENT_ID is not configured")
        metadata = self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        extra: dict[str, Any] = {}
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if self.client_secret is None:
            form["client_id"] = self.client_id
        elif "client_secret_basic" in methods:
            extra["auth"] = httpx.BasicAuth(self.client_id, self.client_secret.get_secret_value())
        else:
            form |= {"client_id": self.client_id, "client_secret": self.client_secret.get_secret_value()}
        try:
            response = self.http.post(str(metadata["token_endpoint"]), data=form, **extra)
        except httpx.HTTPError as exc:
            raise OidcUnavailableError(f"the OIDC token endpoint is unavailable ({type(exc).__name__})") from None
        body = _json(response)
        if response.status_code != 200 or not isinstance(body.get("id_token"), str):
            error = body.get("error")
            reason = error if isinstance(error, str) and error.replace("_", "").isalnum() else response.status_code
            raise OidcLoginError(f"the OIDC issuer did not accept the authorization code ({reason})")
        try:
            claims = self._decode(body["id_token"], self.client_id, "ID token")
        except OidcTokenError as exc:
            raise OidcLoginError(exc.message) from None
        azp = claims.get("azp")
        same_nonce = hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode())
        if not same_nonce or (azp and azp != self.client_id):
            raise OidcLoginError("the ID token belongs to another login")
        return self.principal(claims, "session")

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
