# SPDX-License-Identifier: EUPL-1.2
"""Alerts out, without the network: filters, URLs, the CloudEvent, Standard Webhooks signatures and the backoff
schedule (driven by an injected clock)."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from hub.alert_feed import AlertFeed
from hub.webhook_dispatcher import SendResult, WebhookDispatcher
from hub.webhook_store import WebhookStore
from hub.webhooks import (
    ALERT_EVENT_TYPE,
    AlertView,
    InvalidWebhookFilterError,
    InvalidWebhookUrlError,
    RetryPolicy,
    WebhookFilter,
    alert_event,
    check_url,
    encode_event,
    new_secret,
    public_explanation,
    signed_headers,
)
from matching.findings import Findings
from tests.hub.matching_fixtures import add_pattern, make_alert, matching_state

SOURCE = "urn:hartslag:hub:hub-test"
MOMENT = datetime(2026, 3, 9, 10, tzinfo=UTC)


def view(**overrides: object) -> AlertView:
    values: dict[str, object] = {
        "kind": "cross_org",
        "pattern_id": 17,
        "detected_on": date(2026, 3, 9),
        "label": "container, geleegd",
        "scope": "regionaal",
        "explanation": "Gemeld bij 3 organisaties (3 gemeenten); 2,5× het normale niveau (42 signalen, 16,8 verwacht).",
        "score": 7.51234,
        "themes": ("afval", "openbare-ruimte"),
        "organisation_kinds": ("municipality",),
    }
    values.update(overrides)
    return AlertView(**values)  # type: ignore[arg-type]


# --- filters -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (WebhookFilter(), True),
        (WebhookFilter(themes=frozenset({"afval"})), True),
        (WebhookFilter(themes=frozenset({"parkeren", "openbare-ruimte"})), True),
        (WebhookFilter(themes=frozenset({"parkeren"})), False),
        (WebhookFilter(scopes=frozenset({"regionaal", "landelijk"})), True),
        (WebhookFilter(scopes=frozenset({"lokaal"})), False),
        (WebhookFilter(organisation_kinds=frozenset({"municipality"})), True),
        (WebhookFilter(organisation_kinds=frozenset({"national_agency"})), False),
        (WebhookFilter(alert_kinds=frozenset({"cross_org"})), True),
        (WebhookFilter(alert_kinds=frozenset({"emerging"})), False),
        (WebhookFilter(frozenset({"afval"}), frozenset({"regionaal"}), frozenset({"municipality"})), True),
        (WebhookFilter(frozenset({"afval"}), frozenset({"landelijk"}), frozenset({"municipality"})), False),
    ],
)
def test_a_filter_lets_through_what_matches_every_part(chosen: WebhookFilter, expected: bool) -> None:
    assert chosen.matches(view()) is expected


def test_filters_are_checked_against_the_code_lists() -> None:
    made = WebhookFilter.of(["afval"], ["landelijk"], ["national_agency"], ["emerging", "policy_effect"])
    assert WebhookFilter.from_json(made.as_json()) == made
    for bad in (
        {"themes": ["vuilnis"]},
        {"scopes": ["nationaal"]},
        {"organisation_kinds": ["ministry"]},
        {"alert_kinds": ["spike"]},
    ):
        with pytest.raises(InvalidWebhookFilterError) as refused:
            WebhookFilter.of(**bad)
        assert refused.value.code == "invalid-webhook-filter"


@pytest.mark.parametrize("url", ["https://signalen.example.nl/hook", "http://127.0.0.1:8080/x?y=1"])
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.nl/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "/relative/path",
        "https://",
        "example.nl/hook",
        "https://user:pw@example.nl/hook",
        "https://example.nl:notaport/",
        "https://example.nl/a b",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidWebhookUrlError) as refused:
        check_url(url)
    assert refused.value.code == "invalid-webhook-url"


# --- the event -----------------------------------------------------------------------------------------------------


def test_an_alert_becomes_a_structured_cloudevent() -> None:
    event = alert_event(view(), SOURCE, MOMENT)
    assert {k: event[k] for k in ("specversion", "type", "source", "subject", "datacontenttype")} == {
        "specversion": "1.0",
        "type": ALERT_EVENT_TYPE,
        "source": SOURCE,
        "subject": "17",
        "datacontenttype": "application/json",
    }
    assert datetime.fromisoformat(event["time"]) == MOMENT
    assert event["id"] == "alert:cross_org:17:2026-03-09"
    assert event["data"] == {
        "alert_kind": "cross_org",
        "pattern_id": 17,
        "label": "container, geleegd",
        "scope": "regionaal",
        "explanation": view().explanation,
        "score": 7.512,
        "detected_on": "2026-03-09",
        "themes": ["afval", "openbare-ruimte"],
        "organisation_kinds": ["municipality"],
    }


def test_the_event_id_is_stable_per_alert_and_differs_between_alerts() -> None:
    first = alert_event(view(), SOURCE, MOMENT)
    later = alert_event(view(), SOURCE, MOMENT + timedelta(hours=3))
    assert first["id"] == later["id"]
    others = {alert_event(view(**change), SOURCE, MOMENT)["id"] for change in (
        {"kind": "emerging"}, {"pattern_id": 18}, {"detected_on": date(2026, 3, 10)},
    )}  # fmt: skip
    assert len(others) == 3 and first["id"] not in others


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("3,0× het normale niveau (7 signalen, 4,2 verwacht).", "3,0× het normale niveau (minder dan 10 signalen)."),
        ("(42 signalen, 16,8 verwacht).", "(42 signalen, 16,8 verwacht)."),
        ("(12 signalen, 9,9 verwacht).", "(12 signalen, 9,9 verwacht)."),  # a model's value, no count
        (
            "Plotselinge toename: 9 signalen op 12 maart, waar 1,5 verwacht werd",
            "minder dan 10 signalen op 12 maart, waar minder verwacht werd",
        ),
        ("Gemeld bij 1 organisatie (UWV); 1 signaal.", "Gemeld bij 1 organisatie (UWV); minder dan 10 signaal."),
        ("2,5× het normale niveau sinds 2 maart", "2,5× het normale niveau sinds 2 maart"),
    ],
)
def test_no_count_below_ten_leaves_in_an_explanation(text: str, shown: str) -> None:
    assert shown in public_explanation(text)


def test_the_event_data_carries_the_public_explanation() -> None:
    small = view(explanation="Gemeld bij 2 organisaties; 3,0× het normale niveau (6 signalen, 2,0 verwacht).")
    data = alert_event(small, SOURCE, MOMENT)["data"]
    assert "6 signalen" not in data["explanation"] and "minder dan 10 signalen" in data["explanation"]
    assert "2,0 verwacht" not in data["explanation"]  # with the ratio it would give the count back


def test_the_hubs_threshold_governs_the_explanation() -> None:
    text = "Gemeld bij 3 organisaties; 2,0× het normale niveau (18 signalen, 9,0 verwacht)."
    assert "18 signalen" in alert_event(view(explanation=text), SOURCE, MOMENT)["data"]["explanation"]
    raised = alert_event(view(explanation=text), SOURCE, MOMENT, threshold=25)["data"]["explanation"]
    assert "18 signalen" not in raised and "minder dan 25 signalen" in raised


# --- signatures ----------------------------------------------------------------------------------------------------


def test_secrets_are_fresh_standard_webhooks_secrets() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def test_signed_headers_verify_with_the_standard_webhooks_package() -> None:
    secret = new_secret()
    body = encode_event(alert_event(view(), SOURCE, MOMENT))
    now = datetime.now(UTC)
    headers = signed_headers(secret, "alert:cross_org:17:2026-03-09", now, body)
    assert headers["webhook-id"] == "alert:cross_org:17:2026-03-09"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["content-type"].startswith("application/cloudevents+json")
    assert Webhook(secret).verify(body, headers)["id"] == "alert:cross_org:17:2026-03-09"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"regionaal", b"landelijk"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    stale = signed_headers(secret, "x", now - timedelta(minutes=10), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale)


# --- backoff -------------------------------------------------------------------------------------------------------


def test_the_backoff_grows_exponentially_up_to_its_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(base=timedelta(seconds=5), factor=3, max_delay=timedelta(minutes=10), jitter=0.2)
    nominal = [policy.delay(n, lambda: 0.0).total_seconds() for n in range(1, 7)]
    assert nominal == [5, 15, 45, 135, 405, 600]
    for n in range(1, 7):
        shortest = policy.delay(n, lambda: 0.999999).total_seconds()
        assert nominal[n - 1] * 0.8 <= shortest < nominal[n - 1]
    assert not policy.gives_up(9) and policy.gives_up(10)


class Clock:
    """A clock that only moves when told."""

    def __init__(self) -> None:
        self.now = MOMENT

    def __call__(self) -> datetime:
        return self.now


class Failing:
    """A sender whose receiver answers 503 every time; it notes when it was called."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls: list[datetime] = []

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.calls.append(self.clock())
        return SendResult(503, None, 1.0)


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    state = matching_state(tmp_path)
    add_pattern(state, 17)
    state.close()
    yield tmp_path


