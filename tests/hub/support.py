# SPDX-License-Identifier: EUPL-1.2
"""Shared helpers for the hub's HTTP tests: a real app on a temporary data folder, agencies with real keys, and
forgers for the tokens an attacker or a buggy connector would send.

``open_hub(tmp_path, **settings)`` builds ``create_app(Settings(...))`` and drives it through FastAPI's
``TestClient``; agencies are registered through the registry or through the admin API, each with a key pair written
by :func:`connectors.keys.write_keypair`. Every signal the helpers make carries a unique marker text, so a test can
prove that no response or log line ever echoes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt import api_jws
from starlette import testclient

from connectors.envelope import TYP, BatchSigner
from connectors.keys import SigningKey, load_signing_key
from hub.app import create_app
from hub.problems import PROBLEM_BASE, PROBLEMS
from hub.services import HubServices
from hub.settings import Settings
from hub.storage import Storage
from tests.factories import make_agency, make_batch, make_keypair, make_signals

__all__ = [
    "ADMIN_TOKEN",
    "HUB_ID",
    "Hub",
    "Response",
    "assert_problem",
    "b64url",
    "batch_document",
    "forge",
    "hmac_token",
    "open_hub",
    "public_key_bytes",
    "sign_document",
]

#: The test client's response type (httpx2's, or httpx's with an older Starlette).
Response: TypeAlias = testclient.httpx.Response

HUB_ID = "hub-test"
ADMIN_TOKEN = "admin-token-for-tests-only"
JOSE = {"Content-Type": "application/jose"}


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: Mapping[str, Any] | bytes, payload: Mapping[str, Any] | bytes, signature: bytes = b"") -> bytes:
    """A compact JWS put together by hand: any header, any payload, any signature bytes."""
    head = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    return f"{b64url(head)}.{b64url(body)}.{b64url(signature)}".encode("ascii")


def sign_document(document: Mapping[str, Any] | bytes, key: SigningKey, **header: Any) -> bytes:
    """Sign any payload with a real registered key: builds the batches :class:`BatchSigner` refuses to make."""
    payload = document if isinstance(document, bytes) else json.dumps(document, separators=(",", ":")).encode()
    headers = {"kid": key.kid, "typ": TYP, **header}
    return api_jws.encode(payload, key.private_key, algorithm=key.alg, headers=headers).encode("ascii")


def public_key_bytes(key: SigningKey, form: str = "pem") -> bytes:
    """The agency's PUBLIC key as bytes (PEM SubjectPublicKeyInfo, or raw), the secret of the HMAC confusion attack."""
    public = key.private_key.public_key()
    if form == "raw":
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def hmac_token(document: Mapping[str, Any], key: SigningKey, secret: bytes, alg: str = "HS256") -> bytes:
    """An HS256 (or HS384/HS512) token whose HMAC secret is ``secret``, built with base64url and hmac by hand."""
    digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
    header = {"alg": alg, "kid": key.kid, "typ": TYP}
    signing_input = (
        b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(document, separators=(",", ":")).encode())
    )
    mac = hmac.new(secret, signing_input.encode("ascii"), digests[alg]).digest()
    return f"{signing_input}.{b64url(mac)}".encode("ascii")


def batch_document(signals: Sequence[dict[str, Any]], iss: str, aud: str = HUB_ID, **claims: Any) -> dict[str, Any]:
    """A batch document (the JWS payload) for ``signals``; ``claims`` override or add top-level members."""
    return make_batch(signals, iss=iss, aud=aud, **claims)


_PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


