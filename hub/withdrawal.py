# SPDX-License-Identifier: EUPL-1.2
"""Signed withdrawals: an agency takes back signals it published, and the hub removes them everywhere.

The withdrawal is a compact JWS (RFC 7515) signed with one of the agency's registered keys: header ``alg`` EdDSA or
ES256, ``kid``, ``typ`` :data:`TYP`; payload ``{iss, aud, iat, exp, jti, signal_ids, reason?}`` with ``exp`` at most
15 minutes after ``iat``, 1..:data:`MAX_IDS` distinct UUIDs and ``reason`` an optional kebab-case code (never free
text: it goes into the audit log). Verification follows :func:`connectors.envelope.verify_batch` step by step and
refuses with the same codes; :class:`WithdrawalRefusal` adds ``withdrawal-invalid`` and ``withdrawal-conflict``.

An agency withdraws its own signals only: ids of other agencies' signals are reported as ``unknown``, exactly like
ids nobody sent, so a withdrawal never tells whether another agency's signal exists. A suspended agency may still
withdraw (taking data back is never blocked); its key must still be valid.

:meth:`Withdrawals.accept` removes, in this order, so that a crash at any point is repaired by sending the same
token again: matching (:func:`matching.withdrawal.withdraw`: state, clusters, embedding cache, live indexes and the
index file), then the hub's storage (document deleted, tombstone left, withdrawal and receipt stored, one
transaction), then the audit log entry ``signals.withdrawn`` (counts, jti and reason; never ids' content or text)
and one ``signal_withdrawn`` event per signal. The same bytes again answer with the stored receipt (200).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connectors.envelope import (
    CLOCK_SKEW,
    MalformedJWS,
    b64url_decode,
    verify_signed,
)
from connectors.keys import KeyLookup
from governance.audit import AuditSink
from governance.errors import InvalidInputError
from hub.bus import DomainEvent, EventBus
from hub.matching_removal import MatchingRemoval, matching_removal_for, refresh_read_model
from hub.storage import Storage, WithdrawalExistsError

if TYPE_CHECKING:
    from hub.services import HubServices

__all__ = [
    "MAX_IDS",
    "MAX_TOKEN_BYTES",
    "TYP",
    "VerifiedWithdrawal",
    "WithdrawalRefusal",
    "WithdrawalResult",
    "Withdrawals",
    "verify_withdrawal",
    "withdrawals_for",
]

log = logging.getLogger("hartslag.hub.withdrawal")

TYP = "hartslag-withdrawal+jwt"
MAX_IDS = 1000
MAX_TOKEN_BYTES = 256 * 1024  # 1000 UUIDs take about 50 KB once signed
_CLAIMS = frozenset({"iss", "aud", "iat", "exp", "jti", "signal_ids", "reason"})
_REASON = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


class WithdrawalRefusal(InvalidInputError):
    """A withdrawal the hub refuses for a reason of its own (``withdrawal-invalid``, ``withdrawal-conflict``)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class VerifiedWithdrawal:
    """A withdrawal whose signature, key and claims passed."""

    sha256: str
    agency: str
    kid: str
    jti: str
    iat: int
    exp: int
    signal_ids: tuple[str, ...]
    reason: str | None


@dataclass(frozen=True)
class WithdrawalResult:
    """The receipt and whether it answers a replay of the same bytes (HTTP 200) or a new withdrawal (202)."""

    receipt: dict[str, Any]
    replayed: bool


def _invalid(message: str) -> WithdrawalRefusal:
    return WithdrawalRefusal(message, code="withdrawal-invalid")


