"""``/api/v1/models``: model versions, stages, lineage, files, export, search.

The two hot reads (one version, a page of versions) are ``async`` routes: on SQLite their one
indexed statement takes about 0.1 ms and never waits for a writer (WAL), so they run on the event
loop, skipping the thread-pool hop that would cost more than the query; on PostgreSQL (a network
round trip) they go to the thread pool like every other route.

Every write takes ``?dry_run=true``: the same checks (role, validation, promotion gate) and the
same response, plus ``"dry_run": true``, with nothing written. A dry-run registration may name
files a dry-run upload only verified (``staged=SHA256:SIZE``, repeated).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from polaris.core.errors import InvalidInput, Location
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.pagination import decode_cursor, encode_cursor
from polaris.http.responses import ok
from polaris.http.streaming import stream_writer
from polaris.models.gates import parse_threshold
from polaris.models.naming import ModelVersionName
from polaris.models.rules import (
    Stage,
    VersionQuery,
    change_to_dict,
    check_artifact_name,
    version_to_dict,
)
from polaris.models.service import Registration
from polaris.models.wire import (
    ChangeList,
    LineageOut,
    ModelList,
    ModelSummaryOut,
    ProductionOut,
    PromoteIn,
    RegisterIn,
    StageMoveOut,
    UpdateIn,
    VersionOut,
    VersionPage,
)

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["router"]

router = APIRouter(tags=["models"])

Limit = Annotated[int, Query(ge=1, le=500)]
DryRun = Annotated[bool, Query(description="Compute and check, then write nothing.")]
T = TypeVar("T")


async def _quick_read(services: Services, fn: Callable[..., T], *args: Any) -> T:
    """Run a short read inline on SQLite, in the thread pool on a networked database."""
    if services.db.is_sqlite:
        return fn(*args)
    return await run_in_threadpool(fn, *args)


async def _page(
    services: Services,
    *,
    name: str | None,
    stage: str | None,
    tag: str | None,
    metric: list[str] | None,
    limit: int,
    cursor: str | None,
) -> Response:
    query = VersionQuery(
        name=name,
        stage=None if stage is None else _stage(stage),
        tag=tag,
        metrics=tuple(parse_threshold(m, field="metric") for m in metric or ()),
        limit=limit,
        after=decode_cursor(cursor),
    )
    items, after = await _quick_read(services, services.registry.search_json, query)
    return ok({"items": items, "next_cursor": encode_cursor(after)})


def _dry(data: dict[str, Any], dry_run: bool) -> dict[str, Any]:
    """The real response's body, marked when it only says what would happen."""
    return {**data, "dry_run": True} if dry_run else data


