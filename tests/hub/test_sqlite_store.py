# SPDX-License-Identifier: EUPL-1.2
"""The embedded SQLite storage: atomic batches, duplicate detection, ordered catch-up, counts, registry rows."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.records import Agency, AgencyKey, AgencyStatus, KeyStatus, RegistryChange, StoredBatch, StoredSignal
from hub.sqlite_store import SQLiteStorage
from hub.storage import BatchExistsError, Storage, chunks, open_storage
from tests.factories import make_agency, make_signals

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = open_storage(tmp_path / "data")
    yield opened
    opened.close()


def _change(event: str, agency: str, at: datetime = T0, **details: Any) -> RegistryChange:
    return RegistryChange(event, agency, "op", at, details)


def register(storage: Storage, code: str = "GM0363") -> None:
    storage.add_agency(
        Agency(code, code, make_agency(code).kind, AgencyStatus.ACTIVE, T0), _change("agency_added", code)
    )


def batch(
    storage: Storage, agency: str = "GM0363", n: int = 3, *, seed: int = 1, jti: str | None = None
) -> tuple[StoredBatch, list[StoredSignal]]:
    jti = jti or str(uuid.uuid4())
    documents = make_signals(n, seed=seed, agency=make_agency(agency))
    signals = [StoredSignal(d["id"], agency, jti, T0, d) for d in documents]
    receipt = {"batch_id": jti, "accepted": n, "received_at": T0.isoformat()}
    return StoredBatch(jti, agency, "ab" * 32, T0, receipt, "http"), signals


def test_open_storage_makes_the_folder_and_a_wal_database(tmp_path: Path) -> None:
    opened = open_storage(tmp_path / "new" / "folder")
    try:
        assert isinstance(opened, SQLiteStorage)
        assert (tmp_path / "new" / "folder" / "hartslag.db").is_file()
        assert opened.ping()
        assert opened._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        opened.close()


def test_a_saved_batch_reads_back(storage: Storage) -> None:
    register(storage)
    stored, signals = batch(storage)
    storage.save_batch(stored, signals)
    found = storage.find_batch(stored.jti)
    assert found == stored
    assert found is not None and found.received_at.tzinfo is not None
    assert storage.find_batch(str(uuid.uuid4())) is None
    assert storage.count_signals() == 3


def test_a_second_batch_with_the_same_jti_raises_and_writes_nothing(storage: Storage) -> None:
    register(storage)
    first, signals = batch(storage, seed=1)
    storage.save_batch(first, signals)
    again, other_signals = batch(storage, seed=2, jti=first.jti)
    with pytest.raises(BatchExistsError):
        storage.save_batch(again, other_signals)
    assert storage.count_signals() == 3
    assert storage.existing_signal_ids("GM0363", [s.id for s in other_signals]) == set()
    assert storage.find_batch(first.jti) == first
    assert storage.stats()["batches"] == 1


def test_a_batch_whose_signal_rows_cannot_be_built_leaves_no_batch_row(storage: Storage) -> None:
    register(storage)
    stored, signals = batch(storage)
    document = {k: v for k, v in signals[0].document.items() if k != "observed_at"}
    broken = StoredSignal(signals[0].id, "GM0363", stored.jti, T0, document)
    with pytest.raises(KeyError):
        storage.save_batch(stored, [*signals[1:], broken])
    assert storage.find_batch(stored.jti) is None
    assert storage.count_signals() == 0


def test_a_signal_already_stored_is_ignored_by_a_later_batch(storage: Storage) -> None:
    register(storage)
    first, signals = batch(storage, n=2)
    storage.save_batch(first, signals)
    second, more = batch(storage, n=2, seed=9)
    resent = [StoredSignal(s.id, s.agency, second.jti, T0, s.document) for s in signals[:1]]
    storage.save_batch(second, [*resent, *more])
    assert storage.count_signals() == 4
    assert [s.batch for _, s in storage.signals_after(0, 10) if s.id == signals[0].id] == [first.jti]


def test_existing_signal_ids_are_per_agency_and_chunked(storage: Storage) -> None:
    register(storage)
    register(storage, "UWV")
    stored, signals = batch(storage, n=600)
    storage.save_batch(stored, signals)
    ids = [s.id for s in signals]
    unknown = [str(uuid.uuid4()) for _ in range(700)]
    assert storage.existing_signal_ids("GM0363", ids[::2] + unknown) == set(ids[::2])
    assert storage.existing_signal_ids("UWV", ids) == set()
    assert storage.existing_signal_ids("GM0363", []) == set()
    assert [len(part) for part in chunks([str(i) for i in range(1201)])] == [500, 500, 201]


def test_signals_after_follows_the_order_of_arrival(storage: Storage) -> None:
    register(storage)
    register(storage, "UWV")
    arrived: list[str] = []
    for index, agency in enumerate(["GM0363", "UWV", "GM0363"]):
        stored, signals = batch(storage, agency, n=4, seed=index + 10)
        storage.save_batch(stored, signals)
        arrived += [s.id for s in signals]
    everything = storage.signals_after(0, 100)
    sequences = [seq for seq, _ in everything]
    assert sequences == sorted(sequences) and len(set(sequences)) == 12
    assert [s.id for _, s in everything] == arrived
    page = storage.signals_after(sequences[4], 3)
    assert [s.id for _, s in page] == arrived[5:8]
    assert storage.signals_after(sequences[-1], 10) == []
    first = everything[0][1]
    assert first.received_at == T0 and first.document["id"] == first.id


def test_stats_count_agencies_batches_signals_and_refusals(storage: Storage) -> None:
    register(storage)
    register(storage, "UWV")
    storage.save_batch(*batch(storage, n=5))
    storage.count_refusal("bad-signature", "GM0363")
    storage.count_refusal("bad-signature", "UWV", 2)
    storage.count_refusal("malformed-jws", None)
    storage.count_refusal("malformed-jws", None)
    assert storage.stats() == {
        "agencies": 2,
        "batches": 1,
        "signals": 5,
        "refusals": {"bad-signature": 3, "malformed-jws": 2},
    }


def test_keys_and_statuses_round_trip(storage: Storage) -> None:
    register(storage)
    key = AgencyKey("kid-1", "GM0363", {"kty": "OKP", "crv": "Ed25519", "x": "AA"}, KeyStatus.ACTIVE, T0, None, T0)
    storage.add_key(key, _change("key_added", "GM0363", kid="kid-1"))
    assert storage.get_key("kid-1") == key
    revoked_at = T0 + timedelta(hours=2)
    storage.set_key_status("kid-1", KeyStatus.REVOKED, revoked_at, _change("key_revoked", "GM0363", revoked_at))
    got = storage.get_key("kid-1")
    assert got is not None and (got.status, got.revoked_at) == (KeyStatus.REVOKED, revoked_at)
    assert storage.get_key("kid-2") is None
    assert [k.kid for k in storage.keys_of("GM0363")] == ["kid-1"] and storage.keys_of("UWV") == []


def test_a_key_of_an_unregistered_agency_is_refused(storage: Storage) -> None:
    key = AgencyKey("kid-x", "GM0599", {"kty": "OKP"}, KeyStatus.ACTIVE, T0, None, T0)
    with pytest.raises(Exception):  # noqa: B017 - the foreign key refuses it, whatever the driver calls that
        storage.add_key(key, _change("key_added", "GM0599"))
    assert storage.get_key("kid-x") is None and storage.registry_changes() == []


def test_registry_changes_in_order_and_per_agency(storage: Storage) -> None:
    register(storage)
    register(storage, "UWV")
    storage.set_agency_status("GM0363", AgencyStatus.SUSPENDED, _change("agency_suspended", "GM0363"))
    storage.record_change(_change("signals_imported", "UWV", batch="b1"))
    assert [c.event for c in storage.registry_changes()] == [
        "agency_added",
        "agency_added",
        "agency_suspended",
        "signals_imported",
    ]
    assert [c.event for c in storage.registry_changes("UWV")] == ["agency_added", "signals_imported"]
    assert storage.registry_changes("UWV")[1].details == {"batch": "b1"}
    assert storage.get_agency("GM0363").status is AgencyStatus.SUSPENDED  # type: ignore[union-attr]
    assert [a.code for a in storage.list_agencies()] == ["GM0363", "UWV"]


def test_concurrent_writers_from_many_threads_all_land(storage: Storage) -> None:
    register(storage)
    prepared = [batch(storage, n=20, seed=i) for i in range(8)]
    errors: list[BaseException] = []

    def save(item: tuple[StoredBatch, list[StoredSignal]]) -> None:
        try:
            storage.save_batch(*item)
            storage.count_refusal("signal:schema-invalid", "GM0363")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(item,)) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stats = storage.stats()
    assert (stats["batches"], stats["signals"], stats["refusals"]) == (8, 160, {"signal:schema-invalid": 8})


def test_close_then_use_again_reopens(storage: Storage) -> None:
    register(storage)
    storage.close()
    assert storage.ping()
    assert storage.get_agency("GM0363") is not None


def test_documents_read_back_equal_with_non_ascii_text_kept_as_is(storage: Storage) -> None:
    # Stored documents are written by orjson, or by json where orjson would write something else (extensions may
    # hold a float NaN, which orjson turns into null; integers beyond 64 bits, which orjson refuses).
    register(storage)
    stored, signals = batch(storage, n=3)
    signals[0].document["text"] = 'Overlast bij café ’t Hoekje, € 45 boete; 🚲 weg. Regel\ttwee\nen "citaat" \\ \x01'
    signals[1].document["extensions"] = {"nl.example": {"ratio": float("nan"), "big": 2**70, "lijst": [1.5, None]}}
    storage.save_batch(stored, signals)
    back = {s.id: s.document for _, s in storage.signals_after(0, 10)}
    assert back[signals[0].id] == signals[0].document and back[signals[2].id] == signals[2].document
    extension = back[signals[1].id]["extensions"]["nl.example"]
    assert extension["big"] == 2**70 and extension["lijst"] == [1.5, None] and extension["ratio"] != extension["ratio"]
    assert isinstance(storage, SQLiteStorage)
    raw = storage._conn().execute("SELECT document FROM signals WHERE id = ?", (signals[0].id,)).fetchone()[0]
    assert "café" in raw and "€" in raw and "🚲" in raw  # UTF-8 as is, not \\u escapes


def _new(signals: list[StoredSignal]) -> list[tuple[str, dict[str, Any]]]:
    return [(s.id, s.document) for s in signals]


def test_a_batch_of_new_signals_is_stored_like_save_batch_stores_it(tmp_path: Path) -> None:
    stores = [open_storage(tmp_path / "one"), open_storage(tmp_path / "other")]
    try:
        for store in stores:
            register(store)
        stored, signals = batch(stores[0], n=5)
        signals[1].document["extensions"] = {"nl.example": {"ratio": float("inf")}}  # written by json, not orjson
        stores[0].save_batch(stored, signals)
        assert stores[1].save_new_batch(stored, _new(signals)) is True
        rows = [
            store._conn().execute("SELECT * FROM signals ORDER BY seq").fetchall()  # type: ignore[attr-defined]
            for store in stores
        ]
        assert rows[0] == rows[1] and len(rows[0]) == 5
        assert stores[1].find_batch(stored.jti) == stored
    finally:
        for store in stores:
            store.close()


def test_a_batch_of_new_signals_writes_nothing_when_one_is_stored_already(storage: Storage) -> None:
    register(storage)
    first, signals = batch(storage, n=3)
    assert storage.save_new_batch(first, _new(signals))
    second, more = batch(storage, n=3, seed=4)
    assert storage.save_new_batch(second, _new([*more, signals[2]])) is False
    assert storage.find_batch(second.jti) is None and storage.count_signals() == 3
    assert storage.save_new_batch(second, _new(more)) is True  # the connection is usable again
    assert storage.count_signals() == 6
    with pytest.raises(BatchExistsError):
        storage.save_new_batch(second, _new(batch(storage, n=1, seed=8)[1]))
    assert storage.count_signals() == 6


def test_writes_from_many_threads_share_one_connection(storage: Storage) -> None:
    # A commit on another connection empties a connection's page cache: every write goes through one.
    register(storage)
    assert isinstance(storage, SQLiteStorage)
    prepared = [batch(storage, n=5, seed=i) for i in range(4)]
    writers: set[int] = set()

    def save(item: tuple[StoredBatch, list[StoredSignal]]) -> None:
        storage.save_new_batch(item[0], _new(item[1]))
        with storage._write:
            writers.add(id(storage._write_conn()))

    threads = [threading.Thread(target=save, args=(item,)) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.count_signals() == 20 and len(writers) == 1


def test_the_unused_observed_at_index_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "hartslag.db"
    SQLiteStorage(path).close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX signals_observed ON signals (observed_at)")  # as databases made before had it
    conn.close()
    reopened = SQLiteStorage(path)
    try:
        names = {r[0] for r in reopened._conn().execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "signals_observed" not in names and "batches_sha256" in names
    finally:
        reopened.close()


def test_documents_and_receipts_are_stored_as_text_whichever_writer_wrote_them(storage: Storage) -> None:
    # orjson's bytes go in through CAST(? AS TEXT), json's str as it is: both must be TEXT values in the database.
    register(storage)
    stored, signals = batch(storage, n=2)
    signals[1].document["extensions"] = {"nl.example": {"ratio": float("nan")}}  # written by json
    assert storage.save_new_batch(stored, _new(signals[:1])) is True
    second, _ = batch(storage, n=1, seed=3)
    storage.save_batch(second, [StoredSignal(signals[1].id, "GM0363", second.jti, T0, signals[1].document)])
    assert isinstance(storage, SQLiteStorage)
    conn = storage._conn()
    assert {r[0] for r in conn.execute("SELECT typeof(document) FROM signals")} == {"text"}
    assert {r[0] for r in conn.execute("SELECT typeof(receipt) FROM batches")} == {"text"}
    assert storage.find_batch(stored.jti) == stored and storage.find_batch(second.jti) == second
    back = {s.id: s.document for _, s in storage.signals_after(0, 10)}
    assert back[signals[0].id] == signals[0].document
    assert conn.execute("SELECT count(*) FROM signals WHERE document LIKE '%\"extensions\"%'").fetchone()[0] == 1


def test_a_receipt_orjson_cannot_write_is_written_by_json(storage: Storage) -> None:
    register(storage)
    stored, signals = batch(storage, n=1)
    odd = StoredBatch(stored.jti, "GM0363", stored.sha256, T0, {**stored.receipt, "big": 2**70}, "http")
    assert storage.save_new_batch(odd, _new(signals)) is True
    assert storage.find_batch(odd.jti) == odd
