# SPDX-License-Identifier: EUPL-1.2
"""What the dashboard's pages share: the app's read model, the registered organisations, htmx and export links.

The read model is the one the ``/v1`` read routes use (``services.insights``, made on first use and kept, so its
caches live as long as the app); the export links point at those routes with the page's filters.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from hub.casework import Casework, casework_for
from hub.insight_models import Filters
from hub.insights import Insights
from hub.services import HubServices

__all__ = [
    "EXPORTS",
    "InsightsDep",
    "Legend",
    "casework_of",
    "export_links",
    "insights_of",
    "is_partial",
    "organisations_of",
    "services_of",
]

#: The /v1 routes whose table a dashboard view shows, exported as CSV or JSON with the same filters.
EXPORTS: dict[str, str] = {
    "patronen": "/v1/patterns",
    "themas": "/v1/themes",
    "signalen-per-dag": "/v1/overview",
}

#: The legend shown under every table and chart holding counts.
Legend = (
    ("< 10", "minder dan 10 signalen, niet getoond om personen te beschermen"),
    ("×", "aanvullend onderdrukt: verborgen zodat niemand een klein aantal kan terugrekenen uit andere getallen"),
)


def services_of(request: Request) -> HubServices:
    """The hub's services of this app."""
    services: HubServices = request.app.state.services
    return services


def insights_of(request: Request) -> Insights:
    """The app's one read model (made on first use)."""
    return services_of(request).insights


InsightsDep = Annotated[Insights, Depends(insights_of)]


def casework_of(request: Request) -> Casework:
    """The app's casework (statuses, owners, notes and actions of patterns)."""
    return casework_for(request.app.state, services_of(request))


def organisations_of(request: Request) -> dict[str, str]:
    """The registered organisations, code → name, sorted by name."""
    agencies = services_of(request).storage.list_agencies()
    return {a.code: a.name for a in sorted(agencies, key=lambda a: a.name.casefold())}


def is_partial(request: Request, target: str) -> bool:
    """True when htmx asks for the fragment with id ``target`` only (a filter changed), not the whole page."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == target


def export_links(name: str, filters: Filters) -> list[tuple[str, str]]:
    """(label, URL) of the CSV and JSON exports of view ``name`` with ``filters``."""
    base = EXPORTS[name]
    query = filters.as_query()
    if name == "patronen":  # the whole list, not the API's first page (200 is the API's largest page)
        query["per_page"] = "200"
    links = []
    for label, fmt in (("CSV", "csv"), ("JSON", "json")):
        links.append((label, f"{base}?{urlencode({**query, 'format': fmt})}"))
    return links
