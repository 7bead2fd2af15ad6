# SPDX-License-Identifier: EUPL-1.2
"""An agency's signing keys: generate, store, load, and describe them as JWK sets with RFC 7638 key ids.

Only asymmetric keys exist here: Ed25519 (JWS ``EdDSA``, the default) and P-256 (``ES256``). The private key is a
PKCS#8 PEM file with mode 0600, optionally encrypted with a passphrase; the public half is a JWK set that the agency
hands to the hub. The key id (``kid``) is the RFC 7638 thumbprint of the public JWK, so anyone can recompute it.
The verify side (:class:`TrustedKey`, :class:`KeyRing`) lives here too, because the hub reuses it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from governance.errors import InvalidInputError

__all__ = [
    "ALGORITHMS",
    "KeyExistsError",
    "KeyFileError",
    "KeyLookup",
    "KeyPair",
    "KeyPassphraseError",
    "KeyRing",
    "PrivateKey",
    "PublicKey",
    "SigningKey",
    "TrustedKey",
    "UnsupportedKeyError",
    "algorithm_of",
    "generate_private_key",
    "jwk_thumbprint",
    "load_jwks",
    "load_signing_key",
    "passphrase_from_env",
    "public_jwk",
    "public_key_from_jwk",
    "write_keypair",
]

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

#: The JWS algorithms Hartslag allows, with what they mean. Nothing symmetric, nothing else.
ALGORITHMS: dict[str, str] = {"EdDSA": "Ed25519", "ES256": "ECDSA P-256 with SHA-256"}

# RFC 7638 section 3.2: the required members of each key type, which alone enter the thumbprint.
_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}


class KeyFileError(InvalidInputError):
    """A key file that cannot be read as a Hartslag key (missing, not PEM/JSON, wrong shape)."""

    code = "key-invalid"


class KeyPassphraseError(InvalidInputError):
    """The private key is encrypted and the passphrase is missing or wrong."""

    code = "key-passphrase"


class KeyExistsError(InvalidInputError):
    """Refusing to overwrite an existing private key (it may be the only copy)."""

    code = "key-exists"


class UnsupportedKeyError(InvalidInputError):
    """A key type or curve that Hartslag does not sign or verify with."""

    code = "key-unsupported"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK, base64url without padding (Hartslag's ``kid``)."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None:
        raise UnsupportedKeyError(f"no thumbprint rule for key type {jwk.get('kty')!r}")
    missing = [m for m in members if not isinstance(jwk.get(m), str)]
    if missing:
        raise KeyFileError("the JWK lacks required member(s) " + ", ".join(missing))
    # Members in lexicographic order, no whitespace: exactly the RFC's canonical form.
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def algorithm_of(key: PrivateKey | PublicKey) -> str:
    """The JWS ``alg`` a key signs with: ``EdDSA`` for Ed25519, ``ES256`` for P-256."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "ES256"
        raise UnsupportedKeyError(f"elliptic curve {key.curve.name} is not allowed (only P-256)")
    raise UnsupportedKeyError(f"key type {type(key).__name__} is not allowed (only Ed25519 and P-256)")


def generate_private_key(alg: str = "EdDSA") -> PrivateKey:
    """A fresh private key for ``alg`` (``EdDSA`` or ``ES256``)."""
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise UnsupportedKeyError(f"algorithm {alg!r} is not allowed (choose EdDSA or ES256)")


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, str]:
    """The public JWK of a key, with ``kid`` (RFC 7638 thumbprint), ``alg`` and ``use: sig``."""
    public = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) else key
    alg = algorithm_of(public)
    jwk: dict[str, str]
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    else:
        numbers = public.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }
    return {**jwk, "kid": jwk_thumbprint(jwk), "alg": alg, "use": "sig"}


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The public key a JWK describes; only Ed25519 (OKP) and P-256 (EC) are accepted, never private members."""
    if "d" in jwk:
        raise KeyFileError("the JWK holds a private key; hand over the public key only")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(_b64url_decode(str(jwk["x"])))
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x = int.from_bytes(_b64url_decode(str(jwk["x"])), "big")
            y = int.from_bytes(_b64url_decode(str(jwk["y"])), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError) as exc:
        raise KeyFileError("the JWK's key material is not a valid public key") from exc
    raise UnsupportedKeyError(f"JWK type {jwk.get('kty')!r}/{jwk.get('crv')!r} is not allowed (Ed25519 or P-256)")


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key, ready to sign: its JWS algorithm and key id travel in every header."""

    private_key: PrivateKey
    alg: str
    kid: str

    @classmethod
    def from_private_key(cls, key: PrivateKey) -> SigningKey:
        """Wrap a private key, deriving ``alg`` and ``kid`` from its public half."""
        jwk = public_jwk(key)
        return cls(private_key=key, alg=jwk["alg"], kid=jwk["kid"])

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWK set of this key."""
        return {"keys": [public_jwk(self.private_key)]}


@dataclass(frozen=True)
class KeyPair:
    """Where :func:`write_keypair` put the two files, and the new key's id."""

    private_pem: Path
    jwks: Path
    kid: str
    alg: str


