# SPDX-License-Identifier: EUPL-1.2
"""Signed withdrawals over Kafka against a real Kafka-protocol broker (Tansu): the hub's intake removes the signals
and answers on the receipt topic; a tampered or conflicting withdrawal is refused with a receipt naming the code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from connectors.cli import sign_withdrawal
from connectors.kafka_bus import WITHDRAWAL_DLQ_TOPIC, KafkaTransport, make_consumer
from hartslag.cli import app
from hub.kafka_intake import KafkaIntake
from hub.problems import PROBLEMS
from hub.withdrawal import Withdrawals
from tests.hub.world import HUB_ID, HubWorld
from tests.integration.test_hub_kafka import FAST_GROUP, broker  # noqa: F401  (broker: the fixture)
from tests.receivers import TansuBroker

pytestmark = pytest.mark.integration


@pytest.fixture
def intake(world: HubWorld, broker: TansuBroker) -> Iterator[KafkaIntake]:  # noqa: F811
    status_of = {code: status for code, (status, _) in PROBLEMS.items()}
    withdrawals = Withdrawals(world.storage, HUB_ID, world.ingest.key_lookup)
    started = KafkaIntake(
        world.ingest, broker.bootstrap, status_of=status_of, consumer_options=FAST_GROUP, withdrawals=withdrawals
    )
    started.start()
    yield started
    started.stop()


def _stored(world: HubWorld, n: int) -> list[str]:
    signals = world.signals(n, seed=n)
    world.ingest.accept(world.signers["GM0363"].sign(signals).token)
    return [s["id"] for s in signals]


def test_a_withdrawal_over_kafka_removes_the_signals(world: HubWorld, broker: TansuBroker, intake: KafkaIntake) -> None:  # noqa: F811
    ids = _stored(world, 5)
    token = sign_withdrawal(world.signers["GM0363"].key, "GM0363", HUB_ID, ids[:2], reason="sent-in-error")
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        status, receipt = transport.withdraw("GM0363", token)
        assert status == 202 and receipt["withdrawn"] == ids[:2] and receipt["unknown"] == []
        assert receipt["agency"] == "GM0363" and receipt["reason"] == "sent-in-error"
        assert world.storage.count_signals() == 3
        assert sorted(stone[1] for stone in world.storage.tombstones()) == sorted(ids[:2])
        again = transport.withdraw("GM0363", token)  # a resend after a lost receipt: the same receipt
        assert again == (202, receipt)
    finally:
        transport.close()
    assert world.storage.count_signals() == 3


def test_tampered_and_conflicting_withdrawals_are_refused_naming_the_code(
    world: HubWorld,
    broker: TansuBroker,  # noqa: F811
    intake: KafkaIntake,
) -> None:
    ids = _stored(world, 3)
    key = world.signers["GM0363"].key
    token = sign_withdrawal(key, "GM0363", HUB_ID, ids[:1])
    head, payload, signature = token.split(b".")
    tampered = b".".join([head, payload, signature[:-4] + (b"AAAA" if signature[-4:] != b"AAAA" else b"BBBB")])
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        assert transport.withdraw("GM0363", tampered) == (
            401, {"code": "bad-signature", "detail": transport.withdraw("GM0363", tampered)[1]["detail"]}
        )  # fmt: skip
        assert world.storage.count_signals() == 3
        status, _ = transport.withdraw("GM0363", token)
        assert status == 202 and world.storage.count_signals() == 2
        # the same jti with other ids (a replay of the id, not of the bytes): refused, nothing removed
        import base64
        import json

        from jwt import api_jws

        claims = json.loads(base64.urlsafe_b64decode(payload + b"=="))
        claims["signal_ids"] = ids[1:]
        replayed = api_jws.encode(
            json.dumps(claims).encode(), key.private_key, algorithm=key.alg,
            headers={"kid": key.kid, "typ": "hartslag-withdrawal+jwt"},
        ).encode("ascii")  # fmt: skip
        status, problem = transport.withdraw("GM0363", replayed)
        assert (status, problem["code"]) == (409, "withdrawal-conflict")
        assert world.storage.count_signals() == 2
    finally:
        transport.close()
    assert world.storage.stats()["refusals"] == {"withdrawal:bad-signature": 2, "withdrawal:withdrawal-conflict": 1}
    dlq = make_consumer(broker.bootstrap, [WITHDRAWAL_DLQ_TOPIC], group_id=None, consumer_timeout_ms=15000)
    parked = []
    for record in dlq:
        parked.append(record)
        if len(parked) == 3:
            break
    dlq.close()
    assert [r.value for r in parked] == [tampered, tampered, replayed]
    assert [dict(r.headers)["hartslag-refusal-code"] for r in parked] == [
        b"bad-signature", b"bad-signature", b"withdrawal-conflict"
    ]  # fmt: skip


def test_the_connector_cli_withdraws_over_kafka(world: HubWorld, broker: TansuBroker, intake: KafkaIntake) -> None:  # noqa: F811
    ids = _stored(world, 2)
    pem = next(world.key_dir.glob("GM0363*.pem"))
    hub = f"kafka://{broker.bootstrap}"
    args = ["connector", "withdraw", *ids[:1], "--hub", hub, "--agency", "GM0363", "--key", str(pem), "--aud", HUB_ID]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert '"withdrawn": ["' + ids[0] + '"]' in result.stdout
    assert world.storage.count_signals() == 1
    unknown = CliRunner().invoke(app, [*args[:2], ids[0], *args[3:]])
    assert unknown.exit_code == 0 and "already withdrawn: 1" in unknown.stdout
