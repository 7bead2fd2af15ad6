# SPDX-License-Identifier: EUPL-1.2
"""Logging in and out of the dashboard: ``/inloggen`` (local accounts), ``/uitloggen`` and ``/auth/oidc/…``.

The login form is protected by a pre-session (cookie ``hartslag_login``) that holds its CSRF token; the OpenID
Connect login keeps its state, nonce and PKCE verifier in the same pre-session, so the callback accepts only the
answer to the request this browser started. After a login the browser goes to ``next``, which must be a path on
this hub (never an open redirect). Log lines say how a login went, never who or with what.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hub.accounts import LoginFailedError
from hub.auth import current_principal
from hub.dashboard.render import render
from hub.deps import CsrfProtected, Services
from hub.oidc import OidcLoginError, OidcNoRoleError, OidcProvider, pkce_pair
from hub.problems import ProblemError
from hub.roles import Principal
from hub.services import HubServices
from hub.sessions import csrf_matches, end_login, end_session, login_state_of, start_login, start_session

__all__ = ["router", "safe_next"]

log = logging.getLogger("hartslag.hub.auth")

router = APIRouter(include_in_schema=False)

_EXPIRED = "Het formulier is verlopen. Probeer het opnieuw."
_WRONG = "Onbekende naam of verkeerd wachtwoord."
_OIDC_FAILED = "Inloggen via uw organisatie is niet gelukt. Probeer het opnieuw."
_NO_ROLE = "Uw account heeft geen rol in Hartslag. Vraag een beheerder om toegang."


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this hub, else ``/``: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _login_form(
    request: Request, services: HubServices, target: str, *, error: str | None = None, naam: str = "", status: int = 200
) -> Response:
    """The login page with a (new or current) pre-session whose CSRF token the form carries."""
    cookies = Response()
    if error is not None:
        end_login(request, cookies, services)  # a failed attempt never reuses the pre-session's state
    start_login(request, cookies, services)
    page = render(
        request,
        "inloggen.html",
        status_code=status,
        next=target,
        error=error,
        naam=naam,
        oidc=services.oidc is not None,
    )
    for value in cookies.headers.getlist("set-cookie"):
        page.headers.append("set-cookie", value)
    return page


@router.get("/inloggen")
def login_page(request: Request, services: Services, next_path: Annotated[str, Query(alias="next")] = "/") -> Response:
    """The login form (or, when logged in already, straight on to ``next``)."""
    target = safe_next(next_path)
    if current_principal(request, services) is not None:
        return RedirectResponse(target, status_code=303)
    return _login_form(request, services, target)


@router.post("/inloggen")
def login(
    request: Request,
    services: Services,
    naam: Annotated[str, Form()] = "",
    wachtwoord: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check name and password against the local accounts; on success a new session and a 303 to ``next``."""
    target = safe_next(next_path)
    if not csrf_matches(login_state_of(request, services), csrf_token):
        log.info("login refused", extra={"via": "password", "reason": "csrf"})
        return _login_form(request, services, target, error=_EXPIRED, naam=naam[:100], status=403)
    try:
        account = services.accounts.login(naam, wachtwoord)
    except LoginFailedError:
        log.info("login refused", extra={"via": "password", "reason": "credentials"})
        return _login_form(request, services, target, error=_WRONG, naam=naam[:100], status=400)
    response = RedirectResponse(target, status_code=303)
    principal = Principal(account.name, account.roles, "session", account.organisation)
    start_session(request, response, services, principal, local=True)
    log.info("login", extra={"via": "password"})
    return response


@router.post("/uitloggen")
def logout(request: Request, services: Services, _csrf: CsrfProtected) -> Response:
    """End the session (the form carries its CSRF token) and go back to the login page."""
    response = RedirectResponse("/inloggen", status_code=303)
    end_session(request, response, services)
    return response


def _oidc(services: HubServices) -> OidcProvider:
    provider = services.oidc
    if provider is None:
        raise ProblemError("not-found", "this hub has no OpenID Connect issuer configured")
    return provider


@router.get("/auth/oidc/login", name="oidc_login")
def oidc_login(request: Request, services: Services, next_path: Annotated[str, Query(alias="next")] = "/") -> Response:
    """Start the authorization-code flow: state, nonce and a PKCE S256 challenge; the browser goes to the issuer."""
    provider = _oidc(services)
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    redirect_uri = str(request.url_for("oidc_callback"))
    response = RedirectResponse(provider.authorization_url(redirect_uri, state, nonce, challenge), status_code=302)
    pending = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": safe_next(next_path),
        "redirect_uri": redirect_uri,
    }
    start_login(request, response, services, pending)
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    services: Services,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """The issuer's answer: check the state, exchange the code with the verifier, check the ID token, log in."""
    provider = _oidc(services)
    current = login_state_of(request, services)
    pending = dict(current.pending) if current is not None else {}
    expected = pending.get("state", "")
    if not expected or not state or not hmac.compare_digest(state.encode(), expected.encode()):
        log.info("login refused", extra={"via": "oidc", "reason": "state"})
        return _login_form(request, services, "/", error=_EXPIRED, status=400)
    target = pending.get("next", "/")
    if error or not code:
        log.info("login refused", extra={"via": "oidc", "reason": "issuer"})
        return _login_form(request, services, target, error=_OIDC_FAILED, status=400)
    try:
        principal = provider.finish_login(code, pending["redirect_uri"], pending["verifier"], pending["nonce"])
    except OidcLoginError:
        log.info("login refused", extra={"via": "oidc", "reason": "token"})
        return _login_form(request, services, target, error=_OIDC_FAILED, status=400)
    except OidcNoRoleError:
        log.info("login refused", extra={"via": "oidc", "reason": "no-role"})
        return _login_form(request, services, target, error=_NO_ROLE, status=403)
    response = RedirectResponse(safe_next(target), status_code=303)
    start_session(request, response, services, principal, local=False)
    log.info("login", extra={"via": "oidc"})
    return response
