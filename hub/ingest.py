# SPDX-License-Identifier: EUPL-1.2
"""The acceptance path of a signed batch: trust, replay, per-signal checks, storage exactly once, events.

Framework-free: the HTTP route, the CloudEvents route, the Kafka consumer and the operator's import all call
:meth:`Ingest.accept` (or :meth:`Ingest.import_signals`). Refusals raise :class:`connectors.envelope.EnvelopeError`
subclasses or :class:`IngestRefusal`, each with a stable code; they are counted, and nothing is stored for them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from connectors.envelope import MAX_SIGNALS, EnvelopeError, VerifiedBatch, verify_batch
from connectors.keys import TrustedKey, public_key_from_jwk
from connectors.receipts import Receipt, Rejection
from governance.errors import HartslagError, InvalidInputError
from hub.bus import DomainEvent, EventBus
from hub.ratelimit import RateLimiter
from hub.records import AgencyStatus, KeyStatus, RegistryChange, StoredBatch, StoredSignal
from hub.storage import BatchExistsError, Storage
from hub.validation import SignalValidator

__all__ = ["Guard", "Ingest", "IngestRefusal", "IngestResult"]


class IngestRefusal(InvalidInputError):
    """A batch refused by the hub itself (suspension, replay conflict, size, rate); ``code`` says which."""

    def __init__(self, message: str, *, code: str, retry_after: int = 0) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class Guard(Protocol):
    """Finds personal data that must never be stored: returns the placeholder types found (empty when clean)."""

    def find(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class IngestResult:
    """The receipt and whether it is a replay of an earlier delivery (HTTP 200) or new (HTTP 202)."""

    receipt: Receipt
    replayed: bool


def _default_guard() -> Guard:
    from hub.guard import PersonalDataGuard

    return PersonalDataGuard()


class Ingest:
    """Accepts signed batches for one hub (``hub_id`` is the expected audience)."""

    def __init__(
        self,
        storage: Storage,
        hub_id: str,
        *,
        bus: EventBus | None = None,
        validator: SignalValidator | None = None,
        guard: Guard | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_signals: int = MAX_SIGNALS,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.storage = storage
        self.hub_id = hub_id
        self.bus = bus or EventBus()
        self.validator = validator or SignalValidator()
        self.guard = guard or _default_guard()
        self.clock = clock
        self.max_signals = max_signals
        self.limiter = limiter

    # trust -------------------------------------------------------------------------------------------------------
    def key_lookup(self, kid: str) -> TrustedKey | None:
        """The registered key ``kid`` as a verification key, with its status and validity window."""
        key = self.storage.get_key(kid)
        if key is None:
            return None
        return TrustedKey(
            kid=key.kid,
            agency=key.agency,
            alg="EdDSA" if key.jwk.get("kty") == "OKP" else "ES256",
            public_key=public_key_from_jwk(key.jwk),
            not_before=key.not_before,
            not_after=key.not_after,
            revoked_at=key.revoked_at if key.status is KeyStatus.REVOKED else None,
            revoked=key.status is KeyStatus.REVOKED and key.revoked_at is None,
        )

    def verify(self, token: bytes) -> VerifiedBatch:
        """Verify signature, key and claims; then check the agency may deliver."""
        batch = verify_batch(token, self.key_lookup, audience=self.hub_id, now=self.clock(), check_schema=False)
        if len(batch.signals) > self.max_signals:
            raise IngestRefusal(
                f"the batch holds {len(batch.signals)} signals (at most {self.max_signals})", code="too-many-signals"
            )
        # The batch schema constrains each signal only by its id and version (signals are validated one by one
        # next): check a shallow copy, so the full documents are not converted for nothing.
        shallow = {
            **batch.document,
            "signals": [
                {"id": s.get("id"), "schema_version": s.get("schema_version")} if isinstance(s, dict) else s
                for s in batch.signals
            ],
        }
        problem = self.validator.first_problem(shallow, "batch")
        if problem is not None:
            raise IngestRefusal(f"{problem}: does not conform to the batch schema", code="batch-schema-invalid")
        agency = self.storage.get_agency(batch.agency)
        if agency is None:
            raise IngestRefusal(f"agency {batch.agency} is not registered", code="unknown-agency")
        if agency.status is AgencyStatus.SUSPENDED:
            raise IngestRefusal(f"agency {batch.agency} is suspended", code="agency-suspended")
        wait = self.limiter.acquire(batch.agency) if self.limiter else 0
        if wait:
            raise IngestRefusal(f"agency {batch.agency} sends too fast", code="rate-limited", retry_after=wait)
        return batch

    # the path ----------------------------------------------------------------------------------------------------
    def accept(self, token: bytes, via: str = "http") -> IngestResult:
        """Accept one compact-JWS batch: returns the receipt, or raises a coded refusal (which is counted)."""
        agency: str | None = None
        try:
            # The same bytes again answer with the original receipt before anything else, also after the token
            # expired: a sender that never heard the answer always learns what happened (transport.md, section 5).
            known = self.storage.find_batch_by_hash(hashlib.sha256(token).hexdigest())
            if known is not None:
                return IngestResult(Receipt.from_dict(known.receipt, replayed=True), replayed=True)
            batch = self.verify(token)
            agency = batch.agency
            earlier = self.storage.find_batch(batch.jti)
            if earlier is not None:
                return self._replay(earlier, batch)
            receipt, stored = self._check_signals(batch.agency, batch.jti, batch.signals, batch.sha256)
            try:
                self.storage.save_batch(
                    StoredBatch(batch.jti, batch.agency, batch.sha256, receipt.received_at, receipt.to_dict(), via),
                    stored,
                )
            except BatchExistsError:  # the same batch raced in on another connection: answer as a replay
                raced = self.storage.find_batch(batch.jti)
                assert raced is not None
                return self._replay(raced, batch)
        except HartslagError as exc:
            if isinstance(exc, EnvelopeError | IngestRefusal):
                self.storage.count_refusal(exc.code, agency)
            raise
        self._count_rejections(receipt)
        self._announce(stored)
        return IngestResult(receipt, replayed=False)

    def _replay(self, earlier: StoredBatch, batch: VerifiedBatch) -> IngestResult:
        if earlier.sha256 != batch.sha256 or earlier.agency != batch.agency:
            raise IngestRefusal(f"batch {batch.jti} was received before with other content", code="replay-conflict")
        return IngestResult(Receipt.from_dict(earlier.receipt, replayed=True), replayed=True)

    def _check_signals(
        self, agency: str, batch_id: str, signals: Sequence[Any], sha256: str
    ) -> tuple[Receipt, list[StoredSignal]]:
        now = self.clock()
        rejected: list[Rejection] = []
        candidates: dict[str, dict[str, Any]] = {}
        duplicates = 0
        within_batch: list[str] = []
        find = self.guard.find
        # One call validates the whole list (the per-signal overhead was a large part of the hot loop).
        for signal, problem in zip(signals, self.validator.first_problems(signals), strict=True):
            signal_id = str(signal.get("id", "")) if isinstance(signal, dict) else ""
            if problem is not None:
                rejected.append(Rejection(signal_id, "schema-invalid", f"{problem}: breaks the signal schema"))
                continue
            if signal["source"]["organisation"] != agency:
                rejected.append(Rejection(signal_id, "organisation-mismatch", "/source/organisation: not the issuer"))
                continue
            found = find(signal["text"])
            if found:
                rejected.append(Rejection(signal_id, "personal-data-detected", "/text: holds " + ", ".join(found)))
                continue
            if signal_id in candidates:
                duplicates += 1
                within_batch.append(signal_id)
                continue
            candidates[signal_id] = signal
        existing = self.storage.existing_signal_ids(agency, list(candidates))
        duplicates += len(existing)
        duplicate_ids = within_batch + [sid for sid in candidates if sid in existing]
        stored = [
            StoredSignal(sid, agency, batch_id, now, doc) for sid, doc in candidates.items() if sid not in existing
        ]
        receipt = Receipt(
            batch_id=batch_id,
            received_at=now,
            accepted=len(stored),
            duplicate=duplicates,
            rejected=tuple(rejected),
            agency=agency,
            sha256=sha256,
            accepted_ids=tuple(s.id for s in stored),
            duplicate_ids=tuple(duplicate_ids),
        )
        return receipt, stored

    def _count_rejections(self, receipt: Receipt) -> None:
        reasons: dict[str, int] = {}
        for rejection in receipt.rejected:
            reasons[rejection.reason] = reasons.get(rejection.reason, 0) + 1
        for reason, count in reasons.items():
            self.storage.count_refusal(f"signal:{reason}", receipt.agency, count)

    def _announce(self, stored: Sequence[StoredSignal]) -> None:
        for signal in stored:
            self.bus.publish(
                DomainEvent("signal_received", signal.received_at, {"id": signal.id, "agency": signal.agency})
            )

    # the operator's import ---------------------------------------------------------------------------------------
    def import_signals(
        self, agency: str, signals: Sequence[dict[str, Any]], actor: str, source: str, scrub: Callable[[str], str]
    ) -> Receipt:
        """A trusted operator's bulk import of already anonymised signals: scrubbed again, then the same checks."""
        registered = self.storage.get_agency(agency)
        if registered is None:
            raise IngestRefusal(f"agency {agency} is not registered", code="unknown-agency")
        cleaned = []
        for signal in signals:
            if isinstance(signal, dict) and isinstance(signal.get("text"), str):
                signal = {**signal, "text": scrub(signal["text"])}
            cleaned.append(signal)
        batch_id = str(uuid.uuid4())
        receipt, stored = self._check_signals(agency, batch_id, cleaned, "")
        self.storage.save_batch(
            StoredBatch(batch_id, agency, "", receipt.received_at, receipt.to_dict(), "import"), stored
        )
        self.storage.record_change(
            RegistryChange(
                "signals_imported",
                agency,
                actor,
                receipt.received_at,
                {"batch": batch_id, "source": source, "accepted": receipt.accepted},
            )
        )
        self._count_rejections(receipt)
        self._announce(stored)
        return receipt
