"""``/api/v1/images``: tags for a build, a repository's tags, retention and promotion."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from polaris.core.semver import Version
from polaris.http.deps import AdminActor, ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok
from polaris.images import service
from polaris.images.policy import RegistryPolicy
from polaris.images.registry import DistributionRegistry, parse_ref
from polaris.images.rules import BuildInfo, compute_tags
from polaris.images.wire import PromoteIn, TagsIn

__all__ = ["router"]

router = APIRouter(tags=["images"])
DryRun = Annotated[bool, Query(description="Compute and check, then change nothing.")]
Image = Annotated[str, Query(min_length=3, max_length=512, description="HOST[:PORT]/REPOSITORY")]


@router.post("/images/tags")
async def tags(body: TagsIn, _actor: ReadActor) -> Response:
    """The tags and OCI labels of a build (pure computation)."""
    ts = compute_tags(
        BuildInfo(
            image=body.image,
            version=Version.parse(body.version),
            commit=body.commit,
            branch=body.branch,
            created=datetime.now(UTC).replace(microsecond=0),
            release=body.release,
        )
    )
    return ok({"image": ts.image, "tags": ts.tags, "refs": ts.refs, "labels": ts.labels})


@router.get("/images/tags")
def list_tags(image: Image, _actor: ReadActor) -> Response:
    """Every tag of a repository with digest and creation time."""
    ref = parse_ref(image)
    reg = DistributionRegistry(ref.base_url)
    try:
        return ok({"image": str(ref), "tags": service.list_tags(reg, ref.repository)})
    finally:
        reg.close()


@router.post("/images/retention")
async def retention(
    image: Image, services: ServicesDep, actor: AdminActor, dry_run: DryRun = True
) -> Response:
    """Plan (``dry_run=true``, the default) or apply the retention policy; audited when applied."""
    ref = parse_ref(image)

    def work() -> dict[str, object]:
        reg = DistributionRegistry(ref.base_url)
        try:
            now = datetime.now(UTC)
            plan, read = service.retention_plan(
                reg, ref.repository, now=now, policy=RegistryPolicy(), protected={}
            )
            if not dry_run:
                service.apply_retention(reg, ref.repository, plan, {})
                service.record(
                    services.db,
                    actor=actor.name,
                    action="retention",
                    key=str(ref),
                    now=now,
                    after={"deleted": [d.digest for d in plan.delete]},
                )
        finally:
            reg.close()
        return {
            "image": str(ref),
            "tags_read": read,
            "delete": plan.delete,
            "keep": plan.keep,
            "dry_run": dry_run,
        }

    return ok(await run_in_threadpool(work))


@router.post("/images/promote")
async def promote(
    body: PromoteIn, services: ServicesDep, actor: WriteActor, dry_run: DryRun = False
) -> Response:
    """Copy a manifest to a new tag (same digest); production needs ``approved_by``."""
    ref = parse_ref(body.source)

    def work() -> service.PromoteResult:
        reg = DistributionRegistry(ref.base_url)
        try:
            result = service.promote(
                reg,
                ref,
                body.tag,
                policy=RegistryPolicy(),
                environment=body.environment,
                approved_by=body.approved_by,
                dry_run=dry_run,
            )
        finally:
            reg.close()
        if not dry_run:
            service.record(
                services.db,
                actor=actor.name,
                action="promote",
                key=result.target,
                now=datetime.now(UTC),
                after={
                    "digest": result.digest,
                    "source": result.source,
                    "approved_by": result.approved_by,
                },
            )
        return result

    return ok(await run_in_threadpool(work))
