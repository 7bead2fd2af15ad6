# SPDX-License-Identifier: EUPL-1.2
"""The HTTP binding: ``POST {hub}/v1/batches`` with ``Content-Type: application/jose`` and the token as the body.

Answers: 202 (accepted, receipt JSON) or 200 (the same bytes were received before: the original receipt). Errors are
RFC 9457 problem documents whose ``code`` member (or the last segment of ``type``) is the refusal code. 408, 429 and
every 5xx are transient (Retry-After honoured, in seconds or as an HTTP date); every other 4xx is permanent.

:func:`fetch_schemas` reads which versions of the standard the hub accepts (``GET {hub}/v1/schemas``, public), for
``hartslag connector schemas``.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from connectors.receipts import Receipt
from connectors.transport import BatchRefused, ReceiverBusyError, TransportUnavailableError
from governance.errors import InvalidInputError

__all__ = ["CONTENT_TYPE", "HttpTransport", "fetch_schemas", "parse_retry_after"]

CONTENT_TYPE = "application/jose"
_TRANSIENT = {408, 425, 429}


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _problem(response: httpx.Response) -> tuple[str, str]:
    """The refusal code and detail of a problem document (falls back to ``http-<status>``)."""
    try:
        doc: Any = response.json()
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        return f"http-{response.status_code}", ""
    code = doc.get("code")
    if not isinstance(code, str) and isinstance(doc.get("type"), str) and doc["type"] != "about:blank":
        code = doc["type"].rstrip("/").rsplit("/", 1)[-1]
    detail = doc.get("detail") if isinstance(doc.get("detail"), str) else ""
    return (code if isinstance(code, str) and code else f"http-{response.status_code}"), str(detail)[:500]


class HttpTransport:
    """Delivers batches to a hub over HTTP(S) with one pooled httpx client."""

    def __init__(self, hub_url: str, *, timeout: float = 30.0, client: httpx.Client | None = None) -> None:
        self.url = hub_url.rstrip("/") + "/v1/batches"
        self._client = client or httpx.Client(timeout=timeout, headers={"User-Agent": "hartslag-connector"})

    def send(self, agency: str, token: bytes) -> Receipt:
        """POST the token; return the receipt, or raise a retriable error or :class:`BatchRefused`."""
        try:
            response = self._client.post(
                self.url,
                content=token,
                headers={"Content-Type": CONTENT_TYPE, "Accept": "application/json, application/problem+json"},
            )
        except httpx.HTTPError as exc:  # connect/read timeouts, refused or dropped connections
            raise TransportUnavailableError(f"no answer from {self.url}: {type(exc).__name__}") from exc
        status = response.status_code
        if status in (200, 201, 202):
            return Receipt.from_json(response.content, replayed=status == 200)
        code, detail = _problem(response)
        if status in _TRANSIENT or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise ReceiverBusyError(f"the receiver answered {status} ({code})", retry_after=retry_after)
        raise BatchRefused(code, detail, status)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def fetch_schemas(hub_url: str, *, timeout: float = 10.0, client: httpx.Client | None = None) -> dict[str, Any]:
    """The hub's published schema versions: ``{"stamp", "subjects": [{"subject", "current", "accepted",
    "versions": [{"version", "status", "accepted", "sunset", ...}]}]}``.

    :class:`TransportUnavailableError` when the hub does not answer or answers 5xx; :class:`InvalidInputError`
    (``schemas-unavailable``) for any other answer that is not that document (e.g. a hub without the route).
    """
    url = hub_url.rstrip("/") + "/v1/schemas"
    own = client or httpx.Client(timeout=timeout, headers={"User-Agent": "hartslag-connector"})
    try:
        response = own.get(url, headers={"Accept": "application/json, application/problem+json"})
    except httpx.HTTPError as exc:
        raise TransportUnavailableError(f"no answer from {url}: {type(exc).__name__}") from exc
    finally:
        if client is None:
            own.close()
    if response.status_code >= 500:
        raise TransportUnavailableError(f"{url} answered {response.status_code} ({_problem(response)[0]})")
    try:
        body: Any = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("subjects"), list):
        code = _problem(response)[0] if response.status_code != 200 else "not-a-schema-list"
        raise InvalidInputError(
            f"{url} answered {response.status_code} ({code}), not the list of schema versions",
            code="schemas-unavailable",
        )
    return body
