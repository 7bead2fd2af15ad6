# SPDX-License-Identifier: EUPL-1.2
"""The audit log: the hash chain, canonical JSON, checkpoints, concurrent appenders (threads and processes), and every
way of tampering with it, done directly in SQLite as an attacker with the file would."""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.audit import GENESIS, AuditEntry, AuditError, AuditLog, AuditLogMissingError, entry_hash
from governance.audit_checkpoint import read_checkpoint, sign_checkpoint
from governance.audit_verify import AuditReport, verify_log
from governance.hub_key import HubKey, HubKeyError, hub_key_path, load_or_create_hub_key, public_key_from_jwk

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# What the hub records, in the shapes it records them (codes, ids and counts, never signal text).
ACTIONS = (
    ("agency.added", "GM0363", {"name": "Gemeente Amsterdam", "kind": "municipality"}),
    ("key.added", "GM0363", {"kid": "kid-1"}),
    ("signals.imported", "GM0363", {"accepted": 12, "duplicate": 0, "rejected": 1, "reasons": {"schema": 1}}),
    ("key.retired", "GM0363", {"kid": "kid-1"}),
    ("agency.suspended", "UWV", {}),
)


class Clock:
    """A clock that moves one second per reading, so every entry has its own time."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def fill(data: Path, n: int = 10, every: int = 4, clock: Clock | None = None) -> list[AuditEntry]:
    """``n`` entries (checkpoints every ``every``) appended to the data folder's log."""
    with AuditLog.in_folder(data, checkpoint_every=every, clock=clock or Clock()) as log:
        return [log.append(f"beheerder-{i % 3}", *ACTIONS[i % len(ACTIONS)]) for i in range(n)]


def verdict(
    data: Path, public_key: ed25519.Ed25519PublicKey | None = None, published: list[str] | None = None
) -> AuditReport:
    with AuditLog.in_folder(data, create=False) as log:
        return verify_log(log, public_key, published or [])


@pytest.fixture
def tamper(data: Path) -> Iterator[Any]:
    """Run SQL on the log file as an attacker would: the append-only triggers dropped first."""

    def run(*statements: tuple[str, tuple[Any, ...]] | str) -> None:
        conn = sqlite3.connect(data / "audit.sqlite3")
        try:
            for name in ("entries_no_update", "entries_no_delete", "checkpoints_no_update", "checkpoints_no_delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS audit_{name}")
            for statement in statements:
                sql, params = (statement, ()) if isinstance(statement, str) else statement
                conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()

    yield run


def rows(data: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "audit.sqlite3") as conn:
        return conn.execute("SELECT * FROM audit_entries ORDER BY seq").fetchall()


def rehash_from(data: Path, seq: int) -> list[tuple[str, tuple[Any, ...]]]:
    """The updates that recompute every hash from ``seq`` on, so that the chain is consistent again."""
    updates: list[tuple[str, tuple[Any, ...]]] = []
    previous = GENESIS
    for row in rows(data):
        entry = AuditEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), previous, "")
        digest = entry_hash(entry.content()) if row[0] >= seq else row[7]
        if row[0] >= seq:
            updates.append(
                ("UPDATE audit_entries SET prev_hash = ?, hash = ? WHERE seq = ?", (previous, digest, row[0]))
            )
        previous = digest
    return updates


def first_problem(report: AuditReport) -> tuple[str, int | None]:
    assert not report.intact
    return report.problems[0].code, report.problems[0].seq


