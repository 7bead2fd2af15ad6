# SPDX-License-Identifier: EUPL-1.2
"""The forged-batch battery: ``POST /v1/batches`` refuses every bad batch with its own documented problem.

One test per refusal. Each asserts the HTTP status, the problem+json media type, the stable ``code`` and its
documented ``type`` URI, that the ``detail`` (indeed the whole response) never echoes signal text, that NOTHING was
stored (signal and batch counts unchanged) and that the refusal was counted by code.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.envelope import TYP
from tests.hub.support import (
    Hub,
    assert_problem,
    b64url,
    batch_document,
    forge,
    hmac_token,
    open_hub,
    public_key_bytes,
    sign_document,
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as running:
        yield running


def _texts_in(token: bytes) -> list[str]:
    """The signal texts inside a token's payload, when it has a readable one (what must never be echoed)."""
    parts = token.split(b".")
    if len(parts) != 3:
        return []
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
    except ValueError:
        return []
    signals = payload.get("signals") if isinstance(payload, dict) else None
    return [s["text"] for s in signals or [] if isinstance(s, dict) and isinstance(s.get("text"), str)]


def refused(
    hub: Hub, token: bytes, status: int, code: str, *, content_type: str | None = "application/jose", **headers: str
) -> dict[str, Any]:
    """Post ``token``; assert the problem, that nothing was stored and that the refusal was counted once."""
    stored, counted = hub.counts(), hub.refusals().get(code, 0)
    response = hub.post(token, content_type, **headers)
    body = assert_problem(response, status, code, secrets=_texts_in(token))
    assert hub.counts() == stored
    assert hub.refusals().get(code, 0) == counted + 1
    return body


def _now() -> int:
    return int(time.time())


# malformed JWS ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape",
    [
        b"",
        b"not-a-jws",
        b"only.two",
        b"a.b.c.d",
        b"\xff\xfe\x00binary.junk.here",
        b"!!!!.eyJ9.c2ln",
    ],
    ids=["empty", "one-part", "two-parts", "four-parts", "binary", "header-not-base64"],
)
def test_a_body_that_is_not_a_compact_jws_is_malformed(hub: Hub, shape: bytes) -> None:
    refused(hub, shape, 400, "malformed-jws")


def test_a_header_that_is_not_a_json_object_is_malformed(hub: Hub) -> None:
    document = batch_document(hub.signals(1), "GM0363")
    refused(hub, forge(b"not json", document, b"sig"), 400, "malformed-jws")
    refused(hub, forge(b"[1, 2]", document, b"sig"), 400, "malformed-jws")


def test_padding_in_a_part_is_malformed(hub: Hub) -> None:
    head, payload, signature = hub.token().split(b".")
    refused(hub, b".".join((head, payload + b"==", signature)), 400, "malformed-jws")


def test_a_part_in_the_other_base64_alphabet_is_malformed_even_when_signed(hub: Hub) -> None:
    # Parts written with "+" and "/" (plain base64) instead of "-" and "_", signed over exactly those bytes: the
    # signature is good, the encoding is not base64url (RFC 7515), so the batch is refused as malformed.
    key = hub.keys["GM0363"]
    assert isinstance(key.private_key, Ed25519PrivateKey)
    signals = hub.signals(2)
    signals[0]["text"] = "Waarom? ~ ÿÿÿ ??? >>> " * 4  # bytes whose plain base64 holds "+" and "/"
    document = json.dumps(batch_document(signals, "GM0363"), ensure_ascii=False).encode("utf-8")
    header = json.dumps({"alg": key.alg, "kid": key.kid, "typ": TYP}).encode()
    parts = [base64.b64encode(part).rstrip(b"=") for part in (header, document)]
    assert b"+" in parts[1] and b"/" in parts[1]
    signing_input = b".".join(parts)
    token = signing_input + b"." + b64url(key.private_key.sign(signing_input)).encode("ascii")
    refused(hub, token, 400, "malformed-jws")
    # The same document in base64url is accepted: only the alphabet was wrong.
    assert hub.post(sign_document(json.loads(document), key)).status_code == 202


