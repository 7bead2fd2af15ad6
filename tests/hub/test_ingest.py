# SPDX-License-Identifier: EUPL-1.2
"""The acceptance path without HTTP: receipts, duplicates, per-signal rejections, replay, events."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.envelope import EnvelopeError
from hub.bus import DomainEvent
from hub.ingest import Ingest, IngestRefusal, parse_payload
from tests.hub.world import HubWorld


def test_accepts_a_batch_once_and_announces_each_signal(world: HubWorld) -> None:
    events: list[DomainEvent] = []
    world.ingest.bus.subscribe("signal_received", events.append)
    signals = world.signals(20)
    batch = world.signers["GM0363"].sign(signals)
    result = world.ingest.accept(batch.token)
    assert not result.replayed
    assert (result.receipt.accepted, result.receipt.duplicate, result.receipt.rejected) == (20, 0, ())
    assert result.receipt.batch_id == batch.jti and result.receipt.sha256 == batch.sha256
    assert world.storage.count_signals() == 20
    assert sorted(e.data["id"] for e in events) == sorted(s["id"] for s in signals)


def test_replay_returns_the_original_receipt_and_stores_nothing(world: HubWorld) -> None:
    batch = world.signers["GM0363"].sign(world.signals(5))
    first = world.ingest.accept(batch.token)
    again = world.ingest.accept(batch.token)
    assert again.replayed and again.receipt == first.receipt
    assert world.storage.count_signals() == 5
    assert world.storage.stats()["batches"] == 1


def test_same_jti_other_bytes_is_a_conflict(world: HubWorld) -> None:
    signer = world.signers["GM0363"]
    first = signer.sign(world.signals(3), jti="8d3c8a4e-6f7e-4a51-9b7e-111111111111")
    world.ingest.accept(first.token)
    other = signer.sign(world.signals(3, seed=99), jti=first.jti)
    with pytest.raises(IngestRefusal) as caught:
        world.ingest.accept(other.token)
    assert caught.value.code == "replay-conflict"
    assert world.storage.count_signals() == 3


def test_resent_signals_count_as_duplicates(world: HubWorld) -> None:
    signals = world.signals(10)
    world.ingest.accept(world.signers["GM0363"].sign(signals[:6]).token)
    receipt = world.ingest.accept(world.signers["GM0363"].sign(signals).token).receipt
    assert (receipt.accepted, receipt.duplicate) == (4, 6)
    assert world.storage.count_signals() == 10


def test_bad_signals_are_rejected_one_by_one(world: HubWorld) -> None:
    world.add_agency("UWV")
    signals = world.signals(6)
    signals[0] = {**signals[0], "text": ""}  # schema: too short
    signals[1] = {**signals[1], "source": {**signals[1]["source"], "organisation": "GM0599"}}  # speaks for another
    signals[2] = {**signals[2], "text": "Bel me terug op 06-12345678 graag."}  # personal data left in
    receipt = world.ingest.accept(world.signers["GM0363"].sign(signals).token).receipt
    reasons = {r.id: r.reason for r in receipt.rejected}
    assert reasons == {
        signals[0]["id"]: "schema-invalid",
        signals[1]["id"]: "organisation-mismatch",
        signals[2]["id"]: "personal-data-detected",
    }
    assert receipt.accepted == 3
    assert "06-12345678" not in str(receipt.to_dict())
    assert world.storage.stats()["refusals"]["signal:personal-data-detected"] == 1


@pytest.mark.parametrize("schema_invalid", [False, True], ids=["all-valid", "one-breaks-the-schema"])
def test_rejections_keep_the_order_of_the_signals_and_repeats_count_once(world: HubWorld, schema_invalid: bool) -> None:
    # The checks are asked of the whole batch at once (schema, issuer, guard, repeats); the receipt must read as if
    # each signal had been checked in turn: rejections in signal order, a repeat of a rejected signal can still be
    # the one stored, and the first of two equal ids is the candidate.
    world.add_agency("UWV")
    s = world.signals(6)
    leaked = {**s[1], "text": "Bel me terug op 06-12345678 graag."}
    foreign = {**s[2], "source": {**s[2]["source"], "organisation": "GM0599"}}
    broken = {**s[3], "text": ""} if schema_invalid else s[3]
    batch = [s[0], leaked, foreign, s[0], s[1], broken, s[4], s[2], s[5], s[4]]
    receipt = world.ingest.accept(world.signers["GM0363"].sign(batch).token).receipt
    ids = [signal["id"] for signal in s]
    expected = [(ids[1], "personal-data-detected"), (ids[2], "organisation-mismatch")]
    expected += [(ids[3], "schema-invalid")] if schema_invalid else []
    assert [(r.id, r.reason) for r in receipt.rejected] == expected
    kept = [ids[0], ids[1]] + ([] if schema_invalid else [ids[3]]) + [ids[4], ids[2], ids[5]]
    assert receipt.accepted_ids == tuple(kept)
    assert receipt.duplicate_ids == (ids[0], ids[4])
    stored = {signal.id: signal.document for _, signal in world.storage.signals_after(0, 100)}
    assert stored[ids[1]]["text"] == s[1]["text"] and stored[ids[2]]["source"]["organisation"] == "GM0363"


def test_suspended_agency_is_refused_and_counted(world: HubWorld) -> None:
    world.registry.suspend("GM0363", "test")
    with pytest.raises(IngestRefusal) as caught:
        world.ingest.accept(world.signers["GM0363"].sign(world.signals(2)).token)
    assert caught.value.code == "agency-suspended"
    assert world.storage.count_signals() == 0
    assert world.storage.stats()["refusals"] == {"agency-suspended": 1}


def test_revoked_key_is_refused_from_revocation(world: HubWorld) -> None:
    signer = world.signers["GM0363"]
    world.ingest.accept(signer.sign(world.signals(2)).token)
    world.registry.revoke_key("GM0363", signer.key.kid, "test")
    with pytest.raises(EnvelopeError) as caught:
        world.ingest.accept(signer.sign(world.signals(2, seed=3)).token)
    assert caught.value.code == "key-revoked"
    assert world.storage.count_signals() == 2


def test_replay_of_an_expired_token_still_returns_the_original_receipt(world: HubWorld) -> None:
    batch = world.signers["GM0363"].sign(world.signals(4))
    first = world.ingest.accept(batch.token)
    later = Ingest(world.storage, world.ingest.hub_id, clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    again = later.accept(batch.token)
    assert again.replayed and again.receipt.accepted_ids == first.receipt.accepted_ids
    with pytest.raises(EnvelopeError) as caught:  # a new batch signed long ago is refused all the same
        later.accept(world.signers["GM0363"].sign(world.signals(2, seed=5)).token)
    assert caught.value.code == "expired"


def test_resent_signals_are_told_apart_and_only_new_ones_announced(world: HubWorld) -> None:
    events: list[DomainEvent] = []
    world.ingest.bus.subscribe("signal_received", events.append)
    signals = world.signals(8)
    world.ingest.accept(world.signers["GM0363"].sign(signals[:3]).token)
    events.clear()
    # Signals 1 and 2 were stored before, signal 5 comes twice in this batch.
    resent = [signals[4], signals[1], signals[5], signals[2], signals[5], signals[6]]
    receipt = world.ingest.accept(world.signers["GM0363"].sign(resent).token).receipt
    ids = [s["id"] for s in signals]
    assert receipt.accepted_ids == (ids[4], ids[5], ids[6])
    assert receipt.duplicate_ids == (ids[5], ids[1], ids[2])  # repeats within the batch first, then stored ones
    assert (receipt.accepted, receipt.duplicate) == (3, 3)
    assert [e.data["id"] for e in events] == [ids[4], ids[5], ids[6]]
    stored = world.storage.find_batch(receipt.batch_id)
    assert stored is not None and stored.receipt == receipt.to_dict()
    assert world.storage.count_signals() == 6


def test_a_batch_without_resent_signals_needs_no_lookup(world: HubWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[int] = []
    real = world.storage.existing_signal_ids

    def existing_signal_ids(agency: str, ids: Sequence[str]) -> set[str]:
        looked.append(len(ids))
        return real(agency, ids)

    monkeypatch.setattr(world.storage, "existing_signal_ids", existing_signal_ids)
    signals = world.signals(6)
    receipt = world.ingest.accept(world.signers["GM0363"].sign([*signals[:4], signals[0]]).token).receipt
    assert (receipt.accepted, receipt.duplicate, looked) == (4, 1, [])
    world.ingest.accept(world.signers["GM0363"].sign(signals[3:]).token)
    assert looked == [3]


_PAYLOADS = [
    b'{"a":[1,2.5,"x\\u00e9",true,null,{"b":-0.0}],"c":"\xc3\xa9\xe2\x82\xac","d":1e5}',
    b'{"n":123456789012345678901234567890,"m":-9223372036854775809,"k":18446744073709551616}',
    b'{"a":NaN,"b":Infinity,"c":-Infinity}',
    b'{"a":"\\ud800"}',
    b'\xef\xbb\xbf{"a":1}',
    '{"a": 1}'.encode("utf-16"),
    b'{"a":1,"a":2}',
    b'{"a":1e400,"b":1.5e-400}',
    b'{"a":"\x01"}',
    b'{"a":"\xff"}',
    b'{"a":[1,2,]}',
    b'{"a":1}x',
    b"[" * 5000 + b"]" * 5000,
]


def _outcome(parse: Callable[[bytes], Any], raw: bytes) -> tuple[str, str]:
    try:
        return "value", repr(parse(raw))  # repr tells 1 from 1.0 and keeps the order of keys
    except (ValueError, RecursionError) as exc:
        return "error", type(exc).__name__


@pytest.mark.parametrize("raw", _PAYLOADS)
def test_the_payload_parser_reads_exactly_what_json_reads(raw: bytes) -> None:
    assert _outcome(parse_payload, raw) == _outcome(json.loads, raw)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_the_payload_parser_agrees_with_json_on_generated_documents(value: Any, ascii_only: bool) -> None:
    raw = json.dumps({"signals": [value]}, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")
    assert _outcome(parse_payload, raw) == _outcome(json.loads, raw)
