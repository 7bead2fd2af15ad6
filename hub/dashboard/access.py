# SPDX-License-Identifier: EUPL-1.2
"""Who may see a dashboard page: a logged-in user with the page's role.

Pages take ``user: Viewer`` (role ``analist``) or ``user: Manager`` (role ``beheerder``). Nobody logged in: a
redirect to ``/inloggen?next=<this page>`` (for an htmx request the ``HX-Redirect`` header, so the whole page goes);
logged in without the role: the Dutch 403 page. Pages answer people, so refusals are HTML, not problem+json.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from hub.auth import current_principal
from hub.dashboard.render import render
from hub.roles import Principal, Role

__all__ = [
    "LoginRequiredError",
    "Manager",
    "PageForbiddenError",
    "PageNotFoundError",
    "Viewer",
    "current_user",
    "install_page_errors",
    "login_url",
    "page_role",
]


class LoginRequiredError(Exception):
    """Nobody is logged in; the page sends them to the login page and back to ``next_path`` afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.next_path = next_path


class PageForbiddenError(Exception):
    """The user is logged in but lacks ``role``."""

    def __init__(self, role: Role) -> None:
        super().__init__("role required")
        self.role = role


class PageNotFoundError(Exception):
    """The page's subject (a pattern, a policy) does not exist or may not be shown; ``what`` says what, in Dutch."""

    def __init__(self, what: str) -> None:
        super().__init__("not found")
        self.what = what


def current_user(request: Request) -> Principal | None:
    """The user of the session cookie (or a bearer token), None when nobody is logged in."""

    found: Principal | None = current_principal(request, request.app.state.services)
    return found


CurrentUser = Annotated[Principal | None, Depends(current_user)]


def login_url(request: Request) -> str:
    """``/inloggen?next=...`` back to this page (path and query only: never an open redirect elsewhere). A form
    sent after the session ended returns to the page the form was on (``/patronen/7/status`` → ``/patronen/7``)."""
    if request.method != "GET":
        target = request.url.path.rsplit("/", 1)[0] or "/"
    else:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/inloggen?next=" + quote(target, safe="")


def page_role(role: Role) -> Callable[[Request, Principal | None], Principal]:
    """A dependency that lets through logged-in users holding ``role`` and remembers them for rendering."""

    def dependency(request: Request, user: CurrentUser) -> Principal:
        request.state.user = user
        if user is None:
            raise LoginRequiredError(login_url(request))
        if not user.has(role):
            raise PageForbiddenError(role)
        return user

    return dependency


Viewer = Annotated[Principal, Depends(page_role(Role.ANALIST))]
Manager = Annotated[Principal, Depends(page_role(Role.BEHEERDER))]


def install_page_errors(app: FastAPI) -> None:
    """Answer the dashboard's refusals as pages: login redirect, 403 page, 404 page."""

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, exc: LoginRequiredError) -> Response:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": exc.next_path})
        return RedirectResponse(exc.next_path, status_code=303)

    @app.exception_handler(PageForbiddenError)
    async def _forbidden(request: Request, exc: PageForbiddenError) -> Response:
        return render(request, "geen_toegang.html", status_code=403, role=exc.role.value)

    @app.exception_handler(PageNotFoundError)
    async def _not_found(request: Request, exc: PageNotFoundError) -> Response:
        return render(request, "niet_gevonden.html", status_code=404, what=exc.what)