def test_retries_follow_the_schedule_on_an_injected_clock(data: Path) -> None:
    clock = Clock()
    sender = Failing(clock)
    policy = RetryPolicy(base=timedelta(seconds=5), factor=2, max_delay=timedelta(seconds=60), max_attempts=6)
    dispatcher = WebhookDispatcher(
        WebhookStore(data / "webhooks.db"), AlertFeed(data / "matching"), source=SOURCE, sender=sender,
        policy=policy, clock=clock, rng=lambda: 0.5,
    )  # fmt: skip
    subscription = dispatcher.subscribe("https://example.nl/hook", WebhookFilter(), "beheer")
    state = matching_state(data)
    Findings(state).put_alerts([make_alert(17)])
    state.close()
    assert dispatcher.scan() == 1
    # 5 s doubling, capped at 60 s; rng 0.5 with jitter 0.2 shortens each wait by 10 %
    expected_waits = [min(60.0, 5.0 * 2**k) * 0.9 for k in range(5)]
    assert expected_waits == [4.5, 9.0, 18.0, 36.0, 54.0]
    for wait in expected_waits:
        dispatcher.tick()
        clock.now += timedelta(seconds=wait - 0.001)
        dispatcher.tick()  # not due yet: nothing is sent
        clock.now += timedelta(seconds=0.001)
    dispatcher.tick()  # the sixth and last attempt
    dispatcher.tick()
    waits = [(b - a).total_seconds() for a, b in zip(sender.calls, sender.calls[1:], strict=False)]
    assert waits == pytest.approx(expected_waits)
    (delivery,) = dispatcher.deliveries(subscription.id)
    assert delivery.status == "failed" and delivery.attempts == 6 and delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.log] == [503] * 6
    assert [a.number for a in delivery.log] == [1, 2, 3, 4, 5, 6]
    dispatcher.close()
