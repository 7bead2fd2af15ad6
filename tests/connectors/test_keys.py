# SPDX-License-Identifier: EUPL-1.2
"""Keys: files and permissions, RFC 7638 thumbprints, Ed25519 and P-256, encrypted PEM, and the verify-side ring."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from connectors.keys import (
    KeyExistsError,
    KeyFileError,
    KeyPassphraseError,
    KeyRing,
    TrustedKey,
    UnsupportedKeyError,
    jwk_thumbprint,
    load_jwks,
    load_signing_key,
    passphrase_from_env,
    public_jwk,
    write_keypair,
)
from tests.factories import make_keypair

# RFC 7638 section 3.1: the RSA key of RFC 7517 appendix A.1 and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV"
    "4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
    "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEg"
    "U8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 8037 appendix A.3: the Ed25519 key of appendix A.2 and its thumbprint.
RFC8037_JWK = {"crv": "Ed25519", "kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_thumbprint_matches_the_rfc_7638_example() -> None:
    assert jwk_thumbprint(RFC7638_JWK) == RFC7638_THUMBPRINT


def test_thumbprint_matches_the_rfc_8037_ed25519_example() -> None:
    assert jwk_thumbprint(RFC8037_JWK) == RFC8037_THUMBPRINT


def test_thumbprint_ignores_optional_members_and_their_order() -> None:
    shuffled = {"x": RFC8037_JWK["x"], "use": "sig", "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519"}
    assert jwk_thumbprint(shuffled) == RFC8037_THUMBPRINT


def test_keygen_writes_a_0600_private_key_and_a_jwk_set(tmp_path: Path) -> None:
    pair = make_keypair(tmp_path, "GM0363")
    assert pair.private_pem == tmp_path / "GM0363.key.pem"
    assert stat.S_IMODE(pair.private_pem.stat().st_mode) == 0o600
    jwks = json.loads((tmp_path / "GM0363.jwks.json").read_text())
    (jwk,) = jwks["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA" and jwk["use"] == "sig"
    assert "d" not in jwk
    assert jwk["kid"] == jwk_thumbprint(jwk) == pair.kid
    assert load_signing_key(pair.private_pem).kid == pair.kid


def test_keygen_refuses_to_overwrite_a_private_key(tmp_path: Path) -> None:
    make_keypair(tmp_path)
    with pytest.raises(KeyExistsError):
        make_keypair(tmp_path)


def test_es256_keys_work_and_pyjwt_verifies_with_the_published_jwk(tmp_path: Path) -> None:
    pair = make_keypair(tmp_path, "UWV", alg="ES256")
    key = load_signing_key(pair.private_pem)
    (jwk,) = load_jwks(pair.jwks)["keys"]
    assert key.alg == "ES256" and jwk["kty"] == "EC" and jwk["crv"] == "P-256" and {"x", "y"} <= set(jwk)
    assert jwk["kid"] == jwk_thumbprint(jwk)
    token = jwt.encode({"hello": "world"}, key.private_key, algorithm="ES256", headers={"kid": key.kid})
    # An independent reading of our JWK (pyjwt's PyJWK) verifies what our key signed.
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["ES256"]) == {"hello": "world"}


def test_an_encrypted_key_needs_its_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARTSLAG_TEST_PASS", "correct horse battery staple")
    passphrase = passphrase_from_env("HARTSLAG_TEST_PASS")
    pair = write_keypair("DUO", tmp_path, passphrase=passphrase)
    assert b"ENCRYPTED" in pair.private_pem.read_bytes()
    assert load_signing_key(pair.private_pem, passphrase).kid == pair.kid
    with pytest.raises(KeyPassphraseError):
        load_signing_key(pair.private_pem)
    with pytest.raises(KeyPassphraseError):
        load_signing_key(pair.private_pem, b"wrong")


def test_a_missing_passphrase_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARTSLAG_NOT_SET", raising=False)
    with pytest.raises(KeyPassphraseError, match="HARTSLAG_NOT_SET"):
        passphrase_from_env("HARTSLAG_NOT_SET")
    assert passphrase_from_env(None) is None


def test_a_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(KeyFileError):
        load_signing_key(junk)
    with pytest.raises(KeyFileError):
        load_signing_key(tmp_path / "missing.pem")


def test_other_algorithms_are_refused() -> None:
    with pytest.raises(UnsupportedKeyError):
        write_keypair("GM0363", Path("/nonexistent"), alg="HS256")
    with pytest.raises(UnsupportedKeyError):
        TrustedKey.from_jwk(RFC7638_JWK, "GM0363")


def test_the_key_ring_trusts_a_jwk_set_and_refuses_a_wrong_kid(tmp_path: Path) -> None:
    pair = make_keypair(tmp_path)
    ring = KeyRing()
    (kid,) = ring.add_jwks("GM0363", load_jwks(pair.jwks))
    assert kid == pair.kid and ring(kid) is not None and ring(kid).agency == "GM0363"  # type: ignore[union-attr]
    ring.revoke(kid, datetime(2026, 1, 1, tzinfo=UTC))
    assert ring(kid).revoked_at == datetime(2026, 1, 1, tzinfo=UTC)  # type: ignore[union-attr]
    (jwk,) = load_jwks(pair.jwks)["keys"]
    with pytest.raises(KeyFileError, match="thumbprint"):
        TrustedKey.from_jwk({**jwk, "kid": "something-else"}, "GM0363")
    with pytest.raises(KeyFileError, match="private"):
        TrustedKey.from_jwk({**jwk, "d": "secret"}, "GM0363")


def test_public_jwk_of_private_and_public_halves_agree(tmp_path: Path) -> None:
    key = load_signing_key(make_keypair(tmp_path).private_pem)
    assert public_jwk(key.private_key) == public_jwk(key.private_key.public_key())
