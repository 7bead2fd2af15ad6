# SPDX-License-Identifier: EUPL-1.2
"""The ingest's schema-version rules: which versions a batch declares, which of them are retired or deprecated, and
reading accepted signals of another version as the one the hub stores.

Framework-free and without storage: :class:`hub.ingest.Ingest` asks :func:`check_versions` once per batch (two look-
ups when the batch is known valid, one per distinct version otherwise) and refuses a batch with a retired version;
the deprecated ones go into its result, from which the HTTP layer makes ``Deprecation`` and ``Sunset`` headers.
:class:`SignalReader` applies :class:`governance.upcasting.Upcaster` to the signals that do not declare the version
the hub stores (none, in the usual batch): the newest accepted version of the major the hub's own code reads
(:data:`STORED_MAJOR`, the major of :data:`governance.standard.CURRENT_VERSION`; ADR 0005). An older minor is upcast,
a newer major read down by its declared migration, so storage and matching see one form of every signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from connectors.envelope import VerifiedBatch
from connectors.receipts import Rejection
from governance.errors import HartslagError
from governance.registry_model import parse_version
from governance.registry_status import ACCEPTED, Status
from governance.schema_catalog import SchemaCatalog
from governance.standard import CURRENT_VERSION
from governance.upcasting import Upcaster

__all__ = ["STORED_MAJOR", "DeprecatedVersion", "RetiredVersion", "SignalReader", "VersionCheck", "check_versions"]

#: The major of the signal the hub's code (storage columns, matching) reads: every signal is stored as its newest
#: accepted version, whatever version it was sent in.
STORED_MAJOR = parse_version(CURRENT_VERSION)[0]


@dataclass(frozen=True)
class DeprecatedVersion:
    """A deprecated schema version a batch declared: still accepted until it is retired, from ``sunset`` on."""

    subject: str
    version: str
    sunset: date | None
    deprecated_at: datetime | None


@dataclass(frozen=True)
class RetiredVersion:
    """A retired schema version a batch declared: the batch is refused (``schema-version-retired``)."""

    subject: str
    version: str
    sunset: date | None

    @property
    def message(self) -> str:
        """The refusal's detail: names the version and its sunset date (nothing of the signals)."""
        since = f" since its sunset on {self.sunset.isoformat()}" if self.sunset else ""
        where = "send a version the hub accepts (GET /v1/schemas)"
        return f"{self.subject} schema version {self.version} is retired{since}; {where}"

    @property
    def extra(self) -> dict[str, Any]:
        """The problem document's extension members."""
        return {
            "subject": self.subject,
            "version": self.version,
            "sunset": self.sunset.isoformat() if self.sunset else None,
        }


@dataclass(frozen=True)
class VersionCheck:
    """What the versions a batch declares mean: the first retired one (refuse), the deprecated ones (warn), and
    whether the batch's own version is accepted."""

    retired: RetiredVersion | None
    deprecated: tuple[DeprecatedVersion, ...]
    batch_accepted: bool


def check_versions(catalog: SchemaCatalog, batch: VerifiedBatch, all_valid: bool) -> VersionCheck:
    """The status of the batch's version and of every signal version it declares. When the batch is known valid,
    every signal declares the first one's version, so only two versions are looked up."""
    if all_valid:
        signal_versions: set[Any] = {batch.signals[0]["schema_version"]}
    else:
        signal_versions = {s.get("schema_version") for s in batch.signals if isinstance(s, dict)}
    declared = [("batch", batch.schema_version)] + [("signal", v) for v in sorted(signal_versions, key=str)]
    retired: RetiredVersion | None = None
    deprecated: list[DeprecatedVersion] = []
    for name, version in declared:
        status = catalog.status(name, version) if isinstance(version, str) else None
        if status is Status.INGETROKKEN and retired is None:
            retired = RetiredVersion(name, version, catalog.sunset(name, version))
        elif status is Status.UITGEFASEERD:
            since = catalog.deprecated_at(name, version)
            deprecated.append(DeprecatedVersion(name, version, catalog.sunset(name, version), since))
    accepted = catalog.status("batch", batch.schema_version) in ACCEPTED
    return VersionCheck(retired, tuple(deprecated), accepted)


class SignalReader:
    """Reads accepted signals as the version the hub stores (the newest accepted one of :data:`STORED_MAJOR`); keeps
    one upcaster (with its plans) per catalog."""

    def __init__(self) -> None:
        self._upcaster: Upcaster | None = None

    def read(
        self,
        catalog: SchemaCatalog,
        signals: Sequence[Any],
        kept: Sequence[int],
        rejected: dict[int, Rejection],
        *,
        uniform: bool = False,
    ) -> dict[int, dict[str, Any]]:
        """The kept signals of another version read as the stored one (across majors by the declared migrations), by
        position; a signal that cannot be read so is rejected (``rejected`` gains it) with the upcaster's code.
        ``uniform``: every signal declares the first one's version (a batch known valid), so only that is looked at."""
        stored = catalog.current("signal", STORED_MAJOR)
        if uniform and signals and signals[0]["schema_version"] == stored:
            return {}
        other = [i for i in kept if signals[i]["schema_version"] != stored]
        if not other:  # the usual batch: every signal declares the stored version
            return {}
        upcaster = self._upcaster
        if upcaster is None or upcaster.catalog is not catalog:
            upcaster = self._upcaster = Upcaster(catalog)
        read: dict[int, dict[str, Any]] = {}
        for i in other:
            try:
                read[i] = upcaster.read(signals[i], target_major=STORED_MAJOR)
            except HartslagError as exc:
                detail = f"/schema_version: {signals[i]['schema_version']} cannot be read as {stored}"
                rejected[i] = Rejection(signals[i]["id"], exc.code, detail)
        return read
