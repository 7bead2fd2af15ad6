# SPDX-License-Identifier: EUPL-1.2
"""The data matching exchanges with the hub and stores: signal records in, facts and clusters out.

The hub feeds matching through :class:`SignalSource` with :class:`SignalRecord` values (matching never imports
hub). :class:`SignalFacts` are what detectors count by, :class:`ClusterRow` is a stored cluster, and :class:`Window`
the signals one re-clustering sees. Times are timezone-aware; inside the state they are UTC microseconds
(:func:`to_micros`, exact integer arithmetic, no float rounding). :mod:`matching.state` re-exports all of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInputError
from matching.embedder import Matrix

__all__ = [
    "CLUSTER_STATUSES",
    "ClusterRow",
    "SignalFacts",
    "SignalRecord",
    "SignalSource",
    "StoredSignal",
    "TextSource",
    "Window",
    "from_micros",
    "to_micros",
]

#: ``active``: has members in the current window; ``dormant``: none in the window, still open for online members;
#: ``merged``: its members moved to ``merged_into``; ``dissolved``: its members in the window all became noise.
CLUSTER_STATUSES = ("active", "dormant", "merged", "dissolved")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC of an aware datetime (exact; no float rounding)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError("naive datetime: matching needs timezone-aware times", code="naive-datetime")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of :func:`to_micros` output."""
    return _EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True)
class SignalRecord:
    """One stored signal as the hub hands it to matching (``seq`` is the hub's increasing sequence number)."""

    seq: int
    id: str
    agency: str
    organisation_kind: str
    municipality: str | None
    province: str | None
    observed_at: datetime
    text: str
    themes: tuple[str, ...]
    kind: str
    policy_refs: tuple[str, ...] = ()
    """The policies the signal cites, as ``"scheme:id"`` keys (see :func:`matching.policies.ref_key`)."""

    def __post_init__(self) -> None:
        if self.observed_at.tzinfo is None or self.observed_at.utcoffset() is None:
            raise InvalidInputError(f"signal seq {self.seq}: observed_at must be timezone-aware", code="naive-datetime")
        if self.seq < 1:
            raise InvalidInputError(f"signal seq {self.seq}: sequence numbers start at 1", code="invalid-sequence")


@runtime_checkable
class SignalSource(Protocol):
    """Where matching reads signals from (the hub implements it over its own database)."""

    def records_after(self, seq: int, limit: int) -> list[SignalRecord]:
        """Up to ``limit`` records with a sequence number above ``seq``, in increasing ``seq`` order."""
        ...


@runtime_checkable
class TextSource(Protocol):
    """A source that can also give back texts by sequence number (search results older than the window)."""

    def texts(self, seqs: list[int]) -> dict[int, str]:
        """The texts of those sequence numbers it holds."""
        ...


@dataclass(frozen=True)
class SignalFacts:
    """The coarse facts of a processed signal that detectors group and count by (no text)."""

    seq: int
    id: str
    agency: str
    organisation_kind: str
    municipality: str | None
    province: str | None
    observed_at: datetime
    kind: str
    themes: tuple[str, ...]
    """The source's themes, else the assigned ones."""
    policy_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredSignal:
    """A processed signal as written to the state."""

    record: SignalRecord
    vector: Matrix
    cluster_id: int | None
    similarity: float | None
    assigned_themes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Window:
    """The signals of an event-time window that still hold vector and text, in ``seq`` order."""

    seqs: npt.NDArray[np.int64]
    vectors: Matrix
    texts: list[str]
    cluster_ids: npt.NDArray[np.int64]
    """-1 where unassigned."""
    own_themes: list[tuple[str, ...]]
    """Per signal: the themes its source mapped (may be empty)."""
    themes: list[tuple[str, ...]]
    """Per signal: the source's themes, else the assigned ones."""


@dataclass(frozen=True)
class ClusterRow:
    """One cluster as stored (centroid unit length, times aware UTC)."""

    id: int
    centroid: Matrix
    size: int
    first_seen: datetime
    last_seen: datetime
    status: str
    updated_at: datetime
    label: str = ""
    keywords: tuple[str, ...] = ()
    representatives: tuple[int, ...] = ()
    themes: tuple[tuple[str, float], ...] = ()
    merged_into: int | None = None
    split_from: int | None = None
