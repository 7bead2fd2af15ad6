# SPDX-License-Identifier: EUPL-1.2
"""``create_app(settings)``: builds the hub's FastAPI application; nothing is created at import time."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response

from hub.dashboard.mount import install_dashboard
from hub.logs import configure_logging
from hub.problems import PROBLEMS, install_problem_handlers
from hub.routes import admin, batches, events, ops
from hub.routes import alerts as alert_routes
from hub.routes import auth as auth_routes
from hub.routes import casework as casework_routes
from hub.routes import overview as overview_routes
from hub.routes import patterns as pattern_routes
from hub.routes import policies as policy_routes
from hub.routes import schemas as schema_routes
from hub.routes import search as search_routes
from hub.routes import themes as theme_routes
from hub.routes import webhooks as webhook_routes
from hub.routes import withdrawals as withdrawal_routes
from hub.services import HubServices
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.matching_worker import MatchingWorker

__all__ = ["create_app"]

log = logging.getLogger("hartslag.hub.http")

_DESCRIPTION = """Signal exchange hub of the Hartslag standard.

Agencies deliver signed batches (`POST /v1/batches`, compact JWS, `application/jose`). Every error is an RFC 9457
problem (`application/problem+json`) with a stable `code`; the codes are: """ + ", ".join(f"`{c}`" for c in PROBLEMS)


def create_app(settings: Settings, services: HubServices | None = None) -> FastAPI:
    """The hub's application for ``settings``: services, routes, problem handlers and middleware."""
    configure_logging(settings.log_json)
    built = services or HubServices.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        intake = None
        if settings.kafka:
            from connectors.kafka_bus import bootstrap_servers
            from hub.kafka_intake import KafkaIntake

            status_of = {code: status for code, (status, _) in PROBLEMS.items()}
            from hub.withdrawal import withdrawals_for

            intake = KafkaIntake(
                built.ingest,
                bootstrap_servers(settings.kafka),
                group_id=settings.kafka_group,
                metrics=built.metrics,
                status_of=status_of,
                withdrawals=withdrawals_for(built, app.state),
            )
            intake.start()
        from hub.warmup import ReleaseWarmer

        warmer = ReleaseWarmer(built)
        warmer.start()
        worker = None
        if settings.matching:
            worker = _matching_worker(settings, built, on_run=warmer.poke)
            app.state.matching_worker = worker
            worker.start()
        if settings.webhooks:  # alerts out: the dispatcher queues and delivers matching's new alerts
            from hub.webhook_dispatcher import dispatcher_for

            dispatcher_for(app.state, built).start()
        retention = None
        if settings.retention_interval:  # the rules in DATA/retention.toml, read again for every run
            from hub.retention import RetentionScheduler, retention_for

            retention = RetentionScheduler(lambda: retention_for(built, app.state).run(), settings.retention_interval)
            app.state.retention = retention
            retention.start()
        yield
        if retention is not None:
            retention.stop()
        from hub.casework import close_casework
        from hub.webhook_dispatcher import close_dispatcher

        close_dispatcher(app.state)  # stops the dispatcher's thread first, then closes its store
        close_casework(app.state)
        if worker is not None:
            worker.stop()
        warmer.stop()
        if intake is not None:
            intake.stop()
        if services is None:
            built.close()

    app = FastAPI(title="Hartslag hub", version="1", description=_DESCRIPTION, lifespan=lifespan)
    app.state.services = built
    install_problem_handlers(app)
    for router in (
        batches.router,
        withdrawal_routes.router,
        events.router,
        admin.router,
        ops.router,
        casework_routes.router,
        webhook_routes.router,
        overview_routes.router,
        pattern_routes.router,
        theme_routes.router,
        search_routes.router,
        policy_routes.router,
        alert_routes.router,
        schema_routes.router,  # public: the standard's versions and documents
    ):
        app.include_router(router)
    app.include_router(auth_routes.router)  # /inloggen, /uitloggen, /auth/oidc/…
    install_dashboard(app)  # the Dutch dashboard: pages, /static and its HTML error pages

    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        response.headers["X-Request-ID"] = request_id
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        built.metrics.request_seconds.labels(path, request.method).observe(elapsed)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": path,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 2),
            },
        )
        return response

    return app


def _matching_worker(
    settings: Settings, services: HubServices, on_run: Callable[[], None] | None = None
) -> MatchingWorker:
    """The in-process matching worker over ``DATA/matching`` (needs the ``matching`` extra)."""
    from governance.extras import require_extra
    from hub.matching_worker import MatchingWorker
    from matching.pipeline import load_config

    require_extra("matching", "numpy", "faiss")
    return MatchingWorker(
        services.storage,
        services.bus,
        settings.data / "matching",
        config=load_config(settings.matching_config),
        on_run=on_run,
    )
