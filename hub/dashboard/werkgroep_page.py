# SPDX-License-Identifier: EUPL-1.2
"""Standaard: the working group's pages over the schema registry (role ``werkgroep``).

- ``/werkgroep/standaard``: every subject (signal, batch, code lists) with its versions and their status;
- ``/werkgroep/standaard/{subject}/{version}``: one version with its rationale, its compatibility report against
  every published version, the votes, where the quorum stands, its history and the forms its status allows (those
  are in :mod:`hub.dashboard.werkgroep_actions`);
- ``/werkgroep/standaard/{subject}/{version}/schema.json``: the schema itself, to read and sign;
- ``/werkgroep/standaard/verschil``: a readable diff of two versions of a subject;
- ``/werkgroep/standaard/voorstellen``: propose a new version by uploading its schema file.

Only ``werkgroep`` gets in, as only ``beheerder`` sees Organisaties and only ``analist`` the analysts' pages: a role
is what a person does, and anyone with several tasks holds several roles. Everything the registry decides is in the
audit log with the dashboard user as actor; a refusal is a Dutch message on the page, chosen by its error code.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from governance.errors import HartslagError, InvalidInputError, NotFoundError
from governance.registry_model import SchemaVersion
from governance.registry_status import Status
from governance.schema_registry import SchemaRegistry
from hub.dashboard.access import PageNotFoundError, page_role
from hub.dashboard.context import services_of
from hub.dashboard.render import PAGE_HEADERS, render
from hub.dashboard.werkgroep_messages import DONE, problem_text
from hub.dashboard.werkgroep_view import (
    CHANGE_KINDS,
    STATUS_TEXT,
    actions_for,
    change_rows,
    compat_view,
    schema_filename,
    sign_command,
    standing,
    subject_label,
    takes_votes,
    vote_rows,
)
from hub.deps import CsrfProtected
from hub.roles import Principal, Role

__all__ = ["MAX_SCHEMA_BYTES", "WorkingGroup", "registry_of", "router", "version_or_404", "version_url"]

router = APIRouter(include_in_schema=False)

WorkingGroup = Annotated[Principal, Depends(page_role(Role.WERKGROEP))]

MAX_SCHEMA_BYTES = 1_000_000  # the standard's largest document is a few tens of kB
_OPEN = (Status.CONCEPT, Status.VOORGESTELD, Status.GOEDGEKEURD)


def registry_of(request: Request) -> SchemaRegistry:
    """The hub's schema registry (opened on first use)."""
    return services_of(request).schema_registry


def version_url(subject: str, version: str) -> str:
    """The page of one version."""
    return f"/werkgroep/standaard/{subject}/{version}"


def version_or_404(registry: SchemaRegistry, subject: str, version: str) -> SchemaVersion:
    """The version, or the Dutch 404 page for an unknown subject or version."""
    try:
        return registry.get(subject, version)
    except (NotFoundError, InvalidInputError):
        raise PageNotFoundError("Deze versie van de standaard bestaat niet.") from None


@router.get("/werkgroep/standaard", response_class=HTMLResponse)
def standaard(request: Request, user: WorkingGroup) -> HTMLResponse:
    """Standaard: every subject with its versions and their status."""
    registry = registry_of(request)
    subjects = sorted(registry.subjects(), key=lambda s: ({"signal": 0, "batch": 1}.get(s, 2), s))
    records = [record for subject in subjects for record in registry.versions(subject)]
    return render(
        request,
        "werkgroep_standaard.html",
        records=records,
        open_records=[record for record in records if record.status in _OPEN],
        counts={s: sum(1 for r in records if r.subject == s) for s in subjects},
        status_text=STATUS_TEXT,
        change_kinds=CHANGE_KINDS,
        subject_label=subject_label,
        version_url=version_url,
    )


@router.get("/werkgroep/standaard/verschil", response_class=HTMLResponse)
def verschil(
    request: Request, user: WorkingGroup, onderwerp: str = "signal", oud: str = "", nieuw: str = ""
) -> Response:
    """Verschil: every change between two versions of a subject, where, and whether it breaks the subject's level."""
    registry = registry_of(request)
    subjects = registry.subjects()
    if onderwerp not in subjects:
        raise PageNotFoundError("Dit onderwerp staat niet in het register.")
    versions = [record.version for record in registry.versions(onderwerp)]
    chosen = (oud, nieuw) if oud in versions and nieuw in versions else None
    if chosen is None:  # a useful default: the two newest versions
        oud, nieuw = (versions[-2], versions[-1]) if len(versions) > 1 else (versions[0], versions[0])
    result = registry.diff(onderwerp, oud, nieuw) if chosen is not None and oud != nieuw else None
    return render(
        request,
        "werkgroep_verschil.html",
        subjects=subjects,
        subject=onderwerp,
        versions=versions,
        old=oud,
        new=nieuw,
        result=result,
        rows=change_rows(result["changes"]) if result else [],
        same=chosen is not None and oud == nieuw,
        level=registry.policy.level_of(onderwerp).value,
        subject_label=subject_label,
        version_url=version_url,
    )


