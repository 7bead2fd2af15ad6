# SPDX-License-Identifier: EUPL-1.2
"""The agency registry: codes from the standard's code lists, key statuses and windows, and a recorded history."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.keys import public_jwk, write_keypair
from governance.errors import InvalidInputError, NotFoundError
from hub.records import AgencyKey, AgencyStatus, KeyStatus
from hub.registry import AgencyExistsError, InvalidKeyError, Registry, UnknownAgencyError
from hub.storage import Storage, open_storage

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the registry."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = open_storage(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(storage: Storage, clock: Clock) -> Registry:
    return Registry(storage, clock)


class Keys:
    """Fresh public JWK sets, each from a real key pair."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0

    def jwks(self, alg: str = "EdDSA") -> dict[str, Any]:
        self.made += 1
        pair = write_keypair("GM0363", self.folder / str(self.made), alg=alg)
        jwks: dict[str, Any] = json.loads(pair.jwks.read_text(encoding="utf-8"))
        return jwks


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path / "keys")


def _kid(jwks: dict[str, Any]) -> str:
    return str(jwks["keys"][0]["kid"])


# codes -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("GM0363", "municipality"),
        ("NIS44021", "flemish_local_government"),
        ("UWV", "national_agency"),
        ("BD-TOESLAGEN", "national_agency"),
    ],
)
def test_codes_from_the_code_lists_are_registered(registry: Registry, keys: Keys, code: str, kind: str) -> None:
    agency = registry.add_agency(code, code, kind, keys.jwks(), "op")
    assert (agency.code, agency.kind, agency.status, agency.created_at) == (code, kind, AgencyStatus.ACTIVE, T0)
    assert registry.agency(code) == agency


@pytest.mark.parametrize("code", ["GM9999", "gm0363", "ACME", "NIS99999", "", "GM0363 "])
def test_codes_outside_the_code_lists_are_refused(registry: Registry, storage: Storage, keys: Keys, code: str) -> None:
    with pytest.raises(InvalidInputError):
        registry.add_agency(code, "x", "municipality", keys.jwks(), "op")
    assert storage.list_agencies() == [] and storage.registry_changes() == []


def test_a_kind_outside_the_code_list_is_refused(registry: Registry, storage: Storage, keys: Keys) -> None:
    with pytest.raises(InvalidInputError):
        registry.add_agency("GM0363", "x", "company", keys.jwks(), "op")
    assert storage.list_agencies() == []


def test_an_agency_is_registered_once(registry: Registry, keys: Keys) -> None:
    registry.add_agency("GM0363", "x", "municipality", keys.jwks(), "op")
    with pytest.raises(AgencyExistsError) as caught:
        registry.add_agency("GM0363", "y", "municipality", keys.jwks(), "op")
    assert caught.value.code == "agency-exists"


def test_an_unknown_agency_is_not_found(registry: Registry, keys: Keys) -> None:
    for action in (
        lambda: registry.agency("UWV"),
        lambda: registry.suspend("UWV", "op"),
        lambda: registry.resume("UWV", "op"),
        lambda: registry.add_keys("UWV", keys.jwks(), "op"),
        lambda: registry.revoke_key("UWV", "kid", "op"),
    ):
        with pytest.raises(UnknownAgencyError) as caught:
            action()
        assert isinstance(caught.value, NotFoundError)


# key sets --------------------------------------------------------------------------------------------------------
def test_only_the_public_members_and_the_thumbprint_are_kept(registry: Registry, storage: Storage, keys: Keys) -> None:
    jwks = keys.jwks("ES256")
    jwks["keys"][0]["x5c"] = ["MIIB..."]  # members beyond the public key are dropped
    registry.add_agency("UWV", "UWV", "national_agency", jwks, "op")
    (stored,) = storage.keys_of("UWV")
    assert set(stored.jwk) == {"kty", "crv", "x", "y", "alg", "use", "kid"}
    assert stored.kid == _kid(jwks) and stored.status is KeyStatus.ACTIVE and stored.not_before == T0


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"keys": []},
        {"keys": "not a list"},
        {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]},
        {"keys": [{"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}]},
        {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]},
    ],
    ids=["no-keys", "empty", "not-a-list", "rsa", "p384", "symmetric"],
)
def test_unusable_key_sets_are_refused(registry: Registry, storage: Storage, broken: dict[str, Any]) -> None:
    with pytest.raises(InvalidKeyError):
        registry.add_agency("GM0363", "x", "municipality", broken, "op")
    assert storage.list_agencies() == []


