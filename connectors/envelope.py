# SPDX-License-Identifier: EUPL-1.2
"""The signed envelope: a batch document as a compact JWS (RFC 7515), signed by the agency and verified by receivers.

Sign side: :class:`BatchSigner` turns signals into the batch document (``schema_version``, ``iss``, ``aud``, ``iat``,
``exp``, ``jti``, ``signals``) and signs it with pyjwt (header ``alg`` EdDSA or ES256, ``kid``, ``typ``
``hartslag-batch+jwt``). Verify side: :func:`verify_batch`, which the hub reuses, refuses with one typed error per
reason (each with a stable ``code``). The algorithm is checked against a fixed allow-list before any key is looked up,
so ``none`` and every HMAC algorithm (including HS256 keyed with a public key) never reach a key. The token bytes are
hashed exactly as received (SHA-256) for replay detection; nothing is re-serialised. Specification:
``docs/standard/transport.md``.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import pybase64
from jwt import api_jws
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from connectors.keys import KeyLookup, SigningKey, TrustedKey
from governance.errors import InvalidInputError, SchemaError
from governance.standard import CURRENT_VERSION, list_schemas, validate

__all__ = [
    "ALLOWED_ALGORITHMS",
    "CLOCK_SKEW",
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "MAX_SIGNALS",
    "MAX_TOKEN_BYTES",
    "TYP",
    "AlgorithmNotAllowed",
    "BadSignature",
    "BatchSchemaInvalid",
    "BatchSigner",
    "EnvelopeError",
    "Expired",
    "IssuedInFuture",
    "KeyAgencyMismatch",
    "KeyNotYetValid",
    "KeyRevoked",
    "LifetimeTooLong",
    "MalformedJWS",
    "SignedBatch",
    "SignedClaims",
    "UnknownKey",
    "UnsupportedSchemaVersion",
    "VerifiedBatch",
    "WrongAudience",
    "b64url_decode",
    "peek_claims",
    "verify_batch",
    "verify_signed",
]

TYP = "hartslag-batch+jwt"
MAX_LIFETIME = 900  # seconds: exp may be at most 15 minutes after iat
DEFAULT_LIFETIME = 600
CLOCK_SKEW = 60  # seconds of leeway on iat and exp
MAX_SIGNALS = 1000
MAX_TOKEN_BYTES = 24 * 1024 * 1024  # 1000 signals of 4000 non-ASCII characters fit with room to spare

# The allow-list. Verification objects from pyjwt; nothing symmetric is ever constructed.
_VERIFIERS: dict[str, OKPAlgorithm | ECAlgorithm] = {
    "EdDSA": OKPAlgorithm(),
    "ES256": ECAlgorithm(ECAlgorithm.SHA256),
}
ALLOWED_ALGORITHMS = frozenset(_VERIFIERS)


class EnvelopeError(InvalidInputError):
    """A signed batch that will never be accepted as it is (the base of every refusal below)."""

    code = "envelope-invalid"


class MalformedJWS(EnvelopeError):
    """Not a compact JWS with a JSON header and payload, or a header Hartslag does not accept."""

    code = "malformed-jws"


class AlgorithmNotAllowed(EnvelopeError):
    """``alg`` is not EdDSA or ES256 (``none`` and every HS* included), or does not fit the key."""

    code = "algorithm-not-allowed"


class UnknownKey(EnvelopeError):
    """No trusted key has this ``kid``."""

    code = "unknown-key"


class KeyAgencyMismatch(EnvelopeError):
    """The key belongs to another agency than the batch's ``iss``."""

    code = "key-agency-mismatch"


class KeyRevoked(EnvelopeError):
    """The key was revoked (or retired) before now."""

    code = "key-revoked"


class KeyNotYetValid(EnvelopeError):
    """The key's validity starts later."""

    code = "key-not-yet-valid"


class BadSignature(EnvelopeError):
    """The signature does not match the header and payload bytes."""

    code = "bad-signature"


class WrongAudience(EnvelopeError):
    """``aud`` does not name this receiver."""

    code = "wrong-audience"


class Expired(EnvelopeError):
    """``exp`` (plus the clock skew) lies in the past."""

    code = "expired"


class IssuedInFuture(EnvelopeError):
    """``iat`` lies more than the clock skew in the future."""

    code = "issued-in-future"


