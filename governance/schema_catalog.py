# SPDX-License-Identifier: EUPL-1.2
"""Which versions of the standard exist and which the hub accepts: an immutable snapshot of the schema registry.

A :class:`SchemaCatalog` is taken from the registry (:meth:`SchemaCatalog.from_registry`) or from the files of
``schema/`` (:meth:`SchemaCatalog.from_files`: every file gepubliceerd, which is exactly what a freshly seeded
registry holds, so both give the same :attr:`~SchemaCatalog.stamp`). Names are the registry's subjects: ``signal``,
``batch``, ``codelist/themes``. The snapshot never changes; a change in the registry makes a new one with another
stamp, and whatever is built from a catalog (compiled validators) is kept per stamp.

:class:`CatalogFollower` gives the newest snapshot of a data folder's registry to a long-running process (the hub):
it asks SQLite whether anything was committed since it last looked (``PRAGMA data_version`` on a connection of its
own, a few microseconds) and takes a new snapshot only then, so a version published, deprecated or retired from the
command line in another process, or from the dashboard in this one, counts from the next batch on.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from governance.registry_model import ChangeKind, SchemaVersion, schema_sha256, version_key
from governance.registry_status import ACCEPTED, Status

if TYPE_CHECKING:
    from governance.schema_registry import SchemaRegistry

__all__ = ["PUBLISHED", "CatalogFollower", "SchemaCatalog"]

#: Statuses of versions that reached connectors at some time: the public history of a subject.
PUBLISHED = frozenset({Status.GEPUBLICEERD, Status.UITGEFASEERD, Status.INGETROKKEN})


class SchemaCatalog:
    """Every version of every subject with its status, sunset and document, as they were at one moment.

    The documents are shared with the registry record they came from: read them, never change them.
    """

    __slots__ = ("_deprecated", "_entries", "_names", "_stamp")

    def __init__(
        self, versions: Iterable[SchemaVersion], deprecated_at: Mapping[tuple[str, str], datetime] | None = None
    ) -> None:
        ordered = sorted(versions, key=lambda v: (v.subject, version_key(v.version)))
        self._entries: Mapping[tuple[str, str], SchemaVersion] = MappingProxyType(
            {(v.subject, v.version): v for v in ordered}
        )
        names: dict[str, tuple[SchemaVersion, ...]] = {}
        for record in ordered:
            names[record.subject] = (*names.get(record.subject, ()), record)
        self._names: Mapping[str, tuple[SchemaVersion, ...]] = MappingProxyType(names)
        self._deprecated = MappingProxyType(dict(deprecated_at or {}))
        facts = [
            (v.subject, v.version, v.status.value, v.sunset.isoformat() if v.sunset else None, v.sha256, _sha(v))
            for v in ordered
        ]
        self._stamp = hashlib.sha256(json.dumps(facts, separators=(",", ":")).encode("ascii")).hexdigest()

    # taking a snapshot -----------------------------------------------------------------------------------------
    @classmethod
    def from_registry(cls, registry: SchemaRegistry) -> SchemaCatalog:
        """The registry's versions now (one read of the store, plus the history of deprecated versions)."""
        versions = registry.store.versions()
        deprecated: dict[tuple[str, str], datetime] = {}
        for record in versions:
            if record.status in (Status.UITGEFASEERD, Status.INGETROKKEN):
                for change in registry.store.history(record.subject, record.version):
                    if change.after is Status.UITGEFASEERD:
                        deprecated[(record.subject, record.version)] = datetime.fromisoformat(change.at)
        return cls(versions, deprecated)

    @classmethod
    def from_files(cls) -> SchemaCatalog:
        """The files of ``schema/``, every one gepubliceerd (the same snapshot each call: the files do not change)."""
        return _files_catalog()

    # looking up ------------------------------------------------------------------------------------------------
    @property
    def stamp(self) -> str:
        """A hash of every version's subject, number, status, sunset, document and migration: equal stamps, equal
        catalogs as far as accepting documents goes."""
        return self._stamp

    def names(self) -> list[str]:
        """Every subject, sorted."""
        return list(self._names)

    def versions(self, name: str) -> tuple[SchemaVersion, ...]:
        """Every version of a subject (any status), in semver order; empty for an unknown subject."""
        return self._names.get(name, ())

    def entry(self, name: str, version: str) -> SchemaVersion | None:
        """One version's record, or None."""
        return self._entries.get((name, version))

    def document(self, name: str, version: str) -> dict[str, Any] | None:
        """One version's schema document (read only), or None."""
        record = self._entries.get((name, version))
        return record.document if record is not None else None

    def status(self, name: str, version: str) -> Status | None:
        """One version's status, or None for a version the registry does not hold."""
        record = self._entries.get((name, version))
        return record.status if record is not None else None

    def sunset(self, name: str, version: str) -> date | None:
        """The date from which a deprecated (or retired) version is refused; None for others."""
        record = self._entries.get((name, version))
        return record.sunset if record is not None else None

    def deprecated_at(self, name: str, version: str) -> datetime | None:
        """When a deprecated or retired version was deprecated (from the registry's history), or None."""
        return self._deprecated.get((name, version))

    def is_accepted(self, name: str, version: str) -> bool:
        """Whether documents of this version are accepted (gepubliceerd or uitgefaseerd)."""
        return self.status(name, version) in ACCEPTED

    def accepted(self, name: str) -> list[str]:
        """The accepted versions of a subject (gepubliceerd and uitgefaseerd), in semver order."""
        return [v.version for v in self.versions(name) if v.status in ACCEPTED]

    def current(self, name: str, major: int | None = None) -> str | None:
        """The newest accepted version of a subject (of that major when ``major`` is given), or None."""
        found = [v for v in self.accepted(name) if major is None or version_key(v)[0] == major]
        return found[-1] if found else None

    def migration(self, name: str, version: str) -> dict[str, Any] | None:
        """The declared migration that leads a document of the previous major INTO ``version``, or None."""
        record = self._entries.get((name, version))
        return record.migration if record is not None else None

    def resources(self) -> list[tuple[str, dict[str, Any]]]:
        """``($id, document)`` of every published version, for resolving ``$ref``: one document per ``$id``, the
        newest accepted version that carries it, else the newest retired one (a retired signal version may still be
        referred to by an accepted batch version; code lists keep one ``$id`` across their versions)."""
        chosen: dict[str, SchemaVersion] = {}
        for record in self._entries.values():  # in subject and semver order: a later version replaces an earlier
            uri = record.document.get("$id")
            if record.status not in PUBLISHED or not isinstance(uri, str):
                continue
            held = chosen.get(uri)
            if held is None or record.status in ACCEPTED or held.status not in ACCEPTED:
                chosen[uri] = record
        return [(uri, record.document) for uri, record in chosen.items()]


