# SPDX-License-Identifier: EUPL-1.2
"""The hub's signals as :class:`matching.records.SignalSource`: what matching reads, in the hub's storage order.

Matching may not import the hub, so the hub implements matching's Protocol; the composition root joins the two.
Each record carries coarse facts only: the municipality (the signal's own location, else the publishing
municipality) and its province from the standard's code list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path

from governance.standard import codelist_codes
from hub.records import StoredSignal
from hub.storage import Storage, open_storage
from matching.policies import ref_key
from matching.records import SignalRecord

__all__ = ["HubSignalSource", "open_hub_source", "to_record"]


@cache
def _province_of() -> dict[str, str]:
    return {
        code: str(entry["x-province"])
        for code, entry in codelist_codes("municipalities").items()
        if entry.get("x-province")
    }


def to_record(seq: int, signal: StoredSignal) -> SignalRecord:
    """The matching view of one stored signal."""
    document = signal.document
    source = document["source"]
    municipality = (document.get("location") or {}).get("municipality")
    if municipality is None and source["organisation_kind"] in {"municipality", "flemish_local_government"}:
        municipality = source["organisation"]
    return SignalRecord(
        seq=seq,
        id=signal.id,
        agency=signal.agency,
        organisation_kind=source["organisation_kind"],
        municipality=municipality,
        province=_province_of().get(municipality) if municipality else None,
        observed_at=datetime.fromisoformat(document["observed_at"]),
        text=document.get("text", ""),  # retention may have taken the text out (hub/retention.py)
        themes=tuple(document.get("themes", ())),
        kind=document["kind"],
        policy_refs=tuple(ref_key(ref) for ref in document.get("policy_refs", ())),
    )


class HubSignalSource:
    """Reads the hub's stored signals after a sequence number, in order."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def records_after(self, seq: int, limit: int) -> list[SignalRecord]:
        """Up to ``limit`` records with a sequence number above ``seq``, in increasing order."""
        return [to_record(number, signal) for number, signal in self.storage.signals_after(seq, limit)]

    def texts(self, seqs: list[int]) -> dict[int, str]:
        """The anonymised texts of these sequence numbers (matching keeps texts for its window only)."""
        out: dict[int, str] = {}
        for seq in sorted(set(seqs)):
            found = self.storage.signals_after(seq - 1, 1)
            if found and found[0][0] == seq and "text" in found[0][1].document:  # gone after retention
                out[seq] = str(found[0][1].document["text"])
        return out

    def count_after(self, seq: int) -> int:
        """How many stored signals have a sequence number above ``seq`` (for progress bars)."""
        return max(self.storage.count_signals() - seq, 0)


@contextmanager
def open_hub_source(data: Path) -> Iterator[HubSignalSource]:
    """The hub's signals in data folder ``data`` (the composition root hands this to matching's commands)."""
    storage = open_storage(data)
    try:
        yield HubSignalSource(storage)
    finally:
        storage.close()