class LifetimeTooLong(EnvelopeError):
    """``exp`` is more than 15 minutes after ``iat``."""

    code = "lifetime-too-long"


class UnsupportedSchemaVersion(EnvelopeError):
    """The batch declares a ``schema_version`` the receiver does not know."""

    code = "unsupported-schema-version"


class BatchSchemaInvalid(EnvelopeError, SchemaError):
    """The batch document breaks the batch schema (claims, or the ``signals`` list's shape)."""

    code = "batch-schema-invalid"


@dataclass(frozen=True)
class SignedBatch:
    """One signed batch: the compact JWS bytes and the claims the outbox keeps next to them."""

    token: bytes
    jti: str
    iat: int
    exp: int
    count: int

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the token bytes (what the receiver's replay check keys on)."""
        return hashlib.sha256(self.token).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class BatchSigner:
    """Signs batches for one agency (``issuer``) and one receiver (``audience``) with one key."""

    key: SigningKey
    issuer: str
    audience: str
    lifetime: int = DEFAULT_LIFETIME

    def __post_init__(self) -> None:
        if not 0 < self.lifetime <= MAX_LIFETIME:
            raise InvalidInputError(f"the lifetime must be 1..{MAX_LIFETIME} seconds", code="lifetime-invalid")

    def sign(
        self, signals: Sequence[Mapping[str, Any]], *, now: float | None = None, jti: str | None = None
    ) -> SignedBatch:
        """Sign signal documents as one batch."""
        return self.sign_serialized([_dumps(s) for s in signals], now=now, jti=jti)

    def sign_serialized(
        self, bodies: Sequence[str], *, now: float | None = None, jti: str | None = None
    ) -> SignedBatch:
        """Sign signals that are already compact JSON texts (the outbox stores them so; no re-parsing needed)."""
        if not 1 <= len(bodies) <= MAX_SIGNALS:
            raise InvalidInputError(f"a batch holds 1..{MAX_SIGNALS} signals, not {len(bodies)}", code="batch-size")
        iat = int(time.time() if now is None else now)
        exp = iat + self.lifetime
        jti = jti or str(uuid.uuid4())
        head = _dumps(
            {
                "schema_version": CURRENT_VERSION,
                "iss": self.issuer,
                "aud": self.audience,
                "iat": iat,
                "exp": exp,
                "jti": jti,
            }
        )
        # The batch document, built by joining the stored texts: the signals are never parsed or re-serialised.
        payload = (head[:-1] + ',"signals":[' + ",".join(bodies) + "]}").encode("utf-8")
        token = api_jws.encode(
            payload, self.key.private_key, algorithm=self.key.alg, headers={"kid": self.key.kid, "typ": TYP}
        )
        return SignedBatch(token=token.encode("ascii"), jti=jti, iat=iat, exp=exp, count=len(bodies))


@dataclass(frozen=True)
class VerifiedBatch:
    """A batch whose signature, key, claims and batch schema all passed; ``signals`` are still unvalidated."""

    sha256: str
    size: int
    alg: str
    kid: str
    agency: str
    audience: str
    jti: str
    iat: int
    exp: int
    schema_version: str
    signals: list[Any]
    document: dict[str, Any]


def b64url_decode(segment: bytes, what: str = "segment") -> bytes:
    """The bytes of one base64url part of a compact JWS (RFC 7515: the URL-safe alphabet, no padding), or
    :class:`MalformedJWS`.

    Strict: ``+`` and ``/`` (the other alphabet), ``=``, white space and every other byte are refused, and so is a
    length that no encoding has. pybase64 decodes a 500 KB payload some fifteen times faster than ``binascii`` after
    translating the alphabet; it would still take ``+`` and ``/`` next to ``-`` and ``_`` (with a deprecation
    warning) and padding, so those are refused before it sees them.
    """
    if b"+" in segment or b"/" in segment or b"=" in segment:
        raise MalformedJWS(f"the {what} is not base64url")
    try:
        return pybase64.b64decode(segment + b"=" * (-len(segment) % 4), altchars=b"-_", validate=True)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise MalformedJWS(f"the {what} is not base64url") from exc


def _json_object(raw: bytes, what: str, parse: Callable[[bytes], Any] = json.loads) -> dict[str, Any]:
    try:
        value = parse(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedJWS(f"the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedJWS(f"the {what} is not a JSON object")
    return value


def _split(token: bytes) -> tuple[bytes, bytes, bytes]:
    if len(token) > MAX_TOKEN_BYTES:
        raise MalformedJWS(f"the token is larger than {MAX_TOKEN_BYTES} bytes")
    # Found with memchr rather than split: bytes.split tests every byte of the 500 KB payload in a loop of its own.
    first = token.find(b".")
    second = token.find(b".", first + 1) if first > 0 else -1
    # An empty signature is let through here so that "alg": "none" is refused by name, as not allowed.
    if second <= first + 1 or token.find(b".", second + 1) >= 0 or b"=" in token:
        raise MalformedJWS("not a compact JWS (three base64url parts separated by dots)")
    return token[:first], token[first + 1 : second], token[second + 1 :]


def peek_claims(token: bytes | str) -> dict[str, Any]:
    """The payload's claims WITHOUT verifying anything (for routing and correlation only, e.g. the ``jti``)."""
    raw = token.encode("ascii") if isinstance(token, str) else token
    return _json_object(b64url_decode(_split(raw)[1], "payload"), "payload")


def _seconds(now: datetime | float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.timestamp()
    return float(now)


def _check_key(key: TrustedKey, alg: str, at: float) -> None:
    if key.alg != alg:
        raise AlgorithmNotAllowed(f"the key {key.kid} signs with {key.alg}, not {alg}")
    if key.revoked or (key.revoked_at is not None and at >= key.revoked_at.timestamp()):
        raise KeyRevoked(f"the key {key.kid} is revoked")
    if key.not_after is not None and at >= key.not_after.timestamp():
        raise KeyRevoked(f"the key {key.kid} is retired")
    if key.not_before is not None and at < key.not_before.timestamp():
        raise KeyNotYetValid(f"the key {key.kid} is not valid yet")


def _int_claim(claims: Mapping[str, Any], name: str, invalid: Callable[[str], Exception]) -> int:
    value = claims.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(f"/{name}: must be an integer number of seconds")
    return value


@cache
def _batch_versions() -> frozenset[str]:
    return frozenset(info.version for info in list_schemas() if info.name == "batch" and info.kind == "schema")


@dataclass(frozen=True)
class SignedClaims:
    """What :func:`verify_signed` proved: the claims, the key that signed them, and their ``iat`` and ``exp``."""

    claims: dict[str, Any]
    key: TrustedKey
    alg: str
    kid: str
    iat: int
    exp: int


def verify_signed(
    raw: bytes,
    key_lookup: KeyLookup,
    *,
    typ: str,
    audience: str,
    at: float,
    leeway: int,
    what: str,
    invalid: Callable[[str], Exception],
    parse_payload: Callable[[bytes], Any] = json.loads,
) -> SignedClaims:
    """Verify the envelope every signed Hartslag document shares (a batch, a withdrawal), or raise the refusal that
    says why, in this order: shape → ``alg`` allow-list → ``typ``/``crit`` → key lookup and window → signature →
    payload JSON → ``iss`` owns the key → ``aud`` → lifetime → ``iat`` → ``exp``. ``what`` names the document in
    messages; ``invalid`` makes the error for a malformed ``iat``/``exp`` (each kind of document has its own code)."""
    header_b64, payload_b64, signature_b64 = _split(raw)
    header = _json_object(b64url_decode(header_b64, "header"), "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in _VERIFIERS:
        raise AlgorithmNotAllowed(f"alg {alg!r} is not allowed (only EdDSA and ES256)")
    declared = header.get("typ")
    if not isinstance(declared, str) or declared.lower() != typ:
        raise MalformedJWS(f"typ must be {typ}")
    if "crit" in header:
        raise MalformedJWS("no critical header extension is understood")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise MalformedJWS("the header has no kid")
    key = key_lookup(kid)
    if key is None:
        raise UnknownKey(f"no trusted key with kid {kid}")
    _check_key(key, alg, at)
    signature = b64url_decode(signature_b64, "signature")
    # The signing input as a view of the token: cryptography reads any buffer, so the 500 KB are not copied.
    signing_input = memoryview(raw)[: len(header_b64) + 1 + len(payload_b64)]
    if not _VERIFIERS[alg].verify(signing_input, key.public_key, signature):  # type: ignore[arg-type]
        raise BadSignature("the signature does not match")
    claims = _json_object(b64url_decode(payload_b64, "payload"), "payload", parse_payload)
    if claims.get("iss") != key.agency:
        raise KeyAgencyMismatch(f"the key {kid} belongs to {key.agency}, not to the {what}'s issuer")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise WrongAudience(f"the {what} is not addressed to {audience}")
    iat, exp = _int_claim(claims, "iat", invalid), _int_claim(claims, "exp", invalid)
    if exp - iat > MAX_LIFETIME:
        raise LifetimeTooLong(f"exp is {exp - iat} s after iat (at most {MAX_LIFETIME})")
    if exp <= iat:
        raise invalid("/exp: must be after iat")
    if iat > at + leeway:
        raise IssuedInFuture(f"iat is {int(iat - at)} s in the future (at most {leeway})")
    if exp + leeway <= at:
        raise Expired(f"the {what} expired {int(at - exp)} s ago")
    return SignedClaims(claims, key, alg, kid, iat, exp)


def verify_batch(
    token: bytes | str,
    key_lookup: KeyLookup,
    *,
    audience: str,
    now: datetime | float | None = None,
    leeway: int = CLOCK_SKEW,
    check_schema: bool = True,
    batch_validator: Callable[[dict[str, Any]], Sequence[object]] | None = None,
    parse_payload: Callable[[bytes], Any] = json.loads,
    sha256: str | None = None,
    batch_versions: Collection[str] | None = None,
) -> VerifiedBatch:
    """Verify a compact-JWS batch and return its claims and signals, or raise the :class:`EnvelopeError` that says why.

    Order: shape → ``alg`` allow-list → ``typ``/``crit`` → key lookup and window → signature → payload JSON →
    ``iss`` owns the key → ``aud`` → lifetime → ``iat`` → ``exp`` → ``schema_version`` → batch schema. Each signal
    is left for the caller to validate against the version it declares, so one bad signal does not sink the batch.

    ``batch_validator`` replaces :func:`governance.standard.validate` for the batch schema (it returns the list of
    issues, empty when valid): a receiver with a compiled validator (e.g. jsonschema-rs) passes it to go faster.
    ``parse_payload`` replaces :func:`json.loads` for the decoded payload: it must return exactly what ``json.loads``
    returns and raise :class:`ValueError` (or :class:`UnicodeDecodeError`) where it raises (the hub passes a faster
    parser that keeps to that). ``sha256`` is the hex SHA-256 of exactly ``token``'s bytes when the caller hashed
    them already (the hub does, for its replay look-up), so the 500 KB are not hashed twice. ``batch_versions``: the
    batch schema versions to accept (default: those of the standard's files); the hub passes its registry's.
    """
    raw = token.encode("ascii") if isinstance(token, str) else bytes(token)
    signed = verify_signed(
        raw, key_lookup, typ=TYP, audience=audience, at=_seconds(now), leeway=leeway, what="batch",
        invalid=BatchSchemaInvalid, parse_payload=parse_payload,
    )  # fmt: skip
    claims, alg, kid, iat, exp = signed.claims, signed.alg, signed.kid, signed.iat, signed.exp
    issuer = signed.key.agency
    version = claims.get("schema_version")
    if version not in (batch_versions if batch_versions is not None else _batch_versions()):
        raise UnsupportedSchemaVersion(f"batch schema_version {version!r} is not supported")
    jti, signals = claims.get("jti"), claims.get("signals")
    if not isinstance(jti, str) or not isinstance(signals, list):
        raise BatchSchemaInvalid("/jti or /signals: missing or of the wrong type")
    if check_schema:
        issues = batch_validator(claims) if batch_validator is not None else validate(claims, "batch")
        if issues:
            shown = "; ".join(str(issue) for issue in issues[:5])
            raise BatchSchemaInvalid(shown + (f"; and {len(issues) - 5} more" if len(issues) > 5 else ""))
    return VerifiedBatch(
        sha256=sha256 if sha256 is not None else hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        alg=alg,
        kid=kid,
        agency=str(issuer),
        audience=audience,
        jti=jti,
        iat=iat,
        exp=exp,
        schema_version=str(version),
        signals=signals,
        document=claims,
    )
