# SPDX-License-Identifier: EUPL-1.2
"""The lossless outbox: an SQLite database (WAL) in the connector's state folder that holds every signal until a
receiver's receipt says it arrived.

Life of a signal: ``enqueue`` (idempotent by signal id: ``INSERT OR IGNORE``, the id is the key, the first body
wins) → pending → ``seal`` groups pending signals into batches (≤ ``batch_size`` signals and ≤ ``max_batch_bytes``;
a partial batch only once its oldest signal is ``max_age`` seconds old, or on ``force``) and stores each batch's
signed token → ``claim`` marks the batch ``in_flight`` and commits *before* the send → ``mark_delivered`` on a
receipt, ``mark_retry`` on a transient failure (exponential backoff with jitter, at least the receiver's
Retry-After), ``set_aside`` on a permanent refusal (with its reason code; never retried by itself).

Crash safety: every step is one transaction. A crash between send and mark leaves the batch ``in_flight``; the next
``claim`` resends the SAME bytes (same ``jti``, so the receiver's replay check answers with the original receipt)
unless the token expired or will expire within :data:`RESIGN_MARGIN`, when it is re-signed with a new ``jti`` (the
receiver deduplicates by signal id). Delivered signals keep only their id (so re-reading an export does not send
them again); their bodies and tokens are erased.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.envelope import MAX_SIGNALS, BatchSigner
from connectors.receipts import Receipt
from governance.errors import InvalidInputError, RetriableError

__all__ = [
    "DB_NAME",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_BATCH_BYTES",
    "RESIGN_MARGIN",
    "EnqueueResult",
    "Outbox",
    "OutboxBatch",
    "OutboxBusyError",
    "OutboxStatus",
]

DEFAULT_BATCH_SIZE = 500
DEFAULT_MAX_BATCH_BYTES = 768 * 1024  # keeps a batch under Kafka's default 1 MiB message limit
RESIGN_MARGIN = 60  # seconds: a token with less validity left is re-signed before it is (re)sent
DB_NAME = "outbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signals (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT,
    size INTEGER NOT NULL,
    enqueued_at REAL NOT NULL,
    batch_id INTEGER REFERENCES batches(id)
);
CREATE INDEX IF NOT EXISTS signals_pending ON signals(seq) WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS signals_batch ON signals(batch_id);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('queued', 'in_flight', 'delivered', 'set_aside')),
    jti TEXT NOT NULL,
    token BLOB,
    iat INTEGER NOT NULL,
    exp INTEGER NOT NULL,
    n_signals INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    resigned INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    reason TEXT,
    created_at REAL NOT NULL,
    delivered_at REAL,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS batches_due ON batches(next_attempt_at) WHERE state IN ('queued', 'in_flight');
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    signals INTEGER NOT NULL,
    queued_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rejections (
    signal_id TEXT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"""


class OutboxBusyError(InvalidInputError):
    """Another connector process is already delivering from this state folder."""

    code = "outbox-busy"


@dataclass(frozen=True)
class EnqueueResult:
    """How many signals were new and how many ids the outbox already held."""

    added: int
    known: int


@dataclass(frozen=True)
class OutboxBatch:
    """A claimed batch: what to send, and how many times a send of it was started before."""

    id: int
    jti: str
    token: bytes
    n_signals: int
    attempts: int
    resigned: bool

    @property
    def is_resend(self) -> bool:
        """A send of this batch (these signals) was started before."""
        return self.attempts > 1


