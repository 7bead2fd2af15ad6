# SPDX-License-Identifier: EUPL-1.2
"""The HTTP transport's mapping of answers: receipts, problem documents, Retry-After, and the scheme table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from connectors.http_transport import CONTENT_TYPE, HttpTransport, parse_retry_after
from connectors.receipts import InvalidReceiptError, Receipt
from connectors.transport import BatchRefused, ReceiverBusyError, TransportUnavailableError, open_transport
from governance.errors import InvalidInputError, RetriableError

RECEIPT = Receipt(batch_id="5f0c3a71-2b9e-4d6a-8c14-9e7b3d2a1f60", received_at=datetime.now(UTC), accepted=3)


def transport_answering(response: httpx.Response | Exception, seen: list[httpx.Request]) -> HttpTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(response, Exception):
            raise response
        return response

    return HttpTransport("http://hub.test/", client=httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize(("status", "replayed"), [(202, False), (200, True)])
def test_a_receipt_comes_back_and_the_token_goes_out_untouched(status: int, replayed: bool) -> None:
    seen: list[httpx.Request] = []
    receipt = transport_answering(httpx.Response(status, content=RECEIPT.to_json()), seen).send("GM0363", b"a.b.c")
    assert receipt == RECEIPT and receipt.replayed is replayed
    (request,) = seen
    assert request.url == "http://hub.test/v1/batches" and request.method == "POST"
    assert request.headers["content-type"] == CONTENT_TYPE and request.content == b"a.b.c"


@pytest.mark.parametrize("status", [400, 401, 403, 409, 413, 415, 422])
def test_other_4xx_answers_are_permanent_refusals_with_the_problem_code(status: int) -> None:
    problem = {"type": "https://standaard.hartslag.nl/problems/expired", "status": status, "detail": "too late"}
    response = httpx.Response(status, json=problem, headers={"Content-Type": "application/problem+json"})
    with pytest.raises(BatchRefused) as refused:
        transport_answering(response, []).send("GM0363", b"a.b.c")
    assert (refused.value.code, refused.value.status, refused.value.detail) == ("expired", status, "too late")
    assert isinstance(refused.value, InvalidInputError)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_busy_answers_are_retriable_and_carry_retry_after(status: int) -> None:
    response = httpx.Response(status, headers={"Retry-After": "7"})
    with pytest.raises(ReceiverBusyError) as busy:
        transport_answering(response, []).send("GM0363", b"a.b.c")
    assert busy.value.retry_after == 7 and isinstance(busy.value, RetriableError)


def test_no_answer_is_retriable() -> None:
    with pytest.raises(TransportUnavailableError):
        transport_answering(httpx.ConnectError("refused"), []).send("GM0363", b"a.b.c")


def test_a_2xx_that_is_no_receipt_is_retriable() -> None:
    with pytest.raises(InvalidReceiptError):
        transport_answering(httpx.Response(202, content=b"ok"), []).send("GM0363", b"a.b.c")
    with pytest.raises(InvalidReceiptError):
        transport_answering(httpx.Response(202, json={"batch_id": "x"}), []).send("GM0363", b"a.b.c")


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 6, 3, 5, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 30
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_the_scheme_picks_the_transport() -> None:
    assert isinstance(open_transport("https://hub.example.nl"), HttpTransport)
    for url in ("ftp://hub", "hub.example.nl", "http://"):
        with pytest.raises(InvalidInputError):
            open_transport(url)


def test_receipts_round_trip_through_json() -> None:
    doc = json.loads(RECEIPT.to_json())
    assert {"batch_id", "agency", "received_at", "sha256", "accepted", "duplicate", "rejected"} <= set(doc)
    assert Receipt.from_dict(doc) == RECEIPT
