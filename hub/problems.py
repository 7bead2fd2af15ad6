# SPDX-License-Identifier: EUPL-1.2
"""RFC 9457 problem details: the one table that maps each domain error code to an HTTP status and a type URI.

Every error the API returns is ``application/problem+json`` with ``type``, ``title``, ``status``, ``detail`` and the
stable ``code``. Details name fields and codes, never signal text. The codes are documented in docs/api/errors.md.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from governance.errors import HartslagError, NotFoundError

__all__ = ["PROBLEMS", "PROBLEM_BASE", "ProblemError", "install_problem_handlers", "problem_response"]

log = logging.getLogger("hartslag.hub")

PROBLEM_BASE = "https://standaard.hartslag.nl/problemen/"

#: code → (HTTP status, title). Batch refusals first, then per-request errors.
PROBLEMS: dict[str, tuple[int, str]] = {
    "malformed-jws": (400, "The body is not a compact JWS"),
    "algorithm-not-allowed": (400, "Only EdDSA and ES256 signatures are accepted"),
    "unknown-key": (401, "The signing key (kid) is not registered"),
    "key-agency-mismatch": (403, "The signing key belongs to another agency than the issuer"),
    "key-revoked": (401, "The signing key is revoked"),
    "key-not-yet-valid": (401, "The signing key is not valid yet"),
    "bad-signature": (401, "The signature does not verify"),
    "wrong-audience": (403, "The batch is addressed to another hub"),
    "expired": (401, "The batch has expired"),
    "issued-in-future": (401, "The batch is issued in the future beyond the allowed clock skew"),
    "lifetime-too-long": (400, "The batch's lifetime exceeds 15 minutes"),
    "agency-suspended": (403, "The agency is suspended"),
    "unknown-agency": (403, "The issuer is not a registered agency"),
    "unsupported-schema-version": (422, "The schema version is not accepted by this hub"),
    "batch-schema-invalid": (422, "The batch does not conform to the batch schema"),
    "too-many-signals": (422, "The batch holds more signals than allowed"),
    "body-too-large": (413, "The body is too large"),
    "unsupported-media-type": (415, "The content type is not accepted here"),
    "rate-limited": (429, "Too many batches; retry later"),
    "replay-conflict": (409, "A batch with this id was already received with other content"),
    "invalid-cloudevent": (400, "The CloudEvent is not valid"),
    "invalid-input": (400, "The request is not valid"),
    "request-invalid": (422, "The request's parameters are not valid"),
    "unauthorized": (401, "Authentication is required"),
    "forbidden": (403, "This role may not do this"),
    "csrf-invalid": (403, "The form's CSRF token is missing or wrong"),
    "oidc-unavailable": (503, "The OpenID Connect issuer cannot be reached; retry later"),
    "oidc-login-failed": (400, "The OpenID Connect login could not be completed"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    # casework (hub/casework.py) and webhooks (hub/webhooks.py)
    "transition-not-allowed": (409, "The pattern's status cannot change to this status from its current one"),
    "unknown-case-status": (422, "Not a status of a pattern's case"),
    "case-text-invalid": (422, "The note or action text is empty, too long or holds control characters"),
    "personal-data-in-text": (422, "The text holds personal data"),
    "unknown-organisation": (422, "Not an organisation code of the standard's code lists"),
    "invalid-webhook-url": (422, "A webhook URL must be an absolute http or https URL"),
    "invalid-webhook-filter": (422, "A webhook filter names an unknown theme, scope, organisation kind or alert kind"),
    "storage-error": (503, "The hub's storage is unavailable; retry later"),
    "invalid-filter": (422, "A filter or query parameter has a value the read side does not know"),
    "matching-not-run": (409, "Matching has not run on this hub yet"),
    "search-unavailable": (503, "Search needs the matching extra and its model, which this hub lacks"),
    # withdrawals (hub/withdrawal.py); the signature and claim refusals are the batch codes above
    "withdrawal-invalid": (422, "The withdrawal's claims are not valid"),
    "withdrawal-conflict": (409, "A withdrawal with this id was already received with other content"),
    # schema versions (hub/routes/schemas.py, the ingest's version rules) and the registry's errors that can reach
    # the API (governance/schema_registry.py, registry_status.py, registry_store.py)
    "schema-version-retired": (422, "The schema version is retired since its sunset date"),
    "schema-version-not-found": (404, "No such published version of the standard"),
    "registry-refused": (409, "A rule of the schema registry refuses this"),
    "status-transition-refused": (409, "The schema version's status cannot change to this status"),
    "registry-duplicate": (409, "This version, member or vote exists already in the schema registry"),
    "registry-storage-error": (503, "The schema registry is unavailable; retry later"),
    "internal-error": (500, "Internal error"),
}


class ProblemError(HartslagError):
    """An error raised in the web layer with a code of :data:`PROBLEMS` (and optional extra members)."""

    def __init__(self, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail, code=code)
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    code: str, detail: str, headers: dict[str, str] | None = None, instance: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response for ``code``; unknown codes are reported as 400 invalid input."""
    status, title = PROBLEMS.get(code, PROBLEMS["invalid-input"])
    body: dict[str, Any] = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
    body["code"] = code
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


_API_PATHS = ("/v1/", "/static/", "/health", "/ready", "/metrics", "/docs", "/openapi", "/auth/")


def _wants_page(request: Request) -> bool:
    """A browser's page request (HTML first in ``Accept``) for a path outside the API and the service endpoints."""
    accept = request.headers.get("accept", "")
    return accept.startswith("text/html") and not request.url.path.startswith(_API_PATHS)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app raises a problem+json response."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.code, exc.message, exc.headers, request.url.path, **exc.extra)

    @app.exception_handler(HartslagError)
    async def _domain(request: Request, exc: HartslagError) -> JSONResponse:
        # A missing thing is always a 404, even when its code names a batch refusal (the registry's UnknownAgencyError
        # is "unknown-agency", which refuses a batch with 403 but means "no such agency" in the admin API).
        known = exc.code in PROBLEMS and not isinstance(exc, NotFoundError)
        code = exc.code if known else _fallback(exc)
        return problem_response(code, exc.message, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        detail = "invalid or missing: " + ", ".join(sorted(set(fields)))
        return problem_response("request-invalid", detail, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # A browser asking for a page that does not exist gets the dashboard's page (when there is one), not JSON.
        page = getattr(request.app.state, "page_not_found", None)
        if exc.status_code == 404 and page is not None and _wants_page(request):
            response: Response = page(request)
            return response
        code = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}.get(
            exc.status_code, "invalid-input"
        )
        return problem_response(code, str(exc.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # This handler runs outside the request middleware, so it names the request id itself (docs/api/errors.md:
        # "the log line has the request id"): the middleware's when it left one in the request state, else the caller's.
        request_id = getattr(request.state, "request_id", None) or request.headers.get("x-request-id")
        log.error(
            "unexpected error", extra={"request_id": request_id, "error": type(exc).__name__, "path": request.url.path}
        )
        headers = {"X-Request-ID": request_id} if request_id else None
        return problem_response("internal-error", "the hub hit an unexpected error", headers, request.url.path)


def _fallback(exc: HartslagError) -> str:
    from governance.errors import InvalidInputError, RetriableError

    if isinstance(exc, NotFoundError):
        return "not-found"
    if isinstance(exc, RetriableError):
        return "storage-error"
    if isinstance(exc, InvalidInputError):
        return "invalid-input"
    return "internal-error"
