# SPDX-License-Identifier: EUPL-1.2
"""``install_dashboard(app)``: the dashboard's pages, its static files under ``/static`` and its error pages.

Static files are the hub's own (no CDN). Pages link them with a content hash in the query (``?v=…``,
:func:`hub.dashboard.render.static_url`), so such a URL is cached for a year as immutable; without the hash for a
day.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from hub.dashboard.access import install_page_errors
from hub.dashboard.render import STATIC_DIR, render

__all__ = ["CachedStaticFiles", "install_dashboard"]


class CachedStaticFiles(StaticFiles):
    """:class:`StaticFiles` that tells browsers how long to keep a file."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file's response with ``Cache-Control``: a year and immutable for a content-hashed URL, else a day."""
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=86400"
            )
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard to the hub's ``app``."""
    from hub.dashboard import admin_page, pages, pattern_page, werkgroep_actions, werkgroep_page

    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    install_page_errors(app)
    # hub.problems answers a browser's unknown address with this page instead of problem+json.
    app.state.page_not_found = lambda request: render(
        request, "niet_gevonden.html", status_code=404, what="Deze pagina bestaat niet."
    )
    for router in (
        pages.router,
        pattern_page.router,
        admin_page.router,
        werkgroep_page.router,
        werkgroep_actions.router,
    ):
        app.include_router(router)
