# SPDX-License-Identifier: EUPL-1.2
"""Refused withdrawals: the batch codes for the same faults, the withdrawal's own codes, and an agency's limits
(its own signals only; other agencies' ids are unknown, indistinguishable from ids nobody sent)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from connectors.cli import WITHDRAWAL_TYP, sign_withdrawal
from tests.hub.support import HUB_ID, Hub, Response, assert_problem, forge, open_hub, sign_document


def _post(hub: Hub, token: bytes, content_type: str = "application/jose") -> Response:
    return hub.client.post("/v1/withdrawals", content=token, headers={"Content-Type": content_type})


def _claims(code: str, ids: list[str], **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": code, "aud": HUB_ID, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4()), "signal_ids": ids}
    return {**claims, **changes}


def test_refusals_use_the_batch_codes_and_never_echo_a_text(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        signals = hub.signals(3, "GM0363")
        assert hub.post(hub.signers["GM0363"].sign(signals).token).status_code == 202
        ids = [s["id"] for s in signals]
        secrets = [s["text"] for s in signals]
        key, stranger = hub.keys["GM0363"], hub.new_key("GM0363")[0]
        typ = {"typ": WITHDRAWAL_TYP}
        cases: list[tuple[bytes, int, str]] = [
            (sign_document(_claims("GM0363", ids, exp=int(time.time()) - 600, iat=int(time.time()) - 900), key, **typ),
             401, "expired"),
            (sign_document(_claims("GM0363", ids), stranger, **typ), 401, "unknown-key"),
            (sign_document(_claims("GM0363", ids), hub.keys["UWV"], **typ), 403, "key-agency-mismatch"),
            (sign_document(_claims("GM0363", ids, aud="elders"), key, **typ), 403, "wrong-audience"),
            (sign_document(_claims("GM0363", ids), key), 400, "malformed-jws"),  # a batch's typ
            (forge({"alg": "none", "kid": key.kid, "typ": WITHDRAWAL_TYP}, _claims("GM0363", ids)), 400,
             "algorithm-not-allowed"),
            (sign_document(_claims("GM0363", ids, exp=int(time.time()) + 3600), key, **typ), 400, "lifetime-too-long"),
            (sign_document(_claims("GM0363", []), key, **typ), 422, "withdrawal-invalid"),
            (sign_document(_claims("GM0363", ["niet-een-uuid"]), key, **typ), 422, "withdrawal-invalid"),
            (sign_document(_claims("GM0363", ids + ids[:1]), key, **typ), 422, "withdrawal-invalid"),
            (sign_document(_claims("GM0363", ids, reason="Mevrouw Jansen belde"), key, **typ), 422,
             "withdrawal-invalid"),
            (sign_document(_claims("GM0363", ids, extra=1), key, **typ), 422, "withdrawal-invalid"),
        ]  # fmt: skip
        good = sign_withdrawal(key, "GM0363", HUB_ID, ids)
        header, payload, signature = good.split(b".")
        cases.append((header + b"." + payload[:-4] + b"AAAA." + signature, 401, "bad-signature"))
        for token, status, code in cases:
            assert_problem(_post(hub, token), status, code, secrets=secrets)
        assert_problem(_post(hub, good, "application/json"), 415, "unsupported-media-type")
        assert hub.counts()[0] == 3  # nothing was withdrawn by any refused token
        assert hub.refusals()["withdrawal:expired"] == 1


def test_an_agency_withdraws_only_its_own_signals(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        mine, theirs = hub.signals(2, "GM0363"), hub.signals(2, "UWV")
        assert hub.post(hub.signers["GM0363"].sign(mine).token).status_code == 202
        assert hub.post(hub.signers["UWV"].sign(theirs).token).status_code == 202
        ids = [theirs[0]["id"], mine[0]["id"], str(uuid.uuid4())]
        response = _post(hub, sign_withdrawal(hub.keys["GM0363"], "GM0363", HUB_ID, ids))
        assert response.status_code == 202, response.text
        receipt = response.json()
        assert receipt["withdrawn"] == [mine[0]["id"]]
        assert receipt["unknown"] == [theirs[0]["id"], ids[2]]  # another agency's id looks like no id at all
        assert hub.counts()[0] == 3
        assert {s.id for _, s in hub.storage.signals_of("UWV", [theirs[0]["id"]])} == {theirs[0]["id"]}
        assert hub.storage.tombstoned_ids("UWV", [theirs[0]["id"]]) == set()


def test_a_withdrawn_signal_sent_again_is_not_stored_again(tmp_path: Path) -> None:
    # A connector's outbox may retry an old batch after the agency withdrew one of its signals.
    with open_hub(tmp_path, agencies=("GM0363",)) as hub:
        signals = hub.signals(3, "GM0363")
        assert hub.post(hub.signers["GM0363"].sign(signals).token).status_code == 202
        gone = signals[0]["id"]
        assert _post(hub, sign_withdrawal(hub.keys["GM0363"], "GM0363", HUB_ID, [gone])).status_code == 202
        again = hub.post(hub.signers["GM0363"].sign([signals[0], *hub.signals(1, "GM0363")]).token)
        assert again.status_code == 202, again.text
        assert gone not in again.json()["accepted_ids"] and gone in again.json()["duplicate_ids"]
        assert hub.counts()[0] == 3  # two left of the first batch, one new
        assert hub.storage.signals_of("GM0363", [gone]) == []
