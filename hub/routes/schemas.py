# SPDX-License-Identifier: EUPL-1.2
"""``/v1/schemas``: the published versions of the standard, their status, and the schema documents. Public.

The standard belongs to the participating governments and is public, so these routes need no credentials. They
show what the hub's schema registry holds now (:meth:`hub.services.HubServices.schema_catalog`): only versions that
were published (gepubliceerd, uitgefaseerd, ingetrokken); proposals stay with the working group. Subjects with a
slash (``codelist/themes``) are part of the path. A schema document is served as ``application/schema+json`` in
its canonical JSON (RFC 8785), so its ETag is the SHA-256 the registry and the working group's votes name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from email.utils import format_datetime
from typing import Any

import rfc8785
from fastapi import APIRouter, Request, Response
from starlette.convertors import Convertor, register_url_convertor

from governance.registry_model import SchemaVersion
from governance.registry_status import ACCEPTED
from governance.schema_catalog import PUBLISHED, SchemaCatalog
from hub.deps import Services
from hub.ingest_versions import DeprecatedVersion
from hub.problems import ProblemError
from hub.schemas import SchemaCatalogPublic, SchemaSubjectPublic, SchemaVersionPublic, problem_doc

__all__ = ["SCHEMA_MEDIA_TYPE", "deprecation_headers", "router"]

SCHEMA_MEDIA_TYPE = "application/schema+json"
_SEMVER = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"


class _SemverConvertor(Convertor[str]):
    """A path segment that is a version number: ``/v1/schemas/codelist/themes/1.0.0`` is subject and version,
    ``/v1/schemas/codelist/themes`` a subject."""

    regex = _SEMVER

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("semver", _SemverConvertor())

router = APIRouter(prefix="/v1/schemas", tags=["standaard"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_doc("No such subject, or no such published version of it")}
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: problem_doc("The schema registry is unavailable")}


def deprecation_headers(deprecated: Iterable[DeprecatedVersion]) -> dict[str, str]:
    """``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and a ``Link`` to the versions list for the deprecated
    versions a request touched; the earliest date of each wins. Empty when none."""
    found = list(deprecated)
    if not found:
        return {}
    headers: dict[str, str] = {}
    since = [d.deprecated_at for d in found if d.deprecated_at is not None]
    if since:
        headers["Deprecation"] = f"@{int(min(since).timestamp())}"
    sunsets = [d.sunset for d in found if d.sunset is not None]
    if sunsets:
        headers["Sunset"] = format_datetime(datetime.combine(min(sunsets), time(0, 0), UTC), usegmt=True)
    subjects = sorted({d.subject for d in found})
    headers["Link"] = ", ".join(f'</v1/schemas/{s}>; rel="deprecation"; type="application/json"' for s in subjects)
    return headers


def _public(record: SchemaVersion, catalog: SchemaCatalog) -> SchemaVersionPublic:
    return SchemaVersionPublic(
        version=record.version,
        status=record.status.value,  # type: ignore[arg-type]  # one of PUBLISHED: the caller filters
        accepted=record.status in ACCEPTED,
        sunset=record.sunset,
        deprecated_at=catalog.deprecated_at(record.subject, record.version),
        change=record.change.value,
        sha256=record.sha256,
        href=f"/v1/schemas/{record.subject}/{record.version}",
    )


def _subject(catalog: SchemaCatalog, subject: str) -> SchemaSubjectPublic | None:
    published = [v for v in catalog.versions(subject) if v.status in PUBLISHED]
    if not published:
        return None
    return SchemaSubjectPublic(
        subject=subject,
        current=catalog.current(subject),
        accepted=catalog.accepted(subject),
        versions=[_public(v, catalog) for v in published],
    )


@router.get("", response_model=SchemaCatalogPublic, responses=_UNAVAILABLE)
def list_schemas(services: Services) -> SchemaCatalogPublic:
    """Every subject of the standard with its published versions, their status and sunset date.

    `accepted` lists the versions the hub accepts now and `current` the newest of them: connectors check their own
    version against it (`hartslag connector schemas --hub URL`). Proposals are not listed.
    """
    catalog = services.schema_catalog()
    subjects = [_subject(catalog, name) for name in catalog.names()]
    return SchemaCatalogPublic(stamp=catalog.stamp, subjects=[s for s in subjects if s is not None])


_canonical: dict[str, bytes] = {}  # sha256 → canonical JSON: content-addressed, so never stale


def _body(record: SchemaVersion) -> bytes:
    body = _canonical.get(record.sha256)
    if body is None:
        if len(_canonical) > 256:
            _canonical.clear()
        body = _canonical[record.sha256] = rfc8785.dumps(record.document)
    return body


_DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The schema document (canonical JSON); `ETag` is its SHA-256. A deprecated or retired version"
        " comes with `Deprecation` and `Sunset` headers.",
        "content": {SCHEMA_MEDIA_TYPE: {"schema": {"type": "object"}}},
    },
    304: {"description": "Not modified (`If-None-Match` holds the ETag)"},
    **_NOT_FOUND,
    **_UNAVAILABLE,
}


@router.get(
    "/{subject:path}/{version:semver}", response_class=Response, responses=_DOCUMENT_RESPONSES, response_model=None
)
def get_schema(subject: str, version: str, request: Request, services: Services) -> Response:
    """The schema document of one published version (`application/schema+json`), e.g. `/v1/schemas/signal/1.0.0`
    or `/v1/schemas/codelist/themes/1.0.0`. A retired version's document is still served (to read old data)."""
    catalog = services.schema_catalog()
    record = catalog.entry(subject, version)
    if record is None or record.status not in PUBLISHED:
        raise ProblemError("schema-version-not-found", f"'{subject}' has no published version {version}")
    etag = f'"{record.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if record.status not in ACCEPTED or record.sunset is not None:
        headers |= deprecation_headers(
            [DeprecatedVersion(subject, version, record.sunset, catalog.deprecated_at(subject, version))]
        )
    if etag in re.split(r"\s*,\s*", request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(_body(record), media_type=SCHEMA_MEDIA_TYPE, headers=headers)


@router.get("/{subject:path}", response_model=SchemaSubjectPublic, responses={**_NOT_FOUND, **_UNAVAILABLE})
def get_subject(subject: str, services: Services) -> SchemaSubjectPublic:
    """One subject's published versions with their status and sunset date, the accepted ones and the current one
    (e.g. `/v1/schemas/signal`, `/v1/schemas/codelist/themes`)."""
    found = _subject(services.schema_catalog(), subject)
    if found is None:
        raise ProblemError("schema-version-not-found", f"no published versions of '{subject}'")
    return found
