# SPDX-License-Identifier: EUPL-1.2
"""How a signed batch reaches a receiver: the :class:`Transport` protocol, its errors, and the scheme → factory table.

A transport sends the token bytes exactly as signed and returns the receiver's :class:`Receipt`. It raises a
:class:`~governance.errors.RetriableError` subclass for anything that may pass (network down, receiver busy, no
receipt in time) and :class:`BatchRefused` for a permanent refusal; the outbox retries the first and sets the batch
aside on the second. ``http://`` and ``https://`` use :mod:`connectors.http_transport`, ``kafka://host:port`` uses
:mod:`connectors.kafka_bus`; each module is imported only when its scheme is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from connectors.receipts import Receipt
from governance.errors import InvalidInputError, RetriableError

__all__ = [
    "TRANSPORTS",
    "BatchRefused",
    "NoReceiptError",
    "ReceiverBusyError",
    "Transport",
    "TransportUnavailableError",
    "open_transport",
]


class TransportUnavailableError(RetriableError):
    """The receiver could not be reached, or the connection broke before an answer (the batch may have arrived)."""

    code = "transport-unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ReceiverBusyError(TransportUnavailableError):
    """The receiver asked to come back later (HTTP 429/503 or another 5xx), possibly with Retry-After seconds."""

    code = "receiver-busy"


class NoReceiptError(TransportUnavailableError):
    """The batch was handed over but no receipt came back in time; it is resent (the receiver replays receipts)."""

    code = "no-receipt"


class BatchRefused(InvalidInputError):
    """The receiver refused the batch for good (HTTP 4xx other than 408/429); ``code`` is the receiver's reason."""

    def __init__(self, code: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"the receiver refused the batch: {code}" + (f" ({detail})" if detail else ""), code=code)
        self.detail = detail
        self.status = status


class Transport(Protocol):
    """Sends one signed batch (compact JWS bytes) of ``agency`` and returns the receiver's receipt."""

    def send(self, agency: str, token: bytes) -> Receipt:
        """Deliver ``token``; raise RetriableError subclasses for transient failures, BatchRefused otherwise."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _http(url: str, **options: Any) -> Transport:
    from connectors.http_transport import HttpTransport

    return HttpTransport(url, **options)


def _kafka(url: str, **options: Any) -> Transport:
    from connectors.kafka_bus import KafkaTransport

    return KafkaTransport(url, **options)


#: URL scheme → factory ``(url, **options) -> Transport``.
TRANSPORTS: dict[str, Callable[..., Transport]] = {"http": _http, "https": _http, "kafka": _kafka}


def open_transport(url: str, **options: Any) -> Transport:
    """The transport for ``url`` (``http(s)://hub`` or ``kafka://host:port``)."""
    scheme = urlsplit(url).scheme.lower()
    factory = TRANSPORTS.get(scheme)
    if factory is None or not urlsplit(url).netloc:
        known = ", ".join(f"{s}://" for s in TRANSPORTS)
        raise InvalidInputError(f"cannot deliver to '{url}' (use one of {known})", code="hub-url-invalid")
    return factory(url, **options)
