"""The application factory: ``create_app(settings)``; ``polaris serve`` runs it by import string.

Startup (lifespan) opens the database and artifact store, applies schema migrations under a lock
when ``auto_migrate`` is on, and loads the demo platform with ``--demo``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from starlette.concurrency import run_in_threadpool

from polaris.__about__ import __version__
from polaris.access import routes as admin
from polaris.access import users_routes as users
from polaris.apis import routes as apis
from polaris.apis.lifecycle import APIVersion, APIVersionState, Catalog
from polaris.apis.middleware import APIVersioning
from polaris.approvals import routes as approvals
from polaris.calendar import routes as calendar
from polaris.configs import routes as configs
from polaris.core.actors import Actor
from polaris.dependencies import routes as dependencies
from polaris.deployments import routes as deployments
from polaris.deployments.lifespan import start_watcher, stop_watcher
from polaris.deployments.open import deployment_service
from polaris.http import system
from polaris.http.errors import PROBLEM_BASE, install_error_handlers
from polaris.http.middleware import API_PREFIX, WARM_NAME, MetricsMiddleware, warm_up
from polaris.images import routes as images
from polaris.models import routes as models
from polaris.notify import routes as notifications
from polaris.platform import routes as platform
from polaris.platform.demo import load_demo
from polaris.recovery import routes as recovery
from polaris.settings import Settings, get_settings
from polaris.web import routes as dashboard
from polaris.wiring import build_services

__all__ = ["POLARIS_API_VERSIONS", "create_app"]

#: The lifecycle of Polaris's own HTTP API, served by :class:`APIVersioning` (the one place it is
#: declared): ``/api/v2/...`` is a 404 listing these, and responses carry ``API-Version``.
POLARIS_API_VERSIONS = Catalog.of(
    [APIVersion("v1", APIVersionState.ACTIVE, introduced=date(2026, 11, 24))]
)


def create_app(settings: Settings | None = None, *, local_actor: Actor | None = None) -> FastAPI:
    """Build the Polaris HTTP application for ``settings`` (default: from the environment).

    ``local_actor`` is for the in-process application of :meth:`polaris.client.Client.local`
    only (never served on a socket): requests without a token act as that user, the CLI's own
    identity, and the process keeps no connection pool or warm-up it would not use.
    """
    settings = settings or get_settings()
    in_process = local_actor is not None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(
            build_services, settings, migrate=settings.auto_migrate, pooled=not in_process
        )
        if settings.demo:
            await run_in_threadpool(load_demo, services)
        app.state.services = services
        watcher = None
        if in_process:  # background work belongs to the server, not to a CLI command
            app.state.deployments = await run_in_threadpool(
                deployment_service, services.settings, services.db
            )
        else:
            await warm_up(app, functools.partial(services.warm, WARM_NAME))
            services.governance.outbox.start()
            watcher = await start_watcher(app, services)
        try:
            yield
        finally:
            await stop_watcher(watcher)
            services.governance.outbox.stop()
            services.close()

    app = FastAPI(
        title="Polaris",
        version=__version__,
        description="Version-management control plane: model registry, platform releases.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.local_actor = local_actor
    install_error_handlers(app)
    for r in (models.router, platform.router, admin.router, apis.router, deployments.router):
        app.include_router(r, prefix=API_PREFIX)
    for r in (users.router, approvals.router, calendar.router, notifications.router):
        app.include_router(r, prefix=API_PREFIX)
    app.include_router(configs.router, prefix=API_PREFIX)
    app.include_router(recovery.router, prefix=API_PREFIX)
    for r in (dependencies.router, images.router):
        app.include_router(r, prefix=API_PREFIX)
    app.include_router(system.router)
    app.include_router(dashboard.router)
    static = resources.files("polaris.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    registry = CollectorRegistry()
    app.state.metrics_registry = registry
    app.add_middleware(
        APIVersioning, versions=POLARIS_API_VERSIONS, prefix="/api", problem_base=PROBLEM_BASE
    )
    if settings.metrics_enabled and not in_process:
        app.add_middleware(MetricsMiddleware, registry=registry)
    return app
