# SPDX-License-Identifier: EUPL-1.2
"""The outbox: idempotent enqueue, batching, delivered only on a receipt, crash resends, backoff, set-aside."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from connectors.delivery import deliver
from connectors.envelope import BatchSigner, peek_claims
from connectors.keys import load_signing_key
from connectors.outbox import RESIGN_MARGIN, Outbox, OutboxBusyError
from connectors.receipts import Receipt, Rejection
from connectors.transport import BatchRefused, ReceiverBusyError, TransportUnavailableError
from tests.factories import make_keypair, make_signals


class Clock:
    """A fake wall clock that ``sleep`` advances: backoffs are checked without waiting."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def signer(tmp_path: Path) -> BatchSigner:
    key = load_signing_key(make_keypair(tmp_path / "keys").private_pem)
    return BatchSigner(key, issuer="GM0363", audience="hartslag-hub")


@pytest.fixture
def outbox(tmp_path: Path, signer: BatchSigner, clock: Clock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "state", signer=signer, clock=clock, rng=lambda: 1.0) as box:
        yield box


def receipt_for(jti: str, accepted: int, rejected: tuple[Rejection, ...] = ()) -> Receipt:
    return Receipt(batch_id=jti, received_at=datetime.now(UTC), accepted=accepted, rejected=rejected)


def ids_in(token: bytes) -> list[str]:
    return [s["id"] for s in peek_claims(token)["signals"]]


def test_enqueue_is_idempotent_by_signal_id(outbox: Outbox) -> None:
    signals = make_signals(10)
    first = outbox.enqueue(signals)
    again = outbox.enqueue([*signals[:5], {**signals[0], "text": "Een gewijzigde tekst."}])
    assert (first.added, first.known) == (10, 0)
    assert (again.added, again.known) == (0, 6)
    assert outbox.status().queued == 10


def test_a_delivered_signal_is_not_queued_again(outbox: Outbox) -> None:
    signals = make_signals(3)
    outbox.enqueue(signals)
    outbox.seal(force=True)
    batch = outbox.claim()
    assert batch is not None
    outbox.mark_delivered(batch.id, receipt_for(batch.jti, 3))
    assert outbox.enqueue(signals).added == 0
    status = outbox.status()
    assert (status.queued, status.delivered, status.settled) == (0, 3, True)


def test_signals_without_an_id_are_refused(outbox: Outbox) -> None:
    with pytest.raises(Exception, match="id"):
        outbox.enqueue([{"text": "geen id"}])