def passphrase_from_env(variable: str | None) -> bytes | None:
    """The passphrase held by environment variable ``variable`` (None when no variable is named)."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise KeyPassphraseError(f"environment variable {variable} is not set or empty")
    return value.encode("utf-8")


def _write_private(path: Path, data: bytes, *, overwrite: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise KeyExistsError(f"{path} exists; refusing to overwrite a private key") from exc
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # also when the file existed with wider permissions
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_keypair(
    agency: str,
    out_dir: Path,
    *,
    alg: str = "EdDSA",
    passphrase: bytes | None = None,
    overwrite: bool = False,
) -> KeyPair:
    """Generate a key pair and write ``OUT/AGENCY.key.pem`` (mode 0600) and ``OUT/AGENCY.jwks.json``."""
    if not agency or "/" in agency or agency.startswith("."):
        raise InvalidInputError("the agency code is empty or not usable as a file name", code="agency-invalid")
    key = generate_private_key(alg)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    out_dir.mkdir(parents=True, exist_ok=True)
    pem_path, jwks_path = out_dir / f"{agency}.key.pem", out_dir / f"{agency}.jwks.json"
    _write_private(pem_path, pem, overwrite=overwrite)
    signing = SigningKey.from_private_key(key)
    jwks_path.write_text(json.dumps(signing.jwks(), indent=2) + "\n", encoding="utf-8")
    return KeyPair(private_pem=pem_path, jwks=jwks_path, kid=signing.kid, alg=signing.alg)


def load_signing_key(path: Path, passphrase: bytes | None = None) -> SigningKey:
    """Load a PEM private key (encrypted or not) as a :class:`SigningKey`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the private key file {path}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        why = "the key is not encrypted; leave out the passphrase" if passphrase else "the key is encrypted"
        raise KeyPassphraseError(f"{path}: {why}") from exc
    except ValueError as exc:
        if b"ENCRYPTED" in data:
            raise KeyPassphraseError(f"{path}: the passphrase does not open this key") from exc
        raise KeyFileError(f"{path} is not a PEM private key") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise UnsupportedKeyError(f"{path}: key type {type(key).__name__} is not allowed (Ed25519 or P-256)")
    return SigningKey.from_private_key(key)


@dataclass(frozen=True)
class TrustedKey:
    """A public key the receiver trusts for one agency, with its validity window (the verify side)."""

    kid: str
    agency: str
    alg: str
    public_key: PublicKey
    not_before: datetime | None = None
    not_after: datetime | None = None
    revoked_at: datetime | None = None
    revoked: bool = False  # revoked with no known moment: refused whatever the time

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any], agency: str, **window: Any) -> TrustedKey:
        """Trust a public JWK for ``agency``; its ``kid`` must be its RFC 7638 thumbprint when present."""
        public = public_key_from_jwk(jwk)
        kid = jwk_thumbprint(jwk)
        if "kid" in jwk and jwk["kid"] != kid:
            raise KeyFileError("the JWK's kid is not its RFC 7638 thumbprint")
        alg = algorithm_of(public)
        if "alg" in jwk and jwk["alg"] != alg:
            raise UnsupportedKeyError(f"the JWK says alg {jwk['alg']!r} but the key signs with {alg}")
        return cls(kid=kid, agency=agency, alg=alg, public_key=public, **window)


@dataclass
class KeyRing:
    """An in-memory key lookup (``kid -> TrustedKey``), usable as ``verify_batch``'s ``key_lookup``."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)

    def add(self, key: TrustedKey) -> None:
        """Trust ``key`` (replacing an earlier entry with the same kid)."""
        self.keys[key.kid] = key

    def add_jwks(self, agency: str, jwks: Mapping[str, Any], **window: Any) -> list[str]:
        """Trust every key of a JWK set for ``agency``; returns their kids."""
        added = [TrustedKey.from_jwk(jwk, agency, **window) for jwk in _jwk_list(jwks)]
        for key in added:
            self.add(key)
        return [key.kid for key in added]

    def revoke(self, kid: str, at: datetime | None = None) -> None:
        """Revoke a key from ``at`` on (always, when ``at`` is None)."""
        old = self.keys[kid]
        self.keys[kid] = TrustedKey(
            old.kid, old.agency, old.alg, old.public_key, old.not_before, old.not_after, at, revoked=at is None
        )

    def __call__(self, kid: str) -> TrustedKey | None:
        return self.keys.get(kid)


KeyLookup: TypeAlias = Callable[[str], TrustedKey | None]


def _jwk_list(jwks: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, Mapping) for k in keys):
        raise KeyFileError("a JWK set must be an object with a 'keys' list")
    return keys


def load_jwks(path: Path) -> dict[str, Any]:
    """Read a JWK set file (``{"keys": [...]}``) and check its shape."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read {path} as a JSON JWK set") from exc
    if not isinstance(doc, dict):
        raise KeyFileError(f"{path} is not a JWK set object")
    _jwk_list(doc)
    return doc
