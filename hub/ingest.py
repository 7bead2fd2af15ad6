# SPDX-License-Identifier: EUPL-1.2
"""The acceptance path of a signed batch: trust, replay, per-signal checks, storage exactly once, events.

Framework-free: the HTTP route, the CloudEvents route, the Kafka consumer and the operator's import all call
:meth:`Ingest.accept` (or :meth:`Ingest.import_signals`). Refusals raise :class:`connectors.envelope.EnvelopeError`
subclasses or :class:`IngestRefusal`, each with a stable code; they are counted, and nothing is stored for them.

Schema versions come from a :class:`~governance.schema_catalog.SchemaCatalog` taken once per batch (the hub's
follows the registry): each signal is validated against the version it declares, a batch that declares a retired
(``ingetrokken``) version anywhere is refused whole (``schema-version-retired``, naming the sunset date), the
deprecated (``uitgefaseerd``) versions a batch declares are listed in its :class:`IngestResult` (the HTTP layer
answers with ``Deprecation`` and ``Sunset`` headers), and accepted signals of another version are stored as read
in the newest version of the major the hub's code reads (:mod:`hub.ingest_versions`, ADR 0005).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from connectors.envelope import MAX_SIGNALS, EnvelopeError, VerifiedBatch, verify_batch
from connectors.keys import TrustedKey, public_key_from_jwk
from connectors.receipts import Receipt, Rejection
from governance.errors import HartslagError, InvalidInputError
from governance.registry_status import ACCEPTED, Status
from governance.schema_catalog import SchemaCatalog
from hub.bus import DomainEvent, EventBus
from hub.ingest_versions import DeprecatedVersion, SignalReader, check_versions
from hub.ratelimit import RateLimiter
from hub.records import AgencyStatus, KeyStatus, RegistryChange, StoredBatch, StoredSignal
from hub.storage import BatchExistsError, Storage
from hub.validation import SignalValidator

__all__ = ["Guard", "Ingest", "IngestRefusal", "IngestResult", "parse_payload"]


class IngestRefusal(InvalidInputError):
    """A batch refused by the hub itself (suspension, replay conflict, size, rate, retired schema version); ``code``
    says which. ``extra`` holds further members for the problem document (e.g. ``sunset``)."""

    def __init__(self, message: str, *, code: str, retry_after: int = 0, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.extra = extra or {}


class Guard(Protocol):
    """Finds personal data that must never be stored: returns the placeholder types found (empty when clean)."""

    def find(self, text: str) -> list[str]: ...

    # find() of each text, for the texts that hold any only (by position): a batch's texts in one call.
    def find_many(self, texts: Sequence[str]) -> dict[int, list[str]]: ...


@dataclass(frozen=True)
class IngestResult:
    """The receipt and whether it is a replay of an earlier delivery (HTTP 200) or new (HTTP 202)."""

    receipt: Receipt
    replayed: bool
    deprecated: tuple[DeprecatedVersion, ...] = ()


# Every byte that is not an ASCII digit becomes a space, every digit "0": a run of 19 zeros is a number orjson may
# read differently from json (see parse_payload).
_DIGIT_MASK = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19


def parse_payload(raw: bytes) -> Any:
    """``json.loads(raw)``, two to three times faster: orjson where it gives exactly the same result.

    orjson refuses what ``json`` accepts beyond RFC 8259 (NaN, Infinity, lone surrogates, a byte-order mark, UTF-16
    and UTF-32) and reads integers beyond 64 bits as floats; everything it accepts otherwise it reads as ``json``
    does (tests compare both on mutated documents). So: orjson when the payload holds no run of 19 or more digits
    (no such integer can hide in it), and ``json`` for the rest and for whatever orjson refuses, so that every
    refusal is the one ``json`` gives.
    """
    if _LONG_NUMBER not in raw.translate(_DIGIT_MASK):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


_NOT_THE_ISSUER = "/source/organisation: not the issuer"


@dataclass
class _Checked:
    """The per-signal outcome of a batch before storage: rejections, the signals to store, repeats in the batch."""

    received_at: datetime
    rejected: list[Rejection]
    candidates: dict[str, dict[str, Any]]
    within_batch: list[str]


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
        catalogs: Callable[[], SchemaCatalog] | None = None,
        guard: Guard | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_signals: int = MAX_SIGNALS,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.storage = storage
        self.hub_id = hub_id
        self.bus = bus or EventBus()
        self._fixed = validator
        # The catalog of each batch: the hub passes its registry follower; without one, the files of schema/.
        self.catalogs = catalogs or SchemaCatalog.from_files
        self._current: SignalValidator | None = None
        self._reader = SignalReader()
        self.guard = guard or _default_guard()
        self.clock = clock
        self.max_signals = max_signals
        self.limiter = limiter

    @property
    def validator(self) -> SignalValidator:
        """The validator of the current catalog (the one given to the constructor, when one was)."""
        if self._fixed is not None:
            return self._fixed
        catalog = self.catalogs()
        current = self._current
        if current is None or current.catalog.stamp != catalog.stamp:
            current = self._current = SignalValidator(catalog)
        return current

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
        return self._verify(token, hashlib.sha256(token).hexdigest(), self.validator)[0]

    def _verify(
        self, token: bytes, sha256: str, validator: SignalValidator
    ) -> tuple[VerifiedBatch, bool, tuple[DeprecatedVersion, ...]]:
        """:meth:`verify` for the hash of ``token`` computed already; also whether every signal is known valid, and
        the deprecated versions the batch declares."""
        batch = verify_batch(
            token,
            self.key_lookup,
            audience=self.hub_id,
            now=self.clock(),
            check_schema=False,
            parse_payload=parse_payload,
            sha256=sha256,
            # Every batch version the registry ever published: retired ones are refused below, naming the sunset.
            batch_versions=[
                v.version for v in validator.catalog.versions("batch") if v.status in ACCEPTED | {Status.INGETROKKEN}
            ],
        )
        if len(batch.signals) > self.max_signals:
            raise IngestRefusal(
                f"the batch holds {len(batch.signals)} signals (at most {self.max_signals})", code="too-many-signals"
            )
        # Usually one call says that the batch and every signal in it are valid. Otherwise the batch schema, which
        # constrains each signal only by its id and version (signals are validated one by one later), is checked
        # on a shallow copy, so that the full documents are not validated for nothing.
        all_valid = validator.batch_valid(batch.document)
        versions = check_versions(validator.catalog, batch, all_valid)
        if versions.retired is not None:  # anywhere in the batch: the whole batch, naming the sunset date
            retired = versions.retired
            raise IngestRefusal(retired.message, code="schema-version-retired", extra=retired.extra)
        if not versions.batch_accepted:
            raise IngestRefusal(
                f"batch schema_version {batch.schema_version!r} is not accepted", code="unsupported-schema-version"
            )
        if not all_valid:
            shallow = {
                **batch.document,
                "signals": [
                    {"id": s.get("id"), "schema_version": s.get("schema_version")} if isinstance(s, dict) else s
                    for s in batch.signals
                ],
            }
            problem = validator.first_problem(shallow, "batch")
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
        return batch, all_valid, versions.deprecated

    # the path ----------------------------------------------------------------------------------------------------
    def accept(self, token: bytes, via: str = "http") -> IngestResult:
        """Accept one compact-JWS batch: returns the receipt, or raises a coded refusal (which is counted)."""
        agency: str | None = None
        try:
            # The same bytes again answer with the original receipt before anything else, also after the token
            # expired: a sender that never heard the answer always learns what happened (transport.md, section 5).
            sha256 = hashlib.sha256(token).hexdigest()
            known = self.storage.find_batch_by_hash(sha256)
            if known is not None:
                return IngestResult(Receipt.from_dict(known.receipt, replayed=True), replayed=True)
            validator = self.validator  # one catalog for the whole batch
            batch, all_valid, deprecated = self._verify(token, sha256, validator)
            agency = batch.agency
            earlier = self.storage.find_batch(batch.jti)
            if earlier is not None:
                return self._replay(earlier, batch)
            checked = self._check_signals(batch.agency, batch.signals, validator, all_valid=all_valid)
            try:
                receipt, stored = self._store(batch.agency, batch.jti, batch.sha256, via, checked)
            except BatchExistsError:  # the same batch raced in on another connection: answer as a replay
                raced = self.storage.find_batch(batch.jti)
                assert raced is not None
                return self._replay(raced, batch)
        except HartslagError as exc:
            if isinstance(exc, EnvelopeError | IngestRefusal):
                self.storage.count_refusal(exc.code, agency)
            raise
        self._count_rejections(receipt)
        self._announce(receipt.agency, receipt.received_at, stored)
        return IngestResult(receipt, replayed=False, deprecated=deprecated)

    def _replay(self, earlier: StoredBatch, batch: VerifiedBatch) -> IngestResult:
        if earlier.sha256 != batch.sha256 or earlier.agency != batch.agency:
            raise IngestRefusal(f"batch {batch.jti} was received before with other content", code="replay-conflict")
        return IngestResult(Receipt.from_dict(earlier.receipt, replayed=True), replayed=True)

    def _check_signals(
        self, agency: str, signals: Sequence[Any], validator: SignalValidator, *, all_valid: bool = False
    ) -> _Checked:
        """Each signal's verdict: schema (skipped when the whole batch is known valid), issuer, personal data,
        repeats within the batch; the candidates as read in the version the hub stores (upcast or read down).

        Each question is asked of the whole batch at once (the per-signal overhead was a large part of the path):
        one call validates the list, one the guard's texts; rejections keep the order of the signals.
        """
        now = self.clock()
        rejected: dict[int, Rejection] = {}
        if not all_valid:
            for i, problem in enumerate(validator.first_problems(signals)):
                if problem is not None:
                    signal = signals[i]
                    signal_id = str(signal.get("id", "")) if isinstance(signal, dict) else ""
                    rejected[i] = Rejection(signal_id, "schema-invalid", f"{problem}: breaks the signal schema")
        # From here on each signal is valid: an object with a UUID string id, a source and a text.
        valid = [i for i in range(len(signals)) if i not in rejected] if rejected else range(len(signals))
        for i in valid:
            if signals[i]["source"]["organisation"] != agency:
                rejected[i] = Rejection(signals[i]["id"], "organisation-mismatch", _NOT_THE_ISSUER)
        scanned = [i for i in valid if i not in rejected] if rejected else valid
        for at, found in self.guard.find_many([signals[i]["text"] for i in scanned]).items():
            i = scanned[at]
            rejected[i] = Rejection(signals[i]["id"], "personal-data-detected", "/text: holds " + ", ".join(found))
        kept = [i for i in scanned if i not in rejected] if rejected else scanned
        refused = len(rejected)
        read = self._reader.read(validator.catalog, signals, kept, rejected, uniform=all_valid)
        if len(rejected) > refused:  # a signal of another version that cannot be read as the stored one
            kept = [i for i in kept if i not in rejected]
        if read:  # signals of another version, read as the stored one
            candidates = {signals[i]["id"]: read.get(i, signals[i]) for i in kept}
        else:
            candidates = {signals[i]["id"]: signals[i] for i in kept}
        within_batch: list[str] = []
        if len(candidates) < len(kept):  # an id repeated within the batch: the first one is the candidate
            candidates = {}
            for i in kept:
                signal_id = signals[i]["id"]
                if signal_id in candidates:
                    within_batch.append(signal_id)
                else:
                    candidates[signal_id] = read.get(i, signals[i])
        return _Checked(now, [rejected[i] for i in sorted(rejected)], candidates, within_batch)

    @staticmethod
    def _receipt(
        agency: str, batch_id: str, sha256: str, checked: _Checked, existing: set[str] | frozenset[str]
    ) -> Receipt:
        """The receipt, given which of the candidates were stored before (``existing``)."""
        candidates = checked.candidates
        if existing:
            accepted_ids = tuple(sid for sid in candidates if sid not in existing)
            duplicate_ids = tuple(checked.within_batch + [sid for sid in candidates if sid in existing])
        else:
            accepted_ids, duplicate_ids = tuple(candidates), tuple(checked.within_batch)
        return Receipt(
            batch_id=batch_id,
            received_at=checked.received_at,
            accepted=len(accepted_ids),
            duplicate=len(duplicate_ids),
            rejected=tuple(checked.rejected),
            agency=agency,
            sha256=sha256,
            accepted_ids=accepted_ids,
            duplicate_ids=duplicate_ids,
        )

    def _store(
        self, agency: str, batch_id: str, sha256: str, via: str, checked: _Checked
    ) -> tuple[Receipt, tuple[str, ...]]:
        """Store the batch and its new signals; returns the receipt and the ids stored.

        Signals are rarely sent twice, so the batch is first stored as if every candidate were new (one statement,
        no look-up). Only when the store refuses that are the duplicates looked up and the rest stored.
        """
        receipt = self._receipt(agency, batch_id, sha256, checked, frozenset())
        row = StoredBatch(batch_id, agency, sha256, receipt.received_at, receipt.to_dict(), via)
        if self.storage.save_new_batch(row, list(checked.candidates.items())):
            return receipt, receipt.accepted_ids
        existing = self.storage.existing_signal_ids(agency, list(checked.candidates))
        receipt = self._receipt(agency, batch_id, sha256, checked, existing)
        row = StoredBatch(batch_id, agency, sha256, receipt.received_at, receipt.to_dict(), via)
        now, candidates = checked.received_at, checked.candidates
        self.storage.save_batch(
            row, [StoredSignal(sid, agency, batch_id, now, candidates[sid]) for sid in receipt.accepted_ids]
        )
        return receipt, receipt.accepted_ids

    def _count_rejections(self, receipt: Receipt) -> None:
        reasons: dict[str, int] = {}
        for rejection in receipt.rejected:
            reasons[rejection.reason] = reasons.get(rejection.reason, 0) + 1
        for reason, count in reasons.items():
            self.storage.count_refusal(f"signal:{reason}", receipt.agency, count)

    def _announce(self, agency: str, at: datetime, ids: Sequence[str]) -> None:
        # One signal_received event per stored signal; none are built while nobody listens.
        if not self.bus.has_subscribers("signal_received"):
            return
        for sid in ids:
            self.bus.publish(DomainEvent("signal_received", at, {"id": sid, "agency": agency}))

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
        checked = self._check_signals(agency, cleaned, self.validator)
        receipt, stored = self._store(agency, batch_id, "", "import", checked)
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
        self._announce(agency, receipt.received_at, stored)
        return receipt
