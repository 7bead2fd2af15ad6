# SPDX-License-Identifier: EUPL-1.2
"""The Kafka binding, and the ONLY module in Hartslag that imports kafka-python.

A batch travels as the record value on :data:`BATCH_TOPIC` (the token bytes exactly as signed), keyed by the agency
code so one agency's batches stay in order on one partition. The receiver answers on :data:`RECEIPT_TOPIC`, keyed by
the agency code, with a receipt (see :mod:`connectors.receipts`) or a refusal document
``{"batch_id", "sha256", "agency", "problem": {"code", "status", "detail"}}``; the sender correlates by ``jti``
(``batch_id``) or by the SHA-256 of the token bytes. No receipt in time is a retriable :class:`NoReceiptError`: the
batch is sent again with the same bytes and the receiver replays its original receipt.

A signed withdrawal (``typ`` ``hartslag-withdrawal+jwt``) travels the same way on :data:`WITHDRAWAL_TOPIC`, keyed
by the agency code; the receiver answers on the same receipt topic with its withdrawal receipt (the HTTP body plus
``sha256``) or a refusal document that names ``withdrawal_id`` instead of ``batch_id``
(:meth:`KafkaTransport.withdraw`).

The producer/consumer helpers at the bottom are shared with the hub's consumer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, MessageSizeTooLargeError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from connectors.envelope import MalformedJWS, peek_claims
from connectors.receipts import Receipt
from connectors.transport import BatchRefused, NoReceiptError, ReceiverBusyError, TransportUnavailableError
from governance.errors import InvalidInputError

__all__ = [
    "BATCH_TOPIC",
    "DLQ_TOPIC",
    "MAX_MESSAGE_BYTES",
    "RECEIPT_TOPIC",
    "WITHDRAWAL_DLQ_TOPIC",
    "WITHDRAWAL_TOPIC",
    "KafkaTransport",
    "bootstrap_servers",
    "commit_through",
    "ensure_topics",
    "iter_records",
    "make_consumer",
    "make_producer",
    "publish_dead_letter",
    "publish_receipt",
    "publish_refusal",
    "refusal_document",
]

BATCH_TOPIC = "hartslag.batches.v1"
RECEIPT_TOPIC = "hartslag.receipts.v1"
WITHDRAWAL_TOPIC = "hartslag.withdrawals.v1"
WITHDRAWAL_DLQ_TOPIC = "hartslag.withdrawals.v1.dlq"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_EARLY_KEEP = 10_000  # receipts seen for other batches, kept in case their sender asks next


def bootstrap_servers(url: str) -> str:
    """``kafka://host:port[,host:port]`` (or a bare ``host:port``) → the bootstrap string kafka-python takes."""
    parts = urlsplit(url if "://" in url else f"kafka://{url}")
    if parts.scheme != "kafka" or not parts.netloc:
        raise InvalidInputError(f"'{url}' is not a kafka://host:port address", code="hub-url-invalid")
    return parts.netloc


def make_producer(bootstrap: str, **overrides: Any) -> KafkaProducer:
    """A producer that waits for every in-sync replica (``acks="all"``) and retries transient broker errors."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "retries": 5,
        "max_request_size": MAX_MESSAGE_BYTES,
        "linger_ms": 0,
        "client_id": "hartslag",
    }
    options.update(overrides)
    return KafkaProducer(**options)


def make_consumer(
    bootstrap: str, topics: Iterable[str] = (), group_id: str | None = None, **overrides: Any
) -> KafkaConsumer:
    """A consumer with manual commits (commit after the work is stored, never before) reading from the earliest."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_bytes": MAX_MESSAGE_BYTES,
        "max_partition_fetch_bytes": MAX_MESSAGE_BYTES,
        "client_id": "hartslag",
    }
    options.update(overrides)
    return KafkaConsumer(*topics, **options)