def _staged(items: list[str] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items or ():
        sha, sep, size = item.partition(":")
        if not sep or not size.isdigit():
            raise InvalidInput(
                f"invalid staged blob {item!r}",
                location=Location(field="staged"),
                hint="SHA256:SIZE, as a dry-run upload answered",
            )
        out[sha] = int(size)
    return out


def _stage(text: str) -> Stage:
    try:
        return Stage(text)
    except ValueError:
        raise InvalidInput(
            f"unknown stage {text!r}",
            location=Location(field="stage"),
            hint="one of " + ", ".join(Stage),
        ) from None


@router.get("/models", responses={200: {"model": ModelList}})
def list_models(services: ServicesDep, _actor: ReadActor) -> Response:
    """Every model with its version count and the latest version per stage."""
    return ok({"items": [m.to_dict() for m in services.registry.models()]})


@router.get("/models/{name}", responses={200: {"model": ModelSummaryOut}})
def get_model(name: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """One model's summary."""
    return ok(services.registry.models(name)[0].to_dict())


@router.get("/model-versions", responses={200: {"model": VersionPage}})
async def search_versions(
    services: ServicesDep,
    _actor: ReadActor,
    name: str | None = None,
    stage: str | None = None,
    tag: str | None = None,
    metric: Annotated[list[str] | None, Query()] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Response:
    """Search versions across models; ``metric=accuracy>=0.9`` may repeat."""
    return await _page(
        services, name=name, stage=stage, tag=tag, metric=metric, limit=limit, cursor=cursor
    )


@router.get("/model-versions/{model_version_name}", responses={200: {"model": VersionOut}})
async def get_model_version(
    model_version_name: str, services: ServicesDep, _actor: ReadActor
) -> Response:
    """One version named by its seed 4.1.1 string, e.g. ``rag-search-v1.3.2``."""
    mvn = ModelVersionName.parse(model_version_name, location=Location(field="model_version_name"))
    return ok(await _quick_read(services, services.registry.get_json, mvn.name, str(mvn.version)))


@router.get("/models/{name}/versions", responses={200: {"model": VersionPage}})
async def list_versions(
    name: str,
    services: ServicesDep,
    _actor: ReadActor,
    stage: str | None = None,
    tag: str | None = None,
    metric: Annotated[list[str] | None, Query()] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Response:
    """A page of one model's versions, newest registration first."""
    return await _page(
        services, name=name, stage=stage, tag=tag, metric=metric, limit=limit, cursor=cursor
    )


@router.post("/models/{name}/versions", status_code=201, responses={201: {"model": VersionOut}})
def register_version(
    name: str,
    body: RegisterIn,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: DryRun = False,
    staged: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> Response:
    """Register a version (explicit or bumped); 409 if it exists."""
    mv = services.registry.register(
        Registration(name=name, **body.model_dump()),
        actor=actor,
        dry_run=dry_run,
        staged_blobs=_staged(staged),
    )
    return ok(_dry(version_to_dict(mv), dry_run), 200 if dry_run else 201)


@router.get("/models/{name}/versions/{version}", responses={200: {"model": VersionOut}})
async def get_version(
    name: str, version: str, services: ServicesDep, _actor: ReadActor
) -> Response:
    """One version."""
    return ok(await _quick_read(services, services.registry.get_json, name, version))


@router.patch("/models/{name}/versions/{version}", responses={200: {"model": VersionOut}})
def update_version(
    name: str,
    version: str,
    body: UpdateIn,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: DryRun = False,
) -> Response:
    """Edit a development version."""
    mv = services.registry.update(
        name,
        version,
        actor=actor,
        description=body.description,
        tags=body.tags,
        metrics=body.metrics,
        dry_run=dry_run,
    )
    return ok(_dry(version_to_dict(mv), dry_run))


@router.delete("/models/{name}/versions/{version}", responses={200: {"model": VersionOut}})
def delete_version(
    name: str, version: str, services: ServicesDep, actor: WriteActor, dry_run: DryRun = False
) -> Response:
    """Delete a development version."""
    mv = services.registry.delete(name, version, actor=actor, dry_run=dry_run)
    return ok(_dry(version_to_dict(mv), dry_run))


@router.post("/models/{name}/versions/{version}/stage", responses={200: {"model": StageMoveOut}})
def change_stage(
    name: str,
    version: str,
    body: PromoteIn,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: DryRun = False,
) -> Response:
    """Move a version to another stage, checking the promotion gate."""
    mv, changes = services.registry.promote(
        name,
        version,
        Stage(body.stage),
        actor=actor,
        reason=body.reason,
        criteria=[parse_threshold(c) for c in body.criteria],
        validation=body.validation,
        rollback_to=body.rollback_to,
        dry_run=dry_run,
    )
    data = {"version": version_to_dict(mv), "changes": [change_to_dict(c) for c in changes]}
    return ok(_dry(data, dry_run))


@router.get("/models/{name}/versions/{version}/lineage", responses={200: {"model": LineageOut}})
def lineage(name: str, version: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """The version and its ancestors, newest first."""
    return ok({"items": [version_to_dict(v) for v in services.registry.lineage(name, version)]})


@router.get("/models/{name}/history", responses={200: {"model": ChangeList}})
def history(
    name: str, services: ServicesDep, _actor: ReadActor, version: str | None = None
) -> Response:
    """Every stage move of the model (or one version), oldest first."""
    return ok({"items": [change_to_dict(c) for c in services.registry.history(name, version)]})


@router.get("/models/{name}/production", responses={200: {"model": ProductionOut}})
def production(
    name: str, services: ServicesDep, _actor: ReadActor, at: datetime | None = None
) -> Response:
    """Which version was in production at ``at`` (default now)."""
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    found = services.registry.production_at(name, when)
    return ok(
        {"name": name, "at": when.isoformat(), "version": None if found is None else str(found)}
    )


@router.get("/models/{name}/versions/{version}/files/{filename:path}")
def download_file(
    name: str, version: str, filename: str, services: ServicesDep, _actor: ReadActor
) -> StreamingResponse:
    """One file of a version, verified against its sha256 before it is sent."""
    check_artifact_name(filename)
    f, chunks = services.registry.file(name, version, filename)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={"X-Polaris-SHA256": f.sha256, "Content-Length": str(f.size)},
    )


@router.get("/models/{name}/versions/{version}/export")
async def export(
    name: str, version: str, services: ServicesDep, _actor: ReadActor
) -> StreamingResponse:
    """The tar.gz package: files, metadata.json, requirements.txt, MODEL_CARD.md (streamed)."""
    _mv, write = await run_in_threadpool(services.registry.open_export, name, version)
    return StreamingResponse(
        stream_writer(write),
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{name}-{version}.tar.gz"'},
    )
