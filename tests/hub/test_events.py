# SPDX-License-Identifier: EUPL-1.2
"""``POST /v1/events``: signed batches as CloudEvents 1.0, with the CloudEvents SDK as the client.

The SDK (``cloudevents`` 2.x, its ``cloudevents.core`` API) builds the events and the HTTP messages in structured,
binary and batch mode; the hub must take each through the same acceptance path as ``/v1/batches``. The attributes
follow the NL GOV CloudEvents profile: ``source`` names the agency's connector by OIN as a URN.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from hub.routes.events import EVENT_TYPE
from tests.hub.support import Hub, Response, assert_problem, open_hub

SOURCE = "urn:nld:oin:00000001234567890000:hartslag-connector"
FORMAT = JSONFormat()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as running:
        yield running


def cloud_event(data: bytes | str, **attributes: Any) -> CloudEvent:
    """A batch-published event carrying ``data`` (the compact JWS, as text or bytes)."""
    base = {"type": EVENT_TYPE, "source": SOURCE, "datacontenttype": "application/jose", "subject": "GM0363"}
    return CloudEvent({**base, **attributes}, data)


def send(hub: Hub, message: HTTPMessage) -> Response:
    return hub.client.post("/v1/events", content=message.body, headers=message.headers)


def structured_dict(event: CloudEvent) -> dict[str, Any]:
    """The structured-mode JSON of an event as a dict (to edit attributes the SDK would not let us drop)."""
    document: dict[str, Any] = json.loads(FORMAT.write(event))
    return document


def send_structured(hub: Hub, document: dict[str, Any]) -> Response:
    headers = {"Content-Type": "application/cloudevents+json"}
    return hub.client.post("/v1/events", content=json.dumps(document).encode(), headers=headers)


def test_structured_mode_with_the_jws_as_text_is_accepted(hub: Hub) -> None:
    signed = hub.signers["GM0363"].sign(hub.signals(3))
    message = to_structured(cloud_event(signed.token.decode("ascii")), FORMAT)
    assert message.headers["content-type"] == "application/cloudevents+json"
    response = send(hub, message)
    assert response.status_code == 202, response.text
    receipt = response.json()
    assert (receipt["batch_id"], receipt["accepted"]) == (signed.jti, 3)
    assert receipt["sha256"] == hashlib.sha256(signed.token).hexdigest()
    assert hub.counts() == (3, 1)


def test_structured_mode_with_the_jws_as_bytes_travels_as_data_base64(hub: Hub) -> None:
    signed = hub.signers["GM0363"].sign(hub.signals(2))
    message = to_structured(cloud_event(signed.token), FORMAT)
    assert "data_base64" in json.loads(message.body)
    response = send(hub, message)
    assert response.status_code == 202, response.text
    assert response.json()["sha256"] == hashlib.sha256(signed.token).hexdigest()


def test_binary_mode_carries_the_jws_as_the_body(hub: Hub) -> None:
    signed = hub.signers["GM0363"].sign(hub.signals(4))
    message = to_binary(cloud_event(signed.token), FORMAT)
    assert message.headers["content-type"] == "application/jose"
    assert message.headers["ce-type"] == EVENT_TYPE and "ce-id" in message.headers
    assert message.body == signed.token
    response = send(hub, message)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 4
    assert hub.counts() == (4, 1)


def test_the_same_event_again_is_a_replay(hub: Hub) -> None:
    message = to_binary(cloud_event(hub.token(2)), FORMAT)
    first = send(hub, message)
    again = send(hub, message)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {**first.json(), "replayed": True}
    assert hub.counts() == (2, 1)


def test_batch_mode_answers_one_result_per_event(hub: Hub) -> None:
    good = hub.signers["GM0363"].sign(hub.signals(2))
    forged_token = hub.token(2)
    head, payload, signature = forged_token.split(b".")
    forged = b".".join((head, payload[:-8] + (b"AAAAAAAA" if payload[-8:] != b"AAAAAAAA" else b"BBBBBBBB"), signature))
    events = [cloud_event(good.token.decode()), cloud_event(forged.decode()), cloud_event(good.token.decode())]
    body = json.dumps([structured_dict(e) for e in events]).encode()
    headers = {"Content-Type": "application/cloudevents-batch+json"}
    response = hub.client.post("/v1/events", content=body, headers=headers)
    assert response.status_code == 207, response.text
    results = response.json()
    assert [r["id"] for r in results] == [e.get_id() for e in events]
    assert [r["status"] for r in results] == [202, 401, 200]
    assert results[0]["receipt"]["batch_id"] == good.jti and results[0]["receipt"]["accepted"] == 2
    assert results[1]["problem"]["code"] == "bad-signature" and "receipt" not in results[1]
    assert results[2]["receipt"]["replayed"] is True
    assert hub.counts() == (2, 1)
    assert hub.refusals()["bad-signature"] == 1


def test_batch_mode_refuses_a_bad_event_among_good_ones_by_itself(hub: Hub) -> None:
    good = structured_dict(cloud_event(hub.token(1)))
    wrong_type = structured_dict(cloud_event(hub.token(1), type="nl.hartslag.batch.deleted"))
    body = json.dumps([wrong_type, good, "not an event"]).encode()
    response = hub.client.post(
        "/v1/events", content=body, headers={"Content-Type": "application/cloudevents-batch+json"}
    )
    assert response.status_code == 207
    assert [(r["status"], r.get("problem", {}).get("code")) for r in response.json()] == [
        (400, "invalid-cloudevent"),
        (202, None),
        (400, "invalid-cloudevent"),
    ]
    assert hub.counts() == (1, 1)
    assert hub.refusals()["invalid-cloudevent"] == 2


def test_a_refused_batch_inside_an_event_has_the_batch_refusals_problem(hub: Hub) -> None:
    signals = hub.signals(2)
    expired = hub.signers["GM0363"].sign(signals, now=1_700_000_000)
    response = send(hub, to_structured(cloud_event(expired.token.decode()), FORMAT))
    assert_problem(response, 401, "expired", secrets=[s["text"] for s in signals])
    assert hub.counts() == (0, 0)


def _refused_event(hub: Hub, response: Response, status: int, code: str) -> None:
    assert_problem(response, status, code)
    assert hub.counts() == (0, 0)
    assert hub.refusals()[code] == 1


def test_an_event_of_another_type_is_refused(hub: Hub) -> None:
    message = to_structured(cloud_event(hub.token(1).decode(), type="nl.hartslag.signal.published"), FORMAT)
    _refused_event(hub, send(hub, message), 400, "invalid-cloudevent")


def test_an_event_without_an_id_is_refused(hub: Hub) -> None:
    document = structured_dict(cloud_event(hub.token(1).decode()))
    del document["id"]
    _refused_event(hub, send_structured(hub, document), 400, "invalid-cloudevent")


def test_a_binary_event_without_an_id_is_refused(hub: Hub) -> None:
    message = to_binary(cloud_event(hub.token(1)), FORMAT)
    headers = {k: v for k, v in message.headers.items() if k != "ce-id"}
    response = hub.client.post("/v1/events", content=message.body, headers=headers)
    _refused_event(hub, response, 400, "invalid-cloudevent")


def test_an_event_with_another_datacontenttype_is_refused(hub: Hub) -> None:
    message = to_structured(cloud_event(hub.token(1).decode(), datacontenttype="text/plain"), FORMAT)
    _refused_event(hub, send(hub, message), 400, "invalid-cloudevent")


def test_an_event_of_another_specversion_is_refused(hub: Hub) -> None:
    document = {**structured_dict(cloud_event(hub.token(1).decode())), "specversion": "0.3"}
    _refused_event(hub, send_structured(hub, document), 400, "invalid-cloudevent")


def test_an_event_without_data_is_refused(hub: Hub) -> None:
    document = structured_dict(cloud_event(hub.token(1).decode()))
    del document["data"]
    _refused_event(hub, send_structured(hub, document), 400, "invalid-cloudevent")


def test_a_structured_body_that_is_not_json_is_refused(hub: Hub) -> None:
    response = hub.client.post(
        "/v1/events", content=b"{not json", headers={"Content-Type": "application/cloudevents+json"}
    )
    _refused_event(hub, response, 400, "invalid-cloudevent")


def test_a_body_that_is_no_cloudevent_at_all_is_an_unsupported_media_type(hub: Hub) -> None:
    response = hub.client.post("/v1/events", content=hub.token(1), headers={"Content-Type": "application/jose"})
    _refused_event(hub, response, 415, "unsupported-media-type")


def test_an_event_body_above_the_limit_is_refused(tmp_path: Path) -> None:
    with open_hub(tmp_path, max_body_bytes=1024) as small:
        message = to_structured(cloud_event(small.token(10).decode()), FORMAT)
        assert len(message.body) > 1024
        _refused_event(small, send(small, message), 413, "body-too-large")
