# SPDX-License-Identifier: EUPL-1.2
"""The hub's own signing key: an Ed25519 key in ``DATA/hub-key.pem`` (mode 0600), made on first use.

The hub signs its audit-log checkpoints with it; its public JWK is what the hub publishes so that outsiders can check
those checkpoints later. Governance is the lowest layer and may not import ``connectors.keys``, so the few lines of
JWK handling that this needs (RFC 7638 thumbprint, Ed25519 public JWK) live here, on ``cryptography`` directly.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.errors import InvalidInputError

__all__ = [
    "HUB_KEY_FILE",
    "HubKey",
    "HubKeyError",
    "hub_key_path",
    "jwk_thumbprint",
    "load_hub_key",
    "load_or_create_hub_key",
    "load_public_jwk",
    "public_jwk",
    "public_key_from_jwk",
]

HUB_KEY_FILE = "hub-key.pem"


class HubKeyError(InvalidInputError):
    """The hub key file or a public JWK that cannot be used (unreadable, not Ed25519, malformed)."""

    code = "hub-key-invalid"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of an Ed25519 public JWK (base64url, no padding): the key id."""
    if jwk.get("kty") != "OKP" or not isinstance(jwk.get("crv"), str) or not isinstance(jwk.get("x"), str):
        raise HubKeyError("the JWK is not an OKP public key with 'crv' and 'x'")
    canonical = json.dumps({"crv": jwk["crv"], "kty": "OKP", "x": jwk["x"]}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_jwk(key: ed25519.Ed25519PublicKey) -> dict[str, str]:
    """The public JWK of an Ed25519 key with ``kid`` (its thumbprint), ``alg`` EdDSA and ``use`` sig."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    return {**jwk, "kid": jwk_thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def public_key_from_jwk(jwk: Mapping[str, Any]) -> ed25519.Ed25519PublicKey:
    """The Ed25519 public key of a JWK, or of a JWK set holding exactly one key; never a private JWK."""
    keys = jwk.get("keys")
    if keys is not None:
        if not isinstance(keys, list) or len(keys) != 1 or not isinstance(keys[0], Mapping):
            raise HubKeyError("a JWK set of the hub must hold exactly one key")
        jwk = keys[0]
    if "d" in jwk:
        raise HubKeyError("the JWK holds a private key; the public key is enough")
    if (jwk.get("kty"), jwk.get("crv")) != ("OKP", "Ed25519") or not isinstance(jwk.get("x"), str):
        raise HubKeyError("the hub key is an Ed25519 (OKP) JWK with an 'x' member")
    text = str(jwk["x"])
    try:
        return ed25519.Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise HubKeyError("the JWK's 'x' is not an Ed25519 public key") from None


def load_public_jwk(path: Path) -> dict[str, Any]:
    """A public JWK (or a one-key JWK set) read from ``path``, checked to be an Ed25519 key."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HubKeyError(f"{path}: not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(loaded, dict):
        raise HubKeyError(f"{path}: expected a JWK or a JWK set (a JSON object)")
    public_key_from_jwk(loaded)
    return loaded


@dataclass(frozen=True)
class HubKey:
    """The hub's private signing key with its key id (RFC 7638 thumbprint of the public half)."""

    private_key: ed25519.Ed25519PrivateKey
    kid: str

    @classmethod
    def of(cls, key: ed25519.Ed25519PrivateKey) -> HubKey:
        """Wrap a private key, deriving its key id."""
        return cls(key, public_jwk(key.public_key())["kid"])

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        """The public half, which verifies the hub's signatures."""
        return self.private_key.public_key()

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWK set to publish (``{"keys": [...]}``)."""
        return {"keys": [public_jwk(self.public_key)]}


def hub_key_path(data: Path) -> Path:
    """Where a data folder keeps the hub key."""
    return data / HUB_KEY_FILE


def load_hub_key(path: Path) -> HubKey | None:
    """The hub key stored at ``path``, or None when there is none yet."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HubKeyError(f"cannot read the hub key {path} ({type(exc).__name__})") from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (TypeError, ValueError):
        raise HubKeyError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise HubKeyError(f"{path} is not an Ed25519 key")
    return HubKey.of(key)


def load_or_create_hub_key(path: Path) -> HubKey:
    """The hub key at ``path``, generated (mode 0600) when missing.

    Two processes may start at once: each writes its fresh key to a private temporary file and hard-links it into
    place, which fails when the other came first; the loser then loads the winner's key. So the file is never seen
    half written and there is only ever one hub key.
    """
    existing = load_hub_key(path)
    if existing is not None:
        return existing
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    loaded = load_hub_key(path)
    if loaded is None:  # removed between the link and the read: nothing sensible to sign with
        raise HubKeyError(f"the hub key {path} disappeared while it was made")
    return loaded
