# SPDX-License-Identifier: EUPL-1.2
"""The delivery loop: during an outage it waits out the backoff instead of failing every queued batch in turn."""

from __future__ import annotations

from pathlib import Path

from connectors.delivery import deliver
from connectors.envelope import BatchSigner
from connectors.keys import load_signing_key
from connectors.outbox import Outbox
from connectors.receipts import Receipt
from connectors.transport import TransportUnavailableError
from tests.factories import make_keypair, make_signals


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class DownHub:
    """Refuses connections for the first ``down`` seconds, then receives."""

    def __init__(self, clock: Clock, down: float) -> None:
        self.clock, self.until, self.attempts = clock, clock.now + down, 0

    def send(self, agency: str, token: bytes) -> Receipt:
        from datetime import UTC, datetime

        from connectors.envelope import peek_claims

        self.attempts += 1
        if self.clock.now < self.until:
            raise TransportUnavailableError("connection refused")
        claims = peek_claims(token)
        return Receipt(claims["jti"], datetime.now(UTC), accepted=len(claims["signals"]))

    def close(self) -> None:
        pass


def test_an_outage_is_waited_out_not_hammered(tmp_path: Path) -> None:
    clock = Clock()
    signer = BatchSigner(load_signing_key(make_keypair(tmp_path / "k").private_pem), "GM0363", "hartslag-hub")
    hub = DownHub(clock, down=20.0)
    with Outbox(tmp_path / "s", signer=signer, batch_size=10, clock=clock, rng=lambda: 1.0) as outbox:
        outbox.enqueue(make_signals(100))
        report = deliver(outbox, hub, agency="GM0363", sleep=clock.sleep, monotonic=clock, timeout=600)
    assert report.settled and report.delivered_signals == 100
    # Ten batches were queued: attempts during the 20 s outage follow one backoff sequence (0.5, 1, 2, 4, 8, ...),
    # not ten failures per round.
    failures = hub.attempts - 10
    assert 1 <= failures <= 7, failures