def test_wrong_typ_missing_kid_and_crit_headers_are_malformed(hub: Hub) -> None:
    key = hub.keys["GM0363"]
    document = batch_document(hub.signals(1), "GM0363")
    refused(hub, sign_document(document, key, typ="JWT"), 400, "malformed-jws")
    refused(hub, forge({"alg": "EdDSA", "typ": TYP}, document, b"x" * 64), 400, "malformed-jws")
    refused(hub, sign_document(document, key, crit=["exp"], exp=1), 400, "malformed-jws")


def test_a_validly_signed_payload_that_is_not_a_json_object_is_malformed(hub: Hub) -> None:
    key = hub.keys["GM0363"]
    refused(hub, sign_document(b"this is no json", key), 400, "malformed-jws")
    refused(hub, sign_document(b'["GM0363"]', key), 400, "malformed-jws")


# algorithms ------------------------------------------------------------------------------------------------------
def test_alg_none_is_not_allowed(hub: Hub) -> None:
    key = hub.keys["GM0363"]
    token = forge({"alg": "none", "kid": key.kid, "typ": TYP}, batch_document(hub.signals(1), "GM0363"))
    assert token.endswith(b".")  # an unsecured JWS: the signature part is empty
    refused(hub, token, 400, "algorithm-not-allowed")


@pytest.mark.parametrize("form", ["pem", "raw"])
def test_hs256_keyed_with_the_agencys_public_key_is_not_allowed(hub: Hub, form: str) -> None:
    key = hub.keys["GM0363"]
    token = hmac_token(batch_document(hub.signals(1), "GM0363"), key, public_key_bytes(key, form))
    refused(hub, token, 400, "algorithm-not-allowed")


@pytest.mark.parametrize("alg", ["RS256", "ES384", "PS256", "HS512"])
def test_other_asymmetric_and_symmetric_algorithms_are_not_allowed(hub: Hub, alg: str) -> None:
    key = hub.keys["GM0363"]
    token = forge({"alg": alg, "kid": key.kid, "typ": TYP}, batch_document(hub.signals(1), "GM0363"), b"s" * 256)
    refused(hub, token, 400, "algorithm-not-allowed")


def test_an_allowed_algorithm_that_is_not_the_keys_own_is_not_allowed(hub: Hub) -> None:
    key = hub.keys["GM0363"]  # an Ed25519 key, so it never verifies ES256
    token = forge({"alg": "ES256", "kid": key.kid, "typ": TYP}, batch_document(hub.signals(1), "GM0363"), b"s" * 64)
    refused(hub, token, 400, "algorithm-not-allowed")


# keys ------------------------------------------------------------------------------------------------------------
def test_an_unknown_kid_is_refused(hub: Hub) -> None:
    key = hub.keys["GM0363"]
    document = batch_document(hub.signals(1), "GM0363")
    refused(hub, sign_document(document, key, kid="no-such-key-" + uuid.uuid4().hex), 401, "unknown-key")


def test_an_unregistered_agency_signing_with_its_own_key_is_refused_as_unknown_key(hub: Hub) -> None:
    stranger, _ = hub.new_key("GM0599")  # GM0599 never registered, nor its key
    token = hub.signer("GM0599", key=stranger).sign(hub.signals(2, "GM0599")).token
    refused(hub, token, 401, "unknown-key")


def test_the_kid_of_another_agency_than_iss_is_refused(hub: Hub) -> None:
    hub.register("UWV")
    token = hub.signer("GM0363", key=hub.keys["UWV"]).sign(hub.signals(2)).token
    refused(hub, token, 403, "key-agency-mismatch")


def test_a_revoked_key_is_refused_from_the_moment_of_revocation(hub: Hub) -> None:
    assert hub.post(hub.token(2)).status_code == 202
    hub.services.registry.revoke_key("GM0363", hub.keys["GM0363"].kid, "test")
    refused(hub, hub.token(2), 401, "key-revoked")


