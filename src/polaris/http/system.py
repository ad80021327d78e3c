"""Probes (seed 10.1.2) and Prometheus metrics, outside the versioned API."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from polaris.http.deps import ServicesDep
from polaris.http.errors import problem
from polaris.store.migrate import current_revision, head_revision

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready", response_model=None)
def ready(request: Request, services: ServicesDep) -> JSONResponse | dict[str, str]:
    """Readiness: the database answers and its schema is at this release's head."""
    try:
        services.db.ping()
        rev = current_revision(services.db)
    except Exception as exc:
        return problem(
            503,
            "not-ready",
            "Not ready",
            f"database unreachable: {type(exc).__name__}",
            instance=request.url.path,
        )
    head = head_revision()
    if rev != head:
        return problem(
            503,
            "not-ready",
            "Not ready",
            f"schema at {rev}, needs {head}",
            instance=request.url.path,
            hint="run: polaris store upgrade",
        )
    return {"status": "ready", "schema": rev}


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
