# SPDX-License-Identifier: EUPL-1.2
"""``/v1/webhooks`` on a real app, with a real receiver on loopback: create (secret once), read, test, log, delete,
roles, refusals, and the app's own dispatcher delivering a stored alert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.webhooks import TEST_EVENT_TYPE
from matching.findings import Findings
from tests.hub.matching_fixtures import add_pattern, make_alert, matching_state
from tests.hub.support import Hub, assert_problem, open_hub
from tests.hub.webhook_receiver import WebhookReceiver, event_data, running_receiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=()) as running:
        yield running


def create(hub: Hub, url: str, **filters: list[str]) -> dict[str, Any]:
    response = hub.client.post("/v1/webhooks", json={"url": url, **filters}, headers=hub.bearer("beheerder"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_shows_the_secret_once(hub: Hub, receiver: WebhookReceiver) -> None:
    created = create(hub, receiver.url, themes=["afval"], scopes=["landelijk", "regionaal"])
    assert created["secret"].startswith("whsec_")
    assert created["themes"] == ["afval"] and created["scopes"] == ["landelijk", "regionaal"]
    assert created["active"] is True and created["created_by"] == "tester"
    auth = hub.bearer("beheerder")
    listed = hub.client.get("/v1/webhooks", headers=auth)
    one = hub.client.get(f"/v1/webhooks/{created['id']}", headers=auth)
    assert listed.status_code == 200 and one.status_code == 200
    assert [w["id"] for w in listed.json()] == [created["id"]]
    assert one.json() == {k: v for k, v in created.items() if k != "secret"}
    for response in (listed, one):
        assert created["secret"] not in response.text and "secret" not in response.text
    entries = hub.services.audit.entries()
    assert [(e.actor, e.action, e.subject) for e in entries[-1:]] == [
        ("tester", "webhook.created", f"webhook:{created['id']}")
    ]
    assert created["secret"] not in str([e.as_dict() for e in entries])


def test_the_test_endpoint_sends_a_signed_event_now(hub: Hub, receiver: WebhookReceiver) -> None:
    created = create(hub, receiver.url)
    receiver.secret = created["secret"]
    response = hub.client.post(f"/v1/webhooks/{created['id']}/test", headers=hub.bearer("beheerder"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "delivered" and result["event_type"] == TEST_EVENT_TYPE
    assert result["attempts"] == 1 and [a["status_code"] for a in result["log"]] == [204]
    (received,) = receiver.requests
    assert received.verified and received.event is not None
    assert received.event["type"] == TEST_EVENT_TYPE and received.event["id"] == result["event_id"]
    assert "werkt" in event_data(received)["message"]


def test_a_failing_test_is_reported_and_not_retried(hub: Hub, receiver: WebhookReceiver) -> None:
    created = create(hub, receiver.url)
    receiver.secret = created["secret"]
    receiver.fail(5, status=503)
    result = hub.client.post(f"/v1/webhooks/{created['id']}/test", headers=hub.bearer("beheerder")).json()
    assert result["status"] == "failed" and result["last_status_code"] == 503 and result["next_attempt_at"] is None
    hub.app.state.webhooks.tick()  # the background round does not pick it up again
    assert len(receiver.requests) == 1
    log = hub.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=hub.bearer("beheerder")).json()
    assert [(d["event_id"], d["status"], d["attempts"]) for d in log] == [(result["event_id"], "failed", 1)]


def test_an_unreachable_receiver_is_an_error_type_in_the_log(hub: Hub) -> None:
    with running_receiver() as gone:
        url = gone.url  # a port that nobody listens on once this block ends
    created = create(hub, url)
    result = hub.client.post(f"/v1/webhooks/{created['id']}/test", headers=hub.bearer("beheerder")).json()
    assert result["status"] == "failed" and result["log"][0]["status_code"] is None
    assert result["log"][0]["error"] == "ConnectError"


def test_the_apps_dispatcher_delivers_stored_alerts(hub: Hub, receiver: WebhookReceiver) -> None:
    created = create(hub, receiver.url, alert_kinds=["cross_org"])
    receiver.secret = created["secret"]
    state = matching_state(hub.settings.data)
    add_pattern(state, 17, organisations=("GM0363", "UWV"))
    Findings(state).put_alerts([make_alert(17, scope="landelijk"), make_alert(17, kind="emerging")])
    state.close()
    hub.app.state.webhooks.wake()
    (received,) = receiver.wait_for(1)
    assert received.verified and received.webhook_id == "alert:cross_org:17:2026-03-09"
    assert event_data(received)["organisation_kinds"] == ["municipality", "national_agency"]
    log = hub.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=hub.bearer("beheerder")).json()
    assert [(d["event_id"], d["status"]) for d in log] == [("alert:cross_org:17:2026-03-09", "delivered")]


def test_delete_removes_the_subscription(hub: Hub, receiver: WebhookReceiver) -> None:
    created = create(hub, receiver.url)
    auth = hub.bearer("beheerder")
    assert hub.client.delete(f"/v1/webhooks/{created['id']}", headers=auth).status_code == 204
    for method, path in (
        ("GET", f"/v1/webhooks/{created['id']}"),
        ("DELETE", f"/v1/webhooks/{created['id']}"),
        ("POST", f"/v1/webhooks/{created['id']}/test"),
        ("GET", f"/v1/webhooks/{created['id']}/deliveries"),
    ):
        assert_problem(hub.client.request(method, path, headers=auth), 404, "not-found")
    assert hub.client.get("/v1/webhooks", headers=auth).json() == []
    assert hub.services.audit.entries()[-1].action == "webhook.deleted"


@pytest.mark.parametrize(
    "url", ["ftp://example.nl/hook", "file:///etc/passwd", "javascript:alert(1)", "/v1/webhooks", "gopher://x"]
)
def test_only_http_and_https_urls_are_accepted(hub: Hub, url: str) -> None:
    response = hub.client.post("/v1/webhooks", json={"url": url}, headers=hub.bearer("beheerder"))
    assert_problem(response, 422, "invalid-webhook-url")
    assert hub.client.get("/v1/webhooks", headers=hub.bearer("beheerder")).json() == []


@pytest.mark.parametrize(
    "filters", [{"themes": ["vuilnis"]}, {"scopes": ["overal"]}, {"organisation_kinds": ["x"]}, {"alert_kinds": ["y"]}]
)
def test_unknown_filter_values_are_refused(hub: Hub, filters: dict[str, list[str]]) -> None:
    body = {"url": "https://example.nl/hook", **filters}
    assert_problem(
        hub.client.post("/v1/webhooks", json=body, headers=hub.bearer("beheerder")), 422, "invalid-webhook-filter"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/webhooks"),
        ("GET", "/v1/webhooks"),
        ("GET", "/v1/webhooks/abc"),
        ("DELETE", "/v1/webhooks/abc"),
        ("POST", "/v1/webhooks/abc/test"),
        ("GET", "/v1/webhooks/abc/deliveries"),
    ],
)
def test_only_beheerders_manage_webhooks(hub: Hub, method: str, path: str) -> None:
    body = {"url": "https://example.nl/hook"} if method == "POST" and path == "/v1/webhooks" else None
    assert_problem(hub.client.request(method, path, json=body), 401, "unauthorized")
    for role in ("analist", "werkgroep"):
        response = hub.client.request(method, path, json=body, headers=hub.bearer(role))
        assert_problem(response, 403, "forbidden")
