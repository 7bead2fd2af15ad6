# SPDX-License-Identifier: EUPL-1.2
"""``/v1/admin``: the admin token guards the registry API; every change it makes is recorded with actor and time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.keys import jwk_thumbprint
from tests.hub.support import ADMIN_TOKEN, Hub, assert_problem, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=()) as running:
        yield running


def _agency_body(hub: Hub, code: str = "GM0363", **overrides: Any) -> dict[str, Any]:
    _, jwks = hub.new_key(code)
    return {"code": code, "name": "Gemeente Amsterdam", "kind": "municipality", "jwks": jwks, **overrides}


# the admin token -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/admin/agencies", "/v1/admin/agencies/GM0363", "/v1/admin/stats"])
def test_no_bearer_token_is_401(hub: Hub, path: str) -> None:
    response = hub.admin("GET", path, token=None)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_another_scheme_than_bearer_is_401(hub: Hub) -> None:
    response = hub.client.get("/v1/admin/agencies", headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert_problem(response, 401, "unauthorized")


def test_a_wrong_token_is_403_and_changes_nothing(hub: Hub) -> None:
    response = hub.admin("POST", "/v1/admin/agencies", token="not-the-admin-token", json=_agency_body(hub))
    assert_problem(response, 403, "forbidden", secrets=[ADMIN_TOKEN])
    assert hub.storage.list_agencies() == [] and hub.storage.registry_changes() == []


def test_without_a_configured_admin_token_every_token_is_403(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=(), admin_token=None) as closed:
        for token in (ADMIN_TOKEN, "None", "null", "undefined"):
            assert_problem(closed.admin("GET", "/v1/admin/agencies", token=token), 403, "forbidden")
        assert_problem(closed.admin("GET", "/v1/admin/agencies", token=None), 401, "unauthorized")


# agencies --------------------------------------------------------------------------------------------------------
def test_adding_an_agency_returns_201_and_records_who_and_when(hub: Hub) -> None:
    before = datetime.now(UTC)
    body = _agency_body(hub)
    response = hub.admin("POST", "/v1/admin/agencies", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    kid = body["jwks"]["keys"][0]["kid"]
    assert {k: created[k] for k in ("code", "name", "kind", "status")} == {
        "code": "GM0363",
        "name": "Gemeente Amsterdam",
        "kind": "municipality",
        "status": "active",
    }
    assert [(k["kid"], k["status"], k["revoked_at"]) for k in created["keys"]] == [(kid, "active", None)]
    changes = hub.storage.registry_changes("GM0363")
    assert [(c.event, c.actor) for c in changes] == [("agency_added", "admin-api"), ("key_added", "admin-api")]
    assert all(before <= c.at <= datetime.now(UTC) for c in changes)
    assert changes[1].details == {"kid": kid}


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"code": "GM9999"}, "not in the code list"),
        ({"code": "ACME"}, "not in the code list"),
        ({"kind": "company"}, "not an organisation kind"),
    ],
)
def test_a_code_or_kind_outside_the_code_lists_is_a_400_problem(hub: Hub, overrides: dict[str, Any], why: str) -> None:
    response = hub.admin("POST", "/v1/admin/agencies", json=_agency_body(hub, **overrides))
    assert_problem(response, 400, "invalid-input")
    assert hub.storage.list_agencies() == [], why


def test_registering_an_agency_twice_is_a_400_problem(hub: Hub) -> None:
    assert hub.admin("POST", "/v1/admin/agencies", json=_agency_body(hub)).status_code == 201
    again = hub.admin("POST", "/v1/admin/agencies", json=_agency_body(hub))
    body = assert_problem(again, 400, "invalid-input")
    assert "already registered" in body["detail"]
    assert len(hub.storage.keys_of("GM0363")) == 1


def test_a_jwk_set_with_a_private_part_is_a_400_problem_and_never_echoed(hub: Hub) -> None:
    body = _agency_body(hub)
    private_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    body["jwks"]["keys"][0]["d"] = private_d
    response = hub.admin("POST", "/v1/admin/agencies", json=body)
    assert_problem(response, 400, "invalid-input", secrets=[private_d])
    assert hub.storage.list_agencies() == []


def test_a_kid_that_is_not_the_thumbprint_is_a_400_problem(hub: Hub) -> None:
    body = _agency_body(hub)
    body["jwks"]["keys"][0]["kid"] = "my-own-key-name"
    assert_problem(hub.admin("POST", "/v1/admin/agencies", json=body), 400, "invalid-input")
    assert hub.storage.list_agencies() == []


@pytest.mark.parametrize(
    "jwks",
    [{"keys": []}, {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}, {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}],
    ids=["empty", "rsa", "symmetric"],
)
def test_empty_or_unsupported_key_sets_are_refused(hub: Hub, jwks: dict[str, Any]) -> None:
    response = hub.admin("POST", "/v1/admin/agencies", json=_agency_body(hub, jwks=jwks))
    assert response.status_code in {400, 422}
    assert_problem(
        response, response.status_code, "invalid-input" if response.status_code == 400 else "request-invalid"
    )
    assert hub.storage.list_agencies() == []


def test_an_unknown_member_in_the_body_is_a_422_problem(hub: Hub) -> None:
    response = hub.admin("POST", "/v1/admin/agencies", json={**_agency_body(hub), "role": "superuser"})
    assert_problem(response, 422, "request-invalid")


def test_list_and_get(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    hub.register("UWV", via="api")
    listed = hub.admin("GET", "/v1/admin/agencies")
    assert listed.status_code == 200
    assert [a["code"] for a in listed.json()] == ["GM0363", "UWV"]
    one = hub.admin("GET", "/v1/admin/agencies/UWV")
    assert one.status_code == 200
    assert one.json()["kind"] == "national_agency"
    assert one.json()["keys"][0]["kid"] == hub.keys["UWV"].kid


def test_an_unknown_agency_is_404(hub: Hub) -> None:
    assert_problem(hub.admin("GET", "/v1/admin/agencies/GM0599"), 404, "not-found")
    assert_problem(hub.admin("PATCH", "/v1/admin/agencies/GM0599", json={"status": "suspended"}), 404, "not-found")
    _, jwks = hub.new_key("GM0599")
    assert_problem(hub.admin("POST", "/v1/admin/agencies/GM0599/keys", json=jwks), 404, "not-found")


def test_suspend_and_resume_via_patch(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    suspended = hub.admin("PATCH", "/v1/admin/agencies/GM0363", json={"status": "suspended"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert hub.post(hub.token(1)).status_code == 403
    resumed = hub.admin("PATCH", "/v1/admin/agencies/GM0363", json={"status": "active"})
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert hub.post(hub.token(1)).status_code == 202
    assert_problem(hub.admin("PATCH", "/v1/admin/agencies/GM0363", json={"status": "deleted"}), 422, "request-invalid")
    events = [(c.event, c.actor) for c in hub.storage.registry_changes("GM0363")]
    assert events[-2:] == [("agency_suspended", "admin-api"), ("agency_resumed", "admin-api")]


def test_add_retire_and_revoke_keys(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    old = hub.keys["GM0363"]
    new_key, jwks = hub.new_key("GM0363")
    added = hub.admin("POST", "/v1/admin/agencies/GM0363/keys", json=jwks)
    assert added.status_code == 201, added.text
    assert {k["kid"]: k["status"] for k in added.json()["keys"]} == {old.kid: "active", new_key.kid: "active"}

    retired = hub.admin("PATCH", f"/v1/admin/agencies/GM0363/keys/{old.kid}", json={"status": "retiring"})
    assert retired.status_code == 200
    assert {k["kid"]: k["status"] for k in retired.json()["keys"]}[old.kid] == "retiring"

    revoked = hub.admin("PATCH", f"/v1/admin/agencies/GM0363/keys/{old.kid}", json={"status": "revoked"})
    assert revoked.status_code == 200
    entry = next(k for k in revoked.json()["keys"] if k["kid"] == old.kid)
    assert entry["status"] == "revoked" and datetime.fromisoformat(entry["revoked_at"]).tzinfo is not None
    assert hub.post(hub.signer("GM0363", key=old).sign(hub.signals(1)).token).status_code == 401
    assert hub.post(hub.signer("GM0363", key=new_key).sign(hub.signals(1)).token).status_code == 202

    again = hub.admin("PATCH", f"/v1/admin/agencies/GM0363/keys/{old.kid}", json={"status": "retiring"})
    assert_problem(again, 400, "invalid-input")
    assert_problem(
        hub.admin("PATCH", "/v1/admin/agencies/GM0363/keys/no-such-kid", json={"status": "revoked"}), 404, "not-found"
    )
    changes = hub.storage.registry_changes("GM0363")
    assert [c.event for c in changes] == ["agency_added", "key_added", "key_added", "key_retired", "key_revoked"]
    assert {c.actor for c in changes} == {"admin-api"}
    assert [c.details.get("kid") for c in changes[1:]] == [old.kid, new_key.kid, old.kid, old.kid]
    assert all(c.at.tzinfo is not None for c in changes)


def test_a_key_of_another_agency_cannot_be_changed_through_this_agency(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    hub.register("UWV", via="api")
    uwv_kid = hub.keys["UWV"].kid
    response = hub.admin("PATCH", f"/v1/admin/agencies/GM0363/keys/{uwv_kid}", json={"status": "revoked"})
    assert_problem(response, 404, "not-found")
    assert hub.storage.get_key(uwv_kid) is not None
    assert hub.storage.get_key(uwv_kid).status.value == "active"  # type: ignore[union-attr]


def test_a_key_already_registered_cannot_be_added_again(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _x_of(hub, "GM0363")}
    assert jwk_thumbprint(jwk) == hub.keys["GM0363"].kid
    assert_problem(hub.admin("POST", "/v1/admin/agencies/GM0363/keys", json={"keys": [jwk]}), 400, "invalid-input")


def _x_of(hub: Hub, code: str) -> str:
    key = hub.storage.get_key(hub.keys[code].kid)
    assert key is not None
    return str(key.jwk["x"])


def test_stats(hub: Hub) -> None:
    hub.register("GM0363", via="api")
    hub.post(hub.token(3))
    hub.post(b"garbage", "application/jose")
    response = hub.admin("GET", "/v1/admin/stats")
    assert response.status_code == 200
    assert response.json() == {"agencies": 1, "batches": 1, "signals": 3, "refusals": {"malformed-jws": 1}}