@dataclass
class OutboxStatus:
    """Counts of signals by state, batches by state, and why signals were set aside."""

    queued: int = 0  # waiting: not yet batched, or in a batch not yet sent
    in_flight: int = 0
    delivered: int = 0
    set_aside: int = 0
    batches: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    resends: int = 0
    next_attempt_in: float | None = None

    @property
    def total(self) -> int:
        """Every signal the outbox knows."""
        return self.queued + self.in_flight + self.delivered + self.set_aside

    @property
    def settled(self) -> bool:
        """Nothing is waiting or in flight."""
        return self.queued == 0 and self.in_flight == 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``hartslag connector status --json``)."""
        return {
            "queued": self.queued,
            "in_flight": self.in_flight,
            "delivered": self.delivered,
            "set_aside": self.set_aside,
            "batches": dict(self.batches),
            "set_aside_reasons": dict(self.reasons),
            "resends": self.resends,
            "next_attempt_in": self.next_attempt_in,
        }


class Outbox:
    """The connector's durable queue of signals and signed batches (one SQLite file in ``state_dir``)."""

    def __init__(
        self,
        state_dir: Path,
        *,
        signer: BatchSigner | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        max_age: float = 5.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 300.0,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        exclusive: bool = False,
    ) -> None:
        if not 1 <= batch_size <= MAX_SIGNALS:
            raise InvalidInputError(f"the batch size must be 1..{MAX_SIGNALS}", code="batch-size")
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.signer = signer
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.max_age = max_age
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._clock = clock
        self._rng = rng
        self._lock_fd: int | None = None
        if exclusive:
            self._lock()
        self._db = sqlite3.connect(self.state_dir / DB_NAME, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a committed receipt or enqueue survives power loss too
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def _lock(self) -> None:
        # An advisory lock: the OS drops it when the process dies, even by SIGKILL, so restarts are never blocked.
        fd = os.open(self.state_dir / "outbox.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise OutboxBusyError(f"another connector is delivering from {self.state_dir}") from exc
        self._lock_fd = fd

    def close(self) -> None:
        """Close the database and release the delivery lock."""
        self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def enqueue(self, signals: Iterable[Mapping[str, Any]]) -> EnqueueResult:
        """Add signals in one transaction; an id the outbox already holds (in any state) is left as it is."""
        now = self._clock()
        rows = []
        for signal in signals:
            signal_id = signal.get("id") if isinstance(signal, Mapping) else None
            if not isinstance(signal_id, str) or not signal_id:
                raise InvalidInputError("a signal without a string id cannot be queued", code="signal-id-missing")
            body = json.dumps(signal, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            rows.append((signal_id, body, len(body.encode("utf-8")), now))
        with self._tx() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO signals (id, body, size, enqueued_at) VALUES (?, ?, ?, ?)", rows)
            added = db.total_changes - before
        return EnqueueResult(added=added, known=len(rows) - added)

    def source_digest(self, source: str) -> str | None:
        """The digest recorded when ``source`` (an export file) was last queued, or None."""
        row = self._db.execute("SELECT sha256 FROM sources WHERE path = ?", (source,)).fetchone()
        return None if row is None else str(row[0])

    def mark_source(self, source: str, digest: str, signals: int) -> None:
        """Record that ``source`` with content ``digest`` is queued (so an unchanged file is not read again)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO sources (path, sha256, signals, queued_at) VALUES (?, ?, ?, ?)",
                (source, digest, signals, self._clock()),
            )

    def _signer(self) -> BatchSigner:
        if self.signer is None:
            raise InvalidInputError("this outbox was opened without a signing key", code="signer-missing")
        return self.signer

    def seal(self, *, force: bool = False) -> int:
        """Group pending signals into signed batches; returns how many batches were made."""
        made = 0
        while True:
            rows = self._db.execute(
                "SELECT seq, body, size, enqueued_at FROM signals WHERE batch_id IS NULL ORDER BY seq LIMIT ?",
                (self.batch_size,),
            ).fetchall()
            if not rows:
                return made
            chosen: list[tuple[int, str, int, float]] = []
            total = 0
            for row in rows:
                if chosen and total + row[2] > self.max_batch_bytes:
                    break
                chosen.append(row)
                total += row[2]
            full = len(chosen) < len(rows) or len(chosen) == self.batch_size
            if not (full or force or self._clock() - rows[0][3] >= self.max_age):
                return made
            now = self._clock()
            signed = self._signer().sign_serialized([row[1] for row in chosen], now=now)
            with self._tx() as db:
                cursor = db.execute(
                    "INSERT INTO batches (state, jti, token, iat, exp, n_signals, next_attempt_at, created_at)"
                    " VALUES ('queued', ?, ?, ?, ?, ?, 0, ?)",
                    (signed.jti, signed.token, signed.iat, signed.exp, len(chosen), now),
                )
                db.executemany(
                    "UPDATE signals SET batch_id = ? WHERE seq = ?", [(cursor.lastrowid, row[0]) for row in chosen]
                )
            made += 1

    def claim(self) -> OutboxBatch | None:
        """The next due batch, marked ``in_flight`` (committed before the caller sends it), or None."""
        now = self._clock()
        row = self._db.execute(
            "SELECT id, jti, token, exp, n_signals, attempts, resigned FROM batches"
            " WHERE state IN ('queued', 'in_flight') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
            (now,),
        ).fetchone()
        if row is None:
            return None
        batch_id, jti, token, exp, n_signals, attempts, resigned = row
        with self._tx() as db:
            if exp - now < RESIGN_MARGIN:
                # The old token would be refused as expired: sign the same signals again under a new jti.
                bodies = [
                    r[0] for r in db.execute("SELECT body FROM signals WHERE batch_id = ? ORDER BY seq", (batch_id,))
                ]
                signed = self._signer().sign_serialized(bodies, now=now)
                jti, token, resigned = signed.jti, signed.token, resigned + 1
                db.execute(
                    "UPDATE batches SET jti = ?, token = ?, iat = ?, exp = ?, resigned = ? WHERE id = ?",
                    (jti, token, signed.iat, signed.exp, resigned, batch_id),
                )
            db.execute("UPDATE batches SET state = 'in_flight', attempts = attempts + 1 WHERE id = ?", (batch_id,))
        return OutboxBatch(batch_id, jti, bytes(token), n_signals, attempts + 1, bool(resigned))

    def mark_delivered(self, batch_id: int, receipt: Receipt) -> None:
        """The receiver's receipt arrived: the batch is delivered, its rejected signals are set aside by reason."""
        with self._tx() as db:
            # Only ids of this batch count: a receipt cannot set aside signals it was not sent.
            db.executemany(
                "INSERT OR REPLACE INTO rejections (signal_id, batch_id, reason)"
                " SELECT id, batch_id, ? FROM signals WHERE id = ? AND batch_id = ?",
                [(r.reason, r.id, batch_id) for r in receipt.rejected],
            )
            db.execute(
                "UPDATE batches SET state = 'delivered', token = NULL, delivered_at = ?, receipt = ?, reason = NULL"
                " WHERE id = ?",
                (self._clock(), receipt.to_json().decode("utf-8"), batch_id),
            )
            # Data minimisation: a delivered signal keeps only its id, which makes re-enqueueing it a no-op.
            db.execute("UPDATE signals SET body = NULL WHERE batch_id = ?", (batch_id,))

    def backoff(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure in a row: exponential, jittered, ≥ Retry-After."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(failures - 1, 0))
        delay = ceiling * (0.5 + 0.5 * self._rng())  # "equal jitter": spreads retries, keeps a floor
        if retry_after is not None:
            delay = max(delay, min(retry_after, 3600.0))
        return delay

    def mark_retry(self, batch_id: int, error: RetriableError | None = None) -> float:
        """A transient failure: back to ``queued`` (same token) after a backoff; returns the delay in seconds."""
        retry_after = getattr(error, "retry_after", None)
        (failures,) = self._db.execute("SELECT failures FROM batches WHERE id = ?", (batch_id,)).fetchone()
        delay = self.backoff(failures + 1, retry_after)
        with self._tx() as db:
            db.execute(
                "UPDATE batches SET state = 'queued', failures = failures + 1, next_attempt_at = ?, reason = ?"
                " WHERE id = ?",
                (self._clock() + delay, error.code if error is not None else "retriable", batch_id),
            )
        return delay

    def set_aside(self, batch_id: int, reason: str) -> None:
        """A permanent refusal: the batch and its signals are set aside with ``reason`` (an error code)."""
        with self._tx() as db:
            db.execute("UPDATE batches SET state = 'set_aside', reason = ? WHERE id = ?", (reason, batch_id))

    def requeue_set_aside(self) -> int:
        """Give set-aside batches another go (after the operator fixed the cause, e.g. registered the key)."""
        with self._tx() as db:
            return db.execute(
                "UPDATE batches SET state = 'queued', failures = 0, next_attempt_at = 0, exp = 0, reason = NULL"
                " WHERE state = 'set_aside'"
            ).rowcount

    def next_due_in(self) -> float | None:
        """Seconds until the next queued batch is due (0 when one is due now), None when none waits."""
        (due,) = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM batches WHERE state IN ('queued', 'in_flight')"
        ).fetchone()
        return None if due is None else max(0.0, due - self._clock())

    def pending(self) -> int:
        """Signals not yet in a batch."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM signals WHERE batch_id IS NULL").fetchone()
        return int(count)

    def status(self) -> OutboxStatus:
        """Counts of signals and batches by state, set-aside reasons, and resends so far."""
        status = OutboxStatus(queued=self.pending())
        for state, batches, signals, resends in self._db.execute(
            "SELECT state, COUNT(*), SUM(n_signals), SUM(MAX(attempts - 1, 0)) FROM batches GROUP BY state"
        ):
            status.batches[state] = batches
            status.resends += resends or 0
            if state == "set_aside":
                status.set_aside += signals
            else:
                setattr(status, state, getattr(status, state) + signals)
        for reason, signals in self._db.execute(
            "SELECT reason, SUM(n_signals) FROM batches WHERE state = 'set_aside' GROUP BY reason"
        ):
            status.reasons[reason] = signals
        for reason, signals in self._db.execute("SELECT reason, COUNT(*) FROM rejections GROUP BY reason"):
            status.reasons[reason] = status.reasons.get(reason, 0) + signals
            status.delivered -= signals
            status.set_aside += signals
        status.next_attempt_in = self.next_due_in()
        return status
