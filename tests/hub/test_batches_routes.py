# SPDX-License-Identifier: EUPL-1.2
"""``POST /v1/batches`` for good batches: the receipt, per-signal rejections, duplicates, key rotation, races."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from tests.hub.support import Hub, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as running:
        yield running


def _stored_documents(hub: Hub) -> list[str]:
    with sqlite3.connect(hub.settings.data / "hartslag.db") as conn:
        return [row[0] for row in conn.execute("SELECT document FROM signals")]


RECEIPT_MEMBERS = {
    "batch_id", "agency", "received_at", "sha256", "accepted", "duplicate", "rejected", "accepted_ids", "duplicate_ids",
}  # fmt: skip


def test_an_accepted_batch_gets_a_202_receipt_for_its_exact_bytes(hub: Hub) -> None:
    signals = hub.signals(5)
    signed = hub.signers["GM0363"].sign(signals)
    response = hub.post(signed.token)
    assert response.status_code == 202
    assert response.headers["content-type"] == "application/json"
    receipt = response.json()
    assert set(receipt) == RECEIPT_MEMBERS
    assert sorted(receipt["accepted_ids"]) == sorted(s["id"] for s in signals)
    assert receipt["duplicate_ids"] == []
    assert receipt["batch_id"] == signed.jti
    assert receipt["agency"] == "GM0363"
    received = datetime.fromisoformat(receipt["received_at"])
    assert received.tzinfo is not None and receipt["received_at"].endswith("+00:00")
    assert receipt["sha256"] == hashlib.sha256(signed.token).hexdigest()
    assert (receipt["accepted"], receipt["duplicate"], receipt["rejected"]) == (5, 0, [])
    assert hub.counts() == (5, 1)


def test_each_bad_signal_is_rejected_on_its_own_with_a_pointer(hub: Hub) -> None:
    hub.register("UWV")
    signals = hub.signals(6)
    signals[0]["text"] = ""  # too short
    signals[1]["themes"] = ["geen-thema"]  # not in the themes code list
    signals[2]["schema_version"] = "9.9.9"  # a signal version the standard does not define
    signals[3]["source"] = {**signals[3]["source"], "organisation": "UWV", "organisation_kind": "national_agency"}
    receipt = hub.post(hub.signers["GM0363"].sign(signals).token).json()
    rejected = {r["id"]: r for r in receipt["rejected"]}
    assert {sid: r["reason"] for sid, r in rejected.items()} == {
        signals[0]["id"]: "schema-invalid",
        signals[1]["id"]: "schema-invalid",
        signals[2]["id"]: "schema-invalid",
        signals[3]["id"]: "organisation-mismatch",
    }
    assert rejected[signals[0]["id"]]["detail"].startswith("/text")
    assert rejected[signals[1]["id"]]["detail"].startswith("/themes/0")
    assert rejected[signals[2]["id"]]["detail"].startswith("/schema_version")
    assert rejected[signals[3]["id"]]["detail"].startswith("/source/organisation")
    assert (receipt["accepted"], receipt["duplicate"]) == (2, 0)
    assert hub.counts() == (2, 1)
    refusals = hub.refusals()
    assert refusals["signal:schema-invalid"] == 3 and refusals["signal:organisation-mismatch"] == 1


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        ("111222333", "BSN"),  # passes the elfproef
        ("NL91ABNA0417164300", "IBAN"),
        ("06-12345678", "TELEFOON"),
        ("jan.jansen@example.nl", "E-MAIL"),
    ],
)
def test_personal_data_is_rejected_and_never_echoed_or_stored(hub: Hub, planted: str, kind: str) -> None:
    signals = hub.signals(3)
    signals[1]["text"] = f"Neem contact op via {planted} over de losliggende stoeptegels."
    response = hub.post(hub.signers["GM0363"].sign(signals).token)
    assert response.status_code == 202
    assert planted not in response.text
    receipt = response.json()
    assert receipt["rejected"] == [
        {"id": signals[1]["id"], "reason": "personal-data-detected", "detail": f"/text: holds {kind}"}
    ]
    assert receipt["accepted"] == 2
    assert not any(planted in document for document in _stored_documents(hub))
    assert hub.refusals()["signal:personal-data-detected"] == 1


def test_signals_sent_again_in_another_batch_count_as_duplicates(hub: Hub) -> None:
    signals = hub.signals(8)
    signer = hub.signers["GM0363"]
    assert hub.post(signer.sign(signals[:5]).token).json()["accepted"] == 5
    second = hub.post(signer.sign(signals[3:]).token)
    assert second.status_code == 202
    assert (second.json()["accepted"], second.json()["duplicate"]) == (3, 2)
    assert sorted(second.json()["duplicate_ids"]) == sorted(s["id"] for s in signals[3:5])
    assert hub.counts() == (8, 2)


def test_the_same_signal_twice_in_one_batch_is_stored_once(hub: Hub) -> None:
    signals = hub.signals(2)
    receipt = hub.post(hub.signers["GM0363"].sign([*signals, signals[0]]).token).json()
    assert (receipt["accepted"], receipt["duplicate"]) == (2, 1)
    assert hub.counts() == (2, 1)


def test_the_same_signal_id_from_two_agencies_is_two_signals(hub: Hub) -> None:
    hub.register("UWV")
    ours = hub.signals(1)
    theirs = hub.signals(1, "UWV")
    theirs[0]["id"] = ours[0]["id"]
    assert hub.post(hub.signers["GM0363"].sign(ours).token).json()["accepted"] == 1
    assert hub.post(hub.signers["UWV"].sign(theirs).token).json()["accepted"] == 1
    assert hub.counts() == (2, 2)


def test_two_active_keys_both_verify_so_rotation_needs_no_downtime(hub: Hub) -> None:
    old = hub.signers["GM0363"]
    new = hub.add_key("GM0363")
    assert old.key.kid != new.key.kid
    assert hub.post(old.sign(hub.signals(2)).token).status_code == 202
    assert hub.post(new.sign(hub.signals(2)).token).status_code == 202
    hub.services.registry.retire_key("GM0363", old.key.kid, "test")  # retiring: still verifies
    assert hub.post(old.sign(hub.signals(2)).token).status_code == 202
    hub.services.registry.revoke_key("GM0363", old.key.kid, "test")
    assert hub.post(old.sign(hub.signals(2)).token).status_code == 401
    assert hub.post(new.sign(hub.signals(2)).token).status_code == 202
    assert hub.counts() == (8, 4)


def test_an_es256_agency_is_accepted_too(hub: Hub) -> None:
    signer = hub.register("UWV", alg="ES256")
    assert signer.key.alg == "ES256"
    response = hub.post(signer.sign(hub.signals(3, "UWV")).token)
    assert response.status_code == 202 and response.json()["accepted"] == 3


def test_a_charset_parameter_on_the_media_type_is_fine(hub: Hub) -> None:
    assert hub.post(hub.token(1), "application/jose; charset=us-ascii").status_code == 202


def test_concurrent_posts_of_one_batch_store_it_once(hub: Hub) -> None:
    signed = hub.signers["GM0363"].sign(hub.signals(50))
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: hub.post(signed.token), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [202]
    receipts = [{k: v for k, v in r.json().items() if k != "replayed"} for r in responses]
    assert all(receipt == receipts[0] for receipt in receipts)
    assert receipts[0]["accepted"] == 50
    assert hub.counts() == (50, 1)


def test_racing_deliveries_that_all_missed_the_replay_check_store_once(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Force the race: every delivery looks for the batch before any of them stored it.
    racers = 4
    barrier = threading.Barrier(racers, timeout=20)
    lock = threading.Lock()
    looks = [0]
    real_find = hub.storage.find_batch

    def look_before_anyone_stored(jti: str) -> object:
        with lock:
            looks[0] += 1
            first_round = looks[0] <= racers
        if first_round:
            barrier.wait()
            return None
        return real_find(jti)

    monkeypatch.setattr(hub.storage, "find_batch", look_before_anyone_stored)
    signed = hub.signers["GM0363"].sign(hub.signals(20))
    with ThreadPoolExecutor(max_workers=racers) as pool:
        responses = list(pool.map(lambda _: hub.post(signed.token), range(racers)))
    assert sorted(r.status_code for r in responses) == [200] * (racers - 1) + [202]
    assert {r.json()["batch_id"] for r in responses} == {signed.jti}
    assert hub.counts() == (20, 1)


def test_concurrent_posts_of_different_batches_all_land(hub: Hub) -> None:
    tokens = [hub.token(10) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(hub.post, tokens))
    assert [r.status_code for r in responses] == [202] * 6
    assert hub.counts() == (60, 6)
    assert json.loads(responses[0].text)["accepted"] == 10
