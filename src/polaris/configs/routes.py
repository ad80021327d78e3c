"""``/api/v1/configs``: configuration versions per environment (seed 7.1).

Reads need viewer; recording a snapshot developer; promote and rollback approver (checked by the
service). Every write takes ``?dry_run=true``. Documents travel as text with their format; the
server parses, bounds and hashes them itself, and keeps ``${...}`` references, never values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from polaris.configs import records
from polaris.configs.loaders import DEFAULT_MAX_BYTES
from polaris.configs.rules import classify, diff
from polaris.configs.service import ConfigService, PromotionOutcome, SnapshotInput
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["router"]

router = APIRouter(tags=["configs"])

_ENV = r"^[a-z0-9][a-z0-9_-]{0,99}$"
EnvPath = Annotated[str, PathParam(pattern=_ENV)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentIn(_In):
    """One environment's configuration file."""

    environment: str = Field(pattern=_ENV, examples=["production"])
    platform_version: str = Field(max_length=100, examples=["2.1.0"])
    source: str = Field(max_length=500, examples=["version-2.1.0/production.yml"])
    format: Literal["yaml", "json", "toml"] = "yaml"
    text: str = Field(max_length=DEFAULT_MAX_BYTES)


class SnapshotIn(_In):
    """Files to record, one version per environment (the same content is the same version)."""

    documents: list[DocumentIn] = Field(min_length=1, max_length=100)
    message: str = Field(default="", max_length=2000)


class PromoteIn(_In):
    """Promote into the path's environment from ``from_environment`` (or a platform version)."""

    from_environment: str | None = Field(default=None, pattern=_ENV)
    platform_version: str | None = Field(default=None, max_length=100)
    order: list[str] = Field(default_factory=list, max_length=50)
    must_match: list[str] = Field(default_factory=list, max_length=200)
    reason: str = Field(default="", max_length=2000)


class RollbackIn(_In):
    """Roll the path's environment back to one of its recorded hashes."""

    to: str = Field(min_length=6, max_length=64)
    reason: str = Field(default="", max_length=2000)


def _svc(services: Services) -> ConfigService:
    return services.configs


def _outcome(o: PromotionOutcome) -> dict[str, object]:
    return {
        **records.deployment_to_dict(o.deployment),
        "previous": None if o.previous is None else o.previous.hash,
        "written": o.written,
    }


@router.get("/configs/versions")
def list_versions(
    services: ServicesDep,
    _actor: ReadActor,
    environment: Annotated[str | None, Query(pattern=_ENV)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Recorded versions, newest first."""
    versions = _svc(services).versions(environment, limit=limit)
    return ok({"items": [records.version_to_dict(v) for v in versions]})


@router.get("/configs/versions/{ref}")
def show_version(
    ref: str,
    services: ServicesDep,
    _actor: ReadActor,
    environment: Annotated[str | None, Query(pattern=_ENV)] = None,
) -> Response:
    """One version with its content (references, never values)."""
    return ok(records.version_to_dict(_svc(services).get(ref, environment), content=True))


@router.post("/configs/snapshots", status_code=201)
async def snapshot(
    body: SnapshotIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Record the documents (developer); 200 on a dry run."""
    items = [
        SnapshotInput(d.environment, d.platform_version, d.source, d.format, d.text)
        for d in body.documents
    ]
    outcomes = await run_in_threadpool(
        _svc(services).snapshot, items, actor=actor, message=body.message, dry_run=dry_run
    )
    data = [
        {**records.version_to_dict(o.version), "created": o.created, "written": not dry_run}
        for o in outcomes
    ]
    return ok({"items": data}, 200 if dry_run else 201)


@router.get("/configs/environments")
def environments(services: ServicesDep, _actor: ReadActor) -> Response:
    """Each environment's expected configuration (its hash, how it got there)."""
    expected = _svc(services).expected()
    return ok({"items": [records.deployment_to_dict(d) for d in expected.values()]})


@router.get("/configs/environments/{environment}/history")
def history(environment: EnvPath, services: ServicesDep, _actor: ReadActor) -> Response:
    """One environment's promotions and rollbacks, newest first."""
    deps = _svc(services).deployments(environment)
    return ok({"items": [records.deployment_to_dict(d) for d in deps]})


@router.post("/configs/environments/{environment}/promote")
def promote(
    environment: EnvPath,
    body: PromoteIn,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: bool = False,
) -> Response:
    """Make the environment expect its recorded config at the source's platform version."""
    out = _svc(services).promote(
        environment,
        actor=actor,
        from_environment=body.from_environment,
        platform_version=body.platform_version,
        order=body.order,
        must_match=body.must_match,
        reason=body.reason,
        dry_run=dry_run,
    )
    return ok(_outcome(out))


@router.post("/configs/environments/{environment}/rollback")
def rollback(
    environment: EnvPath,
    body: RollbackIn,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: bool = False,
) -> Response:
    """Make the environment expect one of its earlier recorded configurations."""
    out = _svc(services).rollback(
        environment, body.to, actor=actor, reason=body.reason, dry_run=dry_run
    )
    return ok(_outcome(out))


@router.get("/configs/environments/{environment}/drift")
def drift(
    environment: EnvPath,
    services: ServicesDep,
    _actor: ReadActor,
    reported: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Whether a reported hash (from a service's ``/ready``) matches the expected one."""
    return ok(records.drift_to_dict(_svc(services).drift(environment, reported)))


@router.get("/configs/diff")
def diff_versions(
    services: ServicesDep,
    _actor: ReadActor,
    a: Annotated[str, Query(min_length=6, max_length=64)],
    b: Annotated[str, Query(min_length=6, max_length=64)],
) -> Response:
    """Structural diff of two recorded versions, with the bump it needs (patch without schema)."""
    svc = _svc(services)
    va, vb = svc.get(a), svc.get(b)
    changes = diff(va.content, vb.content)
    bump, _ = classify(changes)
    return ok(
        {
            "a": va.hash,
            "b": vb.hash,
            "bump": bump.value,
            "changes": [records.change_to_dict(c) for c in changes],
        }
    )
