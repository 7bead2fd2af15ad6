# SPDX-License-Identifier: EUPL-1.2
"""The hub's Kafka intake: consume ``hartslag.batches.v1`` in a consumer group and take the HTTP acceptance path.

Offsets are committed only after a batch is stored and its receipt published, so a crash re-delivers the batch and
the replay check answers with the original receipt (nothing is stored twice). A refused batch goes, unchanged, to
``hartslag.batches.v1.dlq`` with the reason in its headers, and a refusal document goes to the receipt topic so the
sender stops retrying. A retriable failure (storage unavailable) is not committed: the record is read again later.

With a :class:`hub.withdrawal.Withdrawals` service the intake also consumes ``hartslag.withdrawals.v1``: each record
is a signed withdrawal, accepted exactly as ``POST /v1/withdrawals`` accepts it; the receipt (plus the token's
``sha256``) or a refusal document naming ``withdrawal_id`` goes to the receipt topic, a refused withdrawal also to
``hartslag.withdrawals.v1.dlq``. The same bytes again answer with the stored receipt.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from connectors.envelope import EnvelopeError, peek_claims
from connectors.kafka_bus import (
    BATCH_TOPIC,
    DLQ_TOPIC,
    RECEIPT_TOPIC,
    WITHDRAWAL_DLQ_TOPIC,
    WITHDRAWAL_TOPIC,
    commit_through,
    ensure_topics,
    make_consumer,
    make_producer,
    publish_dead_letter,
    publish_receipt,
    publish_refusal,
    refusal_document,
)
from governance.errors import HartslagError, RetriableError
from hub.ingest import Ingest, IngestRefusal
from hub.metrics import Metrics

if TYPE_CHECKING:
    from hub.withdrawal import Withdrawals

__all__ = ["KafkaIntake"]

log = logging.getLogger("hartslag.hub.kafka")

# Group timing. kafka-python's defaults (45 s session, 3 s heartbeat) keep a hub that was killed in the group for
# the whole session, and its restarted successor gets no partition until then (measured on Tansu: 76 s, more than
# the connectors' 30 s receipt wait, so every waiting batch times out and is resent). 6 s is the smallest session
# Kafka brokers allow by default (group.min.session.timeout.ms); heartbeats run in a background thread.
GROUP_TIMING: dict[str, Any] = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


class KafkaIntake:
    """Consumes batches from Kafka until :meth:`stop`; one instance per hub process, in a background thread."""

    def __init__(
        self,
        ingest: Ingest,
        bootstrap: str,
        *,
        group_id: str = "hartslag-hub",
        metrics: Metrics | None = None,
        status_of: dict[str, int] | None = None,
        consumer_options: dict[str, Any] | None = None,
        withdrawals: Withdrawals | None = None,
    ) -> None:
        self.ingest = ingest
        self.withdrawals = withdrawals
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.metrics = metrics
        self.status_of = status_of or {}
        self.consumer_options = {**GROUP_TIMING, **(consumer_options or {})}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the loop in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="hartslag-kafka-intake", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to finish its current poll and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Consume until stopped, reconnecting after broker failures."""
        while not self._stop.is_set():
            try:
                self._consume()
            except Exception as exc:  # the broker went away: wait and connect again
                log.warning("kafka intake reconnecting", extra={"error": type(exc).__name__})
                self._stop.wait(2.0)

    def _consume(self) -> None:
        topics = [BATCH_TOPIC, *([WITHDRAWAL_TOPIC] if self.withdrawals is not None else [])]
        dead = (DLQ_TOPIC, *([WITHDRAWAL_DLQ_TOPIC] if self.withdrawals is not None else []))
        ensure_topics(self.bootstrap, (*topics, RECEIPT_TOPIC, *dead))
        consumer = make_consumer(self.bootstrap, topics, group_id=self.group_id, **self.consumer_options)
        producer = make_producer(self.bootstrap)
        try:
            while not self._stop.is_set():
                polled = consumer.poll(timeout_ms=500)
                for partition, records in polled.items():
                    for record in records:
                        try:
                            if record.topic == WITHDRAWAL_TOPIC:
                                self.handle_withdrawal(producer, record.key, record.value)
                            else:
                                self.handle(producer, record.key, record.value)
                        except RetriableError:
                            consumer.seek(partition, record.offset)  # read it again after a pause
                            self._stop.wait(1.0)
                            break
                        # Exactly this record: poll() already moved the position past the whole polled batch.
                        commit_through(consumer, partition, record.offset)
        finally:
            consumer.close()
            producer.close(timeout=5)

    def handle(self, producer: Any, key: bytes | None, value: bytes) -> None:
        """Accept one record: receipt on success, dead letter plus refusal document on a permanent refusal."""
        started = time.perf_counter()
        token = bytes(value).strip()
        try:
            result = self.ingest.accept(token, via="kafka")
        except IngestRefusal as exc:
            if exc.code == "rate-limited":  # not a verdict on the batch: pace the consumer and read it again
                self._stop.wait(exc.retry_after)
                raise RetriableError(exc.message) from exc
            self._refuse(producer, key, token, exc)
            return
        except EnvelopeError as exc:
            self._refuse(producer, key, token, exc)
            return
        except RetriableError:
            raise
        except HartslagError as exc:  # anything else coded is permanent for this record
            self._refuse(producer, key, token, exc)
            return
        receipt = result.receipt
        publish_receipt(producer, receipt.agency, receipt)
        if self.metrics is not None:
            outcome = "replayed" if result.replayed else "accepted"
            self.metrics.batches.labels(outcome, "", "kafka").inc()
            self.metrics.ingest_seconds.labels("kafka").observe(time.perf_counter() - started)

    def handle_withdrawal(self, producer: Any, key: bytes | None, value: bytes) -> None:
        """Accept one signed withdrawal: its receipt, or a dead letter plus a refusal document naming the code."""
        from hub.withdrawal import WithdrawalRefusal

        assert self.withdrawals is not None  # only subscribed with a withdrawal service
        token = bytes(value).strip()
        try:
            result = self.withdrawals.accept(token, via="kafka")
        except RetriableError:
            raise
        except (EnvelopeError, WithdrawalRefusal, HartslagError) as exc:
            self.withdrawals.storage.count_refusal(f"withdrawal:{exc.code}", None)
            self._refuse(producer, key, token, exc, kind="withdrawal")
            return
        publish_refusal(producer, str(result.receipt["agency"]), {**result.receipt, "sha256": _sha256(token)})

    def _refuse(self, producer: Any, key: bytes | None, token: bytes, exc: HartslagError, kind: str = "batch") -> None:
        agency = key.decode("utf-8", "replace") if key else ""
        try:
            batch_id = str(peek_claims(token).get("jti"))
        except HartslagError:
            batch_id = None
        status = self.status_of.get(exc.code, 400)
        dead = WITHDRAWAL_DLQ_TOPIC if kind == "withdrawal" else DLQ_TOPIC
        publish_dead_letter(producer, key, token, code=exc.code, detail=exc.message, topic=dead)
        document = refusal_document(
            batch_id=batch_id,
            sha256=_sha256(token),
            agency=agency,
            code=exc.code,
            status=status,
            detail=exc.message,
            kind=kind,
        )
        if isinstance(exc, IngestRefusal) and exc.extra:  # as in the HTTP problem: a retired version's sunset
            document["problem"].update(exc.extra)
        publish_refusal(producer, agency, document)
        if self.metrics is not None and kind == "batch":
            self.metrics.batches.labels("refused", exc.code, "kafka").inc()
        log.info(f"kafka {kind} refused", extra={"code": exc.code, "agency": agency})


def _sha256(token: bytes) -> str:
    return hashlib.sha256(token).hexdigest()