def assert_problem(response: Response, status: int, code: str, *, secrets: Sequence[str] = ()) -> dict[str, Any]:
    """An RFC 9457 problem with ``code``: status, media type, documented type URI, and no secret echoed anywhere."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= _PROBLEM_MEMBERS
    assert body["code"] == code
    assert body["type"] == PROBLEM_BASE + code
    assert body["status"] == status == PROBLEMS[code][0]
    assert body["title"] == PROBLEMS[code][1]
    for secret in secrets:
        assert secret not in response.text
        assert secret not in str(response.headers)
    return body


_DIGITS_TO_LETTERS = str.maketrans("0123456789", "ghijklmnop")


@dataclass
class Hub:
    """A running hub app with its client, services and the agencies' signing keys."""

    app: FastAPI
    client: TestClient
    settings: Settings
    key_dir: Path
    signers: dict[str, BatchSigner] = field(default_factory=dict)
    keys: dict[str, SigningKey] = field(default_factory=dict)
    _marker: int = 0

    @property
    def services(self) -> HubServices:
        services: HubServices = self.app.state.services
        return services

    @property
    def storage(self) -> Storage:
        return self.services.storage

    # agencies and keys -------------------------------------------------------------------------------------------
    def new_key(self, code: str, alg: str = "EdDSA") -> tuple[SigningKey, dict[str, Any]]:
        """A fresh key pair for ``code`` (not registered): the signing key and its public JWK set."""
        folder = self.key_dir / uuid.uuid4().hex
        pair = make_keypair(folder, code, alg=alg)
        return load_signing_key(pair.private_pem), json.loads(pair.jwks.read_text(encoding="utf-8"))

    def register(self, code: str, *, via: str = "registry", alg: str = "EdDSA", name: str | None = None) -> BatchSigner:
        """Register ``code`` with a new key, through the registry or the admin API; returns its batch signer."""
        key, jwks = self.new_key(code, alg)
        kind = make_agency(code).kind
        if via == "api":
            body = {"code": code, "name": name or code, "kind": kind, "jwks": jwks}
            response = self.admin("POST", "/v1/admin/agencies", json=body)
            assert response.status_code == 201, response.text
        else:
            self.services.registry.add_agency(code, name or code, kind, jwks, "test")
        return self._use(code, key)

    def add_key(self, code: str, *, not_before: datetime | None = None, alg: str = "EdDSA") -> BatchSigner:
        """Add (and switch the signer to) a second key of a registered agency, optionally valid only later."""
        key, jwks = self.new_key(code, alg)
        self.services.registry.add_keys(code, jwks, "test", not_before=not_before)
        return self._use(code, key)

    def _use(self, code: str, key: SigningKey) -> BatchSigner:
        self.keys[code] = key
        self.signers[code] = BatchSigner(key, issuer=code, audience=self.settings.hub_id)
        return self.signers[code]

    def signer(self, code: str, key: SigningKey | None = None, audience: str | None = None) -> BatchSigner:
        """A signer for ``code`` with any key (another agency's, or a stranger's) and any audience."""
        return BatchSigner(key or self.keys[code], issuer=code, audience=audience or self.settings.hub_id)

    # signals and batches ------------------------------------------------------------------------------------------
    def signals(self, n: int, code: str = "GM0363", seed: int | None = None) -> list[dict[str, Any]]:
        """``n`` valid signals of ``code``, each with a unique marker text (to prove it is never echoed)."""
        self._marker += 1
        signals = make_signals(n, seed=self._marker * 1000 + (seed or 0), agency=make_agency(code))
        for index, signal in enumerate(signals):
            # Letters only: a random run of digits can, rarely, look like a phone number or BSN to the guard.
            marker = uuid.uuid4().hex[:12].translate(_DIGITS_TO_LETTERS)
            signal["text"] = f"Merkteken-{marker} stoep {index} bij het plein is kapot."
        return signals

    def token(self, n: int = 2, code: str = "GM0363", **sign: Any) -> bytes:
        """A batch of ``n`` fresh signals signed by ``code``'s registered key."""
        return self.signers[code].sign(self.signals(n, code), **sign).token

    # HTTP --------------------------------------------------------------------------------------------------------
    def post(self, token: bytes, content_type: str | None = "application/jose", **headers: str) -> Response:
        """``POST /v1/batches`` with exactly these bytes."""
        sent = {**({"Content-Type": content_type} if content_type else {}), **headers}
        return self.client.post("/v1/batches", content=token, headers=sent)

    def admin(self, method: str, path: str, token: str | None = ADMIN_TOKEN, **kwargs: Any) -> Response:
        """An admin API call with the bearer ``token`` (None: no Authorization header)."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.request(method, path, headers=headers, **kwargs)

    def agency_jwt(
        self, code: str, *, key: SigningKey | None = None, lifetime: int = 120, iat: int | None = None, **claims: Any
    ) -> str:
        """A read-back bearer token: a JWT signed by the agency's own key (iss = agency, aud = hub id)."""
        signing = key or self.keys[code]
        issued = int(time.time()) if iat is None else iat
        payload = {"iss": code, "aud": self.settings.hub_id, "iat": issued, "exp": issued + lifetime, **claims}
        return jwt.encode(payload, signing.private_key, algorithm=signing.alg, headers={"kid": signing.kid})

    def bearer(self, *roles: str, name: str = "tester", organisation: str | None = None) -> dict[str, str]:
        """Authorization headers of a hub-issued token for a user holding ``roles`` (``"analist"``, ...)."""
        from hub.accounts import Account
        from hub.roles import parse_roles
        from hub.tokens import issue_token

        # The hub accepts tokens of existing, enabled accounts only: make one (with no usable password) on first use.
        if self.services.accounts.store.get(name) is None:
            account = Account(name, parse_roles(roles), organisation, False, datetime.now(UTC))
            self.services.accounts.store.insert(account, "!no-password")
        token = issue_token(
            self.services.hub_key, self.settings.hub_id, name, parse_roles(roles), organisation=organisation
        )
        return {"Authorization": f"Bearer {token}"}

    # what was kept -----------------------------------------------------------------------------------------------
    def counts(self) -> tuple[int, int]:
        """(signals, batches) stored."""
        stats = self.storage.stats()
        return stats["signals"], stats["batches"]

    def refusals(self) -> dict[str, int]:
        """Refusals counted by code."""
        refusals: dict[str, int] = self.storage.stats()["refusals"]
        return refusals


@contextmanager
def open_hub(tmp_path: Path, *, agencies: Sequence[str] = ("GM0363",), **settings: Any) -> Iterator[Hub]:
    """A hub app on ``tmp_path/data`` with ``agencies`` registered; ``settings`` override :class:`Settings`."""
    options: dict[str, Any] = {"data": tmp_path / "data", "hub_id": HUB_ID, "admin_token": ADMIN_TOKEN, **settings}
    config = Settings(**options)
    app = create_app(config)
    key_dir = tmp_path / "keys"
    with TestClient(app) as client:
        hub = Hub(app, client, config, key_dir)
        for code in agencies:
            hub.register(code)
        yield hub
