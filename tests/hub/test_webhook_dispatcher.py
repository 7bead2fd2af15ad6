# SPDX-License-Identifier: EUPL-1.2
"""The webhook dispatcher against a real receiver on loopback that verifies every Standard Webhooks signature:
filtering, retries until success, 410 Gone, and restarts that neither lose nor repeat an alert."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from governance.audit import AuditLog
from hub.alert_feed import AlertFeed
from hub.webhook_dispatcher import WebhookDispatcher
from hub.webhook_store import WebhookStore
from hub.webhooks import ALERT_EVENT_TYPE, RetryPolicy, WebhookFilter
from matching.detector import Alert
from matching.findings import Findings
from tests.hub.matching_fixtures import add_pattern, make_alert, matching_state
from tests.hub.webhook_receiver import WebhookReceiver, event_data, raw, running_receiver

FAST = RetryPolicy(base=timedelta(milliseconds=50), factor=2, max_delay=timedelta(seconds=1), max_attempts=5)
SOURCE = "urn:hartslag:hub:hub-test"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    state = matching_state(tmp_path)
    add_pattern(state, 17, themes=("afval",), organisations=("GM0363", "GM0599", "GM0518"))
    add_pattern(state, 18, label="parkeervergunning, aanvraag", themes=("parkeren",), organisations=("GM0363",))
    state.close()
    return tmp_path


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as running:
        yield running


def dispatcher(data: Path, **options: Any) -> WebhookDispatcher:
    return WebhookDispatcher(
        WebhookStore(data / "webhooks.db"), AlertFeed(data / "matching"), source=SOURCE, policy=FAST, **options
    )


def store_alerts(data: Path, *alerts: Alert) -> None:
    state = matching_state(data)
    Findings(state).put_alerts(list(alerts))
    state.close()


def test_retries_until_the_receiver_accepts_and_the_log_shows_every_attempt(
    data: Path, receiver: WebhookReceiver
) -> None:
    work = dispatcher(data, poll_seconds=0.05)
    subscription = work.subscribe(receiver.url, WebhookFilter(), "beheer")
    receiver.secret = subscription.secret
    receiver.fail(2, status=503)
    work.start()
    try:
        store_alerts(data, make_alert(17, observed=42))
        (accepted,) = receiver.wait_for(1)
    finally:
        work.close()
    assert all(r.verified for r in receiver.requests)  # every request carried a valid signature
    assert [r.status for r in receiver.requests] == [503, 503, 204]
    assert {r.webhook_id for r in receiver.requests} == {"alert:cross_org:17:2026-03-09"}  # one id for all retries
    assert accepted.event is not None
    assert accepted.event["type"] == ALERT_EVENT_TYPE and accepted.event["id"] == accepted.webhook_id
    assert accepted.event["subject"] == "17" and accepted.event["source"] == SOURCE
    data_part = event_data(accepted)
    assert data_part["pattern_id"] == 17 and data_part["label"] == "container, geleegd"
    assert data_part["scope"] == "regionaal" and data_part["alert_kind"] == "cross_org"
    assert data_part["themes"] == ["afval"] and data_part["organisation_kinds"] == ["municipality"]
    assert "geen echte tekst" not in raw(accepted)  # the members' text never leaves

    reopened = dispatcher(data)
    (delivery,) = reopened.deliveries(subscription.id)
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [a.status_code for a in delivery.log] == [503, 503, 204]
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(delivery.log, delivery.log[1:], strict=False)]
    assert gaps[0] >= 0.05 * 0.8 and gaps[1] >= 0.1 * 0.8  # backed off, exponentially
    reopened.close()


def test_each_subscription_gets_only_the_alerts_its_filter_matches(data: Path, receiver: WebhookReceiver) -> None:
    work = dispatcher(data)
    waste = work.subscribe(receiver.url + "?afval", WebhookFilter.of(themes=["afval"]), "beheer")
    parking = work.subscribe(receiver.url + "?parkeren", WebhookFilter.of(themes=["parkeren"]), "beheer")
    wide = work.subscribe(receiver.url + "?landelijk", WebhookFilter.of(scopes=["landelijk"]), "beheer")
    store_alerts(
        data,
        make_alert(17, scope="regionaal"),
        make_alert(18, kind="emerging", scope="lokaal"),
        make_alert(17, day=date(2026, 3, 20), scope="landelijk"),
    )
    assert work.scan() == 4
    work.tick()
    got = {s.id: sorted(d.event_id for d in work.deliveries(s.id)) for s in (waste, parking, wide)}
    assert got == {
        waste.id: ["alert:cross_org:17:2026-03-09", "alert:cross_org:17:2026-03-20"],
        parking.id: ["alert:emerging:18:2026-03-09"],
        wide.id: ["alert:cross_org:17:2026-03-20"],
    }
    work.close()


def test_small_counts_never_leave_the_hub(data: Path, receiver: WebhookReceiver) -> None:
    work = dispatcher(data)
    receiver.secret = work.subscribe(receiver.url, WebhookFilter(), "beheer").secret
    store_alerts(data, make_alert(17, observed=7))
    work.tick()
    (accepted,) = receiver.wait_for(1)
    explanation = event_data(accepted)["explanation"]
    assert "7 signalen" not in explanation and "minder dan 10 signalen" in explanation
    assert "observed" not in raw(accepted)  # the numbers behind the explanation stay inside
    work.close()


def test_410_gone_disables_the_subscription(data: Path, receiver: WebhookReceiver, tmp_path: Path) -> None:
    with AuditLog.in_folder(tmp_path / "audit") as audit:
        work = dispatcher(data, audit=audit)
        subscription = work.subscribe(receiver.url, WebhookFilter(), "beheer")
        receiver.secret = subscription.secret
        receiver.gone = True
        store_alerts(data, make_alert(17), make_alert(18))
        work.tick()
        assert [r.status for r in receiver.requests] == [410]  # the second alert is not even tried
        assert not work.subscription(subscription.id).active
        assert work.subscription(subscription.id).disabled_reason == "gone"
        assert sorted(d.status for d in work.deliveries(subscription.id)) == ["failed", "failed"]
        store_alerts(data, make_alert(17, day=date(2026, 3, 30)))
        work.tick()
        assert len(receiver.requests) == 1
        assert [e.action for e in audit.entries()] == ["webhook.created", "webhook.disabled"]
        work.close()


def test_a_subscription_receives_only_alerts_stored_after_it_was_made(data: Path, receiver: WebhookReceiver) -> None:
    store_alerts(data, make_alert(17))
    work = dispatcher(data)
    receiver.secret = work.subscribe(receiver.url, WebhookFilter(), "beheer").secret
    store_alerts(data, make_alert(18))
    work.tick()
    assert [r.webhook_id for r in receiver.wait_for(1)] == ["alert:cross_org:18:2026-03-09"]
    work.close()


def test_restarts_neither_lose_nor_repeat_an_alert(data: Path, receiver: WebhookReceiver) -> None:
    first = dispatcher(data)
    receiver.secret = first.subscribe(receiver.url, WebhookFilter(), "beheer").secret
    store_alerts(data, *(make_alert(17, day=date(2026, 3, d)) for d in (1, 2, 3)))
    first.tick()
    receiver.wait_for(3)
    first.close()

    # While the hub is down, matching stores two more alerts (and one it stored before, which it ignores).
    store_alerts(data, make_alert(17, day=date(2026, 3, 4)), make_alert(18), make_alert(17, day=date(2026, 3, 1)))
    second = dispatcher(data)
    assert second.scan() == 2
    second.close()  # "crashes" after queuing, before delivering

    receiver.fail(1, status=500)
    third = dispatcher(data)
    third.scan()
    for _ in range(40):  # the failed one comes due after its backoff
        third.tick()
        if len(receiver.delivered()) == 5:
            break
        third._stop.wait(0.05)
    third.close()
    delivered = Counter(r.webhook_id for r in receiver.delivered())
    assert sorted(delivered) == sorted(
        [f"alert:cross_org:17:2026-03-0{d}" for d in (1, 2, 3, 4)] + ["alert:cross_org:18:2026-03-09"]
    )
    assert set(delivered.values()) == {1}
    assert all(r.verified for r in receiver.requests)


def test_the_log_names_ids_and_codes_never_urls_or_secrets(
    data: Path, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="hartslag.hub.webhooks")
    work = dispatcher(data)
    subscription = work.subscribe(receiver.url + "?token=geheim-token", WebhookFilter(), "beheer")
    receiver.secret = subscription.secret
    receiver.fail(1, status=500)
    store_alerts(data, make_alert(17))
    work.tick()
    work.close()
    records = [json.dumps(vars(r), default=str) for r in caplog.records if r.name == "hartslag.hub.webhooks"]
    assert records
    for line in records:
        assert subscription.secret not in line and subscription.secret.removeprefix("whsec_") not in line
        assert "geheim-token" not in line and "127.0.0.1" not in line
    assert any(subscription.id in line for line in records)
