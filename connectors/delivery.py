# SPDX-License-Identifier: EUPL-1.2
"""The delivery loop: drain the outbox through a transport, with backoff, until everything is settled or time is up.

Used by ``hartslag connector push`` (flush everything, stop when settled) and ``run`` (keep going between scans).
Each batch is claimed (committed ``in_flight``) before it is sent and marked only on the receiver's answer, so
killing the process at any moment loses nothing: the next run resends what was in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from connectors.outbox import Outbox, OutboxBatch
from connectors.receipts import InvalidReceiptError, Receipt
from connectors.transport import BatchRefused, Transport
from governance.errors import RetriableError

__all__ = ["BatchOutcome", "DeliveryReport", "deliver"]


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one send: ``delivered``, ``retry`` (with the delay) or ``set_aside`` (with the reason)."""

    batch: OutboxBatch
    result: str
    receipt: Receipt | None = None
    reason: str = ""
    delay: float = 0.0


@dataclass
class DeliveryReport:
    """Totals of one :func:`deliver` call."""

    sends: int = 0
    delivered_batches: int = 0
    delivered_signals: int = 0
    set_aside_batches: int = 0
    retries: int = 0
    resends: int = 0  # sends of a batch whose earlier send had started (after a crash or a transient failure)
    replays: int = 0  # receipts the receiver replayed because it had seen the same bytes before
    settled: bool = False


def deliver(
    outbox: Outbox,
    transport: Transport,
    *,
    agency: str,
    flush: bool = True,
    timeout: float | None = None,
    on_outcome: Callable[[BatchOutcome], None] | None = None,
    stop: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> DeliveryReport:
    """Send every due batch; wait out backoffs; return when nothing is queued or in flight, or after ``timeout`` s.

    ``flush`` seals partial batches at once (``push``); without it a partial batch waits for ``max_age``.
    """
    report = DeliveryReport()
    deadline = None if timeout is None else monotonic() + timeout
    outage = 0.0  # the current pause between consecutive failed sends
    while stop is None or not stop():
        outbox.seal(force=flush)
        batch = outbox.claim()
        if batch is None:
            wait = outbox.next_due_in()
            if wait is None:
                if outbox.pending() == 0:
                    report.settled = True
                    return report
                wait = min(outbox.max_age, 1.0)  # a partial batch that is not old enough yet
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return report
                wait = min(wait, remaining)
            sleep(min(wait, 1.0))  # short naps so ``stop`` is noticed soon
            continue
        outcome = _send(outbox, transport, agency, batch)
        report.sends += 1
        report.resends += batch.is_resend
        if outcome.result == "delivered":
            report.delivered_batches += 1
            report.delivered_signals += batch.n_signals
            report.replays += bool(outcome.receipt and outcome.receipt.replayed)
        elif outcome.result == "set_aside":
            report.set_aside_batches += 1
        else:
            report.retries += 1
        if on_outcome is not None:
            on_outcome(outcome)
        if deadline is not None and monotonic() >= deadline:
            return report
        if outcome.result != "retry":
            outage = 0.0
        elif outcome.delay:
            # The receiver is down or busy for every batch, not just this one: back off as one sender (the pause
            # doubles while failures follow each other) instead of failing each queued batch in turn.
            outage = min(max(outcome.delay, outage * 2), outbox.backoff_cap)
            pause_until = monotonic() + outage
            if deadline is not None:
                pause_until = min(pause_until, deadline)
            while monotonic() < pause_until and (stop is None or not stop()):
                sleep(min(pause_until - monotonic(), 1.0))
    return report


def _send(outbox: Outbox, transport: Transport, agency: str, batch: OutboxBatch) -> BatchOutcome:
    try:
        receipt = transport.send(agency, batch.token)
        if receipt.batch_id != batch.jti:
            raise InvalidReceiptError("the receipt is for another batch")
    except BatchRefused as exc:
        outbox.set_aside(batch.id, exc.code)
        return BatchOutcome(batch, "set_aside", reason=exc.code)
    except RetriableError as exc:
        delay = outbox.mark_retry(batch.id, exc)
        return BatchOutcome(batch, "retry", reason=exc.code, delay=delay)
    outbox.mark_delivered(batch.id, receipt)
    return BatchOutcome(batch, "delivered", receipt=receipt)
