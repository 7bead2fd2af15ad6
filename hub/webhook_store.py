# SPDX-License-Identifier: EUPL-1.2
"""Webhook subscriptions, their outbox of deliveries and the delivery log: ``DATA/webhooks.db`` (SQLite, WAL).

- ``webhook_subscriptions``: URL, filter, the ``whsec_`` secret (the file is made readable by its owner only),
  who made it when, ``after_alert`` (the alert cursor when it was made: it receives later alerts only), whether it
  is active and why not.
- ``webhook_deliveries``: the outbox, one row per (subscription, event id), unique, holding the exact event bytes,
  the status (``pending``, ``delivered``, ``failed``), the number of attempts, the next attempt's time and the last
  outcome. Queuing a delivery twice changes nothing.
- ``webhook_attempts``: every attempt of a delivery with its time, HTTP status or error type, and duration.
- ``webhook_meta``: ``alert_cursor``, the rowid of the last alert of matching's ``alerts`` table that was queued.
  It moves in the same transaction that queues that alert's deliveries, so after a crash an alert is queued once.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance.errors import RetriableError
from governance.sqlite_file import LockedConnection
from hub.webhooks import Subscription, WebhookFilter

__all__ = ["Attempt", "Delivery", "Queued", "WebhookStorageError", "WebhookStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, filter TEXT NOT NULL, secret TEXT NOT NULL, created_at TEXT NOT NULL,
    created_by TEXT NOT NULL, after_alert INTEGER NOT NULL, active INTEGER NOT NULL, disabled_reason TEXT
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id TEXT NOT NULL, event_id TEXT NOT NULL,
    event_type TEXT NOT NULL, body BLOB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, next_attempt_us INTEGER, last_status_code INTEGER, last_error TEXT, finished_at TEXT,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_us);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    delivery_id INTEGER NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL, status_code INTEGER, error TEXT,
    duration_ms REAL NOT NULL, PRIMARY KEY (delivery_id, attempt)
);
CREATE TABLE IF NOT EXISTS webhook_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_DELIVERY = (
    "SELECT id, subscription_id, event_id, event_type, body, status, attempts, created_at, next_attempt_us,"
    " last_status_code, last_error, finished_at FROM webhook_deliveries"
)


class WebhookStorageError(RetriableError):
    """The webhook database failed; nothing was written."""

    code = "storage-error"


@dataclass(frozen=True)
class Attempt:
    """One attempt to deliver: when, the HTTP status (None when no answer came) or the error's type, how long."""

    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription, with its attempts when read for the log."""

    id: int
    subscription_id: str
    event_id: str
    event_type: str
    body: bytes
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    finished_at: datetime | None
    log: list[Attempt] = field(default_factory=list)


@dataclass(frozen=True)
class Queued:
    """A delivery to queue: which subscription, which event (its id and type) and the event's bytes."""

    subscription_id: str
    event_id: str
    event_type: str
    body: bytes


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _from_us(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1_000_000, UTC)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class WebhookStore:
    """The webhook database of a data folder; one connection shared by threads under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sql = LockedConnection.open(path, _SCHEMA, WebhookStorageError, "the webhook database")
        os.chmod(path, 0o600)  # it holds the subscriptions' signing secrets

    # subscriptions ----------------------------------------------------------------------------------------------
    def add_subscription(self, subscription: Subscription, after_alert: int) -> None:
        """Store a new subscription that receives alerts after ``after_alert``."""
        with self._sql.write() as db:
            db.execute(
                "INSERT INTO webhook_subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    subscription.id, subscription.url, json.dumps(subscription.filter.as_json()), subscription.secret,
                    subscription.created_at.isoformat(), subscription.created_by, after_alert,
                    int(subscription.active), subscription.disabled_reason,
                ),
            )  # fmt: skip

    def subscriptions(self, *, active_only: bool = False) -> list[tuple[Subscription, int]]:
        """Subscriptions with their ``after_alert``, oldest first."""
        query = "SELECT id, url, filter, secret, created_at, created_by, after_alert, active, disabled_reason"
        query += " FROM webhook_subscriptions" + (" WHERE active = 1" if active_only else "")
        with self._sql.read() as db:
            rows = db.execute(query + " ORDER BY created_at, id").fetchall()
        return [
            (
                Subscription(
                    id=r[0], url=r[1], filter=WebhookFilter.from_json(json.loads(r[2])), secret=r[3],
                    created_at=datetime.fromisoformat(r[4]), created_by=r[5], active=bool(r[7]), disabled_reason=r[8],
                ),
                int(r[6]),
            )
            for r in rows
        ]  # fmt: skip

    def subscription(self, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        found = [s for s, _ in self.subscriptions() if s.id == subscription_id]
        return found[0] if found else None

    def delete_subscription(self, subscription_id: str) -> bool:
        """Remove a subscription with its outbox and log; False when there was none."""
        with self._sql.write() as db:
            gone = db.execute("DELETE FROM webhook_subscriptions WHERE id = ?", (subscription_id,)).rowcount
            ids = "SELECT id FROM webhook_deliveries WHERE subscription_id = ?"
            db.execute(f"DELETE FROM webhook_attempts WHERE delivery_id IN ({ids})", (subscription_id,))
            db.execute("DELETE FROM webhook_deliveries WHERE subscription_id = ?", (subscription_id,))
        return bool(gone)

    def disable_subscription(self, subscription_id: str, reason: str, at: datetime) -> None:
        """Stop delivering to a subscription: it gets no new deliveries, and its pending ones fail."""
        with self._sql.write() as db:
            db.execute(
                "UPDATE webhook_subscriptions SET active = 0, disabled_reason = ? WHERE id = ?",
                (reason, subscription_id),
            )
            db.execute(
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_us = NULL, finished_at = ?,"
                " last_error = COALESCE(last_error, 'subscription-disabled')"
                " WHERE subscription_id = ? AND status = 'pending'",
                (at.isoformat(), subscription_id),
            )

    # the alert cursor and the outbox ----------------------------------------------------------------------------
    def alert_cursor(self) -> int:
        """The rowid of the last alert queued (0 before the first)."""
        with self._sql.read() as db:
            row = db.execute("SELECT value FROM webhook_meta WHERE key = 'alert_cursor'").fetchone()
        return int(row[0]) if row else 0

    def enqueue(
        self, deliveries: Sequence[Queued], at: datetime, cursor: int | None = None, *, due: bool = True
    ) -> list[int]:
        """Queue deliveries due now (one already queued is left alone) and, in the same transaction, move the alert
        cursor to ``cursor``; returns the new deliveries' ids. ``due=False`` queues them for the caller to attempt
        itself (the background thread never picks them up)."""
        ids: list[int] = []
        with self._sql.write() as db:
            for item in deliveries:
                row = db.execute(
                    "INSERT OR IGNORE INTO webhook_deliveries (subscription_id, event_id, event_type, body, status,"
                    " created_at, next_attempt_us) VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
                    (
                        item.subscription_id,
                        item.event_id,
                        item.event_type,
                        item.body,
                        at.isoformat(),
                        _us(at) if due else None,
                    ),
                ).fetchone()
                if row is not None:
                    ids.append(int(row[0]))
            if cursor is not None:
                db.execute(
                    "INSERT OR REPLACE INTO webhook_meta (key, value) VALUES ('alert_cursor', ?)", (str(cursor),)
                )
        return ids

    def due(self, now: datetime, limit: int = 50) -> list[Delivery]:
        """Pending deliveries of active subscriptions whose next attempt is due, earliest first."""
        with self._sql.read() as db:
            rows = db.execute(
                _DELIVERY + " WHERE status = 'pending' AND next_attempt_us <= ? AND subscription_id IN"
                " (SELECT id FROM webhook_subscriptions WHERE active = 1) ORDER BY next_attempt_us, id LIMIT ?",
                (_us(now), limit),
            ).fetchall()
        return [self._delivery(r) for r in rows]

    def record_attempt(self, delivery_id: int, attempt: Attempt, status: str, next_attempt: datetime | None) -> None:
        """Log an attempt and set the delivery's status (``pending`` with ``next_attempt``, or final)."""
        finished = None if status == "pending" else attempt.at.isoformat()
        with self._sql.write() as db:
            db.execute(
                "INSERT INTO webhook_attempts VALUES (?, ?, ?, ?, ?, ?)",
                (delivery_id, attempt.number, attempt.at.isoformat(), attempt.status_code, attempt.error,
                 attempt.duration_ms),
            )  # fmt: skip
            db.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_us = ?, last_status_code = ?,"
                " last_error = ?, finished_at = ? WHERE id = ?",
                (status, attempt.number, None if next_attempt is None else _us(next_attempt), attempt.status_code,
                 attempt.error, finished, delivery_id),
            )  # fmt: skip

    # the log ----------------------------------------------------------------------------------------------------
    def delivery(self, delivery_id: int) -> Delivery | None:
        """One delivery with its attempts."""
        with self._sql.read() as db:
            row = db.execute(_DELIVERY + " WHERE id = ?", (delivery_id,)).fetchone()
            return None if row is None else self._with_log(db, self._delivery(row))

    def deliveries(self, subscription_id: str, limit: int = 50) -> list[Delivery]:
        """A subscription's deliveries with their attempts, newest first."""
        with self._sql.read() as db:
            rows = db.execute(
                _DELIVERY + " WHERE subscription_id = ? ORDER BY id DESC LIMIT ?", (subscription_id, limit)
            ).fetchall()
            return [self._with_log(db, self._delivery(r)) for r in rows]

    @staticmethod
    def _delivery(r: Sequence[Any]) -> Delivery:
        return Delivery(
            id=int(r[0]), subscription_id=r[1], event_id=r[2], event_type=r[3], body=bytes(r[4]), status=r[5],
            attempts=int(r[6]), created_at=datetime.fromisoformat(r[7]), next_attempt_at=_from_us(r[8]),
            last_status_code=r[9], last_error=r[10], finished_at=_time(r[11]),
        )  # fmt: skip

    @staticmethod
    def _with_log(db: sqlite3.Connection, delivery: Delivery) -> Delivery:
        rows = db.execute(
            "SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = ?"
            " ORDER BY attempt",
            (delivery.id,),
        ).fetchall()
        log = [Attempt(int(n), datetime.fromisoformat(at), code, err, float(ms)) for n, at, code, err, ms in rows]
        return Delivery(**{**delivery.__dict__, "log": log})

    def close(self) -> None:
        """Close the database."""
        self._sql.close()
