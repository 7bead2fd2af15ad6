# SPDX-License-Identifier: EUPL-1.2
"""The transport contract, run unchanged against three receivers: in memory, real HTTP on loopback, and a real
Kafka-protocol broker (Tansu) with a receiver thread in a consumer group.

Every receiver verifies each batch with ``connectors.envelope.verify_batch``, deduplicates by signal id and jti,
answers replays with the original receipt, and can be told to fail; the sender is the real outbox + delivery loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.delivery import deliver
from connectors.envelope import BatchSigner
from connectors.keys import KeyRing, SigningKey, load_jwks, load_signing_key
from connectors.outbox import Outbox
from connectors.transport import BatchRefused
from tests.factories import make_keypair, make_signals
from tests.receivers import FakeReceiver, HttpReceiver, KafkaReceiver, ReceiverCore, TansuBroker

pytestmark = pytest.mark.integration

AUD = "hartslag-hub"


class World:
    """Keys shared by the module: GM0363 is registered with the receivers, GM0599 is a stranger."""

    def __init__(self, folder: Path) -> None:
        self.ring = KeyRing()
        self.keys: dict[str, SigningKey] = {}
        for code in ("GM0363", "GM0599"):
            pair = make_keypair(folder, code)
            self.keys[code] = load_signing_key(pair.private_pem)
            if code == "GM0363":
                self.ring.add_jwks(code, load_jwks(pair.jwks))

    def signer(self, code: str = "GM0363", audience: str = AUD) -> BatchSigner:
        return BatchSigner(self.keys[code], issuer=code, audience=audience)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module", params=["memory", "http", "kafka"])
def shared_receiver(request: pytest.FixtureRequest, world: World) -> Iterator[Any]:
    core = ReceiverCore(keys=world.ring, audience=AUD)
    if request.param == "memory":
        yield FakeReceiver(core)
    elif request.param == "http":
        http_receiver = HttpReceiver(core)
        yield http_receiver
        http_receiver.stop()
    else:
        broker = TansuBroker()
        try:
            kafka_receiver = KafkaReceiver(core, broker)
            yield kafka_receiver
            kafka_receiver.stop()
        finally:
            broker.stop()


@pytest.fixture
def receiver(shared_receiver: Any, world: World) -> Any:
    shared_receiver.reset(ReceiverCore(keys=world.ring, audience=AUD))
    return shared_receiver


@pytest.fixture
def transport(receiver: Any) -> Iterator[Any]:
    sender = receiver.transport()
    yield sender
    sender.close()


def outbox_for(tmp_path: Path, signer: BatchSigner, **options: Any) -> Outbox:
    return Outbox(tmp_path / "state", signer=signer, backoff_base=0.05, **options)


def test_batches_arrive_exactly_once_with_receipts(receiver: Any, transport: Any, world: World, tmp_path: Path) -> None:
    signals = make_signals(250, seed=1)
    with outbox_for(tmp_path, world.signer(), batch_size=100) as outbox:
        outbox.enqueue(signals)
        seen: list[Any] = []
        report = deliver(outbox, transport, agency="GM0363", on_outcome=seen.append)
        status = outbox.status()
    assert report.settled and report.delivered_batches == 3 and report.delivered_signals == 250
    assert [o.receipt.accepted for o in seen if o.receipt] == [100, 100, 50]
    assert (status.delivered, status.queued, status.in_flight, status.set_aside) == (250, 0, 0, 0)
    assert set(receiver.core.signals) == {s["id"] for s in signals}
    assert receiver.core.signals[signals[0]["id"]] == signals[0]


def test_the_same_bytes_again_get_the_original_receipt(receiver: Any, transport: Any, world: World) -> None:
    signed = world.signer().sign(make_signals(5, seed=2))
    first = transport.send("GM0363", signed.token)
    again = transport.send("GM0363", signed.token)
    assert first.batch_id == signed.jti and first.accepted == 5 and not first.replayed
    assert again == first and again.replayed
    assert again.sha256 == signed.sha256
    assert len(receiver.core.signals) == 5 and receiver.core.counts["replays"] == 1


def test_the_same_signals_under_a_new_jti_are_duplicates(receiver: Any, transport: Any, world: World) -> None:
    signals = make_signals(4, seed=3)
    transport.send("GM0363", world.signer().sign(signals).token)
    resigned = transport.send("GM0363", world.signer().sign(signals).token)
    assert (resigned.accepted, resigned.duplicate) == (0, 4)
    assert len(receiver.core.signals) == 4


def test_the_same_jti_with_other_bytes_is_a_conflict(receiver: Any, transport: Any, world: World) -> None:
    first = world.signer().sign(make_signals(2, seed=4))
    transport.send("GM0363", first.token)
    forged = world.signer().sign(make_signals(2, seed=5), jti=first.jti)
    with pytest.raises(BatchRefused) as refused:
        transport.send("GM0363", forged.token)
    assert refused.value.code == "replay-conflict" and refused.value.status == 409
    assert len(receiver.core.signals) == 2


@pytest.mark.parametrize(
    ("signer_of", "code"),
    [("GM0599", "unknown-key"), ("other-hub", "wrong-audience")],
)
def test_a_refused_envelope_is_set_aside_for_good(
    receiver: Any, transport: Any, world: World, tmp_path: Path, signer_of: str, code: str
) -> None:
    signer = world.signer("GM0599") if signer_of == "GM0599" else world.signer(audience=signer_of)
    with outbox_for(tmp_path, signer) as outbox:
        outbox.enqueue(make_signals(3, seed=6))
        report = deliver(outbox, transport, agency=signer.issuer)
        status = outbox.status()
    assert report.settled and report.sends == 1 and report.set_aside_batches == 1
    assert (status.set_aside, status.reasons) == (3, {code: 3})
    assert receiver.core.signals == {}


def test_a_bad_signal_is_rejected_alone(receiver: Any, transport: Any, world: World, tmp_path: Path) -> None:
    good = make_signals(3, seed=7)
    bad = {**make_signals(1, seed=8)[0], "kind": "not-a-kind"}
    with outbox_for(tmp_path, world.signer()) as outbox:
        outbox.enqueue([*good, bad])
        deliver(outbox, transport, agency="GM0363")
        status = outbox.status()
    assert (status.delivered, status.set_aside, status.reasons) == (3, 1, {"schema-invalid": 1})
    assert set(receiver.core.signals) == {s["id"] for s in good}


@pytest.mark.parametrize("mode", ["503", "429", "drop", "lose-receipt"])
def test_transient_failures_are_retried_until_delivered(
    receiver: Any, transport: Any, world: World, tmp_path: Path, mode: str
) -> None:
    signals = make_signals(120, seed=9)
    receiver.core.fail_next(1, mode)
    with outbox_for(tmp_path, world.signer(), batch_size=60) as outbox:
        outbox.enqueue(signals)
        report = deliver(outbox, transport, agency="GM0363", timeout=60)
        status = outbox.status()
    assert report.settled and report.retries == 1 and report.resends == 1
    assert (status.delivered, status.set_aside) == (120, 0)
    assert set(receiver.core.signals) == {s["id"] for s in signals}
    if mode == "lose-receipt":  # the receiver had stored the batch: the resend got the original receipt
        assert receiver.core.counts["replays"] == 1 and report.replays == 1
