# SPDX-License-Identifier: EUPL-1.2
"""Signed checkpoints of the audit log: "at time T the log held N entries and its last hash was H".

A checkpoint is a compact JWS (RFC 7515, ``alg`` EdDSA, ``typ`` ``hartslag-audit-checkpoint+jwt``, ``kid`` the RFC
7638 thumbprint of the hub key) over the RFC 8785 canonical JSON ``{"at", "head", "log", "size"}``. The hub
publishes them; whoever keeps a copy can later check that the log still holds exactly those first N entries (the
idea behind certificate transparency): rewriting history means forging the hub's signature or contradicting a
published checkpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import jwt
import rfc8785
from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.errors import InvalidInputError
from governance.hub_key import HubKey, public_jwk

__all__ = [
    "CHECKPOINT_TYPE",
    "LOG_NAME",
    "Checkpoint",
    "CheckpointError",
    "published_jws",
    "read_checkpoint",
    "sign_checkpoint",
]

CHECKPOINT_TYPE = "hartslag-audit-checkpoint+jwt"
LOG_NAME = "hartslag-audit"
_HASH = re.compile(r"^[0-9a-f]{64}$")


class CheckpointError(InvalidInputError):
    """A checkpoint that does not verify: ``code`` says why (``checkpoint-key``, ``checkpoint-signature``,
    ``checkpoint-malformed``)."""

    code = "checkpoint-malformed"


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement of the log's size and head hash at a moment (``id``: its row in the log, if stored)."""

    size: int
    head: str
    at: str
    kid: str
    jws: str
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The publishable form: the signed JWS with its decoded claims beside it for people."""
        shown: dict[str, Any] = {"size": self.size, "head": self.head, "at": self.at, "kid": self.kid, "jws": self.jws}
        return shown if self.id is None else {"id": self.id, **shown}


def sign_checkpoint(key: HubKey, size: int, head: str, at: str) -> Checkpoint:
    """Sign the statement "the log held ``size`` entries ending in ``head`` at ``at``" with the hub key."""
    if size < 1 or not _HASH.match(head):
        raise InvalidInputError("a checkpoint needs a size of at least 1 and a SHA-256 head hash")
    payload = rfc8785.dumps({"at": at, "head": head, "log": LOG_NAME, "size": size})
    headers = {"kid": key.kid, "typ": CHECKPOINT_TYPE}
    token = jwt.PyJWS().encode(payload, key.private_key, algorithm="EdDSA", headers=headers)
    return Checkpoint(size, head, at, key.kid, token)


def read_checkpoint(token: str, public_key: ed25519.Ed25519PublicKey) -> Checkpoint:
    """Verify a checkpoint's signature against the hub's public key and return what it states.

    Raises :class:`CheckpointError`: ``checkpoint-key`` when another key signed it, ``checkpoint-signature`` when
    the signature does not hold, ``checkpoint-malformed`` when it is no checkpoint at all.
    """
    expected = public_jwk(public_key)["kid"]
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise CheckpointError("not a compact JWS") from None
    if header.get("typ") != CHECKPOINT_TYPE or header.get("alg") != "EdDSA":
        raise CheckpointError(f"not a checkpoint (typ {header.get('typ')!r}, alg {header.get('alg')!r})")
    if header.get("kid") != expected:
        raise CheckpointError(
            f"signed by key {header.get('kid')!r}, not by the hub key {expected!r}", code="checkpoint-key"
        )
    try:
        decoded = jwt.PyJWS().decode_complete(token, key=public_key, algorithms=["EdDSA"])
    except jwt.InvalidSignatureError:
        raise CheckpointError("the signature does not verify", code="checkpoint-signature") from None
    except jwt.PyJWTError:
        raise CheckpointError("not a readable JWS") from None
    try:
        claims = json.loads(decoded["payload"])
    except ValueError:
        raise CheckpointError("the payload is not JSON") from None
    if not isinstance(claims, dict) or claims.get("log") != LOG_NAME:
        raise CheckpointError(f"the payload is not a {LOG_NAME} checkpoint")
    size, head, at = claims.get("size"), claims.get("head"), claims.get("at")
    if type(size) is not int or size < 1 or not isinstance(head, str) or not _HASH.match(head):
        raise CheckpointError("the payload lacks a valid size or head")
    if not isinstance(at, str):
        raise CheckpointError("the payload lacks its time")
    return Checkpoint(size, head, at, expected, token)


def published_jws(text: str) -> str:
    """The JWS of a published checkpoint file: the bare compact JWS, or the JSON ``audit checkpoint`` prints."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            loaded = json.loads(stripped)
        except ValueError:
            raise CheckpointError("the checkpoint file is neither a compact JWS nor JSON") from None
        token = loaded.get("jws") if isinstance(loaded, dict) else None
        if not isinstance(token, str):
            raise CheckpointError("the checkpoint JSON has no 'jws' member")
        return token.strip()
    return stripped
