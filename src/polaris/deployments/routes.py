"""``/api/v1/deployments`` and ``/api/v1/environments``: deploy, watch, roll back (seed 10.1).

Reads need viewer; deploying and rolling back need the environment's ``deploy_role`` (developer
by default). Every write takes ``?dry_run=true``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from polaris.core.errors import InvalidInput, Location
from polaris.deployments.open import deployment_service
from polaris.deployments.service import DeploymentService
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["router"]

router = APIRouter(tags=["deployments"])


class DeployIn(BaseModel):
    """Deploy a platform release to an environment."""

    model_config = ConfigDict(extra="forbid")
    release: str = Field(examples=["2.1.0"])
    environment: str = Field(examples=["staging"])
    override_reason: str | None = Field(
        default=None, description="Deploy despite the promotion order or a bad mark (audited)."
    )


class RollbackIn(BaseModel):
    """Roll an environment back (default: to its last healthy release)."""

    model_config = ConfigDict(extra="forbid")
    to: str | None = None
    reason: str | None = None
    trigger: str = "manual"


def _svc(request: Request, services: Services) -> DeploymentService:
    svc: DeploymentService | None = getattr(request.app.state, "deployments", None)
    return svc if svc is not None else deployment_service(services.settings, services.db)


@router.get("/deployments")
def list_deployments(
    request: Request,
    services: ServicesDep,
    _actor: ReadActor,
    env: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Deployments, newest first."""
    return ok({"items": _svc(request, services).list(env, limit)})


@router.get("/deployments/{dep_id}")
def show_deployment(
    dep_id: int, request: Request, services: ServicesDep, _actor: ReadActor
) -> Response:
    """One deployment with its timeline and analysis samples."""
    return ok(_svc(request, services).show(dep_id))


@router.post("/deployments", status_code=201)
async def create_deployment(
    body: DeployIn,
    request: Request,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: bool = False,
) -> Response:
    """Deploy; the answer is the deployment in analysis (the watcher judges it)."""
    svc = _svc(request, services)
    result = await run_in_threadpool(
        svc.deploy,
        body.release,
        body.environment,
        actor=actor,
        override=body.override_reason,
        dry_run=dry_run,
    )
    return ok(result, 200 if dry_run else 201)


@router.get("/environments")
def environments(request: Request, services: ServicesDep, _actor: ReadActor) -> Response:
    """The matrix environment x component -> version, with health."""
    return ok(_svc(request, services).status())


@router.get("/environments/{env}/at")
def what_ran(
    env: str,
    request: Request,
    services: ServicesDep,
    _actor: ReadActor,
    when: Annotated[str, Query(alias="time", examples=["2026-12-06T12:00:00Z"])],
) -> Response:
    """What ran in ``env`` at a date or time: the release and every component, model, schema."""
    try:
        at = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{when!r} is not an ISO date or time", location=Location(field="time")
        ) from None
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return ok(_svc(request, services).what_ran(env, at))


@router.post("/environments/{env}/rollback")
async def rollback(
    env: str,
    body: RollbackIn,
    request: Request,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: bool = False,
) -> Response:
    """Roll back by hand (trigger ``manual`` or ``security_incident``)."""
    svc = _svc(request, services)
    result = await run_in_threadpool(
        svc.rollback,
        env,
        actor=actor,
        to=body.to,
        reason=body.reason,
        trigger=body.trigger,
        dry_run=dry_run,
    )
    return ok(result)