def test_a_private_part_is_refused(registry: Registry, storage: Storage, keys: Keys) -> None:
    jwks = keys.jwks()
    jwks["keys"][0]["d"] = "cHJpdmF0ZQ"
    with pytest.raises(InvalidKeyError, match="private"):
        registry.add_agency("GM0363", "x", "municipality", jwks, "op")
    assert storage.list_agencies() == []


def test_a_kid_that_is_not_the_thumbprint_is_refused(registry: Registry, keys: Keys) -> None:
    jwks = keys.jwks()
    jwks["keys"][0]["kid"] = "key-2026"
    with pytest.raises(InvalidKeyError, match="thumbprint"):
        registry.add_agency("GM0363", "x", "municipality", jwks, "op")


def test_a_key_without_a_kid_gets_its_thumbprint(registry: Registry, storage: Storage, keys: Keys) -> None:
    jwks = keys.jwks()
    kid = jwks["keys"][0].pop("kid")
    registry.add_agency("GM0363", "x", "municipality", jwks, "op")
    assert [k.kid for k in storage.keys_of("GM0363")] == [kid]


def test_one_key_cannot_belong_to_two_agencies(registry: Registry, keys: Keys) -> None:
    jwks = keys.jwks()
    registry.add_agency("GM0363", "x", "municipality", jwks, "op")
    with pytest.raises(InvalidKeyError, match="already registered"):
        registry.add_agency("UWV", "UWV", "national_agency", jwks, "op")


def test_the_same_key_twice_in_one_set_is_refused_and_leaves_nothing_behind(
    registry: Registry, storage: Storage, keys: Keys
) -> None:
    jwks = keys.jwks()
    doubled = {"keys": [jwks["keys"][0], dict(jwks["keys"][0])]}
    with pytest.raises(InvalidKeyError):
        registry.add_agency("GM0363", "x", "municipality", doubled, "op")
    assert storage.list_agencies() == [] and storage.keys_of("GM0363") == []


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},  # 3 bytes, not a 32-byte Ed25519 point
        {"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ"},  # not a point on the curve
    ],
    ids=["short-ed25519", "ec-not-on-curve"],
)
def test_key_material_that_is_no_public_key_is_refused(
    registry: Registry, storage: Storage, jwk: dict[str, str]
) -> None:
    # Such a key could never verify a batch; accepting it only turns every later batch into an error.
    with pytest.raises(InvalidKeyError):
        registry.add_agency("GM0363", "x", "municipality", {"keys": [jwk]}, "op")
    assert storage.list_agencies() == []


# key life --------------------------------------------------------------------------------------------------------
def test_added_keys_keep_the_old_ones_active(registry: Registry, storage: Storage, keys: Keys, clock: Clock) -> None:
    first = keys.jwks()
    registry.add_agency("GM0363", "x", "municipality", first, "op")
    later = T0 + timedelta(days=7)
    clock.now = T0 + timedelta(hours=1)
    (added,) = registry.add_keys("GM0363", keys.jwks("ES256"), "op", not_before=later)
    assert (added.status, added.not_before, added.added_at) == (KeyStatus.ACTIVE, later, clock.now)
    assert {k.kid: k.status for k in storage.keys_of("GM0363")} == {
        _kid(first): KeyStatus.ACTIVE,
        added.kid: KeyStatus.ACTIVE,
    }


def test_retire_then_revoke(registry: Registry, storage: Storage, keys: Keys, clock: Clock) -> None:
    jwks = keys.jwks()
    kid = _kid(jwks)
    registry.add_agency("GM0363", "x", "municipality", jwks, "op")
    registry.retire_key("GM0363", kid, "op")
    assert storage.get_key(kid).status is KeyStatus.RETIRING  # type: ignore[union-attr]
    clock.now = T0 + timedelta(minutes=5)
    registry.revoke_key("GM0363", kid, "op")
    key = storage.get_key(kid)
    assert key is not None and (key.status, key.revoked_at) == (KeyStatus.REVOKED, clock.now)
    with pytest.raises(InvalidKeyError):
        registry.retire_key("GM0363", kid, "op")  # a revoked key stays revoked


