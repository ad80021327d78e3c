"""``/api/v1/platform``: the platform tree and its releases (seed 2.1)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from polaris.core.semver import Version
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok
from polaris.models.wire import ReleaseIn
from polaris.platform.rules import ReleasePin, release_to_dict
from polaris.platform.service import server_matrix

__all__ = ["router"]

router = APIRouter(tags=["platform"])


@router.get("/platform")
def platform(services: ServicesDep, _actor: ReadActor) -> Response:
    """The latest platform release and every model with its stages."""
    return ok(services.releases.platform())


@router.get("/platform/matrix")
def matrix(services: ServicesDep, _actor: ReadActor) -> Response:
    """Components x platform releases, each cell marked ok / warning / error by the checker."""
    rules = server_matrix(services.settings)
    return ok(services.platform.release_matrix(rules))


@router.get("/platform/releases")
def releases(services: ServicesDep, _actor: ReadActor) -> Response:
    """Every platform release, newest first."""
    return ok({"items": [release_to_dict(r) for r in services.releases.releases()]})


@router.get("/platform/releases/{version}")
def release(version: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """One platform release."""
    return ok(release_to_dict(services.releases.get_release(version)))


@router.post("/platform/releases", status_code=201)
def create_release(
    body: ReleaseIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Record a platform release pinning component (and model) versions.

    ``?dry_run=true`` runs every check and answers the release, plus ``"dry_run": true``,
    recording nothing.
    """
    pins = [ReleasePin(p.name, p.kind, Version.parse(p.version)) for p in body.components]
    rel = services.releases.release(
        body.version, pins, actor=actor, notes=body.notes, dry_run=dry_run
    )
    data = release_to_dict(rel)
    return ok({**data, "dry_run": True} if dry_run else data, 200 if dry_run else 201)
