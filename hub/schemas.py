# SPDX-License-Identifier: EUPL-1.2
"""Response and request models of the HTTP API, named by purpose (``ReceiptPublic``, ``AgencyPublic``, …)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AgencyIn",
    "AgencyPublic",
    "AgencyStatusIn",
    "KeyPublic",
    "KeyStatusIn",
    "KeysIn",
    "Problem",
    "ReceiptPublic",
    "RejectionPublic",
    "SchemaCatalogPublic",
    "SchemaSubjectPublic",
    "SchemaVersionPublic",
    "StatsPublic",
    "jose_body",
    "problem_doc",
]


class Problem(BaseModel):
    """RFC 9457 problem details, with Hartslag's stable ``code``."""

    type: str = Field(examples=["https://standaard.hartslag.nl/problemen/bad-signature"])
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None


def problem_doc(description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a problem, documented with the media type it is sent as.

    ``model`` registers :class:`Problem` as a component (FastAPI then also lists it under ``application/json``);
    the explicit ``application/problem+json`` entry is what the hub really sends (RFC 9457).
    """
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"model": Problem, "description": description, "content": {"application/problem+json": {"schema": schema}}}


def jose_body(what: str) -> dict[str, Any]:
    """OpenAPI ``openapi_extra`` for a route whose body is one compact JWS (``application/jose``) of ``what``."""
    schema = {"type": "string", "description": f"Compact JWS of a {what}"}
    return {"requestBody": {"required": True, "content": {"application/jose": {"schema": schema}}}}


class RejectionPublic(BaseModel):
    """A signal the hub refused, with a reason code and a detail that names fields, never values."""

    id: str
    reason: str = Field(examples=["personal-data-detected"])
    detail: str = ""


class ReceiptPublic(BaseModel):
    """The hub's receipt for a batch."""

    batch_id: str
    agency: str
    received_at: datetime
    sha256: str
    accepted: int
    duplicate: int
    rejected: list[RejectionPublic]
    accepted_ids: list[str] = Field(default_factory=list, description="Ids of the signals stored from this batch.")
    duplicate_ids: list[str] = Field(default_factory=list, description="Ids that were already stored.")


class KeyPublic(BaseModel):
    """A registered public key's id and status."""

    kid: str
    status: Literal["active", "retiring", "revoked"]
    not_before: datetime
    revoked_at: datetime | None = None


class AgencyPublic(BaseModel):
    """A registered agency."""

    code: str
    name: str
    kind: str
    status: Literal["active", "suspended"]
    keys: list[KeyPublic]


class KeysIn(BaseModel):
    """A JWK set of public keys."""

    model_config = ConfigDict(extra="forbid")
    keys: list[dict[str, str]] = Field(min_length=1, max_length=10)


class AgencyIn(BaseModel):
    """Registering an agency with its first keys."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=32, examples=["GM0363"])
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(examples=["municipality"])
    jwks: KeysIn


class AgencyStatusIn(BaseModel):
    """Suspend or resume an agency."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["active", "suspended"]


class KeyStatusIn(BaseModel):
    """Retire or revoke a key."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["retiring", "revoked"]


class StatsPublic(BaseModel):
    """Counts of the hub's contents and refusals by reason."""

    agencies: int
    batches: int
    signals: int
    refusals: dict[str, int]


class SchemaVersionPublic(BaseModel):
    """One published version of a subject of the standard and whether the hub accepts documents of it."""

    version: str = Field(examples=["1.0.0"])
    status: Literal["gepubliceerd", "uitgefaseerd", "ingetrokken"] = Field(
        description="gepubliceerd: accepted; uitgefaseerd: accepted until its sunset, with Deprecation and Sunset "
        "headers on the receipt; ingetrokken: batches declaring it are refused (schema-version-retired)."
    )
    accepted: bool = Field(description="Whether the hub accepts documents of this version now.")
    sunset: date | None = Field(None, description="From this date on the version is retired (refused).")
    deprecated_at: datetime | None = Field(None, description="When the working group deprecated the version.")
    change: Literal["initial", "minor", "major"] = Field(description="How the version changes its subject.")
    sha256: str = Field(description="SHA-256 of the document's canonical JSON (RFC 8785): its ETag.")
    href: str = Field(examples=["/v1/schemas/signal/1.0.0"], description="Where the schema document is served.")


class SchemaSubjectPublic(BaseModel):
    """A subject of the standard (``signal``, ``batch``, ``codelist/<name>``) with its published versions."""

    subject: str = Field(examples=["signal"])
    current: str | None = Field(None, description="The newest accepted version (what connectors should send).")
    accepted: list[str] = Field(description="The versions the hub accepts now, oldest first.")
    versions: list[SchemaVersionPublic]


class SchemaCatalogPublic(BaseModel):
    """Every subject of the standard with its published versions, as the hub's schema registry holds them now."""

    stamp: str = Field(description="Changes whenever a version, status or sunset changes.")
    subjects: list[SchemaSubjectPublic]
