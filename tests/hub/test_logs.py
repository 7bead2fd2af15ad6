# SPDX-License-Identifier: EUPL-1.2
"""The hub's logs: JSON lines with a request id, and never any signal text or personal data.

The output is captured from the very handler :func:`hub.logs.configure_logging` installs on the ``hartslag`` logger,
by pointing its stream at a buffer for the duration of a test.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.hub.support import Hub, open_hub

PLANTED = "06-12345678"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as running:
        yield running


@pytest.fixture
def log_lines(hub: Hub) -> Iterator[io.StringIO]:
    logger = logging.getLogger("hartslag")
    handlers = [h for h in logger.handlers if getattr(h, "_hartslag", False)]
    assert len(handlers) == 1 and isinstance(handlers[0], logging.StreamHandler)
    handler: logging.StreamHandler[Any] = handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def _records(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]  # every line must be one JSON object


def test_accepted_rejected_and_refused_batches_log_json_with_request_ids_and_no_text(
    hub: Hub, log_lines: io.StringIO
) -> None:
    accepted = hub.signals(3)
    with_personal_data = hub.signals(2)
    with_personal_data[0]["text"] = f"Bel mevrouw terug op {PLANTED} over de stoep."
    forged = hub.signals(2)
    head, payload, signature = hub.signers["GM0363"].sign(forged).token.split(b".")
    tampered = b".".join((head, payload, signature[:-4] + (b"AAAA" if signature[-4:] != b"AAAA" else b"BBBB")))

    statuses = [
        hub.post(hub.signers["GM0363"].sign(accepted).token, **{"X-Request-ID": "req-accepted"}).status_code,
        hub.post(hub.signers["GM0363"].sign(with_personal_data).token, **{"X-Request-ID": "req-personal"}).status_code,
        hub.post(tampered, **{"X-Request-ID": "req-forged"}).status_code,
    ]
    assert statuses == [202, 202, 401]

    records = _records(log_lines)
    assert all(isinstance(r.get("request_id"), str) and r["request_id"] for r in records), records
    assert {"req-accepted", "req-personal", "req-forged"} <= {r["request_id"] for r in records}
    text = log_lines.getvalue()
    secrets = [PLANTED] + [s["text"] for s in accepted + with_personal_data + forged]
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked
    assert all(r["logger"].startswith("hartslag") for r in records)


def test_the_request_line_names_route_status_and_time(hub: Hub, log_lines: io.StringIO) -> None:
    hub.post(b"junk", **{"X-Request-ID": "req-junk"})
    (line,) = [r for r in _records(log_lines) if r["request_id"] == "req-junk"]
    assert (line["route"], line["method"], line["status"]) == ("/v1/batches", "POST", 400)
    assert line["level"] == "info" and isinstance(line["ms"], float | int)


def _break_ingest(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(token: bytes, via: str = "http") -> Any:
        raise RuntimeError(f"a bug that quotes its input: {token[:200]!r}")

    monkeypatch.setattr(hub.services.ingest, "accept", boom)


def test_an_unexpected_error_logs_the_callers_request_id_and_no_input(
    hub: Hub, log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_ingest(hub, monkeypatch)
    with TestClient(hub.app, raise_server_exceptions=False) as client:
        response = client.post(
            "/v1/batches", content=hub.token(1), headers={"Content-Type": "application/jose", "X-Request-ID": "req-bug"}
        )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-bug"
    errors = [r for r in _records(log_lines) if r["level"] == "error"]
    assert errors and all(r["request_id"] == "req-bug" for r in errors)
    assert "quotes its input" not in log_lines.getvalue()


def test_an_unexpected_error_logs_the_generated_request_id(
    hub: Hub, log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/api/errors.md: "internal-error | 500 | a bug; the log line has the request id" -- also when the caller
    # sent none and the hub made one up.
    _break_ingest(hub, monkeypatch)
    with TestClient(hub.app, raise_server_exceptions=False) as client:
        response = client.post("/v1/batches", content=hub.token(1), headers={"Content-Type": "application/jose"})
    assert response.status_code == 500
    errors = [r for r in _records(log_lines) if r["level"] == "error"]
    assert errors and all(isinstance(r.get("request_id"), str) and r["request_id"] for r in errors), errors
    assert response.headers.get("x-request-id") == errors[0]["request_id"]
