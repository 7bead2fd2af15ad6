# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector withdraw``: signs with the agency's key file, sends to the hub, reports the receipt."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from connectors.cli import app
from tests.factories import make_agency, make_keypair
from tests.hub.support import HUB_ID, open_hub


def test_withdraw_signs_sends_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_hub(tmp_path, agencies=()) as hub:
        pair = make_keypair(tmp_path / "keys", "GM0363")
        jwks = json.loads(pair.jwks.read_text(encoding="utf-8"))
        hub.services.registry.add_agency("GM0363", "Amsterdam", make_agency("GM0363").kind, jwks, "test")
        from connectors.keys import load_signing_key

        hub._use("GM0363", load_signing_key(pair.private_pem))
        signals = hub.signals(2, "GM0363")
        assert hub.post(hub.signers["GM0363"].sign(signals).token).status_code == 202
        sent: list[str] = []

        def post(url: str, *, content: bytes, headers: dict[str, str], timeout: float) -> Any:
            sent.append(url)
            return hub.client.post("/v1/withdrawals", content=content, headers=headers)

        monkeypatch.setattr(httpx, "post", post)
        base = ["withdraw", "--hub", "http://hub.test", "--agency", "GM0363", "--key", str(pair.private_pem)]
        base += ["--aud", HUB_ID]
        result = CliRunner().invoke(app, [*base, signals[0]["id"], "--json", "--reason", "sent-in-error"])
        assert result.exit_code == 0, result.output
        receipt = json.loads(result.stdout.splitlines()[0])
        assert receipt["withdrawn"] == [signals[0]["id"]] and sent == ["http://hub.test/v1/withdrawals"]
        assert hub.counts()[0] == 1
        unknown = CliRunner().invoke(app, [*base, str(uuid.uuid4())])
        assert unknown.exit_code == 1 and "unknown: 1" in unknown.output
        bad = CliRunner().invoke(app, [*base, "geen-id"])
        assert bad.exit_code == 2
        refused = CliRunner().invoke(app, [*base[:-2], "--aud", "elders", signals[1]["id"]])
        assert refused.exit_code == 1 and "wrong-audience" in refused.output
        assert signals[1]["text"] not in refused.output
