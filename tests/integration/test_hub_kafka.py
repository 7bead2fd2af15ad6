# SPDX-License-Identifier: EUPL-1.2
"""The hub's Kafka intake against a real Kafka-protocol broker (Tansu): receipts, dead letters, commit after storing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from connectors.kafka_bus import DLQ_TOPIC, KafkaTransport, make_consumer
from connectors.transport import BatchRefused
from hub.kafka_intake import KafkaIntake
from tests.hub.world import HubWorld
from tests.receivers import TansuBroker

pytestmark = pytest.mark.integration

FAST_GROUP = {"max_poll_interval_ms": 3000, "session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


@pytest.fixture
def broker() -> Iterator[TansuBroker]:
    started = TansuBroker()
    yield started
    started.stop()


def _intake(world: HubWorld, broker: TansuBroker) -> KafkaIntake:
    intake = KafkaIntake(world.ingest, broker.bootstrap, status_of={"bad-signature": 401}, consumer_options=FAST_GROUP)
    intake.start()
    return intake


def test_batches_over_kafka_get_receipts_and_are_stored_once(world: HubWorld, broker: TansuBroker) -> None:
    intake = _intake(world, broker)
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        signals = world.signals(40)
        batch = world.signers["GM0363"].sign(signals)
        receipt = transport.send("GM0363", batch.token)
        assert (receipt.batch_id, receipt.accepted) == (batch.jti, 40)
        again = transport.send("GM0363", batch.token)  # a resend after a lost receipt
        assert again.accepted == 40 and again.batch_id == batch.jti
        assert world.storage.count_signals() == 40
    finally:
        transport.close()
        intake.stop()


def test_refused_batch_goes_to_the_dead_letter_topic_with_its_reason(world: HubWorld, broker: TansuBroker) -> None:
    intake = _intake(world, broker)
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        token = world.signers["GM0363"].sign(world.signals(3)).token
        head, payload, signature = token.split(b".")
        forged = b".".join([head, payload, signature[:-4] + (b"AAAA" if signature[-4:] != b"AAAA" else b"BBBB")])
        with pytest.raises(BatchRefused) as caught:
            transport.send("GM0363", forged)
        assert caught.value.code == "bad-signature"
        assert world.storage.count_signals() == 0
        dlq = make_consumer(broker.bootstrap, [DLQ_TOPIC], group_id=None, consumer_timeout_ms=15000)
        records = []
        for record in dlq:
            records.append(record)
            break
        dlq.close()
        assert records and records[0].value == forged
        headers = dict(records[0].headers)
        assert headers["hartslag-refusal-code"] == b"bad-signature"
    finally:
        transport.close()
        intake.stop()


def test_a_restarted_intake_does_not_store_twice(world: HubWorld, broker: TansuBroker) -> None:
    first = _intake(world, broker)
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        transport.send("GM0363", world.signers["GM0363"].sign(world.signals(10)).token)
        first.stop()
        # A new intake in the same group after the first stopped: committed records are not read again,
        # and records read again (had the commit been lost) replay to the original receipt.
        second = _intake(world, broker)
        receipt = transport.send("GM0363", world.signers["GM0363"].sign(world.signals(10, seed=11)).token)
        assert receipt.accepted == 10
        assert world.storage.count_signals() == 20
        assert world.storage.stats()["batches"] == 2
        second.stop()
    finally:
        transport.close()


class Crash(BaseException):
    """Stands for the process dying in the middle of a polled run of records."""


def test_a_crash_after_the_first_of_several_polled_records_loses_none(world: HubWorld, broker: TansuBroker) -> None:
    from connectors.kafka_bus import BATCH_TOPIC, RECEIPT_TOPIC, ensure_topics, make_producer

    ensure_topics(broker.bootstrap, (BATCH_TOPIC, RECEIPT_TOPIC, DLQ_TOPIC))
    producer = make_producer(broker.bootstrap)
    for seed in (21, 22, 23):
        token = world.signers["GM0363"].sign(world.signals(5, seed=seed)).token
        producer.send(BATCH_TOPIC, key=b"GM0363", value=token).get(timeout=10)
    producer.close()

    class CrashingIntake(KafkaIntake):
        handled = 0

        def handle(self, producer: object, key: bytes | None, value: bytes) -> None:
            if self.handled == 1:
                raise Crash
            self.handled += 1
            super().handle(producer, key, value)

    crashing = CrashingIntake(world.ingest, broker.bootstrap, consumer_options=FAST_GROUP)
    with pytest.raises(Crash):
        crashing.run()
    assert world.storage.count_signals() == 5  # one batch handled before the crash
    successor = _intake(world, broker)
    try:
        deadline = time.monotonic() + 40
        while world.storage.count_signals() < 15 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        successor.stop()
    assert world.storage.count_signals() == 15 and world.storage.stats()["batches"] == 3


def test_a_rate_limited_batch_is_paced_not_dead_lettered(world: HubWorld, broker: TansuBroker) -> None:
    from hub.ingest import Ingest
    from hub.ratelimit import RateLimiter

    paced = Ingest(world.storage, world.ingest.hub_id, limiter=RateLimiter(rate=1.0, burst=1))
    intake = KafkaIntake(paced, broker.bootstrap, consumer_options=FAST_GROUP)
    intake.start()
    transport = KafkaTransport(f"kafka://{broker.bootstrap}", receipt_timeout=30)
    try:
        for seed in (31, 32, 33):
            receipt = transport.send("GM0363", world.signers["GM0363"].sign(world.signals(4, seed=seed)).token)
            assert receipt.accepted == 4
    finally:
        transport.close()
        intake.stop()
    assert world.storage.count_signals() == 12
    dlq = make_consumer(broker.bootstrap, [DLQ_TOPIC], group_id=None, consumer_timeout_ms=3000)
    assert list(dlq) == []
    dlq.close()
