"""``/api/v1/recovery``: recovery points (seed 10.2.1).

Reads need a viewer token; taking and verifying a point a developer; restoring and pruning an
admin. Every write takes ``?dry_run=true`` (the same checks, the same answer plus
``"dry_run": true``, nothing backed up, restored or deleted) and is audited. The server reads the
stores to back up from the project named by ``POLARIS_PROJECT`` and runs the backup tools itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from polaris.http.deps import AdminActor, ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok
from polaris.recovery.config import server_recovery_config
from polaris.recovery.wire import CreateIn, PruneIn, RestoreIn, VerifyIn

__all__ = ["router"]

router = APIRouter(prefix="/recovery", tags=["recovery"])


@router.get("/points")
def list_points(
    services: ServicesDep, _actor: ReadActor, environment: str | None = None
) -> Response:
    """Recovery points, newest first."""
    points = services.recovery.list(environment=environment)
    return ok({"items": [p.to_dict() for p in points]})


@router.get("/points/{name}")
def show_point(name: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """One point and its manifest (re-hashed on read)."""
    return ok(services.recovery.show(name))


@router.post("/points", status_code=201)
def create_point(
    body: CreateIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Back up every store of the environment and record a recovery point."""
    data = services.recovery.create(
        server_recovery_config(services.settings.project),
        environment=body.environment,
        actor=actor,
        release=body.release,
        reason=body.reason,
        dry_run=dry_run,
    )
    return ok(data, 200 if dry_run else 201)


@router.post("/points/{name}/verify")
def verify_point(
    name: str, services: ServicesDep, actor: WriteActor, body: VerifyIn | None = None
) -> Response:
    """Re-hash every part and restore each into a scratch database; ``ok`` says the outcome."""
    return ok(
        services.recovery.verify(
            server_recovery_config(services.settings.project),
            name,
            actor=actor,
            environment=None if body is None else body.environment,
        )
    )


@router.post("/points/{name}/restore")
def restore_point(
    name: str, body: RestoreIn, services: ServicesDep, actor: AdminActor, dry_run: bool = False
) -> Response:
    """Restore the point into the environment's stores (every part checked first)."""
    return ok(
        services.recovery.restore(
            server_recovery_config(services.settings.project),
            name,
            environment=body.environment,
            actor=actor,
            stores=body.stores,
            replace=body.replace,
            dry_run=dry_run,
        )
    )


@router.post("/prune")
def prune(
    services: ServicesDep, actor: AdminActor, body: PruneIn | None = None, dry_run: bool = False
) -> Response:
    """Delete points past retention and the backups only they used."""
    return ok(
        services.recovery.prune(
            server_recovery_config(services.settings.project),
            actor=actor,
            keep=None if body is None else body.keep,
            max_age_days=None if body is None else body.max_age_days,
            dry_run=dry_run,
        )
    )