def ensure_topics(bootstrap: str, topics: Iterable[str] = (BATCH_TOPIC, RECEIPT_TOPIC), partitions: int = 1) -> None:
    """Create the topics when they do not exist yet (brokers with auto-creation off need this)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hartslag-admin")
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(name, partitions, 1) for name in topics if name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # created by someone else in the meantime
                admin.create_topics(missing)
    finally:
        admin.close()


def commit_through(consumer: KafkaConsumer, partition: Any, offset: int) -> None:
    """Commit the group's offset of ``partition`` as just past ``offset`` (the record handled last), no further.

    ``consumer.commit()`` without offsets commits the consumer's *position*, which ``poll()`` has already moved past
    every record it returned: committing that after the first of them would skip the others after a crash.
    """
    extra = (-1,) if "leader_epoch" in OffsetAndMetadata._fields else ()  # kafka-python ≥ 2.1 has a third field
    consumer.commit({partition: OffsetAndMetadata(offset + 1, "", *extra)})


def iter_records(consumer: KafkaConsumer, *, poll_ms: int = 500) -> Iterator[Any]:
    """Every record the consumer receives, poll after poll (stop by breaking out of the loop)."""
    while True:
        for records in consumer.poll(timeout_ms=poll_ms).values():
            yield from records


def refusal_document(
    *, batch_id: str | None, sha256: str, agency: str, code: str, status: int, detail: str = "", kind: str = "batch"
) -> dict[str, Any]:
    """The receipt-topic form of a permanent refusal (the Kafka counterpart of an HTTP problem document); ``kind``
    ``withdrawal`` names the id ``withdrawal_id``."""
    return {
        f"{kind}_id": batch_id,
        "sha256": sha256,
        "agency": agency,
        "problem": {"code": code, "status": status, "detail": detail},
    }


def publish_receipt(producer: KafkaProducer, agency: str, receipt: Receipt, *, timeout: float = 10.0) -> None:
    """Publish a receipt on the receipt topic (keyed by agency) and wait until the broker has it."""
    producer.send(RECEIPT_TOPIC, key=agency.encode("utf-8"), value=receipt.to_json()).get(timeout=timeout)


def publish_refusal(producer: KafkaProducer, agency: str, document: dict[str, Any], *, timeout: float = 10.0) -> None:
    """Publish a refusal document, or any other JSON answer (a withdrawal receipt), on the receipt topic."""
    value = json.dumps(document, separators=(",", ":")).encode("utf-8")
    producer.send(RECEIPT_TOPIC, key=agency.encode("utf-8"), value=value).get(timeout=timeout)


class KafkaTransport:
    """Produces batches on :data:`BATCH_TOPIC` and waits for the matching receipt on :data:`RECEIPT_TOPIC`."""

    def __init__(
        self,
        url: str,
        *,
        receipt_timeout: float = 30.0,
        send_timeout: float = 30.0,
        create_topics: bool = True,
    ) -> None:
        self.bootstrap = bootstrap_servers(url)
        self.receipt_timeout = receipt_timeout
        self.send_timeout = send_timeout
        self.create_topics = create_topics
        self._producer: KafkaProducer | None = None
        self._consumer: KafkaConsumer | None = None
        self._early: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def _connect(self) -> tuple[KafkaProducer, KafkaConsumer]:
        if self._producer is not None and self._consumer is not None:
            return self._producer, self._consumer
        try:
            if self.create_topics:
                ensure_topics(self.bootstrap)
            consumer = make_consumer(self.bootstrap)
            partitions = consumer.partitions_for_topic(RECEIPT_TOPIC) or {0}
            assigned = [TopicPartition(RECEIPT_TOPIC, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            # Listen from "now" on, and resolve the positions BEFORE the first send, so no receipt slips past.
            consumer.seek_to_end(*assigned)
            for partition in assigned:
                consumer.position(partition)
            self._consumer = consumer
            self._producer = make_producer(self.bootstrap)
        except KafkaError as exc:
            self.close()
            raise TransportUnavailableError(f"cannot reach Kafka at {self.bootstrap}: {type(exc).__name__}") from exc
        return self._producer, self._consumer

    def send(self, agency: str, token: bytes) -> Receipt:
        """Produce the token (acks=all), then wait up to ``receipt_timeout`` seconds for its receipt."""
        return _answer(self._exchange(BATCH_TOPIC, agency, token))

    def withdraw(self, agency: str, token: bytes) -> tuple[int, dict[str, Any]]:
        """Produce a signed withdrawal on :data:`WITHDRAWAL_TOPIC` and wait for the answer, as over HTTP:
        (202, the receipt) or (the problem's status, ``{"code", "detail"}``). Retriable errors as :meth:`send`."""
        doc = self._exchange(WITHDRAWAL_TOPIC, agency, token)
        problem = doc.get("problem")
        if isinstance(problem, dict):
            status = problem.get("status")
            return (status if isinstance(status, int) else 400), {
                "code": str(problem.get("code") or "refused"), "detail": str(problem.get("detail") or "")
            }  # fmt: skip
        return 202, doc

    def _exchange(self, topic: str, agency: str, token: bytes) -> dict[str, Any]:
        """Produce ``token`` on ``topic`` and return the receiver's answer, correlated by ``jti`` or SHA-256."""
        try:
            jti = str(peek_claims(token).get("jti"))
        except MalformedJWS as exc:
            raise BatchRefused("malformed-jws", "the token cannot be read") from exc
        digest = hashlib.sha256(token).hexdigest()
        producer, consumer = self._connect()
        try:
            producer.send(topic, key=agency.encode("utf-8"), value=token).get(timeout=self.send_timeout)
        except MessageSizeTooLargeError as exc:
            raise BatchRefused("batch-too-large", "the batch is larger than the broker accepts", 413) from exc
        except KafkaError as exc:
            raise TransportUnavailableError(f"the broker did not take the batch: {type(exc).__name__}") from exc
        deadline = time.monotonic() + self.receipt_timeout
        while True:
            found = self._early.get(jti) or self._early.get(digest)
            if found is not None:
                for key in (found.get("batch_id"), found.get("withdrawal_id"), found.get("sha256"), jti, digest):
                    self._early.pop(key, None)  # type: ignore[arg-type]
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NoReceiptError(f"no receipt for batch {jti} within {self.receipt_timeout:g} s")
            try:
                polled = consumer.poll(timeout_ms=int(min(remaining, 1.0) * 1000) + 1)
            except KafkaError as exc:
                raise TransportUnavailableError(f"reading receipts failed: {type(exc).__name__}") from exc
            for records in polled.values():
                for record in records:
                    self._remember(record.value)

    def _remember(self, value: bytes) -> None:
        try:
            doc = json.loads(value)
        except ValueError:
            return  # not ours to judge: other receivers may share the topic
        if not isinstance(doc, dict):
            return
        for key in (doc.get("batch_id"), doc.get("withdrawal_id"), doc.get("sha256")):
            if isinstance(key, str) and key:
                self._early[key] = doc
        while len(self._early) > _EARLY_KEEP:
            self._early.popitem(last=False)

    def close(self) -> None:
        """Flush and close the producer and the receipt consumer."""
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _answer(doc: dict[str, Any]) -> Receipt:
    problem = doc.get("problem")
    if isinstance(problem, dict):
        status = problem.get("status")
        code = str(problem.get("code") or "refused")
        if isinstance(status, int) and (status in (408, 429) or status >= 500):
            raise ReceiverBusyError(f"the receiver could not take the batch now ({code})")
        raise BatchRefused(code, str(problem.get("detail") or ""), status if isinstance(status, int) else None)
    return Receipt.from_dict(doc)


DLQ_TOPIC = "hartslag.batches.v1.dlq"


def publish_dead_letter(
    producer: KafkaProducer,
    key: bytes | None,
    value: bytes,
    *,
    code: str,
    detail: str,
    timeout: float = 10.0,
    topic: str = DLQ_TOPIC,
) -> None:
    """Park a refused batch on :data:`DLQ_TOPIC` (a withdrawal on :data:`WITHDRAWAL_DLQ_TOPIC`), unchanged, with the
    refusal's code and detail as headers."""
    headers = [("hartslag-refusal-code", code.encode("utf-8")), ("hartslag-refusal-detail", detail.encode("utf-8"))]
    producer.send(topic, key=key, value=value, headers=headers).get(timeout=timeout)
