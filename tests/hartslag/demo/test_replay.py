# SPDX-License-Identifier: EUPL-1.2
"""The demo's connectors deliver every signal, day by day, always in the same order, also through retries.

The receiver is the test receiver of ``tests/receivers.py`` over real HTTP, verifying every signature with the keys
the connectors made; it records the order in which batches were stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.keys import KeyRing
from connectors.receipts import Receipt
from hartslag.demo import Scenario, generate, write_exports
from hartslag.demo.replay import DemoConnector, make_connectors, replay
from tests.receivers import HttpReceiver, ReceiverCore


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate(seed=5, days=12, scale=0.15)


@pytest.fixture
def connectors(scenario: Scenario, tmp_path: Path) -> list[DemoConnector]:
    exports = write_exports(scenario, tmp_path / "exports")
    made = make_connectors(scenario.organisations, exports, tmp_path / "keys", tmp_path / "outboxes")
    for connector in made:
        connector.read_export()
    return made


@pytest.fixture
def receiver(connectors: list[DemoConnector]) -> Iterator[tuple[HttpReceiver, list[str]]]:
    keys = KeyRing()
    for connector in connectors:
        keys.add_jwks(connector.code, connector.jwks)
    stored: list[str] = []

    def note(receipt: Receipt) -> None:
        stored.append(str(receipt.agency))

    core = ReceiverCore(keys, after_store=note)
    http = HttpReceiver(core)
    yield http, stored
    http.stop()


def _expected_order(connectors: list[DemoConnector]) -> list[str]:
    """One batch per organisation per day it has signals: days in order, organisations in the scenario's order."""
    days = sorted({day for c in connectors for day in c.by_day})
    return [c.code for day in days for c in connectors if c.by_day.get(day)]


def test_every_signal_arrives_day_by_day_in_a_fixed_order(
    scenario: Scenario, connectors: list[DemoConnector], receiver: tuple[HttpReceiver, list[str]]
) -> None:
    http, stored = receiver
    seen: list[tuple[str, int]] = []
    replay(connectors, http.url, on_day=lambda day, delivered: seen.append((day, delivered)))
    assert set(http.core.signals) == {s["id"] for s in scenario.signals}
    assert stored == _expected_order(connectors)
    assert [day for day, _ in seen] == sorted({day for c in connectors for day in c.by_day})
    assert seen[-1][1] == len(scenario.signals)
    assert [n for _, n in seen] == sorted(n for _, n in seen)
    for connector in connectors:
        assert connector.delivered == connector.read and connector.set_aside == 0


def test_a_busy_receiver_is_retried_without_changing_the_order(
    connectors: list[DemoConnector], receiver: tuple[HttpReceiver, list[str]]
) -> None:
    http, stored = receiver
    http.core.fail_next(2, "503")  # the first two sends are answered 503 with Retry-After: 1
    replay(connectors, http.url)
    assert stored == _expected_order(connectors)
    assert sum(c.delivered for c in connectors) == len(http.core.signals)
