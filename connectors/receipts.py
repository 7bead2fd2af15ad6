# SPDX-License-Identifier: EUPL-1.2
"""The receipt a receiver returns for a batch: the only proof that lets the outbox mark the batch delivered.

Wire form (JSON, the same over HTTP and Kafka)::

    {"batch_id": "<jti>", "agency": "GM0363", "received_at": "2026-11-26T10:00:00+00:00",
     "sha256": "<hex of the token bytes>", "accepted": 498, "duplicate": 1,
     "rejected": [{"id": "<signal id>", "reason": "schema-invalid", "detail": "/text: is shorter than 1 characters"}],
     "accepted_ids": ["<signal id>", ...], "duplicate_ids": ["<signal id>"]}

``accepted`` + ``duplicate`` + ``len(rejected)`` is the number of signals in the batch. A receipt sent again for
the same bytes (a replay) is the original one plus ``"replayed": true`` (over HTTP also status 200 instead of 202).
Reasons are error codes and details name fields, never values, so a receipt never carries personal data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from governance.errors import RetriableError

__all__ = ["InvalidReceiptError", "Receipt", "Rejection"]


class InvalidReceiptError(RetriableError):
    """The receiver answered with something that is not a receipt; the batch stays undelivered and is retried."""

    code = "receipt-invalid"


@dataclass(frozen=True)
class Rejection:
    """One signal the receiver refused, by id, with a stable reason code and a value-free detail."""

    id: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Receipt:
    """The receiver's answer for one batch (``batch_id`` is the batch's ``jti``)."""

    batch_id: str
    received_at: datetime
    accepted: int
    duplicate: int = 0
    rejected: tuple[Rejection, ...] = ()
    agency: str = ""
    sha256: str = ""
    replayed: bool = field(default=False, compare=False)  # the receiver had these bytes already (a replay)
    accepted_ids: tuple[str, ...] = ()  # the ids behind the counts, when the receiver lists them (the hub does)
    duplicate_ids: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """The number of signals this receipt accounts for."""
        return self.accepted + self.duplicate + len(self.rejected)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready wire form."""
        return {
            "batch_id": self.batch_id,
            "agency": self.agency,
            "received_at": self.received_at.astimezone(UTC).isoformat(),
            "sha256": self.sha256,
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": [{"id": r.id, "reason": r.reason, "detail": r.detail} for r in self.rejected],
            "accepted_ids": list(self.accepted_ids),
            "duplicate_ids": list(self.duplicate_ids),
            **({"replayed": True} if self.replayed else {}),
        }

    def to_json(self) -> bytes:
        """The wire form as UTF-8 JSON bytes."""
        return json.dumps(self.to_dict(), separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_dict(cls, doc: Any, *, replayed: bool = False) -> Receipt:
        """Parse the wire form; anything malformed raises :class:`InvalidReceiptError`."""
        if not isinstance(doc, Mapping):
            raise InvalidReceiptError("the receipt is not a JSON object")
        try:
            received_at = datetime.fromisoformat(str(doc["received_at"]))
            rejected = tuple(
                Rejection(str(r["id"]), str(r["reason"]), str(r.get("detail", ""))) for r in doc.get("rejected", [])
            )
            receipt = cls(
                batch_id=str(doc["batch_id"]),
                received_at=received_at,
                accepted=int(doc["accepted"]),
                duplicate=int(doc.get("duplicate", 0)),
                rejected=rejected,
                agency=str(doc.get("agency", "")),
                sha256=str(doc.get("sha256", "")),
                replayed=replayed or doc.get("replayed") is True,
                accepted_ids=tuple(str(i) for i in doc.get("accepted_ids", ())),
                duplicate_ids=tuple(str(i) for i in doc.get("duplicate_ids", ())),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidReceiptError("the receipt lacks a field or has one of the wrong type") from exc
        if received_at.tzinfo is None:
            raise InvalidReceiptError("the receipt's received_at has no UTC offset")
        return receipt

    @classmethod
    def from_json(cls, data: bytes | str, *, replayed: bool = False) -> Receipt:
        """Parse wire-form JSON bytes."""
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise InvalidReceiptError("the receipt is not JSON") from exc
        return cls.from_dict(doc, replayed=replayed)