def _uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def verify_withdrawal(
    token: bytes, key_lookup: KeyLookup, *, audience: str, now: datetime, leeway: int = CLOCK_SKEW
) -> VerifiedWithdrawal:
    """Verify a compact-JWS withdrawal, or raise the refusal that says why (the batch codes, in the batch order:
    shape, ``alg``, ``typ``/``crit``, key, signature, ``iss``, ``aud``, lifetime, ``iat``, ``exp``; then claims)."""
    if len(token) > MAX_TOKEN_BYTES:  # the batch envelope allows 24 MB; a withdrawal of 1000 ids needs about 50 KB
        raise MalformedJWS(f"the token is larger than {MAX_TOKEN_BYTES} bytes")
    signed = verify_signed(
        token, key_lookup, typ=TYP, audience=audience, at=now.timestamp(), leeway=leeway, what="withdrawal",
        invalid=_invalid,
    )  # fmt: skip
    claims, key, kid, iat, exp = signed.claims, signed.key, signed.kid, signed.iat, signed.exp
    return _claims(claims, hashlib.sha256(token).hexdigest(), str(key.agency), kid, iat, exp)


def _claims(claims: dict[str, Any], sha256: str, agency: str, kid: str, iat: int, exp: int) -> VerifiedWithdrawal:
    extra = sorted(set(claims) - _CLAIMS)
    if extra:
        raise WithdrawalRefusal(f"unknown claim(s): {', '.join(extra)[:200]}", code="withdrawal-invalid")
    jti = claims.get("jti")
    if not _uuid(jti):
        raise WithdrawalRefusal("/jti: must be a UUID", code="withdrawal-invalid")
    ids = claims.get("signal_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_IDS:
        raise WithdrawalRefusal(f"/signal_ids: must list 1..{MAX_IDS} signal ids", code="withdrawal-invalid")
    bad = [i for i, value in enumerate(ids) if not _uuid(value)]
    if bad:
        raise WithdrawalRefusal(f"/signal_ids/{bad[0]}: must be a UUID", code="withdrawal-invalid")
    if len(set(ids)) != len(ids):
        raise WithdrawalRefusal("/signal_ids: ids must be unique", code="withdrawal-invalid")
    reason = claims.get("reason")
    if reason is not None and (not isinstance(reason, str) or not _REASON.match(reason)):
        raise WithdrawalRefusal("/reason: must be a kebab-case code, not free text", code="withdrawal-invalid")
    return VerifiedWithdrawal(sha256, agency, kid, str(jti), iat, exp, tuple(str(i) for i in ids), reason)


def _peek_jti(token: bytes) -> str | None:
    """The ``jti`` of a token WITHOUT verifying it (only to find the receipt of the very same bytes)."""
    parts = token.split(b".")
    if len(parts) != 3 or len(token) > MAX_TOKEN_BYTES:
        return None
    try:
        claims = json.loads(b64url_decode(parts[1], "payload"))
    except (MalformedJWS, UnicodeDecodeError, ValueError):
        return None
    jti = claims.get("jti") if isinstance(claims, dict) else None
    return jti if isinstance(jti, str) else None


class Withdrawals:
    """Accepts signed withdrawals for one hub (``hub_id`` is the audience) over its storage and ``matching``."""

    def __init__(
        self,
        storage: Storage,
        hub_id: str,
        key_lookup: KeyLookup,
        *,
        matching: MatchingRemoval | None = None,
        audit: AuditSink | None = None,
        bus: EventBus | None = None,
        on_removed: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.hub_id = hub_id
        self.key_lookup = key_lookup
        self.matching = matching or MatchingRemoval(None)
        self.audit = audit
        self.bus = bus or EventBus()
        self.on_removed = on_removed
        self.clock = clock

    def accept(self, token: bytes, via: str = "http") -> WithdrawalResult:
        """Verify ``token`` and withdraw its signals; the receipt lists ``withdrawn``, ``already_withdrawn`` and
        ``unknown`` ids. Refusals raise :class:`connectors.envelope.EnvelopeError` or :class:`WithdrawalRefusal`."""
        sha256 = hashlib.sha256(token).hexdigest()
        jti = _peek_jti(token)
        known = self.storage.find_withdrawal(jti) if jti else None
        if known is not None and known[1] == sha256:
            return WithdrawalResult(known[2], replayed=True)
        verified = verify_withdrawal(token, self.key_lookup, audience=self.hub_id, now=self.clock())
        earlier = self.storage.find_withdrawal(verified.jti)
        if earlier is not None:
            return self._replay(earlier, verified)
        now = self.clock()
        found = self.storage.signals_of(verified.agency, verified.signal_ids)
        own = {signal.id for _, signal in found}
        rest = [sid for sid in verified.signal_ids if sid not in own]
        # Removed by retention before: gone as well, so "already withdrawn" rather than "unknown".
        already = (
            self.storage.tombstoned_ids(verified.agency, rest)
            | self.storage.tombstoned_ids(verified.agency, rest, "retention")
            if rest
            else set()
        )
        withdrawn = [sid for sid in verified.signal_ids if sid in own]
        receipt: dict[str, Any] = {
            "withdrawal_id": verified.jti,
            "agency": verified.agency,
            "received_at": now.isoformat(),
            "withdrawn": withdrawn,
            "already_withdrawn": [sid for sid in rest if sid in already],
            "unknown": [sid for sid in rest if sid not in already],
            "reason": verified.reason,
        }
        texts = [str(s.document["text"]) for _, s in found if "text" in s.document]  # retention may have taken it
        matching = self.matching.withdraw([seq for seq, _ in found], texts, now)
        try:
            self.storage.remove_signals(
                verified.agency,
                withdrawn,
                now,
                cause="withdrawal",
                reference=verified.jti,
                withdrawal=(verified.jti, verified.sha256, receipt),
            )
        except WithdrawalExistsError:  # the same withdrawal raced in on another connection
            raced = self.storage.find_withdrawal(verified.jti)
            assert raced is not None
            return self._replay(raced, verified)
        self._record(verified, receipt, via, matching)
        return WithdrawalResult(receipt, replayed=False)

    def _replay(self, earlier: tuple[str, str, dict[str, Any]], verified: VerifiedWithdrawal) -> WithdrawalResult:
        agency, sha256, receipt = earlier
        if sha256 != verified.sha256 or agency != verified.agency:
            raise WithdrawalRefusal(
                f"withdrawal {verified.jti} was received before with other content", code="withdrawal-conflict"
            )
        return WithdrawalResult(receipt, replayed=True)

    def _record(
        self, verified: VerifiedWithdrawal, receipt: dict[str, Any], via: str, matching: dict[str, int]
    ) -> None:
        withdrawn = receipt["withdrawn"]
        details = {
            "jti": verified.jti,
            "kid": verified.kid,
            "via": via,
            "requested": len(verified.signal_ids),
            "withdrawn": len(withdrawn),
            "already_withdrawn": len(receipt["already_withdrawn"]),
            "unknown": len(receipt["unknown"]),
            "reason": verified.reason,
            **matching,
        }
        if self.audit is not None:
            self.audit.record(verified.agency, "signals.withdrawn", verified.agency, details)
        log.info("withdrawal", extra={"agency": verified.agency, "withdrawn": len(withdrawn), "via": via})
        if withdrawn and self.on_removed is not None:
            self.on_removed()
        if self.bus.has_subscribers("signal_withdrawn"):
            at = datetime.fromisoformat(receipt["received_at"])
            for sid in withdrawn:
                self.bus.publish(DomainEvent("signal_withdrawn", at, {"id": sid, "agency": verified.agency}))


def withdrawals_for(services: HubServices, app_state: Any = None) -> Withdrawals:
    """The withdrawal service of a running hub: its storage, audit log, bus, matching (the vector indexes live in
    this process included), and the read model to refresh once signals went."""
    return Withdrawals(
        services.storage,
        services.settings.hub_id,
        services.ingest.key_lookup,
        matching=matching_removal_for(services, app_state),
        audit=services.audit,
        bus=services.bus,
        on_removed=lambda: refresh_read_model(services),
    )