def test_a_batch_signed_before_revocation_but_delivered_after_is_refused(hub: Hub) -> None:
    signed_earlier = hub.token(3)
    hub.services.registry.revoke_key("GM0363", hub.keys["GM0363"].kid, "test")
    refused(hub, signed_earlier, 401, "key-revoked")


def test_a_key_that_is_not_valid_yet_is_refused(hub: Hub) -> None:
    hub.add_key("GM0363", not_before=datetime.now(UTC) + timedelta(hours=1))
    refused(hub, hub.token(2), 401, "key-not-yet-valid")


# signature -------------------------------------------------------------------------------------------------------
def test_a_tampered_payload_byte_breaks_the_signature(hub: Hub) -> None:
    head, payload, signature = hub.token(2).split(b".")
    middle = len(payload) // 2
    swapped = b"B" if payload[middle : middle + 1] != b"B" else b"C"
    tampered = payload[:middle] + swapped + payload[middle + 1 :]
    refused(hub, b".".join((head, tampered, signature)), 401, "bad-signature")


def test_a_tampered_header_breaks_the_signature(hub: Hub) -> None:
    head, payload, signature = hub.token(2).split(b".")
    header = json.loads(base64.urlsafe_b64decode(head + b"=" * (-len(head) % 4)))
    retyped = b64url(json.dumps({**header, "x-added": 1}).encode()).encode()
    refused(hub, b".".join((retyped, payload, signature)), 401, "bad-signature")


def test_a_signature_by_another_key_under_a_registered_kid_is_refused(hub: Hub) -> None:
    stranger, _ = hub.new_key("GM0363")
    document = batch_document(hub.signals(1), "GM0363")
    refused(hub, sign_document(document, stranger, kid=hub.keys["GM0363"].kid), 401, "bad-signature")


# claims ----------------------------------------------------------------------------------------------------------
def test_a_batch_for_another_hub_is_refused(hub: Hub) -> None:
    token = hub.signer("GM0363", audience="other-hub").sign(hub.signals(2)).token
    refused(hub, token, 403, "wrong-audience")


def test_an_expired_batch_is_refused(hub: Hub) -> None:
    refused(hub, hub.token(2, now=time.time() - 2000), 401, "expired")


def test_a_batch_issued_more_than_60_seconds_ahead_is_refused(hub: Hub) -> None:
    refused(hub, hub.token(2, now=time.time() + 180), 401, "issued-in-future")


def test_a_batch_issued_within_60_seconds_ahead_is_accepted(hub: Hub) -> None:
    response = hub.post(hub.token(2, now=time.time() + 30))
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 2
    assert hub.counts() == (2, 1)


def test_a_lifetime_above_15_minutes_is_refused(hub: Hub) -> None:
    document = batch_document(hub.signals(2), "GM0363", iat=_now(), ttl=15 * 60 + 1)
    refused(hub, sign_document(document, hub.keys["GM0363"]), 400, "lifetime-too-long")


# the agency ------------------------------------------------------------------------------------------------------
def test_a_suspended_agency_is_refused(hub: Hub) -> None:
    hub.services.registry.suspend("GM0363", "test")
    refused(hub, hub.token(2), 403, "agency-suspended")


def test_an_issuer_whose_registration_is_gone_is_an_unknown_agency(hub: Hub) -> None:
    token = hub.token(2)
    # An operator removed the agency's row by hand (its key row stays): the issuer is no registered agency any more.
    with sqlite3.connect(hub.settings.data / "hartslag.db") as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DELETE FROM agencies WHERE code = ?", ("GM0363",))
    refused(hub, token, 403, "unknown-agency")


# the batch document ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["2.0.0", "1.0", None])
def test_an_unsupported_batch_schema_version_is_refused(hub: Hub, version: str | None) -> None:
    document = batch_document(hub.signals(2), "GM0363", schema_version=version)
    if version is None:
        del document["schema_version"]
    refused(hub, sign_document(document, hub.keys["GM0363"]), 422, "unsupported-schema-version")


def _without(document: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != name}