def test_revoking_again_keeps_the_moment_of_revocation(
    registry: Registry, storage: Storage, keys: Keys, clock: Clock
) -> None:
    jwks = keys.jwks()
    kid = _kid(jwks)
    registry.add_agency("GM0363", "x", "municipality", jwks, "op")
    clock.now = T0 + timedelta(minutes=5)
    registry.revoke_key("GM0363", kid, "op")
    clock.now = T0 + timedelta(days=3)
    with contextlib.suppress(InvalidKeyError):  # refusing a second revocation is as good as ignoring it
        registry.revoke_key("GM0363", kid, "op")
    key = storage.get_key(kid)
    assert key is not None and key.revoked_at == T0 + timedelta(minutes=5)


def test_a_key_of_another_agency_is_not_found_through_this_one(registry: Registry, keys: Keys) -> None:
    registry.add_agency("GM0363", "x", "municipality", keys.jwks(), "op")
    uwv = keys.jwks()
    registry.add_agency("UWV", "UWV", "national_agency", uwv, "op")
    with pytest.raises(NotFoundError):
        registry.revoke_key("GM0363", _kid(uwv), "op")
    with pytest.raises(NotFoundError):
        registry.retire_key("GM0363", "no-such-kid", "op")


def _key(
    status: KeyStatus, not_before: datetime, revoked_at: datetime | None = None, not_after: datetime | None = None
) -> AgencyKey:
    return AgencyKey("kid", "GM0363", {}, status, not_before, not_after, not_before, revoked_at)


def test_usable_windows() -> None:
    hour = timedelta(hours=1)
    active = _key(KeyStatus.ACTIVE, T0)
    assert not active.usable_at(T0 - hour) and active.usable_at(T0) and active.usable_at(T0 + 1000 * hour)
    retiring = _key(KeyStatus.RETIRING, T0)
    assert retiring.usable_at(T0 + hour)
    revoked = _key(KeyStatus.REVOKED, T0, revoked_at=T0 + hour)
    assert (
        revoked.usable_at(T0 + hour / 2) and not revoked.usable_at(T0 + hour) and not revoked.usable_at(T0 + 2 * hour)
    )
    revoked_whenever = _key(KeyStatus.REVOKED, T0)
    assert not revoked_whenever.usable_at(T0 + hour)
    bounded = _key(KeyStatus.ACTIVE, T0, not_after=T0 + hour)
    assert bounded.usable_at(T0) and not bounded.usable_at(T0 + hour)


# history ---------------------------------------------------------------------------------------------------------
def test_every_change_is_recorded_with_actor_time_and_event(
    registry: Registry, storage: Storage, keys: Keys, clock: Clock
) -> None:
    first = keys.jwks()
    registry.add_agency("GM0363", "Gemeente Amsterdam", "municipality", first, "alice")
    clock.now = T0 + timedelta(minutes=1)
    second = keys.jwks()
    registry.add_keys("GM0363", second, "bob")
    clock.now = T0 + timedelta(minutes=2)
    registry.retire_key("GM0363", _kid(first), "bob")
    clock.now = T0 + timedelta(minutes=3)
    registry.revoke_key("GM0363", _kid(first), "carol")
    clock.now = T0 + timedelta(minutes=4)
    registry.suspend("GM0363", "carol")
    clock.now = T0 + timedelta(minutes=5)
    registry.resume("GM0363", "alice")
    changes = storage.registry_changes("GM0363")
    assert [(c.event, c.actor, c.at) for c in changes] == [
        ("agency_added", "alice", T0),
        ("key_added", "alice", T0),
        ("key_added", "bob", T0 + timedelta(minutes=1)),
        ("key_retired", "bob", T0 + timedelta(minutes=2)),
        ("key_revoked", "carol", T0 + timedelta(minutes=3)),
        ("agency_suspended", "carol", T0 + timedelta(minutes=4)),
        ("agency_resumed", "alice", T0 + timedelta(minutes=5)),
    ]
    assert changes[0].details == {"name": "Gemeente Amsterdam", "kind": "municipality"}
    assert changes[2].details == {"kid": _kid(second)}
    assert registry.agency("GM0363").status is AgencyStatus.ACTIVE


def test_the_public_jwk_helper_and_the_registry_agree_on_the_kid(
    registry: Registry, keys: Keys, tmp_path: Path
) -> None:
    pair = write_keypair("UWV", tmp_path / "uwv", alg="ES256")
    from connectors.keys import load_signing_key

    expected = public_jwk(load_signing_key(pair.private_pem).private_key)["kid"]
    registry.add_agency("UWV", "UWV", "national_agency", json.loads(pair.jwks.read_text()), "op")
    assert [k.kid for k in registry.storage.keys_of("UWV")] == [expected]