def test_full_batches_are_sealed_at_once_and_a_partial_one_after_max_age(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue(make_signals(1200))
    assert outbox.seal() == 2  # two full batches of 500; 200 wait for more or for age
    assert outbox.status().batches == {"queued": 2} and outbox.pending() == 200
    clock.now += outbox.max_age
    assert outbox.seal() == 1
    assert outbox.pending() == 0


def test_batches_also_respect_the_byte_limit(tmp_path: Path, signer: BatchSigner, clock: Clock) -> None:
    with Outbox(tmp_path / "small", signer=signer, clock=clock, max_batch_bytes=5_000) as box:
        box.enqueue(make_signals(40))
        made = box.seal(force=True)
        assert made > 1
        tokens = []
        while (batch := box.claim()) is not None:
            tokens.append(batch.token)
            box.mark_delivered(batch.id, receipt_for(batch.jti, batch.n_signals))
        assert len(tokens) == made
        assert sum(len(ids_in(t)) for t in tokens) == 40


def test_a_batch_is_delivered_only_after_a_receipt(outbox: Outbox) -> None:
    outbox.enqueue(make_signals(5))
    outbox.seal(force=True)
    batch = outbox.claim()
    assert batch is not None and batch.attempts == 1 and not batch.is_resend
    status = outbox.status()
    assert (status.queued, status.in_flight, status.delivered) == (0, 5, 0)
    outbox.mark_delivered(batch.id, receipt_for(batch.jti, 5))
    assert outbox.status().delivered == 5


def test_a_crash_in_flight_resends_the_same_bytes(tmp_path: Path, signer: BatchSigner, clock: Clock) -> None:
    state = tmp_path / "state"
    with Outbox(state, signer=signer, clock=clock) as box:
        box.enqueue(make_signals(5))
        box.seal(force=True)
        sent = box.claim()
        assert sent is not None
    # The process died between send and mark: a new outbox on the same folder resends the same token.
    clock.now += 30
    with Outbox(state, signer=signer, clock=clock) as box:
        assert box.status().in_flight == 5
        again = box.claim()
        assert again is not None
        assert (again.id, again.jti, again.token) == (sent.id, sent.jti, sent.token)
        assert again.is_resend and again.attempts == 2
        box.mark_delivered(again.id, receipt_for(again.jti, 0))
        status = box.status()
        assert (status.delivered, status.resends) == (5, 1)


def test_an_expired_token_is_resigned_with_a_new_jti(tmp_path: Path, signer: BatchSigner, clock: Clock) -> None:
    state = tmp_path / "state"
    with Outbox(state, signer=signer, clock=clock) as box:
        box.enqueue(make_signals(5))
        box.seal(force=True)
        sent = box.claim()
        assert sent is not None
    clock.now += signer.lifetime - RESIGN_MARGIN + 1  # too little validity left to send it again
    with Outbox(state, signer=signer, clock=clock) as box:
        again = box.claim()
        assert again is not None and again.id == sent.id
        assert again.jti != sent.jti and again.token != sent.token and again.resigned
        assert ids_in(again.token) == ids_in(sent.token)
        assert peek_claims(again.token)["iat"] == int(clock.now)


def test_backoff_honours_retry_after(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue(make_signals(2))
    outbox.seal(force=True)
    batch = outbox.claim()
    assert batch is not None
    delay = outbox.mark_retry(batch.id, ReceiverBusyError("busy", retry_after=30))
    assert delay >= 30
    assert outbox.claim() is None  # not due before Retry-After
    assert outbox.next_due_in() == pytest.approx(delay)
    clock.now += delay
    retried = outbox.claim()
    assert retried is not None and retried.jti == batch.jti and retried.token == batch.token


def test_backoff_grows_exponentially_with_jitter_and_is_capped(tmp_path: Path, signer: BatchSigner) -> None:
    for draw in (0.0, 1.0):
        with Outbox(
            tmp_path / f"b{draw}", signer=signer, rng=partial(float, draw), backoff_base=1, backoff_cap=60
        ) as box:
            delays = [box.backoff(n) for n in range(1, 10)]
            ceilings = [min(60, 2 ** (n - 1)) for n in range(1, 10)]
            assert delays == [c * (0.5 + 0.5 * draw) for c in ceilings]
    with Outbox(tmp_path / "b", signer=signer, rng=lambda: 0.0, backoff_base=1) as box:
        assert box.backoff(1, retry_after=7) == 7


def test_a_permanent_refusal_sets_the_batch_aside_without_retrying(outbox: Outbox, clock: Clock) -> None:
    class Refusing:
        calls = 0

        def send(self, agency: str, token: bytes) -> Receipt:
            Refusing.calls += 1
            raise BatchRefused("unknown-key", "no such key", 401)

        def close(self) -> None:
            pass

    outbox.enqueue(make_signals(7))
    report = deliver(outbox, Refusing(), agency="GM0363", sleep=clock.sleep)
    status = outbox.status()
    assert report.settled and report.set_aside_batches == 1 and Refusing.calls == 1
    assert (status.set_aside, status.delivered, status.reasons) == (7, 0, {"unknown-key": 7})
    assert outbox.requeue_set_aside() == 1
    requeued = outbox.claim()
    assert requeued is not None and requeued.resigned  # a fresh token for a second chance


def test_rejected_signals_are_set_aside_with_their_reason(outbox: Outbox) -> None:
    signals = make_signals(4)
    outbox.enqueue(signals)
    outbox.seal(force=True)
    batch = outbox.claim()
    assert batch is not None
    rejected = (Rejection(signals[1]["id"], "schema-invalid", "/kind: is not one of the allowed values"),)
    outbox.mark_delivered(batch.id, receipt_for(batch.jti, 3, rejected))
    status = outbox.status()
    assert (status.delivered, status.set_aside, status.reasons) == (3, 1, {"schema-invalid": 1})


def test_delivery_retries_transient_failures_with_backoff(outbox: Outbox, clock: Clock) -> None:
    failures = [ReceiverBusyError("busy", retry_after=2), TransportUnavailableError("dropped"), None]

    class Flaky:
        def send(self, agency: str, token: bytes) -> Receipt:
            failure = failures.pop(0)
            if failure is not None:
                raise failure
            return receipt_for(peek_claims(token)["jti"], len(ids_in(token)))

        def close(self) -> None:
            pass

    outbox.enqueue(make_signals(3))
    report = deliver(outbox, Flaky(), agency="GM0363", sleep=clock.sleep)
    assert report.settled and report.retries == 2 and report.delivered_signals == 3 and report.resends == 2
    assert sum(clock.slept) >= 2  # the first wait honoured Retry-After
    assert outbox.status().delivered == 3


def test_a_receipt_for_another_batch_does_not_count(outbox: Outbox, clock: Clock) -> None:
    answers = ["wrong", "right"]

    class Confused:
        def send(self, agency: str, token: bytes) -> Receipt:
            jti = peek_claims(token)["jti"] if answers.pop(0) == "right" else "00000000-0000-4000-8000-000000000000"
            return receipt_for(jti, 2)

        def close(self) -> None:
            pass

    outbox.enqueue(make_signals(2))
    report = deliver(outbox, Confused(), agency="GM0363", sleep=clock.sleep)
    assert report.retries == 1 and report.delivered_batches == 1


def test_delivered_signals_keep_only_their_id(outbox: Outbox, tmp_path: Path) -> None:
    outbox.enqueue(make_signals(2))
    outbox.seal(force=True)
    batch = outbox.claim()
    assert batch is not None
    outbox.mark_delivered(batch.id, receipt_for(batch.jti, 2))
    db = sqlite3.connect(tmp_path / "state" / "outbox.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM signals WHERE body IS NOT NULL").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM batches WHERE token IS NOT NULL").fetchone() == (0,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_only_one_process_delivers_from_a_state_folder(tmp_path: Path, signer: BatchSigner) -> None:
    with Outbox(tmp_path / "state", signer=signer, exclusive=True):
        with pytest.raises(OutboxBusyError):
            Outbox(tmp_path / "state", signer=signer, exclusive=True)
        with Outbox(tmp_path / "state") as reader:  # status readers need no lock
            assert reader.status().total == 0
    with Outbox(tmp_path / "state", signer=signer, exclusive=True):
        pass  # the lock was released
