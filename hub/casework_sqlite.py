# SPDX-License-Identifier: EUPL-1.2
"""The embedded default :class:`~hub.casework.CaseStore`: ``DATA/casework.db`` (SQLite, WAL).

Tables: ``cases`` (one row per pattern that was ever changed: status, owner), ``case_notes``, ``case_actions`` and
``case_history`` (append-only: triggers refuse updates and deletes). Every change and its history entry are written in
one transaction, so the history never misses a change that was stored. Times are RFC 3339 UTC text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from governance.errors import RetriableError
from governance.sqlite_file import LockedConnection
from hub.casework import Case, CaseAction, CaseChange, CaseStatus, Note

__all__ = ["CaseStorageError", "SQLiteCaseStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    pattern_id INTEGER PRIMARY KEY, status TEXT NOT NULL, owner TEXT, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pattern_id INTEGER NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pattern_id INTEGER NOT NULL, day TEXT NOT NULL, description TEXT NOT NULL,
    author TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, pattern_id INTEGER NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
    event TEXT NOT NULL, details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_notes_pattern ON case_notes (pattern_id);
CREATE INDEX IF NOT EXISTS case_actions_pattern ON case_actions (pattern_id);
CREATE INDEX IF NOT EXISTS case_history_pattern ON case_history (pattern_id);
CREATE TRIGGER IF NOT EXISTS case_history_no_update BEFORE UPDATE ON case_history
    BEGIN SELECT RAISE(ABORT, 'the case history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS case_history_no_delete BEFORE DELETE ON case_history
    BEGIN SELECT RAISE(ABORT, 'the case history is append-only'); END;
"""


class CaseStorageError(RetriableError):
    """The casework database failed (locked, disk full); nothing was written."""

    code = "storage-error"


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class SQLiteCaseStore:
    """Cases in one SQLite file; one connection shared by threads under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sql = LockedConnection.open(path, _SCHEMA, CaseStorageError, "the casework database")

    @staticmethod
    def _history(db: sqlite3.Connection, pattern_id: int, change: CaseChange, **extra: Any) -> None:
        details = json.dumps({**change.details, **extra}, sort_keys=True)
        db.execute(
            "INSERT INTO case_history (pattern_id, at, actor, event, details) VALUES (?, ?, ?, ?, ?)",
            (pattern_id, _text(change.at), change.actor, change.event, details),
        )

    @staticmethod
    def _ensure(db: sqlite3.Connection, pattern_id: int, at: datetime) -> None:
        """The case row exists (a pattern nobody touched has none) and records when it last changed."""
        db.execute(
            "INSERT INTO cases (pattern_id, status, owner, updated_at) VALUES (?, ?, NULL, ?)"
            " ON CONFLICT (pattern_id) DO UPDATE SET updated_at = excluded.updated_at",
            (pattern_id, CaseStatus.NIEUW.value, _text(at)),
        )

    # reading ----------------------------------------------------------------------------------------------------
    def case(self, pattern_id: int) -> Case:
        """The stored case, or a fresh ``nieuw`` one."""
        with self._sql.read() as db:
            row = db.execute("SELECT status, owner FROM cases WHERE pattern_id = ?", (pattern_id,)).fetchone()
            notes = db.execute(
                "SELECT id, text, author, at FROM case_notes WHERE pattern_id = ? ORDER BY id", (pattern_id,)
            ).fetchall()
            actions = db.execute(
                "SELECT id, day, description, author, at FROM case_actions WHERE pattern_id = ? ORDER BY day, id",
                (pattern_id,),
            ).fetchall()
            history = db.execute(
                "SELECT at, actor, event, details FROM case_history WHERE pattern_id = ? ORDER BY seq", (pattern_id,)
            ).fetchall()
        if row is None:
            return Case(pattern_id)
        return Case(
            pattern_id=pattern_id,
            status=CaseStatus(row[0]),
            owner=row[1],
            notes=[Note(int(i), str(t), str(a), _time(at)) for i, t, a, at in notes],
            actions=[
                CaseAction(int(i), date.fromisoformat(d), str(t), str(a), _time(at)) for i, d, t, a, at in actions
            ],
            history=[CaseChange(_time(at), str(actor), str(ev), json.loads(det)) for at, actor, ev, det in history],
        )

    def statuses(self, pattern_ids: Sequence[int] | None = None) -> dict[int, CaseStatus]:
        """Stored statuses (of ``pattern_ids``, in chunks below SQLite's parameter limit)."""
        with self._sql.read() as db:
            if pattern_ids is None:
                rows = db.execute("SELECT pattern_id, status FROM cases").fetchall()
            else:
                wanted = sorted({int(p) for p in pattern_ids})
                rows = []
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    rows += db.execute(
                        f"SELECT pattern_id, status FROM cases WHERE pattern_id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    ).fetchall()
        return {int(p): CaseStatus(s) for p, s in rows}

    # writing ----------------------------------------------------------------------------------------------------
    def set_status(
        self, pattern_id: int, expected: CaseStatus, status: CaseStatus, change: CaseChange, note: str | None
    ) -> bool:
        """Compare-and-set the status, with its history entry (and the note) in the same transaction."""
        with self._sql.write() as db:
            row = db.execute("SELECT status FROM cases WHERE pattern_id = ?", (pattern_id,)).fetchone()
            if CaseStatus(row[0] if row else CaseStatus.NIEUW) is not expected:
                return False
            self._ensure(db, pattern_id, change.at)
            db.execute("UPDATE cases SET status = ? WHERE pattern_id = ?", (status.value, pattern_id))
            extra: dict[str, Any] = {}
            if note is not None:
                extra["note_id"] = self._insert_note(db, pattern_id, note, change)
            self._history(db, pattern_id, change, **extra)
        return True

    def set_owner(self, pattern_id: int, owner: str, change: CaseChange) -> None:
        """Set the owner organisation, with its history entry."""
        with self._sql.write() as db:
            self._ensure(db, pattern_id, change.at)
            db.execute("UPDATE cases SET owner = ? WHERE pattern_id = ?", (owner, pattern_id))
            self._history(db, pattern_id, change)

    @staticmethod
    def _insert_note(db: sqlite3.Connection, pattern_id: int, text: str, change: CaseChange) -> int:
        cursor = db.execute(
            "INSERT INTO case_notes (pattern_id, text, author, at) VALUES (?, ?, ?, ?)",
            (pattern_id, text, change.actor, _text(change.at)),
        )
        return int(cursor.lastrowid or 0)

    def add_note(self, pattern_id: int, text: str, change: CaseChange) -> Note:
        """Add a note, with its history entry."""
        with self._sql.write() as db:
            self._ensure(db, pattern_id, change.at)
            note_id = self._insert_note(db, pattern_id, text, change)
            self._history(db, pattern_id, change, note_id=note_id)
        return Note(note_id, text, change.actor, change.at)

    def add_action(self, pattern_id: int, day: date, description: str, change: CaseChange) -> CaseAction:
        """Add an action, with its history entry."""
        with self._sql.write() as db:
            self._ensure(db, pattern_id, change.at)
            cursor = db.execute(
                "INSERT INTO case_actions (pattern_id, day, description, author, at) VALUES (?, ?, ?, ?, ?)",
                (pattern_id, day.isoformat(), description, change.actor, _text(change.at)),
            )
            action_id = int(cursor.lastrowid or 0)
            self._history(db, pattern_id, change, action_id=action_id)
        return CaseAction(action_id, day, description, change.actor, change.at)

    def close(self) -> None:
        """Close the database."""
        self._sql.close()
