# SPDX-License-Identifier: EUPL-1.2
"""Signed votes: a member's approval or rejection as a compact JWS that anyone holding the member's key can check.

A statement is a compact JWS (RFC 7515) with protected header ``alg`` EdDSA, ``typ`` ``hartslag-schema-vote+jwt``
and ``kid`` the RFC 7638 thumbprint of the member's Ed25519 key; its payload is the RFC 8785 canonical JSON of
``{subject, version, decision, schema_sha256, iat, member}`` (plus ``reason`` for a rejection). Binding the
subject, the version and the schema's hash means a statement cannot be replayed for another version or for a
schema that changed after the member read it. Members make their key pair with ``hartslag connector keygen``
(the same files an agency has: ``NAME.key.pem`` and ``NAME.jwks.json``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.errors import InvalidInputError
from governance.hub_key import public_jwk, public_key_from_jwk
from governance.registry_model import Decision
from governance.registry_status import RefusedError

__all__ = [
    "MAX_AGE",
    "MAX_SKEW",
    "VOTE_TYPE",
    "Statement",
    "VoteRefusedError",
    "load_member_key",
    "read_statement",
    "sign_statement",
]

VOTE_TYPE = "hartslag-schema-vote+jwt"
MAX_SKEW = 300  # seconds a statement's iat may lie in the future (clocks differ)
MAX_AGE = 14 * 24 * 3600  # a statement older than this is stale: vote again on what the proposal is now


class VoteRefusedError(RefusedError):
    """A vote the registry does not count; ``code`` says why (``vote-wrong-key``, ``vote-signature``,
    ``vote-mismatch``, ``vote-stale-schema``, ``vote-expired``, ``vote-malformed``, ``already-voted``, ...)."""

    code = "vote-refused"


@dataclass(frozen=True)
class Statement:
    """What a verified statement says."""

    subject: str
    version: str
    decision: Decision
    schema_sha256: str
    iat: int
    member: str
    reason: str
    jws: str


def load_member_key(path: Path, passphrase: bytes | None = None) -> ed25519.Ed25519PrivateKey:
    """A member's private Ed25519 key from a PKCS#8 PEM file (as ``hartslag connector keygen`` writes it)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the key file {path} ({type(exc).__name__})", code="key-invalid") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (TypeError, ValueError):
        why = "encrypted: give its passphrase" if b"ENCRYPTED" in data else "not a PEM private key"
        raise InvalidInputError(f"{path} is {why}", code="key-invalid") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InvalidInputError(f"{path} is not an Ed25519 key (votes are signed with EdDSA)", code="key-invalid")
    return key


def sign_statement(
    key: ed25519.Ed25519PrivateKey,
    *,
    subject: str,
    version: str,
    decision: Decision,
    schema_sha256: str,
    member: str,
    reason: str = "",
    iat: int | None = None,
) -> str:
    """Sign a vote with the member's private key; returns the compact JWS."""
    claims: dict[str, Any] = {
        "subject": subject,
        "version": version,
        "decision": decision.value,
        "schema_sha256": schema_sha256,
        "iat": int(time.time()) if iat is None else iat,
        "member": member,
    }
    if reason:
        claims["reason"] = reason
    headers = {"kid": public_jwk(key.public_key())["kid"], "typ": VOTE_TYPE}
    return jwt.PyJWS().encode(rfc8785.dumps(claims), key, algorithm="EdDSA", headers=headers)


def read_statement(token: str, jwk: dict[str, Any], *, now: int | None = None) -> Statement:
    """Verify a statement against the member's public JWK and return what it says.

    Checks the header (EdDSA, the vote type, the member's key id), the signature, the claims' shape and the time
    (``iat`` at most :data:`MAX_SKEW` ahead, at most :data:`MAX_AGE` old). Whether it is about the right version
    and schema is the caller's check (:func:`governance.schema_registry.SchemaRegistry.vote`).
    """
    public_key = public_key_from_jwk(jwk)
    expected_kid = public_jwk(public_key)["kid"]
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise VoteRefusedError("the vote is not a compact JWS", code="vote-malformed") from None
    if header.get("alg") != "EdDSA" or header.get("typ") != VOTE_TYPE:
        raise VoteRefusedError(f"not a schema vote (alg {header.get('alg')!r}, typ {header.get('typ')!r})")
    if header.get("kid") != expected_kid:
        raise VoteRefusedError("the vote is signed with another key than the member's", code="vote-wrong-key")
    try:
        decoded = jwt.PyJWS().decode_complete(token, key=public_key, algorithms=["EdDSA"])
        claims = json.loads(decoded["payload"])
    except jwt.InvalidSignatureError:
        raise VoteRefusedError("the vote's signature does not verify", code="vote-signature") from None
    except (jwt.PyJWTError, ValueError):
        raise VoteRefusedError("the vote's payload is not readable JSON", code="vote-malformed") from None
    return _statement(claims, token, int(time.time()) if now is None else now)


def _statement(claims: Any, token: str, now: int) -> Statement:
    if not isinstance(claims, dict):
        raise VoteRefusedError("the vote's payload is not a JSON object", code="vote-malformed")
    texts = ("subject", "version", "decision", "schema_sha256", "member")
    if any(not isinstance(claims.get(name), str) for name in texts) or type(claims.get("iat")) is not int:
        raise VoteRefusedError("the vote lacks subject, version, decision, schema_sha256, member or iat")
    try:
        decision = Decision(claims["decision"])
    except ValueError:
        raise VoteRefusedError("the vote's decision is neither approve nor reject", code="vote-malformed") from None
    iat: int = claims["iat"]
    if iat > now + MAX_SKEW:
        raise VoteRefusedError("the vote is dated in the future", code="vote-expired")
    if iat < now - MAX_AGE:
        raise VoteRefusedError(f"the vote is older than {MAX_AGE // 86400} days; sign it again", code="vote-expired")
    reason = claims.get("reason", "")
    if not isinstance(reason, str):
        raise VoteRefusedError("the vote's reason is not text", code="vote-malformed")
    return Statement(
        claims["subject"], claims["version"], decision, claims["schema_sha256"], iat, claims["member"], reason, token
    )
