# SPDX-License-Identifier: EUPL-1.2
"""Rendering dashboard pages: one Jinja2 environment (autoescape on) with Dutch formatting filters.

``render(request, "page.html", **ctx)`` gives an :class:`HTMLResponse`. Every template sees ``request``, ``user``
(the logged-in :class:`~hub.roles.Principal` or None), ``csrf_token`` (for every form's hidden field), ``nav`` (the
menu for this user, the current item marked) and ``static(path)`` (a cache-busting URL of a static file).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.auth import current_principal
from hub.dashboard.labels import alert_kind_label, kind_plural, label_of, scope_label
from hub.roles import Principal, Role
from hub.sessions import csrf_token

__all__ = [
    "NAV",
    "PAGE_HEADERS",
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "NavItem",
    "environment",
    "format_date",
    "format_datetime",
    "format_number",
    "nav_for",
    "render",
    "static_url",
    "status_label",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
DISPLAY_ZONE = ZoneInfo("Europe/Amsterdam")

#: Every page: never cached (it holds a user's view and CSRF token), scripts and styles only from the hub itself
#: (no inline script; chart data are JSON data blocks), and never framed by another site.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_UNSET = object()
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass(frozen=True)
class NavItem:
    """One menu entry: where it goes, its Dutch label, and whether it is the page being shown."""

    href: str
    label: str
    current: bool = False


#: The menu: (path, label, role needed). Order is the order shown.
NAV: tuple[tuple[str, str, Role], ...] = (
    ("/", "Overzicht", Role.ANALIST),
    ("/patronen", "Patronen", Role.ANALIST),
    ("/themas", "Thema's", Role.ANALIST),
    ("/beleid", "Beleid", Role.ANALIST),
    ("/zoeken", "Zoeken", Role.ANALIST),
    ("/beheer/organisaties", "Organisaties", Role.BEHEERDER),
    ("/werkgroep/standaard", "Standaard", Role.WERKGROEP),
)


def nav_for(user: Principal | None, path: str) -> list[NavItem]:
    """The menu ``user`` may use, with the entry for ``path`` (or its section) marked current."""
    if user is None:
        return []
    items = []
    for href, label, role in NAV:
        if not user.has(role):
            continue
        current = path == href if href == "/" else path == href or path.startswith(href + "/")
        items.append(NavItem(href, label, current))
    return items


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Dutch notation: ``1.234`` and ``1.234,5`` (a dot between thousands, a decimal comma)."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def format_date(value: date | datetime | str | None, long: bool = False) -> str:
    """A date for people: ``3 mrt 2025`` (``long``: ``03-03-2025``); datetimes are shown in Europe/Amsterdam."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(DISPLAY_ZONE).date() if value.tzinfo else value.date()
    if long:
        return value.strftime("%d-%m-%Y")
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_period(first: date | datetime | str | None, last: date | datetime | str | None) -> str:
    """A period in a table cell: ``3 mrt – 12 jun 2025`` (the year once when both ends share it), no-break spaces
    within each end so that a narrow column wraps after the dash only."""
    start, end = format_date(first), format_date(last)
    if start == end:
        return end.replace(" ", chr(0xA0))
    if start[-4:] == end[-4:] and start[-4:].isdigit():
        start = start[:-5]
    return f"{start.replace(' ', chr(0xA0))} – {end.replace(' ', chr(0xA0))}"


def format_datetime(value: datetime | str | None) -> str:
    """A moment for people: ``3 mrt 2025 14:05`` in Europe/Amsterdam."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(DISPLAY_ZONE) if value.tzinfo else value
    return f"{format_date(local.date())} {local:%H:%M}"


def _shown(value: Any) -> str:
    """A count as it may be shown: a ``Shown`` displays itself ("< 10", "×", "1.234"); plain numbers are formatted."""
    display = getattr(value, "display", None)
    if isinstance(display, str):  # an insight_models.Count carries its display text
        return display
    if callable(display):  # a hub.disclosure.Shown renders itself
        return str(display())
    if isinstance(value, int | float):
        return format_number(value)
    return "–" if value is None else str(value)


def status_label(code: str | None) -> str:
    """A case status code as Dutch words: ``in_onderzoek`` → ``in onderzoek``."""
    return (code or "nieuw").replace("_", " ")


@cache
def _static_version(path: str) -> str:
    """A short content hash of a static file, so a changed file gets a new URL (the files are cached long)."""
    file = STATIC_DIR / path
    if not file.is_file():
        return "0"
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """The URL of a static file with a content-hash query, e.g. ``/static/hartslag.css?v=1a2b3c4d5e``."""
    return f"/static/{path}?v={_static_version(path)}"


@cache
def environment() -> Environment:
    """The dashboard's Jinja2 environment (built once per process; templates are package data)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["getal"] = format_number
    env.filters["datum"] = format_date
    env.filters["datumtijd"] = format_datetime
    env.globals["periode"] = format_period
    env.filters["shown"] = _shown
    env.globals["static"] = static_url
    env.globals["label"] = label_of
    env.globals["scope_label"] = scope_label
    env.globals["kind_plural"] = kind_plural
    env.globals["alert_kind_label"] = alert_kind_label
    env.globals["status_label"] = status_label
    return env


def _user(request: Request) -> Principal | None:
    """The logged-in user: as the page's dependency found it, else from the session (None when anonymous)."""
    marked = getattr(request.state, "user", _UNSET)
    if marked is not _UNSET:
        return marked if isinstance(marked, Principal) else None
    return current_principal(request, request.app.state.services)


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render ``template`` with ``ctx`` plus ``request``, ``user``, ``csrf_token`` and ``nav``."""
    user = ctx.pop("user", None) or _user(request)
    context = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token(request),
        "nav": nav_for(user, request.url.path),
        **ctx,
    }
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
