# SPDX-License-Identifier: EUPL-1.2
"""The demo folder is fresh on every run, keeps only the embedding cache, and is never anything but a demo folder."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from hartslag.demo.folder import MARKER, NotADemoFolderError, prepare


def _cache(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE embeddings (embedder TEXT, key TEXT, vector BLOB)")
        db.executemany("INSERT INTO embeddings VALUES ('m', ?, x'00')", [(str(i),) for i in range(rows)])
        db.commit()


def test_a_new_folder_becomes_an_empty_demo_folder(tmp_path: Path) -> None:
    folder = prepare(tmp_path / "new" / ".demo")
    assert (folder.root / MARKER).is_file()
    assert folder.matching.is_dir() and not any(folder.matching.iterdir())
    assert {p.name for p in folder.root.iterdir()} == {MARKER, "hub"}


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    folder = prepare(tmp_path)
    assert folder.root == tmp_path and (tmp_path / MARKER).is_file()


def test_an_old_demo_folder_is_emptied_but_the_embedding_cache_stays(tmp_path: Path) -> None:
    first = prepare(tmp_path / "d")
    (first.hub / "hartslag.db").write_bytes(b"old hub data")
    (first.matching / "matching.db").write_bytes(b"old matching state")
    first.exports.mkdir()
    (first.exports / "gm0363-signalen.json").write_text("[]")
    first.hub_log.write_text("log")
    _cache(first.matching / "embeddings.sqlite3", rows=3)
    again = prepare(tmp_path / "d")
    assert sorted(p.relative_to(again.root).as_posix() for p in again.root.rglob("*")) == [
        MARKER, "hub", "hub/matching", "hub/matching/embeddings.sqlite3",
    ]  # fmt: skip
    with contextlib.closing(sqlite3.connect(again.matching / "embeddings.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM embeddings").fetchone() == (3,)


def test_an_unreadable_cache_is_dropped(tmp_path: Path) -> None:
    first = prepare(tmp_path)
    (first.matching / "embeddings.sqlite3").write_bytes(b"not a database at all, not even close" * 200)
    again = prepare(tmp_path)
    assert not any(again.matching.iterdir())


def test_a_folder_the_demo_did_not_make_is_refused_and_left_alone(tmp_path: Path) -> None:
    precious = tmp_path / "hartslag.db"
    precious.write_bytes(b"a real hub's data")
    with pytest.raises(NotADemoFolderError) as raised:
        prepare(tmp_path)
    assert raised.value.code == "demo-folder-not-empty"
    assert precious.read_bytes() == b"a real hub's data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hartslag.db"]


def test_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(NotADemoFolderError):
        prepare(path)
    assert path.read_text() == "x"
