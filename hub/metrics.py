# SPDX-License-Identifier: EUPL-1.2
"""Prometheus metrics of one hub (its own registry, so several apps in one process never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Batches and signals accepted and refused by reason, and latency histograms."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.batches = Counter(
            "hartslag_batches", "Batches by outcome and reason.", ["outcome", "code", "via"], registry=self.registry
        )
        self.signals = Counter(
            "hartslag_signals", "Signals by outcome and reason.", ["outcome", "reason"], registry=self.registry
        )
        self.ingest_seconds = Histogram(
            "hartslag_ingest_seconds",
            "Time to accept one batch (verify, validate, guard, store).",
            ["via"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "hartslag_http_request_seconds",
            "HTTP request latency by route.",
            ["route", "method"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return bytes(generate_latest(self.registry))