@router.get("/werkgroep/standaard/voorstellen", response_class=HTMLResponse)
def voorstel_formulier(request: Request, user: WorkingGroup, onderwerp: str = "signal") -> HTMLResponse:
    """Voorstellen: the form to propose a new version."""
    return _proposal_form(request, {"onderwerp": onderwerp})


def _proposal_form(
    request: Request, values: dict[str, str], problem: str | None = None, status: int = 200
) -> HTMLResponse:
    registry = registry_of(request)
    return render(
        request,
        "werkgroep_voorstel.html",
        status_code=status,
        subjects=registry.subjects(),
        values=values,
        problem=problem,
        subject_label=subject_label,
        max_kb=MAX_SCHEMA_BYTES // 1000,
    )


@router.post("/werkgroep/standaard/voorstellen", response_class=HTMLResponse)
def voorstellen(
    request: Request,
    user: WorkingGroup,
    csrf: CsrfProtected,
    onderwerp: Annotated[str, Form(max_length=80)],
    versie: Annotated[str, Form(max_length=40)],
    toelichting: Annotated[str, Form(max_length=4000)],
    bestand: Annotated[UploadFile, File()],
    migratie: Annotated[UploadFile | None, File()] = None,
    concept: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Propose a new version: the registry checks the schema (and a new major's migration), makes the compatibility
    report against every published version and records the proposal (voorgesteld, or concept to submit later)."""
    values = {"onderwerp": onderwerp, "versie": versie, "toelichting": toelichting, "concept": concept}
    try:
        document = _json_upload(bestand)
        migration = _json_upload(migratie) if migratie is not None and migratie.filename else None
    except _UploadError as exc:
        return _proposal_form(request, values, problem_text(exc.code), exc.status)
    if migration is not None and not isinstance(migration, dict):
        return _proposal_form(request, values, problem_text("migration-malformed"), 400)
    registry = registry_of(request)
    try:
        record = registry.propose(
            onderwerp.strip(), versie.strip(), document, rationale=toelichting, actor=user.name,
            concept=bool(concept), migration=migration,
        )  # fmt: skip
    except HartslagError as exc:
        return _proposal_form(request, values, problem_text(exc.code), 409 if "exists" in exc.code else 400)
    done = "concept" if record.status is Status.CONCEPT else "voorgesteld"
    return RedirectResponse(f"{version_url(record.subject, record.version)}?gedaan={done}", status_code=303)


class _UploadError(Exception):
    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def _json_upload(upload: UploadFile) -> Any:
    """An uploaded JSON file, read up to :data:`MAX_SCHEMA_BYTES`."""
    raw = upload.file.read(MAX_SCHEMA_BYTES + 1)
    if len(raw) > MAX_SCHEMA_BYTES:
        raise _UploadError("schema-too-large", 413)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _UploadError("schema-not-json", 400) from None


@router.get("/werkgroep/standaard/{subject:path}/{version}/schema.json")
def schema_bestand(request: Request, subject: str, version: str, user: WorkingGroup) -> Response:
    """The version's schema as JSON (to read, and to sign with ``hartslag governance sign --schema``)."""
    record = version_or_404(registry_of(request), subject, version)
    body = json.dumps(record.document, indent=2, ensure_ascii=False) + "\n"
    headers = {**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{schema_filename(record)}"'}
    return Response(body, media_type="application/schema+json", headers=headers)


@router.get("/werkgroep/standaard/{subject:path}/{version}", response_class=HTMLResponse)
def versie(
    request: Request, subject: str, version: str, user: WorkingGroup, gedaan: str = "", fout: str = ""
) -> HTMLResponse:
    """Versie: one version with its report, votes, quorum, history and the forms its status allows."""
    registry = registry_of(request)
    record = version_or_404(registry, subject, version)
    review = registry.review(subject, version)
    members = registry.members()
    versions = [r.version for r in registry.versions(subject)]  # semver order
    at = versions.index(version)
    compare_with = (versions[at - 1], version) if at > 0 else (version, versions[1]) if len(versions) > 1 else None
    return render(
        request,
        "werkgroep_versie.html",
        record=record,
        review=review,
        reports=[compat_view(report) for report in record.compat],
        votes=vote_rows(review, members),
        standing=standing(review, members),
        members=members,
        actions=actions_for(record.status),
        takes_votes=takes_votes(record.status),
        commands={"approve": sign_command(record, "approve"), "reject": sign_command(record, "reject")},
        compare_with=compare_with,
        level=registry.policy.level_of(subject).value,
        today=registry.today().isoformat(),
        default_sunset=(registry.today() + timedelta(days=182)).isoformat(),
        message=DONE.get(gedaan),
        problem=problem_text(fout) if fout else None,
        status_text=STATUS_TEXT,
        change_kinds=CHANGE_KINDS,
        subject_label=subject_label,
        schema_filename=schema_filename(record),
        version_url=version_url,
    )
