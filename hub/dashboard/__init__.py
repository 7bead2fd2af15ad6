# SPDX-License-Identifier: EUPL-1.2
"""The hub's Dutch dashboard: server-rendered Jinja2 pages, vendored static files, no CDN.

Templates live in ``templates/`` (every page extends ``base.html``) and are rendered with
:func:`hub.dashboard.render.render`; static files (own CSS/JS and the vendored htmx and uPlot) live in ``static/``
and are served under ``/static``.
"""

from __future__ import annotations

__all__: list[str] = []
