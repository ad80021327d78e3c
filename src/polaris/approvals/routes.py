"""``/api/v1/approvals`` and the release checklists and stages; writes take ``?dry_run=true``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from polaris.approvals import ops
from polaris.approvals.wire import DecisionIn, OverrideIn, RequestIn, StageIn, TickIn
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok

__all__ = ["router"]

router = APIRouter(tags=["governance"])


@router.get("/approvals")
def list_requests(
    services: ServicesDep,
    actor: ReadActor,
    state: str | None = None,
    waiting_for: str | None = None,
    limit: int = 100,
) -> Response:
    """Requests, newest first; ``waiting_for=USER`` gives that user's queue ("waiting for me")."""
    items = services.governance.approvals.list(
        state=state, waiting_for=waiting_for, limit=min(limit, 1000)
    )
    return ok({"items": [r.to_dict() for r in items]})


@router.get("/approvals/matrix")
def matrix(services: ServicesDep, actor: ReadActor) -> Response:
    """The approval matrix in force."""
    return ok(services.governance.matrix.matrix().to_dict())


@router.get("/approvals/{key}")
def show(key: str, services: ServicesDep, actor: ReadActor) -> Response:
    """One request with every reviewer's decision."""
    return ok(services.governance.approvals.get(key).to_dict())


@router.post("/approvals", status_code=201)
def open_request(
    body: RequestIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Open a request for a subject."""
    data = ops.open_request(
        services.governance.approvals, body.model_dump(), actor=actor, dry_run=dry_run
    )
    return ok(data, 200 if dry_run else 201)


@router.post("/approvals/{key}/override")
def override(
    key: str, body: OverrideIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """The emergency override (hotfix, the override role, a reason)."""
    req = services.governance.approvals.override(
        key, actor=actor, reason=body.reason, dry_run=dry_run
    )
    return ok({**req.to_dict(), "dry_run": True} if dry_run else req.to_dict())


@router.post("/approvals/{key}/revise")
def revise(key: str, services: ServicesDep, actor: WriteActor, dry_run: bool = False) -> Response:
    """A new revision of the subject: earlier reviews are dismissed."""
    req = services.governance.approvals.revise(key, actor=actor, dry_run=dry_run)
    return ok({**req.to_dict(), "dry_run": True} if dry_run else req.to_dict())


@router.post("/approvals/{key}/{verb}")
def decide(
    key: str,
    verb: str,
    services: ServicesDep,
    actor: WriteActor,
    body: DecisionIn | None = None,
    dry_run: bool = False,
) -> Response:
    """``approve``, ``reject`` or ``request-changes``, as the token's user."""
    comment = "" if body is None else body.comment
    data = ops.decide(
        services.governance.approvals, key, verb, comment, actor=actor, dry_run=dry_run
    )
    return ok(data)


@router.get("/releases/{version}/checklist")
def checklist(version: str, services: ServicesDep, actor: ReadActor) -> Response:
    """A release's checklist (provable items ticked) and its pipeline stages."""
    return ok(ops.checklist(services.governance.checklists, version))


@router.post("/releases/{version}/checklist/{item}")
def tick(
    version: str,
    item: str,
    services: ServicesDep,
    actor: WriteActor,
    body: TickIn | None = None,
    dry_run: bool = False,
) -> Response:
    """Tick one item, with optional evidence."""
    rec = services.governance.checklists.tick(
        version,
        item,
        actor=actor,
        evidence=None if body is None else body.evidence,
        dry_run=dry_run,
    )
    return ok({**rec.to_dict(), "dry_run": True} if dry_run else rec.to_dict())


@router.delete("/releases/{version}/checklist/{item}")
def untick(
    version: str, item: str, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Clear one item."""
    rec = services.governance.checklists.untick(version, item, actor=actor, dry_run=dry_run)
    return ok({**rec.to_dict(), "dry_run": True} if dry_run else rec.to_dict())


@router.get("/releases/{version}/stages")
def stages(version: str, services: ServicesDep, actor: ReadActor) -> Response:
    """The pipeline stages reported for a release."""
    return ok({"release": version, "items": services.governance.checklists.stages(version)})


@router.post("/releases/{version}/stages", status_code=201)
def report_stage(
    version: str, body: StageIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Report a pipeline stage from CI, with the run's URL."""
    data = ops.report_stage(
        services.governance.checklists, version, body.model_dump(), actor=actor, dry_run=dry_run
    )
    return ok(data, 200 if dry_run else 201)
