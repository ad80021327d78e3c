"""The AIOps API service of the example platform: a small ASGI app whose versions differ.

``/health`` and ``/ready`` answer the probes, ``/metrics`` is Prometheus text, and
``/api/incidents`` is the traffic. Version 2.2.0 is deliberately faulty: about 20% of its API
responses are 500s (a real failure the rollback must catch); 2.3.0 answers in 2.5 s.

    python app.py --port 18081 --version 2.1.0 --env staging
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: What each version does differently: the share of failed API calls and the added delay.
BEHAVIOUR: dict[str, dict[str, float]] = {
    "2.2.0": {"error_rate": 0.20, "delay": 0.0},
    "2.3.0": {"error_rate": 0.0, "delay": 2.5},
}


def make_app(version: str, env: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app of ``version`` running in ``env``."""
    behaviour = BEHAVIOUR.get(version, {"error_rate": 0.0, "delay": 0.0})
    registry = CollectorRegistry()
    labels = ("env", "version", "path", "code")
    requests = Counter("aiops_http_requests", "API requests", labels, registry=registry)
    latency = Histogram(
        "aiops_http_request_duration_seconds",
        "API latency",
        ("env", "version"),
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10),
    )
    # Series exist from the start, so a rate over them is 0, not absent.
    requests.labels(env, version, "/api/incidents", "200")
    requests.labels(env, version, "/api/incidents", "500")

    async def respond(send: Send, status: int, body: bytes, ctype: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype.encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        if path in ("/health", "/ready"):
            body = json.dumps({"status": "ok", "version": version}).encode()
            await respond(send, 200, body, "application/json")
        elif path == "/metrics":
            await respond(send, 200, generate_latest(registry), "text/plain; version=0.0.4")
        elif path.startswith("/api/"):
            start = time.perf_counter()
            if behaviour["delay"]:
                await asyncio.sleep(behaviour["delay"])
            failed = random.random() < behaviour["error_rate"]  # noqa: S311 - not crypto
            code = 500 if failed else 200
            body = json.dumps(
                {"error": "internal error"} if failed else {"incidents": [], "version": version}
            ).encode()
            await respond(send, code, body, "application/json")
            requests.labels(env, version, "/api/incidents", str(code)).inc()
            latency.labels(env, version).observe(time.perf_counter() - start)
        else:
            await respond(send, 404, b"{}", "application/json")

    return app


def main() -> None:
    """Serve one version on loopback."""
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--env", default="local")
    args = p.parse_args()
    uvicorn.run(
        make_app(args.version, args.env),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
