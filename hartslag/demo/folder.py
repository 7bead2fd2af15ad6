# SPDX-License-Identifier: EUPL-1.2
"""The demo folder: fresh on every run, and never anything but a demo folder.

Layout: ``hub/`` is the hub's data folder (its SQLite database and ``matching/``); ``exports/`` holds each
organisation's export and mapping, ``keys/`` their key pairs, ``outboxes/`` their connectors' outboxes (the agencies'
side, which in life never shares a disk with the hub), ``werkgroep/`` the working group members' key pairs;
``hub.log``, ``admin-token`` and ``summary.json`` sit next to
them. A marker file says the folder was made by the demo.

:func:`prepare` empties the folder before a run, but only when it is empty, missing or carries the marker: a folder
that holds anything else is refused, so a mistyped ``--data`` never wipes real data. One file survives the wipe: the
embedding cache (``hub/matching/embeddings.sqlite3``, vectors keyed by a SHA-256 of the text, no text), so that a
second run with the same scenario does not embed the same texts again. Everything else, the hub's database and
the matching state included, starts from nothing.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from governance.errors import InvalidInputError

__all__ = ["MARKER", "DemoFolder", "NotADemoFolderError", "prepare"]

MARKER = ".hartslag-demo"
_CACHE = "embeddings.sqlite3"  # matching.embedding_cache.CACHE_FILENAME (not imported: it pulls in numpy)
_CARRIED = ".embeddings-carried"


class NotADemoFolderError(InvalidInputError):
    """The chosen folder holds something the demo did not make."""

    code = "demo-folder-not-empty"


@dataclass(frozen=True)
class DemoFolder:
    """The paths of one demo folder."""

    root: Path

    @property
    def hub(self) -> Path:
        """The hub's data folder."""
        return self.root / "hub"

    @property
    def matching(self) -> Path:
        """Matching's state inside the hub's data folder."""
        return self.hub / "matching"

    @property
    def exports(self) -> Path:
        """The organisations' exports and mappings."""
        return self.root / "exports"

    @property
    def keys(self) -> Path:
        """The organisations' key pairs."""
        return self.root / "keys"

    @property
    def workgroup(self) -> Path:
        """The working group members' key pairs (``NAME.key.pem``, ``NAME.jwks.json``)."""
        return self.root / "werkgroep"

    @property
    def outboxes(self) -> Path:
        """The connectors' outboxes, one folder per organisation."""
        return self.root / "outboxes"

    @property
    def hub_log(self) -> Path:
        """The hub process's output."""
        return self.root / "hub.log"

    @property
    def admin_token(self) -> Path:
        """The admin token of this run (mode 0600)."""
        return self.root / "admin-token"

    @property
    def logins(self) -> Path:
        """The demo accounts' names, roles and passwords of this run (mode 0600)."""
        return self.root / "logins"

    @property
    def summary(self) -> Path:
        """The summary as JSON."""
        return self.root / "summary.json"


def prepare(root: Path) -> DemoFolder:
    """Make ``root`` an empty demo folder (keeping only the embedding cache); refuse any other non-empty folder."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise NotADemoFolderError(f"{root} is a file, not a folder; choose another --data")
    if root.is_dir() and any(root.iterdir()):
        if not (root / MARKER).is_file():
            raise NotADemoFolderError(
                f"{root} is not empty and was not made by the demo; choose an empty or new folder with --data"
            )
        _carry_cache(root)
        for entry in root.iterdir():
            if entry.name in {MARKER, _CARRIED}:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("Made by `hartslag demo`; emptied at the start of every demo run.\n", encoding="utf-8")
    folder = DemoFolder(root)
    folder.matching.mkdir(parents=True)
    carried = root / _CARRIED
    if carried.is_file():
        carried.rename(folder.matching / _CACHE)
    return folder


def _carry_cache(root: Path) -> None:
    """Fold the old cache's write-ahead log into it and move it aside (a cache that cannot be read is dropped)."""
    cache = DemoFolder(root).matching / _CACHE
    if not cache.is_file():
        return
    try:
        with contextlib.closing(sqlite3.connect(cache, timeout=5)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("SELECT count(*) FROM embeddings").fetchone()
    except sqlite3.Error:
        return
    cache.rename(root / _CARRIED)
