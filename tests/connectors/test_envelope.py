# SPDX-License-Identifier: EUPL-1.2
"""The signed envelope: a good batch verifies; each refusal code is raised for its own reason, and only for it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt import api_jws

from connectors.envelope import (
    MAX_LIFETIME,
    TYP,
    BatchSigner,
    EnvelopeError,
    MalformedJWS,
    _split,
    b64url_decode,
    peek_claims,
    verify_batch,
)
from connectors.keys import KeyRing, SigningKey, TrustedKey, load_jwks, load_signing_key
from governance.errors import InvalidInputError
from tests.factories import make_keypair, make_signals

AUD = "hartslag-hub"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Agencies:
    """Two agencies with registered keys, and one stranger whose key nobody registered."""

    def __init__(self, tmp_path: Path) -> None:
        self.ring = KeyRing()
        self.keys: dict[str, SigningKey] = {}
        for code, alg in (("GM0363", "EdDSA"), ("UWV", "ES256"), ("GM0599", "EdDSA")):
            pair = make_keypair(tmp_path, code, alg=alg)
            self.keys[code] = load_signing_key(pair.private_pem)
            if code != "GM0599":
                self.ring.add_jwks(code, load_jwks(pair.jwks))
        self.lookups: list[str] = []

    def lookup(self, kid: str) -> TrustedKey | None:
        self.lookups.append(kid)
        return self.ring(kid)

    def signer(self, code: str = "GM0363", *, key_of: str | None = None, audience: str = AUD) -> BatchSigner:
        return BatchSigner(self.keys[key_of or code], issuer=code, audience=audience)


@pytest.fixture
def agencies(tmp_path: Path) -> Agencies:
    return Agencies(tmp_path)


def sign_document(doc: dict[str, Any], key: SigningKey, **header: Any) -> bytes:
    """Sign any payload with a real key (to build tokens the BatchSigner would refuse to make)."""
    payload = json.dumps(doc, separators=(",", ":")).encode()
    headers = {"kid": key.kid, "typ": TYP, **header}
    return api_jws.encode(payload, key.private_key, algorithm=key.alg, headers=headers).encode()


def document(**claims: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"schema_version": "1.0.0", "iss": "GM0363", "aud": AUD, "iat": now, "exp": now + 300}
    return {**base, "jti": "5f0c3a71-2b9e-4d6a-8c14-9e7b3d2a1f60", "signals": make_signals(2), **claims}


def refused(code: str, call: Callable[[], object]) -> EnvelopeError:
    with pytest.raises(EnvelopeError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert isinstance(caught.value, InvalidInputError)
    return caught.value


@pytest.mark.parametrize("code", ["GM0363", "UWV"])
def test_a_signed_batch_verifies_with_eddsa_and_es256(agencies: Agencies, code: str) -> None:
    signals = make_signals(3)
    signed = agencies.signer(code).sign(signals)
    verified = verify_batch(signed.token, agencies.lookup, audience=AUD)
    assert verified.signals == signals
    assert (verified.agency, verified.jti, verified.iat, verified.exp) == (code, signed.jti, signed.iat, signed.exp)
    assert verified.alg == agencies.keys[code].alg and verified.kid == agencies.keys[code].kid
    assert verified.sha256 == hashlib.sha256(signed.token).hexdigest() == signed.sha256
    header = json.loads(base64.urlsafe_b64decode(signed.token.split(b".")[0] + b"=="))
    assert header == {"alg": agencies.keys[code].alg, "kid": agencies.keys[code].kid, "typ": TYP}
    assert verify_batch(signed.token.decode(), agencies.lookup, audience=AUD).jti == signed.jti  # str works too


def test_every_batch_gets_a_fresh_jti_and_a_short_life(agencies: Agencies) -> None:
    signer = agencies.signer()
    first, second = signer.sign(make_signals(1)), signer.sign(make_signals(1))
    assert first.jti != second.jti
    assert 0 < first.exp - first.iat <= MAX_LIFETIME
    assert peek_claims(first.token)["jti"] == first.jti


def test_the_signer_refuses_an_empty_or_oversized_batch_and_a_long_lifetime(agencies: Agencies) -> None:
    with pytest.raises(InvalidInputError):
        agencies.signer().sign([])
    with pytest.raises(InvalidInputError):
        agencies.signer().sign_serialized(["{}"] * 1001)
    with pytest.raises(InvalidInputError):
        BatchSigner(agencies.keys["GM0363"], issuer="GM0363", audience=AUD, lifetime=MAX_LIFETIME + 1)


@pytest.mark.parametrize(
    "token",
    [b"only.two", b"a.b.c.d", b"", b"!!!.e30.", b"e30.e30.sig==", b"bm90IGpzb24.e30.c2ln"],
    ids=["two-parts", "four-parts", "empty", "not-base64", "padding", "header-not-json"],
)
def test_malformed_tokens(agencies: Agencies, token: bytes) -> None:
    refused("malformed-jws", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    assert agencies.lookups == []


def _standard_b64(data: bytes) -> str:
    """base64 in the OTHER alphabet (``+`` and ``/``), without padding: not base64url."""
    return base64.b64encode(data).rstrip(b"=").decode("ascii")


def _signed_in_the_standard_alphabet(key: SigningKey, payload: bytes) -> bytes:
    """A token whose signature is good over parts written with ``+`` and ``/`` (what a sloppy signer might send)."""
    head = json.dumps({"alg": key.alg, "kid": key.kid, "typ": TYP}, separators=(",", ":")).encode()
    signing_input = f"{_standard_b64(head)}.{_standard_b64(payload)}".encode("ascii")
    assert isinstance(key.private_key, Ed25519PrivateKey)
    return signing_input + b"." + b64(key.private_key.sign(signing_input)).encode("ascii")


def test_a_part_with_plus_or_slash_is_malformed_even_when_the_signature_is_good(agencies: Agencies) -> None:
    key = agencies.keys["GM0363"]
    doc = document(signals=make_signals(3, seed=4))
    # Characters whose base64 holds "+" and "/" ("?" is 0x3F, "~" 0x7E, "ÿ" 0xC3 0xBF in UTF-8).
    doc["signals"][0]["text"] = "Waarom? ~ ÿÿÿ ??? >>> " * 4
    payload = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    token = _signed_in_the_standard_alphabet(key, payload)
    middle = token.split(b".")[1]
    assert b"+" in middle and b"/" in middle
    refused("malformed-jws", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    refused("malformed-jws", lambda: peek_claims(token))
    # The same payload in base64url verifies: only the alphabet was wrong.
    assert verify_batch(sign_document(doc, key), agencies.lookup, audience=AUD).signals == doc["signals"]


@pytest.mark.parametrize(
    "segment",
    [b"ab+d", b"ab/d", b"abc=", b"ab==", b"a", b"abcde", b"ab d", b"ab\nd", b"ab.d", b"ab\x00d", b"\xc3\xbfab"],
    ids=["plus", "slash", "pad", "pad-2", "len-1", "len-5", "space", "newline", "dot", "nul", "utf8"],
)
def test_b64url_decode_refuses_everything_outside_base64url(segment: bytes) -> None:
    with pytest.raises(MalformedJWS):
        b64url_decode(segment, "payload")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_b64url_decode_reads_what_base64url_writes(data: bytes) -> None:
    assert b64url_decode(b64(data).encode("ascii")) == data


_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")


def _reference_decode(segment: bytes) -> bytes | None:
    """The verdict as binascii gives it, with the alphabet checked first."""
    if not _BASE64URL.fullmatch(segment):
        return None
    try:
        return binascii.a2b_base64(
            segment.translate(bytes.maketrans(b"-_", b"+/")) + b"=" * (-len(segment) % 4), strict_mode=True
        )
    except binascii.Error:
        return None


@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet="AQgw09_-+/= \n.z", max_size=40).map(str.encode))
def test_b64url_decode_gives_the_verdicts_of_binascii_on_any_bytes(segment: bytes) -> None:
    try:
        decoded: bytes | None = b64url_decode(segment)
    except MalformedJWS:
        decoded = None
    assert decoded == _reference_decode(segment)


def test_the_parts_are_split_as_bytes_split_would() -> None:
    # The token is split with find (memchr) instead of bytes.split: same parts, same refusals, on every short token.
    def by_split(token: bytes) -> tuple[bytes, ...] | None:
        parts = token.split(b".")
        return None if len(parts) != 3 or not parts[0] or not parts[1] or b"=" in token else tuple(parts)

    for length in range(8):
        for combination in itertools.product(b"a.=", repeat=length):
            token = bytes(combination)
            try:
                found: tuple[bytes, ...] | None = _split(token)
            except MalformedJWS:
                found = None
            assert found == by_split(token), token


@pytest.mark.parametrize(
    "header", [{"typ": "JWT"}, {"crit": ["b64"], "b64": False}, {"kid": ""}], ids=["typ", "crit", "no-kid"]
)
def test_headers_hartslag_does_not_accept(agencies: Agencies, header: dict[str, Any]) -> None:
    token = sign_document(document(), agencies.keys["GM0363"], **header)
    refused("malformed-jws", lambda: verify_batch(token, agencies.lookup, audience=AUD))


def test_alg_none_is_refused_before_any_key_use(agencies: Agencies) -> None:
    header = {"alg": "none", "kid": agencies.keys["GM0363"].kid, "typ": TYP}
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(document()).encode())}.".encode()
    refused("algorithm-not-allowed", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    assert agencies.lookups == []


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512", "RS256", "PS256", "ES384", "EdDSA ", ""])
def test_hs256_with_the_public_key_as_secret_and_other_algorithms_are_refused(agencies: Agencies, alg: str) -> None:
    key = agencies.keys["GM0363"]
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64(json.dumps({'alg': alg, 'kid': key.kid, 'typ': TYP}).encode())}.{b64(json.dumps(document()).encode())}"
    )
    # The classic confusion attack: an HMAC keyed with the (public) verification key.
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64(mac)}".encode()
    refused("algorithm-not-allowed", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    assert agencies.lookups == []  # refused before the key was even looked up


def test_a_key_nobody_registered_is_unknown(agencies: Agencies) -> None:
    token = agencies.signer("GM0599").sign(make_signals(1)).token
    refused("unknown-key", lambda: verify_batch(token, agencies.lookup, audience=AUD))


def test_the_kid_of_another_agency_is_a_mismatch(agencies: Agencies) -> None:
    # Signed by UWV's registered key, but claiming to come from GM0363.
    token = agencies.signer("GM0363", key_of="UWV").sign(make_signals(1)).token
    refused("key-agency-mismatch", lambda: verify_batch(token, agencies.lookup, audience=AUD))


def test_a_revoked_key_is_refused(agencies: Agencies) -> None:
    token = agencies.signer().sign(make_signals(1)).token
    agencies.ring.revoke(agencies.keys["GM0363"].kid, datetime.now(UTC) - timedelta(minutes=1))
    refused("key-revoked", lambda: verify_batch(token, agencies.lookup, audience=AUD))


def test_a_key_before_its_validity_is_refused(agencies: Agencies, tmp_path: Path) -> None:
    pair = make_keypair(tmp_path / "later", "GM0363")
    ring = KeyRing()
    ring.add_jwks("GM0363", load_jwks(pair.jwks), not_before=datetime.now(UTC) + timedelta(days=1))
    token = BatchSigner(load_signing_key(pair.private_pem), issuer="GM0363", audience=AUD).sign(make_signals(1)).token
    refused("key-not-yet-valid", lambda: verify_batch(token, ring, audience=AUD))


def test_a_tampered_payload_breaks_the_signature(agencies: Agencies) -> None:
    signed = agencies.signer().sign(make_signals(2))
    head, payload, signature = signed.token.split(b".")
    doc = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    doc["signals"][0]["text"] = "Een andere tekst."
    forged = b".".join([head, b64(json.dumps(doc, separators=(",", ":")).encode()).encode(), signature])
    refused("bad-signature", lambda: verify_batch(forged, agencies.lookup, audience=AUD))
    flipped = signature[:-2] + (b"AA" if signature[-2:] != b"AA" else b"BB")
    refused("bad-signature", lambda: verify_batch(b".".join([head, payload, flipped]), agencies.lookup, audience=AUD))


def test_a_batch_for_another_hub_is_refused(agencies: Agencies) -> None:
    token = agencies.signer(audience="other-hub").sign(make_signals(1)).token
    refused("wrong-audience", lambda: verify_batch(token, agencies.lookup, audience=AUD))


def test_an_expired_batch_is_refused_but_the_skew_is_tolerated(agencies: Agencies) -> None:
    signed = agencies.signer().sign(make_signals(1), now=time.time() - 1000)  # exp = now - 400
    refused("expired", lambda: verify_batch(signed.token, agencies.lookup, audience=AUD))
    assert verify_batch(signed.token, agencies.lookup, audience=AUD, now=signed.exp + 59).jti == signed.jti
    refused("expired", lambda: verify_batch(signed.token, agencies.lookup, audience=AUD, now=signed.exp + 60))


def test_a_batch_issued_in_the_future_beyond_the_skew_is_refused(agencies: Agencies) -> None:
    now = time.time()
    later = agencies.signer().sign(make_signals(1), now=now + 120)
    refused("issued-in-future", lambda: verify_batch(later.token, agencies.lookup, audience=AUD, now=now))
    slightly = agencies.signer().sign(make_signals(1), now=now + 30)
    assert verify_batch(slightly.token, agencies.lookup, audience=AUD, now=now).iat == slightly.iat


def test_a_lifetime_over_fifteen_minutes_is_refused(agencies: Agencies) -> None:
    now = int(time.time())
    token = sign_document(document(iat=now, exp=now + MAX_LIFETIME + 1), agencies.keys["GM0363"])
    refused("lifetime-too-long", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    exactly = sign_document(document(iat=now, exp=now + MAX_LIFETIME), agencies.keys["GM0363"])
    assert verify_batch(exactly, agencies.lookup, audience=AUD).exp == now + MAX_LIFETIME


def test_an_unknown_batch_schema_version_is_refused(agencies: Agencies) -> None:
    token = sign_document(document(schema_version="9.0.0"), agencies.keys["GM0363"])
    refused("unsupported-schema-version", lambda: verify_batch(token, agencies.lookup, audience=AUD))


@pytest.mark.parametrize(
    "claims",
    [{"signals": [{"schema_version": "1.0.0"}]}, {"signals": []}, {"jti": "not-a-uuid"}, {"iat": "now"}],
    ids=["signal-without-id", "no-signals", "jti", "iat-type"],
)
def test_a_batch_breaking_the_batch_schema_is_refused(agencies: Agencies, claims: dict[str, Any]) -> None:
    token = sign_document(document(**claims), agencies.keys["GM0363"])
    error = refused("batch-schema-invalid", lambda: verify_batch(token, agencies.lookup, audience=AUD))
    assert "Een" not in error.message  # names fields, never values


def test_one_bad_signal_does_not_sink_the_batch(agencies: Agencies) -> None:
    bad = {**make_signals(1)[0], "kind": "not-a-kind"}
    token = agencies.signer().sign([bad, *make_signals(2, seed=3)]).token
    assert len(verify_batch(token, agencies.lookup, audience=AUD).signals) == 3


def test_a_receiver_may_bring_its_own_batch_validator(agencies: Agencies) -> None:
    token = agencies.signer().sign(make_signals(2)).token
    seen: list[dict[str, Any]] = []

    def strict(doc: dict[str, Any]) -> list[str]:
        seen.append(doc)
        return ["/signals: refused by the receiver's validator"]

    refused("batch-schema-invalid", lambda: verify_batch(token, agencies.lookup, audience=AUD, batch_validator=strict))
    assert seen and seen[0]["iss"] == "GM0363"
    assert verify_batch(token, agencies.lookup, audience=AUD, batch_validator=lambda doc: []).agency == "GM0363"


def test_a_receiver_may_bring_its_own_payload_parser_and_the_hash_it_computed(agencies: Agencies) -> None:
    signed = agencies.signer().sign(make_signals(2))
    parsed: list[bytes] = []

    def parse(raw: bytes) -> Any:
        parsed.append(raw)
        return json.loads(raw)

    verified = verify_batch(signed.token, agencies.lookup, audience=AUD, parse_payload=parse, sha256=signed.sha256)
    assert verified.signals == make_signals(2) and verified.sha256 == signed.sha256
    assert len(parsed) == 1 and json.loads(parsed[0])["jti"] == signed.jti  # the payload only, not the header

    def refuse(raw: bytes) -> Any:
        raise ValueError("not for this parser")

    refused("malformed-jws", lambda: verify_batch(signed.token, agencies.lookup, audience=AUD, parse_payload=refuse))
