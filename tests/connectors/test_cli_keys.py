# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector keygen``: files, permissions, algorithms, passphrases and one-line errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.keys import jwk_thumbprint, load_signing_key
from hartslag.cli import app

runner = CliRunner()


def test_keygen_writes_the_pem_and_the_jwk_set(tmp_path: Path) -> None:
    result = runner.invoke(app, ["connector", "keygen", "--agency", "GM0363", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    pem, jwks = tmp_path / "keys" / "GM0363.key.pem", tmp_path / "keys" / "GM0363.jwks.json"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    (jwk,) = json.loads(jwks.read_text())["keys"]
    assert jwk["alg"] == "EdDSA" and jwk["kid"] == jwk_thumbprint(jwk)
    assert jwk["kid"] in result.output
    assert load_signing_key(pem).kid == jwk["kid"]


def test_keygen_es256(tmp_path: Path) -> None:
    result = runner.invoke(app, ["connector", "keygen", "--agency", "UWV", "--out", str(tmp_path), "--alg", "ES256"])
    assert result.exit_code == 0, result.output
    (jwk,) = json.loads((tmp_path / "UWV.jwks.json").read_text())["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")


def test_keygen_encrypts_with_the_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GM_KEY_PASS", "een lange geheime zin")
    result = runner.invoke(
        app, ["connector", "keygen", "--agency", "GM0363", "--out", str(tmp_path), "--passphrase-env", "GM_KEY_PASS"]
    )
    assert result.exit_code == 0, result.output
    pem = tmp_path / "GM0363.key.pem"
    assert b"ENCRYPTED PRIVATE KEY" in pem.read_bytes()
    assert load_signing_key(pem, b"een lange geheime zin").alg == "EdDSA"
    assert "een lange geheime zin" not in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--passphrase-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE"), (["--alg", "HS256"], "HS256")],
)
def test_keygen_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], message: str
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    result = runner.invoke(app, ["connector", "keygen", "--agency", "GM0363", "--out", str(tmp_path), *extra])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_keygen_never_overwrites_a_private_key(tmp_path: Path) -> None:
    args = ["connector", "keygen", "--agency", "GM0363", "--out", str(tmp_path)]
    assert runner.invoke(app, args).exit_code == 0
    before = (tmp_path / "GM0363.key.pem").read_bytes()
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "key-exists" in result.output
    assert (tmp_path / "GM0363.key.pem").read_bytes() == before