# the chain -------------------------------------------------------------------------------------------------------
def test_entries_form_a_chain_from_genesis(data: Path) -> None:
    entries = fill(data, n=7)
    assert [e.seq for e in entries] == list(range(1, 8))
    assert entries[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    assert all(e.hash == entry_hash(e.content()) for e in entries)
    assert entries[0].at == "2026-11-26T09:00:01.000000Z"
    assert all(datetime.fromisoformat(e.at).tzinfo is not None for e in entries)
    with AuditLog.in_folder(data) as log:
        assert log.entries() == entries
        assert log.latest(2) == entries[-2:]
        assert log.head() == (7, entries[-1].hash)


def test_the_hash_is_sha256_of_the_rfc8785_form(data: Path) -> None:
    with AuditLog.in_folder(data, clock=lambda: T0) as log:
        entry = log.append(
            "beheerder-1", "agency.added", "GM0363", {"name": "Gemeente Amsterdam", "kind": "municipality"}
        )
    # Written out by hand: members sorted by code point, no whitespace (RFC 8785).
    canonical = (
        '{"action":"agency.added","actor":"beheerder-1","at":"2026-11-26T09:00:00.000000Z",'
        '"details":{"kind":"municipality","name":"Gemeente Amsterdam"},'
        f'"prev_hash":"{GENESIS}","seq":1,"subject":"GM0363"}}'
    )
    assert entry.hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_key_order_and_stored_formatting_do_not_change_the_hash(tmp_path: Path, tamper: Any, data: Path) -> None:
    details = {"zeta": 1, "alpha": [1, 2.5, "é"], "mid": {"b": True, "a": None}}
    reordered = {"mid": {"a": None, "b": True}, "alpha": [1, 2.5, "é"], "zeta": 1}
    with (
        AuditLog.in_folder(tmp_path / "one", clock=lambda: T0) as one,
        AuditLog.in_folder(data, clock=lambda: T0) as two,
    ):
        assert one.append("a", "test.done", "s", details).hash == two.append("a", "test.done", "s", reordered).hash
    # The same content stored as other text (key order, spaces) is the same entry: the hash covers content.
    tamper(("UPDATE audit_entries SET details = ? WHERE seq = 1", (json.dumps(reordered, indent=1),)))
    assert verdict(data).intact


@pytest.mark.parametrize(
    ("actor", "action", "subject", "details"),
    [
        ("", "agency.added", "GM0363", {}),
        ("a\nb", "agency.added", "GM0363", {}),
        ("op", "AgencyAdded", "GM0363", {}),
        ("op", "agency", "GM0363", {}),
        ("op", "agency.added", "GM0363", ["not", "an", "object"]),
        ("op", "agency.added", "GM0363", {"n": float("nan")}),
        ("op", "agency.added", "GM0363", {"n": 2**60}),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_appended(
    data: Path, actor: str, action: str, subject: str, details: Any
) -> None:
    with AuditLog.in_folder(data) as log:
        with pytest.raises(AuditError):
            log.append(actor, action, subject, details)
        assert log.head() == (0, GENESIS)


def test_updates_and_deletes_are_refused_by_the_database(data: Path) -> None:
    fill(data, n=4, every=4)
    with sqlite3.connect(data / "audit.sqlite3") as conn:
        for sql in (
            "UPDATE audit_entries SET actor = 'x'",
            "DELETE FROM audit_entries",
            "DELETE FROM audit_checkpoints",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)


# checkpoints -----------------------------------------------------------------------------------------------------
def test_a_checkpoint_is_signed_every_n_entries(data: Path) -> None:
    entries = fill(data, n=10, every=4)
    with AuditLog.in_folder(data) as log:
        checkpoints = log.checkpoints()
        key = log.stored_hub_key()
    assert key is not None
    assert [(c.size, c.head) for c in checkpoints] == [(4, entries[3].hash), (8, entries[7].hash)]
    assert [c.at for c in checkpoints] == [entries[3].at, entries[7].at]
    for checkpoint in checkpoints:
        assert read_checkpoint(checkpoint.jws, key.public_key).head == checkpoint.head
    assert hub_key_path(data).stat().st_mode & 0o777 == 0o600
    assert verdict(data) == AuditReport(10, 2, entries[-1].hash)


def test_a_checkpoint_on_demand_covers_the_log_as_it_is(data: Path) -> None:
    with AuditLog.in_folder(data) as log:
        with pytest.raises(AuditError, match="empty"):
            log.checkpoint()
        assert not hub_key_path(data).exists()  # the key is made on first use, not before
    entries = fill(data, n=3, every=0)
    with AuditLog.in_folder(data) as log:
        checkpoint = log.checkpoint()
    assert (checkpoint.id, checkpoint.size, checkpoint.head) == (1, 3, entries[-1].hash)
    assert verdict(data).checkpoints == 1


def test_one_hub_key_even_when_many_make_it_at_once(data: Path) -> None:
    made: list[HubKey] = []
    threads = [
        threading.Thread(target=lambda: made.append(load_or_create_hub_key(hub_key_path(data)))) for _ in range(8)
    ]
    data.mkdir()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({key.kid for key in made}) == 1
    assert [p.name for p in data.iterdir()] == ["hub-key.pem"]  # no temporary file left behind


# concurrent appenders --------------------------------------------------------------------------------------------
def test_threads_never_fork_the_chain(data: Path) -> None:
    with AuditLog.in_folder(data, checkpoint_every=10) as log:

        def work(worker: int) -> None:
            for i in range(25):
                log.append(f"worker-{worker}", "test.appended", f"w{worker}", {"i": i})

        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entries = log.entries()
    assert verdict(data) == AuditReport(200, 20, entries[-1].hash)
    for worker in range(8):  # each worker's entries in the order it appended them
        assert [e.details["i"] for e in entries if e.actor == f"worker-{worker}"] == list(range(25))


def _append_many(path: str, worker: int, n: int, start: Any) -> None:
    """A separate process appending ``n`` entries to the log at ``path`` once ``start`` is set."""
    start.wait(30)
    with AuditLog(Path(path), checkpoint_every=10) as log:
        for i in range(n):
            log.append(f"process-{worker}", "test.appended", f"p{worker}", {"i": i})


def test_two_processes_never_fork_the_chain(data: Path) -> None:
    data.mkdir()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_append_many, args=(str(data / "audit.sqlite3"), w, 40, start)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    report = verdict(data)
    assert (report.intact, report.entries, report.checkpoints) == (True, 80, 8)
    with AuditLog.in_folder(data) as log:
        entries, checkpoints = log.entries(), log.checkpoints()
    assert len({c.kid for c in checkpoints}) == 1  # the two processes share one hub key
    for worker in (1, 2):
        assert [e.details["i"] for e in entries if e.actor == f"process-{worker}"] == list(range(40))


# tampering -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "iemand-anders"),
        ("action", "agency.removed"),
        ("subject", "GM0599"),
        ("details", '{"kid": "kid-2"}'),
        ("at", "2026-11-26T08:00:00.000000Z"),
        ("hash", "f" * 64),
    ],
)
def test_a_modified_field_is_named(data: Path, tamper: Any, column: str, value: str) -> None:
    fill(data)
    tamper((f"UPDATE audit_entries SET {column} = ? WHERE seq = 5", (value,)))
    assert first_problem(verdict(data)) == ("hash-mismatch", 5)
    assert "entry 5" in verdict(data).problems[0].message


def test_unreadable_details_are_named(data: Path, tamper: Any) -> None:
    fill(data)
    tamper("UPDATE audit_entries SET details = '[1, 2' WHERE seq = 3")
    assert first_problem(verdict(data)) == ("entry-unreadable", 3)


def test_a_modified_prev_hash_is_named(data: Path, tamper: Any) -> None:
    fill(data)
    tamper(("UPDATE audit_entries SET prev_hash = ? WHERE seq = 6", ("a" * 64,)))
    assert first_problem(verdict(data)) == ("prev-hash-mismatch", 6)


@pytest.mark.parametrize("seq", [1, 5, 9])
def test_a_deleted_entry_is_named(data: Path, tamper: Any, seq: int) -> None:
    fill(data)
    tamper(("DELETE FROM audit_entries WHERE seq = ?", (seq,)))
    report = verdict(data)
    assert first_problem(report) == ("entry-missing", seq)
    assert f"entry {seq} is missing" in report.problems[0].message


def test_a_forged_entry_inserted_in_the_middle_is_found(data: Path, tamper: Any) -> None:
    entries = fill(data)
    # Make room at seq 5, then insert a forged entry whose own hash is right and that links to entry 4.
    tamper("UPDATE audit_entries SET seq = -seq WHERE seq >= 5", "UPDATE audit_entries SET seq = 1 - seq WHERE seq < 0")
    forged = AuditEntry(5, entries[3].at, "beheerder-0", "key.revoked", "GM0363", {"kid": "kid-1"}, entries[3].hash, "")
    tamper(
        (
            "INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                5,
                forged.at,
                forged.actor,
                forged.action,
                forged.subject,
                '{"kid":"kid-1"}',
                forged.prev_hash,
                entry_hash(forged.content()),
            ),
        )
    )
    assert first_problem(verdict(data)) == ("prev-hash-mismatch", 6)


