# SPDX-License-Identifier: EUPL-1.2
"""Operating the hub: liveness, readiness (503 when the storage is unreachable), Prometheus metrics, request ids."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.hub.support import Hub, assert_problem, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as running:
        yield running


def _unreachable(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new or cached connection fails as a locked or vanished database does."""

    def fail() -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(hub.storage, "_conn", fail)


def samples(hub: Hub) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The /metrics samples by (name, sorted labels)."""
    response = hub.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_health(hub: Hub) -> None:
    response = hub.client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_the_storage_answers(hub: Hub) -> None:
    response = hub.client.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_not_ready_when_the_storage_is_unreachable(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    _unreachable(hub, monkeypatch)
    assert_problem(hub.client.get("/ready"), 503, "storage-error")
    assert hub.client.get("/health").status_code == 200  # alive, just not ready


def test_a_storage_failure_during_delivery_is_a_503_problem(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/api/errors.md: an unavailable storage is `storage-error` 503 "retry later", never a 500 "bug".
    token = hub.token(2)
    _unreachable(hub, monkeypatch)
    with TestClient(hub.app, raise_server_exceptions=False) as client:
        response = client.post("/v1/batches", content=token, headers={"Content-Type": "application/jose"})
    assert_problem(response, 503, "storage-error")


def test_metrics_count_batches_by_outcome_and_refusal_code(hub: Hub) -> None:
    hub.post(hub.token(3))
    token = hub.token(2)
    hub.post(token)
    hub.post(token)  # a replay
    head, payload, signature = hub.token(1).split(b".")
    hub.post(b".".join((head, payload, signature[::-1])))  # bad signature
    hub.post(b"junk")  # malformed
    hub.post(hub.token(1), "application/json")  # 415
    signals = hub.signals(2)
    signals[0]["text"] = "Mijn nummer is 06-12345678."
    hub.post(hub.signers["GM0363"].sign(signals).token)

    found = samples(hub)
    assert value(found, "hartslag_batches_total", outcome="accepted", code="", via="http") == 3
    assert value(found, "hartslag_batches_total", outcome="replayed", code="", via="http") == 1
    for code in ("bad-signature", "malformed-jws", "unsupported-media-type"):
        assert value(found, "hartslag_batches_total", outcome="refused", code=code, via="http") == 1, code
    assert value(found, "hartslag_signals_total", outcome="accepted", reason="") == 6
    assert value(found, "hartslag_signals_total", outcome="rejected", reason="personal-data-detected") == 1


def test_metrics_carry_latency_histograms(hub: Hub) -> None:
    hub.post(hub.token(1))
    found = samples(hub)
    ingest = [k for k in found if k[0] == "hartslag_ingest_seconds_bucket"]
    assert ingest and any(dict(labels).get("le") == "+Inf" for _, labels in ingest)
    assert value(found, "hartslag_ingest_seconds_count", via="http") == 1
    http = {dict(labels)["route"] for name, labels in found if name == "hartslag_http_request_seconds_count"}
    assert "/v1/batches" in http


def test_the_request_id_is_echoed_or_made(hub: Hub) -> None:
    given = hub.client.get("/health", headers={"X-Request-ID": "req-123-abc"})
    assert given.headers["x-request-id"] == "req-123-abc"
    made = hub.client.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert made != hub.client.get("/health").headers["x-request-id"]


def test_problems_carry_the_request_id_too(hub: Hub) -> None:
    response = hub.post(b"junk", **{"X-Request-ID": "req-problem-1"})
    assert response.status_code == 400
    assert response.headers["x-request-id"] == "req-problem-1"


def test_an_unknown_route_is_a_404_problem_and_a_wrong_method_a_405(hub: Hub) -> None:
    assert_problem(hub.client.get("/v2/nothing"), 404, "not-found")
    assert_problem(hub.client.delete("/v1/batches"), 405, "method-not-allowed")