def _sha(record: SchemaVersion) -> str | None:
    return schema_sha256(record.migration) if record.migration is not None else None


@cache
def _files_catalog() -> SchemaCatalog:
    from governance.standard import list_schemas, load_schema

    records = []
    for info in list_schemas():
        document = load_schema(info.name, info.version)
        subject = f"codelist/{info.name}" if info.kind == "codelist" else info.name
        record = SchemaVersion(
            subject, info.version, Status.GEPUBLICEERD, document, schema_sha256(document),
            "the standard as shipped in schema/", "hartslag", "", ChangeKind.INITIAL,
        )  # fmt: skip
        records.append(record)
    return SchemaCatalog(records)


class CatalogFollower:
    """The newest catalog of the registry at ``path``, taken again only after a commit to it by anyone.

    ``registry`` opens (or returns the already opened) registry of that file. While the file does not exist the
    catalog is the files' (what the registry would be seeded with); the follower never creates the file itself.
    Safe to call from several threads.
    """

    def __init__(self, path: Path, registry: Callable[[], SchemaRegistry]) -> None:
        self.path = path
        self._registry = registry
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._catalog: SchemaCatalog | None = None

    def __call__(self) -> SchemaCatalog:
        """The current catalog."""
        with self._lock:
            if self._conn is None:
                if not self.path.exists():
                    return SchemaCatalog.from_files()
                self._conn = self._connect()
            try:
                # Different from the last reading exactly when another connection committed in between.
                changed = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise _storage_error(exc) from None
            if self._catalog is None or changed != self._seen:
                self._catalog = SchemaCatalog.from_registry(self._registry())
                self._seen = changed
            return self._catalog

    def _connect(self) -> sqlite3.Connection:
        try:
            return sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _storage_error(exc) from None

    def close(self) -> None:
        """Close the follower's own connection (the registry stays open)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _storage_error(exc: sqlite3.Error) -> Exception:
    from governance.registry_store import RegistryStorageError

    return RegistryStorageError(f"cannot read the registry's change counter ({type(exc).__name__})")
