# SPDX-License-Identifier: EUPL-1.2
"""The agency registry: who may deliver, with which keys. Every change is recorded with who, when and what.

Used by the CLI (``hartslag hub agency …``), the admin API and the ingest path's key lookup. Each change is stored
first and then appended to the audit log (an :class:`governance.audit.AuditSink`) as ``agency.added``,
``agency.suspended``, ``agency.resumed``, ``key.added``, ``key.retired`` or ``key.revoked``; should that append fail,
the error surfaces (the change itself stays stored, and is in the registry's own history).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.keys import jwk_thumbprint, public_key_from_jwk
from governance.audit import AuditSink
from governance.errors import HartslagError, InvalidInputError, NotFoundError
from governance.standard import codelist_codes
from hub.records import Agency, AgencyKey, AgencyStatus, KeyStatus, RegistryChange
from hub.storage import Storage

__all__ = ["AgencyExistsError", "InvalidKeyError", "Registry", "UnknownAgencyError"]

_KEY_TYPES = {("OKP", "Ed25519"), ("EC", "P-256")}


class UnknownAgencyError(NotFoundError):
    """No agency with this code is registered."""

    code = "unknown-agency"


class AgencyExistsError(InvalidInputError):
    """An agency with this code is already registered."""

    code = "agency-exists"


class InvalidKeyError(InvalidInputError):
    """A JWK set or key operation that cannot be accepted."""

    code = "invalid-key"


def _kind_of_code(code: str) -> str | None:
    """The organisation kind a code implies in the standard (None when the code is in no code list)."""
    if code in codelist_codes("national-agencies"):
        return "national_agency"
    if code in codelist_codes("municipalities"):
        return "flemish_local_government" if code.startswith("NIS") else "municipality"
    return None


class Registry:
    """Agencies and their keys on top of a :class:`hub.storage.Storage`; changes go to ``audit`` when given (the
    hub's services and CLI give the data folder's audit log)."""

    def __init__(
        self,
        storage: Storage,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        audit: AuditSink | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.audit = audit

    def _change(self, event: str, agency: str, actor: str, **details: Any) -> RegistryChange:
        return RegistryChange(event=event, agency=agency, actor=actor, at=self.clock(), details=details)

    def _audit(self, *changes: RegistryChange) -> None:
        """Append stored changes to the audit log: ``key_revoked`` becomes the action ``key.revoked``."""
        if self.audit is None:
            return
        for change in changes:
            self.audit.record(change.actor, change.event.replace("_", ".", 1), change.agency, change.details)

    def agency(self, code: str) -> Agency:
        """The registered agency ``code``, or :class:`UnknownAgencyError`."""
        found = self.storage.get_agency(code)
        if found is None:
            raise UnknownAgencyError(f"no agency '{code}' is registered")
        return found

    def add_agency(self, code: str, name: str, kind: str, jwks: dict[str, Any], actor: str) -> Agency:
        """Register an agency with its first public keys (a JWK set)."""
        implied = _kind_of_code(code)
        if implied is None:
            raise InvalidInputError(f"'{code}' is not an organisation code of the standard's code lists")
        if kind not in codelist_codes("organisation-kinds"):
            raise InvalidInputError(f"'{kind}' is not an organisation kind of the standard")
        if kind != implied:
            raise InvalidInputError(f"'{code}' is of kind {implied}, not {kind}")
        if self.storage.get_agency(code) is not None:
            raise AgencyExistsError(f"agency '{code}' is already registered")
        keys = self._parse_jwks(code, jwks)
        agency = Agency(code, name, kind, AgencyStatus.ACTIVE, self.clock())
        changes = [(key, self._change("key_added", code, actor, kid=key.kid)) for key in keys]
        added = self._change("agency_added", code, actor, name=name, kind=kind)
        self.storage.add_agency(agency, added, changes)
        self._audit(added, *(change for _, change in changes))
        return agency

    def add_keys(
        self, code: str, jwks: dict[str, Any], actor: str, not_before: datetime | None = None
    ) -> list[AgencyKey]:
        """Add public keys to an agency; existing active keys stay active so it can rotate without downtime."""
        self.agency(code)
        keys = self._parse_jwks(code, jwks, not_before)
        for key in keys:
            change = self._change("key_added", code, actor, kid=key.kid)
            self.storage.add_key(key, change)
            self._audit(change)
        return keys

    def _key_of(self, code: str, kid: str) -> AgencyKey:
        self.agency(code)
        key = self.storage.get_key(kid)
        if key is None or key.agency != code:
            raise NotFoundError(f"agency '{code}' has no key '{kid}'")
        return key

    def retire_key(self, code: str, kid: str, actor: str) -> None:
        """Mark a key as retiring: it still verifies, but the agency should stop signing with it."""
        key = self._key_of(code, kid)
        if key.status is KeyStatus.REVOKED:
            raise InvalidKeyError(f"key '{kid}' is revoked and cannot be retired")
        change = self._change("key_retired", code, actor, kid=kid)
        self.storage.set_key_status(kid, KeyStatus.RETIRING, None, change)
        self._audit(change)

    def revoke_key(self, code: str, kid: str, actor: str) -> None:
        """Revoke a key: every batch signed with it is refused from this moment on (revoking again changes nothing)."""
        if self._key_of(code, kid).status is KeyStatus.REVOKED:
            return
        now = self.clock()
        change = self._change("key_revoked", code, actor, kid=kid)
        self.storage.set_key_status(kid, KeyStatus.REVOKED, now, change)
        self._audit(change)

    def suspend(self, code: str, actor: str) -> None:
        """Refuse every batch of the agency until it is resumed."""
        self.agency(code)
        change = self._change("agency_suspended", code, actor)
        self.storage.set_agency_status(code, AgencyStatus.SUSPENDED, change)
        self._audit(change)

    def resume(self, code: str, actor: str) -> None:
        """Accept the agency's batches again."""
        self.agency(code)
        change = self._change("agency_resumed", code, actor)
        self.storage.set_agency_status(code, AgencyStatus.ACTIVE, change)
        self._audit(change)

    def _parse_jwks(self, code: str, jwks: dict[str, Any], not_before: datetime | None = None) -> list[AgencyKey]:
        entries = jwks.get("keys") if isinstance(jwks, dict) else None
        if not isinstance(entries, list) or not entries:
            raise InvalidKeyError("a JWK set needs a non-empty 'keys' array")
        now = self.clock()
        keys: list[AgencyKey] = []
        for index, jwk in enumerate(entries):
            if not isinstance(jwk, dict) or (jwk.get("kty"), jwk.get("crv")) not in _KEY_TYPES:
                raise InvalidKeyError(f"key {index}: only Ed25519 (OKP) and P-256 (EC) public keys are accepted")
            if "d" in jwk:
                raise InvalidKeyError(f"key {index} holds a private part ('d'); hand over the public key only")
            public = {k: v for k, v in jwk.items() if k in {"kty", "crv", "x", "y", "alg", "use"}}
            try:
                public_key_from_jwk(public)  # the key material must really be a key on its curve
                kid = jwk_thumbprint(public)
            except (HartslagError, ValueError, KeyError, TypeError):
                raise InvalidKeyError(f"key {index} is not a valid {jwk.get('crv')} public key") from None
            if jwk.get("kid", kid) != kid:
                raise InvalidKeyError(f"key {index}: 'kid' must be the RFC 7638 thumbprint of the key")
            if self.storage.get_key(kid) is not None or any(k.kid == kid for k in keys):
                raise InvalidKeyError(f"key '{kid}' is already registered")
            keys.append(AgencyKey(kid, code, {**public, "kid": kid}, KeyStatus.ACTIVE, not_before or now, None, now))
        return keys
