"""``/api/v1/notifications``: the outbox and delivery log (admins), and a manual drain."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from polaris.http.deps import AdminActor, ServicesDep
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["governance"])


@router.get("/notifications")
def log(services: ServicesDep, actor: AdminActor, limit: int = 100) -> Response:
    """Queued and sent events and every delivery attempt."""
    return ok(services.governance.outbox.log(actor=actor, limit=min(limit, 1000)))


@router.post("/notifications/drain")
async def drain(services: ServicesDep, actor: AdminActor) -> Response:
    """Deliver every due event now."""
    return ok(await run_in_threadpool(services.governance.outbox.tick))
