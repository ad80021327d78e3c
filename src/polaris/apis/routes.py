"""``/api/v1/apis``: API versions and their lifecycle (seed 5.1.2, 5.1.3).

Reads need viewer; register, activate, deprecate and import developer; retire and changing the
lifecycle periods approver. An
illegal transition (retiring an active version, re-activating a retired one) is a 409 problem.
Every write takes ``?dry_run=true`` to answer what would change without changing it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from polaris.apis.registry_service import APIRegistryService, catalog_to_dict, outcome_to_dict
from polaris.apis.repo import api_version_to_dict
from polaris.core.errors import InvalidInput, Location
from polaris.http.deps import ReadActor, ServicesDep, WriteActor
from polaris.http.responses import ok

if TYPE_CHECKING:
    from polaris.wiring import Services

__all__ = ["router"]

router = APIRouter(tags=["apis"])

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class APIVersionIn(_In):
    """Register a version (state: development)."""

    version: str = Field(examples=["v3"])
    breaking_changes: list[str] = Field(default_factory=list)
    planned_release: date | None = None
    migration_guide: str | None = None


class DeprecateIn(_In):
    """Deprecate an active version; the sunset defaults to the deprecation date + 180 days."""

    on: date | None = None
    sunset: date | None = None
    migration_guide: str | None = None
    replacement: str | None = None


class RetireIn(_In):
    """Retire a deprecated version."""

    force: bool = False


class PolicyIn(_In):
    """The lifecycle periods of one API (either may be left out)."""

    notice_days: int | None = Field(default=None, ge=0, le=3650)
    retirement_days: int | None = Field(default=None, ge=0, le=3650)


def _svc(services: Services) -> APIRegistryService:
    return services.apis


@router.get("/apis")
def list_apis(services: ServicesDep, _actor: ReadActor) -> Response:
    """Every API with its lifecycle policy and versions."""
    cats = _svc(services).apis()
    return ok({"items": [catalog_to_dict(name, c) for name, c in cats.items()]})


@router.get("/apis/{api}/versions")
def list_versions(api: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """One API's versions, oldest first (an unknown API has none)."""
    return ok(catalog_to_dict(api, _svc(services).catalog(api)))


@router.get("/apis/{api}/versions/{version}")
def show_version(api: str, version: str, services: ServicesDep, _actor: ReadActor) -> Response:
    """One version's lifecycle record."""
    return ok(api_version_to_dict(_svc(services).get(api, version)))


@router.post("/apis/{api}/versions", status_code=201)
def register_version(
    api: str, body: APIVersionIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Register a new version in development; 409 if it exists."""
    outcome = _svc(services).register(
        api,
        body.version,
        actor=actor,
        breaking_changes=tuple(body.breaking_changes),
        planned_release=body.planned_release,
        migration_guide=body.migration_guide,
        dry_run=dry_run,
    )
    return ok(outcome_to_dict(outcome), 200 if dry_run else 201)


@router.post("/apis/{api}/versions/{version}/activate")
def activate_version(
    api: str, version: str, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """development -> active."""
    outcome = _svc(services).activate(api, version, actor=actor, dry_run=dry_run)
    return ok(outcome_to_dict(outcome))


@router.post("/apis/{api}/versions/{version}/deprecate")
def deprecate_version(
    api: str,
    version: str,
    services: ServicesDep,
    actor: WriteActor,
    body: Annotated[DeprecateIn | None, Body()] = None,
    dry_run: bool = False,
) -> Response:
    """active -> deprecated, with deprecation and retirement (sunset) dates."""
    b = body or DeprecateIn()
    outcome = _svc(services).deprecate(
        api,
        version,
        actor=actor,
        on=b.on,
        sunset=b.sunset,
        migration_guide=b.migration_guide,
        replacement=b.replacement,
        dry_run=dry_run,
    )
    return ok(outcome_to_dict(outcome))


@router.post("/apis/{api}/versions/{version}/retire")
def retire_version(
    api: str,
    version: str,
    services: ServicesDep,
    actor: WriteActor,
    body: Annotated[RetireIn | None, Body()] = None,
    dry_run: bool = False,
) -> Response:
    """deprecated -> retired (approver; after the notice period unless ``force``)."""
    force = body.force if body is not None else False
    outcome = _svc(services).retire(api, version, actor=actor, force=force, dry_run=dry_run)
    return ok(outcome_to_dict(outcome))


@router.put("/apis/{api}/policy")
def set_policy(
    api: str, body: PolicyIn, services: ServicesDep, actor: WriteActor, dry_run: bool = False
) -> Response:
    """Change the notice and retirement periods later moves follow (approver)."""
    outcome = _svc(services).set_policy(
        api,
        actor=actor,
        notice_days=body.notice_days,
        retirement_days=body.retirement_days,
        dry_run=dry_run,
    )
    return ok(outcome.to_dict())


@router.post(
    "/apis/{api}/import",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_matrix(
    api: str,
    request: Request,
    services: ServicesDep,
    actor: WriteActor,
    dry_run: bool = False,
    source: Annotated[str, Query(max_length=300)] = "request body",
) -> Response:
    """Merge the versions of a YAML document in the seed's ``api_compatibility_matrix`` shape.

    ``source`` names the document in error messages (the CLI sends the file's path).
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _YAML_TYPES:
        raise InvalidInput(
            f"expected a YAML body, got content type {ctype or 'none'!r}",
            location=Location(field="body"),
            hint="send the file with Content-Type: application/yaml",
        )
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8", location=Location(field="body")) from None
    outcomes = await run_in_threadpool(
        _svc(services).import_text, api, text, actor=actor, dry_run=dry_run, source=source
    )
    return ok({"items": [outcome_to_dict(o) for o in outcomes]})
