# SPDX-License-Identifier: EUPL-1.2
"""A real webhook receiver on loopback for the alerts-out tests: ``http.server`` in a thread on a free port.

Every request is verified with the ``standardwebhooks`` package's :class:`~standardwebhooks.Webhook` class (the
receiver side of the Standard Webhooks specification) against the subscription's secret. The receiver can be told to
answer the next N requests with a failure status (``fail(n, status)``) or to answer ``410 Gone`` from now on.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

__all__ = ["Received", "WebhookReceiver", "event_data", "raw", "running_receiver"]


@dataclass(frozen=True)
class Received:
    """One request: its webhook-id, the status answered, whether the signature verified, and the parsed event."""

    webhook_id: str
    status: int
    verified: bool
    event: dict[str, Any] | None
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    """What the loopback server received and how it answers."""

    port: int = 0
    secret: str | None = None
    requests: list[Received] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    gone: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/hartslag"

    def fail(self, times: int, status: int = 503) -> None:
        """Answer the next ``times`` requests with ``status``."""
        with self.lock:
            self._failures.extend([status] * times)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        verified, event = False, None
        if self.secret is not None:
            try:
                event = Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        with self.lock:
            if not verified:
                status = 401
            elif self.gone:
                status = 410
            elif self._failures:
                status = self._failures.pop(0)
            else:
                status = 204
            self.requests.append(Received(headers.get("webhook-id", ""), status, verified, event, headers))
        return status

    def delivered(self) -> list[Received]:
        """The requests answered with 2xx."""
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests were answered with 2xx."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.delivered()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} deliveries, got {len(self.delivered())}: {self.requests}")


def _handler(receiver: WebhookReceiver) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.handle(body, headers)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


@contextmanager
def running_receiver() -> Iterator[WebhookReceiver]:
    """A receiver listening on a free loopback port until the block ends."""
    receiver = WebhookReceiver()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def event_data(received: Received) -> dict[str, Any]:
    """The CloudEvent's data of a verified request."""
    assert received.event is not None
    data: dict[str, Any] = received.event["data"]
    return data


def raw(received: Received) -> str:
    """The event as JSON text (for checks that nothing forbidden is in it)."""
    return json.dumps(received.event)
