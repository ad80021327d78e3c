"""Pure ASGI middleware: Prometheus request metrics (cheap: no body buffering); the warm-up.

:func:`warm_up` runs once per worker before it serves: FastAPI builds each route's dependency
plan on the first request that reaches it, SQLAlchemy configures its mappers and compiles each
statement on first use, and a full garbage collection scans the whole startup heap. Done lazily,
that is 20-80 ms added to the first requests of every worker (the p99 of a short benchmark);
done here, and with the startup heap then frozen out of the collector's reach, it is paid before
the port takes traffic.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_PREFIX", "WARM_NAME", "MetricsMiddleware", "warm_up"]

API_PREFIX = "/api/v1"


class MetricsMiddleware:
    """Count requests and time them by method, route template and status."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "polaris_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "polaris_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )

        # (method, route, status) -> its counter and histogram children: ``labels()`` takes a
        # lock and builds keys on every call; the set of routes and statuses is small.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def _observe(self, method: str, template: str, status: str, seconds: float) -> None:
        key = (method, template, status)
        found = self._children.get(key)
        if found is None:
            found = (
                self.requests.labels(method, template, status),
                self.latency.labels(method, template),
            )
            if len(self._children) < 4096:  # bounded even if routes were unbounded
                self._children[key] = found
        found[0].inc()
        found[1].observe(seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            # Routes of included routers report their path without the router prefix.
            if (
                scope["path"].startswith(API_PREFIX + "/")
                and template.startswith("/")
                and not template.startswith(API_PREFIX + "/")
            ):
                template = API_PREFIX + template
            self._observe(scope["method"], template, str(status), time.perf_counter() - start)


#: A name no route or record has: the warm-up requests find nothing, on purpose.
WARM_NAME = "polaris-warm-up"


async def warm_up(app: Starlette, warm_services: Callable[[], None]) -> None:
    """Prime routing and the hot reads, then freeze the startup heap (see the module docstring).

    The routing pass sends one request that matches no route straight to the router (below the
    middleware: it is not counted in the metrics), which makes FastAPI build every route's plan.
    """
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"{API_PREFIX}/{WARM_NAME}/-/-/-/-/-",
        "raw_path": b"",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": None,
        "server": None,
        "state": {},
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Message) -> None:
        return None

    with contextlib.suppress(Exception):
        await app.router(scope, receive, send)
    await run_in_threadpool(warm_services)
    gc.collect()
    # Modules, routes, mappers and compiled statements live as long as the process: a full
    # collection then scans request garbage only (~1 ms, not the 50-80 ms stalls it was).
    gc.freeze()