def test_two_swapped_entries_are_found(data: Path, tamper: Any) -> None:
    fill(data)
    tamper(
        "UPDATE audit_entries SET seq = -1 WHERE seq = 5",
        "UPDATE audit_entries SET seq = 5 WHERE seq = 6",
        "UPDATE audit_entries SET seq = 6 WHERE seq = -1",
    )
    assert first_problem(verdict(data)) == ("prev-hash-mismatch", 5)


def test_a_truncated_tail_after_a_checkpoint_is_found(data: Path, tamper: Any) -> None:
    fill(data, n=10, every=4)
    tamper("DELETE FROM audit_entries WHERE seq > 6")
    report = verdict(data)
    assert first_problem(report) == ("checkpoint-beyond-log", 8)
    assert report.problems[0].checkpoint == 2
    assert "covers 8 entries but the log holds 6" in report.problems[0].message


def test_rewritten_history_with_recomputed_hashes_contradicts_the_checkpoints(data: Path, tamper: Any) -> None:
    fill(data, n=10, every=4)
    tamper("UPDATE audit_entries SET actor = 'iemand-anders' WHERE seq = 3")
    tamper(*rehash_from(data, 3))
    report = verdict(data)
    assert [(p.code, p.checkpoint) for p in report.problems] == [
        ("checkpoint-head-mismatch", 1),
        ("checkpoint-head-mismatch", 2),
    ]
    assert "entry 4" in report.problems[0].message