@pytest.mark.parametrize(
    "breakage",
    ["extra-top-level-field", "missing-jti", "jti-not-a-uuid", "no-signals", "signal-without-id", "iat-as-text"],
)
def test_a_batch_that_breaks_the_batch_schema_is_refused(hub: Hub, breakage: str) -> None:
    signals = hub.signals(2)
    document = batch_document(signals, "GM0363")
    broken = {
        "extra-top-level-field": {**document, "comment": "niet in het schema"},
        "missing-jti": _without(document, "jti"),
        "jti-not-a-uuid": {**document, "jti": "batch-1"},
        "no-signals": {**document, "signals": []},
        "signal-without-id": {**document, "signals": [_without(signals[0], "id"), signals[1]]},
        "iat-as-text": {**document, "iat": str(document["iat"])},
    }[breakage]
    body = refused(hub, sign_document(broken, hub.keys["GM0363"]), 422, "batch-schema-invalid")
    assert body["detail"].startswith("/")  # a JSON pointer, never a value


# size, media type and rate -------------------------------------------------------------------------------------
def test_a_body_above_the_limit_is_refused(tmp_path: Path) -> None:
    with open_hub(tmp_path, max_body_bytes=1024) as small:
        token = small.token(10)
        assert len(token) > 1024
        refused(small, token, 413, "body-too-large")


def test_a_streamed_body_above_the_limit_is_refused_without_a_content_length(tmp_path: Path) -> None:
    with open_hub(tmp_path, max_body_bytes=1024) as small:
        token = small.token(10)
        stored, counted = small.counts(), small.refusals().get("body-too-large", 0)
        chunks = iter([token[i : i + 256] for i in range(0, len(token), 256)])
        response = small.client.post("/v1/batches", content=chunks, headers={"Content-Type": "application/jose"})
        assert_problem(response, 413, "body-too-large", secrets=_texts_in(token))
        assert small.counts() == stored
        assert small.refusals().get("body-too-large", 0) == counted + 1


def test_too_many_signals_are_refused(tmp_path: Path) -> None:
    with open_hub(tmp_path, max_signals=3) as capped:
        assert capped.post(capped.token(3)).status_code == 202
        refused(capped, capped.token(4), 422, "too-many-signals")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/jwt", None])
def test_a_wrong_content_type_is_refused(hub: Hub, content_type: str | None) -> None:
    refused(hub, hub.token(2), 415, "unsupported-media-type", content_type=content_type)


def test_sending_faster_than_the_rate_limit_is_refused_with_retry_after(tmp_path: Path) -> None:
    with open_hub(tmp_path, rate_per_second=0.01, rate_burst=2) as limited:
        assert [limited.post(limited.token(1)).status_code for _ in range(2)] == [202, 202]
        stored, counted = limited.counts(), limited.refusals().get("rate-limited", 0)
        token = limited.token(1)
        response = limited.post(token)
        assert_problem(response, 429, "rate-limited", secrets=_texts_in(token))
        assert 1 <= int(response.headers["Retry-After"]) <= 100  # one token at 0.01/s: at most 100 s away
        assert limited.counts() == stored
        assert limited.refusals()["rate-limited"] == counted + 1
        assert limited.post(limited.token(1)).status_code == 429
        limited.register("UWV")  # buckets are per agency
        assert limited.post(limited.token(1, "UWV")).status_code == 202


# replays ---------------------------------------------------------------------------------------------------------
def test_the_same_batch_again_returns_the_original_receipt_and_stores_nothing(hub: Hub) -> None:
    token = hub.token(4)
    first = hub.post(token)
    assert first.status_code == 202
    stored, refusals = hub.counts(), hub.refusals()
    again = hub.post(token)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert hub.counts() == stored == (4, 1)
    assert hub.refusals() == refusals


def test_the_same_jti_with_other_bytes_is_a_replay_conflict(hub: Hub) -> None:
    jti = str(uuid.uuid4())
    assert hub.post(hub.token(3, jti=jti)).status_code == 202
    refused(hub, hub.token(3, jti=jti), 409, "replay-conflict")
    assert hub.counts() == (3, 1)
