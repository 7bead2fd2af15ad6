# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from datetime import UTC, datetime

from hub.bus import DomainEvent, EventBus


def test_subscribers_get_their_events_and_a_failing_one_does_not_stop_the_rest() -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(event: DomainEvent) -> None:
        raise RuntimeError("consumer bug")

    bus.subscribe("signal_received", broken)
    bus.subscribe("signal_received", lambda e: seen.append(e.data["id"]))
    bus.subscribe("key_revoked", lambda e: seen.append("wrong"))
    bus.publish(DomainEvent("signal_received", datetime.now(UTC), {"id": "a"}))
    assert seen == ["a"]


def test_publishers_can_ask_whether_anyone_listens() -> None:
    bus = EventBus()
    assert not bus.has_subscribers("signal_received")
    bus.subscribe("key_revoked", lambda e: None)
    assert not bus.has_subscribers("signal_received") and bus.has_subscribers("key_revoked")
    bus.subscribe("signal_received", lambda e: None)
    assert bus.has_subscribers("signal_received")