def _other_key() -> HubKey:
    return HubKey.of(ed25519.Ed25519PrivateKey.generate())


@pytest.mark.parametrize(
    "forgery", ["flipped-signature", "new-payload-old-signature", "other-key", "other-key-hub-kid"]
)
def test_a_forged_checkpoint_is_found(data: Path, tamper: Any, forgery: str) -> None:
    entries = fill(data, n=8, every=4)
    with AuditLog.in_folder(data) as log:
        genuine = log.checkpoints()[1]
        hub = log.hub_key()
    other = _other_key()
    if forgery == "flipped-signature":
        signature = genuine.jws.rsplit(".", 1)[1]
        jws = genuine.jws[: -len(signature)] + ("A" if signature[0] != "A" else "B") + signature[1:]
        expected = "checkpoint-signature"
    elif forgery == "new-payload-old-signature":
        claimed = sign_checkpoint(other, 8, entries[6].hash, genuine.at).jws.split(".")[1]
        header, _, signature = genuine.jws.split(".")
        jws = f"{header}.{claimed}.{signature}"
        expected = "checkpoint-signature"
    elif forgery == "other-key":
        jws = sign_checkpoint(other, 8, genuine.head, genuine.at).jws
        expected = "checkpoint-key"
    else:
        jws = sign_checkpoint(HubKey(other.private_key, hub.kid), 8, genuine.head, genuine.at).jws
        expected = "checkpoint-signature"
    tamper(("UPDATE audit_checkpoints SET jws = ? WHERE id = 2", (jws,)))
    report = verdict(data)
    assert [(p.code, p.checkpoint) for p in report.problems] == [(expected, 2)]
    assert report.problems[0].message.startswith("checkpoint 2: ")


def test_checkpoint_columns_that_differ_from_the_signature_are_found(data: Path, tamper: Any) -> None:
    fill(data, n=8, every=4)
    tamper("UPDATE audit_checkpoints SET size = 3 WHERE id = 1")
    assert [(p.code, p.checkpoint) for p in verdict(data).problems] == [("checkpoint-row-mismatch", 1)]


def test_a_replaced_hub_key_is_caught_by_the_published_key_and_checkpoints(data: Path, tamper: Any) -> None:
    fill(data, n=8, every=4)
    with AuditLog.in_folder(data) as log:
        published_key = public_key_from_jwk(log.hub_key().jwks())
        published = [log.checkpoints()[0].jws]
    # The attacker rewrites entry 2, recomputes the chain, replaces the key file and re-signs every checkpoint.
    tamper("UPDATE audit_entries SET subject = 'UWV' WHERE seq = 2")
    tamper(*rehash_from(data, 2))
    hub_key_path(data).unlink()
    forger = load_or_create_hub_key(hub_key_path(data))
    new_rows = rows(data)
    for cid, size in ((1, 4), (2, 8)):
        head = new_rows[size - 1][7]
        forged = sign_checkpoint(forger, size, head, new_rows[size - 1][1])
        tamper(
            (
                "UPDATE audit_checkpoints SET head = ?, kid = ?, jws = ? WHERE id = ?",
                (head, forger.kid, forged.jws, cid),
            )
        )
    # Locally everything agrees with itself: that is why the public key and the checkpoints are published.
    assert verdict(data).intact
    outsider = verdict(data, published_key)
    assert [(p.code, p.checkpoint) for p in outsider.problems] == [("checkpoint-key", 1), ("checkpoint-key", 2)]
    holder = verdict(data, forger.public_key, published)
    assert [p.code for p in holder.problems] == ["checkpoint-key"]
    assert holder.problems[0].message.startswith("published checkpoint 1")
    with_both = verdict(data, published_key, published)
    assert "checkpoint-head-mismatch" in [p.code for p in with_both.problems]


# opening and keys ------------------------------------------------------------------------------------------------
def test_checkpoints_without_any_key_cannot_be_checked(data: Path) -> None:
    fill(data, n=4, every=4)
    hub_key_path(data).unlink()
    with pytest.raises(HubKeyError, match="--public-key"):
        verdict(data)


def test_a_log_without_checkpoints_needs_no_key(data: Path) -> None:
    fill(data, n=3, every=0)
    assert not hub_key_path(data).exists()
    assert verdict(data).intact


def test_a_missing_log_is_not_created_when_only_read(tmp_path: Path) -> None:
    with pytest.raises(AuditLogMissingError):
        AuditLog.in_folder(tmp_path / "nowhere", create=False)
    with pytest.raises(AuditLogMissingError):
        AuditLog.in_folder(tmp_path, create=False)
    assert list(tmp_path.iterdir()) == []
