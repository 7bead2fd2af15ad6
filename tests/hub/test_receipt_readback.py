# SPDX-License-Identifier: EUPL-1.2
"""``GET /v1/batches/{id}``: an agency reads back its own receipt with a short-lived JWT signed by its own key."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.hub.support import Hub, Response, assert_problem, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as running:
        yield running


@pytest.fixture
def delivered(hub: Hub) -> dict[str, Any]:
    response = hub.post(hub.token(3))
    assert response.status_code == 202
    receipt: dict[str, Any] = response.json()
    return receipt


def read_back(hub: Hub, batch_id: str, token: str | None) -> Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return hub.client.get(f"/v1/batches/{batch_id}", headers=headers)


def unauthorized(response: Response) -> dict[str, Any]:
    body = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    return body


def test_the_agency_reads_back_its_own_receipt(hub: Hub, delivered: dict[str, Any]) -> None:
    response = read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363"))
    assert response.status_code == 200
    assert response.json() == delivered


def test_a_token_of_the_full_five_minutes_is_fine(hub: Hub, delivered: dict[str, Any]) -> None:
    assert read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363", lifetime=300)).status_code == 200


def test_a_token_signed_with_an_es256_key_works_too(hub: Hub) -> None:
    hub.register("GM0599", alg="ES256")
    receipt = hub.post(hub.token(1, "GM0599")).json()
    assert read_back(hub, receipt["batch_id"], hub.agency_jwt("GM0599")).json() == receipt


def test_another_agencys_batch_is_not_found(hub: Hub, delivered: dict[str, Any]) -> None:
    body = assert_problem(read_back(hub, delivered["batch_id"], hub.agency_jwt("UWV")), 404, "not-found")
    assert "GM0363" not in body["detail"]  # not even whose batch it is


def test_an_unknown_batch_is_not_found(hub: Hub) -> None:
    assert_problem(read_back(hub, str(uuid.uuid4()), hub.agency_jwt("GM0363")), 404, "not-found")


def test_no_token_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    unauthorized(read_back(hub, delivered["batch_id"], None))


def test_an_expired_token_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    token = hub.agency_jwt("GM0363", iat=int(time.time()) - 600, lifetime=120)
    unauthorized(read_back(hub, delivered["batch_id"], token))


def test_a_token_living_longer_than_five_minutes_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    unauthorized(read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363", lifetime=301)))


def test_a_token_issued_in_the_future_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    token = hub.agency_jwt("GM0363", iat=int(time.time()) + 600, lifetime=60)
    unauthorized(read_back(hub, delivered["batch_id"], token))


def test_an_hs256_token_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    key = hub.keys["GM0363"]
    now = int(time.time())
    claims = {"iss": "GM0363", "aud": hub.settings.hub_id, "iat": now, "exp": now + 60}
    token = jwt.encode(claims, "a-shared-secret-nobody-agreed-on", algorithm="HS256", headers={"kid": key.kid})
    unauthorized(read_back(hub, delivered["batch_id"], token))


def test_an_unknown_kid_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    stranger, _ = hub.new_key("GM0363")
    unauthorized(read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363", key=stranger)))


def test_a_token_for_another_hub_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    unauthorized(read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363", aud="other-hub")))


def test_a_token_whose_issuer_does_not_own_the_key_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    # UWV's own key, claiming to be GM0363: may not read GM0363's receipts.
    unauthorized(read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363", key=hub.keys["UWV"])))


def test_a_token_of_a_revoked_key_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    token = hub.agency_jwt("GM0363")
    hub.services.registry.revoke_key("GM0363", hub.keys["GM0363"].kid, "test")
    unauthorized(read_back(hub, delivered["batch_id"], token))


def test_a_token_of_a_key_that_is_not_valid_yet_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    # The batch path refuses such a key (key-not-yet-valid); the read-back must not take it either.
    hub.add_key("GM0363", not_before=datetime.now(UTC) + timedelta(hours=1))
    unauthorized(read_back(hub, delivered["batch_id"], hub.agency_jwt("GM0363")))


@pytest.mark.parametrize("iat", ["yesterday", [1], {"t": 1}, float("nan"), float("inf")])
def test_a_token_whose_iat_is_not_a_number_is_401(hub: Hub, delivered: dict[str, Any], iat: Any) -> None:
    key = hub.keys["GM0363"]
    claims = {"iss": "GM0363", "aud": hub.settings.hub_id, "iat": iat, "exp": int(time.time()) + 60}
    token = jwt.encode(claims, key.private_key, algorithm=key.alg, headers={"kid": key.kid})
    unauthorized(read_back(hub, delivered["batch_id"], token))


@pytest.mark.parametrize("missing", ["iss", "aud", "iat", "exp"])
def test_a_token_without_a_required_claim_is_401(hub: Hub, delivered: dict[str, Any], missing: str) -> None:
    key = hub.keys["GM0363"]
    now = int(time.time())
    claims = {"iss": "GM0363", "aud": hub.settings.hub_id, "iat": now, "exp": now + 60}
    del claims[missing]
    token = jwt.encode(claims, key.private_key, algorithm=key.alg, headers={"kid": key.kid})
    unauthorized(read_back(hub, delivered["batch_id"], token))


def test_a_signed_batch_is_no_bearer_token(hub: Hub, delivered: dict[str, Any]) -> None:
    unauthorized(read_back(hub, delivered["batch_id"], hub.token(1).decode()))


def test_garbage_is_401(hub: Hub, delivered: dict[str, Any]) -> None:
    unauthorized(read_back(hub, delivered["batch_id"], "not.a.jwt"))
